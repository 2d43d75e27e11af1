//! How a dialled leg ends, and the codes each ending carries in pushes: the hangup
//! reason of the disconnect event (§7.1, `stateCode`), the Q.850 cause (§7.2,
//! `callOutUnaswRsn` / `fwdUnaswRsn`), the fail point (§7.3, `ulFailReason`) and the SIP
//! status (`sipStatusCode`).
//!
//! The reference lists the codes but never pairs them; the pairs below are the mock's
//! reading (the README's outcome table), each checked against the appendix tables by a
//! test so a code that is not in its table cannot slip in.

use serde::Deserialize;

/// Which party ended an answered call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Party {
    /// Party A (the caller of a callback), or the callee of a notification hanging up.
    Caller,
    /// Party B (or the callee of a notification / verification call).
    #[default]
    Callee,
}

/// How a call to one number goes; scripted per number in [`crate::MockConfig::outcomes`]
/// or through `POST /_mock/outcomes`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Answers, talks, and one side hangs up.
    Answered {
        /// Talk time in seconds (absent: the platform default).
        #[serde(default)]
        talk_seconds: Option<u32>,
        /// Who hangs up.
        #[serde(default)]
        hung_up_by: Party,
    },
    /// User busy.
    Busy,
    /// Rings until the ringing timer (60 s) expires.
    NoAnswer,
    /// Handset powered off.
    PoweredOff,
    /// Temporarily unreachable.
    Unreachable,
    /// The number does not exist.
    NotExist,
    /// (callback, on B) Party A hangs up while B is still ringing.
    CallerHangsUpFirst,
    /// Answers and never hangs up: the call ends at maxDuration (callback) or the
    /// platform's limit.
    MaxDuration,
}

impl Default for Outcome {
    fn default() -> Self {
        Outcome::Answered {
            talk_seconds: None,
            hung_up_by: Party::Callee,
        }
    }
}

/// The codes a failed (or ended) leg carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct EndCodes {
    /// §7.1 hangup reason (`stateCode`).
    pub state_code: i64,
    /// §7.2 Q.850 cause.
    pub q850: i64,
    /// §7.3 fail point (`ulFailReason`).
    pub fail_point: i64,
    /// SIP status (`sipStatusCode`), 0 for a normal release.
    pub sip_status: i64,
}

/// Seconds a leg rings before the platform gives up (fail point 514).
pub const RINGING_TIMEOUT_SECONDS: u32 = 60;
/// Longest call the platform lets run when maxDuration is 0 or absent, seconds.
pub const PLATFORM_MAX_CALL_SECONDS: u32 = 24 * 3600;

impl Outcome {
    /// Whether the leg is answered.
    pub fn answers(self) -> bool {
        matches!(self, Outcome::Answered { .. } | Outcome::MaxDuration)
    }

    /// Whether the leg rings before it ends (alerting is pushed).
    pub fn rings(self) -> bool {
        matches!(
            self,
            Outcome::Answered { .. }
                | Outcome::MaxDuration
                | Outcome::NoAnswer
                | Outcome::CallerHangsUpFirst
        )
    }

    /// Codes of a leg that fails with this outcome. `leg_a` selects the caller-side fail
    /// points of §7.3 (8106–8111) for party A of a callback; §7.1 has only callee rows, so
    /// `stateCode` uses those for either leg.
    pub fn failure_codes(self, leg_a: bool) -> Option<EndCodes> {
        let (state_code, q850, sip_status, fail_b, fail_a) = match self {
            Outcome::Busy => (8102, 17, 486, 8102, 8108),
            Outcome::NoAnswer => (8101, 19, 480, 8101, 8107),
            Outcome::PoweredOff => (8104, 20, 480, 8104, 8110),
            Outcome::Unreachable => (8103, 27, 503, 8103, 8109),
            Outcome::NotExist => (8100, 1, 404, 8100, 8106),
            Outcome::CallerHangsUpFirst => (8009, 16, 487, 552, 552),
            Outcome::Answered { .. } | Outcome::MaxDuration => return None,
        };
        Some(EndCodes {
            state_code,
            q850,
            fail_point: if leg_a { fail_a } else { fail_b },
            sip_status,
        })
    }
}

/// Codes of an answered call that ends normally (either party hangs up).
pub const NORMAL_RELEASE: EndCodes = EndCodes {
    state_code: 0,
    q850: 16,
    fail_point: 0,
    sip_status: 0,
};

/// Codes of an answered call ended by the platform at maxDuration.
pub const MAX_DURATION_RELEASE: EndCodes = EndCodes {
    state_code: 8010,
    q850: 16,
    fail_point: 0,
    sip_status: 0,
};

/// Codes of a call ended by callStop (用户指示挂机: the SP's instruction).
pub const CALL_STOP_RELEASE: EndCodes = EndCodes {
    state_code: 8017,
    q850: 16,
    fail_point: 1003,
    sip_status: 0,
};

#[cfg(test)]
mod tests {
    use super::*;
    use voicecall::appendix::{fail_points, hangup_reasons, q850};

    const ALL: [Outcome; 8] = [
        Outcome::Answered {
            talk_seconds: None,
            hung_up_by: Party::Callee,
        },
        Outcome::Busy,
        Outcome::NoAnswer,
        Outcome::PoweredOff,
        Outcome::Unreachable,
        Outcome::NotExist,
        Outcome::CallerHangsUpFirst,
        Outcome::MaxDuration,
    ];

    fn in_tables(c: EndCodes) {
        assert!(hangup_reasons::lookup(c.state_code).is_some(), "{c:?}");
        assert!(q850::lookup(c.q850).is_some(), "{c:?}");
        assert!(fail_points::lookup(c.fail_point).is_some(), "{c:?}");
    }

    #[test]
    fn every_code_is_a_row_of_its_appendix_table() {
        for o in ALL {
            for leg_a in [false, true] {
                if let Some(c) = o.failure_codes(leg_a) {
                    in_tables(c);
                }
            }
        }
        for c in [NORMAL_RELEASE, MAX_DURATION_RELEASE, CALL_STOP_RELEASE] {
            in_tables(c);
        }
    }

    #[test]
    fn descriptions_match_the_outcomes() {
        let desc = |code| hangup_reasons::lookup(code).unwrap().english;
        assert!(desc(Outcome::Busy.failure_codes(false).unwrap().state_code).contains("busy"));
        assert!(
            desc(Outcome::NoAnswer.failure_codes(false).unwrap().state_code)
                .contains("did not answer")
        );
        assert!(
            desc(Outcome::PoweredOff.failure_codes(false).unwrap().state_code)
                .contains("powered off")
        );
        assert!(desc(MAX_DURATION_RELEASE.state_code).contains("maximum duration"));
        let fp = |code| fail_points::lookup(code).unwrap().english;
        assert!(
            fp(Outcome::Busy.failure_codes(true).unwrap().fail_point).contains("Caller is busy")
        );
    }
}
