//! Inspection requests from planning to the end of the on-site work (R7–R22).

use domain::DomainError;
use domain::ids::InspectionId;
use domain::inspection::{
    CallCapacity, DeferralDecision, InformationSubmission, InspectionCommand, MeetingAttestation,
    PlanInspection,
};

use super::values::{
    contracts, deferral_category, documents, evidence_item, framework, kind, meeting_group, people,
    person, planned_days, stakeholder_group, stakeholder_groups, structured,
};
use super::{
    CommandRequest, InspectionParsed, Parsed, date, dates, id, inspection_meta, meta, opt_text,
    required, text,
};
use crate::pb;

/// One `impl CommandRequest` for an inspection request: `$body` builds the command from
/// `$req` (the request).
macro_rules! inspection_request {
    ($wire:ident, $rpc:literal, |$req:ident| $body:expr) => {
        inspection_request!($wire, $rpc, no_override, |$req| $body);
    };
    ($wire:ident, $rpc:literal, $extra:ident, |$req:ident| $body:expr) => {
        impl CommandRequest for pb::$wire {
            const RPC: &'static str = $rpc;
            type Id = InspectionId;
            type Body = InspectionCommand;

            $extra!();

            fn parse(&self) -> Result<InspectionParsed, DomainError> {
                let (id, meta) = inspection_meta(self.meta.as_ref())?;
                let $req = self;
                Ok(Parsed {
                    id,
                    meta,
                    body: $body,
                })
            }
        }
    };
}
pub(crate) use inspection_request;

/// No trait method overridden.
macro_rules! no_override {
    () => {};
}
pub(crate) use no_override;

impl CommandRequest for pb::PlanInspectionRequest {
    const RPC: &'static str = "PlanInspection";
    type Id = InspectionId;
    type Body = InspectionCommand;

    /// R8: the caller may supply the inspection's id; otherwise the server makes a UUIDv7.
    fn parse(&self) -> Result<InspectionParsed, DomainError> {
        let raw_id = self.meta.as_ref().map_or("", |m| m.inspection_id.as_str());
        let inspection_id = if raw_id.trim().is_empty() {
            InspectionId::generate()
        } else {
            id(raw_id, "meta.inspection_id")?
        };
        Ok(Parsed {
            id: inspection_id,
            meta: meta(self.meta.as_ref())?,
            body: InspectionCommand::Plan(PlanInspection {
                inspection_id,
                lead_provider_id: id(&self.lead_provider_id, "lead_provider_id")?,
                kind: kind(self.kind, "kind")?,
                contracts: contracts(&self.contracts, "contracts")?,
                framework: framework(self.framework, "framework")?,
                start: date(&self.start, "start")?,
                days: planned_days(self.days.as_ref(), "days")?,
            }),
        })
    }
}

inspection_request!(RescheduleInspectionRequest, "RescheduleInspection", |r| {
    InspectionCommand::Reschedule {
        start: date(&r.start, "start")?,
        days: planned_days(r.days.as_ref(), "days")?,
        reason: text(&r.reason, "reason")?,
    }
});

inspection_request!(CancelInspectionRequest, "CancelInspection", |r| {
    InspectionCommand::Cancel {
        reason: text(&r.reason, "reason")?,
    }
});

inspection_request!(
    RecordNotificationCallRequest,
    "RecordNotificationCall",
    |r| {
        use pb::record_notification_call_request::Capacity;
        InspectionCommand::RecordNotificationCall {
            spoke_to: person(required(r.spoke_to.as_ref(), "spoke_to")?, "spoke_to")?,
            capacity: match required(r.capacity.as_ref(), "capacity")? {
                Capacity::NamedRepresentative(_) => CallCapacity::NamedRepresentative,
                Capacity::SeniorStaffRole(role) => CallCapacity::SeniorStaff {
                    role: text(role, "senior_staff_role")?,
                },
            },
            override_reason: opt_text(r.override_reason.as_ref(), "override_reason")?,
        }
    }
);

