//! The server panel: INFO's essentials as numbers, each with a sparkline
//! of the last minutes (one sample a second of playground time).

use redsim_engine::inspect::ServerStats;
use yew::prelude::*;

use crate::state::server::{human_bytes, sparkline, ServerPanel};

#[derive(Properties, PartialEq)]
pub struct ServerProps {
    pub panel: ServerPanel,
}

const W: f64 = 100.0;
const H: f64 = 20.0;

fn spark(values: &[f64]) -> Html {
    html! {
        <svg class="sparkline" viewBox={format!("0 0 {W} {H}")} preserveAspectRatio="none" aria-hidden="true">
            <polyline points={sparkline(values, W, H)} />
        </svg>
    }
}

#[function_component(ServerView)]
pub fn server_view(props: &ServerProps) -> Html {
    let Some(now) = props.panel.now else {
        return Html::default();
    };
    let p = &props.panel;
    let figure = |class: &'static str, label: &'static str, value: String, values: Vec<f64>| {
        html! {
            <div class={classes!("figure", class)}>
                <span class="figure-label">{ label }</span>
                <span class="figure-value">{ value }</span>
                { spark(&values) }
            </div>
        }
    };
    let memory = match now.maxmemory {
        0 => human_bytes(now.used_memory as u64),
        max => format!(
            "{} / {}",
            human_bytes(now.used_memory as u64),
            human_bytes(max)
        ),
    };
    let share = (now.maxmemory > 0).then(|| now.used_memory as f64 / now.maxmemory as f64);
    let counter = |f: fn(&ServerStats) -> u64| p.series(f);
    html! {
        <section class="server-panel" aria-label="server">
            <h2>{ "server" }</h2>
            <div class="figure memory">
                <span class="figure-label">{ "used memory" }</span>
                <span class="figure-value used-memory">{ memory }</span>
                if let Some(share) = share {
                    <meter class="memory-meter" min="0" max="1" high="0.9" value={format!("{share:.4}")}></meter>
                }
                { spark(&counter(|s| s.used_memory as u64)) }
            </div>
            { figure("keys", "keys", now.keys.to_string(), counter(|s| s.keys as u64)) }
            { figure("ops", "ops/s", format!("{:.1}", p.rate(|s| s.total_commands_processed).last().copied().unwrap_or(0.0)),
                p.rate(|s| s.total_commands_processed)) }
            { figure("hits", "hits / misses",
                format!("{} / {}", now.keyspace_hits, now.keyspace_misses), counter(|s| s.keyspace_hits)) }
            { figure("expired", "expired keys", now.expired_keys.to_string(), counter(|s| s.expired_keys)) }
            { figure("evicted", "evicted keys", now.evicted_keys.to_string(), counter(|s| s.evicted_keys)) }
            { figure("clients", "connected clients", now.connected_clients.to_string(),
                counter(|s| s.connected_clients as u64)) }
        </section>
    }
}
