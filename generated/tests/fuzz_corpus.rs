//! The committed corpora of the fuzz targets (`fuzz/`, cargo-fuzz on nightly) run on
//! stable as regression tests: each file through its target's body, which asserts the
//! target's properties (see each `fuzz/targets/*.rs`).

#[path = "../../fuzz/targets/header.rs"]
mod header;
#[path = "../../fuzz/targets/messages.rs"]
mod messages;
#[path = "../../fuzz/targets/verify_push.rs"]
mod verify_push;
#[path = "../../fuzz/targets/verify_request.rs"]
mod verify_request;

/// Every file of `fuzz/corpus/<target>`, through `run`; fails on an empty corpus.
fn corpus(target: &str, run: impl Fn(&[u8])) {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target);
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        let data = std::fs::read(&path).unwrap();
        let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(&data)));
        assert!(caught.is_ok(), "{target}: {} fails", path.display());
        n += 1;
    }
    assert!(n > 0, "{target}: empty corpus");
}

#[test]
fn header_corpus() {
    corpus("header", header::run);
}

#[test]
fn verify_request_corpus() {
    corpus("verify_request", verify_request::run);
}

#[test]
fn verify_push_corpus() {
    corpus("verify_push", verify_push::run);
}

#[test]
fn messages_corpus() {
    corpus("messages", messages::run);
}

/// The targets' properties are not vacuous: the known-answer vector is accepted and a
/// changed digest refused.
#[test]
fn the_verify_targets_check_something() {
    let [s, n, c, d] = verify_request::fields(
        b"testSecret\x0166C92B11FF8A425FB8D4CCFE0ED9ED1F\x012018-02-12T15:30:20Z\x01NMt3Iw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90=",
    );
    assert_eq!((s.as_str(), d.len()), ("testSecret", 44));
    assert!(!n.is_empty() && !c.is_empty());
    verify_request::run(b"testSecret\x01abc\x012018-02-12T15:30:20Z\x01NMt3Iw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90=");
}
