//! The serde model of one `spec/**/*.yaml` file.
//!
//! Every YAML file of `spec/` deserialises into [`SpecFile`]; the loader merges them
//! and the semantic checks (`spec/check/`) verify what serde cannot (references, ranges, fixtures).
//! The same types generate `spec/schema.json` through schemars, so the doc comments
//! here are what an editor shows on hover: write them for the person editing YAML.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One YAML file of the spec. A file transcribes one section of the vendor reference
/// (e.g. `4.2`); every list is optional so that a file holds only what its section has.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpecFile {
    /// Section of the reference this file transcribes, e.g. `"4.2"`; `"0"` for the root file.
    pub section: String,
    /// Section title exactly as the reference prints it.
    pub title: String,
    /// Metadata of the reference itself (root file only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<DocumentInfo>,
    /// The services of table 2-1 (root file only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<Service>,
    /// Named value formats that fields refer to with `format:`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub formats: Vec<Format>,
    /// The AK/SK signing schemes (requests and pushes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signing_schemes: Vec<SigningScheme>,
    /// Operations the customer calls.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operations: Vec<Operation>,
    /// Notifications the platform pushes to the customer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notifications: Vec<Notification>,
    /// Parameter tables: one message per table of the reference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub messages: Vec<Message>,
    /// Result-code tables (4-5, 4-10, 4-30, 5-7, 6-5).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub result_code_tables: Vec<ResultCodeTable>,
    /// One entry per (HTTP status, result code) pair of the result-code tables: its
    /// Rust name, English remedy and whether it may be retried (root file only).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub result_codes: Vec<ResultCodeEntry>,
    /// Appendix code tables (7.1 hangup reasons, 7.2 Q.850 causes, 7.3 fail points).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code_tables: Vec<CodeTable>,
    /// Tables of the reference that define no message: API overview, time formats,
    /// interface types, revision history. Transcribed literally.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub doc_tables: Vec<DocTable>,
    /// Examples of the reference, each tied to the message it shows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fixtures: Vec<Fixture>,
    /// Contradictions, typos and ambiguities of the reference, with the reading chosen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<Erratum>,
    /// Which check comes first when a request breaks several rules (root file only;
    /// the reference is silent, erratum `check-precedence`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precedence: Option<Precedence>,
}

/// Which edition of the vendor reference the spec transcribes.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentInfo {
    /// Title on the cover, e.g. `语音通话 API 参考`.
    pub title: String,
    /// 文档版本 on the cover.
    pub version: String,
    /// 发布日期 on the cover, `yyyy-MM-dd`.
    pub published: String,
    /// File name of the text this spec was transcribed from (under `shared/seeds/`).
    pub source: String,
    /// The second, independent source of wire names (the vendor's SDK), with its version.
    pub sdk: String,
}

/// A service of table 2-1 (语音回呼, 语音通知, 语音验证码).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// Identifier used by operations and notifications (`callback`, `notification`, `verification`).
    pub id: String,
    /// Name in the reference, e.g. `语音回呼`.
    pub zh: String,
    /// English name.
    pub name: String,
    /// Chapter of the reference, e.g. `"4"`.
    pub section: String,
}

/// Where the reference says something: a section, optionally a table and a row or example.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocRef {
    /// Section number, e.g. `"4.2"`.
    pub section: String,
    /// Table number without the 表 prefix, e.g. `"4-3"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<String>,
    /// Row (parameter name or result code as printed) or the name of an example.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub row: Option<String>,
}

impl std::fmt::Display for DocRef {
    /// `4.2 表4-3 userData`, leaving out what the reference is not precise about.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.section)?;
        if let Some(t) = &self.table {
            write!(f, " 表{t}")?;
        }
        if let Some(r) = &self.row {
            write!(f, " {r}")?;
        }
        Ok(())
    }
}

