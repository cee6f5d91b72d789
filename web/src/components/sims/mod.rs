//! The simulations panel: a tab per simulation, scenario buttons,
//! play/pause/step/speed/reset, the parameter form (editable while
//! paused), then the shown simulation's view (`cache`, `rate`,
//! `patterns`), the keys in its engine with their TTLs, and the log of the
//! real commands the run sent to the engine.

mod cache;
mod patterns;
mod rate;

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::app::Action;
use crate::components::draft_input::DraftInput;
use crate::state::keys::countdown;
use crate::state::sims::{Field, KeyLine, Kind, LogLine, SimAction, SimView, PRESETS, SPEEDS};

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
            if let Some(c) = &v.cache {
                { cache::cache_view(c) }
            }
            if let Some(r) = &v.rate {
                { rate::rate_view(r, v.end_ms, act) }
            }
            if let Some(p) = &v.pattern {
                { patterns::pattern_view(p) }
            }
            { keys_view(&v.keys) }
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
        let on_commit = act.reform(move |text: String| sim(SimAction::Set(id, text)));
        html! {
            <label class="sim-field" key={id} for={label.clone()}>{ f.label }
                <DraftInput id={label} value={f.value.clone()} disabled={playing} {on_commit} />
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
            { for Kind::ALL.into_iter().map(|k| html! {
                <button role="tab" aria-selected={(k == kind).to_string()}
                    onclick={act.reform(move |_| sim(SimAction::Show(k)))}>{ k.name() }</button>
            }) }
        </div>
    }
}

/// The keys in the simulation's engine, with their TTLs counting down.
fn keys_view(keys: &[KeyLine]) -> Html {
    if keys.is_empty() {
        return Html::default();
    }
    html! {
        <details class="sim-keys" open=true>
            <summary>{ "Keys in this simulation's Redis" }</summary>
            <ul>
                { for keys.iter().map(|k| html! {
                    <li>
                        <code>{ &k.key }</code>
                        <span class={classes!("badge", format!("type-{}", k.kind))}>{ k.kind }</span>
                        { k.ttl_ms.map(|t| format!(" TTL {}", countdown(t))).unwrap_or_default() }
                    </li>
                }) }
            </ul>
        </details>
    }
}
