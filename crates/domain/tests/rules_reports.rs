//! R23–R28: outcomes, moderation, QA, drafts, sharing with DfE, comments and complaints,
//! final reports and publication.

mod support;

use domain::ids::ComplaintId;
use domain::inspection::{
    Amendment, InspectionCommand as C, InspectionEventBody, JudgementChange, ReportStage,
};
use domain::kind::InspectionKind;
use domain::permissions::Role;
use domain::values::{Contract, Grade, Grades, JudgementArea, LpmvOutcome, ReportKey, ShareScope};
use support::*;
use uuid::Uuid;

fn g(n: u8) -> Grade {
    Grade::from_number(n).unwrap()
}

fn grades(n: u8) -> Grades {
    Grades {
        overall_effectiveness: g(n),
        quality_of_training: g(n),
        leadership_and_management: g(n),
    }
}

/// A full ECF inspection ended on Thu 2027-01-14.
fn ended(kind: InspectionKind, contracts: &[Contract]) -> H {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(kind, contracts, d(2027, 1, 11)).unwrap();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    h.at(london(2027, 1, 11, 9, 0))
        .run(Role::Inspector, C::Start)
        .unwrap();
    let last = *h.state.days.last().unwrap();
    h.at(domain::london::at(last, 16, 0))
        .run(Role::Inspector, C::End)
        .unwrap();
    h
}

/// Judged, moderated and quality assured ECF report.
fn ready_for_draft() -> H {
    let mut h = ended(InspectionKind::Full, &[Contract::Ecf]);
    h.at(london(2027, 1, 20, 10, 0));
    h.run(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: grades(2),
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
    h
}

/// Draft issued Mon 2027-02-01: comments close Mon 2027-02-08.
fn drafted() -> H {
    let mut h = ready_for_draft();
    h.at(london(2027, 2, 1, 10, 0))
        .run(
            Role::QualityAssurer,
            C::IssueDraftReport {
                report: ReportKey::EcfReport,
                document: doc(1),
            },
        )
        .unwrap();
    h
}

#[test]
fn r23_full_inspections_grade_each_contract_in_scope_once() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 11))
        .unwrap();
    h.refused(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: grades(2),
        },
        "R23_NOT_ENDED",
    );
    let mut h = ended(InspectionKind::Full, &[Contract::Ecf]);
    h.refused(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Npq,
            grades: grades(2),
        },
        "R23_CONTRACT_NOT_IN_SCOPE",
    );
    h.refused(
        Role::Inspector,
        C::RecordLpmvOutcome {
            outcome: LpmvOutcome::Effective,
        },
        "R23_NOT_AN_LPMV",
    );
    h.refused(
        Role::QualityAssurer,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: grades(2),
        },
        "ROLE_NOT_PERMITTED",
    );
    h.run(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: grades(2),
        },
    )
    .unwrap();
    h.refused(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: grades(1),
        },
        "R23_ALREADY_RECORDED",
    );
}

#[test]
fn r23_lpmv_records_effective_or_not_effective() {
    let mut h = ended(InspectionKind::Lpmv, &[Contract::Ecf]);
    h.refused(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: grades(2),
        },
        "R23_NOT_A_FULL_INSPECTION",
    );
    h.run(
        Role::Inspector,
        C::RecordLpmvOutcome {
            outcome: LpmvOutcome::Effective,
        },
    )
    .unwrap();
    h.refused(
        Role::Inspector,
        C::RecordLpmvOutcome {
            outcome: LpmvOutcome::NotEffective,
        },
        "R23_ALREADY_RECORDED",
    );
    // Moderation may change it (R24).
    h.run(
        Role::QualityAssurer,
        C::RecordModeration {
            report: ReportKey::LpmvLetter,
            amendments: vec![Amendment {
                change: JudgementChange::Outcome {
                    to: LpmvOutcome::NotEffective,
                },
                reason: text("evidence"),
            }],
        },
    )
    .unwrap();
    assert_eq!(h.state.lpmv_outcome, Some(LpmvOutcome::NotEffective));
}

