//! The playground's entry point: mounts the app into the page.
//!
//! Layout: `app.rs` owns the engine session and the clock; `components/`
//! render from props and report through callbacks; `state/` holds the logic
//! as plain Rust with native tests.

mod app;
mod components;
mod console_host;
mod state;

fn main() {
    yew::Renderer::<app::App>::new().render();
}
