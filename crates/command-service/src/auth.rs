//! Who is calling. Until the security issue lands (bearer JWTs verified against configured
//! keys), the actor is taken on trust from request metadata: this module is the one place
//! that does so, and the one the security work replaces.
//!
//! Headers: `x-actor-subject` (opaque account id), `x-actor-role` (a role of DOMAIN.md, e.g.
//! `scheduler`), `x-lead-provider-id` (UUID, for `lead_provider` users).

use domain::ids::LeadProviderId;
use domain::permissions::{Actor, Role};
use tonic::metadata::MetadataMap;

/// Header carrying the caller's subject.
pub const SUBJECT_HEADER: &str = "x-actor-subject";
/// Header carrying the caller's role.
pub const ROLE_HEADER: &str = "x-actor-role";
/// Header carrying the lead provider a `lead_provider` user acts for.
pub const LEAD_PROVIDER_HEADER: &str = "x-lead-provider-id";

/// The longest subject accepted (it is stored with every event and idempotency key).
const MAX_SUBJECT_LEN: usize = 200;

/// Why a caller could not be identified (gRPC `UNAUTHENTICATED`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {message}")]
pub struct AuthError {
    /// Stable code, e.g. `ACTOR_SUBJECT_MISSING`.
    pub reason: &'static str,
    /// What is wrong.
    pub message: String,
}

fn header<'a>(metadata: &'a MetadataMap, name: &str) -> Option<&'a str> {
    metadata
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// The actor of a request.
pub fn actor(metadata: &MetadataMap) -> Result<Actor, AuthError> {
    let subject = header(metadata, SUBJECT_HEADER).ok_or_else(|| AuthError {
        reason: "ACTOR_SUBJECT_MISSING",
        message: format!("the {SUBJECT_HEADER} header is required"),
    })?;
    if subject.len() > MAX_SUBJECT_LEN {
        return Err(AuthError {
            reason: "ACTOR_SUBJECT_INVALID",
            message: format!("{SUBJECT_HEADER} is longer than {MAX_SUBJECT_LEN} bytes"),
        });
    }
    let role: Role = header(metadata, ROLE_HEADER)
        .ok_or_else(|| AuthError {
            reason: "ACTOR_ROLE_MISSING",
            message: format!("the {ROLE_HEADER} header is required"),
        })?
        .parse()
        .map_err(|e: domain::ValueError| AuthError {
            reason: "ACTOR_ROLE_UNKNOWN",
            message: e.message,
        })?;
    let lead_provider = header(metadata, LEAD_PROVIDER_HEADER)
        .map(|raw| {
            raw.parse::<LeadProviderId>().map_err(|e| AuthError {
                reason: "ACTOR_LEAD_PROVIDER_INVALID",
                message: e.message,
            })
        })
        .transpose()?;
    Ok(Actor {
        subject: subject.to_owned(),
        role,
        lead_provider,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(pairs: &[(&'static str, &'static str)]) -> MetadataMap {
        let mut m = MetadataMap::new();
        for (k, v) in pairs {
            m.insert(*k, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn actor_comes_from_the_headers() {
        let a = actor(&meta(&[(SUBJECT_HEADER, "u1"), (ROLE_HEADER, "scheduler")])).unwrap();
        assert_eq!(a.subject, "u1");
        assert_eq!(a.role, Role::Scheduler);
        assert_eq!(a.lead_provider, None);
    }

    #[test]
    fn missing_or_unknown_identity_is_refused() {
        assert_eq!(
            actor(&meta(&[(ROLE_HEADER, "scheduler")]))
                .unwrap_err()
                .reason,
            "ACTOR_SUBJECT_MISSING"
        );
        assert_eq!(
            actor(&meta(&[(SUBJECT_HEADER, "u1")])).unwrap_err().reason,
            "ACTOR_ROLE_MISSING"
        );
        assert_eq!(
            actor(&meta(&[(SUBJECT_HEADER, "u1"), (ROLE_HEADER, "admin")]))
                .unwrap_err()
                .reason,
            "ACTOR_ROLE_UNKNOWN"
        );
        assert_eq!(
            actor(&meta(&[
                (SUBJECT_HEADER, "u1"),
                (ROLE_HEADER, "lead_provider"),
                (LEAD_PROVIDER_HEADER, "x")
            ]))
            .unwrap_err()
            .reason,
            "ACTOR_LEAD_PROVIDER_INVALID"
        );
    }
}
