//! The opaque resume token of the store's global order.
//!
//! Events are read in `(xid, position)` order, where `xid` is the writing transaction's id
//! and `position` the identity value taken at insert. Neither half alone is monotonic in that
//! order (positions are taken before commit, so a later transaction can hold a smaller one),
//! which is why callers get a [`Cursor`] and never a bare number to resume from.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::StoreError;

/// A point in the store's global order; reading "after" a cursor resumes exactly there.
///
/// Treat it as opaque: its text form (today `1.<xid>.<position>`) may change with a new
/// leading format tag, and only [`FromStr`] of a string produced by [`fmt::Display`] is
/// supported. Ordering follows the read-all order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Cursor {
    // Field order matters: the derived `Ord` must compare xid first, as read_all does.
    xid: u64,
    position: i64,
}

/// Tag of the current text format, so a later format can be told apart.
const FORMAT_TAG: &str = "1";

impl Cursor {
    /// Before every event: reading after it starts from the beginning.
    pub const START: Cursor = Cursor {
        xid: 0,
        position: 0,
    };

    pub(crate) fn new(xid: u64, position: i64) -> Self {
        Cursor { xid, position }
    }

    pub(crate) fn xid(&self) -> u64 {
        self.xid
    }

    pub(crate) fn position(&self) -> i64 {
        self.position
    }
}

impl fmt::Display for Cursor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{FORMAT_TAG}.{}.{}", self.xid, self.position)
    }
}

impl FromStr for Cursor {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let invalid = || StoreError::InvalidCursor(s.to_owned());
        let mut parts = s.split('.');
        let (Some(tag), Some(xid), Some(position), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid());
        };
        if tag != FORMAT_TAG || !all_digits(xid) || !all_digits(position) {
            return Err(invalid());
        }
        let xid = xid.parse::<u64>().map_err(|_| invalid())?;
        let position = position.parse::<i64>().map_err(|_| invalid())?;
        Ok(Cursor { xid, position })
    }
}

/// `u64::from_str` accepts a leading `+`; a cursor has exactly one spelling.
fn all_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

impl Serialize for Cursor {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Cursor {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_from_str_round_trip() {
        for c in [
            Cursor::START,
            Cursor::new(742, 19),
            Cursor::new(u64::MAX, i64::MAX),
        ] {
            assert_eq!(c.to_string().parse::<Cursor>().unwrap(), c);
        }
        assert_eq!(Cursor::new(742, 19).to_string(), "1.742.19");
    }

    #[test]
    fn malformed_cursors_are_refused() {
        for s in [
            "",
            "1",
            "1.2",
            "1.2.3.4",
            "2.1.1",
            "1.-1.3",
            "1.1.-3",
            "1.+1.3",
            "1.a.3",
            "1..3",
            "1.18446744073709551616.1",
            " 1.1.1",
        ] {
            assert!(
                matches!(s.parse::<Cursor>(), Err(StoreError::InvalidCursor(ref got)) if got == s),
                "{s:?} should be refused"
            );
        }
    }

    #[test]
    fn order_is_xid_then_position() {
        assert!(Cursor::new(5, 100) < Cursor::new(6, 1));
        assert!(Cursor::new(5, 1) < Cursor::new(5, 2));
        assert!(Cursor::START < Cursor::new(1, 1));
    }

    #[test]
    fn serde_uses_the_text_form() {
        let c = Cursor::new(9, 3);
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"1.9.3\"");
        assert_eq!(serde_json::from_str::<Cursor>("\"1.9.3\"").unwrap(), c);
        assert!(serde_json::from_str::<Cursor>("\"x\"").is_err());
    }
}
