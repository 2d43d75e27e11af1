//! What the mock is provisioned with: apps, their numbers and rights, platform limits,
//! scripted call outcomes and the clock. Read from TOML (`voicecall-mock --config`), or
//! built in Rust for tests.
//!
//! Every setting that makes the mock refuse a request names the result code it causes,
//! so a test can provoke each code of the tables for its own cause (see the README's
//! code table).

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;
use voicecall::auth::AppSecret;

use crate::outcome::Outcome;

/// The whole provisioning of a mock platform.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MockConfig {
    /// The apps (app key, secret, numbers, rights).
    pub apps: Vec<AppConfig>,
    /// Platform-wide limits.
    pub platform: PlatformConfig,
    /// Call outcomes scripted per dialled number (`"+8613800000002" = "busy"`); numbers
    /// not listed answer and talk for `platform.default_talk_seconds`.
    pub outcomes: BTreeMap<String, Outcome>,
    /// Digits a callee "presses" during a notification that collects digits, per number
    /// (default: `"1"` repeated up to the requested count).
    pub digits: BTreeMap<String, String>,
    /// The clock.
    pub clock: ClockConfig,
    /// The HTTP server's resource bounds and the control plane's token.
    pub server: ServerConfig,
    /// How much of the past the mock keeps for introspection.
    pub retention: RetentionConfig,
}

/// What the mock keeps of ended calls. Ended sessions (with their events and recording)
/// and finished push records (delivered, failed or undeliverable) beyond these bounds
/// leave, oldest first; live calls and pending pushes always stay. The counts of
/// `/_mock/summary` include what left, so they stay exact.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetentionConfig {
    /// Most ended sessions kept (default 10,000: a conformance run keeps all of its
    /// calls).
    pub max_ended_sessions: usize,
    /// Most finished push records kept (default 50,000).
    pub max_push_records: usize,
    /// Ended sessions older than this (virtual seconds since they ended) leave as well;
    /// absent (default): only the counts bound them.
    pub max_age_seconds: Option<u64>,
}

impl Default for RetentionConfig {
    fn default() -> Self {
        RetentionConfig {
            max_ended_sessions: 10_000,
            max_push_records: 50_000,
            max_age_seconds: None,
        }
    }
}

/// What the HTTP server holds at most, and how `/_mock/*` is guarded.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Most connections open at once; beyond it new connections wait in the listen
    /// backlog until one closes.
    pub max_connections: usize,
    /// Seconds a connection may take to send a request's headers, counted from when the
    /// server starts waiting for them: so also how long an idle keep-alive connection
    /// (or one that never sends a byte) is kept.
    pub header_read_timeout_seconds: u64,
    /// Seconds a request may take to send its body (408 and the connection closed).
    pub body_read_timeout_seconds: u64,
    /// Token that `/_mock/*` requests must carry in `X-Mock-Token`. Absent: a random
    /// token per run (`MockServer::control_token`, printed by `voicecall-mock`).
    pub control_token: Option<String>,
    /// Most numbers scripted through `POST /_mock/outcomes` (each at most 32 characters).
    pub max_scripted_outcomes: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            max_connections: 512,
            header_read_timeout_seconds: 10,
            body_read_timeout_seconds: 10,
            control_token: None,
            max_scripted_outcomes: 10_000,
        }
    }
}

impl std::fmt::Debug for ServerConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerConfig")
            .field("max_connections", &self.max_connections)
            .field(
                "header_read_timeout_seconds",
                &self.header_read_timeout_seconds,
            )
            .field("body_read_timeout_seconds", &self.body_read_timeout_seconds)
            .field("control_token", &self.control_token.as_ref().map(|_| "***"))
            .field("max_scripted_outcomes", &self.max_scripted_outcomes)
            .finish()
    }
}

impl MockConfig {
    /// One app from a key and secret that accepts any well-formed display number, with
    /// recording enabled: what `cargo xtask mock` runs with no config file.
    pub fn single_app(app_key: impl Into<String>, app_secret: impl Into<String>) -> Self {
        MockConfig {
            apps: vec![AppConfig::new(app_key, app_secret)],
            ..MockConfig::default()
        }
    }

