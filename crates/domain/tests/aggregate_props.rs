//! Property tests of the aggregate: random command sequences from random roles at random
//! times never panic, and every event `decide` yields is applied by `evolve`, survives JSON,
//! and replays to the same state.

mod support;

use chrono::Duration;
use domain::evidence::EvidenceItem;
use domain::ids::{ComplaintId, ConcernId};
use domain::inspection::{
    Amendment, CallCapacity, DeferralDecision, Inspection, InspectionCommand as C, JudgementChange,
    MeetingAttestation, ReportStage,
};
use domain::kind::InspectionKind;
use domain::permissions::Role;
use domain::values::{
    Contract, DeferralCategory, Grade, Grades, JudgementArea, LpmvOutcome, MeetingGroup, ReportKey,
    ShareScope, StakeholderGroup,
};
use proptest::prelude::*;
use support::*;
use uuid::Uuid;

fn command(i: u8, day_offset: i64) -> C {
    let g = Grade::from_number((i % 4) + 1).unwrap();
    let grades = Grades {
        overall_effectiveness: g,
        quality_of_training: g,
        leadership_and_management: g,
    };
    let report = [
        ReportKey::EcfReport,
        ReportKey::NpqReport,
        ReportKey::LpmvLetter,
    ][(i % 3) as usize];
    let date = d(2027, 1, 11) + Duration::days(day_offset);
    match i % 30 {
        0 => C::Reschedule {
            start: date,
            days: None,
            reason: text("r"),
        },
        1 => C::Cancel { reason: text("c") },
        2 | 3 => C::RecordNotificationCall {
            spoke_to: rep(),
            capacity: CallCapacity::NamedRepresentative,
            override_reason: None,
        },
        4 => C::RecordConfirmationEmail {
            recipients: vec![rep()],
        },
        5 => C::RequestDeferral {
            category: DeferralCategory::Other,
            details: text("d"),
        },
        6 => C::DecideDeferral(DeferralDecision::Granted {
            new_start: Some(date),
            days: None,
            rationale: text("g"),
        }),
        7 => C::DecideDeferral(DeferralDecision::Refused {
            rationale: text("n"),
        }),
        8 | 9 => C::SubmitInformation(submission(
            EvidenceItem::ALL[(i as usize) % EvidenceItem::ALL.len()],
        )),
        10 => C::RecordSurveyLinksSent {
            groups: vec![StakeholderGroup::Mentors],
        },
        11 | 12 => C::Start,
        13 => C::Pause { reason: text("p") },
        14 => C::Resume {
            remaining_days: vec![date, date + Duration::days(1)],
        },
        15 => C::MarkIncomplete { reason: text("i") },
        16 => C::RecordStakeholderMeeting {
            group: MeetingGroup::Ects,
            attestation: MeetingAttestation::NoLeadersOrMentorsPresent,
        },
        17 => C::RaiseConcern {
            concern_id: ConcernId::new(Uuid::from_u128(1 + (i % 2) as u128)).unwrap(),
            summary: text("c"),
        },
        18 => C::End,
        19 => C::RecordFollowUpCall {
            notes: None,
            override_reason: None,
        },
        20 => C::RecordSurveyResponses {
            group: StakeholderGroup::Participants,
            cumulative_count: i as u32,
        },
        21 => C::RecordJudgements {
            contract: if i.is_multiple_of(2) {
                Contract::Ecf
            } else {
                Contract::Npq
            },
            grades,
        },
        22 => C::RecordLpmvOutcome {
            outcome: if i.is_multiple_of(2) {
                LpmvOutcome::Effective
            } else {
                LpmvOutcome::NotEffective
            },
        },
        23 => C::RecordModeration {
            report,
            amendments: vec![Amendment {
                change: JudgementChange::Grade {
                    area: JudgementArea::QualityOfTraining,
                    to: g,
                },
                reason: text("m"),
            }],
        },
        24 => C::RecordQualityAssurance { report },
        25 => C::IssueDraftReport {
            report,
            document: doc(i),
        },
        26 => C::ShareReportWithDfe {
            report,
            stage: ReportStage::Draft,
            scope: ShareScope::Whole,
        },
        27 => C::LodgeComplaint {
            complaint_id: ComplaintId::new(Uuid::from_u128(9)).unwrap(),
            report,
            summary: text("x"),
        },
        28 => C::IssueFinalReport {
            report,
            document: doc(i),
        },
        _ => C::PublishReport { report },
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn random_command_sequences_never_panic_and_every_event_applies(
        kind_full in any::<bool>(),
        steps in proptest::collection::vec((any::<u8>(), 0usize..7, 0i64..3000, -3i64..20), 1..80)
    ) {
        let mut h = H::new(london(2026, 12, 1, 10, 0));
        let kind = if kind_full { InspectionKind::Full } else { InspectionKind::Lpmv };
        h.plan(kind, &[Contract::Ecf, Contract::Npq], d(2027, 1, 11)).unwrap();
        for (i, role, minutes, day_offset) in steps {
            h.now += Duration::minutes(minutes * 10);
            let before = h.state.version;
            // `run` decides, round-trips each event through JSON and evolves.
            match h.run(Role::ALL[role], command(i, day_offset)) {
                Ok(events) => prop_assert_eq!(h.state.version, before + events.len() as u64),
                Err(e) => {
                    prop_assert!(!e.code.is_empty());
                    prop_assert_eq!(h.state.version, before);
                }
            }
        }
        // Replaying the history gives the same state.
        prop_assert_eq!(Inspection::from_events(&h.events), h.state.clone());
        // Deadlines can always be computed.
        let _ = domain::deadlines::deadlines(&h.events, cal(), h.now);
    }
}
