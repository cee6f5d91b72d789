//! Incremental RESP parsing. Every function takes the bytes received so far
//! and returns `Ok(None)` when more are needed, `Ok(Some((value, consumed)))`
//! when a whole value is there. Nothing is allocated for a length before the
//! bytes it announces have arrived, so a hostile length cannot exhaust memory.

use std::borrow::Cow;
use std::ops::Range;

use super::ProtocolError;
use crate::line::split_args;
use crate::number::parse_i64;
use crate::reply::Reply;

/// Redis's PROTO_INLINE_MAX_SIZE: the longest line accepted without a newline.
const INLINE_MAX: usize = 64 * 1024;
/// How deep a parsed reply may nest before it is refused.
const MAX_DEPTH: usize = 128;

/// Request limits; `max_bulk_len` is the `proto-max-bulk-len` config.
#[derive(Debug, Clone, Copy)]
pub struct RequestLimits {
    pub max_bulk_len: usize,
}

impl Default for RequestLimits {
    fn default() -> Self {
        RequestLimits {
            max_bulk_len: 512 * 1024 * 1024,
        }
    }
}

type Parsed<T> = Result<Option<(T, usize)>, ProtocolError>;

fn error<T>(text: impl Into<String>) -> Result<T, ProtocolError> {
    Err(ProtocolError(text.into()))
}

/// Parses one client request: a multibulk array of bulk strings, or an inline
/// command line. An empty argument vector means "nothing to run" (a blank
/// line or `*0`), but its bytes are still consumed. A multibulk request's
/// arguments are borrowed from `buf` (copying each, for every command a
/// server runs, was a tenth of its time); an inline one's are made, as
/// quotes and escapes rewrite them.
pub fn parse_request<'a>(buf: &'a [u8], limits: &RequestLimits) -> Parsed<Vec<Cow<'a, [u8]>>> {
    let mut args = Vec::new();
    let mut progress = RequestProgress::default();
    Ok(parse_request_into(buf, limits, &mut args, &mut progress)?.map(|used| (args, used)))
}

/// How far the reading of a multibulk request that has not all arrived
/// got: its argument count, where the next argument's `$` line starts,
/// and the arguments read so far, as ranges of the request's bytes. Handed
/// back to `parse_request_into` with the same bytes grown, it goes on from
/// there: a request arriving over many reads (an RPUSH of a million
/// elements) is read once, not again from its start at every read. Redis
/// keeps the same in its client (`multibulklen`, `bulklen`).
#[derive(Debug, Default)]
pub struct RequestProgress {
    /// Arguments the request announced; 0 when nothing is under way.
    count: usize,
    next: usize,
    ranges: Vec<Range<usize>>,
}

impl RequestProgress {
    /// Nothing under way; the ranges of a request of many arguments are
    /// let go rather than kept for the connection's lifetime.
    fn clear(&mut self) {
        self.count = 0;
        self.next = 0;
        if self.ranges.capacity() > 1024 {
            self.ranges = Vec::new();
        } else {
            self.ranges.clear();
        }
    }
}

/// `parse_request` into `args` (cleared first), so that a server reading
/// request after request reuses one vector instead of allocating one per
/// command; `Ok(Some(consumed))` when a whole request was there.
/// `progress` carries an incomplete request's reading from one call to
/// the next: `buf` must then start with the same bytes as before (the
/// request's own), more of them or as many.
pub fn parse_request_into<'a>(
    buf: &'a [u8],
    limits: &RequestLimits,
    args: &mut Vec<Cow<'a, [u8]>>,
    progress: &mut RequestProgress,
) -> Result<Option<usize>, ProtocolError> {
    args.clear();
    match buf.first() {
        None => Ok(None),
        Some(b'*') => parse_multibulk(buf, limits, args, progress),
        Some(_) => {
            // Only a host that did not keep a request's bytes leaves a
            // progress here; it belongs to nothing any more.
            progress.clear();
            parse_inline(buf, args)
        }
    }
}

