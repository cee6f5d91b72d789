//! The engine's public face: clients connect, run commands, and the host
//! moves the clock and collects what each client receives. Dispatch lives
//! here: command lookup, Redis's checks (unknown command, arity, what a
//! subscribed RESP2 client may run, MULTI queueing), then the handler from
//! the command table.

use std::collections::VecDeque;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use rustc_hash::FxHashMap;

pub use crate::client::{Client, ClientId, Peer};

use crate::client::ReplyMode;
use crate::commands::{Body, Flags, Spec, Table};
use crate::config::Params;
use crate::db::Db;
use crate::error::CmdError;
use crate::expire;
use crate::line::split_args;
use crate::pubsub::PubSub;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::rng::Rng;
use crate::stats::Stats;
use crate::types::EncodingLimits;

/// What a host chooses when it creates an engine.
#[derive(Debug, Clone)]
pub struct Config {
    /// Seed for every random choice the engine makes.
    pub seed: u64,
    /// Number of logical databases (Redis's `databases`, default 16).
    pub databases: usize,
    /// Unix time in milliseconds at creation.
    pub now_ms: i64,
    /// Largest string a client may create (Redis's `proto-max-bulk-len`).
    pub proto_max_bulk_len: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            seed: 0x5eed,
            databases: 16,
            now_ms: 0,
            proto_max_bulk_len: 512 * 1024 * 1024,
        }
    }
}

/// State shared by all clients: the databases, the clock, the RNG.
pub struct Server {
    pub config: Config,
    pub dbs: Vec<Db>,
    /// Raised by any of `dbs` that queued a key event (they all share it,
    /// see `set_dbs`), lowered by `notify::flush`: the flush after every
    /// command reads this flag instead of each database's queue.
    pub key_events_pending: Arc<AtomicBool>,
    /// The host's clock, unix milliseconds, as last passed in.
    pub now_ms: i64,
    pub rng: Rng,
    /// Where the next active-expiry cycle resumes, as Redis keeps it.
    pub expire_cursor: usize,
    pub stats: Stats,
    /// When the engine started, for INFO's uptime.
    pub started_ms: i64,
    /// Encoding conversion thresholds, kept in step with CONFIG SET.
    pub limits: EncodingLimits,
    /// The parameters read on every command, mirrored from `params`.
    pub hot: crate::config::HotParams,
    /// Every runtime parameter (CONFIG GET/SET). `limits` and
    /// `config.proto_max_bulk_len` mirror the ones the engine obeys.
    pub params: Params,
    /// `notify-keyspace-events` as bits (`notify::class`), mirrored too.
    pub notify_flags: u32,
    /// Every connected client but the one whose command is running (that
    /// one is lent to the handler as `Ctx::client`).
    /// Boxed, so lending one out and back moves a pointer, not the state.
    /// Hashed, because every command takes its client out and puts it back
    /// (and looks it up again for its reply): a tree's searches were 3% of
    /// a server's time, a sorted vector would move entries in proportion
    /// to the number of clients. The order is arbitrary: what lists
    /// clients (CLIENT LIST) sorts them by id.
    pub clients: crate::client::Clients,
    pub next_client_id: ClientId,
    pub pubsub: PubSub,
    /// Who WATCHes which key: key -> (db, client) in WATCH order. Keyed
    /// by the key alone so that every write can look it up without
    /// copying the key.
    pub watchers: FxHashMap<Vec<u8>, Vec<(usize, ClientId)>>,
    /// Clients blocked on each key, first come first served.
    pub blocking: FxHashMap<(usize, Vec<u8>), VecDeque<ClientId>>,
    /// Keys written since blocked clients were last served.
    pub ready_keys: Vec<(usize, Vec<u8>)>,
    /// CLIENT PAUSE, and the clients whose commands it holds.
    pub pause: crate::pause::Pause,
    /// Client-side caching: who may cache which keys (CLIENT TRACKING).
    pub tracking: crate::tracking::Table,
    pub slowlog: crate::slowlog::SlowLog,
    /// The latency monitor's events (LATENCY LATEST, HISTORY, GRAPH...).
    pub latency: crate::latency::Monitor,
    /// The most used_memory has been, as last computed.
    pub memory_peak: usize,
    /// Eviction's best candidates, kept between evictions as in Redis.
    pub evict_pool: crate::evict::Pool,
    /// Which keys changed, for a host that asked (`Engine::watch_changes`).
    pub changes: Option<crate::changes::Feed>,
    /// Clients that were sent frames since their output buffer limits were
    /// last checked (`output_limit::enforce`): checking only these keeps
    /// the check after each command from visiting every connection.
    pub output_touched: Vec<ClientId>,
    /// Clients that were sent frames the host may not have taken yet:
    /// `clients_with_output` looks only at these, not at every client.
    /// May repeat ids and hold clients since emptied.
    pub outbox_filled: Vec<ClientId>,
    /// Memory stayed over `maxmemory` after evicting before the command
    /// that runs now (Redis's `pre_command_oom_state`): a script started by
    /// it may not write until it has written.
    pub pre_command_oom: bool,
    /// How many clients are in MONITOR mode: while none is, commands skip
    /// looking for them among every connection.
    pub monitors: usize,
    /// Whether `tick` expires keys in the background (DEBUG
    /// SET-ACTIVE-EXPIRE turns it off for tests).
    pub active_expire: bool,
    /// The host's monotonic clock in microseconds, for command durations
    /// (SLOWLOG, INFO commandstats); without one they are 0.
    pub timer: Option<fn() -> u64>,
    /// SAVE/BGSAVE's last snapshot for the host, and LASTSAVE's time.
    pub persistence: crate::rdb::Persistence,
    /// BGREWRITEAOF's command stream for the host.
    pub aof: crate::aof::Rewrite,
    /// The Lua interpreter, the script cache and the running script.
    #[cfg(feature = "scripting")]
    pub scripting: crate::scripting::Scripting,
}

impl Server {
    /// The memory model's figures now (settling pending size changes), and
    /// the peak they reach.
    pub fn memory_overview(&mut self) -> crate::memory::Overview {
        let overview = crate::memory::overview(&mut self.dbs);
        self.memory_peak = self.memory_peak.max(overview.used);
        overview
    }
}

/// What a command handler sees: the shared state and its own client.
pub struct Ctx<'a> {
    pub server: &'a mut Server,
    pub client: &'a mut Client,
    pub table: &'a Table,
}

