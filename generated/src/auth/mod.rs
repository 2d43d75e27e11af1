//! AK/SK signing both ways, hand-written against the schemes generated from
//! `spec/signing.yaml` ([`crate::signing`]): every defect maps to the result code and
//! HTTP status the reference's tables give (or the spec's recorded choice where they are
//! silent; erratum `verifier-codes-not-in-doc`).
//!
//! - Requests (customer → platform): [`sign_request`], [`Verifier`].
//! - Pushes (platform → customer): [`sign_push`], [`PushVerifier`], with the digest
//!   variant ([`PushVariant`]) explicit because the reference leaves it open.
//!
//! Secrets never appear in `Debug`, `Display` or errors, and digests are compared in
//! constant time (`subtle`, over the decoded tag; the computed tag is never Base64-encoded
//! on the verifying side). Verification allocates nothing on success and does no key
//! schedule: each app's HMAC key blocks are hashed once, when it is added.

mod created;
mod digest;
mod header;
mod replay;
mod secret;
mod url_forms;
mod verify;

pub use created::{format_created, parse_created, ClockMode, BEIJING_OFFSET_SECONDS};
pub use digest::{PushSeparator, PushUrlForm, PushVariant, Signer};
pub use header::{parse_header, ParsedHeader};
pub use secret::{AppSecret, Credentials};
pub use url_forms::{url_forms, DigestMismatch, MAX_FORMS};
pub use verify::{AuthError, PushVerifier, Verified, Verifier, VerifierConfig};

use std::borrow::Cow;

use crate::signing;

/// The two headers of a signed request or push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Authorization` value.
    pub authorization: String,
    /// `X-AKSK` value.
    pub x_aksk: String,
}

/// A fresh Nonce: 32 upper-case hex digits (128 bits) from the operating system's CSPRNG.
pub fn new_nonce() -> String {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// `UsernameToken Username="…",PasswordDigest="…",Nonce="…",Created="…"`.
pub fn x_aksk_value(app_key: &str, digest: &str, nonce: &str, created: &str) -> String {
    let mut s =
        String::with_capacity(64 + app_key.len() + digest.len() + nonce.len() + created.len());
    s.push_str(signing::REQUEST.token);
    s.push_str(" Username=\"");
    s.push_str(app_key);
    s.push_str("\",PasswordDigest=\"");
    s.push_str(digest);
    s.push_str("\",Nonce=\"");
    s.push_str(nonce);
    s.push_str("\",Created=\"");
    s.push_str(created);
    s.push('"');
    s
}

/// The given Nonce and Created (borrowed, not copied), or a fresh nonce and the current
/// UTC time.
fn nonce_and_created<'a>(
    nonce: Option<&'a str>,
    created: Option<&'a str>,
) -> (Cow<'a, str>, Cow<'a, str>) {
    let nonce = nonce.map_or_else(|| Cow::Owned(new_nonce()), Cow::Borrowed);
    let created = created.map_or_else(
        || Cow::Owned(format_created(time::OffsetDateTime::now_utc())),
        Cow::Borrowed,
    );
    (nonce, created)
}

/// Signs a request. `nonce` and `created` default to a fresh nonce and the current UTC time;
/// pass them to reproduce a captured request.
pub fn sign_request(
    creds: &Credentials,
    nonce: Option<&str>,
    created: Option<&str>,
) -> SignedHeaders {
    sign_request_with(&creds.signer(), &creds.app_key, nonce, created)
}

/// [`sign_request`] with a [`Signer`] prepared once for many requests.
pub fn sign_request_with(
    signer: &Signer,
    app_key: &str,
    nonce: Option<&str>,
    created: Option<&str>,
) -> SignedHeaders {
    let (nonce, created) = nonce_and_created(nonce, created);
    let mut buf = [0u8; digest::DIGEST_LEN];
    let digest = signer.request_digest_into(&nonce, &created, &mut buf);
    SignedHeaders {
        authorization: signing::REQUEST.authorization_literal.to_string(),
        x_aksk: x_aksk_value(app_key, digest, &nonce, &created),
    }
}

/// Signs a push to `url` (the URL the push is delivered to) with the given variant.
pub fn sign_push(
    creds: &Credentials,
    url: &str,
    variant: PushVariant,
    nonce: Option<&str>,
    created: Option<&str>,
) -> SignedHeaders {
    let (nonce, created) = nonce_and_created(nonce, created);
    let digest = creds.signer().push_digest(url, &nonce, &created, variant);
    SignedHeaders {
        authorization: signing::PUSH.authorization_literal.to_string(),
        x_aksk: x_aksk_value(&creds.app_key, &digest, &nonce, &created),
    }
}
