//! The playground over the wasm engine, as a library with two page
//! entries: the playground (`main.rs`) and the docs widget
//! (`bin/redsim-widget.rs`, whose `widget::mount` the page's script calls).
//!
//! Layout: `app.rs` owns the playground's engine session and the clock;
//! `widget.rs` is one `<redsim-console>` element's console;
//! `components/` render from props and report through callbacks;
//! `state/` holds the logic as plain Rust with native tests.

mod app;
mod components;
mod console_host;
mod persistence;
mod state;
mod storage;
pub mod widget;

/// Starts the playground: reads storage (or a share link) before the first
/// render, so nothing typed can race the saved data being loaded.
pub fn start_playground() {
    wasm_bindgen_futures::spawn_local(async {
        storage::prepare().await;
        yew::Renderer::<app::App>::new().render();
    });
}
