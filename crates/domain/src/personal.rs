//! Personal data (R31): names, email addresses and phone numbers of provider staff and
//! representatives.
//!
//! Every piece of personal data in a command or event lives inside a [`PersonalDetails`],
//! which names the person it belongs to ([`PersonId`]). That single shape is what the privacy
//! work (crypto-shredding: one data key per person) encrypts and erases, so no event has to
//! be reshaped for it. Nothing outside this module holds a name, email or phone as a plain
//! string.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::ValueError;
use crate::ids::PersonId;

macro_rules! personal_string {
    ($(#[$doc:meta])* $name:ident, $check:expr) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Validate the value.
            pub fn new(s: impl Into<String>) -> Result<Self, ValueError> {
                let s: String = s.into();
                let t = s.trim().to_owned();
                let check: fn(&str) -> Result<(), ValueError> = $check;
                check(&t)?;
                Ok(Self(t))
            }

            /// The value. Handle with care: it is personal data.
            pub fn expose(&self) -> &str {
                &self.0
            }
        }

        /// Debug output never shows personal data, so it cannot leak into logs.
        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "(<redacted>)"))
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::new(s)
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.0
            }
        }
    };
}

personal_string!(
    /// A person's name: 1 to 200 characters.
    PersonName,
    |s| {
        if s.is_empty() || s.chars().count() > 200 || s.chars().any(char::is_control) {
            return Err(ValueError::new("NAME_INVALID", "a name must be 1 to 200 printable characters"));
        }
        Ok(())
    }
);

personal_string!(
    /// An email address: `local@domain` with a dot in the domain, at most 254 characters.
    Email,
    |s| {
        let ok = s.len() <= 254
            && !s.chars().any(|c| c.is_whitespace() || c.is_control())
            && s.split_once('@').is_some_and(|(l, d)| {
                !l.is_empty() && d.contains('.') && !d.starts_with('.') && !d.ends_with('.') && !d.contains('@')
            });
        if !ok {
            return Err(ValueError::new("EMAIL_INVALID", "an email address must look like name@example.org"));
        }
        Ok(())
    }
);

personal_string!(
    /// A phone number: digits with optional leading `+`, spaces, hyphens and brackets;
    /// 6 to 20 digits.
    Phone,
    |s| {
        let digits = s.chars().filter(char::is_ascii_digit).count();
        let chars_ok = s.chars().enumerate().all(|(i, c)| {
            c.is_ascii_digit() || matches!(c, ' ' | '-' | '(' | ')') || (c == '+' && i == 0)
        });
        if !chars_ok || !(6..=20).contains(&digits) {
            return Err(ValueError::new("PHONE_INVALID", "a phone number must have 6 to 20 digits, optionally +, spaces, hyphens and brackets"));
        }
        Ok(())
    }
);

/// One person's personal data, as held in commands and events (R31).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalDetails {
    /// Whose data this is: the unit of erasure.
    pub person_id: PersonId,
    /// Their name.
    pub name: PersonName,
    /// Their email address, if held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// Their phone number, if held.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<Phone>,
}

impl PersonalDetails {
    /// As an event holds it.
    pub fn record(&self) -> PersonalRecord {
        PersonalRecord::Details(self.clone())
    }
}

/// One person's personal data as events and state hold it (R31): readable, sealed, or erased.
///
/// Commands carry [`PersonalDetails`]; events carry this. Which form a reader sees depends on
/// where it reads: the command service unseals what it loads (the details, or `Erased` once
/// the person's key is gone); a reader holding no keys (the projection) sees `Sealed`. Every
/// form names the person, which is all the rules need (R10's named-representative check).
/// On the wire the three are told apart by their keys: `name` (details), `sealed`, `erased`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PersonalRecord {
    /// The details, readable.
    Details(PersonalDetails),
    /// Encrypted under the person's data key; the box is opaque to the domain.
    Sealed(SealedPerson),
    /// Erased: the person's key was deleted, so only whose data it was remains.
    Erased(ErasedPerson),
}

/// Personal data encrypted under the person's data key (see the `privacy` crate).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SealedPerson {
    /// Whose data it is.
    pub person_id: PersonId,
    /// The sealed box (key id, nonce, ciphertext), opaque here; `null` where a reader keeps
    /// only whose data it is.
    pub sealed: serde_json::Value,
}

/// Personal data that was erased (R31).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErasedPerson {
    /// Whose data it was.
    pub person_id: PersonId,
    /// Always `true` on the wire.
    pub erased: ErasedMark,
}

