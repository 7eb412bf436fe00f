//! The read models as pure functions: survey window (R20–R22), report status (R24–R28),
//! evidence checklist (R15–R16), summary.

mod support;

use domain::evidence::EvidenceItem;
use domain::inspection::{InspectionCommand as C, ReportStage};
use domain::kind::InspectionKind;
use domain::permissions::Role;
use domain::values::{Contract, Grade, Grades, ReportKey, ShareScope};
use domain::views::{evidence_checklist, report_status, summary, survey_window};
use support::*;

#[test]
fn r20_survey_window_view_follows_the_clock() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 11))
        .unwrap();
    let before = survey_window(&h.state, london(2027, 1, 2, 0, 0));
    assert_eq!(
        (before.status.as_str(), before.closes_at),
        ("not_open", Some(utc(2027, 1, 13, 9, 0)))
    );
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    assert_eq!(
        survey_window(&h.state, london(2027, 1, 13, 8, 59)).status,
        "open"
    );
    assert_eq!(
        survey_window(&h.state, london(2027, 1, 13, 9, 0)).status,
        "closed"
    );
}

#[test]
fn r16_checklist_marks_outstanding_missing_late_and_none_exists() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(InspectionKind::Full, &[Contract::Npq], d(2027, 1, 11))
        .unwrap();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    h.at(london(2027, 1, 4, 12, 0))
        .run(
            Role::LeadProvider,
            C::SubmitInformation(submission(EvidenceItem::DeliveryPartners)),
        )
        .unwrap();
    h.at(london(2027, 1, 5, 12, 0))
        .run(
            Role::LeadProvider,
            C::SubmitInformation(submission(EvidenceItem::GeneralInformation)),
        )
        .unwrap();
    let mut none = submission(EvidenceItem::ProgrammeHandbooks);
    none.documents.clear();
    none.none_exists = true;
    h.run(Role::LeadProvider, C::SubmitInformation(none))
        .unwrap();
    let c = evidence_checklist(&h.state, cal(), london(2027, 1, 5, 13, 0));
    let status = |i: EvidenceItem| c.items.iter().find(|x| x.item == i).unwrap().status.clone();
    assert_eq!(status(EvidenceItem::DeliveryPartners), "submitted");
    assert_eq!(status(EvidenceItem::GeneralInformation), "late");
    assert_eq!(status(EvidenceItem::ProgrammeHandbooks), "none_exists");
    assert_eq!(status(EvidenceItem::EqualitiesDuties), "missing");
    assert_eq!(status(EvidenceItem::SelfEvaluation), "outstanding");
    assert!(c.not_required.contains(&EvidenceItem::EctsPerPartner));
    assert_eq!(c.team_sizing.delivery_partners, Some(2));
}

#[test]
fn r26_report_status_shows_stages_and_dfe_shares() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 11))
        .unwrap();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    h.at(london(2027, 1, 11, 9, 0))
        .run(Role::Inspector, C::Start)
        .unwrap();
    h.at(london(2027, 1, 14, 16, 0))
        .run(Role::Inspector, C::End)
        .unwrap();
    let s = report_status(&h.state, cal());
    assert_eq!(
        (s[0].stage.as_str(), s[0].draft_due),
        ("awaiting_judgements", Some(d(2027, 2, 9)))
    );
    let g = Grade::Good;
    h.run(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: Grades {
                overall_effectiveness: g,
                quality_of_training: g,
                leadership_and_management: g,
            },
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
        C::ShareReportWithDfe {
            report: ReportKey::EcfReport,
            stage: ReportStage::Draft,
            scope: ShareScope::Whole,
        },
    )
    .unwrap();
    let s = report_status(&h.state, cal());
    assert_eq!(s[0].stage, "moderated");
    assert_eq!(s[0].shared_with_dfe.len(), 1);
    let sum = summary(&h.state).unwrap();
    assert_eq!(
        (sum.state.as_str(), sum.ended_on),
        ("ended", Some(d(2027, 1, 14)))
    );
}
