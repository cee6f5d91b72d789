//! A Lua 5.1 interpreter written for Redis scripting (EVAL, FCALL) inside
//! the engine. The design is in `docs/LUA.md`: a lexer and parser to an
//! AST, a compiler to register bytecode, and a stackless VM whose work and
//! memory are metered, so a runaway script can be paused or killed instead
//! of hanging a browser tab. No `unsafe`, no dependencies, no panics on
//! any script text.

pub mod ast;
pub mod compile;
pub mod format;
pub mod heap;
pub mod lex;
pub mod lib_bit;
pub mod lib_cjson;
pub mod lib_cmsgpack;
pub mod lib_function;
pub mod lib_random;
pub mod lib_redis;
pub mod lib_struct;
pub mod number;
pub mod parse;
pub mod pattern;
pub mod sha1;
pub mod stdlib;
pub mod stdlib_coroutine;
pub mod stdlib_string;
pub mod stdlib_table;
pub mod table;
pub mod value;
pub mod vm;
