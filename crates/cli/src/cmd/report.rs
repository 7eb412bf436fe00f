//! `inspectionctl report …`: judgements, moderation, quality assurance, the draft and final
//! reports, sharing with DfE, comments and complaints, publication (R23–R28).

use clap::Subcommand;
use proto::pb;
use proto::pb::amendment::{Change, GradeChange};
use proto::pb::share_report_with_dfe_request::Scope;

use super::args::{
    self, ContractArg, GradeArg, JudgementAreaArg, LpmvOutcomeArg, ReportArg, StageArg,
};
use super::ctx::{Ctx, call};
use super::meta::Target;

#[derive(Debug, Subcommand)]
pub enum ReportCommand {
    /// Record one contract's grades, full inspections (R23) [inspector].
    ///
    /// Grades: 1 outstanding, 2 good, 3 requires improvement, 4 inadequate.
    /// Example: inspectionctl report judgements -i $ID --contract ECF --overall 2 --training 2 --leadership 1
    #[command(verbatim_doc_comment)]
    Judgements {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        contract: ContractArg,
        /// Overall effectiveness.
        #[arg(long, value_enum)]
        overall: GradeArg,
        /// Quality of professional development and training.
        #[arg(long, value_enum)]
        training: GradeArg,
        /// Leadership and management.
        #[arg(long, value_enum)]
        leadership: GradeArg,
    },
    /// Record an LPMV's outcome (R23) [inspector].
    LpmvOutcome {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        outcome: LpmvOutcomeArg,
    },
    /// Record moderation, optionally amending judgements (R24) [quality_assurer].
    ///
    /// Example: inspectionctl report moderate -i $ID --report ecf-report \
    ///   --amend-grade overall-effectiveness=3 --amend-reason "evidence on mentors"
    #[command(verbatim_doc_comment)]
    Moderate {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        report: ReportArg,
        /// A grade amendment AREA=GRADE (repeatable; needs --amend-reason).
        #[arg(long = "amend-grade", value_parser = grade_change, requires = "amend_reason")]
        grades: Vec<GradeChange>,
        /// An LPMV outcome amendment (needs --amend-reason).
        #[arg(long, value_enum, requires = "amend_reason")]
        amend_outcome: Option<LpmvOutcomeArg>,
        /// Why the judgements are amended.
        #[arg(long)]
        amend_reason: Option<String>,
    },
    /// Record quality assurance (R25) [quality_assurer].
    Qa {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        report: ReportArg,
    },
    /// Issue the draft report to the provider (R25) [quality_assurer].
    Draft {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        report: ReportArg,
        /// The document: uri=…,sha256=…,size=…,type=…
        #[arg(long, value_parser = args::document)]
        document: pb::DocumentRef,
    },
    /// Share a report with DfE, whole or in part (R26) [quality_assurer].
    ///
    /// This publishes the public report-shared message DfE subscribes to.
    /// Example: inspectionctl report share -i $ID --report ecf-report --stage draft --whole
    #[command(verbatim_doc_comment)]
    Share {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        report: ReportArg,
        #[arg(long, value_enum)]
        stage: StageArg,
        /// The whole report (else --part).
        #[arg(long, conflicts_with = "part", required_unless_present = "part")]
        whole: bool,
        /// Which part (internal description; not sent to DfE).
        #[arg(long)]
        part: Option<String>,
    },
    /// Comment on the draft's clarity or factual accuracy (R27) [lead_provider].
    Comment {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        report: ReportArg,
        #[arg(long)]
        comments: String,
        #[arg(long = "document", value_parser = args::document)]
        documents: Vec<pb::DocumentRef>,
    },
    /// Lodge a formal complaint about the draft (R27) [lead_provider].
    Complain {
        #[command(flatten)]
        target: Target,
        /// The complaint's id (UUID); a new one is made when omitted.
        #[arg(long, value_parser = args::uuid)]
        complaint: Option<String>,
        #[arg(long, value_enum)]
        report: ReportArg,
        #[arg(long)]
        summary: String,
    },
    /// Allow comments or a complaint after the 5 working days (R27) [quality_assurer].
    AllowLate {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        report: ReportArg,
        #[arg(long)]
        reason: String,
    },
    /// Respond to a complaint, releasing publication (R27) [quality_assurer].
    RespondComplaint {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_parser = args::uuid)]
        complaint: String,
        #[arg(long)]
        response: String,
    },
    /// Issue the final report (R28) [quality_assurer].
    Final {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        report: ReportArg,
        #[arg(long, value_parser = args::document)]
        document: pb::DocumentRef,
    },
    /// Publish the final report (R28) [quality_assurer].
    Publish {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        report: ReportArg,
    },
}

