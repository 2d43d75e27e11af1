//! Values of single fields: per-format and per-kind generators, fixed realistic values,
//! and strings of an exact length in a row's unit.
//!
//! The oracle only sees lengths and patterns; a platform also sees whether a value is
//! *plausible* (a dialable number, a URL, a voice file name). So every generator starts
//! from a realistic shape — chosen by format id, or for free text by what the field's
//! name says it holds — and is then fitted to the row's limits. Limits are exercised on
//! purpose: a third of the generated strings sit exactly on the row's minimum or maximum,
//! written in multi-byte characters where the format allows them (CJK, accented Latin,
//! emoji outside the BMP), so an implementation that counts bytes or UTF-16 units where
//! the spec counts characters rejects a valid request and is caught.

use base64::Engine as _;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Value};
use voicecall_codegen::spec::model::{Field, FieldType, Length, LengthUnit};
use voicecall_codegen::spec::Spec;

use super::formats::{fits, len_in, Formats, Shape};
use super::pattern::chars_of;
use super::scope::scalar_value;
use super::union::one_of;

/// Every format id this module can generate values for. A test checks that every format
/// of the spec is listed here, so a new format in `spec/voicecall.yaml` fails the suite
/// until it gets a generator.
pub const GENERATED_FORMATS: &[&str] = &[
    "global_number",
    "base64_url",
    "datetime",
    "created",
    "nonce",
    "user_data",
    "template_para",
    "digits",
    "authorization_aksk",
    "x_aksk",
];

/// CJK, accented Latin, Cyrillic, Greek and two emoji outside the BMP (4 UTF-8 bytes,
/// 2 UTF-16 units each) mixed with ASCII: free text that tells character counting apart
/// from byte and UTF-16 counting.
const WIDE: &[char] = &[
    '人', '民', '公', '园', '正', '门', '语', '音', '通', '知', 'é', 'ü', 'ß', 'ñ', 'Ж', 'λ', '😀',
    '🎵', 'a', 'Z', '7', '_',
];

/// Multi-byte text without Han characters, for `user_data` (which forbids Chinese
/// characters but not other scripts): kana is not Han.
const WIDE_NO_HAN: &[char] = &[
    'é', 'ü', 'ß', 'ñ', 'Ж', 'λ', 'テ', 'ス', 'ト', '😀', 'a', 'Z', '7', '-', '_', ' ',
];

/// Characters of a voice file name: CJK names are allowed (the file is uploaded by name).
const NAME_CHARS: &[char] = &[
    '欢', '迎', '语', '提', '示', '音', 'a', 'b', 'c', '1', '2', '_',
];

const ALNUM: &[char] = &[
    'a', 'b', 'c', 'd', 'e', 'f', 'k', 'm', 'x', 'A', 'B', 'C', 'Q', 'Z', '0', '1', '2', '5', '7',
    '9',
];

const DIGITS: &[char] = &['1', '3', '8', '0', '5', '2', '7', '6', '4', '9'];

/// What a free-text field holds, from its name: the spec gives only a length, but a
/// platform expects a file name where it plays a file, a host where it names a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextKind {
    /// A voice file uploaded to the platform (`preVoice`, `notifyVoice`, `preTone`…).
    VoiceFile,
    /// A recording file name (`fileName`, `recordObjectName`).
    RecordingFile,
    /// A session id as the platform issues them.
    SessionId,
    /// A host or domain name.
    Host,
    /// A URL in clear text.
    Url,
    /// An identifier (app key, template id, result code).
    Token,
    /// Keys pressed (DTMF digits, `*`, `#`).
    Dtmf,
    /// Anything else: free text.
    Free,
}

/// The kind of a free-text field, from its name.
pub(crate) fn text_kind(name: &str) -> TextKind {
    let n = name.to_ascii_lowercase();
    if n.ends_with("voice") || n.ends_with("tone") {
        TextKind::VoiceFile
    } else if n == "filename" || n == "recordobjectname" {
        TextKind::RecordingFile
    } else if n == "sessionid" {
        TextKind::SessionId
    } else if n.ends_with("domain") || n == "hostname" || n.ends_with("bucketname") {
        TextKind::Host
    } else if n.ends_with("url") {
        TextKind::Url
    } else if ["appkey", "spid", "icid", "templateid", "resultcode"].contains(&n.as_str()) {
        TextKind::Token
    } else if ["digitinfo", "collectcontenttriggerreplaying", "dynivrpath"].contains(&n.as_str()) {
        TextKind::Dtmf
    } else {
        TextKind::Free
    }
}

