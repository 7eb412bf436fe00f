//! The lead-provider aggregate (R6): who a provider is, which contracts it holds and its
//! named representatives (personal data, R31).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::calendar::Calendar;
use crate::error::DomainError;
use crate::ids::LeadProviderId;
use crate::inspection::Command;
use crate::permissions::{CommandKind, authorize};
use crate::personal::PersonalDetails;
use crate::time_policy;
use crate::values::{ContractSet, FrameworkVersion, OverrideReason, Text};

/// Commands of the lead-provider aggregate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "command")]
pub enum LeadProviderCommand {
    /// R6: register a provider.
    Register {
        /// Its id.
        id: LeadProviderId,
        /// Its organisation name.
        name: Text,
        /// The framework its contracts are under.
        framework: FrameworkVersion,
        /// Contracts held.
        contracts: ContractSet,
        /// Named representatives.
        representatives: Vec<PersonalDetails>,
    },
    /// R6: change name, contracts or representatives.
    Update {
        /// New name.
        name: Option<Text>,
        /// New contracts held.
        contracts: Option<ContractSet>,
        /// New list of named representatives (replaces the old).
        representatives: Option<Vec<PersonalDetails>>,
    },
}

impl LeadProviderCommand {
    /// Its column in the permission table.
    pub fn kind(&self) -> CommandKind {
        match self {
            LeadProviderCommand::Register { .. } => CommandKind::RegisterLeadProvider,
            LeadProviderCommand::Update { .. } => CommandKind::UpdateLeadProvider,
        }
    }
}

/// One lead-provider event with the times of R5.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LeadProviderEvent {
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// When recorded.
    pub recorded_at: DateTime<Utc>,
    /// R5 backdating reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub backdate_reason: Option<OverrideReason>,
    /// What happened.
    #[serde(flatten)]
    pub body: LeadProviderEventBody,
}

/// What happened to a lead provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "type")]
pub enum LeadProviderEventBody {
    /// R6.
    LeadProviderRegistered {
        /// Id.
        lead_provider_id: LeadProviderId,
        /// Name.
        name: Text,
        /// Framework.
        framework: FrameworkVersion,
        /// Contracts held.
        contracts: ContractSet,
        /// Named representatives.
        representatives: Vec<PersonalDetails>,
    },
    /// R6.
    LeadProviderUpdated {
        /// New name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<Text>,
        /// New contracts.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contracts: Option<ContractSet>,
        /// New representatives.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        representatives: Option<Vec<PersonalDetails>>,
    },
}

impl LeadProviderEventBody {
    /// Stable type name.
    pub fn event_type(&self) -> &'static str {
        match self {
            LeadProviderEventBody::LeadProviderRegistered { .. } => "lead_provider_registered",
            LeadProviderEventBody::LeadProviderUpdated { .. } => "lead_provider_updated",
        }
    }
}

impl LeadProviderEvent {
    /// Stable type name.
    pub fn event_type(&self) -> &'static str {
        self.body.event_type()
    }
}

/// The provider's state.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadProvider {
    /// Events applied.
    pub version: u64,
    /// Registered.
    pub registered: bool,
    /// Id.
    pub id: Option<LeadProviderId>,
    /// Name.
    pub name: Option<Text>,
    /// Framework.
    pub framework: Option<FrameworkVersion>,
    /// Contracts held.
    pub contracts: Option<ContractSet>,
    /// Named representatives.
    pub representatives: Vec<PersonalDetails>,
}

/// Fold an event.
pub fn evolve(mut s: LeadProvider, e: &LeadProviderEvent) -> LeadProvider {
    s.version += 1;
    match &e.body {
        LeadProviderEventBody::LeadProviderRegistered {
            lead_provider_id,
            name,
            framework,
            contracts,
            representatives,
        } => {
            s.registered = true;
            s.id = Some(*lead_provider_id);
            s.name = Some(name.clone());
            s.framework = Some(*framework);
            s.contracts = Some(contracts.clone());
            s.representatives = representatives.clone();
        }
        LeadProviderEventBody::LeadProviderUpdated {
            name,
            contracts,
            representatives,
        } => {
            if let Some(n) = name {
                s.name = Some(n.clone());
            }
            if let Some(c) = contracts {
                s.contracts = Some(c.clone());
            }
            if let Some(r) = representatives {
                s.representatives = r.clone();
            }
        }
    }
    s
}

