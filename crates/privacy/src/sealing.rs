//! The pure part of sealing: which JSON objects are personal data, and how one is sealed and
//! opened with a data key. No IO, no key storage.
//!
//! A personal object is a serialised `PersonalDetails`: an object with a string `person_id`
//! and a string `name` and no keys but those and `email` / `phone`. A sealed one has
//! `person_id` and an object `sealed`; an erased one `person_id` and `"erased": true`.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, Generate, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::VaultError;

const DETAIL_KEYS: [&str; 4] = ["person_id", "name", "email", "phone"];

/// Whether `o` is a serialised `PersonalDetails` in the clear.
pub fn is_details(o: &Map<String, Value>) -> bool {
    o.get("person_id").is_some_and(Value::is_string)
        && o.get("name").is_some_and(Value::is_string)
        && o.keys().all(|k| DETAIL_KEYS.contains(&k.as_str()))
}

/// The person and key id of a sealed object, if `o` is one.
pub fn sealed_key(o: &Map<String, Value>) -> Option<(Uuid, Uuid)> {
    let person = o.get("person_id")?.as_str()?.parse().ok()?;
    let key = o.get("sealed")?.get("key_id")?.as_str()?.parse().ok()?;
    Some((person, key))
}

/// The person of a personal object in the clear, if `o` is one.
pub fn details_person(o: &Map<String, Value>) -> Option<Uuid> {
    if !is_details(o) {
        return None;
    }
    o.get("person_id")?.as_str()?.parse().ok()
}