/// `AREA=GRADE`, e.g. `overall-effectiveness=3`.
fn grade_change(s: &str) -> Result<GradeChange, String> {
    use clap::ValueEnum;
    let (area, grade) = s
        .split_once('=')
        .ok_or_else(|| format!("expected AREA=GRADE such as overall-effectiveness=3, not {s:?}"))?;
    let area = JudgementAreaArg::from_str(area, true)?;
    let grade = GradeArg::from_str(grade, true)?;
    Ok(GradeChange {
        area: area.into(),
        to: grade.into(),
    })
}

pub async fn run(ctx: &Ctx, cmd: ReportCommand) -> anyhow::Result<()> {
    use ReportCommand as C;
    let mut c = ctx.commands().await?;
    let r = match cmd {
        C::Judgements {
            target,
            contract,
            overall,
            training,
            leadership,
        } => {
            call!(
                ctx,
                c,
                record_judgements,
                pb::RecordJudgementsRequest {
                    meta: target.meta(),
                    contract: contract.into(),
                    grades: Some(pb::Grades {
                        overall_effectiveness: overall.into(),
                        quality_of_training: training.into(),
                        leadership_and_management: leadership.into(),
                    }),
                }
            )
        }
        C::LpmvOutcome { target, outcome } => call!(
            ctx,
            c,
            record_lpmv_outcome,
            pb::RecordLpmvOutcomeRequest {
                meta: target.meta(),
                outcome: outcome.into(),
            }
        ),
        C::Moderate {
            target,
            report,
            grades,
            amend_outcome,
            amend_reason,
        } => {
            let reason = amend_reason.unwrap_or_default();
            let mut amendments: Vec<pb::Amendment> = grades
                .into_iter()
                .map(|g| pb::Amendment {
                    change: Some(Change::Grade(g)),
                    reason: reason.clone(),
                })
                .collect();
            if let Some(outcome) = amend_outcome {
                amendments.push(pb::Amendment {
                    change: Some(Change::Outcome(outcome.into())),
                    reason,
                });
            }
            call!(
                ctx,
                c,
                record_moderation,
                pb::RecordModerationRequest {
                    meta: target.meta(),
                    report: report.into(),
                    amendments,
                }
            )
        }
        C::Qa { target, report } => call!(
            ctx,
            c,
            record_quality_assurance,
            pb::RecordQualityAssuranceRequest {
                meta: target.meta(),
                report: report.into(),
            }
        ),
        C::Draft {
            target,
            report,
            document,
        } => call!(
            ctx,
            c,
            issue_draft_report,
            pb::IssueDraftReportRequest {
                meta: target.meta(),
                report: report.into(),
                document: Some(document),
            }
        ),
        C::Share {
            target,
            report,
            stage,
            whole: _,
            part,
        } => {
            let scope = match part {
                Some(part) => Scope::Part(part),
                None => Scope::Whole(pb::Marker {}),
            };
            call!(
                ctx,
                c,
                share_report_with_dfe,
                pb::ShareReportWithDfeRequest {
                    meta: target.meta(),
                    report: report.into(),
                    stage: stage.into(),
                    scope: Some(scope),
                }
            )
        }
        C::Comment {
            target,
            report,
            comments,
            documents,
        } => call!(
            ctx,
            c,
            submit_comments,
            pb::SubmitCommentsRequest {
                meta: target.meta(),
                report: report.into(),
                comments,
                documents,
            }
        ),
        C::Complain {
            target,
            complaint,
            report,
            summary,
        } => {
            let complaint_id = complaint.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            if !ctx.out.json {
                println!("complaint {complaint_id}");
            }
            call!(
                ctx,
                c,
                lodge_complaint,
                pb::LodgeComplaintRequest {
                    meta: target.meta(),
                    complaint_id,
                    report: report.into(),
                    summary,
                }
            )
        }
        C::AllowLate {
            target,
            report,
            reason,
        } => call!(
            ctx,
            c,
            allow_late_response,
            pb::AllowLateResponseRequest {
                meta: target.meta(),
                report: report.into(),
                reason,
            }
        ),
        C::RespondComplaint {
            target,
            complaint,
            response,
        } => {
            call!(
                ctx,
                c,
                respond_to_complaint,
                pb::RespondToComplaintRequest {
                    meta: target.meta(),
                    complaint_id: complaint,
                    response,
                }
            )
        }
        C::Final {
            target,
            report,
            document,
        } => call!(
            ctx,
            c,
            issue_final_report,
            pb::IssueFinalReportRequest {
                meta: target.meta(),
                report: report.into(),
                document: Some(document),
            }
        ),
        C::Publish { target, report } => call!(
            ctx,
            c,
            publish_report,
            pb::PublishReportRequest {
                meta: target.meta(),
                report: report.into(),
            }
        ),
    };
    ctx.print_command(&r)
}
