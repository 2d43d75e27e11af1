//! The console and security-control checks a request meets after it authenticates: the
//! app's state and rights, where it comes from, how often it calls, its numbers, lists
//! and quotas. Each check names the result code its cause has in the tables.

use std::collections::{BTreeMap, VecDeque};
use std::net::IpAddr;

use voicecall::codes::ResultCode as C;
use voicecall::operations::Operation;

use crate::clock::{secs, VTime};
use crate::config::{AppConfig, AppState, MockConfig, NumberState};
use crate::reject::{refuse, Reject};
use crate::session::{CallRequest, Service};

/// Service of an operation (the `services` right of an app).
pub fn service_of(op: Operation) -> Service {
    match op {
        Operation::CreateVoiceNotification => Service::Notification,
        Operation::CreateVoiceVerificationCode => Service::Verification,
        _ => Service::Callback,
    }
}

/// App state and rights, checked for every authenticated request.
pub fn app_admits(app: &AppConfig, op: Operation, peer: IpAddr) -> Result<(), Reject> {
    let state = match app.state {
        AppState::Active => None,
        AppState::Suspended => Some((C::AppKeySuspended, "suspended")),
        AppState::Unavailable => Some((C::ApplicationUnavailable, "unavailable")),
        AppState::Test => Some((C::CommercialAddressNotAllowed, "a test app")),
        AppState::UserInactive => Some((C::AccountNotActive, "of an inactive user")),
        AppState::TrafficControl => Some((C::TrafficControlled, "under traffic control")),
        AppState::Invalid => Some((C::AppKeyInvalid, "invalid on the voice service")),
    };
    if let Some((code, what)) = state {
        return refuse(
            code,
            format!("app {} is {what} (config apps.state)", app.app_key),
        );
    }
    if let Some(services) = &app.services {
        let id = service_of(op).id();
        if !services.iter().any(|s| s == id) {
            return refuse(
                C::ApiNotAllowedForAppKey,
                format!(
                    "app {} has no right to the {id} service (config apps.services)",
                    app.app_key
                ),
            );
        }
    }
    if app.require_ipv4 && !peer.is_ipv4() {
        return refuse(C::Ipv4AddressMissing, "the request did not come over IPv4");
    }
    // The lists hold addresses as text; the peer's is written only when a list is set
    // (formatting it for every request was ≈ 2 % of the mock's time under load).
    if app.ip_whitelist.is_none() && app.ip_blacklist.is_empty() && app.ip_restricted.is_empty() {
        return Ok(());
    }
    let ip = peer.to_string();
    if let Some(white) = &app.ip_whitelist {
        if !white.contains(&ip) {
            return refuse(
                C::ClientIpNotWhitelisted,
                format!("{ip} is not in apps.ip_whitelist"),
            );
        }
    }
    if app.ip_blacklist.contains(&ip) {
        return refuse(
            C::ClientIpBlacklisted,
            format!("{ip} is in apps.ip_blacklist"),
        );
    }
    if app.ip_restricted.contains(&ip) {
        return refuse(
            C::ClientIpRegionRestricted,
            format!("{ip} is in apps.ip_restricted"),
        );
    }
    Ok(())
}

/// Live usage and recent history, kept by the mock's state.
#[derive(Debug, Default)]
pub struct Usage {
    /// Ports in use on the platform.
    pub ports: u32,
    /// Live calls per SP.
    pub sp_calls: BTreeMap<String, u32>,
    /// Live calls per app.
    pub app_calls: BTreeMap<String, u32>,
    /// Ports in use per app.
    pub app_ports: BTreeMap<String, u32>,
    /// Live calls per display number.
    pub number_calls: BTreeMap<String, u32>,
    /// Requests in the current virtual second, all apps.
    pub second: (u64, u32),
    /// Requests per app in its current virtual minute.
    pub minute: BTreeMap<String, (u64, u32)>,
    /// Accepted calls: (time, app, caller, callee, display number), oldest first.
    pub history: VecDeque<(VTime, String, Option<String>, String, String)>,
    /// Finished calls per (app, callee): answered?, talk seconds; newest last.
    pub results: BTreeMap<(String, String), VecDeque<(bool, u64)>>,
}

/// Adds `by` to the count of `key`, copying the key only when it is new (an `entry`
/// would copy it on every call).
fn add(counts: &mut BTreeMap<String, u32>, key: &str, by: u32) {
    match counts.get_mut(key) {
        Some(v) => *v += by,
        None => {
            counts.insert(key.to_string(), by);
        }
    }
}

