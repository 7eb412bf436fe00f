//! Who may do what: the role × command table of DOMAIN.md "Actors", as one pure function.
//!
//! The table is an exhaustive `match` on both enums, so adding a command or a role forces a
//! decision here rather than falling through to a default.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::error::{DomainError, ValueError};
use crate::ids::LeadProviderId;

/// The roles of DOMAIN.md "Actors".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Ofsted scheduling: lead providers and planning.
    Scheduler,
    /// Lead inspector or HMI: the call, on-site work, judgements.
    Inspector,
    /// Senior HMI: deferral decisions, moderation, QA, reports, complaints.
    QualityAssurer,
    /// A user acting for one lead provider.
    LeadProvider,
    /// The stakeholder survey system.
    SurveySystem,
    /// The Department for Education: reads report-shared messages only.
    Dfe,
    /// Operations: reads everything, writes nothing in the domain.
    Operator,
}

impl Role {
    /// Every role.
    pub const ALL: [Role; 7] = [
        Role::Scheduler,
        Role::Inspector,
        Role::QualityAssurer,
        Role::LeadProvider,
        Role::SurveySystem,
        Role::Dfe,
        Role::Operator,
    ];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Scheduler => "scheduler",
            Role::Inspector => "inspector",
            Role::QualityAssurer => "quality_assurer",
            Role::LeadProvider => "lead_provider",
            Role::SurveySystem => "survey_system",
            Role::Dfe => "dfe",
            Role::Operator => "operator",
        }
    }

    /// R5: whether the role may state when the act really happened (`occurred_at`).
    pub fn may_give_occurred_at(self) -> bool {
        match self {
            Role::Scheduler | Role::Inspector | Role::QualityAssurer | Role::SurveySystem => true,
            Role::LeadProvider | Role::Dfe | Role::Operator => false,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| ValueError::new("ROLE_UNKNOWN", format!("unknown role {s:?}")))
    }
}

/// Every command of the system, by name: the columns of the permission table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[allow(missing_docs)]
pub enum CommandKind {
    RegisterLeadProvider,
    UpdateLeadProvider,
    PlanInspection,
    RescheduleInspection,
    CancelInspection,
    RecordNotificationCall,
    RecordConfirmationEmail,
    RequestDeferral,
    DecideDeferral,
    SubmitInformation,
    RecordSurveyLinksSent,
    StartInspection,
    PauseInspection,
    ResumeInspection,
    MarkIncomplete,
    RecordStakeholderMeeting,
    RaiseConcern,
    RecordConcernAction,
    EscalateConcern,
    EndInspection,
    RecordFollowUpCall,
    RecordSurveyResponses,
    RecordJudgements,
    RecordLpmvOutcome,
    RecordModeration,
    RecordQualityAssurance,
    IssueDraftReport,
    ShareReportWithDfe,
    SubmitComments,
    LodgeComplaint,
    AllowLateResponse,
    RespondToComplaint,
    IssueFinalReport,
    PublishReport,
    ErasePersonalData,
}

impl CommandKind {
    /// Every command.
    pub const ALL: [CommandKind; 35] = {
        use CommandKind::*;
        [
            RegisterLeadProvider,
            UpdateLeadProvider,
            PlanInspection,
            RescheduleInspection,
            CancelInspection,
            RecordNotificationCall,
            RecordConfirmationEmail,
            RequestDeferral,
            DecideDeferral,
            SubmitInformation,
            RecordSurveyLinksSent,
            StartInspection,
            PauseInspection,
            ResumeInspection,
            MarkIncomplete,
            RecordStakeholderMeeting,
            RaiseConcern,
            RecordConcernAction,
            EscalateConcern,
            EndInspection,
            RecordFollowUpCall,
            RecordSurveyResponses,
            RecordJudgements,
            RecordLpmvOutcome,
            RecordModeration,
            RecordQualityAssurance,
            IssueDraftReport,
            ShareReportWithDfe,
            SubmitComments,
            LodgeComplaint,
            AllowLateResponse,
            RespondToComplaint,
            IssueFinalReport,
            PublishReport,
            ErasePersonalData,
        ]
    };
}

/// The permission table: whether `role` may issue `command` at all.
pub fn is_allowed(role: Role, command: CommandKind) -> bool {
    use CommandKind::*;
    match role {
        Role::Scheduler => matches!(
            command,
            RegisterLeadProvider
                | UpdateLeadProvider
                | PlanInspection
                | RescheduleInspection
                | CancelInspection
        ),
        Role::Inspector => matches!(
            command,
            RecordNotificationCall
                | RecordConfirmationEmail
                | StartInspection
                | PauseInspection
                | ResumeInspection
                | MarkIncomplete
                | RecordStakeholderMeeting
                | RaiseConcern
                | RecordConcernAction
                | EscalateConcern
                | EndInspection
                | RecordFollowUpCall
                | RecordJudgements
                | RecordLpmvOutcome
        ),
        Role::QualityAssurer => matches!(
            command,
            DecideDeferral
                | RecordModeration
                | RecordQualityAssurance
                | IssueDraftReport
                | ShareReportWithDfe
                | AllowLateResponse
                | RespondToComplaint
                | IssueFinalReport
                | PublishReport
                | ErasePersonalData
        ),
        Role::LeadProvider => matches!(
            command,
            RequestDeferral
                | SubmitInformation
                | RecordSurveyLinksSent
                | SubmitComments
                | LodgeComplaint
                | RaiseConcern
                | EscalateConcern
        ),
        Role::SurveySystem => matches!(command, RecordSurveyResponses),
        Role::Dfe | Role::Operator => false,
    }
}