/// A named format a string value must have, checked by a regular expression on the
/// wire value and, for encoded values, on the decoded value too.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Format {
    /// Identifier that fields use in `format:`.
    pub id: String,
    /// What the value looks like, in one line.
    pub description: String,
    /// Regular expression the whole wire value must match. Written in the common
    /// subset of Rust `regex` and ECMAScript (it goes into JSON Schema `pattern`).
    pub pattern: String,
    /// Encoding of the wire value; the decoded value must match `decoded_pattern`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<Encoding>,
    /// Regular expression the decoded value must match (with `encoding`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decoded_pattern: Option<String>,
    /// Values that must match (checked by `spec check`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// Values that must not match (checked by `spec check`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counter_examples: Vec<String>,
    /// Where the reference states the format.
    pub doc: Vec<DocRef>,
    /// The reference's own words.
    pub zh: String,
    /// Errata that bear on this format.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// Encoding of a wire value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// Standard Base64 (RFC 4648 §4) with padding.
    Base64,
}

/// An HTTP status and result code pair from a result-code table.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRef {
    /// HTTP status (响应码).
    pub status: u16,
    /// Result code (结果码).
    pub code: String,
}

/// An AK/SK signing scheme: how the `Authorization` and `X-AKSK` headers are built
/// and checked, and which result code each defect gets.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SigningScheme {
    /// `request` (customer → platform) or `push` (platform → customer).
    pub id: String,
    /// What it is for, in one line.
    pub description: String,
    /// Where the reference describes it (every header table that repeats it).
    pub doc: Vec<DocRef>,
    /// The `Authorization` header.
    pub authorization: AuthorizationHeader,
    /// The `X-AKSK` header.
    pub x_aksk: XAkskHeader,
    /// How PasswordDigest is computed.
    pub digest: DigestSpec,
    /// Defects found after the headers parse.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invalid_digest: Option<CodeRef>,
    /// Created too far from the receiver's clock.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale_created: Option<CodeRef>,
    /// Username names no app (the reference's code for an unknown app key).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown_app_key: Option<CodeRef>,
    /// A nonce seen before within the window (the reference names no code; see errata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replayed_nonce: Option<CodeRef>,
    /// The replay memory is full of nonces still inside the window, so a new request is
    /// refused rather than a live nonce forgotten (the reference names no code; see errata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replay_memory_full: Option<CodeRef>,
    /// Known-answer vectors; `spec check` recomputes each digest.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub vectors: Vec<SigningVector>,
    /// Errata that bear on this scheme.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// `Authorization: AKSK realm="SDP",profile="UsernameToken",type="Appkey"`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthorizationHeader {
    /// Header name.
    pub header: String,
    /// Auth scheme token before the attributes (`AKSK`).
    pub scheme: String,
    /// The full value exactly as the reference prints it.
    pub literal: String,
    /// Code when the header is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<CodeRef>,
    /// The attributes, in the order the reference prints them.
    pub attributes: Vec<HeaderAttribute>,
}

/// One `name="value"` attribute of a signing header.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderAttribute {
    /// Attribute name as sent (case matters).
    pub name: String,
    /// Fixed value, when the attribute has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    /// Format of a variable value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Code when the attribute is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<CodeRef>,
    /// Code when a fixed value is wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wrong: Option<CodeRef>,
    /// Code when a variable value does not have its format (see errata).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub malformed: Option<CodeRef>,
    /// What it holds.
    pub description: String,
}

/// `X-AKSK: UsernameToken Username="…", PasswordDigest="…", Nonce="…", Created="…"`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct XAkskHeader {
    /// Header name.
    pub header: String,
    /// Token before the attributes (`UsernameToken`).
    pub token: String,
    /// The template exactly as the reference prints it.
    pub literal: String,
    /// Code when the header is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<CodeRef>,
    /// Code when the token is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_missing: Option<CodeRef>,
    /// The attributes, in the order the reference prints them.
    pub attributes: Vec<HeaderAttribute>,
}

/// How PasswordDigest is computed: `encoding(HMAC-hash(key, join(parts, separator)))`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DigestSpec {
    /// The formula exactly as the reference prints it.
    pub literal: String,
    /// MAC algorithm chosen (the reference may leave the hash open; see errata).
    pub algorithm: MacAlgorithm,
    /// What keys the MAC.
    pub key: DigestPart,
    /// What is MACed, concatenated in this order.
    pub parts: Vec<DigestPart>,
    /// String placed between parts (`""` or `"\n"`).
    pub separator: String,
    /// Encoding of the MAC bytes.
    pub encoding: Encoding,
}

