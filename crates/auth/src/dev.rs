//! The development key pair, committed in `deploy/dev-keys/` (DEV-ONLY: its private key is
//! public), and [`Minter`], which signs tokens.
//!
//! The services trust [`DEV_JWKS`] by default outside production and refuse it in production
//! ([`crate::settings`]); `inspectionctl token mint` and the test helpers sign with
//! [`DEV_PRIVATE_KEY`].

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};

use crate::claims::{Claims, Identity};
use crate::keys::KeySet;

/// The development JWKS: only the development public key.
pub const DEV_JWKS: &[u8] = include_bytes!("../../../deploy/dev-keys/jwks.json");
/// The development private key (PKCS#8 PEM, P-256). NOT SECRET.
pub const DEV_PRIVATE_KEY: &[u8] = include_bytes!("../../../deploy/dev-keys/dev-es256.pem");
/// The development key's id.
pub const DEV_KID: &str = "ofsted-dev-es256-1";
/// The issuer of development tokens (services check `iss` only when configured to).
pub const DEV_ISSUER: &str = "inspectionctl-dev";
/// Lifetime of a development token unless asked otherwise.
pub const DEFAULT_TTL: Duration = Duration::from_secs(3600);

/// The development key set, parsed once.
pub fn key_set() -> &'static KeySet {
    static SET: OnceLock<KeySet> = OnceLock::new();
    SET.get_or_init(|| KeySet::from_json(DEV_JWKS).expect("the committed dev JWKS parses"))
}

/// Why a token could not be signed.
#[derive(Debug, thiserror::Error)]
#[error("cannot sign a token: {0}")]
pub struct MintError(String);

/// Signs tokens with one private key.
#[derive(Clone)]
pub struct Minter {
    kid: String,
    algorithm: Algorithm,
    key: EncodingKey,
}

impl std::fmt::Debug for Minter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Minter")
            .field("kid", &self.kid)
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl Minter {
    /// The development key.
    pub fn dev() -> Minter {
        Minter::from_pem(DEV_KID, Algorithm::ES256, DEV_PRIVATE_KEY)
            .expect("the committed dev key parses")
    }

    /// A key from a PKCS#8 PEM: RS256 (RSA) or ES256 (P-256).
    pub fn from_pem(kid: &str, algorithm: Algorithm, pem: &[u8]) -> Result<Minter, MintError> {
        let key = match algorithm {
            Algorithm::RS256 => EncodingKey::from_rsa_pem(pem),
            Algorithm::ES256 => EncodingKey::from_ec_pem(pem),
            other => return Err(MintError(format!("{other:?} is not supported"))),
        }
        .map_err(|e| MintError(e.to_string()))?;
        Ok(Minter {
            kid: kid.to_owned(),
            algorithm,
            key,
        })
    }

    /// Sign `claims` as they are.
    pub fn sign(&self, claims: &Claims) -> Result<String, MintError> {
        let mut header = Header::new(self.algorithm);
        header.kid = Some(self.kid.clone());
        encode(&header, claims, &self.key).map_err(|e| MintError(e.to_string()))
    }

    /// A token for `identity`, addressed to `audience`, valid for `ttl` from now.
    pub fn mint(
        &self,
        identity: &Identity,
        audience: &str,
        ttl: Duration,
    ) -> Result<String, MintError> {
        self.sign(&claims_for(identity, audience, ttl))
    }
}

/// Seconds since the epoch.
pub fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The claims of a development token for `identity`.
pub fn claims_for(identity: &Identity, audience: &str, ttl: Duration) -> Claims {
    let now = now_secs();
    Claims {
        sub: identity.subject().to_owned(),
        role: identity.role().as_str().to_owned(),
        lead_provider_id: identity.lead_provider().map(|lp| lp.to_string()),
        aud: audience.to_owned(),
        iss: Some(DEV_ISSUER.to_owned()),
        iat: now,
        exp: now + ttl.as_secs(),
    }
}