/// Who is acting: an authenticated subject, its role and, for provider users, the one lead
/// provider it acts for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Stable subject id of the caller (not personal data: an opaque account id).
    pub subject: String,
    /// The caller's role.
    pub role: Role,
    /// For `lead_provider` users: the provider they act for.
    pub lead_provider: Option<LeadProviderId>,
}

/// Check the table and, for provider users, that the target belongs to their provider.
/// A refusal changes nothing and says which rule refused.
pub fn authorize(
    actor: &Actor,
    command: CommandKind,
    target: Option<LeadProviderId>,
) -> Result<(), DomainError> {
    if !is_allowed(actor.role, command) {
        return Err(DomainError::denied(
            "ROLE_NOT_PERMITTED",
            format!("role {} may not {}", actor.role, command_name(command)),
        ));
    }
    if actor.role == Role::LeadProvider {
        match (actor.lead_provider, target) {
            (Some(own), Some(target)) if own == target => {}
            (None, _) => {
                return Err(DomainError::denied(
                    "LEAD_PROVIDER_UNSCOPED",
                    "a lead_provider caller must be bound to one lead provider",
                ));
            }
            // Another provider's inspection and one that does not exist get the same answer,
            // which names neither the owner nor whether it exists.
            (Some(own), _) => {
                return Err(DomainError::denied(
                    "LEAD_PROVIDER_MISMATCH",
                    format!("lead provider {own} may act only on its own inspections"),
                ));
            }
        }
    }
    Ok(())
}

fn command_name(c: CommandKind) -> String {
    serde_json::to_value(c)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use uuid::Uuid;

    #[test]
    fn actors_table_matches_domain_md() {
        use CommandKind::*;
        let allowed = |role| {
            CommandKind::ALL
                .into_iter()
                .filter(|c| is_allowed(role, *c))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            allowed(Role::Scheduler),
            vec![
                RegisterLeadProvider,
                UpdateLeadProvider,
                PlanInspection,
                RescheduleInspection,
                CancelInspection
            ]
        );
        assert_eq!(allowed(Role::SurveySystem), vec![RecordSurveyResponses]);
        assert!(allowed(Role::Dfe).is_empty());
        assert!(allowed(Role::Operator).is_empty());
        assert!(allowed(Role::LeadProvider).contains(&RequestDeferral));
        assert!(!allowed(Role::LeadProvider).contains(&DecideDeferral));
        assert!(allowed(Role::QualityAssurer).contains(&DecideDeferral));
        assert!(allowed(Role::Inspector).contains(&RecordNotificationCall));
        assert!(!allowed(Role::Inspector).contains(&PublishReport));
        // Every command has at least one role that may issue it.
        for c in CommandKind::ALL {
            assert!(
                Role::ALL.iter().any(|r| is_allowed(*r, c)),
                "{c:?} has no role"
            );
        }
    }

    #[test]
    fn actors_lead_provider_is_confined_to_its_own_provider() {
        let own = LeadProviderId::new(Uuid::from_u128(1)).unwrap();
        let other = LeadProviderId::new(Uuid::from_u128(2)).unwrap();
        let lp = Actor {
            subject: "u1".into(),
            role: Role::LeadProvider,
            lead_provider: Some(own),
        };
        assert!(authorize(&lp, CommandKind::SubmitInformation, Some(own)).is_ok());
        assert_eq!(
            authorize(&lp, CommandKind::SubmitInformation, Some(other))
                .unwrap_err()
                .code,
            "LEAD_PROVIDER_MISMATCH"
        );
        let unscoped = Actor {
            lead_provider: None,
            ..lp.clone()
        };
        assert_eq!(
            authorize(&unscoped, CommandKind::SubmitInformation, Some(own))
                .unwrap_err()
                .code,
            "LEAD_PROVIDER_UNSCOPED"
        );
        assert_eq!(
            authorize(&lp, CommandKind::PublishReport, Some(own))
                .unwrap_err()
                .code,
            "ROLE_NOT_PERMITTED"
        );
        let op = Actor {
            subject: "o".into(),
            role: Role::Operator,
            lead_provider: None,
        };
        for c in CommandKind::ALL {
            assert_eq!(
                authorize(&op, c, Some(own)).unwrap_err().code,
                "ROLE_NOT_PERMITTED"
            );
        }
    }
}
