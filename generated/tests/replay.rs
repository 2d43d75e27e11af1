//! The replay memory's guarantee (issue 14, findings 1 and 2): a nonce is refused for as
//! long as its Created is inside the window, whatever the load. When the memory is full
//! of unexpired nonces the verifier refuses new requests (403/1010010, flow control)
//! rather than forgetting a live one; both verifiers expire a nonce at
//! max(Created, now) + window.

use proptest::prelude::*;
use std::time::Duration;
use time::OffsetDateTime;
use voicecall::auth::{
    format_created, sign_push, sign_request, AppSecret, Credentials, PushVariant, PushVerifier,
    Verifier, VerifierConfig,
};

const SECRET: &str = "testSecret";
const URL: &str = "https://example.com/fee";

fn t0() -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap()
}

fn config(window_s: u64, capacity: usize) -> VerifierConfig {
    VerifierConfig {
        window: Duration::from_secs(window_s),
        replay_capacity: capacity,
        ..VerifierConfig::default()
    }
}

fn request(nonce: &str, created: OffsetDateTime) -> (String, String) {
    let h = sign_request(
        &Credentials::new("app", SECRET),
        Some(nonce),
        Some(&format_created(created)),
    );
    (h.authorization, h.x_aksk)
}

fn push(nonce: &str, created: OffsetDateTime) -> (String, String) {
    let h = sign_push(
        &Credentials::new("app", SECRET),
        URL,
        PushVariant::CURRENT,
        Some(nonce),
        Some(&format_created(created)),
    );
    (h.authorization, h.x_aksk)
}

/// A verifier of either kind, so every property runs against both.
enum Either {
    Request(Verifier),
    Push(Box<PushVerifier>),
}

impl Either {
    fn new(push: bool, config: VerifierConfig) -> Self {
        if push {
            Either::Push(Box::new(PushVerifier::new(
                &AppSecret::new(SECRET),
                URL,
                config,
            )))
        } else {
            Either::Request(Verifier::new(config).with_app("app", &AppSecret::new(SECRET)))
        }
    }

    /// Ok, or the (HTTP status, code) of the refusal.
    fn verify(
        &self,
        nonce: &str,
        created: OffsetDateTime,
        now: OffsetDateTime,
    ) -> Result<(), (u16, Option<&'static str>)> {
        let refusal = |e: voicecall::auth::AuthError| (e.http_status(), e.code.map(|c| c.code()));
        match self {
            Either::Request(v) => {
                let (a, x) = request(nonce, created);
                v.verify(Some(&a), Some(&x), now)
                    .map(|_| ())
                    .map_err(refusal)
            }
            Either::Push(v) => {
                let (a, x) = push(nonce, created);
                v.verify(Some(&a), Some(&x), now)
                    .map(|_| ())
                    .map_err(refusal)
            }
        }
    }
}

#[test]
fn with_capacity_one_an_immediate_replay_is_refused() {
    for is_push in [false, true] {
        let v = Either::new(is_push, config(900, 1));
        assert!(v.verify("r", t0(), t0()).is_ok());
        assert!(
            v.verify("fresh", t0(), t0()).is_err(),
            "memory full: refused"
        );
        assert!(v.verify("r", t0(), t0()).is_err(), "push={is_push}: replay");
    }
}

#[test]
fn a_full_memory_answers_flow_control_and_frees_on_expiry() {
    let v = Either::new(false, config(60, 2));
    assert!(v.verify("a", t0(), t0()).is_ok());
    assert!(v.verify("b", t0(), t0()).is_ok());
    assert_eq!(
        v.verify("c", t0(), t0()),
        Err((403, Some("1010010"))),
        "the table's flow-control row"
    );
    assert_eq!(v.verify("a", t0(), t0()), Err((401, Some("1010010"))));
    // At Created + window the nonces may still be replayed, so they stay.
    let edge = t0() + Duration::from_secs(60);
    assert!(v.verify("a", t0(), edge).is_err());
    assert!(v.verify("c", edge, edge).is_err(), "still full at the edge");
    // One second later they have left, and a new request finds room.
    let later = edge + Duration::from_secs(1);
    assert!(v.verify("c", later, later).is_ok());
}

