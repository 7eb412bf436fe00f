//! One inspection driven over gRPC, command by command, as the people of DOMAIN.md would:
//! each method sends one command as the right actor at the stack's clock, then waits until the
//! projection has applied the new version, so the read models can be read (and asserted, or
//! printed) right after. Shared by the scenario tests and the demo.

use chrono::{DateTime, Utc};
use proto::pb;
use tonic::{Code, Response, Status};
use uuid::Uuid;

use crate::api::{Api, Who};
use crate::clock::Clocks;
use crate::poll;
use crate::requests;

/// The result of a command.
pub type Sent = Result<pb::CommandResponse, Status>;

/// Register a lead provider holding `contracts`, with one named representative; wait until the
/// projection knows it.
pub async fn register_provider(
    api: &Api,
    name: &str,
    contracts: &[pb::Contract],
) -> Result<(Uuid, pb::PersonalDetails), Status> {
    let id = Uuid::now_v7();
    let rep = requests::person("Rita Representative", "rita@provider.example.org");
    api.commands()
        .register_lead_provider(Who::Scheduler.request(pb::RegisterLeadProviderRequest {
            meta: None,
            lead_provider_id: id.to_string(),
            name: name.into(),
            framework: pb::FrameworkVersion::FrameworkVersion2024 as i32,
            contracts: contracts.iter().map(|c| *c as i32).collect(),
            representatives: vec![rep.clone()],
        }))
        .await?;
    let queries = api.queries();
    poll::until("lead provider projected", poll::DEADLINE, || {
        let mut q = queries.clone();
        async move {
            q.get_lead_provider(Who::Operator.request(pb::GetLeadProviderRequest {
                lead_provider_id: id.to_string(),
                as_of: None,
            }))
            .await
            .ok()
        }
    })
    .await;
    Ok((id, rep))
}

/// One inspection under way.
#[derive(Debug, Clone)]
pub struct Journey {
    api: Api,
    /// The services' clock.
    pub clocks: Clocks,
    /// The provider inspected.
    pub lead_provider: Uuid,
    /// Its named representative (R10).
    pub representative: pb::PersonalDetails,
    /// The inspection's id.
    pub id: String,
    /// The stream version after the last command.
    pub version: u64,
    /// Contracts in scope.
    pub contracts: Vec<pb::Contract>,
}

macro_rules! send {
    ($self:ident, $who:expr, $method:ident, $body:expr) => {{
        let result = $self.api.commands().$method($who.request($body)).await;
        $self.settle(result).await
    }};
}

impl Journey {
    /// Plan an inspection of `kind` covering `contracts` from `start` ("YYYY-MM-DD").
    pub async fn plan(
        api: &Api,
        clocks: &Clocks,
        provider: (Uuid, pb::PersonalDetails),
        kind: pb::InspectionKind,
        contracts: &[pb::Contract],
        start: &str,
    ) -> Result<Journey, Status> {
        let id = Uuid::now_v7().to_string();
        let mut journey = Journey {
            api: api.clone(),
            clocks: clocks.clone(),
            lead_provider: provider.0,
            representative: provider.1,
            id: id.clone(),
            version: 0,
            contracts: contracts.to_vec(),
        };
        send!(
            journey,
            Who::Scheduler,
            plan_inspection,
            pb::PlanInspectionRequest {
                meta: Some(pb::CommandMeta {
                    inspection_id: id,
                    ..Default::default()
                }),
                lead_provider_id: journey.lead_provider.to_string(),
                kind: kind as i32,
                contracts: contracts.iter().map(|c| *c as i32).collect(),
                framework: pb::FrameworkVersion::FrameworkVersion2024 as i32,
                start: start.into(),
                days: None,
            }
        )?;
        Ok(journey)
    }

    /// Move the clock to `at`.
    pub fn at(&self, at: DateTime<Utc>) -> &Self {
        self.clocks.set(at);
        self
    }

    fn meta(&self) -> Option<pb::CommandMeta> {
        Some(pb::CommandMeta {
            inspection_id: self.id.clone(),
            ..Default::default()
        })
    }

    fn provider(&self) -> Who {
        Who::LeadProvider(self.lead_provider)
    }

    /// Record the new version and wait for the projection to apply it.
    async fn settle(&mut self, result: Result<Response<pb::CommandResponse>, Status>) -> Sent {
        let response = result?.into_inner();
        self.version = response.new_version;
        self.wait_projected(response.new_version).await;
        Ok(response)
    }

