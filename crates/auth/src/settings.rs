//! Where the trusted keys come from, per environment.
//!
//! | variable | default | meaning |
//! |---|---|---|
//! | `OFSTED_JWKS_FILE` | the dev JWKS outside production; required in production | trusted keys |
//! | `OFSTED_JWT_AUDIENCE` | `inspections.ofsted.gov.uk` | the `aud` tokens must carry |
//! | `OFSTED_JWT_ISSUER` | unset: `iss` not checked | the `iss` tokens must carry |
//!
//! Production refuses to start without `OFSTED_JWKS_FILE`, and refuses a key set that holds
//! the development key (whose private half is in the repository).

use std::path::PathBuf;

use crate::keys::{KeySet, KeySetError};
use crate::verifier::Verifier;

/// Token settings of a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthSettings {
    /// The JWKS file; `None`: the development keys (refused in production).
    pub jwks_file: Option<PathBuf>,
    /// The audience tokens must name.
    pub audience: String,
    /// The issuer tokens must name, if checked.
    pub issuer: Option<String>,
}

impl Default for AuthSettings {
    fn default() -> Self {
        AuthSettings {
            jwks_file: None,
            audience: crate::DEFAULT_AUDIENCE.to_owned(),
            issuer: None,
        }
    }
}

/// Token settings that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    /// Production without a key set.
    #[error("OFSTED_JWKS_FILE is required in production (the development keys are refused)")]
    NoKeysInProduction,
    /// Production with the development key.
    #[error(
        "OFSTED_JWKS_FILE holds the development key (deploy/dev-keys), which production refuses"
    )]
    DevKeyInProduction,
    /// The key set is unusable.
    #[error("OFSTED_JWKS_FILE: {0}")]
    Keys(#[from] KeySetError),
}

impl AuthSettings {
    /// Read the variables through `get` (empty values count as unset).
    pub fn from_source(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| get(name).filter(|v| !v.trim().is_empty());
        AuthSettings {
            jwks_file: get("OFSTED_JWKS_FILE").map(PathBuf::from),
            audience: get("OFSTED_JWT_AUDIENCE")
                .unwrap_or_else(|| crate::DEFAULT_AUDIENCE.to_owned()),
            issuer: get("OFSTED_JWT_ISSUER"),
        }
    }

    /// The trusted keys: the file's, or the development set when there is no file outside
    /// production.
    pub fn key_set(&self, production: bool) -> Result<KeySet, SettingsError> {
        let keys = match &self.jwks_file {
            Some(path) => KeySet::load(path)?,
            None if production => return Err(SettingsError::NoKeysInProduction),
            None => crate::dev::key_set().clone(),
        };
        if production && keys.contains_dev_key() {
            return Err(SettingsError::DevKeyInProduction);
        }
        Ok(keys)
    }

    /// The verifier of a service.
    pub fn verifier(&self, production: bool) -> Result<Verifier, SettingsError> {
        let keys = self.key_set(production)?;
        if self.jwks_file.is_none() {
            tracing::warn!(
                "trusting the development token key (deploy/dev-keys): not for production"
            );
        }
        tracing::info!(kids = ?keys.kids(), audience = %self.audience, issuer = ?self.issuer, "token keys loaded");
        Ok(Verifier::new(
            keys,
            self.audience.clone(),
            self.issuer.clone(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn testdata(name: &str) -> String {
        format!("{}/testdata/{name}", env!("CARGO_MANIFEST_DIR"))
    }

    fn settings(vars: &[(&str, String)]) -> AuthSettings {
        AuthSettings::from_source(|k| vars.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone()))
    }

    #[test]
    fn outside_production_the_dev_keys_are_the_default() {
        let s = settings(&[]);
        assert_eq!(s, AuthSettings::default());
        assert!(s.key_set(false).unwrap().is_dev());
    }

    #[test]
    fn production_needs_a_key_file_without_the_dev_key() {
        assert!(matches!(
            settings(&[]).key_set(true),
            Err(SettingsError::NoKeysInProduction)
        ));
        let mixed = settings(&[("OFSTED_JWKS_FILE", testdata("with-dev-key-jwks.json"))]);
        assert!(matches!(
            mixed.key_set(true),
            Err(SettingsError::DevKeyInProduction)
        ));
        let prod = settings(&[
            ("OFSTED_JWKS_FILE", testdata("rs256-jwks.json")),
            ("OFSTED_JWT_AUDIENCE", "aud.example".into()),
            ("OFSTED_JWT_ISSUER", "https://login.example".into()),
        ]);
        let v = prod.verifier(true).unwrap();
        assert_eq!(v.audience(), "aud.example");
        assert_eq!(v.issuer(), Some("https://login.example"));
        assert!(matches!(
            settings(&[("OFSTED_JWKS_FILE", testdata("missing.json"))]).key_set(false),
            Err(SettingsError::Keys(KeySetError::Read { .. }))
        ));
    }
}
