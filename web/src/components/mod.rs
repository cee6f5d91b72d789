//! View components: props in, callbacks out, no engine access.

pub mod console;
