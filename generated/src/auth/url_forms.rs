//! Why a push digest did not verify: a wrong URL or a wrong secret.
//!
//! A push's PasswordDigest covers the push URL *as the platform was given it*
//! (`statusUrl`/`feeUrl` of the request, §4.4/§4.5), so a receiver configured with a
//! slightly different spelling of its own URL refuses every genuine push, exactly as it
//! would with a wrong app secret. When a digest fails, [`PushVerifier`] tries a bounded
//! set of other spellings of the configured URL with the same secret, nonce and
//! Created; if one verifies, the error names that spelling (the URL is configuration,
//! not a secret); if none does, the error says the secret (or a URL not among the forms
//! tried) is wrong. The secret and the digests are never printed.
//!
//! The forms tried ([`url_forms`]), each a single edit of the configured URL, then each
//! with the trailing slash toggled as well:
//! - the path with and without a trailing slash;
//! - `http` for `https` and the reverse (the platform pushes to what it was given);
//! - the scheme's default port written out (`:443`, `:80`) or left out;
//! - the host in lower case (DNS names are case-insensitive, digests are not);
//! - without the query string, and without the path (the origin alone);
//! - the other digest variants ([`PushVariant::ALL`]) of the configured URL.
//!
//! Not tried: other hosts or paths (they cannot be guessed from the URL), percent-
//! encoding variants. Cost: at most [`MAX_FORMS`] extra HMACs, and only for a push
//! that already failed.
//!
//! [`PushVerifier`]: super::PushVerifier

use std::fmt;

use super::digest::{PushVariant, Signer};

/// Most alternative spellings tried after a failed digest.
pub const MAX_FORMS: usize = 24;

/// What the verifier found out about a push digest that did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum DigestMismatch {
    /// The digest verifies for another spelling of the receiver URL: the platform
    /// was given `url`, the verifier was configured with another. Fix the configured URL
    /// (or the `statusUrl`/`feeUrl` sent to the platform); the secret is right.
    OtherUrl {
        /// The spelling the digest verifies for.
        url: String,
        /// How it differs from the configured URL.
        difference: &'static str,
        /// The digest variant it verifies with.
        variant: PushVariant,
    },
    /// The digest verifies for the configured URL with a digest variant the verifier
    /// does not accept ([`super::PushVerifier::with_variants`]).
    OtherVariant(PushVariant),
    /// No form tried verifies: the app secret is wrong (or the platform was given a
    /// URL that is not one of the forms tried).
    NotAtAll {
        /// How many forms were tried, the configured URL included.
        forms_tried: usize,
    },
}

impl fmt::Display for DigestMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DigestMismatch::OtherUrl {
                url,
                difference,
                variant,
            } => write!(
                f,
                "the digest verifies for {url:?} ({difference}, {variant:?}), not for the configured URL: the secret is right, the URL differs"
            ),
            DigestMismatch::OtherVariant(v) => write!(
                f,
                "the digest verifies for the configured URL with variant {v:?}, which this verifier does not accept"
            ),
            DigestMismatch::NotAtAll { forms_tried } => write!(
                f,
                "the digest verifies for none of {forms_tried} forms of the URL: the app secret is wrong, or the platform was given another URL"
            ),
        }
    }
}

impl std::error::Error for DigestMismatch {}

/// Splits `scheme://authority/path?query` (no fragment: the platform never sends one).
struct Parts<'a> {
    scheme: &'a str,
    host: &'a str,
    port: Option<&'a str>,
    path: &'a str,
    query: Option<&'a str>,
}

