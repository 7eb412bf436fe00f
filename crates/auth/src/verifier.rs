//! [`Verifier`]: checks a bearer token and says who is calling.
//!
//! Order of checks: the token's shape and header; a `kid` of the key set and that key's
//! algorithm (so `alg: none`, HS256 with a public key as secret, or a key of another set are all
//! refused); the signature; then `exp` (60 s leeway), `nbf` if present, `aud` and, when
//! configured, `iss`; finally the claims of [`crate::claims`].

use jsonwebtoken::{Validation, decode, decode_header};

use crate::claims::{Identity, Presented};
use crate::error::{AuthError, Reason};
use crate::keys::KeySet;

/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 60;

/// Verifies tokens against a key set, an audience and optionally an issuer.
#[derive(Debug, Clone)]
pub struct Verifier {
    keys: KeySet,
    audience: String,
    issuer: Option<String>,
}

impl Verifier {
    /// A verifier trusting `keys` for tokens addressed to `audience` (and, if given, issued by
    /// `issuer`).
    pub fn new(keys: KeySet, audience: impl Into<String>, issuer: Option<String>) -> Self {
        Verifier {
            keys,
            audience: audience.into(),
            issuer,
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
        Identity::from_presented(data.claims)
    }
}
