//! Validation cost, measured side by side in one run on the same 50-CDR fee push
//! (`data/fee-batch-50.json`, ≈ 55 KB, all 33 fields of every CDR filled and valid):
//!
//! - `parse`: serde_json into the generated type alone (the baseline);
//! - `parse_validate`: the same plus `validate()`;
//! - `validate`: `validate()` on the parsed value;
//! - `bytes_value_jsonschema_runtime` / `bytes_value_jsonschema_macro`: end to end the
//!   jsonschema way: bytes → `serde_json::Value` → `is_valid` (compare with
//!   `parse_validate`, bytes → typed + validated); `bytes_value`: the `Value` parse alone;
//! - `jsonschema_runtime` / `jsonschema_macro`: the jsonschema crate on the same payload
//!   (as a `serde_json::Value`) against the generated JSON Schema, with its runtime
//!   validator and with its compile-time macro.
//!
//! Run: `cargo bench -p voicecall --bench validate`. Figures: BENCHMARKS.md.

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use voicecall::callback::fee_notification::CallbackFeeEvent;
use voicecall::Validate;

const BATCH: &str = include_str!("data/fee-batch-50.json");

#[jsonschema::validator(path = "schema/CallbackFeeEvent.json", draft = Draft202012)]
struct FeeEventSchema;

fn fee_batch(c: &mut Criterion) {
    let typed: CallbackFeeEvent = serde_json::from_str(BATCH).expect("the batch parses");
    assert_eq!(typed.fee_lst.as_ref().map(Vec::len), Some(50));
    assert!(
        typed.validate().is_empty(),
        "the batch is valid: {:?}",
        typed.validate()
    );
    let value: serde_json::Value = serde_json::from_str(BATCH).expect("JSON");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../schema/CallbackFeeEvent.json")).expect("schema");
    let runtime = jsonschema::draft202012::new(&schema).expect("the generated schema compiles");
    assert!(runtime.is_valid(&value) && FeeEventSchema::is_valid(&value));

    let mut g = c.benchmark_group("fee_batch_50");
    g.throughput(Throughput::Bytes(BATCH.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| serde_json::from_str::<CallbackFeeEvent>(black_box(BATCH)).unwrap())
    });
    g.bench_function("parse_validate", |b| {
        b.iter(|| {
            let t = serde_json::from_str::<CallbackFeeEvent>(black_box(BATCH)).unwrap();
            black_box(t.validate())
        })
    });
    // End to end, as a receiver sees it: bytes in, a checked payload out.
    g.bench_function("bytes_value_jsonschema_runtime", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_str(black_box(BATCH)).unwrap();
            black_box(runtime.is_valid(&v))
        })
    });
    g.bench_function("bytes_value_jsonschema_macro", |b| {
        b.iter(|| {
            let v: serde_json::Value = serde_json::from_str(black_box(BATCH)).unwrap();
            black_box(FeeEventSchema::is_valid(&v))
        })
    });
    g.bench_function("bytes_value", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(BATCH)).unwrap())
    });
    g.bench_function("validate", |b| {
        b.iter(|| black_box(black_box(&typed).validate()))
    });
    g.bench_function("jsonschema_runtime", |b| {
        b.iter(|| black_box(runtime.is_valid(black_box(&value))))
    });
    g.bench_function("jsonschema_macro", |b| {
        b.iter(|| black_box(FeeEventSchema::is_valid(black_box(&value))))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(60).measurement_time(std::time::Duration::from_secs(4)).warm_up_time(std::time::Duration::from_secs(1));
    targets = fee_batch
}
criterion_main!(benches);