impl Ctx<'_> {
    /// The client's selected database.
    pub fn db(&mut self) -> &mut Db {
        let index = self.client.db;
        // `client.db` is only ever set to a valid index by SELECT.
        &mut self.server.dbs[index]
    }

    pub fn now(&self) -> i64 {
        self.server.now_ms
    }

    /// How many clients are connected, this one included.
    pub fn connected_clients(&self) -> usize {
        self.server.clients.len() + 1
    }

    /// Sends a message to a channel's subscribers; how many received it.
    pub fn publish(&mut self, channel: &[u8], message: &[u8]) -> usize {
        crate::pubsub::publish(self.server, Some(&mut *self.client), channel, message)
    }

    /// Signals that `key` (in this client's database) was changed: WATCHers
    /// will see their EXEC fail, and clients caching it are told.
    pub fn signal_modified(&mut self, key: &[u8]) {
        let db = self.client.db;
        let id = self.client.id;
        key_changed(self.server, Some(&mut *self.client), db, key, Some(id));
    }

    /// Whether a blocking command may block (not inside EXEC).
    pub fn can_block(&self) -> bool {
        !self.client.in_exec
    }

    /// Blocks the client on `keys` until one gets data, `timeout_ms` passes
    /// (0: forever), or CLIENT UNBLOCK; `argv` is the command to retry.
    /// The handler then returns `Reply::Frames(vec![])`: nothing is sent yet.
    pub fn block(
        &mut self,
        keys: &[&[u8]],
        timeout_ms: i64,
        argv: Vec<Vec<u8>>,
        timeout_reply: Reply,
    ) {
        self.client.blocked = Some(crate::client::Blocked {
            db: self.client.db,
            keys: keys.iter().map(|k| k.to_vec()).collect(),
            argv,
            deadline: (timeout_ms > 0).then(|| self.server.now_ms.saturating_add(timeout_ms)),
            timeout_reply,
            postponed: false,
        });
    }

    /// Emits a keyspace event of `class` (`notify::class`) for `key` in
    /// this client's database, as `notify-keyspace-events` asks.
    pub fn notify(&mut self, class: u32, event: &str, key: &[u8]) {
        self.server.persistence.changes += 1;
        let db = self.client.db;
        crate::notify::emit(self.server, Some(&mut *self.client), class, event, key, db);
    }
}

/// Why `execute_line` could not run a typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// Quotes that do not balance; redis-cli prints "Invalid argument(s)".
    InvalidArguments,
    /// The line holds no command at all.
    Empty,
}

/// What `Engine::serve_input` did with a connection's bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Served {
    /// Bytes of whole requests read (and run): the host drops them.
    pub consumed: usize,
    /// The input broke the protocol: answered, and the connection is to
    /// be closed once its output is written.
    pub protocol_error: bool,
}

impl Server {
    /// Makes `dbs` the databases (at start, after a snapshot or AOF load),
    /// each sharing this server's key-event flag.
    pub(crate) fn set_dbs(&mut self, dbs: Vec<Db>) {
        self.dbs = dbs;
        for db in &mut self.dbs {
            db.share_events_flag(&self.key_events_pending);
        }
        self.set_notify_flags(self.notify_flags);
    }

    /// Sets the keyspace events published (`notify-keyspace-events`, as
    /// bits of `notify::class`), and tells the databases which events
    /// they need to queue for them.
    pub(crate) fn set_notify_flags(&mut self, flags: u32) {
        self.notify_flags = flags;
        let queued = crate::db::QueuedEvents {
            created: flags & crate::notify::class::NEW != 0,
            missed: flags & crate::notify::class::KEY_MISS != 0,
        };
        for db in &mut self.dbs {
            db.queue_only(queued);
        }
    }

    /// Notes that client `id` was sent a frame, for `clients_with_output`
    /// and the output limits.
    pub(crate) fn note_output(&mut self, id: ClientId) {
        self.output_touched.push(id);
        self.outbox_filled.push(id);
        // A host that never asks which clients have output must not make
        // this grow without bound: past a few per client, drop repeats.
        if self.outbox_filled.len() > 2 * self.clients.len() + 64 {
            self.outbox_filled.sort_unstable();
            self.outbox_filled.dedup();
        }
    }
}

/// A Redis server without the I/O.
pub struct Engine {
    server: Server,
    table: Table,
}

impl Engine {
    pub fn new(config: Config) -> Engine {
        let databases = config.databases.max(1);
        let params = Params::new(databases, config.proto_max_bulk_len);
        let mut engine = Engine {
            server: Server {
                config: config.clone(),
                dbs: Vec::new(),
                key_events_pending: Arc::default(),
                now_ms: config.now_ms,
                rng: Rng::new(config.seed),
                expire_cursor: 0,
                stats: Stats::default(),
                started_ms: config.now_ms,
                limits: params.encoding_limits(),
                hot: params.hot(),
                notify_flags: params.keyspace_events(),
                params,
                clients: FxHashMap::default(),
                next_client_id: 1,
                pubsub: PubSub::default(),
                watchers: FxHashMap::default(),
                blocking: FxHashMap::default(),
                ready_keys: Vec::new(),
                pause: crate::pause::Pause::default(),
                tracking: crate::tracking::Table::default(),
                slowlog: crate::slowlog::SlowLog::default(),
                latency: crate::latency::Monitor::default(),
                memory_peak: 0,
                evict_pool: crate::evict::Pool::default(),
                active_expire: true,
                changes: None,
                output_touched: Vec::new(),
                outbox_filled: Vec::new(),
                pre_command_oom: false,
                monitors: 0,
                timer: None,
                persistence: crate::rdb::Persistence::new(config.now_ms),
                aof: crate::aof::Rewrite::default(),
                #[cfg(feature = "scripting")]
                scripting: crate::scripting::Scripting::default(),
            },
            table: Table::new(),
        };
        engine
            .server
            .set_dbs((0..databases).map(|_| Db::default()).collect());
        engine
    }

    /// Registers a new client (RESP2, database 0) and returns its id. It
    /// has no socket: CLIENT LIST shows `Peer::in_process` for it.
    pub fn connect(&mut self) -> ClientId {
        let server = &mut self.server;
        let id = server.next_client_id;
        server.next_client_id += 1;
        server.stats.total_connections_received += 1;
        // With `requirepass` set, a new client must AUTH first.
        let authenticated = !server.params.requires_password();
        server
            .clients
            .insert(id, Box::new(Client::new(id, server.now_ms, authenticated)));
        id
    }

    /// `connect` for a host that knows where the connection comes from
    /// (CLIENT LIST's addr, laddr and fd; CLIENT KILL ADDR and LADDR).
    pub fn connect_from(&mut self, peer: Peer) -> ClientId {
        let id = self.connect();
        if let Some(client) = self.server.clients.get_mut(&id) {
            client.peer = peer;
        }
        id
    }

