//! The public report-shared message DfE subscribes to (R26): a mapping of the internal
//! `report_shared_with_dfe` event into a versioned, PII-free schema
//! (`proto/ofsted/inspections/v1/public/report_shared.v1.schema.json`).
//!
//! The mapping is a pure function of the event alone (the event carries kind, contracts and,
//! for a final report, the judgements), so a publisher needs no other state. It copies no
//! free text: the share's "part" description stays internal, because free text is where
//! personal data would slip through (R31).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::ids::{InspectionId, LeadProviderId};
use crate::inspection::commands::ReportStage;
use crate::inspection::events::{InspectionEvent, InspectionEventBody, SharedJudgements};
use crate::kind::InspectionKind;
use crate::values::{Contract, ReportKey, ShareScope};

/// The JSON Schema of [`ReportSharedV1`], kept in the repo.
pub const REPORT_SHARED_V1_SCHEMA: &str =
    include_str!("../../../proto/ofsted/inspections/v1/public/report_shared.v1.schema.json");

/// The value of [`ReportSharedV1::schema`].
pub const REPORT_SHARED_SCHEMA_NAME: &str = "ofsted.inspections.v1.report_shared";

/// Whole or part, without the internal description of the part.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublicScope {
    /// The whole report.
    Whole,
    /// Part of it.
    Part,
}

/// Version 1 of the public report-shared message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportSharedV1 {
    /// Always [`REPORT_SHARED_SCHEMA_NAME`].
    pub schema: String,
    /// Always 1.
    pub schema_version: u32,
    /// The internal event id: stable, so subscribers deduplicate on it.
    pub message_id: Uuid,
    /// Inspection.
    pub inspection_id: InspectionId,
    /// Provider.
    pub lead_provider_id: LeadProviderId,
    /// Full or LPMV.
    pub inspection_kind: InspectionKind,
    /// Contracts the report covers.
    pub contracts: Vec<Contract>,
    /// Which report.
    pub report: ReportKey,
    /// Draft or final.
    pub stage: ReportStage,
    /// Whole or part.
    pub scope: PublicScope,
    /// When it was shared.
    pub shared_at: DateTime<Utc>,
    /// Judgements, final reports only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub judgements: Option<SharedJudgements>,
}

/// Map an internal event to the public message; `None` for every other event.
pub fn report_shared(
    event_id: Uuid,
    inspection_id: InspectionId,
    lead_provider_id: LeadProviderId,
    event: &InspectionEvent,
) -> Option<ReportSharedV1> {
    let InspectionEventBody::ReportSharedWithDfe {
        report,
        stage,
        scope,
        kind,
        contracts,
        judgements,
    } = &event.body
    else {
        return None;
    };
    Some(ReportSharedV1 {
        schema: REPORT_SHARED_SCHEMA_NAME.to_owned(),
        schema_version: 1,
        message_id: event_id,
        inspection_id,
        lead_provider_id,
        inspection_kind: *kind,
        contracts: contracts.iter().collect(),
        report: *report,
        stage: *stage,
        scope: match scope {
            ShareScope::Whole => PublicScope::Whole,
            ShareScope::Part(_) => PublicScope::Part,
        },
        shared_at: event.occurred_at,
        judgements: match stage {
            ReportStage::Final => *judgements,
            ReportStage::Draft => None,
        },
    })
}
