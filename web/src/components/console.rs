//! The redis-cli look-alike: the transcript of prompts, commands and
//! replies, and an input line with history on the arrow keys.

use web_sys::{HtmlElement, HtmlInputElement, KeyboardEvent};
use yew::prelude::*;

use crate::app::HistoryRequest;
use crate::state::console::Entry;

#[derive(Properties, PartialEq)]
pub struct ConsoleProps {
    pub entries: Vec<Entry>,
    pub prompt: String,
    /// A line was entered.
    pub on_submit: Callback<String, Option<String>>,
    /// Up/down arrow: answers the line to show, if any.
    pub on_history: Callback<HistoryRequest, Option<String>>,
}

#[function_component(ConsoleView)]
pub fn console_view(props: &ConsoleProps) -> Html {
    let input = use_node_ref();
    let transcript = use_node_ref();

    // Keep the newest output in view.
    {
        let transcript = transcript.clone();
        use_effect_with(props.entries.len(), move |_| {
            if let Some(el) = transcript.cast::<HtmlElement>() {
                el.set_scroll_top(el.scroll_height());
            }
        });
    }

    let onkeydown = {
        let input = input.clone();
        let on_submit = props.on_submit.clone();
        let on_history = props.on_history.clone();
        Callback::from(move |e: KeyboardEvent| {
            let Some(field) = input.cast::<HtmlInputElement>() else {
                return;
            };
            let shown = match e.key().as_str() {
                "Enter" => {
                    let line = field.value();
                    field.set_value("");
                    on_submit.emit(line);
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

    html! {
        <section class="console" onclick={focus}>
            <div class="transcript" ref={transcript}>
                { for props.entries.iter().map(|entry| html! {
                    <div class="entry">
                        <div class="command">
                            <span class="prompt">{ &entry.prompt }</span>
                            <span class="input">{ &entry.input }</span>
                        </div>
                        if !entry.output.is_empty() {
                            <pre class="reply">{ &entry.output }</pre>
                        }
                    </div>
                }) }
            </div>
            <div class="input-line">
                <label class="prompt" for="console-input">{ &props.prompt }</label>
                <input
                    id="console-input"
                    ref={input}
                    type="text"
                    autocomplete="off"
                    spellcheck="false"
                    autofocus=true
                    {onkeydown}
                />
            </div>
        </section>
    }
}
