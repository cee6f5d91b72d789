//! UI state as plain Rust, without any UI code, so it is tested natively.

pub mod clock;
pub mod console;
pub mod history;
pub mod playground;
