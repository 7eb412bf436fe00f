//! Who the CLI acts as: the ONE module that knows how a caller proves its identity to the
//! services, so that the move to bearer JWTs (the security issue) changes only this file.
//!
//! Today the services take the caller on trust from three metadata headers
//! (`x-actor-subject`, `x-actor-role`, `x-lead-provider-id`); the values come from
//! `--as-subject`, `--as-role` and `--as-lead-provider`, or their environment variables.

use clap::Args;
use domain::ids::LeadProviderId;
use domain::permissions::Role;
use tonic::Request;
use tonic::metadata::MetadataValue;

/// Header carrying the caller's subject (as the command service reads it).
const SUBJECT_HEADER: &str = "x-actor-subject";
/// Header carrying the caller's role.
const ROLE_HEADER: &str = "x-actor-role";
/// Header carrying the lead provider a `lead_provider` user acts for.
const LEAD_PROVIDER_HEADER: &str = "x-lead-provider-id";

/// Identity options shared by every command that calls a service.
#[derive(Debug, Clone, Args)]
pub struct Credentials {
    /// Role to act as: scheduler, inspector, quality_assurer, lead_provider, survey_system,
    /// dfe or operator (DOMAIN.md "Actors" says what each may do).
    #[arg(
        id = "as_role",
        long = "as-role",
        global = true,
        env = "INSPECTIONCTL_ROLE",
        default_value = "operator",
        value_parser = parse_role,
        value_name = "ROLE"
    )]
    pub role: Role,
    /// Subject (account id) to act as; recorded with every event you cause.
    #[arg(
        id = "as_subject",
        long = "as-subject",
        global = true,
        env = "INSPECTIONCTL_SUBJECT",
        default_value = "inspectionctl",
        value_name = "SUBJECT"
    )]
    pub subject: String,
    /// The lead provider a `lead_provider` user acts for.
    #[arg(
        id = "as_lead_provider",
        long = "as-lead-provider",
        global = true,
        env = "INSPECTIONCTL_LEAD_PROVIDER",
        value_parser = parse_lead_provider,
        value_name = "UUID"
    )]
    pub lead_provider: Option<LeadProviderId>,
}

fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|e| e.message)
}

fn parse_lead_provider(s: &str) -> Result<LeadProviderId, String> {
    s.parse::<LeadProviderId>().map_err(|e| e.message)
}

impl Credentials {
    /// `message` as a request carrying this identity.
    pub fn request<T>(&self, message: T) -> anyhow::Result<Request<T>> {
        let mut request = Request::new(message);
        let metadata = request.metadata_mut();
        metadata.insert(SUBJECT_HEADER, ascii(&self.subject, "--as-subject")?);
        metadata.insert(ROLE_HEADER, ascii(self.role.as_str(), "--as-role")?);
        if let Some(lp) = &self.lead_provider {
            metadata.insert(
                LEAD_PROVIDER_HEADER,
                ascii(&lp.to_string(), "--as-lead-provider")?,
            );
        }
        Ok(request)
    }
}

fn ascii(value: &str, flag: &str) -> anyhow::Result<MetadataValue<tonic::metadata::Ascii>> {
    value
        .parse()
        .map_err(|_| anyhow::anyhow!("{flag} must be printable ASCII"))
}
