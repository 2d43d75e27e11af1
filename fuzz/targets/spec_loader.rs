//! Fuzz target `spec_loader`: the spec loader and checker on any text as one spec file.
//! Never panics (the loader promises it); an error names the file.

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    if let Err(errors) =
        voicecall_codegen::spec::load_sources(vec![("fuzz.yaml".to_string(), text)], |_| None)
    {
        let shown = format!("{errors:?}");
        assert!(!shown.is_empty());
    }
}
