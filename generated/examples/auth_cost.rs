//! Repeats signing or verifying one request, for counting instructions under
//! `valgrind --tool=callgrind` (see BENCHMARKS.md):
//! `cargo run --release -p voicecall --example auth_cost -- sign|verify|none N`

use voicecall::auth::{
    parse_created, sign_request_with, AppSecret, Credentials, Verifier, VerifierConfig,
};

fn main() {
    let mut args = std::env::args().skip(1);
    let mode = args.next().unwrap_or_else(|| "verify".into());
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let creds = Credentials::new("ZRBRz4bAXoFgEH7o4Ew308eXc1RA", "testSecret");
    let signer = creds.signer();
    let (nonce, created) = ("66C92B11FF8A425FB8D4CCFE0ED9ED1F", "2018-02-12T15:30:20Z");
    let h = sign_request_with(&signer, &creds.app_key, Some(nonce), Some(created));
    let now = parse_created(created).expect("valid");
    let verifier = Verifier::new(VerifierConfig {
        reject_replays: false,
        ..VerifierConfig::default()
    })
    .with_app(creds.app_key.clone(), &AppSecret::new("testSecret"));
    // One step of the chosen mode; the count of successes keeps the work observable.
    let step = || -> usize {
        match mode.as_str() {
            "sign" => sign_request_with(
                &signer,
                std::hint::black_box(&creds.app_key),
                Some(nonce),
                Some(created),
            )
            .x_aksk
            .len(),
            "verify" => usize::from(
                verifier
                    .verify(
                        Some(std::hint::black_box(&h.authorization)),
                        Some(&h.x_aksk),
                        now,
                    )
                    .is_ok(),
            ),
            "digest" => usize::from(signer.verify_request(
                std::hint::black_box(nonce),
                created,
                "NMt3Iw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90=",
            )),
            "header" => voicecall::auth::parse_header(std::hint::black_box(&h.x_aksk))
                .attributes
                .len(),
            "created" => {
                usize::from(voicecall::auth::parse_created(std::hint::black_box(created)).is_some())
            }
            _ => 0,
        }
    };
    let mut ok = 0usize;
    // An untimed pass (caches, page faults), then the timed one.
    for _ in 0..n {
        ok += step();
    }
    let t = std::time::Instant::now();
    for _ in 0..n {
        ok += step();
    }
    let per = t.elapsed().as_nanos() as f64 / n as f64;
    println!("{mode} x{n}: {ok} ({per:.0} ns each, wall clock, after an untimed pass)");
}
