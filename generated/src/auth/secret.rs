//! App credentials. The secret is only reachable inside this module tree, and prints as `***`.

use std::fmt;
use std::sync::Arc;

use super::digest::Signer;

/// An app secret (APP_Secret). `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct AppSecret(Arc<str>);

impl AppSecret {
    /// Wraps a secret.
    pub fn new(secret: impl Into<String>) -> Self {
        AppSecret(Arc::from(secret.into()))
    }

    pub(crate) fn expose(&self) -> &[u8] {
        self.0.as_bytes()
    }

    /// Whether `other` is this secret or a clone of it (the same allocation): an
    /// identity check, not a comparison of the secrets.
    pub(crate) fn same_as(&self, other: &AppSecret) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AppSecret(***)")
    }
}

impl fmt::Display for AppSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// An app's key and secret (from the console's 应用管理 page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// APP_Key, sent as `Username`.
    pub app_key: String,
    /// APP_Secret, the HMAC key.
    pub app_secret: AppSecret,
}

impl Credentials {
    /// Credentials from a key and a secret.
    pub fn new(app_key: impl Into<String>, app_secret: impl Into<String>) -> Self {
        Credentials {
            app_key: app_key.into(),
            app_secret: AppSecret::new(app_secret),
        }
    }

    /// A signer keyed with the secret, reusable for many digests.
    pub fn signer(&self) -> Signer {
        Signer::new(&self.app_secret)
    }
}