impl TextKind {
    /// Fixed text around generated filler, so boundary strings keep the kind's shape.
    fn frame(self) -> (&'static str, &'static str) {
        match self {
            TextKind::VoiceFile | TextKind::RecordingFile => ("", ".wav"),
            TextKind::Url => ("https://example.com/", ""),
            _ => ("", ""),
        }
    }

    /// Filler characters of boundary strings.
    fn alphabet(self) -> &'static [char] {
        match self {
            TextKind::VoiceFile => NAME_CHARS,
            TextKind::Free => WIDE,
            TextKind::Dtmf => DIGITS,
            _ => ALNUM,
        }
    }

    /// Realistic values, before fitting to a row's length.
    fn natural(self) -> BoxedStrategy<String> {
        match self {
            TextKind::VoiceFile => one_of(vec![
                rx("[a-z][a-z0-9_]{0,20}\\.wav", "notify_voice1.wav"),
                select(vec![
                    "欢迎语.wav",
                    "提示音1.wav",
                    "等待音乐.wav",
                    "pre_voice1.wav",
                ])
                .prop_map(String::from)
                .boxed(),
            ]),
            TextKind::RecordingFile => rx(
                "1200_366_0_20[0-9]{12}\\.wav",
                "1200_366_0_20161228102743.wav",
            ),
            TextKind::SessionId => rx(
                "[0-9]{4}_[0-9]{3}_[0-9]{10}_20[0-9]{12}@callenabler[0-9]{3}\\.huaweicaas\\.com",
                SESSION_ID,
            ),
            TextKind::Host => one_of(vec![
                select(vec![
                    "huawei",
                    "ostor.huawei.com",
                    "obs.cn-north-4.myhuaweicloud.com",
                ])
                .prop_map(String::from)
                .boxed(),
                rx("[a-z]{3,10}\\.example\\.com", "voice.example.com"),
            ]),
            TextKind::Url => rx(
                "https://[a-z]{3,10}\\.example\\.com/[a-z0-9/]{0,30}",
                "https://record.example.com/1200_366_0_20161228102743.wav",
            ),
            TextKind::Token => rx("[A-Za-z0-9_-]{1,32}", "test_template"),
            TextKind::Dtmf => rx("[0-9*#]{1,8}", "1"),
            TextKind::Free => one_of(vec![
                rx(
                    "[A-Za-z0-9][A-Za-z0-9 .,]{0,30}",
                    "The user releases the call.",
                ),
                chars_of(WIDE, 1, 19),
            ]),
        }
    }
}

/// A session id shaped like the reference's examples.
const SESSION_ID: &str = "1201_612_4294967295_20190124030424@callenabler245.huaweicaas.com";

/// A strategy of strings matching `pattern`, with proptest's distribution (see
/// [`pattern`](super::pattern)); always `fallback` if the pattern were outside what
/// that module reads (every pattern here is a constant that it reads).
fn rx(pattern: &str, fallback: &'static str) -> BoxedStrategy<String> {
    super::pattern::matching(pattern, fallback)
}

fn b64(s: &str) -> String {
    base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
}

/// Characters of `alphabet`, starting at `seed`, filling `n` units of `unit` exactly
/// (in bytes, a character that would overshoot is replaced by an ASCII one).
fn fill(alphabet: &[char], unit: LengthUnit, n: u64, seed: u64) -> String {
    let mut out = String::new();
    let mut left = n;
    let mut i = seed;
    let len = alphabet.len().max(1) as u64;
    while left > 0 {
        let c = alphabet
            .get(((i.wrapping_mul(7)) % len) as usize)
            .copied()
            .unwrap_or('a');
        let c = if unit == LengthUnit::Bytes && c.len_utf8() as u64 > left {
            'a'
        } else {
            c
        };
        out.push(c);
        left -= len_in(c.encode_utf8(&mut [0; 4]), unit);
        i = i.wrapping_add(1);
    }
    out
}

