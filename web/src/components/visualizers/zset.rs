//! A sorted set as a leaderboard: highest score first, bars scaled to the
//! top score, members whose score changed flashing, and the members in the
//! score range the last command read (ZRANGEBYSCORE, ZCOUNT...) marked.

use yew::prelude::*;

use super::flash;
use crate::state::keys::shown;
use crate::state::query::Query;
use crate::state::selection::Marks;

#[derive(Properties, PartialEq)]
pub struct ZSetProps {
    /// Lowest score first (as ZRANGE), possibly only the lowest ranks.
    pub members: Vec<(Vec<u8>, f64)>,
    /// ZCARD.
    pub len: usize,
    pub query: Option<Query>,
    pub marks: Marks,
}

#[function_component(ZSetView)]
pub fn zset_view(props: &ZSetProps) -> Html {
    let top = props
        .members
        .iter()
        .map(|(_, s)| s.abs())
        .fold(0.0, f64::max);
    let width = |score: f64| {
        if top > 0.0 {
            (score.abs() / top * 100.0).max(1.0)
        } else {
            1.0
        }
    };
    html! {
        <div class="viz-zset">
            if props.len > props.members.len() {
                <p class="note">{ format!("the {} lowest-ranked of {}", props.members.len(), props.len) }</p>
            }
            <ol class="leaderboard">
                { for props.members.iter().rev().enumerate().map(|(i, (member, score))| html! {
                    <li class={classes!(
                        "rank",
                        flash(&props.marks, member),
                        props.query.as_ref().is_some_and(|q| q.includes(*score)).then_some("in-range")
                    )}>
                        <span class="rank-no">{ format!("#{}", i + 1) }</span>
                        <span class="rank-member">{ shown(member) }</span>
                        <span class="rank-bar-wrap">
                            <span class={classes!("rank-bar", (*score < 0.0).then_some("negative"))}
                                style={format!("width: {:.1}%", width(*score))}></span>
                        </span>
                        <span class="rank-score">{ score.to_string() }</span>
                    </li>
                }) }
            </ol>
        </div>
    }
}