    /// Parses TOML; errors name the line and column.
    pub fn from_toml(text: &str) -> Result<Self, ConfigError> {
        let cfg: MockConfig = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            ConfigError {
                line,
                column,
                message: e.message().to_string(),
            }
        })?;
        cfg.check()?;
        Ok(cfg)
    }

    /// Checks what serde cannot: duplicate app keys, a number or a template provisioned
    /// for two apps (each belongs to one app: erratum `foreign-app-resources`).
    pub fn check(&self) -> Result<(), ConfigError> {
        let mut keys = std::collections::BTreeSet::new();
        let mut numbers = BTreeMap::new();
        let mut templates = BTreeMap::new();
        for app in &self.apps {
            for t in app.templates.keys() {
                if let Some(other) = templates.insert(t.as_str(), app.app_key.as_str()) {
                    return Err(ConfigError::whole(format!(
                        "template {t:?} is provisioned for apps {other:?} and {:?}; a template belongs to one app",
                        app.app_key
                    )));
                }
            }
            if !keys.insert(app.app_key.as_str()) {
                return Err(ConfigError::whole(format!(
                    "app key {:?} is provisioned twice; give each [[apps]] its own app_key",
                    app.app_key
                )));
            }
            for n in app.display_numbers.iter().flatten() {
                if let Some(other) = numbers.insert(n.number.as_str(), app.app_key.as_str()) {
                    return Err(ConfigError::whole(format!(
                        "display number {:?} is bound to apps {other:?} and {:?}; a number belongs to one app",
                        n.number, app.app_key
                    )));
                }
            }
        }
        Ok(())
    }

    /// The app with this key.
    pub fn app(&self, app_key: &str) -> Option<&AppConfig> {
        self.apps.iter().find(|a| a.app_key == app_key)
    }
}

/// A malformed config file: where and what.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("config line {line}, column {column}: {message}")]
pub struct ConfigError {
    /// 1-based line (0 when the error is about the whole file).
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong and how to fix it.
    pub message: String,
}

impl ConfigError {
    fn whole(message: String) -> Self {
        ConfigError {
            line: 0,
            column: 0,
            message,
        }
    }
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// State of an app on the console; each non-active state is refused with its own code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppState {
    /// Usable.
    #[default]
    Active,
    /// 403/1010008 app_key被暂停使用.
    Suspended,
    /// 403/1010021 应用不可用.
    Unavailable,
    /// 403/1010011 a test app, not allowed on the commercial address.
    Test,
    /// 403/1010007 the account's activeState is not ACTIVATING.
    UserInactive,
    /// 403/1011006 under traffic control.
    TrafficControl,
    /// 500/1020150 the app_key is invalid on the voice service.
    Invalid,
}

/// State of a display number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NumberState {
    /// Usable.
    #[default]
    Active,
    /// 403/1013119 the service number is suspended.
    Suspended,
    /// 500/1020151 the bindNum is invalid.
    Invalid,
}

/// A display (fixed-line) number bound to an app.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumberConfig {
    /// The number in global format.
    pub number: String,
    /// Its state.
    #[serde(default)]
    pub state: NumberState,
    /// Most concurrent calls presenting it (403/1013003).
    #[serde(default)]
    pub max_calls: Option<u32>,
}

/// Reads an app secret from its text, straight into the type that never prints it.
fn secret<'de, D: serde::Deserializer<'de>>(d: D) -> Result<AppSecret, D::Error> {
    String::deserialize(d).map(AppSecret::new)
}

