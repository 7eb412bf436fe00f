//! [`Verifier`]: checks a bearer token and says who is calling.
//!
//! Order of checks: the token's shape and header; a `kid` of the key set and that key's
//! algorithm (so `alg: none`, HS256 with a public key as secret, or a key of another set are all
//! refused); the signature; then `exp` (60 s leeway), `nbf` if present, `aud` and, when
//! configured, `iss`; finally the claims of [`crate::claims`].
//!
//! # Verified tokens are remembered
//! A client sends the same token with every call until it expires, and checking an ES256
//! signature costs about 2.4 million instructions: measured with callgrind, two thirds of the
//! command service's CPU went there. So a token that passed every check is remembered, by
//! its exact text (the signature is part of it: any other text is verified afresh), with the
//! identity it gave and its `exp`/`nbf`. A remembered token is accepted again only while
//! its time claims still hold (the same leeway) and its `kid` is still in the key set;
//! refused tokens are never remembered. At most [`REMEMBERED_TOKENS`] are kept: when full,
//! the expired ones go, and if none had expired, all of them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Validation, decode, decode_header};

use crate::claims::{Identity, Presented};
use crate::error::{AuthError, Reason};
use crate::keys::KeySet;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 60;

/// Most verified tokens remembered at once (a few hundred bytes each).
pub const REMEMBERED_TOKENS: usize = 4096;

/// Verifies tokens against a key set, an audience and optionally an issuer.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: KeySet,
    audience: String,
    issuer: Option<String>,
    remembered: Arc<Mutex<HashMap<Box<str>, Verified>>>,
}

/// A token that passed every check.
#[derive(Debug, Clone)]
struct Verified {
    identity: Identity,
    kid: String,
    exp: u64,
    nbf: Option<u64>,
}

impl Verified {
    /// Whether its time claims still hold at `now` (seconds since the epoch), with the same
    /// leeway as the first check.
    fn current_at(&self, now: u64) -> Result<(), AuthError> {
        if self.exp.saturating_add(LEEWAY_SECS) < now {
            return Err(AuthError::new(
                Reason::TokenExpired,
                "the token has expired",
            ));
        }
        if let Some(nbf) = self.nbf
            && nbf > now.saturating_add(LEEWAY_SECS)
        {
            return Err(AuthError::new(
                Reason::TokenInvalid,
                "the token is not valid yet (nbf)",
            ));
        }
        Ok(())
    }
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

impl Verifier {
    /// A verifier trusting `keys` for tokens addressed to `audience` (and, if given, issued by
    /// `issuer`).
    pub fn new(keys: KeySet, audience: impl Into<String>, issuer: Option<String>) -> Self {
        Verifier {
            keys,
            audience: audience.into(),
            issuer,
            remembered: Arc::default(),
        }
    }

    /// The trusted keys.
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// The expected audience.
    pub fn audience(&self) -> &str {
        &self.audience
    }

    /// The expected issuer, if any.
    pub fn issuer(&self) -> Option<&str> {
        self.issuer.as_deref()
    }

    /// Who presented `token`, or why it is refused.
    pub fn verify(&self, token: &str) -> Result<Identity, AuthError> {
        let known = self
            .remembered
            .lock()
            .ok()
            .and_then(|m| m.get(token).cloned());
        if let Some(verified) = known
            && self.keys.get(&verified.kid).is_some()
        {
            verified.current_at(now_secs())?;
            return Ok(verified.identity);
        }
        let verified = self.check(token)?;
        let identity = verified.identity.clone();
        if let Ok(mut m) = self.remembered.lock() {
            if m.len() >= REMEMBERED_TOKENS {
                let now = now_secs();
                m.retain(|_, v| v.current_at(now).is_ok());
                if m.len() >= REMEMBERED_TOKENS {
                    m.clear();
                }
            }
            m.insert(token.into(), verified);
        }
        Ok(identity)
    }

    /// Every check, from the signature on.
    fn check(&self, token: &str) -> Result<Verified, AuthError> {
        let header = decode_header(token).map_err(|e| AuthError::from_jwt(&e))?;
        let kid = header
            .kid
            .as_deref()
            .ok_or_else(|| AuthError::new(Reason::TokenInvalid, "the token header has no kid"))?;
        let key = self.keys.get(kid).ok_or_else(|| {
            AuthError::new(
                Reason::TokenSignature,
                "the token is not signed by a trusted key (unknown kid)",
            )
        })?;
        let mut validation = Validation::new(key.algorithm);
        validation.leeway = LEEWAY_SECS;
        validation.validate_nbf = true;
        validation.set_audience(&[&self.audience]);
        let mut required = vec!["exp", "aud", "sub"];
        if let Some(issuer) = &self.issuer {
            validation.set_issuer(&[issuer]);
            required.push("iss");
        }
        validation.set_required_spec_claims(&required);
        let data = decode::<Presented>(token, &key.key, &validation)
            .map_err(|e| AuthError::from_jwt(&e))?;
        let (exp, nbf) = (data.claims.exp, data.claims.nbf);
        Ok(Verified {
            identity: Identity::from_presented(data.claims)?,
            kid: kid.to_owned(),
            exp,
            nbf,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::permissions::Role;

    fn verified(exp: u64, nbf: Option<u64>) -> Verified {
        Verified {
            identity: Identity::new("someone", Role::Inspector, None).expect("an identity"),
            kid: "k".into(),
            exp,
            nbf,
        }
    }

    #[test]
    fn a_remembered_token_expires_like_a_checked_one() {
        let v = verified(1_000, None);
        assert!(v.current_at(1_000).is_ok());
        assert!(v.current_at(1_000 + LEEWAY_SECS).is_ok());
        let e = v.current_at(1_001 + LEEWAY_SECS).expect_err("expired");
        assert_eq!(e.reason, Reason::TokenExpired);
    }

    #[test]
    fn a_remembered_token_is_not_valid_before_its_nbf() {
        let v = verified(10_000, Some(5_000));
        assert!(v.current_at(5_000 - LEEWAY_SECS).is_ok());
        let e = v.current_at(4_999 - LEEWAY_SECS).expect_err("immature");
        assert_eq!(e.reason, Reason::TokenInvalid);
    }
}
