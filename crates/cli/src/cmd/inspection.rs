//! `inspectionctl inspection …`: planning, the notification call, deferral, evidence and the
//! days on site (R7–R22), one subcommand per command RPC.

use clap::{Args, Subcommand};
use proto::pb;
use proto::pb::decide_deferral_request as decide;
use proto::pb::record_notification_call_request::Capacity;
use proto::pb::record_stakeholder_meeting_request::Attestation;

use super::args::{
    self, ContractArg, DeferralCategoryArg, EvidenceItemArg, FrameworkArg, KindArg,
    MeetingGroupArg, StakeholderGroupArg,
};
use super::ctx::{Ctx, call};
use super::meta::{MetaOpts, Target};
use super::output::from_proto_json;

#[derive(Debug, Subcommand)]
pub enum InspectionCommand {
    /// Plan an inspection (R7, R8) [scheduler].
    ///
    /// Example:
    ///   inspectionctl --as-role scheduler inspection plan --lead-provider $LP \
    ///     --kind full --contract ECF --contract NPQ --start 2027-01-11
    #[command(verbatim_doc_comment)]
    Plan(PlanArgs),
    /// Move a planned inspection to new dates, before the call (R9) [scheduler].
    ///
    /// Example: inspectionctl inspection reschedule -i $ID --start 2027-02-01 --reason "team"
    #[command(verbatim_doc_comment)]
    Reschedule {
        #[command(flatten)]
        target: Target,
        /// New day 1, YYYY-MM-DD.
        #[arg(long, value_parser = args::date_string)]
        start: String,
        /// Other days than the default ones (R8), day 1 first; needs --days-reason.
        #[arg(long = "day", value_parser = args::date_string, requires = "days_reason")]
        days: Vec<String>,
        /// Why the days are not the default ones.
        #[arg(long)]
        days_reason: Option<String>,
        /// Why it is rescheduled.
        #[arg(long)]
        reason: String,
    },
    /// Cancel an inspection before the call (R9) [scheduler].
    Cancel {
        #[command(flatten)]
        target: Target,
        /// Why.
        #[arg(long)]
        reason: String,
    },
    /// Record the notification call (R10, R12) [inspector]: from 09:30 London, 5 working days
    /// before the start.
    ///
    /// Example:
    ///   inspectionctl --as-role inspector inspection call -i $ID \
    ///     --spoke-to "name=Ada Lovelace,email=ada@example.org" --named-representative
    #[command(verbatim_doc_comment)]
    Call {
        #[command(flatten)]
        target: Target,
        /// Who took the call: name=…,email=…,phone=… (personal data, R31).
        #[arg(long, value_parser = args::person)]
        spoke_to: pb::PersonalDetails,
        /// They are the provider's named representative.
        #[arg(
            long,
            conflicts_with = "senior_staff_role",
            required_unless_present = "senior_staff_role"
        )]
        named_representative: bool,
        /// Otherwise: the senior member of staff's role.
        #[arg(long)]
        senior_staff_role: Option<String>,
        /// Why the call is on another day or before 09:30 (R10 override).
        #[arg(long)]
        override_reason: Option<String>,
    },
    /// Record the confirmation email after the call (R11) [inspector].
    ConfirmEmail {
        #[command(flatten)]
        target: Target,
        /// A recipient: name=…,email=… (repeat for several).
        #[arg(long = "to", value_parser = args::person, required = true)]
        recipients: Vec<pb::PersonalDetails>,
    },
    /// Ask for a deferral, before the start (R13) [lead_provider].
    RequestDeferral {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        category: DeferralCategoryArg,
        /// Details.
        #[arg(long)]
        details: String,
    },
    /// Grant or refuse the open deferral request (R14) [quality_assurer].
    ///
    /// Example: inspectionctl inspection decide-deferral -i $ID --grant --new-start 2027-03-01 \
    ///   --rationale "major incident confirmed"
    #[command(verbatim_doc_comment)]
    DecideDeferral {
        #[command(flatten)]
        target: Target,
        /// Grant it (else --refuse).
        #[arg(long, conflicts_with = "refuse", required_unless_present = "refuse")]
        grant: bool,
        /// Refuse it.
        #[arg(long)]
        refuse: bool,
        /// With --grant: the new day 1 (none: to be rescheduled).
        #[arg(long, value_parser = args::date_string, requires = "grant")]
        new_start: Option<String>,
        /// Why.
        #[arg(long)]
        rationale: String,
    },
    /// Submit (or resubmit) an evidence item (R15, R16) [lead_provider].
    ///
    /// Structured items 1–5 take the data as protobuf JSON of StructuredInfo, e.g.
    ///   --structured '{"delivery_partners":{"rows":[{"id":"dp-1","name":"North"}]}}'
    SubmitInfo {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        item: EvidenceItemArg,
        /// Structured data (R15 items 1–5), protobuf JSON of `StructuredInfo`.
        #[arg(long, value_name = "JSON")]
        structured: Option<String>,
        /// A document reference: uri=…,sha256=…,size=…,type=… (repeatable).
        #[arg(long = "document", value_parser = args::document)]
        documents: Vec<pb::DocumentRef>,
        /// A note.
        #[arg(long)]
        note: Option<String>,
        /// R16: no such pre-existing evidence exists.
        #[arg(long)]
        none_exists: bool,
    },
    /// Record that survey links were sent to groups (R21) [lead_provider].
    SurveyLinksSent {
        #[command(flatten)]
        target: Target,
        #[arg(long = "group", value_enum, required = true)]
        groups: Vec<StakeholderGroupArg>,
    },
    /// Start the inspection on site (R17) [inspector].
    Start {
        #[command(flatten)]
        target: Target,
    },
    /// Pause the inspection, exceptionally (R17) [inspector].
    Pause {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        reason: String,
    },
    /// Resume a paused inspection with new dates for the remaining days (R17) [inspector].
    Resume {
        #[command(flatten)]
        target: Target,
        /// A remaining day, YYYY-MM-DD (repeat, in order).
        #[arg(long = "day", value_parser = args::date_string, required = true)]
        days: Vec<String>,
    },
    /// Mark a paused inspection incomplete (R17) [inspector].
    MarkIncomplete {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        reason: String,
    },
    /// Record a stakeholder meeting and how it was held (R18) [inspector].
    Meeting {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        group: MeetingGroupArg,
        /// No leaders or ECF mentors were present.
        #[arg(long, conflicts_with_all = ["exceptional_circumstances", "not_required"])]
        no_leaders_or_mentors_present: bool,
        /// Otherwise: the exceptional circumstances.
        #[arg(long)]
        exceptional_circumstances: Option<String>,
        /// The attestation does not apply to this group.
        #[arg(long)]
        not_required: bool,
    },
    /// Record a concern raised by the provider (R19) [lead_provider].
    RaiseConcern {
        #[command(flatten)]
        target: Target,
        /// The concern's id (UUID); a new one is made when omitted.
        #[arg(long, value_parser = args::uuid)]
        concern: Option<String>,
        #[arg(long)]
        summary: String,
    },
    /// Record an action taken on a concern (R19) [inspector].
    ConcernAction {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_parser = args::uuid)]
        concern: String,
        #[arg(long)]
        action: String,
        /// The concern is resolved.
        #[arg(long)]
        resolved: bool,
    },
    /// Escalate an unresolved concern to a senior Ofsted leader (R19) [inspector].
    EscalateConcern {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_parser = args::uuid)]
        concern: String,
        #[arg(long)]
        note: String,
    },
    /// End the inspection (R19) [inspector].
    End {
        #[command(flatten)]
        target: Target,
    },
    /// Record the follow-up call on the working day after the end (R19) [inspector].
    FollowUpCall {
        #[command(flatten)]
        target: Target,
        #[arg(long)]
        notes: Option<String>,
        #[arg(long)]
        override_reason: Option<String>,
    },
    /// Record a group's cumulative survey responses as of --occurred-at (R22) [survey_system].
    SurveyResponses {
        #[command(flatten)]
        target: Target,
        #[arg(long, value_enum)]
        group: StakeholderGroupArg,
        #[arg(long)]
        count: u32,
    },
}

