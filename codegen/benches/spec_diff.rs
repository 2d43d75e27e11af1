//! `spec diff` as `cargo xtask spec diff HEAD` runs it: read spec/ at HEAD from git
//! objects, load it and the working tree's spec/ (in parallel, as the CLI does), compare,
//! render the Markdown report. Parts are timed apart so the whole can be read.
//! Run: `cargo bench -p voicecall-codegen --bench spec_diff`.

use std::path::PathBuf;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use voicecall_codegen::diff::{self, git, report};
use voicecall_codegen::spec::{load_dir, load_sources};

fn spec_diff(c: &mut Criterion) {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let dir = root.join("spec");
    let head = load_dir(&dir).expect("spec loads");
    let mut g = c.benchmark_group("spec_diff");
    g.bench_function("read_base_from_git", |b| {
        b.iter(|| black_box(git::read_spec(&root, "HEAD", "spec").unwrap()))
    });
    g.bench_function("diff_loaded_specs", |b| {
        b.iter(|| black_box(diff::diff(&head, &head, "a", "b")))
    });
    g.bench_function("whole", |b| {
        b.iter(|| {
            let old = git::read_spec(&root, "HEAD", "spec").unwrap();
            let (base, head) = std::thread::scope(|s| {
                let b = s.spawn(|| load_sources(old.sources(), |p| old.files.get(p).cloned()));
                (b.join().unwrap().unwrap(), load_dir(&dir).unwrap())
            });
            let d = diff::diff(&base, &head, "HEAD", "working tree");
            black_box(report::markdown(&d))
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(std::time::Duration::from_secs(5));
    targets = spec_diff
}
criterion_main!(benches);
