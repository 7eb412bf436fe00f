//! The token's claims and the [`Identity`] they prove.
//!
//! ```json
//! { "sub": "hmi-4711", "role": "inspector", "aud": "inspections.ofsted.gov.uk",
//!   "iss": "https://login.example.gov.uk", "iat": 1767225600, "exp": 1767229200 }
//! { "sub": "lp-user-9", "role": "lead_provider",
//!   "lead_provider_id": "0190f3c4-…", "aud": "…", "iat": …, "exp": … }
//! ```

use domain::ids::LeadProviderId;
use domain::permissions::{Actor, Role};
use serde::{Deserialize, Serialize};

use crate::error::{AuthError, Reason};

/// The longest subject accepted (it is stored with every event and idempotency key).
pub const MAX_SUBJECT_LEN: usize = 200;

/// The claims of a token this system issues or accepts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Opaque account id of the caller (not personal data).
    pub sub: String,
    /// A role of DOMAIN.md "Actors", e.g. `scheduler` or `lead_provider`.
    pub role: String,
    /// For `lead_provider` users only: the lead provider they act for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lead_provider_id: Option<String>,
    /// The audience (the services check it against `OFSTED_JWT_AUDIENCE`).
    pub aud: String,
    /// The issuer (checked when `OFSTED_JWT_ISSUER` is set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    /// Issued at (seconds since the epoch).
    pub iat: u64,
    /// Expires at (seconds since the epoch).
    pub exp: u64,
}

/// The claims an accepted token must carry besides the registered ones, which the JWT library
/// checks (an `aud` may be a string or a list there, so it is not read here).
#[derive(Debug, Deserialize)]
pub(crate) struct Presented {
    pub exp: u64,
    #[serde(default)]
    pub nbf: Option<u64>,
    pub sub: String,
    pub role: String,
    #[serde(default)]
    pub lead_provider_id: Option<String>,
}

/// A verified caller: subject, role and, exactly for `lead_provider` users, their lead
/// provider. Only [`Identity::new`] makes one, so the pairing rule always holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    subject: String,
    role: Role,
    lead_provider: Option<LeadProviderId>,
}

impl Identity {
    /// An identity, if the pairing rule holds: a subject of 1 to [`MAX_SUBJECT_LEN`] bytes; a
    /// lead provider for `lead_provider` users and for no one else.
    pub fn new(
        subject: impl Into<String>,
        role: Role,
        lead_provider: Option<LeadProviderId>,
    ) -> Result<Self, AuthError> {
        let subject = subject.into();
        let problem = if subject.trim().is_empty() {
            Some("the sub claim is empty")
        } else if subject.len() > MAX_SUBJECT_LEN {
            Some("the sub claim is longer than 200 bytes")
        } else {
            match (role, lead_provider) {
                (Role::LeadProvider, None) => {
                    Some("a lead_provider token must carry lead_provider_id")
                }
                (Role::LeadProvider, Some(_)) | (_, None) => None,
                (_, Some(_)) => Some("only lead_provider tokens may carry lead_provider_id"),
            }
        };
        if let Some(problem) = problem {
            return Err(AuthError::new(Reason::TokenInvalid, problem));
        }
        Ok(Identity {
            subject,
            role,
            lead_provider,
        })
    }

    /// From the claims of a token whose signature and registered claims were checked.
    pub(crate) fn from_presented(p: Presented) -> Result<Self, AuthError> {
        let role: Role = p.role.parse().map_err(|e: domain::ValueError| {
            AuthError::new(Reason::TokenInvalid, format!("role claim: {}", e.message))
        })?;
        let lead_provider = p
            .lead_provider_id
            .map(|raw| {
                raw.parse::<LeadProviderId>().map_err(|e| {
                    AuthError::new(
                        Reason::TokenInvalid,
                        format!("lead_provider_id claim: {}", e.message),
                    )
                })
            })
            .transpose()?;
        Identity::new(p.sub, role, lead_provider)
    }

    /// The subject.
    pub fn subject(&self) -> &str {
        &self.subject
    }

    /// The role.
    pub fn role(&self) -> Role {
        self.role
    }

    /// The lead provider of a `lead_provider` user (`None` for every other role).
    pub fn lead_provider(&self) -> Option<LeadProviderId> {
        self.lead_provider
    }

    /// The domain's actor.
    pub fn actor(&self) -> Actor {
        Actor {
            subject: self.subject.clone(),
            role: self.role,
            lead_provider: self.lead_provider,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lp() -> LeadProviderId {
        "0190f3c4-0000-7000-8000-000000000001".parse().unwrap()
    }

    #[test]
    fn only_provider_users_carry_a_lead_provider() {
        assert!(Identity::new("u", Role::LeadProvider, Some(lp())).is_ok());
        assert!(Identity::new("u", Role::Scheduler, None).is_ok());
        for (role, lead_provider) in [(Role::LeadProvider, None), (Role::Operator, Some(lp()))] {
            let e = Identity::new("u", role, lead_provider).unwrap_err();
            assert_eq!(e.reason, Reason::TokenInvalid);
        }
    }

    #[test]
    fn subjects_are_bounded() {
        assert!(Identity::new("", Role::Dfe, None).is_err());
        assert!(Identity::new("x".repeat(201), Role::Dfe, None).is_err());
        assert!(Identity::new("x".repeat(200), Role::Dfe, None).is_ok());
    }

    #[test]
    fn unknown_roles_are_invalid_tokens() {
        let e = Identity::from_presented(Presented {
            exp: 0,
            nbf: None,
            sub: "u".into(),
            role: "admin".into(),
            lead_provider_id: None,
        })
        .unwrap_err();
        assert_eq!(e.reason, Reason::TokenInvalid);
    }
}
