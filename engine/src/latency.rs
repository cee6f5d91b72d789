//! Latency bookkeeping: per-command duration histograms (INFO latencystats,
//! LATENCY HISTOGRAM) and the latency monitor's event series (LATENCY
//! LATEST/HISTORY/GRAPH/DOCTOR).
//!
//! The histograms reproduce the bucket layout of the HdrHistogram Redis
//! records into (values in nanoseconds, 1 ns to 1 s, two significant
//! digits), because the numbers Redis prints are bucket boundaries: a
//! 6 µs command shows as `p50=6.015`, and LATENCY HISTOGRAM labels its
//! buckets 1, 2, 4, 8, 16, 33, 66... µs.

use std::collections::VecDeque;

use crate::sorted_map::SortedMap;

/// Recorded durations are clamped into this range, in nanoseconds.
const MIN_NS: u64 = 1;
const MAX_NS: u64 = 1_000_000_000;
/// Values below this are kept exactly; above it each power-of-two range is
/// split into 128 equal buckets (two significant decimal digits).
const EXACT_BELOW: u64 = 256;
/// LATENCY HISTOGRAM reports at 1024 ns, then every power of two above.
const FIRST_REPORT_NS: u64 = 1024;

/// The width of the bucket holding `value` (a power of two).
fn bucket_width(value: u64) -> u64 {
    if value < EXACT_BELOW {
        1
    } else {
        // For 2^k <= value < 2^(k+1), k >= 8: width 2^(k-7).
        1 << (63 - value.leading_zeros() - 7)
    }
}

/// The smallest value sharing `value`'s bucket.
fn lowest_equivalent(value: u64) -> u64 {
    value & !(bucket_width(value) - 1)
}

/// The largest value sharing `value`'s bucket.
fn highest_equivalent(value: u64) -> u64 {
    lowest_equivalent(value) + bucket_width(value) - 1
}

/// Durations under this many microseconds, the great majority, are
/// counted in an array rather than the sorted map: each falls in a bucket
/// of its own (below 16 µs a bucket is at most 64 ns wide), and recording
/// one is then an increment instead of a search.
const DIRECT_US: usize = 16;

/// One command's durations, bucketed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Histogram {
    /// How many took 0, 1, ... 15 µs.
    short: [u64; DIRECT_US],
    /// Longer ones: bucket (its lowest value, ns) -> how many fell in it.
    buckets: SortedMap<u64, u64>,
    total: u64,
}

/// The nanoseconds Redis records for a duration measured in microseconds
/// (clamped, so a 0 µs command counts as 1 ns).
fn us_to_ns(us: u64) -> u64 {
    us.saturating_mul(1000).clamp(MIN_NS, MAX_NS)
}

impl Histogram {
    /// Records a duration given in microseconds, as Redis does.
    pub fn record_us(&mut self, us: u64) {
        match usize::try_from(us).ok().and_then(|i| self.short.get_mut(i)) {
            Some(count) => *count += 1,
            None => {
                *self
                    .buckets
                    .get_or_insert_with(lowest_equivalent(us_to_ns(us)), u64::default) += 1
            }
        }
        self.total += 1;
    }

    /// (bucket's lowest value in ns, count) for every non-empty bucket, in
    /// increasing order.
    fn counts(&self) -> impl Iterator<Item = (u64, u64)> + '_ {
        let short = (0u64..)
            .zip(self.short)
            .filter(|&(_, count)| count > 0)
            .map(|(us, count)| (lowest_equivalent(us_to_ns(us)), count));
        short.chain(self.buckets.iter().map(|(&bucket, &count)| (bucket, count)))
    }

    /// How many durations were recorded.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The duration (ns) at or under which `percentile` percent of the
    /// recorded ones fall: the top of the bucket where the running count
    /// reaches the wanted rank (the bottom, for percentile 0).
    pub fn value_at_percentile(&self, percentile: f64) -> u64 {
        let wanted = percentile.min(100.0) / 100.0 * self.total as f64 + 0.5;
        let rank = (wanted as u64).max(1);
        let mut seen = 0;
        for (bucket, count) in self.counts() {
            seen += count;
            if seen >= rank {
                return if percentile == 0.0 {
                    bucket
                } else {
                    highest_equivalent(bucket)
                };
            }
        }
        0
    }

    /// LATENCY HISTOGRAM's pairs: (bucket label in µs, durations at or
    /// under it), at 1024 ns and each power of two above, where the count
    /// grew.
    pub fn cumulative_log_buckets(&self) -> Vec<(u64, u64)> {
        let Some((largest, _)) = self.counts().last() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut level = FIRST_REPORT_NS;
        let mut cumulative = 0;
        let mut buckets = self.counts().peekable();
        loop {
            let before = cumulative;
            while let Some((_, count)) = buckets.next_if(|&(bucket, _)| bucket <= level) {
                cumulative += count;
            }
            if cumulative > before {
                out.push((highest_equivalent(level) / 1000, cumulative));
            }
            if level >= largest {
                return out;
            }
            level *= 2;
        }
    }
}

