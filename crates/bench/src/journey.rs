//! Inspections driven command by command, the way the people of DOMAIN.md would, at the
//! services' demo clock ([`NOW`]: Monday 2027-01-04 09:31 London, the call day of an
//! inspection starting Monday 2027-01-11).
//!
//! Two scripts, so that the mix covers the whole lifecycle at one instant:
//! - [`Script::Upcoming`] starts on 2027-01-11: plan, the notification call (after 09:30 on
//!   the right day, R10), the confirmation email, survey links, twelve evidence submissions
//!   (R15/R16) and eight cumulative survey counts (R22) — 24 commands;
//! - [`Script::Past`] ran in November 2026 and is recorded late by Ofsted roles with
//!   `occurred_at` and a backdating reason (R5): plan, call, confirmation, start, a meeting,
//!   end, follow-up call, judgements, moderation and QA per report, drafts, sharing with
//!   DfE (R23–R26) — 17 commands.

use std::sync::Arc;

use proto::pb;
use proto::pb::inspection_command_service_client::InspectionCommandServiceClient;
use tonic::Status;
use tonic::transport::Channel;
use uuid::Uuid;

use crate::identity::Who;

/// The command client.
pub type Commands = InspectionCommandServiceClient<Channel>;

/// The services' clock setting: `OFSTED_CLOCK=from:<NOW>`.
pub const NOW: &str = "2027-01-04T09:31:00Z";

/// Why the past script's commands are recorded late (R5).
const BACKDATE_REASON: &str = "recorded from the inspector's notes after the visit";

/// A registered lead provider and its named representative (R10).
#[derive(Debug, Clone)]
pub struct Provider {
    pub id: Uuid,
    pub representative: pb::PersonalDetails,
}

/// Which script a journey follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Script {
    Upcoming,
    Past,
}

impl Script {
    /// How many commands the script sends.
    pub fn commands(self) -> usize {
        match self {
            Script::Upcoming => 24,
            Script::Past => 17,
        }
    }
}

/// One inspection under way.
#[derive(Debug, Clone)]
pub struct Journey {
    pub id: Uuid,
    pub provider: Arc<Provider>,
    pub script: Script,
    /// The next command's index in the script.
    pub step: usize,
}

/// Register a lead provider holding ECF and NPQ, with one named representative.
pub async fn register(client: &mut Commands, n: usize) -> Result<Provider, Status> {
    let id = Uuid::now_v7();
    let representative = pb::PersonalDetails {
        person_id: Uuid::now_v7().to_string(),
        name: format!("Representative {n}"),
        email: Some(format!("rep{n}@provider{n}.example.org")),
        phone: None,
    };
    client
        .register_lead_provider(Who::Scheduler.request(pb::RegisterLeadProviderRequest {
            meta: None,
            lead_provider_id: id.to_string(),
            name: format!("Bench Teaching Partnership {n}"),
            framework: pb::FrameworkVersion::FrameworkVersion2024 as i32,
            contracts: vec![pb::Contract::Ecf as i32, pb::Contract::Npq as i32],
            representatives: vec![representative.clone()],
        }))
        .await?;
    Ok(Provider { id, representative })
}

macro_rules! call {
    ($client:expr, $method:ident, $who:expr, $body:expr) => {
        $client
            .$method($who.request($body))
            .await
            .map(|r| r.into_inner())
    };
}

fn timestamp(rfc3339: &str) -> prost_types::Timestamp {
    let t = chrono::DateTime::parse_from_rfc3339(rfc3339).unwrap_or_default();
    prost_types::Timestamp {
        seconds: t.timestamp(),
        nanos: 0,
    }
}

fn document(name: &str) -> pb::DocumentRef {
    pb::DocumentRef {
        uri: format!("https://portal.example.org/docs/{name}.pdf"),
        // Any 64 hex digits: the service checks the shape, not the bytes.
        sha256: format!("{:0>64}", format!("{:x}", name.len() * 7919)),
        size_bytes: 40_960,
        media_type: "application/pdf".into(),
    }
}

/// The evidence the upcoming script submits, in order (R15 then R16).
const SUBMITTED: [pb::EvidenceItem; 12] = [
    pb::EvidenceItem::DeliveryPartners,
    pb::EvidenceItem::TrainingDuringInspectionWeek,
    pb::EvidenceItem::GeneralInformation,
    pb::EvidenceItem::EqualitiesDuties,
    pb::EvidenceItem::TrainingCurriculum,
    pb::EvidenceItem::MentorTrainingCurriculum,
    pb::EvidenceItem::ProgrammeHandbooks,
    pb::EvidenceItem::TrainerAndMentorExpertise,
    pb::EvidenceItem::DeliveryPartnerQualityMonitoring,
    pb::EvidenceItem::TrainerDevelopment,
    pb::EvidenceItem::StrategicOversight,
    pb::EvidenceItem::SelfEvaluation,
];

