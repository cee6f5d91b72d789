//! LATENCY and INFO latencystats with a host timer the test controls, and
//! how a blocked command is counted in the statistics.

mod support;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::cell::Cell;

use redsim_engine::{Config, Engine};
use support::line;

thread_local! {
    static NOW_US: Cell<u64> = const { Cell::new(0) };
    /// How far the clock moves each time it is read: a command's duration.
    static STEP_US: Cell<u64> = const { Cell::new(0) };
}

/// Each read advances by the current step, so every command takes one step.
fn stepping_clock() -> u64 {
    let step = STEP_US.with(Cell::get);
    NOW_US.with(|now| {
        now.set(now.get() + step);
        now.get()
    })
}

fn commands_take(us: u64) {
    STEP_US.with(|step| step.set(us));
}

const START_MS: i64 = 1_700_000_000_000;

fn timed_engine() -> Engine {
    let mut e = Engine::new(Config {
        now_ms: START_MS,
        ..Config::default()
    });
    e.set_timer(stepping_clock);
    commands_take(6);
    e
}

fn info_line(e: &mut Engine, c: redsim_engine::ClientId, section: &str, prefix: &str) -> String {
    let info = line(e, c, &format!("INFO {section}"));
    info.lines()
        .find(|l| l.starts_with(prefix))
        .unwrap_or_default()
        .trim_end()
        .to_string()
}

#[test]
fn latencystats_report_bucket_tops_for_the_configured_percentiles() {
    let mut e = timed_engine();
    let c = e.connect();
    line(&mut e, c, "SET a 1");
    assert_eq!(
        info_line(&mut e, c, "latencystats", "latency_percentiles_usec_set"),
        "latency_percentiles_usec_set:p50=6.015,p99=6.015,p99.9=6.015"
    );
    commands_take(50_100);
    line(&mut e, c, "SET a 2");
    line(
        &mut e,
        c,
        "CONFIG SET latency-tracking-info-percentiles \"0 50 100\"",
    );
    commands_take(6);
    assert_eq!(
        info_line(&mut e, c, "latencystats", "latency_percentiles_usec_set"),
        "latency_percentiles_usec_set:p0=5.984,p50=6.015,p100=50331.647"
    );
    // Subcommands are named container|sub; the default INFO leaves the
    // section out, `everything` has it.
    assert!(info_line(
        &mut e,
        c,
        "everything",
        "latency_percentiles_usec_config|set"
    )
    .starts_with("latency_percentiles_usec_config|set:p0="));
    assert_eq!(info_line(&mut e, c, "", "latency_percentiles"), "");
    line(&mut e, c, "CONFIG SET latency-tracking no");
    line(&mut e, c, "GET a");
    assert_eq!(
        info_line(&mut e, c, "latencystats", "latency_percentiles_usec_get"),
        "",
        "not tracked when latency-tracking is off"
    );
    line(&mut e, c, "CONFIG RESETSTAT");
    assert_eq!(
        info_line(&mut e, c, "latencystats", "latency_percentiles_usec_set"),
        ""
    );
}

#[test]
fn latency_histogram_counts_cumulatively_per_power_of_two() {
    let mut e = timed_engine();
    let c = e.connect();
    commands_take(1);
    line(&mut e, c, "SET a 1");
    line(&mut e, c, "SET a 1");
    commands_take(5);
    line(&mut e, c, "SET a 1");
    line(&mut e, c, "CONFIG GET maxmemory");
    assert_eq!(
        line(&mut e, c, "LATENCY HISTOGRAM set nosuch"),
        [
            "1) \"set\"",
            "2) 1) \"calls\"",
            "   2) (integer) 3",
            "   3) \"histogram_usec\"",
            "   4) 1) (integer) 1",
            "      2) (integer) 2",
            "      3) (integer) 8",
            "      4) (integer) 3",
        ]
        .join("\n")
    );
    // A container name stands for its subcommands that ran.
    let config = line(&mut e, c, "LATENCY HISTOGRAM CONFIG");
    assert!(config.starts_with("1) \"config|get\""), "{config}");
    assert!(!config.contains("\"set\""), "{config}");
    let all = line(&mut e, c, "LATENCY HISTOGRAM");
    for name in ["\"set\"", "\"config|get\"", "\"latency|histogram\""] {
        assert!(all.contains(name), "{name} in {all}");
    }
    line(&mut e, c, "HELLO 3");
    let resp3 = line(&mut e, c, "LATENCY HISTOGRAM set");
    assert!(
        resp3.starts_with("1# \"set\" => 1# \"calls\" => (integer) 3"),
        "{resp3}"
    );
}

