//! Configuration from environment variables, with defaults for a local machine.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `DATABASE_URL` | `postgres://postgres:postgres@127.0.0.1:5432/ofsted` | event store (created if missing) |
//! | `NATS_URL` | `nats://127.0.0.1:4222` | JetStream server of the outbox relay |
//! | `GRPC_ADDR` | `127.0.0.1:50051` | where the gRPC server listens |
//! | `OFSTED_SUBJECT_PREFIX` | `ofsted.inspections.v1.events` | subject prefix of published events |
//! | `OFSTED_STREAM` | `INSPECTION_EVENTS` | JetStream stream name |
//! | `OFSTED_DUPLICATE_WINDOW_SECS` | `120` | JetStream de-duplication window |
//! | `OFSTED_PUBLIC_STREAM` | `INSPECTION_PUBLIC` (derived from `OFSTED_STREAM`) | stream of the public DfE messages |
//! | `OFSTED_PUBLIC_SUBJECT_PREFIX` | `ofsted.inspections.v1.public` (derived from the prefix) | their subject prefix |
//! | `OFSTED_ENV` | `development` | `development`, `test` or `production` |
//! | `OFSTED_CLOCK` | `system` | `system`, `fixed:<rfc3339>` or `from:<rfc3339>`; refused in production |
//! | `OFSTED_CALENDAR` | bundled copy | path to a newer gov.uk `bank-holidays.json` (R1) |
//! | `OFSTED_MASTER_KEY` | development key outside production | base64 of 32 bytes: wraps the per-person data keys (R31); production refuses to start without it |
//! | `OFSTED_MIGRATION_DATABASE_URL` | `DATABASE_URL` | an owner role that creates the database and runs migrations; `DATABASE_URL` may then be a least-privilege role |
//! | `NATS_USER`, `NATS_PASSWORD` | none | the relay's NATS user (deploy/nats/accounts.conf) |
//! | `OFSTED_JWKS_FILE`, `OFSTED_JWT_AUDIENCE`, `OFSTED_JWT_ISSUER` | dev keys outside production | bearer tokens ([`auth::settings`]) |
//! | `OFSTED_TLS_CERT`, `OFSTED_TLS_KEY`, `OFSTED_TLS_CLIENT_CA` | unset: plaintext | TLS / mTLS ([`auth::tls`]) |
//!
//! `OFSTED_ENV` defaults to `development` so that `make run` works out of the box; a
//! production deployment sets `production`, which turns on [`check_clock_policy`].

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::clock::{Clock, ManualClock, OffsetClock, SystemClock};

/// The default event-store URL of a local machine.
pub const DEFAULT_DATABASE_URL: &str = "postgres://postgres:postgres@127.0.0.1:5432/ofsted";
/// The default gRPC listen address.
pub const DEFAULT_GRPC_ADDR: &str = "127.0.0.1:50051";

/// Which kind of deployment this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// A developer's machine (`make run`).
    Development,
    /// Automated tests and demos.
    Test,
    /// The real service.
    Production,
}

/// Where the server's time comes from (R5: only test/demo settings may replace it).
#[derive(Debug, Clone)]
pub enum ClockSetting {
    /// The system clock: the only setting production accepts.
    System,
    /// A clock that stands still at an instant until moved (tests hold the handle).
    Manual(ManualClock),
    /// Real time shifted so that it started at an instant (demos: "it is Monday 09:31").
    From(DateTime<Utc>),
}

impl ClockSetting {
    /// Whether this replaces the system clock.
    pub fn replaces_system_clock(&self) -> bool {
        !matches!(self, ClockSetting::System)
    }

    /// The clock this setting describes.
    pub fn build(&self) -> std::sync::Arc<dyn Clock> {
        match self {
            ClockSetting::System => std::sync::Arc::new(SystemClock),
            ClockSetting::Manual(clock) => std::sync::Arc::new(clock.clone()),
            ClockSetting::From(start) => std::sync::Arc::new(OffsetClock::starting_at(*start)),
        }
    }
}

