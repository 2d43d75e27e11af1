//! JSON text of the bodies the mock writes on a call's path: answers, status events and
//! CDRs.
//!
//! Each call writes about 3 KB of JSON (seven status events and a CDR of up to 33
//! fields). Built as a `serde_json::Value` and printed, that was two thirds of a call's
//! instructions: a SipHash and an allocation per field, then printing through `fmt`
//! (issue 16). Serialized from typed structs it still spent a quarter of them in
//! serde_json's escaping loop, which inspects every byte of every string one at a time.
//! [`Object`] writes the fields in order into one buffer, copies a string whole when a
//! branch-free scan finds nothing to escape, and otherwise escapes it with serde_json
//! itself, so the bytes are serde_json's either way (the tests hold it to that).

/// A JSON object written field by field. Keys are the mock's own constants, written
/// as they are (they never need escaping).
#[derive(Debug)]
pub(crate) struct Object {
    buf: String,
    empty: bool,
}

impl Object {
    /// An object whose text is expected to take about `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        let mut buf = String::with_capacity(capacity);
        buf.push('{');
        Object { buf, empty: true }
    }

    fn key(&mut self, key: &'static str) {
        debug_assert!(!needs_escape(key), "key {key:?}");
        if !self.empty {
            self.buf.push(',');
        }
        self.empty = false;
        self.buf.push('"');
        self.buf.push_str(key);
        self.buf.push_str("\":");
    }

    /// `"key":"value"`.
    pub(crate) fn str(&mut self, key: &'static str, value: &str) -> &mut Self {
        self.key(key);
        push_string(&mut self.buf, value);
        self
    }

    /// `"key":"value"` when there is a value; nothing otherwise.
    pub(crate) fn opt_str(&mut self, key: &'static str, value: Option<&str>) -> &mut Self {
        if let Some(v) = value {
            self.str(key, v);
        }
        self
    }

    /// `"key":n`.
    pub(crate) fn int(&mut self, key: &'static str, value: i64) -> &mut Self {
        self.key(key);
        self.buf.push_str(itoa::Buffer::new().format(value));
        self
    }

    /// `"key":n` when there is a number; nothing otherwise.
    pub(crate) fn opt_int(&mut self, key: &'static str, value: Option<i64>) -> &mut Self {
        if let Some(v) = value {
            self.int(key, v);
        }
        self
    }

    /// `"key":{…}`: a nested object, its fields written by `fields` into the same buffer.
    pub(crate) fn object(
        &mut self,
        key: &'static str,
        fields: impl FnOnce(&mut Object),
    ) -> &mut Self {
        self.key(key);
        let mut inner = Object {
            buf: std::mem::take(&mut self.buf),
            empty: true,
        };
        inner.buf.push('{');
        fields(&mut inner);
        self.buf = inner.finish();
        self
    }

    /// The text, closed.
    pub(crate) fn finish(mut self) -> String {
        self.buf.push('}');
        self.buf
    }
}

/// Whether `s` has a byte JSON strings must escape (`"`, `\`, or a control byte below
/// 0x20; serde_json escapes exactly these). Branch-free over the bytes, so the compiler
/// vectorizes it (a word-at-a-time scan by hand counted more instructions).
fn needs_escape(s: &str) -> bool {
    s.bytes().fold(false, |acc, b| {
        acc | (b < 0x20) | (b == b'"') | (b == b'\\')
    })
}

/// Appends `s` as a JSON string.
fn push_string(buf: &mut String, s: &str) {
    if needs_escape(s) {
        // Rare (a value carrying quotes or control characters): serde_json's own escaping.
        // A `&str` always serializes.
        buf.push_str(&serde_json::to_string(s).unwrap_or_default());
    } else {
        buf.push('"');
        buf.push_str(s);
        buf.push('"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn writes_fields_in_order() {
        let mut o = Object::with_capacity(4);
        o.str("eventType", "callout")
            .object("statusInfo", |inner| {
                inner.str("a", "x").opt_str("none", None).int("n", -12);
            })
            .object("empty", |_| {})
            .opt_int("absent", None)
            .opt_int("present", Some(0))
            .opt_str("s", Some("中文"));
        assert_eq!(
            o.finish(),
            r#"{"eventType":"callout","statusInfo":{"a":"x","n":-12},"empty":{},"present":0,"s":"中文"}"#
        );
        assert_eq!(Object::with_capacity(0).finish(), "{}");
    }

    #[test]
    fn escapes_as_serde_json_does() {
        for s in [
            "",
            "plain",
            "q\"uote",
            "back\\slash",
            "tab\t",
            "\u{1}\u{1f}",
            "\u{7f}",
            "中文\n",
        ] {
            let mut o = Object::with_capacity(0);
            o.str("k", s);
            let want = format!("{{\"k\":{}}}", serde_json::to_string(s).unwrap());
            assert_eq!(o.finish(), want, "{s:?}");
        }
    }

    /// Every ASCII byte at every position of strings of 1 to 17 bytes: found exactly when
    /// JSON escapes it.
    #[test]
    fn the_word_scan_finds_exactly_the_bytes_to_escape() {
        for b in 0u8..=0x7f {
            let escape = b < 0x20 || b == b'"' || b == b'\\';
            for len in 1..=17 {
                for at in 0..len {
                    let mut v = vec![b'a'; len];
                    v[at] = b;
                    let s = std::str::from_utf8(&v).unwrap();
                    assert_eq!(needs_escape(s), escape, "{b:#x} at {at} of {len}");
                }
            }
        }
        // Two bytes to escape in one string (of every kind, a quote and a backslash
        // included) are found too: neither hides the other.
        let special: Vec<u8> = (0u8..0x20).chain([b'"', b'\\']).collect();
        for &x in &special {
            for &y in &special {
                for len in 2..=17 {
                    let mut v = vec![b'a'; len];
                    v[0] = x;
                    v[len - 1] = y;
                    let s = std::str::from_utf8(&v).unwrap();
                    assert!(needs_escape(s), "{x:#x} and {y:#x} in {len}");
                }
            }
        }
        // Multi-byte characters (every byte ≥ 0x80) never need escaping.
        assert!(!needs_escape("挂机挂机挂机挂机ü"));
        assert!(needs_escape("挂机挂机挂机\u{1}"));
    }

    proptest! {
        /// Any string, any integer: the text is serde_json's for the same fields.
        #[test]
        fn same_bytes_as_serde_json(s in any::<String>(), n in any::<i64>(), m in proptest::option::of(any::<i64>())) {
            let mut o = Object::with_capacity(0);
            o.str("s", &s).int("n", n).opt_int("m", m);
            #[derive(serde::Serialize)]
            struct Fields<'a> {
                s: &'a str,
                n: i64,
                #[serde(skip_serializing_if = "Option::is_none")]
                m: Option<i64>,
            }
            let want = serde_json::to_string(&Fields { s: &s, n, m }).unwrap();
            prop_assert_eq!(o.finish(), want);
        }
    }
}