/// `prefix` + filler + `suffix`, exactly `n` units long; just filler when the frame does
/// not fit.
fn framed(frame: (&str, &str), alphabet: &[char], unit: LengthUnit, n: u64, seed: u64) -> String {
    let (pre, suf) = frame;
    let fixed = len_in(pre, unit) + len_in(suf, unit);
    if n > fixed {
        format!("{pre}{}{suf}", fill(alphabet, unit, n - fixed, seed))
    } else {
        fill(alphabet, unit, n, seed)
    }
}

/// Longest string this module builds: a limit beyond it (only a malformed spec has one)
/// gets no boundary value rather than an allocation of its size.
const MAX_BUILT_LEN: u64 = 100_000;

/// A value of format `format` (or of free text of `kind` when `None`) exactly `n` units
/// long, varied by `seed`; `None` when the format has no value of that length (a
/// 3-character `global_number`, a Base64 text whose length is not a multiple of 4) or
/// `n` is beyond any sensible limit.
pub(crate) fn of_len(
    formats: &Formats,
    format: Option<&str>,
    kind: TextKind,
    unit: LengthUnit,
    n: u64,
    seed: u64,
) -> Option<String> {
    if n > MAX_BUILT_LEN {
        return None;
    }
    let s = match format {
        None => framed(kind.frame(), kind.alphabet(), unit, n, seed),
        Some("global_number") => {
            if !(4..=31).contains(&n) {
                return None;
            }
            format!("+86{}", fill(DIGITS, unit, n.checked_sub(3)?, seed))
        }
        Some("base64_url") => {
            if n == 0 || n % 4 != 0 {
                return None;
            }
            let url = framed(
                ("https://example.com/", ""),
                ALNUM,
                LengthUnit::Bytes,
                n / 4 * 3,
                seed,
            );
            b64(&url)
        }
        Some("datetime") => datetime(seed, ' ', ""),
        Some("created") => datetime(seed, 'T', "Z"),
        Some("nonce") => {
            if !(1..=128).contains(&n) {
                return None;
            }
            fill(ALNUM, unit, n, seed)
        }
        Some("user_data") => fill(WIDE_NO_HAN, unit, n, seed),
        Some("template_para") => fill(WIDE, unit, n, seed),
        Some("digits") => fill(DIGITS, unit, n, seed),
        Some("authorization_aksk") => {
            let lit = "realm=\"SDP\",profile=\"UsernameToken\",type=\"Appkey\"";
            let fixed = 4 + len_in(lit, unit);
            format!(
                "AKSK{}{lit}",
                " ".repeat(n.checked_sub(fixed)?.max(1) as usize)
            )
        }
        Some("x_aksk") => {
            let rest = "\",PasswordDigest=\"NMt3Iw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90=\",Nonce=\"66C92B11FF8A425FB8D4CCFE0ED9ED1F\",Created=\"2018-02-12T15:30:20Z\"";
            let fixed = len_in("UsernameToken Username=\"", unit) + len_in(rest, unit);
            format!(
                "UsernameToken Username=\"{}{rest}",
                fill(ALNUM, unit, n.checked_sub(fixed)?.max(1), seed)
            )
        }
        Some(_) => return None,
    };
    let ok = len_in(&s, unit) == n && format.is_none_or(|f| formats.ok(f, &s));
    ok.then_some(s)
}

/// `s` measured both ways (`3 characters, 9 bytes`), for doc lines: the two counts
/// differing is what makes a case catch a byte-counting implementation.
pub(crate) fn measure(s: &str) -> String {
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    format!(
        "{}, {}",
        plural(s.chars().count(), "character", "characters"),
        plural(s.len(), "byte", "bytes")
    )
}

/// A plausible `yyyy-MM-dd?HH:mm:ss` time varied by `seed`.
fn datetime(seed: u64, sep: char, zone: &str) -> String {
    let s = seed % 10_000_000;
    format!(
        "{:04}-{:02}-{:02}{sep}{:02}:{:02}:{:02}{zone}",
        2019 + s % 8,
        1 + s % 12,
        1 + s % 28,
        s % 24,
        s % 60,
        (s / 7) % 60
    )
}

