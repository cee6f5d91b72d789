//! A set as member chips, and a Venn view with a second chosen set: the
//! regions are SDIFF a b, SINTER a b and SDIFF b a; SUNION is all three.
//! A set operation of the two lights the regions its answer is made of.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use super::flash;
use crate::app::Action;
use crate::state::keys::{shown, KeysAction};
use crate::state::query::{Query, Regions};
use crate::state::selection::{Marks, Other};
use crate::state::shapes::venn;

#[derive(Properties, PartialEq)]
pub struct SetProps {
    pub members: Vec<Vec<u8>>,
    pub key_name: Vec<u8>,
    pub other: Option<Other>,
    /// Sets to choose from for the Venn view.
    pub sets: Vec<Vec<u8>>,
    pub on_action: Callback<Action>,
    pub marks: Marks,
    /// The last command's question (a set operation lights its regions).
    pub query: Option<Query>,
}

#[function_component(SetView)]
pub fn set_view(props: &SetProps) -> Html {
    let choices: Vec<&Vec<u8>> = props
        .sets
        .iter()
        .filter(|k| **k != props.key_name)
        .collect();
    let on_compare = {
        let choices: Vec<Vec<u8>> = choices.iter().map(|k| (*k).clone()).collect();
        props.on_action.reform(move |e: Event| {
            let index = e
                .target_unchecked_into::<HtmlSelectElement>()
                .selected_index();
            let chosen = usize::try_from(index - 1)
                .ok()
                .and_then(|i| choices.get(i).cloned());
            Action::Keys(KeysAction::Compare(chosen))
        })
    };
    let compared = props.other.as_ref().map(|o| &o.key);
    html! {
        <div class="viz-set">
            <ul class="chips">
                { for props.members.iter().map(|m| html! {
                    <li class={classes!("chip", flash(&props.marks, m))}>{ shown(m) }</li>
                }) }
            </ul>
            if !choices.is_empty() {
                <label class="venn-choice">{ "compare with " }
                    <select class="venn-select" aria-label="set to compare with" onchange={on_compare}>
                        <option selected={compared.is_none()}>{ "—" }</option>
                        { for choices.iter().map(|k| html! {
                            <option selected={compared == Some(*k)}>{ shown(k) }</option>
                        }) }
                    </select>
                </label>
            }
            if let Some(other) = &props.other {
                { venn_view(&props.key_name, &props.members, other,
                    props.query.as_ref().and_then(|q| q.regions(&props.key_name, &other.key)).unwrap_or_default()) }
            }
        </div>
    }
}

fn venn_view(a_key: &[u8], a: &[Vec<u8>], other: &Other, lit: Regions) -> Html {
    let v = venn(a, &other.members);
    let (a_name, b_name) = (shown(a_key), shown(&other.key));
    let region = |class: &'static str, title: String, members: &[Vec<u8>], answered: bool| {
        html! {
            <div class={classes!("venn-region", class, answered.then_some("answered"))}>
                <h3>{ title }</h3>
                <ul class="chips">
                    { for members.iter().map(|m| html! { <li class="chip">{ shown(m) }</li> }) }
                </ul>
            </div>
        }
    };
    html! {
        <div class="venn" role="group" aria-label="Venn diagram">
            <svg class="venn-circles" viewBox="0 0 160 90" role="img"
                aria-label={format!("{} only, {} in both, {} only", v.only_a.len(), v.both.len(), v.only_b.len())}>
                <circle class={classes!("venn-a", (lit.only_a || lit.both).then_some("lit"))} cx="60" cy="45" r="40" />
                <circle class={classes!("venn-b", (lit.only_b || lit.both).then_some("lit"))} cx="100" cy="45" r="40" />
                <text x="38" y="50">{ v.only_a.len() }</text>
                <text x="80" y="50" text-anchor="middle">{ v.both.len() }</text>
                <text x="118" y="50">{ v.only_b.len() }</text>
            </svg>
            <div class="venn-regions">
                { region("only-a", format!("SDIFF {a_name} {b_name}"), &v.only_a, lit.only_a) }
                { region("both", format!("SINTER {a_name} {b_name}"), &v.both, lit.both) }
                { region("only-b", format!("SDIFF {b_name} {a_name}"), &v.only_b, lit.only_b) }
            </div>
            <p class="venn-union">{ format!("SUNION: {} members", v.only_a.len() + v.both.len() + v.only_b.len()) }</p>
        </div>
    }
}
