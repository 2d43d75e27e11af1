//! Broken specs produce errors that name file, line and column and say how to fix it.
//! One fixture per folder entry (`tests/broken/*.yaml`); the rendered diagnostics are
//! snapshot as Markdown, so a change in wording or position shows up in review.

use std::path::Path;

use voicecall_codegen::spec::load_sources;

fn render(path: &Path) -> String {
    let dir = path.parent().unwrap();
    let name = path.file_name().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(path).unwrap();
    let result = load_sources(vec![(name.clone(), text)], |rel| {
        std::fs::read_to_string(dir.join(rel)).ok()
    });
    let errors = match result {
        Ok(_) => {
            panic!("{name} loaded without errors, but every file under tests/broken/ must fail")
        }
        Err(e) => e,
    };
    let mut out = format!("# {name}: {} error(s)\n", errors.errors.len());
    for e in &errors.errors {
        assert_eq!(e.file, name);
        assert!(e.line >= 1 && e.column >= 1, "{e}");
        assert!(e.help.is_some(), "every error says how to fix it: {e}");
        out.push_str(&format!(
            "\n## {}:{}:{}\n\n```text\n{}```\n",
            e.file,
            e.line,
            e.column,
            e.render()
        ));
    }
    out
}

#[test]
fn broken_specs_explain_themselves() {
    insta::glob!("broken/*.yaml", |path| {
        insta::assert_snapshot!(render(path));
    });
}
