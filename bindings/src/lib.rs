//! The engine as a JavaScript class, for the npm package (`npm/`). Kept
//! thin: the ergonomic API (clocks, error classes, clients, promises,
//! sockets) is the JS wrapper's job; this crate takes commands and hands
//! back replies through shared buffers (`exchange`, `encode`) and keeps
//! RESP connections' buffers (`wire`). Every
//! method goes through the engine's Result-returning APIs: a panic would
//! poison the wasm instance and lose the data.

mod encode;
mod exchange;
mod wire;

use js_sys::{Array, Object, Reflect, Uint8Array};
use redsim_engine::changes::Change;
use redsim_engine::client::Peer;
use redsim_engine::line::split_args;
use redsim_engine::reply::cli;
use redsim_engine::sorted_map::SortedSet;
use redsim_engine::{ClientId, Config, Engine, Protocol, Reply, BROWSER_MAXMEMORY};

use exchange::Exchange;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
pub struct WasmEngine {
    engine: Engine,
    /// In-process clients, watched for CLIENT KILL and QUIT.
    local: SortedSet<ClientId>,
    wire: wire::Conns,
    exchange: Exchange,
}

/// What `exec` reports besides the reply, as bits of its result.
/// The command is flagged `blocking` (the wrapper answers with a promise).
const BLOCKING: u32 = 1;
/// The client now waits in a blocking command (or a paused one).
const BLOCKED: u32 = 2;
/// Some client has frames waiting or is to be closed (`clientsWithOutput`).
const OUTPUT: u32 = 4;

#[wasm_bindgen]
impl WasmEngine {
    /// A new engine whose clock reads `now_ms` and whose RNG starts at
    /// `seed`, with `maxmemory` at the browser-safe default, then
    /// `settings` (`[name, value]` pairs) applied as startup configuration;
    /// throws Redis's CONFIG SET error text for a bad one.
    #[wasm_bindgen(constructor)]
    pub fn new(seed: u64, now_ms: f64, settings: Array) -> Result<WasmEngine, JsError> {
        let mut engine = Engine::new(Config {
            seed,
            now_ms: ms(now_ms),
            ..Config::default()
        });
        let pairs: Vec<(String, String)> = settings
            .iter()
            .map(|pair| {
                let pair = Array::from(&pair);
                let text = |i| pair.get(i).as_string().unwrap_or_default();
                (text(0), text(1))
            })
            .collect();
        let borrowed: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        engine
            .configure(&[("maxmemory", BROWSER_MAXMEMORY)])
            .and_then(|()| engine.configure(&borrowed))
            .map_err(|e| JsError::new(&e))?;
        Ok(WasmEngine {
            engine,
            local: SortedSet::new(),
            wire: wire::Conns::default(),
            exchange: Exchange::new(),
        })
    }

    /// Connects a new in-process client and returns its id.
    pub fn connect(&mut self) -> u32 {
        let id = self.engine.connect();
        self.local.insert(id);
        client_id(id)
    }

    pub fn disconnect(&mut self, client: u32) {
        let id = u64::from(client);
        self.engine.disconnect(id);
        self.local.remove(&id);
        self.wire.remove(id);
    }

    /// Makes room for `bytes` of encoded arguments in the buffer `exec`
    /// reads (see `exchange`) and returns its address in wasm memory; 0
    /// when a command that large cannot be taken.
    #[wasm_bindgen(js_name = argsBuffer)]
    pub fn args_buffer(&mut self, bytes: usize) -> usize {
        self.exchange.reserve(bytes)
    }

    /// Runs the command of `argc` arguments written into the arguments
    /// buffer, at `now_ms` unless that is NaN (a manual clock). Every frame
    /// the client received up to its reply (none if it is now blocked) is
    /// left in the exchange's output; returns the `BLOCKING`, `BLOCKED`
    /// and `OUTPUT` bits. A RESP2 client sees RESP2 types.
    pub fn exec(&mut self, client: u32, argc: usize, now_ms: f64) -> u32 {
        self.set_clock(now_ms);
        let id = u64::from(client);
        let mut flags = 0;
        let reply = match self.exchange.args(argc) {
            Some(argv) => {
                if self
                    .engine
                    .commands()
                    .get(argv.first().copied().unwrap_or_default())
                    .is_some_and(|spec| spec.flags.contains(&"blocking"))
                {
                    flags |= BLOCKING;
                }
                run(&mut self.engine, id, &argv)
            }
            None => Reply::Error(OVERRUN.to_string()),
        };
        let reply = self.for_client(client, reply);
        self.publish(&reply);
        flags | self.state_flags(id)
    }

