//! Every way a query can fail, and the one mapping to gRPC statuses: the code plus a
//! `google.rpc.ErrorInfo` with a stable reason, and a `google.rpc.BadRequest` field violation
//! for bad input (the command service's style and error domain).

use std::collections::HashMap;

use tonic::{Code, Status};
use tonic_types::{ErrorDetails, FieldViolation, StatusExt};

use crate::store::query::QueryError;

/// `ErrorInfo.domain` of every error of the API.
pub const ERROR_DOMAIN: &str = auth::ERROR_DOMAIN;

/// Why a query was not answered.
#[derive(Debug, thiserror::Error)]
pub enum QueryFailure {
    /// A request field is malformed.
    #[error("{field}: {message}")]
    Invalid {
        field: &'static str,
        reason: &'static str,
        message: String,
    },
    /// Nothing with that id is known to the projection (yet).
    #[error("{0}")]
    NotFound(&'static str, String),
    /// The caller's role may not use this query (`PERMISSION_DENIED`).
    #[error("{1}")]
    Denied(&'static str, String),
    /// The read-model database failed.
    #[error(transparent)]
    Query(#[from] QueryError),
}

impl QueryFailure {
    /// A malformed field.
    pub fn invalid(field: &'static str, reason: &'static str, message: impl Into<String>) -> Self {
        QueryFailure::Invalid {
            field,
            reason,
            message: message.into(),
        }
    }
}

fn status(code: Code, message: String, reason: &str, meta: HashMap<String, String>) -> Status {
    let mut details = ErrorDetails::new();
    details.set_error_info(reason, ERROR_DOMAIN, meta);
    Status::with_error_details(code, message, details)
}

impl From<QueryFailure> for Status {
    fn from(f: QueryFailure) -> Status {
        match f {
            QueryFailure::Invalid {
                field,
                reason,
                message,
            } => {
                let mut details = ErrorDetails::new();
                details.set_error_info(
                    reason,
                    ERROR_DOMAIN,
                    HashMap::from([("field".to_owned(), field.to_owned())]),
                );
                details.set_bad_request(vec![FieldViolation {
                    field: field.to_owned(),
                    description: message.clone(),
                    reason: reason.to_owned(),
                    localized_message: None,
                }]);
                Status::with_error_details(
                    Code::InvalidArgument,
                    format!("{field}: {message}"),
                    details,
                )
            }
            QueryFailure::NotFound(reason, message) => {
                status(Code::NotFound, message, reason, HashMap::new())
            }
            QueryFailure::Denied(reason, message) => {
                status(Code::PermissionDenied, message, reason, HashMap::new())
            }
            QueryFailure::Query(QueryError::Db(e)) if is_unavailable(&e) => {
                tracing::warn!(error = %e, "read-model database unavailable");
                status(
                    Code::Unavailable,
                    "the read-model database is unavailable; retry later".into(),
                    "READ_MODELS_UNAVAILABLE",
                    HashMap::new(),
                )
            }
            QueryFailure::Query(e) => {
                tracing::error!(error = ?e, "query failed");
                status(
                    Code::Internal,
                    "internal error".into(),
                    "INTERNAL",
                    HashMap::new(),
                )
            }
        }
    }
}

fn is_unavailable(e: &sqlx::Error) -> bool {
    matches!(
        e,
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_input_names_the_field() {
        let s = Status::from(QueryFailure::invalid(
            "inspection_id",
            "ID_MALFORMED",
            "not a UUID",
        ));
        assert_eq!(s.code(), Code::InvalidArgument);
        let d = s.check_error_details().unwrap();
        assert_eq!(d.error_info().unwrap().reason, "ID_MALFORMED");
        assert_eq!(
            d.bad_request().unwrap().field_violations[0].field,
            "inspection_id"
        );
    }

    #[test]
    fn not_found_has_a_reason() {
        let s = Status::from(QueryFailure::NotFound("INSPECTION_NOT_FOUND", "no".into()));
        assert_eq!(s.code(), Code::NotFound);
        let d = s.check_error_details().unwrap();
        assert_eq!(d.error_info().unwrap().reason, "INSPECTION_NOT_FOUND");
    }
}
