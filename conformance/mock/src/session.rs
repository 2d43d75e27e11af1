//! A call session: what was asked, how each leg goes (its plan), and what happened.
//!
//! The plan is computed when the call is accepted, from the scripted outcomes; the
//! scheduler then plays its steps at their virtual times. callStop cuts the plan short.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::clock::{secs, Clock, VTime};
use crate::mock::Event;
use crate::outcome::{
    EndCodes, Outcome, Party, CALL_STOP_RELEASE, MAX_DURATION_RELEASE, NORMAL_RELEASE,
    PLATFORM_MAX_CALL_SECONDS, RINGING_TIMEOUT_SECONDS,
};

/// The three services.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Service {
    /// §4 voice callback (click2Call).
    Callback,
    /// §5 voice notification.
    Notification,
    /// §6 voice verification code.
    Verification,
}

impl Service {
    /// Service id as the spec writes it.
    pub fn id(self) -> &'static str {
        match self {
            Service::Callback => "callback",
            Service::Notification => "notification",
            Service::Verification => "verification",
        }
    }

    /// `serviceType` of its CDRs (§4.5: 002; §5.4, §6.4: 001).
    pub fn service_type(self) -> &'static str {
        match self {
            Service::Callback => "002",
            Service::Notification | Service::Verification => "001",
        }
    }

    /// Voice ports a call holds (a callback has two legs).
    pub fn ports(self) -> u32 {
        match self {
            Service::Callback => 2,
            _ => 1,
        }
    }
}

/// What the request asked for, read once the request passed validation.
#[derive(Debug, Clone, Serialize)]
pub struct CallRequest {
    /// Service.
    pub service: Service,
    /// displayNbr (shown to A / the callee).
    pub display_nbr: String,
    /// displayCalleeNbr (callback: shown to B).
    pub display_callee_nbr: Option<String>,
    /// callerNbr (callback: party A).
    pub caller_nbr: Option<String>,
    /// calleeNbr (B, or the callee).
    pub callee_nbr: String,
    /// userData, echoed in every push.
    pub user_data: Option<String>,
    /// Status push URL, plain.
    pub status_url: Option<String>,
    /// Fee push URL, plain.
    pub fee_url: Option<String>,
    /// partyTypeRequiredInDisconnect.
    pub party_type: bool,
    /// recordFlag.
    pub record: bool,
    /// maxDuration in minutes (0: none).
    pub max_duration_minutes: u32,
    /// Seconds of audio played after answer (notification items, verification plays).
    pub play_seconds: u32,
    /// TTS plays (templates of a notification; code plays of a verification).
    pub tts_plays: u32,
    /// Digits to collect (notification collectInd; 0: none).
    pub collect: u32,
}

/// One step of a plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// A status event: `eventType` and whether it concerns leg A (callback) or the callee leg.
    Status {
        /// eventType.
        event: &'static str,
        /// Leg A of a callback.
        leg_a: bool,
    },
    /// Digits collected (notification).
    Collect,
    /// The call ends: disconnect event, CDR, ports released.
    End,
}

/// How the call goes, in virtual time.
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Steps in order.
    pub steps: Vec<(VTime, Step)>,
    /// Leg times (callOut* for the first leg, fwd* for the second of a callback).
    pub legs: Legs,
    /// When the call ends.
    pub end: VTime,
    /// Codes of the end.
    pub codes: EndCodes,
    /// Who hung up (partyType): `caller`, `callee` or `platform`.
    pub hung_up_by: &'static str,
    /// Which leg the disconnect event names (callback: A when A ended it).
    pub disconnect_leg_a: bool,
    /// The leg that failed, if any (for failTime, Q.850 fields).
    pub failed_leg_a: Option<bool>,
}

/// Times of the legs.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Legs {
    /// First leg: started, alerting, answered.
    pub out_start: Option<VTime>,
    /// First leg alerting.
    pub out_alert: Option<VTime>,
    /// First leg answered.
    pub out_answer: Option<VTime>,
    /// Second leg (callback B): started.
    pub fwd_start: Option<VTime>,
    /// Second leg alerting.
    pub fwd_alert: Option<VTime>,
    /// Second leg answered.
    pub fwd_answer: Option<VTime>,
}

