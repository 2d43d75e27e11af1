//! Where the suite sends requests, and how: a signed HTTP request as data (so a failure
//! can be replayed with `curl`), sent with reqwest.

use std::time::Duration;

use serde_json::Value;
use voicecall::auth::{sign_request, Credentials};
use voicecall::operations::Operation;

/// What the suite runs against.
#[derive(Debug, Clone)]
pub enum Target {
    /// A platform endpoint (the embedded mock, or a live URL) and the app to sign with.
    Platform {
        /// `http(s)://host:port` without a trailing slash.
        base_url: String,
        /// The app.
        credentials: Credentials,
        /// Whether it is the embedded mock (calls may be placed, its clock driven).
        embedded: bool,
        /// Live endpoints: cases that place calls run only with this set.
        allow_calls: bool,
        /// Live endpoints: the only numbers a call may ring.
        allowed_callees: Vec<String>,
    },
    /// A customer's notification receiver (one URL for every push).
    Receiver {
        /// The receiver's URL, exactly as the platform would call it.
        url: String,
        /// The app whose secret signs the pushes.
        credentials: Credentials,
    },
}

/// A request as sent.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    /// HTTP method.
    pub method: &'static str,
    /// Path (platform) or full URL (receiver).
    pub path: String,
    /// Query string without `?`.
    pub query: String,
    /// Headers other than the signature.
    pub headers: Vec<(String, String)>,
    /// JSON body.
    pub body: Option<String>,
    /// How to sign it.
    pub signing: Signing,
}

/// How a request is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// Fresh request signature with the app's credentials.
    Request,
    /// Push signature for the receiver URL.
    Push,
    /// These exact header values (`None`: header left out), for the signing cases.
    Raw {
        /// Authorization.
        authorization: Option<String>,
        /// X-AKSK.
        x_aksk: Option<String>,
    },
}

/// The answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Response {
    /// HTTP status (0 when the request failed).
    pub status: u16,
    /// `resultcode` of a JSON body.
    pub code: Option<String>,
    /// `Location` header.
    pub location: Option<String>,
    /// `X-Mock-Reason` header (the embedded mock explains its refusals).
    pub reason: Option<String>,
    /// Raw body (cut to 2 KiB).
    pub body: String,
    /// Transport error.
    pub error: Option<String>,
}

/// The operation's request for `value`: a JSON POST, or the query of the recording download.
pub fn request_for(op: Operation, value: &Value) -> Request {
    if op == Operation::GetRecordingDownloadUrl {
        let query = value
            .as_object()
            .map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        let v = match v {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        format!("{}={}", encode(k), encode(&v))
                    })
                    .collect::<Vec<_>>()
                    .join("&")
            })
            .unwrap_or_default();
        return Request {
            method: "GET",
            path: op.wire_path().to_string(),
            query,
            headers: Vec::new(),
            body: None,
            signing: Signing::Request,
        };
    }
    Request {
        method: "POST",
        path: op.wire_path().to_string(),
        query: String::new(),
        headers: vec![(
            "Content-Type".into(),
            "application/json;charset=UTF-8".into(),
        )],
        body: Some(value.to_string()),
        signing: Signing::Request,
    }
}

/// Percent-encodes a query component (RFC 3986 unreserved kept).
pub fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Sends requests to a target.
#[derive(Debug, Clone)]
pub struct Sender {
    http: reqwest::Client,
}

impl Default for Sender {
    fn default() -> Self {
        Sender::new()
    }
}

