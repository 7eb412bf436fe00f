//! Enums and nested messages: each wire enum maps onto the domain's by an exhaustive `match`
//! (a new wire value forces a decision here), and nested messages go through the domain's
//! constructors.

use domain::DomainError;
use domain::evidence::{
    DeliveryPartnerDetail, DeliveryPartnerEntry, EctCount, EvidenceItem, NpqCourseCount,
    NpqPartnerCount, StructuredInfo,
};
use domain::inspection::{Amendment, JudgementChange, PlannedDays, ReportStage};
use domain::kind::InspectionKind;
use domain::personal::{Email, PersonName, PersonalDetails, Phone};
use domain::values::{
    Contract, ContractSet, DeferralCategory, DeliveryMode, DocumentRef, EctPhase, FrameworkVersion,
    Grade, Grades, JudgementArea, LpmvOutcome, MeetingGroup, NpqCourse, ReportKey,
    StakeholderGroup,
};

use super::{codes, dates, id, index, join, required, text};
use crate::pb;

/// `fn $name(raw: i32, field: &str) -> Result<$domain, DomainError>` refusing unknown numbers
/// and `*_UNSPECIFIED`, mapping the rest exhaustively.
macro_rules! wire_enum {
    ($(#[$doc:meta])* $name:ident: $wire:ident => $domain:ty { $($w:ident => $d:expr),+ $(,)? }) => {
        $(#[$doc])*
        pub(crate) fn $name(raw: i32, field: &str) -> Result<$domain, DomainError> {
            match pb::$wire::try_from(raw) {
                Err(_) => Err(DomainError::invalid(
                    field,
                    codes::ENUM_UNKNOWN,
                    format!("{raw} is not a value of {}", stringify!($wire)),
                )),
                Ok(pb::$wire::Unspecified) => Err(DomainError::invalid(
                    field,
                    codes::ENUM_UNSPECIFIED,
                    format!("{field} must be set (not {}_UNSPECIFIED)", stringify!($wire)),
                )),
                $(Ok(pb::$wire::$w) => Ok($d),)+
            }
        }
    };
}

wire_enum!(kind: InspectionKind => InspectionKind {
    Full => InspectionKind::Full,
    Lpmv => InspectionKind::Lpmv,
});

wire_enum!(contract: Contract => Contract {
    Ecf => Contract::Ecf,
    Npq => Contract::Npq,
});

wire_enum!(framework: FrameworkVersion => FrameworkVersion {
    FrameworkVersion2024 => FrameworkVersion::V2024,
});

wire_enum!(deferral_category: DeferralCategory => DeferralCategory {
    LeaderUnderPoliceInvestigation => DeferralCategory::LeaderUnderPoliceInvestigation,
    MajorIncident => DeferralCategory::MajorIncident,
    MergerClosureOrMove => DeferralCategory::MergerClosureOrMove,
    LocalSecurityIncident => DeferralCategory::LocalSecurityIncident,
    PublicHealthClosure => DeferralCategory::PublicHealthClosure,
    ClosedHalfInspectionTime => DeferralCategory::ClosedHalfInspectionTime,
    StaffAbsence => DeferralCategory::StaffAbsence,
    SeniorLeaderWellbeing => DeferralCategory::SeniorLeaderWellbeing,
    Other => DeferralCategory::Other,
});

wire_enum!(evidence_item: EvidenceItem => EvidenceItem {
    DeliveryPartners => EvidenceItem::DeliveryPartners,
    DeliveryPartnerDetails => EvidenceItem::DeliveryPartnerDetails,
    EctsPerPartner => EvidenceItem::EctsPerPartner,
    NpqParticipantsPerCourse => EvidenceItem::NpqParticipantsPerCourse,
    NpqParticipantsPerPartner => EvidenceItem::NpqParticipantsPerPartner,
    TrainingDuringInspectionWeek => EvidenceItem::TrainingDuringInspectionWeek,
    GeneralInformation => EvidenceItem::GeneralInformation,
    EqualitiesDuties => EvidenceItem::EqualitiesDuties,
    TrainingCurriculum => EvidenceItem::TrainingCurriculum,
    MentorTrainingCurriculum => EvidenceItem::MentorTrainingCurriculum,
    ProgrammeHandbooks => EvidenceItem::ProgrammeHandbooks,
    TrainerAndMentorExpertise => EvidenceItem::TrainerAndMentorExpertise,
    DeliveryPartnerQualityMonitoring => EvidenceItem::DeliveryPartnerQualityMonitoring,
    TrainerDevelopment => EvidenceItem::TrainerDevelopment,
    StrategicOversight => EvidenceItem::StrategicOversight,
    SelfEvaluation => EvidenceItem::SelfEvaluation,
});

wire_enum!(delivery_mode: DeliveryMode => DeliveryMode {
    InPerson => DeliveryMode::InPerson,
    Remote => DeliveryMode::Remote,
    Blended => DeliveryMode::Blended,
});

wire_enum!(ect_phase: EctPhase => EctPhase {
    EarlyYears => EctPhase::EarlyYears,
    Primary => EctPhase::Primary,
    Secondary => EctPhase::Secondary,
    AllThrough => EctPhase::AllThrough,
    Special => EctPhase::Special,
    FurtherEducation => EctPhase::FurtherEducation,
});

wire_enum!(stakeholder_group: StakeholderGroup => StakeholderGroup {
    DeliveryPartners => StakeholderGroup::DeliveryPartners,
    SchoolLeaders => StakeholderGroup::SchoolLeaders,
    Participants => StakeholderGroup::Participants,
    Mentors => StakeholderGroup::Mentors,
});

wire_enum!(meeting_group: MeetingGroup => MeetingGroup {
    Ects => MeetingGroup::Ects,
    NpqParticipants => MeetingGroup::NpqParticipants,
    Mentors => MeetingGroup::Mentors,
    DeliveryPartners => MeetingGroup::DeliveryPartners,
    SchoolLeaders => MeetingGroup::SchoolLeaders,
    LeadProviderStaff => MeetingGroup::LeadProviderStaff,
});

wire_enum!(grade: Grade => Grade {
    Outstanding => Grade::Outstanding,
    Good => Grade::Good,
    RequiresImprovement => Grade::RequiresImprovement,
    Inadequate => Grade::Inadequate,
});

wire_enum!(judgement_area: JudgementArea => JudgementArea {
    OverallEffectiveness => JudgementArea::OverallEffectiveness,
    QualityOfTraining => JudgementArea::QualityOfTraining,
    LeadershipAndManagement => JudgementArea::LeadershipAndManagement,
});

wire_enum!(lpmv_outcome: LpmvOutcome => LpmvOutcome {
    Effective => LpmvOutcome::Effective,
    NotEffective => LpmvOutcome::NotEffective,
});

wire_enum!(report_key: ReportKey => ReportKey {
    EcfReport => ReportKey::EcfReport,
    NpqReport => ReportKey::NpqReport,
    LpmvLetter => ReportKey::LpmvLetter,
});

wire_enum!(report_stage: ReportStage => ReportStage {
    Draft => ReportStage::Draft,
    Final => ReportStage::Final,
});

/// A repeated contract field as a [`ContractSet`] (non-empty, no duplicates).
pub(crate) fn contracts(raw: &[i32], field: &str) -> Result<ContractSet, DomainError> {
    let list = raw
        .iter()
        .enumerate()
        .map(|(i, c)| contract(*c, &index(field, i)))
        .collect::<Result<Vec<_>, _>>()?;
    ContractSet::new(list).map_err(|e| e.at(field))
}

/// A repeated stakeholder-group field.
pub(crate) fn stakeholder_groups(
    raw: &[i32],
    field: &str,
) -> Result<Vec<StakeholderGroup>, DomainError> {
    raw.iter()
        .enumerate()
        .map(|(i, g)| stakeholder_group(*g, &index(field, i)))
        .collect()
}

/// One person's personal data.
pub(crate) fn person(p: &pb::PersonalDetails, field: &str) -> Result<PersonalDetails, DomainError> {
    let at = |f: &str| join(field, f);
    Ok(PersonalDetails {
        person_id: id(&p.person_id, &at("person_id"))?,
        name: PersonName::new(p.name.as_str()).map_err(|e| e.at(at("name")))?,
        email: p
            .email
            .as_deref()
            .map(|e| Email::new(e).map_err(|err| err.at(at("email"))))
            .transpose()?,
        phone: p
            .phone
            .as_deref()
            .map(|ph| Phone::new(ph).map_err(|err| err.at(at("phone"))))
            .transpose()?,
    })
}

/// A repeated personal-details field.
pub(crate) fn people(
    raw: &[pb::PersonalDetails],
    field: &str,
) -> Result<Vec<PersonalDetails>, DomainError> {
    raw.iter()
        .enumerate()
        .map(|(i, p)| person(p, &index(field, i)))
        .collect()
}

/// A document reference through [`DocumentRef::new`].
pub(crate) fn document(d: &pb::DocumentRef, field: &str) -> Result<DocumentRef, DomainError> {
    DocumentRef::new(&d.uri, &d.sha256, d.size_bytes, &d.media_type).map_err(|e| {
        // Name the sub-field the domain's code is about.
        let sub = match e.code {
            "DOCUMENT_URI_INVALID" => "uri",
            "DOCUMENT_SHA256_INVALID" => "sha256",
            "DOCUMENT_SIZE_INVALID" => "size_bytes",
            _ => "media_type",
        };
        e.at(join(field, sub))
    })
}

/// A repeated document field.
pub(crate) fn documents(
    raw: &[pb::DocumentRef],
    field: &str,
) -> Result<Vec<DocumentRef>, DomainError> {
    raw.iter()
        .enumerate()
        .map(|(i, d)| document(d, &index(field, i)))
        .collect()
}

/// Optional non-default days.
pub(crate) fn planned_days(
    raw: Option<&pb::PlannedDays>,
    field: &str,
) -> Result<Option<PlannedDays>, DomainError> {
    raw.map(|d| {
        Ok(PlannedDays {
            days: dates(&d.days, &join(field, "days"))?,
            reason: text(&d.reason, &join(field, "reason"))?,
        })
    })
    .transpose()
}

/// A full inspection's grades for one contract.
pub(crate) fn grades(raw: Option<&pb::Grades>, field: &str) -> Result<Grades, DomainError> {
    let g = required(raw, field)?;
    Ok(Grades {
        overall_effectiveness: grade(
            g.overall_effectiveness,
            &join(field, "overall_effectiveness"),
        )?,
        quality_of_training: grade(g.quality_of_training, &join(field, "quality_of_training"))?,
        leadership_and_management: grade(
            g.leadership_and_management,
            &join(field, "leadership_and_management"),
        )?,
    })
}

/// Moderation amendments.
pub(crate) fn amendments(
    raw: &[pb::Amendment],
    field: &str,
) -> Result<Vec<Amendment>, DomainError> {
    raw.iter()
        .enumerate()
        .map(|(i, a)| {
            let at = index(field, i);
            use pb::amendment::Change;
            let change = match required(a.change.as_ref(), &join(&at, "change"))? {
                Change::Grade(g) => JudgementChange::Grade {
                    area: judgement_area(g.area, &join(&at, "grade.area"))?,
                    to: grade(g.to, &join(&at, "grade.to"))?,
                },
                Change::Outcome(o) => JudgementChange::Outcome {
                    to: lpmv_outcome(*o, &join(&at, "outcome"))?,
                },
            };
            Ok(Amendment {
                change,
                reason: text(&a.reason, &join(&at, "reason"))?,
            })
        })
        .collect()
}

/// R15 items 1–5: the one shape given.
pub(crate) fn structured(
    raw: Option<&pb::StructuredInfo>,
    field: &str,
) -> Result<Option<StructuredInfo>, DomainError> {
    use pb::structured_info::Shape;
    let Some(info) = raw else { return Ok(None) };
    let shape = required(info.shape.as_ref(), &join(field, "shape"))?;
    let rows =
        |name: &str, i: usize, sub: &str| join(&index(&join(&join(field, name), "rows"), i), sub);
    Ok(Some(match shape {
        Shape::DeliveryPartners(list) => StructuredInfo::DeliveryPartners(
            list.rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let f = |sub| rows("delivery_partners", i, sub);
                    Ok(DeliveryPartnerEntry {
                        id: id(&r.id, &f("id"))?,
                        name: text(&r.name, &f("name"))?,
                    })
                })
                .collect::<Result<_, DomainError>>()?,
        ),
        Shape::DeliveryPartnerDetails(list) => StructuredInfo::DeliveryPartnerDetails(
            list.rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let f = |sub| rows("delivery_partner_details", i, sub);
                    Ok(DeliveryPartnerDetail {
                        id: id(&r.id, &f("id"))?,
                        main_location: text(&r.main_location, &f("main_location"))?,
                        mode: delivery_mode(r.mode, &f("mode"))?,
                        specialisms: r
                            .specialisms
                            .iter()
                            .enumerate()
                            .map(|(j, s)| text(s, &index(&f("specialisms"), j)))
                            .collect::<Result<_, _>>()?,
                    })
                })
                .collect::<Result<_, DomainError>>()?,
        ),
        Shape::EctsPerPartner(list) => StructuredInfo::EctsPerPartner(
            list.rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let f = |sub| rows("ects_per_partner", i, sub);
                    Ok(EctCount {
                        delivery_partner_id: id(&r.delivery_partner_id, &f("delivery_partner_id"))?,
                        phase: ect_phase(r.phase, &f("phase"))?,
                        count: r.count,
                    })
                })
                .collect::<Result<_, DomainError>>()?,
        ),
        Shape::NpqParticipantsPerCourse(list) => StructuredInfo::NpqParticipantsPerCourse(
            list.rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let f = |sub| rows("npq_participants_per_course", i, sub);
                    Ok(NpqCourseCount {
                        course: NpqCourse::new(r.course.as_str()).map_err(|e| e.at(f("course")))?,
                        count: r.count,
                    })
                })
                .collect::<Result<_, DomainError>>()?,
        ),
        Shape::NpqParticipantsPerPartner(list) => StructuredInfo::NpqParticipantsPerPartner(
            list.rows
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let f = |sub| rows("npq_participants_per_partner", i, sub);
                    Ok(NpqPartnerCount {
                        delivery_partner_id: id(&r.delivery_partner_id, &f("delivery_partner_id"))?,
                        count: r.count,
                    })
                })
                .collect::<Result<_, DomainError>>()?,
        ),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enums_refuse_unspecified_and_unknown_values() {
        let e = contract(0, "contracts[0]").unwrap_err();
        assert_eq!(e.code, codes::ENUM_UNSPECIFIED);
        assert_eq!(e.field.as_deref(), Some("contracts[0]"));
        assert_eq!(contract(99, "c").unwrap_err().code, codes::ENUM_UNKNOWN);
        assert_eq!(
            contract(pb::Contract::Npq as i32, "c").unwrap(),
            Contract::Npq
        );
        assert_eq!(grade(4, "g").unwrap(), Grade::Inadequate);
    }

    #[test]
    fn contracts_go_through_the_domain_set() {
        let e = contracts(&[], "contracts").unwrap_err();
        assert_eq!(e.code, "CONTRACTS_EMPTY");
        let ecf = pb::Contract::Ecf as i32;
        assert_eq!(
            contracts(&[ecf, ecf], "contracts").unwrap_err().code,
            "CONTRACT_DUPLICATE"
        );
    }

    #[test]
    fn personal_details_name_the_bad_sub_field() {
        let p = pb::PersonalDetails {
            person_id: uuid::Uuid::now_v7().to_string(),
            name: "Ada".into(),
            email: Some("not-an-email".into()),
            phone: None,
        };
        let e = people(&[p], "representatives").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("representatives[0].email"));
        assert_eq!(e.code, "EMAIL_INVALID");
    }
}
