//! View components: props in, callbacks out, no engine access.

pub mod clock;
pub mod console;
pub mod draft_input;
pub mod keys;
pub mod lessons;
pub mod persistence;
pub mod server;
pub mod sims;
pub mod slowlog;
pub mod visualizers;
