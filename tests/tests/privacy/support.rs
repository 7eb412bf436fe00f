//! Searching raw bytes, and the people and steps the privacy tests share.

use async_nats::jetstream;
use e2e::api::Who;
use e2e::clock::london;
use e2e::poll;
use e2e::stack::{Stack, StackOptions};
use proto::pb;
use sqlx::{PgPool, Row};
use uuid::Uuid;

/// A stack whose services run as their least-privilege roles, clock at 2026-12-01 10:00.
pub async fn stack() -> Stack {
    let mut options = StackOptions::at(london(2026, 12, 1, 10, 0));
    options.least_privilege = true;
    Stack::start(options).await
}

/// A person with every kind of personal data, each value unique to the test.
pub fn person(label: &str) -> pb::PersonalDetails {
    let tag = &Uuid::new_v4().simple().to_string()[..12];
    pb::PersonalDetails {
        person_id: Uuid::now_v7().to_string(),
        name: format!("{label} Quillfeather {tag}"),
        email: Some(format!(
            "{}.{tag}@provider.example.org",
            label.to_lowercase()
        )),
        phone: Some(format!(
            "+44 20 7946 {}",
            &tag[..4].replace(|c: char| !c.is_ascii_digit(), "5")
        )),
    }
}

/// The strings of a person that must never be found in the clear.
pub fn needles(p: &pb::PersonalDetails) -> Vec<String> {
    let mut n = vec![p.name.clone()];
    n.extend(p.email.clone());
    n.extend(p.phone.clone());
    n
}

/// Every row of every table of the database, all columns cast to text (`bytea` as hex), as
/// the administrator sees it.
pub async fn dump_database(pool: &PgPool) -> String {
    let tables: Vec<String> = sqlx::query_scalar(
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables \
         WHERE schemaname NOT IN ('pg_catalog', 'information_schema')",
    )
    .fetch_all(pool)
    .await
    .expect("tables");
    let mut out = String::new();
    for table in tables {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT t::text FROM {table} t"
        )))
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("dump {table}: {e}"));
        for row in rows {
            out.push_str(&table);
            out.push(' ');
            out.push_str(&row.try_get::<String, _>(0).expect("row text"));
            out.push('\n');
        }
    }
    out
}

/// Every message of a stream, subject, headers and payload, as bytes.
pub async fn dump_stream(js: &jetstream::Context, name: &str) -> Vec<u8> {
    let mut stream = js.get_stream(name).await.expect("stream");
    let last = stream
        .info()
        .await
        .expect("stream info")
        .state
        .last_sequence;
    let mut out = Vec::new();
    for seq in 1..=last {
        let Ok(m) = stream.get_raw_message(seq).await else {
            continue;
        };
        out.extend_from_slice(m.subject.as_bytes());
        out.extend_from_slice(format!("{:?}", m.headers).as_bytes());
        out.extend_from_slice(&m.payload);
        out.push(b'\n');
    }
    out
}

/// Panics when any of `needles` is in `haystack`, in the clear or hex-encoded (`bytea`).
pub fn assert_absent(what: &str, haystack: &[u8], needles: &[String]) {
    let text = String::from_utf8_lossy(haystack).to_lowercase();
    for needle in needles {
        let lower = needle.to_lowercase();
        assert!(
            !text.contains(&lower) && !text.contains(&hex::encode(needle.as_bytes())),
            "{what} holds {needle:?} in the clear"
        );
    }
}

/// Everything searched: the event store, the read models and both streams.
pub async fn assert_nowhere(stack: &Stack, needles: &[String]) {
    let events = dump_database(stack.events.pool()).await;
    assert!(
        events.contains("\"sealed\""),
        "the store holds no sealed data at all"
    );
    assert_absent("the event store", events.as_bytes(), needles);
    let views = dump_database(stack.views.pool()).await;
    assert_absent("the read models", views.as_bytes(), needles);
    let js = stack.nats.jetstream();
    let internal = dump_stream(js, stack.nats.stream_name()).await;
    assert!(!internal.is_empty(), "the stream is empty");
    assert_absent("the internal stream", &internal, needles);
    let public = bus::PublicConfig::derived_from(&stack.bus).stream_name;
    if js.get_stream(&public).await.is_ok() {
        assert_absent(
            "the public stream",
            &dump_stream(js, &public).await,
            needles,
        );
    }
}

/// Register a provider with `representatives`; wait until the projection has it.
pub async fn register(stack: &Stack, representatives: Vec<pb::PersonalDetails>) -> Uuid {
    let id = Uuid::now_v7();
    stack
        .api
        .commands()
        .register_lead_provider(Who::Scheduler.request(pb::RegisterLeadProviderRequest {
            meta: None,
            lead_provider_id: id.to_string(),
            name: "Quillfeather Teaching Partnership".into(),
            framework: pb::FrameworkVersion::FrameworkVersion2024 as i32,
            contracts: vec![pb::Contract::Ecf as i32],
            representatives,
        }))
        .await
        .expect("registered");
    provider_at(stack, id, 1).await;
    id
}

/// The provider's view once the projection has applied `version`.
pub async fn provider_at(stack: &Stack, id: Uuid, version: u64) -> pb::LeadProviderView {
    let queries = stack.api.queries();
    poll::until(
        &format!("lead provider {id} projected at version {version}"),
        poll::DEADLINE,
        || {
            let mut q = queries.clone();
            async move {
                let v = q
                    .get_lead_provider(Who::Operator.request(pb::GetLeadProviderRequest {
                        lead_provider_id: id.to_string(),
                        as_of: None,
                    }))
                    .await
                    .ok()?
                    .into_inner();
                (v.version >= version).then_some(v)
            }
        },
    )
    .await
}

/// Every stored payload of the store, personal data opened with the development master key
/// (what the command service would see).
pub async fn unsealed_payloads(pool: &PgPool) -> Vec<serde_json::Value> {
    let mut payloads: Vec<serde_json::Value> =
        sqlx::query_scalar("SELECT payload FROM events ORDER BY position")
            .fetch_all(pool)
            .await
            .expect("payloads");
    privacy::Vault::new(pool.clone(), privacy::MasterKey::development())
        .unseal(&mut payloads)
        .await
        .expect("unsealed");
    payloads
}
