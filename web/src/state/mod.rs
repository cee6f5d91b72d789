//! UI state as plain Rust, without any UI code, so it is tested natively.

pub mod clock;
pub mod console;
pub mod encoding;
pub mod history;
pub mod keys;
pub mod playground;
pub mod selection;
pub mod server;
pub mod shapes;