    /// Forgets a client: its subscriptions, WATCHes, blocking and tracking
    /// go with it.
    pub fn disconnect(&mut self, client: ClientId) {
        drop_client(&mut self.server, client);
    }

    /// The protocol a client speaks (it changes with HELLO).
    pub fn protocol(&self, client: ClientId) -> Protocol {
        self.server
            .clients
            .get(&client)
            .map(|c| c.proto)
            .unwrap_or_default()
    }

    /// The database a client has selected (0 for unknown clients).
    pub fn selected_db(&self, client: ClientId) -> usize {
        self.server.clients.get(&client).map_or(0, |c| c.db)
    }

    /// Frames waiting for `client` (pub/sub messages, replies to commands
    /// that completed later), oldest first. Hosts call this for every
    /// client in `clients_with_output` after running a command or a tick.
    pub fn take_output(&mut self, client: ClientId) -> Vec<Reply> {
        self.server
            .clients
            .get_mut(&client)
            .map(|c| c.outbox.drain(..).collect())
            .unwrap_or_default()
    }

    /// Clients with frames waiting, in id order.
    pub fn clients_with_output(&mut self) -> Vec<ClientId> {
        let clients = &self.server.clients;
        let filled = &mut self.server.outbox_filled;
        filled.retain(|id| clients.get(id).is_some_and(|c| !c.outbox.is_empty()));
        filled.sort_unstable();
        filled.dedup();
        filled.clone()
    }

    /// Whether the host should close the client's connection (QUIT, CLIENT
    /// KILL) once its output is written.
    pub fn should_close(&self, client: ClientId) -> bool {
        self.server.clients.get(&client).is_none_or(|c| c.closing)
    }

    /// Moves the clock without other work. Commands read this time.
    pub fn set_time(&mut self, now_ms: i64) {
        self.server.now_ms = now_ms;
    }

    pub fn now(&self) -> i64 {
        self.server.now_ms
    }

    /// Moves the clock and runs one bounded active-expiry cycle, as Redis's
    /// `serverCron` does (not while CLIENT PAUSE keeps the data still); a
    /// host calls it periodically (Redis: 10 times a second). Blocked
    /// clients whose timeout passed are answered, and a pause whose time
    /// is up ends.
    pub fn tick(&mut self, now_ms: i64) {
        self.set_time(now_ms);
        // While a script runs past busy-reply-threshold, the server does
        // nothing else, as Redis's does; each tick runs it a while more.
        #[cfg(feature = "scripting")]
        if self.server.scripting.busy_error().is_some() {
            crate::scripting::resume(&mut self.server, &self.table);
            let released = crate::pause::take_released(&mut self.server);
            self.settle(released);
            return;
        }
        let released = crate::pause::take_released(&mut self.server);
        if self.server.active_expire && !self.server.pause.active(now_ms) {
            let started = self.server.timer.map(|now| now());
            expire::active_cycle(&mut self.server);
            if let (Some(now), Some(start)) = (self.server.timer, started) {
                let spent_ms = now().saturating_sub(start) / 1000;
                let threshold_ms = self.server.hot.latency_monitor_threshold;
                let now_s = now_ms.div_euclid(1000);
                self.server
                    .latency
                    .add_if_needed("expire-cycle", spent_ms, threshold_ms, now_s);
            }
        }
        crate::blocking::expire_timeouts(&mut self.server);
        close_idle_clients(&mut self.server);
        crate::rdb::save_if_due(&mut self.server);
        self.settle(released);
        crate::output_limit::enforce_all(&mut self.server);
    }

    /// Sets parameters before clients connect, as a configuration file or
    /// redis-server's `--name value` options do: immutable ones (such as
    /// `enable-debug-command`) too. Pairs of name and value; on an error
    /// (Redis's CONFIG SET text) nothing changes.
    pub fn configure(&mut self, settings: &[(&str, &str)]) -> Result<(), String> {
        let args: Vec<&[u8]> = settings
            .iter()
            .flat_map(|(name, value)| [name.as_bytes(), value.as_bytes()])
            .collect();
        self.server
            .params
            .set_at_startup(&args)
            .map_err(|err| err.to_string())?;
        crate::commands::mirror_config(&mut self.server);
        Ok(())
    }

    /// Runs one command for `client` and returns everything the client
    /// receives up to and including its reply, in order: usually that one
    /// reply; `Reply::Frames` when there are several (SUBSCRIBE to several
    /// channels, pushes that arrived first) or none (replies switched off).
    /// Unknown clients get an error reply.
    pub fn execute<A: AsRef<[u8]>>(&mut self, client: ClientId, argv: &[A]) -> Reply {
        let Some(mut me) = self.server.clients.remove(&client) else {
            return Reply::Error("ERR unknown client".to_string());
        };
        if me.blocked.is_some() || me.awaiting_script {
            // A blocked connection sends nothing until it is served; a
            // host that submits anyway gets this instead of a queue.
            self.server.clients.insert(client, me);
            return Reply::Error("ERR client is blocked".to_string());
        }
        with_borrowed(argv, |argv| {
            run(&mut self.server, &self.table, &mut me, argv)
        });
        self.server.clients.insert(client, me);
        let released = crate::pause::take_released(&mut self.server);
        self.settle(released);
        self.take_reply(client)
    }

    /// Runs the complete RESP requests at the start of `input` for
    /// `client`, as a server reads a connection: in order, while the client
    /// is neither blocked nor closing, each reply encoded onto `output`.
    /// What is left (a partial request, or requests pipelined behind one
    /// that blocked) waits in the host's buffer for more bytes or for the
    /// client to be served. A protocol error is answered as Redis answers
    /// it and ends the reading: the host closes the connection once
    /// `output` is written.
    ///
    /// This is `execute` request after request, except that the client
    /// stays out of `clients` between its commands while nothing that
    /// follows a command needs it there (see `settle`): a pipelined batch
    /// then costs no client-map operations per command.
    pub fn serve_input(
        &mut self,
        client: ClientId,
        input: &[u8],
        limits: &crate::resp::RequestLimits,
        output: &mut Vec<u8>,
    ) -> Served {
        let mut served = Served {
            consumed: 0,
            protocol_error: false,
        };
        let Some(mut me) = self.server.clients.remove(&client) else {
            return served;
        };
        let mut argv = Vec::new();
        while me.blocked.is_none() && !me.awaiting_script && !me.closing {
            let rest = input.get(served.consumed..).unwrap_or_default();
            match crate::resp::parse_request_into(rest, limits, &mut argv, &mut me.request_progress)
            {
                Ok(Some(used)) => served.consumed += used,
                Ok(None) => break,
                Err(err) => {
                    let reply = Reply::Error(format!("ERR {err}"));
                    crate::resp::encode(&reply, me.proto, output);
                    served.protocol_error = true;
                    break;
                }
            }
            if argv.is_empty() {
                continue;
            }
            with_borrowed(&argv, |argv| {
                run(&mut self.server, &self.table, &mut me, argv)
            });
            let released = crate::pause::take_released(&mut self.server);
            if self.needs_settling(&released) {
                self.server.clients.insert(client, me);
                self.settle(released);
                match self.server.clients.remove(&client) {
                    Some(back) => me = back,
                    None => return served,
                }
            } else {
                // `settle`'s output limits, for the others sent output
                // and for this client, which is not in `clients`.
                crate::output_limit::enforce(&mut self.server);
                crate::output_limit::enforce_on(&self.server, &mut me);
            }
            for frame in me.outbox.drain(..) {
                crate::resp::encode(&frame, me.proto, output);
            }
        }
        self.server.clients.insert(client, me);
        served
    }

