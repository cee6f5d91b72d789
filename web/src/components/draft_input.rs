//! A text input that keeps what is being typed until it is committed
//! (Enter, or leaving the field). The app re-renders on every clock tick,
//! and Yew sets a controlled input back to its stored value on each render,
//! so a plain `value=` input would undo keystrokes between two ticks.

use web_sys::HtmlInputElement;
use yew::prelude::*;

#[derive(Properties, PartialEq)]
pub struct DraftInputProps {
    /// The stored value; a new one replaces any draft.
    pub value: String,
    pub on_commit: Callback<String>,
    #[prop_or_default]
    pub id: Option<AttrValue>,
    #[prop_or_default]
    pub class: Classes,
    #[prop_or_default]
    pub label: Option<AttrValue>,
    #[prop_or(8)]
    pub size: u32,
    #[prop_or_default]
    pub disabled: bool,
}

#[function_component(DraftInput)]
pub fn draft_input(props: &DraftInputProps) -> Html {
    let draft = use_state(|| None::<String>);
    {
        let draft = draft.clone();
        use_effect_with(props.value.clone(), move |_| draft.set(None));
    }
    let oninput = {
        let draft = draft.clone();
        Callback::from(move |e: InputEvent| {
            draft.set(Some(e.target_unchecked_into::<HtmlInputElement>().value()));
        })
    };
    let onchange = props
        .on_commit
        .reform(|e: Event| e.target_unchecked_into::<HtmlInputElement>().value());
    let shown = (*draft).clone().unwrap_or_else(|| props.value.clone());
    html! {
        <input type="text" id={props.id.clone()} class={props.class.clone()}
            aria-label={props.label.clone()} size={props.size.to_string()}
            disabled={props.disabled} value={shown} {oninput} {onchange} />
    }
}
