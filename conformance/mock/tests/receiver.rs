//! The crate's receiver against the mock platform, with a service storing CDRs in SQLite
//! (`generated/examples/sqlite_receiver/store.rs`): a store that fails, a process that
//! dies between receipt and commit (or between commit and the reply) and is restarted on
//! the same database, CDRs without identifying fields, and a batch with a mistyped CDR.
//! In every case each CDR the mock produced is stored exactly once, and the mock's
//! delivery report agrees with the database.

mod common;

#[path = "../../../generated/examples/sqlite_receiver/store.rs"]
mod sqlite_store;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use common::*;
use serde_json::{json, Value};
use sqlite_store::SqliteStore;
use tokio::sync::{mpsc, watch};
use voicecall::operations::Operation;
use voicecall::receiver::{Delivery, PushHandler, PushKind, Receiver};
use voicecall_mock::{MockServer, PushKind as MockPushKind, PushState};

/// What the service does on one attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Step {
    /// Its database is down: fails.
    Fail,
    /// Commits (the default once the script is over).
    Commit,
    /// The process dies after receiving the CDRs, before committing them.
    DieBeforeCommit,
    /// The process dies after committing, before the receiver replies.
    CommitThenDie,
}

/// A CDR the handler saw: its key, `seen_before`, and whether that attempt committed.
#[derive(Debug, Clone)]
struct Seen {
    key: String,
    seen_before: bool,
    committed: bool,
}

struct Service {
    store: Arc<SqliteStore>,
    script: Mutex<Vec<Step>>,
    seen: Arc<Mutex<Vec<Seen>>>,
    receipt: mpsc::UnboundedSender<Step>,
}

impl PushHandler for Service {
    type Error = String;

    async fn deliver(&self, d: Delivery) -> Result<(), String> {
        {
            let Delivery::Fee(push) = d else {
                return Ok(());
            };
            let step = {
                let mut s = self.script.lock().unwrap();
                if s.is_empty() {
                    Step::Commit
                } else {
                    s.remove(0)
                }
            };
            let log = |committed: bool| {
                self.seen
                    .lock()
                    .unwrap()
                    .extend(push.cdrs.iter().map(|c| Seen {
                        key: c.key.to_string(),
                        seen_before: c.seen_before,
                        committed,
                    }));
            };
            match step {
                Step::Fail => {
                    log(false);
                    Err("database unavailable".into())
                }
                Step::Commit => {
                    self.store.commit(&push).map_err(|e| e.to_string())?;
                    log(true);
                    Ok(())
                }
                Step::DieBeforeCommit => {
                    log(false);
                    let _ = self.receipt.send(step);
                    std::future::pending().await
                }
                Step::CommitThenDie => {
                    self.store.commit(&push).map_err(|e| e.to_string())?;
                    log(true);
                    let _ = self.receipt.send(step);
                    std::future::pending().await
                }
            }
        }
    }
}

/// One process of the service: its receiver on the SQLite store, and a switch that
/// kills it.
struct Process {
    receiver: Receiver<Arc<SqliteStore>>,
    service: Service,
    dead: watch::Sender<bool>,
}

/// A fixed front (a reverse proxy's address) before a replaceable process: a request in
/// flight when the process dies, or one arriving while none runs, is answered 502, as a
/// proxy does.
#[derive(Clone, Default)]
struct Front {
    process: Arc<Mutex<Option<Arc<Process>>>>,
}

