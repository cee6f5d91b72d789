//! What a script reaches through `redis.call`: the engine's commands, run
//! on the script's own client after the checks Redis makes on a script's
//! commands (`scriptCall`): those of every script, then the read-only and
//! out-of-memory rules of this run.

use redsim_lua::vm::{HostReply, ScriptHost};

use super::Run;
use crate::commands::Table;
use crate::engine::{find_for_script, run_for_script, Ctx, Server};
use crate::reply::Reply;
use crate::resp::Protocol;

/// Commands Redis 7.0 flags `may_replicate` (a flag its COMMAND INFO does
/// not show) that scripts may call: read-only scripts may not.
const MAY_REPLICATE: &[&str] = &["publish", "spublish", "pfcount"];

pub(super) struct Host<'a> {
    server: &'a mut Server,
    table: &'a Table,
    run: &'a mut Run,
}

impl<'a> Host<'a> {
    pub(super) fn new(server: &'a mut Server, table: &'a Table, run: &'a mut Run) -> Host<'a> {
        Host { server, table, run }
    }
}

impl ScriptHost for Host<'_> {
    fn call(&mut self, argv: &[Vec<u8>], resp3: bool) -> HostReply {
        let argv: Vec<&[u8]> = argv.iter().map(Vec::as_slice).collect();
        let run = &mut *self.run;
        run.client.proto = if resp3 {
            Protocol::Resp3
        } else {
            Protocol::Resp2
        };
        let mut ctx = Ctx {
            server: &mut *self.server,
            client: &mut run.client,
            table: self.table,
        };
        let reply = match find_for_script(&mut ctx, &argv) {
            Err(refused) => refused,
            Ok(command) => {
                let spec = command.spec();
                let writes = spec.has_flag("write");
                if run.read_only && (writes || MAY_REPLICATE.contains(&spec.name)) {
                    command.reject(
                        &mut ctx,
                        "ERR Write commands are not allowed from read-only scripts.",
                    )
                } else if spec.has_flag("denyoom")
                    && run.oom_at_start
                    && !run.wrote
                    && !run.allow_oom
                {
                    // Until it has written, a script started over
                    // maxmemory may still fail cleanly; after, it may not.
                    command.reject(
                        &mut ctx,
                        "OOM command not allowed when used memory > 'maxmemory'.",
                    )
                } else {
                    run.wrote |= writes;
                    run_for_script(&mut ctx, command, &argv)
                }
            }
        };
        if let Reply::Error(text) = &reply {
            self.server.stats.record_error(text);
        }
        super::convert::to_script(reply, resp3)
    }

    /// Redis writes these to its log file; the engine keeps no log.
    fn log(&mut self, _level: i32, _message: &[u8]) {}
}
