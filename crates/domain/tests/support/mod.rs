//! Test harness for the aggregate: a provider, an inspection, a movable clock, and helpers to
//! run commands through `decide` and fold the events with `evolve`.
#![allow(dead_code)]

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use domain::calendar::Calendar;
use domain::error::DomainError;
use domain::evidence::{
    DeliveryPartnerDetail, DeliveryPartnerEntry, EctCount, EvidenceItem, NpqCourseCount,
    NpqPartnerCount, StructuredInfo,
};
use domain::ids::{DeliveryPartnerId, InspectionId, LeadProviderId, PersonId};
use domain::inspection::{
    self, CallCapacity, Command, DecideContext, InformationSubmission, Inspection,
    InspectionCommand, InspectionEvent, PlanInspection,
};
use domain::kind::InspectionKind;
use domain::lead_provider::{self, LeadProvider, LeadProviderCommand};
use domain::permissions::{Actor, Role};
use domain::personal::{Email, PersonName, PersonalDetails};
use domain::values::{
    Contract, ContractSet, DeliveryMode, DocumentRef, EctPhase, FrameworkVersion, NpqCourse, Text,
};
use uuid::Uuid;

pub fn cal() -> &'static Calendar {
    Calendar::bundled()
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// An instant given as London wall-clock time.
pub fn london(y: i32, m: u32, day: u32, h: u32, mi: u32) -> DateTime<Utc> {
    domain::london::at(d(y, m, day), h, mi)
}

pub fn utc(y: i32, m: u32, day: u32, h: u32, mi: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, day, h, mi, 0).unwrap()
}

pub fn text(s: &str) -> Text {
    Text::new(s).unwrap()
}

pub fn lp_id() -> LeadProviderId {
    LeadProviderId::new(Uuid::from_u128(0x1111)).unwrap()
}

pub fn other_lp_id() -> LeadProviderId {
    LeadProviderId::new(Uuid::from_u128(0x2222)).unwrap()
}

pub fn insp_id() -> InspectionId {
    InspectionId::new(Uuid::from_u128(0xAAAA)).unwrap()
}

pub fn actor(role: Role) -> Actor {
    let lead_provider = (role == Role::LeadProvider).then(lp_id);
    Actor {
        subject: format!("{}-user", role.as_str()),
        role,
        lead_provider,
    }
}

pub fn rep() -> PersonalDetails {
    PersonalDetails {
        person_id: PersonId::new(Uuid::from_u128(0x5151)).unwrap(),
        name: PersonName::new("Rita Representative").unwrap(),
        email: Some(Email::new("rita@provider.example").unwrap()),
        phone: None,
    }
}

pub fn senior() -> PersonalDetails {
    PersonalDetails {
        person_id: PersonId::new(Uuid::from_u128(0x5252)).unwrap(),
        name: PersonName::new("Sam Senior").unwrap(),
        email: Some(Email::new("sam@provider.example").unwrap()),
        phone: None,
    }
}

pub fn doc(n: u8) -> DocumentRef {
    DocumentRef::new(
        &format!("https://portal.example/docs/{n}"),
        &format!("{:064x}", n as u64 + 1),
        1024,
        "application/pdf",
    )
    .unwrap()
}

pub fn partner(n: u128) -> DeliveryPartnerId {
    DeliveryPartnerId::new(Uuid::from_u128(0xD000 + n)).unwrap()
}

pub fn registered_provider(contracts: &[Contract]) -> LeadProvider {
    let cmd = Command {
        actor: actor(Role::Scheduler),
        occurred_at: None,
        backdate_reason: None,
        body: LeadProviderCommand::Register {
            id: lp_id(),
            name: text("Best Training Trust"),
            framework: FrameworkVersion::V2024,
            contracts: ContractSet::new(contracts.iter().copied()).unwrap(),
            representatives: vec![rep()],
        },
    };
    let events = lead_provider::decide(
        &LeadProvider::default(),
        &cmd,
        utc(2026, 11, 2, 9, 0),
        cal(),
    )
    .unwrap();
    events
        .iter()
        .fold(LeadProvider::default(), lead_provider::evolve)
}

/// One inspection under test, with its provider and a clock the test moves.
pub struct H {
    pub state: Inspection,
    pub events: Vec<InspectionEvent>,
    pub lp: LeadProvider,
    pub now: DateTime<Utc>,
}

impl H {
    /// A provider holding ECF and NPQ; no inspection yet; the clock at `now`.
    pub fn new(now: DateTime<Utc>) -> H {
        H {
            state: Inspection::default(),
            events: vec![],
            lp: registered_provider(&[Contract::Ecf, Contract::Npq]),
            now,
        }
    }

    /// Run a command as `role` at the harness clock; on success the events are applied.
    pub fn run(
        &mut self,
        role: Role,
        body: InspectionCommand,
    ) -> Result<Vec<InspectionEvent>, DomainError> {
        self.run_as(actor(role), None, body)
    }

