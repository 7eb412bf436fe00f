//! Every way a command can fail, and the one mapping from those to gRPC statuses.
//!
//! Each status carries a `google.rpc.ErrorInfo` whose `reason` is a stable code (the domain's
//! rule code where a rule refused) in the domain [`ERROR_DOMAIN`]; bad input also carries a
//! `google.rpc.BadRequest` field violation naming the request field's dotted path.

use std::collections::HashMap;

use domain::{DomainError, ErrorKind};
use eventstore::StoreError;
use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

use auth::AuthError;

/// `ErrorInfo.domain` of every error of this service (the API's, shared with `auth`).
pub const ERROR_DOMAIN: &str = auth::ERROR_DOMAIN;

/// Reason of a version conflict (`ABORTED`).
pub const VERSION_CONFLICT: &str = "VERSION_CONFLICT";
/// Reason of an idempotency key reused for another request.
pub const IDEMPOTENCY_KEY_REUSED: &str = "IDEMPOTENCY_KEY_REUSED";
/// Reason when the event store cannot be reached.
pub const STORE_UNAVAILABLE: &str = "EVENT_STORE_UNAVAILABLE";
/// Reason when the service has as many commands in progress as it takes (load shedding).
pub const OVERLOADED: &str = "SERVICE_OVERLOADED";
/// Reason while the service is still starting (migrations not yet run).
pub const SERVICE_STARTING: &str = "SERVICE_STARTING";
/// Reason of an internal failure (details only in the logs).
pub const INTERNAL: &str = "INTERNAL";

/// Why a command was not carried out. Nothing was appended in any case.
#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    /// The caller could not be authenticated (`UNAUTHENTICATED`, a `TOKEN_*` reason).
    #[error(transparent)]
    Unauthenticated(#[from] AuthError),
    /// Bad input or a domain rule refused the command.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// The stream is not at the version the caller expected (or it moved under every retry).
    #[error("version conflict: stream is at version {current}")]
    Conflict {
        /// The stream's version now (0: no such stream).
        current: u64,
        /// What the caller expected, if it said.
        expected: Option<u64>,
    },
    /// The idempotency key was used before for a different request.
    #[error("idempotency key {key:?} was already used for a different request")]
    IdempotencyKeyReused {
        /// The key.
        key: String,
    },
    /// The service has not finished starting (no store yet).
    #[error("the service is starting")]
    Starting,
    /// As many commands are in progress as the service takes; nothing was done.
    #[error("the service is overloaded")]
    Overloaded,
    /// The event store failed.
    #[error("event store failure")]
    Store(#[source] StoreError),
    /// A stored event could not be read back (schema drift): a bug, not the caller's fault.
    #[error("corrupt stream: {0}")]
    Corrupt(String),
}

impl From<StoreError> for CommandError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::IdempotencyMismatch { key, .. } => {
                CommandError::IdempotencyKeyReused { key }
            }
            other => CommandError::Store(other),
        }
    }
}

fn status(code: Code, message: String, reason: &str, meta: HashMap<String, String>) -> Status {
    let mut details = ErrorDetails::new();
    details.set_error_info(reason, ERROR_DOMAIN, meta);
    Status::with_error_details(code, message, details)
}