impl Legs {
    /// Drops every time after `t` (a call stopped at `t`).
    fn cut(&mut self, t: VTime) {
        for slot in [
            &mut self.out_start,
            &mut self.out_alert,
            &mut self.out_answer,
            &mut self.fwd_start,
            &mut self.fwd_alert,
            &mut self.fwd_answer,
        ] {
            if slot.is_some_and(|x| x > t) {
                *slot = None;
            }
        }
    }
}

/// Seconds from dialling to alerting, and from alerting to answer.
const DIAL_TO_ALERT: u64 = 1;
const ALERT_TO_ANSWER: u64 = 4;
/// Seconds A rings B before hanging up in the CallerHangsUpFirst outcome.
const CALLER_PATIENCE: u64 = 3;

/// Builds the plan of a call accepted at `t0`. `outcome_of` gives the scripted outcome of
/// a dialled number; `talk_default` the talk time of an unscripted answer.
pub fn plan(
    req: &CallRequest,
    t0: VTime,
    outcome_of: impl Fn(&str) -> Outcome,
    talk_default: u32,
) -> Plan {
    let mut steps = Vec::new();
    let mut legs = Legs::default();
    let max_talk = match (req.service, req.max_duration_minutes) {
        (Service::Callback, m) if m > 0 => m * 60,
        _ => PLATFORM_MAX_CALL_SECONDS,
    };

    // First leg: A of a callback, or the callee.
    let first_number = req.caller_nbr.as_deref().unwrap_or(&req.callee_nbr);
    let first = outcome_of(first_number);
    let callback = req.service == Service::Callback;
    let mut t = t0 + secs(1);
    legs.out_start = Some(t);
    steps.push((
        t,
        Step::Status {
            event: "callout",
            leg_a: callback,
        },
    ));
    if let Some(fail) = leg_failure(first, callback, &mut t, &mut steps, &mut legs, true) {
        return finish(steps, legs, fail.1, fail.0, "callee", true, Some(true));
    }
    let answer_first = t;
    if !callback {
        // Notification / verification: play, collect, and the platform hangs up.
        let mut end = answer_first + secs(req.play_seconds.max(1) as u64);
        if req.collect > 0 {
            end += secs(2);
            steps.push((end, Step::Collect));
            end += secs(1);
        }
        let (codes, by, end) = match first {
            Outcome::Answered {
                talk_seconds: Some(s),
                hung_up_by: Party::Callee,
            } if answer_first + secs(s as u64) < end => {
                (NORMAL_RELEASE, "callee", answer_first + secs(s as u64))
            }
            _ => (NORMAL_RELEASE, "platform", end),
        };
        steps.retain(|(at, _)| *at <= end);
        return finish(steps, legs, end, codes, by, false, None);
    }

    // Callback: A answered; the platform now calls B.
    legs.fwd_start = Some(t);
    steps.push((
        t,
        Step::Status {
            event: "callout",
            leg_a: false,
        },
    ));
    let second = outcome_of(&req.callee_nbr);
    if second == Outcome::CallerHangsUpFirst {
        let ring = t + secs(DIAL_TO_ALERT);
        legs.fwd_alert = Some(ring);
        steps.push((
            ring,
            Step::Status {
                event: "alerting",
                leg_a: false,
            },
        ));
        let end = ring + secs(CALLER_PATIENCE);
        let codes = second.failure_codes(false).unwrap_or(NORMAL_RELEASE);
        return finish(steps, legs, end, codes, "caller", true, Some(false));
    }
    if let Some(fail) = leg_failure(second, false, &mut t, &mut steps, &mut legs, false) {
        return finish(steps, legs, fail.1, fail.0, "callee", false, Some(false));
    }
    let answered = t;
    let (talk, by, codes) = match second {
        Outcome::Answered {
            talk_seconds,
            hung_up_by,
        } => (
            talk_seconds.unwrap_or(talk_default),
            match hung_up_by {
                Party::Caller => "caller",
                Party::Callee => "callee",
            },
            NORMAL_RELEASE,
        ),
        _ => (u32::MAX, "platform", MAX_DURATION_RELEASE),
    };
    let (end, by, codes) = if talk >= max_talk {
        (
            answered + secs(max_talk as u64),
            "platform",
            MAX_DURATION_RELEASE,
        )
    } else {
        (answered + secs(talk as u64), by, codes)
    };
    finish(steps, legs, end, codes, by, by == "caller", None)
}

