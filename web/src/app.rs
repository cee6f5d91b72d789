//! The app: the playground's state (one engine, its client panes, the
//! clock) behind a shared cell, the wall clock driving `tick` ten times a
//! second (as Redis's `hz 10`), and the layout: the clock bar, then the
//! client panes side by side.

use std::rc::Rc;

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::components::clock::ClockBar;
use crate::components::console::ConsoleView;
use crate::components::keys::KeyBrowserView;
use crate::components::lessons::LessonPanel;
use crate::components::server::ServerView;
use crate::components::sims::SimPanel;
use crate::components::slowlog::SlowlogView;
use crate::components::visualizers::Visualizer;
use crate::console_host;
use crate::persistence::use_persistence;
use crate::state::editor::Key;
use crate::state::keys::KeysAction;
use crate::state::lessons::LessonAction;
use crate::state::playground::Playground;
use crate::state::sims::SimAction;
use crate::state::workbench::Workbench;

/// Wall-clock unix milliseconds from the browser.
pub fn wall_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// What a view asks of the playground.
#[derive(Clone, PartialEq)]
pub enum Action {
    Submit {
        pane: usize,
        text: String,
    },
    Cancel {
        pane: usize,
    },
    AddPane,
    ClosePane {
        pane: usize,
    },
    Pause,
    Resume,
    Advance {
        ms: i64,
    },
    Keys(KeysAction),
    Key {
        pane: usize,
        key: Key,
    },
    SlowlogThreshold {
        us: i64,
    },
    Lesson(LessonAction),
    /// Runs lines in the n-th client pane (1-based), as a lesson's ▶ does.
    RunIn {
        client: usize,
        text: String,
    },
    Sim(SimAction),
}

#[function_component(App)]
pub fn app() -> Html {
    let playground = use_mut_ref(|| {
        let mut playground = Playground::new(wall_ms());
        console_host::attach(&mut playground.session);
        playground
    });
    let workbench = use_mut_ref(Workbench::default);
    // Called after every change so the views re-render from the state.
    let rerender = use_force_update();

    {
        let (playground, workbench) = (Rc::clone(&playground), Rc::clone(&workbench));
        let rerender = rerender.clone();
        use_effect_with((), move |_| {
            let interval = Interval::new(100, move || {
                workbench
                    .borrow_mut()
                    .tick(&mut playground.borrow_mut(), wall_ms());
                rerender.force_update();
            });
            move || drop(interval)
        });
    }

    // One callback for the component's life, so that views given it keep
    // equal props and Yew skips them when nothing else of theirs changed.
    let act = {
        let (playground, workbench) = (Rc::clone(&playground), Rc::clone(&workbench));
        use_callback((), move |action: Action, _| {
            apply(
                &mut playground.borrow_mut(),
                &mut workbench.borrow_mut(),
                action,
            );
            rerender.force_update();
        })
    };

    // Before the playground is borrowed for rendering: the first call loads it.
    let persistence = use_persistence(&playground);
    let state = playground.borrow();
    let bench = workbench.borrow();
    let now = state.session.clock.now(wall_ms());
    html! {
        <main class="playground">
            <header>
                <h1>{ "redsim" }</h1>
                <p class="tagline">{ "Redis 7 in your browser tab. Type a command." }</p>
                <ClockBar
                    now_ms={now}
                    paused={state.session.clock.is_paused()}
                    ahead_ms={state.session.clock.ahead_ms(wall_ms())}
                    on_action={act.clone()}
                />
                <button class="lessons-toggle" aria-pressed={bench.tutor.shown.to_string()}
                    onclick={act.reform(|_| Action::Lesson(LessonAction::Toggle))}>{ "lessons" }</button>
                <button class="sims-toggle" aria-pressed={bench.sims.shown.to_string()}
                    onclick={act.reform(|_| Action::Sim(SimAction::Toggle))}>{ "simulations" }</button>
                { persistence }
            </header>
            <div class="workspace">
            <aside class="side">
                { key_browser(&state, &bench, now, &act) }
                <ServerView panel={state.server.clone()} />
            </aside>
            <div class="work">
            if bench.tutor.shown {
                <LessonPanel tutor={bench.tutor.clone()} on_action={act.clone()} />
            }
            if bench.sims.shown {
                <SimPanel view={bench.sims.view()} on_action={act.clone()} />
            }
            <section class="panes">
                { for state.session.panes.iter().map(|pane| {
                    let id = pane.id;
                    let search_prompt = pane.editor.search_prompt();
                    html! {
                        <ConsoleView
                            key={id}
                            pane={id}
                            entries={pane.entries.clone()}
                            searching={search_prompt.is_some()}
                            prompt={search_prompt.unwrap_or_else(|| state.prompt(id))}
                            line={pane.editor.shown(&pane.history).to_string()}
                            hint={state.hint(id)}
                            blocked={pane.is_blocked()}
                            closable={state.session.panes.len() > 1}
                            on_action={act.clone()}
                        />
                    }
                }) }
                <button class="add-pane" onclick={act.reform(|_| Action::AddPane)}>
                    { "+ client" }
                </button>
            </section>
            { slowlog(&state, &act) }
            { visualizer(&state, now, &act) }
            </div>
            </div>
        </main>
    }
}

