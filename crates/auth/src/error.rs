//! [`AuthError`]: why a caller could not be authenticated (gRPC `UNAUTHENTICATED`).

use std::fmt;

/// The stable reason of an authentication failure, sent as the `ErrorInfo.reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Reason {
    /// No `authorization: Bearer …` metadata.
    TokenMissing,
    /// The token's `exp` has passed.
    TokenExpired,
    /// The token is not for this audience (or names none).
    TokenAudience,
    /// The token is not signed by a trusted key (unknown `kid`, wrong key or algorithm).
    TokenSignature,
    /// The token's issuer is not the configured one.
    TokenIssuer,
    /// Anything else: not a JWT, unreadable claims, an unknown role, a lead provider claim
    /// missing for a provider user or present for anyone else.
    TokenInvalid,
}

impl Reason {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::TokenMissing => "TOKEN_MISSING",
            Reason::TokenExpired => "TOKEN_EXPIRED",
            Reason::TokenAudience => "TOKEN_AUDIENCE",
            Reason::TokenSignature => "TOKEN_SIGNATURE",
            Reason::TokenIssuer => "TOKEN_ISSUER",
            Reason::TokenInvalid => "TOKEN_INVALID",
        }
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A caller that could not be authenticated. The message says what is wrong without echoing
/// the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{reason}: {message}")]
pub struct AuthError {
    /// Stable reason.
    pub reason: Reason,
    /// What is wrong.
    pub message: String,
}

impl AuthError {
    /// An error with this reason and message.
    pub fn new(reason: Reason, message: impl Into<String>) -> Self {
        AuthError {
            reason,
            message: message.into(),
        }
    }

    /// A failure of the JWT library, by kind.
    pub(crate) fn from_jwt(e: &jsonwebtoken::errors::Error) -> Self {
        use jsonwebtoken::errors::ErrorKind as K;
        let (reason, message) = match e.kind() {
            K::ExpiredSignature => (Reason::TokenExpired, "the token has expired".to_owned()),
            K::InvalidAudience => (
                Reason::TokenAudience,
                "the token is not for this service (aud)".to_owned(),
            ),
            K::MissingRequiredClaim(c) if c == "aud" => (
                Reason::TokenAudience,
                "the token names no audience (aud)".to_owned(),
            ),
            K::InvalidIssuer => (
                Reason::TokenIssuer,
                "the token's issuer is not trusted (iss)".to_owned(),
            ),
            K::MissingRequiredClaim(c) if c == "iss" => (
                Reason::TokenIssuer,
                "the token names no issuer (iss)".to_owned(),
            ),
            K::InvalidSignature
            | K::InvalidAlgorithm
            | K::InvalidEcdsaKey
            | K::InvalidRsaKey(_)
            | K::InvalidKeyFormat
            | K::UnsupportedAlgorithm => (
                Reason::TokenSignature,
                "the token is not signed by a trusted key".to_owned(),
            ),
            K::MissingRequiredClaim(c) => {
                (Reason::TokenInvalid, format!("the token has no {c} claim"))
            }
            K::ImmatureSignature => (
                Reason::TokenInvalid,
                "the token is not valid yet (nbf)".to_owned(),
            ),
            other => (Reason::TokenInvalid, format!("not a valid JWT ({other:?})")),
        };
        AuthError { reason, message }
    }
}
