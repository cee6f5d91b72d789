//! One client pane: a redis-cli session's transcript (the newest
//! `MAX_ENTRIES` entries, so a MONITOR stream cannot grow the page without
//! bound), the input line with its history, and whether it waits in a
//! blocking command.

use redsim_engine::commands::Table;

use super::editor::{Editor, Key};
use super::history::History;

/// Transcript entries a pane keeps.
pub const MAX_ENTRIES: usize = 500;

/// One typed line and what redis-cli printed for it; `pending` while the
/// client is blocked and its reply has not come.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub prompt: String,
    pub input: String,
    pub output: String,
    pub pending: bool,
}

/// A client pane.
#[derive(Debug, Clone, PartialEq)]
pub struct Pane {
    /// Stable across adds and closes, for the view's keys.
    pub id: usize,
    pub client: redsim_engine::ClientId,
    pub entries: Vec<Entry>,
    pub history: History,
    pub editor: Editor,
}

impl Pane {
    pub fn new(id: usize, client: redsim_engine::ClientId) -> Pane {
        Pane {
            id,
            client,
            entries: Vec::new(),
            history: History::default(),
            editor: Editor::default(),
        }
    }

    /// Whether the last command still waits for its reply.
    pub fn is_blocked(&self) -> bool {
        self.entries.last().is_some_and(|e| e.pending)
    }

    /// Adds what arrived for this client after its command answered (a
    /// blocked command's reply, pub/sub messages, MONITOR lines): to the
    /// waiting entry, or as an entry of its own.
    pub fn receive(&mut self, text: String) {
        match self.entries.last_mut() {
            Some(last) if last.pending => {
                last.output = text;
                last.pending = false;
            }
            _ => self.push(Entry {
                prompt: String::new(),
                input: String::new(),
                output: text,
                pending: false,
            }),
        }
    }

    /// Adds an entry to the transcript, dropping the oldest past
    /// `MAX_ENTRIES`.
    pub fn push(&mut self, entry: Entry) {
        if self.entries.len() >= MAX_ENTRIES {
            let excess = self.entries.len() + 1 - MAX_ENTRIES;
            self.entries.drain(..excess);
        }
        self.entries.push(entry);
    }

    /// A key in the input line; answers the line to run on Enter. Ctrl-L
    /// clears the transcript (but for a command still waiting).
    pub fn key(&mut self, key: Key, table: &Table) -> Option<String> {
        if key == Key::ClearScreen {
            self.entries.retain(|e| e.pending);
            return None;
        }
        self.editor.key(key, table, &mut self.history)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(text: &str) -> Entry {
        Entry {
            prompt: String::new(),
            input: String::new(),
            output: text.to_string(),
            pending: false,
        }
    }

    #[test]
    fn the_transcript_keeps_the_newest_entries() {
        let mut pane = Pane::new(0, 0);
        for i in 0..MAX_ENTRIES + 20 {
            pane.receive(format!("line {i}"));
        }
        assert_eq!(pane.entries.len(), MAX_ENTRIES);
        assert_eq!(pane.entries[0].output, "line 20");
        assert_eq!(
            pane.entries.last().map(|e| e.output.as_str()),
            Some(format!("line {}", MAX_ENTRIES + 19).as_str())
        );
    }

    #[test]
    fn ctrl_l_clears_all_but_a_waiting_command() {
        let table = Table::new();
        let mut pane = Pane::new(0, 0);
        pane.push(output("OK"));
        pane.push(Entry {
            pending: true,
            ..output("")
        });
        assert_eq!(pane.key(Key::ClearScreen, &table), None);
        assert_eq!(pane.entries.len(), 1);
        pane.receive("late reply".to_string());
        assert_eq!(pane.entries[0].output, "late reply");
        assert!(!pane.is_blocked());
    }
}
