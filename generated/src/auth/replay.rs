//! A bounded memory of recently used nonces with a stated guarantee: a nonce is refused
//! for as long as the verifier remembers it, and it is remembered until its expiry
//! (max(Created, now) + window, so for as long as its Created is inside the window),
//! whatever the load. When the memory holds `capacity` unexpired nonces, a new one is
//! refused ([`Seen::Full`]) rather than a live one forgotten: the bound on memory holds
//! and no replay gets through; the cost is that a verifier accepts at most `capacity`
//! requests per window.
//!
//! Each (app, nonce) is remembered as a 128-bit fingerprint under a per-cache random
//! SipHash key, so remembering a nonce allocates nothing once the tables have grown. The
//! app is the verifier's number for the app key (one per key). A
//! repeat always has the same fingerprint, so a replay is never let through; two
//! different nonces share one only by chance (about 2⁻¹²⁸ per pair, and the key is
//! unknown to clients), which would refuse a fresh request, never accept a replay.
//! Entries leave in order of expiry (a min-heap: expiries are not in arrival order,
//! since Created may lie ahead of the clock).

use std::cmp::Reverse;
use std::collections::hash_map::RandomState;
use std::collections::{BinaryHeap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

/// What the memory said of a nonce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Seen {
    /// Not seen before; now remembered.
    Fresh,
    /// Remembered: a replay.
    Replayed,
    /// Not seen before, but the memory is full of unexpired nonces; not remembered.
    Full,
}

#[derive(Debug)]
pub(crate) struct ReplayCache {
    capacity: usize,
    key: RandomState,
    seen: HashSet<u128, BuildHasherDefault<Fingerprinted>>,
    /// (expiry in Unix seconds, fingerprint), soonest expiry on top.
    expiries: BinaryHeap<Reverse<(i64, u128)>>,
}

impl ReplayCache {
    pub(crate) fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity: capacity.max(1),
            key: RandomState::new(),
            seen: HashSet::default(),
            expiries: BinaryHeap::new(),
        }
    }

    /// The keyed fingerprint of (app, nonce): SipHash of the app's four bytes then the
    /// nonce (a fixed-width prefix, so the pair is read back unambiguously), finished
    /// twice for 128 bits.
    fn fingerprint(&self, app: u32, nonce: &str) -> u128 {
        let mut h = self.key.build_hasher();
        h.write_u32(app);
        h.write(nonce.as_bytes());
        let low = h.finish();
        h.write_u8(0);
        (u128::from(h.finish()) << 64) | u128::from(low)
    }

    /// Records (app, nonce) until `expires` (Unix seconds; the entry is kept while
    /// `now <= expires`), unless it is remembered already or the memory is full.
    pub(crate) fn insert(&mut self, app: u32, nonce: &str, now: i64, expires: i64) -> Seen {
        while let Some(&Reverse((exp, key))) = self.expiries.peek() {
            if exp >= now {
                break;
            }
            self.expiries.pop();
            self.seen.remove(&key);
        }
        let key = self.fingerprint(app, nonce);
        if self.seen.contains(&key) {
            return Seen::Replayed;
        }
        if self.seen.len() >= self.capacity {
            return Seen::Full;
        }
        self.seen.insert(key);
        self.expiries.push(Reverse((expires, key)));
        Seen::Fresh
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.seen.len()
    }
}

/// The set's hasher: a fingerprint is already a keyed hash, so its low 64 bits are used
/// as they are.
#[derive(Default)]
struct Fingerprinted(u64);

impl Hasher for Fingerprinted {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }

    fn write_u128(&mut self, i: u128) {
        self.0 = i as u64;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_repeats_until_expiry_and_stays_bounded() {
        let mut c = ReplayCache::new(3);
        assert_eq!(c.insert(0, "n1", 0, 10), Seen::Fresh);
        assert_eq!(c.insert(0, "n1", 5, 15), Seen::Replayed);
        assert_eq!(c.insert(1, "n1", 5, 15), Seen::Fresh);
        assert_eq!(
            c.insert(0, "n1", 10, 20),
            Seen::Replayed,
            "kept at its expiry"
        );
        assert_eq!(
            c.insert(0, "n1", 11, 21),
            Seen::Fresh,
            "expired entries leave"
        );
        for i in 0..100 {
            c.insert(0, &i.to_string(), 12, 100);
        }
        assert!(c.len() <= 3);
        assert_eq!(c.insert(0, "n1", 12, 100), Seen::Replayed, "never evicted");
        assert_eq!(c.insert(0, "new", 12, 100), Seen::Full);
    }

    #[test]
    fn entries_leave_in_order_of_expiry_not_arrival() {
        let mut c = ReplayCache::new(2);
        assert_eq!(c.insert(0, "late", 0, 100), Seen::Fresh);
        assert_eq!(c.insert(0, "soon", 0, 10), Seen::Fresh);
        assert_eq!(c.insert(0, "x", 11, 30), Seen::Fresh, "room made by `soon`");
        assert_eq!(c.insert(0, "late", 50, 150), Seen::Replayed);
    }

    #[test]
    fn fingerprints_tell_apps_and_nonces_apart() {
        let c = ReplayCache::new(3);
        assert_ne!(c.fingerprint(0, "n"), c.fingerprint(1, "n"));
        assert_ne!(c.fingerprint(0, "n"), c.fingerprint(0, "n0"));
        assert_eq!(c.fingerprint(7, "n"), c.fingerprint(7, "n"));
        let other = ReplayCache::new(3);
        assert_ne!(
            c.fingerprint(0, "n"),
            other.fingerprint(0, "n"),
            "keyed per cache"
        );
    }
}
