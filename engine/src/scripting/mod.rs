//! Lua scripting as Redis 7.0 runs it (EVAL and FCALL share this): one
//! interpreter for the server, made at the first script; the EVAL script
//! cache; and a run's life: the caller's checks, the script's commands on a
//! client of its own, the reply, and the busy state.
//!
//! A script runs inside the command that started it, atomically, until it
//! ends or has run for `busy-reply-threshold` milliseconds. Redis then
//! answers other clients BUSY while the script goes on; the engine, which
//! must not hang its host (a browser tab), pauses the script there and
//! resumes it in slices from `Engine::tick`, with the same BUSY answers
//! meanwhile, until it ends or SCRIPT KILL / FUNCTION KILL stops it.

mod convert;
pub mod functions;
mod host;
pub(crate) mod shebang;

use std::collections::HashMap;

use redsim_lua::lib_redis;
use redsim_lua::value::Value;
use redsim_lua::vm::{Outcome, Vm};

use crate::client::{Client, ClientId};
use crate::commands::Table;
use crate::engine::{Ctx, Server};
use crate::error::CmdError;
use crate::reply::Reply;
pub(crate) use shebang::Flags;

pub use functions::{Functions, RestorePolicy};

/// Each interpreter's heap limit: a script allocating past it gets Lua's
/// "not enough memory" error instead of taking the host's memory. Lower in
/// wasm32, where a browser tab may refuse to grow the memory that far (and
/// a failed growth would abort the engine).
const LUA_MEMORY_LIMIT: usize = if cfg!(target_arch = "wasm32") {
    64 << 20
} else {
    256 << 20
};
/// Instructions run between readings of the host's clock.
const SLICE: u64 = 100_000;
/// Without a host clock, how many instructions count as a millisecond
/// (about what the interpreter runs natively).
const INSTRUCTIONS_PER_MS: u64 = 20_000;
/// How long one `tick` runs a busy script before handing back.
const TICK_SLICE_MS: u64 = 50;

/// What the server keeps for scripting.
#[derive(Default)]
pub struct Scripting {
    /// The interpreter, made at the first script; taken out while a
    /// script runs synchronously.
    vm: Option<Box<Vm>>,
    /// EVAL scripts by lowercase SHA-1 hex.
    scripts: HashMap<String, Cached>,
    /// Bytes of the cached scripts' bodies and digests (INFO's
    /// used_memory_scripts_eval).
    scripts_bytes: usize,
    /// The script that ran past `busy-reply-threshold`, if any.
    busy: Option<Box<Run>>,
    /// Function libraries, with their own interpreter.
    pub functions: Functions,
}

/// An EVAL script compiled once and kept until SCRIPT FLUSH.
struct Cached {
    func: Value,
    flags: Flags,
}

