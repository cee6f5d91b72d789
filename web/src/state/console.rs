//! One client pane: a redis-cli session's transcript, the prompt redis-cli
//! would show, its history, and whether it waits in a blocking command.

use super::history::History;

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
}

impl Pane {
    pub fn new(id: usize, client: redsim_engine::ClientId) -> Pane {
        Pane {
            id,
            client,
            entries: Vec::new(),
            history: History::default(),
        }
    }

    /// Whether the last command still waits for its reply.
    pub fn is_blocked(&self) -> bool {
        self.entries.last().is_some_and(|e| e.pending)
    }

    /// Adds what arrived for this client after its command answered (a
    /// blocked command's reply, pub/sub messages, MONITOR lines): to the
    /// waiting entry, or as output of its own.
    pub fn receive(&mut self, text: String) {
        match self.entries.last_mut() {
            Some(last) if last.pending => {
                last.output = text;
                last.pending = false;
            }
            Some(last) => last.output.push_str(&text),
            None => self.entries.push(Entry {
                prompt: String::new(),
                input: String::new(),
                output: text,
                pending: false,
            }),
        }
    }
}