fn parse_inline(buf: &[u8], args: &mut Vec<Cow<'_, [u8]>>) -> Result<Option<usize>, ProtocolError> {
    let Some(newline) = buf.iter().position(|&b| b == b'\n') else {
        return if buf.len() > INLINE_MAX {
            error("too big inline request")
        } else {
            Ok(None)
        };
    };
    let line = buf[..newline]
        .strip_suffix(b"\r")
        .unwrap_or(&buf[..newline]);
    match split_args(line) {
        Some(words) => {
            args.extend(words.into_iter().map(Cow::Owned));
            Ok(Some(newline + 1))
        }
        None => error("unbalanced quotes in request"),
    }
}

/// A header line without its `\r` yet, `waiting` bytes long: more may come,
/// unless it is already longer than Redis waits for.
fn line_not_ended<T>(waiting: usize, too_long: &str) -> Result<Option<T>, ProtocolError> {
    if waiting > INLINE_MAX {
        error(too_long)
    } else {
        Ok(None)
    }
}

/// Finds the `\r` that ends a header line starting at `start`.
fn header_end(buf: &[u8], start: usize) -> Option<usize> {
    buf.get(start..)?
        .iter()
        .position(|&b| b == b'\r')
        .map(|p| start + p)
}

fn parse_multibulk<'a>(
    buf: &'a [u8],
    limits: &RequestLimits,
    args: &mut Vec<Cow<'a, [u8]>>,
    progress: &mut RequestProgress,
) -> Result<Option<usize>, ProtocolError> {
    // Going on where the last call stopped, unless `buf` is shorter than
    // what that call read (a host that did not keep the request's bytes):
    // then from the start. A request read whole never touches `progress`.
    if progress.count > 0 {
        if progress.next <= buf.len() {
            let resumed = resume_multibulk(buf, limits, args, progress);
            if !matches!(resumed, Ok(None)) {
                progress.clear();
            }
            return resumed;
        }
        progress.clear();
    }
    let Some(cr) = header_end(buf, 1) else {
        return line_not_ended(buf.len(), "too big mbulk count string");
    };
    let count = match parse_i64(&buf[1..cr]) {
        Some(n) if n <= i64::from(i32::MAX) => n,
        _ => return error("invalid multibulk length"),
    };
    let mut pos = cr + 2;
    if count <= 0 {
        return Ok((pos <= buf.len()).then_some(pos));
    }
    let count = usize::try_from(count).unwrap_or(0);
    args.reserve(count.min(1024));
    while args.len() < count {
        let Some(arg) = bulk_at(buf, pos, limits)? else {
            // The rest has not arrived: keep where each argument read so
            // far lies, for the next call to go on from `pos`.
            progress.count = count;
            progress.next = pos;
            progress.ranges.extend(args.drain(..).map(|arg| {
                let start = (arg.as_ptr() as usize).saturating_sub(buf.as_ptr() as usize);
                start..start + arg.len()
            }));
            return Ok(None);
        };
        pos = arg.end + 2;
        args.push(Cow::Borrowed(&buf[arg]));
    }
    Ok(Some(pos))
}

/// `parse_multibulk` going on from `progress`, for a request that did not
/// all arrive at once: arguments are kept as ranges until the last is in.
fn resume_multibulk<'a>(
    buf: &'a [u8],
    limits: &RequestLimits,
    args: &mut Vec<Cow<'a, [u8]>>,
    progress: &mut RequestProgress,
) -> Result<Option<usize>, ProtocolError> {
    let mut pos = progress.next;
    while progress.ranges.len() < progress.count {
        let Some(arg) = bulk_at(buf, pos, limits)? else {
            progress.next = pos;
            return Ok(None);
        };
        pos = arg.end + 2;
        progress.ranges.push(arg);
    }
    args.extend(
        progress
            .ranges
            .drain(..)
            .map(|range| Cow::Borrowed(buf.get(range).unwrap_or_default())),
    );
    Ok(Some(pos))
}