/// Plays one leg up to its answer; on failure returns the codes and moves `t` to the
/// failure time.
fn leg_failure(
    outcome: Outcome,
    leg_a: bool,
    t: &mut VTime,
    steps: &mut Vec<(VTime, Step)>,
    legs: &mut Legs,
    first: bool,
) -> Option<(EndCodes, VTime)> {
    let (alert_slot, answer_slot) = if first {
        (&mut legs.out_alert, &mut legs.out_answer)
    } else {
        (&mut legs.fwd_alert, &mut legs.fwd_answer)
    };
    // A leg of a callback cannot "hang up first" on itself; treat it as a plain answer.
    let outcome = match outcome {
        Outcome::CallerHangsUpFirst => Outcome::default(),
        o => o,
    };
    if outcome.rings() {
        *t += secs(DIAL_TO_ALERT);
        *alert_slot = Some(*t);
        steps.push((
            *t,
            Step::Status {
                event: "alerting",
                leg_a,
            },
        ));
    }
    if let Some(codes) = outcome.failure_codes(leg_a) {
        *t += if outcome == Outcome::NoAnswer {
            secs(RINGING_TIMEOUT_SECONDS as u64)
        } else {
            secs(1)
        };
        return Some((codes, *t));
    }
    *t += secs(ALERT_TO_ANSWER);
    *answer_slot = Some(*t);
    steps.push((
        *t,
        Step::Status {
            event: "answer",
            leg_a,
        },
    ));
    None
}

fn finish(
    mut steps: Vec<(VTime, Step)>,
    legs: Legs,
    end: VTime,
    codes: EndCodes,
    hung_up_by: &'static str,
    disconnect_leg_a: bool,
    failed_leg_a: Option<bool>,
) -> Plan {
    steps.push((end, Step::End));
    Plan {
        steps,
        legs,
        end,
        codes,
        hung_up_by,
        disconnect_leg_a,
        failed_leg_a,
    }
}

impl Plan {
    /// Cuts the plan at `t` for callStop: later steps vanish, the call ends at `t` by the
    /// platform with the callStop codes.
    pub fn stop_at(&mut self, t: VTime) {
        self.drop_steps_after(t);
        self.legs.cut(t);
        self.end = t;
        self.codes = CALL_STOP_RELEASE;
        self.hung_up_by = "platform";
        self.failed_leg_a = None;
    }

    /// The plan keeps the steps up to `t` and ends there: introspection shows it, and a
    /// stopped call's events ([`Session::events`]) are these steps. The pushes do not
    /// depend on it (callStop plays the end at once, and a step due later finds the
    /// session ended), so no request to the platform API can observe it; the mock's own
    /// test `call_stop_ends_a_live_session_once` checks it, and `cargo xtask mutants`
    /// leaves it out of the conformance suite's judging (xtask/src/mutants.rs
    /// `MOCK_EXCLUDED`).
    fn drop_steps_after(&mut self, t: VTime) {
        self.steps.retain(|(at, s)| *at <= t && *s != Step::End);
        self.steps.push((t, Step::End));
    }
}

/// A session as the mock keeps it.
#[derive(Debug, Clone, Serialize)]
pub struct Session {
    /// sessionId.
    pub id: String,
    /// The app that placed it.
    pub app_key: String,
    /// The SP of the app.
    pub sp_id: String,
    /// When it was accepted.
    pub accepted_at: VTime,
    /// What was asked.
    pub request: CallRequest,
    /// How it goes.
    pub plan: Plan,
    /// Whether it has ended.
    pub ended: bool,
    /// Recording file name, when recorded and answered.
    pub recording: Option<String>,
    /// Acceptance number (0, 1, …): the session's place in the listing order.
    #[serde(skip)]
    pub(crate) seq: u64,
}

impl Session {
    /// The status events of the call by virtual time `now`, in order: the plan's steps
    /// due by then (all of them once the call has ended; the end only then), each
    /// written by [`Session::event`] at its own time.
    ///
    /// Why derived, not recorded: a call's events are a function of its plan, its
    /// request and the configured digits, none of which changes once a step is due
    /// (callStop cuts the plan at the stop, before the end is played). Writing them when
    /// the scheduler reached each step, for calls nobody pushes to, was a third of a
    /// call's work under load and two kilobytes per retained session (issue 16); a call
    /// with a `statusUrl` still plays every step, and its pushes carry the very bytes
    /// this writes (`tests/lifecycle.rs` compares them).
    pub fn events(
        &self,
        now: VTime,
        clock: &Clock,
        digits: &BTreeMap<String, String>,
    ) -> Vec<Event> {
        self.plan
            .steps
            .iter()
            .filter(|(at, step)| self.ended || (*at <= now && *step != Step::End))
            .map(|(at, step)| {
                let (event, body) = self.event(step, *at, clock, digits);
                (*at, event, Arc::from(body))
            })
            .collect()
    }

