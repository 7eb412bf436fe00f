//! Optional TLS for the gRPC servers (rustls via tonic), off by default.
//!
//! | variable | meaning |
//! |---|---|
//! | `OFSTED_TLS_CERT` | PEM certificate chain of the server (with `OFSTED_TLS_KEY`: TLS on) |
//! | `OFSTED_TLS_KEY` | PEM private key of the server |
//! | `OFSTED_TLS_CLIENT_CA` | PEM CA certificate(s): clients must present a certificate it signed (mTLS) |
//!
//! The bearer token is still required over mTLS: the certificate proves which machine calls,
//! the token which person or system.

use std::path::PathBuf;

use tonic::transport::server::ServerTlsConfig;
use tonic::transport::{Certificate, Identity};

/// TLS settings of a server.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// Certificate chain (PEM).
    pub cert: Option<PathBuf>,
    /// Private key (PEM).
    pub key: Option<PathBuf>,
    /// CA of client certificates (PEM): mTLS when set.
    pub client_ca: Option<PathBuf>,
}

/// TLS settings that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// One of the certificate and the key without the other, or a client CA without either.
    #[error("OFSTED_TLS_CERT and OFSTED_TLS_KEY go together (and OFSTED_TLS_CLIENT_CA needs both)")]
    Incomplete,
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
}

fn read(path: &PathBuf) -> Result<Vec<u8>, TlsError> {
    std::fs::read(path).map_err(|source| TlsError::Read {
        path: path.display().to_string(),
        source,
    })
}

impl TlsSettings {
    /// Read the variables through `get` (empty values count as unset).
    pub fn from_source(get: impl Fn(&str) -> Option<String>) -> Self {
        let get = |name: &str| {
            get(name)
                .filter(|v| !v.trim().is_empty())
                .map(PathBuf::from)
        };
        TlsSettings {
            cert: get("OFSTED_TLS_CERT"),
            key: get("OFSTED_TLS_KEY"),
            client_ca: get("OFSTED_TLS_CLIENT_CA"),
        }
    }

    /// The server's TLS configuration; `None` when TLS is off.
    pub fn server_config(&self) -> Result<Option<ServerTlsConfig>, TlsError> {
        let (cert, key) = match (&self.cert, &self.key, &self.client_ca) {
            (None, None, None) => return Ok(None),
            (Some(cert), Some(key), _) => (cert, key),
            _ => return Err(TlsError::Incomplete),
        };
        let mut config =
            ServerTlsConfig::new().identity(Identity::from_pem(read(cert)?, read(key)?));
        if let Some(ca) = &self.client_ca {
            config = config.client_ca_root(Certificate::from_pem(read(ca)?));
        }
        tracing::info!(mtls = self.client_ca.is_some(), "tls on");
        Ok(Some(config))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tls_is_off_unless_both_cert_and_key_are_given() {
        assert!(TlsSettings::default().server_config().unwrap().is_none());
        let half = TlsSettings {
            cert: Some("c.pem".into()),
            ..TlsSettings::default()
        };
        assert!(matches!(half.server_config(), Err(TlsError::Incomplete)));
        let ca_only = TlsSettings {
            client_ca: Some("ca.pem".into()),
            ..TlsSettings::default()
        };
        assert!(matches!(ca_only.server_config(), Err(TlsError::Incomplete)));
    }
}
