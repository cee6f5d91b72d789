//! The app: one console session over the engine, the wall clock driving
//! active expiry ten times a second (as Redis's `hz 10`).

use std::cell::RefCell;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::components::console::ConsoleView;
use crate::state::console::Console;

/// Wall-clock unix milliseconds from the browser.
fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

#[function_component(App)]
pub fn app() -> Html {
    let console = use_mut_ref(|| Console::new(now_ms()));
    // Bumped after every change so the view re-renders from the session.
    let revision = use_state(|| 0u64);

    {
        let console = Rc::clone(&console);
        use_effect_with((), move |_| {
            let interval = Interval::new(100, move || console.borrow_mut().tick(now_ms()));
            move || drop(interval)
        });
    }

    let on_submit = callback(&console, &revision, |c: &mut Console, line: String| {
        c.submit(&line, now_ms());
        None
    });
    let on_history = callback(
        &console,
        &revision,
        |c: &mut Console, request: HistoryRequest| match request {
            HistoryRequest::Previous(current) => c.history.previous(&current),
            HistoryRequest::Next => c.history.next(),
        },
    );

    let session = console.borrow();
    html! {
        <main class="playground">
            <header>
                <h1>{ "redsim" }</h1>
                <p class="tagline">{ "Redis 7 in your browser tab. Type a command." }</p>
            </header>
            <ConsoleView
                entries={session.entries.clone()}
                prompt={session.prompt()}
                {on_submit}
                {on_history}
            />
        </main>
    }
}

/// What the input asks of the history: the line before, or after.
#[derive(Clone, PartialEq)]
pub enum HistoryRequest {
    Previous(String),
    Next,
}

/// A callback that runs `f` on the session, re-renders, and answers with
/// what `f` returned (the line to show in the input, if any).
fn callback<T: 'static>(
    console: &Rc<RefCell<Console>>,
    revision: &UseStateHandle<u64>,
    f: fn(&mut Console, T) -> Option<String>,
) -> Callback<T, Option<String>> {
    let console = Rc::clone(console);
    let revision = revision.clone();
    Callback::from(move |arg: T| {
        let answer = f(&mut console.borrow_mut(), arg);
        revision.set(*revision + 1);
        answer
    })
}