    /// Runs the `count` commands of a pipeline written into the arguments
    /// buffer, in order, as `exec` runs one, stopping early if the client
    /// blocks. Leaves in the exchange's output how many ran (u32 LE), then
    /// each one's frames as `exec` leaves them; returns the `BLOCKED` and
    /// `OUTPUT` bits.
    #[wasm_bindgen(js_name = execPipeline)]
    pub fn exec_pipeline(&mut self, client: u32, count: usize, now_ms: f64) -> u32 {
        self.set_clock(now_ms);
        let id = u64::from(client);
        let mut replies = Vec::new();
        match self.exchange.commands(count) {
            Some(commands) => {
                for argv in commands {
                    replies.push(run(&mut self.engine, id, &argv));
                    if self.engine.is_blocked(id) {
                        break;
                    }
                }
            }
            None => replies.push(Reply::Error(OVERRUN.to_string())),
        }
        self.exchange.output.clear();
        encode::count(replies.len(), &mut self.exchange.output);
        for reply in replies {
            let reply = self.for_client(client, reply);
            encode::frames(&reply, &mut self.exchange.output);
        }
        self.exchange.publish();
        self.state_flags(id)
    }

    /// Runs a redis-cli line and returns what redis-cli would print, without
    /// the final newline (or "Invalid argument(s)" for unbalanced quotes).
    pub fn cli(&mut self, client: u32, line: &str) -> String {
        cli::run_line(&mut self.engine, u64::from(client), line)
    }

    /// Frames that reached an in-process client since it last looked
    /// (pushes, the reply to a blocking command served later), left in the
    /// exchange's output as `exec` leaves a reply.
    #[wasm_bindgen(js_name = takeOutput)]
    pub fn take_output(&mut self, client: u32) {
        let frames = self.engine.take_output(u64::from(client));
        let reply = self.for_client(client, Reply::Frames(frames));
        self.publish(&reply);
    }

    /// Clients with frames waiting or to be closed, RESP connections'
    /// pending writes included.
    #[wasm_bindgen(js_name = clientsWithOutput)]
    pub fn clients_with_output(&mut self) -> Vec<u32> {
        self.pending().into_iter().map(client_id).collect()
    }

    /// Whether the client is to be closed (QUIT, CLIENT KILL, a protocol
    /// error), and whether its undelivered output is to be dropped (it
    /// passed its output buffer limit).
    #[wasm_bindgen(js_name = shouldClose)]
    pub fn should_close(&self, client: u32) -> bool {
        self.wire.closing(&self.engine, u64::from(client))
    }

    #[wasm_bindgen(js_name = outputDropped)]
    pub fn output_dropped(&self, client: u32) -> bool {
        self.engine.output_dropped(u64::from(client))
    }

    /// Moves the clock and runs active expiry, blocking timeouts and the
    /// rest of Redis's cron; RESP connections a timeout released go on.
    pub fn tick(&mut self, now_ms: f64) {
        self.engine.tick(ms(now_ms));
        self.wire.resume(&mut self.engine);
    }

    /// Moves the clock only.
    #[wasm_bindgen(js_name = setTime)]
    pub fn set_time(&mut self, now_ms: f64) {
        self.engine.set_time(ms(now_ms));
    }

    pub fn now(&self) -> f64 {
        self.engine.now() as f64
    }

    /// The dataset as an RDB file.
    pub fn snapshot(&self) -> Vec<u8> {
        self.engine.snapshot()
    }

    /// Replaces the dataset with an RDB file's; on an error (its text
    /// thrown) the data is unchanged.
    #[wasm_bindgen(js_name = loadSnapshot)]
    pub fn load_snapshot(&mut self, bytes: &[u8]) -> Result<(), JsError> {
        self.engine
            .load_snapshot(bytes)
            .map_err(|e| JsError::new(&e.to_string()))
    }

    /// Starts the change feed (`takeChanges`).
    #[wasm_bindgen(js_name = watchChanges)]
    pub fn watch_changes(&mut self) {
        self.engine.watch_changes();
    }

    /// What changed since the last call: `{ db, key }` for a key (as a
    /// string), `{ db, key: null }` for a whole database.
    #[wasm_bindgen(js_name = takeChanges)]
    pub fn take_changes(&mut self) -> Array {
        let changes = self.engine.take_changes();
        changes
            .into_iter()
            .map(|change| {
                let (db, key) = match change {
                    Change::Key { db, key } => {
                        (db, String::from_utf8_lossy(&key).into_owned().into())
                    }
                    Change::Db(db) => (db, JsValue::NULL),
                };
                let entry = Object::new();
                // Setting properties on a fresh plain object cannot fail.
                let _ = Reflect::set(&entry, &"db".into(), &(db as f64).into());
                let _ = Reflect::set(&entry, &"key".into(), &key);
                JsValue::from(entry)
            })
            .collect()
    }

    /// Connects a client that speaks RESP over the host's socket, whose
    /// addresses CLIENT LIST shows.
    #[wasm_bindgen(js_name = wireConnect)]
    pub fn wire_connect(&mut self, addr: String, laddr: String) -> u32 {
        let id = self.engine.connect_from(Peer {
            addr,
            laddr,
            fd: -1,
        });
        self.wire.add(id);
        client_id(id)
    }

