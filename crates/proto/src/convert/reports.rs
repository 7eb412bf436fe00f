//! Inspection requests about outcomes and reports (R23–R28).

use domain::DomainError;
use domain::ids::InspectionId;
use domain::inspection::InspectionCommand;
use domain::values::ShareScope;

use super::inspection::{inspection_request, no_override};
use super::values::{
    amendments, contract, document, documents, grades, lpmv_outcome, report_key, report_stage,
};
use super::{CommandRequest, InspectionParsed, Parsed, id, inspection_meta, required, text};
use crate::pb;

inspection_request!(RecordJudgementsRequest, "RecordJudgements", |r| {
    InspectionCommand::RecordJudgements {
        contract: contract(r.contract, "contract")?,
        grades: grades(r.grades.as_ref(), "grades")?,
    }
});

inspection_request!(RecordLpmvOutcomeRequest, "RecordLpmvOutcome", |r| {
    InspectionCommand::RecordLpmvOutcome {
        outcome: lpmv_outcome(r.outcome, "outcome")?,
    }
});

inspection_request!(RecordModerationRequest, "RecordModeration", |r| {
    InspectionCommand::RecordModeration {
        report: report_key(r.report, "report")?,
        amendments: amendments(&r.amendments, "amendments")?,
    }
});

inspection_request!(
    RecordQualityAssuranceRequest,
    "RecordQualityAssurance",
    |r| {
        InspectionCommand::RecordQualityAssurance {
            report: report_key(r.report, "report")?,
        }
    }
);

inspection_request!(IssueDraftReportRequest, "IssueDraftReport", |r| {
    InspectionCommand::IssueDraftReport {
        report: report_key(r.report, "report")?,
        document: document(required(r.document.as_ref(), "document")?, "document")?,
    }
});

inspection_request!(ShareReportWithDfeRequest, "ShareReportWithDfe", |r| {
    use pb::share_report_with_dfe_request::Scope;
    InspectionCommand::ShareReportWithDfe {
        report: report_key(r.report, "report")?,
        stage: report_stage(r.stage, "stage")?,
        scope: match required(r.scope.as_ref(), "scope")? {
            Scope::Whole(_) => ShareScope::Whole,
            Scope::Part(p) => ShareScope::Part(text(p, "part")?),
        },
    }
});

inspection_request!(SubmitCommentsRequest, "SubmitComments", |r| {
    InspectionCommand::SubmitComments {
        report: report_key(r.report, "report")?,
        comments: text(&r.comments, "comments")?,
        documents: documents(&r.documents, "documents")?,
    }
});

inspection_request!(LodgeComplaintRequest, "LodgeComplaint", |r| {
    InspectionCommand::LodgeComplaint {
        complaint_id: id(&r.complaint_id, "complaint_id")?,
        report: report_key(r.report, "report")?,
        summary: text(&r.summary, "summary")?,
    }
});

inspection_request!(AllowLateResponseRequest, "AllowLateResponse", |r| {
    InspectionCommand::AllowLateResponse {
        report: report_key(r.report, "report")?,
        reason: text(&r.reason, "reason")?,
    }
});

inspection_request!(RespondToComplaintRequest, "RespondToComplaint", |r| {
    InspectionCommand::RespondToComplaint {
        complaint_id: id(&r.complaint_id, "complaint_id")?,
        response: text(&r.response, "response")?,
    }
});

inspection_request!(IssueFinalReportRequest, "IssueFinalReport", |r| {
    InspectionCommand::IssueFinalReport {
        report: report_key(r.report, "report")?,
        document: document(required(r.document.as_ref(), "document")?, "document")?,
    }
});

inspection_request!(PublishReportRequest, "PublishReport", |r| {
    InspectionCommand::PublishReport {
        report: report_key(r.report, "report")?,
    }
});
