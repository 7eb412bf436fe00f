//! Domain errors: every rejection carries a stable rule code and a message naming the values.
//!
//! The code is what machines match on (gRPC `ErrorInfo.reason`); the message is for people.
//! Codes are `SCREAMING_SNAKE_CASE` and start with the rule they enforce (`R10_…`) where
//! there is one, so a refusal can be traced back to DOMAIN.md.

use std::fmt;

/// What sort of refusal this is: decides the gRPC status code in the adapter layer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The input itself is malformed (a field is missing, too long, out of range).
    InvalidArgument,
    /// The input is well formed but a rule of the domain refuses it in the current state.
    FailedPrecondition,
    /// The caller's role (or lead provider) may not do this.
    PermissionDenied,
    /// The thing acted on does not exist.
    NotFound,
    /// The thing to create exists already.
    AlreadyExists,
}

/// A refused command. Nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DomainError {
    /// What sort of refusal.
    pub kind: ErrorKind,
    /// Stable machine-readable code, e.g. `R10_CALL_BEFORE_0930`.
    pub code: &'static str,
    /// The offending field (dotted path in the command), for bad input.
    pub field: Option<String>,
    /// Human-readable explanation naming the values involved.
    pub message: String,
}

impl DomainError {
    /// A rule refuses the command in the current state.
    pub fn rule(code: &'static str, message: impl Into<String>) -> Self {
        DomainError {
            kind: ErrorKind::FailedPrecondition,
            code,
            field: None,
            message: message.into(),
        }
    }

    /// Bad input in a named field.
    pub fn invalid(
        field: impl Into<String>,
        code: &'static str,
        message: impl Into<String>,
    ) -> Self {
        DomainError {
            kind: ErrorKind::InvalidArgument,
            code,
            field: Some(field.into()),
            message: message.into(),
        }
    }

    /// The caller may not do this.
    pub fn denied(code: &'static str, message: impl Into<String>) -> Self {
        DomainError {
            kind: ErrorKind::PermissionDenied,
            code,
            field: None,
            message: message.into(),
        }
    }

    /// The target does not exist.
    pub fn not_found(code: &'static str, message: impl Into<String>) -> Self {
        DomainError {
            kind: ErrorKind::NotFound,
            code,
            field: None,
            message: message.into(),
        }
    }

    /// The target exists already.
    pub fn exists(code: &'static str, message: impl Into<String>) -> Self {
        DomainError {
            kind: ErrorKind::AlreadyExists,
            code,
            field: None,
            message: message.into(),
        }
    }
}

impl fmt::Display for DomainError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{} ({field}): {}", self.code, self.message),
            None => write!(f, "{}: {}", self.code, self.message),
        }
    }
}

impl std::error::Error for DomainError {}

/// A value that failed its constructor's validation. The caller knows the field's name and
/// turns it into a [`DomainError`] with [`ValueError::at`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValueError {
    /// Stable code, e.g. `TEXT_TOO_LONG`.
    pub code: &'static str,
    /// What is wrong, naming the value.
    pub message: String,
}

impl ValueError {
    pub(crate) fn new(code: &'static str, message: impl Into<String>) -> Self {
        ValueError {
            code,
            message: message.into(),
        }
    }

    /// Attach the field's name.
    pub fn at(self, field: impl Into<String>) -> DomainError {
        DomainError::invalid(field, self.code, self.message)
    }
}

impl fmt::Display for ValueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ValueError {}