/// An app of the console (应用管理).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppConfig {
    /// APP_Key.
    pub app_key: String,
    /// APP_Secret (`Debug` prints `AppSecret(***)`).
    #[serde(deserialize_with = "secret")]
    pub app_secret: AppSecret,
    /// The customer's account (spId in CDRs); apps of one SP share `platform.sp_max_calls`.
    #[serde(default = "default_sp_id")]
    pub sp_id: String,
    /// Console state.
    #[serde(default)]
    pub state: AppState,
    /// Display numbers bound to the app. Absent: any well-formed number is accepted.
    /// Empty: the app has none (403/1012006).
    #[serde(default)]
    pub display_numbers: Option<Vec<NumberConfig>>,
    /// Services the app may call (`callback`, `notification`, `verification`); absent: all
    /// (403/1010040 otherwise).
    #[serde(default)]
    pub services: Option<Vec<String>>,
    /// Recording enabled on the console (403/1012012 for recordFlag=true otherwise).
    #[serde(default = "yes")]
    pub recording: bool,
    /// Voice-notification templates: id → longest value of each variable, in characters.
    /// A templateId listed here whose templateParas do not fit gets 403/1012005; ids not
    /// listed are accepted as they are.
    #[serde(default)]
    pub templates: BTreeMap<String, Vec<usize>>,
    /// Status push URL used when a request carries none.
    #[serde(default)]
    pub status_url: Option<String>,
    /// Fee push URL used when a request carries none.
    #[serde(default)]
    pub fee_url: Option<String>,
    /// Most concurrent calls of the app (403/1013002).
    #[serde(default)]
    pub max_calls: Option<u32>,
    /// Most voice ports of the app; a callback holds two, the others one (403/1020165).
    #[serde(default)]
    pub max_ports: Option<u32>,
    /// Most requests per minute of virtual time (403/1010009).
    #[serde(default)]
    pub max_requests_per_minute: Option<u32>,
    /// Callee numbers refused (403/1013004).
    #[serde(default)]
    pub callee_blacklist: Vec<String>,
    /// Caller numbers refused: callerNbr of a callback (403/1013010).
    #[serde(default)]
    pub caller_blacklist: Vec<String>,
    /// When set, only these callees are called (403/1013011).
    #[serde(default)]
    pub callee_whitelist: Option<Vec<String>>,
    /// When set, requests must come from these IPs (403/1020166).
    #[serde(default)]
    pub ip_whitelist: Option<Vec<String>>,
    /// Sender IPs on the blacklist (403/1020168).
    #[serde(default)]
    pub ip_blacklist: Vec<String>,
    /// Sender IPs in a restricted area (403/1020171).
    #[serde(default)]
    pub ip_restricted: Vec<String>,
    /// Refuse requests that do not come over IPv4 (403/1013120 Ip address is null).
    #[serde(default)]
    pub require_ipv4: bool,
    /// The app's country code without `+` (default 86).
    #[serde(default = "default_country")]
    pub home_country: String,
    /// Calls to numbers outside the home country allowed (403/1013112 otherwise).
    #[serde(default = "yes")]
    pub international_callout: bool,
    /// Display numbers outside the home country allowed (403/1013111 otherwise).
    #[serde(default = "yes")]
    pub international_callin: bool,
    /// The sub-enterprise is suspended (403/1013122).
    #[serde(default)]
    pub sub_enterprise_suspended: bool,
    /// Hours of Beijing time in which calls are forbidden, `[start, end)` (403/1013121).
    #[serde(default)]
    pub black_hours: Option<(u8, u8)>,
    /// Call-frequency limits over a sliding window of virtual time.
    #[serde(default)]
    pub frequency: Option<FrequencyLimits>,
    /// Risk control over the last calls to a callee.
    #[serde(default)]
    pub risk: Option<RiskLimits>,
}

fn yes() -> bool {
    true
}
fn default_sp_id() -> String {
    "mock_sp".into()
}
fn default_country() -> String {
    "86".into()
}

impl AppConfig {
    /// An active app with every right and no limits.
    pub fn new(app_key: impl Into<String>, app_secret: impl Into<String>) -> Self {
        AppConfig {
            app_key: app_key.into(),
            app_secret: AppSecret::new(app_secret),
            sp_id: default_sp_id(),
            state: AppState::Active,
            display_numbers: None,
            services: None,
            recording: true,
            templates: BTreeMap::new(),
            status_url: None,
            fee_url: None,
            max_calls: None,
            max_ports: None,
            max_requests_per_minute: None,
            callee_blacklist: Vec::new(),
            caller_blacklist: Vec::new(),
            callee_whitelist: None,
            ip_whitelist: None,
            ip_blacklist: Vec::new(),
            ip_restricted: Vec::new(),
            require_ipv4: false,
            home_country: default_country(),
            international_callout: true,
            international_callin: true,
            sub_enterprise_suspended: false,
            black_hours: None,
            frequency: None,
            risk: None,
        }
    }
}

/// Most calls within `window_seconds` (403/1013116, 1013117, 1013118).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrequencyLimits {
    /// Window length in virtual seconds.
    pub window_seconds: u64,
    /// Most calls from one callerNbr (callback).
    #[serde(default)]
    pub per_caller: Option<u32>,
    /// Most calls to one callee.
    #[serde(default)]
    pub per_callee: Option<u32>,
    /// Most calls presenting one display number.
    #[serde(default)]
    pub per_display_number: Option<u32>,
}

/// Security control over the last `calls` finished calls to one callee.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskLimits {
    /// How many recent calls are judged (the rule applies once there are this many).
    pub calls: usize,
    /// Lowest share of answered calls, 0.0–1.0 (403/1013115).
    #[serde(default)]
    pub min_completion_rate: Option<f64>,
    /// Shortest average talk time of answered calls, seconds (403/1013113).
    #[serde(default)]
    pub min_average_talk_seconds: Option<u64>,
}

