//! The committed corpus of the `mock_judge` fuzz target (`fuzz/`), run on stable.

#[path = "../../../fuzz/targets/mock_judge.rs"]
mod mock_judge;

#[tokio::test]
async fn mock_judge_corpus() {
    let mock = mock_judge::mock();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/mock_judge");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            mock_judge::run(&mock, &data)
        }));
        assert!(caught.is_ok(), "{} fails", path.display());
        n += 1;
    }
    assert!(n > 0, "empty corpus");
}
