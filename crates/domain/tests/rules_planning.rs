//! R6–R14: lead providers, planning, the notification call and deferral.

mod support;

use domain::inspection::{
    CallCapacity, Command, DecideContext, DeferralDecision, InspectionCommand as C,
    InspectionEventBody, Phase, PlanInspection, PlannedDays,
};
use domain::kind::InspectionKind;
use domain::lead_provider::{self, LeadProvider, LeadProviderCommand};
use domain::permissions::Role;
use domain::values::{Contract, ContractSet, DeferralCategory, FrameworkVersion};
use support::*;

fn planned_full() -> H {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(
        InspectionKind::Full,
        &[Contract::Ecf, Contract::Npq],
        d(2027, 1, 11),
    )
    .unwrap();
    h
}

fn notified_full() -> H {
    let mut h = planned_full();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    h
}

#[test]
fn r06_lead_provider_is_registered_with_contracts_and_representatives() {
    let lp = registered_provider(&[Contract::Ecf]);
    assert!(lp.registered);
    assert_eq!(lp.representatives.len(), 1);
    // Same registration again is a no-op; a different one is refused.
    let cmd = |name: &str| Command {
        actor: actor(Role::Scheduler),
        occurred_at: None,
        backdate_reason: None,
        body: LeadProviderCommand::Register {
            id: lp_id(),
            name: text(name),
            framework: FrameworkVersion::V2024,
            contracts: ContractSet::new([Contract::Ecf]).unwrap(),
            representatives: vec![rep()],
        },
    };
    let now = london(2026, 12, 1, 9, 0);
    assert!(
        lead_provider::decide(&lp, &cmd("Best Training Trust"), now, cal())
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        lead_provider::decide(&lp, &cmd("Other"), now, cal())
            .unwrap_err()
            .code,
        "R6_LEAD_PROVIDER_EXISTS"
    );
    // Representatives are required.
    let mut no_reps = cmd("X");
    if let LeadProviderCommand::Register {
        representatives, ..
    } = &mut no_reps.body
    {
        representatives.clear();
    }
    let e = lead_provider::decide(&LeadProvider::default(), &no_reps, now, cal()).unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("R6_NO_REPRESENTATIVE", Some("representatives"))
    );
    // Only the scheduler registers.
    let mut by_lp = cmd("X");
    by_lp.actor = actor(Role::Inspector);
    assert_eq!(
        lead_provider::decide(&LeadProvider::default(), &by_lp, now, cal())
            .unwrap_err()
            .code,
        "ROLE_NOT_PERMITTED"
    );
}

#[test]
fn r06_inspection_may_only_cover_contracts_the_provider_holds() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.lp = registered_provider(&[Contract::Npq]);
    let e = h
        .plan(
            InspectionKind::Full,
            &[Contract::Ecf, Contract::Npq],
            d(2027, 1, 11),
        )
        .unwrap_err();
    assert_eq!(e.code, "R6_CONTRACT_NOT_HELD");
    assert!(e.message.contains("ECF"), "{e}");
    h.plan(InspectionKind::Full, &[Contract::Npq], d(2027, 1, 11))
        .unwrap();
}

#[test]
fn r06_unregistered_provider_cannot_be_inspected() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.lp = LeadProvider::default();
    assert_eq!(
        h.plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 11))
            .unwrap_err()
            .code,
        "R6_LEAD_PROVIDER_NOT_REGISTERED"
    );
}

