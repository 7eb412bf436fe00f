//! Who a service is on NATS: a user and password (`NATS_USER`, `NATS_PASSWORD`).
//!
//! async-nats does not read credentials from a `nats://user:pass@host` URL, so they are given
//! explicitly. With `deploy/nats/accounts.conf` each service has its own user, limited to the
//! subjects it needs; a server without authorization ignores them.

use std::fmt;

/// A NATS user and password. `Debug` never shows the password.
#[derive(Clone, PartialEq, Eq)]
pub struct NatsCredentials {
    /// The user.
    pub user: String,
    /// The password.
    pub password: String,
}

impl NatsCredentials {
    /// From `NATS_USER` and `NATS_PASSWORD` as read through `get`: `None` without a user.
    pub fn from_source(get: impl Fn(&str) -> Option<String>) -> Option<Self> {
        let user = get("NATS_USER").filter(|u| !u.trim().is_empty())?;
        Some(NatsCredentials {
            user,
            password: get("NATS_PASSWORD").unwrap_or_default(),
        })
    }
}

impl fmt::Debug for NatsCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NatsCredentials({}, <redacted>)", self.user)
    }
}

/// Connect options for a service: its credentials when given.
pub fn connect_options(credentials: Option<&NatsCredentials>) -> async_nats::ConnectOptions {
    match credentials {
        Some(c) => {
            async_nats::ConnectOptions::with_user_and_password(c.user.clone(), c.password.clone())
        }
        None => async_nats::ConnectOptions::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_need_a_user_and_never_show_the_password() {
        assert!(NatsCredentials::from_source(|_| None).is_none());
        let c = NatsCredentials::from_source(|k| match k {
            "NATS_USER" => Some("projection-service".into()),
            "NATS_PASSWORD" => Some("s3cret".into()),
            _ => None,
        })
        .unwrap();
        assert_eq!(c.user, "projection-service");
        assert!(!format!("{c:?}").contains("s3cret"));
    }
}
