//! The playground over the wasm engine, as a library so that more than one
//! page entry (the playground's `main.rs`, later the docs widget) can
//! mount its parts.
//!
//! Layout: `app.rs` owns the playground's engine session and the clock;
//! `components/` render from props and report through callbacks;
//! `state/` holds the logic as plain Rust with native tests.

mod app;
mod components;
mod console_host;
mod persistence;
mod state;
mod storage;

/// Starts the playground: reads storage (or a share link) before the first
/// render, so nothing typed can race the saved data being loaded.
pub fn start_playground() {
    wasm_bindgen_futures::spawn_local(async {
        storage::prepare().await;
        yew::Renderer::<app::App>::new().render();
    });
}