/// MAC algorithm of a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum MacAlgorithm {
    /// HMAC with SHA-256.
    #[serde(rename = "HMAC-SHA256")]
    HmacSha256,
}

/// An input of a digest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DigestPart {
    /// The app secret (APP_Secret).
    AppSecret,
    /// The Nonce attribute.
    Nonce,
    /// The Created attribute.
    Created,
    /// The URL the push is sent to.
    Url,
}

/// A known-answer vector for a signing scheme.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SigningVector {
    /// Where the vector comes from.
    pub source: String,
    /// App secret (a test value, never a real one).
    pub app_secret: String,
    /// Nonce attribute.
    pub nonce: String,
    /// Created attribute.
    pub created: String,
    /// Push URL (push scheme only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Expected PasswordDigest.
    pub digest: String,
}

/// HTTP method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
pub enum Method {
    /// GET
    #[serde(rename = "GET")]
    Get,
    /// POST
    #[serde(rename = "POST")]
    Post,
}

impl Method {
    /// The method as sent on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
        }
    }
}

/// An operation the customer calls (section 4.2, 4.3, 4.6, 5.2, 6.2).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Operation {
    /// Operation name from the section title, e.g. `CreateVoiceCallback`.
    pub id: String,
    /// Service id (see `services`).
    pub service: String,
    /// Section number.
    pub section: String,
    /// Section title as printed.
    pub title: String,
    /// What it does, in one line.
    pub description: String,
    /// HTTP method.
    pub method: Method,
    /// Path; `{name}` segments are path parameters.
    pub path: String,
    /// Signing scheme id.
    pub signing: String,
    /// Whether a successful call rings a phone (never sent to a live platform unless allowed).
    pub places_call: bool,
    /// Request header message.
    pub headers: String,
    /// Path-parameter message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_params: Option<String>,
    /// Query-parameter message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Request body message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// The success response.
    pub success: ResponseSpec,
    /// The failure responses; their statuses come from the result-code table.
    pub failure: ResponseSpec,
    /// Result-code table number, e.g. `"4-5"`.
    pub result_codes: String,
    /// Which result code a request that breaks a parameter table gets.
    pub rejects: Rejects,
    /// SDK operation name, when it differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk_name: Option<String>,
    /// Errata that bear on this operation.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// The result codes of a request that breaks its parameter tables. The reference lists
/// both 403/1010002 (Invalid request) and 500/1020001 (Parameter error) with the same
/// remedy and never says which defect gets which (erratum `parameter-error-codes`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejects {
    /// The request cannot be read as the table's message: the body is not JSON or not an
    /// object, a value has the wrong JSON type, a required field is missing, a field is
    /// unknown, or a rule between fields is broken.
    pub request: CodeRef,
    /// A field is present with the right type but a value outside its row: length,
    /// range, enum, format or number of items.
    pub value: CodeRef,
}

/// The order in which the platform judges a request: the first stage a request fails
/// decides its result code, whatever later stages would say. The reference never says
/// (erratum `check-precedence`); the mock follows this order and the conformance suite
/// derives its cases with two defects, and the code it expects, from it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Precedence {
    /// The stages, first checked first.
    pub stages: Vec<CheckStage>,
    /// Errata that record the choice (the reference is silent on it).
    pub errata: Vec<String>,
}

