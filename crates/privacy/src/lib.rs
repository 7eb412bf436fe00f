//! Crypto-shredding of personal data (R31).
//!
//! Every piece of personal data in an event sits in one JSON shape, a serialised
//! `domain::personal::PersonalDetails` (`person_id`, `name`, optional `email` and `phone`).
//! Before an event is appended, [`Vault::seal`] replaces each such object with
//!
//! ```json
//! {"person_id": "…", "sealed": {"key_id": "…", "nonce": "…", "ciphertext": "…"}}
//! ```
//!
//! encrypted with XChaCha20-Poly1305 under that person's own data key, the person id as
//! associated data. [`Vault::unseal`] puts the details back, or, when the person's key has
//! been deleted, `{"person_id": "…", "erased": true}`. Erasing a person ([`Vault::erase`]) is
//! deleting their key: the event log is never rewritten, yet nothing of theirs can be read
//! from the store, the bus, a backup or a replay any more.
//!
//! Data keys live in the event-store database (`person_keys`), each wrapped (encrypted) with a
//! master key that only the command service holds ([`MasterKey`], `OFSTED_MASTER_KEY`), so a
//! copy of the database alone reveals nothing either.
//!
//! # Layout
//! - [`master`] — the master key, its dev default, wrapping and unwrapping data keys.
//! - [`sealing`] — the pure part: finding personal objects in JSON, sealing and opening one.
//! - [`keys`] — the `person_keys` table.
//! - [`vault`] — [`Vault`], the three operations over the table.
//! - [`error`] — [`VaultError`].
//!
//! Why an adapter crate rather than encrypted fields in the domain: the domain stays pure (no
//! keys, no IO) and only names what is personal; the encryption works on the serialised event
//! by shape, so no event type has to know about it, and a new event holding a
//! `PersonalDetails` is sealed without any change here.

pub mod error;
pub mod keys;
pub mod master;
pub mod sealing;
pub mod vault;

pub use error::VaultError;
pub use master::{MasterKey, MasterKeyError};
pub use vault::Vault;
