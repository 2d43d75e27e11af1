//! Verifying signed requests (as the platform would) and pushes (as a receiver should).

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use time::OffsetDateTime;

use super::created::{created_unix, ClockMode, BEIJING_OFFSET_SECONDS};
use super::digest::{PushVariant, Signer};
use super::header::{parse_canonical, parse_into};
use super::replay::{ReplayCache, Seen};
use super::secret::AppSecret;
use super::url_forms::{diagnose, DigestMismatch};
use crate::codes::ResultCode;
use crate::formats;
use crate::signing::{self, Attribute, Scheme};

/// Why a signature was refused: the result code (with its HTTP status) the reference's
/// tables give for the defect, the attribute at fault, and what was wrong. Never holds
/// the secret or the expected digest. A push digest that does not verify says why in
/// [`AuthError::mismatch`]: a wrong URL (and which spelling verifies) or a wrong secret.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct AuthError {
    /// The result code; `None` for pushes, whose defects the reference gives no code.
    pub code: Option<ResultCode>,
    /// Header attribute at fault (`realm`, `Nonce`…), or the header itself.
    pub attribute: &'static str,
    /// What was wrong.
    pub detail: String,
    /// For a push digest that does not verify: whether it verifies for another form of
    /// the URL or not at all (see [`DigestMismatch`]). `None` for every other defect.
    pub mismatch: Option<DigestMismatch>,
}

impl AuthError {
    fn new(code: Option<ResultCode>, attribute: &'static str, detail: impl Into<String>) -> Self {
        AuthError {
            code,
            attribute,
            detail: detail.into(),
            mismatch: None,
        }
    }

    /// HTTP status of the code (401 when the reference gives none).
    pub fn http_status(&self) -> u16 {
        self.code.map(ResultCode::http_status).unwrap_or(401)
    }
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code {
            Some(c) => write!(
                f,
                "{} {} ({}): {} [{}] — {}",
                c.http_status(),
                c.code(),
                c.english(),
                self.detail,
                self.attribute,
                c.remedy()
            )?,
            None => write!(f, "{} [{}]", self.detail, self.attribute)?,
        }
        if let Some(m) = &self.mismatch {
            write!(f, ": {m}")?;
        }
        Ok(())
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.mismatch
            .as_ref()
            .map(|m| m as &(dyn std::error::Error + 'static))
    }
}

/// What a successful verification established, borrowed from the X-AKSK header (no
/// allocation; `.to_string()` the fields that must outlive the header).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified<'a> {
    /// The app key (Username).
    pub app_key: &'a str,
    /// The Nonce.
    pub nonce: &'a str,
    /// The Created attribute, as sent.
    pub created: &'a str,
    /// True when Created was accepted only as Beijing time (lenient mode).
    pub created_was_beijing_time: bool,
}

/// Settings of a verifier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierConfig {
    /// Largest accepted distance between Created and the verifier's clock. Default 15
    /// minutes, the API gateway's limit in §3.2 (the voice tables give none).
    pub window: Duration,
    /// How Created is read.
    pub clock: ClockMode,
    /// Refuse a nonce seen before within the window.
    pub reject_replays: bool,
    /// Most nonces remembered. Each accepted request's nonce is remembered until
    /// max(Created, now) + window, and none is ever forgotten early, so this is also the
    /// most requests accepted per window: beyond it a request is refused with 403/1010010
    /// (flow control; `None`, so HTTP 401, for pushes) until nonces expire. The default,
    /// 100,000, admits ≈ 111 requests/s sustained over the 15-minute window (bursts up
    /// to 100,000 at once) in at most ≈ 6 MB.
    pub replay_capacity: usize,
}

