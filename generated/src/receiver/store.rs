//! Idempotency keys of CDRs and the store that remembers which were delivered.
//!
//! The platform re-pushes a fee push until it gets a success reply (at most 6 retries,
//! one hour apart: 4.5/5.4/6.4 注意事项, erratum `retry-merge-statements`), so every CDR
//! reaches the service at least once and possibly more. The receiver gives each CDR its
//! [`IdempotencyKey`] and whether the store saw it delivered before; it marks a CDR
//! delivered only after the service's handler succeeded.

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::future::Future;
use std::sync::Mutex;

use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// What identifies a CDR across retries.
///
/// When the CDR carries `sessionId` and `callEndTime` (and `icid`, where present) as
/// strings, those; otherwise the SHA-256 of its canonical content (keys sorted, no
/// whitespace, duplicated keys kept), so two different CDRs never share a key. The key
/// is computed from the CDR's JSON, whether or not it parses into its generated type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The key of the CDR `raw` (one element of `feeLst`) pushed by `service`
    /// (`callback`, `notification`, `verification`).
    pub fn of_cdr(service: &str, raw: &str) -> IdempotencyKey {
        let value: Option<Value> = serde_json::from_str(raw).ok();
        let field = |name: &str| {
            value
                .as_ref()
                .and_then(|v| v.get(name))
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
        };
        if let (Some(session), Some(end)) = (field("sessionId"), field("callEndTime")) {
            let ids = serde_json::json!([session, end, field("icid")]);
            return IdempotencyKey(format!("{service}:id:{ids}"));
        }
        let canonical = canonical_json(raw).unwrap_or_else(|| raw.to_string());
        let digest = Sha256::digest(canonical.as_bytes());
        let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
        IdempotencyKey(format!("{service}:sha256:{hex}"))
    }

    /// A key read back from a store.
    pub fn from_stored(key: impl Into<String>) -> IdempotencyKey {
        IdempotencyKey(key.into())
    }

    /// The key as text (what a store keeps).
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `raw` with object keys sorted (stably: duplicated keys are kept, in order) and no
/// whitespace; `None` when it is not JSON.
pub fn canonical_json(raw: &str) -> Option<String> {
    let canon: Canon = serde_json::from_str(raw).ok()?;
    let mut out = String::with_capacity(raw.len());
    canon.write(&mut out);
    Some(out)
}

enum Canon {
    Atom(String),
    Array(Vec<Canon>),
    Object(Vec<(String, Canon)>),
}