    /// Whether `settle` has anything to do but enforce output limits:
    /// commands a pause released, clients blocked on keys that were
    /// written, BCAST invalidations. Any of these may reach the client
    /// running commands, which must then be among `clients`.
    fn needs_settling(&self, released: &[ClientId]) -> bool {
        !released.is_empty()
            || !self.server.ready_keys.is_empty()
            || crate::tracking::has_broadcasts(&self.server)
    }

    /// Everything `client` received, as `execute` returns it: the one
    /// frame itself in the usual case (taken without gathering it into a
    /// vector first), else `Reply::Frames`.
    fn take_reply(&mut self, client: ClientId) -> Reply {
        let Some(c) = self.server.clients.get_mut(&client) else {
            return Reply::Frames(Vec::new());
        };
        match (c.outbox.len(), c.outbox.pop_front()) {
            (1, Some(only)) => only,
            // None, or several (pushes before the reply, SUBSCRIBE's).
            (_, first) => Reply::Frames(first.into_iter().chain(c.outbox.drain(..)).collect()),
        }
    }

    /// What Redis does between event-loop passes: serve the clients
    /// blocked on keys that were written, run the commands a pause held
    /// once it is over (`released`, in arrival order), and broadcast the
    /// BCAST invalidations of everything that changed.
    fn settle(&mut self, released: Vec<ClientId>) {
        crate::blocking::serve_ready(&mut self.server, &self.table);
        for id in released {
            let Some(mut client) = self.server.clients.remove(&id) else {
                continue;
            };
            if let Some(held) = client.blocked.take_if(|b| b.postponed) {
                let argv: Vec<&[u8]> = held.argv.iter().map(Vec::as_slice).collect();
                run(&mut self.server, &self.table, &mut client, &argv);
            }
            self.server.clients.insert(id, client);
            crate::blocking::serve_ready(&mut self.server, &self.table);
        }
        crate::tracking::broadcast(&mut self.server);
        crate::output_limit::enforce(&mut self.server);
    }

    /// Whether the client was closed for passing its output buffer limit:
    /// the host drops what it still holds for it instead of sending it.
    pub fn output_dropped(&self, client: ClientId) -> bool {
        self.server
            .clients
            .get(&client)
            .is_some_and(|c| c.output_dropped)
    }

    /// Tells the engine how many bytes of each client's output the host
    /// still has to deliver (taken with `take_output`, not yet written), so
    /// that `client-output-buffer-limit` sees them; a client now over its
    /// limit is marked to close (`should_close`, `output_dropped`).
    pub fn set_backlogs(&mut self, backlogs: &[(ClientId, usize)]) {
        for &(client, bytes) in backlogs {
            if let Some(c) = self.server.clients.get_mut(&client) {
                c.backlog = bytes;
                self.server.output_touched.push(client);
            }
        }
        crate::output_limit::enforce(&mut self.server);
    }

    /// Gives the engine the host's monotonic microsecond clock, which times
    /// commands for SLOWLOG and INFO commandstats.
    pub fn set_timer(&mut self, timer: fn() -> u64) {
        self.server.timer = Some(timer);
    }

    /// Whether the client waits in a blocking command.
    pub fn is_blocked(&self, client: ClientId) -> bool {
        self.server
            .clients
            .get(&client)
            .is_some_and(|c| c.blocked.is_some() || c.awaiting_script)
    }

    /// Splits `line` with redis-cli's quoting rules and runs it.
    pub fn execute_line(&mut self, client: ClientId, line: &str) -> Result<Reply, LineError> {
        let args = split_args(line.as_bytes()).ok_or(LineError::InvalidArguments)?;
        if args.is_empty() {
            return Err(LineError::Empty);
        }
        Ok(self.execute(client, &args))
    }

    /// The command table, for hosts that complete or describe commands.
    pub fn commands(&self) -> &Table {
        &self.table
    }

    /// The whole dataset as a Redis RDB file (version 10, what Redis 7.0
    /// writes and loads; 12 when hash fields have TTLs).
    pub fn snapshot(&self) -> Vec<u8> {
        crate::rdb::snapshot(&self.server)
    }

    /// Replaces the dataset with an RDB file's (versions 9 to 12). All or
    /// nothing: on an error the data in memory is unchanged.
    pub fn load_snapshot(&mut self, bytes: &[u8]) -> Result<(), crate::rdb::LoadError> {
        crate::rdb::load_snapshot(&mut self.server, bytes)
    }

    /// The snapshot the last SAVE or BGSAVE made, once: the host decides
    /// where it goes (a file, IndexedDB, ...).
    pub fn take_snapshot(&mut self) -> Option<Vec<u8>> {
        self.server.persistence.pending.take()
    }

    /// The whole dataset as the command stream Redis 7.0's AOF rewrite
    /// writes (see `aof`), for `redis-cli --pipe` or `import_aof`.
    pub fn export_aof(&self) -> Vec<u8> {
        crate::aof::export(&self.server)
    }

    /// Replaces the dataset with what an AOF command stream builds. All or
    /// nothing: on an error (a malformed or truncated stream, an unknown
    /// command, an unfinished MULTI) the data in memory is unchanged;
    /// commands that answer errors are counted in the summary.
    pub fn import_aof(
        &mut self,
        bytes: &[u8],
    ) -> Result<crate::aof::ImportSummary, crate::aof::AofError> {
        let summary = crate::aof::import(&mut self.server, bytes)?;
        // Clients blocked on keys the new data has are served now.
        self.settle(Vec::new());
        Ok(summary)
    }

    /// The command stream the last BGREWRITEAOF made, once.
    pub fn take_aof_rewrite(&mut self) -> Option<Vec<u8>> {
        crate::aof::take_rewrite(&mut self.server)
    }