impl Default for VerifierConfig {
    fn default() -> Self {
        VerifierConfig {
            window: Duration::from_secs(15 * 60),
            clock: ClockMode::Strict,
            reject_replays: true,
            replay_capacity: 100_000,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Checked<'a> {
    username: &'a str,
    digest: &'a str,
    nonce: &'a str,
    created: &'a str,
    /// Created in Unix seconds.
    created_at: i64,
}

/// Most attributes a signing header has (the spec's schemes have 3 and 4).
const MAX_ATTRIBUTES: usize = 8;

/// Reads the attributes a scheme expects from a header into slots in the scheme's
/// order: the canonical form directly, anything else through the tolerant parser.
fn read_attributes<'a>(
    value: &'a str,
    token: &'static str,
    attrs: &'static [Attribute],
) -> (
    &'static [Attribute],
    Option<&'a str>,
    [Option<&'a str>; MAX_ATTRIBUTES],
) {
    let attrs = &attrs[..attrs.len().min(MAX_ATTRIBUTES)];
    let mut names = [""; MAX_ATTRIBUTES];
    for (n, a) in names.iter_mut().zip(attrs) {
        *n = a.name;
    }
    let mut slots = [None; MAX_ATTRIBUTES];
    let found = if parse_canonical(value, token, &names[..attrs.len()], &mut slots) {
        Some(token)
    } else {
        parse_into(value, &names[..attrs.len()], &mut slots)
    };
    (attrs, found, slots)
}

/// Whether a scheme's headers can take the fast path ([`check`]): its X-AKSK has the
/// attributes the one-pass reader expects, in that order, and its `Authorization`
/// literal passes the general checks. Worked out once per verifier.
fn fast_path_applies(scheme: &Scheme) -> bool {
    scheme.token == "UsernameToken"
        && scheme.x_aksk_attributes.iter().map(|a| a.name).eq([
            "Username",
            "PasswordDigest",
            "Nonce",
            "Created",
        ])
        && check_authorization(scheme, Some(scheme.authorization_literal)).is_ok()
}

/// Header checks shared by both schemes. With `fast`, headers in the canonical form
/// (`Authorization` exactly the scheme's literal, X-AKSK as [`read_canonical_x_aksk`]
/// reads it) are read in one pass; anything else, including every defect, goes through
/// the general checks, which name the defect. Both give the same result on the
/// canonical form (property test `fast_path_agrees_with_general_checks`).
fn check<'a>(
    fast: bool,
    scheme: &Scheme,
    authorization: Option<&'a str>,
    x_aksk: Option<&'a str>,
) -> Result<Checked<'a>, AuthError> {
    if fast && authorization == Some(scheme.authorization_literal) {
        if let Some(c) = x_aksk.and_then(read_canonical_x_aksk) {
            return Ok(c);
        }
    }
    check_headers(scheme, authorization, x_aksk)
}

/// The value of a quoted attribute: the bytes up to the closing quote, and what follows it.
fn quoted(b: &[u8], from: usize) -> Option<(usize, usize)> {
    let end = find_quote(b, from)?;
    Some((end, end + 1))
}