/// `inspection plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// The inspection's id (UUID) to make a retried plan idempotent; the server makes one
    /// when omitted.
    #[arg(long, short = 'i', value_parser = args::uuid)]
    pub inspection: Option<String>,
    #[command(flatten)]
    pub opts: MetaOpts,
    /// The lead provider (UUID).
    #[arg(long, value_parser = args::uuid)]
    pub lead_provider: String,
    #[arg(long, value_enum)]
    pub kind: KindArg,
    /// A contract in scope (repeat for both).
    #[arg(long = "contract", value_enum, required = true)]
    pub contracts: Vec<ContractArg>,
    #[arg(long, value_enum, default_value = "2024")]
    pub framework: FrameworkArg,
    /// Day 1, YYYY-MM-DD.
    #[arg(long, value_parser = args::date_string)]
    pub start: String,
    /// Other days than the default ones (R8), day 1 first; needs --days-reason.
    #[arg(long = "day", value_parser = args::date_string, requires = "days_reason")]
    pub days: Vec<String>,
    /// Why the days are not the default ones.
    #[arg(long)]
    pub days_reason: Option<String>,
}

fn planned_days(days: Vec<String>, reason: Option<String>) -> Option<pb::PlannedDays> {
    (!days.is_empty()).then(|| pb::PlannedDays {
        days,
        reason: reason.unwrap_or_default(),
    })
}