impl Front {
    async fn serve(&self) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/", listener.local_addr().unwrap());
        let me = self.clone();
        let app = axum::Router::new().route(
            "/",
            axum::routing::post(move |headers: HeaderMap, body: Bytes| {
                let p = me.process.lock().unwrap().clone();
                async move {
                    let Some(p) = p else {
                        return (StatusCode::BAD_GATEWAY, String::new());
                    };
                    let mut dead = p.dead.subscribe();
                    let lookup = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
                    let now = time::OffsetDateTime::now_utc();
                    tokio::select! {
                        (reply, _) = p.receiver.handle(lookup, &body, now, &p.service) => {
                            (StatusCode::from_u16(reply.status).unwrap(), reply.body)
                        }
                        _ = dead.wait_for(|d| *d) => (StatusCode::BAD_GATEWAY, String::new()),
                    }
                }
            }),
        );
        tokio::spawn(async move {
            axum::serve(listener, app).await.unwrap();
        });
        url
    }

    /// Starts a process on the database at `db` with this script; returns what its
    /// handler sees and the receipts of its deaths.
    fn start(
        &self,
        url: &str,
        db: &Path,
        script: &[Step],
    ) -> (Arc<Mutex<Vec<Seen>>>, mpsc::UnboundedReceiver<Step>) {
        let store = Arc::new(SqliteStore::open(db).unwrap());
        let seen = Arc::default();
        let (tx, rx) = mpsc::unbounded_channel();
        let process = Process {
            receiver: Receiver::new(PushKind::CallbackFee)
                .with_store(store.clone())
                .with_signature_check(verifier(url)),
            service: Service {
                store,
                script: Mutex::new(script.to_vec()),
                seen: Arc::clone(&seen),
                receipt: tx,
            },
            dead: watch::channel(false).0,
        };
        *self.process.lock().unwrap() = Some(Arc::new(process));
        (seen, rx)
    }

    /// Kills the running process (its request in flight is abandoned, its database
    /// connection closed).
    fn crash(&self) {
        if let Some(p) = self.process.lock().unwrap().take() {
            p.dead.send_replace(true);
        }
    }
}

/// A fresh database path for one test.
struct Db(PathBuf);

impl Db {
    fn new(name: &str) -> Db {
        let p =
            std::env::temp_dir().join(format!("voicecall-rx-{}-{name}.sqlite", std::process::id()));
        let db = Db(p);
        db.clean();
        db
    }
    fn clean(&self) {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
        }
    }
    fn stored(&self) -> Vec<sqlite_store::StoredCdr> {
        SqliteStore::open(&self.0).unwrap().cdrs().unwrap()
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        self.clean();
    }
}

/// Places `n` callbacks whose CDRs go to `fee_url` (no status pushes).
async fn calls(server: &MockServer, fee_url: &str, n: usize) {
    for i in 0..n {
        let mut body = callback("http://127.0.0.1:9/", fee_url);
        body.as_object_mut().unwrap().remove("statusUrl");
        body["calleeNbr"] = json!(format!("+86139000000{i:02}"));
        body["userData"] = json!(format!("u-{i}"));
        let a = send(server, Operation::CreateVoiceCallback, &body).await;
        assert_eq!(a.status, 200, "{a:?}");
    }
}

/// The mock's report: CDRs in delivered fee pushes, and the fee pushes.
fn delivered_cdrs(server: &MockServer) -> Vec<Value> {
    let mut v: Vec<Value> = server
        .mock
        .pushes()
        .into_iter()
        .filter(|p| p.kind == MockPushKind::Fee && p.state == PushState::Delivered)
        .flat_map(|p| {
            serde_json::from_str::<Value>(&p.body).unwrap()["feeLst"]
                .as_array()
                .unwrap()
                .clone()
        })
        .collect();
    v.sort_by_key(Value::to_string);
    v
}

fn fee_pushes(server: &MockServer) -> Vec<voicecall_mock::PushRecord> {
    server
        .mock
        .pushes()
        .into_iter()
        .filter(|p| p.kind == MockPushKind::Fee)
        .collect()
}

/// The database holds exactly what the mock reports delivered, every CDR it produced,
/// each once.
fn agrees(server: &MockServer, db: &Db, cdrs: usize) {
    let stored = db.stored();
    let mut raws: Vec<Value> = stored
        .iter()
        .map(|c| serde_json::from_str(&c.raw).unwrap())
        .collect();
    raws.sort_by_key(Value::to_string);
    assert_eq!(raws.len(), cdrs, "stored CDRs");
    assert_eq!(
        raws,
        delivered_cdrs(server),
        "the mock's report and the database"
    );
    let s = server.mock.push_summary();
    assert_eq!(
        (s.cdrs, s.cdrs_delivered, s.cdrs_undeliverable, s.pending),
        (cdrs, cdrs, 0, 0),
        "{s:?}"
    );
}