#[test]
fn r07_full_has_four_days_lpmv_three_and_one_report_per_contract() {
    let mut h = planned_full();
    assert_eq!(h.state.days.len(), 4);
    assert_eq!(h.state.report_keys().len(), 2);
    let mut l = H::new(london(2026, 12, 1, 10, 0));
    l.plan(
        InspectionKind::Lpmv,
        &[Contract::Ecf, Contract::Npq],
        d(2027, 1, 11),
    )
    .unwrap();
    assert_eq!(l.state.days.len(), 3);
    assert_eq!(
        l.state.report_keys(),
        vec![domain::values::ReportKey::LpmvLetter]
    );
    // A second plan under the same id with other details is refused; the same plan is a no-op.
    assert!(
        h.plan(
            InspectionKind::Full,
            &[Contract::Ecf, Contract::Npq],
            d(2027, 1, 11)
        )
        .unwrap()
        .is_empty()
    );
    assert_eq!(
        h.plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 11))
            .unwrap_err()
            .code,
        "INSPECTION_EXISTS"
    );
}

#[test]
fn r08_default_days_must_fit_one_week_unless_days_are_given_with_a_reason() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    // Thu 2027-01-14: four days would spill into the next week.
    let e = h
        .plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 14))
        .unwrap_err();
    assert_eq!(
        (e.code, e.field.as_deref()),
        ("R8_DAYS_DO_NOT_FIT_ONE_WEEK", Some("start"))
    );
    // Saturday start.
    assert_eq!(
        h.plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 16))
            .unwrap_err()
            .code,
        "R8_START_NOT_WORKING_DAY"
    );
    // Explicit days with a reason: recorded as an exception.
    let days = vec![
        d(2027, 1, 14),
        d(2027, 1, 15),
        d(2027, 1, 18),
        d(2027, 1, 19),
    ];
    h.run(
        Role::Scheduler,
        C::Plan(PlanInspection {
            inspection_id: insp_id(),
            lead_provider_id: lp_id(),
            kind: InspectionKind::Full,
            contracts: ContractSet::new([Contract::Ecf]).unwrap(),
            framework: FrameworkVersion::V2024,
            start: d(2027, 1, 14),
            days: Some(PlannedDays {
                days: days.clone(),
                reason: text("provider's residential week"),
            }),
        }),
    )
    .unwrap();
    assert_eq!(h.state.days, days);
    assert_eq!(
        h.state.days_exception.as_ref().map(|t| t.as_str()),
        Some("provider's residential week")
    );
}

#[test]
fn r08_given_days_must_be_working_days_in_order_from_the_start() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    let plan = |days: Vec<chrono::NaiveDate>| {
        C::Plan(PlanInspection {
            inspection_id: insp_id(),
            lead_provider_id: lp_id(),
            kind: InspectionKind::Full,
            contracts: ContractSet::new([Contract::Ecf]).unwrap(),
            framework: FrameworkVersion::V2024,
            start: d(2027, 1, 11),
            days: Some(PlannedDays {
                days,
                reason: text("r"),
            }),
        })
    };
    h.refused(
        Role::Scheduler,
        plan(vec![d(2027, 1, 12), d(2027, 1, 13), d(2027, 1, 14)]),
        "R8_DAYS_MUST_BEGIN_WITH_START",
    );
    h.refused(
        Role::Scheduler,
        plan(vec![d(2027, 1, 11), d(2027, 1, 16), d(2027, 1, 18)]),
        "R8_DAY_NOT_WORKING_DAY",
    );
    h.refused(
        Role::Scheduler,
        plan(vec![d(2027, 1, 11), d(2027, 1, 13), d(2027, 1, 12)]),
        "R8_DAYS_NOT_ASCENDING",
    );
    h.refused(
        Role::Scheduler,
        plan(vec![d(2027, 1, 11), d(2027, 1, 12)]),
        "R8_DAYS_COUNT",
    );
}

#[test]
fn r08_start_too_soon_for_the_notification_call_is_refused() {
    let mut h = H::new(london(2027, 1, 6, 10, 0));
    let e = h
        .plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 11))
        .unwrap_err();
    assert_eq!(e.code, "R8_START_TOO_SOON");
    assert!(e.message.contains("2027-01-04"), "{e}");
}

