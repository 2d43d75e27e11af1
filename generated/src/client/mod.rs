//! A typed async client of the five operations (reqwest with rustls, on tokio).
//!
//! - Requests are the generated types; by default they are validated before sending and
//!   a request with an error is not sent ([`ClientBuilder::validate_before_send`]).
//! - Every request is signed afresh (new Nonce, current Created, UTC).
//! - Failures carry the result code as [`ResultCode`], with the table's remedy text.
//! - statusUrl / feeUrl: the request setters take the URL itself and Base64-encode it for
//!   the wire.
//! - The recording download does not follow redirects: it returns the `Location` of the
//!   301 (valid for 7 days).
//!
//! **Retries.** Only [`Client::get_recording_download_url`] is retried (up to twice, on
//! connection errors and timeouts, with a short pause): it is a read. Nothing else is ever
//! retried automatically: a retried click2Call or notification rings someone twice, and a
//! retried callStop after a lost reply only turns success into 1020152.

use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::auth::{sign_request_with, Credentials, Signer};
use crate::callback::get_recording_download_url::{
    GetRecordingDownloadUrlQuery, GetRecordingDownloadUrlResponse,
};
use crate::codes::ResultCode;
use crate::operations::Operation;
use crate::{Severity, Validate, Violation};

/// Why a call failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The request breaks the reference's rules; it was not sent.
    #[error("the request was not sent: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Violation>),
    /// The platform answered with a failure result code.
    #[error("{operation:?} failed: HTTP {status}, resultcode {resultcode} ({resultdesc}){}", remedy.map(|r| format!(" — {r}")).unwrap_or_default())]
    Platform {
        /// The operation called.
        operation: Operation,
        /// HTTP status.
        status: u16,
        /// The code as sent.
        resultcode: String,
        /// The description as sent.
        resultdesc: String,
        /// The code as the reference lists it for this status, if it does.
        code: Option<ResultCode>,
        /// What the reference says to do.
        remedy: Option<&'static str>,
    },
    /// The response is not what the reference describes.
    #[error("{operation:?}: unexpected response (HTTP {status}): {detail}")]
    Unexpected {
        /// The operation called.
        operation: Operation,
        /// HTTP status.
        status: u16,
        /// What was wrong.
        detail: String,
    },
    /// Connection, TLS or timeout.
    #[error("{operation:?}: {source}")]
    Transport {
        /// The operation called.
        operation: Operation,
        /// The underlying error.
        #[source]
        source: reqwest::Error,
    },
}

/// Builds a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    base_url: String,
    credentials: Credentials,
    timeout: Duration,
    connect_timeout: Duration,
    validate: bool,
}

impl ClientBuilder {
    /// Total time allowed for one request (default 30 s).
    pub fn timeout(mut self, t: Duration) -> Self {
        self.timeout = t;
        self
    }

    /// Time allowed to connect (default 10 s).
    pub fn connect_timeout(mut self, t: Duration) -> Self {
        self.connect_timeout = t;
        self
    }

    /// Whether requests are validated before sending (default true).
    pub fn validate_before_send(mut self, on: bool) -> Self {
        self.validate = on;
        self
    }

    /// The client.
    pub fn build(self) -> Result<Client, reqwest::Error> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .build()?;
        let signer = self.credentials.signer();
        Ok(Client {
            http,
            base_url: self.base_url.trim_end_matches('/').to_string(),
            signer,
            credentials: self.credentials,
            validate: self.validate,
        })
    }
}

/// A client of one app (APP接入地址 + APP_Key + APP_Secret).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    credentials: Credentials,
    signer: Signer,
    validate: bool,
}

const CONTENT_TYPE: &str = "application/json;charset=UTF-8";

impl Client {
    /// A builder for the app at `base_url` (e.g. `https://rtccall.cn-north-1.myhuaweicloud.cn:443`).
    pub fn builder(base_url: impl Into<String>, credentials: Credentials) -> ClientBuilder {
        ClientBuilder {
            base_url: base_url.into(),
            credentials,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            validate: true,
        }
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
        builder
            .header("Content-Type", CONTENT_TYPE)
            .header("Authorization", h.authorization)
            .header("X-AKSK", h.x_aksk)
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
        let response = self
            .signed(
                self.http
                    .post(format!("{}{}", self.base_url, op.wire_path())),
            )
            .body(json)
            .send()
            .await
            .map_err(transport(op))?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(transport(op))?;
        interpret(op, status, &bytes)
    }

    /// 4.6 GetRecordingDownloadUrl: the `Location` of the platform's 301 (not followed).
    /// Retried up to twice on connection errors and timeouts.
    pub async fn get_recording_download_url(
        &self,
        query: &GetRecordingDownloadUrlQuery,
    ) -> Result<String, ClientError> {
        let op = Operation::GetRecordingDownloadUrl;
        self.check(query)?;
        let url = format!("{}{}", self.base_url, op.wire_path());
        let mut attempt = 0;
        let response = loop {
            let sent = self.signed(self.http.get(&url)).query(query).send().await;
            match sent {
                Err(e) if attempt < 2 && (e.is_connect() || e.is_timeout()) => {
                    attempt += 1;
                    tokio::time::sleep(Duration::from_millis(200 * attempt)).await;
                }
                Err(source) => return Err(transport(op)(source)),
                Ok(r) => break r,
            }
        };
        let status = response.status().as_u16();
        if status == op.success_status() {
            return response
                .headers()
                .get("Location")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
                .ok_or(ClientError::Unexpected {
                    operation: op,
                    status,
                    detail: "301 without a Location header".into(),
                });
        }
        let bytes = response.bytes().await.map_err(transport(op))?;
        match interpret::<GetRecordingDownloadUrlResponse>(op, status, &bytes) {
            Ok(_) => Err(ClientError::Unexpected {
                operation: op,
                status,
                detail: "success without a 301".into(),
            }),
            Err(e) => Err(e),
        }
    }
}

/// Wraps a connection, TLS or timeout error of `op`.
fn transport(op: Operation) -> impl FnOnce(reqwest::Error) -> ClientError {
    move |source| ClientError::Transport {
        operation: op,
        source,
    }
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