impl Scripting {
    /// Whether a script runs on past `busy-reply-threshold`: other clients
    /// get BUSY. Which text depends on what runs.
    pub fn busy_error(&self) -> Option<&'static str> {
        self.busy.as_ref().map(|run| run.kind.busy_error())
    }

    /// The interpreter that runs scripts of `kind`.
    fn vm_slot(&mut self, kind: Kind) -> &mut Option<Box<Vm>> {
        match kind {
            Kind::Eval => &mut self.vm,
            Kind::Function => &mut self.functions.vm,
        }
    }

    /// The running function's name, its command line and how long it has
    /// run (FUNCTION STATS), if a function is busy.
    pub(crate) fn busy_function(
        &self,
        server_timer: Option<fn() -> u64>,
    ) -> Option<(String, Vec<Vec<u8>>, u64)> {
        let run = self.busy.as_ref().filter(|r| r.kind == Kind::Function)?;
        Some((
            run.name.clone(),
            run.command.clone(),
            run.elapsed_ms_by(server_timer),
        ))
    }

    /// What the busy script is, if one runs past the threshold.
    pub(crate) fn busy_kind(&self) -> Option<Kind> {
        self.busy.as_ref().map(|run| run.kind)
    }

    pub fn cached_scripts(&self) -> usize {
        self.scripts.len()
    }

    pub fn scripts_bytes(&self) -> usize {
        self.scripts_bytes
    }

    /// The interpreter's heap in use (INFO's used_memory_lua).
    pub fn lua_bytes(&self) -> usize {
        self.vm.as_ref().map_or(0, |vm| vm.heap.bytes_used())
    }

    /// A cached script's function and flags, by lowercase SHA-1.
    pub(crate) fn script(&self, sha: &str) -> Option<(Value, Flags)> {
        self.scripts.get(sha).map(|c| (c.func, c.flags))
    }

    /// Whether `sha` (any case) names a cached script.
    pub fn has_script(&self, sha: &[u8]) -> bool {
        std::str::from_utf8(sha).is_ok_and(|s| self.scripts.contains_key(&s.to_ascii_lowercase()))
    }

    /// Drops every cached script and starts a new interpreter, as SCRIPT
    /// FLUSH does. Not while a script runs (SCRIPT FLUSH is refused BUSY).
    pub fn flush(&mut self) {
        self.scripts.clear();
        self.scripts_bytes = 0;
        self.vm = None;
    }

    /// The interpreter, made with Redis's environment if there is none.
    fn vm(&mut self) -> Result<&mut Vm, CmdError> {
        if self.vm.is_none() {
            let mut vm = Vm::new(LUA_MEMORY_LIMIT).map_err(lua_setup_error)?;
            lib_redis::protect_globals(&mut vm).map_err(lua_setup_error)?;
            self.vm = Some(Box::new(vm));
        }
        self.vm
            .as_deref_mut()
            .ok_or_else(|| CmdError::Other("ERR scripting is unavailable".to_string()))
    }

    /// Compiles an EVAL body into the cache (SCRIPT LOAD, or EVAL of a
    /// new script) and gives its SHA-1; Redis's error if its shebang or
    /// its Lua is wrong.
    pub fn load(&mut self, body: &[u8]) -> Result<String, CmdError> {
        let sha = redsim_lua::sha1::hex(body);
        if self.scripts.contains_key(&sha) {
            return Ok(sha);
        }
        let (flags, shebang_len) = shebang::parse(body).map_err(CmdError::Other)?;
        // The shebang line is left out, its newline kept, so that line
        // numbers in errors are the user's.
        let code = body.get(shebang_len..).unwrap_or_default();
        let vm = self.vm()?;
        let func = vm.load(code, b"@user_script").map_err(|msg| {
            CmdError::Other(format!(
                "ERR Error compiling script (new function): {}",
                String::from_utf8_lossy(&msg)
            ))
        })?;
        vm.pin(func).map_err(lua_setup_error)?;
        self.scripts_bytes += body.len() + sha.len();
        self.scripts.insert(sha.clone(), Cached { func, flags });
        Ok(sha)
    }
}

fn lua_setup_error(e: redsim_lua::heap::Error) -> CmdError {
    CmdError::Other(format!("ERR {}", e.message()))
}

/// Whether EVAL, EVALSHA, FCALL or their read-only forms (`command`) run a
/// script that declares flags and may write without `allow-oom`: such a
/// command is refused while memory is over `maxmemory`, before it runs
/// (Redis's `evalGetCommandFlags`). Scripts without a shebang decide
/// command by command instead.
pub(crate) fn denies_oom(server: &Server, command: &str, argv: &[&[u8]]) -> bool {
    let scripting = &server.scripting;
    let named = argv.get(1).copied().unwrap_or_default();
    let flags = match command {
        "eval" | "eval_ro" => match scripting.script(&redsim_lua::sha1::hex(named)) {
            Some((_, flags)) => Some(flags),
            None => shebang::parse(named).ok().map(|(flags, _)| flags),
        },
        "evalsha" | "evalsha_ro" => std::str::from_utf8(named)
            .ok()
            .and_then(|sha| scripting.script(&sha.to_ascii_lowercase()))
            .map(|(_, flags)| flags),
        "fcall" | "fcall_ro" => scripting.functions.find(named).map(|(_, _, flags)| flags),
        _ => None,
    };
    flags.is_some_and(|f| !f.compat && !f.allow_oom && !f.no_writes)
}

