//! The committed corpus of the `spec_loader` fuzz target (`fuzz/`), run on stable.

#[path = "../../fuzz/targets/spec_loader.rs"]
mod spec_loader;

#[test]
fn spec_loader_corpus() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/spec_loader");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let caught = std::panic::catch_unwind(|| spec_loader::run(&data));
        assert!(caught.is_ok(), "{} fails", path.display());
        n += 1;
    }
    assert!(n > 0, "empty corpus");
}