/// Call `f` on every object of `v`, depth first, parents before children. `f` returning
/// `true` means it replaced the object, whose (new) contents are then not visited.
pub fn walk_objects<E>(
    v: &mut Value,
    f: &mut impl FnMut(&mut Map<String, Value>) -> Result<bool, E>,
) -> Result<(), E> {
    match v {
        Value::Object(o) => {
            if f(o)? {
                return Ok(());
            }
            for child in o.values_mut() {
                walk_objects(child, f)?;
            }
        }
        Value::Array(items) => {
            for child in items {
                walk_objects(child, f)?;
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => {}
    }
    Ok(())
}

/// Every person whose details appear in the clear in `v`.
pub fn people_in_clear(v: &Value) -> Vec<Uuid> {
    let mut people = Vec::new();
    let mut v = v.clone();
    let _ = walk_objects::<()>(&mut v, &mut |o| {
        if let Some(p) = details_person(o) {
            people.push(p);
            return Ok(true);
        }
        Ok(false)
    });
    people.sort();
    people.dedup();
    people
}

/// Every data key id `v`'s sealed objects need.
pub fn key_ids(v: &Value) -> Vec<Uuid> {
    let mut keys = Vec::new();
    let mut v = v.clone();
    let _ = walk_objects::<()>(&mut v, &mut |o| {
        if let Some((_, k)) = sealed_key(o) {
            keys.push(k);
            return Ok(true);
        }
        Ok(false)
    });
    keys.sort();
    keys.dedup();
    keys
}

/// Seal the details object `o` of `person_id` under `data_key` (id `key_id`), in place.
pub fn seal_object(
    o: &mut Map<String, Value>,
    person_id: Uuid,
    key_id: Uuid,
    data_key: &[u8],
) -> Result<(), VaultError> {
    let cipher = cipher(person_id, data_key)?;
    let plaintext =
        serde_json::to_vec(&Value::Object(o.clone())).map_err(|e| VaultError::Corrupt {
            person_id: person_id.to_string(),
            reason: e.to_string(),
        })?;
    let nonce = XNonce::try_generate().map_err(|e| VaultError::Random(e.to_string()))?;
    let aad = person_id.to_string();
    let ciphertext = cipher
        .encrypt(
            &nonce,
            Payload {
                msg: &plaintext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| corrupt(person_id, "encryption failed"))?;
    *o = sealed_object(person_id, key_id, &nonce, &ciphertext);
    Ok(())
}

fn sealed_object(
    person_id: Uuid,
    key_id: Uuid,
    nonce: &[u8],
    ciphertext: &[u8],
) -> Map<String, Value> {
    let mut o = Map::new();
    o.insert("person_id".into(), json!(person_id));
    o.insert(
        "sealed".into(),
        json!({
            "key_id": key_id,
            "nonce": STANDARD.encode(nonce),
            "ciphertext": STANDARD.encode(ciphertext),
        }),
    );
    o
}

/// Open the sealed object `o` with `data_key`, in place. A box that does not open with its
/// own key is an error, not an erasure.
pub fn open_object(o: &mut Map<String, Value>, data_key: &[u8]) -> Result<(), VaultError> {
    let (person_id, _) = sealed_key(o).ok_or_else(|| VaultError::Corrupt {
        person_id: "?".into(),
        reason: "not a sealed object".into(),
    })?;
    let field = |name: &str| {
        o.get("sealed")
            .and_then(|s| s.get(name))
            .and_then(Value::as_str)
            .and_then(|s| STANDARD.decode(s).ok())
            .ok_or_else(|| corrupt(person_id, &format!("sealed.{name} is not base64")))
    };
    let nonce = XNonce::try_from(field("nonce")?.as_slice())
        .map_err(|_| corrupt(person_id, "bad nonce length"))?;
    let ciphertext = field("ciphertext")?;
    let aad = person_id.to_string();
    let plaintext = cipher(person_id, data_key)?
        .decrypt(
            &nonce,
            Payload {
                msg: &ciphertext,
                aad: aad.as_bytes(),
            },
        )
        .map_err(|_| corrupt(person_id, "the sealed box does not open with its key"))?;
    match serde_json::from_slice(&plaintext) {
        Ok(Value::Object(details)) if details_person(&details) == Some(person_id) => {
            *o = details;
            Ok(())
        }
        _ => Err(corrupt(
            person_id,
            "the sealed box holds no details of its person",
        )),
    }
}

/// Replace `o` (sealed, whose key is gone) with the erased form.
pub fn erase_object(o: &mut Map<String, Value>, person_id: Uuid) {
    let mut erased = Map::new();
    erased.insert("person_id".into(), json!(person_id));
    erased.insert("erased".into(), Value::Bool(true));
    *o = erased;
}

fn cipher(person_id: Uuid, data_key: &[u8]) -> Result<XChaCha20Poly1305, VaultError> {
    let key = Key::try_from(data_key).map_err(|_| corrupt(person_id, "data key length"))?;
    Ok(XChaCha20Poly1305::new(&key))
}

fn corrupt(person_id: Uuid, reason: &str) -> VaultError {
    VaultError::Corrupt {
        person_id: person_id.to_string(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(person: Uuid) -> Value {
        json!({
            "type": "confirmation_email_sent",
            "occurred_at": "2027-01-04T10:00:00Z",
            "recipients": [
                {"person_id": person, "name": "Ada Lovelace", "email": "ada@example.org"}
            ],
            "nested": {"spoke_to": {"person_id": person, "name": "Ada Lovelace"}},
            "not_personal": {"person_id": person}
        })
    }

    #[test]
    fn r31_sealing_hides_every_details_object_and_opening_restores_it() {
        let (person, key_id) = (Uuid::now_v7(), Uuid::now_v7());
        let key = crate::master::new_data_key().unwrap();
        let original = event(person);
        assert_eq!(people_in_clear(&original), vec![person]);
        let mut v = original.clone();
        walk_objects(&mut v, &mut |o| match details_person(o) {
            Some(p) => seal_object(o, p, key_id, &key).map(|()| true),
            None => Ok(false),
        })
        .unwrap();
        let text = v.to_string();
        assert!(!text.contains("Ada"), "{text}");
        assert!(!text.contains("example.org"), "{text}");
        assert_eq!(v["not_personal"], original["not_personal"]);
        assert!(people_in_clear(&v).is_empty());
        assert_eq!(key_ids(&v), vec![key_id]);

        let mut opened = v.clone();
        walk_objects(&mut opened, &mut |o| match sealed_key(o) {
            Some(_) => open_object(o, &key).map(|()| true),
            None => Ok(false),
        })
        .unwrap();
        assert_eq!(opened, original);

        let mut erased = v.clone();
        walk_objects::<()>(&mut erased, &mut |o| match sealed_key(o) {
            Some((p, _)) => {
                erase_object(o, p);
                Ok(true)
            }
            None => Ok(false),
        })
        .unwrap();
        assert_eq!(
            erased["nested"]["spoke_to"],
            json!({"person_id": person, "erased": true})
        );
    }

    #[test]
    fn r31_a_box_moved_to_another_person_or_opened_with_another_key_fails() {
        let (person, key_id) = (Uuid::now_v7(), Uuid::now_v7());
        let key = crate::master::new_data_key().unwrap();
        let mut o = event(person)["nested"]["spoke_to"]
            .as_object()
            .cloned()
            .unwrap();
        seal_object(&mut o, person, key_id, &key).unwrap();
        let mut moved = o.clone();
        moved.insert("person_id".into(), json!(Uuid::now_v7()));
        assert!(open_object(&mut moved, &key).is_err());
        let other = crate::master::new_data_key().unwrap();
        assert!(open_object(&mut o.clone(), &other).is_err());
        assert!(open_object(&mut o, &key).is_ok());
    }
}
