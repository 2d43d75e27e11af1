//! A CDR store in SQLite (rusqlite, bundled): the service's CDR table and the
//! receiver's memory of delivered keys in one database file, so a restart forgets
//! nothing. Shared with `conformance/mock/tests/receiver.rs`, which crashes and restarts
//! a receiver on it.

#![allow(dead_code)]

use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use rusqlite::{params, Connection, OptionalExtension};
use time::OffsetDateTime;
use voicecall::receiver::{CdrStore, FeePush, IdempotencyKey, StoreError};

/// One CDR as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCdr {
    /// Its idempotency key (the primary key).
    pub key: String,
    /// Its JSON as received.
    pub raw: String,
    /// Why it did not parse into its generated type, if it did not.
    pub parse_error: Option<String>,
}

/// The database: `cdrs` (the service's data) and `delivered` (the receiver's keys).
pub struct SqliteStore {
    conn: Mutex<Connection>,
}

impl SqliteStore {
    /// Opens (creating when needed) the database at `path`.
    pub fn open(path: &Path) -> rusqlite::Result<SqliteStore> {
        let conn = Connection::open(path)?;
        conn.execute_batch(
            "PRAGMA journal_mode = WAL;
             CREATE TABLE IF NOT EXISTS cdrs (
                 key TEXT PRIMARY KEY, raw TEXT NOT NULL, parse_error TEXT);
             CREATE TABLE IF NOT EXISTS delivered (
                 key TEXT PRIMARY KEY, at TEXT NOT NULL);",
        )?;
        Ok(SqliteStore {
            conn: Mutex::new(conn),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The service's commit: every CDR of the push under its key (a retry inserts
    /// nothing twice) and the keys marked delivered, in one transaction. Returns how many
    /// CDRs were new to the table.
    pub fn commit(&self, push: &FeePush) -> rusqlite::Result<usize> {
        let mut conn = self.lock();
        let tx = conn.transaction()?;
        let mut new = 0;
        let at = OffsetDateTime::now_utc().unix_timestamp().to_string();
        for c in &push.cdrs {
            new += tx.execute(
                "INSERT OR IGNORE INTO cdrs (key, raw, parse_error) VALUES (?1, ?2, ?3)",
                params![c.key.as_str(), c.raw, c.cdr.as_ref().err()],
            )?;
            tx.execute(
                "INSERT OR IGNORE INTO delivered (key, at) VALUES (?1, ?2)",
                params![c.key.as_str(), at],
            )?;
        }
        tx.commit()?;
        Ok(new)
    }

    /// Every stored CDR, by key.
    pub fn cdrs(&self) -> rusqlite::Result<Vec<StoredCdr>> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT key, raw, parse_error FROM cdrs ORDER BY key")?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredCdr {
                key: r.get(0)?,
                raw: r.get(1)?,
                parse_error: r.get(2)?,
            })
        })?;
        rows.collect()
    }
}

impl CdrStore for SqliteStore {
    async fn delivered(
        &self,
        keys: &[IdempotencyKey],
        _now: OffsetDateTime,
    ) -> Result<Vec<bool>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn
            .prepare_cached("SELECT 1 FROM delivered WHERE key = ?1")
            .map_err(StoreError::new)?;
        keys.iter()
            .map(|k| {
                stmt.query_row([k.as_str()], |_| Ok(()))
                    .optional()
                    .map(|found| found.is_some())
                    .map_err(StoreError::new)
            })
            .collect()
    }

    async fn mark_delivered(
        &self,
        keys: &[IdempotencyKey],
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction().map_err(StoreError::new)?;
        for k in keys {
            tx.execute(
                "INSERT OR IGNORE INTO delivered (key, at) VALUES (?1, ?2)",
                params![k.as_str(), now.unix_timestamp().to_string()],
            )
            .map_err(StoreError::new)?;
        }
        tx.commit().map_err(StoreError::new)
    }
}
