//! CLIENT LIST, CLIENT INFO and CLIENT KILL: describing clients in Redis's
//! one-line format and choosing clients by id, type, user and address.
//!
//! A line has Redis 7.2's fields, in its order: 7.0's list plus
//! `lib-name` and `lib-ver`, since CLIENT SETINFO (7.2) is here to set
//! them. `addr`, `laddr` and `fd` are the host's (`client::Peer`); `age`
//! and `idle` come from the engine clock. Buffer and memory fields follow
//! Redis's accounting (`getClientMemoryUsage`) over a model of its
//! allocations — see `Memory` — so they have Redis's sizes and move the
//! way Redis's do (a MULTI queue, subscriptions, a blocked command's
//! arguments, output waiting), without claiming to be exact.

use std::fmt::Write;

use super::is_opt;
use crate::client::{Client, ClientId};
use crate::engine::{drop_client, error_text, Ctx, Server};
use crate::error::CmdError;
use crate::reply::Reply;
use crate::resp::Protocol;

/// The types CLIENT LIST TYPE and CLIENT KILL TYPE select by. There are no
/// replicas or masters here, so those select nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Normal,
    Replica,
    Pubsub,
    Master,
}

impl Kind {
    fn parse(name: &[u8]) -> Result<Kind, CmdError> {
        let kinds = [
            ("normal", Kind::Normal),
            ("slave", Kind::Replica),
            ("replica", Kind::Replica),
            ("pubsub", Kind::Pubsub),
            ("master", Kind::Master),
        ];
        kinds
            .iter()
            .find(|(word, _)| is_opt(name, word))
            .map(|&(_, kind)| kind)
            .ok_or_else(|| {
                CmdError::Other(format!(
                    "ERR Unknown client type '{}'",
                    error_text(name, usize::MAX)
                ))
            })
    }

    /// A client is a pub/sub client while it has any subscription.
    fn of(client: &Client) -> Kind {
        if client.subscriptions.count() > 0 {
            Kind::Pubsub
        } else {
            Kind::Normal
        }
    }
}

/// Every client, the one running the command included, in id order.
fn everyone<'a>(server: &'a Server, me: &'a Client) -> Vec<&'a Client> {
    let mut all: Vec<&Client> = server.clients.values().map(|c| &**c).collect();
    all.push(me);
    all.sort_unstable_by_key(|c| c.id);
    all
}

/// Lines as Redis sends them: a verbatim string in RESP3, bulk in RESP2.
fn text_reply(text: String) -> Reply {
    Reply::Verbatim("txt".to_string(), text.into_bytes())
}

pub(super) fn info(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let mut text = describe(ctx.server, ctx.client, Some(argv));
    text.push('\n');
    Ok(text_reply(text))
}

/// CLIENT LIST [TYPE type | ID id...]: ids are listed in the order given,
/// repeats included, as Redis does.
pub(super) fn list(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let me = &*ctx.client;
    let all = everyone(ctx.server, me);
    let chosen: Vec<&Client> = match argv {
        [_, _] => all,
        [_, _, option, kind] if is_opt(option, "TYPE") => {
            let kind = Kind::parse(kind)?;
            all.into_iter().filter(|c| Kind::of(c) == kind).collect()
        }
        [_, _, option, ids @ ..] if is_opt(option, "ID") && !ids.is_empty() => {
            let mut chosen = Vec::new();
            for &raw in ids {
                let wanted = crate::number::parse_i64(raw)
                    .ok_or_else(|| CmdError::Other("ERR Invalid client ID".to_string()))?;
                chosen.extend(
                    all.iter()
                        .copied()
                        .filter(|c| i64::try_from(c.id) == Ok(wanted)),
                );
            }
            chosen
        }
        _ => return Err(CmdError::Syntax),
    };
    let mut text = String::new();
    for client in chosen {
        let running = (client.id == me.id).then_some(argv);
        text.push_str(&describe(ctx.server, client, running));
        text.push('\n');
    }
    Ok(text_reply(text))
}

/// What CLIENT KILL's new form selects by; every filter given must match.
#[derive(Default)]
struct Filter<'a> {
    id: Option<ClientId>,
    kind: Option<Kind>,
    addr: Option<&'a [u8]>,
    laddr: Option<&'a [u8]>,
    /// Spare the client running the command.
    skip_me: bool,
}

impl Filter<'_> {
    fn matches(&self, client: &Client, me: ClientId) -> bool {
        self.id.is_none_or(|id| id == client.id)
            && self.kind.is_none_or(|kind| kind == Kind::of(client))
            && self.addr.is_none_or(|a| a == client.peer.addr.as_bytes())
            && self.laddr.is_none_or(|a| a == client.peer.laddr.as_bytes())
            && !(self.skip_me && client.id == me)
    }
}