/// Everything the command service needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Event store URL.
    pub database_url: String,
    /// Where the gRPC server listens (the binary binds it; tests pass their own listener).
    pub grpc_addr: SocketAddr,
    /// NATS server, stream name, subject prefix and duplicate window of the relay.
    pub bus: bus::BusConfig,
    /// Stream and prefix of the public (DfE) messages; `None`: derived from `bus` with
    /// [`bus::PublicConfig::derived_from`] when the relay starts.
    pub public: Option<bus::PublicConfig>,
    /// Kind of deployment.
    pub environment: Environment,
    /// Server clock.
    pub clock: ClockSetting,
    /// A newer `bank-holidays.json` than the bundled one.
    pub calendar_path: Option<PathBuf>,
    /// Wraps the per-person data keys (R31); `None`: the development key ([`master_key`]).
    pub master_key: Option<privacy::MasterKey>,
    /// Owner credentials for creating the database and migrating; `None`: `database_url`.
    pub migration_database_url: Option<String>,
    /// The relay's NATS user.
    pub nats_credentials: Option<bus::NatsCredentials>,
    /// Trusted token keys, audience and issuer.
    pub auth: auth::AuthSettings,
    /// TLS of the gRPC server (off by default).
    pub tls: auth::tls::TlsSettings,
}

/// A configuration that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// A variable's value does not parse.
    #[error("{variable}={value:?}: {reason}")]
    Invalid {
        /// The variable.
        variable: &'static str,
        /// Its value.
        value: String,
        /// What is wrong.
        reason: String,
    },
    /// R5: production must use the system clock.
    #[error("OFSTED_CLOCK replaces the server clock, which production refuses (R5)")]
    ClockInProduction,
    /// R31: production must have its own master key.
    #[error("OFSTED_MASTER_KEY is required in production (the development key protects nothing)")]
    MasterKeyMissing,
}

impl Config {
    /// The local defaults (what an empty environment gives).
    pub fn local() -> Self {
        Config {
            database_url: DEFAULT_DATABASE_URL.to_owned(),
            grpc_addr: DEFAULT_GRPC_ADDR
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 50051))),
            bus: bus::BusConfig::default(),
            public: None,
            environment: Environment::Development,
            clock: ClockSetting::System,
            calendar_path: None,
            master_key: None,
            migration_database_url: None,
            nats_credentials: None,
            auth: auth::AuthSettings::default(),
            tls: auth::tls::TlsSettings::default(),
        }
    }

    /// Read the process environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from_source(|name| std::env::var(name).ok())
    }

    /// Read variables through `get` (tests pass a map), starting from [`Config::local`].
    pub fn from_source(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        let mut config = Config::local();
        if let Some(url) = get("DATABASE_URL") {
            config.database_url = url;
        }
        if let Some(url) = get("NATS_URL") {
            config.bus.nats_url = url;
        }
        if let Some(addr) = get("GRPC_ADDR") {
            config.grpc_addr = addr.parse().map_err(|e| ConfigError::Invalid {
                variable: "GRPC_ADDR",
                value: addr.clone(),
                reason: format!("not host:port ({e})"),
            })?;
        }
        if let Some(prefix) = get("OFSTED_SUBJECT_PREFIX") {
            config.bus.subject_prefix = prefix.trim_end_matches('.').to_owned();
        }
        if let Some(stream) = get("OFSTED_STREAM") {
            config.bus.stream_name = stream;
        }
        if let Some(secs) = get("OFSTED_DUPLICATE_WINDOW_SECS") {
            let n: u64 = secs.parse().map_err(|e| ConfigError::Invalid {
                variable: "OFSTED_DUPLICATE_WINDOW_SECS",
                value: secs.clone(),
                reason: format!("not a number of seconds ({e})"),
            })?;
            config.bus.duplicate_window = Duration::from_secs(n);
        }
        let public_stream = get("OFSTED_PUBLIC_STREAM");
        let public_prefix = get("OFSTED_PUBLIC_SUBJECT_PREFIX");
        if public_stream.is_some() || public_prefix.is_some() {
            let mut public = bus::PublicConfig::derived_from(&config.bus);
            if let Some(stream) = public_stream {
                public.stream_name = stream;
            }
            if let Some(prefix) = public_prefix {
                public.subject_prefix = prefix.trim_end_matches('.').to_owned();
            }
            config.public = Some(public);
        }
        if let Some(env) = get("OFSTED_ENV") {
            config.environment = match env.as_str() {
                "development" => Environment::Development,
                "test" => Environment::Test,
                "production" => Environment::Production,
                _ => {
                    return Err(ConfigError::Invalid {
                        variable: "OFSTED_ENV",
                        value: env,
                        reason: "expected development, test or production".into(),
                    });
                }
            };
        }
        if let Some(clock) = get("OFSTED_CLOCK") {
            config.clock = parse_clock(&clock)?;
        }
        config.calendar_path = get("OFSTED_CALENDAR").map(PathBuf::from);
        if let Some(key) = get("OFSTED_MASTER_KEY") {
            config.master_key =
                Some(
                    privacy::MasterKey::from_base64(&key).map_err(|e| ConfigError::Invalid {
                        variable: "OFSTED_MASTER_KEY",
                        value: "<redacted>".into(),
                        reason: e.to_string(),
                    })?,
                );
        }
        config.migration_database_url = get("OFSTED_MIGRATION_DATABASE_URL");
        config.nats_credentials = bus::NatsCredentials::from_source(get);
        config.auth = auth::AuthSettings::from_source(get);
        config.tls = auth::tls::TlsSettings::from_source(get);
        check_clock_policy(&config)?;
        master_key(&config)?;
        Ok(config)
    }
}