inspection_request!(
    RecordConfirmationEmailRequest,
    "RecordConfirmationEmail",
    |r| {
        InspectionCommand::RecordConfirmationEmail {
            recipients: people(&r.recipients, "recipients")?,
        }
    }
);

inspection_request!(RequestDeferralRequest, "RequestDeferral", |r| {
    InspectionCommand::RequestDeferral {
        category: deferral_category(r.category, "category")?,
        details: text(&r.details, "details")?,
    }
});

/// The macro's impl with one override: the grant's fields live under `granted`.
macro_rules! decide_deferral_wire_field {
    () => {
        fn wire_field(domain_field: &str) -> String {
            if domain_field == "new_start" || domain_field.starts_with("days") {
                format!("granted.{domain_field}")
            } else {
                super::wire_field(domain_field)
            }
        }
    };
}

inspection_request!(
    DecideDeferralRequest,
    "DecideDeferral",
    decide_deferral_wire_field,
    |r| {
        use pb::decide_deferral_request::Decision;
        InspectionCommand::DecideDeferral(match required(r.decision.as_ref(), "decision")? {
            Decision::Granted(g) => DeferralDecision::Granted {
                new_start: g
                    .new_start
                    .as_deref()
                    .map(|d| date(d, "granted.new_start"))
                    .transpose()?,
                days: planned_days(g.days.as_ref(), "granted.days")?,
                rationale: text(&g.rationale, "granted.rationale")?,
            },
            Decision::Refused(f) => DeferralDecision::Refused {
                rationale: text(&f.rationale, "refused.rationale")?,
            },
        })
    }
);

inspection_request!(SubmitInformationRequest, "SubmitInformation", |r| {
    InspectionCommand::SubmitInformation(InformationSubmission {
        item: evidence_item(r.item, "item")?,
        structured: structured(r.structured.as_ref(), "structured")?,
        documents: documents(&r.documents, "documents")?,
        note: opt_text(r.note.as_ref(), "note")?,
        none_exists: r.none_exists,
    })
});

inspection_request!(RecordSurveyLinksSentRequest, "RecordSurveyLinksSent", |r| {
    InspectionCommand::RecordSurveyLinksSent {
        groups: stakeholder_groups(&r.groups, "groups")?,
    }
});

inspection_request!(StartInspectionRequest, "StartInspection", |_r| {
    InspectionCommand::Start
});

inspection_request!(PauseInspectionRequest, "PauseInspection", |r| {
    InspectionCommand::Pause {
        reason: text(&r.reason, "reason")?,
    }
});

inspection_request!(ResumeInspectionRequest, "ResumeInspection", |r| {
    InspectionCommand::Resume {
        remaining_days: dates(&r.remaining_days, "remaining_days")?,
    }
});

inspection_request!(MarkIncompleteRequest, "MarkIncomplete", |r| {
    InspectionCommand::MarkIncomplete {
        reason: text(&r.reason, "reason")?,
    }
});

inspection_request!(
    RecordStakeholderMeetingRequest,
    "RecordStakeholderMeeting",
    |r| {
        use pb::record_stakeholder_meeting_request::Attestation;
        InspectionCommand::RecordStakeholderMeeting {
            group: meeting_group(r.group, "group")?,
            attestation: match required(r.attestation.as_ref(), "attestation")? {
                Attestation::NoLeadersOrMentorsPresent(_) => {
                    MeetingAttestation::NoLeadersOrMentorsPresent
                }
                Attestation::ExceptionalCircumstances(c) => {
                    MeetingAttestation::ExceptionalCircumstances(text(
                        c,
                        "exceptional_circumstances",
                    )?)
                }
                Attestation::NotRequired(_) => MeetingAttestation::NotRequired,
            },
        }
    }
);

inspection_request!(RaiseConcernRequest, "RaiseConcern", |r| {
    InspectionCommand::RaiseConcern {
        concern_id: id(&r.concern_id, "concern_id")?,
        summary: text(&r.summary, "summary")?,
    }
});

