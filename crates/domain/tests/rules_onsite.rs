//! R15–R22: information from the provider, on-site work, concerns and surveys.

mod support;

use domain::evidence::{EvidenceItem, StructuredInfo};
use domain::ids::ConcernId;
use domain::inspection::{
    InformationSubmission, InspectionCommand as C, InspectionEventBody, MeetingAttestation, Phase,
};
use domain::kind::InspectionKind;
use domain::permissions::Role;
use domain::values::{Contract, MeetingGroup, StakeholderGroup};
use support::*;
use uuid::Uuid;

fn notified(kind: InspectionKind, contracts: &[Contract]) -> H {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(kind, contracts, d(2027, 1, 11)).unwrap();
    h.at(london(2027, 1, 4, 9, 45)).call().unwrap();
    h
}

fn on_site(kind: InspectionKind) -> H {
    let mut h = notified(kind, &[Contract::Ecf, Contract::Npq]);
    h.at(london(2027, 1, 11, 9, 0))
        .run(Role::Inspector, C::Start)
        .unwrap();
    h
}

fn late_flag(ev: &[domain::inspection::InspectionEvent]) -> (u32, bool) {
    match &ev[0].body {
        InspectionEventBody::InformationSubmitted {
            item_version, late, ..
        } => (*item_version, *late),
        other => panic!("{other:?}"),
    }
}

#[test]
fn r15_structured_data_is_required_for_items_one_to_five() {
    let mut h = notified(InspectionKind::Full, &[Contract::Ecf, Contract::Npq]);
    let mut s = submission(EvidenceItem::DeliveryPartners);
    s.structured = None;
    s.documents = vec![doc(1)];
    h.refused(
        Role::LeadProvider,
        C::SubmitInformation(s),
        "R15_STRUCTURED_DATA_REQUIRED",
    );
    let mut wrong = submission(EvidenceItem::DeliveryPartners);
    wrong.structured = submission(EvidenceItem::EctsPerPartner).structured;
    h.refused(
        Role::LeadProvider,
        C::SubmitInformation(wrong),
        "R15_STRUCTURED_SHAPE_MISMATCH",
    );
    let mut extra = submission(EvidenceItem::GeneralInformation);
    extra.structured = submission(EvidenceItem::DeliveryPartners).structured;
    h.refused(
        Role::LeadProvider,
        C::SubmitInformation(extra),
        "R15_STRUCTURED_DATA_NOT_EXPECTED",
    );
    let mut dup = submission(EvidenceItem::DeliveryPartners);
    if let Some(StructuredInfo::DeliveryPartners(rows)) = &mut dup.structured {
        let first = rows[0].clone();
        rows.push(first);
    }
    h.refused(
        Role::LeadProvider,
        C::SubmitInformation(dup),
        "R15_DUPLICATE_ROW",
    );
    let ev = h
        .run(
            Role::LeadProvider,
            C::SubmitInformation(submission(EvidenceItem::DeliveryPartners)),
        )
        .unwrap();
    assert_eq!(late_flag(&ev), (1, false));
    assert_eq!(h.state.team_sizing.delivery_partners, Some(2));
}

#[test]
fn r15_submission_after_the_conversation_day_is_accepted_and_marked_late() {
    let mut h = notified(InspectionKind::Full, &[Contract::Ecf]);
    let ev = h
        .at(london(2027, 1, 5, 0, 1))
        .run(
            Role::LeadProvider,
            C::SubmitInformation(submission(EvidenceItem::GeneralInformation)),
        )
        .unwrap();
    assert_eq!(late_flag(&ev), (1, true));
    assert!(h.state.submissions[&EvidenceItem::GeneralInformation][0].late);
}

#[test]
fn r15_items_before_the_call_are_refused() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 11))
        .unwrap();
    h.refused(
        Role::LeadProvider,
        C::SubmitInformation(submission(EvidenceItem::GeneralInformation)),
        "R15_BEFORE_CALL",
    );
}

#[test]
fn r15_items_for_a_contract_not_in_scope_are_not_asked_for() {
    let mut h = notified(InspectionKind::Full, &[Contract::Npq]);
    let e = h.refused(
        Role::LeadProvider,
        C::SubmitInformation(submission(EvidenceItem::EctsPerPartner)),
        "R15_ITEM_NOT_IN_SCOPE",
    );
    assert_eq!(e.field.as_deref(), Some("item"));
    h.refused(
        Role::LeadProvider,
        C::SubmitInformation(submission(EvidenceItem::MentorTrainingCurriculum)),
        "R16_ITEM_NOT_IN_SCOPE",
    );
    h.run(
        Role::LeadProvider,
        C::SubmitInformation(submission(EvidenceItem::NpqParticipantsPerCourse)),
    )
    .unwrap();
}

