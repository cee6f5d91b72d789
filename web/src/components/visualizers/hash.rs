//! A hash as a field table, with each field's TTL (HEXPIRE, Redis 7.4).

use yew::prelude::*;

use super::flash;
use crate::state::keys::{countdown, shown};
use crate::state::selection::Marks;

#[derive(Properties, PartialEq)]
pub struct HashProps {
    /// Field, value, expiry time (unix ms).
    pub fields: Vec<(Vec<u8>, Vec<u8>, Option<i64>)>,
    pub now_ms: i64,
    pub marks: Marks,
}

#[function_component(HashView)]
pub fn hash_view(props: &HashProps) -> Html {
    html! {
        <table class="viz-hash">
            <thead><tr><th>{ "field" }</th><th>{ "value" }</th><th>{ "TTL" }</th></tr></thead>
            <tbody>
                { for props.fields.iter().map(|(field, value, expire_at)| html! {
                    <tr class={classes!("hash-field", flash(&props.marks, field))}>
                        <td>{ shown(field) }</td>
                        <td>{ shown(value) }</td>
                        <td class="field-ttl">
                            { expire_at.map(|at| countdown(at - props.now_ms)).unwrap_or_default() }
                        </td>
                    </tr>
                }) }
            </tbody>
        </table>
    }
}
