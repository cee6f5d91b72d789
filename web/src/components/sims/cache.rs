//! The cache simulation's view: running totals, small line charts over
//! the run's buckets (hit ratio, latency percentiles, database load,
//! memory, evictions), the hot key's reloads (a stampede is several
//! database loads in one), and the finished runs side by side.

use yew::prelude::*;

use crate::state::sims::CacheView;

/// One line of a chart: its name (for the legend and CSS) and a value per
/// bucket (None: nothing to show there).
struct Series {
    name: &'static str,
    values: Vec<Option<f64>>,
}

/// A small line chart over the run's buckets, y from 0 to the largest
/// value (or `y_max`).
fn chart(title: &str, unit: &str, series: &[Series], y_max: Option<f64>) -> Html {
    const W: f64 = 300.0;
    const H: f64 = 90.0;
    let count = series
        .iter()
        .map(|s| s.values.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let top = y_max.unwrap_or_else(|| {
        series
            .iter()
            .flat_map(|s| s.values.iter().flatten())
            .fold(0.0_f64, |a, b| a.max(*b))
            .max(1e-9)
            * 1.1
    });
    let points = |values: &[Option<f64>]| -> String {
        values
            .iter()
            .enumerate()
            .filter_map(|(i, v)| {
                let v = (*v)?;
                let x = i as f64 / (count - 1) as f64 * W;
                let y = H - (v / top).clamp(0.0, 1.0) * H;
                Some(format!("{x:.1},{y:.1}"))
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let last = |values: &[Option<f64>]| values.iter().rev().flatten().next().copied();
    html! {
        <figure class="sim-chart" data-chart={title.to_string()}>
            <figcaption>{ title }
                { for series.iter().map(|s| html! {
                    <span class={classes!("legend", s.name.replace(' ', "-"))}>
                        { format!(" {} {}", s.name, last(&s.values).map_or("–".to_string(), |v| format_value(v, unit))) }
                    </span>
                }) }
            </figcaption>
            <svg viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" role="img" aria-label={title.to_string()}>
                { for series.iter().map(|s| html! {
                    <polyline class={classes!("line", s.name.replace(' ', "-"))} points={points(&s.values)} />
                }) }
            </svg>
            <span class="chart-top">{ format_value(top, unit) }</span>
        </figure>
    }
}

fn format_value(v: f64, unit: &str) -> String {
    match unit {
        "%" => format!("{:.0}%", v * 100.0),
        "B" => crate::state::server::human_bytes(v as u64),
        _ if v >= 100.0 || v.fract() == 0.0 => format!("{v:.0}{unit}"),
        _ => format!("{v:.1}{unit}"),
    }
}

pub fn cache_view(c: &CacheView) -> Html {
    let per = |f: &dyn Fn(&redsim_sims::cache::CacheBucket) -> Option<f64>| -> Vec<Option<f64>> {
        c.buckets.iter().map(f).collect()
    };
    let latency = |pick: fn(&redsim_sims::Percentiles) -> u64| {
        per(&|b| b.latency.as_ref().map(|l| pick(l) as f64))
    };
    let t = &c.totals;
    let reads = t.hits + t.misses;
    html! {
        <div class="sim-cache">
            <p class="sim-totals">
                { format!("{} requests · hit ratio {} · {} database queries · {} stale reads (oldest {} ms){}",
                    t.completed,
                    if reads > 0 { format!("{:.1}%", t.hits as f64 * 100.0 / reads as f64) } else { "–".into() },
                    t.db_queries, t.stale_reads, t.max_staleness_ms,
                    if c.lost_writes > 0 { format!(" · {} writes lost in the crash", c.lost_writes) } else { String::new() }) }
            </p>
            <div class="sim-charts">
                { chart("hit ratio", "%", &[Series { name: "hits", values: per(&|b| b.hit_ratio()) }], Some(1.0)) }
                { chart("latency the app sees", " ms", &[
                    Series { name: "p50", values: latency(|l| l.p50) },
                    Series { name: "p95", values: latency(|l| l.p95) },
                    Series { name: "p99", values: latency(|l| l.p99) },
                ], None) }
                { chart("database queries / s", "", &[Series { name: "queries", values: per(&|b| Some(b.db_queries_per_s())) }], None) }
                { chart("memory used", "B", &[
                    Series { name: "used memory", values: per(&|b| Some(b.used_memory as f64)) },
                ], None) }
                { chart("evicted keys / bucket", "", &[
                    Series { name: "evicted", values: per(&|b| Some(b.evictions as f64)) },
                ], None) }
            </div>
            if !c.reloads.is_empty() {
                <table class="sim-reloads">
                    <caption>{ "Reloads of the hot key item:0 (each starts at a miss)" }</caption>
                    <tr><th>{ "at" }</th><th>{ "requests that missed" }</th><th>{ "database loads" }</th></tr>
                    { for c.reloads.iter().rev().take(8).map(|r| html! {
                        <tr class={classes!((r.db_loads > 1).then_some("stampede"))}>
                            <td>{ format!("{:.2} s", r.started_ms as f64 / 1000.0) }</td>
                            <td>{ r.misses }</td>
                            <td>{ r.db_loads }</td>
                        </tr>
                    }) }
                </table>
            }
            if !c.runs.is_empty() {
                <table class="sim-runs">
                    <caption>{ "Finished runs, to compare" }</caption>
                    <tr><th>{ "run" }</th><th>{ "hit ratio" }</th><th>{ "p95" }</th><th>{ "DB queries" }</th><th>{ "stale reads" }</th><th>{ "lost writes" }</th></tr>
                    { for c.runs.iter().map(|r| html! {
                        <tr>
                            <td>{ &r.label }</td>
                            <td>{ r.hit_ratio.map_or("–".into(), |h| format!("{:.1}%", h * 100.0)) }</td>
                            <td>{ r.p95_ms.map_or("–".into(), |p| format!("{p} ms")) }</td>
                            <td>{ r.db_queries }</td>
                            <td>{ r.stale_reads }</td>
                            <td>{ r.lost_writes }</td>
                        </tr>
                    }) }
                </table>
            }
        </div>
    }
}