impl<'a> Parts<'a> {
    fn parse(url: &'a str) -> Option<Parts<'a>> {
        let (scheme, rest) = url.split_once("://")?;
        let (before_query, query) = match rest.split_once('?') {
            Some((b, q)) => (b, Some(q)),
            None => (rest, None),
        };
        let (authority, path) = match before_query.find('/') {
            Some(i) => before_query.split_at(i),
            None => (before_query, ""),
        };
        // `[v6]:port` keeps its brackets in the host.
        let (host, port) = match authority.rfind(':') {
            Some(i) if !authority[i..].contains(']') => {
                (&authority[..i], Some(&authority[i + 1..]))
            }
            _ => (authority, None),
        };
        Some(Parts {
            scheme,
            host,
            port,
            path,
            query,
        })
    }
}

/// The URL with these parts.
fn build(scheme: &str, host: &str, port: Option<&str>, path: &str, query: Option<&str>) -> String {
    let mut s = format!("{scheme}://{host}");
    if let Some(p) = port {
        s.push(':');
        s.push_str(p);
    }
    s.push_str(path);
    if let Some(q) = query {
        s.push('?');
        s.push_str(q);
    }
    s
}

fn default_port(scheme: &str) -> Option<&'static str> {
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Some("443"),
        "http" => Some("80"),
        _ => None,
    }
}

fn toggle_slash(path: &str) -> String {
    match path.strip_suffix('/') {
        Some(p) => p.to_string(),
        None => format!("{path}/"),
    }
}

/// Other spellings of `url`, each with what differs, the configured URL excluded,
/// without duplicates, at most [`MAX_FORMS`].
pub fn url_forms(url: &str) -> Vec<(String, &'static str)> {
    let mut out: Vec<(String, &'static str)> = Vec::new();
    let mut add = |u: String, what: &'static str| {
        if u != url && !out.iter().any(|(x, _)| *x == u) && out.len() < MAX_FORMS {
            out.push((u, what));
        }
    };
    let Some(p) = Parts::parse(url) else {
        // Not `scheme://…`: only the trailing slash can be toggled.
        add(toggle_slash(url), "trailing slash");
        return out;
    };
    let slash = toggle_slash(p.path);
    add(
        build(p.scheme, p.host, p.port, &slash, p.query),
        "trailing slash",
    );
    let other_scheme = match p.scheme.to_ascii_lowercase().as_str() {
        "https" => Some("http"),
        "http" => Some("https"),
        _ => None,
    };
    let explicit_default = p.port.is_some() && p.port == default_port(p.scheme);
    let port_forms: Vec<(Option<&str>, &'static str)> = match (p.port, default_port(p.scheme)) {
        (None, Some(d)) => vec![(Some(d), "default port written out")],
        (Some(_), Some(_)) if explicit_default => vec![(None, "default port left out")],
        _ => Vec::new(),
    };
    if let Some(s) = other_scheme {
        // The other scheme keeps an explicit non-default port; a default one follows it.
        let port = if explicit_default {
            default_port(s)
        } else {
            p.port
        };
        add(build(s, p.host, port, p.path, p.query), "other scheme");
        add(
            build(s, p.host, port, &slash, p.query),
            "other scheme, trailing slash",
        );
        if explicit_default {
            add(
                build(s, p.host, None, p.path, p.query),
                "other scheme, default port left out",
            );
        }
    }
    for (port, what) in &port_forms {
        add(build(p.scheme, p.host, *port, p.path, p.query), what);
        add(
            build(p.scheme, p.host, *port, &slash, p.query),
            "port and trailing slash",
        );
    }
    let lower = p.host.to_ascii_lowercase();
    if lower != p.host {
        add(
            build(p.scheme, &lower, p.port, p.path, p.query),
            "host in lower case",
        );
        add(
            build(p.scheme, &lower, p.port, &slash, p.query),
            "host in lower case, trailing slash",
        );
    }
    if p.query.is_some() {
        add(
            build(p.scheme, p.host, p.port, p.path, None),
            "without the query",
        );
        add(
            build(p.scheme, p.host, p.port, &slash, None),
            "without the query, trailing slash",
        );
    }
    if !p.path.is_empty() && p.path != "/" {
        add(
            build(p.scheme, p.host, p.port, "", None),
            "origin only (no path)",
        );
        add(
            build(p.scheme, p.host, p.port, "/", None),
            "origin only (path /)",
        );
    }
    out
}

