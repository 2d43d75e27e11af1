//! How the mock judges a request, step by step, as the platform's tables say:
//!
//! 1. route: unknown path or wrong method → 403/1010006;
//! 2. authentication (the verifier of `voicecall::auth`): every 1023xxx code,
//!    401/1010010, 401/1010013, 403/1010003;
//! 3. the app: state, rights, sender IP, request rates, injected faults;
//! 4. the request: Content-Type, body size, JSON, then the generated validators of every
//!    field and rule → the operation's `rejects` codes (spec, erratum
//!    `parameter-error-codes`);
//! 5. the operation: numbers, recording, lists, frequency, risk, capacity (placing a
//!    call), the session (callStop), the recording (download).
//!
//! The README of this crate has the table of the choices the reference leaves open.

use std::net::IpAddr;

use base64::Engine as _;
use serde_json::{Map, Value};
use voicecall::codes::ResultCode as C;
use voicecall::operations::Operation;
use voicecall::registry;
use voicecall::runtime::Severity;

use crate::mock::Mock;
use crate::policy::{app_admits, service_of};
use crate::reject::{refuse, Reject};
use crate::session::{plan, CallRequest, Service, Session};

/// A request as the mock sees it.
#[derive(Debug, Clone, Default)]
pub struct MockRequest {
    /// HTTP method.
    pub method: String,
    /// Path without the query.
    pub path: String,
    /// Raw query string.
    pub query: String,
    /// Headers (name, value); names compared case-insensitively.
    pub headers: Vec<(String, String)>,
    /// Body bytes.
    pub body: Vec<u8>,
}

impl MockRequest {
    /// A signed JSON request of `op` as the HTTP face hands it over: the operation's
    /// method and path, `Content-Type: application/json;charset=UTF-8`, the two signed
    /// headers and `Content-Length`. For driving [`Mock::handle`] without HTTP (tests,
    /// benches, examples).
    pub fn signed(
        op: Operation,
        signed: &voicecall::auth::SignedHeaders,
        body: impl Into<Vec<u8>>,
    ) -> Self {
        let body = body.into();
        MockRequest {
            method: op.method().into(),
            path: op.wire_path().into(),
            query: String::new(),
            headers: vec![
                (
                    "content-type".into(),
                    "application/json;charset=UTF-8".into(),
                ),
                ("authorization".into(), signed.authorization.clone()),
                ("x-aksk".into(), signed.x_aksk.clone()),
                ("content-length".into(), body.len().to_string()),
            ],
            body,
        }
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// The mock's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MockResponse {
    /// HTTP status.
    pub status: u16,
    /// Extra headers (Location, X-Mock-Reason).
    pub headers: Vec<(String, String)>,
    /// JSON body, when there is one.
    pub body: Option<String>,
}

impl MockResponse {
    fn reject(r: Reject) -> Self {
        MockResponse {
            status: r.code.http_status(),
            headers: vec![("X-Mock-Reason".into(), crate::reason::encode(&r.reason))],
            body: Some(answer(r.code.code(), r.code.english(), None, None)),
        }
    }

    fn ok(body: String) -> Self {
        MockResponse {
            status: 200,
            headers: Vec::new(),
            body: Some(body),
        }
    }

    /// The result code of the body, when it has one.
    pub fn resultcode(&self) -> Option<String> {
        let v: Value = serde_json::from_str(self.body.as_deref()?).ok()?;
        v.get("resultcode")?.as_str().map(String::from)
    }
}

/// The JSON body of an answer (表4-4 and its kin): the result code and text, and for a
/// placed call its sessionId (and idlePort when asked for), in that order.
fn answer(code: &str, desc: &str, session_id: Option<&str>, idle_port: Option<u32>) -> String {
    let mut o = crate::json::Object::with_capacity(160);
    o.str("resultcode", code)
        .str("resultdesc", desc)
        .opt_str("sessionId", session_id)
        .opt_int("idlePort", idle_port.map(i64::from));
    o.finish()
}

impl Mock {
    /// Judges a request from `peer` and answers it.
    ///
    /// The answer's code is always one the operation's own table lists: a cause whose
    /// code another table has (1010007 and 1011006 exist only in 表4-30) is answered with
    /// the operation's nearest code (1010008 for the app's state, else 1010002), and the
    /// `X-Mock-Reason` header says so.
    pub fn handle(&self, req: &MockRequest, peer: IpAddr) -> MockResponse {
        let op = match route(&req.method, &req.path) {
            Ok(op) => op,
            Err(r) => {
                let op = Operation::ALL
                    .iter()
                    .copied()
                    .find(|o| o.wire_path() == req.path);
                return MockResponse::reject(match op {
                    Some(op) => within_table(op, r),
                    None => r,
                });
            }
        };
        match self.judge(op, req, peer) {
            Ok(r) => r,
            Err(r) => MockResponse::reject(within_table(op, r)),
        }
    }

