//! The engine's public face: clients connect, run commands, and the host
//! moves the clock. Dispatch lives here: command lookup, Redis's checks for
//! unknown commands and arity, then the handler from the command table.

use std::collections::BTreeMap;

use crate::commands::{Body, Spec, Table};
use crate::config::Params;
use crate::db::Db;
use crate::error::CmdError;
use crate::expire;
use crate::line::split_args;
use crate::reply::Reply;
use crate::resp::Protocol;
use crate::rng::Rng;
use crate::stats::Stats;
use crate::types::EncodingLimits;

/// Identifies a connected client.
pub type ClientId = u64;

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
    /// Every runtime parameter (CONFIG GET/SET). `limits` and
    /// `config.proto_max_bulk_len` mirror the ones the engine obeys.
    pub params: Params,
}

/// Per-connection state.
#[derive(Debug)]
pub struct Client {
    pub id: ClientId,
    pub db: usize,
    pub proto: Protocol,
    pub name: Vec<u8>,
}

/// What a command handler sees: the shared state and its own client.
pub struct Ctx<'a> {
    pub server: &'a mut Server,
    pub client: &'a mut Client,
    pub table: &'a Table,
    /// How many clients are connected (INFO clients).
    pub connected_clients: usize,
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
}

/// Why `execute_line` could not run a typed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LineError {
    /// Quotes that do not balance; redis-cli prints "Invalid argument(s)".
    InvalidArguments,
    /// The line holds no command at all.
    Empty,
}

/// A Redis server without the I/O.
pub struct Engine {
    server: Server,
    clients: BTreeMap<ClientId, Client>,
    next_client_id: ClientId,
    table: Table,
}

impl Engine {
    pub fn new(config: Config) -> Engine {
        let databases = config.databases.max(1);
        let params = Params::new(databases, config.proto_max_bulk_len);
        Engine {
            server: Server {
                config: config.clone(),
                dbs: (0..databases).map(|_| Db::default()).collect(),
                now_ms: config.now_ms,
                rng: Rng::new(config.seed),
                expire_cursor: 0,
                stats: Stats::default(),
                started_ms: config.now_ms,
                limits: params.encoding_limits(),
                params,
            },
            clients: BTreeMap::new(),
            next_client_id: 1,
            table: Table::new(),
        }
    }

    /// Registers a new client (RESP2, database 0) and returns its id.
    pub fn connect(&mut self) -> ClientId {
        let id = self.next_client_id;
        self.next_client_id += 1;
        self.server.stats.total_connections_received += 1;
        self.clients.insert(
            id,
            Client {
                id,
                db: 0,
                proto: Protocol::Resp2,
                name: Vec::new(),
            },
        );
        id
    }

    pub fn disconnect(&mut self, client: ClientId) {
        self.clients.remove(&client);
    }

    /// The protocol a client speaks (it changes with HELLO).
    pub fn protocol(&self, client: ClientId) -> Protocol {
        self.clients
            .get(&client)
            .map(|c| c.proto)
            .unwrap_or_default()
    }

    /// The database a client has selected (0 for unknown clients).
    pub fn selected_db(&self, client: ClientId) -> usize {
        self.clients.get(&client).map_or(0, |c| c.db)
    }

    /// Moves the clock without other work. Commands read this time.
    pub fn set_time(&mut self, now_ms: i64) {
        self.server.now_ms = now_ms;
    }

    pub fn now(&self) -> i64 {
        self.server.now_ms
    }

    /// Moves the clock and runs one bounded active-expiry cycle, as Redis's
    /// `serverCron` does; a host calls it periodically (Redis: 10 times a second).
    pub fn tick(&mut self, now_ms: i64) {
        self.set_time(now_ms);
        expire::active_cycle(&mut self.server);
    }

    /// Runs one command for `client`. Unknown clients get an error reply.
    pub fn execute<A: AsRef<[u8]>>(&mut self, client: ClientId, argv: &[A]) -> Reply {
        let argv: Vec<&[u8]> = argv.iter().map(AsRef::as_ref).collect();
        let connected_clients = self.clients.len();
        let Some(client) = self.clients.get_mut(&client) else {
            return Reply::Error("ERR unknown client".to_string());
        };
        let mut ctx = Ctx {
            server: &mut self.server,
            client,
            table: &self.table,
            connected_clients,
        };
        let reply = match dispatch(&mut ctx, &argv) {
            Ok(reply) => reply,
            Err(err) => Reply::from(err),
        };
        if let Reply::Error(text) = &reply {
            self.server.stats.record_error(text);
        }
        reply
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

    /// Number of keys stored in database `db` (0 if there is no such database).
    pub fn dbsize(&self, db: usize) -> usize {
        self.server.dbs.get(db).map_or(0, Db::len)
    }
}

fn dispatch(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let Some(&name) = argv.first() else {
        return Err(CmdError::Other("ERR empty command".to_string()));
    };
    let Some(spec) = ctx.table.get(name) else {
        return Err(unknown_command(argv));
    };
    let parent = spec.name;
    let (spec, sub): (&Spec, Option<&'static str>) = match (spec.subcommands(), argv.get(1)) {
        (subs, Some(&sub)) if !subs.is_empty() => match Table::find_in(subs, sub) {
            Some(found) => (found, Some(found.name)),
            None => {
                return Err(CmdError::UnknownSubcommand {
                    sub: error_text(sub, 128),
                    container: parent.to_ascii_uppercase(),
                })
            }
        },
        _ => (spec, None),
    };
    let handler = match spec.body {
        Body::Run(handler)
        | Body::Container {
            bare: Some(handler),
            ..
        } if spec.arity_ok(argv.len()) => handler,
        _ => {
            ctx.server.stats.command(parent, sub).rejected_calls += 1;
            let full_name = match sub {
                Some(sub) => format!("{parent}|{sub}"),
                None => parent.to_string(),
            };
            return Err(CmdError::WrongArity(full_name));
        }
    };
    let result = handler(ctx, argv);
    let stats = &mut ctx.server.stats;
    stats.total_commands_processed += 1;
    let command = stats.command(parent, sub);
    command.calls += 1;
    if matches!(&result, Err(_) | Ok(Reply::Error(_))) {
        command.failed_calls += 1;
    }
    result
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
fn error_text(bytes: &[u8], max: usize) -> String {
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