const GROUPS: [pb::StakeholderGroup; 4] = [
    pb::StakeholderGroup::DeliveryPartners,
    pb::StakeholderGroup::SchoolLeaders,
    pb::StakeholderGroup::Participants,
    pb::StakeholderGroup::Mentors,
];

const REPORTS: [pb::ReportKey; 2] = [pb::ReportKey::EcfReport, pb::ReportKey::NpqReport];

impl Journey {
    /// A journey not yet planned.
    pub fn new(provider: Arc<Provider>, script: Script) -> Journey {
        Journey {
            id: Uuid::now_v7(),
            provider,
            script,
            step: 0,
        }
    }

    /// Whether every command was sent.
    pub fn done(&self) -> bool {
        self.step >= self.script.commands()
    }

    /// Send the next command; the journey moves on only when it was accepted.
    pub async fn send_next(
        &mut self,
        client: &mut Commands,
    ) -> Result<pb::CommandResponse, Status> {
        let response = match self.script {
            Script::Upcoming => self.upcoming(client).await?,
            Script::Past => self.past(client).await?,
        };
        self.step += 1;
        Ok(response)
    }

    fn meta(&self) -> Option<pb::CommandMeta> {
        Some(pb::CommandMeta {
            inspection_id: self.id.to_string(),
            ..Default::default()
        })
    }

    /// Meta of a command that happened at `at` and is recorded late.
    fn late(&self, at: &str) -> Option<pb::CommandMeta> {
        Some(pb::CommandMeta {
            inspection_id: self.id.to_string(),
            occurred_at: Some(timestamp(at)),
            backdate_reason: Some(BACKDATE_REASON.into()),
            ..Default::default()
        })
    }

    fn plan_request(
        &self,
        meta: Option<pb::CommandMeta>,
        start: &str,
    ) -> pb::PlanInspectionRequest {
        pb::PlanInspectionRequest {
            meta,
            lead_provider_id: self.provider.id.to_string(),
            kind: pb::InspectionKind::Full as i32,
            contracts: vec![pb::Contract::Ecf as i32, pb::Contract::Npq as i32],
            framework: pb::FrameworkVersion::FrameworkVersion2024 as i32,
            start: start.into(),
            days: None,
        }
    }

    fn call_request(&self, meta: Option<pb::CommandMeta>) -> pb::RecordNotificationCallRequest {
        pb::RecordNotificationCallRequest {
            meta,
            spoke_to: Some(self.provider.representative.clone()),
            capacity: Some(
                pb::record_notification_call_request::Capacity::NamedRepresentative(pb::Marker {}),
            ),
            override_reason: None,
        }
    }

    fn confirm_request(&self, meta: Option<pb::CommandMeta>) -> pb::RecordConfirmationEmailRequest {
        pb::RecordConfirmationEmailRequest {
            meta,
            recipients: vec![self.provider.representative.clone()],
        }
    }

    async fn upcoming(&self, c: &mut Commands) -> Result<pb::CommandResponse, Status> {
        let provider = Who::LeadProvider(self.provider.id);
        match self.step {
            0 => call!(
                c,
                plan_inspection,
                Who::Scheduler,
                self.plan_request(self.meta(), "2027-01-11")
            ),
            1 => call!(
                c,
                record_notification_call,
                Who::Inspector,
                self.call_request(self.meta())
            ),
            2 => call!(
                c,
                record_confirmation_email,
                Who::Inspector,
                self.confirm_request(self.meta())
            ),
            3 => call!(
                c,
                record_survey_links_sent,
                provider,
                pb::RecordSurveyLinksSentRequest {
                    meta: self.meta(),
                    groups: GROUPS.iter().map(|g| *g as i32).collect(),
                }
            ),
            n @ 4..=15 => call!(
                c,
                submit_information,
                provider,
                self.submission(SUBMITTED[n - 4])
            ),
            n => {
                let k = n - 16;
                let cumulative_count = 12 + 30 * u32::try_from(k / 4).unwrap_or(0);
                call!(
                    c,
                    record_survey_responses,
                    Who::SurveySystem,
                    pb::RecordSurveyResponsesRequest {
                        meta: self.meta(),
                        group: GROUPS[k % 4] as i32,
                        cumulative_count,
                    }
                )
            }
        }
    }