/// The argument whose `$` line starts at `pos`, as its range of `buf`
/// (its `\r\n` follows it there); `None` while not all of it has arrived.
/// Always inlined: called, it cost every request 8% more instructions in
/// `serve_replay` (callgrind), as plain `#[inline]` was not taken.
#[inline(always)]
fn bulk_at(
    buf: &[u8],
    pos: usize,
    limits: &RequestLimits,
) -> Result<Option<Range<usize>>, ProtocolError> {
    if pos >= buf.len() {
        return Ok(None);
    }
    let Some(cr) = header_end(buf, pos) else {
        return line_not_ended(buf.len() - pos, "too big bulk count string");
    };
    if buf[pos] != b'$' {
        return error(format!("expected '$', got '{}'", char::from(buf[pos])));
    }
    let len = match parse_i64(&buf[pos + 1..cr]).and_then(|n| usize::try_from(n).ok()) {
        Some(n) if n <= limits.max_bulk_len => n,
        _ => return error("invalid bulk length"),
    };
    let start = cr + 2;
    let end = start.saturating_add(len);
    if end.saturating_add(2) > buf.len() {
        return Ok(None);
    }
    Ok(Some(start..end))
}

/// Parses one reply of any RESP2 or RESP3 type. Attributes (`|`) are read
/// and dropped, as a client that does not ask for them would.
pub fn parse_reply(buf: &[u8]) -> Parsed<Reply> {
    parse_value(buf, 0, 0)
}

fn parse_value(buf: &[u8], start: usize, depth: usize) -> Parsed<Reply> {
    if depth > MAX_DEPTH {
        return error("reply nested too deeply");
    }
    let Some(&tag) = buf.get(start) else {
        return Ok(None);
    };
    let Some(cr) = header_end(buf, start + 1) else {
        return Ok(None);
    };
    if cr + 1 >= buf.len() {
        return Ok(None);
    }
    let header = &buf[start + 1..cr];
    let after = cr + 2;
    let text = || String::from_utf8_lossy(header).into_owned();
    let length = || match parse_i64(header) {
        Some(n) if n >= -1 => Ok(n),
        _ => Err(ProtocolError(format!("invalid length '{}'", text()))),
    };
    let simple = |reply: Reply| Ok(Some((reply, after)));
    match tag {
        b'+' => simple(Reply::Status(text())),
        b'-' => simple(Reply::Error(text())),
        b':' => match parse_i64(header) {
            Some(n) => simple(Reply::Int(n)),
            None => error(format!("invalid integer '{}'", text())),
        },
        b'_' => simple(Reply::Nil),
        b'#' => match header {
            b"t" => simple(Reply::Bool(true)),
            b"f" => simple(Reply::Bool(false)),
            _ => error(format!("invalid boolean '{}'", text())),
        },
        b',' => match parse_double(header) {
            Some(d) => simple(Reply::Double(d)),
            None => error(format!("invalid double '{}'", text())),
        },
        b'(' => simple(Reply::BigNumber(text())),
        b'$' | b'=' | b'!' => {
            let len = length()?;
            let Ok(len) = usize::try_from(len) else {
                return simple(Reply::Nil);
            };
            let end = after.saturating_add(len);
            if end.saturating_add(2) > buf.len() {
                return Ok(None);
            }
            let body = buf[after..end].to_vec();
            let reply = match tag {
                b'$' => Reply::Bulk(body),
                b'!' => Reply::Error(String::from_utf8_lossy(&body).into_owned()),
                _ => match body.get(3) {
                    Some(b':') => Reply::Verbatim(
                        String::from_utf8_lossy(&body[..3]).into_owned(),
                        body[4..].to_vec(),
                    ),
                    _ => return error("invalid verbatim string"),
                },
            };
            Ok(Some((reply, end + 2)))
        }
        b'*' | b'~' | b'>' | b'%' | b'|' => {
            let len = length()?;
            let Ok(count) = usize::try_from(len) else {
                return simple(Reply::NilArray);
            };
            let per_entry = if matches!(tag, b'%' | b'|') { 2 } else { 1 };
            let mut items = Vec::with_capacity(count.saturating_mul(per_entry).min(1024));
            let mut pos = after;
            for _ in 0..count.saturating_mul(per_entry) {
                match parse_value(buf, pos, depth + 1)? {
                    Some((item, next)) => {
                        items.push(item);
                        pos = next;
                    }
                    None => return Ok(None),
                }
            }
            let reply = match tag {
                b'*' => Reply::Array(items),
                b'~' => Reply::Set(items),
                b'>' => Reply::Push(items),
                b'%' => Reply::Map(pairs(items)),
                // An attribute annotates the reply that follows it; keep the reply.
                _ => return parse_value(buf, pos, depth + 1),
            };
            Ok(Some((reply, pos)))
        }
        other => error(format!("unknown reply type '{}'", char::from(other))),
    }
}

