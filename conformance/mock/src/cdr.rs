//! The CDR (话单) of a finished call, with the fields §4.5 表4-23, §5.4 表5-21 and §6.4
//! 表6-18 define, its times taken from the same plan as the status events so the two
//! always agree.
//!
//! The record is a typed struct serialized straight to JSON text: every call ends in
//! one, and building it as a `serde_json::Value` (a SipHash and an allocation per field,
//! 33 fields) and printing that cost more than the whole request path (issue 16).
//! [`cdr`] still gives the `Value` for those who rewrite or inspect it; both come from
//! one [`Cdr`], so they cannot differ.

use serde::Serialize;
use serde_json::Value;

use crate::clock::Clock;
use crate::session::{Service, Session};

/// Where recordings live (recordBucketName).
pub const RECORD_BUCKET: &str = "mock-recordings";

/// One CDR, its fields in the order the pushes carry them (absent ones left out).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Cdr<'a> {
    direction: u8,
    sp_id: &'a str,
    app_key: &'a str,
    icid: &'a str,
    bind_num: &'a str,
    session_id: &'a str,
    caller_num: &'a str,
    callee_num: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fwd_display_num: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fwd_dst_num: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fwd_start_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fwd_alerting_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fwd_answer_time: Option<String>,
    call_end_time: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_out_unasw_rsn: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fwd_unasw_rsn: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_time: Option<String>,
    ul_fail_reason: i64,
    sip_status_code: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_out_start_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_out_alerting_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    call_out_answer_time: Option<String>,
    record_flag: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_start_time: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_object_name: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_bucket_name: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_domain: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    record_file_download_url: Option<String>,
    tts_play_times: u32,
    tts_trans_duration: u8,
    service_type: &'static str,
    host_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_data: Option<&'a str>,
}

impl<'a> Cdr<'a> {
    /// The CDR of `s`, whose plan has ended. `icid` is unique per call.
    pub fn of(
        s: &'a Session,
        clock: &Clock,
        icid: &'a str,
        record_domain: &'a str,
        host: &'a str,
    ) -> Self {
        let r = &s.request;
        let p = &s.plan;
        let l = &p.legs;
        let stamp = |t: Option<u64>| t.map(|t| clock.stamp(t));
        let callback = r.service == Service::Callback;
        let forwarded = callback && l.fwd_start.is_some();
        let (out_rsn, fwd_rsn, fail_time, sip) = match p.failed_leg_a {
            Some(leg_a) => {
                let rsn = Some(p.codes.q850);
                let (out, fwd) = if leg_a || !callback {
                    (rsn, None)
                } else {
                    (None, rsn)
                };
                (out, fwd, Some(clock.stamp(p.end)), p.codes.sip_status)
            }
            None => (None, None, None, 0),
        };
        let recorded = match (&s.recording, l.fwd_answer) {
            (Some(file), Some(start)) => Some((file.as_str(), start)),
            _ => None,
        };
        let plays = if l.out_answer.is_some() {
            r.tts_plays
        } else {
            0
        };
        Cdr {
            direction: 0,
            sp_id: &s.sp_id,
            app_key: &s.app_key,
            icid,
            bind_num: &r.display_nbr,
            session_id: &s.id,
            caller_num: &r.display_nbr,
            callee_num: if callback {
                r.caller_nbr.as_deref().unwrap_or("")
            } else {
                &r.callee_nbr
            },
            fwd_display_num: forwarded.then(|| r.display_callee_nbr.as_deref().unwrap_or("")),
            fwd_dst_num: forwarded.then_some(r.callee_nbr.as_str()),
            fwd_start_time: if callback { stamp(l.fwd_start) } else { None },
            fwd_alerting_time: if callback { stamp(l.fwd_alert) } else { None },
            fwd_answer_time: if callback { stamp(l.fwd_answer) } else { None },
            call_end_time: clock.stamp(p.end),
            call_out_unasw_rsn: out_rsn,
            fwd_unasw_rsn: fwd_rsn,
            fail_time,
            ul_fail_reason: p.codes.fail_point,
            sip_status_code: sip,
            call_out_start_time: stamp(l.out_start),
            call_out_alerting_time: stamp(l.out_alert),
            call_out_answer_time: stamp(l.out_answer),
            record_flag: u8::from(recorded.is_some()),
            record_start_time: recorded.map(|(_, start)| clock.stamp(start)),
            record_object_name: recorded.map(|(file, _)| file),
            record_bucket_name: recorded.map(|_| RECORD_BUCKET),
            record_domain: recorded.map(|_| record_domain),
            record_file_download_url: recorded
                .map(|(file, _)| format!("https://{record_domain}/{RECORD_BUCKET}/{file}")),
            tts_play_times: plays,
            tts_trans_duration: u8::from(plays > 0),
            service_type: r.service.service_type(),
            host_name: host,
            user_data: r.user_data.as_deref(),
        }
    }

    /// The record as JSON text (what a fee push's `feeLst` carries).
    pub fn to_json(&self) -> String {
        // Strings and integers into a `Vec`: serializing cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }

    /// The record as a `Value` (to rewrite or inspect it).
    pub fn to_value(&self) -> Value {
        serde_json::to_value(self).unwrap_or_default()
    }
}

/// The CDR of `s`, whose plan has ended, as a `Value`. `icid` is unique per call.
pub fn cdr(s: &Session, clock: &Clock, icid: &str, record_domain: &str, host: &str) -> Value {
    Cdr::of(s, clock, icid, record_domain, host).to_value()
}