/// The keys the handler committed, with `seen_before`, sorted.
fn committed(seen: &Mutex<Vec<Seen>>) -> Vec<(String, bool)> {
    let mut v: Vec<(String, bool)> = seen
        .lock()
        .unwrap()
        .iter()
        .filter(|s| s.committed)
        .map(|s| (s.key.clone(), s.seen_before))
        .collect();
    v.sort();
    v
}

async fn receipt(rx: &mut mpsc::UnboundedReceiver<Step>) -> Step {
    tokio::time::timeout(Duration::from_secs(20), rx.recv())
        .await
        .expect("the push never reached the handler")
        .unwrap()
}

/// Plays `secs` of virtual time without waiting for the pushes to settle (one will hang
/// in a handler until its process is killed).
fn advance(server: &MockServer, secs: u64) {
    assert!(server.mock.advance(Duration::from_secs(secs)));
}

async fn settle(server: &MockServer) {
    assert!(
        server.mock.settle(Duration::from_secs(10)).await,
        "pushes did not settle"
    );
}

#[tokio::test]
async fn a_store_failing_twice_then_recovering_gets_every_cdr_once_as_new() {
    let db = Db::new("fails-twice");
    let front = Front::default();
    let url = front.serve().await;
    let (seen, _) = front.start(&url, &db.0, &[Step::Fail, Step::Fail]);
    let server = start(config()).await;
    calls(&server, &url, 3).await;
    run(&server, 120).await;
    run(&server, 3600).await;
    run(&server, 3600).await;
    let p = &fee_pushes(&server)[0];
    assert_eq!(p.state, PushState::Delivered);
    let statuses: Vec<Option<u16>> = p.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(500), Some(500), Some(200)]);
    let c = committed(&seen);
    assert_eq!(c.len(), 3);
    assert!(c.iter().all(|(_, s)| !s), "each once, as new: {c:?}");
    assert!(c.windows(2).all(|w| w[0].0 != w[1].0), "{c:?}");
    assert_eq!(
        seen.lock().unwrap().len(),
        9,
        "every attempt delivered all three"
    );
    agrees(&server, &db, 3);
}

#[tokio::test]
async fn a_crash_between_receipt_and_commit_loses_nothing() {
    let db = Db::new("crash-before-commit");
    let front = Front::default();
    let url = front.serve().await;
    let (_, mut died) = front.start(&url, &db.0, &[Step::DieBeforeCommit]);
    let server = start(config()).await;
    calls(&server, &url, 3).await;
    advance(&server, 120);
    assert_eq!(receipt(&mut died).await, Step::DieBeforeCommit);
    front.crash();
    settle(&server).await;
    assert!(db.stored().is_empty(), "nothing was committed");
    assert_eq!(
        fee_pushes(&server)[0].state,
        PushState::Pending,
        "to be retried"
    );

    let (seen, _) = front.start(&url, &db.0, &[]);
    run(&server, 3600).await;
    let c = committed(&seen);
    assert_eq!(c.len(), 3);
    assert!(c.iter().all(|(_, s)| !s), "{c:?}");
    assert_eq!(fee_pushes(&server)[0].attempts.len(), 2);
    agrees(&server, &db, 3);
}

#[tokio::test]
async fn a_crash_between_commit_and_reply_duplicates_nothing() {
    let db = Db::new("crash-after-commit");
    let front = Front::default();
    let url = front.serve().await;
    let (_, mut died) = front.start(&url, &db.0, &[Step::CommitThenDie]);
    let server = start(config()).await;
    calls(&server, &url, 3).await;
    advance(&server, 120);
    assert_eq!(receipt(&mut died).await, Step::CommitThenDie);
    front.crash();
    settle(&server).await;
    assert_eq!(db.stored().len(), 3);

    let (seen, _) = front.start(&url, &db.0, &[]);
    run(&server, 3600).await;
    let c = committed(&seen);
    assert_eq!(c.len(), 3, "the retry is delivered again…");
    assert!(
        c.iter().all(|(_, s)| *s),
        "…marked seen, from the database: {c:?}"
    );
    agrees(&server, &db, 3);
}

