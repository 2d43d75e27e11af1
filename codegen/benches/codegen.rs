//! Full code generation: load and check spec/ from disk (including every example), build
//! the IR, render the templates and format with prettyplease, plus the schemas and the
//! OpenAPI document. Nothing is written. Run: `cargo bench -p voicecall-codegen`.

use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use voicecall_codegen::generate::generate;
use voicecall_codegen::spec::load_dir;

fn codegen(c: &mut Criterion) {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec");
    let spec = load_dir(&dir).expect("spec loads");
    let mut g = c.benchmark_group("codegen");
    g.bench_function("load_and_check_spec", |b| {
        b.iter(|| black_box(load_dir(&dir).unwrap()))
    });
    g.bench_function("generate_from_loaded_spec", |b| {
        b.iter(|| black_box(generate(&spec).unwrap()))
    });
    g.bench_function("full", |b| {
        b.iter(|| black_box(generate(&load_dir(&dir).unwrap()).unwrap()))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(6));
    targets = codegen
}
criterion_main!(benches);