/// A value of length `n`, or the nearest length towards the inside of `[lo, hi]` that the
/// format can take (Base64 lengths come in fours); `None` when none can.
pub(crate) fn of_len_near(
    formats: &Formats,
    format: Option<&str>,
    kind: TextKind,
    unit: LengthUnit,
    n: u64,
    towards_larger: bool,
    seed: u64,
) -> Option<String> {
    (0..8u64)
        .filter_map(|d| {
            if towards_larger {
                n.checked_add(d)
            } else {
                n.checked_sub(d)
            }
        })
        .find_map(|m| of_len(formats, format, kind, unit, m, seed))
}

/// A string of exactly `n` units that looks like format `format` without necessarily
/// having it: used where no value of that length has the format (the mutant then breaks
/// the format too, and says so).
pub(crate) fn look_alike(format: Option<&str>, kind: TextKind, unit: LengthUnit, n: u64) -> String {
    let n = n.min(MAX_BUILT_LEN);
    match format {
        Some("global_number") if n > 0 => format!("+{}", fill(DIGITS, unit, n - 1, 0)),
        Some("base64_url") | Some("digits") | Some("nonce") => fill(ALNUM, unit, n, 0),
        _ => framed(kind.frame(), kind.alphabet(), unit, n, 0),
    }
}

/// A realistic generator for format `format_id`, unconstrained by any row's length.
/// `None` when the spec has no such format or this module has no generator for it (a
/// test keeps the two lists equal).
pub fn format_strategy(spec: &Spec, format_id: &str) -> Option<BoxedStrategy<String>> {
    spec.all(|f| &f.formats).find(|f| f.id == format_id)?;
    natural_format(format_id)
}

fn natural_format(format_id: &str) -> Option<BoxedStrategy<String>> {
    let datetime_parts = || (0u64..8, 1u64..=12, 1u64..=28, 0u64..24, 0u64..60, 0u64..60);
    Some(match format_id {
        "global_number" => one_of(vec![
            rx("\\+861[3-9][0-9]{9}", "+8613800000001"),
            rx("\\+86(10|20|21|755)[0-9]{8}", "+8675528000001"),
            rx("\\+447[0-9]{9}", "+447700900123"),
            rx("\\+1[2-9][0-9]{9}", "+14155550100"),
            rx("\\+8525[0-9]{7}", "+85251234567"),
        ]),
        "base64_url" => (
            select(vec!["https", "http"]),
            select(vec!["example.com", "callback.example.cn", "203.0.113.10", "voice-cb.example.org"]),
            select(vec!["", ":443", ":8443"]),
            prop::collection::vec(rx("[a-z0-9-]{1,12}", "status"), 0..4),
        )
            .prop_map(|(scheme, host, port, segs)| {
                b64(&format!("{scheme}://{host}{port}/{}", segs.join("/")))
            })
            .boxed(),
        "datetime" => datetime_parts()
            .prop_map(|(y, mo, d, h, mi, s)| {
                format!("{:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}", 2019 + y)
            })
            .boxed(),
        "created" => datetime_parts()
            .prop_map(|(y, mo, d, h, mi, s)| {
                format!("{:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}Z", 2019 + y)
            })
            .boxed(),
        "nonce" => one_of(vec![
            rx("[0-9A-F]{32}", "66C92B11FF8A425FB8D4CCFE0ED9ED1F"),
            rx("[0-9A-Za-z]{1,128}", "n"),
        ]),
        "user_data" => one_of(vec![
            rx("[A-Za-z0-9_-]{1,32}", "customerId123"),
            // Chinese text Base64-encoded, as the reference tells customers to send it.
            select(vec!["客户张三", "订单12345", "人民公园正门"])
                .prop_map(b64)
                .boxed(),
            chars_of(WIDE_NO_HAN, 1, 39),
        ]),
        "template_para" => one_of(vec![
            rx("[0-9]{1,4}", "3"),
            select(vec!["人民公园正门", "张三", "08:30", "Zoë", "3号线"])
                .prop_map(String::from)
                .boxed(),
            chars_of(WIDE, 1, 11),
        ]),
        "digits" => rx("[0-9]{1,8}", "123456"),
        "authorization_aksk" => one_of(vec![
            Just("AKSK realm=\"SDP\",profile=\"UsernameToken\",type=\"Appkey\"".to_string()).boxed(),
            Just("AKSK realm=\"SDP\", profile=\"UsernameToken\", type=\"Appkey\"".to_string()).boxed(),
        ]),
        "x_aksk" => (
            rx("[A-Za-z0-9]{8,32}", "app"),
            rx("[A-Za-z0-9+/]{43}=", "NMt3Iw09tscGVf076dWCk6WyfJqzc4plwi3aytXXf90="),
            rx("[0-9A-F]{32}", "66C92B11FF8A425FB8D4CCFE0ED9ED1F"),
            natural_format("created")?,
        )
            .prop_map(|(u, d, n, c)| {
                format!("UsernameToken Username=\"{u}\",PasswordDigest=\"{d}\",Nonce=\"{n}\",Created=\"{c}\"")
            })
            .boxed(),
        _ => return None,
    })
}

