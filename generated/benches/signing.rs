//! Signatures and verifications per second on one core, side by side with the raw
//! HMAC-SHA256 + Base64 they are built on. `sign` includes Base64 and formatting the
//! X-AKSK header; `verify` includes parsing both headers, the time window and the
//! constant-time comparison (replay memory off; `verify_with_replay_memory` on).
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
    let mut i = 0u64;
    g.bench_function("verify_with_replay_memory", |b| {
        b.iter(|| {
            // A fresh nonce each time, as real traffic has; the memory stays bounded.
            i += 1;
            let nonce = format!("{NONCE}{i}");
            let h = sign_request_with(&signer, &creds.app_key, Some(&nonce), Some(CREATED));
            with_memory
                .verify(Some(&h.authorization), Some(&h.x_aksk), now)
                .unwrap()
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
