//! The CDR (话单) of a finished call, with the fields §4.5 表4-23, §5.4 表5-21 and §6.4
//! 表6-18 define, its times taken from the same plan as the status events so the two
//! always agree.

use serde_json::{json, Map, Value};

use crate::clock::Clock;
use crate::session::{Service, Session};

/// Where recordings live (recordBucketName).
pub const RECORD_BUCKET: &str = "mock-recordings";

/// The CDR of `s`, whose plan has ended. `icid` is unique per call.
pub fn cdr(s: &Session, clock: &Clock, icid: &str, record_domain: &str, host: &str) -> Value {
    let r = &s.request;
    let p = &s.plan;
    let l = &p.legs;
    let mut m = Map::new();
    let mut put = |k: &str, v: Value| {
        m.insert(k.to_string(), v);
    };
    let stamp = |t: Option<u64>| t.map(|t| json!(clock.stamp(t)));
    put("direction", json!(0));
    put("spId", json!(s.sp_id));
    put("appKey", json!(s.app_key));
    put("icid", json!(icid));
    put("bindNum", json!(r.display_nbr));
    put("sessionId", json!(s.id));
    put("callerNum", json!(r.display_nbr));
    match r.service {
        Service::Callback => {
            put("calleeNum", json!(r.caller_nbr.clone().unwrap_or_default()));
            if l.fwd_start.is_some() {
                put(
                    "fwdDisplayNum",
                    json!(r.display_callee_nbr.clone().unwrap_or_default()),
                );
                put("fwdDstNum", json!(r.callee_nbr));
            }
            for (k, t) in [
                ("fwdStartTime", l.fwd_start),
                ("fwdAlertingTime", l.fwd_alert),
                ("fwdAnswerTime", l.fwd_answer),
            ] {
                if let Some(v) = stamp(t) {
                    put(k, v);
                }
            }
        }
        _ => put("calleeNum", json!(r.callee_nbr)),
    }
    put("callEndTime", json!(clock.stamp(p.end)));
    match p.failed_leg_a {
        Some(leg_a) => {
            let field = if leg_a || r.service != Service::Callback {
                "callOutUnaswRsn"
            } else {
                "fwdUnaswRsn"
            };
            put(field, json!(p.codes.q850));
            put("failTime", json!(clock.stamp(p.end)));
            put("ulFailReason", json!(p.codes.fail_point));
            put("sipStatusCode", json!(p.codes.sip_status));
        }
        None => {
            put("ulFailReason", json!(p.codes.fail_point));
            put("sipStatusCode", json!(0));
        }
    }
    for (k, t) in [
        ("callOutStartTime", l.out_start),
        ("callOutAlertingTime", l.out_alert),
        ("callOutAnswerTime", l.out_answer),
    ] {
        if let Some(v) = stamp(t) {
            put(k, v);
        }
    }
    match (&s.recording, l.fwd_answer) {
        (Some(file), Some(start)) => {
            put("recordFlag", json!(1));
            put("recordStartTime", json!(clock.stamp(start)));
            put("recordObjectName", json!(file));
            put("recordBucketName", json!(RECORD_BUCKET));
            put("recordDomain", json!(record_domain));
            put(
                "recordFileDownloadUrl",
                json!(format!("https://{record_domain}/{RECORD_BUCKET}/{file}")),
            );
        }
        _ => put("recordFlag", json!(0)),
    }
    let plays = if l.out_answer.is_some() {
        r.tts_plays
    } else {
        0
    };
    put("ttsPlayTimes", json!(plays));
    put("ttsTransDuration", json!(if plays > 0 { 1 } else { 0 }));
    put("serviceType", json!(r.service.service_type()));
    put("hostName", json!(host));
    if let Some(u) = &r.user_data {
        put("userData", json!(u));
    }
    Value::Object(m)
}