#[test]
fn r16_none_exists_is_allowed_for_pre_existing_evidence_only() {
    let mut h = notified(InspectionKind::Full, &[Contract::Ecf]);
    let none = |item| InformationSubmission {
        item,
        structured: None,
        documents: vec![],
        note: None,
        none_exists: true,
    };
    h.run(
        Role::LeadProvider,
        C::SubmitInformation(none(EvidenceItem::ProgrammeHandbooks)),
    )
    .unwrap();
    assert!(h.state.submissions[&EvidenceItem::ProgrammeHandbooks][0].none_exists);
    h.refused(
        Role::LeadProvider,
        C::SubmitInformation(none(EvidenceItem::GeneralInformation)),
        "R16_NONE_EXISTS_NOT_ALLOWED",
    );
    let mut both = none(EvidenceItem::SelfEvaluation);
    both.documents = vec![doc(3)];
    h.refused(
        Role::LeadProvider,
        C::SubmitInformation(both),
        "R16_NONE_EXISTS_WITH_DOCUMENTS",
    );
    let empty = InformationSubmission {
        item: EvidenceItem::SelfEvaluation,
        structured: None,
        documents: vec![],
        note: None,
        none_exists: false,
    };
    h.refused(
        Role::LeadProvider,
        C::SubmitInformation(empty),
        "R16_SUBMISSION_EMPTY",
    );
}

#[test]
fn r16_resubmissions_keep_versions_and_late_is_after_0900_on_day_one() {
    let mut h = notified(InspectionKind::Full, &[Contract::Ecf]);
    let item = EvidenceItem::TrainingCurriculum;
    let ev = h
        .at(london(2027, 1, 8, 10, 0))
        .run(Role::LeadProvider, C::SubmitInformation(submission(item)))
        .unwrap();
    assert_eq!(late_flag(&ev), (1, false));
    let ev = h
        .at(london(2027, 1, 11, 8, 59))
        .run(Role::LeadProvider, C::SubmitInformation(submission(item)))
        .unwrap();
    assert_eq!(late_flag(&ev), (2, false));
    let ev = h
        .at(london(2027, 1, 11, 9, 1))
        .run(Role::LeadProvider, C::SubmitInformation(submission(item)))
        .unwrap();
    assert_eq!(late_flag(&ev), (3, true));
    assert_eq!(h.state.submissions[&item].len(), 3);
}

#[test]
fn r16_no_information_after_the_end() {
    let mut h = on_site(InspectionKind::Full);
    h.at(london(2027, 1, 14, 16, 0))
        .run(Role::Inspector, C::End)
        .unwrap();
    h.refused(
        Role::LeadProvider,
        C::SubmitInformation(submission(EvidenceItem::SelfEvaluation)),
        "R16_INSPECTION_ENDED",
    );
}

#[test]
fn r17_start_on_day_one_after_the_call() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 11))
        .unwrap();
    h.at(london(2027, 1, 11, 9, 0));
    h.refused(Role::Inspector, C::Start, "R17_NOT_NOTIFIED");
    let mut n = notified(InspectionKind::Full, &[Contract::Ecf]);
    n.at(london(2027, 1, 12, 9, 0));
    let e = n.refused(Role::Inspector, C::Start, "R17_START_NOT_ON_DAY_1");
    assert!(
        e.message.contains("2027-01-11") && e.message.contains("2027-01-12"),
        "{e}"
    );
    n.at(london(2027, 1, 11, 8, 30))
        .run(Role::Inspector, C::Start)
        .unwrap();
    assert_eq!(n.state.phase, Phase::OnSite);
}

