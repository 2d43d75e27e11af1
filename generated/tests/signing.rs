//! AK/SK signing both ways: the known-answer vector, every result code of the tables
//! produced for its defect, tolerant parsing, the lenient clock, push variants, and
//! properties (round trip; any changed byte fails; nothing panics; no secret leaks).

use proptest::prelude::*;
use time::OffsetDateTime;
use voicecall::auth::{
    format_created, parse_created, sign_push, sign_request, AppSecret, ClockMode, Credentials,
    PushSeparator, PushUrlForm, PushVariant, PushVerifier, Verifier, VerifierConfig,
};

const SECRET: &str = "testSecret";
const NONCE: &str = "66C92B11FF8A425FB8D4CCFE0ED9ED1F";
const CREATED: &str = "2018-02-12T15:30:20Z";

fn at(created: &str) -> OffsetDateTime {
    parse_created(created).unwrap()
}

/// (what, Authorization, X-AKSK, now, expected HTTP status, expected result code)
type Case = (
    &'static str,
    Option<String>,
    Option<String>,
    OffsetDateTime,
    u16,
    &'static str,
);

fn verifier(config: VerifierConfig) -> Verifier {
    Verifier::new(config).with_app("app", &AppSecret::new(SECRET))
}

#[test]
fn known_answer_vector() {
    let h = sign_request(&Credentials::new("app", SECRET), Some(NONCE), Some(CREATED));
    assert_eq!(
        h.authorization,
        r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#
    );
    assert_eq!(
        h.x_aksk,
        r#"UsernameToken Username="app",PasswordDigest="NMt3Iw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90=",Nonce="66C92B11FF8A425FB8D4CCFE0ED9ED1F",Created="2018-02-12T15:30:20Z""#
    );
    assert!(verifier(VerifierConfig::default())
        .verify(Some(&h.authorization), Some(&h.x_aksk), at(CREATED))
        .is_ok());
    // The digest alone, as `Signer::request_digest` gives it.
    assert_eq!(
        Credentials::new("app", SECRET)
            .signer()
            .request_digest(NONCE, CREATED),
        "NMt3Iw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90="
    );
}

