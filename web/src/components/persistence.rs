//! The persistence bar: where the dataset lives (saved in this browser,
//! saving, memory only, a shared script), a banner when that is not the
//! usual case, download and upload of `.rdb` files, the share button, and
//! the named snapshots (save, list with time, keys and size, restore,
//! delete).

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::storage::SnapshotInfo;

/// What the bar asks for.
#[derive(Clone, PartialEq)]
pub enum PersistAction {
    Download,
    Upload(web_sys::File),
    Share,
    Save(String),
    Restore(String),
    Delete(String),
}

/// Where the dataset lives.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Mode {
    /// This tab writes it to IndexedDB.
    Writer,
    /// Another tab writes it; this one read it and keeps changes in memory.
    Follower,
    /// Storage is unusable: memory only.
    Memory,
    /// A shared script's separate database, never saved.
    Shared,
}

#[derive(Properties, PartialEq)]
pub struct PersistenceProps {
    pub mode: Mode,
    /// Writes not yet confirmed by the browser.
    pub saving: bool,
    /// Why the mode is not the usual one (an `alert` when set).
    pub banner: Option<String>,
    /// The outcome of the last action.
    pub notice: Option<String>,
    /// None when named snapshots are unavailable (no storage).
    pub snapshots: Option<Vec<SnapshotInfo>>,
    pub share_link: Option<String>,
    /// This page without the shared script: the visitor's own playground.
    pub home_link: String,
    pub on_action: Callback<PersistAction>,
}

/// `1.2 KB`-style sizes.
fn size(bytes: u64) -> String {
    match bytes {
        0..1024 => format!("{bytes} B"),
        1024..1_048_576 => format!("{:.1} KB", bytes as f64 / 1024.0),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

fn local_time(ms: f64) -> String {
    let date = js_sys::Date::new(&ms.into());
    String::from(date.to_locale_string("en-GB", &wasm_bindgen::JsValue::UNDEFINED))
}

#[function_component(PersistenceBar)]
pub fn persistence_bar(props: &PersistenceProps) -> Html {
    let name = use_node_ref();
    let (state, label) = match (props.mode, props.saving) {
        (Mode::Writer, true) => ("saving", "saving…"),
        (Mode::Writer, false) => ("saved", "saved in this browser"),
        (Mode::Follower, _) => ("memory", "in memory (another tab saves)"),
        (Mode::Memory, _) => ("memory", "in memory only"),
        (Mode::Shared, _) => ("shared", "shared script, not saved"),
    };
    let on_action = &props.on_action;
    let upload = {
        let on_action = on_action.clone();
        Callback::from(move |e: Event| {
            let input: HtmlInputElement = e.target_unchecked_into();
            let file = input.files().and_then(|files| files.get(0));
            // Cleared so choosing the same file again still uploads it.
            input.set_value("");
            if let Some(file) = file {
                on_action.emit(PersistAction::Upload(file));
            }
        })
    };
    let save = {
        let (name, on_action) = (name.clone(), on_action.clone());
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(field) = name.cast::<HtmlInputElement>() {
                on_action.emit(PersistAction::Save(field.value().trim().to_string()));
                field.set_value("");
            }
        })
    };
    html! {
        <section class="persistence" aria-label="persistence">
            if let Some(text) = &props.banner {
                <div class="banner" role="alert">
                    { text }
                    if props.mode == Mode::Shared {
                        { " " }
                        <a href={props.home_link.clone()}>{ "Open your own playground" }</a>
                    }
                </div>
            }
            <div class="persist-bar">
                <span class="persist-status" data-state={state}>{ label }</span>
                <button class="download" onclick={on_action.reform(|_| PersistAction::Download)}>
                    { "download .rdb" }
                </button>
                <label class="upload">
                    { "upload .rdb " }
                    <input type="file" accept=".rdb,application/octet-stream" onchange={upload} />
                </label>
                <button class="share" onclick={on_action.reform(|_| PersistAction::Share)}>
                    { "share" }
                </button>
            </div>
            if let Some(text) = &props.notice {
                <p class="notice" role="status">{ text }</p>
            }
            if let Some(link) = &props.share_link {
                <label class="share-link">
                    { "share link " }
                    <input type="text" readonly=true value={link.clone()}
                        onfocus={Callback::from(|e: FocusEvent| {
                            let input: HtmlInputElement = e.target_unchecked_into();
                            input.select();
                        })} />
                </label>
            }
            if let Some(list) = &props.snapshots {
                <details class="snapshots">
                    <summary>{ format!("snapshots ({})", list.len()) }</summary>
                    <form class="save-snapshot" onsubmit={save}>
                        <label for="snapshot-name">{ "name" }</label>
                        <input id="snapshot-name" type="text" ref={name} placeholder="snapshot name" />
                        <button type="submit">{ "save snapshot" }</button>
                    </form>
                    if !list.is_empty() {
                        <table>
                            <thead><tr>
                                <th>{ "name" }</th><th>{ "saved" }</th><th>{ "keys" }</th>
                                <th>{ "size" }</th><th></th>
                            </tr></thead>
                            <tbody>
                                { for list.iter().map(|s| {
                                    let (restore, delete) = (s.name.clone(), s.name.clone());
                                    html! {
                                        <tr class="snapshot" key={s.name.clone()}>
                                            <td class="name">{ &s.name }</td>
                                            <td>{ local_time(s.time_ms) }</td>
                                            <td class="keys">{ s.keys }</td>
                                            <td>{ size(s.size) }</td>
                                            <td class="actions">
                                                <button class="restore" aria-label={format!("restore {}", s.name)}
                                                    onclick={on_action.reform(move |_| PersistAction::Restore(restore.clone()))}>
                                                    { "restore" }
                                                </button>
                                                <button class="delete" aria-label={format!("delete {}", s.name)}
                                                    onclick={on_action.reform(move |_| PersistAction::Delete(delete.clone()))}>
                                                    { "delete" }
                                                </button>
                                            </td>
                                        </tr>
                                    }
                                }) }
                            </tbody>
                        </table>
                    }
                </details>
            }
        </section>
    }
}
