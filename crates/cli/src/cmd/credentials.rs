//! Who the CLI acts as: the ONE module that knows how a caller proves its identity to the
//! services — an `authorization: Bearer <JWT>` on every call.
//!
//! The token is `--token` (or `INSPECTIONCTL_TOKEN`) when given: what a real deployment's
//! identity provider issued. Otherwise, against a development or test deployment, the CLI
//! mints a short-lived token with the committed development key (`deploy/dev-keys/`) for
//! `--as-role`, `--as-subject` and `--as-lead-provider`; it refuses to when `OFSTED_ENV` is
//! `production` or `OFSTED_JWKS_FILE` names keys other than the development ones (see
//! [`dev_minting_allowed`]).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use anyhow::Context;
use auth::grpc::Bearer;
use auth::{Identity, KeySet};
use clap::Args;
use domain::ids::LeadProviderId;
use domain::permissions::Role;
use tonic::Request;

/// Lifetime of the token minted for one invocation.
const INVOCATION_TTL: Duration = Duration::from_secs(15 * 60);

/// Identity options shared by every command that calls a service.
#[derive(Debug, Clone, Args)]
pub struct Credentials {
    /// Bearer token (a JWT) to send; without it, a development token is minted for --as-role.
    #[arg(
        long,
        global = true,
        env = "INSPECTIONCTL_TOKEN",
        hide_env_values = true,
        value_name = "JWT"
    )]
    pub token: Option<String>,
    /// Role of the development token: scheduler, inspector, quality_assurer, lead_provider,
    /// survey_system, dfe or operator (DOMAIN.md "Actors" says what each may do).
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
    /// Subject (account id) of the development token; recorded with every event you cause.
    #[arg(
        id = "as_subject",
        long = "as-subject",
        global = true,
        env = "INSPECTIONCTL_SUBJECT",
        default_value = "inspectionctl",
        value_name = "SUBJECT"
    )]
    pub subject: String,
    /// The lead provider of a `lead_provider` development token.
    #[arg(
        id = "as_lead_provider",
        long = "as-lead-provider",
        global = true,
        env = "INSPECTIONCTL_LEAD_PROVIDER",
        value_parser = parse_lead_provider,
        value_name = "UUID"
    )]
    pub lead_provider: Option<LeadProviderId>,
    /// The token of this invocation, once made.
    #[arg(skip)]
    bearer: Arc<OnceLock<Bearer>>,
}

pub fn parse_role(s: &str) -> Result<Role, String> {
    s.parse::<Role>().map_err(|e| e.message)
}

pub fn parse_lead_provider(s: &str) -> Result<LeadProviderId, String> {
    s.parse::<LeadProviderId>().map_err(|e| e.message)
}

/// Whether this environment lets the development key sign: not when `OFSTED_ENV` is
/// `production`, and not when `OFSTED_JWKS_FILE` names keys other than the development set
/// (a deployment with real keys would refuse the token anyway; refusing here says why).
pub fn dev_minting_allowed() -> anyhow::Result<()> {
    let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    if env("OFSTED_ENV").as_deref() == Some("production") {
        anyhow::bail!(
            "OFSTED_ENV=production: development tokens are refused; pass --token (or INSPECTIONCTL_TOKEN)"
        );
    }
    if let Some(path) = env("OFSTED_JWKS_FILE") {
        let keys = KeySet::load(std::path::Path::new(&path))
            .with_context(|| format!("reading OFSTED_JWKS_FILE {path}"))?;
        if !keys.is_dev() {
            anyhow::bail!(
                "OFSTED_JWKS_FILE {path} holds keys other than the development key: refusing to mint; \
                 pass --token (or INSPECTIONCTL_TOKEN) from your identity provider"
            );
        }
    }
    Ok(())
}

/// The audience tokens are minted for (`OFSTED_JWT_AUDIENCE`, else the default).
pub fn audience() -> String {
    std::env::var("OFSTED_JWT_AUDIENCE")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| auth::DEFAULT_AUDIENCE.to_owned())
}

/// A development token for `identity`, valid for `ttl`, if this environment allows it.
pub fn mint_dev_token(identity: &Identity, ttl: Duration) -> anyhow::Result<String> {
    dev_minting_allowed()?;
    Ok(auth::dev::Minter::dev().mint(identity, &audience(), ttl)?)
}

impl Credentials {
    /// The identity of a development token from the `--as-*` options.
    pub fn identity(&self) -> anyhow::Result<Identity> {
        let lead_provider = match self.role {
            Role::LeadProvider => Some(self.lead_provider.context(
                "--as-role lead_provider needs --as-lead-provider (or INSPECTIONCTL_LEAD_PROVIDER)",
            )?),
            _ => None,
        };
        Ok(Identity::new(&self.subject, self.role, lead_provider)?)
    }

    fn bearer(&self) -> anyhow::Result<&Bearer> {
        if let Some(bearer) = self.bearer.get() {
            return Ok(bearer);
        }
        let token = match &self.token {
            Some(token) => token.trim().to_owned(),
            None => mint_dev_token(&self.identity()?, INVOCATION_TTL)?,
        };
        let bearer = Bearer::new(&token).context("--token must be printable ASCII")?;
        Ok(self.bearer.get_or_init(|| bearer))
    }

    /// `message` as a request carrying this identity.
    pub fn request<T>(&self, message: T) -> anyhow::Result<Request<T>> {
        let mut request = Request::new(message);
        self.bearer()?.apply(&mut request);
        Ok(request)
    }
}
