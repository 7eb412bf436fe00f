//! R29–R31: deadlines against the clock and `as_of`, the next inspection, personal data.

mod support;

use domain::deadlines::{
    Deadline, DeadlineKind, DeadlineStatus, deadlines, provider_next_inspection,
};
use domain::inspection::{DeferralDecision, Inspection, InspectionCommand as C};
use domain::kind::InspectionKind;
use domain::london::end_of_day;
use domain::permissions::Role;
use domain::values::{Contract, DeferralCategory, Grade, Grades, LpmvOutcome};
use support::*;

fn find(ds: &[Deadline], kind: DeadlineKind, cycle: u32) -> &Deadline {
    ds.iter()
        .find(|x| x.kind == kind && x.cycle == cycle)
        .unwrap_or_else(|| panic!("no {kind:?} in cycle {cycle}: {ds:#?}"))
}

fn planned() -> H {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(
        InspectionKind::Full,
        &[Contract::Ecf, Contract::Npq],
        d(2027, 1, 11),
    )
    .unwrap();
    h
}

#[test]
fn r29_worked_example_full_inspection_due_dates() {
    let h = planned();
    let ds = deadlines(&h.events, cal(), london(2026, 12, 2, 0, 0));
    let call = find(&ds, DeadlineKind::NotificationCall, 0);
    assert_eq!(call.opens_at, Some(utc(2027, 1, 4, 9, 30)));
    assert_eq!(call.due_at, end_of_day(d(2027, 1, 4)));
    assert_eq!(call.rule, "R10");
    assert_eq!(
        find(&ds, DeadlineKind::PreparationInformation, 0).due_at,
        end_of_day(d(2027, 1, 4))
    );
    assert_eq!(
        find(&ds, DeadlineKind::StartInformation, 0).due_at,
        utc(2027, 1, 11, 9, 0)
    );
    assert_eq!(
        find(&ds, DeadlineKind::SurveyClose, 0).due_at,
        utc(2027, 1, 13, 9, 0)
    );
    assert_eq!(
        find(&ds, DeadlineKind::FollowUpCall, 0).due_at,
        end_of_day(d(2027, 1, 15))
    );
    let drafts: Vec<_> = ds
        .iter()
        .filter(|x| x.kind == DeadlineKind::DraftReport)
        .collect();
    assert_eq!(drafts.len(), 2, "one per report");
    assert!(drafts.iter().all(|x| x.due_at == end_of_day(d(2027, 2, 9))));
    assert!(
        ds.iter()
            .filter(|x| x.kind == DeadlineKind::FinalReport)
            .all(|x| x.due_at == end_of_day(d(2027, 2, 25)))
    );
    assert!(ds.iter().all(|x| x.status == DeadlineStatus::Pending));
}

#[test]
fn r29_pending_becomes_missed_on_the_clock_alone() {
    let h = planned();
    let before = deadlines(&h.events, cal(), london(2027, 1, 4, 23, 59));
    assert_eq!(
        find(&before, DeadlineKind::NotificationCall, 0).status,
        DeadlineStatus::Pending
    );
    let after = deadlines(&h.events, cal(), london(2027, 1, 5, 0, 0));
    assert_eq!(
        find(&after, DeadlineKind::NotificationCall, 0).status,
        DeadlineStatus::Missed { completed_at: None }
    );
}

#[test]
fn r29_met_at_the_occurred_time_and_late_is_missed_with_completion() {
    let mut h = planned();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    h.at(london(2027, 1, 4, 12, 0));
    h.submit_all(|i| i.rule() == "R15" && i != domain::evidence::EvidenceItem::EqualitiesDuties);
    let ds = deadlines(&h.events, cal(), london(2027, 1, 4, 13, 0));
    assert_eq!(
        find(&ds, DeadlineKind::NotificationCall, 0).status,
        DeadlineStatus::Met {
            at: london(2027, 1, 4, 9, 45)
        }
    );
    assert_eq!(
        find(&ds, DeadlineKind::PreparationInformation, 0).status,
        DeadlineStatus::Pending
    );
    h.at(london(2027, 1, 5, 10, 0))
        .submit_all(|i| i == domain::evidence::EvidenceItem::EqualitiesDuties);
    let ds = deadlines(&h.events, cal(), london(2027, 1, 5, 11, 0));
    assert_eq!(
        find(&ds, DeadlineKind::PreparationInformation, 0).status,
        DeadlineStatus::Missed {
            completed_at: Some(london(2027, 1, 5, 10, 0))
        }
    );
}