/// A development token for `identity` and the default audience, re-used while it has more
/// than ten minutes left (signing is not free in unoptimised test builds).
pub fn token_for(identity: &Identity) -> String {
    type Cache = Mutex<HashMap<(String, String, Option<String>), (String, u64)>>;
    static CACHE: OnceLock<Cache> = OnceLock::new();
    static MINTER: OnceLock<Minter> = OnceLock::new();
    let key = (
        identity.subject().to_owned(),
        identity.role().as_str().to_owned(),
        identity.lead_provider().map(|lp| lp.to_string()),
    );
    let cache = CACHE.get_or_init(Cache::default);
    let now = now_secs();
    if let Some((token, exp)) = cache.lock().ok().and_then(|c| c.get(&key).cloned())
        && exp > now + 600
    {
        return token;
    }
    let claims = claims_for(identity, crate::DEFAULT_AUDIENCE, DEFAULT_TTL);
    let exp = claims.exp;
    let token = MINTER
        .get_or_init(Minter::dev)
        .sign(&claims)
        .expect("the dev key signs");
    if let Ok(mut c) = cache.lock() {
        c.insert(key, (token.clone(), exp));
    }
    token
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Reason;
    use crate::verifier::Verifier;
    use domain::permissions::Role;

    fn dev_verifier() -> Verifier {
        Verifier::new(key_set().clone(), crate::DEFAULT_AUDIENCE, None)
    }

    fn scheduler() -> Identity {
        Identity::new("sched-1", Role::Scheduler, None).unwrap()
    }

    #[test]
    fn a_dev_token_verifies_to_its_identity() {
        let provider = Identity::new(
            "lp-user",
            Role::LeadProvider,
            Some("0190f3c4-0000-7000-8000-000000000001".parse().unwrap()),
        )
        .unwrap();
        for who in [scheduler(), provider] {
            assert_eq!(dev_verifier().verify(&token_for(&who)).unwrap(), who);
        }
    }

    #[test]
    fn expired_wrong_audience_and_wrong_issuer_are_refused_by_reason() {
        let m = Minter::dev();
        let mut claims = claims_for(&scheduler(), crate::DEFAULT_AUDIENCE, DEFAULT_TTL);
        claims.exp = now_secs() - 3600;
        let e = dev_verifier()
            .verify(&m.sign(&claims).unwrap())
            .unwrap_err();
        assert_eq!(e.reason, Reason::TokenExpired);

        let other = m
            .mint(&scheduler(), "elsewhere.example.org", DEFAULT_TTL)
            .unwrap();
        let e = dev_verifier().verify(&other).unwrap_err();
        assert_eq!(e.reason, Reason::TokenAudience);

        let strict = Verifier::new(
            key_set().clone(),
            crate::DEFAULT_AUDIENCE,
            Some("https://login.example.gov.uk".into()),
        );
        let e = strict.verify(&token_for(&scheduler())).unwrap_err();
        assert_eq!(e.reason, Reason::TokenIssuer);
    }

    #[test]
    fn a_remembered_token_does_not_vouch_for_a_tampered_copy() {
        let verifier = dev_verifier();
        let token = token_for(&scheduler());
        assert_eq!(verifier.verify(&token).unwrap(), scheduler());
        assert_eq!(verifier.verify(&token).unwrap(), scheduler());
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let forged = Claims {
            role: "quality_assurer".into(),
            ..claims_for(&scheduler(), crate::DEFAULT_AUDIENCE, DEFAULT_TTL)
        };
        parts[1] = base64_url(&serde_json::to_vec(&forged).unwrap());
        let e = verifier.verify(&parts.join(".")).unwrap_err();
        assert_eq!(e.reason, Reason::TokenSignature);
        assert_eq!(verifier.verify(&token).unwrap(), scheduler());
    }

    #[test]
    fn tampered_foreign_and_malformed_tokens_are_refused_by_reason() {
        let token = token_for(&scheduler());
        // Another payload under the same signature.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        let forged = Claims {
            role: "quality_assurer".into(),
            ..claims_for(&scheduler(), crate::DEFAULT_AUDIENCE, DEFAULT_TTL)
        };
        let payload = serde_json::to_vec(&forged).unwrap();
        parts[1] = base64_url(&payload);
        let e = dev_verifier().verify(&parts.join(".")).unwrap_err();
        assert_eq!(e.reason, Reason::TokenSignature);

        // A key the set does not hold, under the dev kid and under its own.
        let pem = include_bytes!("../testdata/untrusted-es256.pem");
        for kid in [DEV_KID, "untrusted"] {
            let m = Minter::from_pem(kid, Algorithm::ES256, pem).unwrap();
            let t = m
                .mint(&scheduler(), crate::DEFAULT_AUDIENCE, DEFAULT_TTL)
                .unwrap();
            let e = dev_verifier().verify(&t).unwrap_err();
            assert_eq!(e.reason, Reason::TokenSignature, "{kid}");
        }

        for junk in ["", "abc", "a.b.c", "eyJhbGciOiJub25lIn0.e30."] {
            let e = dev_verifier().verify(junk).unwrap_err();
            assert_eq!(e.reason, Reason::TokenInvalid, "{junk:?}");
        }
    }

    #[test]
    fn rs256_keys_verify_too() {
        let set = KeySet::from_json(include_bytes!("../testdata/rs256-jwks.json")).unwrap();
        let verifier = Verifier::new(set, crate::DEFAULT_AUDIENCE, None);
        let m = Minter::from_pem(
            "test-rs256-1",
            Algorithm::RS256,
            include_bytes!("../testdata/rs256.pem"),
        )
        .unwrap();
        let t = m
            .mint(&scheduler(), crate::DEFAULT_AUDIENCE, DEFAULT_TTL)
            .unwrap();
        assert_eq!(verifier.verify(&t).unwrap(), scheduler());
        // The dev key is not trusted by this set.
        let e = verifier.verify(&token_for(&scheduler())).unwrap_err();
        assert_eq!(e.reason, Reason::TokenSignature);
    }

    #[test]
    fn claims_the_pairing_rule_refuses_are_invalid_tokens() {
        let mut claims = claims_for(&scheduler(), crate::DEFAULT_AUDIENCE, DEFAULT_TTL);
        claims.role = "lead_provider".into();
        let t = Minter::dev().sign(&claims).unwrap();
        let e = dev_verifier().verify(&t).unwrap_err();
        assert_eq!(e.reason, Reason::TokenInvalid);
    }

    /// Base64url without padding (enough for a test; the library's engine is private).
    fn base64_url(bytes: &[u8]) -> String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    }
}