/// Strings for a string row: realistic values (by format, else by the kind the name
/// suggests) fitted into the row's length, and a third of the time a value exactly at
/// the row's minimum or maximum length.
pub(crate) fn string_strategy(
    formats: &Formats,
    name: &str,
    length: Option<Length>,
    format: Option<&str>,
) -> BoxedStrategy<String> {
    let kind = text_kind(name);
    let natural = match format {
        Some(f) => natural_format(f).unwrap_or_else(|| kind.natural()),
        None => kind.natural(),
    };
    let Some(l) = length else { return natural };
    let fmt: Option<String> = format.map(String::from);
    let fitted = {
        let (formats, fmt) = (formats.clone(), fmt.clone());
        natural.prop_map(move |s| fit(&formats, fmt.as_deref(), kind, l, s))
    };
    // A bound the format enforces by itself (a phone number cannot be 3 or 32
    // characters long) is not a limit worth sitting on: its values are implausible.
    let min_open = !enforced_by_format(formats, format, kind, l, false);
    let max_open = !enforced_by_format(formats, format, kind, l, true);
    let formats = formats.clone();
    // Four times in six the fitted natural value, once each a value at the minimum and
    // at the maximum length (drawn with one small integer rather than a union, whose
    // unchosen branches each cost a copy of the runner); the fitted natural value
    // stands in when the format has no value at that bound. Shrinks towards the
    // natural value.
    (0u8..6, any::<u64>(), fitted)
        .prop_map(move |(pick, seed, s)| {
            let at = |n: u64, larger: bool| {
                of_len_near(&formats, fmt.as_deref(), kind, l.unit, n, larger, seed)
            };
            let bound = match pick {
                4 if min_open => at(l.min, true),
                5 if max_open => at(l.max, false),
                _ => None,
            };
            bound.unwrap_or(s)
        })
        .boxed()
}

/// Whether no value of the format lies just beyond the row's minimum (`max` false) or
/// maximum (`max` true): the format alone enforces that limit, so the length row is
/// redundant there and cannot be broken without breaking the format.
pub(crate) fn enforced_by_format(
    formats: &Formats,
    format: Option<&str>,
    kind: TextKind,
    l: Length,
    max: bool,
) -> bool {
    if max {
        l.max
            .checked_add(1)
            .is_none_or(|n| of_len_near(formats, format, kind, l.unit, n, true, 0).is_none())
    } else {
        l.min == 0 || of_len_near(formats, format, kind, l.unit, l.min - 1, false, 0).is_none()
    }
}

/// `s` if it is within `l`; otherwise a value of the kind at the nearest bound (free text
/// is cut or padded, formats are regenerated at that length).
fn fit(formats: &Formats, format: Option<&str>, kind: TextKind, l: Length, s: String) -> String {
    let n = len_in(&s, l.unit);
    if (l.min..=l.max).contains(&n) {
        return s;
    }
    if format.is_none() && n > l.max {
        let mut out = String::new();
        for c in s.chars() {
            let mut next = out.clone();
            next.push(c);
            if len_in(&next, l.unit) > l.max {
                break;
            }
            out = next;
        }
        if len_in(&out, l.unit) >= l.min {
            return out;
        }
    }
    let (target, larger) = if n > l.max {
        (l.max, false)
    } else {
        (l.min, true)
    };
    of_len_near(formats, format, kind, l.unit, target, larger, n).unwrap_or(s)
}

