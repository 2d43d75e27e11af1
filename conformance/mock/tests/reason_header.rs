//! `X-Mock-Reason` over HTTP: a refusal quoting the reference (`4.2 表4-3 calleeNbr`)
//! arrives percent-encoded in visible ASCII and decodes to the exact reason, `表` and
//! all (it used to arrive as `?`).

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use voicecall::auth::{sign_request, Credentials};
use voicecall::operations::Operation;

#[tokio::test]
async fn a_reason_with_chinese_text_survives_the_header() {
    let server = start(config()).await;
    let body = json!({
        "displayNbr": "+8675528000001",
        "callerNbr": "+8613800000001",
        "displayCalleeNbr": "+8675528000002",
        "calleeNbr": format!("+86{}", "1".repeat(31)),
    });
    let h = sign_request(&Credentials::new(KEY, SECRET), None, None);
    let r = reqwest::Client::new()
        .post(format!(
            "{}{}",
            server.base_url(),
            Operation::CreateVoiceCallback.wire_path()
        ))
        .header("Content-Type", "application/json;charset=UTF-8")
        .header("Authorization", h.authorization)
        .header("X-AKSK", h.x_aksk)
        .body(body.to_string())
        .timeout(Duration::from_secs(10))
        .send()
        .await
        .unwrap();
    assert!(!r.status().is_success(), "{}", r.status());
    let raw = r
        .headers()
        .get("x-mock-reason")
        .expect("a refusal explains itself")
        .to_str()
        .expect("visible ASCII")
        .to_string();
    assert!(raw.contains("%E8%A1%A84-3"), "{raw}");
    assert!(!raw.contains('?'), "{raw}");
    let reason = voicecall_mock::reason::decode(&raw);
    assert!(reason.contains("(4.2 表4-3 calleeNbr)"), "{reason}");
    server.shutdown().await;
}
