//! Requests → domain commands. Parse, don't validate: each field goes through the domain
//! type's constructor once, and the first refusal names the field's dotted path.
//!
//! # Layout
//! - this module: [`CommandRequest`], [`Meta`], [`Parsed`] and the primitive parsers (ids,
//!   text, dates, timestamps, the request's [`pb::CommandMeta`]);
//! - `values`: enums and nested messages (people, documents, structured information, grades);
//! - `lead_provider`, `inspection`, `reports`: one [`CommandRequest`] impl per RPC.

mod inspection;
mod lead_provider;
mod reports;
mod values;

use chrono::{DateTime, NaiveDate, Utc};
use domain::DomainError;
use domain::error::ValueError;
use domain::ids::{InspectionId, LeadProviderId};
use domain::inspection::InspectionCommand;
use domain::lead_provider::LeadProviderCommand;
use domain::values::{OverrideReason, Text};

use crate::pb;

/// Codes of refusals that only the wire format can produce (everything else is the domain's).
pub mod codes {
    /// A required field (or `oneof`) is absent or empty.
    pub const FIELD_MISSING: &str = "FIELD_MISSING";
    /// An enum field was left at its `*_UNSPECIFIED = 0` value.
    pub const ENUM_UNSPECIFIED: &str = "ENUM_UNSPECIFIED";
    /// An enum field holds a number the API does not define.
    pub const ENUM_UNKNOWN: &str = "ENUM_UNKNOWN";
    /// A date is not `YYYY-MM-DD`.
    pub const DATE_MALFORMED: &str = "DATE_MALFORMED";
    /// A `google.protobuf.Timestamp` is out of range.
    pub const TIMESTAMP_INVALID: &str = "TIMESTAMP_INVALID";
    /// An idempotency key is empty, too long or not printable ASCII.
    pub const IDEMPOTENCY_KEY_INVALID: &str = "IDEMPOTENCY_KEY_INVALID";
}

/// The longest idempotency key accepted, in bytes.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 128;

/// The parts of [`pb::CommandMeta`] that every command shares, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    /// Optimistic concurrency: the version the caller last saw.
    pub expected_version: Option<u64>,
    /// Idempotency key, scoped to the caller.
    pub idempotency_key: Option<String>,
    /// R5: when the act happened.
    pub occurred_at: Option<DateTime<Utc>>,
    /// R5: why `occurred_at` is more than 5 working days back.
    pub backdate_reason: Option<OverrideReason>,
}

/// A parsed request: the stream it targets, its meta and the domain command.
#[derive(Debug, Clone, PartialEq)]
pub struct Parsed<Id, Body> {
    /// The aggregate the command is for.
    pub id: Id,
    /// The shared command meta.
    pub meta: Meta,
    /// The domain command.
    pub body: Body,
}

/// A command request of the API.
pub trait CommandRequest: prost::Message + Sized {
    /// The RPC's name, part of the idempotency request hash.
    const RPC: &'static str;
    /// The id of the aggregate acted on.
    type Id;
    /// The domain command.
    type Body;

    /// Parse into a domain command, refusing the first bad field.
    fn parse(&self) -> Result<Parsed<Self::Id, Self::Body>, DomainError>;

    /// The request field that a field named by the domain's `decide` refers to (the domain
    /// names fields after its command; the wire format nests some of them differently).
    fn wire_field(domain_field: &str) -> String {
        wire_field(domain_field)
    }
}

/// An inspection command request.
pub type InspectionParsed = Parsed<InspectionId, InspectionCommand>;
/// A lead-provider command request.
pub type LeadProviderParsed = Parsed<LeadProviderId, LeadProviderCommand>;

/// The request field a domain error's `field` refers to: the domain names the R5 times
/// without the `meta.` prefix that the wire format puts them under.
pub fn wire_field(domain_field: &str) -> String {
    match domain_field {
        "occurred_at" | "backdate_reason" | "expected_version" | "idempotency_key" => {
            format!("meta.{domain_field}")
        }
        other => other.to_owned(),
    }
}

/// `parent.child`, or `child` at the top level.
pub(crate) fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_owned()
    } else {
        format!("{parent}.{child}")
    }
}

/// `parent[i]`.
pub(crate) fn index(parent: &str, i: usize) -> String {
    format!("{parent}[{i}]")
}

pub(crate) fn missing(field: &str) -> DomainError {
    DomainError::invalid(field, codes::FIELD_MISSING, format!("{field} is required"))
}

/// A message field that must be present.
pub(crate) fn required<'a, T>(value: Option<&'a T>, field: &str) -> Result<&'a T, DomainError> {
    value.ok_or_else(|| missing(field))
}

/// A UUID id that must be present: empty is "missing", otherwise the id type's own parser.
pub(crate) fn id<T>(raw: &str, field: &str) -> Result<T, DomainError>
where
    T: std::str::FromStr<Err = ValueError>,
{
    if raw.trim().is_empty() {
        return Err(missing(field));
    }
    raw.parse::<T>().map_err(|e| e.at(field))
}

/// Free text through [`Text::new`] (which also refuses empty text).
pub(crate) fn text(raw: &str, field: &str) -> Result<Text, DomainError> {
    Text::new(raw).map_err(|e| e.at(field))
}

/// Optional free text: absent is `None`; present goes through [`Text::new`].
pub(crate) fn opt_text(raw: Option<&String>, field: &str) -> Result<Option<Text>, DomainError> {
    raw.map(|s| text(s, field)).transpose()
}

