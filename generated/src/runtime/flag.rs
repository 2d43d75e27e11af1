//! Yes/no flags (recordFlag, playPreVoice, …): `bool` in Rust, the strings `"true"` and
//! `"false"` on the wire, as the reference's tables list them (erratum
//! `sdk-boolean-strings`). Anything else is refused when parsing, as the enum these
//! fields used to be refused it.

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The wire string of a flag.
pub fn wire(v: bool) -> &'static str {
    if v {
        "true"
    } else {
        "false"
    }
}

/// A flag as read from the wire: only `"true"` or `"false"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl Serialize for Flag {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(wire(self.0))
    }
}

impl<'de> Deserialize<'de> for Flag {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        match v.as_ref() {
            "true" => Ok(Flag(true)),
            "false" => Ok(Flag(false)),
            other => Err(serde::de::Error::unknown_variant(other, &["true", "false"])),
        }
    }
}

/// `#[serde(with = "runtime::flag")]` for an optional flag.
pub fn serialize<S: Serializer>(v: &Option<bool>, s: S) -> Result<S::Ok, S::Error> {
    v.map(Flag).serialize(s)
}

/// `#[serde(with = "runtime::flag")]` for an optional flag.
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(Option::<Flag>::deserialize(d)?.map(bool::from))
}

/// `#[serde(with = "runtime::flag::required")]` for a required flag.
pub mod required {
    use super::Flag;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialises `v` as `"true"` or `"false"`.
    pub fn serialize<S: Serializer>(v: &bool, s: S) -> Result<S::Ok, S::Error> {
        Flag(*v).serialize(s)
    }

    /// Reads `"true"` or `"false"`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
        Ok(Flag::deserialize(d)?.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_travel_as_the_strings_of_the_reference() {
        assert_eq!(serde_json::to_string(&Flag(true)).unwrap(), "\"true\"");
        assert_eq!(
            serde_json::from_str::<Flag>("\"false\"").unwrap(),
            Flag(false)
        );
        for bad in ["true", "\"TRUE\"", "\"yes\"", "1"] {
            assert!(serde_json::from_str::<Flag>(bad).is_err(), "{bad}");
        }
    }
}
