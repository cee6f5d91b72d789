//! The selected key's visualizer: a header (name, type, TTL, memory), the
//! encoding with the threshold at which it converts, then the drawing for
//! its type (one module each). Every drawing marks what the last command
//! added, changed or removed; the body is keyed by the change's generation
//! so the highlight plays once per change.

mod geo;
mod hash;
mod hll;
mod list;
mod set;
mod stream;
mod string;
mod zset;

use redsim_engine::inspect::Contents;
use yew::prelude::*;

use crate::app::Action;
use crate::state::encoding::conversion;
use crate::state::keys::{countdown, shown, KeysAction};
use crate::state::query::Query;
use crate::state::selection::{Marks, Selection, View};
use crate::state::server::human_bytes;
use crate::state::shapes;

#[derive(Properties, PartialEq)]
pub struct VisualizerProps {
    pub selection: Selection,
    /// The other sets of the database, for the Venn view.
    pub sets: Vec<Vec<u8>>,
    pub now_ms: i64,
    /// What the last command asked of this key (a score range, a search).
    pub query: Option<Query>,
    /// A HyperLogLog's exact count, when every element went in here.
    pub exact: Option<usize>,
    pub on_action: Callback<Action>,
}

#[function_component(Visualizer)]
pub fn visualizer(props: &VisualizerProps) -> Html {
    let s = &props.selection;
    let close = props
        .on_action
        .reform(|_| Action::Keys(KeysAction::Deselect));
    let Some(view) = &s.view else {
        return html! {
            <section class="visualizer" aria-label="visualizer">
                <div class="viz-head">
                    <h2 class="viz-key">{ shown(&s.key) }</h2>
                    <button class="viz-close" aria-label="close the visualizer" onclick={close}>{ "×" }</button>
                </div>
                <p class="viz-gone">{ "(the key does not exist)" }</p>
            </section>
        };
    };
    let sum = &view.summary;
    let kind = visual_kind(view);
    html! {
        <section class={classes!("visualizer", format!("viz-{kind}"))} aria-label="visualizer"
            data-kind={kind}>
            <div class="viz-head">
                <h2 class="viz-key">{ shown(&s.key) }</h2>
                <span class={classes!("badge", format!("type-{}", sum.kind))}>{ kind }</span>
                if let Some(ttl) = sum.ttl_ms.map(|t| t - (props.now_ms - view.read_at)) {
                    <span class="viz-ttl">{ format!("TTL {}", countdown(ttl)) }</span>
                }
                <span class="viz-memory">{ format!("{} · {}", human_bytes(sum.memory as u64), counted(sum.len, size_unit(sum.kind))) }</span>
                <button class="viz-close" aria-label="close the visualizer" onclick={close}>{ "×" }</button>
            </div>
            { encoding_line(view) }
            <div class="viz-body" key={s.generation.to_string()}>
                { body(props, view, &s.marks) }
                { removed(&s.marks, view) }
            </div>
        </section>
    }
}

/// What the drawing shows: the type, or what a string or sorted set holds.
fn visual_kind(view: &View) -> &'static str {
    match &view.contents {
        Contents::String(_) if view.hll.is_some() => "hyperloglog",
        Contents::ZSet(members) if shapes::geo_points(members).is_some() => "geo",
        _ => view.summary.kind,
    }
}

fn encoding_line(view: &View) -> Html {
    let sum = &view.summary;
    let hll = view.hll.as_ref().map(|h| (h.encoding, h.bytes));
    let c = conversion(sum.kind, sum.encoding, sum.len, &view.limits, hll);
    html! {
        <div class="viz-encoding">
            <span class="encoding-now" title="OBJECT ENCODING">{ c.encoding }</span>
            <span class="encoding-rule">{ c.rule }</span>
            if let Some((now, limit)) = c.progress {
                <meter class="encoding-meter" min="0" max={limit.to_string()} value={now.to_string()}
                    title={format!("{now} of {limit}")}></meter>
                <span class="encoding-count">{ format!("{now} / {limit}") }</span>
            }
        </div>
    }
}

fn body(props: &VisualizerProps, view: &View, marks: &Marks) -> Html {
    let marks = marks.clone();
    let len = view.summary.len;
    match &view.contents {
        Contents::String(_) if view.hll.is_some() => {
            let hll = view.hll.clone();
            html! { <hll::HllView {hll} exact={props.exact} {marks} /> }
        }
        Contents::String(bytes) => {
            let range = props.query.as_ref().and_then(|q| q.bit_range(bytes.len()));
            html! { <string::StringView bytes={bytes.clone()} {range} {marks} /> }
        }
        Contents::List(items) => html! { <list::ListView items={items.clone()} {len} {marks} /> },
        Contents::Hash(fields) => {
            html! { <hash::HashView fields={fields.clone()} now_ms={props.now_ms} {marks} /> }
        }
        Contents::Set(members) => html! {
            <set::SetView members={members.clone()} key_name={props.selection.key.clone()}
                other={props.selection.other.clone()} sets={props.sets.clone()} query={props.query.clone()}
                on_action={props.on_action.clone()} {marks} />
        },
        Contents::ZSet(members) => {
            let query = props.query.clone();
            match shapes::geo_points(members) {
                Some(points) => html! { <geo::GeoView {points} {query} {marks} /> },
                None => {
                    html! { <zset::ZSetView members={members.clone()} {len} {query} {marks} /> }
                }
            }
        }
        Contents::Stream(stream) => {
            html! { <stream::StreamDraw stream={stream.clone()} {marks} /> }
        }
    }
}

/// What the last command took away, shown fading out.
fn removed(marks: &Marks, view: &View) -> Html {
    // Positions of a string's bits or a sketch's buckets are not elements.
    if marks.removed.is_empty() || matches!(view.contents, Contents::String(_)) {
        return Html::default();
    }
    html! {
        <div class="viz-removed" aria-label="removed by the last command">
            { "removed: " }
            { for marks.removed.iter().take(20).map(|id| html! {
                <span class="chip gone">{ shown(id) }</span>
            }) }
        </div>
    }
}

/// What a key's length counts: STRLEN's bytes, HLEN's fields, and so on.
fn size_unit(kind: &str) -> &'static str {
    match kind {
        "string" => "byte",
        "hash" => "field",
        "list" => "item",
        "stream" => "entry",
        _ => "member",
    }
}

/// `1 byte`, `2 bytes`, `3 entries`.
pub fn counted(n: usize, unit: &str) -> String {
    match (n, unit.strip_suffix('y')) {
        (1, _) => format!("1 {unit}"),
        (_, Some(stem)) => format!("{n} {stem}ies"),
        _ => format!("{n} {unit}s"),
    }
}

/// The highlight class of an element.
pub fn flash(marks: &Marks, id: &[u8]) -> Option<String> {
    marks.of(id).map(|m| format!("flash-{m}"))
}

#[cfg(test)]
mod tests {
    use super::counted;

    #[test]
    fn counts_read_as_english() {
        assert_eq!(counted(1, "bit"), "1 bit");
        assert_eq!(counted(0, "byte"), "0 bytes");
        assert_eq!(counted(3, "entry"), "3 entries");
        assert_eq!(counted(1, "entry"), "1 entry");
    }
}