/// The issue's "done when": a store that fails twice and a restart in between.
#[tokio::test]
async fn two_failures_and_a_restart_end_with_every_cdr_exactly_once() {
    let db = Db::new("fail-restart-fail");
    let front = Front::default();
    let url = front.serve().await;
    let (_, mut died) = front.start(&url, &db.0, &[Step::Fail, Step::CommitThenDie]);
    let server = start(config()).await;
    calls(&server, &url, 5).await;
    run(&server, 120).await;
    advance(&server, 3600);
    assert_eq!(receipt(&mut died).await, Step::CommitThenDie);
    front.crash();
    settle(&server).await;
    let (seen, _) = front.start(&url, &db.0, &[Step::Fail]);
    run(&server, 3600).await;
    run(&server, 3600).await;
    let p = &fee_pushes(&server)[0];
    let statuses: Vec<Option<u16>> = p.attempts.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [Some(500), Some(502), Some(500), Some(200)]);
    assert_eq!(committed(&seen).len(), 5);
    agrees(&server, &db, 5);
}

#[tokio::test]
async fn two_cdrs_without_identifying_fields_are_both_stored() {
    let db = Db::new("identity-less");
    let front = Front::default();
    let url = front.serve().await;
    let (seen, _) = front.start(&url, &db.0, &[]);
    let server = start(config()).await;
    server.mock.rewrite_cdrs(|c| {
        let m = c.as_object_mut().unwrap();
        m.remove("sessionId");
        m.remove("icid");
    });
    calls(&server, &url, 2).await;
    run(&server, 120).await;
    let cdrs = delivered_cdrs(&server);
    assert_eq!(cdrs.len(), 2);
    assert_eq!(
        cdrs[0]["callEndTime"], cdrs[1]["callEndTime"],
        "equal partial keys (no sessionId, no icid, one callEndTime)"
    );
    let c = committed(&seen);
    assert_eq!(c.len(), 2);
    assert_ne!(c[0].0, c[1].0);
    assert!(
        c.iter()
            .all(|(k, s)| !s && k.starts_with("callback:sha256:")),
        "{c:?}"
    );
    agrees(&server, &db, 2);
}

#[tokio::test]
async fn a_batch_with_one_mistyped_cdr_delivers_the_other_49_and_reports_it() {
    let db = Db::new("mistyped");
    let front = Front::default();
    let url = front.serve().await;
    let (seen, _) = front.start(&url, &db.0, &[]);
    let server = start(config()).await;
    server.mock.rewrite_cdrs(|c| {
        if c["userData"] == "u-17" {
            c["sipStatusCode"] = json!("486");
        }
    });
    calls(&server, &url, 50).await;
    run(&server, 120).await;
    let pushes = fee_pushes(&server);
    assert_eq!(pushes.len(), 1, "one batch");
    assert_eq!(pushes[0].sessions.len(), 50);
    assert_eq!(pushes[0].attempts.len(), 1, "acknowledged at once");
    assert_eq!(pushes[0].state, PushState::Delivered);
    assert_eq!(committed(&seen).len(), 50);
    let stored = db.stored();
    let bad: Vec<_> = stored.iter().filter(|c| c.parse_error.is_some()).collect();
    assert_eq!(bad.len(), 1, "the 50th is reported");
    assert!(
        bad[0].raw.contains(r#""sipStatusCode":"486""#),
        "{}",
        bad[0].raw
    );
    assert!(bad[0]
        .parse_error
        .as_deref()
        .unwrap()
        .contains("invalid type"));
    agrees(&server, &db, 50);
}