#[test]
fn r17_pause_resume_moves_the_remaining_days_and_the_survey_close() {
    let mut h = on_site(InspectionKind::Full);
    // Pause on day 2 (Tue 12 Jan), before the close (Wed 13 Jan 09:00).
    h.at(london(2027, 1, 12, 14, 0))
        .run(
            Role::Inspector,
            C::Pause {
                reason: text("serious incident at provider"),
            },
        )
        .unwrap();
    assert_eq!(h.state.phase, Phase::Paused);
    assert_eq!(
        h.state.survey.as_ref().unwrap().closes_at,
        None,
        "held open while paused"
    );
    h.refused(Role::Inspector, C::End, "R17_NOT_ON_SITE");
    // 2 of 4 days begun → 2 remaining days next week.
    h.at(london(2027, 1, 15, 10, 0));
    h.refused(
        Role::Inspector,
        C::Resume {
            remaining_days: vec![d(2027, 1, 18)],
        },
        "R17_RESUME_DAYS_COUNT",
    );
    h.refused(
        Role::Inspector,
        C::Resume {
            remaining_days: vec![d(2027, 1, 18), d(2027, 1, 16)],
        },
        "R17_RESUME_DAY_NOT_WORKING_DAY",
    );
    h.refused(
        Role::Inspector,
        C::Resume {
            remaining_days: vec![d(2027, 1, 19), d(2027, 1, 18)],
        },
        "R17_RESUME_DAYS_NOT_ASCENDING",
    );
    h.refused(
        Role::Inspector,
        C::Resume {
            remaining_days: vec![d(2027, 1, 12), d(2027, 1, 18)],
        },
        "R17_RESUME_DAY_TOO_EARLY",
    );
    h.run(
        Role::Inspector,
        C::Resume {
            remaining_days: vec![d(2027, 1, 18), d(2027, 1, 19)],
        },
    )
    .unwrap();
    assert_eq!(
        h.state.days,
        vec![
            d(2027, 1, 11),
            d(2027, 1, 12),
            d(2027, 1, 18),
            d(2027, 1, 19)
        ]
    );
    // R21: close moves to 09:00 on the new day 3.
    assert_eq!(
        h.state.survey.as_ref().unwrap().closes_at,
        Some(london(2027, 1, 18, 9, 0))
    );
    // End on the new last day, not before.
    h.at(london(2027, 1, 18, 16, 0));
    h.refused(Role::Inspector, C::End, "R19_END_BEFORE_LAST_DAY");
    h.at(london(2027, 1, 19, 16, 0))
        .run(Role::Inspector, C::End)
        .unwrap();
    assert_eq!(h.state.ended.unwrap().0, d(2027, 1, 19));
}

#[test]
fn r17_paused_inspection_can_be_marked_incomplete_and_gather_more_evidence() {
    let mut h = on_site(InspectionKind::Full);
    h.refused(
        Role::Inspector,
        C::MarkIncomplete { reason: text("x") },
        "R17_NOT_PAUSED",
    );
    h.refused(
        Role::Inspector,
        C::Resume {
            remaining_days: vec![],
        },
        "R17_NOT_PAUSED",
    );
    h.at(london(2027, 1, 12, 14, 0))
        .run(
            Role::Inspector,
            C::Pause {
                reason: text("closure"),
            },
        )
        .unwrap();
    h.at(london(2027, 1, 20, 10, 0))
        .run(
            Role::Inspector,
            C::MarkIncomplete {
                reason: text("could not resume"),
            },
        )
        .unwrap();
    assert_eq!(h.state.phase, Phase::Incomplete);
    h.run(
        Role::LeadProvider,
        C::SubmitInformation(submission(EvidenceItem::SelfEvaluation)),
    )
    .unwrap();
    h.run(
        Role::Inspector,
        C::RecordStakeholderMeeting {
            group: MeetingGroup::Mentors,
            attestation: MeetingAttestation::NotRequired,
        },
    )
    .unwrap();
    h.run(Role::Inspector, C::End).unwrap();
    assert_eq!(h.state.phase, Phase::Ended);
}

#[test]
fn r18_meetings_with_ects_and_npq_participants_need_the_attestation_or_circumstances() {
    let mut h = on_site(InspectionKind::Full);
    for g in [MeetingGroup::Ects, MeetingGroup::NpqParticipants] {
        let e = h.refused(
            Role::Inspector,
            C::RecordStakeholderMeeting {
                group: g,
                attestation: MeetingAttestation::NotRequired,
            },
            "R18_ATTESTATION_REQUIRED",
        );
        assert_eq!(e.field.as_deref(), Some("attestation"));
    }
    h.run(
        Role::Inspector,
        C::RecordStakeholderMeeting {
            group: MeetingGroup::Ects,
            attestation: MeetingAttestation::NoLeadersOrMentorsPresent,
        },
    )
    .unwrap();
    h.run(
        Role::Inspector,
        C::RecordStakeholderMeeting {
            group: MeetingGroup::NpqParticipants,
            attestation: MeetingAttestation::ExceptionalCircumstances(text(
                "participant asked for their mentor",
            )),
        },
    )
    .unwrap();
    h.run(
        Role::Inspector,
        C::RecordStakeholderMeeting {
            group: MeetingGroup::SchoolLeaders,
            attestation: MeetingAttestation::NotRequired,
        },
    )
    .unwrap();
    assert_eq!(h.state.meetings, 3);
    let mut n = notified(InspectionKind::Full, &[Contract::Ecf]);
    n.refused(
        Role::Inspector,
        C::RecordStakeholderMeeting {
            group: MeetingGroup::Mentors,
            attestation: MeetingAttestation::NotRequired,
        },
        "R17_NOT_ON_SITE",
    );
}