/// The key browser, from the playground's key state.
fn key_browser(state: &Playground, bench: &Workbench, now: i64, act: &Callback<Action>) -> Html {
    let keys = &state.keys;
    // The time is read only by TTL countdowns. Without one listed, it
    // stays 0, so a command that changes no key leaves the view's props
    // equal and its up to 1,000 rows are not rendered again (that took
    // ~10 ms after each command with 1M keys).
    let countdown_time = if keys.has_countdowns() {
        bench.keys_now(state, now)
    } else {
        0
    };
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
            now_ms={countdown_time}
            of_simulation={keys.of_simulation}
            simulation_keys={bench.simulation_keys()}
            on_action={act.clone()}
        />
    }
}

/// The slow log, read from the engine.
fn slowlog(state: &Playground, act: &Callback<Action>) -> Html {
    let (rows, threshold_us) = state.slowlog();
    html! { <SlowlogView {rows} {threshold_us} on_action={act.clone()} /> }
}

/// The selected key's visualizer, if a key is selected.
fn visualizer(state: &Playground, now: i64, act: &Callback<Action>) -> Html {
    let Some(selection) = state.keys.selection.clone() else {
        return Html::default();
    };
    let query = crate::state::query::of_line(&state.session.last_line, &selection.key);
    let exact = state.exact.get(selection.db, &selection.key);
    html! {
        <Visualizer {selection} sets={state.keys.keys_of_kind("set")} now_ms={now}
            {query} {exact} on_action={act.clone()} />
    }
}

fn apply(p: &mut Playground, bench: &mut Workbench, action: Action) {
    let wall = wall_ms();
    match action {
        Action::Submit { pane, text } => p.submit(pane, &text, wall),
        Action::Key { pane, key } => p.key(pane, key, wall),
        Action::SlowlogThreshold { us } => p.set_slowlog_threshold(us),
        Action::Cancel { pane } => p.cancel(pane),
        Action::AddPane => {
            p.add_pane();
        }
        Action::ClosePane { pane } => p.close_pane(pane),
        Action::Pause => p.session.clock.pause(wall),
        Action::Resume => p.session.clock.resume(wall),
        Action::Advance { ms } => {
            p.session.clock.advance(ms);
            p.tick(wall);
        }
        Action::Keys(action) => bench.keys_action(p, action),
        Action::Lesson(action) => bench.lesson_action(p, action, wall),
        Action::RunIn { client, text } => {
            p.run_in_client(client, &text, wall);
        }
        Action::Sim(action) => bench.sims.act(action, wall),
    }
}
