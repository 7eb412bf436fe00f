//! `decide` for outcomes and reports: judgements (R23), moderation (R24), QA and drafts (R25),
//! sharing with DfE (R26), comments and complaints (R27), final reports and publication (R28).

use chrono::{DateTime, Utc};

use crate::calendar::Calendar;
use crate::error::DomainError;
use crate::inspection::commands::{InspectionCommand, JudgementChange, ReportStage};
use crate::inspection::events::{AppliedAmendment, InspectionEventBody as E, SharedJudgements};
use crate::inspection::state::{Inspection, Phase, ReportRecord};
use crate::kind::InspectionKind;
use crate::london;
use crate::schedule;
use crate::values::{ContractSet, ReportKey};

pub(crate) fn decide(
    s: &Inspection,
    cmd: &InspectionCommand,
    at: DateTime<Utc>,
    cal: &Calendar,
) -> Result<Vec<E>, DomainError> {
    use InspectionCommand as C;
    let today = london::date_of(at);
    match cmd {
        C::RecordJudgements { contract, grades } => {
            ended(s, "record judgements")?;
            if s.kind != Some(InspectionKind::Full) {
                return Err(DomainError::rule(
                    "R23_NOT_A_FULL_INSPECTION",
                    "an LPMV records an outcome, not grades",
                ));
            }
            if !s.contracts.as_ref().is_some_and(|c| c.contains(*contract)) {
                return Err(DomainError::invalid(
                    "contract",
                    "R23_CONTRACT_NOT_IN_SCOPE",
                    format!("the {contract} contract is not in this inspection's scope"),
                ));
            }
            if s.judgements.contains_key(contract) {
                return Err(DomainError::rule(
                    "R23_ALREADY_RECORDED",
                    format!(
                        "judgements for {contract} are recorded; changes go through moderation (R24)"
                    ),
                ));
            }
            Ok(vec![E::JudgementsRecorded {
                contract: *contract,
                grades: *grades,
            }])
        }
        C::RecordLpmvOutcome { outcome } => {
            ended(s, "record the outcome")?;
            if s.kind != Some(InspectionKind::Lpmv) {
                return Err(DomainError::rule(
                    "R23_NOT_AN_LPMV",
                    "a full inspection records grades, not an LPMV outcome",
                ));
            }
            if s.lpmv_outcome.is_some() {
                return Err(DomainError::rule(
                    "R23_ALREADY_RECORDED",
                    "the outcome is recorded; changes go through moderation (R24)",
                ));
            }
            Ok(vec![E::LpmvOutcomeRecorded { outcome: *outcome }])
        }
        C::RecordModeration { report, amendments } => {
            let r = report_of(s, *report)?;
            judged(s, *report)?;
            not_final(r, *report, "moderate")?;
            let mut applied = Vec::with_capacity(amendments.len());
            let mut current = s.clone();
            for (i, a) in amendments.iter().enumerate() {
                let field = format!("amendments[{i}].change");
                let from = match (&a.change, report.contract()) {
                    (JudgementChange::Grade { area, to }, Some(c)) => {
                        let g = current
                            .judgements
                            .get_mut(&c)
                            .expect("judged checked above");
                        let from = g.get(*area);
                        if from == *to {
                            return Err(DomainError::invalid(
                                field,
                                "R24_AMENDMENT_NO_CHANGE",
                                format!("{} is already graded {}", area.as_str(), to.number()),
                            ));
                        }
                        g.set(*area, *to);
                        format!("grade {}", from.number())
                    }
                    (JudgementChange::Outcome { to }, None) => {
                        let from = current.lpmv_outcome.expect("judged checked above");
                        if from == *to {
                            return Err(DomainError::invalid(
                                field,
                                "R24_AMENDMENT_NO_CHANGE",
                                format!("the outcome is already {to:?}"),
                            ));
                        }
                        current.lpmv_outcome = Some(*to);
                        format!("{from:?}")
                    }
                    _ => {
                        return Err(DomainError::invalid(
                            field,
                            "R24_AMENDMENT_KIND",
                            format!(
                                "{} takes {} amendments",
                                report.as_str(),
                                if report.contract().is_some() {
                                    "grade"
                                } else {
                                    "outcome"
                                }
                            ),
                        ));
                    }
                };
                applied.push(AppliedAmendment {
                    change: a.change.clone(),
                    from,
                    reason: a.reason.clone(),
                });
            }
            Ok(vec![E::ModerationRecorded {
                report: *report,
                amendments: applied,
            }])
        }
        C::RecordQualityAssurance { report } => {
            let r = report_of(s, *report)?;
            judged(s, *report)?;
            not_final(r, *report, "quality assure")?;
            Ok(vec![E::QualityAssuranceRecorded { report: *report }])
        }
        C::IssueDraftReport { report, document } => {
            let r = report_of(s, *report)?;
            if r.moderated_at.is_none() {
                return Err(DomainError::rule(
                    "R25_DRAFT_BEFORE_MODERATION",
                    format!(
                        "the draft {} goes to the provider only after moderation and quality assurance; not moderated",
                        report.as_str()
                    ),
                ));
            }
            if r.quality_assured_at.is_none() {
                return Err(DomainError::rule(
                    "R25_DRAFT_BEFORE_QA",
                    format!(
                        "the draft {} goes to the provider only after moderation and quality assurance; not quality assured",
                        report.as_str()
                    ),
                ));
            }
            if r.draft.is_some() {
                return Err(DomainError::rule(
                    "R25_DRAFT_ALREADY_ISSUED",
                    format!("the draft {} was already issued", report.as_str()),
                ));
            }
            let end = end_date(s)?;
            let due = schedule::draft_report_due(cal, end);
            Ok(vec![E::DraftReportIssued {
                report: *report,
                document: document.clone(),
                due,
                late: today > due,
                comments_close: schedule::comment_window_end(cal, today),
            }])
        }
        C::ShareReportWithDfe {
            report,
            stage,
            scope,
        } => {
            let r = report_of(s, *report)?;
            match stage {
                ReportStage::Draft => {
                    if r.moderated_at.is_none() && r.quality_assured_at.is_none() {
                        return Err(DomainError::rule(
                            "R26_SHARE_BEFORE_MODERATION_OR_QA",
                            format!(
                                "the {} may be shared with DfE only after moderation or quality assurance",
                                report.as_str()
                            ),
                        ));
                    }
                }
                ReportStage::Final => {
                    if r.final_report.is_none() {
                        return Err(DomainError::rule(
                            "R26_FINAL_NOT_ISSUED",
                            format!("the final {} has not been issued", report.as_str()),
                        ));
                    }
                }
            }
            let contracts = match report.contract() {
                Some(c) => ContractSet::new([c]).map_err(|e| e.at("report"))?,
                None => s.contracts.clone().ok_or_else(|| {
                    DomainError::not_found("INSPECTION_NOT_FOUND", "no such inspection")
                })?,
            };
            let judgements = match (stage, report.contract()) {
                (ReportStage::Draft, _) => None,
                (ReportStage::Final, Some(c)) => {
                    s.judgements.get(&c).copied().map(SharedJudgements::Grades)
                }
                (ReportStage::Final, None) => s.lpmv_outcome.map(SharedJudgements::Outcome),
            };
            Ok(vec![E::ReportSharedWithDfe {
                report: *report,
                stage: *stage,
                scope: scope.clone(),
                kind: s.kind.unwrap_or(InspectionKind::Full),
                contracts,
                judgements,
            }])
        }
        C::SubmitComments {
            report,
            comments,
            documents,
        } => {
            let late = response_window(s, *report, today, "comments")?;
            Ok(vec![E::CommentsSubmitted {
                report: *report,
                comments: comments.clone(),
                documents: documents.clone(),
                late,
            }])
        }
        C::LodgeComplaint {
            complaint_id,
            report,
            summary,
        } => {
            if s.complaints.contains_key(complaint_id) {
                return Err(DomainError::exists(
                    "R27_COMPLAINT_EXISTS",
                    format!("complaint {complaint_id} exists already"),
                ));
            }
            let late = response_window(s, *report, today, "a formal complaint")?;
            Ok(vec![E::ComplaintLodged {
                complaint_id: *complaint_id,
                report: *report,
                summary: summary.clone(),
                late,
            }])
        }
        C::AllowLateResponse { report, reason } => {
            let r = report_of(s, *report)?;
            if r.draft.is_none() {
                return Err(DomainError::rule(
                    "R27_NO_DRAFT",
                    format!("the draft {} has not been issued", report.as_str()),
                ));
            }
            Ok(vec![E::LateResponseAllowed {
                report: *report,
                reason: reason.clone(),
            }])
        }
        C::RespondToComplaint {
            complaint_id,
            response,
        } => {
            let c = s.complaints.get(complaint_id).ok_or_else(|| {
                DomainError::not_found(
                    "R27_COMPLAINT_NOT_FOUND",
                    format!("no complaint {complaint_id} on this inspection"),
                )
            })?;
            if c.responded_at.is_some() {
                return Err(DomainError::rule(
                    "R27_COMPLAINT_ALREADY_ANSWERED",
                    format!("complaint {complaint_id} has been answered"),
                ));
            }
            Ok(vec![E::ComplaintResponded {
                complaint_id: *complaint_id,
                response: response.clone(),
            }])
        }
        C::IssueFinalReport { report, document } => {
            let r = report_of(s, *report)?;
            if r.draft.is_none() {
                return Err(DomainError::rule(
                    "R28_NO_DRAFT",
                    format!(
                        "the draft {} must be issued before the final",
                        report.as_str()
                    ),
                ));
            }
            if r.final_report.is_some() {
                return Err(DomainError::rule(
                    "R28_FINAL_ALREADY_ISSUED",
                    format!("the final {} was already issued", report.as_str()),
                ));
            }
            let due = schedule::final_report_due(cal, end_date(s)?);
            Ok(vec![E::FinalReportIssued {
                report: *report,
                document: document.clone(),
                due,
                late: today > due,
            }])
        }
        C::PublishReport { report } => {
            let r = report_of(s, *report)?;
            if r.final_report.is_none() {
                return Err(DomainError::rule(
                    "R28_NOT_FINAL",
                    format!(
                        "only a final report is published; the final {} is not issued",
                        report.as_str()
                    ),
                ));
            }
            if r.published_at.is_some() {
                return Err(DomainError::rule(
                    "R28_ALREADY_PUBLISHED",
                    format!("the {} is already published", report.as_str()),
                ));
            }
            if let Some((id, _)) = s.open_complaint() {
                return Err(DomainError::rule(
                    "R27_COMPLAINT_HOLDS_PUBLICATION",
                    format!(
                        "complaint {id} awaits Ofsted's response; publication is held until then"
                    ),
                ));
            }
            Ok(vec![E::ReportPublished { report: *report }])
        }
        other => Err(DomainError::rule(
            "INTERNAL_MISROUTED",
            format!("{:?} is not a report command", other.kind()),
        )),
    }
}

