//! LATENCY: the latency monitor's events (LATEST, HISTORY, GRAPH, DOCTOR,
//! RESET) and the per-command duration histograms (HISTOGRAM), over
//! `crate::latency`.

use super::{help_reply, int_reply, Arg, ArgKind, Body, Spec, BASE};
use crate::engine::Ctx;
use crate::error::CmdError;
use crate::latency::Histogram;
use crate::reply::Reply;

pub const SPECS: &[Spec] = &[Spec {
    name: "latency",
    arity: -2,
    acl: &["@slow"],
    group: "server",
    since: "2.8.13",
    complexity: "Depends on the subcommand.",
    summary:
        "Reads and resets the latency monitor's records and the per-command latency histograms.",
    body: Body::Container {
        subcommands: SUBCOMMANDS,
        bare: None,
    },
    ..BASE
}];

const SUBCOMMANDS: &[Spec] = &[
    Spec {
        name: "doctor",
        arity: 2,
        flags: &["admin", "noscript", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        group: "server",
        since: "2.8.13",
        complexity: "O(1)",
        summary: "Explains in plain words what the latency monitor recorded, with advice.",
        body: Body::Run(doctor),
        ..BASE
    },
    Spec {
        name: "graph",
        arity: 3,
        flags: &["admin", "noscript", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        group: "server",
        since: "2.8.13",
        complexity: "O(1)",
        summary: "Draws an event's latency samples as an ASCII chart.",
        args: &[Arg::new("event", ArgKind::String)],
        body: Body::Run(graph),
        ..BASE
    },
    Spec {
        name: "history",
        arity: 3,
        flags: &["admin", "noscript", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        group: "server",
        since: "2.8.13",
        complexity: "O(1)",
        summary: "Returns an event's latency samples, oldest first, as time and milliseconds.",
        args: &[Arg::new("event", ArgKind::String)],
        body: Body::Run(history),
        ..BASE
    },
    Spec {
        name: "latest",
        arity: 2,
        flags: &["admin", "noscript", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        group: "server",
        since: "2.8.13",
        complexity: "O(1)",
        summary: "Returns each monitored event's newest sample and its worst ever.",
        body: Body::Run(latest),
        ..BASE
    },
    Spec {
        name: "reset",
        arity: -2,
        flags: &["admin", "noscript", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        tips: &["request_policy:all_nodes", "response_policy:all_succeeded"],
        group: "server",
        since: "2.8.13",
        complexity: "O(1)",
        summary: "Forgets the samples of the named events, or of every event.",
        args: &[Arg::new("event", ArgKind::String).optional().multiple()],
        body: Body::Run(reset),
        ..BASE
    },
    Spec {
        name: "histogram",
        arity: -2,
        flags: &["admin", "noscript", "loading", "stale"],
        acl: &["@admin", "@slow", "@dangerous"],
        tips: &["nondeterministic_output", "request_policy:all_nodes", "response_policy:special"],
        group: "server",
        since: "7.0.0",
        complexity: "O(N) for the N commands reported.",
        summary: "Returns the distribution of durations of the named commands, or of every command that ran.",
        args: &[Arg::new("command", ArgKind::String).optional().multiple()],
        body: Body::Run(histogram),
        ..BASE
    },
    Spec {
        name: "help",
        arity: 2,
        flags: &["loading", "stale"],
        acl: &["@slow"],
        group: "server",
        since: "2.8.13",
        complexity: "O(1)",
        summary: "Lists the LATENCY subcommands.",
        body: Body::Run(help),
        ..BASE
    },
];

fn now_s(ctx: &Ctx<'_>) -> i64 {
    ctx.server.now_ms.div_euclid(1000)
}

fn int(value: u64) -> Reply {
    Reply::Int(i64::try_from(value).unwrap_or(i64::MAX))
}

fn latest(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let rows = ctx
        .server
        .latency
        .events
        .iter()
        .filter_map(|(event, series)| {
            let &(at, ms) = series.samples.back()?;
            Some(Reply::Array(vec![
                Reply::bulk(event.as_bytes()),
                Reply::Int(at),
                int(ms),
                int(series.max_ms),
            ]))
        })
        .collect();
    Ok(Reply::Array(rows))
}

fn history(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let event = String::from_utf8_lossy(argv.get(2).copied().unwrap_or_default());
    let samples = ctx
        .server
        .latency
        .events
        .get(event.as_ref())
        .map(|series| {
            series
                .samples
                .iter()
                .map(|&(at, ms)| Reply::Array(vec![Reply::Int(at), int(ms)]))
                .collect()
        })
        .unwrap_or_default();
    Ok(Reply::Array(samples))
}

fn graph(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let event = String::from_utf8_lossy(argv.get(2).copied().unwrap_or_default());
    let now = now_s(ctx);
    match ctx.server.latency.events.get(event.as_ref()) {
        Some(series) => Ok(Reply::Verbatim(
            "txt".to_string(),
            crate::latency::graph(&event, series, now).into_bytes(),
        )),
        None => Err(CmdError::Other(format!(
            "ERR No samples available for event '{event}'"
        ))),
    }
}

fn doctor(ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let params = &ctx.server.params;
    let report = crate::latency::doctor(
        &ctx.server.latency,
        params.int("latency-monitor-threshold"),
        params.int("slowlog-log-slower-than"),
        now_s(ctx),
    );
    Ok(Reply::Verbatim("txt".to_string(), report.into_bytes()))
}

fn reset(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let events = argv.get(2..).unwrap_or_default();
    Ok(int_reply(ctx.server.latency.reset(events)))
}

/// One command's entry: its call count and cumulative buckets.
fn histogram_entry(name: String, histogram: &Histogram) -> (Reply, Reply) {
    let buckets = histogram
        .cumulative_log_buckets()
        .into_iter()
        .map(|(label, count)| (int(label), int(count)))
        .collect();
    (
        Reply::bulk(name.as_bytes()),
        Reply::Map(vec![
            (Reply::bulk(b"calls"), int(histogram.total())),
            (Reply::bulk(b"histogram_usec"), Reply::Map(buckets)),
        ]),
    )
}

fn full_name(parent: &str, sub: Option<&str>) -> String {
    match sub {
        Some(sub) => format!("{parent}|{sub}"),
        None => parent.to_string(),
    }
}

/// Every command that ran since the statistics were last reset, or the
/// named ones: `config|get` names a subcommand, `config` all of its
/// subcommands that ran. Names of commands that never ran are skipped.
fn histogram(ctx: &mut Ctx<'_>, argv: &[&[u8]]) -> Result<Reply, CmdError> {
    let all = ctx
        .server
        .stats
        .commands
        .iter()
        .filter_map(|(name, c)| Some((name, c.latency.as_ref()?)))
        .collect::<Vec<_>>();
    let entry = |&((parent, sub), h): &(&(&str, Option<&str>), &Histogram)| {
        histogram_entry(full_name(parent, *sub), h)
    };
    let names = argv.get(2..).unwrap_or_default();
    if names.is_empty() {
        return Ok(Reply::Map(all.iter().map(entry).collect()));
    }
    let mut pairs = Vec::new();
    for name in names {
        let name = String::from_utf8_lossy(name).to_ascii_lowercase();
        let (parent, sub) = match name.split_once('|') {
            Some((parent, sub)) => (parent, Some(sub)),
            None => (name.as_str(), None),
        };
        pairs.extend(
            all.iter()
                .filter(|((p, s), _)| *p == parent && (sub.is_none() || *s == sub))
                .map(entry),
        );
    }
    Ok(Reply::Map(pairs))
}

fn help(_ctx: &mut Ctx<'_>, _argv: &[&[u8]]) -> Result<Reply, CmdError> {
    Ok(help_reply(&[
        "LATENCY <subcommand> [<arg> [value] [opt] ...]. Subcommands are:",
        "DOCTOR",
        "    Reads the recorded latency events and explains them in plain words.",
        "GRAPH <event>",
        "    Draws the samples of <event> as an ASCII chart.",
        "HISTORY <event>",
        "    Lists the samples of <event>: unix time and milliseconds.",
        "LATEST",
        "    For each event: its newest sample's time and milliseconds, and its worst.",
        "RESET [<event> ...]",
        "    Forgets the samples of the named events (all events when none is named).",
        "HISTOGRAM [<command> ...]",
        "    Distribution of the named commands' durations (every command that ran",
        "    when none is named), as cumulative counts per power-of-two microseconds.",
        "HELP",
        "    Prints this help.",
    ]))
}
