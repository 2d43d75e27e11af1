//! [`ClientBuilder`]: base URL, credentials, the HTTP client, user agent, timeouts,
//! retries and validation.

use std::time::Duration;

use super::error::{ClientError, TransportError};
use super::retry::RetryPolicy;
use super::Client;
use crate::auth::Credentials;

/// The `User-Agent` sent when the client builds its own HTTP client.
pub const DEFAULT_USER_AGENT: &str = concat!("voicecall-rust/", env!("CARGO_PKG_VERSION"));

/// Builds a [`Client`]; from [`Client::builder`].
///
/// ```
/// use std::time::Duration;
/// use voicecall::auth::Credentials;
/// use voicecall::client::{reqwest, Client, RetryPolicy};
///
/// # fn main() -> Result<(), voicecall::client::ClientError> {
/// // Your own HTTP client (proxy, CA roots, pool…); keep redirects off so the
/// // recording download can return the 301's Location.
/// let http = reqwest::Client::builder()
///     .redirect(reqwest::redirect::Policy::none())
///     .build()
///     .expect("TLS backend");
/// let client = Client::builder(
///     "https://rtccall.cn-north-1.myhuaweicloud.cn:443",
///     Credentials::new("my-app-key", "my-app-secret"),
/// )
/// .http_client(http)
/// .user_agent("my-service/1.2")
/// .timeout(Duration::from_secs(10))
/// .retry(RetryPolicy::new(3).with_backoff(Duration::from_millis(100), Duration::from_secs(1)))
/// .build()?;
/// # let _ = client;
/// # Ok(())
/// # }
/// ```
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    credentials: Credentials,
    http: Option<reqwest::Client>,
    user_agent: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    validate: bool,
    retry: RetryPolicy,
}

impl ClientBuilder {
    pub(super) fn new(base_url: String, credentials: Credentials) -> Self {
        ClientBuilder {
            base_url,
            credentials,
            http: None,
            user_agent: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            validate: true,
            retry: RetryPolicy::default(),
        }
    }

    /// The app's address (APP接入地址), e.g.
    /// `https://rtccall.cn-north-1.myhuaweicloud.cn:443`; replaces the one given to
    /// [`Client::builder`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = url.into();
        self
    }

    /// Sends through this HTTP client (its proxy, TLS roots, connection pool, default
    /// headers). Its connect timeout and redirect policy apply instead of
    /// [`ClientBuilder::connect_timeout`]; it should not follow redirects (with one that
    /// does, [`Client::get_recording_download_url`] returns the last hop's URL).
    /// [`ClientBuilder::timeout`] still applies per request.
    pub fn http_client(mut self, http: reqwest::Client) -> Self {
        self.http = Some(http);
        self
    }

    /// `User-Agent` of every request (default [`DEFAULT_USER_AGENT`], or the HTTP
    /// client's own when one is given).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// Total time allowed for one attempt (default 30 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Time allowed to connect (default 10 s; only for the client's own HTTP client).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Whether requests are validated before sending (default true).
    pub fn validate_before_send(mut self, on: bool) -> Self {
        self.validate = on;
        self
    }

    /// How safe operations are resent (default [`RetryPolicy::default`]); operations
    /// that place calls are never resent, whatever the policy
    /// ([`super::retry_allowed`]).
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// The client. Fails on a base URL that is not `http://` or `https://`, or when
    /// the TLS backend cannot start.
    pub fn build(self) -> Result<Client, ClientError> {
        let base_url = self.base_url.trim_end_matches('/').to_string();
        let scheme_ok = ["http://", "https://"]
            .iter()
            .any(|s| base_url.len() > s.len() && base_url[..s.len()].eq_ignore_ascii_case(s));
        if !scheme_ok {
            return Err(ClientError::Build {
                detail: format!(
                    "the base URL {base_url:?} is not http:// or https:// followed by a host"
                ),
                source: None,
            });
        }
        let (http, user_agent) = match self.http {
            Some(http) => (http, self.user_agent),
            None => {
                let http = reqwest::Client::builder()
                    .redirect(reqwest::redirect::Policy::none())
                    .connect_timeout(self.connect_timeout)
                    .build()
                    .map_err(|e| ClientError::Build {
                        detail: "the HTTP client cannot start".into(),
                        source: Some(TransportError::new(e)),
                    })?;
                let ua = self
                    .user_agent
                    .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string());
                (http, Some(ua))
            }
        };
        let signer = self.credentials.signer();
        Ok(Client {
            http,
            base_url,
            signer,
            credentials: self.credentials,
            validate: self.validate,
            timeout: self.timeout,
            user_agent,
            retry: self.retry,
        })
    }
}