/// The index of the first `"` at or after `from`, eight bytes at a time: a word XOR
/// `""""""""` has a zero byte where a quote was, and the lowest flag of the zero-byte
/// test is always exact.
fn find_quote(b: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_ne_bytes([0x01; 8]);
    const HIGHS: u64 = u64::from_ne_bytes([0x80; 8]);
    const QUOTES: u64 = u64::from_ne_bytes([b'"'; 8]);
    let mut i = from;
    while let Some(chunk) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(chunk.try_into().expect("8 bytes")) ^ QUOTES;
        let zero = w.wrapping_sub(ONES) & !w & HIGHS;
        if zero != 0 {
            return Some(i + (zero.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    Some(i + b.get(i..)?.iter().position(|&c| c == b'"')?)
}

/// After a value: `,` then an optional space then `name="`; the index after the quote.
fn next_attribute(b: &[u8], at: usize, name: &[u8]) -> Option<usize> {
    let mut i = at;
    if b.get(i) != Some(&b',') {
        return None;
    }
    i += 1;
    if b.get(i) == Some(&b' ') {
        i += 1;
    }
    let end = i + name.len();
    (b.get(i..end)? == name).then_some(end)
}

/// The canonical X-AKSK in one pass:
/// `UsernameToken Username="…",PasswordDigest="…",Nonce="…",Created="…"` (a space after
/// each comma allowed), as [`crate::auth::sign_request`] writes it, with a non-empty
/// Username and PasswordDigest, a Nonce of the spec's `nonce` format and a Created of
/// its `created` format. `None` for anything else.
fn read_canonical_x_aksk(value: &str) -> Option<Checked<'_>> {
    const START: &[u8] = b"UsernameToken Username=\"";
    let b = value.as_bytes();
    if !b.starts_with(START) {
        return None;
    }
    let user = START.len();
    let (user_end, i) = quoted(b, user)?;
    let digest = next_attribute(b, i, b"PasswordDigest=\"")?;
    let (digest_end, i) = quoted(b, digest)?;
    let nonce = next_attribute(b, i, b"Nonce=\"")?;
    let (nonce_end, i) = quoted(b, nonce)?;
    // No early exit, so the loop vectorises.
    let alphanumeric = b[nonce..nonce_end]
        .iter()
        .fold(true, |ok, c| ok & c.is_ascii_alphanumeric());
    let created = next_attribute(b, i, b"Created=\"")?;
    let created_end = created + 20;
    if b.len() != created_end + 1 || b[created_end] != b'"' {
        return None;
    }
    let nonce_len = nonce_end - nonce;
    if user_end == user || digest_end == digest || !alphanumeric || !(1..=128).contains(&nonce_len)
    {
        return None;
    }
    // Every index above sits next to an ASCII byte, so each slice is on a char boundary.
    let created_text = value.get(created..created_end)?;
    Some(Checked {
        username: value.get(user..user_end)?,
        digest: value.get(digest..digest_end)?,
        nonce: value.get(nonce..nonce_end)?,
        created: created_text,
        created_at: created_unix(created_text)?,
    })
}

/// The general checks of `Authorization`, in the order the spec lists the attributes.
fn check_authorization(scheme: &Scheme, authorization: Option<&str>) -> Result<(), AuthError> {
    let authorization = authorization
        .filter(|a| !a.trim().is_empty())
        .ok_or_else(|| {
            AuthError::new(
                scheme.authorization_missing,
                "Authorization",
                "the Authorization header is absent",
            )
        })?;
    let (attrs, token, slots) = read_attributes(
        authorization,
        scheme.authorization_scheme,
        scheme.authorization_attributes,
    );
    if token != Some(scheme.authorization_scheme) {
        return Err(AuthError::new(
            scheme.authorization_missing,
            "Authorization",
            format!(
                "Authorization must start with {}",
                scheme.authorization_scheme
            ),
        ));
    }
    for (a, slot) in attrs.iter().zip(slots) {
        match (slot, a.value) {
            (None, _) => {
                return Err(AuthError::new(
                    a.missing,
                    a.name,
                    format!("Authorization has no {} attribute", a.name),
                ))
            }
            (Some(v), Some(want)) if v != want => {
                return Err(AuthError::new(
                    a.wrong,
                    a.name,
                    format!(
                        "{} is not {want:?} (a value of {} characters, not shown)",
                        a.name,
                        v.chars().count()
                    ),
                ))
            }
            _ => {}
        }
    }
    Ok(())
}

/// The general checks of both headers, in the order the spec lists the attributes.
fn check_headers<'a>(
    scheme: &Scheme,
    authorization: Option<&'a str>,
    x_aksk: Option<&'a str>,
) -> Result<Checked<'a>, AuthError> {
    check_authorization(scheme, authorization)?;
    let x_aksk = x_aksk.filter(|x| !x.trim().is_empty()).ok_or_else(|| {
        AuthError::new(
            scheme.x_aksk_missing,
            "X-AKSK",
            "the X-AKSK header is absent",
        )
    })?;
    let (attrs, token, slots) = read_attributes(x_aksk, scheme.token, scheme.x_aksk_attributes);
    if token != Some(scheme.token) {
        return Err(AuthError::new(
            scheme.token_missing,
            scheme.token,
            format!("X-AKSK must start with {}", scheme.token),
        ));
    }
    for (a, slot) in attrs.iter().zip(slots) {
        if slot.is_none_or(str::is_empty) {
            return Err(AuthError::new(
                a.missing,
                a.name,
                format!("X-AKSK has no {} attribute", a.name),
            ));
        }
    }
    let find = |name: &str| attrs.iter().position(|a| a.name == name);
    let value = |name: &str| find(name).and_then(|i| slots[i]).unwrap_or_default();
    let malformed = |name: &str| find(name).and_then(|i| attrs[i].malformed);
    let nonce = value("Nonce");
    if !formats::NONCE.matches(nonce) {
        return Err(AuthError::new(
            malformed("Nonce"),
            "Nonce",
            "Nonce must be 1 to 128 letters and digits",
        ));
    }
    let created = value("Created");
    let created_at = created_unix(created).ok_or_else(|| {
        AuthError::new(
            malformed("Created"),
            "Created",
            format!(
                "Created is not yyyy-MM-ddTHH:mm:ssZ (a value of {} characters, not shown)",
                created.chars().count()
            ),
        )
    })?;
    Ok(Checked {
        username: value("Username"),
        digest: value("PasswordDigest"),
        nonce,
        created,
        created_at,
    })
}

