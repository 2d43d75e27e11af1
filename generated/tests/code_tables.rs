//! Result codes, operations and appendix tables as Rust: look-ups by (status, code),
//! the code listed under two statuses, per-operation sets, and ranges.

use voicecall::appendix::{fail_points, hangup_reasons, q850};
use voicecall::codes::{tables, ResultCode};
use voicecall::operations::Operation;

#[test]
fn a_code_under_two_statuses_is_two_result_codes() {
    let digest = ResultCode::lookup(401, "1010010").unwrap();
    let flow = ResultCode::lookup(403, "1010010").unwrap();
    assert_ne!(digest, flow);
    assert_eq!(
        (digest.http_status(), digest.english(), digest.chinese()),
        (401, "Invalid digest.", "PasswordDigest校验失败。")
    );
    assert_eq!(
        flow.english(),
        "The flow control upper limit is reached on the platform."
    );
    assert_eq!(flow.remedy(), "请稍等一分钟后再试。");
    assert_eq!(ResultCode::with_code("1010010").count(), 2);
    assert_eq!(ResultCode::lookup(500, "1010010"), None);
    assert!(ResultCode::lookup(200, "0").unwrap().is_success());
}

#[test]
fn every_table_row_maps_to_its_result_code() {
    for op in Operation::ALL {
        let table = op.result_code_table();
        assert!(!table.is_empty());
        for row in table {
            match (row.code, row.result_code) {
                (Some(code), Some(rc)) => {
                    assert_eq!((rc.http_status(), rc.code()), (row.status, code));
                    assert!(op.result_codes().contains(&rc), "{op:?} lacks {rc:?}");
                }
                (None, None) => assert_eq!(row.status, 301, "only the 301 row of 4-30 has no code"),
                other => panic!("{op:?}: inconsistent row {other:?}"),
            }
        }
    }
}

#[test]
fn per_operation_sets_follow_their_tables() {
    let invalid_session = ResultCode::lookup(500, "1020152").unwrap();
    assert!(Operation::TerminateCall
        .result_codes()
        .contains(&invalid_session));
    assert!(!Operation::CreateVoiceCallback
        .result_codes()
        .contains(&invalid_session));
    let template = ResultCode::lookup(403, "1012005").unwrap();
    assert_eq!(template.tables(), &["5-7"]);
    assert_eq!(Operation::GetRecordingDownloadUrl.success_status(), 301);
    assert!(Operation::CreateVoiceCallback.places_call());
    assert!(!Operation::TerminateCall.places_call());
    assert_eq!(
        Operation::CreateVoiceNotification.path(),
        "/rest/httpsessions/callnotify/{version}"
    );
    // Each table keeps its own wording: 1020166's remedy differs between 4-5 and 4-10.
    let remedy = |t: &[voicecall::codes::ResultCodeRow]| {
        t.iter().find(|r| r.code == Some("1020166")).unwrap().remedy
    };
    assert_ne!(remedy(tables::TABLE_4_5), remedy(tables::TABLE_4_10));
    let non_success: usize = [
        tables::TABLE_4_5,
        tables::TABLE_4_10,
        tables::TABLE_4_30,
        tables::TABLE_5_7,
        tables::TABLE_6_5,
    ]
    .iter()
    .map(|t| t.iter().filter(|r| r.status >= 400).count())
    .sum();
    assert_eq!(non_success, 241);
}

#[test]
fn appendix_lookups_prefer_exact_codes_over_ranges() {
    assert_eq!(
        hangup_reasons::ROWS.len() + q850::ROWS.len() + fail_points::ROWS.len(),
        200
    );
    assert_eq!(
        hangup_reasons::lookup(8010).unwrap().zh,
        "超过通话最大时长挂机"
    );
    assert_eq!(q850::lookup(17).unwrap().doc_code, "17");
    // 513 is a fail point of its own, though 400~699 also covers SIP statuses.
    assert_eq!(fail_points::lookup(513).unwrap().zh, "呼叫超时");
    let sip = fail_points::lookup(404).unwrap();
    assert!(sip.is_range() && sip.doc_code == "400~699");
    assert_eq!(fail_points::lookup(2905).unwrap().doc_code, "2901 ~ 2914");
    assert_eq!(fail_points::lookup(2915), None);
    assert_eq!(q850::lookup(15), None);
}
