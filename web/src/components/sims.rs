//! The simulations panel: scenario buttons, play/pause/step/speed/reset,
//! the parameter form (editable while paused), then the shown simulation's
//! charts (cache) or per-limiter timelines (rate limiting), and the log of
//! the real commands the run sent to the engine.

use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::Action;
use crate::state::keys::countdown;
use crate::state::sims::{
    CacheView, Field, Kind, LimiterView, LogLine, RateView, SimAction, SimView, PRESETS, SPEEDS,
};

#[derive(Properties, PartialEq)]
pub struct SimProps {
    pub view: SimView,
    pub on_action: Callback<Action>,
}

fn sim(action: SimAction) -> Action {
    Action::Sim(action)
}

#[function_component(SimPanel)]
pub fn sim_panel(props: &SimProps) -> Html {
    let v = &props.view;
    let act = &props.on_action;
    let speed = act.reform(|e: Event| {
        let value = e.target_unchecked_into::<HtmlSelectElement>().value();
        sim(SimAction::Speed(
            value.trim_start_matches('×').parse().unwrap_or(1),
        ))
    });
    html! {
        <section class="sims" aria-label="simulations" data-kind={format!("{:?}", v.kind)}>
            <div class="sim-head">
                <h2>{ "Simulations" }</h2>
                { kind_tabs(v.kind, act) }
            </div>
            <div class="sim-presets" role="group" aria-label="scenarios">
                <span class="sim-presets-label">{ "scenarios:" }</span>
                { for PRESETS.iter().map(|name| html! {
                    <button class="preset" onclick={act.reform(move |_| sim(SimAction::Preset(name)))}>{ *name }</button>
                }) }
            </div>
            <div class="sim-controls" role="group" aria-label="run controls">
                if v.playing {
                    <button class="pause" onclick={act.reform(|_| sim(SimAction::Pause))}>{ "⏸ pause" }</button>
                } else {
                    <button class="play" disabled={v.error.is_some() || v.now_ms >= v.end_ms}
                        onclick={act.reform(|_| sim(SimAction::Play))}>{ "▶ play" }</button>
                }
                <button class="step" disabled={v.error.is_some()} onclick={act.reform(|_| sim(SimAction::Step))}>{ "step" }</button>
                <button class="reset" onclick={act.reform(|_| sim(SimAction::Reset))}>{ "reset" }</button>
                <label>{ "speed " }
                    <select class="sim-speed" onchange={speed}>
                        { for SPEEDS.iter().map(|s| html! {
                            <option selected={*s == v.speed}>{ format!("×{s}") }</option>
                        }) }
                    </select>
                </label>
                <span class="sim-time" role="status">
                    { format!("t = {:.1} s of {:.0} s", v.now_ms as f64 / 1000.0, v.end_ms as f64 / 1000.0) }
                </span>
            </div>
            <form class="sim-form" onsubmit={Callback::from(|e: SubmitEvent| e.prevent_default())}>
                { for v.fields.iter().map(|f| field(f, v.playing, act)) }
            </form>
            if let Some(error) = &v.error {
                <p class="sim-error" role="alert">{ error }</p>
            }
            if let Some(cache) = &v.cache {
                { cache_view(cache) }
            }
            if let Some(rate) = &v.rate {
                { rate_view(rate, v.end_ms, act) }
            }
            { log_view(&v.log) }
        </section>
    }
}

/// A form field, keyed by its id: fields come and go with the stream's
/// kind, and a reused input would keep another field's typed text.
fn field(f: &Field, playing: bool, act: &Callback<Action>) -> Html {
    let id = f.id;
    let label = format!("sim-{id}");
    if f.choices.is_empty() {
        let onchange = act.reform(move |e: Event| {
            sim(SimAction::Set(
                id,
                e.target_unchecked_into::<HtmlInputElement>().value(),
            ))
        });
        html! {
            <label class="sim-field" key={id} for={label.clone()}>{ f.label }
                <input id={label} type="text" size="8" value={f.value.clone()} disabled={playing} {onchange} />
            </label>
        }
    } else {
        let onchange = act.reform(move |e: Event| {
            sim(SimAction::Set(
                id,
                e.target_unchecked_into::<HtmlSelectElement>().value(),
            ))
        });
        html! {
            <label class="sim-field" key={id} for={label.clone()}>{ f.label }
                <select id={label} disabled={playing} {onchange}>
                    { for f.choices.iter().map(|c| html! { <option selected={*c == f.value}>{ *c }</option> }) }
                </select>
            </label>
        }
    }
}

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

