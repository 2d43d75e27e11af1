//! Fuzz target `verify_push`: the push verifier against the `hmac` crate, with the
//! spec's current reading (HMAC-SHA256 over url + "\n" + nonce + "\n" + created).

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use voicecall::auth::{parse_created, AppSecret, PushVerifier, VerifierConfig};

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut it = text.split('\u{1}').map(str::to_string);
    let mut next = || it.next().unwrap_or_default();
    let (secret, url, nonce, created, claimed) = (next(), next(), next(), next(), next());
    let Some(now) = parse_created(&created) else {
        return;
    };
    let config = VerifierConfig {
        reject_replays: false,
        ..VerifierConfig::default()
    };
    let v = PushVerifier::new(&AppSecret::new(secret.clone()), url.clone(), config);
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(format!("{url}\n{nonce}\n{created}").as_bytes());
    let expected = base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes());
    let auth = r#"AKSK realm="SDP",profile="UsernameToken",type="Appkey""#;
    let x = format!(
        "UsernameToken Username=\"app\",PasswordDigest=\"{claimed}\",Nonce=\"{nonce}\",Created=\"{created}\""
    );
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
}
