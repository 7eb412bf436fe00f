//! The master key: wraps every person's data key, so that the `person_keys` table alone opens
//! nothing. Held by the command service only, from `OFSTED_MASTER_KEY`.

use std::fmt;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::VaultError;

/// Length of a key (master or data), in bytes.
pub const KEY_LEN: usize = 32;
/// Length of an XChaCha20-Poly1305 nonce, in bytes.
pub const NONCE_LEN: usize = 24;

/// The key that wraps data keys. Its `Debug` shows a fingerprint, never the key.
#[derive(Clone)]
pub struct MasterKey {
    cipher: XChaCha20Poly1305,
    fingerprint: String,
}

/// `OFSTED_MASTER_KEY` does not hold a key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the master key must be 32 bytes in standard base64 ({0})")]
pub struct MasterKeyError(String);

impl MasterKey {
    /// From standard base64 of exactly 32 bytes (`head -c 32 /dev/urandom | base64`).
    pub fn from_base64(encoded: &str) -> Result<Self, MasterKeyError> {
        let bytes = STANDARD
            .decode(encoded.trim())
            .map_err(|e| MasterKeyError(e.to_string()))?;
        let bytes: [u8; KEY_LEN] = bytes
            .try_into()
            .map_err(|b: Vec<u8>| MasterKeyError(format!("got {} bytes", b.len())))?;
        Ok(Self::from_bytes(bytes))
    }

    /// The well-known development key: for development and test environments only (every
    /// checkout has it, so it protects nothing). Production refuses to start without a real
    /// key (the services' configuration enforces it).
    pub fn development() -> Self {
        Self::from_bytes(
            Sha256::digest(b"ofsted-inspections development master key (not secret)").into(),
        )
    }

    fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        let fingerprint = hex_prefix(&Sha256::digest(bytes));
        let key = Key::from(bytes);
        MasterKey {
            cipher: XChaCha20Poly1305::new(&key),
            fingerprint,
        }
    }

    /// A short, non-secret fingerprint (first bytes of the key's SHA-256), for logs.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Encrypt a data key: `nonce || ciphertext`, bound to its person and key id.
    pub(crate) fn wrap(
        &self,
        person_id: Uuid,
        key_id: Uuid,
        data_key: &[u8],
    ) -> Result<Vec<u8>, VaultError> {
        let nonce = XNonce::try_generate().map_err(|e| VaultError::Random(e.to_string()))?;
        let aad = wrap_aad(person_id, key_id);
        let ciphertext = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: data_key,
                    aad: &aad,
                },
            )
            .map_err(|_| VaultError::Corrupt {
                person_id: person_id.to_string(),
                reason: "wrapping the data key failed".into(),
            })?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ciphertext);
        Ok(out)
    }

    /// Decrypt a data key wrapped by [`MasterKey::wrap`].
    pub(crate) fn unwrap_key(
        &self,
        person_id: Uuid,
        key_id: Uuid,
        wrapped: &[u8],
    ) -> Result<Vec<u8>, VaultError> {
        let corrupt = |reason: &str| VaultError::Corrupt {
            person_id: person_id.to_string(),
            reason: reason.to_owned(),
        };
        if wrapped.len() <= NONCE_LEN {
            return Err(corrupt("wrapped key too short"));
        }
        let (nonce, ciphertext) = wrapped.split_at(NONCE_LEN);
        let nonce = XNonce::try_from(nonce).map_err(|_| corrupt("bad nonce"))?;
        let aad = wrap_aad(person_id, key_id);
        self.cipher
            .decrypt(
                &nonce,
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| corrupt("the data key does not unwrap (another master key?)"))
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKey(sha256:{}…)", self.fingerprint)
    }
}

/// A fresh random data key.
pub(crate) fn new_data_key() -> Result<Vec<u8>, VaultError> {
    let key = Key::try_generate().map_err(|e| VaultError::Random(e.to_string()))?;
    Ok(key.to_vec())
}

fn wrap_aad(person_id: Uuid, key_id: Uuid) -> Vec<u8> {
    let mut aad = b"person_keys:".to_vec();
    aad.extend_from_slice(person_id.as_bytes());
    aad.extend_from_slice(key_id.as_bytes());
    aad
}

fn hex_prefix(digest: &[u8]) -> String {
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrapped_key_unwraps_only_for_its_person_key_id_and_master() {
        let master = MasterKey::development();
        let (person, key_id) = (Uuid::now_v7(), Uuid::now_v7());
        let data_key = new_data_key().unwrap();
        let wrapped = master.wrap(person, key_id, &data_key).unwrap();
        assert_ne!(
            &wrapped[NONCE_LEN..NONCE_LEN + KEY_LEN],
            data_key.as_slice()
        );
        assert_eq!(
            master.unwrap_key(person, key_id, &wrapped).unwrap(),
            data_key
        );
        assert!(master.unwrap_key(Uuid::now_v7(), key_id, &wrapped).is_err());
        assert!(master.unwrap_key(person, Uuid::now_v7(), &wrapped).is_err());
        let other = MasterKey::from_base64(&STANDARD.encode([7u8; 32])).unwrap();
        assert!(other.unwrap_key(person, key_id, &wrapped).is_err());
    }

    #[test]
    fn the_master_key_is_32_bytes_of_base64_and_never_printed() {
        assert!(MasterKey::from_base64("not base64!").is_err());
        assert!(MasterKey::from_base64(&STANDARD.encode([1u8; 16])).is_err());
        let key = MasterKey::from_base64(&STANDARD.encode([1u8; 32])).unwrap();
        let shown = format!("{key:?}");
        assert!(shown.starts_with("MasterKey(sha256:"), "{shown}");
        assert!(!shown.contains("AQEB"), "{shown}");
    }
}
