//! Realistic histories: commands run through the domain's `decide` at chosen times, and the
//! resulting events appended to a real event store, as the command service would.

use std::collections::HashMap;

use chrono::{DateTime, Days, NaiveDate, Utc};
use domain::calendar::Calendar;
use domain::evidence::{
    DeliveryPartnerDetail, DeliveryPartnerEntry, EctCount, EvidenceItem, NpqCourseCount,
    NpqPartnerCount, StructuredInfo,
};
use domain::ids::{DeliveryPartnerId, InspectionId, LeadProviderId, PersonId};
use domain::inspection::{
    self, CallCapacity, Command, DecideContext, DeferralDecision, InformationSubmission,
    Inspection, InspectionCommand as C, InspectionEvent, PlanInspection, ReportStage,
};
use domain::kind::InspectionKind;
use domain::lead_provider::{self, LeadProvider, LeadProviderCommand, LeadProviderEvent};
use domain::permissions::{Actor, Role};
use domain::personal::{Email, PersonName, PersonalDetails};
use domain::values::{
    Contract, ContractSet, DeferralCategory, DeliveryMode, DocumentRef, EctPhase, FrameworkVersion,
    Grade, Grades, MeetingGroup, NpqCourse, ReportKey, ShareScope, StakeholderGroup, Text,
};
use eventstore::{
    AppendRequest, EventMetadata, EventStore, ExpectedVersion, NewEvent, StreamKind, StreamRef,
};
use uuid::Uuid;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

/// An instant given as London wall-clock time.
pub fn london(date: NaiveDate, h: u32, mi: u32) -> DateTime<Utc> {
    domain::london::at(date, h, mi)
}

fn text(s: &str) -> Text {
    Text::new(s).expect("text")
}

fn plus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_add_days(Days::new(days)).expect("date")
}

fn minus(date: NaiveDate, days: u64) -> NaiveDate {
    date.checked_sub_days(Days::new(days)).expect("date")
}

fn rep() -> PersonalDetails {
    PersonalDetails {
        person_id: PersonId::new(Uuid::from_u128(0x5151)).expect("id"),
        name: PersonName::new("Rita Representative").expect("name"),
        email: Some(Email::new("rita@provider.example").expect("email")),
        phone: None,
    }
}

fn doc(n: u32) -> DocumentRef {
    DocumentRef::new(
        &format!("https://portal.example/docs/{n}"),
        &format!("{:064x}", u64::from(n) + 1),
        1024,
        "application/pdf",
    )
    .expect("document")
}

fn partner(n: u128) -> DeliveryPartnerId {
    DeliveryPartnerId::new(Uuid::from_u128(0xD000 + n)).expect("id")
}

/// Runs commands for one lead provider and its inspections, appending what they decide.
#[derive(Debug)]
pub struct Author {
    pub store: EventStore,
    pub lp_id: LeadProviderId,
    lp: LeadProvider,
    states: HashMap<InspectionId, Inspection>,
}

impl Author {
    /// Registers a provider holding ECF and NPQ at `now`.
    pub async fn new(store: EventStore, now: DateTime<Utc>) -> Author {
        let lp_id = LeadProviderId::new(Uuid::new_v4()).expect("id");
        let cmd = Command {
            actor: actor(Role::Scheduler, lp_id),
            occurred_at: None,
            backdate_reason: None,
            body: LeadProviderCommand::Register {
                id: lp_id,
                name: text("Best Training Trust"),
                framework: FrameworkVersion::V2024,
                contracts: ContractSet::new([Contract::Ecf, Contract::Npq]).expect("contracts"),
                representatives: vec![rep()],
            },
        };
        let events =
            lead_provider::decide(&LeadProvider::default(), &cmd, now, Calendar::bundled())
                .expect("register");
        let lp = events
            .iter()
            .fold(LeadProvider::default(), lead_provider::evolve);
        let stream = StreamRef {
            id: lp_id.as_uuid(),
            kind: StreamKind::LeadProvider,
            lead_provider_id: lp_id.as_uuid(),
        };
        append(
            &store,
            stream,
            0,
            &events,
            LeadProviderEvent::event_type,
            |e| e.occurred_at,
            now,
        )
        .await;
        Author {
            store,
            lp_id,
            lp,
            states: HashMap::new(),
        }
    }

    /// Plans a full ECF+NPQ inspection starting on `start` (a Monday), at `now`.
    pub async fn plan(&mut self, start: NaiveDate, now: DateTime<Utc>) -> InspectionId {
        let id = InspectionId::new(Uuid::new_v4()).expect("id");
        self.run(
            id,
            Role::Scheduler,
            C::Plan(PlanInspection {
                inspection_id: id,
                lead_provider_id: self.lp_id,
                kind: InspectionKind::Full,
                contracts: ContractSet::new([Contract::Ecf, Contract::Npq]).expect("contracts"),
                framework: FrameworkVersion::V2024,
                start,
                days: None,
            }),
            now,
        )
        .await;
        id
    }