/// One stage of the checks a request meets.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckStage {
    /// Identifier, unique among the stages (`route`, `authentication`, …); conformance
    /// case ids name it (`<operation>/precedence/<first>+<second>`).
    pub id: String,
    /// What the stage checks, in one line.
    pub description: String,
    /// How a conformance run can make a request fail this stage.
    pub reach: StageReach,
    /// The operation's `rejects` code this stage answers (`request` or `value`), for the
    /// stages that judge the parameter tables.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejects: Option<RejectsClass>,
    /// The checker's rule names (`Violation::rule`) judged in this stage: `required`,
    /// `type`, `unknown_field`, `length`, `range`, `enum`, `format`, `items`,
    /// `exactly_one_of`, `required_when`, `only_when`. Only with `rejects`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// The result codes (HTTP status and code) the stage answers, each in some
    /// result-code table; a code belongs to one stage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub codes: Vec<CodeRef>,
    /// Requests that fail this stage alone, by naming something that does not exist.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub probes: Vec<StageProbe>,
}

/// How a stage can be reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum StageReach {
    /// A request alone can fail it, on any platform.
    Request,
    /// Only a provisioned state (the app's, a quota) fails it: the embedded mock's
    /// configuration, never a live platform's.
    Provisioning,
}

/// Which of an operation's two `rejects` codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RejectsClass {
    /// `rejects.request`: the request cannot be read as its table's message.
    Request,
    /// `rejects.value`: a readable request with a value outside its row.
    Value,
}

/// A request that fails one stage: the operation's canonical request with one field
/// set to a value that is valid for its row but names nothing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StageProbe {
    /// Operation id.
    pub operation: String,
    /// Top-level field of the operation's body (or query) message.
    pub field: String,
    /// The value sent (valid for the field's row).
    pub value: String,
    /// The code the stage answers for it; one of the stage's `codes`, in the
    /// operation's result-code table.
    pub code: CodeRef,
}

/// A response: status, headers and body messages.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseSpec {
    /// HTTP status; absent for failures, whose statuses come from the result-code table.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Response header message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headers: Option<String>,
    /// Response body message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Content-Type of the body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    /// Fields of the body message that this response may leave out or send empty,
    /// although the table makes them required (a failure's sessionId), with the erratum
    /// that says why.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub may_omit: Vec<String>,
    /// Errata behind `may_omit`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// Status or fee (CDR) push.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// 呼叫状态通知.
    Status,
    /// 话单通知.
    Fee,
}

/// A notification the platform pushes (4.4, 4.5, 5.3, 5.4, 6.3, 6.4).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Notification {
    /// Identifier, e.g. `CallbackStatusNotification`.
    pub id: String,
    /// Service id.
    pub service: String,
    /// Status or fee.
    pub kind: NotificationKind,
    /// Section number.
    pub section: String,
    /// Section title as printed.
    pub title: String,
    /// What it carries, in one line.
    pub description: String,
    /// The operation whose calls produce these pushes.
    pub origin: String,
    /// The 接口类型说明 table (method, URI, protocol).
    pub interface_table: String,
    /// HTTP method the platform uses.
    pub method: Method,
    /// Request field (of the origin operation) that may carry the target URL, Base64-encoded.
    pub target: String,
    /// Protocols the receiver may use.
    pub protocols: Vec<String>,
    /// Signing scheme id.
    pub signing: String,
    /// Push header message.
    pub headers: String,
    /// Push body message.
    pub body: String,
    /// Body field that tells events apart.
    pub discriminator: String,
    /// One entry per event type, each with its own field table.
    pub events: Vec<EventSpec>,
    /// What the receiver answers.
    pub reply: Reply,
    /// How CDRs are batched (fee only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batching: Option<Batching>,
    /// How failed pushes are retried.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// Errata that bear on this notification.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// An event type of a notification and the message that describes it.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSpec {
    /// Value of the discriminator, e.g. `callout`.
    pub event_type: String,
    /// Body field holding the event's details (`statusInfo` or `feeLst`).
    pub field: String,
    /// Message of the details (for `feeLst`, of one list item).
    pub message: String,
}

/// The reply the receiver sends to a push.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reply {
    /// HTTP status that means success.
    pub status: u16,
    /// Reply body message, if the reply may carry one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// How the platform judges the reply, in one line.
    pub success_when: String,
    /// The reference's own words.
    pub zh: String,
}

/// How CDRs are merged into one push.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Batching {
    /// Most records in one push.
    pub max_records: u32,
    /// Records whose value of this field is equal are merged.
    pub merge_key: String,
    /// The reference's own words.
    pub zh: String,
}

