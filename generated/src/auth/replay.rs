//! A bounded memory of recently used nonces: a nonce is refused while its Created is
//! inside the window; entries leave in arrival order when they expire or when the cache
//! is full (the oldest go first, so the bound holds under any load).

use std::collections::{HashSet, VecDeque};

#[derive(Debug)]
pub(crate) struct ReplayCache {
    capacity: usize,
    seen: HashSet<(String, String)>,
    order: VecDeque<(i64, (String, String))>,
}

impl ReplayCache {
    pub(crate) fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity: capacity.max(1),
            seen: HashSet::new(),
            order: VecDeque::new(),
        }
    }

    /// Records (app key, nonce) until `expires` (Unix seconds); false if already recorded.
    pub(crate) fn insert(&mut self, app_key: &str, nonce: &str, now: i64, expires: i64) -> bool {
        while let Some((exp, _)) = self.order.front() {
            if *exp > now && self.order.len() < self.capacity {
                break;
            }
            if let Some((_, key)) = self.order.pop_front() {
                self.seen.remove(&key);
            }
        }
        let key = (app_key.to_string(), nonce.to_string());
        if self.seen.contains(&key) {
            return false;
        }
        self.seen.insert(key.clone());
        self.order.push_back((expires, key));
        true
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_repeats_until_expiry_and_stays_bounded() {
        let mut c = ReplayCache::new(3);
        assert!(c.insert("k", "n1", 0, 10));
        assert!(!c.insert("k", "n1", 5, 15));
        assert!(c.insert("other", "n1", 5, 15));
        assert!(c.insert("k", "n1", 11, 21), "expired entries leave");
        for i in 0..100 {
            c.insert("k", &i.to_string(), 12, 100);
        }
        assert!(c.len() <= 3);
    }
}