#[test]
fn r09_reschedule_and_cancel_before_the_call_only() {
    let mut h = planned_full();
    h.run(
        Role::Scheduler,
        C::Reschedule {
            start: d(2027, 1, 18),
            days: None,
            reason: text("inspector ill"),
        },
    )
    .unwrap();
    assert_eq!(h.state.start(), Some(d(2027, 1, 18)));
    h.at(london(2027, 1, 11, 10, 0)).call().unwrap();
    h.refused(
        Role::Scheduler,
        C::Reschedule {
            start: d(2027, 1, 25),
            days: None,
            reason: text("x"),
        },
        "R9_AFTER_CALL",
    );
    h.refused(
        Role::Scheduler,
        C::Cancel { reason: text("x") },
        "R9_AFTER_CALL",
    );
    let mut c = planned_full();
    c.run(
        Role::Scheduler,
        C::Cancel {
            reason: text("provider closed"),
        },
    )
    .unwrap();
    assert_eq!(c.state.phase, Phase::Cancelled);
    c.refused(Role::Inspector, C::Start, "R9_INSPECTION_CANCELLED");
}

#[test]
fn r10_call_on_the_day_after_0930_is_accepted() {
    let h = notified_full();
    assert_eq!(h.state.phase, Phase::Notified);
    assert!(h.state.call.as_ref().unwrap().exception.is_none());
}

#[test]
fn r10_call_before_0930_is_refused() {
    let mut h = planned_full();
    let e = h.at(london(2027, 1, 4, 9, 10)).refused(
        Role::Inspector,
        C::RecordNotificationCall {
            spoke_to: rep(),
            capacity: CallCapacity::NamedRepresentative,
            override_reason: None,
        },
        "R10_CALL_BEFORE_0930",
    );
    assert!(e.message.contains("09:10 GMT"), "{e}");
}

#[test]
fn r10_call_on_the_wrong_day_is_refused_naming_the_dates() {
    let mut h = planned_full();
    let e = h.at(london(2027, 1, 5, 10, 0)).refused(
        Role::Inspector,
        C::RecordNotificationCall {
            spoke_to: rep(),
            capacity: CallCapacity::NamedRepresentative,
            override_reason: None,
        },
        "R10_CALL_WRONG_DAY",
    );
    assert_eq!(
        e.message,
        "notification call must be on 2027-01-04 (5 working days before the start 2027-01-11); got 2027-01-05"
    );
}

#[test]
fn r10_override_reason_is_recorded_and_shown() {
    let mut h = planned_full();
    h.at(london(2027, 1, 4, 9, 0))
        .run(
            Role::Inspector,
            C::RecordNotificationCall {
                spoke_to: rep(),
                capacity: CallCapacity::NamedRepresentative,
                override_reason: Some(text("representative only available at 9")),
            },
        )
        .unwrap();
    let ex = h.state.call.as_ref().unwrap().exception.clone().unwrap();
    assert_eq!(ex.rule, "R10_CALL_BEFORE_0930");
    assert_eq!(h.state.exceptions.len(), 1);
}

#[test]
fn r10_call_is_to_a_named_representative_or_a_senior_member_of_staff() {
    let mut h = planned_full();
    h.at(london(2027, 1, 4, 10, 0));
    let e = h.refused(
        Role::Inspector,
        C::RecordNotificationCall {
            spoke_to: senior(),
            capacity: CallCapacity::NamedRepresentative,
            override_reason: None,
        },
        "R10_NOT_A_NAMED_REPRESENTATIVE",
    );
    assert_eq!(e.field.as_deref(), Some("spoke_to.person_id"));
    h.run(
        Role::Inspector,
        C::RecordNotificationCall {
            spoke_to: senior(),
            capacity: CallCapacity::SeniorStaff {
                role: text("deputy CEO"),
            },
            override_reason: None,
        },
    )
    .unwrap();
    // Only inspectors make the call.
    let mut p = planned_full();
    p.at(london(2027, 1, 4, 10, 0));
    p.refused(
        Role::Scheduler,
        C::RecordNotificationCall {
            spoke_to: rep(),
            capacity: CallCapacity::NamedRepresentative,
            override_reason: None,
        },
        "ROLE_NOT_PERMITTED",
    );
}