/// CLIENT KILL addr (the old form: OK, or an error if nobody matched) or
/// CLIENT KILL option value... (how many were killed). Other clients are
/// dropped at once, as Redis frees them; the running client, if chosen,
/// is closed after its reply.
pub(super) fn kill(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let old_form = argv.len() == 3;
    let filter = if old_form {
        Filter {
            addr: argv.get(2).copied(),
            ..Filter::default()
        }
    } else {
        parse_filter(argv)?
    };
    let me = ctx.client.id;
    let victims: Vec<ClientId> = ctx
        .server
        .clients
        .values()
        .filter(|c| filter.matches(c, me))
        .map(|c| c.id)
        .collect();
    let kill_me = filter.matches(ctx.client, me);
    for &id in &victims {
        drop_client(ctx.server, id);
    }
    if kill_me {
        ctx.client.closing = true;
    }
    let killed = victims.len() + usize::from(kill_me);
    if !old_form {
        return Ok(super::int_reply(killed));
    }
    if killed == 0 {
        return Err(CmdError::Other("ERR No such client".to_string()));
    }
    Ok(Reply::ok())
}

/// The option-value pairs of CLIENT KILL's new form, checked in order.
fn parse_filter<'a>(argv: &[&'a [u8]]) -> Result<Filter<'a>, CmdError> {
    let mut filter = Filter {
        skip_me: true,
        ..Filter::default()
    };
    for pair in argv.get(2..).unwrap_or_default().chunks(2) {
        let [option, value] = *pair else {
            return Err(CmdError::Syntax);
        };
        if is_opt(option, "ID") {
            let id = crate::number::parse_i64(value)
                .filter(|&id| id > 0)
                .and_then(|id| u64::try_from(id).ok())
                .ok_or_else(|| {
                    CmdError::Other("ERR client-id should be greater than 0".to_string())
                })?;
            filter.id = Some(id);
        } else if is_opt(option, "TYPE") {
            filter.kind = Some(Kind::parse(value)?);
        } else if is_opt(option, "USER") {
            // `default` is the only user, and every client is logged in as it.
            if value != b"default" {
                return Err(CmdError::Other(format!(
                    "ERR No such user '{}'",
                    error_text(value, usize::MAX)
                )));
            }
        } else if is_opt(option, "ADDR") {
            filter.addr = Some(value);
        } else if is_opt(option, "LADDR") {
            filter.laddr = Some(value);
        } else if is_opt(option, "SKIPME") {
            filter.skip_me = if is_opt(value, "YES") {
                true
            } else if is_opt(value, "NO") {
                false
            } else {
                return Err(CmdError::Syntax);
            };
        } else {
            return Err(CmdError::Syntax);
        }
    }
    Ok(filter)
}

/// One CLIENT LIST line (without the newline). `running` is the command
/// line of the client that asked, which is in that client's query buffer.
fn describe(server: &Server, client: &Client, running: Option<&[&[u8]]>) -> String {
    let now_s = server.now_ms.div_euclid(1000);
    let memory = Memory::of(client, running);
    let subs = &client.subscriptions;
    let multi = client
        .multi
        .as_ref()
        .map_or(-1, |tx| i64::try_from(tx.queue.len()).unwrap_or(i64::MAX));
    let redir = client
        .tracking
        .as_ref()
        .map_or(-1, |t| i64::try_from(t.redirect).unwrap_or(i64::MAX));
    let resp = match client.proto {
        Protocol::Resp2 => 2,
        Protocol::Resp3 => 3,
    };
    let mut line = String::new();
    // Writing to a String cannot fail.
    let _ = write!(
        line,
        "id={} addr={} laddr={} fd={} name={} age={} idle={} flags={} db={} sub={} psub={} ssub={} multi={} \
         qbuf={} qbuf-free={} argv-mem={} multi-mem={} rbs={} rbp={} obl={} oll={} omem={} tot-mem={} \
         events=r cmd={} user=default redir={} resp={} lib-name={} lib-ver={}",
        client.id,
        client.peer.addr,
        client.peer.laddr,
        client.peer.fd,
        String::from_utf8_lossy(&client.name),
        now_s - client.created_ms.div_euclid(1000),
        now_s - client.last_interaction_ms.div_euclid(1000),
        flags(client),
        client.db,
        subs.channels.len(),
        subs.patterns.len(),
        subs.shard_channels.len(),
        multi,
        memory.query_buffer,
        memory.query_buffer_free,
        memory.argv,
        memory.multi,
        memory.reply_buffer,
        memory.reply_buffer_peak,
        memory.output_buffered,
        memory.output_blocks,
        memory.output_memory,
        memory.total,
        client.last_command_name(),
        redir,
        resp,
        String::from_utf8_lossy(&client.lib_name),
        String::from_utf8_lossy(&client.lib_ver),
    );
    line
}

