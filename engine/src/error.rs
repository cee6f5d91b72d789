//! Command errors as data. Each variant renders, through `Display`, to the
//! exact text real Redis 7.0 sends, so replies match byte for byte.

use std::fmt;

/// Why a command was refused. Becomes `Reply::Error` at the dispatch boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CmdError {
    /// No such command. Carries the name and the first arguments as Redis quotes them.
    UnknownCommand {
        name: String,
        args: String,
    },
    /// A container command (COMMAND, ...) got a subcommand it does not have.
    UnknownSubcommand {
        sub: String,
        container: String,
    },
    /// Argument count outside the command's arity; carries the full name (`command|info`).
    WrongArity(String),
    WrongType,
    NotInteger,
    Syntax,
    /// Expire time that overflows or is not positive; carries the command name.
    InvalidExpireTime(String),
    DbIndexOutOfRange,
    /// An error whose text has no dedicated variant yet; the text excludes the leading `-`.
    Other(String),
}

impl fmt::Display for CmdError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CmdError::UnknownCommand { name, args } => write!(
                f,
                "ERR unknown command '{name}', with args beginning with: {args}"
            ),
            CmdError::UnknownSubcommand { sub, container } => {
                write!(f, "ERR unknown subcommand '{sub}'. Try {container} HELP.")
            }
            CmdError::WrongArity(name) => {
                write!(f, "ERR wrong number of arguments for '{name}' command")
            }
            CmdError::WrongType => {
                f.write_str("WRONGTYPE Operation against a key holding the wrong kind of value")
            }
            CmdError::NotInteger => f.write_str("ERR value is not an integer or out of range"),
            CmdError::Syntax => f.write_str("ERR syntax error"),
            CmdError::InvalidExpireTime(cmd) => {
                write!(f, "ERR invalid expire time in '{cmd}' command")
            }
            CmdError::DbIndexOutOfRange => f.write_str("ERR DB index is out of range"),
            CmdError::Other(text) => f.write_str(text),
        }
    }
}

impl std::error::Error for CmdError {}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn texts_match_redis() {
        assert_eq!(
            CmdError::WrongArity("command|count".into()).to_string(),
            "ERR wrong number of arguments for 'command|count' command"
        );
        assert_eq!(
            CmdError::UnknownSubcommand {
                sub: "x".into(),
                container: "COMMAND".into()
            }
            .to_string(),
            "ERR unknown subcommand 'x'. Try COMMAND HELP."
        );
        assert_eq!(
            CmdError::InvalidExpireTime("set".into()).to_string(),
            "ERR invalid expire time in 'set' command"
        );
    }
}
