//! Subjects of published events.
//!
//! `<prefix>.<lead_provider_id>.<stream_id>.<event_type>`: the lead provider comes first so a
//! provider-scoped consumer (or the DfE export) filters with one wildcard, and the stream id
//! next so one inspection's history is `<prefix>.*.<inspection_id>.>`.

use uuid::Uuid;

/// The subject an event is published on.
///
/// For an inspection stream `stream_id` is the inspection id. For a lead-provider stream the
/// stream id IS the lead provider id, so its subject repeats the id
/// (`<prefix>.<lp>.<lp>.<type>`): consumers filtering by provider still see the provider's own
/// events, and no separate subject family is needed.
///
/// `event_type` must be one subject token (no `.`, `*`, `>` or whitespace); the domain's
/// event type names are CamelCase identifiers, so they are used as they are.
pub fn event_subject(
    prefix: &str,
    lead_provider_id: Uuid,
    stream_id: Uuid,
    event_type: &str,
) -> String {
    format!("{prefix}.{lead_provider_id}.{stream_id}.{event_type}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_is_prefix_provider_stream_type() {
        let lp = Uuid::from_u128(1);
        let insp = Uuid::from_u128(2);
        assert_eq!(
            event_subject(
                "ofsted.inspections.v1.events",
                lp,
                insp,
                "InspectionPlanned"
            ),
            "ofsted.inspections.v1.events.00000000-0000-0000-0000-000000000001.\
             00000000-0000-0000-0000-000000000002.InspectionPlanned"
        );
    }

    #[test]
    fn lead_provider_stream_repeats_the_provider_id() {
        let lp = Uuid::from_u128(7);
        let subject = event_subject("p", lp, lp, "LeadProviderRegistered");
        assert_eq!(subject, format!("p.{lp}.{lp}.LeadProviderRegistered"));
    }
}