#[test]
fn r24_moderation_amends_judgements_with_reasons_until_the_final() {
    let mut h = ended(InspectionKind::Full, &[Contract::Ecf]);
    h.refused(
        Role::QualityAssurer,
        C::RecordModeration {
            report: ReportKey::EcfReport,
            amendments: vec![],
        },
        "R24_NO_JUDGEMENTS",
    );
    h.refused(
        Role::QualityAssurer,
        C::RecordModeration {
            report: ReportKey::NpqReport,
            amendments: vec![],
        },
        "R24_REPORT_NOT_IN_SCOPE",
    );
    h.run(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: grades(2),
        },
    )
    .unwrap();
    let amend = |area, to| Amendment {
        change: JudgementChange::Grade { area, to },
        reason: text("moderation panel"),
    };
    h.refused(
        Role::QualityAssurer,
        C::RecordModeration {
            report: ReportKey::EcfReport,
            amendments: vec![amend(JudgementArea::QualityOfTraining, g(2))],
        },
        "R24_AMENDMENT_NO_CHANGE",
    );
    h.refused(
        Role::QualityAssurer,
        C::RecordModeration {
            report: ReportKey::EcfReport,
            amendments: vec![Amendment {
                change: JudgementChange::Outcome {
                    to: LpmvOutcome::Effective,
                },
                reason: text("x"),
            }],
        },
        "R24_AMENDMENT_KIND",
    );
    let ev = h
        .run(
            Role::QualityAssurer,
            C::RecordModeration {
                report: ReportKey::EcfReport,
                amendments: vec![amend(JudgementArea::QualityOfTraining, g(3))],
            },
        )
        .unwrap();
    match &ev[0].body {
        InspectionEventBody::ModerationRecorded { amendments, .. } => {
            assert_eq!(amendments[0].from, "grade 2")
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(h.state.judgements[&Contract::Ecf].quality_of_training, g(3));
    assert_eq!(h.state.reports[&ReportKey::EcfReport].amendments.len(), 1);
}

#[test]
fn r25_draft_only_after_moderation_and_quality_assurance() {
    let mut h = ended(InspectionKind::Full, &[Contract::Ecf]);
    h.run(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: grades(2),
        },
    )
    .unwrap();
    let draft = || C::IssueDraftReport {
        report: ReportKey::EcfReport,
        document: doc(1),
    };
    h.refused(Role::QualityAssurer, draft(), "R25_DRAFT_BEFORE_MODERATION");
    h.run(
        Role::QualityAssurer,
        C::RecordModeration {
            report: ReportKey::EcfReport,
            amendments: vec![],
        },
    )
    .unwrap();
    h.refused(Role::QualityAssurer, draft(), "R25_DRAFT_BEFORE_QA");
    h.run(
        Role::QualityAssurer,
        C::RecordQualityAssurance {
            report: ReportKey::EcfReport,
        },
    )
    .unwrap();
    h.refused(Role::Inspector, draft(), "ROLE_NOT_PERMITTED");
    h.run(Role::QualityAssurer, draft()).unwrap();
    h.refused(Role::QualityAssurer, draft(), "R25_DRAFT_ALREADY_ISSUED");
}

