//! Command history with redis-cli's up/down behaviour: up walks back through
//! earlier lines, down walks forward, and past the newest line the draft
//! that was being typed comes back.

#[derive(Debug, Default, Clone, PartialEq)]
pub struct History {
    lines: Vec<String>,
    /// Index into `lines` while browsing; None while editing a fresh line.
    cursor: Option<usize>,
    /// What was typed before browsing started.
    draft: String,
}

/// How many lines are kept, like redis-cli's history.
const MAX_LINES: usize = 1000;

impl History {
    /// Records a submitted line (blank lines and repeats of the last one are not kept).
    pub fn push(&mut self, line: &str) {
        self.cursor = None;
        self.draft.clear();
        if line.trim().is_empty() || self.lines.last().is_some_and(|last| last == line) {
            return;
        }
        if self.lines.len() == MAX_LINES {
            self.lines.remove(0);
        }
        self.lines.push(line.to_string());
    }

    /// The lines kept, oldest first.
    pub fn lines(&self) -> &[String] {
        &self.lines
    }

    /// A history saved with `to_text` (one line per line, since a line
    /// never holds a newline: pasted text runs line by line).
    pub fn from_text(text: &str) -> History {
        let mut history = History::default();
        text.split('\n').for_each(|line| history.push(line));
        history
    }

    pub fn to_text(&self) -> String {
        self.lines.join("\n")
    }

    /// The line before the one shown, given what the input holds now.
    pub fn previous(&mut self, current: &str) -> Option<String> {
        let index = match self.cursor {
            None => {
                self.draft = current.to_string();
                self.lines.len().checked_sub(1)?
            }
            Some(i) => i.checked_sub(1)?,
        };
        self.cursor = Some(index);
        self.lines.get(index).cloned()
    }

    /// The line after the one shown; the draft after the newest.
    pub fn next(&mut self) -> Option<String> {
        let index = self.cursor?;
        if index + 1 < self.lines.len() {
            self.cursor = Some(index + 1);
            self.lines.get(index + 1).cloned()
        } else {
            self.cursor = None;
            Some(std::mem::take(&mut self.draft))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::History;

    #[test]
    fn walks_back_and_forth_and_restores_the_draft() {
        let mut h = History::default();
        h.push("SET a 1");
        h.push("GET a");
        h.push("GET a");
        h.push("  ");
        assert_eq!(h.previous("TY").as_deref(), Some("GET a"));
        assert_eq!(h.previous("GET a").as_deref(), Some("SET a 1"));
        assert_eq!(h.previous("SET a 1"), None, "stops at the oldest line");
        assert_eq!(h.next().as_deref(), Some("GET a"));
        assert_eq!(h.next().as_deref(), Some("TY"), "the draft comes back");
        assert_eq!(h.next(), None);
    }

    #[test]
    fn saved_text_round_trips_and_keeps_the_rules() {
        let h = History::from_text("SET a 1\n\nGET a\nGET a\nDEL a");
        assert_eq!(h.lines(), ["SET a 1", "GET a", "DEL a"]);
        assert_eq!(History::from_text(&h.to_text()), h);
        assert!(History::from_text("").lines().is_empty());
        let long: Vec<String> = (0..1200).map(|i| i.to_string()).collect();
        let h = History::from_text(&long.join("\n"));
        assert_eq!(h.lines().len(), 1000);
        assert_eq!(h.lines()[0], "200", "the oldest go first");
    }

    #[test]
    fn empty_history_has_nothing() {
        let mut h = History::default();
        assert_eq!(h.previous("x"), None);
        assert_eq!(h.next(), None);
    }
}
