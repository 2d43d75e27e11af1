//! What a call can fail with, and the accessors integrators branch on.
//!
//! `reqwest` stays out of this API: a connection failure is a [`TransportError`], whose
//! `Display` carries the whole chain of causes (`error sending request: connection
//! refused`), and whose [`source`](std::error::Error::source) is the `reqwest::Error`
//! for those who want to downcast.

use std::fmt;

use crate::codes::ResultCode;
use crate::operations::Operation;
use crate::Violation;

/// Why a call failed. `#[non_exhaustive]`: match with a `_` arm, or use the accessors
/// ([`ClientError::result_code`], [`ClientError::http_status`], [`ClientError::remedy`],
/// [`ClientError::is_retryable`]).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// The request breaks the reference's rules; it was not sent.
    #[error("the request was not sent: {}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<Violation>),
    /// The platform answered with a failure result code.
    #[error("{operation:?} failed: HTTP {status}, resultcode {resultcode} ({resultdesc}){}", platform_remedy(*code, *remedy))]
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
        /// What the operation's table says to do (处理方法, Chinese as printed).
        remedy: Option<&'static str>,
    },
    /// The response is not what the reference describes.
    #[error("{operation:?}: unexpected response (HTTP {status}): {detail}")]
    Unexpected {
        /// The operation called.
        operation: Operation,
        /// HTTP status (0 when no response was read).
        status: u16,
        /// What was wrong.
        detail: String,
    },
    /// Connection, TLS or timeout; the message carries the cause.
    #[error("{operation:?}: {source}")]
    Transport {
        /// The operation called.
        operation: Operation,
        /// The underlying error.
        #[source]
        source: TransportError,
    },
    /// The client could not be built (a base URL that is not http(s), a TLS backend
    /// that failed to start).
    #[error("the client cannot be built: {detail}")]
    Build {
        /// What was wrong.
        detail: String,
        /// The underlying error, if any.
        #[source]
        source: Option<TransportError>,
    },
}

fn platform_remedy(code: Option<ResultCode>, chinese: Option<&'static str>) -> String {
    match remedy_of(code, chinese) {
        Some(r) => format!(" — {r}"),
        None => String::new(),
    }
}

fn remedy_of(code: Option<ResultCode>, chinese: Option<&'static str>) -> Option<Remedy> {
    let code = code?;
    Some(Remedy {
        english: code.remedy_english(),
        chinese: chinese.unwrap_or(code.remedy()),
    })
}

impl ClientError {
    /// The result code the platform answered, as the reference lists it for the HTTP
    /// status (`None` for a code the tables do not list, and for failures without an
    /// answer).
    ///
    /// ```
    /// # use voicecall::client::ClientError;
    /// # use voicecall::codes::ResultCode;
    /// # fn handle(e: &ClientError) {
    /// if e.result_code() == Some(ResultCode::RecordNotFound) {
    ///     // the fileName is wrong or the recording expired
    /// }
    /// # }
    /// ```
    pub fn result_code(&self) -> Option<ResultCode> {
        match self {
            ClientError::Platform { code, .. } => *code,
            _ => None,
        }
    }

    /// The HTTP status of the platform's answer (`None` when there was none).
    pub fn http_status(&self) -> Option<u16> {
        match self {
            ClientError::Platform { status, .. } => Some(*status),
            ClientError::Unexpected { status, .. } if *status != 0 => Some(*status),
            _ => None,
        }
    }

    /// What the reference says to do about the result code, in English and Chinese
    /// (`None` when the platform answered no listed code).
    ///
    /// ```
    /// # use voicecall::client::ClientError;
    /// fn report(e: &ClientError) -> String {
    ///     match e.remedy() {
    ///         Some(r) => format!("{e}\nwhat to do: {}\n处理方法: {}", r.english, r.chinese),
    ///         None => e.to_string(),
    ///     }
    /// }
    /// ```
    pub fn remedy(&self) -> Option<Remedy> {
        match self {
            ClientError::Platform { code, remedy, .. } => remedy_of(*code, *remedy),
            _ => None,
        }
    }

    /// Whether the same request may succeed later: a connection failure or timeout, or
    /// a result code whose remedy is to try again (flow control, quotas, busy ports,
    /// [`ResultCode::is_retryable`]).
    ///
    /// It does not say that resending is *safe*: a timed-out request that places a
    /// call may have rung the phone already ([`Operation::places_call`]); the client
    /// never resends those itself.
    pub fn is_retryable(&self) -> bool {
        match self {
            ClientError::Platform { code, .. } => code.is_some_and(ResultCode::is_retryable),
            ClientError::Transport { source, .. } => source.is_timeout() || source.is_connect(),
            _ => false,
        }
    }

    /// The operation that failed (`None` for [`ClientError::Invalid`] and
    /// [`ClientError::Build`]).
    pub fn operation(&self) -> Option<Operation> {
        match self {
            ClientError::Platform { operation, .. }
            | ClientError::Unexpected { operation, .. }
            | ClientError::Transport { operation, .. } => Some(*operation),
            _ => None,
        }
    }
}

/// What to do about a result code: the operation table's 处理方法 and its English
/// translation (the reference prints the remedy in Chinese only; the Chinese text is
/// authoritative, erratum `result-code-english-remedy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Remedy {
    /// In English (the spec's translation).
    pub english: &'static str,
    /// 处理方法, as the operation's table prints it.
    pub chinese: &'static str,
}

impl fmt::Display for Remedy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.english, self.chinese)
    }
}

/// A connection, TLS, timeout or body-reading failure. Displays the whole chain of
/// causes; its source is the `reqwest::Error`.
#[derive(Debug)]
pub struct TransportError(reqwest::Error);

impl TransportError {
    pub(crate) fn new(e: reqwest::Error) -> Self {
        TransportError(e)
    }

    /// The request or a read timed out.
    pub fn is_timeout(&self) -> bool {
        self.0.is_timeout()
    }

    /// The connection could not be made (refused, DNS, TLS handshake).
    pub fn is_connect(&self) -> bool {
        self.0.is_connect()
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // reqwest's own message omits its causes ("error sending request for url
        // (…)"); the cause is what tells a refused connection from a bad certificate.
        write!(f, "{}", self.0)?;
        let mut cause = std::error::Error::source(&self.0);
        let mut depth = 0;
        while let Some(c) = cause {
            write!(f, ": {c}")?;
            depth += 1;
            if depth == 8 {
                break;
            }
            cause = c.source();
        }
        Ok(())
    }
}

impl std::error::Error for TransportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}
