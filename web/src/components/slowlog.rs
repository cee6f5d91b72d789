//! The SLOWLOG view: the engine's slow log as a table (what SLOWLOG GET
//! answers: id, time, duration, command, client), read without running a
//! command, and a field for `slowlog-log-slower-than`. Folded away in a
//! `<details>` until opened.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::app::Action;
use crate::components::clock::time_of_day;
use crate::state::slowlog::SlowRow;

#[derive(Properties, PartialEq)]
pub struct SlowlogProps {
    pub rows: Vec<SlowRow>,
    pub threshold_us: i64,
    pub on_action: Callback<Action>,
}

#[function_component(SlowlogView)]
pub fn slowlog_view(props: &SlowlogProps) -> Html {
    // What is typed into the field, until it is set (the view re-renders
    // ten times a second, which would otherwise put the old value back).
    let draft = use_state(|| None::<String>);
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            let field: HtmlInputElement = e.target_unchecked_into();
            draft.set(Some(field.value()));
        })
    };
    let onsubmit = {
        let draft = draft.clone();
        let on_action = props.on_action.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(us) = draft.as_deref().and_then(|v| v.trim().parse::<i64>().ok()) {
                on_action.emit(Action::SlowlogThreshold { us });
            }
            draft.set(None);
        })
    };
    let shown = (*draft)
        .clone()
        .unwrap_or_else(|| props.threshold_us.to_string());
    let threshold = match props.threshold_us {
        us if us < 0 => "off".to_string(),
        0 => "every command".to_string(),
        us => format!("slower than {us} µs"),
    };
    html! {
        <details class="slowlog">
            <summary>
                { format!("SLOWLOG: {} entries, logging {threshold}", props.rows.len()) }
            </summary>
            <form class="slowlog-threshold" {onsubmit}>
                <label for="slowlog-threshold">{ "slowlog-log-slower-than (µs)" }</label>
                <input id="slowlog-threshold" type="number" min="-1" value={shown} {oninput} />
                <button type="submit">{ "set" }</button>
                <span class="note">{ "0 logs every command, -1 none" }</span>
            </form>
            if props.rows.is_empty() {
                <p class="note">{ "(empty array)" }</p>
            } else {
                <div class="slowlog-scroll">
                    <table class="slowlog-table">
                        <thead>
                            <tr>
                                <th>{ "id" }</th>
                                <th>{ "time" }</th>
                                <th>{ "µs" }</th>
                                <th>{ "command" }</th>
                                <th>{ "client" }</th>
                            </tr>
                        </thead>
                        <tbody>
                            { for props.rows.iter().map(|row| html! {
                                <tr key={row.id}>
                                    <td>{ row.id }</td>
                                    <td title={row.time_s.to_string()}>{ time_of_day(row.time_s * 1000) }</td>
                                    <td class="duration">{ row.duration_us }</td>
                                    <td class="slow-command">{ &row.command }</td>
                                    <td class="slow-client">{ &row.client }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }
        </details>
    }
}
