//! A bounded memory of recently used nonces: a nonce is refused while its Created is
//! inside the window; entries leave in arrival order when they expire or when the cache
//! is full (the oldest go first, so the bound holds under any load).
//!
//! Each (app, nonce) is remembered as a 128-bit fingerprint under a per-cache random
//! SipHash key, so remembering a nonce allocates nothing once the tables have grown. The
//! app is the verifier's number for the app key (one per key). A
//! repeat always has the same fingerprint, so a replay is never let through; two
//! different nonces share one only by chance (about 2⁻¹²⁸ per pair, and the key is
//! unknown to clients), which would refuse a fresh request, never accept a replay.

use std::collections::hash_map::RandomState;
use std::collections::{HashSet, VecDeque};
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};

#[derive(Debug)]
pub(crate) struct ReplayCache {
    capacity: usize,
    key: RandomState,
    seen: HashSet<u128, BuildHasherDefault<Fingerprinted>>,
    order: VecDeque<(i64, u128)>,
}

impl ReplayCache {
    pub(crate) fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity: capacity.max(1),
            key: RandomState::new(),
            seen: HashSet::default(),
            order: VecDeque::new(),
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

    /// Records (app, nonce) until `expires` (Unix seconds); false if already recorded.
    pub(crate) fn insert(&mut self, app: u32, nonce: &str, now: i64, expires: i64) -> bool {
        while let Some(&(exp, key)) = self.order.front() {
            if exp > now && self.order.len() < self.capacity {
                break;
            }
            self.order.pop_front();
            self.seen.remove(&key);
        }
        let key = self.fingerprint(app, nonce);
        if !self.seen.insert(key) {
            return false;
        }
        self.order.push_back((expires, key));
        true
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
        assert!(c.insert(0, "n1", 0, 10));
        assert!(!c.insert(0, "n1", 5, 15));
        assert!(c.insert(1, "n1", 5, 15));
        assert!(c.insert(0, "n1", 11, 21), "expired entries leave");
        for i in 0..100 {
            c.insert(0, &i.to_string(), 12, 100);
        }
        assert!(c.len() <= 3);
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
