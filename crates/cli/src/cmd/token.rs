//! `inspectionctl token mint`: a development token, signed with the committed development key
//! (`deploy/dev-keys/`), for README commands, demos and tests. Refused against production keys.

use std::time::Duration;

use anyhow::Context;
use auth::Identity;
use clap::Subcommand;
use domain::ids::LeadProviderId;
use domain::permissions::Role;

use super::credentials::{mint_dev_token, parse_lead_provider, parse_role};

#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Print a development token (DEV KEY ONLY: refused when OFSTED_ENV=production or when
    /// OFSTED_JWKS_FILE holds other keys).
    ///
    /// Example:
    ///   export INSPECTIONCTL_TOKEN=$(inspectionctl token mint --role lead_provider \
    ///     --lead-provider $LP --subject lp-user-1 --ttl 8h)
    #[command(verbatim_doc_comment)]
    Mint {
        /// The role (DOMAIN.md "Actors").
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The lead provider of a lead_provider user (required for them, refused for others).
        #[arg(long = "lead-provider", value_parser = parse_lead_provider, value_name = "UUID")]
        lead_provider: Option<LeadProviderId>,
        /// The subject (account id).
        #[arg(long, default_value = "dev-user")]
        subject: String,
        /// Lifetime: seconds, or a number with s, m, h or d (e.g. 1h, 30m).
        #[arg(long, default_value = "1h", value_parser = parse_ttl)]
        ttl: Duration,
    },
}

/// `90`, `90s`, `30m`, `8h`, `2d`.
pub fn parse_ttl(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let (number, unit) = match s.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => s.split_at(i),
        None => (s, "s"),
    };
    let n: u64 = number
        .parse()
        .map_err(|_| format!("{s:?} is not a duration such as 1h or 30m"))?;
    let secs = match unit {
        "s" => n,
        "m" => n * 60,
        "h" => n * 3600,
        "d" => n * 86_400,
        _ => return Err(format!("{s:?}: the unit is s, m, h or d")),
    };
    if secs == 0 || secs > 30 * 86_400 {
        return Err("the lifetime is between 1 s and 30 d".into());
    }
    Ok(Duration::from_secs(secs))
}

pub fn run(command: TokenCommand) -> anyhow::Result<()> {
    match command {
        TokenCommand::Mint {
            role,
            lead_provider,
            subject,
            ttl,
        } => {
            if role == Role::LeadProvider && lead_provider.is_none() {
                anyhow::bail!("--role lead_provider needs --lead-provider");
            }
            if role != Role::LeadProvider && lead_provider.is_some() {
                anyhow::bail!("--lead-provider is only for --role lead_provider");
            }
            let identity =
                Identity::new(subject, role, lead_provider).context("the token's claims")?;
            println!("{}", mint_dev_token(&identity, ttl)?);
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_with_units() {
        assert_eq!(parse_ttl("90").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_ttl("30m").unwrap(), Duration::from_secs(1800));
        assert_eq!(parse_ttl("8h").unwrap(), Duration::from_secs(28_800));
        assert_eq!(parse_ttl("2d").unwrap(), Duration::from_secs(172_800));
        for bad in ["", "h", "1w", "0", "31d", "-1h"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }
}