    fn submission(&self, item: pb::EvidenceItem) -> pb::SubmitInformationRequest {
        use pb::structured_info::Shape;
        let structured = (item == pb::EvidenceItem::DeliveryPartners).then(|| pb::StructuredInfo {
            shape: Some(Shape::DeliveryPartners(pb::DeliveryPartnerList {
                rows: vec![
                    pb::DeliveryPartnerEntry {
                        id: "0190a1d2-0000-7000-8000-000000000001".into(),
                        name: "North Teaching Hub".into(),
                    },
                    pb::DeliveryPartnerEntry {
                        id: "0190a1d2-0000-7000-8000-000000000002".into(),
                        name: "South Teaching Hub".into(),
                    },
                ],
            })),
        });
        let documents = if structured.is_some() {
            vec![]
        } else {
            vec![document(item.as_str_name())]
        };
        pb::SubmitInformationRequest {
            meta: self.meta(),
            item: item as i32,
            structured,
            documents,
            note: None,
            none_exists: false,
        }
    }

    async fn past(&self, c: &mut Commands) -> Result<pb::CommandResponse, Status> {
        let qa = Who::QualityAssurer;
        let report = |n: usize| REPORTS[n % 2] as i32;
        match self.step {
            0 => call!(
                c,
                plan_inspection,
                Who::Scheduler,
                self.plan_request(self.late("2026-11-09T10:00:00Z"), "2026-11-23")
            ),
            1 => call!(
                c,
                record_notification_call,
                Who::Inspector,
                self.call_request(self.late("2026-11-16T09:45:00Z"))
            ),
            2 => call!(
                c,
                record_confirmation_email,
                Who::Inspector,
                self.confirm_request(self.late("2026-11-16T10:00:00Z"))
            ),
            3 => call!(
                c,
                start_inspection,
                Who::Inspector,
                pb::StartInspectionRequest {
                    meta: self.late("2026-11-23T09:00:00Z")
                }
            ),
            4 => call!(
                c,
                record_stakeholder_meeting,
                Who::Inspector,
                pb::RecordStakeholderMeetingRequest {
                    meta: self.late("2026-11-24T11:00:00Z"),
                    group: pb::MeetingGroup::Ects as i32,
                    attestation: Some(
                        pb::record_stakeholder_meeting_request::Attestation::NoLeadersOrMentorsPresent(
                            pb::Marker {},
                        ),
                    ),
                }
            ),
            5 => call!(
                c,
                end_inspection,
                Who::Inspector,
                pb::EndInspectionRequest {
                    meta: self.late("2026-11-26T16:00:00Z")
                }
            ),
            6 => call!(
                c,
                record_follow_up_call,
                Who::Inspector,
                pb::RecordFollowUpCallRequest {
                    meta: self.late("2026-11-27T10:00:00Z"),
                    notes: Some("next steps agreed".into()),
                    override_reason: None,
                }
            ),
            n @ 7..=8 => call!(
                c,
                record_judgements,
                Who::Inspector,
                pb::RecordJudgementsRequest {
                    meta: self.late("2026-11-30T10:00:00Z"),
                    contract: if n == 7 { pb::Contract::Ecf } else { pb::Contract::Npq } as i32,
                    grades: Some(pb::Grades {
                        overall_effectiveness: pb::Grade::Good as i32,
                        quality_of_training: pb::Grade::Good as i32,
                        leadership_and_management: pb::Grade::RequiresImprovement as i32,
                    }),
                }
            ),
            n @ 9..=10 => call!(
                c,
                record_moderation,
                qa,
                pb::RecordModerationRequest {
                    meta: self.late("2026-12-07T10:00:00Z"),
                    report: report(n + 1),
                    amendments: vec![],
                }
            ),
            n @ 11..=12 => call!(
                c,
                record_quality_assurance,
                qa,
                pb::RecordQualityAssuranceRequest {
                    meta: self.late("2026-12-08T10:00:00Z"),
                    report: report(n + 1),
                }
            ),
            n @ 13..=14 => call!(
                c,
                issue_draft_report,
                qa,
                pb::IssueDraftReportRequest {
                    meta: self.late("2026-12-14T10:00:00Z"),
                    report: report(n + 1),
                    document: Some(document(&format!("draft-{n}"))),
                }
            ),
            n => call!(
                c,
                share_report_with_dfe,
                qa,
                pb::ShareReportWithDfeRequest {
                    meta: self.late("2026-12-15T10:00:00Z"),
                    report: report(n + 1),
                    stage: pb::ReportStage::Draft as i32,
                    scope: Some(pb::share_report_with_dfe_request::Scope::Whole(pb::Marker {})),
                }
            ),
        }
    }
}
