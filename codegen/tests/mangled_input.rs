//! The loader never panics, whatever it is given: real spec files mangled at random
//! (bytes deleted, inserted, lines swapped) and arbitrary text either load or fail with
//! diagnostics that render. Case counts rise with PROPTEST_CASES.

use std::path::PathBuf;

use proptest::prelude::*;
use voicecall_codegen::spec::load_sources;

fn real_files() -> Vec<(String, String)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../spec");
    [
        "callback/4.3-terminate-call.yaml",
        "signing.yaml",
        "voicecall.yaml",
        "notification/5.3-status-notification.yaml",
    ]
    .iter()
    .map(|f| (f.to_string(), std::fs::read_to_string(dir.join(f)).unwrap()))
    .collect()
}

fn load_never_panics(files: Vec<(String, String)>) {
    match load_sources(files, |_| None) {
        Ok(_) => {}
        Err(e) => {
            for err in &e.errors {
                assert!(err.line >= 1 && err.column >= 1);
                let _ = err.render();
            }
        }
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    SwapLines { a: usize, b: usize },
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (
            any::<usize>(),
            prop_oneof![
                Just(":".to_string()),
                Just("- ".to_string()),
                Just("\n  ".to_string()),
                Just("'".to_string()),
                Just("{".to_string()),
                Just("中".to_string()),
                ".{0,8}"
            ]
        )
            .prop_map(|(at, text)| Edit::Insert { at, text }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Edit::SwapLines { a, b }),
    ]
}

fn apply(text: &str, e: &Edit) -> String {
    let chars: Vec<char> = text.chars().collect();
    match e {
        Edit::Delete { at, len } => {
            let at = at % (chars.len() + 1);
            let end = (at + len).min(chars.len());
            chars[..at].iter().chain(chars[end..].iter()).collect()
        }
        Edit::Insert { at, text: t } => {
            let at = at % (chars.len() + 1);
            let mut s: String = chars[..at].iter().collect();
            s.push_str(t);
            s.extend(chars[at..].iter());
            s
        }
        Edit::SwapLines { a, b } => {
            let mut lines: Vec<&str> = text.split('\n').collect();
            let n = lines.len();
            lines.swap(a % n, b % n);
            lines.join("\n")
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(64), ..ProptestConfig::default() })]

    #[test]
    fn mangled_spec_files_never_panic(which in 0usize..4, edits in proptest::collection::vec(edit(), 1..6)) {
        let mut files = real_files();
        let (_, text) = &mut files[which];
        for e in &edits {
            *text = apply(text, e);
        }
        load_never_panics(files);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        load_never_panics(vec![("x.yaml".into(), text)]);
    }
}
