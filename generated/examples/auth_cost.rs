//! Repeats signing or verifying one request, for counting instructions under
//! `valgrind --tool=callgrind` (see BENCHMARKS.md):
//! `cargo run --release -p voicecall --example auth_cost -- MODE N`, MODE one of
//! `sign`, `verify` (replay memory off), `replay` (replay memory on, a fresh nonce each
//! time from 4,096 pre-signed requests whose Created steps one second every 512, each verified
//! at its Created with a 1 s window, so old nonces expire as new ones arrive; making a
//! new verifier for each pass is left out of the time), `reference`
//! (bare HMAC-SHA256 with its key schedule + Base64, as the bench's
//! `hmac_sha256_base64_alone`), `prekeyed` (the fair reference: HMAC-SHA256 keyed once,
//! cloned per message as ours is, + Base64 into a stack buffer), `prekeyed_pool` (the
//! same over the Nonce and Created of the `replay` pool, read in place from its headers,
//! so the reference reads what verification reads), `pool` (the `replay`
//! pool verified with the replay memory off: `replay` − `pool` is the memory's cost),
//! `sign_request` (the full `sign_request(&creds, None, None)` as users call it: fresh
//! nonce, current time), `sign_request_with` (the same with a prepared `Signer`),
//! `digest`, `header`, `created`, `none`.

use voicecall::auth::{
    parse_created, sign_request, sign_request_with, AppSecret, Credentials, Verifier,
    VerifierConfig,
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
    const POOL: usize = 4096;
    let base = now;
    let pool: Vec<_> = if ["replay", "pool", "prekeyed_pool"].contains(&mode.as_str()) {
        (0..POOL)
            .map(|i| {
                let at = base + std::time::Duration::from_secs((i / 512) as u64);
                let nonce = format!("{nonce:.24}{i:08X}");
                let created = voicecall::auth::format_created(at);
                let h = sign_request_with(&signer, &creds.app_key, Some(&nonce), Some(&created));
                (h, at)
            })
            .collect()
    } else {
        Vec::new()
    };
    // The pool's Nonce and Created, as slices of its X-AKSK headers: the reference reads
    // the bytes verification reads, where verification reads them.
    let pool_inputs: Vec<(&str, &str)> = pool
        .iter()
        .map(|(h, _)| {
            let a = voicecall::auth::parse_header(&h.x_aksk);
            let value = |name: &str| {
                let (_, v) = a
                    .attributes
                    .iter()
                    .find(|(n, _)| *n == name)
                    .expect("signed");
                *v
            };
            (value("Nonce"), value("Created"))
        })
        .collect();
    let fresh_memory = || {
        Verifier::new(VerifierConfig {
            window: std::time::Duration::from_secs(1),
            replay_capacity: POOL,
            ..VerifierConfig::default()
        })
        .with_app(creds.app_key.clone(), &AppSecret::new("testSecret"))
    };
    let with_memory = std::cell::RefCell::new(fresh_memory());
    let without_memory = Verifier::new(VerifierConfig {
        window: std::time::Duration::from_secs(1),
        reject_replays: false,
        ..VerifierConfig::default()
    })
    .with_app(creds.app_key.clone(), &AppSecret::new("testSecret"));
    let prekeyed = {
        use hmac::Mac as _;
        hmac::Hmac::<sha2::Sha256>::new_from_slice(b"testSecret").expect("any key")
    };
    let next = std::cell::Cell::new(0usize);
    let untimed = std::cell::Cell::new(std::time::Duration::ZERO);
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
            "replay" => {
                if next.get() == POOL {
                    // A new verifier for each pass: the pool's times start over. A
                    // server makes its verifier once, so making this one (and dropping
                    // the last) is left out of the time; its memory's filling is not.
                    let t = std::time::Instant::now();
                    next.set(0);
                    *with_memory.borrow_mut() = fresh_memory();
                    untimed.set(untimed.get() + t.elapsed());
                }
                let (h, at) = &pool[next.get()];
                next.set(next.get() + 1);
                usize::from(
                    with_memory
                        .borrow()
                        .verify(
                            Some(std::hint::black_box(&h.authorization)),
                            Some(&h.x_aksk),
                            *at,
                        )
                        .is_ok(),
                )
            }
            "pool" => {
                if next.get() == POOL {
                    next.set(0);
                }
                let (h, at) = &pool[next.get()];
                next.set(next.get() + 1);
                usize::from(
                    without_memory
                        .verify(
                            Some(std::hint::black_box(&h.authorization)),
                            Some(&h.x_aksk),
                            *at,
                        )
                        .is_ok(),
                )
            }
            "prekeyed" => {
                use base64::Engine as _;
                use hmac::Mac as _;
                let mut mac = std::hint::black_box(&prekeyed).clone();
                mac.update(nonce.as_bytes());
                mac.update(created.as_bytes());
                let mut out = [0u8; 44];
                base64::engine::general_purpose::STANDARD
                    .encode_slice(mac.finalize().into_bytes(), &mut out)
                    .expect("44 bytes hold a SHA-256 tag")
            }
            "prekeyed_pool" => {
                use base64::Engine as _;
                use hmac::Mac as _;
                if next.get() == POOL {
                    next.set(0);
                }
                let (nonce, created) = pool_inputs[next.get()];
                next.set(next.get() + 1);
                let mut mac = std::hint::black_box(&prekeyed).clone();
                mac.update(nonce.as_bytes());
                mac.update(created.as_bytes());
                let mut out = [0u8; 44];
                base64::engine::general_purpose::STANDARD
                    .encode_slice(mac.finalize().into_bytes(), &mut out)
                    .expect("44 bytes hold a SHA-256 tag")
            }
            "sign_request" => sign_request(std::hint::black_box(&creds), None, None)
                .x_aksk
                .len(),
            "sign_request_with" => {
                sign_request_with(&signer, std::hint::black_box(&creds.app_key), None, None)
                    .x_aksk
                    .len()
            }
            "reference" => {
                use base64::Engine as _;
                use hmac::Mac as _;
                let mut mac =
                    hmac::Hmac::<sha2::Sha256>::new_from_slice(std::hint::black_box(b"testSecret"))
                        .expect("any key");
                mac.update(nonce.as_bytes());
                mac.update(created.as_bytes());
                base64::engine::general_purpose::STANDARD
                    .encode(mac.finalize().into_bytes())
                    .len()
            }
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
    untimed.set(std::time::Duration::ZERO);
    let t = std::time::Instant::now();
    for _ in 0..n {
        ok += step();
    }
    let per = (t.elapsed() - untimed.get()).as_nanos() as f64 / n as f64;
    println!("{mode} x{n}: {ok} ({per:.0} ns each, wall clock, after an untimed pass)");
}
