//! The lead-provider aggregate (R6): who a provider is, which contracts it holds and its
//! named representatives (personal data, R31), and the erasure of a person's data (R31).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

use crate::calendar::Calendar;
use crate::error::DomainError;
use crate::ids::{LeadProviderId, PersonId};
use crate::inspection::Command;
use crate::permissions::{CommandKind, authorize};
use crate::personal::{PersonalDetails, PersonalRecord};
use crate::time_policy;
use crate::values::{ContractSet, FrameworkVersion, OverrideReason, Text};

/// The schema version of every lead-provider event written by this code.
///
/// 2: representatives as [`PersonalRecord`]s, and `personal_data_erased` (R31). Version 1
/// events were test data and are not migrated.
pub const SCHEMA_VERSION: u32 = 2;

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
    /// R31: erase one person's personal data, wherever in the provider's records it is (its
    /// representatives and its inspections). The service deletes the person's data key; the
    /// event records that it happened.
    ErasePersonalData {
        /// Whose data.
        person_id: PersonId,
        /// Why: a reference to the request, never personal data itself.
        reason: Text,
    },
}

impl LeadProviderCommand {
    /// Its column in the permission table.
    pub fn kind(&self) -> CommandKind {
        match self {
            LeadProviderCommand::Register { .. } => CommandKind::RegisterLeadProvider,
            LeadProviderCommand::Update { .. } => CommandKind::UpdateLeadProvider,
            LeadProviderCommand::ErasePersonalData { .. } => CommandKind::ErasePersonalData,
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
        representatives: Vec<PersonalRecord>,
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
        representatives: Option<Vec<PersonalRecord>>,
    },
    /// R31: the person's data key was deleted; whatever of theirs the history holds is now
    /// unreadable. Holds no personal data.
    PersonalDataErased {
        /// Whose data.
        person_id: PersonId,
        /// Why (a request reference).
        reason: Text,
    },
}

impl LeadProviderEventBody {
    /// Stable type name.
    pub fn event_type(&self) -> &'static str {
        match self {
            LeadProviderEventBody::LeadProviderRegistered { .. } => "lead_provider_registered",
            LeadProviderEventBody::LeadProviderUpdated { .. } => "lead_provider_updated",
            LeadProviderEventBody::PersonalDataErased { .. } => "personal_data_erased",
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
    pub representatives: Vec<PersonalRecord>,
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
        LeadProviderEventBody::PersonalDataErased { person_id, .. } => {
            for r in &mut s.representatives {
                if r.person_id() == *person_id {
                    *r = PersonalRecord::erased(*person_id);
                }
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
        LeadProviderCommand::Update { .. } | LeadProviderCommand::ErasePersonalData { .. } => s.id,
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
                representatives: representatives
                    .iter()
                    .map(PersonalDetails::record)
                    .collect(),
            };
            if s.registered {
                let same = s.id == Some(*id)
                    && s.name.as_ref() == Some(name)
                    && s.contracts.as_ref() == Some(contracts)
                    && s.representatives.len() == representatives.len()
                    && s.representatives
                        .iter()
                        .zip(representatives)
                        .all(|(held, given)| held.details() == Some(given));
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
            registered(s)?;
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
                representatives: representatives
                    .as_ref()
                    .map(|r| r.iter().map(PersonalDetails::record).collect()),
            }
        }
        LeadProviderCommand::ErasePersonalData { person_id, reason } => {
            registered(s)?;
            LeadProviderEventBody::PersonalDataErased {
                person_id: *person_id,
                reason: reason.clone(),
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

fn registered(s: &LeadProvider) -> Result<(), DomainError> {
    if !s.registered {
        return Err(DomainError::not_found(
            "R6_LEAD_PROVIDER_NOT_REGISTERED",
            "no such lead provider",
        ));
    }
    Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::personal::PersonName;

    fn person(n: u128, name: &str) -> PersonalDetails {
        PersonalDetails {
            person_id: uuid::Uuid::from_u128(n).to_string().parse().unwrap(),
            name: PersonName::new(name).unwrap(),
            email: None,
            phone: None,
        }
    }

    fn event(body: LeadProviderEventBody) -> LeadProviderEvent {
        LeadProviderEvent {
            occurred_at: DateTime::<Utc>::UNIX_EPOCH,
            recorded_at: DateTime::<Utc>::UNIX_EPOCH,
            backdate_reason: None,
            body,
        }
    }

    #[test]
    fn r31_an_erasure_leaves_the_representative_by_person_id_only() {
        let (ada, bob) = (person(1, "Ada"), person(2, "Bob"));
        let registered = event(LeadProviderEventBody::LeadProviderRegistered {
            lead_provider_id: uuid::Uuid::from_u128(9).to_string().parse().unwrap(),
            name: Text::new("Provider").unwrap(),
            framework: FrameworkVersion::V2024,
            contracts: ContractSet::new([crate::values::Contract::Ecf]).unwrap(),
            representatives: vec![ada.record(), bob.record()],
        });
        let erased = event(LeadProviderEventBody::PersonalDataErased {
            person_id: ada.person_id,
            reason: Text::new("request 42").unwrap(),
        });
        assert_eq!(erased.event_type(), "personal_data_erased");
        let json = serde_json::to_string(&erased).unwrap();
        assert!(!json.contains("Ada"), "{json}");
        let s = [registered, erased]
            .iter()
            .fold(LeadProvider::default(), evolve);
        assert_eq!(
            s.representatives,
            vec![PersonalRecord::erased(ada.person_id), bob.record()]
        );
        assert!(
            s.representatives
                .iter()
                .any(|r| r.person_id() == ada.person_id)
        );
    }
}
