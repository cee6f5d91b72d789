//! Persistence wired into the app: at the first render, what `storage`
//! found before startup is put into the playground (the stored dataset
//! rebuilt from snapshot + journal, or a share link's script run in the
//! fresh engine); this tab then writes through IndexedDB if it holds the
//! writer lock, and the persistence bar's actions (download, upload,
//! share, named snapshots) are carried out here.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::app::wall_ms;
use crate::components::persistence::{Mode, PersistAction, PersistenceBar};
use crate::state::persist::{rebuild, Batch};
use crate::state::playground::Playground;
use crate::state::share;
use crate::storage::{self, SnapshotInfo, Startup};

/// What the bar shows.
struct Status {
    mode: Mode,
    in_flight: usize,
    banner: Option<String>,
    notice: Option<String>,
    snapshots: Vec<SnapshotInfo>,
    share_link: Option<String>,
}

type Shared<T> = Rc<RefCell<T>>;

/// Sets persistence up on the first call; renders the persistence bar.
/// Call before the app borrows the playground for rendering.
#[hook]
pub fn use_persistence(playground: &Shared<Playground>) -> Html {
    let update = use_force_update();
    let status: Shared<Status> = {
        let (playground, update) = (Rc::clone(playground), update.clone());
        (*use_state(move || start(&playground, update))).clone()
    };
    let on_action = {
        let (playground, status) = (Rc::downgrade(playground), Rc::clone(&status));
        Callback::from(move |action: PersistAction| {
            act(
                playground.clone(),
                Rc::clone(&status),
                update.clone(),
                action,
            );
        })
    };
    let s = status.borrow();
    let storage_open = matches!(s.mode, Mode::Writer | Mode::Follower);
    html! {
        <PersistenceBar
            mode={s.mode}
            saving={s.in_flight > 0}
            banner={s.banner.clone()}
            notice={s.notice.clone()}
            snapshots={storage_open.then(|| s.snapshots.clone())}
            share_link={s.share_link.clone()}
            home_link={storage::link_with("")}
            {on_action}
        />
    }
}

fn start(playground: &Shared<Playground>, update: UseForceUpdateHandle) -> Shared<Status> {
    let status = Rc::new(RefCell::new(Status {
        mode: Mode::Memory,
        in_flight: 0,
        banner: None,
        notice: None,
        snapshots: Vec::new(),
        share_link: None,
    }));
    let startup = storage::take_startup()
        .unwrap_or_else(|| Startup::Unavailable("storage was not opened".to_string()));
    let mut p = playground.borrow_mut();
    let mut s = status.borrow_mut();
    match startup {
        Startup::Shared(Ok(script)) => {
            s.mode = Mode::Shared;
            let pane = p.session.panes[0].id;
            p.submit(pane, &script, wall_ms());
            let ran = p.pane(pane).map_or(0, |pane| pane.entries.len());
            s.banner = Some(format!(
                "Shared script: {ran} command{} ran in a fresh, separate database (below). \
                 Nothing here is saved, and your own playground's data is untouched.",
                if ran == 1 { "" } else { "s" }
            ));
        }
        Startup::Shared(Err(why)) => {
            s.mode = Mode::Shared;
            s.banner = Some(format!(
                "This share link cannot be read: {why}. Nothing was run."
            ));
        }
        Startup::Unavailable(why) => {
            s.banner = Some(format!(
                "Browser storage (IndexedDB) is unavailable ({why}). The playground works \
                 in memory only: nothing is kept once this tab closes."
            ));
        }
        Startup::Stored {
            snapshot,
            journal,
            history,
            writer,
        } => {
            if let Some(text) = history {
                p.load_history(&text);
            }
            let now = p.session.clock.now(wall_ms());
            let loaded = if snapshot.is_none() && journal.is_empty() {
                Ok(())
            } else {
                rebuild(snapshot.as_deref(), &journal, now)
                    .map_err(|e| e.to_string())
                    .and_then(|rdb| p.load_rdb(&rdb).map_err(|e| e.to_string()))
            };
            match (loaded, writer) {
                (Err(why), _) => {
                    s.banner = Some(format!(
                        "The data saved in this browser could not be read ({why}). This tab \
                         works in memory only and leaves the saved data as it is."
                    ));
                }
                (Ok(()), false) => {
                    s.mode = Mode::Follower;
                    s.banner = Some(
                        "This playground is open in another tab, which saves it. This tab \
                         started from the saved data, but its changes stay in its memory only; \
                         close the other tab and reload this one to save here."
                            .to_string(),
                    );
                }
                (Ok(()), true) => s.mode = Mode::Writer,
            }
        }
    }
    let mode = s.mode;
    // The sink counts its writes in the status: not borrowed from here on.
    drop(s);
    if mode == Mode::Writer {
        let sink = sink(
            Rc::downgrade(playground),
            Rc::clone(&status),
            update.clone(),
        );
        p.start_persisting(Box::new(sink));
        let weak = Rc::downgrade(playground);
        storage::watch_page(move || {
            // A full snapshot while the page may still write.
            if let Some(p) = weak.upgrade() {
                if let Ok(mut p) = p.try_borrow_mut() {
                    p.compact();
                }
            }
        });
    }
    if mode == Mode::Follower {
        let (status, update) = (Rc::clone(&status), update.clone());
        storage::when_writer_gone(move || {
            status.borrow_mut().banner = Some(
                "The tab that saved this playground has closed. Reload this one to continue \
                 from the saved data and save here again (download an .rdb first to keep \
                 this tab's changes)."
                    .to_string(),
            );
            update.force_update();
        });
    }
    if matches!(mode, Mode::Writer | Mode::Follower) {
        refresh_snapshots(Rc::clone(&status), update, None);
    }
    status
}