    pub(crate) fn server_mut(&mut self) -> &mut Server {
        &mut self.server
    }

    /// Number of keys stored in database `db` (0 if there is no such database).
    /// Ends a client's blocking command with its timeout reply, as CLIENT
    /// UNBLOCK does, for a host that lets the user give up waiting; false
    /// if it was not blocked.
    pub fn unblock(&mut self, client: ClientId) -> bool {
        crate::blocking::release(&mut self.server, client, None)
    }

    /// Starts recording which keys change (see `changes`), for
    /// `take_changes`.
    pub fn watch_changes(&mut self) {
        self.server
            .changes
            .get_or_insert_with(crate::changes::Feed::default);
    }

    /// What changed since the last call (nothing unless `watch_changes`).
    pub fn take_changes(&mut self) -> Vec<crate::changes::Change> {
        self.server
            .changes
            .as_mut()
            .map(crate::changes::Feed::take)
            .unwrap_or_default()
    }

    /// Up to about `count` keys of database `db` from `cursor` on, and the
    /// cursor to continue from (0: done), as SCAN walks them but without
    /// running a command.
    pub fn scan_keys(&self, db: usize, cursor: u64, count: usize) -> (Vec<Vec<u8>>, u64) {
        self.server
            .dbs
            .get(db)
            .map_or((Vec::new(), 0), |d| d.scan(cursor, count))
    }

    /// The key browser's line for a key (see `inspect`), without touching it.
    pub fn key_summary(&self, db: usize, key: &[u8]) -> Option<crate::inspect::KeySummary> {
        let d = self.server.dbs.get(db)?;
        crate::inspect::summary(d, key, self.server.now_ms)
    }

    /// Up to `limit` elements of a key's value, without touching it.
    pub fn key_contents(
        &self,
        db: usize,
        key: &[u8],
        limit: usize,
    ) -> Option<crate::inspect::Contents> {
        let d = self.server.dbs.get(db)?;
        crate::inspect::contents(d, key, self.server.now_ms, limit)
    }

    /// A key's value as a DUMP payload and its expiry time (unix ms), read
    /// without touching it, for a host that journals the keys a command
    /// changed (RESTORE ... ABSTTL puts it back); None if it does not exist.
    pub fn dump_key(&self, db: usize, key: &[u8]) -> Option<(Vec<u8>, Option<i64>)> {
        let d = self.server.dbs.get(db)?;
        let expire_at = d.expire_at(key);
        if expire_at.is_some_and(|at| at <= self.server.now_ms) {
            return None;
        }
        let value = d.value(key)?;
        Some((crate::rdb::dump(value, &self.server.limits), expire_at))
    }

    /// The slow log, newest first, read without running SLOWLOG (which a
    /// host's slow-log view would otherwise count in INFO's statistics).
    pub fn slow_log(&self) -> impl Iterator<Item = &crate::slowlog::Entry> {
        self.server.slowlog.newest(None)
    }

    /// Sets one parameter as CONFIG SET does (only the ones CONFIG SET may
    /// change; on an error, Redis's text, nothing changes), for host
    /// controls such as a slow-log threshold field.
    pub fn set_config(&mut self, name: &str, value: &str) -> Result<(), String> {
        self.server
            .params
            .set(&[name.as_bytes(), value.as_bytes()])
            .map_err(|err| err.to_string())?;
        crate::commands::mirror_config(&mut self.server);
        Ok(())
    }

    /// A numeric parameter's value (0 for a name that is not one).
    pub fn config_int(&self, name: &str) -> i64 {
        self.server.params.int(name)
    }

    /// A parameter's value as CONFIG GET prints it (`dir`, `dbfilename`).
    pub fn config_text(&self, name: &str) -> String {
        self.server.params.text(name)
    }

    /// The encoding thresholds in force (from CONFIG), for showing where a
    /// value will convert.
    pub fn encoding_limits(&self) -> crate::types::EncodingLimits {
        self.server.limits
    }

    /// INFO's essentials (memory, keys, hits, expired and evicted keys,
    /// clients, commands) without running INFO, for a server panel.
    pub fn server_stats(&mut self) -> crate::inspect::ServerStats {
        // Between commands every client is in `clients` (none is lent out).
        let clients = self.server.clients.len();
        crate::inspect::server_stats(&mut self.server, clients)
    }

    pub fn dbsize(&self, db: usize) -> usize {
        self.server.dbs.get(db).map_or(0, Db::len)
    }
}

/// Arguments `execute` borrows on the stack; longer commands allocate.
const INLINE_ARGS: usize = 16;

/// Runs `f` on `argv` as byte slices. Nearly every command has a few
/// arguments: they are borrowed into an array on the stack rather than a
/// vector allocated per command.
fn with_borrowed<A: AsRef<[u8]>, T>(argv: &[A], f: impl FnOnce(&[&[u8]]) -> T) -> T {
    let mut inline: [&[u8]; INLINE_ARGS] = [&[]; INLINE_ARGS];
    match inline.get_mut(..argv.len()) {
        Some(slots) => {
            for (slot, arg) in slots.iter_mut().zip(argv) {
                *slot = arg.as_ref();
            }
            f(slots)
        }
        None => f(&argv.iter().map(AsRef::as_ref).collect::<Vec<_>>()),
    }
}

/// Runs one command for `me` (taken out of `server.clients`): Redis's
/// checks, the command, its reply into `me`'s outbox (as CLIENT REPLY
/// allows), then what follows a command: invalidations it caused for
/// itself, and CLIENT REPLY SKIP moving on. A command held by CLIENT
/// PAUSE has not run yet, so none of that happens for it.
fn run(server: &mut Server, table: &Table, me: &mut Client, argv: &[&[u8]]) {
    me.last_interaction_ms = server.now_ms;
    let mut ctx = Ctx {
        server: &mut *server,
        client: &mut *me,
        table,
    };
    let reply = match process(&mut ctx, argv) {
        Ok(reply) => reply,
        Err(err) => Reply::from(err),
    };
    if me.blocked.as_ref().is_some_and(|b| b.postponed) {
        return;
    }
    if let Some(blocked) = &me.blocked {
        crate::blocking::register(server, me.id, blocked);
    }
    let mut deliver = |frame: Reply| {
        if let Reply::Error(text) = &frame {
            server.stats.record_error(text);
        }
        me.send(frame);
    };
    // Not `into_frames`: a lone reply, the usual case, needs no vector.
    match reply {
        Reply::Frames(frames) => frames.into_iter().for_each(&mut deliver),
        one => deliver(one),
    }
    // `execute` takes this reply at once, but a command a pause held
    // runs from `settle` and its reply waits for the host.
    server.note_output(me.id);
    me.reply_mode = match me.reply_mode {
        ReplyMode::SkipNext => ReplyMode::Skipping,
        ReplyMode::Skipping => ReplyMode::On,
        mode => mode,
    };
    let name = argv.first().copied().unwrap_or_default();
    crate::tracking::finish_command(server, me, name);
}

