//! View components: props in, callbacks out, no engine access.

pub mod clock;
pub mod console;
