//! A bounded memory of recently used nonces with a stated guarantee: a nonce is refused
//! for as long as the verifier remembers it, and it is remembered until its expiry
//! (max(Created, now) + window, so for as long as its Created is inside the window),
//! whatever the load. When the memory holds `capacity` unexpired nonces, a new one is
//! refused ([`Seen::Full`]) rather than a live one forgotten: the bound on memory holds
//! and no replay gets through; the cost is that a verifier accepts at most `capacity`
//! requests per window.
//!
//! Each (app, nonce) is remembered as a 64-bit fingerprint with its expiry, in
//! open-addressing tables (linear probing), so one verification is one probe sequence
//! of a few adjacent 16-byte slots: no allocation, no second structure ordering the
//! expiries. An expired entry is not removed when it expires: a probe treats it as
//! absent and the next insertion along that probe sequence reuses its slot, and a table
//! that fills with them is rebuilt without them (see [`Shard`]). Issue 16 asked for this
//! cost: the earlier memory (a set of 128-bit SipHash fingerprints plus a heap of
//! expiries) took ≈ 85–100 ns a verification, a third of the whole.
//!
//! The fingerprint is foldhash (quality variant) under a key drawn from the OS-seeded
//! CSPRNG for each memory. A repeat always has the same fingerprint, so a replay is
//! never let through; two different nonces share one with probability ≈ 2⁻⁶⁴, so with
//! `n` nonces remembered a fresh request is refused by mistake with probability ≈
//! n · 2⁻⁶⁴ (5 · 10⁻¹⁴ at a million): it is refused, never accepted. foldhash is fast
//! rather than cryptographic; what it guards is bounded: the memory is reached only
//! after the digest has verified, so only a holder of an app secret can choose nonces
//! here, and without the key (never shown) they cannot choose nonces that crowd one
//! probe sequence.

use std::hash::Hasher;

use foldhash::quality::FoldHasher;
use foldhash::SharedSeed;
use rand::Rng as _;

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
const SHARDS: usize = 1 << SHARD_BITS;
const SHARD_BITS: u32 = 6;

/// Slots a shard starts with: its share of the capacity and one more at most 3/8 full
/// (the rule a rebuild sizes by), between 16 and 256 slots (4 KiB; 256 KiB for the whole
/// memory). So a small memory grows only in a shard that takes more than its share, and
/// a large one starts small and grows by shards.
fn initial_slots(capacity: usize) -> usize {
    ((capacity.div_ceil(SHARDS) + 1) * 8)
        .div_ceil(3)
        .next_power_of_two()
        .clamp(16, 256)
}

/// One remembered nonce. A slot never used has fingerprint 0 (fingerprints are never 0);
/// a used slot whose expiry has passed is free for reuse but still continues the probe
/// sequence, so entries placed after it stay findable.
#[derive(Debug, Clone, Copy, Default)]
struct Slot {
    fingerprint: u64,
    /// Unix seconds; the entry is kept while `now <= expires`.
    expires: i64,
}

/// One shard: a power-of-two table probed linearly from the fingerprint's low bits.
///
/// A shard is rebuilt (its unexpired entries moved to a fresh table) when its used slots,
/// expired ones included, would pass 5/8 of the table: the new table is twice the size
/// when more than a quarter of the old one is still unexpired, the same size otherwise.
/// So a probe meets a table at most 5/8 full, and each rebuild either doubles the table
/// or frees at least 3/8 of it: the moves cost O(1) per insertion on average.
struct Shard {
    slots: Box<[Slot]>,
    /// Slots with a fingerprint, expired or not.
    used: usize,
    /// No used slot expires before this (a lower bound; exact after a rebuild).
    earliest: i64,
}

/// Where a probe for a fingerprint ended.
enum Probe {
    /// An unexpired entry with this fingerprint.
    Found,
    /// Absent: the first expired slot on the way (to reuse), if any, else the empty
    /// slot that ended the probe.
    Absent { slot: usize, reuse: bool },
}

impl Shard {
    fn with_slots(len: usize) -> Self {
        Shard {
            slots: vec![Slot::default(); len].into_boxed_slice(),
            used: 0,
            earliest: i64::MAX,
        }
    }

    fn probe(&self, fingerprint: u64, now: i64) -> Probe {
        let mask = self.slots.len() - 1;
        let mut i = fingerprint as usize & mask;
        let mut expired = None;
        loop {
            let s = self.slots[i];
            if s.fingerprint == 0 {
                return match expired {
                    Some(slot) => Probe::Absent { slot, reuse: true },
                    None => Probe::Absent {
                        slot: i,
                        reuse: false,
                    },
                };
            }
            if s.expires < now {
                expired = expired.or(Some(i));
            } else if s.fingerprint == fingerprint {
                return Probe::Found;
            }
            i = (i + 1) & mask;
        }
    }

