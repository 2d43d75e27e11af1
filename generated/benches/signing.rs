//! Signatures and verifications per second on one core, side by side with the raw
//! HMAC-SHA256 + Base64 they are built on. `sign` includes Base64 and formatting the
//! X-AKSK header; `verify` includes parsing both headers, the app-key lookup, the time
//! window, Base64 and the constant-time comparison (replay memory off);
//! `verify_replay_memory_on` adds the nonce memory, on pre-signed requests with a fresh
//! nonce each, and `verify_pool_replay_memory_off` verifies the same requests without
//! it (the difference is the memory's cost); `hmac_sha256_base64_prekeyed` is the fair
//! reference (keyed once, as ours); `sign_request` / `sign_request_with_fresh` sign as
//! users do, with a fresh CSPRNG nonce and the current time; `sign_then_verify_replay_memory_on` signs each request first.
//! Run: `cargo bench -p voicecall --bench signing`. Figures: BENCHMARKS.md.

use base64::Engine as _;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use voicecall::auth::{
    parse_created, sign_request, sign_request_with, AppSecret, Credentials, Verifier,
    VerifierConfig,
};

const NONCE: &str = "66C92B11FF8A425FB8D4CCFE0ED9ED1F";
const CREATED: &str = "2018-02-12T15:30:20Z";

fn signing(c: &mut Criterion) {
    let creds = Credentials::new("ZRBRz4bAXoFgEH7o4Ew308eXc1RA", "testSecret");
    let signer = creds.signer();
    let h = sign_request_with(&signer, &creds.app_key, Some(NONCE), Some(CREATED));
    let now = parse_created(CREATED).unwrap();
    let verifier = Verifier::new(VerifierConfig {
        reject_replays: false,
        ..VerifierConfig::default()
    })
    .with_app(creds.app_key.clone(), &AppSecret::new("testSecret"));
    let with_memory = Verifier::new(VerifierConfig {
        window: std::time::Duration::from_secs(1),
        ..VerifierConfig::default()
    })
    .with_app(creds.app_key.clone(), &AppSecret::new("testSecret"));
    assert!(verifier
        .verify(Some(&h.authorization), Some(&h.x_aksk), now)
        .is_ok());

    let mut g = c.benchmark_group("aksk");
    g.throughput(Throughput::Elements(1));
    g.bench_function("hmac_sha256_base64_alone", |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(b"testSecret").unwrap();
            mac.update(black_box(NONCE).as_bytes());
            mac.update(black_box(CREATED).as_bytes());
            base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes())
        })
    });
    // The fair reference: keyed once, cloned per message, as `Signer` is; Base64 into a
    // stack buffer, as `verify` needs no String.
    let prekeyed = Hmac::<Sha256>::new_from_slice(b"testSecret").unwrap();
    g.bench_function("hmac_sha256_base64_prekeyed", |b| {
        b.iter(|| {
            let mut mac = black_box(&prekeyed).clone();
            mac.update(black_box(NONCE).as_bytes());
            mac.update(black_box(CREATED).as_bytes());
            let mut out = [0u8; 44];
            base64::engine::general_purpose::STANDARD
                .encode_slice(mac.finalize().into_bytes(), &mut out)
                .unwrap();
            out
        })
    });
    // As users call it: a fresh nonce from the CSPRNG and the current time.
    g.bench_function("sign_request", |b| {
        b.iter(|| sign_request(black_box(&creds), None, None))
    });
    g.bench_function("sign_request_with_fresh", |b| {
        b.iter(|| sign_request_with(&signer, black_box(&creds.app_key), None, None))
    });
    g.bench_function("sign", |b| {
        b.iter(|| {
            sign_request_with(
                &signer,
                black_box(&creds.app_key),
                Some(black_box(NONCE)),
                Some(black_box(CREATED)),
            )
        })
    });
    g.bench_function("verify", |b| {
        b.iter(|| {
            verifier
                .verify(
                    Some(black_box(&h.authorization)),
                    Some(black_box(&h.x_aksk)),
                    now,
                )
                .unwrap()
        })
    });
    // Pre-signed requests with distinct nonces whose Created steps one second every 512
    // requests, verified at their own Created with a 1 s window: the memory holds about
    // 1,500 live nonces and each verification meets a fresh nonce, expires the old ones
    // and remembers the new (the steady state of a loaded verifier). Each pass over the
    // pool starts from a new verifier, built outside the timing.
    let pool = replay_pool(&creds, &signer);
    g.bench_function("verify_replay_memory_on", |b| {
        b.iter_custom(|iters| {
            let mut spent = std::time::Duration::ZERO;
            let mut left = iters as usize;
            while left > 0 {
                let bounded = replay_verifier(&creds);
                let n = left.min(pool.len());
                let t = std::time::Instant::now();
                for (h, at) in &pool[..n] {
                    black_box(
                        bounded
                            .verify(Some(&h.authorization), Some(&h.x_aksk), *at)
                            .unwrap()
                            .created_was_beijing_time,
                    );
                }
                spent += t.elapsed();
                left -= n;
            }
            spent
        })
    });
    // The same pool and times with the memory off: the difference is the memory's cost.
    let without_memory = Verifier::new(VerifierConfig {
        window: std::time::Duration::from_secs(1),
        reject_replays: false,
        ..VerifierConfig::default()
    })
    .with_app(creds.app_key.clone(), &AppSecret::new("testSecret"));
    g.bench_function("verify_pool_replay_memory_off", |b| {
        let mut k = 0usize;
        b.iter(|| {
            let (h, at) = &pool[k % pool.len()];
            k += 1;
            black_box(
                without_memory
                    .verify(Some(&h.authorization), Some(&h.x_aksk), *at)
                    .unwrap()
                    .created_was_beijing_time,
            )
        })
    });
    let mut i = 0u64;
    g.bench_function("sign_then_verify_replay_memory_on", |b| {
        b.iter(|| {
            // A fresh nonce each time, as real traffic has, and the clock one second on
            // every 40,000 requests so the 100,000-entry memory never fills.
            i += 1;
            let nonce = format!("{NONCE}{i}");
            let at = now + std::time::Duration::from_secs(i / 40_000);
            let created = voicecall::auth::format_created(at);
            let h = sign_request_with(&signer, &creds.app_key, Some(&nonce), Some(&created));
            with_memory
                .verify(Some(&h.authorization), Some(&h.x_aksk), at)
                .unwrap()
                .created_was_beijing_time
        })
    });
    g.finish();
}

/// 4,096 signed requests (Created one second on every 512), each with the time to
/// verify it at.
fn replay_pool(
    creds: &Credentials,
    signer: &voicecall::auth::Signer,
) -> Vec<(voicecall::auth::SignedHeaders, time::OffsetDateTime)> {
    let base = parse_created(CREATED).unwrap();
    (0..4096)
        .map(|i| {
            let at = base + std::time::Duration::from_secs((i / 512) as u64);
            let created = voicecall::auth::format_created(at);
            let nonce = format!("{NONCE:.24}{i:08X}");
            let h = sign_request_with(signer, &creds.app_key, Some(&nonce), Some(&created));
            (h, at)
        })
        .collect()
}

/// The verifier of `replay_pool`: a 1 s window and room for the whole pool.
fn replay_verifier(creds: &Credentials) -> Verifier {
    Verifier::new(VerifierConfig {
        window: std::time::Duration::from_secs(1),
        replay_capacity: 4096,
        ..VerifierConfig::default()
    })
    .with_app(creds.app_key.clone(), &AppSecret::new("testSecret"))
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = signing
}
criterion_main!(benches);
