//! The `InspectionCommandService` gRPC implementation: one thin method per RPC, each handing
//! its request to the [`Handler`] of the right aggregate.

use std::sync::{Arc, OnceLock};

use domain::permissions::{Actor, CommandKind, authorize};
use proto::CommandRequest;
use proto::pb;
use tokio::sync::Semaphore;
use tonic::{Request, Response, Status};

use crate::errors::CommandError;
use crate::handler::aggregate::{Aggregate, InspectionAggregate, LeadProviderAggregate};
use crate::handler::{Handler, Outcome, RequestContext};

/// Commands in progress at once, over all connections; more are refused at once with
/// `RESOURCE_EXHAUSTED` (`SERVICE_OVERLOADED`) rather than queued. Queued requests are what
/// grew the service to 300 MiB under an open-loop overload: a few hundred in progress keep
/// the database pool (10 connections) busy with a short queue, and bound the memory.
pub const MAX_IN_FLIGHT: usize = 256;

/// The gRPC service. Its handler is set once the store is migrated; until then every RPC
/// answers `UNAVAILABLE` (and health says `NOT_SERVING`).
#[derive(Debug, Clone)]
pub struct CommandService {
    handler: Arc<OnceLock<Handler>>,
    in_flight: Arc<Semaphore>,
}

impl CommandService {
    /// A service whose handler appears in `handler` when start-up has finished, taking at
    /// most [`MAX_IN_FLIGHT`] commands at once.
    pub fn new(handler: Arc<OnceLock<Handler>>) -> Self {
        Self::with_limit(handler, MAX_IN_FLIGHT)
    }

    /// The same, taking at most `limit` commands at once.
    pub fn with_limit(handler: Arc<OnceLock<Handler>>, limit: usize) -> Self {
        CommandService {
            handler,
            in_flight: Arc::new(Semaphore::new(limit)),
        }
    }

    async fn call<A, R, Resp>(&self, request: Request<R>) -> Result<Response<Resp>, Status>
    where
        A: Aggregate,
        R: CommandRequest<Id = A::Id, Body = A::Command>,
        Resp: From<Outcome>,
    {
        // Shed load first: the cheapest refusal, and nothing queues.
        let _permit = self
            .in_flight
            .try_acquire()
            .map_err(|_| CommandError::Overloaded)?;
        let actor = crate::auth::actor(&request).map_err(CommandError::from)?;
        refuse_roles_not_permitted(&actor, R::RPC)?;
        let ctx = RequestContext::new(actor, request.metadata());
        let handler = self.handler.get().ok_or(CommandError::Starting)?;
        let outcome = handler
            .execute::<A, R>(ctx, request.into_inner())
            .await
            .inspect_err(|e| tracing::debug!(error = %e, "command refused"))?;
        Ok(Response::new(outcome.into()))
    }
}

/// The permission-table column of an RPC: the command of the same name.
pub(crate) fn command_kind(rpc: &str) -> Option<CommandKind> {
    CommandKind::ALL
        .into_iter()
        .find(|k| format!("{k:?}") == rpc)
}

/// The role half of the permission table, before the request is even parsed: a caller whose
/// role may not issue the command learns nothing of its validation or of the stream. The
/// domain's `decide` checks again, with the provider confinement that needs the stream.
fn refuse_roles_not_permitted(actor: &Actor, rpc: &str) -> Result<(), CommandError> {
    match command_kind(rpc) {
        // A provider user's own provider stands in for the target, which is checked later.
        Some(kind) => authorize(actor, kind, actor.lead_provider).map_err(CommandError::from),
        None => {
            tracing::error!(rpc, "rpc without a permission-table column");
            Err(CommandError::Corrupt(format!(
                "no permission entry for {rpc}"
            )))
        }
    }
}

impl From<Outcome> for pb::CommandResponse {
    fn from(o: Outcome) -> Self {
        pb::CommandResponse {
            inspection_id: o.stream_id.to_string(),
            new_version: o.new_version,
            event_ids: o.event_ids.iter().map(ToString::to_string).collect(),
            cursor: o.cursor,
        }
    }
}

impl From<Outcome> for pb::LeadProviderCommandResponse {
    fn from(o: Outcome) -> Self {
        pb::LeadProviderCommandResponse {
            lead_provider_id: o.stream_id.to_string(),
            new_version: o.new_version,
            event_ids: o.event_ids.iter().map(ToString::to_string).collect(),
            cursor: o.cursor,
        }
    }
}

/// The trait impl, one line per RPC: `method(Request) -> Response via Aggregate`.
macro_rules! command_service {
    ($($method:ident($req:ident) -> $resp:ident via $agg:ident;)+) => {
        #[tonic::async_trait]
        impl pb::inspection_command_service_server::InspectionCommandService for CommandService {
            $(
                async fn $method(
                    &self,
                    request: Request<pb::$req>,
                ) -> Result<Response<pb::$resp>, Status> {
                    self.call::<$agg, _, _>(request).await
                }
            )+
        }
    };
}

