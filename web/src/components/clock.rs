//! The clock bar: the playground's time, whether it runs, and buttons to
//! pause, resume and jump ahead, so TTLs can be watched without waiting.

use yew::prelude::*;

use crate::app::Action;

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
        </div>
    }
}
