//! Connections that speak RESP, for a host that owns the sockets (the npm
//! package's `redsim/server` on node's `net`). The host hands over bytes as
//! they arrive and takes back bytes to write; parsing (with Redis's limits
//! and protocol-error texts), running and encoding are the engine's
//! `serve_input`, which redsim-server uses too: one RESP implementation.
//!
//! Unparsed input waits in the connection's buffer, as in Redis's query
//! buffer: while the client is blocked (BLPOP, CLIENT PAUSE) its pipelined
//! requests stay there until it is served.

use redsim_engine::resp::{encode, RequestLimits};
use redsim_engine::sorted_map::SortedMap;
use redsim_engine::{ClientId, Engine};

/// Largest unparsed input kept for one connection before it is closed.
/// Redis allows 1 GB (`client-query-buffer-limit`); a wasm32 instance has
/// 4 GB in all and an argument is copied once more when it is stored, so
/// the limit here is lower.
const MAX_QUERY_BUFFER: usize = 256 * 1024 * 1024;

#[derive(Default)]
pub struct Conn {
    input: Vec<u8>,
    /// Encoded replies to this connection's own requests, not yet taken.
    output: Vec<u8>,
    /// Close once `output` is written: QUIT, a protocol error, a full buffer.
    closing: bool,
}

#[derive(Default)]
pub struct Conns {
    conns: SortedMap<ClientId, Conn>,
}

impl Conns {
    pub fn add(&mut self, client: ClientId) {
        self.conns.insert(client, Conn::default());
    }

    pub fn remove(&mut self, client: ClientId) {
        self.conns.remove(&client);
    }

    pub fn contains(&self, client: ClientId) -> bool {
        self.conns.contains_key(&client)
    }

    /// Appends `bytes` to the connection's input and runs what is complete.
    /// An input that cannot be buffered closes the connection instead of
    /// aborting the instance.
    pub fn feed(&mut self, engine: &mut Engine, client: ClientId, bytes: &[u8]) {
        let Some(conn) = self.conns.get_mut(&client) else {
            return;
        };
        if conn.closing {
            // What follows QUIT or a protocol error is never read, as in Redis.
            return;
        }
        let fits = conn.input.len().saturating_add(bytes.len()) <= MAX_QUERY_BUFFER;
        if !fits || conn.input.try_reserve(bytes.len()).is_err() {
            conn.input = Vec::new();
            conn.closing = true;
            return;
        }
        conn.input.extend_from_slice(bytes);
        run(engine, client, conn);
    }

    /// Runs the buffered requests of connections no longer blocked: a
    /// client served by another's push goes on with what it pipelined.
    pub fn resume(&mut self, engine: &mut Engine) {
        for (&client, conn) in self.conns.iter_mut() {
            if !conn.input.is_empty() && !engine.is_blocked(client) {
                run(engine, client, conn);
            }
        }
    }

    /// Connections with replies of their own to write, or to close (frames
    /// the engine holds for them are in `Engine::clients_with_output`).
    pub fn ready(&self, engine: &Engine) -> Vec<ClientId> {
        self.conns
            .iter()
            .filter(|(&id, conn)| {
                !conn.output.is_empty() || conn.closing || engine.should_close(id)
            })
            .map(|(&id, _)| id)
            .collect()
    }

    /// Everything to write to the connection now, in order: replies to its
    /// requests, then frames that reached it since (pushes, a served BLPOP).
    pub fn take_output(&mut self, engine: &mut Engine, client: ClientId) -> Vec<u8> {
        let mut bytes = self
            .conns
            .get_mut(&client)
            .map(|conn| std::mem::take(&mut conn.output))
            .unwrap_or_default();
        let proto = engine.protocol(client);
        for frame in engine.take_output(client) {
            encode(&frame, proto, &mut bytes);
        }
        bytes
    }

    /// Whether to close the connection once its output is written.
    pub fn closing(&self, engine: &Engine, client: ClientId) -> bool {
        self.conns.get(&client).is_some_and(|c| c.closing) || engine.should_close(client)
    }
}

/// Runs every complete request at the start of the input while the client
/// is neither blocked nor closing; a protocol error is answered as Redis
/// answers it, then the connection closes.
fn run(engine: &mut Engine, client: ClientId, conn: &mut Conn) {
    if conn.closing {
        return;
    }
    let served = engine.serve_input(
        client,
        &conn.input,
        &RequestLimits::default(),
        &mut conn.output,
    );
    if served.protocol_error {
        // What follows a protocol error is never read.
        conn.closing = true;
        conn.input.clear();
    } else {
        conn.input.drain(..served.consumed.min(conn.input.len()));
    }
}