/// How a failed push is retried.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Retries after the first attempt.
    pub max_retries: u32,
    /// Seconds between attempts.
    pub interval_seconds: u64,
    /// What happens after the last retry fails.
    pub after_last: String,
    /// The reference's own words.
    pub zh: String,
}

/// Where a message's parameters travel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// HTTP headers (names compared case-insensitively).
    Header,
    /// URL query string.
    Query,
    /// URL path segments.
    Path,
    /// JSON body.
    Body,
}

/// A parameter table of the reference: one message, its fields and its rules.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// Type name, unique in the spec, e.g. `CreateVoiceCallbackRequest`.
    pub name: String,
    /// Table number, e.g. `"4-3"`.
    pub table: String,
    /// Table title as printed.
    pub title: String,
    /// Where its parameters travel.
    pub location: Location,
    /// Rows of the table, in the reference's order.
    pub fields: Vec<Field>,
    /// Rules that involve more than one field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Errata that bear on this table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// JSON type of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// JSON string.
    String,
    /// JSON integer.
    Integer,
    /// JSON object (see `ref`).
    Object,
    /// JSON array (see `items` and `item`).
    Array,
}

/// A scalar value: an integer or a string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Scalar {
    /// An integer.
    Int(i64),
    /// A string.
    Str(String),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Int(i) => write!(f, "{i}"),
            Scalar::Str(s) => write!(f, "\"{s}\""),
        }
    }
}

/// Unit in which a length limit is counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LengthUnit {
    /// Unicode scalar values (what `str::chars` counts).
    Chars,
    /// UTF-8 bytes.
    Bytes,
}

/// Length limit of a string, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Length {
    /// Shortest allowed.
    pub min: u64,
    /// Longest allowed.
    pub max: u64,
    /// What is counted.
    pub unit: LengthUnit,
}

/// Inclusive integer range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// Smallest allowed.
    pub min: i64,
    /// Largest allowed.
    pub max: i64,
}

/// Inclusive bound on the number of array items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Count {
    /// Fewest items.
    pub min: u64,
    /// Most items.
    pub max: u64,
}

/// A value of an enumerated field and what it means.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    /// The value as sent.
    pub value: Scalar,
    /// What it means, in English.
    pub meaning: String,
}

/// The item type of an array field.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// JSON type of each item.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Length of each string item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<Length>,
    /// Format of each string item.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Message of each object item.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

/// A row of a parameter table.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// Wire name exactly as sent; case matters (header names excepted).
    pub name: String,
    /// Name as the table prints it, when that differs from the wire name (see `errata`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_name: Option<String>,
    /// JSON type.
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// 是否必选.
    pub required: bool,
    /// 参数类型 column exactly as printed.
    pub doc_type: String,
    /// 默认值 column exactly as printed (tables that have the column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_default: Option<String>,
    /// Value the platform assumes when the field is absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Scalar>,
    /// Length limit of a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<Length>,
    /// Range of an integer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<Range>,
    /// Number of items of an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Count>,
    /// Item type of an array.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub item: Option<Item>,
    /// Message of an object.
    #[serde(default, rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    /// For an object whose message depends on another field's value (statusInfo on
    /// eventType): the name of that field; the notification's `events` give the mapping.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tagged_by: Option<String>,
    /// Allowed values. Empty means any value of the type.
    #[serde(default, rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<EnumValue>,
    /// Format id of a string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Appendix code table an integer refers to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_table: Option<String>,
    /// One line, in English.
    pub description: String,
    /// The reference's description (说明 column), markup removed.
    pub zh: String,
    /// Errata that bear on this row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// Kind of a rule between fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Exactly one of `fields` is present.
    ExactlyOneOf,
    /// `fields` are required when `when` holds.
    RequiredWhen,
    /// `fields` take effect (or may appear) only when `when` holds.
    OnlyWhen,
}