/// Forgets a client: its subscriptions, WATCHes, blocking and tracking go
/// with it (disconnection, CLIENT KILL).
pub(crate) fn drop_client(server: &mut Server, id: ClientId) {
    if let Some(mut gone) = server.clients.remove(&id) {
        if gone.monitor {
            server.monitors = server.monitors.saturating_sub(1);
        }
        crate::pubsub::unsubscribe_all(server, &mut gone);
        crate::multi::unwatch_all(server, &mut gone);
        crate::blocking::unregister(server, &gone);
        crate::tracking::disable(server, &mut gone);
    }
}

/// A key changed (Redis's `signalModifiedKey`): transactions WATCHing it
/// are doomed and clients that may cache it are told. `changed_by` is the
/// client whose command changed it (`None`: it expired).
pub(crate) fn key_changed(
    server: &mut Server,
    mut me: Option<&mut Client>,
    db: usize,
    key: &[u8],
    changed_by: Option<ClientId>,
) {
    crate::multi::touch(server, me.as_deref_mut(), db, key);
    crate::tracking::invalidate(server, me, key, changed_by);
    if let Some(feed) = server.changes.as_mut() {
        feed.key(db, key);
    }
}

/// The commands a RESP2 client in subscribed mode may still run.
const SUBSCRIBED_MODE_COMMANDS: &[&str] = &[
    "subscribe",
    "ssubscribe",
    "unsubscribe",
    "sunsubscribe",
    "psubscribe",
    "punsubscribe",
    "ping",
    "quit",
    "reset",
];

/// Evicts keys if memory is over `maxmemory`; if that cannot bring it
/// under, refuses commands flagged `denyoom` with Redis's OOM error, and
/// inside MULTI any command but EXEC, DISCARD, QUIT and RESET, which also
/// dooms the transaction. EXEC of a transaction holding a `denyoom`
/// command is refused too, and discards the transaction.
fn reject_if_out_of_memory(
    ctx: &mut Ctx<'_>,
    found: Found,
    argv: &[&[u8]],
) -> Result<(), CmdError> {
    let evicted_before = ctx.server.stats.evicted_keys;
    let evicted = crate::evict::perform(ctx.server);
    ctx.server.pre_command_oom = evicted.is_err();
    if ctx.server.stats.evicted_keys != evicted_before {
        // The evictions' events go out before the command's own.
        ctx.flush_key_events();
    }
    if evicted.is_ok() {
        return Ok(());
    }
    let in_multi =
        ctx.client.multi.is_some() && !["exec", "discard", "quit", "reset"].contains(&found.parent);
    let queued_denyoom = found.parent == "exec"
        && ctx.client.multi.as_ref().is_some_and(|tx| {
            tx.queue.iter().any(|queued| {
                let argv: Vec<&[u8]> = queued.iter().map(Vec::as_slice).collect();
                lookup(ctx.table, &argv).is_ok_and(|f| denies_oom(ctx.server, f, &argv))
            })
        });
    if !(denies_oom(ctx.server, found, argv) || queued_denyoom || in_multi) {
        return Ok(());
    }
    const OOM: &str = "OOM command not allowed when used memory > 'maxmemory'.";
    let err = reject(ctx, found, OOM.to_string());
    if found.parent == "exec" {
        // A refused EXEC discards the transaction, saying why.
        ctx.client.multi = None;
        crate::multi::unwatch_all(ctx.server, ctx.client);
        return Err(CmdError::Other(format!(
            "EXECABORT Transaction discarded because of: {OOM}"
        )));
    }
    Err(err)
}

/// Whether a command is refused while memory is over `maxmemory`: it is
/// flagged `denyoom`, or it runs a script (EVAL, FCALL...) that declares
/// flags and may write without `allow-oom`, as Redis derives a script
/// command's flags from its script.
fn denies_oom(server: &Server, found: Found, argv: &[&[u8]]) -> bool {
    if found.flags.contains(Flags::DENYOOM) {
        return true;
    }
    #[cfg(feature = "scripting")]
    {
        crate::scripting::denies_oom(server, found.parent, argv)
    }
    #[cfg(not(feature = "scripting"))]
    {
        let _ = (server, argv);
        false
    }
}

/// Redis's `rejectCommand`: a command refused before it ran is counted as
/// rejected, and dooms an open transaction.
fn reject(ctx: &mut Ctx<'_>, found: Found, text: String) -> CmdError {
    ctx.server
        .stats
        .command(found.parent, found.sub)
        .rejected_calls += 1;
    if let Some(tx) = ctx.client.multi.as_mut() {
        tx.aborted = true;
    }
    CmdError::Other(text)
}

/// Commands that run at once inside MULTI instead of being queued.
const MULTI_CONTROL_COMMANDS: &[&str] = &["exec", "discard", "multi", "watch", "quit", "reset"];

/// Redis's checks before a command runs, in Redis's order: the command
/// must exist with the right arity (a failure here also dooms an open
/// transaction), a RESP2 subscriber may only run the pub/sub commands, and
/// inside MULTI commands are queued rather than run.
fn process(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    // A failed lookup or arity check dooms an open transaction.
    let doom = |ctx: &mut Ctx<'_>, err: CmdError| {
        if let Some(tx) = ctx.client.multi.as_mut() {
            tx.aborted = true;
        }
        err
    };
    let found = match lookup(ctx.table, argv) {
        Ok(found) => found,
        Err(err) => {
            ctx.client.last_command = None;
            return Err(doom(ctx, err));
        }
    };
    ctx.client.last_command = Some((found.parent, found.sub));
    let handler = match found.handler(ctx, argv.len()) {
        Ok(handler) => handler,
        Err(err) => return Err(doom(ctx, err)),
    };
    let spec = found.spec;
    if ctx.client.multi.is_some() && found.flags.contains(Flags::NO_MULTI) {
        let text = "ERR Command not allowed inside a transaction".to_string();
        return Err(reject(ctx, found, text));
    }
    // Clients that connected while a password was required must log in
    // first; AUTH, HELLO, QUIT and RESET (flagged `no_auth`) may still run.
    if !ctx.client.authenticated
        && !found.flags.contains(Flags::NO_AUTH)
        && ctx.server.params.requires_password()
    {
        return Err(reject(
            ctx,
            found,
            "NOAUTH Authentication required.".to_string(),
        ));
    }
    ctx.server.pre_command_oom = false;
    if ctx.server.hot.maxmemory > 0 && !script_busy(ctx.server) {
        reject_if_out_of_memory(ctx, found, argv)?;
    }
    if ctx.client.in_subscribed_mode() && !SUBSCRIBED_MODE_COMMANDS.contains(&found.parent) {
        let text = format!(
            "ERR Can't execute '{}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context",
            found.full_name()
        );
        return Err(reject(ctx, found, text));
    }
    // While a script runs on past busy-reply-threshold, only commands
    // flagged `allow_busy` (SCRIPT KILL, ...) run.
    #[cfg(feature = "scripting")]
    if let Some(busy) = ctx.server.scripting.busy_error() {
        if !found.flags.contains(Flags::ALLOW_BUSY) {
            return Err(reject(ctx, found, busy.to_string()));
        }
    }
    if crate::pause::must_wait(ctx, spec) {
        crate::pause::hold(ctx, argv);
        return Ok(Reply::Frames(Vec::new()));
    }
    let dirty = ctx.client.dirty_cas;
    if let Some(tx) = ctx.client.multi.as_mut() {
        if !MULTI_CONTROL_COMMANDS.contains(&spec.name) {
            // A transaction already doomed keeps nothing more, as in
            // Redis (CLIENT LIST's multi= stops counting).
            if !tx.aborted && !dirty {
                tx.queue.push(argv.iter().map(|a| a.to_vec()).collect());
            }
            return Ok(Reply::Status("QUEUED".to_string()));
        }
    }
    run_found(ctx, found, handler, argv)
}

