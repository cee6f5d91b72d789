//! One client pane, a redis-cli look-alike: the transcript of prompts,
//! commands and replies, and an input line with history on the arrow keys.
//! A pane whose command blocks shows it waiting, with a cancel button.

use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::app::{Action, HistoryRequest};
use crate::state::console::Entry;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub pane: usize,
    pub entries: Vec<Entry>,
    pub prompt: String,
    pub blocked: bool,
    pub closable: bool,
    pub on_action: Callback<Action>,
    /// Up/down arrow: answers the line to show, if any.
    pub on_history: Callback<HistoryRequest, Option<String>>,
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
        let input = input.clone();
        let on_action = props.on_action.clone();
        let on_history = props.on_history.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let shown = match e.key().as_str() {
                "Enter" => {
                    let text = field.value();
                    field.set_value("");
                    on_action.emit(Action::Submit { pane, text });
                    return;
                }
                "ArrowUp" => on_history.emit(HistoryRequest::Previous(field.value())),
                "ArrowDown" => on_history.emit(HistoryRequest::Next),
                _ => return,
            };
            e.prevent_default();
            if let Some(line) = shown {
                field.set_value(&line);
            }
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
    let input_id = format!("console-input-{pane}");

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
            <div class="input-line">
                <label class="prompt" for={input_id.clone()}>{ &props.prompt }</label>
                <input
                    id={input_id}
                    class="console-input"
                    ref={input}
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    autofocus=true
                    disabled={props.blocked}
                    {onkeydown}
                />
            </div>
        </section>
    }
}

/// Whether redis-cli printed an error (shown in the error colour).
fn is_error(output: &str) -> bool {
    output.starts_with("(error) ")
}