    /// The status event of `step` at virtual time `at`: its `eventType` and body, the
    /// bytes its push carries (`Mock::emit` and [`Session::events`] both write it here).
    pub fn event(
        &self,
        step: &Step,
        at: VTime,
        clock: &Clock,
        digits: &BTreeMap<String, String>,
    ) -> (&'static str, String) {
        // Only a collectInfo event carries digits.
        let digits = match step {
            Step::Collect => self.digits(digits),
            _ => String::new(),
        };
        self.status_info(step, &clock.stamp_text(at), &digits)
    }

    /// The digits a collectInfo event reports: the ones configured for the callee, else
    /// as many 1s as the call collects (at least one).
    pub fn digits(&self, configured: &BTreeMap<String, String>) -> String {
        configured
            .get(&self.request.callee_nbr)
            .cloned()
            .unwrap_or_else(|| "1".repeat((self.request.collect as usize).max(1)))
    }

    /// The status push of a step: its `eventType` and the body's JSON text
    /// (`{"eventType": …, "statusInfo": {…}}`, §4.4 表4-13 and the tables of each event).
    ///
    /// Written field by field (`crate::json`), not built as a `serde_json::Value`: a call
    /// plays several steps, and the map and its printing cost more than the whole request
    /// path (issue 16).
    pub fn status_info(&self, step: &Step, at_stamp: &str, digits: &str) -> (&'static str, String) {
        let r = &self.request;
        let numbers = |leg_a: bool| -> (&str, &str) {
            match (r.service, leg_a) {
                (Service::Callback, true) => (
                    r.display_nbr.as_str(),
                    r.caller_nbr.as_deref().unwrap_or(""),
                ),
                (Service::Callback, false) => (
                    r.display_callee_nbr.as_deref().unwrap_or(""),
                    r.callee_nbr.as_str(),
                ),
                _ => (r.display_nbr.as_str(), r.callee_nbr.as_str()),
            }
        };
        let event = match step {
            Step::Status { event, .. } => *event,
            Step::Collect => "collectInfo",
            Step::End => "disconnect",
        };
        let mut body = crate::json::Object::with_capacity(384);
        body.str("eventType", event).object("statusInfo", |info| {
            // The fields every event has, then those of the event's own table (the order
            // the pushes have always had).
            info.str("timestamp", at_stamp);
            match step {
                Step::Status { leg_a, .. } => {
                    let (caller, called) = numbers(*leg_a);
                    info.opt_str("userData", r.user_data.as_deref())
                        .str("sessionId", &self.id)
                        .str("caller", caller)
                        .str("called", called);
                }
                Step::Collect => {
                    // §5.3 表5-15: collectInfo carries timestamp, sessionId and digitInfo
                    // only.
                    info.str("sessionId", &self.id).str("digitInfo", digits);
                }
                Step::End => {
                    let (caller, called) = numbers(self.plan.disconnect_leg_a);
                    info.opt_str("userData", r.user_data.as_deref())
                        .str("sessionId", &self.id)
                        .str("caller", caller)
                        .str("called", called);
                    if r.party_type && r.service == Service::Callback {
                        info.str("partyType", self.plan.hung_up_by);
                    }
                    // The table's own wording, cut to the 28 characters stateDesc allows
                    // (表4-18: String(1-28)).
                    let desc =
                        voicecall::appendix::hangup_reasons::lookup(self.plan.codes.state_code)
                            .map(|e| e.zh)
                            .unwrap_or("挂机");
                    let desc = match desc.char_indices().nth(28) {
                        Some((cut, _)) => &desc[..cut],
                        None => desc,
                    };
                    info.int("stateCode", self.plan.codes.state_code)
                        .str("stateDesc", desc);
                }
            }
        });
        (event, body.finish())
    }
}