impl Canon {
    fn write(&self, out: &mut String) {
        match self {
            Canon::Atom(s) => out.push_str(s),
            Canon::Array(items) => {
                out.push('[');
                for (i, c) in items.iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    c.write(out);
                }
                out.push(']');
            }
            Canon::Object(entries) => {
                let mut sorted: Vec<&(String, Canon)> = entries.iter().collect();
                sorted.sort_by(|a, b| a.0.cmp(&b.0));
                out.push('{');
                for (i, (k, v)) in sorted.into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&Value::from(k.as_str()).to_string());
                    out.push(':');
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

impl<'de> Deserialize<'de> for Canon {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Canon, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Canon;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("JSON")
            }
            fn visit_unit<E>(self) -> Result<Canon, E> {
                Ok(Canon::Atom("null".into()))
            }
            fn visit_bool<E>(self, b: bool) -> Result<Canon, E> {
                Ok(Canon::Atom(b.to_string()))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Canon, E> {
                Ok(Canon::Atom(n.to_string()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Canon, E> {
                Ok(Canon::Atom(n.to_string()))
            }
            fn visit_f64<E>(self, n: f64) -> Result<Canon, E> {
                Ok(Canon::Atom(Value::from(n).to_string()))
            }
            fn visit_str<E>(self, s: &str) -> Result<Canon, E> {
                Ok(Canon::Atom(Value::from(s).to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Canon, A::Error> {
                let mut items = Vec::new();
                while let Some(c) = seq.next_element()? {
                    items.push(c);
                }
                Ok(Canon::Array(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Canon, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, Canon>()? {
                    entries.push((k, v));
                }
                Ok(Canon::Object(entries))
            }
        }
        d.deserialize_any(V)
    }
}

/// Why a store could not answer; the push is then refused, and the platform retries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreError(pub String);

impl StoreError {
    /// An error with this description.
    pub fn new(why: impl fmt::Display) -> StoreError {
        StoreError(why.to_string())
    }
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for StoreError {}

/// Remembers which CDRs were delivered (the service's handler succeeded on them).
///
/// `delivered` is asked before the handler runs; `mark_delivered` after it succeeded.
/// Either failing refuses the push (the platform retries it). A store must not forget a
/// key while the platform may still retry its push; when it cannot remember more, it
/// refuses in `delivered` rather than forget.
pub trait CdrStore: Send + Sync {
    /// For each key, whether it was marked delivered.
    fn delivered(
        &self,
        keys: &[IdempotencyKey],
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Vec<bool>, StoreError>> + Send;

    /// Marks the keys delivered (some may be already).
    fn mark_delivered(
        &self,
        keys: &[IdempotencyKey],
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

impl<T: CdrStore + ?Sized> CdrStore for std::sync::Arc<T> {
    fn delivered(
        &self,
        keys: &[IdempotencyKey],
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<Vec<bool>, StoreError>> + Send {
        (**self).delivered(keys, now)
    }

    fn mark_delivered(
        &self,
        keys: &[IdempotencyKey],
        now: OffsetDateTime,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        (**self).mark_delivered(keys, now)
    }
}

/// The longest the platform may retry a fee push after its first attempt: 6 retries one
/// hour apart (4.5 注意事项).
pub const RETRY_HORIZON: Duration = Duration::hours(6);

/// The default store: bounded, in memory (a restart forgets it; see the SQLite example
/// `generated/examples/sqlite_receiver` for a store that does not).
///
/// Keys are kept at least `horizon` (default [`RETRY_HORIZON`] plus an hour) after they
/// were marked. When `capacity` keys younger than that are held, a push bringing new
/// keys is refused (the platform retries it an hour later) instead of forgetting one.
#[derive(Debug)]
pub struct MemoryStore {
    capacity: usize,
    horizon: Duration,
    inner: Mutex<Memory>,
}

#[derive(Debug, Default)]
struct Memory {
    marked: HashMap<IdempotencyKey, OffsetDateTime>,
    order: VecDeque<(OffsetDateTime, IdempotencyKey)>,
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new(100_000)
    }
}

impl MemoryStore {
    /// A store of at most `capacity` keys (at least 1), each kept for the retry horizon.
    pub fn new(capacity: usize) -> Self {
        MemoryStore {
            capacity: capacity.max(1),
            horizon: RETRY_HORIZON + Duration::hours(1),
            inner: Mutex::default(),
        }
    }

    /// Keeps keys `horizon` after they were marked (never less than [`RETRY_HORIZON`]).
    pub fn with_horizon(mut self, horizon: Duration) -> Self {
        self.horizon = horizon.max(RETRY_HORIZON);
        self
    }

    /// Keys held now.
    pub fn len(&self) -> usize {
        self.lock().marked.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Memory> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl CdrStore for MemoryStore {
    async fn delivered(
        &self,
        keys: &[IdempotencyKey],
        now: OffsetDateTime,
    ) -> Result<Vec<bool>, StoreError> {
        let mut m = self.lock();
        while let Some((at, _)) = m.order.front() {
            if *at + self.horizon > now {
                break;
            }
            if let Some((_, key)) = m.order.pop_front() {
                m.marked.remove(&key);
            }
        }
        let seen: Vec<bool> = keys.iter().map(|k| m.marked.contains_key(k)).collect();
        let new = seen.iter().filter(|s| !**s).count();
        if m.marked.len() + new > self.capacity {
            return Err(StoreError::new(format!(
                "memory store full: {} keys younger than the retry horizon, capacity {}",
                m.marked.len(),
                self.capacity
            )));
        }
        Ok(seen)
    }

    async fn mark_delivered(
        &self,
        keys: &[IdempotencyKey],
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        // Never refused once the handler succeeded: admission is decided in `delivered`,
        // so the bound is exceeded at most by the pushes in flight.
        let mut m = self.lock();
        for k in keys {
            if !m.marked.contains_key(k) {
                m.marked.insert(k.clone(), now);
                m.order.push_back((now, k.clone()));
            }
        }
        Ok(())
    }
}
