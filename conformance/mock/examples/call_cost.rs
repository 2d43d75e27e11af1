//! What one accepted call costs the mock, without HTTP (issue 16): the CPU work behind
//! the open-loop bench's latencies, measured in a loop that nothing else disturbs.
//!
//! `cargo run --release -p voicecall-mock --example call_cost -- MODE N [ROUNDS]`
//!
//! - `handle`: `Mock::handle` of `N` signed, valid click2Call requests (no statusUrl or
//!   feeUrl), the manual clock standing still: the request path alone (route, AK/SK
//!   verification with the replay memory, app policy, JSON, the generated validators,
//!   the plan, the session stored, the answer);
//! - `life`: the same requests, and after each batch of [`BATCH`] the manual clock moves
//!   an hour, so every call plays its whole plan (status events, the end, the CDR and its
//!   undeliverable fee record) and the default retention evicts ended sessions once
//!   10,000 are held, as in a long-running mock: the whole life of a call.
//!
//! Requests are signed (a counter nonce, so every one is fresh) before the loop; the
//! loop is the function `measured`, so `valgrind --tool=callgrind
//! --toggle-collect='*measured*'` counts its instructions alone. Prints nanoseconds per
//! call for each of `ROUNDS` (3) rounds, each on a fresh mock, and the min / median.

use std::net::IpAddr;
use std::time::{Duration, Instant};

use serde_json::json;
use voicecall::auth::{sign_request_with, Credentials};
use voicecall::operations::Operation;
use voicecall_mock::{Mock, MockConfig, MockRequest};

const KEY: &str = "costAppKey";
const SECRET: &str = "costAppSecret";

/// Calls accepted between two moves of the clock in `life`.
const BATCH: usize = 200;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Handle,
    Life,
}

fn requests(n: usize, round: usize) -> Vec<MockRequest> {
    let signer = Credentials::new(KEY, SECRET).signer();
    let body = json!({
        "displayNbr": "+8675528000001",
        "callerNbr": "+8613800000001",
        "displayCalleeNbr": "+8675528000002",
        "calleeNbr": "+8613800000002",
        "userData": "order-42",
    })
    .to_string();
    (0..n)
        .map(|i| {
            let h = sign_request_with(&signer, KEY, Some(&format!("cost{round}n{i}")), None);
            MockRequest::signed(Operation::CreateVoiceCallback, &h, body.clone())
        })
        .collect()
}

/// The loop callgrind counts (`--toggle-collect='*measured*'`).
#[inline(never)]
fn measured(mock: &Mock, mode: Mode, requests: &[MockRequest]) -> usize {
    let peer = IpAddr::from([127, 0, 0, 1]);
    let mut accepted = 0;
    for batch in requests.chunks(BATCH) {
        for r in batch {
            let resp = mock.handle(r, peer);
            accepted += usize::from(resp.status == 200);
        }
        if mode == Mode::Life {
            mock.advance(Duration::from_secs(3600));
        }
    }
    accepted
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match args.first().map(String::as_str) {
        Some("handle") => Mode::Handle,
        Some("life") => Mode::Life,
        _ => {
            eprintln!("usage: call_cost handle|life N [ROUNDS]");
            std::process::exit(2);
        }
    };
    let n: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(20_000);
    let rounds: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(3);
    // The mock's timers and push tasks need a runtime, though nothing here pushes.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    let _guard = rt.enter();
    let mut per_call = Vec::new();
    for round in 0..rounds {
        let reqs = requests(n, round);
        let mut config = MockConfig::single_app(KEY, SECRET);
        config.platform.ports = 1_000_000_000;
        let mock = Mock::new(config);
        let t = Instant::now();
        let accepted = measured(&mock, mode, &reqs);
        let ns = t.elapsed().as_nanos() as f64 / n as f64;
        assert_eq!(accepted, n, "every request is accepted");
        if mode == Mode::Life {
            assert_eq!(mock.live_calls(), 0, "every call played to its end");
        }
        println!("round {}: {ns:.0} ns per call", round + 1);
        per_call.push(ns);
    }
    per_call.sort_by(f64::total_cmp);
    println!(
        "{} × {n}: min {:.0} ns, median {:.0} ns per call",
        args[0],
        per_call[0],
        per_call[per_call.len() / 2]
    );
}
