//! A FIFO its reader drains (the command log, per-request outcomes). If
//! nobody reads it, only the newest items are kept and the rest counted,
//! so a long unattended run cannot grow memory without bound.

use std::collections::VecDeque;

#[derive(Debug)]
pub struct Recent<T> {
    items: VecDeque<T>,
    capacity: usize,
    dropped: u64,
}

impl<T> Recent<T> {
    pub fn new(capacity: usize) -> Recent<T> {
        Recent {
            items: VecDeque::new(),
            capacity: capacity.max(1),
            dropped: 0,
        }
    }

    pub fn push(&mut self, item: T) {
        if self.items.len() >= self.capacity {
            self.items.pop_front();
            self.dropped += 1;
        }
        self.items.push_back(item);
    }

    /// Everything pushed since the last call, oldest first.
    pub fn take(&mut self) -> Vec<T> {
        self.items.drain(..).collect()
    }

    /// Items dropped unread because the buffer was full.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_newest_items_and_counts_the_rest() {
        let mut recent = Recent::new(3);
        for n in 0..5 {
            recent.push(n);
        }
        assert_eq!(recent.dropped(), 2);
        assert_eq!(recent.take(), [2, 3, 4]);
        assert!(recent.take().is_empty());
    }
}