    fn put(&mut self, slot: usize, fingerprint: u64, expires: i64) {
        self.slots[slot] = Slot {
            fingerprint,
            expires,
        };
        self.earliest = self.earliest.min(expires);
    }

    /// Whether one more used slot would fill the table past 5/8.
    fn crowded(&self) -> bool {
        (self.used + 1) * 8 > self.slots.len() * 5
    }

    /// Moves the unexpired entries to a fresh table, doubled until they and one more
    /// fill at most 3/8 of it. Returns (entries moved, expired entries dropped).
    fn rebuild(&mut self, now: i64) -> (usize, usize) {
        let live = self
            .slots
            .iter()
            .filter(|s| s.fingerprint != 0 && s.expires >= now);
        let kept = live.clone().count();
        let mut len = self.slots.len();
        while (kept + 1) * 8 > len * 3 {
            len *= 2;
        }
        let mut fresh = Shard::with_slots(len);
        for s in live {
            if let Probe::Absent { slot, .. } = fresh.probe(s.fingerprint, now) {
                fresh.put(slot, s.fingerprint, s.expires);
                fresh.used += 1;
            }
        }
        let (moved, gone) = (fresh.used, self.used - fresh.used);
        *self = fresh;
        (moved, gone)
    }
}

pub(crate) struct ReplayCache {
    capacity: usize,
    /// The fingerprint's key: a seed for each hasher and one shared by them.
    key: u64,
    shared: SharedSeed,
    /// Used slots over all shards (expired entries not yet reclaimed included); never
    /// more than `capacity`.
    used: usize,
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

/// The key and the fingerprints stay out of `Debug` (a verifier's `Debug` shows its
/// memory): how full the memory is, and nothing it holds.
impl std::fmt::Debug for ReplayCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReplayCache")
            .field("capacity", &self.capacity)
            .field("used", &self.used)
            .field(
                "slots",
                &self.shards.iter().map(|s| s.slots.len()).sum::<usize>(),
            )
            .finish_non_exhaustive()
    }
}

impl ReplayCache {
    pub(crate) fn new(capacity: usize) -> Self {
        let mut rng = rand::rng();
        ReplayCache {
            capacity: capacity.max(1),
            key: rng.next_u64(),
            shared: SharedSeed::from_u64(rng.next_u64()),
            used: 0,
            shards: (0..SHARDS)
                .map(|_| Shard::with_slots(initial_slots(capacity)))
                .collect(),
            moved: GrowthCount::default(),
        }
    }

    /// The keyed fingerprint of (app, nonce): the app's four bytes then the nonce (a
    /// fixed-width prefix, so the pair is read back unambiguously); never 0, which marks
    /// an empty slot.
    fn fingerprint(&self, app: u32, nonce: &str) -> u64 {
        let mut h = FoldHasher::with_seed(self.key, &self.shared);
        h.write_u32(app);
        h.write(nonce.as_bytes());
        h.finish().max(1)
    }

    /// Records (app, nonce) until `expires` (Unix seconds; the entry is kept while
    /// `now <= expires`), unless it is remembered already or the memory is full.
    ///
    /// An expired entry never counts as a replay (a probe skips it). "Full" always means
    /// `capacity` unexpired nonces: before refusing, every shard that may hold an
    /// expired entry is rebuilt without it (one at a time, stopping as soon as there is
    /// room), so while the memory is full a shard is swept at most once per second of
    /// expiries, not once per refused request.
    pub(crate) fn insert(&mut self, app: u32, nonce: &str, now: i64, expires: i64) -> Seen {
        let fingerprint = self.fingerprint(app, nonce);
        // The high bits pick the shard; the low bits the slot.
        let index = (fingerprint >> (64 - SHARD_BITS)) as usize;
        let mut slot = match self.shards[index].probe(fingerprint, now) {
            Probe::Found => return Seen::Replayed,
            Probe::Absent { slot, reuse: true } => {
                // An expired entry's slot: the count of used slots stays as it was.
                self.shards[index].put(slot, fingerprint, expires);
                return Seen::Fresh;
            }
            Probe::Absent { slot, .. } => slot,
        };
        let mut rebuilt = false;
        if self.used >= self.capacity {
            if !self.make_room(now) {
                return Seen::Full;
            }
            rebuilt = true;
        }
        if self.shards[index].crowded() {
            self.rebuild(index, now);
            rebuilt = true;
        }
        let shard = &mut self.shards[index];
        if rebuilt {
            // The table may be new: where the fingerprint goes now. (A rebuilt table
            // holds no expired entry, and an untouched one is as first probed.)
            match shard.probe(fingerprint, now) {
                Probe::Absent { slot: s, .. } => slot = s,
                Probe::Found => return Seen::Replayed,
            }
        }
        shard.put(slot, fingerprint, expires);
        shard.used += 1;
        self.used += 1;
        Seen::Fresh
    }

