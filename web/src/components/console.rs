//! One client pane, a redis-cli look-alike: the transcript of prompts,
//! commands and replies, and an input line edited as redis-cli's (Tab
//! completion, history on the arrows, Ctrl-R search, Ctrl-L clear, the
//! dimmed argument hint after the text; `state::editor` decides, this
//! reports keys). A pane whose command blocks shows it waiting, with a
//! cancel button. Tab completes only on a non-empty line, so an empty one
//! still lets the keyboard move on.

use wasm_bindgen::JsCast;
use web_sys::{ClipboardEvent, HtmlElement, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::app::Action;
use crate::state::console::Entry;
use crate::state::editor::Key;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub pane: usize,
    pub entries: Vec<Entry>,
    /// redis-cli's prompt, or the reverse search's while searching.
    pub prompt: String,
    pub searching: bool,
    /// What the input line shows.
    pub line: String,
    /// The dimmed hint after it.
    pub hint: String,
    pub blocked: bool,
    pub closable: bool,
    pub on_action: Callback<Action>,
    /// The transcript only, without an input line (a docs page's console
    /// that shows a run but takes no commands).
    #[prop_or_default]
    pub readonly: bool,
    /// The input's id, when several consoles share a page.
    #[prop_or_default]
    pub input_id: Option<AttrValue>,
    #[prop_or(true)]
    pub autofocus: bool,
}

/// What a key press in the input means, if anything of ours.
fn key_for(e: &KeyboardEvent, line: &str, searching: bool) -> Option<Key> {
    let key = e.key();
    if e.ctrl_key() && !e.alt_key() && !e.meta_key() {
        return match key.as_str() {
            "r" | "R" => Some(Key::Search),
            "l" | "L" => Some(Key::ClearScreen),
            "g" | "G" if searching => Some(Key::Abort),
            _ => None,
        };
    }
    match key.as_str() {
        "Enter" => Some(Key::Enter),
        "Tab" if !e.shift_key() && !line.is_empty() => Some(Key::Tab),
        "Escape" => Some(Key::Escape),
        "ArrowUp" => Some(Key::Up),
        "ArrowDown" => Some(Key::Down),
        "ArrowLeft" | "ArrowRight" | "Home" | "End" if searching => Some(Key::Escape),
        "Backspace" if searching => Some(Key::Backspace),
        typed if searching && typed.chars().count() == 1 && !e.alt_key() && !e.meta_key() => {
            Some(Key::Typed(typed.to_string()))
        }
        _ => None,
    }
}

#[function_component(ConsoleView)]
pub fn console_view(props: &ConsoleProps) -> Html {
    let input = use_node_ref();
    let transcript = use_node_ref();
    let pane = props.pane;

    // Keep the newest output in view.
    {
        let transcript = transcript.clone();
        let last = props.entries.last().map(|e| e.output.len());
        use_effect_with((props.entries.len(), last), move |_| {
            if let Some(el) = transcript.cast::<HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let onkeydown = {
        let on_action = props.on_action.clone();
        let (line, searching) = (props.line.clone(), props.searching);
        Callback::from(move |e: KeyboardEvent| {
            let Some(key) = key_for(&e, &line, searching) else {
                return;
            };
            // Caret moves still happen when they end a search.
            if !matches!(
                e.key().as_str(),
                "ArrowLeft" | "ArrowRight" | "Home" | "End"
            ) {
                e.prevent_default();
            }
            on_action.emit(Action::Key { pane, key });
        })
    };

    let oninput = {
        let on_action = props.on_action.clone();
        Callback::from(move |e: InputEvent| {
            let field: HtmlInputElement = e.target_unchecked_into();
            on_action.emit(Action::Key {
                pane,
                key: Key::Changed(field.value()),
            });
        })
    };

    // Pasted lines run one by one, as in a terminal; text after the last
    // newline stays in the input.
    let onpaste = {
        let on_action = props.on_action.clone();
        let line = props.line.clone();
        Callback::from(move |e: Event| {
            let Some(e) = e.dyn_ref::<ClipboardEvent>() else {
                return;
            };
            let Some(text) = e.clipboard_data().and_then(|d| d.get_data("text").ok()) else {
                return;
            };
            let Some(end) = text.rfind('\n') else {
                return;
            };
            e.prevent_default();
            let (lines, rest) = text.split_at(end);
            on_action.emit(Action::Submit {
                pane,
                text: format!("{line}{lines}"),
            });
            on_action.emit(Action::Key {
                pane,
                key: Key::Changed(rest.trim_start_matches(['\n', '\r']).to_string()),
            });
        })
    };

    let focus = {
        let input = input.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(field) = input.cast::<HtmlInputElement>() {
                let _ = field.focus();
            }
        })
    };
    let input_id = props
        .input_id
        .clone()
        .unwrap_or_else(|| format!("console-input-{pane}").into());

    html! {
        <section class={classes!("console", props.blocked.then_some("blocked"))} onclick={focus}
            data-pane={pane.to_string()}>
            <div class="pane-bar">
                <span class="pane-name">{ format!("client {}", pane + 1) }</span>
                if props.blocked {
                    <span class="blocked-state">{ "blocked" }</span>
                    <button class="cancel" onclick={props.on_action.reform(move |_| Action::Cancel { pane })}>
                        { "cancel" }
                    </button>
                }
                if props.closable {
                    <button class="close-pane" aria-label="close this client"
                        onclick={props.on_action.reform(move |_| Action::ClosePane { pane })}>
                        { "×" }
                    </button>
                }
            </div>
            <div class="transcript" ref={transcript}>
                { for props.entries.iter().map(|entry| html! {
                    <div class={classes!("entry", entry.pending.then_some("pending"))}>
                        if !entry.input.is_empty() {
                            <div class="command">
                                <span class="prompt">{ &entry.prompt }</span>
                                <span class="input">{ &entry.input }</span>
                            </div>
                        }
                        if !entry.output.is_empty() {
                            <pre class={classes!("reply", is_error(&entry.output).then_some("error"))}>
                                { &entry.output }
                            </pre>
                        }
                    </div>
                }) }
            </div>
            if !props.readonly {
            <div class={classes!("input-line", props.searching.then_some("searching"))}>
                <label class="prompt" for={input_id.clone()}>{ &props.prompt }</label>
                <div class="input-wrap">
                    <input
                        id={input_id}
                        class="console-input"
                        ref={input}
                        type="text"
                        value={props.line.clone()}
                        autocomplete="off"
                        autocapitalize="off"
                        spellcheck="false"
                        autofocus={props.autofocus}
                        disabled={props.blocked}
                        {onkeydown}
                        {oninput}
                        {onpaste}
                    />
                    <div class="hint-layer" aria-hidden="true">
                        <span class="hint-typed">{ &props.line }</span>
                        <span class="hint">{ &props.hint }</span>
                    </div>
                </div>
            </div>
            }
        </section>
    }
}

/// Whether redis-cli printed an error (shown in the error colour).
fn is_error(output: &str) -> bool {
    output.starts_with("(error) ")
}
