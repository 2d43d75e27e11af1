//! What a request builder's `build()` refuses: required fields never set.

/// Required fields of a message that were never set on its builder.
///
/// Only presence is checked by `build()`; values are checked by `validate()` (and by
/// the client before it sends), each against its row of the reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MissingFields {
    /// The message being built (`CreateVoiceCallbackRequest`).
    pub message: &'static str,
    /// Wire names of the missing fields, in table order.
    pub fields: Vec<&'static str>,
}

impl MissingFields {
    /// The error for `message` missing `fields`.
    pub fn new(message: &'static str, fields: Vec<&'static str>) -> Self {
        MissingFields { message, fields }
    }
}

impl std::fmt::Display for MissingFields {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = if self.fields.len() == 1 { "" } else { "s" };
        write!(
            f,
            "{}: required field{s} never set: {}",
            self.message,
            self.fields.join(", ")
        )
    }
}

impl std::error::Error for MissingFields {}
