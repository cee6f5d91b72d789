//! The rate-limiting view: one timeline per limiter with every request
//! allowed (green) or rejected (red), the fixed window's boundaries, the
//! peak admitted in any window's length, and each limiter's keys with
//! their TTLs and its latest commands. With drawn requests, a click on a
//! timeline places one.

use web_sys::Element;
use yew::prelude::*;

use super::sim;
use crate::app::Action;
use crate::state::keys::countdown;
use crate::state::sims::{LimiterView, RateView, SimAction};

/// Requests drawn as dots at most; past this, as columns of counts.
const DOTS_LIMIT: usize = 600;
const COLUMNS: usize = 150;

pub fn rate_view(r: &RateView, end_ms: u64, act: &Callback<Action>) -> Html {
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
