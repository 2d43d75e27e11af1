//! Verifying signed requests (as the platform would) and pushes (as a receiver should).

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use time::OffsetDateTime;

use super::created::{parse_created, ClockMode, BEIJING_OFFSET_SECONDS};
use super::digest::{PushVariant, Signer};
use super::header::{parse_canonical, parse_into};
use super::replay::ReplayCache;
use super::secret::AppSecret;
use crate::codes::ResultCode;
use crate::formats;
use crate::signing::{self, Attribute, Scheme};

/// Why a signature was refused: the result code (with its HTTP status) the reference's
/// tables give for the defect, the attribute at fault, and what was wrong. Never holds
/// the secret or the expected digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthError {
    /// The result code; `None` for pushes, whose defects the reference gives no code.
    pub code: Option<ResultCode>,
    /// Header attribute at fault (`realm`, `Nonce`…), or the header itself.
    pub attribute: &'static str,
    /// What was wrong.
    pub detail: String,
}

impl AuthError {
    fn new(code: Option<ResultCode>, attribute: &'static str, detail: impl Into<String>) -> Self {
        AuthError {
            code,
            attribute,
            detail: detail.into(),
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
            ),
            None => write!(f, "{} [{}]", self.detail, self.attribute),
        }
    }
}

impl std::error::Error for AuthError {}

/// What a successful verification established.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The app key (Username).
    pub app_key: String,
    /// The Nonce.
    pub nonce: String,
    /// The Created attribute, as sent.
    pub created: String,
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
    /// Most nonces remembered.
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

struct Checked<'a> {
    username: &'a str,
    digest: &'a str,
    nonce: &'a str,
    created: &'a str,
    created_at: OffsetDateTime,
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

/// Header checks shared by both schemes, in the order the spec lists the attributes.
fn check_headers<'a>(
    scheme: &Scheme,
    authorization: Option<&'a str>,
    x_aksk: Option<&'a str>,
) -> Result<Checked<'a>, AuthError> {
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
                    format!("{} is {v:?}, must be {want:?}", a.name),
                ))
            }
            _ => {}
        }
    }
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
    let created_at = parse_created(created).ok_or_else(|| {
        AuthError::new(
            malformed("Created"),
            "Created",
            format!("Created {created:?} is not yyyy-MM-ddTHH:mm:ssZ"),
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

impl Checked<'_> {
    fn verified(&self, created_was_beijing_time: bool) -> Verified {
        Verified {
            app_key: self.username.to_string(),
            nonce: self.nonce.to_string(),
            created: self.created.to_string(),
            created_was_beijing_time,
        }
    }
}

/// Refuses a nonce seen before within the window (when the settings ask for it) and
/// remembers this one until `expires` (Unix seconds).
fn remember_nonce(
    config: &VerifierConfig,
    replay: &Mutex<ReplayCache>,
    scheme: &Scheme,
    c: &Checked<'_>,
    now: OffsetDateTime,
    expires: i64,
) -> Result<(), AuthError> {
    if !config.reject_replays {
        return Ok(());
    }
    let fresh = replay
        .lock()
        .map(|mut r| r.insert(c.username, c.nonce, now.unix_timestamp(), expires))
        .unwrap_or(true);
    if fresh {
        Ok(())
    } else {
        Err(AuthError::new(
            scheme.replayed_nonce,
            "Nonce",
            "this Nonce was already used within the window",
        ))
    }
}

/// Checks Created against `now`; returns whether only the Beijing reading fits.
fn check_time(
    scheme: &Scheme,
    created_at: OffsetDateTime,
    now: OffsetDateTime,
    window: Duration,
    clock: ClockMode,
) -> Result<bool, AuthError> {
    let within = |t: OffsetDateTime| (now - t).unsigned_abs() <= window;
    if within(created_at) {
        return Ok(false);
    }
    if clock == ClockMode::Lenient
        && within(created_at - time::Duration::seconds(BEIJING_OFFSET_SECONDS))
    {
        return Ok(true);
    }
    Err(AuthError::new(
        scheme.stale_created,
        "Created",
        format!(
            "Created is {} s from the verifier's clock; the window is {} s",
            (now - created_at).whole_seconds(),
            window.as_secs()
        ),
    ))
}

/// Verifies signed requests for a set of apps, as the platform does.
#[derive(Debug)]
pub struct Verifier {
    config: VerifierConfig,
    apps: HashMap<String, Signer>,
    replay: Mutex<ReplayCache>,
}

impl Verifier {
    /// A verifier with no apps yet.
    pub fn new(config: VerifierConfig) -> Self {
        let replay = Mutex::new(ReplayCache::new(config.replay_capacity));
        Verifier {
            config,
            apps: HashMap::new(),
            replay,
        }
    }

    /// Adds an app.
    pub fn with_app(mut self, app_key: impl Into<String>, secret: &AppSecret) -> Self {
        self.apps.insert(app_key.into(), Signer::new(secret));
        self
    }

    /// The settings.
    pub fn config(&self) -> &VerifierConfig {
        &self.config
    }

    /// Verifies the two headers of a request at time `now`.
    pub fn verify(
        &self,
        authorization: Option<&str>,
        x_aksk: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Verified, AuthError> {
        let scheme = &signing::REQUEST;
        let c = check_headers(scheme, authorization, x_aksk)?;
        let signer = self.apps.get(c.username).ok_or_else(|| {
            AuthError::new(
                scheme.unknown_app_key,
                "Username",
                "Username names no known app",
            )
        })?;
        let beijing = check_time(
            scheme,
            c.created_at,
            now,
            self.config.window,
            self.config.clock,
        )?;
        if !signer.verify_request(c.nonce, c.created, c.digest) {
            return Err(AuthError::new(
                scheme.invalid_digest,
                "PasswordDigest",
                "PasswordDigest does not match Base64(HMAC-SHA256(APP_Secret, Nonce + Created))",
            ));
        }
        let expires = c.created_at.unix_timestamp().max(now.unix_timestamp())
            + self.config.window.as_secs() as i64
            + if beijing { BEIJING_OFFSET_SECONDS } else { 0 };
        remember_nonce(&self.config, &self.replay, scheme, &c, now, expires)?;
        Ok(c.verified(beijing))
    }
}

/// Verifies pushes sent to one receiver URL.
#[derive(Debug)]
pub struct PushVerifier {
    signer: Signer,
    url: String,
    variants: Vec<PushVariant>,
    config: VerifierConfig,
    replay: Mutex<ReplayCache>,
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
        }
    }

    /// Accepts these digest variants (tried in order).
    pub fn with_variants(mut self, variants: &[PushVariant]) -> Self {
        self.variants = variants.to_vec();
        self
    }

    /// Verifies a push; returns the variant whose digest matched.
    pub fn verify(
        &self,
        authorization: Option<&str>,
        x_aksk: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<(Verified, PushVariant), AuthError> {
        let scheme = &signing::PUSH;
        let c = check_headers(scheme, authorization, x_aksk)?;
        let beijing = check_time(
            scheme,
            c.created_at,
            now,
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
                AuthError::new(
                    None,
                    "PasswordDigest",
                    format!(
                        "PasswordDigest matches none of the accepted variants {:?}",
                        self.variants
                    ),
                )
            })?;
        let expires = now.unix_timestamp() + self.config.window.as_secs() as i64;
        remember_nonce(&self.config, &self.replay, scheme, &c, now, expires)?;
        let verified = c.verified(beijing);
        Ok((verified, variant))
    }
}
