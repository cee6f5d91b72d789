//! A string: its text (or number), and a bitmap grid of its bits, which
//! opens by itself when the bytes are not text (SETBIT, BITOP) and can be
//! toggled for any string.

use yew::prelude::*;

use super::flash;
use crate::state::keys::shown;
use crate::state::selection::Marks;
use crate::state::shapes::{bits, looks_like_bitmap, BITS_LIMIT};

#[derive(Properties, PartialEq)]
pub struct StringProps {
    pub bytes: Vec<u8>,
    pub marks: Marks,
}

#[function_component(StringView)]
pub fn string_view(props: &StringProps) -> Html {
    let bitmap = looks_like_bitmap(&props.bytes);
    // None: follow what the bytes look like; Some: the person's choice.
    let choice = use_state(|| None::<bool>);
    let show_bits = choice.unwrap_or(bitmap);
    let toggle = {
        let choice = choice.clone();
        Callback::from(move |_| choice.set(Some(!show_bits)))
    };
    let number = std::str::from_utf8(&props.bytes)
        .ok()
        .filter(|t| t.parse::<f64>().is_ok_and(f64::is_finite));
    let changed = !props.marks.is_empty();
    html! {
        <div class="viz-string">
            <button class="bits-toggle" aria-pressed={show_bits.to_string()} onclick={toggle}>
                { if show_bits { "text view" } else { "bit view" } }
            </button>
            if show_bits {
                { bit_grid(&props.bytes, &props.marks) }
            } else if let Some(n) = number {
                <div class={classes!("string-number", changed.then_some("flash-changed"))}>{ n }</div>
            } else {
                <pre class={classes!("string-text", changed.then_some("flash-changed"))}>{ shown(&props.bytes) }</pre>
            }
        </div>
    }
}

/// Eight bits a row, one row a byte, offsets as SETBIT numbers them.
fn bit_grid(bytes: &[u8], marks: &Marks) -> Html {
    let set: usize = bits(bytes).filter(|b| *b).count();
    let rows: Vec<Vec<bool>> = bits(bytes)
        .collect::<Vec<_>>()
        .chunks(8)
        .map(<[bool]>::to_vec)
        .collect();
    html! {
        <div class="bit-grid-wrap">
            <p class="bit-count">{ format!("{set} bits set (BITCOUNT) in {} bytes", bytes.len()) }
                if bytes.len() > BITS_LIMIT { { format!(", the first {BITS_LIMIT} drawn") } }
            </p>
            <div class="bit-grid" role="img" aria-label="bits of the string">
                { for rows.iter().enumerate().map(|(byte, row)| html! {
                    <div class="bit-row">
                        <span class="bit-offset">{ byte * 8 }</span>
                        { for row.iter().enumerate().map(|(i, bit)| {
                            let offset = byte * 8 + i;
                            let id = offset.to_string();
                            html! {
                                <span class={classes!("bit", bit.then_some("on"), flash(marks, id.as_bytes()))}
                                    title={format!("bit {offset}")}>{ u8::from(*bit) }</span>
                            }
                        }) }
                    </div>
                }) }
            </div>
        </div>
    }
}
