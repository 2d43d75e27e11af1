//! A push whose digest does not verify says why: signed for another spelling of the
//! receiver URL (and which), signed with another digest variant, or verifiable for no
//! form at all (a wrong secret) — without printing the secret or a digest.

use time::OffsetDateTime;
use voicecall::auth::{
    sign_push, url_forms, AppSecret, Credentials, DigestMismatch, PushSeparator, PushUrlForm,
    PushVariant, PushVerifier, VerifierConfig,
};

const SECRET: &str = "pushSecret-7f3a9c";

fn digest_of(x_aksk: &str) -> &str {
    let start = x_aksk.find("PasswordDigest=\"").unwrap() + "PasswordDigest=\"".len();
    let end = start + x_aksk[start..].find('"').unwrap();
    &x_aksk[start..end]
}

/// Verifies a push signed with `signed_secret` for `signed_url` at a receiver configured
/// with `SECRET` and `configured_url`.
fn refuse(
    signed_secret: &str,
    signed_url: &str,
    configured_url: &str,
) -> (voicecall::auth::AuthError, String) {
    let h = sign_push(
        &Credentials::new("app", signed_secret),
        signed_url,
        PushVariant::CURRENT,
        None,
        None,
    );
    let verifier = PushVerifier::new(
        &AppSecret::new(SECRET),
        configured_url,
        VerifierConfig::default(),
    );
    let e = verifier
        .verify(
            Some(&h.authorization),
            Some(&h.x_aksk),
            OffsetDateTime::now_utc(),
        )
        .expect_err("the digest is for something else");
    (e, digest_of(&h.x_aksk).to_string())
}

fn assert_no_secrets(e: &voicecall::auth::AuthError, digest: &str) {
    for text in [e.to_string(), format!("{e:?}")] {
        assert!(!text.contains(SECRET), "{text}");
        assert!(!text.contains(digest), "{text}");
    }
}

#[test]
fn every_listed_url_form_is_recognised() {
    for configured in [
        "https://receiver.example.com/voice/status",
        "https://Receiver.Example.com:443/voice/status/?tenant=7",
        "http://127.0.0.1:8080/cb",
    ] {
        let forms = url_forms(configured);
        assert!(!forms.is_empty());
        for (form, difference) in forms {
            let (e, digest) = refuse(SECRET, &form, configured);
            assert_eq!(
                e.mismatch,
                Some(DigestMismatch::OtherUrl {
                    url: form.clone(),
                    difference,
                    variant: PushVariant::CURRENT
                }),
                "signed for {form}, configured {configured}"
            );
            let shown = e.to_string();
            assert!(shown.contains(&form), "{shown}");
            assert!(shown.contains("the secret is right"), "{shown}");
            assert_no_secrets(&e, &digest);
        }
    }
}

#[test]
fn a_trailing_slash_or_scheme_is_named() {
    let (e, _) = refuse(
        SECRET,
        "https://r.example/status/",
        "https://r.example/status",
    );
    assert!(
        matches!(
            &e.mismatch,
            Some(DigestMismatch::OtherUrl {
                difference: "trailing slash",
                ..
            })
        ),
        "{e}"
    );
    let (e, _) = refuse(
        SECRET,
        "http://r.example/status",
        "https://r.example/status",
    );
    assert!(
        matches!(
            &e.mismatch,
            Some(DigestMismatch::OtherUrl {
                difference: "other scheme",
                ..
            })
        ),
        "{e}"
    );
    // The error's source is the mismatch itself.
    let source = std::error::Error::source(&e).expect("a source").to_string();
    assert!(source.contains("http://r.example/status"), "{source}");
}

#[test]
fn a_wrong_secret_verifies_for_no_form() {
    let url = "https://r.example/status";
    let (e, digest) = refuse("anotherSecret", url, url);
    match &e.mismatch {
        Some(DigestMismatch::NotAtAll { forms_tried }) => {
            assert_eq!(*forms_tried, url_forms(url).len() + 1)
        }
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("the app secret is wrong"), "{e}");
    assert_no_secrets(&e, &digest);
}

#[test]
fn a_url_not_among_the_forms_is_not_at_all() {
    let (e, _) = refuse(
        SECRET,
        "https://elsewhere.example/other",
        "https://r.example/status",
    );
    assert!(
        matches!(e.mismatch, Some(DigestMismatch::NotAtAll { .. })),
        "{e}"
    );
}

#[test]
fn another_digest_variant_is_named() {
    let url = "https://r.example/status";
    let base64 = PushVariant {
        url: PushUrlForm::Base64,
        separator: PushSeparator::Newline,
    };
    let h = sign_push(&Credentials::new("app", SECRET), url, base64, None, None);
    let verifier = PushVerifier::new(&AppSecret::new(SECRET), url, VerifierConfig::default());
    let e = verifier
        .verify(
            Some(&h.authorization),
            Some(&h.x_aksk),
            OffsetDateTime::now_utc(),
        )
        .unwrap_err();
    assert_eq!(e.mismatch, Some(DigestMismatch::OtherVariant(base64)));
    // Accepting that variant makes the same push verify.
    let verifier = PushVerifier::new(&AppSecret::new(SECRET), url, VerifierConfig::default())
        .with_variants(&[PushVariant::CURRENT, base64]);
    assert!(verifier
        .verify(
            Some(&h.authorization),
            Some(&h.x_aksk),
            OffsetDateTime::now_utc()
        )
        .is_ok());
}

#[test]
fn other_defects_carry_no_mismatch() {
    let verifier = PushVerifier::new(
        &AppSecret::new(SECRET),
        "https://r.example/s",
        VerifierConfig::default(),
    );
    let e = verifier
        .verify(None, None, OffsetDateTime::now_utc())
        .unwrap_err();
    assert_eq!(e.mismatch, None);
    assert!(std::error::Error::source(&e).is_none());
}

#[test]
fn receive_errors_display_and_chain_their_causes() {
    use std::error::Error as _;
    use voicecall::receiver::{ReceiveError, StoreError};
    let (auth, digest) = refuse(
        "anotherSecret",
        "https://r.example/s",
        "https://r.example/s",
    );
    let e = ReceiveError::Signature(auth.clone());
    assert_eq!(e.to_string(), format!("signature: {auth}"));
    assert_eq!(e.source().map(ToString::to_string), Some(auth.to_string()));
    assert!(!e.to_string().contains(digest.as_str()) && !e.to_string().contains(SECRET));
    let e = ReceiveError::Store(StoreError::new("disk full"));
    assert_eq!(e.to_string(), "store: disk full");
    assert_eq!(
        e.source().map(ToString::to_string).as_deref(),
        Some("disk full")
    );
    let e = ReceiveError::Handler("database down".into());
    assert_eq!(e.to_string(), "handler: database down");
    assert!(e.source().is_none());
}
