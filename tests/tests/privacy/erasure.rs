//! R31: sealed from the start; erased by deleting the key; the lifecycle, the read models and
//! a rebuild go on.

use std::time::Instant;

use e2e::api::Who;
use e2e::clock::london;
use e2e::journey::Journey;
use proto::pb;
use uuid::Uuid;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r31_personal_data_is_only_ciphertext_in_the_store_and_on_the_bus() {
    let started = Instant::now();
    let stack = stack().await;
    let rep = person("Rowena");
    let lp = register(&stack, vec![rep.clone()]).await;
    let mut a = Journey::plan(
        &stack.api,
        &stack.clocks,
        (lp, rep.clone()),
        pb::InspectionKind::Full,
        &[pb::Contract::Ecf],
        "2027-01-11",
    )
    .await
    .expect("planned");
    a.at(london(2027, 1, 4, 9, 45));
    a.call().await.expect("called");
    a.confirm().await.expect("confirmed");

    assert_nowhere(&stack, &needles(&rep)).await;
    // Not vacuous: the ciphertext does hold the details, for whoever has the key.
    let opened = serde_json::to_string(&unsealed_payloads(stack.events.pool()).await).unwrap();
    for needle in needles(&rep) {
        assert!(
            opened.contains(&needle),
            "{needle} not in the opened events"
        );
    }
    let view = provider_at(&stack, lp, 1).await;
    assert_eq!(view.representatives, 1);
    assert_eq!(
        view.representative_people,
        [pb::RepresentativeView {
            person_id: rep.person_id.clone(),
            erased: false
        }]
    );
    stack.stop().await;
    eprintln!("sealed from the start: {:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r31_erasure_leaves_no_plaintext_and_the_lifecycle_and_a_rebuild_go_on() {
    let started = Instant::now();
    let stack = stack().await;
    let rep = person("Rowena");
    let other = person("Oswin");
    let lp = register(&stack, vec![rep.clone(), other.clone()]).await;
    let mut a = Journey::plan(
        &stack.api,
        &stack.clocks,
        (lp, rep.clone()),
        pb::InspectionKind::Full,
        &[pb::Contract::Ecf],
        "2027-01-11",
    )
    .await
    .expect("planned");
    a.at(london(2027, 1, 4, 9, 45));
    a.call().await.expect("called");
    a.confirm().await.expect("confirmed");
    let old_key: Uuid = sqlx::query_scalar("SELECT key_id FROM person_keys WHERE person_id = $1")
        .bind(Uuid::parse_str(&rep.person_id).unwrap())
        .fetch_one(stack.events.pool())
        .await
        .expect("the representative has a key");

    // Erase (quality assurer); twice, as a retry would: the second deletes nothing more.
    let erase = || pb::ErasePersonalDataRequest {
        meta: None,
        lead_provider_id: lp.to_string(),
        person_id: rep.person_id.clone(),
        reason: "erasure request DP-2027-042".into(),
    };
    let mut commands = stack.api.commands();
    commands
        .erase_personal_data(Who::QualityAssurer.request(erase()))
        .await
        .expect("erased");
    let again = commands
        .erase_personal_data(Who::QualityAssurer.request(erase()))
        .await
        .expect("erased again")
        .into_inner();
    let refused = commands
        .erase_personal_data(Who::Inspector.request(erase()))
        .await
        .expect_err("an inspector may not erase");
    assert_eq!(refused.code(), tonic::Code::PermissionDenied);

    let view = provider_at(&stack, lp, again.new_version).await;
    assert_eq!(view.representatives, 2);
    let shown: Vec<(String, bool)> = view
        .representative_people
        .iter()
        .map(|p| (p.person_id.clone(), p.erased))
        .collect();
    assert_eq!(
        shown,
        [
            (rep.person_id.clone(), true),
            (other.person_id.clone(), false)
        ]
    );

    // The lifecycle goes on: a second inspection's call with the erased representative is
    // still recognised as a named representative, by person id (R10); new details given then
    // are new data, sealed under a new key.
    let again_details = pb::PersonalDetails {
        person_id: rep.person_id.clone(),
        ..person("Rowan")
    };
    a.at(london(2027, 1, 4, 10, 30));
    let mut b = Journey::plan(
        &stack.api,
        &stack.clocks,
        (lp, again_details.clone()),
        pb::InspectionKind::Full,
        &[pb::Contract::Ecf],
        "2027-02-08",
    )
    .await
    .expect("planned after erasure");
    b.at(london(2027, 2, 1, 9, 45));
    b.call().await.expect("call with the erased representative");
    b.confirm().await.expect("confirmation after erasure");
    a.wait_projected(a.version).await;

    // No plaintext of either set of details anywhere, and the erased one no longer opens.
    let mut all = needles(&rep);
    all.extend(needles(&again_details));
    assert_nowhere(&stack, &all).await;
    let keys: Vec<Uuid> = sqlx::query_scalar("SELECT key_id FROM person_keys")
        .fetch_all(stack.events.pool())
        .await
        .expect("keys");
    assert!(!keys.contains(&old_key), "the erased key is still stored");
    let opened = unsealed_payloads(stack.events.pool()).await;
    let text = serde_json::to_string(&opened).unwrap();
    for needle in needles(&rep) {
        assert!(
            !text.contains(&needle),
            "{needle} still opens after erasure"
        );
    }
    assert!(
        text.contains(&again_details.name),
        "the new details do not open"
    );
    let erased = serde_json::json!({"person_id": rep.person_id, "erased": true});
    let registered = &opened[0]["representatives"][0];
    assert_eq!(registered, &erased, "{registered}");

    // A rebuild from the (sealed) store reproduces the erased state row for row. It runs as
    // the projection's role, as `inspectionctl projections rebuild` would: read-only on the
    // store, owner of the read models.
    let before = views(&stack).await;
    let role = e2e::roles::PROJECTION_ROLE;
    let store = eventstore::EventStore::connect(&e2e::roles::as_role(stack.events.url(), role), 2)
        .await
        .expect("store");
    let read_models = sqlx::PgPool::connect(&e2e::roles::as_role(stack.views.url(), role))
        .await
        .expect("read models");
    projection::rebuild::rebuild(
        &read_models,
        &store,
        domain::calendar::Calendar::bundled(),
        &projection::rebuild::RebuildOptions::default(),
        |_| {},
    )
    .await
    .expect("rebuilt");
    assert_eq!(views(&stack).await, before);
    let view = provider_at(&stack, lp, again.new_version).await;
    assert!(view.representative_people[0].erased);

    stack.stop().await;
    eprintln!("erasure: {:?}", started.elapsed());
}

/// Every rebuilt read-model table, dumped.
async fn views(stack: &e2e::stack::Stack) -> Vec<Vec<String>> {
    let mut conn = stack.views.pool().acquire().await.expect("conn");
    let mut out = Vec::new();
    for table in projection::store::sql::REBUILT_TABLES {
        out.push(
            projection::store::dump::dump_table(&mut conn, table)
                .await
                .expect("dump"),
        );
    }
    out
}
