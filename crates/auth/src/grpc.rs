//! The gRPC side: [`Authenticator`], the server interceptor that turns `authorization: Bearer
//! <JWT>` into an [`Identity`] in the request's extensions (or answers `UNAUTHENTICATED`), and
//! [`Bearer`], the client interceptor that sends a token.
//!
//! Only the API services are wrapped, so health and reflection stay open. A handler reads the
//! caller with [`identity`]; nothing else in a request can name the caller.

use std::collections::HashMap;
use std::sync::Arc;

use tonic::metadata::{AsciiMetadataValue, MetadataMap};
use tonic::service::Interceptor;
use tonic::{Code, Request, Status};
use tonic_types::{ErrorDetails, StatusExt};

use crate::claims::Identity;
use crate::error::{AuthError, Reason};
use crate::verifier::Verifier;

/// The metadata key of the token.
pub const AUTHORIZATION: &str = "authorization";

impl From<AuthError> for Status {
    fn from(e: AuthError) -> Status {
        let mut details = ErrorDetails::new();
        details.set_error_info(e.reason.as_str(), crate::ERROR_DOMAIN, HashMap::new());
        Status::with_error_details(Code::Unauthenticated, e.message, details)
    }
}

/// The bearer token of a request's metadata.
pub fn bearer(metadata: &MetadataMap) -> Result<&str, AuthError> {
    let value = metadata
        .get(AUTHORIZATION)
        .ok_or_else(|| AuthError::new(Reason::TokenMissing, "no authorization: Bearer token"))?;
    let value = value.to_str().map_err(|_| {
        AuthError::new(
            Reason::TokenInvalid,
            "the authorization metadata is not ASCII",
        )
    })?;
    match value.trim().split_once(' ') {
        Some((scheme, token))
            if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() =>
        {
            Ok(token.trim())
        }
        _ => Err(AuthError::new(
            Reason::TokenMissing,
            "the authorization metadata is not `Bearer <token>`",
        )),
    }
}

/// The verified caller of a request that went through an [`Authenticator`].
pub fn identity<T>(request: &Request<T>) -> Result<&Identity, AuthError> {
    request
        .extensions()
        .get::<Identity>()
        .ok_or_else(|| AuthError::new(Reason::TokenMissing, "the request was not authenticated"))
}

/// Server interceptor: verifies the bearer token and stores the [`Identity`].
#[derive(Debug, Clone)]
pub struct Authenticator {
    verifier: Arc<Verifier>,
}

impl Authenticator {
    /// An interceptor verifying with `verifier`.
    pub fn new(verifier: Arc<Verifier>) -> Self {
        Authenticator { verifier }
    }

    /// The caller of `metadata`.
    pub fn authenticate(&self, metadata: &MetadataMap) -> Result<Identity, AuthError> {
        self.verifier.verify(bearer(metadata)?)
    }
}

impl Interceptor for Authenticator {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        match self.authenticate(request.metadata()) {
            Ok(identity) => {
                // The caller comes only from the token: drop any extension a layer set before.
                request.extensions_mut().insert(identity);
                Ok(request)
            }
            Err(e) => {
                tracing::info!(reason = %e.reason, error = %e.message, "request not authenticated");
                Err(e.into())
            }
        }
    }
}

/// Client interceptor: sends `authorization: Bearer <token>` on every request.
#[derive(Debug, Clone)]
pub struct Bearer {
    value: Option<AsciiMetadataValue>,
}

impl Bearer {
    /// Sends `token`; `None` when it cannot be sent as metadata (not printable ASCII).
    pub fn new(token: &str) -> Option<Self> {
        let value = format!("Bearer {token}").parse().ok()?;
        Some(Bearer { value: Some(value) })
    }

    /// Sends no token (to test refusals).
    pub fn none() -> Self {
        Bearer { value: None }
    }

    /// Put the token on `request`.
    pub fn apply<T>(&self, request: &mut Request<T>) {
        if let Some(value) = &self.value {
            request.metadata_mut().insert(AUTHORIZATION, value.clone());
        }
    }
}

impl Interceptor for Bearer {
    fn call(&mut self, mut request: Request<()>) -> Result<Request<()>, Status> {
        self.apply(&mut request);
        Ok(request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn meta(value: Option<&str>) -> MetadataMap {
        let mut m = MetadataMap::new();
        if let Some(v) = value {
            m.insert(AUTHORIZATION, v.parse().unwrap());
        }
        m
    }

    #[test]
    fn the_token_is_read_from_a_bearer_authorization() {
        assert_eq!(bearer(&meta(Some("Bearer abc"))).unwrap(), "abc");
        assert_eq!(bearer(&meta(Some("bearer  abc "))).unwrap(), "abc");
        for bad in [None, Some("Basic abc"), Some("Bearer"), Some("Bearer  ")] {
            assert_eq!(bearer(&meta(bad)).unwrap_err().reason, Reason::TokenMissing);
        }
    }

    #[test]
    fn refusals_are_unauthenticated_with_the_reason() {
        let status = Status::from(AuthError::new(Reason::TokenExpired, "old"));
        assert_eq!(status.code(), Code::Unauthenticated);
        let details = status.check_error_details().unwrap();
        let info = details.error_info().unwrap();
        assert_eq!(info.reason, "TOKEN_EXPIRED");
        assert_eq!(info.domain, crate::ERROR_DOMAIN);
    }
}