    /// Run with an explicit `occurred_at`.
    pub fn run_at(
        &mut self,
        role: Role,
        occurred_at: DateTime<Utc>,
        body: InspectionCommand,
    ) -> Result<Vec<InspectionEvent>, DomainError> {
        self.run_as(actor(role), Some(occurred_at), body)
    }

    pub fn run_as(
        &mut self,
        actor: Actor,
        occurred_at: Option<DateTime<Utc>>,
        body: InspectionCommand,
    ) -> Result<Vec<InspectionEvent>, DomainError> {
        let cmd = Command {
            actor,
            occurred_at,
            backdate_reason: None,
            body,
        };
        let ctx = DecideContext {
            now: self.now,
            calendar: cal(),
            lead_provider: Some(&self.lp),
        };
        let events = inspection::decide(&self.state, &cmd, &ctx)?;
        for e in &events {
            // Every event survives a JSON round trip unchanged.
            let json = serde_json::to_value(e).unwrap();
            let back: InspectionEvent = serde_json::from_value(json).unwrap();
            assert_eq!(&back, e);
            self.state = inspection::evolve(self.state.clone(), e);
        }
        self.events.extend(events.iter().cloned());
        Ok(events)
    }

    /// Move the clock and run.
    pub fn at(&mut self, now: DateTime<Utc>) -> &mut H {
        self.now = now;
        self
    }

    /// Expect a refusal with `code`, and that nothing changed.
    pub fn refused(&mut self, role: Role, body: InspectionCommand, code: &str) -> DomainError {
        let before = self.state.clone();
        let err = self.run(role, body).expect_err("command should be refused");
        assert_eq!(err.code, code, "{err}");
        assert_eq!(self.state, before, "a refusal changes nothing");
        err
    }

    pub fn plan(
        &mut self,
        kind: InspectionKind,
        contracts: &[Contract],
        start: NaiveDate,
    ) -> Result<Vec<InspectionEvent>, DomainError> {
        self.run(
            Role::Scheduler,
            InspectionCommand::Plan(PlanInspection {
                inspection_id: insp_id(),
                lead_provider_id: lp_id(),
                kind,
                contracts: ContractSet::new(contracts.iter().copied()).unwrap(),
                framework: FrameworkVersion::V2024,
                start,
                days: None,
            }),
        )
    }

    pub fn call(&mut self) -> Result<Vec<InspectionEvent>, DomainError> {
        self.run(
            Role::Inspector,
            InspectionCommand::RecordNotificationCall {
                spoke_to: rep(),
                capacity: CallCapacity::NamedRepresentative,
                override_reason: None,
            },
        )
    }

    /// Submit every required item of the inspection, in time or not depending on the clock.
    pub fn submit_all(&mut self, items: impl Fn(EvidenceItem) -> bool) {
        let contracts = self.state.contracts.clone().unwrap();
        for item in EvidenceItem::ALL
            .into_iter()
            .filter(|i| i.required_for(&contracts) && items(*i))
        {
            self.run(
                Role::LeadProvider,
                InspectionCommand::SubmitInformation(submission(item)),
            )
            .unwrap();
        }
    }
}

/// A valid submission for any item.
pub fn submission(item: EvidenceItem) -> InformationSubmission {
    let structured = match item {
        EvidenceItem::DeliveryPartners => Some(StructuredInfo::DeliveryPartners(vec![
            DeliveryPartnerEntry {
                id: partner(1),
                name: text("North Teaching Hub"),
            },
            DeliveryPartnerEntry {
                id: partner(2),
                name: text("South Teaching Hub"),
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
        EvidenceItem::EctsPerPartner => Some(StructuredInfo::EctsPerPartner(vec![
            EctCount {
                delivery_partner_id: partner(1),
                phase: EctPhase::Primary,
                count: 120,
            },
            EctCount {
                delivery_partner_id: partner(2),
                phase: EctPhase::Primary,
                count: 30,
            },
            EctCount {
                delivery_partner_id: partner(2),
                phase: EctPhase::Secondary,
                count: 80,
            },
        ])),
        EvidenceItem::NpqParticipantsPerCourse => {
            Some(StructuredInfo::NpqParticipantsPerCourse(vec![
                NpqCourseCount {
                    course: NpqCourse::new("npq-headship").unwrap(),
                    count: 40,
                },
                NpqCourseCount {
                    course: NpqCourse::new("npq-senior-leadership").unwrap(),
                    count: 25,
                },
            ]))
        }
        EvidenceItem::NpqParticipantsPerPartner => {
            Some(StructuredInfo::NpqParticipantsPerPartner(vec![
                NpqPartnerCount {
                    delivery_partner_id: partner(1),
                    count: 65,
                },
            ]))
        }
        _ => None,
    };
    let documents = if structured.is_none() {
        vec![doc(item as u8)]
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