impl<'a> Checked<'a> {
    fn verified(&self, created_was_beijing_time: bool) -> Verified<'a> {
        Verified {
            app_key: self.username,
            nonce: self.nonce,
            created: self.created,
            created_was_beijing_time,
        }
    }
}

/// Refuses a nonce of `app` (the verifier's number for the app key) seen before within
/// the window (when the settings ask for it) and remembers this one until
/// max(Created, now) + window, the one expiry rule of both verifiers: a replay passes
/// the time check only while Created is within the window of the clock, i.e. until
/// Created + window (in lenient mode the Beijing reading ends earlier still). When the
/// memory is full of unexpired nonces the request is refused with the scheme's
/// flow-control code rather than a live nonce forgotten.
fn remember_nonce(
    config: &VerifierConfig,
    replay: &Mutex<ReplayCache>,
    scheme: &Scheme,
    app: u32,
    c: &Checked<'_>,
    now: &Now,
) -> Result<(), AuthError> {
    if !config.reject_replays {
        return Ok(());
    }
    let expires = c
        .created_at
        .max(now.seconds)
        .saturating_add(i64::try_from(config.window.as_secs()).unwrap_or(i64::MAX));
    let seen = match replay.lock() {
        Ok(mut r) => r.insert(app, c.nonce, now.seconds, expires),
        Err(poisoned) => poisoned
            .into_inner()
            .insert(app, c.nonce, now.seconds, expires),
    };
    match seen {
        Seen::Fresh => Ok(()),
        Seen::Replayed => Err(AuthError::new(
            scheme.replayed_nonce,
            "Nonce",
            "this Nonce was already used within the window",
        )),
        Seen::Full => Err(AuthError::new(
            scheme.replay_memory_full,
            "Nonce",
            format!(
                "the replay memory holds {} nonces still inside the window; retry when some expire",
                config.replay_capacity.max(1)
            ),
        )),
    }
}

/// The verifier's clock, read once per verification.
struct Now {
    /// Unix nanoseconds.
    nanos: i128,
    /// Unix seconds (rounded down).
    seconds: i64,
}

impl Now {
    fn new(now: OffsetDateTime) -> Self {
        let seconds = now.unix_timestamp();
        Now {
            nanos: i128::from(seconds) * 1_000_000_000 + i128::from(now.nanosecond()),
            seconds,
        }
    }

    /// Nanoseconds from `t` (Unix seconds) to now.
    fn since(&self, t: i64) -> i128 {
        self.nanos - i128::from(t) * 1_000_000_000
    }
}