inspection_request!(RecordConcernActionRequest, "RecordConcernAction", |r| {
    InspectionCommand::RecordConcernAction {
        concern_id: id(&r.concern_id, "concern_id")?,
        action: text(&r.action, "action")?,
        resolved: r.resolved,
    }
});

inspection_request!(EscalateConcernRequest, "EscalateConcern", |r| {
    InspectionCommand::EscalateConcern {
        concern_id: id(&r.concern_id, "concern_id")?,
        note: text(&r.note, "note")?,
    }
});

inspection_request!(EndInspectionRequest, "EndInspection", |_r| {
    InspectionCommand::End
});

inspection_request!(RecordFollowUpCallRequest, "RecordFollowUpCall", |r| {
    InspectionCommand::RecordFollowUpCall {
        notes: opt_text(r.notes.as_ref(), "notes")?,
        override_reason: opt_text(r.override_reason.as_ref(), "override_reason")?,
    }
});

inspection_request!(RecordSurveyResponsesRequest, "RecordSurveyResponses", |r| {
    InspectionCommand::RecordSurveyResponses {
        group: stakeholder_group(r.group, "group")?,
        cumulative_count: r.cumulative_count,
    }
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codes;

    fn meta_for(id: &str) -> Option<pb::CommandMeta> {
        Some(pb::CommandMeta {
            inspection_id: id.to_owned(),
            ..Default::default()
        })
    }

    #[test]
    fn plan_without_an_id_gets_a_server_made_v7() {
        let req = pb::PlanInspectionRequest {
            meta: None,
            lead_provider_id: uuid::Uuid::now_v7().to_string(),
            kind: pb::InspectionKind::Full as i32,
            contracts: vec![pb::Contract::Ecf as i32],
            framework: pb::FrameworkVersion::FrameworkVersion2024 as i32,
            start: "2027-01-11".into(),
            days: None,
        };
        let parsed = req.parse().unwrap();
        assert_eq!(parsed.id.as_uuid().get_version_num(), 7);
        let InspectionCommand::Plan(p) = parsed.body else {
            panic!("not a plan")
        };
        assert_eq!(p.inspection_id, parsed.id);
    }

    #[test]
    fn other_commands_require_the_inspection_id() {
        let req = pb::CancelInspectionRequest {
            meta: None,
            reason: "x".into(),
        };
        let e = req.parse().unwrap_err();
        assert_eq!(e.code, codes::FIELD_MISSING);
        assert_eq!(e.field.as_deref(), Some("meta.inspection_id"));
    }

    #[test]
    fn call_without_capacity_names_the_oneof() {
        let req = pb::RecordNotificationCallRequest {
            meta: meta_for(&uuid::Uuid::now_v7().to_string()),
            spoke_to: Some(pb::PersonalDetails {
                person_id: uuid::Uuid::now_v7().to_string(),
                name: "Ada".into(),
                email: None,
                phone: None,
            }),
            capacity: None,
            override_reason: None,
        };
        assert_eq!(req.parse().unwrap_err().field.as_deref(), Some("capacity"));
    }

    #[test]
    fn oversized_text_is_refused_by_the_domain_limit() {
        let req = pb::PauseInspectionRequest {
            meta: meta_for(&uuid::Uuid::now_v7().to_string()),
            reason: "x".repeat(domain::values::Text::MAX_CHARS + 1),
        };
        let e = req.parse().unwrap_err();
        assert_eq!(e.code, "TEXT_TOO_LONG");
        assert_eq!(e.field.as_deref(), Some("reason"));
    }

    #[test]
    fn deferral_grant_fields_are_named_under_granted() {
        type D = pb::DecideDeferralRequest;
        assert_eq!(D::wire_field("new_start"), "granted.new_start");
        assert_eq!(D::wire_field("days.days[2]"), "granted.days.days[2]");
        assert_eq!(D::wire_field("backdate_reason"), "meta.backdate_reason");
        assert_eq!(
            pb::PlanInspectionRequest::wire_field("days.days"),
            "days.days"
        );
    }
}