    fn judge(
        &self,
        op: Operation,
        req: &MockRequest,
        peer: IpAddr,
    ) -> Result<MockResponse, Reject> {
        let verified = self
            .inner
            .verifier
            .verify(
                req.header("Authorization"),
                req.header("X-AKSK"),
                time::OffsetDateTime::now_utc(),
            )
            .map_err(|e| {
                Reject::new(
                    e.code.unwrap_or(C::InvalidDigest),
                    format!("{} [{}]", e.detail, e.attribute),
                )
            })?;
        let app_key = verified.app_key.to_string();
        let Some(app) = self.inner.config.app(&app_key) else {
            return refuse(C::InvalidAppKey, "Username names no provisioned app");
        };
        app_admits(app, op, peer)?;
        let now = self.inner.clock.now();
        {
            let mut st = self.state();
            st.usage.count_request(&self.inner.config, app, now)?;
            if let Some(k) = st
                .injections
                .iter()
                .position(|i| i.count > 0 && i.operation.is_none_or(|o| o == op.name()))
            {
                // A spent injection leaves the list at once, so the list holds only
                // injections still to fire.
                let i = &mut st.injections[k];
                i.count -= 1;
                let code = i.code;
                if i.count == 0 {
                    st.injections.remove(k);
                }
                return refuse(code, "injected fault (Mock::inject / POST /_mock/inject)");
            }
        }
        let mut value = read_input(self, op, req)?;
        check_fields(op, &value)?;
        match op {
            Operation::TerminateCall => {
                let id = value.get("sessionid").and_then(Value::as_str).unwrap_or("");
                if self.stop(&app_key, id) {
                    Ok(MockResponse::ok(answer("0", "Success", None, None)))
                } else {
                    refuse(
                        C::InvalidSessionId,
                        format!("no live session {id:?} of this app"),
                    )
                }
            }
            Operation::GetRecordingDownloadUrl => {
                if !app.recording {
                    return refuse(
                        C::RecordingNotEnabled,
                        "recording is not enabled for the app (config apps.recording)",
                    );
                }
                let file = value.get("fileName").and_then(Value::as_str).unwrap_or("");
                let domain = value
                    .get("recordDomain")
                    .and_then(Value::as_str)
                    .unwrap_or("");
                let owner = self
                    .state()
                    .recordings
                    .get(&(file.to_string(), domain.to_string()))
                    .cloned();
                match owner {
                    Some(a) if a == app_key => Ok(MockResponse {
                        status: 301,
                        headers: vec![(
                            "Location".into(),
                            format!(
                                "https://{domain}/{}/{file}?expires=3600",
                                crate::cdr::RECORD_BUCKET
                            ),
                        )],
                        body: None,
                    }),
                    _ => refuse(
                        C::RecordNotFound,
                        format!("no recording {file:?} on {domain:?} for this app"),
                    ),
                }
            }
            _ => self.place_call(op, app, &mut value, now),
        }
    }