fn cache_view(c: &CacheView) -> Html {
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

/// Requests drawn as dots at most; past this, as columns of counts.
const DOTS_LIMIT: usize = 600;
const COLUMNS: usize = 150;

fn rate_view(r: &RateView, end_ms: u64, act: &Callback<Action>) -> Html {
    html! {
        <div class="sim-rate">
            <p class="sim-hint">
                { format!("{} requests; limit {} per {} ms. ", r.requests.len(), r.limit, r.window_ms) }
                if r.drawn {
                    { "Click a timeline to add a request there." }
                } else {
                    { "Choose “drawn” requests to place them yourself." }
                }
            </p>
            { for r.limiters.iter().map(|l| limiter(l, r, end_ms, act)) }
        </div>
    }
}

fn limiter(l: &LimiterView, r: &RateView, end_ms: u64, act: &Callback<Action>) -> Html {
    const W: f64 = 600.0;
    const H: f64 = 24.0;
    let end = end_ms.max(1) as f64;
    let x = |ms: u64| ms as f64 / end * W;
    // With drawn requests, a click on the timeline places one there.
    let onclick = r.drawn.then(|| {
        act.reform(move |e: MouseEvent| {
            let target: Element = e.target_unchecked_into();
            let svg = target.closest("svg").ok().flatten().unwrap_or(target);
            let rect = svg.get_bounding_client_rect();
            let fraction =
                ((f64::from(e.client_x()) - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0);
            sim(SimAction::Draw((fraction * end) as u64))
        })
    });
    // The fixed window's boundaries, where its double burst happens.
    let boundaries: Vec<u64> =
        if l.name == "fixed window" && r.window_ms > 0 && end_ms / r.window_ms <= 200 {
            (1..=end_ms / r.window_ms)
                .map(|i| i * r.window_ms)
                .collect()
        } else {
            Vec::new()
        };
    let marks = if l.decisions.len() <= DOTS_LIMIT {
        l.decisions
            .iter()
            .map(|(at, allowed)| html! {
                <circle class={if *allowed { "allowed" } else { "rejected" }} cx={format!("{:.1}", x(*at))} cy="12" r="3" />
            })
            .collect::<Html>()
    } else {
        columns(&l.decisions, end, W, H)
    };
    let over = l.peak as u64 > r.limit;
    html! {
        <div class="limiter" data-limiter={l.name}>
            <h3>{ l.name }
                <span class="allowed-count">{ format!(" {} allowed", l.allowed) }</span>
                <span class="rejected-count">{ format!(" · {} rejected", l.rejected) }</span>
                <span class={classes!("peak", over.then_some("over"))}>
                    { format!(" · peak {} in any {} ms{}", l.peak, r.window_ms, if over { " (over the limit)" } else { "" }) }
                </span>
            </h3>
            <svg class="timeline" viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" role="img"
                aria-label={format!("{}: {} allowed, {} rejected", l.name, l.allowed, l.rejected)} {onclick}>
                <rect class="timeline-bg" x="0" y="0" width={W.to_string()} height={H.to_string()} />
                { for boundaries.iter().map(|b| html! {
                    <line class="boundary" x1={format!("{:.1}", x(*b))} x2={format!("{:.1}", x(*b))} y1="0" y2={H.to_string()} />
                }) }
                { marks }
            </svg>
            <div class="limiter-detail">
                <ul class="limiter-keys" aria-label="its keys">
                    { for l.keys.iter().take(4).map(|(key, ttl)| html! {
                        <li><code>{ key }</code>{ ttl.map(|t| format!(" TTL {}", countdown(t))).unwrap_or_default() }</li>
                    }) }
                </ul>
                <ol class="limiter-commands" aria-label="its latest commands">
                    { for l.commands.iter().map(|c| html! { <li><code>{ &c.text }</code></li> }) }
                </ol>
            </div>
        </div>
    }
}

/// Allowed and rejected counts as stacked columns, for long streams.
fn columns(decisions: &[(u64, bool)], end: f64, w: f64, h: f64) -> Html {
    let mut counts = vec![(0u32, 0u32); COLUMNS];
    for (at, allowed) in decisions {
        let i = ((*at as f64 / end) * COLUMNS as f64) as usize;
        if let Some(c) = counts.get_mut(i.min(COLUMNS - 1)) {
            if *allowed {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
        }
    }
    let top = counts.iter().map(|(a, r)| a + r).max().unwrap_or(1).max(1) as f64;
    let width = w / COLUMNS as f64;
    counts
        .iter()
        .enumerate()
        .map(|(i, (a, r))| {
            let ha = f64::from(*a) / top * h;
            let hr = f64::from(*r) / top * h;
            let x = format!("{:.1}", i as f64 * width);
            html! {
                <>
                    <rect class="allowed" x={x.clone()} y={format!("{:.1}", h - ha)} width={format!("{width:.1}")} height={format!("{ha:.1}")} />
                    <rect class="rejected" x={x} y={format!("{:.1}", h - ha - hr)} width={format!("{width:.1}")} height={format!("{hr:.1}")} />
                </>
            }
        })
        .collect()
}

fn log_view(log: &[LogLine]) -> Html {
    html! {
        <details class="sim-log" open=true>
            <summary>{ format!("Commands sent to the engine (latest {})", log.len().min(100)) }</summary>
            <ol>
                { for log.iter().rev().take(100).map(|l| html! {
                    <li class={classes!("log-line", l.kind)}>
                        <span class="log-at">{ format!("{:>8.3}s", l.at_ms as f64 / 1000.0) }</span>
                        <span class="log-actor">{ &l.actor }</span>
                        <code>{ &l.text }</code>
                    </li>
                }) }
            </ol>
        </details>
    }
}

/// Which simulation the tabs show.
fn kind_tabs(kind: Kind, act: &Callback<Action>) -> Html {
    html! {
        <div class="sim-tabs" role="tablist">
            <button role="tab" aria-selected={(kind == Kind::Cache).to_string()}
                onclick={act.reform(|_| sim(SimAction::Show(Kind::Cache)))}>{ "caching" }</button>
            <button role="tab" aria-selected={(kind == Kind::RateLimit).to_string()}
                onclick={act.reform(|_| sim(SimAction::Show(Kind::RateLimit)))}>{ "rate limiting" }</button>
        </div>
    }
}
