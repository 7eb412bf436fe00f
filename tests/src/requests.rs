//! Request bodies the scenarios and the demo send: people, documents, grades, and a valid
//! submission for every evidence item of R15 and R16.

use proto::pb;
use proto::pb::EvidenceItem as I;
use proto::pb::structured_info::Shape;
use uuid::Uuid;

/// Someone's personal details.
pub fn person(name: &str, email: &str) -> pb::PersonalDetails {
    pb::PersonalDetails {
        person_id: Uuid::now_v7().to_string(),
        name: name.into(),
        email: Some(email.into()),
        phone: None,
    }
}

/// A document reference (R16 [D]: never the contents).
pub fn document(name: &str) -> pb::DocumentRef {
    use sha2::Digest;
    pb::DocumentRef {
        uri: format!("https://portal.example.org/docs/{name}.pdf"),
        sha256: hex::encode(sha2::Sha256::digest(name.as_bytes())),
        size_bytes: 40_960,
        media_type: "application/pdf".into(),
    }
}

/// One contract's grades (1 outstanding … 4 inadequate).
pub fn grades(overall: u8, training: u8, leadership: u8) -> pb::Grades {
    let g = |n: u8| match n {
        1 => pb::Grade::Outstanding,
        2 => pb::Grade::Good,
        3 => pb::Grade::RequiresImprovement,
        _ => pb::Grade::Inadequate,
    } as i32;
    pb::Grades {
        overall_effectiveness: g(overall),
        quality_of_training: g(training),
        leadership_and_management: g(leadership),
    }
}

/// Which rule an item belongs to (R15: the conversation day; R16: by the start), and which
/// contract it is only required for.
pub fn item_rule(item: I) -> (&'static str, Option<pb::Contract>) {
    match item {
        I::DeliveryPartners
        | I::DeliveryPartnerDetails
        | I::TrainingDuringInspectionWeek
        | I::GeneralInformation
        | I::EqualitiesDuties => ("R15", None),
        I::EctsPerPartner => ("R15", Some(pb::Contract::Ecf)),
        I::NpqParticipantsPerCourse | I::NpqParticipantsPerPartner => {
            ("R15", Some(pb::Contract::Npq))
        }
        I::MentorTrainingCurriculum => ("R16", Some(pb::Contract::Ecf)),
        I::Unspecified
        | I::TrainingCurriculum
        | I::ProgrammeHandbooks
        | I::TrainerAndMentorExpertise
        | I::DeliveryPartnerQualityMonitoring
        | I::TrainerDevelopment
        | I::StrategicOversight
        | I::SelfEvaluation => ("R16", None),
    }
}

/// Every item `rule` requires for `contracts`.
pub fn required_items(rule: &str, contracts: &[pb::Contract]) -> Vec<I> {
    (1..=16)
        .filter_map(|n| I::try_from(n).ok())
        .filter(|item| {
            let (r, only) = item_rule(*item);
            r == rule && only.is_none_or(|c| contracts.contains(&c))
        })
        .collect()
}

/// Two delivery partners, used by the structured items.
pub fn partners() -> [(String, &'static str); 2] {
    [
        (
            "0190a1d2-0000-7000-8000-000000000001".to_owned(),
            "North Teaching Hub",
        ),
        (
            "0190a1d2-0000-7000-8000-000000000002".to_owned(),
            "South Teaching Hub",
        ),
    ]
}

/// A valid submission of `item`: structured data for R15 items 1–5, a document otherwise.
pub fn submission(inspection_id: &str, item: I) -> pb::SubmitInformationRequest {
    let [(north, north_name), (south, south_name)] = partners();
    let shape = match item {
        I::DeliveryPartners => Some(Shape::DeliveryPartners(pb::DeliveryPartnerList {
            rows: vec![
                pb::DeliveryPartnerEntry {
                    id: north.clone(),
                    name: north_name.into(),
                },
                pb::DeliveryPartnerEntry {
                    id: south.clone(),
                    name: south_name.into(),
                },
            ],
        })),
        I::DeliveryPartnerDetails => Some(Shape::DeliveryPartnerDetails(
            pb::DeliveryPartnerDetailList {
                rows: vec![pb::DeliveryPartnerDetail {
                    id: north.clone(),
                    main_location: "Leeds".into(),
                    mode: pb::DeliveryMode::Blended as i32,
                    specialisms: vec!["SEND".into()],
                }],
            },
        )),
        I::EctsPerPartner => Some(Shape::EctsPerPartner(pb::EctCountList {
            rows: vec![
                pb::EctCount {
                    delivery_partner_id: north.clone(),
                    phase: pb::EctPhase::Primary as i32,
                    count: 120,
                },
                pb::EctCount {
                    delivery_partner_id: south.clone(),
                    phase: pb::EctPhase::Secondary as i32,
                    count: 80,
                },
            ],
        })),
        I::NpqParticipantsPerCourse => {
            Some(Shape::NpqParticipantsPerCourse(pb::NpqCourseCountList {
                rows: vec![
                    pb::NpqCourseCount {
                        course: "npq-headship".into(),
                        count: 40,
                    },
                    pb::NpqCourseCount {
                        course: "npq-senior-leadership".into(),
                        count: 25,
                    },
                ],
            }))
        }
        I::NpqParticipantsPerPartner => {
            Some(Shape::NpqParticipantsPerPartner(pb::NpqPartnerCountList {
                rows: vec![pb::NpqPartnerCount {
                    delivery_partner_id: north,
                    count: 65,
                }],
            }))
        }
        _ => None,
    };
    let documents = if shape.is_none() {
        vec![document(item.as_str_name())]
    } else {
        vec![]
    };
    pb::SubmitInformationRequest {
        meta: Some(pb::CommandMeta {
            inspection_id: inspection_id.to_owned(),
            ..Default::default()
        }),
        item: item as i32,
        structured: shape.map(|shape| pb::StructuredInfo { shape: Some(shape) }),
        documents,
        note: None,
        none_exists: false,
    }
}
