//! The docs widget: one `<redsim-console>` element's console, mounted by
//! `web/widget/redsim-widget.js` on any page. Elements naming the same
//! `session` are clients of one database, mounted in document order;
//! others each get their own. The element's `redis>` lines run on mount
//! when it asks (autorun); its JS API (`run`, `clear`, `reset`) goes
//! through `WidgetHandle`, and every command run fires an `execute` event
//! on the element with the command and redis-cli's reply.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use gloo_timers::callback::Interval;
use wasm_bindgen::prelude::*;
use web_sys::{CustomEvent, CustomEventInit, Element};
use yew::prelude::*;

use crate::app::{wall_ms, Action};
use crate::components::console::ConsoleView;
use crate::console_host;
use crate::state::editor::Key;
use crate::state::session::{NoHooks, Session};
use crate::state::share;

thread_local! {
    /// The databases of named sessions, shared by their elements.
    static SESSIONS: RefCell<HashMap<String, Shared>> = RefCell::new(HashMap::new());
    /// Numbers the elements, for their inputs' ids.
    static MOUNTED: RefCell<usize> = const { RefCell::new(0) };
}

/// A console session shared by the elements naming it (compared by
/// identity). The widget shows only consoles, so it runs the session
/// without the playground's key browser and persistence (`NoHooks`).
#[derive(Clone)]
struct Shared(Rc<RefCell<Session>>);

impl PartialEq for Shared {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

fn new_session() -> Shared {
    let mut session = Session::new(wall_ms());
    console_host::attach(&mut session);
    Shared(Rc::new(RefCell::new(session)))
}

/// What the page's script holds for one element.
#[wasm_bindgen]
pub struct WidgetHandle {
    shared: Shared,
    pane: usize,
    host: Element,
    /// The element's `redis>` lines.
    script: Vec<String>,
    autorun: bool,
}

/// Mounts a console for the element `host` into `root` (inside it).
/// `script` is the element's text; its lines starting with `redis>` are its
/// commands. `playground_url` is where "open in playground" leads.
#[wasm_bindgen]
pub fn mount(
    root: Element,
    host: Element,
    session: Option<String>,
    script: &str,
    autorun: bool,
    readonly: bool,
    playground_url: String,
) -> WidgetHandle {
    let (shared, pane) = match session.filter(|s| !s.is_empty()) {
        Some(name) => SESSIONS.with(|sessions| {
            let mut sessions = sessions.borrow_mut();
            match sessions.get(&name) {
                Some(shared) => {
                    let pane = shared.0.borrow_mut().add_pane();
                    (shared.clone(), pane)
                }
                None => {
                    let shared = new_session();
                    let pane = first_pane(&shared);
                    sessions.insert(name, shared.clone());
                    (shared, pane)
                }
            }
        }),
        None => {
            let shared = new_session();
            let pane = first_pane(&shared);
            (shared, pane)
        }
    };
    let handle = WidgetHandle {
        shared: shared.clone(),
        pane,
        host: host.clone(),
        script: commands_of(script),
        autorun,
    };
    if autorun {
        handle.run_script();
    }
    let number = MOUNTED.with(|n| {
        let mut n = n.borrow_mut();
        *n += 1;
        *n
    });
    let props = WidgetProps {
        shared,
        pane,
        host,
        readonly,
        input_id: format!("redsim-console-{number}").into(),
        playground_url,
    };
    yew::Renderer::<WidgetConsole>::with_root_and_props(root, props).render();
    handle
}

fn first_pane(shared: &Shared) -> usize {
    shared.0.borrow().panes.first().map_or(0, |p| p.id)
}

/// The commands in an element's text: its `redis>` lines, prompt removed.
pub fn commands_of(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|line| line.trim().strip_prefix("redis>"))
        .map(|command| command.trim().to_string())
        .filter(|command| !command.is_empty())
        .collect()
}

#[wasm_bindgen]
impl WidgetHandle {
    /// Runs a line as if typed; redis-cli's reply.
    pub fn run(&self, line: &str) -> String {
        run_lines(&self.shared, self.pane, &self.host, line)
    }

    /// Clears the transcript (Ctrl-L).
    pub fn clear(&self) {
        self.shared
            .0
            .borrow_mut()
            .key(self.pane, Key::ClearScreen, wall_ms(), &mut NoHooks);
    }

    /// Empties the database and the transcript, then runs the element's
    /// commands again if it runs them on load.
    pub fn reset(&self) {
        {
            let mut p = self.shared.0.borrow_mut();
            p.submit(self.pane, "FLUSHALL", wall_ms(), &mut NoHooks);
            p.key(self.pane, Key::ClearScreen, wall_ms(), &mut NoHooks);
        }
        if self.autorun {
            self.run_script();
        }
    }
}