/// Integers for an integer row: enumerated values, a range (each bound a third of the
/// time), codes of the appendix table the row refers to, or plausible counts.
pub(crate) fn int_strategy(spec: &Spec, field: &Field) -> BoxedStrategy<i64> {
    let enums: Vec<i64> = field
        .enum_values
        .iter()
        .filter_map(|e| scalar_value(&e.value).as_i64())
        .collect();
    if !enums.is_empty() {
        return select(enums).boxed();
    }
    if let Some(r) = field.range {
        // A third of the time each bound, else anywhere in the range (one small
        // integer picks, rather than a union that copies the runner per branch).
        return (0u8..3, r.min..=r.max)
            .prop_map(move |(pick, i)| match pick {
                0 => r.min,
                1 => r.max,
                _ => i,
            })
            .boxed();
    }
    let codes = code_table_values(spec, field);
    if !codes.is_empty() {
        return select(codes).boxed();
    }
    match field.name.as_str() {
        "sipStatusCode" => select(vec![0i64, 200, 404, 480, 486, 487, 503]).boxed(),
        _ => (0i64..=600).boxed(),
    }
}

/// Codes of the appendix table a row refers to (both ends of range rows).
fn code_table_values(spec: &Spec, field: &Field) -> Vec<i64> {
    let Some(id) = field.code_table.as_deref() else {
        return Vec::new();
    };
    spec.all(|f| &f.code_tables)
        .filter(|t| t.id == id)
        .flat_map(|t| t.rows.iter())
        .flat_map(|r| {
            r.code
                .into_iter()
                .chain(r.range.iter().flat_map(|g| [g.min, g.max]))
        })
        .collect()
}

/// Realistic fixed values by field name, first fitting one wins: taken from the
/// reference's examples where it has one, so canonical instances read like the document.
fn hints(name: &str) -> Vec<Value> {
    let v = match name {
        "displayNbr" => json!("+8675528000001"),
        "callerNbr" => json!("+8613800000001"),
        "displayCalleeNbr" => json!("+8675528000001"),
        "calleeNbr" => json!("+8613800000002"),
        "maxDuration" => json!(60),
        "lastMinVoice" => json!("last_min_voice1.wav"),
        "playPreVoice"
        | "partyTypeRequiredInDisconnect"
        | "returnIdlePort"
        | "replayAfterCollection" => json!("true"),
        "preVoice" => json!("pre_voice1.wav"),
        "waitVoice" => json!("wait_voice1.wav"),
        "recordFlag" => return vec![json!("true"), json!(1)],
        "recordHintTone" => json!("recordhint_voice1.wav"),
        "userData" => json!("customer-0042 café"),
        "sessionid" | "sessionId" => json!(SESSION_ID),
        "signal" => json!("call_stop"),
        "fileName" => json!("1200_366_0_20161228102743.wav"),
        "recordDomain" => json!("huawei"),
        "notifyVoice" => json!("notifyvoice1.wav"),
        "templateId" => json!("test_template"),
        "templateParas" => json!(["3", "人民公园正门"]),
        "collectInd" => json!(5),
        "collectContentTriggerReplaying" => json!("1"),
        "languageType" => json!(2),
        "preTone" => json!("pre_tone1.wav"),
        "posTone" => json!("pos_tone1.wav"),
        "verifyCode" => json!("123456"),
        "times" => json!(3),
        "resultcode" => json!("0"),
        "resultdesc" => json!("Success"),
        "idlePort" => json!(12),
        "timestamp" => json!("2019-01-24 03:04:24"),
        "caller" | "callerNum" => json!("+8613800000022"),
        "called" | "calleeNum" | "fwdDstNum" => json!("+8613800000021"),
        "bindNum" | "fwdDisplayNum" => json!("+8675528000001"),
        "partyType" => json!("callee"),
        "stateCode" | "direction" | "fwdUnaswRsn" | "ulFailReason" | "sipStatusCode"
        | "callOutUnaswRsn" | "ttsPlayTimes" | "ttsTransDuration" => json!(0),
        "stateDesc" => json!("The user releases the call."),
        "digitInfo" => json!("1234"),
        "spId" => json!("CaaS_Test_01"),
        "appKey" => json!("ka4kESI5s3YyurL1wpx63s9YnEm2"),
        "icid" => json!("CAE-20190124110424-12019775"),
        "callOutStartTime" => json!("2019-01-24 03:04:24"),
        "callOutAlertingTime" => json!("2019-01-24 03:04:27"),
        "callOutAnswerTime" | "fwdStartTime" | "dynIVRStartTime" => json!("2019-01-24 03:04:31"),
        "fwdAlertingTime" => json!("2019-01-24 03:04:36"),
        "fwdAnswerTime" | "recordStartTime" => json!("2019-01-24 03:04:38"),
        "callEndTime" | "failTime" => json!("2019-01-24 03:04:49"),
        "recordObjectName" => json!("1200_366_0_20190124030438.wav"),
        "recordBucketName" => json!("voicecall-records"),
        "recordFileDownloadUrl" => {
            json!("https://record.example.com/1200_366_0_20190124030438.wav")
        }
        "hostName" => json!("callenabler245.huaweicaas.com"),
        "dynIVRPath" => json!("1_2"),
        _ => return Vec::new(),
    };
    vec![v]
}