#[test]
fn every_auth_defect_gets_the_code_of_the_tables() {
    let good_auth = r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#;
    let x = |user: &str, digest: &str, nonce: &str, created: &str| {
        let mut parts = Vec::new();
        for (k, v) in [
            ("Username", user),
            ("PasswordDigest", digest),
            ("Nonce", nonce),
            ("Created", created),
        ] {
            if !v.is_empty() {
                parts.push(format!("{k}=\"{v}\""));
            }
        }
        format!("UsernameToken {}", parts.join(","))
    };
    let digest = "NMt3Iw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90=";
    let good_x = x("app", digest, NONCE, CREATED);
    let cases: Vec<Case> = vec![
        (
            "no Authorization",
            None,
            Some(good_x.clone()),
            at(CREATED),
            400,
            "1023006",
        ),
        (
            "wrong scheme",
            Some(r#"SDK-HMAC-SHA256 realm="SDP",profile="UsernameToken",type="Appkey""#.into()),
            Some(good_x.clone()),
            at(CREATED),
            400,
            "1023006",
        ),
        (
            "no realm",
            Some(r#"AKSK profile="UsernameToken",type="Appkey""#.into()),
            Some(good_x.clone()),
            at(CREATED),
            400,
            "1023007",
        ),
        (
            "no profile",
            Some(r#"AKSK realm="SDP",type="Appkey""#.into()),
            Some(good_x.clone()),
            at(CREATED),
            400,
            "1023008",
        ),
        (
            "wrong realm",
            Some(r#"AKSK realm="IAM",profile="UsernameToken",type="Appkey""#.into()),
            Some(good_x.clone()),
            at(CREATED),
            400,
            "1023009",
        ),
        (
            "wrong profile",
            Some(r#"AKSK realm="SDP",profile="Token",type="Appkey""#.into()),
            Some(good_x.clone()),
            at(CREATED),
            400,
            "1023010",
        ),
        (
            "wrong type",
            Some(r#"AKSK realm="SDP",profile="UsernameToken",type="app_key""#.into()),
            Some(good_x.clone()),
            at(CREATED),
            400,
            "1023011",
        ),
        (
            "no type",
            Some(r#"AKSK realm="SDP",profile="UsernameToken""#.into()),
            Some(good_x.clone()),
            at(CREATED),
            400,
            "1023012",
        ),
        (
            "no X-AKSK",
            Some(good_auth.into()),
            None,
            at(CREATED),
            400,
            "1023033",
        ),
        (
            "no Username",
            Some(good_auth.into()),
            Some(x("", digest, NONCE, CREATED)),
            at(CREATED),
            400,
            "1023034",
        ),
        (
            "no Nonce",
            Some(good_auth.into()),
            Some(x("app", digest, "", CREATED)),
            at(CREATED),
            400,
            "1023035",
        ),
        (
            "no Created",
            Some(good_auth.into()),
            Some(x("app", digest, NONCE, "")),
            at(CREATED),
            400,
            "1023036",
        ),
        (
            "no PasswordDigest",
            Some(good_auth.into()),
            Some(x("app", "", NONCE, CREATED)),
            at(CREATED),
            400,
            "1023037",
        ),
        (
            "no UsernameToken",
            Some(good_auth.into()),
            Some(good_x.replacen("UsernameToken ", "", 1)),
            at(CREATED),
            400,
            "1023038",
        ),
        (
            "bad digest",
            Some(good_auth.into()),
            Some(x(
                "app",
                "AAAAIw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90=",
                NONCE,
                CREATED,
            )),
            at(CREATED),
            401,
            "1010010",
        ),
        (
            "digest not Base64",
            Some(good_auth.into()),
            Some(x("app", "****", NONCE, CREATED)),
            at(CREATED),
            401,
            "1010010",
        ),
        (
            "stale Created",
            Some(good_auth.into()),
            Some(good_x.clone()),
            at("2018-02-12T16:30:20Z"),
            401,
            "1010013",
        ),
        (
            "malformed Created",
            Some(good_auth.into()),
            Some(x("app", digest, NONCE, "2018-02-12 15:30:20")),
            at(CREATED),
            401,
            "1010013",
        ),
        (
            "malformed Nonce",
            Some(good_auth.into()),
            Some(x("app", digest, "not-a-nonce", CREATED)),
            at(CREATED),
            400,
            "1023035",
        ),
        (
            "unknown app key",
            Some(good_auth.into()),
            Some(x("nobody", digest, NONCE, CREATED)),
            at(CREATED),
            403,
            "1010003",
        ),
    ];
    for (what, auth, xa, now, status, code) in cases {
        let err = verifier(VerifierConfig::default())
            .verify(auth.as_deref(), xa.as_deref(), now)
            .expect_err(what);
        let rc = err.code.unwrap_or_else(|| panic!("{what}: no code"));
        assert_eq!(
            (rc.http_status(), rc.code()),
            (status, code),
            "{what}: {err}"
        );
        assert!(
            !err.to_string().contains(SECRET),
            "{what}: the secret leaks"
        );
    }
    // A replayed nonce, and the codes' own texts.
    let v = verifier(VerifierConfig::default());
    assert!(v
        .verify(Some(good_auth), Some(&good_x), at(CREATED))
        .is_ok());
    let replay = v
        .verify(Some(good_auth), Some(&good_x), at(CREATED))
        .unwrap_err();
    assert_eq!(
        replay.code.map(|c| (c.http_status(), c.code())),
        Some((401, "1010010"))
    );
    assert!(replay.to_string().contains("already used"));
}

#[test]
fn real_clients_differ_and_are_accepted() {
    let h = sign_request(&Credentials::new("app", SECRET), Some(NONCE), Some(CREATED));
    let shuffled = r#"UsernameToken Created=2018-02-12T15:30:20Z, Nonce="66C92B11FF8A425FB8D4CCFE0ED9ED1F", PasswordDigest="NMt3Iw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90=", username="app""#;
    let spaced_auth = r#"AKSK realm="SDP", profile="UsernameToken", type="Appkey""#;
    assert!(verifier(VerifierConfig::default())
        .verify(Some(spaced_auth), Some(shuffled), at(CREATED))
        .is_ok());
    assert!(verifier(VerifierConfig::default())
        .verify(Some(&h.authorization), Some(&h.x_aksk), at(CREATED))
        .is_ok());
}

/// A fresh Nonce is 32 upper-case hex digits (128 bits, inside the spec's `nonce`
/// format of 1–128 letters and digits) and never repeats; `sign_request` without a
/// nonce uses one, and the request verifies.
#[test]
fn fresh_nonces_are_128_bit_hex_and_differ() {
    let mut seen = std::collections::HashSet::new();
    for _ in 0..1_000 {
        let n = voicecall::auth::new_nonce();
        assert_eq!(n.len(), 32, "{n}");
        assert!(
            n.bytes()
                .all(|b| b.is_ascii_digit() || (b'A'..=b'F').contains(&b)),
            "{n}"
        );
        assert!(seen.insert(n), "a nonce repeated");
    }
    let creds = Credentials::new("app", SECRET);
    let (a, b) = (
        sign_request(&creds, None, None),
        sign_request(&creds, None, None),
    );
    assert_ne!(a.x_aksk, b.x_aksk);
    let nonce = voicecall::auth::parse_header(&a.x_aksk)
        .get("Nonce")
        .map(str::len);
    assert_eq!(nonce, Some(32));
    let now = OffsetDateTime::now_utc();
    assert!(verifier(VerifierConfig::default())
        .verify(Some(&a.authorization), Some(&a.x_aksk), now)
        .is_ok());
}

#[test]
fn lenient_clock_accepts_beijing_time_written_with_z() {
    // Signed at 07:30:20 UTC by a client that wrote Beijing time (15:30:20) with a Z.
    let h = sign_request(&Credentials::new("app", SECRET), Some(NONCE), Some(CREATED));
    let now = at("2018-02-12T07:31:00Z");
    let strict = verifier(VerifierConfig::default())
        .verify(Some(&h.authorization), Some(&h.x_aksk), now)
        .unwrap_err();
    assert_eq!(strict.code.map(|c| c.code()), Some("1010013"));
    let lenient = verifier(VerifierConfig {
        clock: ClockMode::Lenient,
        ..VerifierConfig::default()
    });
    let ok = lenient
        .verify(Some(&h.authorization), Some(&h.x_aksk), now)
        .unwrap();
    assert!(ok.created_was_beijing_time);
}

#[test]
fn push_digest_variants_are_explicit() {
    let creds = Credentials::new("app", SECRET);
    let url = "https://example.com/fee";
    // The spec's vector for the current reading (spec/signing.yaml).
    let h = sign_push(
        &creds,
        url,
        PushVariant::CURRENT,
        Some(NONCE),
        Some(CREATED),
    );
    assert!(
        h.x_aksk
            .contains(r#"PasswordDigest="n0TkL3eCpYijjYWAbQ4hB6taaTYuHyrVff3oqdxhOnA=""#),
        "{}",
        h.x_aksk
    );
    let only_current = PushVerifier::new(
        &creds.app_secret,
        url,
        VerifierConfig {
            reject_replays: false,
            ..VerifierConfig::default()
        },
    );
    let every = PushVerifier::new(
        &creds.app_secret,
        url,
        VerifierConfig {
            reject_replays: false,
            ..VerifierConfig::default()
        },
    )
    .with_variants(&PushVariant::ALL);
    for variant in PushVariant::ALL {
        let h = sign_push(&creds, url, variant, Some(NONCE), Some(CREATED));
        let (_, matched) = every
            .verify(Some(&h.authorization), Some(&h.x_aksk), at(CREATED))
            .unwrap();
        assert_eq!(matched, variant);
        assert_eq!(
            only_current
                .verify(Some(&h.authorization), Some(&h.x_aksk), at(CREATED))
                .is_ok(),
            variant == PushVariant::CURRENT
        );
    }
    let old = PushVariant {
        url: PushUrlForm::Plain,
        separator: PushSeparator::None,
    };
    assert_ne!(
        sign_push(&creds, url, old, Some(NONCE), Some(CREATED)),
        sign_push(
            &creds,
            url,
            PushVariant::CURRENT,
            Some(NONCE),
            Some(CREATED)
        )
    );
    let wrong_url = PushVerifier::new(
        &creds.app_secret,
        "https://example.com/status",
        VerifierConfig::default(),
    );
    assert!(wrong_url
        .verify(Some(&h.authorization), Some(&h.x_aksk), at(CREATED))
        .is_err());
}

#[test]
fn secrets_never_print() {
    let creds = Credentials::new("app", "s3cr3t-value");
    assert!(!format!("{creds:?}").contains("s3cr3t-value"));
    assert!(!format!("{:?}", creds.signer()).contains("s3cr3t-value"));
    assert_eq!(creds.app_secret.to_string(), "***");
    // What they show instead: the type and a mask, so a log still says what was there.
    assert_eq!(format!("{:?}", creds.signer()), "Signer(***)");
    assert_eq!(format!("{:?}", creds.app_secret), "AppSecret(***)");
    assert!(format!("{creds:?}").contains("AppSecret(***)"), "{creds:?}");
}

fn flip(s: &str, i: usize) -> String {
    let mut b = s.as_bytes().to_vec();
    let i = i % b.len();
    b[i] = if b[i] == b'A' { b'B' } else { b'A' };
    String::from_utf8_lossy(&b).into_owned()
}

proptest! {
    #[test]
    fn sign_then_verify_round_trips(secret in "[ -~]{1,40}", key in "[A-Za-z0-9]{1,32}", nonce in "[A-Za-z0-9]{1,128}", secs in 0i64..4_000_000_000) {
        let created = format_created(OffsetDateTime::from_unix_timestamp(secs).unwrap());
        let h = sign_request(&Credentials::new(key.clone(), secret.clone()), Some(&nonce), Some(&created));
        let v = Verifier::new(VerifierConfig::default()).with_app(key, &AppSecret::new(secret));
        prop_assert!(v.verify(Some(&h.authorization), Some(&h.x_aksk), parse_created(&created).unwrap()).is_ok());
    }

    #[test]
    fn any_changed_byte_fails(secret in "[a-z0-9]{4,20}", nonce in "[A-Za-z0-9]{8,40}", which in 0usize..4, at_byte in any::<usize>()) {
        let creds = Credentials::new("app", secret.clone());
        let h = sign_request(&creds, Some(&nonce), Some(CREATED));
        let digest = h.x_aksk.split("PasswordDigest=\"").nth(1).and_then(|r| r.split('"').next()).unwrap().to_string();
        let (s2, n2, c2, d2) = match which {
            0 => (flip(&secret, at_byte), nonce.clone(), CREATED.to_string(), digest.clone()),
            1 => (secret.clone(), flip(&nonce, at_byte), CREATED.to_string(), digest.clone()),
            2 => (secret.clone(), nonce.clone(), flip(CREATED, at_byte), digest.clone()),
            _ => (secret.clone(), nonce.clone(), CREATED.to_string(), flip(&digest, at_byte)),
        };
        let x = format!(r#"UsernameToken Username="app",PasswordDigest="{d2}",Nonce="{n2}",Created="{c2}""#);
        let v = Verifier::new(VerifierConfig { window: std::time::Duration::from_secs(u32::MAX as u64), ..VerifierConfig::default() }).with_app("app", &AppSecret::new(s2));
        prop_assert!(v.verify(Some(&h.authorization), Some(&x), at(CREATED)).is_err());
    }

    #[test]
    fn verification_never_panics(a in proptest::option::of("\\PC{0,80}"), x in proptest::option::of("(UsernameToken )?[A-Za-z=\", 0-9+/:-]{0,120}")) {
        let _ = verifier(VerifierConfig::default()).verify(a.as_deref(), x.as_deref(), at(CREATED));
    }
}