/// Most history entries kept (bounds memory under load).
const HISTORY_CAP: usize = 100_000;

impl Usage {
    /// Counts a request against the platform's per-second and the app's per-minute
    /// limits.
    pub fn count_request(
        &mut self,
        cfg: &MockConfig,
        app: &AppConfig,
        now: VTime,
    ) -> Result<(), Reject> {
        let sec = now / 1000;
        if self.second.0 != sec {
            self.second = (sec, 0);
        }
        self.second.1 += 1;
        if let Some(max) = cfg.platform.max_requests_per_second {
            if self.second.1 > max {
                return refuse(
                    C::PlatformFlowControl,
                    format!("more than {max} requests in one second (config platform.max_requests_per_second)"),
                );
            }
        }
        let min = now / 60_000;
        // The key is copied only the first time the app is seen (an `entry` would copy it
        // on every request).
        if !self.minute.contains_key(&app.app_key) {
            self.minute.insert(app.app_key.clone(), (min, 0));
        }
        let Some(m) = self.minute.get_mut(&app.app_key) else {
            return Ok(());
        };
        if m.0 != min {
            *m = (min, 0);
        }
        m.1 += 1;
        if let Some(max) = app.max_requests_per_minute {
            if m.1 > max {
                return refuse(
                    C::ApiQuotaReached,
                    format!("more than {max} requests in one minute (config apps.max_requests_per_minute)"),
                );
            }
        }
        Ok(())
    }

    /// Whether a call may be placed; the order follows the tables: numbers, rights,
    /// lists, time, frequency, risk, then capacity.
    pub fn admit_call(
        &self,
        cfg: &MockConfig,
        app: &AppConfig,
        r: &CallRequest,
        now: VTime,
        beijing_hour: u8,
    ) -> Result<(), Reject> {
        let mut displays = vec![r.display_nbr.as_str()];
        if let Some(d) = &r.display_callee_nbr {
            displays.push(d);
        }
        for d in &displays {
            check_display_number(cfg, app, d)?;
        }
        if let Some(a) = &r.caller_nbr {
            // '+' then a country code, which never starts with 0 (ITU-T E.164).
            if a.as_bytes().get(1) == Some(&b'0') {
                return refuse(C::InvalidCallerNumber, format!("callerNbr {a} has no country code (E.164 country codes never start with 0)"));
            }
        }
        if r.record && !app.recording {
            return refuse(C::RecordingNotEnabled, "recordFlag is true but recording is not enabled for the app (config apps.recording)");
        }
        let called: Vec<&str> = r
            .caller_nbr
            .iter()
            .map(String::as_str)
            .chain([r.callee_nbr.as_str()])
            .collect();
        let home = format!("+{}", app.home_country);
        if !app.international_callin {
            if let Some(d) = displays.iter().find(|d| !d.starts_with(&home)) {
                return refuse(
                    C::InternationalCallInForbidden,
                    format!(
                        "display number {d} is outside +{} (config apps.international_callin)",
                        app.home_country
                    ),
                );
            }
        }
        if !app.international_callout {
            if let Some(n) = called.iter().find(|n| !n.starts_with(&home)) {
                return refuse(
                    C::InternationalCallOutForbidden,
                    format!(
                        "{n} is outside +{} (config apps.international_callout)",
                        app.home_country
                    ),
                );
            }
        }
        if let Some(a) = r
            .caller_nbr
            .as_ref()
            .filter(|a| app.caller_blacklist.contains(a))
        {
            return refuse(
                C::CallerBlacklisted,
                format!("callerNbr {a} is in apps.caller_blacklist"),
            );
        }
        if app.callee_blacklist.contains(&r.callee_nbr) {
            return refuse(
                C::CalleeBlacklisted,
                format!("calleeNbr {} is in apps.callee_blacklist", r.callee_nbr),
            );
        }
        if let Some(w) = &app.callee_whitelist {
            if !w.contains(&r.callee_nbr) {
                return refuse(
                    C::CalleeNotWhitelisted,
                    format!("calleeNbr {} is not in apps.callee_whitelist", r.callee_nbr),
                );
            }
        }
        if app.sub_enterprise_suspended {
            return refuse(
                C::SubEnterpriseSuspended,
                "the sub-enterprise is suspended (config apps.sub_enterprise_suspended)",
            );
        }
        if let Some((start, end)) = app.black_hours {
            let hour = beijing_hour;
            let inside = if start <= end {
                (start..end).contains(&hour)
            } else {
                hour >= start || hour < end
            };
            if inside {
                return refuse(
                    C::CallTimeRestricted,
                    format!("{hour}:00 Beijing time is inside apps.black_hours [{start}, {end})"),
                );
            }
        }
        self.check_frequency(app, r, now)?;
        self.check_risk(app, r)?;
        self.check_capacity(cfg, app, r)?;
        Ok(())
    }