/// Redis's flag letters, in its order; N when there are none.
fn flags(client: &Client) -> String {
    let tracking = client.tracking.as_ref();
    let letters = [
        (client.monitor, 'O'),
        (client.subscriptions.count() > 0, 'P'),
        (client.multi.is_some(), 'x'),
        (client.blocked.is_some(), 'b'),
        (tracking.is_some(), 't'),
        (tracking.is_some_and(|t| t.broken_redirect), 'R'),
        (tracking.is_some_and(|t| t.bcast), 'B'),
        (client.dirty_cas, 'd'),
        (client.closing, 'c'),
        (client.no_evict, 'e'),
        (client.no_touch, 'T'),
    ];
    let flags: String = letters
        .iter()
        .filter(|(on, _)| *on)
        .map(|&(_, letter)| letter)
        .collect();
    if flags.is_empty() {
        "N".to_string()
    } else {
        flags
    }
}

/// A pointer, and the allocations Redis's client accounting counts, in
/// bytes as a 64-bit build with jemalloc has them.
const POINTER: usize = 8;
/// The client structure itself.
const CLIENT_STRUCT: usize = 768;
/// The query buffer Redis keeps for a client: a 20 KB allocation of which
/// 20474 bytes are usable.
const QUERY_BUFFER_ALLOC: usize = 20480;
const QUERY_BUFFER_USABLE: usize = 20474;
/// The reply buffer: 16 KB when a client starts; Redis's cron shrinks an
/// idle client's to 1 KB. Further output goes to 16 KB blocks.
pub(crate) const REPLY_BUFFER: usize = 16 * 1024;
const REPLY_BUFFER_SHRUNK: usize = 1024;
/// A list node, a dict entry, a queued MULTI command, a WATCHed key (its
/// list node and record), a radix-tree node as Redis estimates it.
const LIST_NODE: usize = 24;
const DICT_ENTRY: usize = 24;
const MULTI_COMMAND: usize = 24;
const WATCHED_KEY: usize = 56;
const RAX_NODE: usize = 32;

/// The buffer and memory fields of a CLIENT LIST line.
struct Memory {
    query_buffer: usize,
    query_buffer_free: usize,
    argv: usize,
    multi: usize,
    reply_buffer: usize,
    reply_buffer_peak: usize,
    output_buffered: usize,
    output_blocks: usize,
    output_memory: usize,
    total: usize,
}

impl Memory {
    /// The model: the running client holds its own command in its query
    /// buffer and still has the 16 KB reply buffer it started with; other
    /// clients have shrunk theirs to 1 KB and keep arguments only while a
    /// command waits (blocked or paused). Output not yet taken by the host
    /// fills the reply buffer, then 16 KB blocks.
    fn of(client: &Client, running: Option<&[&[u8]]>) -> Memory {
        let (query_buffer, argv_len, argc) = match (running, &client.blocked) {
            (Some(argv), _) => (
                request_size(argv.iter().map(|a| a.len())),
                argv.iter().map(|a| a.len()).sum(),
                argv.len(),
            ),
            (None, Some(blocked)) => (
                0,
                blocked.argv.iter().map(Vec::len).sum(),
                blocked.argv.len(),
            ),
            (None, None) => (0, 0, 0),
        };
        let (reply_buffer, reply_buffer_peak) = if running.is_some() {
            (REPLY_BUFFER, REPLY_BUFFER)
        } else {
            (REPLY_BUFFER_SHRUNK, 0)
        };
        let waiting = client.outbox_bytes();
        let output_buffered = waiting.min(reply_buffer);
        let output_blocks = (waiting - output_buffered).div_ceil(REPLY_BUFFER);
        let output_memory = output_blocks * REPLY_BUFFER;
        let queue = client.multi.as_ref().map_or(&[][..], |tx| &tx.queue[..]);
        let multi: usize = queue
            .iter()
            .map(|cmd| cmd.iter().map(Vec::len).sum::<usize>() + POINTER * cmd.len())
            .sum();
        // Redis allocates room for two queued commands, then doubles.
        let multi_slots = match queue.len() {
            0 => 0,
            n => n.next_power_of_two().max(2),
        };
        let subs = &client.subscriptions;
        let pubsub = dict_size(subs.channels.len())
            + LIST_NODE * subs.patterns.len()
            + dict_size(subs.shard_channels.len());
        let prefixes = client.tracking.as_ref().filter(|t| t.bcast).map_or(0, |t| {
            let prefixes: Vec<&[u8]> = t.prefixes.iter().map(Vec::as_slice).collect();
            RAX_NODE * rax_nodes(&prefixes)
        });
        let total = output_memory
            + QUERY_BUFFER_ALLOC
            + CLIENT_STRUCT
            + reply_buffer
            + argv_len
            + POINTER * argc
            + multi
            + MULTI_COMMAND * multi_slots
            + WATCHED_KEY * client.watched.len()
            + pubsub
            + prefixes;
        Memory {
            query_buffer,
            query_buffer_free: QUERY_BUFFER_USABLE.saturating_sub(query_buffer),
            argv: argv_len,
            multi,
            reply_buffer,
            reply_buffer_peak,
            output_buffered,
            output_blocks,
            output_memory,
            total,
        }
    }
}

