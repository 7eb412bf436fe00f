//! [`KeySet`]: the verification keys of a JWKS, by `kid`. Only RS256 (RSA) and ES256 (P-256)
//! signature keys are used; other keys of the set (encryption keys, other algorithms) are
//! skipped with a warning, and a set left with none is refused.

use std::collections::HashMap;
use std::path::Path;

use jsonwebtoken::jwk::{
    AlgorithmParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, DecodingKey};

/// Why a key set cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum KeySetError {
    /// The file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// Not a JWKS document.
    #[error("not a JWKS document: {0}")]
    Parse(String),
    /// A usable key is malformed, or two keys share a kid.
    #[error("key {kid:?}: {reason}")]
    Key {
        /// The key's id.
        kid: String,
        /// What is wrong.
        reason: String,
    },
    /// No RS256 or ES256 signature key with a kid.
    #[error("the key set has no RS256 or ES256 signature key with a kid")]
    Empty,
}

/// One verification key.
#[derive(Clone)]
pub(crate) struct VerificationKey {
    pub algorithm: Algorithm,
    pub key: DecodingKey,
    /// The public key's JWK parameters, to recognise the development key by value.
    pub params: AlgorithmParameters,
}

impl std::fmt::Debug for VerificationKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerificationKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

/// The trusted keys, by `kid`.
#[derive(Debug, Clone)]
pub struct KeySet {
    keys: HashMap<String, VerificationKey>,
}

impl KeySet {
    /// Read a JWKS file.
    pub fn load(path: &Path) -> Result<Self, KeySetError> {
        let bytes = std::fs::read(path).map_err(|source| KeySetError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::from_json(&bytes)
    }

    /// Parse a JWKS document.
    pub fn from_json(bytes: &[u8]) -> Result<Self, KeySetError> {
        let set: JwkSet =
            serde_json::from_slice(bytes).map_err(|e| KeySetError::Parse(e.to_string()))?;
        let mut keys = HashMap::new();
        for jwk in &set.keys {
            let Some(kid) = jwk.common.key_id.clone() else {
                tracing::warn!("jwks: skipping a key without kid");
                continue;
            };
            let Some(algorithm) = signature_algorithm(jwk) else {
                tracing::warn!(
                    kid,
                    "jwks: skipping a key that is not an RS256/ES256 signature key"
                );
                continue;
            };
            let key = DecodingKey::from_jwk(jwk).map_err(|e| KeySetError::Key {
                kid: kid.clone(),
                reason: e.to_string(),
            })?;
            let entry = VerificationKey {
                algorithm,
                key,
                params: jwk.algorithm.clone(),
            };
            if keys.insert(kid.clone(), entry).is_some() {
                return Err(KeySetError::Key {
                    kid,
                    reason: "two keys have this kid".into(),
                });
            }
        }
        if keys.is_empty() {
            return Err(KeySetError::Empty);
        }
        Ok(KeySet { keys })
    }

    /// The key with this id.
    pub(crate) fn get(&self, kid: &str) -> Option<&VerificationKey> {
        self.keys.get(kid)
    }

    /// The key ids, sorted.
    pub fn kids(&self) -> Vec<&str> {
        let mut kids: Vec<&str> = self.keys.keys().map(String::as_str).collect();
        kids.sort_unstable();
        kids
    }

    /// Whether this set trusts the development key (by kid or by the public key itself).
    pub fn contains_dev_key(&self) -> bool {
        let dev = crate::dev::key_set();
        self.keys.iter().any(|(kid, k)| {
            dev.keys
                .iter()
                .any(|(dev_kid, d)| dev_kid == kid || d.params == k.params)
        })
    }

    /// Whether this set is exactly the development key set.
    pub fn is_dev(&self) -> bool {
        let dev = crate::dev::key_set();
        self.keys.len() == dev.keys.len() && self.contains_dev_key()
    }
}

/// The algorithm of a signature key: RS256 for RSA, ES256 for P-256; `None` for anything else
/// (including a key whose `alg` or `use` says otherwise).
fn signature_algorithm(jwk: &Jwk) -> Option<Algorithm> {
    if matches!(jwk.common.public_key_use, Some(ref u) if *u != PublicKeyUse::Signature) {
        return None;
    }
    let (algorithm, expected) = match &jwk.algorithm {
        AlgorithmParameters::RSA(_) => (Algorithm::RS256, KeyAlgorithm::RS256),
        AlgorithmParameters::EllipticCurve(p) if p.curve == EllipticCurve::P256 => {
            (Algorithm::ES256, KeyAlgorithm::ES256)
        }
        _ => return None,
    };
    match jwk.common.key_algorithm {
        None => Some(algorithm),
        Some(a) if a == expected => Some(algorithm),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rsa_and_p256_keys_are_loaded_by_kid() {
        let set = KeySet::from_json(include_bytes!("../testdata/with-dev-key-jwks.json")).unwrap();
        assert_eq!(set.kids(), vec![crate::dev::DEV_KID, "test-rs256-1"]);
        assert_eq!(set.get("test-rs256-1").unwrap().algorithm, Algorithm::RS256);
        assert_eq!(
            set.get(crate::dev::DEV_KID).unwrap().algorithm,
            Algorithm::ES256
        );
        assert!(set.contains_dev_key());
        assert!(!set.is_dev());
    }

    #[test]
    fn other_keys_are_skipped_and_an_empty_set_refused() {
        let json = br#"{"keys":[
            {"kty":"oct","k":"c2VjcmV0","kid":"hmac"},
            {"kty":"RSA","n":"AQAB","e":"AQAB","kid":"enc","use":"enc"},
            {"kty":"EC","crv":"P-256","x":"AA","y":"AA"}
        ]}"#;
        assert!(matches!(KeySet::from_json(json), Err(KeySetError::Empty)));
        assert!(matches!(
            KeySet::from_json(b"{}"),
            Err(KeySetError::Parse(_))
        ));
    }

    #[test]
    fn the_dev_key_is_recognised_under_another_kid() {
        let dev = std::str::from_utf8(crate::dev::DEV_JWKS).unwrap();
        let renamed = dev.replace(crate::dev::DEV_KID, "innocent-looking");
        let set = KeySet::from_json(renamed.as_bytes()).unwrap();
        assert!(set.contains_dev_key());
        let prod = KeySet::from_json(include_bytes!("../testdata/rs256-jwks.json")).unwrap();
        assert!(!prod.contains_dev_key());
    }
}
