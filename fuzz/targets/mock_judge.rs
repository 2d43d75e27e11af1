//! Fuzz target `mock_judge`: the mock's judging of a signed request with any body to
//! any operation. Never panics, never answers 5xx other than the tables' 500 codes,
//! and a body with a key repeated in one object is never accepted.

use std::net::{IpAddr, Ipv4Addr};

use voicecall::auth::{sign_request, Credentials};
use voicecall::operations::Operation;
use voicecall_mock::{Mock, MockConfig, MockRequest};

pub fn run(mock: &Mock, data: &[u8]) {
    let Some((&pick, body)) = data.split_first() else {
        return;
    };
    let op = Operation::ALL[usize::from(pick) % Operation::ALL.len()];
    let h = sign_request(&Credentials::new("k", "s"), None, None);
    let get = op == Operation::GetRecordingDownloadUrl;
    let req = MockRequest {
        method: if get { "GET" } else { "POST" }.into(),
        path: op.wire_path().into(),
        query: if get {
            String::from_utf8_lossy(body).into_owned()
        } else {
            String::new()
        },
        headers: vec![
            ("Authorization".into(), h.authorization),
            ("X-AKSK".into(), h.x_aksk),
            (
                "Content-Type".into(),
                "application/json;charset=UTF-8".into(),
            ),
        ],
        body: if get { Vec::new() } else { body.to_vec() },
    };
    let r = mock.handle(&req, IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert!(
        r.status == 200
            || r.status == 403
            || r.status == 500
            || r.status == 301
            || r.status == 400
            || r.status == 401,
        "{}",
        r.status
    );
    if r.status == 200 && !get {
        assert!(!has_duplicate_key(body), "a repeated key was accepted");
    }
}

/// A mock for the target: one app `k`/`s`, manual clock (no call plays).
pub fn mock() -> Mock {
    let mut c = MockConfig::single_app("k", "s");
    c.clock = voicecall_mock::ClockConfig::Manual;
    Mock::new(c)
}

fn has_duplicate_key(body: &[u8]) -> bool {
    // serde_json's Value keeps the last key; count keys per object by re-parsing each
    // object through a map that records repeats.
    fn walk(v: &str) -> bool {
        let mut de = serde_json::Deserializer::from_str(v);
        serde::de::Deserializer::deserialize_any(&mut de, Dup).unwrap_or(false)
    }
    struct Dup;
    impl<'de> serde::de::Visitor<'de> for Dup {
        type Value = bool;
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("JSON")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut m: A) -> Result<bool, A::Error> {
            let mut seen = std::collections::HashSet::new();
            let mut dup = false;
            while let Some(k) = m.next_key::<String>()? {
                dup |= !seen.insert(k);
                dup |= m.next_value::<DupSeed>()?.0;
            }
            Ok(dup)
        }
        fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut s: A) -> Result<bool, A::Error> {
            let mut dup = false;
            while let Some(d) = s.next_element::<DupSeed>()? {
                dup |= d.0;
            }
            Ok(dup)
        }
        fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_str<E>(self, _: &str) -> Result<bool, E> {
            Ok(false)
        }
        fn visit_unit<E>(self) -> Result<bool, E> {
            Ok(false)
        }
    }
    struct DupSeed(bool);
    impl<'de> serde::Deserialize<'de> for DupSeed {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_any(Dup).map(DupSeed)
        }
    }
    std::str::from_utf8(body).is_ok_and(walk)
}
