//! RESP, the Redis wire protocol, versions 2 and 3: request parsing
//! (multibulk and inline, with Redis's limits and error texts), reply
//! parsing (every RESP3 type, incremental) and reply encoding.

mod encode;
mod parse;

pub use encode::encode;
pub use parse::{parse_reply, parse_request, parse_request_into, RequestLimits, RequestProgress};

/// Which protocol a client speaks; it decides how RESP3-only types are sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    #[default]
    Resp2,
    Resp3,
}

/// A malformed stream. Redis answers these with `-ERR Protocol error: ...`
/// and closes the connection; the text here is what follows `ERR `.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolError(pub String);

impl std::fmt::Display for ProtocolError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Protocol error: {}", self.0)
    }
}

impl std::error::Error for ProtocolError {}
