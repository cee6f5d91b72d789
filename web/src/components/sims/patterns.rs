//! The smaller patterns' figures: the lock's acquisitions and the releases
//! that freed another worker's lock, the job queue's lost and reclaimed
//! jobs, the live leaderboard, the session store's visits found or
//! expired, and the chat's messages with who received them.

use yew::prelude::*;

use crate::state::keys::countdown;
use crate::state::sims::PatternView;

pub fn pattern_view(p: &PatternView) -> Html {
    match p {
        PatternView::Lock {
            stats,
            safe_release,
        } => html! {
            <div class="sim-pattern" data-pattern="lock">
                <p class="sim-explain">
                    { "Two workers take turns on a resource guarded by SET lock NX PX. A slow worker outlives the lock's TTL; " }
                    if *safe_release {
                        { "its release checks the token first (GET, compare, DEL inside WATCH/MULTI), so it never frees a lock the other worker now holds." }
                    } else {
                        { "its plain DEL then frees the lock the other worker now holds, and both work at once." }
                    }
                </p>
                <dl class="figures">
                    { figure("acquisitions", stats.acquisitions, false) }
                    { figure("lock expired while held", stats.expired_while_held, false) }
                    { figure("released another worker's lock", stats.wrong_releases, stats.wrong_releases > 0) }
                    { figure("releases refused by the token check", stats.refused_releases, false) }
                    { figure("times both worked at once", stats.overlaps, stats.overlaps > 0) }
                </dl>
            </div>
        },
        PatternView::Jobs { stats, stream } => html! {
            <div class="sim-pattern" data-pattern="jobs">
                <p class="sim-explain">
                    if *stream {
                        { "Jobs go into a stream read by a consumer group: a job stays pending until XACK, so when a worker crashes another takes its job over with XAUTOCLAIM." }
                    } else {
                        { "Jobs go into a list: LPUSH in, and idle workers wait in BRPOP until one arrives. A job popped by a worker that then crashes is gone." }
                    }
                </p>
                <dl class="figures">
                    { figure("produced", stats.produced, false) }
                    { figure("completed", stats.completed, false) }
                    { figure("lost", stats.lost, stats.lost > 0) }
                    { figure("reclaimed (XAUTOCLAIM)", stats.reclaimed, false) }
                </dl>
            </div>
        },
        PatternView::Leaderboard { ranking, followed } => html! {
            <div class="sim-pattern" data-pattern="leaderboard">
                <p class="sim-explain">{ "Scores arrive as ZINCRBY; the board is read with ZREVRANGE … WITHSCORES, one player's place with ZREVRANK." }</p>
                if let Some(r) = ranking {
                    <ol class="board">
                        { for r.top.iter().map(|(player, score)| html! {
                            <li class={classes!((player == followed).then_some("followed"))}>
                                <span class="board-player">{ player }</span>
                                <span class="board-score">{ score }</span>
                            </li>
                        }) }
                    </ol>
                    <p class="followed-rank">
                        { format!("{followed} is ranked {} (ZREVRANK, from 0)",
                            r.followed_rank.map_or("–".to_string(), |n| n.to_string())) }
                    </p>
                }
            </div>
        },
        PatternView::Sessions { ttl_ms, recent } => html! {
            <div class="sim-pattern" data-pattern="sessions">
                <p class="sim-explain">
                    { format!("Each request reads the session and refreshes its TTL in one command (GETEX … EX, TTL {}); a user idle longer finds it expired and logs in again.", countdown(*ttl_ms as i64)) }
                </p>
                <ul class="visits">
                    { for recent.iter().map(|v| html! {
                        <li class={classes!("visit", if v.found { "found" } else { "expired" })}>
                            { format!("{:.1} s · user {} · idle {} · {}", v.at_ms as f64 / 1000.0, v.user,
                                countdown(v.idle_ms as i64), if v.found { "session found" } else { "no session: log in" }) }
                        </li>
                    }) }
                </ul>
            </div>
        },
        PatternView::Chat { messages, received } => html! {
            <div class="sim-pattern" data-pattern="chat">
                <p class="sim-explain">{ "Members SUBSCRIBE to a room and PUBLISH to it; a message reaches whoever is subscribed at that moment (PUBLISH answers how many) and nobody else, not even those who join later." }</p>
                <ul class="messages">
                    { for messages.iter().rev().map(|m| html! {
                        <li>{ format!("{:.1} s · member {}: {} → reached {}", m.at_ms as f64 / 1000.0, m.from, m.text, m.reached) }</li>
                    }) }
                </ul>
                <p class="received">
                    { for received.iter().enumerate().map(|(i, n)| html! { <span>{ format!("member {i} received {n} · ") }</span> }) }
                </p>
            </div>
        },
    }
}

fn figure(label: &str, value: u64, alarm: bool) -> Html {
    html! {
        <div class={classes!("figure", alarm.then_some("alarm"))}>
            <dt>{ label }</dt>
            <dd>{ value }</dd>
        </div>
    }
}
