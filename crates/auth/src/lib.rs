//! Who is calling: bearer JWTs verified against configured keys, shared by both gRPC services
//! and `inspectionctl`.
//!
//! A caller sends `authorization: Bearer <JWT>`. The token is signed with RS256 or ES256 by a
//! key of the configured JWKS (chosen by the header's `kid`); its `exp` and `aud` are checked,
//! and `iss` when an issuer is configured. Its claims name the subject, the role of DOMAIN.md
//! "Actors" and, for `lead_provider` users only, the one lead provider they act for. What comes
//! out is an [`Identity`]: the only source of the caller the services use.
//!
//! # Layout
//! - [`claims`]: the token's claims ([`Claims`]) and the verified [`Identity`].
//! - [`error`]: [`AuthError`] and its stable reasons (`TOKEN_MISSING`, `TOKEN_EXPIRED`, …).
//! - [`keys`]: loading a JWKS into a [`KeySet`] (RS256 and ES256 keys by `kid`).
//! - [`verifier`]: [`Verifier`], a token in, an [`Identity`] or an [`AuthError`] out.
//! - [`settings`]: `OFSTED_JWKS_FILE`, `OFSTED_JWT_AUDIENCE`, `OFSTED_JWT_ISSUER` and the
//!   per-environment rule (dev keys by default outside production, refused in production).
//! - [`dev`]: the committed development key pair (`deploy/dev-keys/`) and [`dev::Minter`].
//! - [`grpc`]: the server interceptor, the client's bearer interceptor, `Status` mapping.
//! - [`tls`]: optional TLS / mTLS of the servers (`OFSTED_TLS_*`).

pub mod claims;
pub mod dev;
pub mod error;
pub mod grpc;
pub mod keys;
pub mod settings;
pub mod tls;
pub mod verifier;

pub use claims::{Claims, Identity};
pub use error::{AuthError, Reason};
pub use keys::KeySet;
pub use settings::{AuthSettings, SettingsError};
pub use verifier::Verifier;

/// `ErrorInfo.domain` of every error of the API (the services use the same).
pub const ERROR_DOMAIN: &str = "inspections.ofsted.gov.uk";

/// The audience the services expect when `OFSTED_JWT_AUDIENCE` is unset.
pub const DEFAULT_AUDIENCE: &str = "inspections.ofsted.gov.uk";
