//! Coverage, measured: which rules of the spec and which result codes of each table the
//! run exercised. A rule or code that went unexercised fails the run unless it is listed
//! here with the reason; a listed one that starts being exercised fails it too, so the
//! lists only ever shrink on purpose.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use voicecall::codes::ResultCode as C;
use voicecall::operations::Operation;
use voicecall_codegen::spec::Spec;

use crate::cases;
use crate::result::{CaseResult, Verdict};

const INTERNAL: &str = "caused inside the platform (internal error, timeout of a network element, unpublished security criteria); no request can cause it";

/// Result codes no request can cause on its own, with the reason. The codes of
/// provisioning and load are produced on the embedded mock by the provisioned scenarios
/// ([`crate::provisioned`]) and listed against a live target only (with the reason
/// [`crate::provisioned::LIVE_REASON`]).
pub const NOT_FROM_REQUESTS: &[(C, &str)] = &[
    (C::SystemError, INTERNAL),
    (C::InternalError, INTERNAL),
    (C::AuthInternalError, INTERNAL),
    (C::ResponseTimeout, INTERNAL),
    (C::SouthboundElementError, INTERNAL),
    (C::IpBlockedAfterAuthFailures, INTERNAL),
    (C::SecurityControlUnknown, INTERNAL),
    (C::AbnormalCallBehaviour, INTERNAL),
];

const NO_CALLER: &str = "the operation's request has no callerNbr (表5-3, 表6-3 list only calleeNbr), so neither a request nor a provisioned state can make the caller the cause";
const NO_RECORDING: &str = "the operation's request has no recordFlag (recording is the callback's, 表4-3), so no request asks for what the app lacks";

/// Result codes of one operation's table that no request of that operation can cause,
/// although other operations' requests can (the table lists the code for every service).
pub const NOT_FOR_OPERATION: &[(Operation, C, &str)] = &[
    (
        Operation::CreateVoiceNotification,
        C::InvalidCallerNumber,
        NO_CALLER,
    ),
    (
        Operation::CreateVoiceNotification,
        C::CallerBlacklisted,
        NO_CALLER,
    ),
    (
        Operation::CreateVoiceNotification,
        C::CallerFrequencyLimited,
        NO_CALLER,
    ),
    (
        Operation::CreateVoiceNotification,
        C::RecordingNotEnabled,
        NO_RECORDING,
    ),
    (
        Operation::CreateVoiceVerificationCode,
        C::InvalidCallerNumber,
        NO_CALLER,
    ),
    (
        Operation::CreateVoiceVerificationCode,
        C::CallerBlacklisted,
        NO_CALLER,
    ),
    (
        Operation::CreateVoiceVerificationCode,
        C::CallerFrequencyLimited,
        NO_CALLER,
    ),
    (
        Operation::CreateVoiceVerificationCode,
        C::RecordingNotEnabled,
        NO_RECORDING,
    ),
];

/// Counts of one API.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ApiCoverage {
    /// Cases sent.
    pub run: usize,
    /// Passed.
    pub passed: usize,
    /// Failed.
    pub failed: usize,
    /// Not sent (live safety).
    pub skipped: usize,
    /// Rules exercised.
    pub rules_covered: usize,
    /// Rules in the spec (including the listed ones).
    pub rules_total: usize,
    /// Rules listed as not exercisable, with the reason.
    pub rules_listed: usize,
    /// Result codes exercised (table rows).
    pub codes_exercised: usize,
    /// Rows of the result-code table.
    pub codes_total: usize,
    /// Codes listed as not reachable from requests.
    pub codes_listed: usize,
}

/// Coverage of a run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Coverage {
    /// Per API.
    pub apis: BTreeMap<String, ApiCoverage>,
    /// Rules neither exercised nor listed: (API, rule id).
    pub missing_rules: Vec<(String, String)>,
    /// Codes neither exercised nor listed: (API, "status code").
    pub missing_codes: Vec<(String, String)>,
    /// Codes listed as unreachable that were exercised: the list must change.
    pub listed_but_exercised: Vec<(String, String)>,
}

impl Coverage {
    /// Whether coverage is complete.
    pub fn complete(&self) -> bool {
        self.missing_rules.is_empty()
            && self.missing_codes.is_empty()
            && self.listed_but_exercised.is_empty()
    }
}

fn code_text(status: u16, code: Option<&str>) -> String {
    format!("{status} {}", code.unwrap_or("-"))
}

