//! Whole inspections through `decide`/`evolve`: the worked examples of DOMAIN.md, start to
//! finish.

mod support;

use domain::deadlines::{DeadlineKind, DeadlineStatus, deadlines};
use domain::ids::ConcernId;
use domain::inspection::{
    Amendment, InspectionCommand as C, InspectionEventBody, JudgementChange, MeetingAttestation,
    Phase, ReportStage,
};
use domain::kind::InspectionKind;
use domain::permissions::Role;
use domain::values::{
    Contract, Grade, Grades, JudgementArea, LpmvOutcome, MeetingGroup, ReportKey, ShareScope,
    StakeholderGroup,
};
use support::*;
use uuid::Uuid;

fn grades(o: u8, q: u8, l: u8) -> Grades {
    Grades {
        overall_effectiveness: Grade::from_number(o).unwrap(),
        quality_of_training: Grade::from_number(q).unwrap(),
        leadership_and_management: Grade::from_number(l).unwrap(),
    }
}

#[test]
fn full_inspection_ecf_and_npq_runs_start_to_finish() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    let ev = h
        .plan(
            InspectionKind::Full,
            &[Contract::Ecf, Contract::Npq],
            d(2027, 1, 11),
        )
        .unwrap();
    assert_eq!(ev[0].event_type(), "inspection_planned");
    assert_eq!(
        h.state.days,
        vec![
            d(2027, 1, 11),
            d(2027, 1, 12),
            d(2027, 1, 13),
            d(2027, 1, 14)
        ]
    );
    assert_eq!(
        h.state.report_keys(),
        vec![ReportKey::EcfReport, ReportKey::NpqReport]
    );

    // R10: Mon 2027-01-04 from 09:30 (09:30Z in winter).
    let ev = h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    match &ev[0].body {
        InspectionEventBody::NotificationCallMade {
            survey_closes_at,
            exception,
            ..
        } => {
            assert_eq!(*survey_closes_at, utc(2027, 1, 13, 9, 0));
            assert!(exception.is_none());
        }
        other => panic!("unexpected {other:?}"),
    }
    h.at(london(2027, 1, 4, 10, 0))
        .run(
            Role::Inspector,
            C::RecordConfirmationEmail {
                recipients: vec![rep()],
            },
        )
        .unwrap();
    h.at(london(2027, 1, 4, 15, 0));
    h.submit_all(|i| i.rule() == "R15");
    h.at(london(2027, 1, 5, 11, 0))
        .run(
            Role::LeadProvider,
            C::RecordSurveyLinksSent {
                groups: StakeholderGroup::ALL.to_vec(),
            },
        )
        .unwrap();
    h.at(london(2027, 1, 8, 12, 0));
    h.submit_all(|i| i.rule() == "R16");
    assert_eq!(h.state.team_sizing.delivery_partners, Some(2));
    assert_eq!(h.state.team_sizing.ects_by_phase.values().sum::<u32>(), 230);

    h.at(london(2027, 1, 11, 9, 0))
        .run(Role::Inspector, C::Start)
        .unwrap();
    h.at(london(2027, 1, 12, 8, 0))
        .run(
            Role::SurveySystem,
            C::RecordSurveyResponses {
                group: StakeholderGroup::Participants,
                cumulative_count: 310,
            },
        )
        .unwrap();
    h.at(london(2027, 1, 12, 11, 0))
        .run(
            Role::Inspector,
            C::RecordStakeholderMeeting {
                group: MeetingGroup::Ects,
                attestation: MeetingAttestation::NoLeadersOrMentorsPresent,
            },
        )
        .unwrap();
    let concern = ConcernId::new(Uuid::from_u128(77)).unwrap();
    h.run(
        Role::LeadProvider,
        C::RaiseConcern {
            concern_id: concern,
            summary: text("timetable clash"),
        },
    )
    .unwrap();
    h.run(
        Role::Inspector,
        C::RecordConcernAction {
            concern_id: concern,
            action: text("moved meeting"),
            resolved: true,
        },
    )
    .unwrap();
    let ev = h
        .at(london(2027, 1, 14, 16, 0))
        .run(Role::Inspector, C::End)
        .unwrap();
    assert_eq!(
        ev.iter().map(|e| e.event_type()).collect::<Vec<_>>(),
        ["inspection_ended", "post_inspection_survey_invited"]
    );
    h.at(london(2027, 1, 15, 10, 0))
        .run(
            Role::Inspector,
            C::RecordFollowUpCall {
                notes: None,
                override_reason: None,
            },
        )
        .unwrap();

    h.at(london(2027, 1, 18, 10, 0));
    h.run(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Ecf,
            grades: grades(2, 2, 2),
        },
    )
    .unwrap();
    h.run(
        Role::Inspector,
        C::RecordJudgements {
            contract: Contract::Npq,
            grades: grades(3, 2, 3),
        },
    )
    .unwrap();
    h.at(london(2027, 1, 25, 10, 0))
        .run(
            Role::QualityAssurer,
            C::RecordModeration {
                report: ReportKey::EcfReport,
                amendments: vec![Amendment {
                    change: JudgementChange::Grade {
                        area: JudgementArea::OverallEffectiveness,
                        to: Grade::Outstanding,
                    },
                    reason: text("evidence base supports outstanding"),
                }],
            },
        )
        .unwrap();
    assert_eq!(
        h.state.judgements[&Contract::Ecf].overall_effectiveness,
        Grade::Outstanding
    );
    h.run(
        Role::QualityAssurer,
        C::RecordModeration {
            report: ReportKey::NpqReport,
            amendments: vec![],
        },
    )
    .unwrap();
    for r in [ReportKey::EcfReport, ReportKey::NpqReport] {
        h.run(
            Role::QualityAssurer,
            C::RecordQualityAssurance { report: r },
        )
        .unwrap();
    }
    h.at(london(2027, 2, 5, 10, 0));
    for (i, r) in [ReportKey::EcfReport, ReportKey::NpqReport]
        .into_iter()
        .enumerate()
    {
        let ev = h
            .run(
                Role::QualityAssurer,
                C::IssueDraftReport {
                    report: r,
                    document: doc(100 + i as u8),
                },
            )
            .unwrap();
        match &ev[0].body {
            InspectionEventBody::DraftReportIssued {
                due,
                late,
                comments_close,
                ..
            } => {
                assert_eq!(*due, d(2027, 2, 9));
                assert!(!late);
                assert_eq!(*comments_close, d(2027, 2, 12));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    h.run(
        Role::QualityAssurer,
        C::ShareReportWithDfe {
            report: ReportKey::EcfReport,
            stage: ReportStage::Draft,
            scope: ShareScope::Whole,
        },
    )
    .unwrap();
    h.at(london(2027, 2, 10, 10, 0))
        .run(
            Role::LeadProvider,
            C::SubmitComments {
                report: ReportKey::EcfReport,
                comments: text("typo in para 3"),
                documents: vec![],
            },
        )
        .unwrap();
    h.at(london(2027, 2, 19, 10, 0));
    for (i, r) in [ReportKey::EcfReport, ReportKey::NpqReport]
        .into_iter()
        .enumerate()
    {
        let ev = h
            .run(
                Role::QualityAssurer,
                C::IssueFinalReport {
                    report: r,
                    document: doc(110 + i as u8),
                },
            )
            .unwrap();
        match &ev[0].body {
            InspectionEventBody::FinalReportIssued { due, late, .. } => {
                assert_eq!(*due, d(2027, 2, 25));
                assert!(!late);
            }
            other => panic!("unexpected {other:?}"),
        }
        h.run(Role::QualityAssurer, C::PublishReport { report: r })
            .unwrap();
    }
    assert_eq!(h.state.phase, Phase::Ended);
    assert!(h.state.reports.values().all(|r| r.published_at.is_some()));

    // R29: every deadline met (or its window closed) at the end.
    let ds = deadlines(&h.events, cal(), london(2027, 3, 1, 12, 0));
    for dl in &ds {
        match (dl.kind, dl.status) {
            (
                DeadlineKind::DeferralRequestWindow | DeadlineKind::SurveyClose,
                DeadlineStatus::Closed,
            ) => {}
            (DeadlineKind::CommentWindow, DeadlineStatus::Met { .. } | DeadlineStatus::Closed) => {}
            (DeadlineKind::NextInspection, DeadlineStatus::Pending) => {
                // R30: NPQ graded 3 → within 12 months of the end.
                assert_eq!(dl.due_at, domain::london::end_of_day(d(2028, 1, 14)));
            }
            (_, DeadlineStatus::Met { .. }) => {}
            other => panic!("unexpected deadline {other:?} in {dl:?}"),
        }
    }
    assert_eq!(h.state.version as usize, h.events.len());
}

#[test]
fn lpmv_across_easter_and_bst_runs_start_to_finish() {
    let mut h = H::new(london(2027, 3, 1, 10, 0));
    h.plan(InspectionKind::Lpmv, &[Contract::Npq], d(2027, 3, 30))
        .unwrap();
    assert_eq!(
        h.state.days,
        vec![d(2027, 3, 30), d(2027, 3, 31), d(2027, 4, 1)]
    );
    // Call Fri 2027-03-19 from 09:30 GMT; surveys close Wed 31 Mar 09:00 BST = 08:00Z.
    h.at(utc(2027, 3, 19, 9, 40)).call().unwrap();
    assert_eq!(
        h.state.survey.as_ref().unwrap().closes_at,
        Some(utc(2027, 3, 31, 8, 0))
    );
    h.submit_all(|_| true);
    h.at(london(2027, 3, 30, 9, 0))
        .run(Role::Inspector, C::Start)
        .unwrap();
    h.at(london(2027, 4, 1, 15, 0))
        .run(Role::Inspector, C::End)
        .unwrap();
    h.at(london(2027, 4, 2, 11, 0))
        .run(
            Role::Inspector,
            C::RecordFollowUpCall {
                notes: Some(text("ok")),
                override_reason: None,
            },
        )
        .unwrap();
    h.run(
        Role::Inspector,
        C::RecordLpmvOutcome {
            outcome: LpmvOutcome::NotEffective,
        },
    )
    .unwrap();
    h.run(
        Role::QualityAssurer,
        C::RecordModeration {
            report: ReportKey::LpmvLetter,
            amendments: vec![],
        },
    )
    .unwrap();
    h.run(
        Role::QualityAssurer,
        C::RecordQualityAssurance {
            report: ReportKey::LpmvLetter,
        },
    )
    .unwrap();
    let ev = h
        .at(london(2027, 4, 20, 10, 0))
        .run(
            Role::QualityAssurer,
            C::IssueDraftReport {
                report: ReportKey::LpmvLetter,
                document: doc(1),
            },
        )
        .unwrap();
    match &ev[0].body {
        InspectionEventBody::DraftReportIssued { due, .. } => assert_eq!(*due, d(2027, 4, 27)),
        other => panic!("unexpected {other:?}"),
    }
    h.at(london(2027, 5, 10, 10, 0));
    let ev = h
        .run(
            Role::QualityAssurer,
            C::IssueFinalReport {
                report: ReportKey::LpmvLetter,
                document: doc(2),
            },
        )
        .unwrap();
    match &ev[0].body {
        InspectionEventBody::FinalReportIssued { due, .. } => assert_eq!(*due, d(2027, 5, 14)),
        other => panic!("unexpected {other:?}"),
    }
    h.run(
        Role::QualityAssurer,
        C::PublishReport {
            report: ReportKey::LpmvLetter,
        },
    )
    .unwrap();
    // R30: not effective → next inspection within 12 months of the end.
    let ds = deadlines(&h.events, cal(), london(2027, 6, 1, 12, 0));
    let next = ds
        .iter()
        .find(|x| x.kind == DeadlineKind::NextInspection)
        .unwrap();
    assert_eq!(next.due_at, domain::london::end_of_day(d(2028, 4, 1)));
    assert_eq!(next.rule, "R30");
}
