//! The caches of `cargo xtask codegen` (codegen/src/cache.rs) never stand in for a
//! check: with a warm generation record and format cache, a generated file edited by
//! hand, an extra file in a generated folder, a changed spec or a damaged record all
//! still make `--check` fail or the write regenerate, and what is written is byte for
//! byte what the uncached generator produces.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use voicecall_codegen::generate::{generate, GEN_DIR, OPENAPI};
use voicecall_codegen::spec::load_dir;
use voicecall_codegen::{codegen, CodegenError, CodegenRun};

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}

/// What the generator without any cache makes of `root/spec`.
fn uncached(root: &Path) -> BTreeMap<String, String> {
    let spec = load_dir(&root.join("spec")).unwrap_or_else(|e| panic!("{}", e.render()));
    generate(&spec).unwrap()
}

fn assert_disk_is(root: &Path, expected: &BTreeMap<String, String>) {
    for (rel, text) in expected {
        let on_disk = std::fs::read_to_string(root.join(rel)).unwrap();
        assert!(on_disk == *text, "{rel} differs from the uncached output");
    }
}

fn check(root: &Path, cache: &Path) -> Result<CodegenRun, Vec<String>> {
    codegen(root, Some(cache), true).map_err(|e| match e {
        CodegenError::Problems(p) => p,
        CodegenError::Spec(s) => panic!("spec does not load: {}", s.render()),
    })
}

fn write(root: &Path, cache: &Path) -> CodegenRun {
    codegen(root, Some(cache), false).unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn a_warm_cache_never_hides_a_stale_or_edited_file() {
    let root: PathBuf =
        std::env::temp_dir().join(format!("voicecall-codegen-cache-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    copy_dir(
        &PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec"),
        &root.join("spec"),
    );
    let cache = root.join("target/codegen-cache");

    // Nothing there yet: everything written, by the full run.
    let first = write(&root, &cache);
    assert!(!first.from_record);
    assert!(first.changed.iter().any(|p| p == OPENAPI), "{first:?}");
    let expected = uncached(&root);
    assert_disk_is(&root, &expected);

    // Warm: current, known from the record without generating.
    let warm = check(&root, &cache).unwrap();
    assert!(warm.from_record && warm.changed.is_empty(), "{warm:?}");

    // A generated file edited by hand: --check fails and names it, cache or not.
    let codes = format!("{GEN_DIR}/codes.rs");
    let mut text = expected[&codes].clone();
    text.push_str("// edited by hand\n");
    std::fs::write(root.join(&codes), &text).unwrap();
    let problems = check(&root, &cache).unwrap_err();
    assert!(
        problems
            .iter()
            .any(|p| p.contains("codes.rs") && p.contains("stale")),
        "{problems:?}"
    );
    // ...and the write puts the generated text back.
    let fixed = write(&root, &cache);
    assert_eq!(fixed.changed, vec![codes.clone()]);
    assert_disk_is(&root, &expected);
    assert!(check(&root, &cache).unwrap().from_record);

    // A file the spec does not produce, in a generated folder.
    let extra = root.join("generated/schema/Extra.json");
    std::fs::write(&extra, "{}").unwrap();
    let problems = check(&root, &cache).unwrap_err();
    assert!(
        problems.iter().any(|p| p.contains("Extra.json")),
        "{problems:?}"
    );
    std::fs::remove_file(&extra).unwrap();

    // A one-field change of the spec: stale under --check, then regenerated with only
    // the changed files re-formatted, to exactly the uncached generator's bytes.
    let spec_file = root.join("spec/notification/5.2-create-voice-notification.yaml");
    let before = std::fs::read_to_string(&spec_file).unwrap();
    let at = before
        .find("\n    description: ")
        .expect("a field description")
        + 1;
    let end = at + before[at..].find('\n').unwrap();
    let after = format!("{} (edited){}", &before[..end], &before[end..]);
    std::fs::write(&spec_file, &after).unwrap();
    let problems = check(&root, &cache).unwrap_err();
    assert!(problems.iter().any(|p| p.contains("stale")), "{problems:?}");
    let regenerated = write(&root, &cache);
    assert!(
        !regenerated.from_record && !regenerated.changed.is_empty(),
        "{regenerated:?}"
    );
    let expected_after = uncached(&root);
    assert_ne!(expected_after, expected);
    assert_disk_is(&root, &expected_after);
    assert!(check(&root, &cache).unwrap().from_record);

    // Every entry of the format cache damaged: still the generator's exact output.
    std::fs::write(&spec_file, &before).unwrap();
    for e in std::fs::read_dir(cache.join("fmt")).unwrap() {
        let path = e.unwrap().path();
        let entry = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, entry.replacen("pub ", "pub(crate) ", 1)).unwrap();
    }
    write(&root, &cache);
    assert_disk_is(&root, &expected);

    // A damaged record is ignored (the full run decides), never trusted.
    let record = cache.join("generation-record");
    std::fs::write(&record, "not a record").unwrap();
    std::fs::write(root.join(&codes), &text).unwrap();
    assert!(check(&root, &cache).is_err());
    write(&root, &cache);
    assert!(check(&root, &cache).unwrap().from_record);

    let _ = std::fs::remove_dir_all(&root);
}
