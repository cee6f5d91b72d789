//! A string: its text (or number), and a bitmap grid of its bits, which
//! opens by itself when the bytes are not text (SETBIT, BITOP) and can be
//! toggled for any string. The range a BITCOUNT or BITPOS read is marked
//! on the grid, with the count in it.

use std::ops::RangeInclusive;

use yew::prelude::*;

use super::{counted, flash};
use crate::state::keys::shown;
use crate::state::selection::Marks;
use crate::state::shapes::{bits, count_bits, looks_like_bitmap, BITS_LIMIT};

#[derive(Properties, PartialEq)]
pub struct StringProps {
    pub bytes: Vec<u8>,
    pub marks: Marks,
    /// The bits the last BITCOUNT/BITPOS read.
    pub range: Option<RangeInclusive<usize>>,
}

#[function_component(StringView)]
pub fn string_view(props: &StringProps) -> Html {
    let bitmap = looks_like_bitmap(&props.bytes);
    // None: follow what the bytes look like; Some: the person's choice.
    let choice = use_state(|| None::<bool>);
    // A bit range asked about opens the grid, unless the person chose.
    let show_bits = choice.unwrap_or(bitmap || props.range.is_some());
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
                { bit_grid(&props.bytes, &props.marks, props.range.as_ref()) }
            } else if let Some(n) = number {
                <div class={classes!("string-number", changed.then_some("flash-changed"))}>{ n }</div>
            } else {
                <pre class={classes!("string-text", changed.then_some("flash-changed"))}>{ shown(&props.bytes) }</pre>
            }
        </div>
    }
}

/// Eight bits a row, one row a byte, offsets as SETBIT numbers them.
fn bit_grid(bytes: &[u8], marks: &Marks, range: Option<&RangeInclusive<usize>>) -> Html {
    let set: usize = bits(bytes).filter(|b| *b).count();
    let in_range = |offset: usize| range.is_some_and(|r| r.contains(&offset));
    let set_in_range = range.map(|r| count_bits(bytes, r));
    let rows: Vec<Vec<bool>> = bits(bytes)
        .collect::<Vec<_>>()
        .chunks(8)
        .map(<[bool]>::to_vec)
        .collect();
    html! {
        <div class="bit-grid-wrap">
            <p class="bit-count">{ format!("{} set (BITCOUNT) in {}", counted(set, "bit"), counted(bytes.len(), "byte")) }
                if bytes.len() > BITS_LIMIT { { format!(", the first {BITS_LIMIT} drawn") } }
            </p>
            if let (Some(r), Some(n)) = (range, set_in_range) {
                <p class="bit-range">{ format!("{} set in bits {}–{} (the range read)", counted(n, "bit"), r.start(), r.end()) }</p>
            }
            <div class="bit-grid" role="img" aria-label="bits of the string">
                { for rows.iter().enumerate().map(|(byte, row)| html! {
                    <div class="bit-row">
                        <span class="bit-offset">{ byte * 8 }</span>
                        { for row.iter().enumerate().map(|(i, bit)| {
                            let offset = byte * 8 + i;
                            let id = offset.to_string();
                            html! {
                                <span class={classes!("bit", bit.then_some("on"), in_range(offset).then_some("in-range"), flash(marks, id.as_bytes()))}
                                    title={format!("bit {offset}")}>{ u8::from(*bit) }</span>
                            }
                        }) }
                    </div>
                }) }
            </div>
        </div>
    }
}