/// Checks Created (Unix seconds) against `now`, to the nanosecond; returns whether only
/// the Beijing reading fits.
fn check_time(
    scheme: &Scheme,
    created_at: i64,
    now: &Now,
    window: Duration,
    clock: ClockMode,
) -> Result<bool, AuthError> {
    let within = |t: i64| now.since(t).unsigned_abs() <= window.as_nanos();
    if within(created_at) {
        return Ok(false);
    }
    if clock == ClockMode::Lenient && within(created_at - BEIJING_OFFSET_SECONDS) {
        return Ok(true);
    }
    Err(AuthError::new(
        scheme.stale_created,
        "Created",
        format!(
            "Created is {} s from the verifier's clock; the window is {} s",
            now.since(created_at) / 1_000_000_000,
            window.as_secs()
        ),
    ))
}

/// An app the verifier knows: its signer and its number in the replay memory.
#[derive(Debug)]
struct App {
    signer: Signer,
    id: u32,
}

/// App keys are inserted by the operator only; a request merely looks one up, so the
/// map needs speed, not a DoS-resistant hasher: foldhash (hashbrown's default), whose
/// two independent multiply lanes hash an app key in a few cycles. (SipHash cost a
/// third of a verification; the hand-written FxHash-style hasher before this, four
/// dependent multiplies and a `memcmp`, 20 ns of ≈ 230: issue 16.)
type AppMap = HashMap<Box<str>, App, foldhash::fast::FixedState>;

/// Verifies signed requests for a set of apps, as the platform does.
#[derive(Debug)]
pub struct Verifier {
    config: VerifierConfig,
    apps: AppMap,
    replay: Mutex<ReplayCache>,
    fast: bool,
}

impl Verifier {
    /// A verifier with no apps yet.
    pub fn new(config: VerifierConfig) -> Self {
        let replay = Mutex::new(ReplayCache::new(config.replay_capacity));
        Verifier {
            config,
            apps: AppMap::default(),
            replay,
            fast: fast_path_applies(&signing::REQUEST),
        }
    }

    /// Adds an app.
    pub fn with_app(mut self, app_key: impl Into<String>, secret: &AppSecret) -> Self {
        let next = u32::try_from(self.apps.len()).expect("fewer than 2³² apps");
        let signer = Signer::new(secret);
        self.apps
            .entry(app_key.into().into_boxed_str())
            .and_modify(|app| app.signer = signer.clone())
            .or_insert(App { signer, id: next });
        self
    }

    /// The settings.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Verifies the two headers of a request at time `now`.
    pub fn verify<'a>(
        &self,
        authorization: Option<&'a str>,
        x_aksk: Option<&'a str>,
        now: OffsetDateTime,
    ) -> Result<Verified<'a>, AuthError> {
        let scheme = &signing::REQUEST;
        let c = check(self.fast, scheme, authorization, x_aksk)?;
        let app = self.apps.get(c.username).ok_or_else(|| {
            AuthError::new(
                scheme.unknown_app_key,
                "Username",
                "Username names no known app",
            )
        })?;
        let now = Now::new(now);
        let beijing = check_time(
            scheme,
            c.created_at,
            &now,
            self.config.window,
            self.config.clock,
        )?;
        if !app.signer.verify_request(c.nonce, c.created, c.digest) {
            return Err(AuthError::new(
                scheme.invalid_digest,
                "PasswordDigest",
                "PasswordDigest does not match Base64(HMAC-SHA256(APP_Secret, Nonce + Created))",
            ));
        }
        remember_nonce(&self.config, &self.replay, scheme, app.id, &c, &now)?;
        Ok(c.verified(beijing))
    }
}