/// Bytes of a command sent as a RESP multibulk request.
fn request_size(lengths: impl ExactSizeIterator<Item = usize>) -> usize {
    let header = 3 + digits(lengths.len());
    header + lengths.map(|len| 5 + digits(len) + len).sum::<usize>()
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// A Redis dict of `entries` entries: the entries and a table of at least
/// four slots, doubled as it fills.
fn dict_size(entries: usize) -> usize {
    if entries == 0 {
        return 0;
    }
    DICT_ENTRY * entries + POINTER * entries.next_power_of_two().max(4)
}

/// How many nodes Redis's radix tree holds for a client's BCAST prefixes
/// (sorted, none a prefix of another unless it is the lone empty one).
/// In the compacted trie of the keys, every fork and every leaf is a node;
/// a radix tree also spends a node on each edge out of a fork longer than
/// one byte (the fork holds only its first byte), and a compressed root
/// when all keys share a first byte. Forks are found from the common
/// prefixes of neighbours, with a stack rather than recursion, so many
/// prefixes cost linear time and no stack depth.
fn rax_nodes(keys: &[&[u8]]) -> usize {
    let lcps: Vec<usize> = keys
        .windows(2)
        .map(|pair| match pair {
            [a, b] => a.iter().zip(b.iter()).take_while(|(x, y)| x == y).count(),
            _ => 0,
        })
        .collect();
    let long_edge = |from: usize, to: usize| usize::from(to.saturating_sub(from) > 1);
    // Each key is a leaf, below the deeper of the forks beside it.
    let mut nodes = 0;
    for (i, key) in keys.iter().enumerate() {
        let before = i.checked_sub(1).and_then(|j| lcps.get(j)).copied();
        let after = lcps.get(i).copied();
        nodes += 1;
        if let Some(fork) = before.max(after) {
            nodes += long_edge(fork, key.len());
        }
    }
    // Forks: depths on the stack are open forks, shallowest first.
    let mut open: Vec<usize> = Vec::new();
    let close = |depth: usize, parent: Option<usize>, nodes: &mut usize| {
        *nodes += 1 + parent.map_or(usize::from(depth > 0), |p| long_edge(p, depth));
    };
    for &lcp in &lcps {
        while let Some(depth) = open.last().copied().filter(|&d| d > lcp) {
            open.pop();
            let parent = open.last().copied().filter(|&p| p >= lcp).unwrap_or(lcp);
            close(depth, Some(parent), &mut nodes);
        }
        if open.last().is_none_or(|&top| top < lcp) {
            open.push(lcp);
        }
    }
    while let Some(depth) = open.pop() {
        let parent = open.last().copied();
        close(depth, parent, &mut nodes);
    }
    // A single key: a compressed root holding it, and its leaf.
    if keys.len() == 1 && keys.first().is_some_and(|k| !k.is_empty()) {
        nodes += 1;
    }
    nodes
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn radix_tree_node_counts_match_redis() {
        // Measured from Redis's tot-mem with these BCAST prefixes.
        assert_eq!(rax_nodes(&[b""]), 1);
        assert_eq!(rax_nodes(&[b"a", b"b"]), 3);
        assert_eq!(rax_nodes(&[b"ab", b"ac"]), 4);
        assert_eq!(rax_nodes(&[b"obj", b"user:"]), 5);
        // By the rules (root fork; a1/a2 under a one-byte edge; b a leaf).
        assert_eq!(rax_nodes(&[b"a1", b"a2", b"b"]), 5);
        assert_eq!(rax_nodes(&[b"abc"]), 2);
    }

    #[test]
    fn request_sizes_count_the_resp_framing() {
        // *2\r\n$6\r\nclient\r\n$4\r\nlist\r\n
        assert_eq!(request_size([6, 4].into_iter()), 26);
        assert_eq!(request_size([6, 4, 4, 6].into_iter()), 48);
    }
}
