//! The clock bar: the playground's time, whether it runs, and buttons to
//! pause, resume and jump ahead (by fixed steps or a typed duration), so
//! TTLs can be watched without waiting.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::Action;
use crate::state::clock::parse_duration;

#[derive(Properties, PartialEq)]
pub struct ClockProps {
    pub now_ms: i64,
    pub paused: bool,
    /// How far ahead of the wall clock the playground is.
    pub ahead_ms: i64,
    pub on_action: Callback<Action>,
}

/// `HH:MM:SS` of a unix time (UTC).
pub fn time_of_day(ms: i64) -> String {
    let s = ms.div_euclid(1000).rem_euclid(86_400);
    format!("{:02}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
}

#[function_component(ClockBar)]
pub fn clock_bar(props: &ClockProps) -> Html {
    let jump = |label: &'static str, ms: i64| {
        html! {
            <button class="advance" onclick={props.on_action.reform(move |_| Action::Advance { ms })}>
                { label }
            </button>
        }
    };
    let ahead = props.ahead_ms / 1000;
    html! {
        <div class="clock" role="group" aria-label="clock">
            <span class={classes!("time", props.paused.then_some("paused"))}>
                { time_of_day(props.now_ms) }
                { " UTC" }
            </span>
            <span class="clock-state">
                if props.paused {
                    { "paused" }
                } else {
                    { "running" }
                    if ahead > 0 { { format!(", {ahead} s ahead") } }
                }
            </span>
            if props.paused {
                <button class="resume" onclick={props.on_action.reform(|_| Action::Resume)}>{ "resume" }</button>
            } else {
                <button class="pause" onclick={props.on_action.reform(|_| Action::Pause)}>{ "pause" }</button>
            }
            { jump("+1 s", 1_000) }
            { jump("+10 s", 10_000) }
            { jump("+1 min", 60_000) }
            <CustomJump on_action={props.on_action.clone()} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct CustomJumpProps {
    on_action: Callback<Action>,
}

/// A typed jump (`90s`, `5m`, `1h30m`); a duration that does not read is
/// marked invalid and nothing moves.
#[function_component(CustomJump)]
fn custom_jump(props: &CustomJumpProps) -> Html {
    let input = use_node_ref();
    let invalid = use_state(|| false);
    let onsubmit = {
        let (input, invalid, on_action) = (input.clone(), invalid.clone(), props.on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            match parse_duration(&field.value()) {
                Some(ms) => {
                    invalid.set(false);
                    field.set_value("");
                    on_action.emit(Action::Advance { ms });
                }
                None => invalid.set(true),
            }
        })
    };
    html! {
        <form class="advance-custom" {onsubmit}>
            <input ref={input} type="text" size="6" placeholder="90s, 5m, 2h"
                aria-label="jump ahead by a duration such as 90s, 5m or 1h30m"
                aria-invalid={invalid.to_string()}
                title={if *invalid { "a duration such as 90, 90s, 5m, 2h, 1d or 1h30m, up to a year" } else { "" }} />
            <button type="submit">{ "jump" }</button>
        </form>
    }
}