#[test]
fn r11_confirmation_email_follows_the_call_with_recipients() {
    let mut h = planned_full();
    h.refused(
        Role::Inspector,
        C::RecordConfirmationEmail {
            recipients: vec![rep()],
        },
        "R11_BEFORE_CALL",
    );
    h.at(london(2027, 1, 4, 10, 0)).call().unwrap();
    h.refused(
        Role::Inspector,
        C::RecordConfirmationEmail { recipients: vec![] },
        "R11_NO_RECIPIENTS",
    );
    let mut no_email = rep();
    no_email.email = None;
    let e = h.refused(
        Role::Inspector,
        C::RecordConfirmationEmail {
            recipients: vec![no_email],
        },
        "R11_RECIPIENT_WITHOUT_EMAIL",
    );
    assert_eq!(e.field.as_deref(), Some("recipients[0].email"));
    h.at(london(2027, 1, 4, 10, 30))
        .run(
            Role::Inspector,
            C::RecordConfirmationEmail {
                recipients: vec![rep()],
            },
        )
        .unwrap();
    assert_eq!(
        h.state.confirmation_sent_at,
        Some(london(2027, 1, 4, 10, 30))
    );
}

#[test]
fn r12_call_opens_the_surveys_and_is_the_conversation_day() {
    let h = notified_full();
    let w = h.state.survey.as_ref().unwrap();
    assert_eq!(w.opens_at, london(2027, 1, 4, 9, 45));
    assert!(w.is_open_at(london(2027, 1, 5, 9, 0)));
    // R15 items are due at the end of the call day.
    let mut h = h;
    let ev = h
        .at(london(2027, 1, 4, 23, 0))
        .run(
            Role::LeadProvider,
            C::SubmitInformation(submission(
                domain::evidence::EvidenceItem::GeneralInformation,
            )),
        )
        .unwrap();
    match &ev[0].body {
        InspectionEventBody::InformationSubmitted { due_at, late, .. } => {
            assert_eq!(*due_at, Some(domain::london::end_of_day(d(2027, 1, 4))));
            assert!(!late);
        }
        other => panic!("{other:?}"),
    }
}

fn request() -> C {
    C::RequestDeferral {
        category: DeferralCategory::MajorIncident,
        details: text("flooding at head office"),
    }
}

#[test]
fn r13_deferral_is_requested_after_the_call_and_before_the_start() {
    let mut h = planned_full();
    h.refused(Role::LeadProvider, request(), "R13_BEFORE_CALL");
    h.at(london(2027, 1, 4, 10, 0)).call().unwrap();
    h.run(Role::LeadProvider, request()).unwrap();
    h.refused(Role::LeadProvider, request(), "R13_REQUEST_ALREADY_OPEN");
    // Only the provider asks; Ofsted decides.
    h.refused(Role::Inspector, request(), "ROLE_NOT_PERMITTED");
    // After the start instant (09:00 on day 1) it is too late.
    let mut late = notified_full();
    late.at(london(2027, 1, 11, 9, 30));
    late.refused(Role::LeadProvider, request(), "R13_AFTER_START");
}

#[test]
fn r13_another_providers_user_cannot_request() {
    let mut h = notified_full();
    let mut other = actor(Role::LeadProvider);
    other.lead_provider = Some(other_lp_id());
    let e = h.run_as(other, None, request()).unwrap_err();
    assert_eq!(e.code, "LEAD_PROVIDER_MISMATCH");
    assert_eq!(e.kind, domain::ErrorKind::PermissionDenied);
}

