//! The DfE contract on the bus: the relay's [`bus::PublicMapper`] for the public
//! report-shared message (R26), built from the domain's pure mapping
//! ([`domain::public::report_shared`]), which copies no personal data (R31).

use bus::{PublicMapError, PublicMapper, PublicMessage};
use domain::ids::{InspectionId, LeadProviderId};
use domain::inspection::events::InspectionEvent;
use domain::public::{REPORT_SHARED_SCHEMA_NAME, report_shared};
use eventstore::{RecordedEvent, StreamKind};

/// The stored type of the internal event that has a public message.
pub const REPORT_SHARED_EVENT_TYPE: &str = "report_shared_with_dfe";
/// The subject token of the public message: `<public prefix>.report_shared.<lead_provider>`.
pub const REPORT_SHARED_TOPIC: &str = "report_shared";

/// Maps `report_shared_with_dfe` events to `ofsted.inspections.v1.report_shared` version 1.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReportSharedMapper;

impl PublicMapper for ReportSharedMapper {
    fn map(&self, event: &RecordedEvent) -> Result<Option<PublicMessage>, PublicMapError> {
        if event.stream.kind != StreamKind::Inspection
            || event.event_type != REPORT_SHARED_EVENT_TYPE
        {
            return Ok(None);
        }
        let fail = |reason: String| PublicMapError {
            event_id: event.event_id,
            reason,
        };
        let internal: InspectionEvent = serde_json::from_value(event.payload.clone())
            .map_err(|e| fail(format!("payload: {e}")))?;
        let inspection = InspectionId::new(event.stream.id).map_err(|e| fail(e.message))?;
        let provider =
            LeadProviderId::new(event.stream.lead_provider_id).map_err(|e| fail(e.message))?;
        let message = report_shared(event.event_id, inspection, provider, &internal)
            .ok_or_else(|| fail("the payload is not a report share".into()))?;
        let body = serde_json::to_vec(&message).map_err(|e| fail(format!("encoding: {e}")))?;
        Ok(Some(PublicMessage {
            topic: REPORT_SHARED_TOPIC.to_owned(),
            schema: format!("{REPORT_SHARED_SCHEMA_NAME}/{}", message.schema_version),
            body,
        }))
    }
}
