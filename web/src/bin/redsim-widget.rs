//! The docs widget's wasm: nothing runs on load; the page's
//! `redsim-widget.js` calls `widget::mount` for each `<redsim-console>`.

// Linked for its exports (`mount`, `WidgetHandle`).
use redsim_web as _;

fn main() {}
