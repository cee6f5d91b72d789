//! Ctrl-R reverse history search, as redis-cli's (bash-like) one: the
//! prompt becomes ``(reverse-i-search)`query': ``, typing narrows to the
//! newest line containing the query, Ctrl-R again goes to older matches,
//! and a query nothing matches shows as `failed` with the last match kept.

/// A search in progress over a history's lines (oldest first).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ReverseSearch {
    query: String,
    /// Index of the line found.
    found: Option<usize>,
    failed: bool,
    /// The line being edited when the search started (Ctrl-G goes back).
    before: String,
}

impl ReverseSearch {
    pub fn new(before: &str) -> ReverseSearch {
        ReverseSearch {
            before: before.to_string(),
            ..ReverseSearch::default()
        }
    }

    /// The prompt shown instead of redis-cli's.
    pub fn prompt(&self) -> String {
        let failed = if self.failed { "failed " } else { "" };
        format!("({failed}reverse-i-search)`{}': ", self.query)
    }

    /// The line shown: the match, or the line from before the search.
    pub fn shown<'a>(&'a self, lines: &'a [String]) -> &'a str {
        self.found
            .and_then(|i| lines.get(i))
            .map_or(&self.before, |line| line)
    }

    pub fn before(&self) -> &str {
        &self.before
    }

    /// A character typed: the query grows; the match may stay.
    pub fn push(&mut self, text: &str, lines: &[String]) {
        self.query.push_str(text);
        let from = self.found.map_or(lines.len(), |i| i + 1);
        self.find(lines, from);
    }

    /// Backspace: the query shrinks and the search starts over.
    pub fn pop(&mut self, lines: &[String]) {
        self.query.pop();
        self.found = None;
        self.find(lines, lines.len());
    }

    /// Ctrl-R again: the next older match.
    pub fn older(&mut self, lines: &[String]) {
        let from = self.found.unwrap_or(lines.len());
        self.find(lines, from);
    }

    /// The newest line before index `from` containing the query.
    fn find(&mut self, lines: &[String], from: usize) {
        if self.query.is_empty() {
            self.failed = false;
            return;
        }
        let hit = lines[..from.min(lines.len())]
            .iter()
            .rposition(|line| line.contains(&self.query));
        self.failed = hit.is_none();
        if hit.is_some() {
            self.found = hit;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::ReverseSearch;

    fn lines() -> Vec<String> {
        ["SET a 1", "GET a", "SET b 2", "GET b", "PING"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn typing_narrows_and_ctrl_r_goes_older() {
        let lines = lines();
        let mut s = ReverseSearch::new("draft");
        assert_eq!(s.prompt(), "(reverse-i-search)`': ");
        assert_eq!(s.shown(&lines), "draft");
        s.push("S", &lines);
        assert_eq!(s.shown(&lines), "SET b 2");
        s.push("ET", &lines);
        assert_eq!(s.shown(&lines), "SET b 2", "the match still fits");
        s.older(&lines);
        assert_eq!(s.shown(&lines), "SET a 1");
        assert_eq!(s.prompt(), "(reverse-i-search)`SET': ");
        s.older(&lines);
        assert_eq!(s.prompt(), "(failed reverse-i-search)`SET': ");
        assert_eq!(s.shown(&lines), "SET a 1", "the last match stays");
    }

    #[test]
    fn a_query_nothing_matches_fails_and_backspace_starts_over() {
        let lines = lines();
        let mut s = ReverseSearch::new("");
        s.push("G", &lines);
        assert_eq!(s.shown(&lines), "PING");
        s.push("x", &lines);
        assert_eq!(s.prompt(), "(failed reverse-i-search)`Gx': ");
        assert_eq!(s.shown(&lines), "PING");
        s.pop(&lines);
        s.push("E", &lines);
        assert_eq!(s.prompt(), "(reverse-i-search)`GE': ");
        assert_eq!(s.shown(&lines), "GET b");
        assert_eq!(s.before(), "");
    }
}
