//! Configuration from environment variables, with defaults for a local machine.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `PROJECTION_DATABASE_URL` | `postgres://postgres:postgres@127.0.0.1:5432/ofsted_projections` | read models (created if missing) |
//! | `EVENTSTORE_DATABASE_URL` | `DATABASE_URL`, else `postgres://postgres:postgres@127.0.0.1:5432/ofsted` | event store, read only: gap fills and `rebuild` |
//! | `NATS_URL` | `nats://127.0.0.1:4222` | JetStream server |
//! | `NATS_USER`, `NATS_PASSWORD` | none | this service's NATS user (deploy/nats/accounts.conf) |
//! | `OFSTED_STREAM` | `INSPECTION_EVENTS` | JetStream stream name |
//! | `OFSTED_SUBJECT_PREFIX` | `ofsted.inspections.v1.events` | subject prefix (the consumer filters `<prefix>.>`) |
//! | `OFSTED_DUPLICATE_WINDOW_SECS` | `120` | used only if this service has to create the stream |
//! | `PROJECTION_CONSUMER` | `projection` | durable consumer name (instances sharing it share the work) |
//! | `PROJECTION_MAX_DELIVERIES` | `5` | a message that cannot be parsed is terminated after this many deliveries |
//! | `GRPC_ADDR` | `127.0.0.1:50052` | where the gRPC server listens |
//! | `OFSTED_ENV` | `development` | `development`, `test` or `production` |
//! | `OFSTED_CLOCK` | `system` | `system`, `fixed:<rfc3339>` or `from:<rfc3339>`; refused in production |
//! | `OFSTED_CALENDAR` | bundled copy | a newer gov.uk `bank-holidays.json` (R1) |
//! | `OFSTED_JWKS_FILE`, `OFSTED_JWT_AUDIENCE`, `OFSTED_JWT_ISSUER` | dev keys outside production | bearer tokens ([`auth::settings`]) |
//! | `OFSTED_TLS_CERT`, `OFSTED_TLS_KEY`, `OFSTED_TLS_CLIENT_CA` | unset: plaintext | TLS / mTLS ([`auth::tls`]) |

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::{Clock, ManualClock, OffsetClock, SystemClock};

/// Default read-model database.
pub const DEFAULT_DATABASE_URL: &str =
    "postgres://postgres:postgres@127.0.0.1:5432/ofsted_projections";
/// Default event-store database (the command service's default).
pub const DEFAULT_EVENTSTORE_URL: &str = "postgres://postgres:postgres@127.0.0.1:5432/ofsted";
/// Default gRPC address (the command service uses 50051).
pub const DEFAULT_GRPC_ADDR: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), 50052);

/// Which kind of deployment this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// A developer's machine.
    Development,
    /// Automated tests and demos.
    Test,
    /// The real service.
    Production,
}

/// Where "now" comes from.
#[derive(Debug, Clone)]
pub enum ClockSetting {
    /// The system clock: the only setting production accepts.
    System,
    /// Stands still until moved (tests hold the handle).
    Manual(ManualClock),
    /// Real time shifted to start at an instant (demos).
    From(DateTime<Utc>),
}

impl ClockSetting {
    /// Whether this replaces the system clock.
    pub fn replaces_system_clock(&self) -> bool {
        !matches!(self, ClockSetting::System)
    }

    /// The clock this describes.
    pub fn build(&self) -> Arc<dyn Clock> {
        match self {
            ClockSetting::System => Arc::new(SystemClock),
            ClockSetting::Manual(c) => Arc::new(c.clone()),
            ClockSetting::From(start) => Arc::new(OffsetClock::starting_at(*start)),
        }
    }
}