#[test]
fn r14_grant_returns_to_planned_cancels_surveys_and_keeps_information() {
    let mut h = notified_full();
    h.at(london(2027, 1, 4, 12, 0))
        .run(
            Role::LeadProvider,
            C::SubmitInformation(submission(
                domain::evidence::EvidenceItem::GeneralInformation,
            )),
        )
        .unwrap();
    h.run(Role::LeadProvider, request()).unwrap();
    h.refused(Role::Inspector, C::Start, "R14_DEFERRAL_UNDECIDED");
    h.at(london(2027, 1, 5, 10, 0))
        .run(
            Role::QualityAssurer,
            C::DecideDeferral(DeferralDecision::Granted {
                new_start: Some(d(2027, 2, 1)),
                days: None,
                rationale: text("major incident"),
            }),
        )
        .unwrap();
    assert_eq!(h.state.phase, Phase::Planned);
    assert_eq!(h.state.cycle, 1);
    assert!(h.state.call.is_none());
    assert!(h.state.survey.as_ref().unwrap().cancelled_at.is_some());
    assert_eq!(h.state.days[0], d(2027, 2, 1));
    assert_eq!(
        h.state.submissions.len(),
        1,
        "submitted information is kept"
    );
    // A new call is needed for the new dates: 2027-01-25.
    h.at(london(2027, 1, 25, 10, 0)).call().unwrap();
    assert_eq!(
        h.state.survey.as_ref().unwrap().closes_at,
        Some(london(2027, 2, 3, 9, 0))
    );
}

#[test]
fn r14_refusal_changes_nothing_else_and_needs_an_open_request() {
    let mut h = notified_full();
    h.refused(
        Role::QualityAssurer,
        C::DecideDeferral(DeferralDecision::Refused {
            rationale: text("no"),
        }),
        "R14_NO_OPEN_REQUEST",
    );
    h.run(Role::LeadProvider, request()).unwrap();
    h.refused(
        Role::Inspector,
        C::DecideDeferral(DeferralDecision::Refused {
            rationale: text("no"),
        }),
        "ROLE_NOT_PERMITTED",
    );
    h.run(
        Role::QualityAssurer,
        C::DecideDeferral(DeferralDecision::Refused {
            rationale: text("criteria not met"),
        }),
    )
    .unwrap();
    assert_eq!(h.state.phase, Phase::Notified);
    assert!(h.state.open_deferral().is_none());
}

#[test]
fn r14_grant_to_be_rescheduled_leaves_no_dates_until_rescheduled() {
    let mut h = notified_full();
    h.run(Role::LeadProvider, request()).unwrap();
    h.run(
        Role::QualityAssurer,
        C::DecideDeferral(DeferralDecision::Granted {
            new_start: None,
            days: None,
            rationale: text("tbc"),
        }),
    )
    .unwrap();
    assert!(h.state.days.is_empty());
    h.refused(
        Role::Inspector,
        C::RecordNotificationCall {
            spoke_to: rep(),
            capacity: CallCapacity::NamedRepresentative,
            override_reason: None,
        },
        "R10_NO_PLANNED_DATES",
    );
    h.run(
        Role::Scheduler,
        C::Reschedule {
            start: d(2027, 3, 1),
            days: None,
            reason: text("new date agreed"),
        },
    )
    .unwrap();
    assert_eq!(h.state.start(), Some(d(2027, 3, 1)));
}

#[test]
fn r14_undecided_request_blocks_the_start() {
    let mut h = notified_full();
    h.run(Role::LeadProvider, request()).unwrap();
    h.at(london(2027, 1, 11, 9, 0));
    h.refused(Role::Inspector, C::Start, "R14_DEFERRAL_UNDECIDED");
}

#[test]
fn decide_for_unknown_inspection_is_not_found() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    let e = h.run(Role::Inspector, C::Start).unwrap_err();
    assert_eq!(
        (e.code, e.kind),
        ("INSPECTION_NOT_FOUND", domain::ErrorKind::NotFound)
    );
    let _ = DecideContext {
        now: h.now,
        calendar: cal(),
        lead_provider: None,
    };
}
