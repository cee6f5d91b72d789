//! The playground's entry point: mounts the app into the page.
//!
//! Layout: `app.rs` owns the engine session and the clock; `components/`
//! render from props and report through callbacks; `state/` holds the logic
//! as plain Rust with native tests.

mod app;
mod components;
mod console_host;
mod persistence;
mod state;
mod storage;

fn main() {
    // Storage (or a share link) is read before the first render, so
    // nothing typed can race the saved data being loaded.
    wasm_bindgen_futures::spawn_local(async {
        storage::prepare().await;
        yew::Renderer::<app::App>::new().render();
    });
}