    fn check_frequency(&self, app: &AppConfig, r: &CallRequest, now: VTime) -> Result<(), Reject> {
        let Some(f) = &app.frequency else {
            return Ok(());
        };
        let since = now.saturating_sub(secs(f.window_seconds));
        let recent = self
            .history
            .iter()
            .rev()
            .take_while(|h| h.0 >= since)
            .filter(|h| h.1 == app.app_key);
        let (mut caller, mut callee, mut display) = (0u32, 0u32, 0u32);
        for h in recent {
            caller += u32::from(r.caller_nbr.is_some() && h.2 == r.caller_nbr);
            callee += u32::from(h.3 == r.callee_nbr);
            display += u32::from(h.4 == r.display_nbr);
        }
        let limits = [
            (
                caller,
                f.per_caller,
                C::CallerFrequencyLimited,
                "callerNbr",
                "per_caller",
            ),
            (
                callee,
                f.per_callee,
                C::CalleeFrequencyLimited,
                "calleeNbr",
                "per_callee",
            ),
            (
                display,
                f.per_display_number,
                C::ServiceNumberFrequencyLimited,
                "displayNbr",
                "per_display_number",
            ),
        ];
        for (n, max, code, field, setting) in limits {
            if max.is_some_and(|m| n >= m) {
                return refuse(
                    code,
                    format!(
                        "{field} used {n} times in {} s (config apps.frequency.{setting})",
                        f.window_seconds
                    ),
                );
            }
        }
        Ok(())
    }

    fn check_risk(&self, app: &AppConfig, r: &CallRequest) -> Result<(), Reject> {
        let Some(k) = &app.risk else { return Ok(()) };
        let Some(results) = self
            .results
            .get(&(app.app_key.clone(), r.callee_nbr.clone()))
        else {
            return Ok(());
        };
        if results.len() < k.calls || k.calls == 0 {
            return Ok(());
        }
        let last: Vec<_> = results.iter().rev().take(k.calls).collect();
        let answered: Vec<u64> = last.iter().filter(|x| x.0).map(|x| x.1).collect();
        if let Some(min) = k.min_completion_rate {
            let rate = answered.len() as f64 / last.len() as f64;
            if rate < min {
                return refuse(C::AbnormalCompletionRate, format!("{:.0} % of the last {} calls to {} were answered (config apps.risk.min_completion_rate)", rate * 100.0, k.calls, r.callee_nbr));
            }
        }
        if let Some(min) = k.min_average_talk_seconds {
            if !answered.is_empty() {
                let avg = answered.iter().sum::<u64>() / answered.len() as u64;
                if avg < min {
                    return refuse(C::AbnormalCallDuration, format!("answered calls to {} averaged {avg} s (config apps.risk.min_average_talk_seconds)", r.callee_nbr));
                }
            }
        }
        Ok(())
    }

    fn check_capacity(
        &self,
        cfg: &MockConfig,
        app: &AppConfig,
        r: &CallRequest,
    ) -> Result<(), Reject> {
        let need = r.service.ports();
        if let Some(max) = cfg.platform.sp_max_calls {
            if self.sp_calls.get(&app.sp_id).copied().unwrap_or(0) >= max {
                return refuse(
                    C::SpCallLimitReached,
                    format!(
                        "SP {} already has {max} live calls (config platform.sp_max_calls)",
                        app.sp_id
                    ),
                );
            }
        }
        if let Some(max) = app.max_calls {
            if self.app_calls.get(&app.app_key).copied().unwrap_or(0) >= max {
                return refuse(
                    C::AppCallLimitReached,
                    format!("the app already has {max} live calls (config apps.max_calls)"),
                );
            }
        }
        for n in app.display_numbers.iter().flatten() {
            if n.number == r.display_nbr {
                if let Some(max) = n.max_calls {
                    if self.number_calls.get(&n.number).copied().unwrap_or(0) >= max {
                        return refuse(C::DisplayNumberCallLimitReached, format!("{} already presents {max} live calls (config display_numbers.max_calls)", n.number));
                    }
                }
            }
        }
        if let Some(max) = app.max_ports {
            if self.app_ports.get(&app.app_key).copied().unwrap_or(0) + need > max {
                return refuse(C::CallPortLimitReached, format!("the call needs {need} ports and the app's {max} are in use (config apps.max_ports)"));
            }
        }
        if self.ports + need > cfg.platform.ports {
            return refuse(
                C::InsufficientVoicePorts,
                format!(
                    "the call needs {need} ports; {} of {} are free (config platform.ports)",
                    cfg.platform.ports - self.ports.min(cfg.platform.ports),
                    cfg.platform.ports
                ),
            );
        }
        Ok(())
    }