#[test]
fn the_monitor_records_slow_commands_once_a_second_and_reports_them() {
    let mut e = timed_engine();
    let c = e.connect();
    assert_eq!(line(&mut e, c, "LATENCY LATEST"), "(empty array)");
    let quiet = line(&mut e, c, "LATENCY DOCTOR");
    assert!(quiet.contains("latency monitor is off"), "{quiet}");
    line(&mut e, c, "CONFIG SET latency-monitor-threshold 10");
    commands_take(12_000);
    // GET is fast (O(1)), KEYS is not: two different events.
    line(&mut e, c, "GET k");
    commands_take(30_000);
    line(&mut e, c, "KEYS *");
    commands_take(20_000);
    line(&mut e, c, "KEYS *");
    commands_take(9_999);
    line(&mut e, c, "KEYS *");
    commands_take(6);
    let t = START_MS / 1000;
    assert_eq!(
        line(&mut e, c, "LATENCY LATEST"),
        format!(
            "1) 1) \"command\"\n   2) (integer) {t}\n   3) (integer) 30\n   4) (integer) 30\n\
             2) 1) \"fast-command\"\n   2) (integer) {t}\n   3) (integer) 12\n   4) (integer) 12"
        )
    );
    e.set_time(START_MS + 2_000);
    commands_take(15_000);
    line(&mut e, c, "KEYS *");
    commands_take(6);
    assert_eq!(
        line(&mut e, c, "LATENCY HISTORY command"),
        format!(
            "1) 1) (integer) {t}\n   2) (integer) 30\n2) 1) (integer) {}\n   2) (integer) 15",
            t + 2
        )
    );
    assert_eq!(line(&mut e, c, "LATENCY HISTORY nosuch"), "(empty array)");
    let graph = line(&mut e, c, "LATENCY GRAPH command");
    let rows: Vec<&str> = graph.lines().collect();
    assert_eq!(
        rows[0],
        "command - high 30 ms, low 15 ms (all time high 30 ms)"
    );
    assert_eq!(rows[2..], ["# ", "| ", "| ", "|_", "  ", "20", "ss"]);
    assert_eq!(
        line(&mut e, c, "LATENCY GRAPH nosuch"),
        "ERR No samples available for event 'nosuch'",
        "redis-cli prints this one raw"
    );
    let report = line(&mut e, c, "LATENCY DOCTOR");
    assert!(
        report.contains("1. command: 2 spikes averaging 22 ms"),
        "{report}"
    );
    assert!(
        report.contains("2. fast-command: 1 spike averaging 12 ms"),
        "{report}"
    );
    assert!(!report.contains("slowlog-log-slower-than"), "{report}");
    line(&mut e, c, "CONFIG SET slowlog-log-slower-than 20000");
    let report = line(&mut e, c, "LATENCY DOCTOR");
    assert!(report.contains("slowlog-log-slower-than 10000"), "{report}");
    assert_eq!(
        line(&mut e, c, "LATENCY RESET command nosuch"),
        "(integer) 1"
    );
    assert_eq!(line(&mut e, c, "LATENCY RESET"), "(integer) 1");
    assert_eq!(line(&mut e, c, "LATENCY LATEST"), "(empty array)");
    let help = line(&mut e, c, "LATENCY HELP");
    assert!(help.starts_with(" 1) LATENCY <subcommand>"), "{help}");
}

#[test]
fn a_blocked_command_is_counted_once_with_all_its_time() {
    let mut e = timed_engine();
    let c = e.connect();
    let waiter = e.connect();
    line(&mut e, c, "CONFIG RESETSTAT");
    // Times out: one call, counted at release.
    commands_take(7);
    e.execute(waiter, &["BLPOP", "k", "1"]);
    commands_take(6);
    assert_eq!(info_line(&mut e, c, "commandstats", "cmdstat_blpop"), "");
    e.tick(START_MS + 1_500);
    assert_eq!(
        info_line(&mut e, c, "commandstats", "cmdstat_blpop"),
        "cmdstat_blpop:calls=1,usec=7,usec_per_call=7.00,rejected_calls=0,failed_calls=0"
    );
    // Served: the blocking attempt and the serving run add up to one call.
    commands_take(7);
    e.execute(waiter, &["BLPOP", "k", "0"]);
    commands_take(6);
    line(&mut e, c, "RPUSH k v");
    assert_eq!(
        info_line(&mut e, c, "commandstats", "cmdstat_blpop"),
        "cmdstat_blpop:calls=2,usec=20,usec_per_call=10.00,rejected_calls=0,failed_calls=0"
    );
    // RESETSTAT, INFO, BLPOP, INFO, BLPOP, RPUSH, INFO, and this INFO's
    // own count comes after it prints.
    assert_eq!(
        info_line(&mut e, c, "stats", "total_commands_processed"),
        "total_commands_processed:7"
    );
    // CLIENT UNBLOCK ... ERROR counts a failed call.
    e.execute(waiter, &["BLPOP", "k", "0"]);
    let id = e.execute(waiter, &["CLIENT", "ID"]);
    assert_eq!(
        id,
        redsim_engine::Reply::Error("ERR client is blocked".into())
    );
    let unblock = format!("CLIENT UNBLOCK {} ERROR", waiter);
    assert_eq!(line(&mut e, c, &unblock), "(integer) 1");
    assert!(
        info_line(&mut e, c, "commandstats", "cmdstat_blpop").starts_with("cmdstat_blpop:calls=3,")
    );
    assert!(info_line(&mut e, c, "commandstats", "cmdstat_blpop").ends_with("failed_calls=1"));
}