fn pairs(items: Vec<Reply>) -> Vec<(Reply, Reply)> {
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut iter = items.into_iter();
    while let (Some(k), Some(v)) = (iter.next(), iter.next()) {
        out.push((k, v));
    }
    out
}

fn parse_double(text: &[u8]) -> Option<f64> {
    match text {
        b"inf" | b"+inf" => Some(f64::INFINITY),
        b"-inf" => Some(f64::NEG_INFINITY),
        _ => std::str::from_utf8(text).ok()?.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resp::{encode, Protocol};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn req(buf: &[u8]) -> Parsed<Vec<Vec<u8>>> {
        parse_request(buf, &RequestLimits::default()).map(|parsed| {
            parsed.map(|(args, used)| (args.into_iter().map(Cow::into_owned).collect(), used))
        })
    }

    #[test]
    fn multibulk_whole_partial_and_pipelined() {
        let full = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n";
        let (args, used) = req(full).unwrap().unwrap();
        assert_eq!(args, vec![b"GET".to_vec(), b"k".to_vec()]);
        assert_eq!(used, 20);
        assert_eq!(
            req(&full[used..]).unwrap().unwrap().0,
            vec![b"PING".to_vec()]
        );
        for cut in 1..20 {
            assert_eq!(req(&full[..cut]).unwrap(), None, "cut at {cut}");
        }
    }

    #[test]
    fn inline_requests_use_redis_cli_quoting() {
        let (args, used) = req(b"SET k \"a b\"\r\nGET k\r\n").unwrap().unwrap();
        assert_eq!(args, vec![b"SET".to_vec(), b"k".to_vec(), b"a b".to_vec()]);
        assert_eq!(used, 13);
        assert_eq!(req(b"\r\n").unwrap(), Some((vec![], 2)));
        assert_eq!(
            req(b"SET k \"oops\r\n").unwrap_err().0,
            "unbalanced quotes in request"
        );
    }

    #[test]
    fn hostile_lengths_are_refused_without_allocating() {
        assert_eq!(req(b"*abc\r\n").unwrap_err().0, "invalid multibulk length");
        assert_eq!(
            req(b"*3000000000\r\n").unwrap_err().0,
            "invalid multibulk length"
        );
        assert_eq!(req(b"*1\r\n$-5\r\n").unwrap_err().0, "invalid bulk length");
        assert_eq!(
            req(b"*1\r\n$536870913\r\n").unwrap_err().0,
            "invalid bulk length"
        );
        assert_eq!(req(b"*1\r\n:1\r\n").unwrap_err().0, "expected '$', got ':'");
        // A huge announced count with few bytes is simply incomplete.
        assert_eq!(req(b"*2000000000\r\n$1\r\na\r\n").unwrap(), None);
        let long = vec![b'a'; INLINE_MAX + 1];
        assert_eq!(req(&long).unwrap_err().0, "too big inline request");
    }

    /// Fed a stream a byte more at a time, as reads would bring it, with
    /// one `RequestProgress` carried between calls (and the consumed
    /// bytes dropped, as hosts do), the parser gives at every step what
    /// parsing the same bytes from scratch gives: the same arguments, the
    /// same bytes consumed, the same errors.
    #[test]
    fn resumed_reading_matches_reading_from_scratch() {
        let limits = RequestLimits::default();
        let streams: [&[u8]; 4] = [
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\nPING\r\n*0\r\n*1\r\n$4\r\nPING\r\n",
            b"*2\r\n$4\r\nECHO\r\n$12\r\nhello\r\nworld\r\n*-1\r\n*2\r\n$3\r\nGET\r\n$2\r\nab\r\n",
            b"*2\r\n$4\r\nECHO\r\n:5\r\n",
            b"*3\r\n$1\r\na\r\n$-1\r\n",
        ];
        for stream in streams {
            let mut input: Vec<u8> = Vec::new();
            let mut progress = RequestProgress::default();
            for &byte in stream {
                input.push(byte);
                loop {
                    let scratch = parse_request(&input, &limits).map(|p| {
                        p.map(|(a, used)| {
                            (a.into_iter().map(Cow::into_owned).collect::<Vec<_>>(), used)
                        })
                    });
                    let mut args = Vec::new();
                    let resumed = parse_request_into(&input, &limits, &mut args, &mut progress)
                        .map(|p| {
                            p.map(|used| {
                                (args.iter().map(|a| a.to_vec()).collect::<Vec<_>>(), used)
                            })
                        });
                    assert_eq!(
                        resumed,
                        scratch,
                        "after {:?}",
                        String::from_utf8_lossy(&input)
                    );
                    match resumed {
                        Ok(Some((_, used))) => {
                            input.drain(..used);
                        }
                        Ok(None) => break,
                        Err(_) => return,
                    }
                }
            }
            assert!(
                input.is_empty(),
                "{:?} left",
                String::from_utf8_lossy(&input)
            );
        }
    }

    /// A progress handed back with fewer bytes than it read (a host that
    /// did not keep them) is dropped, and the bytes read from the start.
    #[test]
    fn a_progress_past_the_bytes_given_is_dropped() {
        let limits = RequestLimits::default();
        let mut progress = RequestProgress::default();
        let mut args = Vec::new();
        let long = b"*2\r\n$4\r\nECHO\r\n$3\r\nab";
        assert_eq!(
            parse_request_into(long, &limits, &mut args, &mut progress),
            Ok(None)
        );
        assert!(progress.count == 2 && progress.ranges.len() == 1);
        let other = b"*1\r\n$4\r\nPING\r\n";
        assert_eq!(
            parse_request_into(&other[..6], &limits, &mut args, &mut progress),
            Ok(None)
        );
        assert_eq!(
            parse_request_into(other, &limits, &mut args, &mut progress),
            Ok(Some(14))
        );
        assert_eq!(args, vec![Cow::Borrowed(&b"PING"[..])]);
    }

    #[test]
    fn every_resp3_type_round_trips_through_the_encoder() {
        let reply = Reply::Array(vec![
            Reply::Status("OK".into()),
            Reply::Error("ERR x".into()),
            Reply::Int(-7),
            Reply::Bulk(b"a\r\nb".to_vec()),
            Reply::Nil,
            Reply::Map(vec![(
                Reply::Bulk(b"k".to_vec()),
                Reply::Set(vec![Reply::Int(1)]),
            )]),
            Reply::Double(2.5),
            Reply::Bool(false),
            Reply::BigNumber("123456789012345678901234567890".into()),
            Reply::Verbatim("txt".into(), b"hello".to_vec()),
            Reply::Push(vec![Reply::Bulk(b"message".to_vec())]),
        ]);
        let mut bytes = Vec::new();
        encode(&reply, Protocol::Resp3, &mut bytes);
        let (parsed, used) = parse_reply(&bytes).unwrap().unwrap();
        assert_eq!(parsed, reply);
        assert_eq!(used, bytes.len());
        for cut in 0..bytes.len() {
            assert_eq!(parse_reply(&bytes[..cut]).unwrap(), None, "cut at {cut}");
        }
    }

    #[test]
    fn resp2_downgrades_resp3_types() {
        let mut bytes = Vec::new();
        let reply = Reply::Map(vec![(Reply::Bool(true), Reply::Double(1.5))]);
        encode(&reply, Protocol::Resp2, &mut bytes);
        assert_eq!(bytes, b"*2\r\n:1\r\n$3\r\n1.5\r\n");
        bytes.clear();
        encode(&Reply::Nil, Protocol::Resp2, &mut bytes);
        encode(&Reply::NilArray, Protocol::Resp2, &mut bytes);
        assert_eq!(bytes, b"$-1\r\n*-1\r\n");
    }
}
