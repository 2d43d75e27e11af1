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
mod fresh;
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

use crate::signing;

/// The two headers of a signed request or push.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    /// `Authorization` value.
    pub authorization: String,
    /// `X-AKSK` value.
    pub x_aksk: String,
}

/// A fresh Nonce: 32 upper-case hex digits (128 bits) from a ChaCha12 generator keyed by
/// the operating system's CSPRNG once per thread (and re-keyed every 64 KiB of output);
/// why it stays unpredictable: `fresh.rs`.
pub fn new_nonce() -> String {
    let mut buf = [0u8; fresh::NONCE_LEN];
    fresh::nonce_into(&mut buf).to_string()
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
/// UTC time written into the given stack buffers.
fn nonce_and_created<'a>(
    nonce: Option<&'a str>,
    created: Option<&'a str>,
    nonce_buf: &'a mut [u8; fresh::NONCE_LEN],
    created_buf: &'a mut [u8; fresh::CREATED_LEN],
) -> (&'a str, &'a str) {
    let nonce = match nonce {
        Some(n) => n,
        None => fresh::nonce_into(nonce_buf),
    };
    let created = match created {
        Some(c) => c,
        None => fresh::created_now_into(created_buf),
    };
    (nonce, created)
}

/// Signs a request. `nonce` and `created` default to a fresh nonce and the current UTC time;
/// pass them to reproduce a captured request.
///
/// The key schedule (two SHA-256 blocks, plus the keyed MAC's) is done once per thread
/// and secret: each thread keeps the [`Signer`] of the last secret it signed with,
/// recognised by identity (the same [`AppSecret`], or a clone of it). So a program that
/// signs every request with one `Credentials`, as users do, pays two SHA-256 blocks per
/// request, as [`sign_request_with`] does. The kept signer holds key material as the
/// `Credentials` do, in the thread's memory, until another secret replaces it.
pub fn sign_request(
    creds: &Credentials,
    nonce: Option<&str>,
    created: Option<&str>,
) -> SignedHeaders {
    LAST_SIGNER.with(|last| {
        let mut last = last.borrow_mut();
        match &*last {
            Some((secret, signer)) if secret.same_as(&creds.app_secret) => {
                sign_request_with(signer, &creds.app_key, nonce, created)
            }
            _ => {
                let signer = creds.signer();
                let h = sign_request_with(&signer, &creds.app_key, nonce, created);
                *last = Some((creds.app_secret.clone(), signer));
                h
            }
        }
    })
}

thread_local! {
    /// The last secret this thread signed a request with, and its signer.
    static LAST_SIGNER: std::cell::RefCell<Option<(AppSecret, Signer)>> =
        const { std::cell::RefCell::new(None) };
}

/// [`sign_request`] with a [`Signer`] prepared once for many requests.
pub fn sign_request_with(
    signer: &Signer,
    app_key: &str,
    nonce: Option<&str>,
    created: Option<&str>,
) -> SignedHeaders {
    let (mut nonce_buf, mut created_buf) = ([0u8; fresh::NONCE_LEN], [0u8; fresh::CREATED_LEN]);
    let (nonce, created) = nonce_and_created(nonce, created, &mut nonce_buf, &mut created_buf);
    let mut buf = [0u8; digest::DIGEST_LEN];
    let digest = signer.request_digest_into(nonce, created, &mut buf);
    SignedHeaders {
        authorization: signing::REQUEST.authorization_literal.to_string(),
        x_aksk: x_aksk_value(app_key, digest, nonce, created),
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
    let (mut nonce_buf, mut created_buf) = ([0u8; fresh::NONCE_LEN], [0u8; fresh::CREATED_LEN]);
    let (nonce, created) = nonce_and_created(nonce, created, &mut nonce_buf, &mut created_buf);
    let digest = creds.signer().push_digest(url, nonce, created, variant);
    SignedHeaders {
        authorization: signing::PUSH.authorization_literal.to_string(),
        x_aksk: x_aksk_value(&creds.app_key, &digest, nonce, created),
    }
}