impl WidgetHandle {
    fn run_script(&self) {
        for line in &self.script {
            run_lines(&self.shared, self.pane, &self.host, line);
        }
    }
}

/// Runs `text` in the pane, fires an `execute` event per command; the last
/// reply.
fn run_lines(shared: &Shared, pane: usize, host: &Element, text: &str) -> String {
    let before = entries(shared, pane);
    shared
        .0
        .borrow_mut()
        .submit(pane, text, wall_ms(), &mut NoHooks);
    announce(shared, pane, host, before);
    shared
        .0
        .borrow()
        .pane(pane)
        .and_then(|p| p.entries.last())
        .map(|e| e.output.clone())
        .unwrap_or_default()
}

fn entries(shared: &Shared, pane: usize) -> usize {
    shared.0.borrow().pane(pane).map_or(0, |p| p.entries.len())
}

/// Fires `execute` on the element for each entry after the first `from`.
fn announce(shared: &Shared, pane: usize, host: &Element, from: usize) {
    let new: Vec<(String, String)> = shared
        .0
        .borrow()
        .pane(pane)
        .map(|p| {
            p.entries
                .iter()
                .skip(from)
                .filter(|e| !e.input.is_empty())
                .map(|e| (e.input.clone(), e.output.clone()))
                .collect()
        })
        .unwrap_or_default();
    for (command, reply) in new {
        let detail = js_sys::Object::new();
        // Setting a property on a fresh plain object cannot fail.
        let _ = js_sys::Reflect::set(&detail, &"command".into(), &command.into());
        let _ = js_sys::Reflect::set(&detail, &"reply".into(), &reply.into());
        let init = CustomEventInit::new();
        init.set_detail(&detail);
        init.set_bubbles(true);
        if let Ok(event) = CustomEvent::new_with_event_init_dict("execute", &init) {
            let _ = host.dispatch_event(&event);
        }
    }
}

#[derive(Properties, PartialEq)]
struct WidgetProps {
    shared: Shared,
    pane: usize,
    host: Element,
    readonly: bool,
    input_id: AttrValue,
    playground_url: String,
}

#[function_component(WidgetConsole)]
fn widget_console(props: &WidgetProps) -> Html {
    let update = use_force_update();
    {
        // The clock runs on (TTLs, blocking timeouts) and other elements of
        // the session may have delivered messages: redraw every 100 ms.
        let (shared, update) = (props.shared.clone(), update.clone());
        use_effect_with((), move |_| {
            let interval = Interval::new(100, move || {
                shared.0.borrow_mut().tick(wall_ms(), &mut NoHooks);
                update.force_update();
            });
            move || drop(interval)
        });
    }
    let on_action = {
        let (shared, host, pane) = (props.shared.clone(), props.host.clone(), props.pane);
        Callback::from(move |action: Action| {
            let before = entries(&shared, pane);
            {
                let mut p = shared.0.borrow_mut();
                match action {
                    Action::Submit { text, .. } => p.submit(pane, &text, wall_ms(), &mut NoHooks),
                    Action::Key { key, .. } => p.key(pane, key, wall_ms(), &mut NoHooks),
                    Action::Cancel { .. } => p.cancel(pane, &mut NoHooks),
                    _ => return,
                }
            }
            announce(&shared, pane, &host, before);
            update.force_update();
        })
    };
    let p = props.shared.0.borrow();
    let Some(pane) = p.pane(props.pane) else {
        return Html::default();
    };
    let search_prompt = pane.editor.search_prompt();
    let script: String = pane
        .entries
        .iter()
        .filter(|e| !e.input.is_empty())
        .map(|e| format!("{}\n", e.input))
        .collect();
    let link = format!("{}#{}", props.playground_url, share::encode_stored(&script));
    html! {
        <div class="redsim-widget">
            <ConsoleView
                pane={props.pane}
                entries={pane.entries.clone()}
                searching={search_prompt.is_some()}
                prompt={search_prompt.unwrap_or_else(|| p.prompt(props.pane))}
                line={pane.editor.shown(&pane.history).to_string()}
                hint={p.hint(props.pane)}
                blocked={pane.is_blocked()}
                closable={false}
                readonly={props.readonly}
                input_id={props.input_id.clone()}
                autofocus={false}
                {on_action}
            />
            <a class="open-playground" href={link} target="_blank" rel="noopener">{ "Open in playground ↗" }</a>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::commands_of;

    #[test]
    fn the_commands_are_the_redis_prompt_lines() {
        let text =
            "\n  redis> SET greeting hello\n  OK\n  redis> GET greeting\n  \"hello\"\nredis>\n";
        assert_eq!(commands_of(text), ["SET greeting hello", "GET greeting"]);
    }
}