command_service! {
    register_lead_provider(RegisterLeadProviderRequest) -> LeadProviderCommandResponse via LeadProviderAggregate;
    update_lead_provider(UpdateLeadProviderRequest) -> LeadProviderCommandResponse via LeadProviderAggregate;
    erase_personal_data(ErasePersonalDataRequest) -> LeadProviderCommandResponse via LeadProviderAggregate;
    plan_inspection(PlanInspectionRequest) -> CommandResponse via InspectionAggregate;
    reschedule_inspection(RescheduleInspectionRequest) -> CommandResponse via InspectionAggregate;
    cancel_inspection(CancelInspectionRequest) -> CommandResponse via InspectionAggregate;
    record_notification_call(RecordNotificationCallRequest) -> CommandResponse via InspectionAggregate;
    record_confirmation_email(RecordConfirmationEmailRequest) -> CommandResponse via InspectionAggregate;
    request_deferral(RequestDeferralRequest) -> CommandResponse via InspectionAggregate;
    decide_deferral(DecideDeferralRequest) -> CommandResponse via InspectionAggregate;
    submit_information(SubmitInformationRequest) -> CommandResponse via InspectionAggregate;
    record_survey_links_sent(RecordSurveyLinksSentRequest) -> CommandResponse via InspectionAggregate;
    start_inspection(StartInspectionRequest) -> CommandResponse via InspectionAggregate;
    pause_inspection(PauseInspectionRequest) -> CommandResponse via InspectionAggregate;
    resume_inspection(ResumeInspectionRequest) -> CommandResponse via InspectionAggregate;
    mark_incomplete(MarkIncompleteRequest) -> CommandResponse via InspectionAggregate;
    record_stakeholder_meeting(RecordStakeholderMeetingRequest) -> CommandResponse via InspectionAggregate;
    raise_concern(RaiseConcernRequest) -> CommandResponse via InspectionAggregate;
    record_concern_action(RecordConcernActionRequest) -> CommandResponse via InspectionAggregate;
    escalate_concern(EscalateConcernRequest) -> CommandResponse via InspectionAggregate;
    end_inspection(EndInspectionRequest) -> CommandResponse via InspectionAggregate;
    record_follow_up_call(RecordFollowUpCallRequest) -> CommandResponse via InspectionAggregate;
    record_survey_responses(RecordSurveyResponsesRequest) -> CommandResponse via InspectionAggregate;
    record_judgements(RecordJudgementsRequest) -> CommandResponse via InspectionAggregate;
    record_lpmv_outcome(RecordLpmvOutcomeRequest) -> CommandResponse via InspectionAggregate;
    record_moderation(RecordModerationRequest) -> CommandResponse via InspectionAggregate;
    record_quality_assurance(RecordQualityAssuranceRequest) -> CommandResponse via InspectionAggregate;
    issue_draft_report(IssueDraftReportRequest) -> CommandResponse via InspectionAggregate;
    share_report_with_dfe(ShareReportWithDfeRequest) -> CommandResponse via InspectionAggregate;
    submit_comments(SubmitCommentsRequest) -> CommandResponse via InspectionAggregate;
    lodge_complaint(LodgeComplaintRequest) -> CommandResponse via InspectionAggregate;
    allow_late_response(AllowLateResponseRequest) -> CommandResponse via InspectionAggregate;
    respond_to_complaint(RespondToComplaintRequest) -> CommandResponse via InspectionAggregate;
    issue_final_report(IssueFinalReportRequest) -> CommandResponse via InspectionAggregate;
    publish_report(PublishReportRequest) -> CommandResponse via InspectionAggregate;
}

#[cfg(test)]
mod tests {
    use super::*;
    use pb::inspection_command_service_server::InspectionCommandService;
    use prost::Message;

    /// Beyond the limit a command is refused at once, before anything else is looked at.
    #[tokio::test]
    async fn commands_beyond_the_limit_are_refused_as_overloaded() {
        let service = CommandService::with_limit(Arc::new(OnceLock::new()), 1);
        let held = service.in_flight.try_acquire().unwrap();
        let refused = service
            .cancel_inspection(Request::new(pb::CancelInspectionRequest::default()))
            .await
            .unwrap_err();
        assert_eq!(refused.code(), tonic::Code::ResourceExhausted);
        drop(held);
        // A permit free again: the request goes on (and fails authentication here).
        let next = service
            .cancel_inspection(Request::new(pb::CancelInspectionRequest::default()))
            .await
            .unwrap_err();
        assert_eq!(next.code(), tonic::Code::Unauthenticated);
    }

    /// Every RPC of the service has a column in the permission table (its command's name).
    #[test]
    fn every_rpc_is_a_command_of_the_permission_table() {
        let set = prost_types::FileDescriptorSet::decode(pb::FILE_DESCRIPTOR_SET).unwrap();
        let methods: Vec<String> = set
            .file
            .iter()
            .flat_map(|f| &f.service)
            .filter(|s| s.name() == "InspectionCommandService")
            .flat_map(|s| &s.method)
            .map(|m| m.name().to_owned())
            .collect();
        assert!(methods.len() >= 34, "{methods:?}");
        for m in &methods {
            assert!(command_kind(m).is_some(), "{m} has no CommandKind");
        }
        assert_eq!(methods.len(), CommandKind::ALL.len());
    }
}
