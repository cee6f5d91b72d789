//! maxmemory: evicting keys as Redis's `maxmemory-policy` chooses them.

pub mod clock;
