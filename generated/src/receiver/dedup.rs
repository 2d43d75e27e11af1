//! Bounded memory of CDRs already received, so a retried fee push (the platform retries
//! up to 6 times when it misses a success reply) is not counted twice.

use std::collections::{HashSet, VecDeque};

type Key = (Option<String>, Option<String>, Option<String>);

#[derive(Debug)]
pub(crate) struct Dedup {
    capacity: usize,
    seen: HashSet<Key>,
    order: VecDeque<Key>,
}

impl Dedup {
    pub(crate) fn new(capacity: usize) -> Self {
        Dedup {
            capacity: capacity.max(1),
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// True the first time `key` is seen (while it is remembered).
    pub(crate) fn first_time(&mut self, key: Key) -> bool {
        if self.seen.contains(&key) {
            return false;
        }
        if self.order.len() >= self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.seen.remove(&old);
            }
        }
        self.seen.insert(key.clone());
        self.order.push_back(key);
        true
    }
}
