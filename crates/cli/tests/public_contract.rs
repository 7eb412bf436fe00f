//! The DfE contract end to end: every public message the relay emits during a lifecycle
//! validates against the published JSON Schema, and no personal data of the history reaches
//! the public subject (R26, R31).
//!
//! What counts as personal data is derived from the domain's own type: an object shaped like
//! `domain::personal::PersonalDetails` (its always-present keys, found by serialising one)
//! anywhere in the stored events; every string inside such an object must be absent from the
//! public messages' bytes, headers included. No list of banned names or field names.

mod common;

use std::collections::BTreeSet;

use common::journey::{caught_up, drive, london};
use common::stack::{Stack, poll};
use domain::ids::PersonId;
use domain::personal::{PersonName, PersonalDetails};
use serde_json::Value;

/// The keys every serialised `PersonalDetails` has (optional fields left out).
fn personal_keys() -> BTreeSet<String> {
    let sample = PersonalDetails {
        person_id: PersonId::new(uuid::Uuid::new_v4()).expect("id"),
        name: PersonName::new("Sample Person").expect("name"),
        email: None,
        phone: None,
    };
    match serde_json::to_value(&sample).expect("serialises") {
        Value::Object(map) => map.keys().cloned().collect(),
        other => panic!("PersonalDetails is not an object: {other}"),
    }
}

/// Every string inside a personal-data object anywhere in `v`.
fn collect_personal(v: &Value, keys: &BTreeSet<String>, inside: bool, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(map) => {
            let personal = inside || keys.iter().all(|k| map.contains_key(k));
            for value in map.values() {
                collect_personal(value, keys, personal, out);
            }
        }
        Value::Array(items) => items
            .iter()
            .for_each(|i| collect_personal(i, keys, inside, out)),
        Value::String(s) if inside => {
            out.insert(s.clone());
        }
        _ => {}
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r26_r31_public_messages_validate_against_the_schema_and_carry_no_personal_data() {
    let stack = Stack::start(london(2027, 3, 1, 9, 0)).await;
    let l = drive(&stack).await;
    caught_up(&stack, &l).await;

    // What the history holds about people, opened as the command service opens it (the store
    // holds it sealed, R31).
    let rows: Vec<(Value, Value)> = sqlx::query_as("SELECT payload, metadata FROM events")
        .fetch_all(stack.events.pool())
        .await
        .expect("events");
    let (mut payloads, metadata): (Vec<Value>, Vec<Value>) = rows.into_iter().unzip();
    privacy::Vault::new(
        stack.events.pool().clone(),
        privacy::MasterKey::development(),
    )
    .unseal(&mut payloads)
    .await
    .expect("unsealed");
    let keys = personal_keys();
    let mut personal = BTreeSet::new();
    for (payload, metadata) in payloads.iter().zip(&metadata) {
        collect_personal(payload, &keys, false, &mut personal);
        collect_personal(metadata, &keys, false, &mut personal);
    }
    assert!(
        personal.len() >= 10,
        "the history holds personal data: {}",
        personal.len()
    );

    // Every message on the public stream (the relay publishes them before the internal ones).
    let public = bus::PublicConfig::derived_from(&stack.bus);
    let stream = stack
        .nats
        .jetstream()
        .get_stream(&public.stream_name)
        .await
        .expect("public stream");
    let messages = poll("both shares on the public stream", || {
        let stream = stream.clone();
        async move {
            let last = stream.get_info().await.ok()?.state.last_sequence;
            if last < 2 {
                return None;
            }
            let mut all = Vec::new();
            for seq in 1..=last {
                all.push(stream.get_raw_message(seq).await.ok()?);
            }
            Some(all)
        }
    })
    .await;
    assert_eq!(messages.len(), 2, "one public message per share");

    let schema: Value =
        serde_json::from_str(domain::public::REPORT_SHARED_V1_SCHEMA).expect("schema");
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the schema compiles");
    for m in &messages {
        assert_eq!(
            m.subject.as_str(),
            public.subject("report_shared", l.lead_provider.parse().expect("uuid"))
        );
        let body: Value = serde_json::from_slice(&m.payload).expect("JSON body");
        let errors: Vec<String> = validator
            .iter_errors(&body)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{body} does not validate: {errors:?}");
        let mut raw = m.payload.to_vec();
        for (name, values) in m.headers.iter() {
            raw.extend_from_slice(name.to_string().as_bytes());
            for v in values {
                raw.extend_from_slice(v.as_str().as_bytes());
            }
        }
        let raw = String::from_utf8_lossy(&raw);
        for p in &personal {
            assert!(
                !raw.contains(p.as_str()),
                "personal data {p:?} reached the public subject"
            );
        }
    }
    let stages: BTreeSet<String> = messages
        .iter()
        .map(|m| {
            serde_json::from_slice::<Value>(&m.payload).expect("json")["stage"]
                .as_str()
                .unwrap_or("")
                .to_owned()
        })
        .collect();
    assert_eq!(
        stages,
        BTreeSet::from(["draft".to_owned(), "final".to_owned()])
    );
    stack.stop().await;
}
