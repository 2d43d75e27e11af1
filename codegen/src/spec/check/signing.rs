//! Known-answer vectors of the signing schemes: recomputed from the scheme's own description.

use base64::Engine as _;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::spec::model::*;

pub(crate) fn digest(d: &DigestSpec, v: &SigningVector) -> Option<String> {
    let part = |p: DigestPart| -> Option<&str> {
        match p {
            DigestPart::AppSecret => Some(&v.app_secret),
            DigestPart::Nonce => Some(&v.nonce),
            DigestPart::Created => Some(&v.created),
            DigestPart::Url => v.url.as_deref(),
        }
    };
    let key = part(d.key)?;
    let parts: Option<Vec<&str>> = d.parts.iter().map(|p| part(*p)).collect();
    let message = parts?.join(&d.separator);
    let MacAlgorithm::HmacSha256 = d.algorithm;
    let mut mac = Hmac::<Sha256>::new_from_slice(key.as_bytes()).ok()?;
    mac.update(message.as_bytes());
    let Encoding::Base64 = d.encoding;
    Some(base64::engine::general_purpose::STANDARD.encode(mac.finalize().into_bytes()))
}