/// The `"erased": true` marker of an [`ErasedPerson`]: serialises as `true` and accepts
/// nothing else, so that a stray `"erased": false` is not taken for an erasure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ErasedMark;

impl Serialize for ErasedMark {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(true)
    }
}

impl<'de> Deserialize<'de> for ErasedMark {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if bool::deserialize(d)? {
            Ok(ErasedMark)
        } else {
            Err(serde::de::Error::custom("erased must be true"))
        }
    }
}

impl PersonalRecord {
    /// An erased person.
    pub fn erased(person_id: PersonId) -> Self {
        PersonalRecord::Erased(ErasedPerson {
            person_id,
            erased: ErasedMark,
        })
    }

    /// Whose data this is.
    pub fn person_id(&self) -> PersonId {
        match self {
            PersonalRecord::Details(d) => d.person_id,
            PersonalRecord::Sealed(s) => s.person_id,
            PersonalRecord::Erased(e) => e.person_id,
        }
    }

    /// The details, when readable.
    pub fn details(&self) -> Option<&PersonalDetails> {
        match self {
            PersonalRecord::Details(d) => Some(d),
            PersonalRecord::Sealed(_) | PersonalRecord::Erased(_) => None,
        }
    }

    /// Whether the person's data was erased.
    pub fn is_erased(&self) -> bool {
        matches!(self, PersonalRecord::Erased(_))
    }

    /// Whose data, without the data: details and sealed boxes become `Sealed` with a `null`
    /// box, erasures stay. What a read model keeps.
    pub fn withheld(&self) -> Self {
        match self {
            PersonalRecord::Erased(_) => self.clone(),
            PersonalRecord::Details(_) | PersonalRecord::Sealed(_) => {
                PersonalRecord::Sealed(SealedPerson {
                    person_id: self.person_id(),
                    sealed: serde_json::Value::Null,
                })
            }
        }
    }
}

impl From<PersonalDetails> for PersonalRecord {
    fn from(d: PersonalDetails) -> Self {
        PersonalRecord::Details(d)
    }
}

/// The names of the domain's personal-data types: used by privacy tests to derive what must
/// never reach a shared subject (R31), rather than keeping a list of banned field names.
pub const PERSONAL_DATA_TYPES: [&str; 5] = [
    "PersonalDetails",
    "PersonalRecord",
    "PersonName",
    "Email",
    "Phone",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r31_personal_values_are_validated_and_never_debug_printed() {
        let n = PersonName::new(" Ada Lovelace ").unwrap();
        assert_eq!(n.expose(), "Ada Lovelace");
        assert_eq!(format!("{n:?}"), "PersonName(<redacted>)");
        assert!(PersonName::new("").is_err());
        assert!(Email::new("ada@example.org").is_ok());
        for bad in ["ada", "ada@", "@x.org", "a b@x.org", "ada@org", "ada@.org"] {
            assert_eq!(Email::new(bad).unwrap_err().code, "EMAIL_INVALID", "{bad}");
        }
        assert!(Phone::new("+44 (0)20 7946 0000").is_ok());
        assert!(Phone::new("12345").is_err());
        assert!(Phone::new("0207-abc").is_err());
    }

    #[test]
    fn r31_records_are_told_apart_by_their_keys() {
        let id: PersonId =
            serde_json::from_value(serde_json::json!("0190a0b0-0000-7000-8000-000000000001"))
                .unwrap();
        let details = PersonalDetails {
            person_id: id,
            name: PersonName::new("Ada").unwrap(),
            email: None,
            phone: None,
        };
        let sealed = PersonalRecord::Sealed(SealedPerson {
            person_id: id,
            sealed: serde_json::json!({"key_id": "k"}),
        });
        for r in [details.record(), sealed.clone(), PersonalRecord::erased(id)] {
            let back: PersonalRecord =
                serde_json::from_value(serde_json::to_value(&r).unwrap()).unwrap();
            assert_eq!(back, r);
            assert_eq!(back.person_id(), id);
        }
        assert_eq!(
            serde_json::to_value(PersonalRecord::erased(id)).unwrap(),
            serde_json::json!({"person_id": id, "erased": true})
        );
        let not_erased = serde_json::json!({"person_id": id, "erased": false});
        assert!(serde_json::from_value::<PersonalRecord>(not_erased).is_err());
        assert!(sealed.withheld().details().is_none());
        assert!(PersonalRecord::erased(id).withheld().is_erased());
    }
}