/// Whether a script runs on past busy-reply-threshold.
fn script_busy(server: &Server) -> bool {
    #[cfg(feature = "scripting")]
    {
        server.scripting.busy_error().is_some()
    }
    #[cfg(not(feature = "scripting"))]
    {
        let _ = server;
        false
    }
}

/// A command line's row, found: the row, its flags as bits, and its
/// parent and subcommand names (`client`, `list`), which name it in
/// statistics and CLIENT LIST.
#[derive(Clone, Copy)]
struct Found {
    spec: &'static Spec,
    flags: Flags,
    parent: &'static str,
    sub: Option<&'static str>,
}

impl Found {
    /// `client|list`, as errors name a command.
    fn full_name(self) -> String {
        match self.sub {
            Some(sub) => format!("{}|{sub}", self.parent),
            None => self.parent.to_string(),
        }
    }

    /// The handler, if the arguments fit the arity; Redis's arity error
    /// (counted as a rejected call) if not.
    fn handler(self, ctx: &mut Ctx<'_>, argc: usize) -> Result<crate::commands::Handler, CmdError> {
        match self.spec.body {
            Body::Run(handler)
            | Body::Container {
                bare: Some(handler),
                ..
            } if self.spec.arity_ok(argc) => Ok(handler),
            _ => {
                ctx.server
                    .stats
                    .command(self.parent, self.sub)
                    .rejected_calls += 1;
                Err(CmdError::WrongArity(self.full_name()))
            }
        }
    }
}

/// The row a command line names, or Redis's unknown-command or
/// unknown-subcommand error.
fn lookup(table: &Table, argv: &[&[u8]]) -> Result<Found, CmdError> {
    let Some(&name) = argv.first() else {
        return Err(CmdError::Other("ERR empty command".to_string()));
    };
    let Some((spec, flags)) = table.get_with_flags(name) else {
        return Err(unknown_command(argv));
    };
    let parent = spec.name;
    match (spec.subcommands(), argv.get(1)) {
        (subs, Some(&sub)) if !subs.is_empty() => match Table::find_in(subs, sub) {
            Some(found) => Ok(Found {
                spec: found,
                flags: Flags::of(found),
                parent,
                sub: Some(found.name),
            }),
            None => Err(CmdError::UnknownSubcommand {
                sub: error_text(sub, 128),
                container: parent.to_ascii_uppercase(),
            }),
        },
        _ => Ok(Found {
            spec,
            flags,
            parent,
            sub: None,
        }),
    }
}

/// A command a script called (`redis.call`), found and fitting its arity,
/// not yet run: the script's own checks (read-only scripts, memory) come
/// between [`find_for_script`] and [`run_for_script`].
#[cfg(feature = "scripting")]
pub(crate) struct ScriptCommand {
    found: Found,
    handler: crate::commands::Handler,
}

#[cfg(feature = "scripting")]
impl ScriptCommand {
    pub(crate) fn spec(&self) -> &'static Spec {
        self.found.spec
    }

    /// Refuses the command with `text`, counted as a rejected call.
    pub(crate) fn reject(&self, ctx: &mut Ctx<'_>, text: &str) -> Reply {
        Reply::from(reject(ctx, self.found, text.to_string()))
    }
}