/// A calendar date, exactly `YYYY-MM-DD`.
pub(crate) fn date(raw: &str, field: &str) -> Result<NaiveDate, DomainError> {
    if raw.trim().is_empty() {
        return Err(missing(field));
    }
    let well_formed = raw.len() == 10
        && raw.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
        Ok(d) if well_formed => Ok(d),
        _ => Err(DomainError::invalid(
            field,
            codes::DATE_MALFORMED,
            format!("{raw:?} is not a date of the form YYYY-MM-DD"),
        )),
    }
}

/// Several dates, each named by its index.
pub(crate) fn dates(raw: &[String], field: &str) -> Result<Vec<NaiveDate>, DomainError> {
    raw.iter()
        .enumerate()
        .map(|(i, d)| date(d, &index(field, i)))
        .collect()
}

/// A timestamp within chrono's range.
pub(crate) fn timestamp(
    ts: &prost_types::Timestamp,
    field: &str,
) -> Result<DateTime<Utc>, DomainError> {
    u32::try_from(ts.nanos)
        .ok()
        .filter(|n| *n < 1_000_000_000)
        .and_then(|nanos| DateTime::<Utc>::from_timestamp(ts.seconds, nanos))
        .ok_or_else(|| {
            DomainError::invalid(
                field,
                codes::TIMESTAMP_INVALID,
                format!("timestamp {}s {}ns is out of range", ts.seconds, ts.nanos),
            )
        })
}

/// The shared meta of a request (absent meta is all defaults).
pub(crate) fn meta(raw: Option<&pb::CommandMeta>) -> Result<Meta, DomainError> {
    let default = pb::CommandMeta::default();
    let raw = raw.unwrap_or(&default);
    let idempotency_key = raw
        .idempotency_key
        .as_ref()
        .map(|k| {
            let ok = !k.is_empty()
                && k.len() <= MAX_IDEMPOTENCY_KEY_LEN
                && k.bytes().all(|b| b.is_ascii_graphic());
            if ok {
                Ok(k.clone())
            } else {
                Err(DomainError::invalid(
                    "meta.idempotency_key",
                    codes::IDEMPOTENCY_KEY_INVALID,
                    format!(
                        "an idempotency key is 1 to {MAX_IDEMPOTENCY_KEY_LEN} printable ASCII characters without spaces"
                    ),
                ))
            }
        })
        .transpose()?;
    Ok(Meta {
        expected_version: raw.expected_version,
        idempotency_key,
        occurred_at: raw
            .occurred_at
            .as_ref()
            .map(|ts| timestamp(ts, "meta.occurred_at"))
            .transpose()?,
        backdate_reason: opt_text(raw.backdate_reason.as_ref(), "meta.backdate_reason")?,
    })
}

/// The meta of an inspection command other than a plan: the inspection id is required.
pub(crate) fn inspection_meta(
    raw: Option<&pb::CommandMeta>,
) -> Result<(InspectionId, Meta), DomainError> {
    let inspection_id = id(
        raw.map_or("", |m| m.inspection_id.as_str()),
        "meta.inspection_id",
    )?;
    Ok((inspection_id, meta(raw)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_must_be_exactly_yyyy_mm_dd() {
        assert_eq!(
            date("2027-01-11", "start").unwrap(),
            NaiveDate::from_ymd_opt(2027, 1, 11).unwrap()
        );
        for bad in [
            "2027-1-11",
            "11/01/2027",
            "2027-02-30",
            "2027-01-11T00:00",
            "+2027-01-1",
        ] {
            let e = date(bad, "start").unwrap_err();
            assert_eq!(e.code, codes::DATE_MALFORMED, "{bad}");
            assert_eq!(e.field.as_deref(), Some("start"));
        }
        assert_eq!(date("", "start").unwrap_err().code, codes::FIELD_MISSING);
    }

    #[test]
    fn ids_missing_and_malformed_are_told_apart() {
        let e = id::<InspectionId>("", "meta.inspection_id").unwrap_err();
        assert_eq!(e.code, codes::FIELD_MISSING);
        let e = id::<InspectionId>("nope", "meta.inspection_id").unwrap_err();
        assert_eq!(e.code, "ID_MALFORMED");
        assert_eq!(e.field.as_deref(), Some("meta.inspection_id"));
    }

    #[test]
    fn idempotency_keys_are_bounded() {
        let with_key = |k: &str| pb::CommandMeta {
            idempotency_key: Some(k.to_owned()),
            ..Default::default()
        };
        assert!(meta(Some(&with_key("abc-123"))).is_ok());
        for bad in ["", "a b", &"k".repeat(MAX_IDEMPOTENCY_KEY_LEN + 1)] {
            let e = meta(Some(&with_key(bad))).unwrap_err();
            assert_eq!(e.code, codes::IDEMPOTENCY_KEY_INVALID);
        }
    }

    #[test]
    fn timestamps_out_of_range_are_refused() {
        let ts = prost_types::Timestamp {
            seconds: i64::MAX,
            nanos: 0,
        };
        assert_eq!(
            timestamp(&ts, "meta.occurred_at").unwrap_err().code,
            codes::TIMESTAMP_INVALID
        );
    }

    #[test]
    fn domain_time_fields_map_under_meta() {
        assert_eq!(wire_field("occurred_at"), "meta.occurred_at");
        assert_eq!(wire_field("spoke_to.person_id"), "spoke_to.person_id");
    }
}
