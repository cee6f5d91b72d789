// The browser side of persistence (see storage.rs): IndexedDB stores, the
// Web Lock that makes one tab the writer, page lifecycle, files and the
// URL. Plain promises in, plain values out; the logic stays in Rust.
//
// Stores of database "redsim": "current" holds the latest snapshot under
// the key "snapshot"; "journal" the records written since, in order;
// "snapshots" the named snapshots ({name, time, keys, size, bytes});
// "history" the console's command history under the key "lines" (one
// line per line, as redis-cli keeps ~/.rediscli_history).

const DB_NAME = "redsim";
const LOCK = "redsim-writer";
let db = null;

function request(r) {
  return new Promise((resolve, reject) => {
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
}

function finished(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onabort = () => reject(tx.error ?? new DOMException("transaction aborted", "AbortError"));
  });
}

// "Name: message" for an error of any kind, for the banner.
export function describe(error) {
  if (error && typeof error === "object" && "name" in error) {
    return `${error.name}: ${error.message}`;
  }
  return String(error);
}

// True when this tab holds the writer lock (kept until the tab goes),
// false when another tab holds it. Without the Web Locks API every tab
// writes, as before it existed.
export function acquireWriter() {
  if (!navigator.locks) return Promise.resolve(true);
  return new Promise((resolve, reject) => {
    navigator.locks
      .request(LOCK, { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        return lock === null ? undefined : new Promise(() => {});
      })
      .catch(reject);
  });
}

// Calls back once the writer tab is gone (its lock released), for a tab
// that is not the writer. The lock is let go at once, so the next page
// to open or reload becomes the writer.
export function whenWriterGone(callback) {
  if (!navigator.locks) return;
  navigator.locks.request(LOCK, () => callback()).catch(() => {});
}

// Opens the database; resolves to [snapshot or null, [journal records],
// history text or null]. Version 2 added the history store.
export async function openStorage() {
  const open = indexedDB.open(DB_NAME, 2);
  open.onupgradeneeded = (event) => {
    const d = open.result;
    if (event.oldVersion < 1) {
      d.createObjectStore("current");
      d.createObjectStore("journal", { autoIncrement: true });
      d.createObjectStore("snapshots", { keyPath: "name" });
    }
    d.createObjectStore("history");
  };
  // A tab still running an older page holds the old version open; waiting
  // for it would hang startup, so this tab goes on in memory instead.
  const opened = request(open);
  const blocked = new Promise((_, reject) => {
    open.onblocked = () =>
      reject(new DOMException("an older playground in another tab holds the storage; close it and reload", "VersionError"));
  });
  db = await Promise.race([opened, blocked]);
  // Newer pages (a later version) ask this one to let go.
  db.onversionchange = () => db.close();
  const tx = db.transaction(["current", "journal", "history"], "readonly");
  const [snapshot, journal, history] = await Promise.all([
    request(tx.objectStore("current").get("snapshot")),
    request(tx.objectStore("journal").getAll()),
    request(tx.objectStore("history").get("lines")),
  ]);
  return [snapshot ?? null, journal, history ?? null];
}

function store(name, mode) {
  if (!db) throw new DOMException("storage is not open", "InvalidStateError");
  return db.transaction(name, mode);
}

// One transaction: a snapshot (replacing the stored one and emptying the
// journal) if given, then the records appended, and the history if given.
// All or nothing.
export async function writeBatch(snapshot, records, history) {
  const tx = store(["current", "journal", "history"], "readwrite");
  const journal = tx.objectStore("journal");
  if (snapshot) {
    tx.objectStore("current").put(snapshot, "snapshot");
    journal.clear();
  }
  for (const record of records) journal.add(record);
  if (history !== undefined && history !== null) tx.objectStore("history").put(history, "lines");
  await finished(tx);
}

export async function listSnapshots() {
  const all = await request(store("snapshots", "readonly").objectStore("snapshots").getAll());
  return all
    .map(({ name, time, keys, size }) => ({ name, time, keys, size }))
    .sort((a, b) => b.time - a.time);
}

export async function putSnapshot(name, time, keys, bytes) {
  const tx = store("snapshots", "readwrite");
  tx.objectStore("snapshots").put({ name, time, keys, size: bytes.length, bytes });
  await finished(tx);
}

export async function getSnapshot(name) {
  const entry = await request(store("snapshots", "readonly").objectStore("snapshots").get(name));
  if (!entry) throw new DOMException(`no snapshot named ${name}`, "NotFoundError");
  return entry.bytes;
}

export async function deleteSnapshot(name) {
  const tx = store("snapshots", "readwrite");
  tx.objectStore("snapshots").delete(name);
  await finished(tx);
}

// Calls back when the page is hidden or left, the last moments it may
// still write; and reloads when the fragment becomes a share link, so
// pasting one into the address bar of an open playground runs it.
export function watchPage(onHidden) {
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") onHidden();
  });
  window.addEventListener("pagehide", () => onHidden());
  window.addEventListener("hashchange", () => {
    if (location.hash.startsWith("#run=")) location.reload();
  });
}

export function locationFragment() {
  return location.hash.slice(1);
}

// `?commands=` as text (URLSearchParams decodes `+` and `%xx`), or null.
export function queryCommands() {
  return new URLSearchParams(location.search).get("commands");
}

// This page's address without query or fragment, plus `fragment`.
export function linkWith(fragment) {
  return `${location.origin}${location.pathname}${fragment ? "#" + fragment : ""}`;
}

export function download(name, bytes) {
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function fileBytes(file) {
  return new Uint8Array(await file.arrayBuffer());
}