/// What started the script, for error texts and which KILL stops it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Eval,
    Function,
}

impl Kind {
    fn busy_error(self) -> &'static str {
        match self {
            Kind::Eval => "BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.",
            Kind::Function => "BUSY Redis is busy running a script. You can only call FUNCTION KILL or SHUTDOWN NOSAVE.",
        }
    }

    /// The chunk name errors cite (`on @user_script:3.`).
    fn chunk(self) -> &'static str {
        match self {
            Kind::Eval => "@user_script",
            Kind::Function => "@user_function",
        }
    }
}

/// A script to run for the client in `Ctx`.
pub(crate) struct Start {
    pub kind: Kind,
    /// The SHA-1 for EVAL, the function's name for FCALL: error texts
    /// name the script by it.
    pub name: String,
    pub flags: Flags,
    /// EVAL_RO, EVALSHA_RO, FCALL_RO.
    pub read_only_command: bool,
    pub keys: Vec<Vec<u8>>,
    pub args: Vec<Vec<u8>>,
    /// The command line, for FUNCTION STATS while it runs.
    pub command: Vec<Vec<u8>>,
}

/// A script in progress: what its commands are checked against, and the
/// client they run on.
pub(crate) struct Run {
    kind: Kind,
    name: String,
    command: Vec<Vec<u8>>,
    caller: ClientId,
    /// Redis's "lua client": the script's commands run on it, in the
    /// caller's database and the protocol the script chose.
    client: Box<Client>,
    /// No write commands (the *_RO commands, `no-writes` scripts).
    read_only: bool,
    /// The script may write past maxmemory (`allow-oom`).
    allow_oom: bool,
    /// Memory was over maxmemory when the script started: its first write
    /// is refused (until it has written, after which it may not fail).
    oom_at_start: bool,
    /// It ran a write command: SCRIPT KILL can no longer stop it.
    wrote: bool,
    /// When it started, by the host's clock (µs), if the host has one.
    started_us: Option<u64>,
    /// Instructions run so far, the clock for hosts without one.
    instructions: u64,
}

impl Run {
    fn elapsed_ms(&self, server: &Server) -> u64 {
        self.elapsed_ms_by(server.timer)
    }

    fn elapsed_ms_by(&self, timer: Option<fn() -> u64>) -> u64 {
        match (timer, self.started_us) {
            (Some(now), Some(start)) => now().saturating_sub(start) / 1000,
            _ => self.instructions / INSTRUCTIONS_PER_MS,
        }
    }
}

