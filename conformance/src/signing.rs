//! Signing properties end to end, and routing: every defect of the `Authorization` and
//! `X-AKSK` headers, with the code the spec's signing scheme gives it
//! (`voicecall::signing::REQUEST`, generated from `spec/signing.yaml`).
//!
//! The probe request is a callStop of a session that does not exist, so no case can
//! ring a phone: a request that passes authentication gets 1020152 (表4-10).

use serde_json::json;
use time::OffsetDateTime;
use voicecall::auth::{format_created, new_nonce, Credentials};
use voicecall::codes::ResultCode;
use voicecall::operations::Operation;
use voicecall::signing::{Attribute, REQUEST};

use crate::result::{CaseResult, Expected, Verdict};
use crate::target::{request_for, Request, Response, Sender, Signing};

/// A signing case: the headers to send and the code expected.
struct AuthCase {
    id: String,
    doc: String,
    authorization: Option<String>,
    x_aksk: Option<String>,
    expect: Option<ResultCode>,
    /// Send twice; judge the second answer (replay).
    twice: bool,
}

fn expected_of(code: Option<ResultCode>) -> Expected {
    let c = code.unwrap_or(ResultCode::InvalidSessionId);
    Expected {
        status: c.http_status(),
        code: Some(c.code().to_string()),
    }
}

fn attrs(list: &[(&str, String)]) -> String {
    list.iter()
        .map(|(k, v)| format!("{k}=\"{v}\""))
        .collect::<Vec<_>>()
        .join(",")
}

/// Authorization from the scheme's attributes, with `edit` applied to one.
fn authorization(edit: Option<(&str, Option<&str>)>) -> String {
    let list: Vec<(&str, String)> = REQUEST
        .authorization_attributes
        .iter()
        .filter_map(|a: &Attribute| {
            let v = a.value.unwrap_or_default().to_string();
            match edit {
                Some((name, None)) if name == a.name => None,
                Some((name, Some(w))) if name == a.name => Some((a.name, w.to_string())),
                _ => Some((a.name, v)),
            }
        })
        .collect();
    format!("{} {}", REQUEST.authorization_scheme, attrs(&list))
}

/// X-AKSK for `creds` with a correct digest over (nonce, created), then `edit`.
fn x_aksk(
    creds: &Credentials,
    nonce: &str,
    created: &str,
    edit: Option<(&str, Option<String>)>,
) -> String {
    let digest = creds.signer().request_digest(nonce, created);
    let values = [
        ("Username", creds.app_key.clone()),
        ("PasswordDigest", digest),
        ("Nonce", nonce.to_string()),
        ("Created", created.to_string()),
    ];
    let list: Vec<(&str, String)> = values
        .iter()
        .filter_map(|(k, v)| match &edit {
            Some((name, None)) if name == k => None,
            Some((name, Some(w))) if name == k => Some((*k, w.clone())),
            _ => Some((*k, v.clone())),
        })
        .collect();
    format!("{} {}", REQUEST.token, attrs(&list))
}