    fn place_call(
        &self,
        op: Operation,
        app: &crate::config::AppConfig,
        v: &mut Value,
        now: u64,
    ) -> Result<MockResponse, Reject> {
        let return_idle = flag(v, "returnIdlePort");
        let req = call_request(op, v, &self.inner.config, app)?;
        let beijing_hour = ((self.inner.clock.wall(now).hour() as u32 + 8) % 24) as u8;
        let mut st = self.state();
        st.usage
            .admit_call(&self.inner.config, app, &req, now, beijing_hour)?;
        st.usage.take(app, &req, now);
        let prefix = match req.service {
            Service::Callback => "1201_",
            Service::Notification => "1202_",
            Service::Verification => "1203_",
        };
        // `{prefix}_{seq}_0_{yyyyMMddHHmmss}@{host}`, written once (no `format!`, no
        // copy: the answer is written before the id moves into the session).
        let host = &self.inner.config.platform.host_name;
        let mut id = String::with_capacity(48 + host.len());
        id.push_str(prefix);
        id.push_str(itoa::Buffer::new().format(self.next_seq()));
        id.push_str("_0_");
        id.extend(
            self.inner
                .clock
                .stamp_text(now)
                .chars()
                .filter(char::is_ascii_digit),
        );
        id.push('@');
        id.push_str(host);
        let outcomes = &st.outcomes;
        let p = plan(
            &req,
            now,
            |n| outcomes.get(n).copied().unwrap_or_default(),
            self.inner.config.platform.default_talk_seconds,
        );
        let idle = st.usage.idle_ports(&self.inner.config);
        let body = answer("0", "Success", Some(&id), return_idle.then_some(idle));
        let session = Session {
            id,
            app_key: app.app_key.clone(),
            sp_id: app.sp_id.clone(),
            accepted_at: now,
            request: req,
            plan: p,
            ended: false,
            recording: None,
            seq: 0,
        };
        self.start_session(&mut st, session);
        Ok(MockResponse::ok(body))
    }
}

/// `r`, or the operation's nearest code when its table lacks `r.code`.
fn within_table(op: Operation, r: Reject) -> Reject {
    if op.result_codes().contains(&r.code) {
        return r;
    }
    let state = matches!(
        r.code,
        C::AccountNotActive | C::TrafficControlled | C::ApplicationUnavailable | C::AppKeyInvalid
    );
    let fallback = [C::AppKeySuspended, C::InvalidRequest]
        .into_iter()
        .filter(|c| state || *c == C::InvalidRequest)
        .find(|c| op.result_codes().contains(c))
        .unwrap_or(C::InvalidRequest);
    Reject::new(
        fallback,
        format!(
            "{} (the cause's code {} is not in the table of {}; answering {})",
            r.reason,
            r.code.code(),
            op.name(),
            fallback.code()
        ),
    )
}

/// The operation of a method and path; 1010006 otherwise (表4-5: 检查请求方法填写是否正确).
pub fn route(method: &str, path: &str) -> Result<Operation, Reject> {
    let by_path = Operation::ALL
        .iter()
        .copied()
        .find(|o| o.wire_path() == path);
    match by_path {
        Some(op) if op.method().eq_ignore_ascii_case(method) => Ok(op),
        Some(op) => refuse(
            C::InvalidRestApi,
            format!("{path} takes {}, not {method}", op.method()),
        ),
        None => refuse(C::InvalidRestApi, format!("no API at {path}")),
    }
}

/// The JSON the operation's validators check: the body of a POST (after Content-Type,
/// size and syntax checks), the query of the recording download.
fn read_input(mock: &Mock, op: Operation, req: &MockRequest) -> Result<Value, Reject> {
    let bad = op
        .rejection(voicecall::Rule::Required, Severity::Error)
        .unwrap_or(C::InvalidRequest);
    if op == Operation::GetRecordingDownloadUrl {
        let mut m = Map::new();
        for pair in req.query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let (Some(k), Some(v)) = (percent_decode(k), percent_decode(v)) else {
                return refuse(bad, "the query is not valid percent-encoded UTF-8");
            };
            if m.contains_key(&k) {
                return refuse(bad, format!("the query names {k:?} twice"));
            }
            m.insert(k, Value::String(v));
        }
        return Ok(Value::Object(m));
    }
    let ct = req.header("Content-Type").unwrap_or("");
    if !is_json_utf8(ct) {
        return refuse(
            bad,
            format!("Content-Type is {ct:?}; 表4-1 requires application/json;charset=UTF-8"),
        );
    }
    let max = mock.inner.config.platform.max_body_bytes;
    if req.body.len() > max {
        return refuse(bad, format!("the body has {} bytes; the mock accepts at most {max} (config platform.max_body_bytes)", req.body.len()));
    }
    parse_json(&req.body).map_err(|e| Reject::new(bad, format!("the body is not JSON: {e}")))
}

/// Parses a request body into a `Value`, refusing a key repeated in one object (at any
/// depth): `serde_json::Value` keeps the last, the typed parse of the generated crate
/// refuses the body, and one body must have one reading.
pub fn parse_json(body: &[u8]) -> Result<Value, serde_json::Error> {
    serde_json::from_slice::<Unique>(body).map(|u| u.0)
}

/// A JSON value whose objects have no repeated key.
struct Unique(Value);

impl<'de> serde::Deserialize<'de> for Unique {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueVisitor).map(Unique)
    }
}

struct UniqueVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(Unique(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut m = Map::new();
        while let Some(k) = map.next_key::<String>()? {
            if m.contains_key(&k) {
                return Err(serde::de::Error::custom(format_args!(
                    "the key {k:?} appears twice in one object"
                )));
            }
            let Unique(v) = map.next_value()?;
            m.insert(k, v);
        }
        Ok(Value::Object(m))
    }
}