/// Runs a compiled script (`func`) for `ctx`'s client: its reply, or no
/// frames when it is still running past `busy-reply-threshold` (the reply
/// then comes from `tick`).
pub(crate) fn run(ctx: &mut Ctx<'_>, func: Value, start: Start) -> Result<Reply, CmdError> {
    // As the dispatcher found it before this command (EXEC's, inside MULTI).
    let out_of_memory = ctx.server.pre_command_oom;
    let flags = start.flags;
    if !flags.compat {
        if !flags.no_writes && start.read_only_command {
            return Err(CmdError::Other(
                "ERR Can not execute a script with write flag using *_ro command.".to_string(),
            ));
        }
        if out_of_memory && !flags.allow_oom && !flags.no_writes && !ctx.client.no_evict {
            return Err(CmdError::Other(
                "OOM allow-oom flag is not set on the script, can not run it when used memory > 'maxmemory'".to_string(),
            ));
        }
    }
    let mut client = Box::new(Client::new(ClientId::MAX, ctx.server.now_ms, true));
    client.db = ctx.client.db;
    client.peer.addr = "lua".to_string();
    client.runs_scripts = true;
    // Blocking commands answer at once, as inside MULTI.
    client.in_exec = true;
    let mut run = Box::new(Run {
        kind: start.kind,
        name: start.name,
        command: start.command,
        caller: ctx.client.id,
        client,
        read_only: start.read_only_command || (!flags.compat && flags.no_writes),
        allow_oom: !flags.compat && flags.allow_oom,
        oom_at_start: out_of_memory,
        wrote: false,
        started_us: ctx.server.timer.map(|now| now()),
        instructions: 0,
    });
    let mut vm = match ctx.server.scripting.vm_slot(start.kind).take() {
        Some(vm) => vm,
        None => return Err(CmdError::Other("ERR scripting is unavailable".to_string())),
    };
    let started = prepare(&mut vm, func, &start.keys, &start.args, start.kind);
    if let Err(e) = started {
        *ctx.server.scripting.vm_slot(run.kind) = Some(vm);
        return Err(lua_setup_error(e));
    }
    // Inside MULTI/EXEC the engine cannot hand back mid-command.
    let can_pause = !ctx.client.in_exec;
    // The caller goes back among the clients while its script runs, so
    // that what the script does reaches it as it would any client: its
    // WATCHed keys are touched, its subscriptions get the messages.
    let id = ctx.client.id;
    let caller = std::mem::replace(ctx.client, Client::new(id, ctx.server.now_ms, true));
    ctx.server.clients.insert(id, Box::new(caller));
    let threshold = u64::try_from(ctx.server.params.int("busy-reply-threshold")).unwrap_or(0);
    let outcome = run_slices(ctx.server, ctx.table, &mut vm, &mut run, threshold);
    if let Some(caller) = ctx.server.clients.remove(&id) {
        *ctx.client = *caller;
    } else {
        // The script's commands cannot disconnect anyone (CLIENT KILL is
        // noscript), but if the caller is gone, its connection closes.
        ctx.client.closing = true;
    }
    let reply = match outcome {
        Some(outcome) => {
            let (reply, counted) = finish(&mut vm, &run, outcome);
            // The dispatcher counts the reply's error unless told.
            ctx.server.stats.next_error_counted = counted;
            reply
        }
        None if can_pause => {
            ctx.client.awaiting_script = true;
            *ctx.server.scripting.vm_slot(run.kind) = Some(vm);
            ctx.server.scripting.busy = Some(run);
            return Ok(Reply::Frames(Vec::new()));
        }
        None => {
            // Redis would go on serving other clients BUSY meanwhile;
            // here nothing else can run, so the script is stopped.
            vm.kill_handle().set(true);
            vm.run(&mut host::Host::new(ctx.server, ctx.table, &mut run), 1);
            error_with_position(
                &vm,
                &run,
                b"ERR Script killed: it ran past busy-reply-threshold inside MULTI, where it cannot be paused",
            )
        }
    };
    *ctx.server.scripting.vm_slot(run.kind) = Some(vm);
    Ok(reply)
}

/// Starts `func` in the interpreter: EVAL scripts read their keys and
/// arguments from the globals KEYS and ARGV, functions get them as two
/// arguments.
fn prepare(
    vm: &mut Vm,
    func: Value,
    keys: &[Vec<u8>],
    args: &[Vec<u8>],
    kind: Kind,
) -> Result<(), redsim_lua::heap::Error> {
    lib_redis::reset(vm)?;
    let keys: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
    let args: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
    match kind {
        Kind::Eval => {
            lib_redis::set_keys_and_argv(vm, &keys, &args)?;
            vm.start(func, &[])
        }
        Kind::Function => {
            let keys = lib_redis::string_array(vm, &keys)?;
            let args = lib_redis::string_array(vm, &args)?;
            vm.start(func, &[keys, args])
        }
    }
}

/// Runs the started script until it ends (its outcome) or has run past
/// `until_ms` (None: it is still running).
fn run_slices(
    server: &mut Server,
    table: &Table,
    vm: &mut Vm,
    run: &mut Run,
    until_ms: u64,
) -> Option<Outcome> {
    loop {
        let outcome = vm.run(&mut host::Host::new(server, table, run), SLICE);
        run.instructions = run.instructions.saturating_add(SLICE);
        if outcome != Outcome::Paused {
            return Some(outcome);
        }
        if run.elapsed_ms(server) >= until_ms {
            return None;
        }
    }
}