    /// Runs one command as `role` at `now` and appends its events; panics on a refusal.
    pub async fn run(
        &mut self,
        id: InspectionId,
        role: Role,
        body: C,
        now: DateTime<Utc>,
    ) -> Vec<InspectionEvent> {
        let state = self.states.get(&id).cloned().unwrap_or_default();
        let cmd = Command {
            actor: actor(role, self.lp_id),
            occurred_at: None,
            backdate_reason: None,
            body,
        };
        let ctx = DecideContext {
            now,
            calendar: Calendar::bundled(),
            lead_provider: Some(&self.lp),
        };
        let events = inspection::decide(&state, &cmd, &ctx)
            .unwrap_or_else(|e| panic!("{:?} refused at {now}: {e}", cmd.body));
        let stream = StreamRef {
            id: id.as_uuid(),
            kind: StreamKind::Inspection,
            lead_provider_id: self.lp_id.as_uuid(),
        };
        append(
            &self.store,
            stream,
            state.version,
            &events,
            InspectionEvent::event_type,
            |e| e.occurred_at,
            now,
        )
        .await;
        let next = events.iter().fold(state, inspection::evolve);
        self.states.insert(id, next);
        events
    }

    /// The inspection's version (events appended so far).
    pub fn states_version(&self, id: InspectionId) -> u64 {
        self.states.get(&id).map_or(0, |s| s.version)
    }

    /// The notification call on its day at 09:45.
    pub async fn call(&mut self, id: InspectionId, start: NaiveDate) {
        let day = domain::schedule::notification_day(Calendar::bundled(), start);
        self.run(
            id,
            Role::Inspector,
            C::RecordNotificationCall {
                spoke_to: rep(),
                capacity: CallCapacity::NamedRepresentative,
                override_reason: None,
            },
            london(day, 9, 45),
        )
        .await;
    }

    /// A deferral requested and granted on the day after the call, moving the start.
    pub async fn defer(&mut self, id: InspectionId, start: NaiveDate, new_start: NaiveDate) {
        let day = plus(
            domain::schedule::notification_day(Calendar::bundled(), start),
            1,
        );
        self.run(
            id,
            Role::LeadProvider,
            C::RequestDeferral {
                category: DeferralCategory::MergerClosureOrMove,
                details: text("merger"),
            },
            london(day, 9, 0),
        )
        .await;
        self.run(
            id,
            Role::QualityAssurer,
            C::DecideDeferral(DeferralDecision::Granted {
                new_start: Some(new_start),
                days: None,
                rationale: text("accepted"),
            }),
            london(day, 10, 0),
        )
        .await;
    }

    /// Submits every required item of `rule` (R15 or R16) at `now`.
    pub async fn submit(&mut self, id: InspectionId, rule: &str, now: DateTime<Utc>) {
        for item in EvidenceItem::ALL {
            let contracts = ContractSet::new([Contract::Ecf, Contract::Npq]).expect("contracts");
            if item.rule() != rule || !item.required_for(&contracts) {
                continue;
            }
            self.run(
                id,
                Role::LeadProvider,
                C::SubmitInformation(submission(item)),
                now,
            )
            .await;
        }
    }

    /// A whole full inspection starting on `start` (a Monday without bank holidays near):
    /// about 40 events, from the plan to both reports published.
    pub async fn lifecycle(&mut self, start: NaiveDate) -> InspectionId {
        let id = self.plan(start, london(minus(start, 42), 10, 0)).await;
        self.call(id, start).await;
        let call_day = domain::schedule::notification_day(Calendar::bundled(), start);
        self.submit(id, "R15", london(call_day, 15, 0)).await;
        self.run(
            id,
            Role::LeadProvider,
            C::RecordSurveyLinksSent {
                groups: StakeholderGroup::ALL.to_vec(),
            },
            london(plus(call_day, 1), 11, 0),
        )
        .await;
        self.submit(id, "R16", london(minus(start, 3), 12, 0)).await;
        self.run(id, Role::Inspector, C::Start, london(start, 9, 0))
            .await;
        self.run(
            id,
            Role::SurveySystem,
            C::RecordSurveyResponses {
                group: StakeholderGroup::Participants,
                cumulative_count: 310,
            },
            london(plus(start, 1), 8, 0),
        )
        .await;
        self.run(
            id,
            Role::Inspector,
            C::RecordStakeholderMeeting {
                group: MeetingGroup::Ects,
                attestation: inspection::MeetingAttestation::NoLeadersOrMentorsPresent,
            },
            london(plus(start, 1), 11, 0),
        )
        .await;
        self.run(id, Role::Inspector, C::End, london(plus(start, 3), 16, 0))
            .await;
        self.run(
            id,
            Role::Inspector,
            C::RecordFollowUpCall {
                notes: None,
                override_reason: None,
            },
            london(plus(start, 4), 10, 0),
        )
        .await;
        for (contract, g) in [(Contract::Ecf, 2), (Contract::Npq, 3)] {
            self.run(
                id,
                Role::Inspector,
                C::RecordJudgements {
                    contract,
                    grades: grades(g),
                },
                london(plus(start, 7), 10, 0),
            )
            .await;
        }
        let reports = [ReportKey::EcfReport, ReportKey::NpqReport];
        for report in reports {
            self.run(
                id,
                Role::QualityAssurer,
                C::RecordModeration {
                    report,
                    amendments: vec![],
                },
                london(plus(start, 14), 10, 0),
            )
            .await;
            self.run(
                id,
                Role::QualityAssurer,
                C::RecordQualityAssurance { report },
                london(plus(start, 14), 11, 0),
            )
            .await;
        }
        for (i, report) in reports.into_iter().enumerate() {
            self.run(
                id,
                Role::QualityAssurer,
                C::IssueDraftReport {
                    report,
                    document: doc(100 + i as u32),
                },
                london(plus(start, 25), 10, 0),
            )
            .await;
        }
        self.run(
            id,
            Role::QualityAssurer,
            C::ShareReportWithDfe {
                report: ReportKey::EcfReport,
                stage: ReportStage::Draft,
                scope: ShareScope::Whole,
            },
            london(plus(start, 25), 11, 0),
        )
        .await;
        self.run(
            id,
            Role::LeadProvider,
            C::SubmitComments {
                report: ReportKey::EcfReport,
                comments: text("typo in para 3"),
                documents: vec![],
            },
            london(plus(start, 30), 10, 0),
        )
        .await;
        for (i, report) in reports.into_iter().enumerate() {
            self.run(
                id,
                Role::QualityAssurer,
                C::IssueFinalReport {
                    report,
                    document: doc(110 + i as u32),
                },
                london(plus(start, 39), 10, 0),
            )
            .await;
            self.run(
                id,
                Role::QualityAssurer,
                C::PublishReport { report },
                london(plus(start, 39), 11, 0),
            )
            .await;
        }
        id
    }
}

