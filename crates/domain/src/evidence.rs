//! Information the lead provider shares (R15, R16): the items, their structured data, and
//! which items a set of contracts requires.

use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

use crate::error::DomainError;
use crate::ids::DeliveryPartnerId;
use crate::values::{Contract, ContractSet, DeliveryMode, EctPhase, NpqCourse, Text};

/// Every item of information asked of a lead provider. R15 items are due on the day of the
/// educationally focused conversation; R16 items by the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EvidenceItem {
    /// R15 (1) list of delivery partners.
    DeliveryPartners,
    /// R15 (2) each partner's main location, mode and specialist areas.
    DeliveryPartnerDetails,
    /// R15 (3) ECTs per delivery partner with phase (ECF only).
    EctsPerPartner,
    /// R15 (4) NPQ participants per course (NPQ only).
    NpqParticipantsPerCourse,
    /// R15 (5) NPQ participants per delivery partner (NPQ only).
    NpqParticipantsPerPartner,
    /// R15 (6) training for ECTs, mentors or NPQ participants during the inspection week.
    TrainingDuringInspectionWeek,
    /// R15 (7) key staff, offices, practical arrangements.
    GeneralInformation,
    /// R15 (8) [D placement] steps taken to meet equalities duties.
    EqualitiesDuties,
    /// R16 (1) training curriculum and calendar.
    TrainingCurriculum,
    /// R16 (2) mentor training curriculum and calendar (ECF only).
    MentorTrainingCurriculum,
    /// R16 (3) programme handbooks.
    ProgrammeHandbooks,
    /// R16 (4) how the provider understands trainers' and mentors' experience and expertise.
    TrainerAndMentorExpertise,
    /// R16 (5) how it monitors delivery partners' quality.
    DeliveryPartnerQualityMonitoring,
    /// R16 (6) professional development for trainers/facilitators.
    TrainerDevelopment,
    /// R16 (7) strategic oversight and governance.
    StrategicOversight,
    /// R16 (8) self-evaluation and improvement planning.
    SelfEvaluation,
}

/// When an item is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuePoint {
    /// R15: end of the day of the educationally focused conversation (the call day).
    ConversationDay,
    /// R16: by the start of the inspection (09:00 London on day 1 [D]).
    Start,
}

impl EvidenceItem {
    /// Every item, R15 first.
    pub const ALL: [EvidenceItem; 16] = {
        use EvidenceItem::*;
        [
            DeliveryPartners,
            DeliveryPartnerDetails,
            EctsPerPartner,
            NpqParticipantsPerCourse,
            NpqParticipantsPerPartner,
            TrainingDuringInspectionWeek,
            GeneralInformation,
            EqualitiesDuties,
            TrainingCurriculum,
            MentorTrainingCurriculum,
            ProgrammeHandbooks,
            TrainerAndMentorExpertise,
            DeliveryPartnerQualityMonitoring,
            TrainerDevelopment,
            StrategicOversight,
            SelfEvaluation,
        ]
    };

    /// When it is due.
    pub fn due_point(self) -> DuePoint {
        use EvidenceItem::*;
        match self {
            DeliveryPartners
            | DeliveryPartnerDetails
            | EctsPerPartner
            | NpqParticipantsPerCourse
            | NpqParticipantsPerPartner
            | TrainingDuringInspectionWeek
            | GeneralInformation
            | EqualitiesDuties => DuePoint::ConversationDay,
            TrainingCurriculum
            | MentorTrainingCurriculum
            | ProgrammeHandbooks
            | TrainerAndMentorExpertise
            | DeliveryPartnerQualityMonitoring
            | TrainerDevelopment
            | StrategicOversight
            | SelfEvaluation => DuePoint::Start,
        }
    }

    /// The rule that asks for it.
    pub fn rule(self) -> &'static str {
        match self.due_point() {
            DuePoint::ConversationDay => "R15",
            DuePoint::Start => "R16",
        }
    }

    /// The contract an item is specific to, if any ("where relevant").
    pub fn only_for(self) -> Option<Contract> {
        use EvidenceItem::*;
        match self {
            EctsPerPartner | MentorTrainingCurriculum => Some(Contract::Ecf),
            NpqParticipantsPerCourse | NpqParticipantsPerPartner => Some(Contract::Npq),
            _ => None,
        }
    }

    /// R16 [D]: whether the item is required for an inspection of these contracts.
    pub fn required_for(self, contracts: &ContractSet) -> bool {
        self.only_for().is_none_or(|c| contracts.contains(c))
    }

    /// R16: only pre-existing evidence is asked for by the start, so only those items may be
    /// declared "none exists".
    pub fn may_declare_none_exists(self) -> bool {
        self.due_point() == DuePoint::Start
    }

    /// R15 items 1–5 are structured data: which shape each needs.
    pub fn structured_shape(self) -> Option<&'static str> {
        use EvidenceItem::*;
        match self {
            DeliveryPartners => Some("delivery_partners"),
            DeliveryPartnerDetails => Some("delivery_partner_details"),
            EctsPerPartner => Some("ects_per_partner"),
            NpqParticipantsPerCourse => Some("npq_participants_per_course"),
            NpqParticipantsPerPartner => Some("npq_participants_per_partner"),
            _ => None,
        }
    }

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        serde_plain_name(self)
    }
}

