//! [`Vault`]: seal, unseal and erase over the `person_keys` table.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use sqlx::PgPool;
use uuid::Uuid;

use crate::VaultError;
use crate::keys::{self, StoredKey};
use crate::master::{MasterKey, new_data_key};
use crate::sealing::{
    details_person, erase_object, key_ids, open_object, people_in_clear, seal_object, sealed_key,
    walk_objects,
};

/// Personal-data encryption for the command service: the event-store pool (its
/// `person_keys` table) and the master key. Keys are read per call, never cached, so an
/// erasure by any instance takes effect at once on every other.
#[derive(Debug, Clone)]
pub struct Vault {
    pool: PgPool,
    master: Arc<MasterKey>,
}

impl Vault {
    /// A vault over `pool` (the event-store database) with `master`.
    pub fn new(pool: PgPool, master: MasterKey) -> Self {
        Vault {
            pool,
            master: Arc::new(master),
        }
    }

    /// Seal every personal object of every value in place, creating a data key for each
    /// person who has none.
    #[tracing::instrument(skip_all, fields(values = values.len()))]
    pub async fn seal(&self, values: &mut [Value]) -> Result<(), VaultError> {
        let mut people: Vec<Uuid> = values.iter().flat_map(people_in_clear).collect();
        people.sort();
        people.dedup();
        if people.is_empty() {
            return Ok(());
        }
        let keys = self.keys_for(&people).await?;
        for v in values.iter_mut() {
            walk_objects(v, &mut |o| match details_person(o) {
                Some(person) => {
                    let (key_id, data_key) =
                        keys.get(&person).ok_or_else(|| VaultError::Corrupt {
                            person_id: person.to_string(),
                            reason: "no data key after creating one".into(),
                        })?;
                    seal_object(o, person, *key_id, data_key).map(|()| true)
                }
                None => Ok(false),
            })?;
        }
        Ok(())
    }

    /// Open every sealed object of every value in place; where the key is gone (erased),
    /// leave `{"person_id": …, "erased": true}`.
    #[tracing::instrument(skip_all, fields(values = values.len()))]
    pub async fn unseal(&self, values: &mut [Value]) -> Result<(), VaultError> {
        let mut ids: Vec<Uuid> = values.iter().flat_map(key_ids).collect();
        ids.sort();
        ids.dedup();
        if ids.is_empty() {
            return Ok(());
        }
        let mut open = HashMap::new();
        for k in keys::by_key_id(&self.pool, &ids).await? {
            let data_key = self.master.unwrap_key(k.person_id, k.key_id, &k.wrapped)?;
            open.insert(k.key_id, (k.person_id, data_key));
        }
        for v in values.iter_mut() {
            walk_objects(v, &mut |o| match sealed_key(o) {
                Some((person, key_id)) => {
                    match open.get(&key_id) {
                        Some((owner, data_key)) if *owner == person => open_object(o, data_key)?,
                        Some(_) => {
                            return Err(VaultError::Corrupt {
                                person_id: person.to_string(),
                                reason: format!("key {key_id} belongs to another person"),
                            });
                        }
                        None => erase_object(o, person),
                    }
                    Ok(true)
                }
                None => Ok(false),
            })?;
        }
        Ok(())
    }

    /// Delete the person's data key: everything sealed for them becomes unreadable. `true`
    /// if a key was deleted; erasing twice is harmless.
    #[tracing::instrument(skip(self))]
    pub async fn erase(&self, person_id: Uuid) -> Result<bool, VaultError> {
        let deleted = keys::delete(&self.pool, person_id).await?;
        tracing::info!(%person_id, deleted, "personal data key erased");
        Ok(deleted)
    }

    /// The (key id, data key) of each person, creating missing keys.
    async fn keys_for(
        &self,
        people: &[Uuid],
    ) -> Result<HashMap<Uuid, (Uuid, Vec<u8>)>, VaultError> {
        let mut found = keys::by_person(&self.pool, people).await?;
        let missing: Vec<Uuid> = people
            .iter()
            .copied()
            .filter(|p| !found.iter().any(|k| k.person_id == *p))
            .collect();
        if !missing.is_empty() {
            for person in &missing {
                let key_id = Uuid::now_v7();
                let wrapped = self.master.wrap(*person, key_id, &new_data_key()?)?;
                keys::insert_if_missing(
                    &self.pool,
                    &StoredKey {
                        person_id: *person,
                        key_id,
                        wrapped,
                    },
                )
                .await?;
            }
            found = keys::by_person(&self.pool, people).await?;
        }
        let mut out = HashMap::new();
        for k in found {
            let data_key = self.master.unwrap_key(k.person_id, k.key_id, &k.wrapped)?;
            out.insert(k.person_id, (k.key_id, data_key));
        }
        Ok(out)
    }
}