/// `application/json`, with `charset=UTF-8` or no charset; case and spaces as RFC 9110 allows.
fn is_json_utf8(ct: &str) -> bool {
    let mut parts = ct.split(';').map(str::trim);
    if !parts
        .next()
        .is_some_and(|t| t.eq_ignore_ascii_case("application/json"))
    {
        return false;
    }
    parts.all(|p| match p.split_once('=') {
        Some((k, v)) if k.trim().eq_ignore_ascii_case("charset") => {
            v.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        Some(_) => true,
        None => p.is_empty(),
    })
}

/// Form decoding of one query component (`%XX`, `+` as a space); None when it is not
/// UTF-8 or a `%` is not followed by two hex digits.
///
/// Bounded: every step consumes at least one byte, so the loop runs at most `b.len()`
/// times; a step that did not (as a mutant of `i += 1` does) ends the loop after
/// `b.len()` steps with a wrong decoding, instead of spinning under the state of a live
/// server. (No check after the loop: every byte is read by then, and a check that can
/// never fire was an equivalent mutant.)
fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    for _ in 0..b.len() {
        if i >= b.len() {
            break;
        }
        match b[i] {
            b'%' => {
                let h = std::str::from_utf8(b.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 3;
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).ok()
}

/// The message an operation's input is checked against.
pub fn input_message(op: Operation) -> &'static str {
    match op {
        Operation::CreateVoiceCallback => "CreateVoiceCallbackRequest",
        Operation::TerminateCall => "TerminateCallRequest",
        Operation::GetRecordingDownloadUrl => "GetRecordingDownloadUrlQuery",
        Operation::CreateVoiceNotification => "CreateVoiceNotificationRequest",
        Operation::CreateVoiceVerificationCode => "CreateVoiceVerificationCodeRequest",
    }
}

/// Runs the generated validators; the first error decides the code, a request-class
/// error (unreadable request) before a value-class one (spec `rejects`).
fn check_fields(op: Operation, v: &Value) -> Result<(), Reject> {
    let bad = op
        .rejection(voicecall::Rule::Required, Severity::Error)
        .unwrap_or(C::InvalidRequest);
    let violations = match registry::validate_json(input_message(op), v) {
        None => return Ok(()),
        Some(Err(e)) => return refuse(bad, format!("{}: {e}", input_message(op))),
        Some(Ok(v)) => v,
    };
    let mut worst: Option<(C, String)> = None;
    for x in violations.iter().filter(|x| x.severity == Severity::Error) {
        let Some(code) = op.rejection(x.rule, x.severity) else {
            continue;
        };
        let request_class = code == bad;
        let better = match &worst {
            None => true,
            Some((c, _)) => request_class && *c != bad,
        };
        if better {
            worst = Some((code, format!("{x}")));
        }
    }
    match worst {
        Some((code, why)) => refuse(code, why),
        None => Ok(()),
    }
}

/// A String(enum) flag of the request (`"true"` / `"false"`, e.g. 表4-3 recordFlag).
/// Only a string is read: a JSON boolean in these rows is a type violation that
/// `check_fields` refuses before any flag is read.
fn flag(v: &Value, name: &str) -> bool {
    v.get(name).and_then(Value::as_str) == Some("true")
}

/// A string field, moved out of the request (read once, after validation; the request
/// is dropped with the call placed, so nothing is copied).
fn text(v: &mut Value, name: &str) -> Option<String> {
    match v.get_mut(name).map(Value::take) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// A push URL: the request's (Base64-decoded, §4.2 表4-3 statusUrl) or the app's.
fn url(v: &mut Value, name: &str, fallback: &Option<String>) -> Option<String> {
    text(v, name)
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok())
        .or_else(|| fallback.clone())
}

/// Reads what the plan needs from a validated request.
fn call_request(
    op: Operation,
    v: &mut Value,
    cfg: &crate::config::MockConfig,
    app: &crate::config::AppConfig,
) -> Result<CallRequest, Reject> {
    let service = service_of(op);
    let mut r = CallRequest {
        service,
        display_nbr: text(v, "displayNbr").unwrap_or_default(),
        display_callee_nbr: None,
        caller_nbr: None,
        callee_nbr: text(v, "calleeNbr").unwrap_or_default(),
        user_data: text(v, "userData"),
        status_url: url(v, "statusUrl", &app.status_url),
        fee_url: url(v, "feeUrl", &app.fee_url),
        party_type: false,
        record: false,
        max_duration_minutes: 0,
        play_seconds: 0,
        tts_plays: 0,
        collect: 0,
    };
    match service {
        Service::Callback => {
            r.display_callee_nbr = text(v, "displayCalleeNbr");
            r.caller_nbr = text(v, "callerNbr");
            r.party_type = flag(v, "partyTypeRequiredInDisconnect");
            r.record = flag(v, "recordFlag");
            r.max_duration_minutes =
                v.get("maxDuration").and_then(Value::as_u64).unwrap_or(0) as u32;
        }
        Service::Notification => {
            let items = v
                .get("playInfoList")
                .and_then(Value::as_array)
                .map(Vec::as_slice)
                .unwrap_or_default();
            for item in items {
                r.play_seconds += 5;
                if let Some(t) = item.get("templateId").and_then(Value::as_str) {
                    r.tts_plays += 1;
                    check_template(cfg, app, t, item)?;
                }
                if let Some(n) = item.get("collectInd").and_then(Value::as_u64) {
                    r.collect = r.collect.max(n as u32);
                }
            }
        }
        Service::Verification => {
            // times 0 means "loop until hung up" (表6-3); the mock plays it 3 times.
            let times = v.get("times").and_then(Value::as_u64).unwrap_or(3);
            let times = if times == 0 { 3 } else { times as u32 };
            r.tts_plays = times;
            r.play_seconds = 2 + 4 * times;
        }
    }
    Ok(r)
}

/// A template is the app's own (erratum `foreign-app-resources`: another app's
/// template is no template of this one, a value outside what the row admits → 1020001);
/// 1012005: the values of a configured template's variables must fit. A template no
/// app's config names is accepted (the mock cannot know every approved template).
fn check_template(
    cfg: &crate::config::MockConfig,
    app: &crate::config::AppConfig,
    id: &str,
    item: &Value,
) -> Result<(), Reject> {
    let Some(maxes) = app.templates.get(id) else {
        if let Some(owner) = cfg.apps.iter().find(|a| a.templates.contains_key(id)) {
            return refuse(
                C::ParameterError,
                format!(
                    "template {id} belongs to app {}, not to {} (erratum foreign-app-resources)",
                    owner.app_key, app.app_key
                ),
            );
        }
        return Ok(());
    };
    let paras: Vec<&str> = item
        .get("templateParas")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    if paras.len() != maxes.len() {
        return refuse(
            C::TemplateParasMismatch,
            format!(
                "template {id} has {} variables; templateParas has {}",
                maxes.len(),
                paras.len()
            ),
        );
    }
    for (i, (p, max)) in paras.iter().zip(maxes).enumerate() {
        if p.chars().count() > *max {
            return refuse(
                C::TemplateParasMismatch,
                format!("templateParas[{i}] has {} characters; variable {i} of template {id} takes at most {max}", p.chars().count()),
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_by_path_then_method() {
        assert_eq!(
            route("POST", "/rest/httpsessions/click2Call/v2.0").unwrap(),
            Operation::CreateVoiceCallback
        );
        assert_eq!(
            route("GET", "/rest/httpsessions/click2Call/v2.0")
                .unwrap_err()
                .code,
            C::InvalidRestApi
        );
        assert_eq!(
            route("POST", "/rest/nothing").unwrap_err().code,
            C::InvalidRestApi
        );
        assert_eq!(
            route("GET", "/rest/provision/voice/record/v1.0").unwrap(),
            Operation::GetRecordingDownloadUrl
        );
    }

    #[test]
    fn content_types() {
        assert!(is_json_utf8("application/json;charset=UTF-8"));
        assert!(is_json_utf8("application/json; charset=utf-8"));
        assert!(is_json_utf8("Application/JSON"));
        assert!(!is_json_utf8("application/json;charset=GBK"));
        assert!(!is_json_utf8("text/plain"));
        assert!(!is_json_utf8(""));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%2Fb+c").as_deref(), Some("a/b c"));
        assert_eq!(percent_decode("%E4%B8%AD").as_deref(), Some("中"));
        assert_eq!(percent_decode("%ZZ"), None);
        assert_eq!(percent_decode("%E4"), None);
        // Every byte read, whatever the mix (the loop's bound is the input's length).
        let long = "+%41a".repeat(1000);
        assert_eq!(percent_decode(&long), Some(" Aa".repeat(1000)));
        assert_eq!(percent_decode(""), Some(String::new()));
    }
}