/// The reply for a script's outcome, as Redis 7.0 words it, and whether
/// it is an error the server counted already: a command's error the
/// script raised or returned.
fn finish(vm: &mut Vm, run: &Run, outcome: Outcome) -> (Reply, bool) {
    match outcome {
        Outcome::Done(values) => {
            let first = values.first().copied().unwrap_or(Value::Nil);
            let resp3 = lib_redis::resp3(vm);
            let counted = lib_redis::counted_error(&mut vm.heap, first);
            let reply = convert::from_script(lib_redis::script_reply(&mut vm.heap, first, resp3));
            let counted = counted && reply.is_error();
            (reply, counted)
        }
        Outcome::Error(value) => {
            let counted = lib_redis::counted_error(&mut vm.heap, value);
            let text = lib_redis::error_message(&mut vm.heap, value);
            (error_with_position(vm, run, &text), counted)
        }
        Outcome::Killed => (
            error_with_position(vm, run, b"ERR Script killed by user with SCRIPT KILL..."),
            false,
        ),
        Outcome::Paused => (Reply::Frames(Vec::new()), false),
    }
}

/// An uncaught error's reply: its text and, as Redis's error handler adds,
/// which script and line raised it.
fn error_with_position(vm: &Vm, run: &Run, text: &[u8]) -> Reply {
    let mut line = String::from_utf8_lossy(text).into_owned();
    if let Some(at) = vm.error_line() {
        line.push_str(&format!(
            " script: {}, on {}:{at}.",
            run.name,
            run.kind.chunk()
        ));
    }
    Reply::Error(line)
}

/// Runs the busy script for another slice (from `tick`, and at once after
/// a KILL); when it ends, its reply goes to its caller.
pub(crate) fn resume(server: &mut Server, table: &Table) {
    let Some(mut run) = server.scripting.busy.take() else {
        return;
    };
    let Some(mut vm) = server.scripting.vm_slot(run.kind).take() else {
        server.scripting.busy = Some(run);
        return;
    };
    let kind = run.kind;
    let until = run.elapsed_ms(server).saturating_add(TICK_SLICE_MS);
    let outcome = run_slices(server, table, &mut vm, &mut run, until);
    match outcome {
        None => {
            server.scripting.busy = Some(run);
        }
        Some(outcome) => {
            let (reply, counted) = finish(&mut vm, &run, outcome);
            deliver(server, run.caller, reply, counted);
        }
    }
    *server.scripting.vm_slot(kind) = Some(vm);
}

/// Sends a busy script's reply to its caller, who may read again.
fn deliver(server: &mut Server, caller: ClientId, reply: Reply, counted: bool) {
    let Some(client) = server.clients.get_mut(&caller) else {
        return;
    };
    client.awaiting_script = false;
    match &reply {
        Reply::Error(text) if !counted => server.stats.record_error(text),
        _ => {}
    }
    client.send(reply);
    server.note_output(caller);
}

/// SCRIPT KILL (`kind` Eval) and FUNCTION KILL (Function): stops the busy
/// script unless it has written, and answers its caller.
pub(crate) fn kill(ctx: &mut Ctx<'_>, kind: Kind) -> Result<Reply, CmdError> {
    let err = |text: &str| Err(CmdError::Other(text.to_string()));
    let Some(run) = ctx.server.scripting.busy.as_ref() else {
        return err("NOTBUSY No scripts in execution right now.");
    };
    if run.wrote {
        return err("UNKILLABLE Sorry the script already executed write commands against the dataset. You can either wait the script termination or kill the server in a hard way using the SHUTDOWN NOSAVE command.");
    }
    if run.kind != kind {
        return err(run.kind.busy_error());
    }
    if let Some(vm) = ctx.server.scripting.vm_slot(kind).as_ref() {
        vm.kill_handle().set(true);
    }
    resume(ctx.server, ctx.table);
    Ok(Reply::ok())
}
