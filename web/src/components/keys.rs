//! The key browser: a database selector, a glob filter, the sort order and
//! the namespace separator, then the keys as a tree with type badges, TTL
//! countdowns, memory and encoding. Keys and folders are buttons, so the
//! tree is keyboard usable.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::app::Action;
use crate::components::draft_input::DraftInput;
use crate::state::keys::{countdown, shown, KeysAction, Line, Sort, MAX_ROWS};
use crate::state::server::human_bytes;

#[derive(Properties, PartialEq)]
pub struct KeysProps {
    pub lines: Vec<Line>,
    pub db: usize,
    /// Keys in each database.
    pub db_sizes: Vec<usize>,
    pub filter: String,
    pub sort: Sort,
    pub separator: String,
    /// Keys listed.
    pub held: usize,
    /// Whether every matching key is listed.
    pub complete: bool,
    pub selected: Option<Vec<u8>>,
    /// What the TTL countdowns count from (0 while no listed key has one).
    pub now_ms: i64,
    /// Whether the keys are the running simulation's.
    pub of_simulation: bool,
    /// Keys in the running simulation's engine, when it can be browsed.
    pub simulation_keys: Option<usize>,
    pub on_action: Callback<Action>,
}

#[function_component(KeyBrowserView)]
pub fn key_browser(props: &KeysProps) -> Html {
    let act = |f: fn(String) -> KeysAction| props.on_action.reform(move |v| Action::Keys(f(v)));
    let on_db = props.on_action.reform(|e: Event| {
        let value = e.target_unchecked_into::<HtmlSelectElement>().value();
        Action::Keys(match value.as_str() {
            "simulation" => KeysAction::Source(true),
            db => KeysAction::SelectDb(db.parse().unwrap_or(0)),
        })
    });
    let on_sort = props.on_action.reform(|e: Event| {
        let sort = match e
            .target_unchecked_into::<HtmlSelectElement>()
            .value()
            .as_str()
        {
            "ttl" => Sort::Ttl,
            "size" => Sort::Size,
            _ => Sort::Name,
        };
        Action::Keys(KeysAction::Sort(sort))
    });
    // The filter applies as it is typed; a listing is at most MAX_ROWS keys.
    let on_filter = act(KeysAction::Filter)
        .reform(|e: InputEvent| e.target_unchecked_into::<HtmlInputElement>().value());
    let on_separator = act(KeysAction::Separator);
    let keys = props.held;
    let db_size = props.db_sizes.get(props.db).copied().unwrap_or(0);

    html! {
        <section class="key-browser" aria-label="key browser">
            <div class="keys-controls">
                <label>{ "db " }
                    <select class="db-select" aria-label="database" onchange={on_db}>
                        { for props.db_sizes.iter().enumerate().map(|(db, size)| html! {
                            <option value={db.to_string()} selected={!props.of_simulation && db == props.db}>
                                { format!("{db} ({size})") }
                            </option>
                        }) }
                        if let Some(size) = props.simulation_keys {
                            <option value="simulation" selected={props.of_simulation}>
                                { format!("simulation ({size})") }
                            </option>
                        }
                    </select>
                </label>
                <input class="key-filter" type="search" placeholder="filter: user:*"
                    aria-label="filter keys by glob" value={props.filter.clone()}
                    oninput={on_filter} />
                <label>{ "sort " }
                    <select class="key-sort" aria-label="sort keys" onchange={on_sort}>
                        <option value="name" selected={props.sort == Sort::Name}>{ "name" }</option>
                        <option value="ttl" selected={props.sort == Sort::Ttl}>{ "TTL" }</option>
                        <option value="size" selected={props.sort == Sort::Size}>{ "size" }</option>
                    </select>
                </label>
                <label>{ "sep " }
                    <DraftInput class="key-separator" size={2} label="namespace separator"
                        value={props.separator.clone()} on_commit={on_separator} />
                </label>
            </div>
            <p class="keys-count">
                { format!("{keys} keys shown") }
                if !props.complete {
                    <span class="keys-note">
                        { format!(" — the first {MAX_ROWS} of {db_size}; narrow the filter to see others") }
                    </span>
                }
            </p>
            <ul class="key-tree" role="tree">
                { for props.lines.iter().map(|line| tree_line(props, line)) }
            </ul>
        </section>
    }
}

fn tree_line(props: &KeysProps, line: &Line) -> Html {
    match line {
        Line::Folder {
            prefix,
            label,
            depth,
            keys,
            open,
        } => {
            let toggle_prefix = prefix.clone();
            let toggle = props
                .on_action
                .reform(move |_| Action::Keys(KeysAction::Toggle(toggle_prefix.clone())));
            html! {
                <li key={format!("folder {}", shown(prefix))} class="key-folder" role="treeitem" aria-expanded={open.to_string()}
                    style={indent(*depth)}>
                    <button class="folder-toggle" onclick={toggle}>
                        { if *open { "▾ " } else { "▸ " } }{ label }{ props.separator.clone() }
                        <span class="folder-count">{ format!(" {keys}") }</span>
                    </button>
                </li>
            }
        }
        Line::Key { row, label, depth } => {
            let key = row.key.clone();
            let select = props
                .on_action
                .reform(move |_| Action::Keys(KeysAction::Select(key.clone())));
            let selected = props.selected.as_deref() == Some(row.key.as_slice());
            let ttl = row.expire_at.map(|at| at - props.now_ms);
            html! {
                <li key={format!("key {}", shown(&row.key))}
                    class={classes!("key-row", selected.then_some("selected"))} role="treeitem"
                    aria-selected={selected.to_string()} data-key={shown(&row.key)}
                    style={indent(*depth)}>
                    <button class="key-button" onclick={select} title={shown(&row.key)}>
                        <span class={classes!("badge", format!("type-{}", row.kind))}>{ badge(row.kind) }</span>
                        <span class="key-name">{ label }</span>
                        if let Some(ttl) = ttl {
                            <span class="key-ttl" title="time to live">{ countdown(ttl) }</span>
                        }
                        <span class="key-memory" title="MEMORY USAGE">{ human_bytes(row.memory as u64) }</span>
                        <span class="key-encoding" title="OBJECT ENCODING">{ row.encoding }</span>
                    </button>
                </li>
            }
        }
    }
}

fn indent(depth: usize) -> String {
    format!("padding-left: {}rem", depth as f64 * 0.9)
}

/// A type's short badge, as RedisInsight labels them.
fn badge(kind: &str) -> &'static str {
    match kind {
        "string" => "STR",
        "list" => "LIST",
        "hash" => "HASH",
        "set" => "SET",
        "zset" => "ZSET",
        "stream" => "STREAM",
        _ => "?",
    }
}