    /// Rebuilds shard `index` without its expired entries, counting what moved.
    fn rebuild(&mut self, index: usize, now: i64) {
        let (moved, gone) = self.shards[index].rebuild(now);
        self.used -= gone;
        self.moved.max = self.moved.max.max(moved);
        self.moved.total += moved;
    }

    /// Rebuilds shards that may hold expired entries, until a slot is free for a new one;
    /// whether one is.
    fn make_room(&mut self, now: i64) -> bool {
        for index in 0..SHARDS {
            if self.shards[index].earliest < now {
                self.rebuild(index, now);
                if self.used < self.capacity {
                    return true;
                }
            }
        }
        false
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.used
    }

    /// What table growth has cost so far.
    #[cfg(test)]
    pub(crate) fn growth(&self) -> GrowthCount {
        self.moved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Growth never copies the whole memory: with 200,000 nonces remembered, no single
    /// insertion moves more than one shard's entries (a single table would move over
    /// 100,000 at once). Counted, not timed.
    #[test]
    fn growth_moves_a_shard_never_the_whole_memory() {
        let n = 200_000;
        let mut c = ReplayCache::new(1_000_000);
        for i in 0..n {
            assert_eq!(c.insert(0, &format!("n{i}"), 0, 900), Seen::Fresh);
        }
        assert_eq!(c.len(), n);
        let g = c.growth();
        // 64 shards of 3,125 ± a few hundred entries. A shard starts with 256 slots
        // (the largest start) and is rebuilt when its 161st entry arrives (past 5/8),
        // moving 160 into 512 slots; then at 320 into 1,024, … at 2,560 into 8,192, the
        // last rebuild below 3,125. So each shard moves 160 + 320 + … + 2,560 = 4,960
        // entries: 317,440 in all, 1.59 n. (A counter that counted every insertion would
        // give n; one that missed the rebuilds, 0.)
        assert!(
            (3 * n / 2..=7 * n / 4).contains(&g.total),
            "growth moved {} entries for {n} nonces: {g:?}",
            g.total
        );
        assert_eq!(g.max, 2_560, "one insertion moves one shard's entries");
        assert!(g.max < n / 64, "one insertion moved {} of {n}", g.max);
    }

    /// Under steady churn (nonces expiring as fast as they arrive) the tables stay the
    /// size of what is unexpired: expired slots are reused or dropped by a rebuild at
    /// the same size, never kept by growing.
    #[test]
    fn churn_does_not_grow_the_memory() {
        let mut c = ReplayCache::new(1_000_000);
        for t in 0..400i64 {
            for i in 0..500 {
                assert_eq!(c.insert(0, &format!("{t}-{i}"), t, t + 2), Seen::Fresh);
            }
        }
        // At most 1,500 unexpired (three seconds' worth), ≈ 23 a shard: tables of 64
        // or 128 slots. 200,000 nonces passed through.
        let slots: usize = c.shards.iter().map(|s| s.slots.len()).sum();
        assert!(
            slots <= 64 * 256,
            "{slots} slots for ≤ 1,500 unexpired nonces"
        );
        assert!(c.len() <= slots * 5 / 8);
        assert!(c.len() >= 1_500, "the last three seconds are remembered");
        for i in 0..500 {
            assert_eq!(c.insert(0, &format!("399-{i}"), 399, 401), Seen::Replayed);
            assert_eq!(c.insert(0, &format!("397-{i}"), 399, 401), Seen::Replayed);
            assert_eq!(c.insert(0, &format!("396-{i}"), 399, 401), Seen::Fresh);
        }
    }

    /// A probe passes over expired entries (they still continue the sequence) and
    /// offers the first of them for reuse; it ends at a never-used slot.
    #[test]
    fn a_probe_passes_expired_entries_and_offers_the_first() {
        let mut s = Shard::with_slots(16);
        // 3, 19 and 35 all start at slot 3.
        s.put(3, 3, 10);
        s.put(4, 19, 100);
        s.used = 2;
        assert!(
            matches!(s.probe(19, 50), Probe::Found),
            "past an expired entry"
        );
        assert!(
            matches!(s.probe(19, 100), Probe::Found),
            "kept at its expiry"
        );
        assert!(matches!(
            s.probe(19, 101),
            Probe::Absent {
                slot: 3,
                reuse: true
            }
        ));
        assert!(
            matches!(
                s.probe(3, 50),
                Probe::Absent {
                    slot: 3,
                    reuse: true
                }
            ),
            "an expired entry is not a replay"
        );
        assert!(matches!(s.probe(3, 10), Probe::Found));
        assert!(matches!(
            s.probe(35, 10),
            Probe::Absent {
                slot: 5,
                reuse: false
            }
        ));
        // The last slot wraps to the first.
        s.put(15, 15, 100);
        s.put(0, 31, 100);
        assert!(matches!(s.probe(31, 0), Probe::Found));
        assert!(matches!(
            s.probe(47, 0),
            Probe::Absent {
                slot: 1,
                reuse: false
            }
        ));
    }

    /// A rebuild keeps exactly the unexpired entries, findable, and sizes the table so
    /// they and one more fill at most 3/8 of it.
    #[test]
    fn a_rebuild_keeps_the_unexpired_entries() {
        let mut s = Shard::with_slots(16);
        for (fp, exp) in [(3, 10), (19, 100), (20, 5), (7, 100), (8, 100), (9, 100)] {
            let Probe::Absent { slot, .. } = s.probe(fp, 0) else {
                panic!("distinct")
            };
            s.put(slot, fp, exp);
            s.used += 1;
        }
        assert_eq!(s.earliest, 5);
        assert_eq!(s.rebuild(50), (4, 2));
        assert_eq!((s.used, s.slots.len(), s.earliest), (4, 16, 100));
        for fp in [19, 7, 8, 9] {
            assert!(matches!(s.probe(fp, 50), Probe::Found), "{fp} kept");
        }
        assert!(matches!(s.probe(3, 0), Probe::Absent { reuse: false, .. }));
        // Five and one more fill exactly 3/8 of 16: the size stays. Six and one more
        // would not fit: the table doubles.
        s.put(10, 10, 100);
        s.used += 1;
        assert_eq!(s.rebuild(50), (5, 0));
        assert_eq!(s.slots.len(), 16);
        s.put(11, 11, 100);
        s.used += 1;
        assert_eq!(s.rebuild(50), (6, 0));
        assert_eq!(s.slots.len(), 32);
        // Nothing left: the earliest expiry is unknown, so no sweep is due.
        assert_eq!(s.rebuild(101), (0, 6));
        assert_eq!((s.used, s.earliest), (0, i64::MAX));
    }

    /// A shard starts with room for its share of the capacity at 3/8 full, within
    /// 16..=256 slots.
    #[test]
    fn shards_start_sized_for_the_capacity() {
        assert_eq!(initial_slots(1), 16);
        // 11 a shard and one more fill 32 slots exactly 3/8; 12 need 64.
        assert_eq!(initial_slots(11 * SHARDS), 32);
        assert_eq!(initial_slots(12 * SHARDS), 64);
        assert_eq!(
            initial_slots(10 * SHARDS),
            32,
            "10 a shard: 27 slots, rounded up"
        );
        assert_eq!(initial_slots(1_000), 64);
        assert_eq!(initial_slots(4_096), 256);
        assert_eq!(initial_slots(100_000), 256);
        assert_eq!(ReplayCache::new(1_000).shards[0].slots.len(), 64);
    }

    /// The memory's `Debug` shows how full it is, never its key or what it holds.
    #[test]
    fn debug_shows_neither_key_nor_fingerprints() {
        let mut c = ReplayCache::new(10);
        c.insert(0, "n", 0, 10);
        let shown = format!("{c:?}");
        assert_eq!(
            shown,
            "ReplayCache { capacity: 10, used: 1, slots: 1024, .. }"
        );
        assert!(!shown.contains(&c.key.to_string()));
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

    /// A shard's earliest expiry is a lower bound, left low when an expired entry's slot
    /// is reused: a full memory then rebuilds such a shard and finds nothing to drop. It
    /// must still refuse, never pass its capacity. (The stale bounds are set by hand.)
    #[test]
    fn full_holds_when_a_sweep_drops_nothing() {
        let mut c = ReplayCache::new(2);
        assert_eq!(c.insert(0, "x", 0, 100), Seen::Fresh);
        assert_eq!(c.insert(0, "y", 0, 100), Seen::Fresh);
        for s in c.shards.iter_mut() {
            s.earliest = 0;
        }
        assert_eq!(c.insert(0, "z", 50, 100), Seen::Full);
        assert_eq!(c.len(), 2);
        assert!(
            c.shards.iter().all(|s| s.earliest >= 100),
            "swept: exact again"
        );
        assert_eq!(
            c.insert(0, "z", 101, 200),
            Seen::Fresh,
            "room once they expire"
        );
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
        assert_ne!(c.fingerprint(0, ""), 0, "never the empty mark");
        let other = ReplayCache::new(3);
        assert_ne!(
            c.fingerprint(0, "n"),
            other.fingerprint(0, "n"),
            "keyed per cache"
        );
    }
}