    /// Wait until the projection's summary is at `version` or later.
    pub async fn wait_projected(&self, version: u64) {
        let queries = self.api.queries();
        let id = self.id.clone();
        poll::until(
            &format!("inspection {id} projected at version {version}"),
            poll::DEADLINE,
            || {
                let mut q = queries.clone();
                let id = id.clone();
                async move {
                    let s = q
                        .get_inspection(
                            Who::Operator.request(pb::GetInspectionRequest { inspection_id: id }),
                        )
                        .await
                        .ok()?
                        .into_inner();
                    (s.version >= version).then_some(())
                }
            },
        )
        .await;
    }

    // ---- planning, the call, deferral (R9–R14) ----

    /// R10: the notification call with the named representative.
    pub async fn call(&mut self) -> Sent {
        let body = pb::RecordNotificationCallRequest {
            meta: self.meta(),
            spoke_to: Some(self.representative.clone()),
            capacity: Some(
                pb::record_notification_call_request::Capacity::NamedRepresentative(pb::Marker {}),
            ),
            override_reason: None,
        };
        send!(self, Who::Inspector, record_notification_call, body)
    }

    /// R11: the confirmation email to the representative.
    pub async fn confirm(&mut self) -> Sent {
        let body = pb::RecordConfirmationEmailRequest {
            meta: self.meta(),
            recipients: vec![self.representative.clone()],
        };
        send!(self, Who::Inspector, record_confirmation_email, body)
    }

    /// R13: the provider asks for a deferral.
    pub async fn request_deferral(
        &mut self,
        category: pb::DeferralCategory,
        details: &str,
    ) -> Sent {
        let body = pb::RequestDeferralRequest {
            meta: self.meta(),
            category: category as i32,
            details: details.into(),
        };
        send!(self, self.provider(), request_deferral, body)
    }

    /// R14: Ofsted grants it with a new start.
    pub async fn grant_deferral(&mut self, new_start: &str) -> Sent {
        let body = pb::DecideDeferralRequest {
            meta: self.meta(),
            decision: Some(pb::decide_deferral_request::Decision::Granted(
                pb::decide_deferral_request::Granted {
                    new_start: Some(new_start.into()),
                    days: None,
                    rationale: "a major incident at the provider's main office".into(),
                },
            )),
        };
        send!(self, Who::QualityAssurer, decide_deferral, body)
    }

    // ---- information from the provider (R15, R16) and surveys (R20–R22) ----

    /// Submit one evidence item.
    pub async fn submit(&mut self, item: pb::EvidenceItem) -> Sent {
        let body = requests::submission(&self.id, item);
        send!(self, self.provider(), submit_information, body)
    }

    /// Submit every item `rule` ("R15" or "R16") requires for the contracts in scope.
    pub async fn submit_required(&mut self, rule: &str) -> Result<usize, Status> {
        let items = requests::required_items(rule, &self.contracts);
        for item in &items {
            self.submit(*item).await?;
        }
        Ok(items.len())
    }

    /// R21: the provider sent the survey links to every group.
    pub async fn links_sent(&mut self) -> Sent {
        let body = pb::RecordSurveyLinksSentRequest {
            meta: self.meta(),
            groups: [
                pb::StakeholderGroup::DeliveryPartners,
                pb::StakeholderGroup::SchoolLeaders,
                pb::StakeholderGroup::Participants,
                pb::StakeholderGroup::Mentors,
            ]
            .iter()
            .map(|g| *g as i32)
            .collect(),
        };
        send!(self, self.provider(), record_survey_links_sent, body)
    }

    /// R22: a cumulative response count from the survey system.
    pub async fn survey_responses(&mut self, group: pb::StakeholderGroup, count: u32) -> Sent {
        let body = pb::RecordSurveyResponsesRequest {
            meta: self.meta(),
            group: group as i32,
            cumulative_count: count,
        };
        send!(self, Who::SurveySystem, record_survey_responses, body)
    }

    // ---- on site (R17–R19) ----

    /// R17: day 1.
    pub async fn start(&mut self) -> Sent {
        let body = pb::StartInspectionRequest { meta: self.meta() };
        send!(self, Who::Inspector, start_inspection, body)
    }

    /// R17: pause, with a reason.
    pub async fn pause(&mut self, reason: &str) -> Sent {
        let body = pb::PauseInspectionRequest {
            meta: self.meta(),
            reason: reason.into(),
        };
        send!(self, Who::Inspector, pause_inspection, body)
    }

    /// R17: resume, with new dates for the remaining days.
    pub async fn resume(&mut self, remaining_days: &[&str]) -> Sent {
        let body = pb::ResumeInspectionRequest {
            meta: self.meta(),
            remaining_days: remaining_days.iter().map(|d| (*d).to_owned()).collect(),
        };
        send!(self, Who::Inspector, resume_inspection, body)
    }