/// Verifies pushes sent to one receiver URL.
///
/// The platform signs each push with the app secret over the receiver's URL, so one
/// verifier serves one URL (the `statusUrl` or `feeUrl` given in the request, as given):
///
/// ```
/// use voicecall::auth::{sign_push, AppSecret, Credentials, PushVariant, PushVerifier, VerifierConfig};
///
/// let url = "https://example.com/voice/status";
/// let verifier = PushVerifier::new(&AppSecret::new("appSecret"), url, VerifierConfig::default());
/// let now = time::OffsetDateTime::now_utc();
///
/// // What the platform sends with a push to `url` (here signed by the test helper).
/// let creds = Credentials::new("appKey", "appSecret");
/// let h = sign_push(&creds, url, PushVariant::CURRENT, None, None);
/// assert!(verifier.verify(Some(&h.authorization), Some(&h.x_aksk), now).is_ok());
///
/// // Signed for another URL, or not signed at all: refused.
/// let other = sign_push(&creds, "https://example.com/other", PushVariant::CURRENT, None, None);
/// assert!(verifier.verify(Some(&other.authorization), Some(&other.x_aksk), now).is_err());
/// assert!(verifier.verify(None, None, now).is_err());
/// ```
#[derive(Debug)]
pub struct PushVerifier {
    signer: Signer,
    url: String,
    variants: Vec<PushVariant>,
    config: VerifierConfig,
    replay: Mutex<ReplayCache>,
    fast: bool,
}

impl PushVerifier {
    /// A verifier for pushes to `url` signed with `secret`, accepting the current reading only.
    pub fn new(secret: &AppSecret, url: impl Into<String>, config: VerifierConfig) -> Self {
        let replay = Mutex::new(ReplayCache::new(config.replay_capacity));
        PushVerifier {
            signer: Signer::new(secret),
            url: url.into(),
            variants: vec![PushVariant::CURRENT],
            config,
            replay,
            fast: fast_path_applies(&signing::PUSH),
        }
    }

    /// Accepts these digest variants (tried in order).
    pub fn with_variants(mut self, variants: &[PushVariant]) -> Self {
        self.variants = variants.to_vec();
        self
    }