pub async fn run(ctx: &Ctx, cmd: InspectionCommand) -> anyhow::Result<()> {
    use InspectionCommand as C;
    let mut c = ctx.commands().await?;
    let r = match cmd {
        C::Plan(a) => call!(
            ctx,
            c,
            plan_inspection,
            pb::PlanInspectionRequest {
                meta: a.opts.meta(a.inspection.unwrap_or_default()),
                lead_provider_id: a.lead_provider,
                kind: a.kind.into(),
                contracts: a.contracts.into_iter().map(i32::from).collect(),
                framework: a.framework.into(),
                start: a.start,
                days: planned_days(a.days, a.days_reason),
            }
        ),
        C::Reschedule {
            target,
            start,
            days,
            days_reason,
            reason,
        } => {
            call!(
                ctx,
                c,
                reschedule_inspection,
                pb::RescheduleInspectionRequest {
                    meta: target.meta(),
                    start,
                    days: planned_days(days, days_reason),
                    reason,
                }
            )
        }
        C::Cancel { target, reason } => call!(
            ctx,
            c,
            cancel_inspection,
            pb::CancelInspectionRequest {
                meta: target.meta(),
                reason,
            }
        ),
        C::Call {
            target,
            spoke_to,
            named_representative,
            senior_staff_role,
            override_reason,
        } => {
            let capacity = match (named_representative, senior_staff_role) {
                (_, Some(role)) => Capacity::SeniorStaffRole(role),
                (_, None) => Capacity::NamedRepresentative(pb::Marker {}),
            };
            call!(
                ctx,
                c,
                record_notification_call,
                pb::RecordNotificationCallRequest {
                    meta: target.meta(),
                    spoke_to: Some(spoke_to),
                    capacity: Some(capacity),
                    override_reason,
                }
            )
        }
        C::ConfirmEmail { target, recipients } => {
            call!(
                ctx,
                c,
                record_confirmation_email,
                pb::RecordConfirmationEmailRequest {
                    meta: target.meta(),
                    recipients,
                }
            )
        }
        C::RequestDeferral {
            target,
            category,
            details,
        } => {
            call!(
                ctx,
                c,
                request_deferral,
                pb::RequestDeferralRequest {
                    meta: target.meta(),
                    category: category.into(),
                    details,
                }
            )
        }
        C::DecideDeferral {
            target,
            grant,
            refuse: _,
            new_start,
            rationale,
        } => {
            let decision = if grant {
                decide::Decision::Granted(decide::Granted {
                    new_start,
                    days: None,
                    rationale,
                })
            } else {
                decide::Decision::Refused(decide::Refused { rationale })
            };
            call!(
                ctx,
                c,
                decide_deferral,
                pb::DecideDeferralRequest {
                    meta: target.meta(),
                    decision: Some(decision),
                }
            )
        }
        C::SubmitInfo {
            target,
            item,
            structured,
            documents,
            note,
            none_exists,
        } => {
            let structured = structured
                .map(|json| {
                    from_proto_json::<pb::StructuredInfo>(
                        &json,
                        "ofsted.inspections.v1.StructuredInfo",
                    )
                    .map_err(|e| anyhow::anyhow!("--structured is not StructuredInfo JSON: {e}"))
                })
                .transpose()?;
            call!(
                ctx,
                c,
                submit_information,
                pb::SubmitInformationRequest {
                    meta: target.meta(),
                    item: item.into(),
                    structured,
                    documents,
                    note,
                    none_exists,
                }
            )
        }
        C::SurveyLinksSent { target, groups } => {
            call!(
                ctx,
                c,
                record_survey_links_sent,
                pb::RecordSurveyLinksSentRequest {
                    meta: target.meta(),
                    groups: groups.into_iter().map(i32::from).collect(),
                }
            )
        }
        C::Start { target } => call!(
            ctx,
            c,
            start_inspection,
            pb::StartInspectionRequest {
                meta: target.meta(),
            }
        ),
        C::Pause { target, reason } => call!(
            ctx,
            c,
            pause_inspection,
            pb::PauseInspectionRequest {
                meta: target.meta(),
                reason,
            }
        ),
        C::Resume { target, days } => call!(
            ctx,
            c,
            resume_inspection,
            pb::ResumeInspectionRequest {
                meta: target.meta(),
                remaining_days: days,
            }
        ),
        C::MarkIncomplete { target, reason } => call!(
            ctx,
            c,
            mark_incomplete,
            pb::MarkIncompleteRequest {
                meta: target.meta(),
                reason,
            }
        ),
        C::Meeting {
            target,
            group,
            no_leaders_or_mentors_present: _,
            exceptional_circumstances,
            not_required,
        } => {
            let attestation = match (exceptional_circumstances, not_required) {
                (Some(text), _) => Attestation::ExceptionalCircumstances(text),
                (None, true) => Attestation::NotRequired(pb::Marker {}),
                (None, false) => Attestation::NoLeadersOrMentorsPresent(pb::Marker {}),
            };
            call!(
                ctx,
                c,
                record_stakeholder_meeting,
                pb::RecordStakeholderMeetingRequest {
                    meta: target.meta(),
                    group: group.into(),
                    attestation: Some(attestation),
                }
            )
        }
        C::RaiseConcern {
            target,
            concern,
            summary,
        } => {
            let concern_id = concern.unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
            if !ctx.out.json {
                println!("concern {concern_id}");
            }
            call!(
                ctx,
                c,
                raise_concern,
                pb::RaiseConcernRequest {
                    meta: target.meta(),
                    concern_id,
                    summary,
                }
            )
        }
        C::ConcernAction {
            target,
            concern,
            action,
            resolved,
        } => {
            call!(
                ctx,
                c,
                record_concern_action,
                pb::RecordConcernActionRequest {
                    meta: target.meta(),
                    concern_id: concern,
                    action,
                    resolved,
                }
            )
        }
        C::EscalateConcern {
            target,
            concern,
            note,
        } => {
            call!(
                ctx,
                c,
                escalate_concern,
                pb::EscalateConcernRequest {
                    meta: target.meta(),
                    concern_id: concern,
                    note,
                }
            )
        }
        C::End { target } => call!(
            ctx,
            c,
            end_inspection,
            pb::EndInspectionRequest {
                meta: target.meta(),
            }
        ),
        C::FollowUpCall {
            target,
            notes,
            override_reason,
        } => {
            call!(
                ctx,
                c,
                record_follow_up_call,
                pb::RecordFollowUpCallRequest {
                    meta: target.meta(),
                    notes,
                    override_reason,
                }
            )
        }
        C::SurveyResponses {
            target,
            group,
            count,
        } => {
            call!(
                ctx,
                c,
                record_survey_responses,
                pb::RecordSurveyResponsesRequest {
                    meta: target.meta(),
                    group: group.into(),
                    cumulative_count: count,
                }
            )
        }
    };
    ctx.print_command(&r)
}
