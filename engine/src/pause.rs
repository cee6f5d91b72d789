//! CLIENT PAUSE: for a while, commands that write (WRITE) or all commands
//! (ALL) wait instead of running, from every client, the one that paused
//! included. A held command blocks its client like a blocking command
//! with no keys (`Blocked::postponed`); when the pause ends — its time is
//! up at a tick, or CLIENT UNPAUSE — the held commands run, in the order
//! they arrived, from the start of the checks (they may be queued by
//! MULTI, or held again by a new pause). Active expiry waits too, so the
//! data set stays still.

use std::collections::VecDeque;

use crate::client::{Blocked, ClientId};
use crate::commands::{Spec, Table};
use crate::engine::{Ctx, Server};
use crate::reply::Reply;

/// What a pause holds; a later pause can only widen it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum Kind {
    #[default]
    None,
    /// Commands that write or may replicate (and EXEC of a transaction
    /// holding one).
    Write,
    All,
}

#[derive(Debug, Default)]
pub struct Pause {
    kind: Kind,
    /// When the pause ends (unix ms): it holds while the clock is before.
    until_ms: i64,
    /// Clients whose command is held, in arrival order.
    held: VecDeque<ClientId>,
    /// Held clients whose pause is over, for the engine to run.
    released: VecDeque<ClientId>,
}

impl Pause {
    /// Whether a pause holds commands at `now` (and active expiry waits).
    pub fn active(&self, now: i64) -> bool {
        self.kind != Kind::None && now < self.until_ms
    }
}

/// CLIENT PAUSE: pauses `kind` commands for `timeout_ms`. Overlapping
/// pauses keep the wider kind and the later end. The end wraps around on
/// overflow, as Redis's C arithmetic does, which ends such a pause at once.
pub(crate) fn start(server: &mut Server, kind: Kind, timeout_ms: i64) {
    let until = server.now_ms.wrapping_add(timeout_ms);
    end_if_due(server);
    let pause = &mut server.pause;
    pause.kind = pause.kind.max(kind);
    pause.until_ms = pause.until_ms.max(until);
}

/// CLIENT UNPAUSE, or the pause's time is up: held commands may run.
pub(crate) fn end(server: &mut Server) {
    let pause = &mut server.pause;
    pause.kind = Kind::None;
    pause.until_ms = 0;
    let held = std::mem::take(&mut pause.held);
    pause.released.extend(held);
}

/// Whether the command `spec` must wait for the pause to end.
pub(crate) fn must_wait(ctx: &Ctx<'_>, spec: &Spec) -> bool {
    let pause = &ctx.server.pause;
    if !pause.active(ctx.server.now_ms) {
        return false;
    }
    match pause.kind {
        Kind::All => true,
        Kind::Write => {
            writes(spec)
                || (spec.name == "exec"
                    && ctx.client.multi.as_ref().is_some_and(|tx| {
                        tx.queue
                            .iter()
                            .any(|queued| queued_writes(ctx.table, queued))
                    }))
        }
        Kind::None => false,
    }
}

/// Holds the running client's command (`argv`) until the pause ends: the
/// client is blocked, without keys or deadline.
pub(crate) fn hold(ctx: &mut Ctx<'_>, argv: &[&[u8]]) {
    ctx.client.blocked = Some(Blocked {
        db: ctx.client.db,
        keys: Vec::new(),
        argv: argv.iter().map(|a| a.to_vec()).collect(),
        deadline: None,
        timeout_reply: Reply::Nil,
        postponed: true,
    });
    ctx.server.pause.held.push_back(ctx.client.id);
}

/// Ends a pause whose time is up, and hands out the clients whose held
/// command may now run, in arrival order.
pub(crate) fn take_released(server: &mut Server) -> Vec<ClientId> {
    end_if_due(server);
    server.pause.released.drain(..).collect()
}

/// Ends the pause if its time is up (Redis checks before every event-loop
/// pass, so a pause never outlives its time by a command).
fn end_if_due(server: &mut Server) {
    let pause = &server.pause;
    if pause.kind != Kind::None && !pause.active(server.now_ms) {
        end(server);
    }
}

/// Commands Redis flags `may_replicate` (they can cause writes to be
/// propagated: PFCOUNT rewrites a stale cached count, PUBLISH reaches
/// replicas). COMMAND INFO never shows that flag, so the table, which
/// mirrors COMMAND INFO, does not carry it.
const MAY_REPLICATE: &[&str] = &["pfcount", "publish", "spublish"];

fn writes(spec: &Spec) -> bool {
    spec.has_flag("write") || MAY_REPLICATE.contains(&spec.name)
}

/// Whether a queued command line names a command that writes.
fn queued_writes(table: &Table, argv: &[Vec<u8>]) -> bool {
    let Some(spec) = argv.first().and_then(|name| table.get(name)) else {
        return false;
    };
    let spec = argv
        .get(1)
        .and_then(|sub| Table::find_in(spec.subcommands(), sub))
        .unwrap_or(spec);
    writes(spec)
}