/// Writes batches to IndexedDB, each its own transaction; the first
/// failure (storage full, storage gone) stops writing, with a banner.
fn sink(
    playground: Weak<RefCell<Playground>>,
    status: Shared<Status>,
    update: UseForceUpdateHandle,
) -> impl FnMut(Batch) {
    move |batch: Batch| {
        status.borrow_mut().in_flight += 1;
        let (playground, status, update) = (playground.clone(), Rc::clone(&status), update.clone());
        spawn_local(async move {
            let result = storage::write_batch(batch).await;
            let mut s = status.borrow_mut();
            s.in_flight -= 1;
            if let Err(why) = result {
                if s.mode == Mode::Writer {
                    s.mode = Mode::Memory;
                    let what = if why.starts_with("QuotaExceededError") {
                        "Browser storage is full"
                    } else {
                        "Saving to browser storage failed"
                    };
                    s.banner = Some(format!(
                        "{what} ({why}). The playground goes on in memory only: changes from \
                         now on are not kept once this tab closes. Download an .rdb to keep them."
                    ));
                    if let Some(p) = playground.upgrade() {
                        p.borrow_mut().persist.stop();
                    }
                }
            }
            drop(s);
            update.force_update();
        });
    }
}

fn refresh_snapshots(status: Shared<Status>, update: UseForceUpdateHandle, notice: Option<String>) {
    spawn_local(async move {
        let listed = storage::list_snapshots().await;
        let mut s = status.borrow_mut();
        match listed {
            Ok(list) => {
                s.snapshots = list;
                if notice.is_some() {
                    s.notice = notice;
                }
            }
            Err(why) => s.notice = Some(format!("Could not list snapshots: {why}")),
        }
        drop(s);
        update.force_update();
    });
}

fn act(
    playground: Weak<RefCell<Playground>>,
    status: Shared<Status>,
    update: UseForceUpdateHandle,
    action: PersistAction,
) {
    let Some(pg) = playground.upgrade() else {
        return;
    };
    let notice = {
        let (status, update) = (Rc::clone(&status), update.clone());
        move |text: String| {
            status.borrow_mut().notice = Some(text);
            update.force_update();
        }
    };
    match action {
        PersistAction::Download => {
            storage::download("dump.rdb", pg.borrow().rdb());
            notice("Downloaded dump.rdb: redis-server loads it as its --dbfilename.".to_string());
        }
        PersistAction::Share => {
            let script = pg.borrow().share_script();
            if script.is_empty() {
                notice("Type some commands first: the link carries this pane's commands.".into());
            } else {
                status.borrow_mut().share_link = Some(storage::link_with(&share::encode(&script)));
                let lines = script.lines().count();
                notice(format!("Share link made with the last used pane's {lines} commands; opening it runs them in a fresh database."));
            }
        }
        PersistAction::Upload(file) => spawn_local(async move {
            let text = match storage::file_bytes(&file).await {
                Ok(bytes) => load(
                    &pg,
                    &bytes,
                    &format!("Loaded {}", file.name()),
                    &file.name(),
                ),
                Err(why) => format!("Could not read {}: {why}", file.name()),
            };
            notice(text);
        }),
        PersistAction::Save(name) => spawn_local(async move {
            let name = if name.is_empty() {
                format!("snapshot {}", status.borrow().snapshots.len() + 1)
            } else {
                name
            };
            let (rdb, keys) = {
                let p = pg.borrow();
                (p.rdb(), p.key_count())
            };
            let text = match storage::put_snapshot(&name, wall_ms() as f64, keys, rdb).await {
                Ok(()) => format!("Saved snapshot “{name}” ({keys} keys)."),
                Err(why) => format!("Could not save snapshot “{name}”: {why}"),
            };
            refresh_snapshots(status, update, Some(text));
        }),
        PersistAction::Restore(name) => spawn_local(async move {
            let text = match storage::get_snapshot(&name).await {
                Ok(rdb) => load(
                    &pg,
                    &rdb,
                    &format!("Restored snapshot “{name}”"),
                    &format!("Snapshot “{name}”"),
                ),
                Err(why) => format!("Could not read snapshot “{name}”: {why}"),
            };
            notice(text);
        }),
        PersistAction::Delete(name) => spawn_local(async move {
            let text = match storage::delete_snapshot(&name).await {
                Ok(()) => format!("Deleted snapshot “{name}”."),
                Err(why) => format!("Could not delete snapshot “{name}”: {why}"),
            };
            refresh_snapshots(status, update, Some(text));
        }),
    }
}

/// Loads an RDB file into the playground (all or nothing); the outcome as
/// a sentence for the notice.
fn load(pg: &RefCell<Playground>, rdb: &[u8], done: &str, what: &str) -> String {
    let loaded = pg.borrow_mut().load_rdb(rdb);
    match loaded {
        Ok(()) => format!("{done} ({} keys).", pg.borrow().key_count()),
        Err(why) => format!("{what} was not loaded: {why}"),
    }
}