/// How many samples an event keeps (Redis's LATENCY_TS_LEN).
const SERIES_LEN: usize = 160;

/// One monitored event's samples: at most one per second (the worst of
/// that second), the newest 160.
#[derive(Debug, Default, Clone)]
pub struct Series {
    /// (unix seconds, milliseconds), oldest first.
    pub samples: VecDeque<(i64, u64)>,
    /// The worst latency since the series began.
    pub max_ms: u64,
}

/// The latency monitor: events slower than `latency-monitor-threshold`.
#[derive(Debug, Default)]
pub struct Monitor {
    pub events: SortedMap<String, Series>,
}

impl Monitor {
    /// Records `latency_ms` for `event` if monitoring is on and it reached
    /// the threshold (both in milliseconds; a threshold of 0 is off).
    pub fn add_if_needed(&mut self, event: &str, latency_ms: u64, threshold_ms: i64, now_s: i64) {
        if threshold_ms > 0 && latency_ms >= threshold_ms as u64 {
            self.add(event, latency_ms, now_s);
        }
    }

    fn add(&mut self, event: &str, latency_ms: u64, now_s: i64) {
        let series = self
            .events
            .get_or_insert_with(event.to_string(), Series::default);
        series.max_ms = series.max_ms.max(latency_ms);
        if let Some(last) = series.samples.back_mut() {
            if last.0 == now_s {
                last.1 = last.1.max(latency_ms);
                return;
            }
        }
        if series.samples.len() == SERIES_LEN {
            series.samples.pop_front();
        }
        series.samples.push_back((now_s, latency_ms));
    }

    /// Forgets the named events, or all of them when none are named;
    /// returns how many existed.
    pub fn reset(&mut self, events: &[&[u8]]) -> usize {
        if events.is_empty() {
            let count = self.events.len();
            self.events.clear();
            return count;
        }
        events
            .iter()
            .filter(|name| {
                self.events
                    .remove(String::from_utf8_lossy(name).as_ref())
                    .is_some()
            })
            .count()
    }
}

/// Columns of LATENCY GRAPH's chart, and its rows of bars.
const GRAPH_COLUMNS: usize = 80;
const GRAPH_ROWS: usize = 4;
/// The three heights a bar's top can have within a row.
const BAR_TOPS: [u8; 3] = [b'_', b'o', b'#'];

/// LATENCY GRAPH's text: a title, a rule, then a bar per sample (four rows
/// of three heights each, scaled between the lowest and highest sample),
/// each labelled vertically underneath with how long ago it was.
pub fn graph(event: &str, series: &Series, now_s: i64) -> String {
    let values: Vec<u64> = series.samples.iter().map(|s| s.1).collect();
    let low = values.iter().copied().min().unwrap_or(0);
    let high = values.iter().copied().max().unwrap_or(0);
    let mut out = format!(
        "{event} - high {high} ms, low {low} ms (all time high {} ms)\n{}\n",
        series.max_ms,
        "-".repeat(GRAPH_COLUMNS)
    );
    let labels: Vec<String> = series
        .samples
        .iter()
        .map(|&(at, _)| age_label(now_s - at))
        .collect();
    let range = if high == low {
        1.0
    } else {
        (high - low) as f64
    };
    let steps = BAR_TOPS.len() * GRAPH_ROWS;
    let heights: Vec<usize> = values
        .iter()
        .map(|&v| (((v - low) as f64 * steps as f64 / range) as usize).min(steps - 1))
        .collect();
    for (part, start) in (0..values.len()).step_by(GRAPH_COLUMNS).enumerate() {
        if part > 0 {
            out.push('\n');
        }
        let end = (start + GRAPH_COLUMNS).min(values.len());
        render_columns(&mut out, &heights[start..end], &labels[start..end]);
    }
    out
}

