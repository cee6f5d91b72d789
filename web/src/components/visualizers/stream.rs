//! A stream: entries on a timeline (their IDs are milliseconds), and each
//! consumer group with its last delivered ID, consumers and pending entries.

use redsim_engine::inspect::StreamView;
use yew::prelude::*;

use super::flash;
use crate::state::keys::shown;
use crate::state::selection::{pending_id, Marks};

#[derive(Properties, PartialEq)]
pub struct StreamProps {
    pub stream: StreamView,
    pub marks: Marks,
}

/// An entry ID's milliseconds part.
fn ms_of(id: &str) -> f64 {
    id.split('-')
        .next()
        .and_then(|ms| ms.parse::<f64>().ok())
        .unwrap_or(0.0)
}

#[function_component(StreamDraw)]
pub fn stream_draw(props: &StreamProps) -> Html {
    let s = &props.stream;
    let first = s.entries.first().map_or(0.0, |(id, _)| ms_of(id));
    let last = s.entries.last().map_or(0.0, |(id, _)| ms_of(id));
    let span = (last - first).max(1.0);
    // Entries placed by time; without a spread of times, evenly.
    let x = |i: usize, id: &str| {
        if last > first {
            4.0 + (ms_of(id) - first) / span * 92.0
        } else {
            4.0 + 92.0 * (i as f64 + 0.5) / s.entries.len().max(1) as f64
        }
    };
    html! {
        <div class="viz-stream">
            <svg class="stream-timeline" viewBox="0 0 100 12" preserveAspectRatio="none" role="img"
                aria-label="entries on a timeline">
                <line x1="2" y1="6" x2="98" y2="6" class="timeline-axis" />
                { for s.entries.iter().enumerate().map(|(i, (id, _))| html! {
                    <circle class={classes!("timeline-entry", flash(&props.marks, id.as_bytes()))}
                        cx={format!("{:.2}", x(i, id))} cy="6" r="1.6">
                        <title>{ id.clone() }</title>
                    </circle>
                }) }
            </svg>
            <p class="note">{ format!("last ID {}", s.last_id) }</p>
            <ol class="stream-entries">
                { for s.entries.iter().rev().take(50).map(|(id, fields)| html! {
                    <li class={classes!("stream-entry", flash(&props.marks, id.as_bytes()))}>
                        <span class="entry-id">{ id.clone() }</span>
                        { for fields.iter().map(|(f, v)| html! {
                            <span class="entry-field">{ format!("{}={}", shown(f), shown(v)) }</span>
                        }) }
                    </li>
                }) }
            </ol>
            { for s.groups.iter().map(|g| html! {
                <div class="stream-group">
                    <h3>{ format!("group {} · last delivered {}", shown(&g.name), g.last_delivered) }</h3>
                    <p class="consumers">{ "consumers: " }
                        { for g.consumers.iter().map(|c| html! { <span class="chip consumer">{ shown(c) }</span> }) }
                    </p>
                    <table class="pending">
                        <thead><tr><th>{ "pending ID" }</th><th>{ "consumer" }</th><th>{ "deliveries" }</th></tr></thead>
                        <tbody>
                            { for g.pending.iter().map(|(id, consumer, count)| html! {
                                <tr class={classes!("pending-entry", flash(&props.marks, &pending_id(&g.name, id)))}>
                                    <td>{ id.clone() }</td><td>{ shown(consumer) }</td><td>{ count }</td>
                                </tr>
                            }) }
                        </tbody>
                    </table>
                </div>
            }) }
        </div>
    }
}
