//! Where a failure's expectation comes from, for the report: the spec file a case's
//! rule lives in and the row of the reference's result-code table that the expected
//! answer is. Every failure names both, so a reader can open the table row (and, for the
//! signing cases, `spec/signing.yaml`) without knowing how the case was made.

use voicecall::codes::ResultCode;
use voicecall::operations::Operation;
use voicecall::signing::REQUEST;

use crate::result::{CaseResult, Expected};

/// The result-code table of `op` (`"4-5"`): of the tables every row of the operation's
/// table lists, the one that lists exactly those codes (table 6-5 is a subset of 4-5, so
/// "lists them all" alone is not enough). Read from the generated tables, so it follows
/// spec/.
pub fn table_of(op: Operation) -> Option<&'static str> {
    let codes = |o: Operation| -> Vec<ResultCode> {
        o.result_code_table()
            .iter()
            .filter_map(|r| r.result_code)
            .collect()
    };
    let own = codes(op);
    let listing = |t: &str| -> Vec<ResultCode> {
        let mut all: Vec<ResultCode> = Operation::ALL
            .iter()
            .flat_map(|o| codes(*o))
            .filter(|c| c.tables().contains(&t))
            .collect();
        all.sort_by_key(|c| (c.http_status(), c.code()));
        all.dedup();
        all
    };
    let mut own_sorted = own.clone();
    own_sorted.sort_by_key(|c| (c.http_status(), c.code()));
    own_sorted.dedup();
    own.first()?
        .tables()
        .iter()
        .copied()
        .find(|t| own.iter().all(|c| c.tables().contains(t)) && listing(t) == own_sorted)
}

/// The table row the expected answer is, e.g. `表4-5 403/1010006 (Invalid REST API)`:
/// in the table of the case's operation, else every table that lists the pair.
pub fn expected_row(api: &str, expected: &Expected) -> Option<String> {
    let code = expected.code.as_deref()?;
    let rc = ResultCode::lookup(expected.status, code)?;
    let op = Operation::ALL.iter().copied().find(|o| o.name() == api);
    let tables = match op.and_then(table_of) {
        Some(t) => format!("表{t}"),
        None => format!("表{}", rc.tables().join(", 表")),
    };
    Some(format!(
        "{tables} {}/{} ({})",
        expected.status,
        code,
        rc.english()
    ))
}

/// The spec file that states the case's rule, by the case's kind.
pub fn spec_source(result: &CaseResult) -> Option<String> {
    if result.id.starts_with("signing/") {
        Some(format!(
            "spec/signing.yaml, scheme {} (the X-AKSK rows of {})",
            REQUEST.id, REQUEST.doc
        ))
    } else if result.id.starts_with("routing/") {
        Some(
            "the operation's method and path (spec/*/ operation files); the code is its table's"
                .into(),
        )
    } else {
        None
    }
}

/// The rule a failure names: the case's rule, or for cases made without one (the
/// generated valid requests, the duplicate-key request) what they exercise.
pub fn rule_name(result: &CaseResult) -> String {
    match &result.rule {
        Some(r) => r.clone(),
        None if result.id.contains("/valid/") => format!(
            "{}.valid (a request every rule of its tables allows is answered as the table's success row)",
            result.api
        ),
        None => result.id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_operation_has_its_own_table() {
        let tables: Vec<_> = Operation::ALL.iter().map(|o| table_of(*o)).collect();
        assert_eq!(
            tables,
            [
                Some("4-5"),
                Some("4-10"),
                Some("4-30"),
                Some("5-7"),
                Some("6-5")
            ],
            "{:?}",
            Operation::ALL
        );
    }

    #[test]
    fn rows_name_the_table_and_the_pair() {
        let e = Expected {
            status: 403,
            code: Some("1010006".into()),
        };
        let row = expected_row("TerminateCall", &e).unwrap();
        assert!(row.starts_with("表4-10 403/1010006 ("), "{row}");
        let anywhere = expected_row("Routing", &e).unwrap();
        assert!(anywhere.contains("表4-5, 表"), "{anywhere}");
        assert_eq!(
            expected_row(
                "TerminateCall",
                &Expected {
                    status: 200,
                    code: None
                }
            ),
            None
        );
    }
}
