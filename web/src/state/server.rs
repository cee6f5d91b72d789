//! The server panel's figures: INFO's essentials now, and one sample a
//! second of playground time for the last five minutes, for sparklines.

use std::collections::VecDeque;

use redsim_engine::inspect::ServerStats;
use redsim_engine::Engine;

/// One sample per this much playground time.
const EVERY_MS: i64 = 1000;
/// Samples kept: five minutes.
const KEEP: usize = 300;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct ServerPanel {
    /// The figures as of the last tick.
    pub now: Option<ServerStats>,
    samples: VecDeque<(i64, ServerStats)>,
}

impl ServerPanel {
    /// Reads the figures, and keeps a sample if a second has passed since
    /// the last one.
    pub fn sample(&mut self, engine: &mut Engine, now_ms: i64) {
        let stats = engine.server_stats();
        self.now = Some(stats);
        if self
            .samples
            .back()
            .is_some_and(|(at, _)| now_ms - at < EVERY_MS)
        {
            return;
        }
        if self.samples.len() == KEEP {
            self.samples.pop_front();
        }
        self.samples.push_back((now_ms, stats));
    }

    /// One figure over the samples, oldest first.
    pub fn series(&self, figure: fn(&ServerStats) -> u64) -> Vec<f64> {
        self.samples.iter().map(|(_, s)| figure(s) as f64).collect()
    }

    /// A counter's growth per second between samples (ops/s, hits/s).
    pub fn rate(&self, counter: fn(&ServerStats) -> u64) -> Vec<f64> {
        self.samples
            .iter()
            .zip(self.samples.iter().skip(1))
            .map(|((t0, a), (t1, b))| {
                let seconds = (t1 - t0).max(1) as f64 / 1000.0;
                counter(b).saturating_sub(counter(a)) as f64 / seconds
            })
            .collect()
    }
}

/// An SVG polyline's points for `values` in a `width` × `height` box, the
/// largest value at the top (a flat line at the bottom for all zeros).
pub fn sparkline(values: &[f64], width: f64, height: f64) -> String {
    let top = values.iter().copied().fold(0.0, f64::max);
    let step = width / (values.len().max(2) - 1) as f64;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let y = if top > 0.0 {
                height - v / top * height
            } else {
                height
            };
            format!("{:.1},{:.1}", i as f64 * step, y)
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Bytes as INFO's `_human` fields print them (`1.50M`).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "K", "M", "G", "T"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{n}B"),
        _ => format!("{value:.2}{}", UNITS[unit]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redsim_engine::reply::cli;
    use redsim_engine::Config;

    #[test]
    fn samples_once_a_second_and_keeps_five_minutes() {
        let mut e = Engine::new(Config::default());
        let c = e.connect();
        let mut panel = ServerPanel::default();
        panel.sample(&mut e, 0);
        cli::run_line(&mut e, c, "SET a 1");
        cli::run_line(&mut e, c, "GET a");
        panel.sample(&mut e, 500);
        assert_eq!(panel.series(|s| s.keys as u64), [0.0], "not yet a second");
        assert_eq!(
            panel.now.map(|s| s.keys),
            Some(1),
            "but the figures are fresh"
        );
        panel.sample(&mut e, 2_000);
        assert_eq!(panel.series(|s| s.keys as u64), [0.0, 1.0]);
        assert_eq!(
            panel.rate(|s| s.total_commands_processed),
            [1.0],
            "2 commands in 2 s"
        );
        for t in 0..400 {
            panel.sample(&mut e, 3_000 + t * 1000);
        }
        assert_eq!(panel.series(|s| s.keyspace_hits).len(), KEEP);
    }

    #[test]
    fn sparklines_and_sizes() {
        assert_eq!(
            sparkline(&[0.0, 5.0, 10.0], 100.0, 20.0),
            "0.0,20.0 50.0,10.0 100.0,0.0"
        );
        assert_eq!(sparkline(&[0.0, 0.0], 10.0, 4.0), "0.0,4.0 10.0,4.0");
        assert_eq!(sparkline(&[3.0], 10.0, 4.0), "0.0,0.0");
        assert_eq!(human_bytes(900), "900B");
        assert_eq!(human_bytes(64 * 1024 * 1024), "64.00M");
        assert_eq!(human_bytes(1_572_864), "1.50M");
    }
}