/// What breaking a rule does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleEffect {
    /// The platform rejects the request.
    Rejected,
    /// The platform ignores the field: the request is accepted but the field does nothing.
    Ignored,
    /// The platform never sends such a message (notification rules).
    NeverSent,
}

/// Comparison in a rule's condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConditionOp {
    /// The field is present.
    Present,
    /// The field's value (or its default when absent) equals `value`.
    Equals,
    /// The field's value (or its default when absent) differs from `value`.
    NotEquals,
}

/// Condition on a field, of this message or of the request that caused a push.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    /// Message holding `field` when it is not this one (e.g. the originating request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Field name.
    pub field: String,
    /// Comparison.
    pub op: ConditionOp,
    /// Value compared with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<Scalar>,
}

/// A rule that involves more than one field.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Identifier, unique in its message.
    pub id: String,
    /// Kind of rule.
    pub kind: RuleKind,
    /// Fields the rule constrains.
    pub fields: Vec<String>,
    /// Condition (for `required_when` and `only_when`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
    /// What breaking it does.
    pub effect: RuleEffect,
    /// Result code the platform answers when it rejects, where the reference says.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_violation: Option<CodeRef>,
    /// The rule in one line.
    pub description: String,
    /// The reference's words.
    pub zh: String,
    /// Where the reference states it.
    pub doc: DocRef,
    /// Errata that bear on this rule.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// A result-code table of an operation.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultCodeTable {
    /// Table number, e.g. `"4-5"`.
    pub table: String,
    /// Table title as printed.
    pub title: String,
    /// Operation id whose results these are.
    pub operation: String,
    /// Rows in the reference's order.
    pub rows: Vec<ResultCodeRow>,
}

/// A row of a result-code table.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultCodeRow {
    /// 响应码 (HTTP status).
    pub status: u16,
    /// 结果码; absent where the table prints `-`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// 英文描述 as printed (empty where the table prints `-`).
    pub english: String,
    /// 中文描述 as printed.
    pub chinese: String,
    /// 处理方法 as printed (may be empty).
    pub remedy: String,
    /// Errata that bear on this row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// What the spec decides about one result code, once for all the tables that list it
/// (erratum `result-code-english-remedy`).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResultCodeEntry {
    /// 响应码 (HTTP status).
    pub status: u16,
    /// 结果码.
    pub code: String,
    /// Name of the `ResultCode` variant: an UpperCamelCase Rust identifier, unique.
    /// Chosen once and kept: renaming it breaks every caller that names it.
    pub rust_name: String,
    /// The remedy in English: our translation of the tables' 处理方法 (Chinese only in
    /// the reference, which stays authoritative).
    pub remedy_en: String,
    /// Whether the reference's remedy is to try again later (a transient failure).
    pub retryable: bool,
}

/// An appendix code table (7.1, 7.2, 7.3).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeTable {
    /// Identifier fields use in `code_table:` (`hangup_reasons`, `q850`, `fail_points`).
    pub id: String,
    /// Section number.
    pub section: String,
    /// Title as printed.
    pub title: String,
    /// What the codes are, in one line.
    pub description: String,
    /// Rows in the reference's order.
    pub rows: Vec<CodeRow>,
}

/// A row of an appendix code table: one code or a range of codes.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRow {
    /// The code (absent for a range row).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<i64>,
    /// An inclusive range of codes, for rows such as `400~699`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<Range>,
    /// The code column exactly as printed, for range rows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_code: Option<String>,
    /// Description as printed.
    pub zh: String,
    /// English description.
    pub english: String,
    /// Errata that bear on this row.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// Kind of a literal table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocTableKind {
    /// Table 2-1.
    ApiOverview,
    /// 不同编程语言的时间格式.
    TimeFormats,
    /// 接口类型说明 of a push.
    InterfaceType,
    /// Chapter 8.
    RevisionHistory,
}