#[test]
fn r19_concerns_are_recorded_actioned_and_escalated_during_the_inspection() {
    let id = ConcernId::new(Uuid::from_u128(9)).unwrap();
    let mut n = notified(InspectionKind::Full, &[Contract::Ecf]);
    n.refused(
        Role::LeadProvider,
        C::RaiseConcern {
            concern_id: id,
            summary: text("x"),
        },
        "R19_NOT_DURING_INSPECTION",
    );
    let mut h = on_site(InspectionKind::Full);
    h.run(
        Role::LeadProvider,
        C::RaiseConcern {
            concern_id: id,
            summary: text("inspector tone"),
        },
    )
    .unwrap();
    h.refused(
        Role::LeadProvider,
        C::RaiseConcern {
            concern_id: id,
            summary: text("again"),
        },
        "R19_CONCERN_EXISTS",
    );
    h.refused(
        Role::LeadProvider,
        C::RecordConcernAction {
            concern_id: id,
            action: text("x"),
            resolved: true,
        },
        "ROLE_NOT_PERMITTED",
    );
    h.run(
        Role::Inspector,
        C::RecordConcernAction {
            concern_id: id,
            action: text("discussed"),
            resolved: false,
        },
    )
    .unwrap();
    h.run(
        Role::LeadProvider,
        C::EscalateConcern {
            concern_id: id,
            note: text("called senior leader"),
        },
    )
    .unwrap();
    assert!(h.state.concerns[&id].escalated);
    h.run(
        Role::Inspector,
        C::RecordConcernAction {
            concern_id: id,
            action: text("senior HMI call"),
            resolved: true,
        },
    )
    .unwrap();
    h.refused(
        Role::LeadProvider,
        C::EscalateConcern {
            concern_id: id,
            note: text("x"),
        },
        "R19_ESCALATE_RESOLVED",
    );
    h.refused(
        Role::Inspector,
        C::RecordConcernAction {
            concern_id: id,
            action: text("x"),
            resolved: true,
        },
        "R19_CONCERN_RESOLVED",
    );
    let unknown = ConcernId::new(Uuid::from_u128(10)).unwrap();
    h.refused(
        Role::Inspector,
        C::RecordConcernAction {
            concern_id: unknown,
            action: text("x"),
            resolved: true,
        },
        "R19_CONCERN_NOT_FOUND",
    );
}

#[test]
fn r19_end_invites_the_post_inspection_survey_and_the_follow_up_call_is_the_next_working_day() {
    let mut h = on_site(InspectionKind::Full);
    h.refused(
        Role::Inspector,
        C::RecordFollowUpCall {
            notes: None,
            override_reason: None,
        },
        "R19_NOT_ENDED",
    );
    h.at(london(2027, 1, 14, 16, 0))
        .run(Role::Inspector, C::End)
        .unwrap();
    assert!(h.state.post_inspection_survey_invited);
    h.at(london(2027, 1, 18, 10, 0));
    let e = h.refused(
        Role::Inspector,
        C::RecordFollowUpCall {
            notes: None,
            override_reason: None,
        },
        "R19_FOLLOW_UP_WRONG_DAY",
    );
    assert!(e.message.contains("2027-01-15"), "{e}");
    h.run(
        Role::Inspector,
        C::RecordFollowUpCall {
            notes: None,
            override_reason: Some(text("provider unavailable Friday")),
        },
    )
    .unwrap();
    assert_eq!(
        h.state.exceptions.last().unwrap().rule,
        "R19_FOLLOW_UP_WRONG_DAY"
    );
    h.refused(
        Role::Inspector,
        C::RecordFollowUpCall {
            notes: None,
            override_reason: None,
        },
        "R19_FOLLOW_UP_RECORDED",
    );
}

