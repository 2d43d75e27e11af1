//! Fuzz target `verify_request`: the request verifier against the `hmac` crate. The
//! input gives a secret, a nonce, a Created and a claimed digest; the verifier must
//! accept exactly when the claimed digest is Base64(HMAC-SHA256(secret, nonce+created))
//! as the `hmac` crate computes it (Nonce and Created well-formed, in the window), and a
//! header it signed itself must verify.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use voicecall::auth::{
    parse_created, sign_request, AppSecret, Credentials, Verifier, VerifierConfig,
};

pub fn fields(data: &[u8]) -> [String; 4] {
    let text = String::from_utf8_lossy(data);
    let mut it = text.split('\u{1}').map(str::to_string);
    let mut next = || it.next().unwrap_or_default();
    [next(), next(), next(), next()]
}

pub fn run(data: &[u8]) {
    let [secret, nonce, created, claimed] = fields(data);
    let Some(now) = parse_created(&created) else {
        return;
    };
    let config = VerifierConfig {
        reject_replays: false,
        ..VerifierConfig::default()
    };
    let v = Verifier::new(config).with_app("app", &AppSecret::new(secret.clone()));
    let auth = r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#;
    let x = format!(
        "UsernameToken Username=\"app\",PasswordDigest=\"{claimed}\",Nonce=\"{nonce}\",Created=\"{created}\""
    );
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(nonce.as_bytes());
    mac.update(created.as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let well_formed = !nonce.is_empty()
        && nonce.len() <= 128
        && nonce.bytes().all(|b| b.is_ascii_alphanumeric())
        && !claimed.contains('"')
        && !claimed.is_empty();
    let accepted = v.verify(Some(auth), Some(&x), now).is_ok();
    if well_formed {
        assert_eq!(accepted, claimed == expected, "claimed {claimed:?}");
    } else {
        assert!(!accepted || claimed == expected);
    }
    if well_formed {
        let h = sign_request(
            &Credentials::new("app", secret),
            Some(&nonce),
            Some(&created),
        );
        assert!(v
            .verify(Some(&h.authorization), Some(&h.x_aksk), now)
            .is_ok());
        assert!(h.x_aksk.contains(&expected));
    }
}