/// R5: only test and demo configuration may replace the server clock; production refuses to
/// start with it replaced. The one place this rule lives: both [`Config::from_source`] and
/// [`crate::run`] call it.
pub fn check_clock_policy(config: &Config) -> Result<(), ConfigError> {
    if config.environment == Environment::Production && config.clock.replaces_system_clock() {
        return Err(ConfigError::ClockInProduction);
    }
    Ok(())
}

/// R31: the master key to use: the configured one, else the development key, which only
/// development and test accept. Both [`Config::from_source`] and start-up call it.
pub fn master_key(config: &Config) -> Result<privacy::MasterKey, ConfigError> {
    match (&config.master_key, config.environment) {
        (Some(key), _) => Ok(key.clone()),
        (None, Environment::Production) => Err(ConfigError::MasterKeyMissing),
        (None, Environment::Development | Environment::Test) => {
            Ok(privacy::MasterKey::development())
        }
    }
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
        assert_eq!(c.grpc_addr.to_string(), DEFAULT_GRPC_ADDR);
        assert_eq!(c.bus.stream_name, "INSPECTION_EVENTS");
        assert_eq!(c.environment, Environment::Development);
        assert!(!c.clock.replaces_system_clock());
    }

    #[test]
    fn r05_production_refuses_a_replaced_clock() {
        let fixed = ("OFSTED_CLOCK", "fixed:2027-01-04T09:31:00Z");
        assert!(config(&[fixed]).unwrap().clock.replaces_system_clock());
        assert!(config(&[fixed, ("OFSTED_ENV", "test")]).is_ok());
        assert!(matches!(
            config(&[fixed, ("OFSTED_ENV", "production")]),
            Err(ConfigError::ClockInProduction)
        ));
        let key = (
            "OFSTED_MASTER_KEY",
            "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=",
        );
        assert!(config(&[("OFSTED_ENV", "production"), key]).is_ok());
    }

    #[test]
    fn r31_production_refuses_to_start_without_a_master_key() {
        assert!(matches!(
            config(&[("OFSTED_ENV", "production")]),
            Err(ConfigError::MasterKeyMissing)
        ));
        let dev = config(&[]).unwrap();
        assert!(dev.master_key.is_none());
        assert!(master_key(&dev).is_ok());
        match config(&[("OFSTED_MASTER_KEY", "c2hvcnQ=")]) {
            Err(ConfigError::Invalid {
                variable, value, ..
            }) => {
                assert_eq!(variable, "OFSTED_MASTER_KEY");
                assert_eq!(value, "<redacted>");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("GRPC_ADDR", "nope"),
            ("OFSTED_CLOCK", "tomorrow"),
            ("OFSTED_CLOCK", "fixed:yesterday"),
            ("OFSTED_DUPLICATE_WINDOW_SECS", "-1"),
            ("OFSTED_ENV", "staging"),
        ] {
            match config(&[(var, value)]) {
                Err(ConfigError::Invalid { variable, .. }) => assert_eq!(variable, var),
                other => panic!("{var}={value}: {other:?}"),
            }
        }
    }
}