#[test]
fn a_push_is_remembered_until_its_created_leaves_the_window() {
    // Finding 2: Created = T + 14 min, accepted at T, replayed at T + 15 min 1 s.
    let window = 15 * 60;
    for is_push in [false, true] {
        let v = Either::new(is_push, config(window, 100));
        let created = t0() + Duration::from_secs(14 * 60);
        assert!(v.verify("p", created, t0()).is_ok());
        let replay_at = t0() + Duration::from_secs(window + 1);
        assert!(
            v.verify("p", created, replay_at).is_err(),
            "push={is_push}: replayed 61 s after Created, inside the window"
        );
    }
}

#[test]
fn a_flood_of_fresh_nonces_does_not_evict_a_live_one() {
    // Finding 1 in miniature: R accepted, R refused, many fresh requests, R again.
    let n: usize = if std::env::var_os("VOICECALL_STRESS").is_some() {
        200_000
    } else {
        5_000
    };
    for is_push in [false, true] {
        let v = Either::new(is_push, config(900, 1_000));
        assert!(v.verify("R", t0(), t0()).is_ok());
        assert!(v.verify("R", t0(), t0()).is_err());
        let mut refused = 0;
        for i in 0..n {
            if v.verify(&format!("f{i}"), t0(), t0()).is_err() {
                refused += 1;
            }
        }
        assert_eq!(refused, n - 999, "everything beyond the capacity refused");
        assert!(v.verify("R", t0(), t0()).is_err(), "push={is_push}");
    }
}

#[derive(Debug, Clone)]
enum Step {
    /// A fresh nonce, Created offset from now (seconds, may be negative).
    Fresh { created_offset: i64 },
    /// Replays the k-th accepted nonce (mod their number) with its own Created.
    Replay { k: usize },
    /// The clock moves on.
    Wait { seconds: u64 },
}

fn step(window: i64) -> impl Strategy<Value = Step> {
    prop_oneof![
        (-window..=window).prop_map(|created_offset| Step::Fresh { created_offset }),
        any::<usize>().prop_map(|k| Step::Replay { k }),
        (0..=window as u64).prop_map(|seconds| Step::Wait { seconds }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// For any interleaving of fresh and replayed nonces, any capacity ≥ 1 and either
    /// verifier, no nonce is accepted twice while its Created is inside the window.
    #[test]
    fn no_replay_inside_the_window_is_accepted(
        capacity in 1usize..8,
        is_push in any::<bool>(),
        steps in prop::collection::vec(step(20), 1..120),
    ) {
        let window = 20u64;
        let v = Either::new(is_push, config(window, capacity));
        let mut now = t0();
        let mut accepted: Vec<(String, OffsetDateTime)> = Vec::new();
        let mut next = 0u32;
        for s in steps {
            match s {
                Step::Fresh { created_offset } => {
                    let nonce = format!("n{next}");
                    next += 1;
                    let created = now + time::Duration::seconds(created_offset);
                    if v.verify(&nonce, created, now).is_ok() {
                        accepted.push((nonce, created));
                    }
                }
                Step::Replay { k } if !accepted.is_empty() => {
                    let (nonce, created) = accepted[k % accepted.len()].clone();
                    let inside = (now - created).abs() <= time::Duration::seconds(window as i64);
                    let answer = v.verify(&nonce, created, now);
                    prop_assert!(
                        !(inside && answer.is_ok()),
                        "nonce {} (Created {}) accepted again at {}", nonce, created, now
                    );
                }
                Step::Replay { .. } => {}
                Step::Wait { seconds } => now += Duration::from_secs(seconds),
            }
        }
    }
}
