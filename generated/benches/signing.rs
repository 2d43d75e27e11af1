//! Signatures and verifications per second on one core, side by side with the raw
//! HMAC-SHA256 + Base64 they are built on. `sign` includes Base64 and formatting the
//! X-AKSK header; `verify` includes parsing both headers, the app-key lookup, the time
//! window, Base64 and the constant-time comparison (replay memory off);
//! `verify_replay_memory_on` adds the nonce memory, on pre-signed requests with a fresh
//! nonce each; `sign_then_verify_replay_memory_on` signs each request first.
//! Run: `cargo bench -p voicecall --bench signing`. Figures: BENCHMARKS.md.

use base64::Engine as _;
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use voicecall::auth::{
    parse_created, sign_request_with, AppSecret, Credentials, Verifier, VerifierConfig,
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
    let with_memory = Verifier::new(VerifierConfig::default())
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
    // Pre-signed requests with distinct nonces, cycled through a memory half their number
    // (the oldest nonces leave first), so every verification meets a fresh nonce.
    const POOL: usize = 4096;
    let pool: Vec<_> = (0..POOL)
        .map(|i| {
            sign_request_with(
                &signer,
                &creds.app_key,
                Some(&format!("{NONCE:.24}{i:08X}")),
                Some(CREATED),
            )
        })
        .collect();
    let bounded = Verifier::new(VerifierConfig {
        replay_capacity: POOL / 2,
        ..VerifierConfig::default()
    })
    .with_app(creds.app_key.clone(), &AppSecret::new("testSecret"));
    let mut next = 0usize;
    g.bench_function("verify_replay_memory_on", |b| {
        b.iter(|| {
            let h = &pool[next % POOL];
            next += 1;
            bounded
                .verify(Some(&h.authorization), Some(&h.x_aksk), now)
                .unwrap()
                .created_was_beijing_time
        })
    });
    let mut i = 0u64;
    g.bench_function("sign_then_verify_replay_memory_on", |b| {
        b.iter(|| {
            // A fresh nonce each time, as real traffic has; the memory stays bounded.
            i += 1;
            let nonce = format!("{NONCE}{i}");
            let h = sign_request_with(&signer, &creds.app_key, Some(&nonce), Some(CREATED));
            with_memory
                .verify(Some(&h.authorization), Some(&h.x_aksk), now)
                .unwrap()
                .created_was_beijing_time
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).measurement_time(std::time::Duration::from_secs(3)).warm_up_time(std::time::Duration::from_secs(1));
    targets = signing
}
criterion_main!(benches);