    /// Verifies a push; returns the variant whose digest matched.
    pub fn verify<'a>(
        &self,
        authorization: Option<&'a str>,
        x_aksk: Option<&'a str>,
        now: OffsetDateTime,
    ) -> Result<(Verified<'a>, PushVariant), AuthError> {
        let scheme = &signing::PUSH;
        let c = check(self.fast, scheme, authorization, x_aksk)?;
        let now = Now::new(now);
        let beijing = check_time(
            scheme,
            c.created_at,
            &now,
            self.config.window,
            self.config.clock,
        )?;
        let variant = self
            .variants
            .iter()
            .copied()
            .find(|v| {
                self.signer
                    .verify_push(&self.url, c.nonce, c.created, c.digest, *v)
            })
            .ok_or_else(|| {
                let mut e = AuthError::new(
                    None,
                    "PasswordDigest",
                    format!(
                        "PasswordDigest matches none of the accepted variants {:?}",
                        self.variants
                    ),
                );
                e.mismatch = Some(diagnose(
                    &self.signer,
                    &self.url,
                    &self.variants,
                    c.nonce,
                    c.created,
                    c.digest,
                ));
                e
            })?;
        remember_nonce(&self.config, &self.replay, scheme, 0, &c, &now)?;
        let verified = c.verified(beijing);
        Ok((verified, variant))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_schemes_take_the_fast_path() {
        assert!(fast_path_applies(&signing::REQUEST));
        assert!(fast_path_applies(&signing::PUSH));
    }

    #[test]
    fn the_settings_are_the_ones_given() {
        let v = Verifier::new(VerifierConfig {
            window: Duration::from_secs(7),
            replay_capacity: 3,
            ..VerifierConfig::default()
        });
        assert_eq!(v.config().window, Duration::from_secs(7));
        assert_eq!(v.config().replay_capacity, 3);
    }

    /// The fast path reads one layout only; a spec whose scheme has another token,
    /// attribute order or Authorization literal must fall back to the general checks.
    #[test]
    fn a_scheme_of_another_shape_takes_the_general_path() {
        let r = signing::REQUEST;
        assert!(!fast_path_applies(&signing::Scheme {
            token: "OtherToken",
            ..r
        }));
        let reversed: Vec<signing::Attribute> = r.x_aksk_attributes.iter().rev().copied().collect();
        assert!(!fast_path_applies(&signing::Scheme {
            x_aksk_attributes: Box::leak(reversed.into_boxed_slice()),
            ..r
        }));
        assert!(!fast_path_applies(&signing::Scheme {
            authorization_literal: r#"AKSK realm="elsewhere",profile="UsernameToken",type="Appkey""#,
            ..r
        }));
    }

    #[test]
    fn the_canonical_form_is_read_in_one_pass() {
        let x = r#"UsernameToken Username="app",PasswordDigest="d=", Nonce="abc123",Created="2018-02-12T15:30:20Z""#;
        let c = read_canonical_x_aksk(x).expect("canonical");
        assert_eq!(
            (c.username, c.digest, c.nonce, c.created),
            ("app", "d=", "abc123", "2018-02-12T15:30:20Z")
        );
        for other in [
            r#"UsernameToken Username="",PasswordDigest="d",Nonce="n",Created="2018-02-12T15:30:20Z""#,
            r#"UsernameToken Username="a",PasswordDigest="",Nonce="n",Created="2018-02-12T15:30:20Z""#,
            r#"UsernameToken Username="a",PasswordDigest="d",Nonce="",Created="2018-02-12T15:30:20Z""#,
            r#"UsernameToken Username="a",PasswordDigest="d",Nonce="n-1",Created="2018-02-12T15:30:20Z""#,
            r#"UsernameToken Username="a",PasswordDigest="d",Nonce="n",Created="2018-02-30T15:30:20Z""#,
            r#"UsernameToken Username="a",PasswordDigest="d",Nonce="n",Created="2018-02-12T15:30:20Z" "#,
            r#"UsernameToken Username="a",PasswordDigest="d",Nonce="n",Created="2018-02-12 15:30:20Z""#,
            r#"UsernameToken Username="a",PasswordDigest="d",Nonce="n",Created="2018-02-12T15:30:20Z"#,
            r#"UsernameToken Username="a",PasswordDigest="d",Nonce="n",  Created="2018-02-12T15:30:20Z""#,
            r#"UsernameToken Username="a", Nonce="n",PasswordDigest="d",Created="2018-02-12T15:30:20Z""#,
            r#"usernameToken Username="a",PasswordDigest="d",Nonce="n",Created="2018-02-12T15:30:20Z""#,
        ] {
            assert_eq!(read_canonical_x_aksk(other), None, "{other}");
        }
        let long = format!(
            r#"UsernameToken Username="a",PasswordDigest="d",Nonce="{}",Created="2018-02-12T15:30:20Z""#,
            "n".repeat(129)
        );
        assert_eq!(read_canonical_x_aksk(&long), None);
    }

    #[test]
    fn a_push_replayed_under_another_username_is_refused() {
        // Username is not part of a push digest, so the replay memory of a push verifier
        // (one secret) is keyed by the nonce alone.
        let creds = crate::auth::Credentials::new("app", "secret");
        let url = "https://example.com/status";
        let created = "2018-02-12T15:30:20Z";
        let h =
            crate::auth::sign_push(&creds, url, PushVariant::CURRENT, Some("n1"), Some(created));
        let v = PushVerifier::new(&creds.app_secret, url, VerifierConfig::default());
        let now = crate::auth::parse_created(created).unwrap();
        assert!(v
            .verify(Some(&h.authorization), Some(&h.x_aksk), now)
            .is_ok());
        let renamed = h.x_aksk.replace("Username=\"app\"", "Username=\"other\"");
        assert_ne!(renamed, h.x_aksk);
        let err = v
            .verify(Some(&h.authorization), Some(&renamed), now)
            .unwrap_err();
        assert!(err.detail.contains("already used"), "{err}");
    }

    #[test]
    fn now_is_read_to_the_nanosecond() {
        for ns in [
            0i128,
            1,
            999_999_999,
            1_518_449_420_123_456_789,
            -1,
            -1_000_000_001,
        ] {
            let t = OffsetDateTime::from_unix_timestamp_nanos(ns).unwrap();
            let now = Now::new(t);
            assert_eq!((now.nanos, now.seconds), (ns, t.unix_timestamp()));
        }
    }

    #[test]
    fn time_window_is_exact_to_the_nanosecond() {
        let created = 1_518_449_420;
        let at = |ns: i128| Now::new(OffsetDateTime::from_unix_timestamp_nanos(ns).unwrap());
        let base = i128::from(created + 900) * 1_000_000_000;
        let w = Duration::from_secs(900);
        let s = &signing::REQUEST;
        assert_eq!(
            check_time(s, created, &at(base), w, ClockMode::Strict),
            Ok(false)
        );
        assert!(check_time(s, created, &at(base + 1), w, ClockMode::Strict).is_err());
        let before = i128::from(created - 900) * 1_000_000_000;
        assert_eq!(
            check_time(s, created, &at(before), w, ClockMode::Strict),
            Ok(false)
        );
        assert!(check_time(s, created, &at(before - 1), w, ClockMode::Strict).is_err());
        let err =
            check_time(s, created, &at(base + 500_000_000), w, ClockMode::Strict).unwrap_err();
        assert!(err.detail.starts_with("Created is 900 s"), "{}", err.detail);
    }

    proptest::proptest! {
        /// Whenever the one-pass reader accepts a header, the general checks accept it too
        /// and read the same values.
        #[test]
        fn fast_path_agrees_with_general_checks(
            user in "[A-Za-z0-9\", =-]{0,6}",
            digest in "[A-Za-z0-9+/=\", ]{0,6}",
            nonce in "[A-Za-z0-9\", -]{0,6}",
            created in "20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]Z|[0-9TZ:\" -]{19,21}",
            spaces in proptest::collection::vec(proptest::bool::ANY, 3),
            tail in "|\"|,|, x=\"1\"",
        ) {
            let sep = |i: usize| if spaces[i] { ", " } else { "," };
            let x = format!(
                "UsernameToken Username=\"{user}\"{}PasswordDigest=\"{digest}\"{}Nonce=\"{nonce}\"{}Created=\"{created}\"{tail}",
                sep(0), sep(1), sep(2)
            );
            for scheme in [&signing::REQUEST, &signing::PUSH] {
                let general = check_headers(scheme, Some(scheme.authorization_literal), Some(&x));
                if let Some(fast) = read_canonical_x_aksk(&x) {
                    proptest::prop_assert_eq!(general, Ok(fast));
                }
                let fast = check(true, scheme, Some(scheme.authorization_literal), Some(&x));
                let general = check_headers(scheme, Some(scheme.authorization_literal), Some(&x));
                proptest::prop_assert_eq!(fast, general);
            }
        }

        /// The word-at-a-time search finds the first quote, like a byte-by-byte one.
        #[test]
        fn find_quote_is_the_first_quote(b in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40), quotes in proptest::collection::vec(0usize..40, 0..3), from in 0usize..42) {
            let mut b = b;
            for q in quotes {
                if q < b.len() {
                    b[q] = b'"';
                }
            }
            let want = b.get(from..).and_then(|r| r.iter().position(|&c| c == b'"')).map(|p| from + p);
            proptest::prop_assert_eq!(find_quote(&b, from), want);
        }

        /// The app map's hasher finds every key it holds and no other.
        #[test]
        fn app_map_finds_exactly_its_keys(keys in proptest::collection::hash_set("[ -~]{0,40}", 0..20), probe in "[ -~]{0,40}") {
            let mut map = AppMap::default();
            let secret = AppSecret::new("s");
            for (id, k) in (0..).zip(&keys) {
                map.insert(k.clone().into_boxed_str(), App { signer: Signer::new(&secret), id });
            }
            for k in &keys {
                proptest::prop_assert!(map.contains_key(k.as_str()));
            }
            proptest::prop_assert_eq!(map.contains_key(probe.as_str()), keys.contains(&probe));
        }
    }
}
