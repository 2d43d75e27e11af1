//! The CDR (话单) of a finished call, with the fields §4.5 表4-23, §5.4 表5-21 and §6.4
//! 表6-18 define, its times taken from the same plan as the status events so the two
//! always agree.
//!
//! The record is a typed struct written straight to JSON text (`crate::json`): every
//! call ends in one, and building it as a `serde_json::Value` (a SipHash and an
//! allocation per field, 33 fields) and printing that cost more than the whole request
//! path (issue 16). [`cdr`] still gives the `Value` for those who rewrite or inspect
//! it, read back from that text, so the two cannot differ.

use serde_json::Value;

use crate::json::Object;

use crate::clock::{Clock, Stamp};
use crate::session::{Service, Session};

/// Where recordings live (recordBucketName).
pub const RECORD_BUCKET: &str = "mock-recordings";

/// One CDR, its fields in the order the pushes carry them (absent ones left out).
#[derive(Debug, Clone)]
pub struct Cdr<'a> {
    direction: u8,
    sp_id: &'a str,
    app_key: &'a str,
    icid: &'a str,
    bind_num: &'a str,
    session_id: &'a str,
    caller_num: &'a str,
    callee_num: &'a str,
    fwd_display_num: Option<&'a str>,
    fwd_dst_num: Option<&'a str>,
    fwd_start_time: Option<Stamp>,
    fwd_alerting_time: Option<Stamp>,
    fwd_answer_time: Option<Stamp>,
    call_end_time: Stamp,
    call_out_unasw_rsn: Option<i64>,
    fwd_unasw_rsn: Option<i64>,
    fail_time: Option<Stamp>,
    ul_fail_reason: i64,
    sip_status_code: i64,
    call_out_start_time: Option<Stamp>,
    call_out_alerting_time: Option<Stamp>,
    call_out_answer_time: Option<Stamp>,
    record_flag: u8,
    record_start_time: Option<Stamp>,
    record_object_name: Option<&'a str>,
    record_bucket_name: Option<&'static str>,
    record_domain: Option<&'a str>,
    record_file_download_url: Option<String>,
    tts_play_times: u32,
    tts_trans_duration: u8,
    service_type: &'static str,
    host_name: &'a str,
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
        let stamp = |t: Option<u64>| t.map(|t| clock.stamp_text(t));
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
                (out, fwd, Some(clock.stamp_text(p.end)), p.codes.sip_status)
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
            call_end_time: clock.stamp_text(p.end),
            call_out_unasw_rsn: out_rsn,
            fwd_unasw_rsn: fwd_rsn,
            fail_time,
            ul_fail_reason: p.codes.fail_point,
            sip_status_code: sip,
            call_out_start_time: stamp(l.out_start),
            call_out_alerting_time: stamp(l.out_alert),
            call_out_answer_time: stamp(l.out_answer),
            record_flag: u8::from(recorded.is_some()),
            record_start_time: recorded.map(|(_, start)| clock.stamp_text(start)),
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

    /// The record as JSON text (what a fee push's `feeLst` carries), its fields in the
    /// order the pushes have always had, absent ones left out.
    pub fn to_json(&self) -> String {
        let mut o = Object::with_capacity(1024);
        o.int("direction", i64::from(self.direction))
            .str("spId", self.sp_id)
            .str("appKey", self.app_key)
            .str("icid", self.icid)
            .str("bindNum", self.bind_num)
            .str("sessionId", self.session_id)
            .str("callerNum", self.caller_num)
            .str("calleeNum", self.callee_num)
            .opt_str("fwdDisplayNum", self.fwd_display_num)
            .opt_str("fwdDstNum", self.fwd_dst_num)
            .opt_str("fwdStartTime", self.fwd_start_time.as_deref())
            .opt_str("fwdAlertingTime", self.fwd_alerting_time.as_deref())
            .opt_str("fwdAnswerTime", self.fwd_answer_time.as_deref())
            .str("callEndTime", &self.call_end_time)
            .opt_int("callOutUnaswRsn", self.call_out_unasw_rsn)
            .opt_int("fwdUnaswRsn", self.fwd_unasw_rsn)
            .opt_str("failTime", self.fail_time.as_deref())
            .int("ulFailReason", self.ul_fail_reason)
            .int("sipStatusCode", self.sip_status_code)
            .opt_str("callOutStartTime", self.call_out_start_time.as_deref())
            .opt_str(
                "callOutAlertingTime",
                self.call_out_alerting_time.as_deref(),
            )
            .opt_str("callOutAnswerTime", self.call_out_answer_time.as_deref())
            .int("recordFlag", i64::from(self.record_flag))
            .opt_str("recordStartTime", self.record_start_time.as_deref())
            .opt_str("recordObjectName", self.record_object_name)
            .opt_str("recordBucketName", self.record_bucket_name)
            .opt_str("recordDomain", self.record_domain)
            .opt_str(
                "recordFileDownloadUrl",
                self.record_file_download_url.as_deref(),
            )
            .int("ttsPlayTimes", i64::from(self.tts_play_times))
            .int("ttsTransDuration", i64::from(self.tts_trans_duration))
            .str("serviceType", self.service_type)
            .str("hostName", self.host_name)
            .opt_str("userData", self.user_data);
        o.finish()
    }

    /// The record as a `Value` (to rewrite or inspect it), read back from [`Cdr::to_json`].
    pub fn to_value(&self) -> Value {
        // The text is JSON by construction; `Null` would mark a broken invariant.
        serde_json::from_str(&self.to_json()).unwrap_or_default()
    }
}

/// The CDR of `s`, whose plan has ended, as a `Value`. `icid` is unique per call.
pub fn cdr(s: &Session, clock: &Clock, icid: &str, record_domain: &str, host: &str) -> Value {
    Cdr::of(s, clock, icid, record_domain, host).to_value()
}
