//! Doc audit of the whole reference: extract every table and example of the text and
//! reconcile it with spec/ (the spec loaded once, as `cargo xtask doc audit` loads it
//! once). Also the end-to-end figure with the spec load. Needs the reference text at
//! `../shared/seeds/000_f5225a148c33d089.txt` next to the workspace (or
//! `VOICECALL_REFERENCE`). Run: `cargo bench -p voicecall-codegen --bench docaudit`.

use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use voicecall_codegen::docaudit::{audit, extract};
use voicecall_codegen::spec::load_dir;

fn docaudit(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let doc = std::env::var_os("VOICECALL_REFERENCE")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("../shared/seeds/000_f5225a148c33d089.txt"));
    let Ok(text) = std::fs::read_to_string(&doc) else {
        eprintln!("skipped: {} is not present", doc.display());
        return;
    };
    let dir = root.join("spec");
    let spec = load_dir(&dir).expect("spec loads");
    let mut g = c.benchmark_group("docaudit");
    g.bench_function("extract", |b| b.iter(|| black_box(extract(&text))));
    g.bench_function("audit_loaded_spec", |b| {
        b.iter(|| black_box(audit("seed", &text, &spec).unwrap()))
    });
    g.bench_function("load_spec_and_audit", |b| {
        b.iter(|| black_box(audit("seed", &text, &load_dir(&dir).unwrap()).unwrap()))
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(5));
    targets = docaudit
}
criterion_main!(benches);
