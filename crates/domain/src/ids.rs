//! Identifiers. Each is a UUID newtype so that an inspection id can never be passed where a
//! lead provider id is expected.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use uuid::Uuid;

use crate::error::ValueError;

macro_rules! uuid_id {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(Uuid);

        impl $name {
            /// Wrap a UUID; the nil UUID is refused because it is what a forgotten field
            /// decodes to.
            pub fn new(id: Uuid) -> Result<Self, ValueError> {
                if id.is_nil() {
                    return Err(ValueError::new("ID_NIL", concat!($what, " must not be the nil UUID")));
                }
                Ok(Self(id))
            }

            /// A fresh time-ordered (v7) id, for ids the server makes.
            pub fn generate() -> Self {
                Self(Uuid::now_v7())
            }

            /// The underlying UUID.
            pub fn as_uuid(&self) -> Uuid {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = ValueError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let id = Uuid::parse_str(s.trim()).map_err(|e| {
                    ValueError::new("ID_MALFORMED", format!(concat!($what, " {:?} is not a UUID: {}"), s, e))
                })?;
                Self::new(id)
            }
        }
    };
}

uuid_id!(
    /// An inspection (full or LPMV): the stream id of the inspection aggregate.
    InspectionId,
    "inspection id"
);
uuid_id!(
    /// A lead provider (R6): the stream id of the lead-provider aggregate.
    LeadProviderId,
    "lead provider id"
);
uuid_id!(
    /// A delivery partner of a lead provider (R15).
    DeliveryPartnerId,
    "delivery partner id"
);
uuid_id!(
    /// A person whose personal data we hold (R31): the unit of erasure.
    PersonId,
    "person id"
);
uuid_id!(
    /// A concern raised during an inspection (R19).
    ConcernId,
    "concern id"
);
uuid_id!(
    /// A formal complaint about an inspection (R27).
    ComplaintId,
    "complaint id"
);