impl From<CommandError> for Status {
    fn from(err: CommandError) -> Status {
        match err {
            CommandError::Unauthenticated(e) => e.into(),
            CommandError::Domain(e) => domain_status(e),
            CommandError::Conflict { current, expected } => {
                let mut meta = HashMap::from([("current_version".into(), current.to_string())]);
                if let Some(expected) = expected {
                    meta.insert("expected_version".into(), expected.to_string());
                }
                let message = match expected {
                    Some(expected) => format!(
                        "the inspection is at version {current}, not the expected {expected}"
                    ),
                    None => format!("the stream kept moving; it is now at version {current}"),
                };
                status(Code::Aborted, message, VERSION_CONFLICT, meta)
            }
            CommandError::IdempotencyKeyReused { key } => status(
                Code::FailedPrecondition,
                format!("idempotency key {key:?} was already used for a different request"),
                IDEMPOTENCY_KEY_REUSED,
                HashMap::from([("idempotency_key".into(), key)]),
            ),
            CommandError::Overloaded => status(
                Code::ResourceExhausted,
                "too many commands in progress; retry shortly".into(),
                OVERLOADED,
                HashMap::new(),
            ),
            CommandError::Starting => status(
                Code::Unavailable,
                "the service is starting; retry shortly".into(),
                SERVICE_STARTING,
                HashMap::new(),
            ),
            CommandError::Store(StoreError::Unavailable(e)) => {
                tracing::warn!(error = %e, "event store unavailable");
                status(
                    Code::Unavailable,
                    "the event store is unavailable; retry later".into(),
                    STORE_UNAVAILABLE,
                    HashMap::new(),
                )
            }
            CommandError::Store(e) => {
                tracing::error!(error = ?e, "event store failure");
                status(
                    Code::Internal,
                    "internal error".into(),
                    INTERNAL,
                    HashMap::new(),
                )
            }
            CommandError::Corrupt(e) => {
                tracing::error!(error = %e, "corrupt stream");
                status(
                    Code::Internal,
                    "internal error".into(),
                    INTERNAL,
                    HashMap::new(),
                )
            }
        }
    }
}

/// A domain refusal: the rule code as reason; bad input also as a field violation.
fn domain_status(e: DomainError) -> Status {
    let code = match e.kind {
        ErrorKind::InvalidArgument => Code::InvalidArgument,
        ErrorKind::FailedPrecondition => Code::FailedPrecondition,
        ErrorKind::PermissionDenied => Code::PermissionDenied,
        ErrorKind::NotFound => Code::NotFound,
        ErrorKind::AlreadyExists => Code::AlreadyExists,
    };
    let field = e.field.clone();
    let mut meta = HashMap::new();
    if let Some(field) = &field {
        meta.insert("field".to_owned(), field.clone());
    }
    let mut details = ErrorDetails::new();
    details.set_error_info(e.code, ERROR_DOMAIN, meta);
    if let Some(field) = field {
        details.set_bad_request(vec![FieldViolation {
            field,
            description: e.message.clone(),
            reason: e.code.to_owned(),
            localized_message: None,
        }]);
    }
    Status::with_error_details(code, e.to_string(), details)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_names_the_wire_field() {
        let e = DomainError::invalid("meta.occurred_at", "R5_OCCURRED_AT_IN_FUTURE", "too late");
        let status = Status::from(CommandError::Domain(e));
        assert_eq!(status.code(), Code::InvalidArgument);
        let details = status.check_error_details().unwrap();
        let info = details.error_info().unwrap();
        assert_eq!(info.reason, "R5_OCCURRED_AT_IN_FUTURE");
        assert_eq!(info.domain, ERROR_DOMAIN);
        let v = &details.bad_request().unwrap().field_violations[0];
        assert_eq!(v.field, "meta.occurred_at");
        assert_eq!(v.reason, "R5_OCCURRED_AT_IN_FUTURE");
    }

    #[test]
    fn conflicts_carry_the_current_version() {
        let status = Status::from(CommandError::Conflict {
            current: 7,
            expected: Some(6),
        });
        assert_eq!(status.code(), Code::Aborted);
        let details = status.check_error_details().unwrap();
        let info = details.error_info().unwrap();
        assert_eq!(info.reason, VERSION_CONFLICT);
        assert_eq!(info.metadata["current_version"], "7");
    }

    #[test]
    fn rule_refusals_are_failed_precondition_with_the_rule_code() {
        let e = DomainError::rule("R10_CALL_BEFORE_0930", "too early");
        let status = Status::from(CommandError::Domain(e));
        assert_eq!(status.code(), Code::FailedPrecondition);
        let details = status.check_error_details().unwrap();
        assert_eq!(details.error_info().unwrap().reason, "R10_CALL_BEFORE_0930");
        assert!(details.bad_request().is_none());
    }
}
