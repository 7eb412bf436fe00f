//! How a failed call is shown: the rule code and its message (from `google.rpc.ErrorInfo`),
//! one line per bad field (from `google.rpc.BadRequest`), never a debug dump.

use std::fmt;

use tonic::{Code, Status};
use tonic_types::StatusExt;

/// A service refused or failed a call. `main` prints it and exits with [`ServiceError::exit_code`].
#[derive(Debug)]
pub struct ServiceError {
    /// `RULE_CODE: message` lines, first the ErrorInfo reason, then field violations.
    lines: Vec<String>,
    code: Code,
}

impl ServiceError {
    /// The error of a failed call.
    pub fn from_status(status: &Status) -> Self {
        let details = status.get_error_details();
        let full = status.message().trim();
        let first = match details.error_info() {
            Some(info) if !info.reason.is_empty() => {
                // Some messages repeat the code (and the field, shown below); say it once.
                let message = full
                    .strip_prefix(info.reason.as_str())
                    .map_or(full, |rest| {
                        let rest = rest.trim_start_matches([':', ' ']);
                        match rest.strip_prefix('(').and_then(|r| r.split_once("): ")) {
                            Some((_, after)) => after,
                            None => rest,
                        }
                    });
                let mut line = format!("{}: {message}", info.reason);
                if let Some(current) = info.metadata.get("current_version") {
                    line.push_str(&format!(" (current version {current})"));
                }
                line
            }
            _ => format!("{}: {full}", code_name(status.code())),
        };
        let mut lines = vec![first];
        if let Some(bad) = details.bad_request() {
            for v in &bad.field_violations {
                if !full.contains(v.description.trim()) {
                    lines.push(format!("  {}: {}", v.field, v.description));
                } else {
                    lines.push(format!("  field: {}", v.field));
                }
            }
        }
        ServiceError {
            lines,
            code: status.code(),
        }
    }

    /// The error of a service that could not be reached at all.
    pub fn unreachable(what: &str, addr: &str, err: &dyn std::error::Error) -> Self {
        let mut text = err.to_string();
        let mut source = err.source();
        while let Some(s) = source {
            text.push_str(": ");
            text.push_str(&s.to_string());
            source = s.source();
        }
        ServiceError {
            lines: vec![format!(
                "UNAVAILABLE: cannot reach the {what} at {addr}: {text}"
            )],
            code: Code::Unavailable,
        }
    }

    /// Process exit code: 2 for refused input or rules, 3 for permissions, 4 for not found,
    /// 5 for conflicts, 1 otherwise (the service or the network failed).
    pub fn exit_code(&self) -> u8 {
        match self.code {
            Code::InvalidArgument | Code::FailedPrecondition | Code::OutOfRange => 2,
            Code::PermissionDenied | Code::Unauthenticated => 3,
            Code::NotFound => 4,
            Code::Aborted | Code::AlreadyExists => 5,
            _ => 1,
        }
    }
}

impl fmt::Display for ServiceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines.join("\n"))
    }
}

impl std::error::Error for ServiceError {}

fn code_name(code: Code) -> &'static str {
    match code {
        Code::Ok => "OK",
        Code::Cancelled => "CANCELLED",
        Code::Unknown => "UNKNOWN",
        Code::InvalidArgument => "INVALID_ARGUMENT",
        Code::DeadlineExceeded => "DEADLINE_EXCEEDED",
        Code::NotFound => "NOT_FOUND",
        Code::AlreadyExists => "ALREADY_EXISTS",
        Code::PermissionDenied => "PERMISSION_DENIED",
        Code::ResourceExhausted => "RESOURCE_EXHAUSTED",
        Code::FailedPrecondition => "FAILED_PRECONDITION",
        Code::Aborted => "ABORTED",
        Code::OutOfRange => "OUT_OF_RANGE",
        Code::Unimplemented => "UNIMPLEMENTED",
        Code::Internal => "INTERNAL",
        Code::Unavailable => "UNAVAILABLE",
        Code::DataLoss => "DATA_LOSS",
        Code::Unauthenticated => "UNAUTHENTICATED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic_types::{ErrorDetails, FieldViolation};

    #[test]
    fn rule_code_and_message_then_fields() {
        let mut details = ErrorDetails::new();
        details.set_error_info("R10_CALL_BEFORE_0930", "ofsted", []);
        details.set_bad_request(vec![FieldViolation::new(
            "meta.occurred_at",
            "the call is before 09:30",
        )]);
        let status = Status::with_error_details(
            Code::FailedPrecondition,
            "the call is before 09:30",
            details,
        );
        let e = ServiceError::from_status(&status);
        assert_eq!(
            e.to_string(),
            "R10_CALL_BEFORE_0930: the call is before 09:30\n  field: meta.occurred_at"
        );
        assert_eq!(e.exit_code(), 2);
    }

    #[test]
    fn without_details_the_code_stands_in() {
        let e = ServiceError::from_status(&Status::not_found("no such inspection"));
        assert_eq!(e.to_string(), "NOT_FOUND: no such inspection");
        assert_eq!(e.exit_code(), 4);
    }
}