/// Everything the projection service needs.
#[derive(Debug, Clone)]
pub struct Config {
    /// Read-model database.
    pub database_url: String,
    /// Event store (read only).
    pub eventstore_url: String,
    /// gRPC listen address (the binary binds it; tests pass a listener).
    pub grpc_addr: SocketAddr,
    /// Stream, prefix and server.
    pub bus: bus::BusConfig,
    /// Durable consumer name.
    pub consumer_name: String,
    /// Deliveries after which an unparseable message is terminated.
    pub max_deliveries: i64,
    /// How long JetStream waits for an ack before redelivering.
    pub ack_wait: Duration,
    /// Longest wait of a Watch stream between checks when no notification arrives.
    pub watch_poll: Duration,
    /// Kind of deployment.
    pub environment: Environment,
    /// The query clock.
    pub clock: ClockSetting,
    /// A newer `bank-holidays.json`.
    pub calendar_path: Option<PathBuf>,
    /// This service's NATS user.
    pub nats_credentials: Option<bus::NatsCredentials>,
    /// Trusted token keys, audience and issuer.
    pub auth: auth::AuthSettings,
    /// TLS of the gRPC server (off by default).
    pub tls: auth::tls::TlsSettings,
    /// Test failpoint: leave the first delivery of every message unacked (it is applied), so
    /// JetStream redelivers it after `ack_wait`.
    #[doc(hidden)]
    pub skip_first_ack: bool,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable does not parse.
    #[error("{variable}={value:?}: {reason}")]
    Invalid {
        variable: &'static str,
        value: String,
        reason: String,
    },
    /// R5: production must use the system clock.
    #[error("OFSTED_CLOCK replaces the server clock, which production refuses (R5)")]
    ClockInProduction,
}

impl Config {
    /// The local defaults.
    pub fn local() -> Self {
        Config {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            eventstore_url: DEFAULT_EVENTSTORE_URL.to_owned(),
            grpc_addr: DEFAULT_GRPC_ADDR,
            bus: bus::BusConfig::default(),
            consumer_name: "projection".to_owned(),
            max_deliveries: 5,
            ack_wait: Duration::from_secs(30),
            watch_poll: Duration::from_secs(1),
            environment: Environment::Development,
            clock: ClockSetting::System,
            calendar_path: None,
            nats_credentials: None,
            auth: auth::AuthSettings::default(),
            tls: auth::tls::TlsSettings::default(),
            skip_first_ack: false,
        }
    }

    /// Read the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(|name| std::env::var(name).ok())
    }

    /// Read variables through `get`, starting from [`Config::local`].
    pub fn from_source(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let mut c = Config::local();
        if let Some(v) = get("PROJECTION_DATABASE_URL") {
            c.database_url = v;
        }
        if let Some(v) = get("EVENTSTORE_DATABASE_URL").or_else(|| get("DATABASE_URL")) {
            c.eventstore_url = v;
        }
        if let Some(v) = get("NATS_URL") {
            c.bus.nats_url = v;
        }
        if let Some(v) = get("OFSTED_STREAM") {
            c.bus.stream_name = v;
        }
        if let Some(v) = get("OFSTED_SUBJECT_PREFIX") {
            c.bus.subject_prefix = v.trim_end_matches('.').to_owned();
        }
        if let Some(v) = get("OFSTED_DUPLICATE_WINDOW_SECS") {
            c.bus.duplicate_window =
                Duration::from_secs(number("OFSTED_DUPLICATE_WINDOW_SECS", &v)?);
        }
        if let Some(v) = get("PROJECTION_CONSUMER") {
            c.consumer_name = v;
        }
        if let Some(v) = get("PROJECTION_MAX_DELIVERIES") {
            let n = number("PROJECTION_MAX_DELIVERIES", &v)?;
            c.max_deliveries = i64::try_from(n.max(1)).unwrap_or(i64::MAX);
        }
        if let Some(v) = get("GRPC_ADDR") {
            c.grpc_addr = v.parse().map_err(|e| ConfigError::Invalid {
                variable: "GRPC_ADDR",
                value: v.clone(),
                reason: format!("not host:port ({e})"),
            })?;
        }
        if let Some(v) = get("OFSTED_ENV") {
            c.environment = match v.as_str() {
                "development" => Environment::Development,
                "test" => Environment::Test,
                "production" => Environment::Production,
                _ => {
                    return Err(ConfigError::Invalid {
                        variable: "OFSTED_ENV",
                        value: v,
                        reason: "expected development, test or production".into(),
                    });
                }
            };
        }
        if let Some(v) = get("OFSTED_CLOCK") {
            c.clock = parse_clock(&v)?;
        }
        c.calendar_path = get("OFSTED_CALENDAR").map(PathBuf::from);
        c.nats_credentials = bus::NatsCredentials::from_source(get);
        c.auth = auth::AuthSettings::from_source(get);
        c.tls = auth::tls::TlsSettings::from_source(get);
        check_clock_policy(&c)?;
        Ok(c)
    }
}