impl Sender {
    /// A sender that never follows redirects (the 301 of the recording download is the answer).
    pub fn new() -> Self {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(20))
            .build()
            .unwrap_or_default();
        Sender { http }
    }

    /// Sends `req` to `base` (a base URL, or the receiver URL for pushes).
    pub async fn send(&self, base: &str, creds: &Credentials, req: &Request) -> Response {
        let mut url = match req.signing {
            Signing::Push => base.to_string(),
            _ => format!("{base}{}", req.path),
        };
        if !req.query.is_empty() {
            url = format!("{url}?{}", req.query);
        }
        let mut r = match req.method {
            "GET" => self.http.get(&url),
            "PUT" => self.http.put(&url),
            "DELETE" => self.http.delete(&url),
            _ => self.http.post(&url),
        };
        for (k, v) in &req.headers {
            r = r.header(k, v);
        }
        let (authorization, x_aksk) = match &req.signing {
            Signing::Request => {
                let h = sign_request(creds, None, None);
                (Some(h.authorization), Some(h.x_aksk))
            }
            Signing::Push => {
                let h = voicecall::auth::sign_push(
                    creds,
                    base,
                    voicecall::auth::PushVariant::CURRENT,
                    None,
                    None,
                );
                (Some(h.authorization), Some(h.x_aksk))
            }
            Signing::Raw {
                authorization,
                x_aksk,
            } => (authorization.clone(), x_aksk.clone()),
        };
        if let Some(a) = authorization {
            r = r.header("Authorization", a);
        }
        if let Some(x) = x_aksk {
            r = r.header("X-AKSK", x);
        }
        if let Some(b) = &req.body {
            r = r.body(b.clone());
        }
        match r.send().await {
            Err(e) => Response {
                error: Some(if e.is_timeout() {
                    "timed out".into()
                } else {
                    e.to_string()
                }),
                ..Response::default()
            },
            Ok(resp) => {
                let status = resp.status().as_u16();
                let header = |n: &str| {
                    resp.headers()
                        .get(n)
                        .and_then(|v| v.to_str().ok())
                        .map(String::from)
                };
                let location = header("location");
                let reason = header("x-mock-reason").map(|r| voicecall_mock::reason::decode(&r));
                let body = resp.text().await.unwrap_or_default();
                let code = serde_json::from_str::<Value>(&body).ok().and_then(|v| {
                    v.get("resultcode")
                        .and_then(Value::as_str)
                        .map(String::from)
                });
                Response {
                    status,
                    code,
                    location,
                    reason,
                    body: body.chars().take(2048).collect(),
                    error: None,
                }
            }
        }
    }
}

/// A `curl` command (bash) that replays `req` against `base`, signing it afresh with
/// `cargo xtask auth sign`, whose `Name: value` lines curl reads as headers
/// (`-H @file`), so neither the secret nor a digest is ever printed.
pub fn curl(base: &str, req: &Request) -> String {
    let mut url = match req.signing {
        Signing::Push => base.to_string(),
        _ => format!("{base}{}", req.path),
    };
    if !req.query.is_empty() {
        url = format!("{url}?{}", req.query);
    }
    let mut cmd = format!("curl -i -X {} '{}'", req.method, url);
    for (k, v) in &req.headers {
        cmd.push_str(&format!(" -H '{k}: {v}'"));
    }
    match &req.signing {
        Signing::Request => cmd.push_str(
            " -H @<(cargo xtask auth sign --app-key \"$VOICECALL_APP_KEY\" --app-secret \"$VOICECALL_APP_SECRET\")",
        ),
        Signing::Push => cmd.push_str(&format!(
            " -H @<(cargo xtask auth sign --app-key \"$VOICECALL_APP_KEY\" --app-secret \"$VOICECALL_APP_SECRET\" --push-url '{base}')"
        )),
        Signing::Raw {
            authorization,
            x_aksk,
        } => {
            if let Some(a) = authorization {
                cmd.push_str(&format!(" -H 'Authorization: {}'", a.replace('\'', "'\\''")));
            }
            if let Some(x) = x_aksk {
                cmd.push_str(&format!(" -H 'X-AKSK: {}'", redact_digest(x).replace('\'', "'\\''")));
            }
        }
    }
    if let Some(b) = &req.body {
        cmd.push_str(&format!(" --data-raw '{}'", b.replace('\'', "'\\''")));
    }
    cmd
}

/// The X-AKSK value with its PasswordDigest replaced by `***` (digests are secrets).
pub fn redact_digest(x_aksk: &str) -> String {
    match x_aksk.find("PasswordDigest=\"") {
        Some(i) => {
            let start = i + "PasswordDigest=\"".len();
            let end = x_aksk[start..]
                .find('"')
                .map_or(x_aksk.len(), |e| start + e);
            format!("{}***{}", &x_aksk[..start], &x_aksk[end..])
        }
        None => x_aksk.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_are_redacted() {
        let x = r#"UsernameToken Username="k",PasswordDigest="abc=",Nonce="n",Created="c""#;
        assert_eq!(
            redact_digest(x),
            r#"UsernameToken Username="k",PasswordDigest="***",Nonce="n",Created="c""#
        );
    }

    #[test]
    fn queries_are_encoded() {
        let r = request_for(
            Operation::GetRecordingDownloadUrl,
            &serde_json::json!({"fileName": "a b/中.wav", "recordDomain": "x.com"}),
        );
        assert_eq!(r.query, "fileName=a%20b%2F%E4%B8%AD.wav&recordDomain=x.com");
    }
}
