//! The thin browser adapter under persistence: bindings to `storage.js`
//! (IndexedDB, the writer lock, page lifecycle, files, the URL) as Rust
//! async functions, and what the page found before the app started
//! (`prepare`): a share link to replay, or the stored dataset and whether
//! this tab may write it. Errors come back as text for the banners.

use std::cell::RefCell;

use js_sys::{Array, Promise, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::state::persist::Batch;
use crate::state::share;

#[wasm_bindgen(module = "/src/storage.js")]
extern "C" {
    fn describe(error: &JsValue) -> String;
    #[wasm_bindgen(js_name = acquireWriter)]
    fn acquire_writer() -> Promise;
    #[wasm_bindgen(js_name = whenWriterGone)]
    fn when_writer_gone_js(callback: &Closure<dyn FnMut()>);
    #[wasm_bindgen(js_name = openStorage)]
    fn open_storage() -> Promise;
    #[wasm_bindgen(js_name = writeBatch)]
    fn write_batch_js(
        snapshot: Option<Vec<u8>>,
        records: Array,
        history: Option<String>,
    ) -> Promise;
    #[wasm_bindgen(js_name = listSnapshots)]
    fn list_snapshots_js() -> Promise;
    #[wasm_bindgen(js_name = putSnapshot)]
    fn put_snapshot_js(name: &str, time: f64, keys: f64, bytes: Vec<u8>) -> Promise;
    #[wasm_bindgen(js_name = getSnapshot)]
    fn get_snapshot_js(name: &str) -> Promise;
    #[wasm_bindgen(js_name = deleteSnapshot)]
    fn delete_snapshot_js(name: &str) -> Promise;
    #[wasm_bindgen(js_name = watchPage)]
    fn watch_page_js(on_hidden: &Closure<dyn FnMut()>);
    #[wasm_bindgen(js_name = locationFragment)]
    fn location_fragment() -> String;
    #[wasm_bindgen(js_name = queryCommands)]
    fn query_commands() -> Option<String>;
    #[wasm_bindgen(js_name = linkWith)]
    pub fn link_with(fragment: &str) -> String;
    pub fn download(name: &str, bytes: Vec<u8>);
    #[wasm_bindgen(js_name = fileBytes)]
    fn file_bytes_js(file: &web_sys::File) -> Promise;
}

async fn wait(promise: Promise) -> Result<JsValue, String> {
    JsFuture::from(promise).await.map_err(|e| describe(&e))
}

fn bytes(value: &JsValue) -> Vec<u8> {
    Uint8Array::new(value).to_vec()
}

/// Where this page's dataset comes from and goes to.
pub enum Startup {
    /// A share link (or `?commands=`): the script to replay in a fresh
    /// engine, or why the link is unreadable. Storage is not touched.
    Shared(Result<String, String>),
    /// The stored snapshot, journal and console history; `writer` false
    /// when another tab holds the writer lock (this one then only reads).
    Stored {
        snapshot: Option<Vec<u8>>,
        journal: Vec<Vec<u8>>,
        history: Option<String>,
        writer: bool,
    },
    /// IndexedDB cannot be used: why.
    Unavailable(String),
}

thread_local! {
    static STARTUP: RefCell<Option<Startup>> = const { RefCell::new(None) };
}

/// Finds out where the dataset comes from, before the app first renders
/// (so nothing typed can race the load).
pub async fn prepare() {
    let startup = if let Some(link) = share::decode(&location_fragment()) {
        Startup::Shared(link.map_err(|e| e.to_string()))
    } else if let Some(commands) = query_commands() {
        Startup::Shared(Ok(commands))
    } else {
        stored().await.unwrap_or_else(Startup::Unavailable)
    };
    STARTUP.with(|s| *s.borrow_mut() = Some(startup));
}

async fn stored() -> Result<Startup, String> {
    // The lock first: a tab that is not the writer must not even compact.
    let writer = wait(acquire_writer()).await?.is_truthy();
    let found: Array = wait(open_storage()).await?.into();
    let snapshot = Some(found.get(0))
        .filter(|v| !v.is_null())
        .map(|v| bytes(&v));
    let journal = Array::from(&found.get(1))
        .iter()
        .map(|v| bytes(&v))
        .collect();
    Ok(Startup::Stored {
        snapshot,
        journal,
        history: found.get(2).as_string(),
        writer,
    })
}

/// What `prepare` found; once.
pub fn take_startup() -> Option<Startup> {
    STARTUP.with(|s| s.borrow_mut().take())
}

pub async fn write_batch(batch: Batch) -> Result<(), String> {
    let array: Array = batch
        .records
        .iter()
        .map(|r| Uint8Array::from(&r[..]))
        .collect();
    wait(write_batch_js(batch.snapshot, array, batch.history))
        .await
        .map(drop)
}

/// A named snapshot as listed (newest first).
#[derive(Debug, Clone, PartialEq)]
pub struct SnapshotInfo {
    pub name: String,
    pub time_ms: f64,
    pub keys: u64,
    pub size: u64,
}

pub async fn list_snapshots() -> Result<Vec<SnapshotInfo>, String> {
    let list: Array = wait(list_snapshots_js()).await?.into();
    let field = |entry: &JsValue, name: &str| js_sys::Reflect::get(entry, &name.into()).ok();
    Ok(list
        .iter()
        .map(|entry| SnapshotInfo {
            name: field(&entry, "name")
                .and_then(|v| v.as_string())
                .unwrap_or_default(),
            time_ms: field(&entry, "time")
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0),
            keys: field(&entry, "keys")
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as u64,
            size: field(&entry, "size")
                .and_then(|v| v.as_f64())
                .unwrap_or(0.0) as u64,
        })
        .collect())
}

pub async fn put_snapshot(
    name: &str,
    time_ms: f64,
    keys: usize,
    rdb: Vec<u8>,
) -> Result<(), String> {
    wait(put_snapshot_js(name, time_ms, keys as f64, rdb))
        .await
        .map(drop)
}

pub async fn get_snapshot(name: &str) -> Result<Vec<u8>, String> {
    wait(get_snapshot_js(name)).await.map(|v| bytes(&v))
}

pub async fn delete_snapshot(name: &str) -> Result<(), String> {
    wait(delete_snapshot_js(name)).await.map(drop)
}

pub async fn file_bytes(file: &web_sys::File) -> Result<Vec<u8>, String> {
    wait(file_bytes_js(file)).await.map(|v| bytes(&v))
}

/// Calls `callback` once the tab that writes the dataset has gone.
pub fn when_writer_gone(callback: impl FnOnce() + 'static) {
    let closure = Closure::once(callback);
    when_writer_gone_js(&closure);
    // Called at most once, maybe only when the page is long gone.
    closure.forget();
}

/// Calls `on_hidden` whenever the page is hidden or left, for the page's
/// whole life.
pub fn watch_page(on_hidden: impl FnMut() + 'static) {
    let closure = Closure::<dyn FnMut()>::new(on_hidden);
    watch_page_js(&closure);
    // Registered for the life of the page, so never dropped.
    closure.forget();
}