/// Platform-wide settings.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PlatformConfig {
    /// Voice ports of the platform (500/1020154 when exhausted); also what `idlePort` counts.
    pub ports: u32,
    /// Most concurrent calls of one SP (403/1013001).
    pub sp_max_calls: Option<u32>,
    /// Most requests per second of virtual time, all apps together (403/1010010).
    pub max_requests_per_second: Option<u32>,
    /// Largest request body, bytes (larger: 403/1010002).
    pub max_body_bytes: usize,
    /// Talk time of an answered call whose outcome is not scripted, seconds.
    pub default_talk_seconds: u32,
    /// Seconds between fee push attempts (the doc: 1 hour), in virtual time.
    pub fee_retry_interval_seconds: u64,
    /// Re-sends after the first fee push (the doc: 6).
    pub fee_max_retries: u32,
    /// Seconds after a call ends that its CDR batch is pushed (calls ending in the same
    /// second share a batch of at most 50).
    pub fee_delay_seconds: u64,
    /// Timeout of one push, real seconds.
    pub push_timeout_seconds: u64,
    /// Domain of recordings (recordDomain of CDRs).
    pub record_domain: String,
    /// Host name of CDRs.
    pub host_name: String,
    /// Nonces the request verifier remembers: every accepted nonce is kept until
    /// max(Created, now) + 15 minutes and never forgotten early, so this is also the most
    /// signed requests accepted per 15 minutes; beyond it 403/1010010 (flow control).
    /// Default 1,000,000 (≈ 1,100 requests/s sustained, ≈ 60 MB when full).
    pub replay_capacity: usize,
}

impl Default for PlatformConfig {
    fn default() -> Self {
        PlatformConfig {
            ports: 60_000,
            sp_max_calls: None,
            max_requests_per_second: None,
            max_body_bytes: 64 * 1024,
            default_talk_seconds: 20,
            fee_retry_interval_seconds: 3600,
            fee_max_retries: 6,
            fee_delay_seconds: 1,
            push_timeout_seconds: 5,
            record_domain: "record.mock.voicecall.local".into(),
            host_name: "callenabler.mock.voicecall.local".into(),
            replay_capacity: 1_000_000,
        }
    }
}

impl PlatformConfig {
    /// Fee retry interval as a duration.
    pub fn fee_retry_interval(&self) -> Duration {
        Duration::from_secs(self.fee_retry_interval_seconds)
    }
}

/// How virtual time runs.
///
/// The default here (so of [`MockConfig`] built in Rust, and of a config file without
/// `[clock]`) is [`ClockConfig::Manual`], for deterministic tests; the `voicecall-mock`
/// command defaults to [`ClockConfig::FAST`] instead, for humans watching a call.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Default)]
#[serde(rename_all = "snake_case", tag = "mode")]
pub enum ClockConfig {
    /// Virtual time runs `factor` times faster than real time (default 1000: a
    /// one-minute call takes 60 ms, a one-hour fee retry 3.6 s).
    Fast {
        /// Speed-up over real time.
        factor: f64,
    },
    /// Virtual time is real time.
    Realtime,
    /// Virtual time moves only when told to (`Mock::advance`, `POST /_mock/advance`):
    /// deterministic, for tests.
    #[default]
    Manual,
}

impl ClockConfig {
    /// The default for humans: fast.
    pub const FAST: ClockConfig = ClockConfig::Fast { factor: 1000.0 };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_a_small_file() {
        let cfg = MockConfig::from_toml(
            r#"
[[apps]]
app_key = "k1"
app_secret = "s1"
recording = false
display_numbers = [{ number = "+8675528000001" }, { number = "+8675528000002", state = "suspended" }]

[outcomes]
"+8613800000009" = "busy"
"+8613800000008" = { answered = { talk_seconds = 5, hung_up_by = "caller" } }

[clock]
mode = "fast"
factor = 100.0
"#,
        )
        .unwrap();
        assert_eq!(cfg.apps.len(), 1);
        assert!(!cfg.apps[0].recording);
        assert_eq!(cfg.outcomes.len(), 2);
        assert_eq!(cfg.clock, ClockConfig::Fast { factor: 100.0 });
    }

    #[test]
    fn errors_name_line_and_column() {
        let err = MockConfig::from_toml(
            "[[apps]]\napp_key = \"k\"\napp_secret = \"s\"\nrecordin = true\n",
        )
        .unwrap_err();
        assert_eq!(err.line, 4, "{err}");
        assert!(err.message.contains("recordin"), "{err}");
    }

    #[test]
    fn a_number_bound_twice_is_refused() {
        let err = MockConfig::from_toml(
            "[[apps]]\napp_key = \"a\"\napp_secret = \"s\"\ndisplay_numbers = [{ number = \"+861\" }]\n[[apps]]\napp_key = \"b\"\napp_secret = \"s\"\ndisplay_numbers = [{ number = \"+861\" }]\n",
        )
        .unwrap_err();
        assert!(err.message.contains("one app"), "{err}");
    }
}
