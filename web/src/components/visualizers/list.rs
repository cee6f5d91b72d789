//! A list as a deque: head on the left (LPUSH, LPOP), tail on the right
//! (RPUSH, RPOP), pushed elements flashing.

use yew::prelude::*;

use super::flash;
use crate::state::keys::shown;
use crate::state::selection::Marks;

#[derive(Properties, PartialEq)]
pub struct ListProps {
    pub items: Vec<Vec<u8>>,
    /// LLEN (the items may be only the first ones).
    pub len: usize,
    pub marks: Marks,
}

#[function_component(ListView)]
pub fn list_view(props: &ListProps) -> Html {
    html! {
        <div class="viz-list">
            <span class="deque-end head">{ "head · LPUSH/LPOP" }</span>
            <ol class="deque" start="0">
                { for props.items.iter().enumerate().map(|(i, item)| {
                    let id = i.to_string();
                    html! {
                        <li class={classes!("chip", "list-item", flash(&props.marks, id.as_bytes()))}
                            title={format!("index {i}")}>
                            <span class="list-index">{ i }</span>
                            { shown(item) }
                        </li>
                    }
                }) }
                if props.len > props.items.len() {
                    <li class="chip more">{ format!("… {} more", props.len - props.items.len()) }</li>
                }
            </ol>
            <span class="deque-end tail">{ "tail · RPUSH/RPOP" }</span>
        </div>
    }
}