fn cases(creds: &Credentials) -> Vec<AuthCase> {
    let now = || format_created(OffsetDateTime::now_utc());
    let good_auth = || Some(authorization(None));
    let mut out = vec![AuthCase {
        id: "signed".into(),
        doc: format!("a correctly signed request ({})", REQUEST.doc),
        authorization: good_auth(),
        x_aksk: Some(x_aksk(creds, &new_nonce(), &now(), None)),
        expect: None,
        twice: false,
    }];
    let wrong = Credentials::new(creds.app_key.clone(), "not-the-secret");
    out.push(AuthCase {
        id: "wrong-secret".into(),
        doc: "PasswordDigest made with another secret".into(),
        authorization: good_auth(),
        x_aksk: Some(x_aksk(&wrong, &new_nonce(), &now(), None)),
        expect: REQUEST.invalid_digest,
        twice: false,
    });
    // Tampered nonce: digest over one nonce, another sent.
    let (n, c) = (new_nonce(), now());
    let mut tampered = x_aksk(creds, &n, &c, None);
    tampered = tampered.replace(
        &format!("Nonce=\"{n}\""),
        &format!("Nonce=\"{}\"", new_nonce()),
    );
    out.push(AuthCase {
        id: "tampered-nonce".into(),
        doc: "Nonce changed after signing".into(),
        authorization: good_auth(),
        x_aksk: Some(tampered),
        expect: REQUEST.invalid_digest,
        twice: false,
    });
    let digest = creds.signer().request_digest(&new_nonce(), &now());
    let flipped: String = digest.chars().rev().collect();
    out.push(AuthCase {
        id: "tampered-digest".into(),
        doc: "PasswordDigest changed".into(),
        authorization: good_auth(),
        x_aksk: Some(x_aksk(
            creds,
            &new_nonce(),
            &now(),
            Some(("PasswordDigest", Some(flipped))),
        )),
        expect: REQUEST.invalid_digest,
        twice: false,
    });
    let stale = format_created(OffsetDateTime::now_utc() - time::Duration::hours(2));
    out.push(AuthCase {
        id: "stale-created".into(),
        doc: "Created two hours old".into(),
        authorization: good_auth(),
        x_aksk: Some(x_aksk(creds, &new_nonce(), &stale, None)),
        expect: REQUEST.stale_created,
        twice: false,
    });
    out.push(AuthCase {
        id: "replayed-nonce".into(),
        doc: "the same signed headers sent twice".into(),
        authorization: good_auth(),
        x_aksk: Some(x_aksk(creds, &new_nonce(), &now(), None)),
        expect: REQUEST.replayed_nonce,
        twice: true,
    });
    let stranger = Credentials::new("no-such-app-key", "x");
    out.push(AuthCase {
        id: "unknown-app-key".into(),
        doc: "Username names no app".into(),
        authorization: good_auth(),
        x_aksk: Some(x_aksk(&stranger, &new_nonce(), &now(), None)),
        expect: REQUEST.unknown_app_key,
        twice: false,
    });
    out.push(AuthCase {
        id: "no-authorization".into(),
        doc: "Authorization header missing".into(),
        authorization: None,
        x_aksk: Some(x_aksk(creds, &new_nonce(), &now(), None)),
        expect: REQUEST.authorization_missing,
        twice: false,
    });
    // The scheme word of the Authorization row (format authorization_aksk): another
    // scheme (with the right attributes) is not an AKSK Authorization header at all.
    out.push(AuthCase {
        id: "authorization-wrong-scheme".into(),
        doc: format!(
            "Authorization in another scheme (Basic …, not {}): no AKSK Authorization header",
            REQUEST.authorization_scheme
        ),
        authorization: Some(authorization(None).replacen(REQUEST.authorization_scheme, "Basic", 1)),
        x_aksk: Some(x_aksk(creds, &new_nonce(), &now(), None)),
        expect: REQUEST.authorization_missing,
        twice: false,
    });
    for a in REQUEST.authorization_attributes {
        out.push(AuthCase {
            id: format!("authorization-without-{}", a.name),
            doc: format!("Authorization without {}", a.name),
            authorization: Some(authorization(Some((a.name, None)))),
            x_aksk: Some(x_aksk(creds, &new_nonce(), &now(), None)),
            expect: a.missing,
            twice: false,
        });
        if a.wrong.is_some() {
            out.push(AuthCase {
                id: format!("authorization-wrong-{}", a.name),
                doc: format!("Authorization with a wrong {}", a.name),
                authorization: Some(authorization(Some((a.name, Some("Wrong"))))),
                x_aksk: Some(x_aksk(creds, &new_nonce(), &now(), None)),
                expect: a.wrong,
                twice: false,
            });
        }
    }
    out.push(AuthCase {
        id: "no-x-aksk".into(),
        doc: "X-AKSK header missing".into(),
        authorization: good_auth(),
        x_aksk: None,
        expect: REQUEST.x_aksk_missing,
        twice: false,
    });
    let without_token =
        x_aksk(creds, &new_nonce(), &now(), None).replacen(&format!("{} ", REQUEST.token), "", 1);
    out.push(AuthCase {
        id: "x-aksk-without-token".into(),
        doc: format!("X-AKSK without the {} token", REQUEST.token),
        authorization: good_auth(),
        x_aksk: Some(without_token),
        expect: REQUEST.token_missing,
        twice: false,
    });
    for a in REQUEST.x_aksk_attributes {
        out.push(AuthCase {
            id: format!("x-aksk-without-{}", a.name),
            doc: format!("X-AKSK without {}", a.name),
            authorization: good_auth(),
            x_aksk: Some(x_aksk(creds, &new_nonce(), &now(), Some((a.name, None)))),
            expect: a.missing,
            twice: false,
        });
    }
    out
}