/// Why `digest` does not verify for `url` with any of `accepted`.
pub(crate) fn diagnose(
    signer: &Signer,
    url: &str,
    accepted: &[PushVariant],
    nonce: &str,
    created: &str,
    digest: &str,
) -> DigestMismatch {
    if let Some(v) = PushVariant::ALL
        .iter()
        .copied()
        .filter(|v| !accepted.contains(v))
        .find(|v| signer.verify_push(url, nonce, created, digest, *v))
    {
        return DigestMismatch::OtherVariant(v);
    }
    let forms = url_forms(url);
    for (form, difference) in &forms {
        for v in accepted {
            if signer.verify_push(form, nonce, created, digest, *v) {
                return DigestMismatch::OtherUrl {
                    url: form.clone(),
                    difference,
                    variant: *v,
                };
            }
        }
    }
    DigestMismatch::NotAtAll {
        forms_tried: forms.len() + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An IPv6 host keeps its brackets; only a colon after `]` starts the port.
    #[test]
    fn ipv6_hosts_keep_their_colons() {
        let p = Parts::parse("https://[::1]/p").unwrap();
        assert_eq!((p.host, p.port, p.path), ("[::1]", None, "/p"));
        let p = Parts::parse("https://[2001:db8::1]:8443/p?x=1").unwrap();
        assert_eq!(
            (p.host, p.port, p.path, p.query),
            ("[2001:db8::1]", Some("8443"), "/p", Some("x=1"))
        );
    }

    /// Each mismatch says what it found, so the message tells the operator what to fix.
    #[test]
    fn mismatches_say_what_differs() {
        let other = DigestMismatch::OtherUrl {
            url: "https://h/p/".into(),
            difference: "trailing slash added",
            variant: PushVariant::CURRENT,
        }
        .to_string();
        assert!(other.contains("\"https://h/p/\""), "{other}");
        assert!(other.contains("trailing slash added"), "{other}");
        assert!(other.contains("the URL differs"), "{other}");
        let variant = DigestMismatch::OtherVariant(PushVariant::CURRENT).to_string();
        assert!(variant.contains("does not accept"), "{variant}");
        let none = DigestMismatch::NotAtAll { forms_tried: 7 }.to_string();
        assert!(none.contains("none of 7 forms"), "{none}");
        assert!(none.contains("app secret is wrong"), "{none}");
    }

    #[test]
    fn forms_are_single_edits_without_duplicates() {
        let forms = url_forms("https://Example.com/push/status");
        let urls: Vec<&str> = forms.iter().map(|(u, _)| u.as_str()).collect();
        for want in [
            "https://Example.com/push/status/",
            "http://Example.com/push/status",
            "https://Example.com:443/push/status",
            "https://example.com/push/status",
            "https://Example.com",
            "https://Example.com/",
        ] {
            assert!(urls.contains(&want), "{want} missing from {urls:?}");
        }
        assert!(!urls.contains(&"https://Example.com/push/status"));
        let mut dedup = urls.clone();
        dedup.sort();
        dedup.dedup();
        assert_eq!(dedup.len(), urls.len());
        assert!(urls.len() <= MAX_FORMS);
    }

    #[test]
    fn explicit_default_port_is_also_tried_without() {
        let forms = url_forms("https://h:443/p?x=1");
        let urls: Vec<&str> = forms.iter().map(|(u, _)| u.as_str()).collect();
        for want in [
            "https://h/p?x=1",
            "http://h:80/p?x=1",
            "https://h:443/p",
            "https://h:443/p/?x=1",
        ] {
            assert!(urls.contains(&want), "{want} missing from {urls:?}");
        }
    }

    #[test]
    fn a_non_default_port_is_kept() {
        let urls: Vec<String> = url_forms("http://127.0.0.1:8080/cb")
            .into_iter()
            .map(|(u, _)| u)
            .collect();
        assert!(
            urls.contains(&"https://127.0.0.1:8080/cb".to_string()),
            "{urls:?}"
        );
        assert!(urls.iter().all(|u| u.contains(":8080")), "{urls:?}");
    }

    #[test]
    fn not_a_url_still_gets_the_slash() {
        assert_eq!(url_forms("status")[0].0, "status/");
    }
}