fn ended(s: &Inspection, what: &str) -> Result<(), DomainError> {
    if s.phase != Phase::Ended {
        return Err(DomainError::rule(
            "R23_NOT_ENDED",
            format!(
                "cannot {what} before the inspection ends; it is {}",
                s.phase.as_str()
            ),
        ));
    }
    Ok(())
}

fn end_date(s: &Inspection) -> Result<chrono::NaiveDate, DomainError> {
    s.ended
        .map(|(d, _)| d)
        .ok_or_else(|| DomainError::rule("R23_NOT_ENDED", "the inspection has not ended"))
}

fn report_of(s: &Inspection, key: ReportKey) -> Result<&ReportRecord, DomainError> {
    s.reports.get(&key).ok_or_else(|| {
        let have: Vec<&str> = s.report_keys().iter().map(|k| k.as_str()).collect();
        DomainError::invalid(
            "report",
            "R24_REPORT_NOT_IN_SCOPE",
            format!(
                "this inspection has no {}; its reports: {}",
                key.as_str(),
                have.join(", ")
            ),
        )
    })
}

fn judged(s: &Inspection, key: ReportKey) -> Result<(), DomainError> {
    let done = match key.contract() {
        Some(c) => s.judgements.contains_key(&c),
        None => s.lpmv_outcome.is_some(),
    };
    if !done {
        return Err(DomainError::rule(
            "R24_NO_JUDGEMENTS",
            format!("no judgements recorded for the {} yet", key.as_str()),
        ));
    }
    Ok(())
}

