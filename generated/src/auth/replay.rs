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

/// Shards of the memory. Each grows on its own, so one insertion that grows a table
/// moves at most one shard's entries (≈ 1/64 of the memory), never the whole memory: a
/// memory of 1,000,000 nonces grows in steps of ≈ 16,000 entries, not one pause that
/// copies them all (issue 16: the single server thread of the mock waited behind it).
const SHARDS: usize = 64;

/// One shard: the fingerprints it remembers and their expiries.
#[derive(Debug, Default)]
struct Shard {
    seen: HashSet<u128, BuildHasherDefault<Fingerprinted>>,
    /// (expiry in Unix seconds, fingerprint), soonest expiry on top.
    expiries: BinaryHeap<Reverse<(i64, u128)>>,
}

impl Shard {
    /// Forgets the entries whose expiry is before `now`.
    fn expire(&mut self, now: i64) -> usize {
        let mut gone = 0;
        while let Some(&Reverse((exp, key))) = self.expiries.peek() {
            if exp >= now {
                break;
            }
            self.expiries.pop();
            self.seen.remove(&key);
            gone += 1;
        }
        gone
    }
}

#[derive(Debug)]
pub(crate) struct ReplayCache {
    capacity: usize,
    key: RandomState,
    /// Entries remembered, over all shards (expired ones not yet swept included).
    len: usize,
    shards: Box<[Shard]>,
    /// Elements moved by table growth: the largest in one insertion, and in all.
    moved: GrowthCount,
}

/// What table growth has cost: elements moved (copied to a new allocation).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct GrowthCount {
    /// Most elements moved by one insertion.
    pub(crate) max: usize,
    /// Elements moved in all.
    pub(crate) total: usize,
}

impl ReplayCache {
    pub(crate) fn new(capacity: usize) -> Self {
        ReplayCache {
            capacity: capacity.max(1),
            key: RandomState::new(),
            len: 0,
            shards: (0..SHARDS).map(|_| Shard::default()).collect(),
            moved: GrowthCount::default(),
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
    ///
    /// The fingerprint's shard is swept of expired entries first, so an expired nonce is
    /// never taken for a replay; the other shards are swept only when the memory looks
    /// full, so "full" always means `capacity` unexpired nonces.
    pub(crate) fn insert(&mut self, app: u32, nonce: &str, now: i64, expires: i64) -> Seen {
        let key = self.fingerprint(app, nonce);
        // The high bits pick the shard; the set hashes by the low 64 bits.
        let index = (key >> 122) as usize % SHARDS;
        self.len -= self.shards[index].expire(now);
        if self.shards[index].seen.contains(&key) {
            return Seen::Replayed;
        }
        if self.len >= self.capacity {
            let mut gone = 0;
            for shard in self.shards.iter_mut() {
                gone += shard.expire(now);
            }
            self.len -= gone;
            if self.len >= self.capacity {
                return Seen::Full;
            }
        }
        let shard = &mut self.shards[index];
        let mut moved = 0;
        if shard.seen.len() == shard.seen.capacity() {
            moved += shard.seen.len();
        }
        if shard.expiries.len() == shard.expiries.capacity() {
            moved += shard.expiries.len();
        }
        shard.seen.insert(key);
        shard.expiries.push(Reverse((expires, key)));
        self.len += 1;
        self.moved.max = self.moved.max.max(moved);
        self.moved.total += moved;
        Seen::Fresh
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// What table growth has cost so far.
    #[cfg(test)]
    pub(crate) fn growth(&self) -> GrowthCount {
        self.moved
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

    /// Growth never copies the whole memory: with 200,000 nonces remembered, no single
    /// insertion moves more than a few shards' worth (a single table would move 114,688
    /// entries at once, then more at each doubling). Counted, not timed.
    #[test]
    fn growth_moves_a_shard_never_the_whole_memory() {
        let n = 200_000;
        let mut c = ReplayCache::new(1_000_000);
        for i in 0..n {
            assert_eq!(c.insert(0, &format!("n{i}"), 0, 900), Seen::Fresh);
        }
        assert_eq!(c.len(), n);
        let g = c.growth();
        // Both the sets and the heaps grow by doubling, each moving about as many
        // entries in all as it ends up holding: between n and 2n apiece, so 2n to 4n
        // together. (A counter that missed one of them, or counted every insertion,
        // would fall outside.)
        assert!(
            (2 * n..=4 * n).contains(&g.total),
            "growth moved {} entries for {n} nonces: {g:?}",
            g.total
        );
        // 64 shards of ≈ 3,125 entries: a shard's set and heap grow at 2^k, so one
        // insertion moves at most 2 × (largest shard) ≈ 2 × 4,096.
        assert!(
            g.max <= 2 * 4_096 + 1_024,
            "one insertion moved {} entries",
            g.max
        );
        assert!(
            g.max < n / 16,
            "one insertion moved {} of {n} entries",
            g.max
        );
    }

    /// The set hashes a fingerprint by its low 64 bits, as the set's doc says; a
    /// hasher that lost them (a constant) would leave every fingerprint in one probe
    /// chain: right answers, at linear cost per nonce.
    #[test]
    fn the_set_hashes_a_fingerprint_by_its_low_bits() {
        let b = BuildHasherDefault::<Fingerprinted>::default();
        assert_eq!(
            b.hash_one(0xAAAA_0000_0000_0000_1234_5678_9ABC_DEF0u128),
            0x1234_5678_9ABC_DEF0
        );
        assert_eq!(b.hash_one(7u128), 7);
        assert_ne!(b.hash_one(1u128), b.hash_one(2u128));
    }

    #[test]
    fn full_sweeps_expired_entries_of_every_shard() {
        let mut c = ReplayCache::new(100);
        for i in 0..100 {
            assert_eq!(c.insert(0, &format!("a{i}"), 0, 10), Seen::Fresh);
        }
        assert_eq!(c.insert(0, "b", 5, 20), Seen::Full);
        // At 11 every entry has expired, in whatever shard it sits.
        for i in 0..100 {
            assert_eq!(c.insert(0, &format!("b{i}"), 11, 30), Seen::Fresh);
        }
        assert_eq!(c.len(), 100);
    }

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
