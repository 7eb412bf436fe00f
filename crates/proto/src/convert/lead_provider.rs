//! Lead-provider requests (R6).

use domain::DomainError;
use domain::ids::LeadProviderId;
use domain::lead_provider::LeadProviderCommand;

use super::values::{contracts, framework, people};
use super::{CommandRequest, Parsed, id, meta, opt_text, text};
use crate::pb;
use domain::ids::PersonId;

impl CommandRequest for pb::RegisterLeadProviderRequest {
    const RPC: &'static str = "RegisterLeadProvider";
    type Id = LeadProviderId;
    type Body = LeadProviderCommand;

    fn parse(&self) -> Result<Parsed<LeadProviderId, LeadProviderCommand>, DomainError> {
        let lead_provider_id: LeadProviderId = id(&self.lead_provider_id, "lead_provider_id")?;
        Ok(Parsed {
            id: lead_provider_id,
            meta: meta(self.meta.as_ref())?,
            body: LeadProviderCommand::Register {
                id: lead_provider_id,
                name: text(&self.name, "name")?,
                framework: framework(self.framework, "framework")?,
                contracts: contracts(&self.contracts, "contracts")?,
                representatives: people(&self.representatives, "representatives")?,
            },
        })
    }
}

impl CommandRequest for pb::UpdateLeadProviderRequest {
    const RPC: &'static str = "UpdateLeadProvider";
    type Id = LeadProviderId;
    type Body = LeadProviderCommand;

    /// The lists are wrapped (`contracts.contracts`, `representatives.people`) so that
    /// "unchanged" and "set to this list" can be told apart.
    fn wire_field(domain_field: &str) -> String {
        if domain_field == "contracts" {
            return "contracts.contracts".to_owned();
        }
        match domain_field.strip_prefix("representatives") {
            Some(rest) if rest.is_empty() || rest.starts_with('[') => {
                format!("representatives.people{rest}")
            }
            _ => super::wire_field(domain_field),
        }
    }

    fn parse(&self) -> Result<Parsed<LeadProviderId, LeadProviderCommand>, DomainError> {
        Ok(Parsed {
            id: id(&self.lead_provider_id, "lead_provider_id")?,
            meta: meta(self.meta.as_ref())?,
            body: LeadProviderCommand::Update {
                name: opt_text(self.name.as_ref(), "name")?,
                contracts: self
                    .contracts
                    .as_ref()
                    .map(|c| contracts(&c.contracts, "contracts.contracts"))
                    .transpose()?,
                representatives: self
                    .representatives
                    .as_ref()
                    .map(|r| people(&r.people, "representatives.people"))
                    .transpose()?,
            },
        })
    }
}

impl CommandRequest for pb::ErasePersonalDataRequest {
    const RPC: &'static str = "ErasePersonalData";
    type Id = LeadProviderId;
    type Body = LeadProviderCommand;

    fn parse(&self) -> Result<Parsed<LeadProviderId, LeadProviderCommand>, DomainError> {
        let person_id: PersonId = id(&self.person_id, "person_id")?;
        Ok(Parsed {
            id: id(&self.lead_provider_id, "lead_provider_id")?,
            meta: meta(self.meta.as_ref())?,
            body: LeadProviderCommand::ErasePersonalData {
                person_id,
                reason: text(&self.reason, "reason")?,
            },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_fields_named_by_the_domain_map_into_the_wrappers() {
        type U = pb::UpdateLeadProviderRequest;
        assert_eq!(U::wire_field("contracts"), "contracts.contracts");
        assert_eq!(U::wire_field("representatives"), "representatives.people");
        assert_eq!(
            U::wire_field("representatives[1].person_id"),
            "representatives.people[1].person_id"
        );
        assert_eq!(U::wire_field("name"), "name");
        assert_eq!(U::wire_field("occurred_at"), "meta.occurred_at");
    }
}