/// A table of the reference that defines no message, kept literally.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DocTable {
    /// Table number (`"4-2"`), or the section for untitled tables (`"8"`).
    pub table: String,
    /// Section number.
    pub section: String,
    /// Title as printed.
    pub title: String,
    /// Kind of table.
    pub kind: DocTableKind,
    /// Column headings as printed.
    pub columns: Vec<String>,
    /// Rows, cells as printed.
    pub rows: Vec<Vec<String>>,
    /// Errata that bear on this table.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// What an example is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FixtureKind {
    /// A request to an operation.
    Request,
    /// A response of an operation.
    Response,
    /// A push of a notification.
    Push,
    /// The receiver's reply to a push.
    Reply,
}

/// An example of the reference, saved verbatim, tied to its message.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Fixture {
    /// Identifier, unique in the spec.
    pub id: String,
    /// Section number.
    pub section: String,
    /// The heading the example stands under (请求示例, 示例1, 接口示例 after 表4-15…).
    pub title: String,
    /// What it is.
    pub kind: FixtureKind,
    /// Operation or notification id it belongs to.
    pub of: String,
    /// Body message; absent when the example has no body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Verbatim text file of the example, relative to `spec/`, exactly as the reference prints it.
    pub verbatim: String,
    /// JSON body, relative to `spec/`, as a JSON file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// How the JSON body relates to the verbatim text.
    #[serde(default)]
    pub repair: Repair,
    /// HTTP status of a response or reply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    /// Headers of the example (names as printed), values repaired where the PDF broke lines.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// Query parameters of a request example, decoded.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub query: BTreeMap<String, String>,
    /// Violations the spec's checker must report for this example (empty: it is valid).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expect_violations: Vec<ExpectedViolation>,
    /// Errata that explain why the example is not valid as printed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errata: Vec<String>,
}

/// How a fixture's JSON body was obtained from the verbatim example.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Repair {
    /// Only line breaks the PDF put inside tokens were undone: the body must equal the
    /// verbatim body (from its first `{`) once all white space is removed.
    #[default]
    LineBreaks,
    /// The verbatim text is garbled beyond line breaks; the body is a reconstruction
    /// that an erratum (listed in `errata`) explains. Not compared with the verbatim text.
    Reconstructed,
}

/// A violation an example is known to have.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ExpectedViolation {
    /// JSON path (`$.displayNbr`) or header (`header:X-AKSK`).
    pub path: String,
    /// Rule broken (`format`, `length`, `unknown_field`, …).
    pub rule: String,
}

/// Kind of erratum.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ErratumKind {
    /// Two places of the reference say different things.
    Contradiction,
    /// A misspelling or an extraction artefact.
    Typo,
    /// An example that breaks its own table.
    Example,
    /// Text that belongs to another API or table.
    Misplaced,
    /// The reference leaves something open; the spec decides.
    Ambiguity,
    /// The reference and the vendor SDK disagree.
    Sdk,
}

/// A contradiction or gap of the reference, what it literally says, and the reading chosen.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Erratum {
    /// Identifier (`E001`…), referenced from `errata:` lists.
    pub id: String,
    /// Kind of problem.
    pub kind: ErratumKind,
    /// One line.
    pub title: String,
    /// Where it is in the reference.
    pub doc: Vec<DocRef>,
    /// What the reference literally says, quoted.
    pub literal: Vec<String>,
    /// What the vendor SDK says, when it bears on the question.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sdk: Option<String>,
    /// The interpretation the spec follows.
    pub decision: String,
    /// Why.
    pub why: String,
    /// The decision as data, where it can be stated as limits of fields: `spec check`
    /// fails when a field named here does not have them (so the YAML cannot drift from
    /// the decision).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub enforces: Vec<Enforcement>,
}

/// What an erratum decides about one field, checked by the loader. Every key given
/// must hold exactly; keys left out are not checked.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Enforcement {
    /// Message holding the field.
    pub message: String,
    /// Wire name of the field.
    pub field: String,
    /// The exact set of enum values the field must list (order aside).
    #[serde(default, rename = "enum", skip_serializing_if = "Option::is_none")]
    pub enum_values: Option<Vec<Scalar>>,
    /// The length limit (min and max) a string field must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<Count>,
    /// The range an integer field must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub range: Option<Range>,
    /// The format id a string field must have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Whether the field must be required.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
}