    /// Takes the resources of an accepted call.
    pub fn take(&mut self, app: &AppConfig, r: &CallRequest, now: VTime) {
        let n = r.service.ports();
        self.ports += n;
        add(&mut self.sp_calls, &app.sp_id, 1);
        add(&mut self.app_calls, &app.app_key, 1);
        add(&mut self.app_ports, &app.app_key, n);
        add(&mut self.number_calls, &r.display_nbr, 1);
        // Only an app with frequency limits ever reads its history (`check_frequency`
        // looks at the app's own entries alone): the others' would be four copied
        // strings a call, kept for nothing.
        if app.frequency.is_none() {
            return;
        }
        if self.history.len() >= HISTORY_CAP {
            self.history.pop_front();
        } else if self.history.capacity() == 0 {
            // Sized once for its cap (pages are touched only as entries arrive): the
            // deque never doubles, which would copy up to 100,000 entries under the
            // state lock (issue 16).
            self.history.reserve_exact(HISTORY_CAP);
        }
        self.history.push_back((
            now,
            app.app_key.clone(),
            r.caller_nbr.clone(),
            r.callee_nbr.clone(),
            r.display_nbr.clone(),
        ));
    }

    /// Gives them back when the call ends, and remembers how it went when the app has
    /// risk limits (`risk`): the only reader of that history is the app's own risk check,
    /// and kept for every app it grew with every distinct callee, copying two strings a
    /// call (issue 16).
    pub fn release(
        &mut self,
        app_key: &str,
        sp_id: &str,
        r: &CallRequest,
        (answered, talk_seconds): (bool, u64),
        risk: bool,
    ) {
        let n = r.service.ports();
        self.ports = self.ports.saturating_sub(n);
        let dec = |m: &mut BTreeMap<String, u32>, k: &str, by: u32| {
            if let Some(v) = m.get_mut(k) {
                *v = v.saturating_sub(by);
            }
        };
        dec(&mut self.sp_calls, sp_id, 1);
        dec(&mut self.app_calls, app_key, 1);
        dec(&mut self.app_ports, app_key, n);
        dec(&mut self.number_calls, &r.display_nbr, 1);
        if !risk {
            return;
        }
        let q = self
            .results
            .entry((app_key.to_string(), r.callee_nbr.clone()))
            .or_default();
        if q.len() >= 64 {
            q.pop_front();
        }
        q.push_back((answered, talk_seconds));
    }

    /// Free ports (idlePort).
    pub fn idle_ports(&self, cfg: &MockConfig) -> u32 {
        cfg.platform.ports.saturating_sub(self.ports).min(65_535)
    }
}

/// Whether `number` may be presented by `app`.
fn check_display_number(cfg: &MockConfig, app: &AppConfig, number: &str) -> Result<(), Reject> {
    let Some(own) = &app.display_numbers else {
        return Ok(());
    };
    if own.is_empty() {
        return refuse(
            C::ServiceNumberNotApplied,
            format!(
                "app {} has no display numbers (config apps.display_numbers = [])",
                app.app_key
            ),
        );
    }
    match own.iter().find(|n| n.number == number) {
        Some(n) => match n.state {
            NumberState::Active => Ok(()),
            NumberState::Suspended => refuse(
                C::ServiceNumberSuspended,
                format!("display number {number} is suspended"),
            ),
            NumberState::Invalid => refuse(
                C::BindNumInvalid,
                format!("display number {number} is invalid (state = \"invalid\")"),
            ),
        },
        None => {
            let elsewhere = cfg.apps.iter().any(|a| {
                a.display_numbers
                    .iter()
                    .flatten()
                    .any(|n| n.number == number)
            });
            if elsewhere {
                refuse(
                    C::NumberNotBound,
                    format!(
                        "display number {number} is bound to another app, not to {}",
                        app.app_key
                    ),
                )
            } else {
                refuse(
                    C::InvalidDisplayNumber,
                    format!("display number {number} is not provisioned"),
                )
            }
        }
    }
}