    /// R18: a meeting with participants, no leaders or mentors present.
    pub async fn meeting(&mut self, group: pb::MeetingGroup) -> Sent {
        let body = pb::RecordStakeholderMeetingRequest {
            meta: self.meta(),
            group: group as i32,
            attestation: Some(
                pb::record_stakeholder_meeting_request::Attestation::NoLeadersOrMentorsPresent(
                    pb::Marker {},
                ),
            ),
        };
        send!(self, Who::Inspector, record_stakeholder_meeting, body)
    }

    /// R19: the end of the inspection.
    pub async fn end(&mut self) -> Sent {
        let body = pb::EndInspectionRequest { meta: self.meta() };
        send!(self, Who::Inspector, end_inspection, body)
    }

    /// R19: the follow-up call.
    pub async fn follow_up(&mut self) -> Sent {
        let body = pb::RecordFollowUpCallRequest {
            meta: self.meta(),
            notes: Some("next steps agreed".into()),
            override_reason: None,
        };
        send!(self, Who::Inspector, record_follow_up_call, body)
    }

    // ---- outcomes and reports (R23–R28) ----

    /// R23: one contract's grades.
    pub async fn judgements(&mut self, contract: pb::Contract, grades: pb::Grades) -> Sent {
        let body = pb::RecordJudgementsRequest {
            meta: self.meta(),
            contract: contract as i32,
            grades: Some(grades),
        };
        send!(self, Who::Inspector, record_judgements, body)
    }

    /// R23: the LPMV outcome.
    pub async fn lpmv_outcome(&mut self, outcome: pb::LpmvOutcome) -> Sent {
        let body = pb::RecordLpmvOutcomeRequest {
            meta: self.meta(),
            outcome: outcome as i32,
        };
        send!(self, Who::Inspector, record_lpmv_outcome, body)
    }

    /// R24: moderation, with amendments.
    pub async fn moderate(
        &mut self,
        report: pb::ReportKey,
        amendments: Vec<pb::Amendment>,
    ) -> Sent {
        let body = pb::RecordModerationRequest {
            meta: self.meta(),
            report: report as i32,
            amendments,
        };
        send!(self, Who::QualityAssurer, record_moderation, body)
    }

    /// R25: quality assurance.
    pub async fn quality_assure(&mut self, report: pb::ReportKey) -> Sent {
        let body = pb::RecordQualityAssuranceRequest {
            meta: self.meta(),
            report: report as i32,
        };
        send!(self, Who::QualityAssurer, record_quality_assurance, body)
    }

    /// R25: the draft goes to the provider.
    pub async fn draft(&mut self, report: pb::ReportKey) -> Sent {
        let body = pb::IssueDraftReportRequest {
            meta: self.meta(),
            report: report as i32,
            document: Some(requests::document(&format!(
                "draft-{}",
                report.as_str_name()
            ))),
        };
        send!(self, Who::QualityAssurer, issue_draft_report, body)
    }

    /// R26: the whole report at `stage` shared with DfE.
    pub async fn share(&mut self, report: pb::ReportKey, stage: pb::ReportStage) -> Sent {
        let body = pb::ShareReportWithDfeRequest {
            meta: self.meta(),
            report: report as i32,
            stage: stage as i32,
            scope: Some(pb::share_report_with_dfe_request::Scope::Whole(
                pb::Marker {},
            )),
        };
        send!(self, Who::QualityAssurer, share_report_with_dfe, body)
    }

    /// R27: the provider's comments on the draft.
    pub async fn comment(&mut self, report: pb::ReportKey) -> Sent {
        let body = pb::SubmitCommentsRequest {
            meta: self.meta(),
            report: report as i32,
            comments: "paragraph 3 names the wrong delivery partner".into(),
            documents: vec![],
        };
        send!(self, self.provider(), submit_comments, body)
    }

    /// R27: a formal complaint; returns its id.
    pub async fn complain(&mut self, report: pb::ReportKey) -> Result<String, Status> {
        let complaint = Uuid::now_v7().to_string();
        let body = pb::LodgeComplaintRequest {
            meta: self.meta(),
            complaint_id: complaint.clone(),
            report: report as i32,
            summary: "the judgement does not reflect the evidence given".into(),
        };
        send!(self, self.provider(), lodge_complaint, body)?;
        Ok(complaint)
    }

    /// R27: Ofsted's response to a complaint.
    pub async fn respond(&mut self, complaint: &str) -> Sent {
        let body = pb::RespondToComplaintRequest {
            meta: self.meta(),
            complaint_id: complaint.into(),
            response: "considered; the judgement stands".into(),
        };
        send!(self, Who::QualityAssurer, respond_to_complaint, body)
    }