/// Decide a lead-provider command.
pub fn decide(
    s: &LeadProvider,
    cmd: &Command<LeadProviderCommand>,
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> Result<Vec<LeadProviderEvent>, DomainError> {
    let target = match &cmd.body {
        LeadProviderCommand::Register { id, .. } => Some(*id),
        LeadProviderCommand::Update { .. } => s.id,
    };
    authorize(&cmd.actor, cmd.body.kind(), target)?;
    let times = time_policy::settle(
        cmd.actor.role,
        cmd.occurred_at,
        cmd.backdate_reason.clone(),
        now,
        calendar,
    )?;
    let body = match &cmd.body {
        LeadProviderCommand::Register {
            id,
            name,
            framework,
            contracts,
            representatives,
        } => {
            check_contracts(*framework, contracts)?;
            check_representatives(representatives)?;
            let body = LeadProviderEventBody::LeadProviderRegistered {
                lead_provider_id: *id,
                name: name.clone(),
                framework: *framework,
                contracts: contracts.clone(),
                representatives: representatives.clone(),
            };
            if s.registered {
                let same = s.id == Some(*id)
                    && s.name.as_ref() == Some(name)
                    && s.contracts.as_ref() == Some(contracts)
                    && s.representatives == *representatives;
                if same && s.version == 1 {
                    return Ok(vec![]);
                }
                return Err(DomainError::exists(
                    "R6_LEAD_PROVIDER_EXISTS",
                    format!("lead provider {id} is already registered"),
                ));
            }
            body
        }
        LeadProviderCommand::Update {
            name,
            contracts,
            representatives,
        } => {
            if !s.registered {
                return Err(DomainError::not_found(
                    "R6_LEAD_PROVIDER_NOT_REGISTERED",
                    "no such lead provider",
                ));
            }
            if name.is_none() && contracts.is_none() && representatives.is_none() {
                return Err(DomainError::invalid(
                    "name",
                    "R6_UPDATE_EMPTY",
                    "give a name, contracts or representatives to change",
                ));
            }
            if let (Some(c), Some(f)) = (contracts, s.framework) {
                check_contracts(f, c)?;
            }
            if let Some(r) = representatives {
                check_representatives(r)?;
            }
            LeadProviderEventBody::LeadProviderUpdated {
                name: name.clone(),
                contracts: contracts.clone(),
                representatives: representatives.clone(),
            }
        }
    };
    Ok(vec![LeadProviderEvent {
        occurred_at: times.occurred_at,
        recorded_at: times.recorded_at,
        backdate_reason: times.backdate_reason,
        body,
    }])
}

fn check_contracts(
    framework: FrameworkVersion,
    contracts: &ContractSet,
) -> Result<(), DomainError> {
    if let Some(c) = contracts
        .iter()
        .find(|c| !framework.contracts().contains(c))
    {
        return Err(DomainError::invalid(
            "contracts",
            "R6_CONTRACT_NOT_IN_FRAMEWORK",
            format!(
                "contract {c} does not exist under framework {}",
                framework.as_str()
            ),
        ));
    }
    Ok(())
}

fn check_representatives(reps: &[PersonalDetails]) -> Result<(), DomainError> {
    if reps.is_empty() {
        return Err(DomainError::invalid(
            "representatives",
            "R6_NO_REPRESENTATIVE",
            "name at least one representative",
        ));
    }
    let mut seen = BTreeSet::new();
    for (i, r) in reps.iter().enumerate() {
        if !seen.insert(r.person_id) {
            return Err(DomainError::invalid(
                format!("representatives[{i}].person_id"),
                "R6_DUPLICATE_REPRESENTATIVE",
                format!("person {} is listed twice", r.person_id),
            ));
        }
    }
    Ok(())
}