#[test]
fn r29_granted_deferral_supersedes_the_old_deadlines() {
    let mut h = planned();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    h.run(
        Role::LeadProvider,
        C::RequestDeferral {
            category: DeferralCategory::MergerClosureOrMove,
            details: text("merger"),
        },
    )
    .unwrap();
    h.at(london(2027, 1, 5, 10, 0))
        .run(
            Role::QualityAssurer,
            C::DecideDeferral(DeferralDecision::Granted {
                new_start: Some(d(2027, 2, 1)),
                days: None,
                rationale: text("ok"),
            }),
        )
        .unwrap();
    let ds = deadlines(&h.events, cal(), london(2027, 1, 5, 11, 0));
    // The old call was met; everything else of cycle 0 is superseded.
    assert!(matches!(
        find(&ds, DeadlineKind::NotificationCall, 0).status,
        DeadlineStatus::Met { .. }
    ));
    assert_eq!(
        find(&ds, DeadlineKind::SurveyClose, 0).status,
        DeadlineStatus::Superseded
    );
    assert_eq!(
        find(&ds, DeadlineKind::StartInformation, 0).status,
        DeadlineStatus::Superseded
    );
    // New cycle: a new call on 2027-01-25 is required.
    let new_call = find(&ds, DeadlineKind::NotificationCall, 1);
    assert_eq!(new_call.due_at, end_of_day(d(2027, 1, 25)));
    assert_eq!(new_call.status, DeadlineStatus::Pending);
}

#[test]
fn r21_after_a_granted_deferral_the_survey_close_follows_the_new_dates() {
    let mut h = planned();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    h.run(
        Role::LeadProvider,
        C::RequestDeferral {
            category: DeferralCategory::MajorIncident,
            details: text("flood"),
        },
    )
    .unwrap();
    h.at(london(2027, 1, 5, 10, 0))
        .run(
            Role::QualityAssurer,
            C::DecideDeferral(DeferralDecision::Granted {
                new_start: Some(d(2027, 2, 1)),
                days: None,
                rationale: text("ok"),
            }),
        )
        .unwrap();
    // Past the old close: the old window stays superseded in cycle 0, and cycle 1 closes at
    // 09:00 on the new day 3, not yet open (no new call).
    let ds = deadlines(&h.events, cal(), london(2027, 1, 14, 10, 0));
    assert_eq!(
        find(&ds, DeadlineKind::SurveyClose, 0).status,
        DeadlineStatus::Superseded
    );
    let close = find(&ds, DeadlineKind::SurveyClose, 1);
    assert_eq!(close.due_at, london(2027, 2, 3, 9, 0));
    assert_eq!(close.opens_at, None);
    assert_eq!(close.status, DeadlineStatus::Pending);
    assert_eq!(
        ds.iter()
            .filter(|x| x.kind == DeadlineKind::SurveyClose)
            .count(),
        2
    );
}

#[test]
fn r29_as_of_in_the_past_shows_the_status_as_it_was_then() {
    let mut h = planned();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    let then = deadlines(&h.events, cal(), london(2027, 1, 4, 9, 40));
    assert_eq!(
        find(&then, DeadlineKind::NotificationCall, 0).status,
        DeadlineStatus::Pending
    );
    let now = deadlines(&h.events, cal(), london(2027, 1, 4, 9, 50));
    assert!(matches!(
        find(&now, DeadlineKind::NotificationCall, 0).status,
        DeadlineStatus::Met { .. }
    ));
}

#[test]
fn r29_deferral_window_closes_at_the_start_unused() {
    let mut h = planned();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    let open = deadlines(&h.events, cal(), london(2027, 1, 8, 9, 0));
    assert_eq!(
        find(&open, DeadlineKind::DeferralRequestWindow, 0).status,
        DeadlineStatus::Pending
    );
    let closed = deadlines(&h.events, cal(), london(2027, 1, 11, 9, 1));
    assert_eq!(
        find(&closed, DeadlineKind::DeferralRequestWindow, 0).status,
        DeadlineStatus::Closed
    );
    assert_eq!(
        find(&closed, DeadlineKind::StartInformation, 0).status,
        DeadlineStatus::Missed { completed_at: None }
    );
}

fn ended_with(kind: InspectionKind, end_month: (i32, u32, u32), outcome: impl FnOnce(&mut H)) -> H {
    let start = d(end_month.0, end_month.1, end_month.2);
    let mut h = H::new(domain::london::at(
        start - chrono::Duration::days(30),
        10,
        0,
    ));
    h.plan(kind, &[Contract::Ecf], start).unwrap();
    let call_day = domain::schedule::notification_day(cal(), start);
    h.at(domain::london::at(call_day, 10, 0)).call().unwrap();
    h.at(domain::london::at(start, 9, 0))
        .run(Role::Inspector, C::Start)
        .unwrap();
    let last = *h.state.days.last().unwrap();
    h.at(domain::london::at(last, 16, 0))
        .run(Role::Inspector, C::End)
        .unwrap();
    outcome(&mut h);
    h
}

fn all(n: u8) -> Grades {
    let g = Grade::from_number(n).unwrap();
    Grades {
        overall_effectiveness: g,
        quality_of_training: g,
        leadership_and_management: g,
    }
}

