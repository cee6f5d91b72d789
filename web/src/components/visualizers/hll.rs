//! A HyperLogLog: how many of its 16384 registers hold each value (the
//! histogram the estimator reads), PFCOUNT's estimate, and the exact count
//! with the estimate's error when every element was added here.

use yew::prelude::*;

use super::flash;
use crate::state::selection::Marks;
use crate::state::shapes::Hll;

#[derive(Properties, PartialEq)]
pub struct HllProps {
    pub hll: Option<Hll>,
    pub exact: Option<usize>,
    pub marks: Marks,
}

#[function_component(HllView)]
pub fn hll_view(props: &HllProps) -> Html {
    let Some(hll) = &props.hll else {
        return Html::default();
    };
    // Values past the highest one held are all zero: not drawn.
    let shown = hll
        .histogram
        .iter()
        .rposition(|&n| n > 0)
        .map_or(1, |last| last + 1)
        .max(8);
    // Register counts span 1..16384: a log scale keeps the small ones visible.
    let height = |n: u32| {
        if n == 0 {
            0.0
        } else {
            (f64::from(n).ln() + 1.0) / (16384f64.ln() + 1.0) * 100.0
        }
    };
    let bar = 100.0 / shown as f64;
    html! {
        <div class="viz-hll">
            <p class="hll-estimate">
                { "PFCOUNT ≈ " }<strong>{ hll.estimate }</strong>
                { format!(" · {} encoding, {} bytes", hll.encoding, hll.bytes) }
            </p>
            if let Some(exact) = props.exact {
                <p class="hll-exact">
                    { format!("exact: {exact} distinct elements") }
                    if exact > 0 {
                        { format!(" · error {:+.2}%", (hll.estimate as f64 - exact as f64) / exact as f64 * 100.0) }
                    }
                </p>
            }
            <svg class="hll-histogram" viewBox="0 0 100 50" preserveAspectRatio="none" role="img"
                aria-label="registers by value">
                { for hll.histogram.iter().take(shown).enumerate().map(|(value, &count)| {
                    let h = height(count) / 2.0;
                    let id = value.to_string();
                    html! {
                        <rect class={classes!("hll-bar", flash(&props.marks, id.as_bytes()))}
                            x={format!("{:.2}", value as f64 * bar)} y={format!("{:.2}", 50.0 - h)}
                            width={format!("{:.2}", bar * 0.85)} height={format!("{h:.2}")}>
                            <title>{ format!("{count} registers hold {value}") }</title>
                        </rect>
                    }
                }) }
            </svg>
            <p class="note">{ format!("register value 0 … {} (log scale)", shown - 1) }</p>
        </div>
    }
}
