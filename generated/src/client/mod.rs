//! A typed async client of the five operations (reqwest with rustls, on tokio).
//!
//! - [`Client::builder`] takes the app's address and credentials, and optionally your
//!   own `reqwest::Client`, a user agent, timeouts and a [`RetryPolicy`].
//! - Requests are the generated types; by default they are validated before sending and
//!   a request with an error is not sent ([`ClientBuilder::validate_before_send`]).
//! - Every attempt is signed afresh (new Nonce, current Created, UTC).
//! - Failures are [`ClientError`]s: the result code ([`ClientError::result_code`]), the
//!   HTTP status, the remedy in English and Chinese ([`ClientError::remedy`]) and
//!   whether trying later may help ([`ClientError::is_retryable`]).
//! - statusUrl / feeUrl: the request setters take the URL itself and Base64-encode it for
//!   the wire.
//! - The recording download does not follow redirects: it returns the `Location` of the
//!   301 (valid for 7 days).
//!
//! **Retries** ([`retry`](RetryPolicy)): operations that place calls are never resent;
//! only the recording download (a read) is, within the policy's bounds, with backoff.
//!
//! **Tracing**: each attempt runs in a `tracing` span `voicecall.request` with the
//! fields `operation`, `method`, `attempt`, `http_status`, `result_code` and
//! `latency_ms` (plus `error` on a transport failure); nothing of the credentials, the
//! signature headers or the body is recorded.
//!
//! **`reqwest` in the API**: only [`ClientBuilder::http_client`] takes a
//! `reqwest::Client`, and the crate is re-exported as [`reqwest`]
//! so callers build it with the same version. Errors never expose `reqwest` types
//! ([`TransportError`]).
//!
//! ```no_run
//! use voicecall::auth::Credentials;
//! use voicecall::client::Client;
//! use voicecall::callback::get_recording_download_url::GetRecordingDownloadUrlQuery;
//!
//! # async fn run(query: GetRecordingDownloadUrlQuery) -> Result<(), voicecall::client::ClientError> {
//! let client = Client::new(
//!     "https://rtccall.cn-north-1.myhuaweicloud.cn:443",
//!     Credentials::new("my-app-key", "my-app-secret"),
//! )?;
//! match client.get_recording_download_url(&query).await {
//!     Ok(location) => println!("download from {location}"),
//!     Err(e) if e.is_retryable() => eprintln!("try again later: {e}"),
//!     Err(e) => eprintln!("{e}"),
//! }
//! # Ok(())
//! # }
//! ```

mod builder;
mod error;
mod retry;

use std::time::{Duration, Instant};

use serde::de::DeserializeOwned;
use serde::Serialize;
use tracing::Instrument as _;

use crate::auth::{sign_request_with, Credentials, Signer};
use crate::callback::get_recording_download_url::{
    GetRecordingDownloadUrlQuery, GetRecordingDownloadUrlResponse,
};
use crate::codes::ResultCode;
use crate::operations::Operation;
use crate::{Severity, Validate, Violation};

pub use builder::{ClientBuilder, DEFAULT_USER_AGENT};
pub use error::{ClientError, Remedy, TransportError};
/// The `reqwest` this crate is built with, for [`ClientBuilder::http_client`].
pub use reqwest;
pub use retry::{retry_allowed, RetryPolicy, MAX_RETRIES};

/// A client of one app (APP接入地址 + APP_Key + APP_Secret).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    credentials: Credentials,
    signer: Signer,
    validate: bool,
    timeout: Duration,
    user_agent: Option<String>,
    retry: RetryPolicy,
}

const CONTENT_TYPE: &str = "application/json;charset=UTF-8";

/// What one attempt came back with.
enum Attempt {
    /// A response: status, headers' Location, body.
    Answer {
        status: u16,
        location: Option<String>,
        final_url: String,
        body: Vec<u8>,
    },
    /// No usable response.
    Failed(TransportError),
}

