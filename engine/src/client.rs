//! A connected client as Redis models one: identity (id, name, library,
//! address), the selected database and protocol, its pub/sub
//! subscriptions, its MULTI queue and WATCHed keys, whether it is blocked
//! or paused, its client-side caching state, how it wants replies, and the
//! output waiting to be sent to it.
//!
//! Output is a queue of frames (`outbox`): a command's own reply, and
//! whatever else reaches the client meanwhile (pub/sub messages, the reply
//! to a blocking command served later). Hosts drain it.

use std::collections::VecDeque;

use indexmap::IndexSet;

use crate::reply::Reply;
use crate::resp::Protocol;

/// Identifies a connected client.
pub type ClientId = u64;

/// The connected clients by id (`Server::clients`, which says why a hash
/// map of boxes).
pub type Clients = rustc_hash::FxHashMap<ClientId, Box<Client>>;

/// CLIENT REPLY's modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReplyMode {
    #[default]
    On,
    Off,
    /// CLIENT REPLY SKIP just ran: the next command's reply is dropped.
    SkipNext,
    /// The command whose reply is dropped is running.
    Skipping,
}

/// A client's pub/sub subscriptions, in the order they were made.
#[derive(Debug, Clone, Default)]
pub struct Subscriptions {
    pub channels: IndexSet<Vec<u8>>,
    pub patterns: IndexSet<Vec<u8>>,
    pub shard_channels: IndexSet<Vec<u8>>,
}

impl Subscriptions {
    /// Channels and patterns (what RESP2's subscribed mode counts).
    pub fn count(&self) -> usize {
        self.channels.len() + self.patterns.len() + self.shard_channels.len()
    }
}

/// A queued MULTI transaction.
#[derive(Debug, Clone, Default)]
pub struct Transaction {
    pub queue: Vec<Vec<Vec<u8>>>,
    /// A command failed to queue: EXEC will answer EXECABORT.
    pub aborted: bool,
}

/// One WATCHed key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watched {
    pub db: usize,
    pub key: Vec<u8>,
    /// The key had already expired when WATCHed (so its expiry later is
    /// not a change).
    pub expired_at_watch: bool,
}

/// Where a connection comes from, as the host knows it: CLIENT LIST's
/// `addr`, `laddr` and `fd`, which CLIENT KILL ADDR / LADDR match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    /// The client's end, `ip:port` (`path:0` for a unix socket).
    pub addr: String,
    /// The server's end the client connected to.
    pub laddr: String,
    pub fd: i64,
}

impl Peer {
    /// What a client without a socket (tests, the browser playground)
    /// reports: a made-up loopback connection to Redis's default port,
    /// with a port and descriptor unique to the client, so that CLIENT
    /// LIST reads like a real server's and CLIENT KILL ADDR can tell
    /// clients apart.
    pub fn in_process(id: ClientId) -> Peer {
        Peer {
            addr: format!("127.0.0.1:{}", id.saturating_add(40_000)),
            laddr: "127.0.0.1:6379".to_string(),
            fd: i64::try_from(id.saturating_add(7)).unwrap_or(i64::MAX),
        }
    }
}

/// A client waiting in a blocking command (BLPOP, XREAD BLOCK, ...), or
/// whose command waits for a CLIENT PAUSE to end.
#[derive(Debug, Clone)]
pub struct Blocked {
    pub db: usize,
    pub keys: Vec<Vec<u8>>,
    /// The command to run again when a key gets data (with `$` IDs
    /// already resolved, so it waits for what was new at block time).
    pub argv: Vec<Vec<u8>>,
    /// When to give up (unix ms); `None` waits forever.
    pub deadline: Option<i64>,
    /// What the client gets when it times out.
    pub timeout_reply: Reply,
    /// Held by CLIENT PAUSE rather than waiting for keys: no keys, no
    /// deadline, and CLIENT UNBLOCK cannot release it; the command runs
    /// from the start (`engine::process`) when the pause ends.
    pub postponed: bool,
}

