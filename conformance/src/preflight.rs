//! The check a target or receiver URL gets once, before a run: a URL the suite can send
//! to (http or https, with a host) and something listening there. Without it a bad
//! `--target` (`ftp://x`, a typo'd host, a stopped server) fails every one of the run's
//! cases with the same transport error; with it the run does not start and one line
//! says why.

use std::time::Duration;

use reqwest::Url;

/// Why a URL cannot be checked against.
#[derive(Debug, thiserror::Error)]
pub enum PreflightError {
    /// Not a URL at all.
    #[error("{flag} {url:?} is not a URL: {reason}")]
    NotUrl {
        /// The option it came from (`--target`).
        flag: String,
        /// The URL as given.
        url: String,
        /// The parser's reason.
        reason: String,
    },
    /// A scheme other than http or https.
    #[error("{flag} {url:?}: the scheme must be http or https, not {scheme:?}")]
    Scheme {
        /// The option it came from.
        flag: String,
        /// The URL as given.
        url: String,
        /// Its scheme.
        scheme: String,
    },
    /// No host to connect to.
    #[error("{flag} {url:?} names no host")]
    NoHost {
        /// The option it came from.
        flag: String,
        /// The URL as given.
        url: String,
    },
    /// The host does not resolve.
    #[error("{flag} {url:?}: cannot resolve {host}: {reason}")]
    Resolve {
        /// The option it came from.
        flag: String,
        /// The URL as given.
        url: String,
        /// Host and port.
        host: String,
        /// Why.
        reason: String,
    },
    /// Nothing accepts a TCP connection there.
    #[error("{flag} {url:?}: nothing answers at {host}: {reason}")]
    Unreachable {
        /// The option it came from.
        flag: String,
        /// The URL as given.
        url: String,
        /// Host and port.
        host: String,
        /// Why (the last address's error).
        reason: String,
    },
}

/// The URL's form alone: parses, http or https, has a host. Returns the parsed URL.
pub fn check_form(flag: &str, url: &str) -> Result<Url, PreflightError> {
    let parsed = Url::parse(url).map_err(|e| PreflightError::NotUrl {
        flag: flag.into(),
        url: url.into(),
        reason: e.to_string(),
    })?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(PreflightError::Scheme {
            flag: flag.into(),
            url: url.into(),
            scheme: parsed.scheme().into(),
        });
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(PreflightError::NoHost {
            flag: flag.into(),
            url: url.into(),
        });
    }
    Ok(parsed)
}

/// [`check_form`], then resolves the host and opens (and closes) one TCP connection to
/// it, each bounded by `timeout`. Nothing is sent: the first request of the run is the
/// suite's own.
pub async fn check(flag: &str, url: &str, timeout: Duration) -> Result<(), PreflightError> {
    let parsed = check_form(flag, url)?;
    let host = parsed.host_str().unwrap_or_default();
    // IPv6 literals come bracketed; the resolver wants them bare.
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let port = parsed.port_or_known_default().unwrap_or(80);
    let shown = format!("{host}:{port}");
    let resolve_error = |reason: String| PreflightError::Resolve {
        flag: flag.into(),
        url: url.into(),
        host: shown.clone(),
        reason,
    };
    let addrs: Vec<_> =
        match tokio::time::timeout(timeout, tokio::net::lookup_host((host, port))).await {
            Ok(Ok(a)) => a.collect(),
            Ok(Err(e)) => return Err(resolve_error(e.to_string())),
            Err(_) => return Err(resolve_error(format!("no answer in {timeout:?}"))),
        };
    let mut last = String::from("no address");
    for addr in addrs {
        match tokio::time::timeout(timeout, tokio::net::TcpStream::connect(addr)).await {
            Ok(Ok(_)) => return Ok(()),
            Ok(Err(e)) => last = format!("{addr}: {e}"),
            Err(_) => last = format!("{addr}: no answer in {timeout:?}"),
        }
    }
    Err(PreflightError::Unreachable {
        flag: flag.into(),
        url: url.into(),
        host: shown,
        reason: last,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: Duration = Duration::from_secs(5);

    #[tokio::test]
    async fn bad_forms_are_refused_before_any_connection() {
        for (url, want) in [
            ("ftp://x", "scheme must be http or https, not \"ftp\""),
            ("x", "is not a URL"),
            ("http://", "is not a URL"),
            ("unix:/tmp/s", "scheme must be http or https"),
        ] {
            let e = check("--target", url, T).await.unwrap_err().to_string();
            assert!(e.contains(want) && e.starts_with("--target"), "{url}: {e}");
        }
    }

    #[tokio::test]
    async fn a_listener_passes_and_a_closed_port_does_not() {
        let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = l.local_addr().unwrap().port();
        check("--target", &format!("http://127.0.0.1:{port}/x"), T)
            .await
            .unwrap();
        drop(l);
        let e = check("--target", &format!("http://127.0.0.1:{port}"), T)
            .await
            .unwrap_err();
        assert!(matches!(e, PreflightError::Unreachable { .. }), "{e}");
        assert!(e.to_string().contains(&format!("127.0.0.1:{port}")), "{e}");
    }
}
