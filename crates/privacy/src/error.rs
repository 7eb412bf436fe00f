//! What can go wrong sealing, unsealing or erasing.

/// A vault operation failed. None of these is the caller's fault.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// Postgres failed.
    #[error("person keys database")]
    Database(#[from] sqlx::Error),
    /// A stored key or sealed box does not open: tampered with, or sealed under another master
    /// key. Never silently shown as erased.
    #[error("personal data of {person_id} does not open: {reason}")]
    Corrupt {
        /// Whose data.
        person_id: String,
        /// What failed.
        reason: String,
    },
    /// The system's random number generator failed.
    #[error("random number generator: {0}")]
    Random(String),
}
