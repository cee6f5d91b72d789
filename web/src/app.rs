//! The app: the playground's state (one engine, its client panes, the
//! clock) behind a shared cell, the wall clock driving `tick` ten times a
//! second (as Redis's `hz 10`), and the layout: the clock bar, then the
//! client panes side by side.

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::components::clock::ClockBar;
use crate::components::console::ConsoleView;
use crate::components::keys::KeyBrowserView;
use crate::components::server::ServerView;
use crate::components::visualizers::Visualizer;
use crate::state::keys::KeysAction;
use crate::state::playground::Playground;

/// Wall-clock unix milliseconds from the browser.
pub fn wall_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// What a view asks of the playground.
#[derive(Clone, PartialEq)]
pub enum Action {
    Submit { pane: usize, text: String },
    Cancel { pane: usize },
    AddPane,
    ClosePane { pane: usize },
    Pause,
    Resume,
    Advance { ms: i64 },
    Keys(KeysAction),
}

/// What the input asks of the history: the line before, or after.
#[derive(Clone, PartialEq)]
pub enum HistoryRequest {
    Previous(String),
    Next,
}

#[function_component(App)]
pub fn app() -> Html {
    let playground = use_mut_ref(|| Playground::new(wall_ms()));
    // Bumped after every change so the views re-render from the state.
    let revision = use_state(|| 0u64);

    {
        let playground = Rc::clone(&playground);
        let revision = revision.clone();
        use_effect_with((), move |_| {
            let interval = Interval::new(100, move || {
                playground.borrow_mut().tick(wall_ms());
                revision.set(*revision + 1);
            });
            move || drop(interval)
        });
    }

    let act = {
        let playground = Rc::clone(&playground);
        let revision = revision.clone();
        Callback::from(move |action: Action| {
            apply(&mut playground.borrow_mut(), action);
            revision.set(*revision + 1);
        })
    };

    let state = playground.borrow();
    let now = state.clock.now(wall_ms());
    html! {
        <main class="playground">
            <header>
                <h1>{ "redsim" }</h1>
                <p class="tagline">{ "Redis 7 in your browser tab. Type a command." }</p>
                <ClockBar
                    now_ms={now}
                    paused={state.clock.is_paused()}
                    ahead_ms={state.clock.ahead_ms(wall_ms())}
                    on_action={act.clone()}
                />
            </header>
            <div class="workspace">
            <aside class="side">
                { key_browser(&state, now, &act) }
                <ServerView panel={state.server.clone()} />
            </aside>
            <div class="work">
            <section class="panes">
                { for state.panes.iter().map(|pane| {
                    let id = pane.id;
                    let on_history = history_callback(&playground, &revision, id);
                    html! {
                        <ConsoleView
                            key={id}
                            pane={id}
                            entries={pane.entries.clone()}
                            prompt={state.prompt(id)}
                            blocked={pane.is_blocked()}
                            closable={state.panes.len() > 1}
                            on_action={act.clone()}
                            {on_history}
                        />
                    }
                }) }
                <button class="add-pane" onclick={act.reform(|_| Action::AddPane)}>
                    { "+ client" }
                </button>
            </section>
            { visualizer(&state, now, &act) }
            </div>
            </div>
        </main>
    }
}

/// The key browser, from the playground's key state.
fn key_browser(state: &Playground, now: i64, act: &Callback<Action>) -> Html {
    let keys = &state.keys;
    html! {
        <KeyBrowserView
            lines={keys.lines()}
            db={keys.db}
            db_sizes={state.db_sizes()}
            filter={keys.filter.clone()}
            sort={keys.sort}
            separator={keys.separator.clone()}
            held={keys.len()}
            complete={keys.is_complete()}
            selected={keys.selection.as_ref().map(|s| s.key.clone())}
            now_ms={now}
            on_action={act.clone()}
        />
    }
}

/// The selected key's visualizer, if a key is selected.
fn visualizer(state: &Playground, now: i64, act: &Callback<Action>) -> Html {
    let Some(selection) = state.keys.selection.clone() else {
        return Html::default();
    };
    html! {
        <Visualizer {selection} sets={state.keys.keys_of_kind("set")} now_ms={now}
            on_action={act.clone()} />
    }
}

fn apply(p: &mut Playground, action: Action) {
    let wall = wall_ms();
    match action {
        Action::Submit { pane, text } => p.submit(pane, &text, wall),
        Action::Cancel { pane } => p.cancel(pane),
        Action::AddPane => {
            p.add_pane();
        }
        Action::ClosePane { pane } => p.close_pane(pane),
        Action::Pause => p.clock.pause(wall),
        Action::Resume => p.clock.resume(wall),
        Action::Advance { ms } => {
            p.clock.advance(ms);
            p.tick(wall);
        }
        Action::Keys(action) => p.keys_action(action),
    }
}

/// Up/down arrows in a pane: answers the line to show, if any.
fn history_callback(
    playground: &Rc<RefCell<Playground>>,
    revision: &UseStateHandle<u64>,
    pane: usize,
) -> Callback<HistoryRequest, Option<String>> {
    let playground = Rc::clone(playground);
    let revision = revision.clone();
    Callback::from(move |request: HistoryRequest| {
        let mut state = playground.borrow_mut();
        let history = &mut state.panes.iter_mut().find(|p| p.id == pane)?.history;
        let answer = match request {
            HistoryRequest::Previous(current) => history.previous(&current),
            HistoryRequest::Next => history.next(),
        };
        revision.set(*revision + 1);
        answer
    })
}