fn not_final(r: &ReportRecord, key: ReportKey, what: &str) -> Result<(), DomainError> {
    if r.final_report.is_some() {
        return Err(DomainError::rule(
            "R24_FINAL_ISSUED",
            format!(
                "cannot {what} the {}: its final report is issued",
                key.as_str()
            ),
        ));
    }
    Ok(())
}

/// R27: comments and complaints within 5 working days of the draft, or under an override.
/// Returns whether the response is late (accepted under the override).
fn response_window(
    s: &Inspection,
    key: ReportKey,
    today: chrono::NaiveDate,
    what: &str,
) -> Result<bool, DomainError> {
    let r = report_of(s, key)?;
    let Some(draft) = &r.draft else {
        return Err(DomainError::rule(
            "R27_NO_DRAFT",
            format!("the draft {} has not been issued", key.as_str()),
        ));
    };
    if r.final_report.is_some() {
        return Err(DomainError::rule(
            "R27_FINAL_ISSUED",
            format!("the final {} is issued", key.as_str()),
        ));
    }
    if today <= draft.comments_close {
        return Ok(false);
    }
    if r.late_response_allowed.is_some() {
        return Ok(true);
    }
    Err(DomainError::rule(
        "R27_WINDOW_CLOSED",
        format!(
            "{what} on the draft {} closed at the end of {} (5 working days after the draft); got {today}",
            key.as_str(),
            draft.comments_close
        ),
    ))
}