fn serde_plain_name(item: EvidenceItem) -> &'static str {
    use EvidenceItem::*;
    match item {
        DeliveryPartners => "delivery_partners",
        DeliveryPartnerDetails => "delivery_partner_details",
        EctsPerPartner => "ects_per_partner",
        NpqParticipantsPerCourse => "npq_participants_per_course",
        NpqParticipantsPerPartner => "npq_participants_per_partner",
        TrainingDuringInspectionWeek => "training_during_inspection_week",
        GeneralInformation => "general_information",
        EqualitiesDuties => "equalities_duties",
        TrainingCurriculum => "training_curriculum",
        MentorTrainingCurriculum => "mentor_training_curriculum",
        ProgrammeHandbooks => "programme_handbooks",
        TrainerAndMentorExpertise => "trainer_and_mentor_expertise",
        DeliveryPartnerQualityMonitoring => "delivery_partner_quality_monitoring",
        TrainerDevelopment => "trainer_development",
        StrategicOversight => "strategic_oversight",
        SelfEvaluation => "self_evaluation",
    }
}

impl std::str::FromStr for EvidenceItem {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        EvidenceItem::ALL
            .into_iter()
            .find(|i| i.as_str() == s)
            .ok_or_else(|| format!("unknown evidence item {s:?}"))
    }
}

/// A delivery partner as listed by the provider (R15 item 1). Organisation names are not
/// personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPartnerEntry {
    /// The partner.
    pub id: DeliveryPartnerId,
    /// Its organisation name.
    pub name: Text,
}

/// R15 item 2 for one partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryPartnerDetail {
    /// The partner.
    pub id: DeliveryPartnerId,
    /// Its main location.
    pub main_location: Text,
    /// In person, remote or both.
    pub mode: DeliveryMode,
    /// Specialist areas of the training it provides.
    #[serde(default)]
    pub specialisms: Vec<Text>,
}

/// R15 item 3: a count of ECTs at one partner in one phase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EctCount {
    /// The partner.
    pub delivery_partner_id: DeliveryPartnerId,
    /// The ECTs' phase.
    pub phase: EctPhase,
    /// How many.
    pub count: u32,
}

/// R15 item 4: NPQ participants on one course.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NpqCourseCount {
    /// The course.
    pub course: NpqCourse,
    /// How many.
    pub count: u32,
}

/// R15 item 5: NPQ participants at one partner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NpqPartnerCount {
    /// The partner.
    pub delivery_partner_id: DeliveryPartnerId,
    /// How many.
    pub count: u32,
}

/// The structured data of R15 items 1–5.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "shape", content = "rows")]
pub enum StructuredInfo {
    /// Item 1.
    DeliveryPartners(Vec<DeliveryPartnerEntry>),
    /// Item 2.
    DeliveryPartnerDetails(Vec<DeliveryPartnerDetail>),
    /// Item 3.
    EctsPerPartner(Vec<EctCount>),
    /// Item 4.
    NpqParticipantsPerCourse(Vec<NpqCourseCount>),
    /// Item 5.
    NpqParticipantsPerPartner(Vec<NpqPartnerCount>),
}

