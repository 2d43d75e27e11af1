//! PasswordDigest computation, with the HMAC key schedule done once per secret.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::secret::AppSecret;

/// Which form of the push URL enters the digest. The reference says "the URL the
/// customer set" without saying whether that is the plain URL or its Base64 form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushUrlForm {
    /// The plain URL (`https://…`): the current reading.
    Plain,
    /// The Base64 form, as sent in `statusUrl`/`feeUrl`.
    Base64,
}

/// What joins url, nonce and created. Older editions of the reference joined them
/// without a separator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PushSeparator {
    /// `"\n"`: the current reading (`url+"\n"+nonce+"\n"+created`).
    Newline,
    /// Nothing (older editions).
    None,
}

/// How a push digest is computed; the hash is HMAC-SHA256 in every variant
/// (erratum `push-digest-unspecified`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PushVariant {
    /// URL form.
    pub url: PushUrlForm,
    /// Separator.
    pub separator: PushSeparator,
}

impl PushVariant {
    /// The current reference's reading: plain URL, joined by `"\n"`.
    pub const CURRENT: PushVariant = PushVariant {
        url: PushUrlForm::Plain,
        separator: PushSeparator::Newline,
    };

    /// Every variant, the current reading first.
    pub const ALL: [PushVariant; 4] = [
        PushVariant::CURRENT,
        PushVariant {
            url: PushUrlForm::Base64,
            separator: PushSeparator::Newline,
        },
        PushVariant {
            url: PushUrlForm::Plain,
            separator: PushSeparator::None,
        },
        PushVariant {
            url: PushUrlForm::Base64,
            separator: PushSeparator::None,
        },
    ];
}

impl Default for PushVariant {
    fn default() -> Self {
        PushVariant::CURRENT
    }
}

/// An HMAC-SHA256 keyed with one app secret; cloning the keyed state skips the key
/// schedule on every digest.
#[derive(Clone)]
pub struct Signer {
    keyed: Hmac<Sha256>,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer(***)")
    }
}

impl Signer {
    /// A signer for `secret`.
    pub fn new(secret: &AppSecret) -> Self {
        Signer {
            keyed: Hmac::<Sha256>::new_from_slice(secret.expose())
                .expect("HMAC takes keys of any length"),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> Hmac<Sha256> {
        let mut mac = self.keyed.clone();
        for p in parts {
            mac.update(p);
        }
        mac
    }

    /// Request PasswordDigest: `Base64(HMAC-SHA256(secret, nonce + created))`.
    pub fn request_digest(&self, nonce: &str, created: &str) -> String {
        let tag = self
            .mac(&[nonce.as_bytes(), created.as_bytes()])
            .finalize()
            .into_bytes();
        base64::engine::general_purpose::STANDARD.encode(tag)
    }

    /// Push PasswordDigest for `url` in the given variant.
    pub fn push_digest(
        &self,
        url: &str,
        nonce: &str,
        created: &str,
        variant: PushVariant,
    ) -> String {
        let tag = self
            .push_mac(url, nonce, created, variant)
            .finalize()
            .into_bytes();
        base64::engine::general_purpose::STANDARD.encode(tag)
    }

    fn push_mac(
        &self,
        url: &str,
        nonce: &str,
        created: &str,
        variant: PushVariant,
    ) -> Hmac<Sha256> {
        let encoded;
        let url = match variant.url {
            PushUrlForm::Plain => url.as_bytes(),
            PushUrlForm::Base64 => {
                encoded = base64::engine::general_purpose::STANDARD.encode(url);
                encoded.as_bytes()
            }
        };
        let sep: &[u8] = match variant.separator {
            PushSeparator::Newline => b"\n",
            PushSeparator::None => b"",
        };
        self.mac(&[url, sep, nonce.as_bytes(), sep, created.as_bytes()])
    }

    /// Whether `digest` (Base64) is the request digest, compared in constant time.
    pub fn verify_request(&self, nonce: &str, created: &str, digest: &str) -> bool {
        decode(digest).is_some_and(|d| {
            self.mac(&[nonce.as_bytes(), created.as_bytes()])
                .verify_slice(&d)
                .is_ok()
        })
    }

    /// Whether `digest` (Base64) is the push digest in `variant`, compared in constant time.
    pub fn verify_push(
        &self,
        url: &str,
        nonce: &str,
        created: &str,
        digest: &str,
        variant: PushVariant,
    ) -> bool {
        decode(digest).is_some_and(|d| {
            self.push_mac(url, nonce, created, variant)
                .verify_slice(&d)
                .is_ok()
        })
    }
}

/// Decodes a Base64 digest into a stack buffer (an HMAC-SHA256 tag is 32 bytes).
fn decode(digest: &str) -> Option<[u8; 32]> {
    let mut buf = [0u8; 48];
    let n = base64::engine::general_purpose::STANDARD
        .decode_slice(digest, &mut buf)
        .ok()?;
    <[u8; 32]>::try_from(&buf[..n]).ok()
}