/// Redis's `scriptCall` checks on a script's command: it must exist (a
/// container needs a known subcommand), fit its arity, and not be flagged
/// `noscript`, each failing with the text scripts get.
#[cfg(feature = "scripting")]
pub(crate) fn find_for_script(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<ScriptCommand, Reply> {
    const UNKNOWN: &str = "ERR Unknown Redis command called from script";
    let found = lookup(ctx.table, argv).map_err(|_| Reply::Error(UNKNOWN.to_string()))?;
    let handler = found.handler(ctx, argv.len()).map_err(|_| {
        Reply::Error("ERR Wrong number of args calling Redis command from script".to_string())
    })?;
    let command = ScriptCommand { found, handler };
    if found.flags.contains(Flags::NOSCRIPT) {
        return Err(command.reject(ctx, "ERR This Redis command is not allowed from script"));
    }
    Ok(command)
}

/// Runs a script's command that passed the checks, as any command runs.
#[cfg(feature = "scripting")]
pub(crate) fn run_for_script(ctx: &mut Ctx<'_>, command: ScriptCommand, argv: &[&[u8]]) -> Reply {
    ctx.client.last_command = Some((command.found.parent, command.found.sub));
    run_found(ctx, command.found, command.handler, argv).unwrap_or_else(Reply::from)
}

/// Runs a command that passed `process`'s checks (EXEC calls this for each
/// queued command).
pub(crate) fn dispatch(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let found = lookup(ctx.table, argv)?;
    let handler = found.handler(ctx, argv.len())?;
    run_found(ctx, found, handler, argv)
}

/// Runs a found command's handler with everything around it: NO-TOUCH,
/// timing, tracking, waking blocked clients, key events, statistics, the
/// slow log and MONITOR.
fn run_found(
    ctx: &mut Ctx<'_>,
    found: Found,
    handler: crate::commands::Handler,
    argv: &[&[u8]],
) -> Result<Reply, CmdError> {
    let Found {
        spec,
        flags,
        parent,
        sub,
    } = found;
    // A CLIENT NO-TOUCH client's commands are not accesses, except TOUCH.
    let no_touch = ctx.client.no_touch && parent != "touch";
    if no_touch {
        ctx.server
            .dbs
            .iter_mut()
            .for_each(|db| db.set_no_touch(true));
    }
    let started = ctx.server.timer.map(|now| now());
    let result = handler(ctx, argv);
    let duration_us = match (ctx.server.timer, started) {
        (Some(now), Some(start)) => now().saturating_sub(start),
        _ => 0,
    };
    if no_touch {
        ctx.server
            .dbs
            .iter_mut()
            .for_each(|db| db.set_no_touch(false));
    }
    crate::tracking::remember_read(ctx.server, ctx.client, spec, argv);
    // A command that blocked changed nothing; noting its keys would wake
    // the clients waiting on them for nothing (itself included).
    if flags.contains(Flags::WRITE)
        && !ctx.server.blocking.is_empty()
        && ctx.client.blocked.is_none()
    {
        let db = ctx.client.db;
        for at in spec.key_positions(argv) {
            if let Some(&key) = argv.get(at) {
                crate::blocking::note_ready(ctx.server, db, key);
            }
        }
    }
    // Keys the databases created, expired or missed after the command's
    // last event of its own are published now (see `notify`).
    ctx.flush_key_events();
    // A blocked command is counted once: in total_commands_processed when
    // it first runs, in its own statistics when it is served or released
    // (with the time of every attempt), as Redis counts it.
    let retried = ctx.client.block_spent_us.is_some();
    if !retried {
        ctx.server.stats.total_commands_processed += 1;
    }
    if ctx.client.blocked.is_some() {
        *ctx.client.block_spent_us.get_or_insert(0) += duration_us;
        return result;
    }
    let duration_us = duration_us + ctx.client.block_spent_us.take().unwrap_or(0);
    let failed = matches!(&result, Err(_) | Ok(Reply::Error(_)));
    count_call(
        ctx.server,
        (parent, sub),
        flags.contains(Flags::FAST),
        duration_us,
        failed,
    );
    if !flags.contains(Flags::SKIP_SLOWLOG) {
        log_if_slow(ctx.server, ctx.client, argv, duration_us);
    }
    if !flags.contains(Flags::SKIP_MONITOR) && !flags.contains(Flags::ADMIN) {
        feed_monitors(ctx, argv);
    }
    result
}

/// Counts a finished command in INFO commandstats, its latency histogram
/// (while `latency-tracking` is on) and the latency monitor's `command` or
/// `fast-command` event.
pub(crate) fn count_call(
    server: &mut Server,
    name: (&'static str, Option<&'static str>),
    fast: bool,
    duration_us: u64,
    failed: bool,
) {
    let command = server.stats.command(name.0, name.1);
    command.calls += 1;
    command.usec += duration_us;
    if failed {
        command.failed_calls += 1;
    }
    if server.hot.latency_tracking {
        command
            .latency
            .get_or_insert_with(Default::default)
            .record_us(duration_us);
    }
    let event = if fast { "fast-command" } else { "command" };
    let threshold_ms = server.hot.latency_monitor_threshold;
    let now_s = server.now_ms.div_euclid(1000);
    server
        .latency
        .add_if_needed(event, duration_us / 1000, threshold_ms, now_s);
}

/// Adds the command to the slow log if it took at least
/// `slowlog-log-slower-than` microseconds (negative: never).
pub(crate) fn log_if_slow(server: &mut Server, client: &Client, argv: &[&[u8]], duration_us: u64) {
    let threshold = server.hot.slowlog_log_slower_than;
    if !u64::try_from(threshold).is_ok_and(|t| duration_us >= t) {
        return;
    }
    let max_len = usize::try_from(server.hot.slowlog_max_len).unwrap_or(0);
    let entry = crate::slowlog::Entry {
        id: 0,
        time_s: server.now_ms.div_euclid(1000),
        duration_us,
        args: Vec::new(),
        client_addr: client.peer.addr.clone(),
        client_name: client.name.clone(),
    };
    server.slowlog.push(entry, argv, max_len);
}

/// Shows the command to every MONITOR connection.
pub(crate) fn feed_monitors(ctx: &mut Ctx<'_>, argv: &[&[u8]]) {
    if ctx.server.monitors == 0 {
        return;
    }
    let line = crate::commands::monitor_line(
        ctx.server.now_ms,
        ctx.client.db,
        &ctx.client.peer.addr,
        argv,
    );
    if ctx.client.monitor {
        ctx.client.push(line.clone());
        ctx.server.output_touched.push(ctx.client.id);
    }
    let mut monitors = Vec::new();
    for client in ctx.server.clients.values_mut().filter(|c| c.monitor) {
        client.push(line.clone());
        monitors.push(client.id);
    }
    for id in monitors {
        ctx.server.note_output(id);
    }
}

/// Marks for closing the clients idle longer than `timeout` seconds (0:
/// never), as Redis's client cron does; blocked and subscribed clients
/// wait by design and are spared.
fn close_idle_clients(server: &mut Server) {
    let timeout_s = server.params.int("timeout");
    if timeout_s <= 0 {
        return;
    }
    let now = server.now_ms;
    for client in server.clients.values_mut() {
        let idle_s = now.saturating_sub(client.last_interaction_ms) / 1000;
        if idle_s > timeout_s && client.blocked.is_none() && client.subscriptions.count() == 0 {
            client.closing = true;
        }
    }
}

/// Redis's "unknown command" text: the name and the first arguments, quoted,
/// cut at 128 characters each and in total.
fn unknown_command(argv: &[&[u8]]) -> CmdError {
    let mut args = String::new();
    for arg in argv.iter().skip(1) {
        if args.len() >= 128 {
            break;
        }
        let room = 128 - args.len();
        args.push('\'');
        args.push_str(&error_text(arg, room));
        args.push_str("' ");
    }
    CmdError::UnknownCommand {
        name: error_text(argv.first().copied().unwrap_or_default(), 128),
        args,
    }
}

/// Client bytes as they appear inside an error line: stopped at NUL (C
/// strings), at most `max` bytes, with CR and LF turned into spaces so the
/// reply stays one line.
pub(crate) fn error_text(bytes: &[u8], max: usize) -> String {
    let end = bytes
        .iter()
        .position(|&b| b == 0)
        .unwrap_or(bytes.len())
        .min(max);
    let text: Vec<u8> = bytes[..end]
        .iter()
        .map(|&b| if b == b'\r' || b == b'\n' { b' ' } else { b })
        .collect();
    String::from_utf8_lossy(&text).into_owned()
}