#[test]
fn r25_draft_after_eighteen_working_days_is_marked_late() {
    let mut h = ready_for_draft();
    // End Thu 2027-01-14 → due Tue 2027-02-09.
    let ev = h
        .at(london(2027, 2, 10, 10, 0))
        .run(
            Role::QualityAssurer,
            C::IssueDraftReport {
                report: ReportKey::EcfReport,
                document: doc(1),
            },
        )
        .unwrap();
    match &ev[0].body {
        InspectionEventBody::DraftReportIssued { due, late, .. } => {
            assert_eq!((*due, *late), (d(2027, 2, 9), true))
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn r26_share_with_dfe_only_after_moderation_or_qa() {
    let mut h = ended(InspectionKind::Full, &[Contract::Ecf]);
    h.run(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: grades(2),
        },
    )
    .unwrap();
    let share = |stage| C::ShareReportWithDfe {
        report: ReportKey::EcfReport,
        stage,
        scope: ShareScope::Part(text("summary only")),
    };
    h.refused(
        Role::QualityAssurer,
        share(ReportStage::Draft),
        "R26_SHARE_BEFORE_MODERATION_OR_QA",
    );
    h.run(
        Role::QualityAssurer,
        C::RecordQualityAssurance {
            report: ReportKey::EcfReport,
        },
    )
    .unwrap();
    // QA alone is enough to share (moderation OR QA), though not to issue the draft.
    h.run(Role::QualityAssurer, share(ReportStage::Draft))
        .unwrap();
    h.refused(
        Role::QualityAssurer,
        share(ReportStage::Final),
        "R26_FINAL_NOT_ISSUED",
    );
    h.refused(
        Role::Inspector,
        share(ReportStage::Draft),
        "ROLE_NOT_PERMITTED",
    );
}

#[test]
fn r27_comments_within_five_working_days_then_only_with_an_override() {
    let mut h = drafted();
    let comment = || C::SubmitComments {
        report: ReportKey::EcfReport,
        comments: text("factual error on p.2"),
        documents: vec![],
    };
    h.at(london(2027, 2, 8, 23, 0))
        .run(Role::LeadProvider, comment())
        .unwrap();
    h.at(london(2027, 2, 9, 9, 0));
    let e = h.refused(Role::LeadProvider, comment(), "R27_WINDOW_CLOSED");
    assert!(
        e.message.contains("2027-02-08") && e.message.contains("2027-02-09"),
        "{e}"
    );
    h.refused(
        Role::LeadProvider,
        C::AllowLateResponse {
            report: ReportKey::EcfReport,
            reason: text("x"),
        },
        "ROLE_NOT_PERMITTED",
    );
    h.run(
        Role::QualityAssurer,
        C::AllowLateResponse {
            report: ReportKey::EcfReport,
            reason: text("portal outage"),
        },
    )
    .unwrap();
    let ev = h.run(Role::LeadProvider, comment()).unwrap();
    assert!(matches!(
        ev[0].body,
        InspectionEventBody::CommentsSubmitted { late: true, .. }
    ));
}

#[test]
fn r27_comments_need_a_draft() {
    let mut h = ready_for_draft();
    h.refused(
        Role::LeadProvider,
        C::SubmitComments {
            report: ReportKey::EcfReport,
            comments: text("x"),
            documents: vec![],
        },
        "R27_NO_DRAFT",
    );
}

#[test]
fn r27_complaint_holds_publication_until_answered() {
    let mut h = drafted();
    let id = ComplaintId::new(Uuid::from_u128(5)).unwrap();
    h.at(london(2027, 2, 3, 10, 0))
        .run(
            Role::LeadProvider,
            C::LodgeComplaint {
                complaint_id: id,
                report: ReportKey::EcfReport,
                summary: text("judgement unfair"),
            },
        )
        .unwrap();
    h.refused(
        Role::LeadProvider,
        C::LodgeComplaint {
            complaint_id: id,
            report: ReportKey::EcfReport,
            summary: text("again"),
        },
        "R27_COMPLAINT_EXISTS",
    );
    h.at(london(2027, 2, 20, 10, 0))
        .run(
            Role::QualityAssurer,
            C::IssueFinalReport {
                report: ReportKey::EcfReport,
                document: doc(2),
            },
        )
        .unwrap();
    h.refused(
        Role::QualityAssurer,
        C::PublishReport {
            report: ReportKey::EcfReport,
        },
        "R27_COMPLAINT_HOLDS_PUBLICATION",
    );
    h.run(
        Role::QualityAssurer,
        C::RespondToComplaint {
            complaint_id: id,
            response: text("reviewed; judgement stands"),
        },
    )
    .unwrap();
    h.refused(
        Role::QualityAssurer,
        C::RespondToComplaint {
            complaint_id: id,
            response: text("x"),
        },
        "R27_COMPLAINT_ALREADY_ANSWERED",
    );
    h.run(
        Role::QualityAssurer,
        C::PublishReport {
            report: ReportKey::EcfReport,
        },
    )
    .unwrap();
}

#[test]
fn r27_complaint_after_the_window_is_refused() {
    let mut h = drafted();
    h.at(london(2027, 2, 9, 10, 0));
    let id = ComplaintId::new(Uuid::from_u128(6)).unwrap();
    h.refused(
        Role::LeadProvider,
        C::LodgeComplaint {
            complaint_id: id,
            report: ReportKey::EcfReport,
            summary: text("late"),
        },
        "R27_WINDOW_CLOSED",
    );
}

#[test]
fn r28_final_after_the_draft_then_published() {
    let mut h = ready_for_draft();
    let final_ = || C::IssueFinalReport {
        report: ReportKey::EcfReport,
        document: doc(2),
    };
    h.refused(Role::QualityAssurer, final_(), "R28_NO_DRAFT");
    h.at(london(2027, 2, 1, 10, 0))
        .run(
            Role::QualityAssurer,
            C::IssueDraftReport {
                report: ReportKey::EcfReport,
                document: doc(1),
            },
        )
        .unwrap();
    h.refused(
        Role::QualityAssurer,
        C::PublishReport {
            report: ReportKey::EcfReport,
        },
        "R28_NOT_FINAL",
    );
    // End Thu 2027-01-14 → final due Thu 2027-02-25; issued after → late.
    let ev = h
        .at(london(2027, 2, 26, 10, 0))
        .run(Role::QualityAssurer, final_())
        .unwrap();
    match &ev[0].body {
        InspectionEventBody::FinalReportIssued { due, late, .. } => {
            assert_eq!((*due, *late), (d(2027, 2, 25), true))
        }
        other => panic!("{other:?}"),
    }
    h.refused(Role::QualityAssurer, final_(), "R28_FINAL_ALREADY_ISSUED");
    // After the final: no more moderation, comments.
    h.refused(
        Role::QualityAssurer,
        C::RecordModeration {
            report: ReportKey::EcfReport,
            amendments: vec![],
        },
        "R24_FINAL_ISSUED",
    );
    h.refused(
        Role::LeadProvider,
        C::SubmitComments {
            report: ReportKey::EcfReport,
            comments: text("x"),
            documents: vec![],
        },
        "R27_FINAL_ISSUED",
    );
    h.run(
        Role::QualityAssurer,
        C::ShareReportWithDfe {
            report: ReportKey::EcfReport,
            stage: ReportStage::Final,
            scope: ShareScope::Whole,
        },
    )
    .unwrap();
    h.run(
        Role::QualityAssurer,
        C::PublishReport {
            report: ReportKey::EcfReport,
        },
    )
    .unwrap();
    h.refused(
        Role::QualityAssurer,
        C::PublishReport {
            report: ReportKey::EcfReport,
        },
        "R28_ALREADY_PUBLISHED",
    );
}