#[test]
fn r30_good_full_inspection_next_due_by_31_august_of_the_second_academic_year_after() {
    let judged = |h: &mut H| {
        h.run(
            Role::Inspector,
            C::RecordJudgements {
                contract: Contract::Ecf,
                grades: all(2),
            },
        )
        .unwrap();
    };
    // Ended Jan 2027 (academic year 2026/27) → by 31 Aug 2029.
    let h = ended_with(InspectionKind::Full, (2027, 1, 11), judged);
    assert_eq!(
        domain::deadlines::next_inspection_due(&h.state),
        Some(end_of_day(d(2029, 8, 31)))
    );
    // Ended Oct 2027 (academic year 2027/28) → by 31 Aug 2030.
    let h = ended_with(InspectionKind::Full, (2027, 10, 4), judged);
    assert_eq!(
        domain::deadlines::next_inspection_due(&h.state),
        Some(end_of_day(d(2030, 8, 31)))
    );
}

#[test]
fn r30_grade_three_or_not_effective_means_within_twelve_months() {
    let h = ended_with(InspectionKind::Full, (2027, 1, 11), |h| {
        let mut g = all(2);
        g.leadership_and_management = Grade::Inadequate;
        h.run(
            Role::Inspector,
            C::RecordJudgements {
                contract: Contract::Ecf,
                grades: g,
            },
        )
        .unwrap();
    });
    assert_eq!(
        domain::deadlines::next_inspection_due(&h.state),
        Some(end_of_day(d(2028, 1, 14)))
    );
    let l = ended_with(InspectionKind::Lpmv, (2027, 1, 11), |h| {
        h.run(
            Role::Inspector,
            C::RecordLpmvOutcome {
                outcome: LpmvOutcome::NotEffective,
            },
        )
        .unwrap();
    });
    assert_eq!(
        domain::deadlines::next_inspection_due(&l.state),
        Some(end_of_day(d(2028, 1, 13)))
    );
    let e = ended_with(InspectionKind::Lpmv, (2027, 1, 11), |h| {
        h.run(
            Role::Inspector,
            C::RecordLpmvOutcome {
                outcome: LpmvOutcome::Effective,
            },
        )
        .unwrap();
    });
    assert_eq!(domain::deadlines::next_inspection_due(&e.state), None);
}

#[test]
fn r30_met_when_the_providers_next_inspection_starts() {
    let first = ended_with(InspectionKind::Lpmv, (2027, 1, 11), |h| {
        h.run(
            Role::Inspector,
            C::RecordLpmvOutcome {
                outcome: LpmvOutcome::NotEffective,
            },
        )
        .unwrap();
    });
    let d1 = provider_next_inspection(std::slice::from_ref(&first.state), london(2027, 6, 1, 0, 0))
        .unwrap();
    assert_eq!(d1.status, DeadlineStatus::Pending);
    let missed = provider_next_inspection(
        std::slice::from_ref(&first.state),
        london(2028, 1, 14, 23, 59) + chrono::Duration::minutes(2),
    )
    .unwrap();
    assert_eq!(missed.status, DeadlineStatus::Missed { completed_at: None });
    let second = Inspection {
        started_at: Some(london(2027, 11, 1, 9, 0)),
        ..Inspection::default()
    };
    let met = provider_next_inspection(&[first.state.clone(), second], london(2027, 12, 1, 0, 0))
        .unwrap();
    assert_eq!(
        met.status,
        DeadlineStatus::Met {
            at: london(2027, 11, 1, 9, 0)
        }
    );
}

/// R31: personal data only ever sits inside a `PersonalDetails` object (one with a
/// `person_id`), so the privacy layer can encrypt and erase it without reshaping events.
#[test]
fn r31_personal_data_in_events_only_inside_personal_details() {
    let mut h = planned();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    h.run(
        Role::Inspector,
        C::RecordConfirmationEmail {
            recipients: vec![rep(), senior()],
        },
    )
    .unwrap();
    let secrets = [
        "Rita Representative",
        "rita@provider.example",
        "Sam Senior",
        "sam@provider.example",
    ];
    fn walk(v: &serde_json::Value, inside_person: bool, secrets: &[&str], found: &mut usize) {
        match v {
            serde_json::Value::String(s) if secrets.contains(&s.as_str()) => {
                assert!(
                    inside_person,
                    "personal value {s:?} outside a PersonalDetails object"
                );
                *found += 1;
            }
            serde_json::Value::Array(a) => a
                .iter()
                .for_each(|x| walk(x, inside_person, secrets, found)),
            serde_json::Value::Object(o) => {
                let person = inside_person || o.contains_key("person_id");
                o.values().for_each(|x| walk(x, person, secrets, found));
            }
            _ => {}
        }
    }
    let mut found = 0;
    for e in &h.events {
        walk(
            &serde_json::to_value(e).unwrap(),
            false,
            &secrets,
            &mut found,
        );
    }
    assert_eq!(
        found, 6,
        "the call's and the email's personal data were all seen"
    );
    // And Debug output (logs) never shows them.
    let dbg = format!("{:?}", h.events);
    assert!(secrets.iter().all(|s| !dbg.contains(s)));
}
