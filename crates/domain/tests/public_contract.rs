//! R26/R31: the public report-shared message for DfE is made from the internal event alone and
//! carries no personal data.

mod support;

use domain::inspection::{InspectionCommand as C, ReportStage, SharedJudgements};
use domain::kind::InspectionKind;
use domain::permissions::Role;
use domain::public::{PublicScope, report_shared};
use domain::values::{Contract, Grade, Grades, ReportKey, ShareScope};
use support::*;
use uuid::Uuid;

/// Every string inside a value shaped like the domain's personal-data type
/// (`PersonalDetails`: an object with a `person_id`) anywhere in `v`.
fn personal_strings(v: &serde_json::Value, inside: bool, out: &mut Vec<String>) {
    match v {
        serde_json::Value::String(s) if inside => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| personal_strings(x, inside, out)),
        serde_json::Value::Object(o) => {
            let inside = inside || o.contains_key("person_id");
            for (k, x) in o {
                if k != "person_id" {
                    personal_strings(x, inside, out);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn r26_public_message_carries_judgements_only_when_final_and_no_personal_data() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(
        InspectionKind::Full,
        &[Contract::Ecf, Contract::Npq],
        d(2027, 1, 11),
    )
    .unwrap();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    h.run(
        Role::Inspector,
        C::RecordConfirmationEmail {
            recipients: vec![rep(), senior()],
        },
    )
    .unwrap();
    h.at(london(2027, 1, 11, 9, 0))
        .run(Role::Inspector, C::Start)
        .unwrap();
    h.at(london(2027, 1, 14, 16, 0))
        .run(Role::Inspector, C::End)
        .unwrap();
    let g = Grade::Good;
    let grades = Grades {
        overall_effectiveness: g,
        quality_of_training: g,
        leadership_and_management: g,
    };
    h.run(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades,
        },
    )
    .unwrap();
    h.run(
        Role::QualityAssurer,
        C::RecordModeration {
            report: ReportKey::EcfReport,
            amendments: vec![],
        },
    )
    .unwrap();
    h.run(
        Role::QualityAssurer,
        C::RecordQualityAssurance {
            report: ReportKey::EcfReport,
        },
    )
    .unwrap();
    h.run(
        Role::QualityAssurer,
        C::ShareReportWithDfe {
            report: ReportKey::EcfReport,
            stage: ReportStage::Draft,
            scope: ShareScope::Part(text("summary prepared with Rita Representative")),
        },
    )
    .unwrap();
    h.at(london(2027, 2, 1, 10, 0))
        .run(
            Role::QualityAssurer,
            C::IssueDraftReport {
                report: ReportKey::EcfReport,
                document: doc(1),
            },
        )
        .unwrap();
    h.at(london(2027, 2, 15, 10, 0))
        .run(
            Role::QualityAssurer,
            C::IssueFinalReport {
                report: ReportKey::EcfReport,
                document: doc(2),
            },
        )
        .unwrap();
    h.run(
        Role::QualityAssurer,
        C::ShareReportWithDfe {
            report: ReportKey::EcfReport,
            stage: ReportStage::Final,
            scope: ShareScope::Whole,
        },
    )
    .unwrap();

    let mut personal = vec![];
    for e in &h.events {
        personal_strings(&serde_json::to_value(e).unwrap(), false, &mut personal);
    }
    assert!(
        personal.len() >= 6,
        "the history holds personal data to leak: {personal:?}"
    );

    let public: Vec<_> = h
        .events
        .iter()
        .filter_map(|e| report_shared(Uuid::from_u128(1), insp_id(), lp_id(), e))
        .collect();
    assert_eq!(
        public.len(),
        2,
        "one public message per share, none for other events"
    );
    assert_eq!(
        (public[0].stage, public[0].scope, public[0].judgements),
        (ReportStage::Draft, PublicScope::Part, None)
    );
    assert_eq!(public[1].judgements, Some(SharedJudgements::Grades(grades)));
    assert_eq!(public[1].contracts, vec![Contract::Ecf]);
    for m in &public {
        let json = serde_json::to_string(m).unwrap();
        for p in &personal {
            assert!(
                !json.contains(p.as_str()),
                "personal value {p:?} reached the public message {json}"
            );
        }
        assert!(
            !json.contains("Rita"),
            "free text never reaches the public message"
        );
    }
}