/// Measures the coverage of a platform run (operations, signing, routing). `skip_codes`
/// are exercised only on targets that can (e.g. 301 needs a recording): listed with the
/// reason by the caller.
pub fn platform(
    spec: &Spec,
    results: &[CaseResult],
    signing_rules: impl Fn(Operation) -> Vec<String>,
    not_here: &[(String, &str)],
) -> Coverage {
    let mut cov = Coverage::default();
    for op in Operation::ALL.iter().copied() {
        let api = op.name().to_string();
        let mine: Vec<&CaseResult> = results.iter().filter(|r| r.api == api).collect();
        let mut a = ApiCoverage {
            run: mine
                .iter()
                .filter(|r| r.verdict != Verdict::Skipped)
                .count(),
            passed: mine.iter().filter(|r| r.verdict == Verdict::Passed).count(),
            failed: mine.iter().filter(|r| r.verdict == Verdict::Failed).count(),
            skipped: mine
                .iter()
                .filter(|r| r.verdict == Verdict::Skipped)
                .count(),
            ..ApiCoverage::default()
        };
        // Rules: the spec's rule universe plus the signing and routing rules.
        let exercised: BTreeSet<&str> = mine
            .iter()
            .filter(|r| r.verdict != Verdict::Skipped)
            .filter_map(|r| r.rule.as_deref())
            .collect();
        // Listed: rules no request can break alone, and rules whose only cases were not
        // sent here (they would place a call on a live endpoint without --allow-calls).
        let mut listed: BTreeSet<String> = cases::unmutatable(spec, op.name())
            .into_iter()
            .map(|(r, _)| r.id)
            .collect();
        listed.extend(
            mine.iter()
                .filter(|r| r.verdict == Verdict::Skipped)
                .filter_map(|r| r.rule.clone()),
        );
        let mut universe: Vec<String> = cases::rules(spec, op.name())
            .into_iter()
            .map(|r| r.id)
            .collect();
        universe.extend(signing_rules(op));
        a.rules_total = universe.len();
        for id in &universe {
            if exercised.contains(id.as_str()) {
                a.rules_covered += 1;
            } else if listed.contains(id) {
                a.rules_listed += 1;
            } else {
                cov.missing_rules.push((api.clone(), id.clone()));
            }
        }
        // Codes: every row of the operation's table.
        let seen: BTreeSet<(u16, Option<String>)> = mine
            .iter()
            .filter(|r| r.verdict != Verdict::Skipped)
            .map(|r| (r.expected.status, r.expected.code.clone()))
            .collect();
        for row in op.result_code_table() {
            a.codes_total += 1;
            let key = (row.status, row.code.map(String::from));
            let hit = seen.contains(&key);
            let text = code_text(row.status, row.code);
            let reason = row
                .result_code
                .and_then(|c| NOT_FROM_REQUESTS.iter().find(|(x, _)| *x == c))
                .map(|(_, r)| *r)
                .or_else(|| {
                    NOT_FOR_OPERATION
                        .iter()
                        .find(|(o, c, _)| *o == op && Some(*c) == row.result_code)
                        .map(|(_, _, r)| *r)
                })
                .or_else(|| not_here.iter().find(|(t, _)| *t == text).map(|(_, r)| *r));
            match (hit, reason) {
                (true, None) => a.codes_exercised += 1,
                (true, Some(_)) => {
                    a.codes_exercised += 1;
                    cov.listed_but_exercised.push((api.clone(), text));
                }
                (false, Some(_)) => a.codes_listed += 1,
                (false, None) => cov.missing_codes.push((api.clone(), text)),
            }
        }
        cov.apis.insert(api, a);
    }
    let routing: Vec<CaseResult> = results
        .iter()
        .filter(|r| r.api == "Routing")
        .cloned()
        .collect();
    if !routing.is_empty() {
        let ids: Vec<String> = routing.iter().filter_map(|r| r.rule.clone()).collect();
        add_api(&mut cov, "Routing", &routing, &ids);
    }
    cov
}

/// Adds an API whose rules are `rule_ids` (each exercised by a case with that rule).
pub fn add_api(cov: &mut Coverage, api: &str, results: &[CaseResult], rule_ids: &[String]) {
    let exercised: BTreeSet<&str> = results.iter().filter_map(|r| r.rule.as_deref()).collect();
    let mut a = ApiCoverage {
        run: results.len(),
        passed: results
            .iter()
            .filter(|r| r.verdict == Verdict::Passed)
            .count(),
        failed: results
            .iter()
            .filter(|r| r.verdict == Verdict::Failed)
            .count(),
        rules_total: rule_ids.len(),
        ..ApiCoverage::default()
    };
    for id in rule_ids {
        if exercised.contains(id.as_str()) {
            a.rules_covered += 1;
        } else {
            cov.missing_rules.push((api.to_string(), id.clone()));
        }
    }
    cov.apis.insert(api.to_string(), a);
}

/// Measures the coverage of a receiver run: every event type of every notification
/// (rule ids `<notification>/<event type>`, one API per notification).
pub fn receiver(results: &[CaseResult], rule_ids: &[String]) -> Coverage {
    let mut by_api: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for id in rule_ids {
        let n = id.split('/').next().unwrap_or(id);
        by_api
            .entry(format!("Receiver:{n}"))
            .or_default()
            .push(id.clone());
    }
    let mut cov = Coverage::default();
    for (api, ids) in by_api {
        let mine: Vec<CaseResult> = results.iter().filter(|r| r.api == api).cloned().collect();
        add_api(&mut cov, &api, &mine, &ids);
    }
    cov
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listed_codes_are_codes_of_the_tables() {
        let all: BTreeSet<C> = Operation::ALL
            .iter()
            .flat_map(|o| o.result_codes().iter().copied())
            .collect();
        for (c, _) in NOT_FROM_REQUESTS {
            assert!(all.contains(c), "{c:?}");
        }
        for (o, c, _) in NOT_FOR_OPERATION {
            assert!(o.result_codes().contains(c), "{o:?} {c:?}");
        }
    }
}