#[test]
fn r19_follow_up_over_christmas_2026_skips_the_substitute_day() {
    let mut h = H::new(london(2026, 11, 2, 10, 0));
    h.plan(InspectionKind::Full, &[Contract::Ecf], d(2026, 12, 21))
        .unwrap();
    h.at(london(2026, 12, 14, 10, 0)).call().unwrap();
    h.at(london(2026, 12, 21, 9, 0))
        .run(Role::Inspector, C::Start)
        .unwrap();
    h.at(london(2026, 12, 24, 15, 0))
        .run(Role::Inspector, C::End)
        .unwrap();
    h.at(london(2026, 12, 28, 10, 0));
    h.refused(
        Role::Inspector,
        C::RecordFollowUpCall {
            notes: None,
            override_reason: None,
        },
        "R19_FOLLOW_UP_WRONG_DAY",
    );
    h.at(london(2026, 12, 29, 10, 0))
        .run(
            Role::Inspector,
            C::RecordFollowUpCall {
                notes: None,
                override_reason: None,
            },
        )
        .unwrap();
}

#[test]
fn r20_surveys_close_at_0900_on_day_three_full_and_day_two_lpmv() {
    let full = notified(InspectionKind::Full, &[Contract::Ecf]);
    assert_eq!(
        full.state.survey.as_ref().unwrap().closes_at,
        Some(utc(2027, 1, 13, 9, 0))
    );
    let lpmv = notified(InspectionKind::Lpmv, &[Contract::Ecf]);
    assert_eq!(
        lpmv.state.survey.as_ref().unwrap().closes_at,
        Some(utc(2027, 1, 12, 9, 0))
    );
}

#[test]
fn r21_links_are_recorded_between_the_call_and_the_start() {
    let mut h = H::new(london(2026, 12, 1, 10, 0));
    h.plan(InspectionKind::Full, &[Contract::Ecf], d(2027, 1, 11))
        .unwrap();
    let links = |g: Vec<StakeholderGroup>| C::RecordSurveyLinksSent { groups: g };
    h.refused(
        Role::LeadProvider,
        links(vec![StakeholderGroup::Mentors]),
        "R21_SURVEYS_NOT_OPEN",
    );
    h.at(london(2027, 1, 4, 10, 0)).call().unwrap();
    h.refused(Role::LeadProvider, links(vec![]), "R21_NO_GROUPS");
    h.refused(
        Role::LeadProvider,
        links(vec![StakeholderGroup::Mentors, StakeholderGroup::Mentors]),
        "R21_DUPLICATE_GROUP",
    );
    h.run(Role::LeadProvider, links(vec![StakeholderGroup::Mentors]))
        .unwrap();
    h.at(london(2027, 1, 11, 9, 0))
        .run(Role::Inspector, C::Start)
        .unwrap();
    h.refused(
        Role::LeadProvider,
        links(vec![StakeholderGroup::SchoolLeaders]),
        "R21_LINKS_AFTER_START",
    );
}

#[test]
fn r21_once_closed_a_window_stays_closed_after_a_pause() {
    let mut h = on_site(InspectionKind::Full);
    // Pause on day 3 after the 09:00 close: stays closed.
    h.at(london(2027, 1, 13, 11, 0))
        .run(
            Role::Inspector,
            C::Pause {
                reason: text("incident"),
            },
        )
        .unwrap();
    assert_eq!(
        h.state.survey.as_ref().unwrap().closes_at,
        Some(utc(2027, 1, 13, 9, 0))
    );
    h.at(london(2027, 1, 15, 10, 0))
        .run(
            Role::Inspector,
            C::Resume {
                remaining_days: vec![d(2027, 1, 18)],
            },
        )
        .unwrap();
    assert_eq!(
        h.state.survey.as_ref().unwrap().closes_at,
        Some(utc(2027, 1, 13, 9, 0))
    );
}

#[test]
fn r22_cumulative_counts_until_the_close() {
    let mut h = notified(InspectionKind::Full, &[Contract::Ecf]);
    let count = |n| C::RecordSurveyResponses {
        group: StakeholderGroup::Mentors,
        cumulative_count: n,
    };
    h.refused(Role::Inspector, count(1), "ROLE_NOT_PERMITTED");
    h.at(london(2027, 1, 6, 10, 0))
        .run(Role::SurveySystem, count(10))
        .unwrap();
    h.refused(Role::SurveySystem, count(9), "R22_COUNT_DECREASED");
    h.run(Role::SurveySystem, count(12)).unwrap();
    assert_eq!(h.state.responses[&StakeholderGroup::Mentors].0, 12);
    // A count as of a time after the close is refused (the survey system may state occurred_at).
    h.at(london(2027, 1, 13, 9, 30));
    let e = h
        .run_at(Role::SurveySystem, london(2027, 1, 13, 9, 1), count(15))
        .unwrap_err();
    assert_eq!(e.code, "R22_AFTER_CLOSE");
    h.run_at(Role::SurveySystem, london(2027, 1, 13, 8, 59), count(15))
        .unwrap();
}