fn grades(g: u8) -> Grades {
    let g = Grade::from_number(g).expect("grade");
    Grades {
        overall_effectiveness: g,
        quality_of_training: g,
        leadership_and_management: g,
    }
}

fn actor(role: Role, lp: LeadProviderId) -> Actor {
    Actor {
        subject: format!("{}-user", role.as_str()),
        role,
        lead_provider: (role == Role::LeadProvider).then_some(lp),
    }
}

async fn append<E: serde::Serialize>(
    store: &EventStore,
    stream: StreamRef,
    version: u64,
    events: &[E],
    event_type: impl Fn(&E) -> &'static str,
    occurred_at: impl Fn(&E) -> DateTime<Utc>,
    now: DateTime<Utc>,
) {
    if events.is_empty() {
        return;
    }
    let new_events = events
        .iter()
        .map(|e| NewEvent {
            event_id: Uuid::now_v7(),
            event_type: event_type(e).to_owned(),
            schema_version: inspection::SCHEMA_VERSION,
            payload: serde_json::to_value(e).expect("event json"),
            metadata: EventMetadata {
                actor: "test".into(),
                role: "test".into(),
                correlation_id: Uuid::new_v4(),
                causation_id: None,
                idempotency_key: None,
                occurred_at: occurred_at(e),
                traceparent: None,
            },
        })
        .collect();
    store
        .append(AppendRequest {
            stream,
            expected: ExpectedVersion::Exact(version),
            events: new_events,
            idempotency: None,
            recorded_at: now,
        })
        .await
        .expect("append");
}

fn submission(item: EvidenceItem) -> InformationSubmission {
    let structured = match item {
        EvidenceItem::DeliveryPartners => Some(StructuredInfo::DeliveryPartners(vec![
            DeliveryPartnerEntry {
                id: partner(1),
                name: text("North Teaching Hub"),
            },
        ])),
        EvidenceItem::DeliveryPartnerDetails => Some(StructuredInfo::DeliveryPartnerDetails(vec![
            DeliveryPartnerDetail {
                id: partner(1),
                main_location: text("Leeds"),
                mode: DeliveryMode::Blended,
                specialisms: vec![text("SEND")],
            },
        ])),
        EvidenceItem::EctsPerPartner => Some(StructuredInfo::EctsPerPartner(vec![EctCount {
            delivery_partner_id: partner(1),
            phase: EctPhase::Primary,
            count: 120,
        }])),
        EvidenceItem::NpqParticipantsPerCourse => {
            Some(StructuredInfo::NpqParticipantsPerCourse(vec![
                NpqCourseCount {
                    course: NpqCourse::new("npq-headship").expect("course"),
                    count: 40,
                },
            ]))
        }
        EvidenceItem::NpqParticipantsPerPartner => {
            Some(StructuredInfo::NpqParticipantsPerPartner(vec![
                NpqPartnerCount {
                    delivery_partner_id: partner(1),
                    count: 40,
                },
            ]))
        }
        _ => None,
    };
    let documents = if structured.is_none() {
        vec![doc(item as u32)]
    } else {
        vec![]
    };
    InformationSubmission {
        item,
        structured,
        documents,
        note: None,
        none_exists: false,
    }
}