impl Client {
    /// A builder for the app at `base_url` (e.g.
    /// `https://rtccall.cn-north-1.myhuaweicloud.cn:443`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use voicecall::auth::Credentials;
    /// use voicecall::client::{Client, RetryPolicy};
    ///
    /// let client = Client::builder("https://rtccall.cn-north-1.myhuaweicloud.cn:443", Credentials::new("key", "secret"))
    ///     .user_agent("my-service/1.0")
    ///     .timeout(Duration::from_secs(10))
    ///     .retry(RetryPolicy::new(3))
    ///     .build()
    ///     .expect("an https URL");
    /// # let _ = client;
    /// assert!(Client::builder("ftp://host", Credentials::new("key", "secret")).build().is_err());
    /// ```
    pub fn builder(base_url: impl Into<String>, credentials: Credentials) -> ClientBuilder {
        ClientBuilder::new(base_url.into(), credentials)
    }

    /// A client with every default: `Client::builder(base_url, credentials).build()`.
    pub fn new(
        base_url: impl Into<String>,
        credentials: Credentials,
    ) -> Result<Client, ClientError> {
        Client::builder(base_url, credentials).build()
    }

    fn check(&self, message: &impl Validate) -> Result<(), ClientError> {
        if !self.validate {
            return Ok(());
        }
        let errors: Vec<Violation> = message
            .validate()
            .into_iter()
            .filter(|v| v.severity == Severity::Error)
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ClientError::Invalid(errors))
        }
    }

    fn signed(&self, builder: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        let h = sign_request_with(&self.signer, &self.credentials.app_key, None, None);
        let builder = builder
            .timeout(self.timeout)
            .header("Content-Type", CONTENT_TYPE)
            .header("Authorization", h.authorization)
            .header("X-AKSK", h.x_aksk);
        match &self.user_agent {
            Some(ua) => builder.header("User-Agent", ua.as_str()),
            None => builder,
        }
    }

    /// Sends `op` (built afresh, so signed afresh, by `request` for each attempt),
    /// resending it within the retry policy when the operation allows it
    /// ([`retry_allowed`]) and the failure is one trying later may cure. Each attempt
    /// is a `voicecall.request` span.
    async fn send(
        &self,
        op: Operation,
        request: impl Fn() -> reqwest::RequestBuilder,
    ) -> Result<Attempt, ClientError> {
        let retries = self.retry.retries_for(op);
        let mut attempt = 0u32;
        loop {
            let span = tracing::info_span!(
                "voicecall.request",
                operation = op.name(),
                method = op.method(),
                attempt = attempt + 1,
                http_status = tracing::field::Empty,
                result_code = tracing::field::Empty,
                latency_ms = tracing::field::Empty,
                error = tracing::field::Empty,
            );
            let started = Instant::now();
            let outcome = one_attempt(request()).instrument(span.clone()).await;
            span.record("latency_ms", started.elapsed().as_millis() as u64);
            let again = match &outcome {
                Attempt::Answer { status, body, .. } => {
                    span.record("http_status", *status);
                    let code = result_code_of(body);
                    if let Some(c) = &code {
                        span.record("result_code", c.as_str());
                    }
                    code.as_deref()
                        .and_then(|c| ResultCode::lookup(*status, c))
                        .is_some_and(|c| !c.is_success() && c.is_retryable())
                }
                Attempt::Failed(e) => {
                    span.record("error", tracing::field::display(e));
                    e.is_connect() || e.is_timeout()
                }
            };
            tracing::debug!(parent: &span, retry = again && attempt < retries, "voicecall response");
            if !(again && attempt < retries) {
                return Ok(outcome);
            }
            attempt += 1;
            tokio::time::sleep(self.retry.backoff(attempt)).await;
        }
    }

    /// Signs and posts `body` to the operation; the generated per-operation methods
    /// (`src/gen/client_ops.rs`) call this.
    pub(crate) async fn post<Req, Resp>(
        &self,
        op: Operation,
        body: &Req,
    ) -> Result<Resp, ClientError>
    where
        Req: Serialize + Validate,
        Resp: DeserializeOwned,
    {
        self.check(body)?;
        let json = serde_json::to_vec(body).map_err(|e| ClientError::Unexpected {
            operation: op,
            status: 0,
            detail: e.to_string(),
        })?;
        let url = format!("{}{}", self.base_url, op.wire_path());
        let outcome = self
            .send(op, || self.signed(self.http.post(&url)).body(json.clone()))
            .await?;
        match outcome {
            Attempt::Failed(source) => Err(ClientError::Transport {
                operation: op,
                source,
            }),
            Attempt::Answer { status, body, .. } => interpret(op, status, &body),
        }
    }

    /// 4.6 GetRecordingDownloadUrl: the `Location` of the platform's 301 (not followed).
    /// Resent within the [`RetryPolicy`] after a connection failure, a timeout or a
    /// retryable result code.
    pub async fn get_recording_download_url(
        &self,
        query: &GetRecordingDownloadUrlQuery,
    ) -> Result<String, ClientError> {
        let op = Operation::GetRecordingDownloadUrl;
        self.check(query)?;
        let url = format!("{}{}", self.base_url, op.wire_path());
        let outcome = self
            .send(op, || self.signed(self.http.get(&url)).query(query))
            .await?;
        let (status, location, final_url, body) = match outcome {
            Attempt::Failed(source) => {
                return Err(ClientError::Transport {
                    operation: op,
                    source,
                })
            }
            Attempt::Answer {
                status,
                location,
                final_url,
                body,
            } => (status, location, final_url, body),
        };
        if status == op.success_status() {
            return location.ok_or(ClientError::Unexpected {
                operation: op,
                status,
                detail: "301 without a Location header".into(),
            });
        }
        // A caller's HTTP client that follows redirects lands elsewhere with a 2xx.
        if (200..300).contains(&status) && !final_url.starts_with(&url) {
            return Ok(final_url);
        }
        match interpret::<GetRecordingDownloadUrlResponse>(op, status, &body) {
            Ok(_) => Err(ClientError::Unexpected {
                operation: op,
                status,
                detail: "success without a 301".into(),
            }),
            Err(e) => Err(e),
        }
    }
}