impl StructuredInfo {
    /// The shape's name, matching [`EvidenceItem::structured_shape`].
    pub fn shape(&self) -> &'static str {
        match self {
            StructuredInfo::DeliveryPartners(_) => "delivery_partners",
            StructuredInfo::DeliveryPartnerDetails(_) => "delivery_partner_details",
            StructuredInfo::EctsPerPartner(_) => "ects_per_partner",
            StructuredInfo::NpqParticipantsPerCourse(_) => "npq_participants_per_course",
            StructuredInfo::NpqParticipantsPerPartner(_) => "npq_participants_per_partner",
        }
    }

    /// Refuse duplicate keys (a partner listed twice, a course counted twice): the counts are
    /// team-sizing inputs and must add up.
    pub fn check(&self) -> Result<(), DomainError> {
        fn unique<K: Ord + std::fmt::Debug>(
            keys: impl Iterator<Item = K>,
            what: &str,
        ) -> Result<(), DomainError> {
            let mut seen = BTreeSet::new();
            for k in keys {
                if let Some(k) = seen.replace(k) {
                    return Err(DomainError::invalid(
                        "structured.rows",
                        "R15_DUPLICATE_ROW",
                        format!("{what} {k:?} appears more than once"),
                    ));
                }
            }
            Ok(())
        }
        match self {
            StructuredInfo::DeliveryPartners(rows) => {
                unique(rows.iter().map(|r| r.id), "delivery partner")
            }
            StructuredInfo::DeliveryPartnerDetails(rows) => {
                unique(rows.iter().map(|r| r.id), "delivery partner")
            }
            StructuredInfo::EctsPerPartner(rows) => unique(
                rows.iter().map(|r| (r.delivery_partner_id, r.phase)),
                "delivery partner and phase",
            ),
            StructuredInfo::NpqParticipantsPerCourse(rows) => {
                unique(rows.iter().map(|r| r.course.clone()), "NPQ course")
            }
            StructuredInfo::NpqParticipantsPerPartner(rows) => unique(
                rows.iter().map(|r| r.delivery_partner_id),
                "delivery partner",
            ),
        }
    }
}

/// Team-sizing inputs (R15 [S]: the size of the team depends on them), from the latest
/// structured submissions.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamSizing {
    /// Number of delivery partners listed.
    pub delivery_partners: Option<u32>,
    /// ECTs by phase, summed over partners.
    pub ects_by_phase: BTreeMap<EctPhase, u32>,
    /// NPQ participants by course.
    pub npq_by_course: BTreeMap<NpqCourse, u32>,
    /// Number of NPQ courses delivered.
    pub npq_courses: Option<u32>,
}

impl TeamSizing {
    /// Fold one structured submission in (later versions replace earlier ones).
    pub fn apply(&mut self, info: &StructuredInfo) {
        match info {
            StructuredInfo::DeliveryPartners(rows) => {
                self.delivery_partners = Some(rows.len() as u32)
            }
            StructuredInfo::DeliveryPartnerDetails(_)
            | StructuredInfo::NpqParticipantsPerPartner(_) => {}
            StructuredInfo::EctsPerPartner(rows) => {
                self.ects_by_phase.clear();
                for r in rows {
                    *self.ects_by_phase.entry(r.phase).or_default() += r.count;
                }
            }
            StructuredInfo::NpqParticipantsPerCourse(rows) => {
                self.npq_by_course = rows.iter().map(|r| (r.course.clone(), r.count)).collect();
                self.npq_courses = Some(rows.len() as u32);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r16_items_are_required_only_for_contracts_in_scope() {
        let ecf = ContractSet::new([Contract::Ecf]).unwrap();
        let npq = ContractSet::new([Contract::Npq]).unwrap();
        assert!(EvidenceItem::EctsPerPartner.required_for(&ecf));
        assert!(!EvidenceItem::EctsPerPartner.required_for(&npq));
        assert!(!EvidenceItem::MentorTrainingCurriculum.required_for(&npq));
        assert!(EvidenceItem::NpqParticipantsPerCourse.required_for(&npq));
        assert!(!EvidenceItem::NpqParticipantsPerPartner.required_for(&ecf));
        assert!(EvidenceItem::SelfEvaluation.required_for(&npq));
        for item in EvidenceItem::ALL {
            assert_eq!(item.as_str().parse::<EvidenceItem>().unwrap(), item);
            assert_eq!(
                serde_json::to_value(item).unwrap(),
                serde_json::json!(item.as_str())
            );
        }
    }

    #[test]
    fn r15_items_are_due_on_the_conversation_day_and_r16_by_the_start() {
        assert_eq!(
            EvidenceItem::DeliveryPartners.due_point(),
            DuePoint::ConversationDay
        );
        assert_eq!(
            EvidenceItem::EqualitiesDuties.due_point(),
            DuePoint::ConversationDay
        );
        assert_eq!(EvidenceItem::SelfEvaluation.due_point(), DuePoint::Start);
        assert!(!EvidenceItem::DeliveryPartners.may_declare_none_exists());
        assert!(EvidenceItem::ProgrammeHandbooks.may_declare_none_exists());
    }
}