    /// Bytes read from a RESP connection: runs every complete request.
    #[wasm_bindgen(js_name = wireFeed)]
    pub fn wire_feed(&mut self, client: u32, bytes: &[u8]) {
        self.wire.feed(&mut self.engine, u64::from(client), bytes);
        self.wire.resume(&mut self.engine);
    }

    /// What to write to a RESP connection now.
    #[wasm_bindgen(js_name = wireOutput)]
    pub fn wire_output(&mut self, client: u32) -> Vec<u8> {
        self.wire.take_output(&mut self.engine, u64::from(client))
    }

    /// Whether `client` is a RESP connection (else an in-process client).
    #[wasm_bindgen(js_name = isWire)]
    pub fn is_wire(&self, client: u32) -> bool {
        self.wire.contains(u64::from(client))
    }

    /// Bytes of each RESP connection's output the socket still holds
    /// (`[id, bytes, id, bytes, ...]`), for `client-output-buffer-limit`.
    #[wasm_bindgen(js_name = setBacklogs)]
    pub fn set_backlogs(&mut self, pairs: &[u32]) {
        let backlogs: Vec<(ClientId, usize)> = pairs
            .chunks_exact(2)
            .map(|pair| (u64::from(pair[0]), pair[1] as usize))
            .collect();
        self.engine.set_backlogs(&backlogs);
    }
}

/// Splits a line with redis-cli's quoting rules (`sdssplitargs`) into
/// arguments; throws "Invalid argument(s)", redis-cli's words, for
/// unbalanced quotes.
#[wasm_bindgen(js_name = splitLine)]
pub fn split_line(line: &str) -> Result<Array, JsError> {
    let args = split_args(line.as_bytes()).ok_or_else(|| JsError::new("Invalid argument(s)"))?;
    Ok(args
        .iter()
        .map(|arg| JsValue::from(Uint8Array::from(arg.as_slice())))
        .collect())
}

impl WasmEngine {
    /// Clients with frames waiting or to be closed, in id order.
    fn pending(&mut self) -> Vec<ClientId> {
        let mut ids = self.engine.clients_with_output();
        ids.extend(self.wire.ready(&self.engine));
        ids.extend(
            self.local
                .iter()
                .filter(|&&id| self.engine.should_close(id)),
        );
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// Sets the engine's clock to `now_ms`, unless that is NaN (a manual
    /// clock, moved only by `tick` and `setTime`).
    fn set_clock(&mut self, now_ms: f64) {
        if !now_ms.is_nan() {
            self.engine.set_time(ms(now_ms));
        }
    }

    /// The `BLOCKED` and `OUTPUT` bits after a command of `client`.
    fn state_flags(&mut self, client: ClientId) -> u32 {
        let mut flags = 0;
        if self.engine.is_blocked(client) {
            flags |= BLOCKED;
        }
        if !self.pending().is_empty() {
            flags |= OUTPUT;
        }
        flags
    }

    /// Encodes a reply into the exchange's output and says where it is.
    fn publish(&mut self, reply: &Reply) {
        self.exchange.output.clear();
        encode::frames(reply, &mut self.exchange.output);
        self.exchange.publish();
    }

    /// A reply as the client's protocol carries it: RESP3-only types (maps,
    /// doubles, booleans) reach a RESP2 client as RESP2 types.
    /// Pushes stay marked as pushes (they are arrays on the RESP2 wire).
    fn for_client(&self, client: u32, reply: Reply) -> Reply {
        if self.engine.protocol(u64::from(client)) == Protocol::Resp3 {
            return reply;
        }
        match reply {
            Reply::Frames(frames) => Reply::Frames(frames.into_iter().map(resp2_frame).collect()),
            one => resp2_frame(one),
        }
    }
}

fn resp2_frame(frame: Reply) -> Reply {
    match frame {
        Reply::Push(items) => Reply::Push(items.into_iter().map(Reply::into_resp2).collect()),
        other => other.into_resp2(),
    }
}

/// What `exec` answers when the arguments JS wrote overrun their buffer
/// (a wrapper bug, answered rather than panicking).
const OVERRUN: &str = "ERR arguments overrun their buffer";

/// Runs one command; an empty one is an error, as redis-cli reports it.
fn run(engine: &mut Engine, client: ClientId, argv: &[&[u8]]) -> Reply {
    if argv.is_empty() {
        Reply::Error("ERR empty command".to_string())
    } else {
        engine.execute(client, argv)
    }
}

/// Client ids fit 32 bits for as long as any host runs (4 billion connects).
fn client_id(id: ClientId) -> u32 {
    u32::try_from(id).unwrap_or(u32::MAX)
}

/// JS numbers to whole milliseconds; NaN and infinities become 0 or the bounds.
fn ms(value: f64) -> i64 {
    value as i64
}