/// One fixed, realistic value for a scalar or string-array row (objects are built by
/// the instance module): a hint that fits the row, else the row's default or first
/// enumerated value, else a value built from the format or the kind of text.
pub(crate) fn canonical_scalar(
    spec: &Spec,
    formats: &Formats,
    field: &Field,
    index: usize,
) -> Value {
    let shape = Shape::of_field(field);
    if let Some(h) = hints(&field.name)
        .into_iter()
        .find(|h| fits(formats, shape, h))
    {
        return h;
    }
    if let Some(d) = &field.default {
        let v = scalar_value(d);
        if fits(formats, shape, &v) {
            return v;
        }
    }
    if let Some(e) = field.enum_values.first() {
        return scalar_value(&e.value);
    }
    match field.ty {
        FieldType::Integer => {
            let codes = code_table_values(spec, field);
            match (field.range, codes.first()) {
                (Some(r), _) => json!(r.min.max(0).min(r.max)),
                (None, Some(c)) => json!(c),
                (None, None) => json!(0),
            }
        }
        FieldType::Array => {
            let Some(item) = &field.item else {
                return json!([]);
            };
            let n = field.items.map_or(1, |c| c.min.clamp(1, 1000)) as usize;
            Value::Array(
                (0..n)
                    .map(|i| {
                        Value::String(canonical_string(
                            formats,
                            &field.name,
                            item.length,
                            item.format.as_deref(),
                            i,
                        ))
                    })
                    .collect(),
            )
        }
        FieldType::Object => json!({}),
        FieldType::String => Value::String(canonical_string(
            formats,
            &field.name,
            field.length,
            field.format.as_deref(),
            index,
        )),
    }
}

/// A fixed string for a row without a fitting hint: a numbered number for
/// `global_number`, a URL named after the field for `base64_url`, the format's first
/// fitting example, else a value of the kind at a length within the row.
pub(crate) fn canonical_string(
    formats: &Formats,
    name: &str,
    length: Option<Length>,
    format: Option<&str>,
    index: usize,
) -> String {
    let within = |s: &str| length.is_none_or(|l| (l.min..=l.max).contains(&len_in(s, l.unit)));
    let candidate = match format {
        Some("global_number") => Some(format!("+86138{:08}", index + 1)),
        Some("base64_url") => {
            let path = name.trim_end_matches("Url").to_ascii_lowercase();
            Some(b64(&format!("https://example.com/voicecall/{path}")))
        }
        Some(f) => formats
            .get(f)
            .and_then(|d| d.examples.iter().find(|e| within(e)).cloned()),
        None => None,
    };
    if let Some(c) = candidate.filter(|c| within(c) && format.is_none_or(|f| formats.ok(f, c))) {
        return c;
    }
    let kind = text_kind(name);
    let unit = length.map_or(LengthUnit::Chars, |l| l.unit);
    let (lo, hi) = length.map_or((1, 16), |l| (l.min, l.max));
    let target = 12u64.clamp(lo, hi.max(lo));
    of_len_near(formats, format, kind, unit, target, true, 0)
        .or_else(|| of_len_near(formats, format, kind, unit, target, false, 0))
        .unwrap_or_else(|| look_alike(format, kind, unit, target))
}