/// Draws one band of at most 80 samples: the bar rows, a blank row, then
/// the labels one character per row.
fn render_columns(out: &mut String, heights: &[usize], labels: &[String]) {
    for row in 0..GRAPH_ROWS {
        // Heights this row draws: the top row the highest three.
        let floor = (GRAPH_ROWS - row - 1) * BAR_TOPS.len();
        let line: String = heights
            .iter()
            .map(|&h| match h.checked_sub(floor) {
                Some(top) if top < BAR_TOPS.len() => BAR_TOPS[top] as char,
                Some(_) => '|',
                None => ' ',
            })
            .collect();
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str(&" ".repeat(heights.len()));
    out.push('\n');
    let tallest = labels.iter().map(String::len).max().unwrap_or(0);
    for row in 0..tallest {
        let line: String = labels
            .iter()
            .map(|label| label.as_bytes().get(row).map_or(' ', |&b| b as char))
            .collect();
        out.push_str(&line);
        out.push('\n');
    }
}

/// How long ago, in the largest unit that fits: `12s`, `5m`, `3h`, `2d`.
fn age_label(seconds: i64) -> String {
    match seconds {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m", s / 60),
        s if s < 86_400 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}

/// What LATENCY DOCTOR finds in one event's samples.
struct Findings {
    count: usize,
    average_ms: f64,
    mean_deviation_ms: f64,
    /// Seconds between spikes on average, from the first one until now.
    period_s: f64,
}

fn analyze(series: &Series, now_s: i64) -> Findings {
    let count = series.samples.len().max(1);
    let sum: u64 = series.samples.iter().map(|s| s.1).sum();
    let average_ms = sum as f64 / count as f64;
    let mean_deviation_ms = series
        .samples
        .iter()
        .map(|s| (s.1 as f64 - average_ms).abs())
        .sum::<f64>()
        / count as f64;
    let first = series.samples.front().map_or(now_s, |s| s.0);
    let period_s = ((now_s - first).max(1)) as f64 / count as f64;
    Findings {
        count: series.samples.len(),
        average_ms,
        mean_deviation_ms,
        period_s,
    }
}

/// LATENCY DOCTOR's report: a plain-language reading of the monitored
/// events, with what to look at next.
pub fn doctor(
    monitor: &Monitor,
    threshold_ms: i64,
    slowlog_threshold_us: i64,
    now_s: i64,
) -> String {
    if monitor.events.is_empty() {
        return if threshold_ms <= 0 {
            "The latency monitor is off, so there is nothing to report. Turn it on with \
             CONFIG SET latency-monitor-threshold <milliseconds>: every event at least that \
             slow is then recorded.\n"
                .to_string()
        } else {
            format!(
                "No event has taken {threshold_ms} ms or longer since the latency monitor \
                 started watching. All quiet.\n"
            )
        };
    }
    let mut out = String::from("Latency spikes recorded by this server:\n\n");
    for (i, (event, series)) in monitor.events.iter().enumerate() {
        let f = analyze(series, now_s);
        out.push_str(&format!(
            "{}. {event}: {} spike{} averaging {:.0} ms (mean deviation {:.0} ms), about one \
             every {:.2} s. Slowest ever: {} ms.\n",
            i + 1,
            f.count,
            if f.count == 1 { "" } else { "s" },
            f.average_ms,
            f.mean_deviation_ms,
            f.period_s,
            series.max_ms
        ));
    }
    out.push_str("\nWhat to look at:\n\n");
    let commands =
        monitor.events.contains_key("command") || monitor.events.contains_key("fast-command");
    if commands {
        if slowlog_threshold_us < 0 || slowlog_threshold_us > threshold_ms.saturating_mul(1000) {
            out.push_str(&format!(
                "- The slow log is not catching these commands. CONFIG SET \
                 slowlog-log-slower-than {} makes it keep every command at least as slow as \
                 the monitor's threshold.\n",
                threshold_ms.saturating_mul(1000)
            ));
        }
        out.push_str(
            "- SLOWLOG GET names the slow commands and their arguments. Commands whose cost \
             grows with the size of a value (KEYS, SMEMBERS, HGETALL, LRANGE over a whole list, \
             SORT, ZUNIONSTORE...) on big values are the usual cause; SCAN and its relatives \
             walk a keyspace or a collection in small steps instead.\n",
        );
    }
    if monitor.events.contains_key("fast-command") {
        out.push_str(
            "- Even O(1) and O(log N) commands were slow, which points at the host (a busy \
             machine or browser tab) more than at the data.\n",
        );
    }
    if monitor.events.contains_key("expire-cycle") {
        out.push_str(
            "- Expiring keys in the background took long: many keys expiring at the same \
             moment, or large values expiring, cost time. Spreading TTLs out helps.\n",
        );
    }
    out.push_str(
        "- Deleting, expiring or evicting one very large value frees it all at once; UNLINK \
         and smaller values split that cost.\n",
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_match_the_values_redis_prints() {
        // A 6 µs command is p50=6.015, a 50.1 ms one 50331.647, as Redis
        // reports them; 1 µs is 1.003.
        for (us, top) in [
            (6, 6_015),
            (50_100, 50_331_647),
            (1, 1_003),
            (0, 1),
            (8, 8_031),
        ] {
            let mut h = Histogram::default();
            h.record_us(us);
            assert_eq!(h.value_at_percentile(50.0), top, "{us} µs");
        }
    }

    #[test]
    fn percentiles_pick_the_rank_rounded_to_nearest() {
        let mut h = Histogram::default();
        h.record_us(20_100);
        h.record_us(50_100);
        // Rank 1 of 2 for p50, rank 2 for p99 (Redis: 20185.087, 50331.647).
        assert_eq!(h.value_at_percentile(50.0), 20_185_087);
        assert_eq!(h.value_at_percentile(99.0), 50_331_647);
        assert_eq!(h.value_at_percentile(0.0), 20_054_016);
    }

    #[test]
    fn log_buckets_are_labelled_and_cumulative_like_redis() {
        let mut h = Histogram::default();
        // Redis shows a 33.8 ms and a 50 ms DEBUG SLEEP as 33816 -> 1,
        // 67633 -> 2; a 5 µs SET as 8 -> 1.
        h.record_us(20_000);
        h.record_us(50_100);
        assert_eq!(h.cumulative_log_buckets(), vec![(33_816, 1), (67_633, 2)]);
        let mut h = Histogram::default();
        h.record_us(5);
        h.record_us(1);
        h.record_us(1);
        assert_eq!(h.cumulative_log_buckets(), vec![(1, 2), (8, 3)]);
        assert!(Histogram::default().cumulative_log_buckets().is_empty());
    }

    #[test]
    fn short_and_long_durations_keep_one_order() {
        // Under 16 µs durations are counted apart from longer ones; the
        // percentiles and buckets still see them in one sequence.
        let mut h = Histogram::default();
        for us in [16, 15, 0] {
            h.record_us(us);
        }
        assert_eq!(h.total(), 3);
        assert_eq!(h.value_at_percentile(0.0), 1);
        assert_eq!(h.value_at_percentile(50.0), 15_039);
        assert_eq!(h.value_at_percentile(100.0), 16_063);
        assert_eq!(h.cumulative_log_buckets(), vec![(1, 1), (16, 3)]);
    }

    #[test]
    fn one_sample_per_second_keeps_the_worst_and_160_at_most() {
        let mut m = Monitor::default();
        m.add_if_needed("command", 5, 0, 100);
        assert!(m.events.is_empty(), "threshold 0 is off");
        m.add_if_needed("command", 5, 10, 100);
        assert!(m.events.is_empty(), "under the threshold");
        m.add_if_needed("command", 12, 10, 100);
        m.add_if_needed("command", 30, 10, 100);
        m.add_if_needed("command", 11, 10, 100);
        let s = m.events.get("command").expect("recorded");
        assert_eq!(s.samples, VecDeque::from([(100, 30)]));
        for t in 101..400 {
            m.add_if_needed("command", 10, 10, t);
        }
        let s = m.events.get("command").expect("recorded");
        assert_eq!(s.samples.len(), SERIES_LEN);
        assert_eq!(s.samples.front(), Some(&(240, 10)));
        assert_eq!(s.max_ms, 30);
        assert_eq!(m.reset(&[b"nosuch", b"command"]), 1);
        assert!(m.events.is_empty());
    }

    #[test]
    fn graph_of_one_sample_is_a_floor_bar_labelled_with_its_age() {
        let series = Series {
            samples: VecDeque::from([(1000, 50)]),
            max_ms: 50,
        };
        let text = graph("command", &series, 1000);
        let expected = format!(
            "command - high 50 ms, low 50 ms (all time high 50 ms)\n{}\n \n \n \n_\n \n0\ns\n",
            "-".repeat(80)
        );
        assert_eq!(text, expected);
    }

    #[test]
    fn graph_scales_bars_between_low_and_high() {
        let series = Series {
            samples: VecDeque::from([(10, 10), (11, 20), (12, 30), (13, 40)]),
            max_ms: 40,
        };
        let text = graph("e", &series, 20);
        let body: Vec<&str> = text.lines().skip(2).collect();
        // Heights 0, 4, 8, 11 of 12 steps: bar tops and fills per row,
        // then the ages 10s, 9s, 8s, 7s written downwards.
        assert_eq!(body[..4], ["   #", "  #|", " o||", "_|||"]);
        assert_eq!(body[4], "    ");
        assert_eq!(body[5..], ["1987", "0sss", "s   "]);
    }
}