/// R5: only test and demo configuration may replace the clock.
pub fn check_clock_policy(c: &Config) -> Result<(), ConfigError> {
    if c.environment == Environment::Production && c.clock.replaces_system_clock() {
        return Err(ConfigError::ClockInProduction);
    }
    Ok(())
}

fn number(variable: &'static str, value: &str) -> Result<u64, ConfigError> {
    value.parse().map_err(|e| ConfigError::Invalid {
        variable,
        value: value.to_owned(),
        reason: format!("not a non-negative number ({e})"),
    })
}

fn parse_clock(raw: &str) -> Result<ClockSetting, ConfigError> {
    let instant = |s: &str| {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| ConfigError::Invalid {
                variable: "OFSTED_CLOCK",
                value: raw.to_owned(),
                reason: format!("not an RFC 3339 instant ({e})"),
            })
    };
    match raw.split_once(':') {
        _ if raw == "system" => Ok(ClockSetting::System),
        Some(("fixed", at)) => Ok(ClockSetting::Manual(ManualClock::new(instant(at)?))),
        Some(("from", at)) => Ok(ClockSetting::From(instant(at)?)),
        _ => Err(ConfigError::Invalid {
            variable: "OFSTED_CLOCK",
            value: raw.to_owned(),
            reason: "expected system, fixed:<rfc3339> or from:<rfc3339>".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_source(|k| map.get(k).cloned())
    }

    #[test]
    fn an_empty_environment_gives_the_local_defaults() {
        let c = config(&[]).unwrap();
        assert_eq!(c.database_url, DEFAULT_DATABASE_URL);
        assert_eq!(c.eventstore_url, DEFAULT_EVENTSTORE_URL);
        assert_eq!(c.grpc_addr.to_string(), "127.0.0.1:50052");
        assert_eq!(c.bus.subject_prefix, "ofsted.inspections.v1.events");
    }

    #[test]
    fn the_event_store_url_falls_back_to_database_url() {
        let c = config(&[("DATABASE_URL", "postgres://x/es")]).unwrap();
        assert_eq!(c.eventstore_url, "postgres://x/es");
        let c = config(&[
            ("DATABASE_URL", "postgres://x/es"),
            ("EVENTSTORE_DATABASE_URL", "postgres://y/es"),
        ])
        .unwrap();
        assert_eq!(c.eventstore_url, "postgres://y/es");
    }

    #[test]
    fn r05_production_refuses_a_replaced_clock() {
        let fixed = ("OFSTED_CLOCK", "fixed:2027-01-04T09:31:00Z");
        assert!(config(&[fixed, ("OFSTED_ENV", "test")]).is_ok());
        assert!(matches!(
            config(&[fixed, ("OFSTED_ENV", "production")]),
            Err(ConfigError::ClockInProduction)
        ));
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("GRPC_ADDR", "nope"),
            ("OFSTED_CLOCK", "later"),
            ("PROJECTION_MAX_DELIVERIES", "-2"),
        ] {
            match config(&[(var, value)]) {
                Err(ConfigError::Invalid { variable, .. }) => assert_eq!(variable, var),
                other => panic!("{var}={value}: {other:?}"),
            }
        }
    }
}
