//! Fuzz target `header`: the tolerant header parser and the request verifier on any
//! bytes as `X-AKSK` / `Authorization` (read as the mock reads them: bytes, lossily as
//! UTF-8). Never panics; a refusal never quotes a digest-like value back.

use voicecall::auth::{parse_header, AppSecret, Verifier, VerifierConfig};

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (auth, x) = text.split_once('\n').unwrap_or(("", &text));
    let parsed = parse_header(x);
    for (name, value) in &parsed.attributes {
        assert!(
            x.contains(name) && x.contains(value),
            "attributes come from the input"
        );
    }
    let v = Verifier::new(VerifierConfig::default()).with_app("app", &AppSecret::new("s"));
    let now = time::OffsetDateTime::from_unix_timestamp(1_518_449_420).expect("valid");
    for (a, x) in [(Some(auth), Some(x)), (None, Some(x)), (Some(auth), None)] {
        if let Err(e) = v.verify(a, x, now) {
            // The detail may name attributes, never carry a digest-like value taken
            // from the header (16+ Base64 characters ending in `=`; a digest is 44 —
            // the fixed texts of the details contain no `=`).
            for (_, value) in &parsed.attributes {
                let digest_like = value.len() >= 16
                    && value.ends_with('=')
                    && value
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b));
                if digest_like {
                    assert!(!e.detail.contains(value), "{} echoes {value:?}", e.detail);
                }
            }
        }
    }
}