/// Sends one request and reads the whole answer.
async fn one_attempt(request: reqwest::RequestBuilder) -> Attempt {
    let response = match request.send().await {
        Ok(r) => r,
        Err(e) => return Attempt::Failed(TransportError::new(e)),
    };
    let status = response.status().as_u16();
    let final_url = response.url().to_string();
    let location = response
        .headers()
        .get("Location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    match response.bytes().await {
        Ok(body) => Attempt::Answer {
            status,
            location,
            final_url,
            body: body.to_vec(),
        },
        Err(e) => Attempt::Failed(TransportError::new(e)),
    }
}

/// The `resultcode` of a JSON body, if it has one.
fn result_code_of(body: &[u8]) -> Option<String> {
    #[derive(serde::Deserialize)]
    struct Code {
        resultcode: Option<String>,
    }
    serde_json::from_slice::<Code>(body).ok()?.resultcode
}

/// Reads a response body: resultcode "0" is success; anything else is a failure
/// described by the operation's result-code table.
fn interpret<Resp: DeserializeOwned>(
    op: Operation,
    status: u16,
    body: &[u8],
) -> Result<Resp, ClientError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| ClientError::Unexpected {
            operation: op,
            status,
            detail: format!("body is not JSON: {e}"),
        })?;
    let resultcode = value
        .get("resultcode")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    if status == 200 && resultcode == "0" {
        return serde_json::from_value(value).map_err(|e| ClientError::Unexpected {
            operation: op,
            status,
            detail: e.to_string(),
        });
    }
    let resultdesc = value
        .get("resultdesc")
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_string();
    let code = ResultCode::lookup(status, &resultcode);
    let remedy = op
        .result_code_table()
        .iter()
        .find(|r| r.status == status && r.code == Some(resultcode.as_str()))
        .map(|r| r.remedy)
        .or(code.map(ResultCode::remedy));
    Err(ClientError::Platform {
        operation: op,
        status,
        resultcode,
        resultdesc,
        code,
        remedy,
    })
}
