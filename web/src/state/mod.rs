//! UI state as plain Rust, without any UI code, so it is tested natively.

pub mod clock;
pub mod completion;
pub mod console;
pub mod editor;
pub mod encoding;
pub mod exact;
pub mod grammar;
pub mod help;
pub mod history;
pub mod keys;
pub mod lessons;
pub mod markdown;
pub mod persist;
pub mod playground;
pub mod query;
pub mod search;
pub mod selection;
pub mod server;
pub mod session;
pub mod shapes;
pub mod share;
pub mod sims;
pub mod slowlog;
pub mod workbench;