/// A request to `op` that passes authentication but is refused before any call is
/// placed, and the answer it gets: callStop of an unknown session (1020152), download of
/// an unknown recording (1012007), or an empty body for the others (their
/// `rejects.request` code).
fn probe(op: Operation) -> (Request, ResultCode) {
    match op {
        Operation::TerminateCall => (
            request_for(
                op,
                &json!({ "sessionid": format!("conformance-{}", new_nonce()), "signal": "call_stop" }),
            ),
            ResultCode::InvalidSessionId,
        ),
        Operation::GetRecordingDownloadUrl => (
            request_for(
                op,
                &json!({ "fileName": format!("conformance-{}.wav", new_nonce()), "recordDomain": "record.example.com" }),
            ),
            ResultCode::RecordNotFound,
        ),
        _ => (
            request_for(op, &json!({})),
            op.rejection(voicecall::Rule::Required, voicecall::Severity::Error)
                .unwrap_or(ResultCode::InvalidRequest),
        ),
    }
}

/// Runs the signing and routing cases of every operation against `base` with `creds`.
pub async fn run(sender: &Sender, base: &str, creds: &Credentials) -> Vec<CaseResult> {
    // One task per operation (each sequential: the replay case sends twice in a row).
    let tasks: Vec<_> = Operation::ALL
        .iter()
        .copied()
        .map(|op| {
            let (sender, base, creds) = (sender.clone(), base.to_string(), creds.clone());
            tokio::spawn(async move { run_operation(&sender, &base, &creds, op).await })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.extend(t.await.unwrap_or_default());
    }
    out.extend(unknown_path(sender, base, creds).await);
    out
}

async fn run_operation(
    sender: &Sender,
    base: &str,
    creds: &Credentials,
    op: Operation,
) -> Vec<CaseResult> {
    let mut out = Vec::new();
    {
        let api = op.name();
        for c in cases(creds) {
            let (probe, passed_auth) = probe(op);
            let req = Request {
                signing: Signing::Raw {
                    authorization: c.authorization.clone(),
                    x_aksk: c.x_aksk.clone(),
                },
                ..probe
            };
            let mut r = sender.send(base, creds, &req).await;
            if c.twice {
                r = sender.send(base, creds, &req).await;
            }
            let expected = expected_of(c.expect.or(Some(passed_auth)));
            out.push(judge(
                api,
                format!("signing/{}", c.id),
                c.doc,
                expected,
                r,
                req,
            ));
        }
        // Routing: the wrong method gets 1010006 where the table lists it (表4-5: 检查请求方法填写是否正确).
        let code = ResultCode::InvalidRestApi;
        if op.result_codes().contains(&code) {
            let exp = Expected {
                status: code.http_status(),
                code: Some(code.code().into()),
            };
            let (probe, _) = probe(op);
            let method = if op.method() == "GET" { "POST" } else { "GET" };
            let wrong = Request {
                method,
                body: None,
                headers: Vec::new(),
                signing: Signing::Request,
                ..probe
            };
            let r = sender.send(base, creds, &wrong).await;
            out.push(judge(
                api,
                "routing/wrong-method".into(),
                format!("{method} on {}", op.wire_path()),
                exp,
                r,
                wrong,
            ));
        }
    }
    out
}

async fn unknown_path(sender: &Sender, base: &str, creds: &Credentials) -> Vec<CaseResult> {
    let mut out = Vec::new();
    let code = ResultCode::InvalidRestApi;
    let exp = Expected {
        status: code.http_status(),
        code: Some(code.code().into()),
    };
    let (probe, _) = probe(Operation::TerminateCall);
    let unknown = Request {
        path: "/rest/httpsessions/noSuchApi/v2.0".into(),
        signing: Signing::Request,
        ..probe
    };
    let r = sender.send(base, creds, &unknown).await;
    out.push(judge(
        "Routing",
        "routing/unknown-path".into(),
        "a path no API has".into(),
        exp,
        r,
        unknown,
    ));
    out
}

fn judge(
    api: &str,
    id: String,
    doc: String,
    expected: Expected,
    actual: Response,
    request: Request,
) -> CaseResult {
    let verdict = if expected.matches(&actual) {
        Verdict::Passed
    } else {
        Verdict::Failed
    };
    CaseResult {
        api: api.into(),
        rule: Some(id.clone()),
        id,
        doc,
        expected,
        actual,
        verdict,
        note: None,
        request,
    }
}

/// The ids of the signing and routing rules of `op`, for coverage.
pub fn rule_ids(op: Operation, creds: &Credentials) -> Vec<String> {
    let mut ids: Vec<String> = cases(creds)
        .into_iter()
        .map(|c| format!("signing/{}", c.id))
        .collect();
    if op.result_codes().contains(&ResultCode::InvalidRestApi) {
        ids.push("routing/wrong-method".into());
    }
    ids
}
