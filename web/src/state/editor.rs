//! A pane's input line, edited as redis-cli's linenoise edits it: Tab
//! completion cycles (`completion`), Up/Down walk the history, Ctrl-R
//! searches it (`search`), and the dimmed hint after the cursor
//! (`grammar`). The view reports keys; this decides what the line shows.

use redsim_engine::commands::Table;

use super::completion::TabCycle;
use super::grammar;
use super::history::History;
use super::search::ReverseSearch;

/// What the view reports from the input.
#[derive(Debug, Clone, PartialEq)]
pub enum Key {
    /// The text changed (typing, deleting, a one-line paste).
    Changed(String),
    Tab,
    Escape,
    Up,
    Down,
    /// Ctrl-R.
    Search,
    /// Ctrl-G: leave the search for the line from before it.
    Abort,
    /// A character typed while searching (it goes to the query).
    Typed(String),
    /// Backspace while searching.
    Backspace,
    /// Ctrl-L.
    ClearScreen,
    Enter,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Editor {
    line: String,
    tab: Option<TabCycle>,
    search: Option<ReverseSearch>,
}

impl Editor {
    /// What the input shows.
    pub fn shown<'a>(&'a self, history: &'a History) -> &'a str {
        match (&self.search, &self.tab) {
            (Some(search), _) => search.shown(history.lines()),
            (None, Some(tab)) => tab.shown(),
            (None, None) => &self.line,
        }
    }

    /// The prompt while searching, instead of redis-cli's usual one.
    pub fn search_prompt(&self) -> Option<String> {
        self.search.as_ref().map(ReverseSearch::prompt)
    }

    /// The dimmed hint after the line (nothing while searching).
    pub fn hint(&self, table: &Table, history: &History) -> String {
        if self.search.is_some() {
            return String::new();
        }
        grammar::hint(table, self.shown(history)).unwrap_or_default()
    }

    /// Applies a key; answers the line to run on Enter.
    pub fn key(&mut self, key: Key, table: &Table, history: &mut History) -> Option<String> {
        if let Some(mut search) = self.search.take() {
            let lines = history.lines();
            match key {
                Key::Typed(text) => search.push(&text, lines),
                Key::Backspace => search.pop(lines),
                Key::Search => search.older(lines),
                Key::Abort => {
                    self.line = search.before().to_string();
                    return None;
                }
                Key::Enter => {
                    self.line.clear();
                    return Some(search.shown(lines).to_string());
                }
                // Escape, arrows, Tab: the line found stays, for editing.
                _ => {
                    self.line = search.shown(lines).to_string();
                    return None;
                }
            }
            self.search = Some(search);
            return None;
        }
        if key == Key::Tab {
            match &mut self.tab {
                Some(tab) => tab.advance(),
                None => self.tab = TabCycle::start(table, &self.line),
            }
            return None;
        }
        // Any other key ends a Tab cycle: Escape with the line as typed,
        // the rest with the completion shown.
        if let Some(tab) = self.tab.take() {
            self.line = if key == Key::Escape {
                tab.typed()
            } else {
                tab.shown()
            }
            .to_string();
        }
        match key {
            Key::Changed(text) => self.line = text,
            Key::Up => {
                if let Some(line) = history.previous(&self.line) {
                    self.line = line;
                }
            }
            Key::Down => {
                if let Some(line) = history.next() {
                    self.line = line;
                }
            }
            Key::Search => self.search = Some(ReverseSearch::new(&self.line)),
            Key::Enter => return Some(std::mem::take(&mut self.line)),
            _ => {}
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(editor: &mut Editor, table: &Table, history: &mut History, text: &str) {
        editor.key(Key::Changed(text.to_string()), table, history);
    }

    #[test]
    fn tab_cycles_then_typing_keeps_the_completion() {
        let table = Table::new();
        let mut history = History::default();
        let mut e = Editor::default();
        typed(&mut e, &table, &mut history, "hget");
        e.key(Key::Tab, &table, &mut history);
        assert_eq!(e.shown(&history), "HGET");
        assert_eq!(e.hint(&table, &history), "", "no hint before a space");
        e.key(Key::Tab, &table, &mut history);
        assert_eq!(e.shown(&history), "HGETALL");
        e.key(Key::Escape, &table, &mut history);
        assert_eq!(e.shown(&history), "hget", "Escape: the typed line");
        e.key(Key::Tab, &table, &mut history);
        typed(&mut e, &table, &mut history, "HGET ");
        assert_eq!(e.shown(&history), "HGET ");
        assert_eq!(e.hint(&table, &history), "key field");
        assert_eq!(
            e.key(Key::Enter, &table, &mut history).as_deref(),
            Some("HGET ")
        );
        assert_eq!(e.shown(&history), "");
    }

    #[test]
    fn arrows_walk_the_history() {
        let table = Table::new();
        let mut history = History::from_text("SET a 1\nGET a");
        let mut e = Editor::default();
        typed(&mut e, &table, &mut history, "dr");
        e.key(Key::Up, &table, &mut history);
        assert_eq!(e.shown(&history), "GET a");
        e.key(Key::Up, &table, &mut history);
        e.key(Key::Down, &table, &mut history);
        e.key(Key::Down, &table, &mut history);
        assert_eq!(e.shown(&history), "dr");
    }

    #[test]
    fn reverse_search_runs_or_keeps_the_match() {
        let table = Table::new();
        let mut history = History::from_text("SET a 1\nGET a\nSET b 2\nPING");
        let mut e = Editor::default();
        typed(&mut e, &table, &mut history, "x");
        e.key(Key::Search, &table, &mut history);
        for c in ["S", "E", "T"] {
            e.key(Key::Typed(c.to_string()), &table, &mut history);
        }
        assert_eq!(
            e.search_prompt().as_deref(),
            Some("(reverse-i-search)`SET': ")
        );
        assert_eq!(e.shown(&history), "SET b 2");
        assert_eq!(e.hint(&table, &history), "", "no hint while searching");
        e.key(Key::Search, &table, &mut history);
        assert_eq!(e.shown(&history), "SET a 1");
        assert_eq!(
            e.key(Key::Enter, &table, &mut history).as_deref(),
            Some("SET a 1")
        );
        assert_eq!(e.search_prompt(), None);

        e.key(Key::Search, &table, &mut history);
        e.key(Key::Typed("PI".to_string()), &table, &mut history);
        e.key(Key::Escape, &table, &mut history);
        assert_eq!(e.shown(&history), "PING", "kept for editing");
        assert_eq!(e.search_prompt(), None);

        e.key(Key::Search, &table, &mut history);
        e.key(Key::Typed("GET".to_string()), &table, &mut history);
        e.key(Key::Abort, &table, &mut history);
        assert_eq!(e.shown(&history), "PING", "Ctrl-G: the line from before");
    }
}