    /// R28: the final report.
    pub async fn final_report(&mut self, report: pb::ReportKey) -> Sent {
        let body = pb::IssueFinalReportRequest {
            meta: self.meta(),
            report: report as i32,
            document: Some(requests::document(&format!(
                "final-{}",
                report.as_str_name()
            ))),
        };
        send!(self, Who::QualityAssurer, issue_final_report, body)
    }

    /// R28: publication.
    pub async fn publish(&mut self, report: pb::ReportKey) -> Sent {
        let body = pb::PublishReportRequest {
            meta: self.meta(),
            report: report as i32,
        };
        send!(self, Who::QualityAssurer, publish_report, body)
    }

    // ---- read models ----

    /// The summary.
    pub async fn summary(&self) -> pb::InspectionSummary {
        self.api
            .queries()
            .get_inspection(Who::Operator.request(pb::GetInspectionRequest {
                inspection_id: self.id.clone(),
            }))
            .await
            .expect("GetInspection")
            .into_inner()
    }

    /// R29: the deadlines, against the clock.
    pub async fn deadlines(&self) -> Vec<pb::Deadline> {
        self.api
            .queries()
            .get_deadlines(Who::Operator.request(pb::GetDeadlinesRequest {
                inspection_id: self.id.clone(),
                as_of: None,
            }))
            .await
            .expect("GetDeadlines")
            .into_inner()
            .deadlines
    }

    /// R20–R22: the survey window.
    pub async fn survey(&self) -> pb::SurveyWindow {
        self.api
            .queries()
            .get_survey_window(Who::Operator.request(pb::GetSurveyWindowRequest {
                inspection_id: self.id.clone(),
                as_of: None,
            }))
            .await
            .expect("GetSurveyWindow")
            .into_inner()
    }

    /// R24–R28: every report's status.
    pub async fn reports(&self) -> Vec<pb::ReportStatus> {
        self.api
            .queries()
            .get_report_status(Who::Operator.request(pb::GetReportStatusRequest {
                inspection_id: self.id.clone(),
                as_of: None,
            }))
            .await
            .expect("GetReportStatus")
            .into_inner()
            .reports
    }

    /// One report's status.
    pub async fn report(&self, key: pb::ReportKey) -> pb::ReportStatus {
        self.reports()
            .await
            .into_iter()
            .find(|r| r.report == key as i32)
            .unwrap_or_else(|| panic!("no {} report", key.as_str_name()))
    }

    /// R15–R16: the evidence checklist.
    pub async fn checklist(&self) -> pb::EvidenceChecklist {
        self.api
            .queries()
            .get_evidence_checklist(Who::Operator.request(pb::GetEvidenceChecklistRequest {
                inspection_id: self.id.clone(),
                as_of: None,
            }))
            .await
            .expect("GetEvidenceChecklist")
            .into_inner()
    }

    /// R30: the provider's view, with its next-inspection deadline.
    pub async fn provider_view(&self) -> pb::LeadProviderView {
        self.api
            .queries()
            .get_lead_provider(Who::Operator.request(pb::GetLeadProviderRequest {
                lead_provider_id: self.lead_provider.to_string(),
                as_of: None,
            }))
            .await
            .expect("GetLeadProvider")
            .into_inner()
    }
}

/// The deadlines of `kind`, every cycle, in the order given.
pub fn of_kind(deadlines: &[pb::Deadline], kind: pb::DeadlineKind) -> Vec<&pb::Deadline> {
    deadlines.iter().filter(|d| d.kind == kind as i32).collect()
}

/// The deadline of `kind` (for `report`, if given) in the latest cycle.
pub fn current(
    deadlines: &[pb::Deadline],
    kind: pb::DeadlineKind,
    report: Option<pb::ReportKey>,
) -> pb::Deadline {
    deadlines
        .iter()
        .filter(|d| d.kind == kind as i32)
        .filter(|d| report.is_none_or(|r| d.report == r as i32))
        .max_by_key(|d| d.cycle)
        .cloned()
        .unwrap_or_else(|| panic!("no {} deadline in {deadlines:#?}", kind.as_str_name()))
}

/// A timestamp as a UTC instant.
pub fn instant(t: &Option<prost_types::Timestamp>) -> Option<DateTime<Utc>> {
    let t = t.as_ref()?;
    DateTime::from_timestamp(t.seconds, u32::try_from(t.nanos).ok()?)
}

/// The gRPC code of a refusal and its `google.rpc.ErrorInfo` reason (the rule code).
pub fn refusal(status: &Status) -> (Code, String) {
    use tonic_types::StatusExt;
    let reason = status
        .get_details_error_info()
        .map(|info| info.reason)
        .unwrap_or_default();
    (status.code(), reason)
}