#[derive(Debug)]
pub struct Client {
    pub id: ClientId,
    pub db: usize,
    pub proto: Protocol,
    pub name: Vec<u8>,
    pub lib_name: Vec<u8>,
    pub lib_ver: Vec<u8>,
    pub peer: Peer,
    /// Whether the client has authenticated: AUTH or HELLO AUTH, or no
    /// password was required when it connected (or last RESET).
    pub authenticated: bool,
    /// When it connected and last ran a command (unix ms).
    pub created_ms: i64,
    pub last_interaction_ms: i64,
    /// The last command's full name (`client|list`), for CLIENT LIST.
    pub last_command: Option<(&'static str, Option<&'static str>)>,
    /// Microseconds its blocked command has run so far (every attempt),
    /// from when it first blocked until it is served or released.
    pub block_spent_us: Option<u64>,
    pub subscriptions: Subscriptions,
    pub multi: Option<Transaction>,
    pub watched: Vec<Watched>,
    /// A WATCHed key changed: EXEC fails.
    pub dirty_cas: bool,
    pub reply_mode: ReplyMode,
    pub no_evict: bool,
    pub no_touch: bool,
    pub monitor: bool,
    /// CLIENT TRACKING state; `None` while tracking is off.
    pub tracking: Option<crate::tracking::ClientTracking>,
    pub blocked: Option<Blocked>,
    /// EXEC is running this client's queue: blocking commands answer as
    /// if they timed out instead of blocking.
    pub in_exec: bool,
    /// Its script (EVAL, FCALL) ran past `busy-reply-threshold` and goes
    /// on in slices from `Engine::tick`: like a blocked client, it sends
    /// nothing more until the reply comes.
    pub awaiting_script: bool,
    /// This is the client scripts run their commands on (Redis's "lua
    /// client"), not a connection.
    pub runs_scripts: bool,
    /// QUIT or CLIENT KILL: the host should close the connection once the
    /// output is flushed.
    pub closing: bool,
    pub outbox: VecDeque<Reply>,
    /// Bytes the host took from the outbox but has not delivered yet
    /// (`Engine::set_backlog`), counted against the output buffer limits.
    pub backlog: usize,
    /// Since when the pending output has been over the soft limit.
    pub over_soft_limit_since: Option<i64>,
    /// Closed for passing an output buffer limit: what is pending is
    /// dropped rather than delivered.
    pub output_dropped: bool,
    /// How far `Engine::serve_input` read a request that has not all
    /// arrived, so the next read goes on from there.
    pub request_progress: crate::resp::RequestProgress,
}

impl Client {
    pub fn new(id: ClientId, now_ms: i64, authenticated: bool) -> Client {
        Client {
            id,
            db: 0,
            proto: Protocol::Resp2,
            name: Vec::new(),
            lib_name: Vec::new(),
            lib_ver: Vec::new(),
            peer: Peer::in_process(id),
            authenticated,
            created_ms: now_ms,
            last_interaction_ms: now_ms,
            last_command: None,
            block_spent_us: None,
            subscriptions: Subscriptions::default(),
            multi: None,
            watched: Vec::new(),
            dirty_cas: false,
            reply_mode: ReplyMode::On,
            no_evict: false,
            no_touch: false,
            monitor: false,
            tracking: None,
            blocked: None,
            in_exec: false,
            awaiting_script: false,
            runs_scripts: false,
            closing: false,
            outbox: VecDeque::new(),
            backlog: 0,
            over_soft_limit_since: None,
            output_dropped: false,
            request_progress: crate::resp::RequestProgress::default(),
        }
    }

    /// The last command's full name (`client|list`), `NULL` when it was
    /// unknown or none has run, as CLIENT LIST's `cmd=` shows it.
    pub fn last_command_name(&self) -> String {
        match self.last_command {
            Some((parent, Some(sub))) => format!("{parent}|{sub}"),
            Some((parent, None)) => parent.to_string(),
            None => "NULL".to_string(),
        }
    }

    /// RESP2 clients with subscriptions may only run the pub/sub commands.
    pub fn in_subscribed_mode(&self) -> bool {
        self.proto == Protocol::Resp2 && self.subscriptions.count() > 0
    }

    /// Queues a frame for the client unless its replies are switched off.
    /// Pushes in a reply ((un)subscribe confirmations) go through anyway,
    /// as Redis sends them the way it sends pub/sub messages.
    pub fn send(&mut self, frame: Reply) {
        if matches!(self.reply_mode, ReplyMode::On | ReplyMode::SkipNext)
            || matches!(frame, Reply::Push(_))
        {
            self.outbox.push_back(frame);
        }
    }

    /// The bytes the outbox would take on the wire, in this client's
    /// protocol (CLIENT LIST's output fields, the output buffer limits).
    pub fn outbox_bytes(&self) -> usize {
        let mut bytes = Vec::new();
        self.outbox
            .iter()
            .map(|frame| {
                bytes.clear();
                crate::resp::encode(frame, self.proto, &mut bytes);
                bytes.len()
            })
            .sum()
    }

    /// Queues a push (pub/sub message, invalidation): these ignore
    /// CLIENT REPLY, as in Redis.
    pub fn push(&mut self, frame: Reply) {
        self.outbox.push_back(frame);
    }
}

/// The client `id`: `me` if it is the one whose command is running (lent
/// out of `Server::clients` meanwhile), else the server's.
pub(crate) fn find<'a>(
    clients: &'a mut Clients,
    me: Option<&'a mut Client>,
    id: ClientId,
) -> Option<&'a mut Client> {
    match me {
        Some(me) if me.id == id => Some(me),
        _ => clients.get_mut(&id).map(|c| &mut **c),
    }
}
