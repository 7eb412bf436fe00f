//! Acceptance (issue 7): every command RPC authenticates its caller with a bearer token and
//! enforces the role × command table of DOMAIN.md "Actors"; a provider user gets nothing of
//! another provider's inspection; nothing is appended in any refused case.
//!
//! The table-driven tests call each RPC by name (its `CommandKind`'s) with an empty body, so a
//! new command or role is covered without touching this file.

mod common;

use std::time::Duration;

use auth::Identity;
use auth::dev::{DEFAULT_TTL, Minter, claims_for, now_secs};
use common::*;
use domain::ids::LeadProviderId;
use domain::permissions::{CommandKind, Role, is_allowed};
use proto::pb;
use tonic::codegen::http::uri::PathAndQuery;
use tonic::transport::Channel;
use tonic::{Code, Request, Status};
use uuid::Uuid;

/// Calls RPC `rpc` of the command service with an empty message (every request's default),
/// ignoring the body of an answer.
async fn call(channel: &Channel, rpc: &str, request: Request<()>) -> Result<(), Status> {
    let mut grpc = tonic::client::Grpc::new(channel.clone());
    grpc.ready()
        .await
        .map_err(|e| Status::unavailable(e.to_string()))?;
    let path = PathAndQuery::try_from(format!("/{}/{rpc}", pb::COMMAND_SERVICE_NAME))
        .expect("path of an rpc");
    grpc.unary::<(), (), _>(request, path, tonic_prost::ProstCodec::default())
        .await
        .map(|_| ())
}

fn rpc(kind: CommandKind) -> String {
    format!("{kind:?}")
}

/// Someone in `role` (provider users act for `lead_provider`).
fn someone(role: Role, lead_provider: Uuid) -> Identity {
    let lp = (role == Role::LeadProvider).then(|| LeadProviderId::new(lead_provider).unwrap());
    Identity::new(format!("{role}-user"), role, lp).unwrap()
}

fn bearer(token: &str) -> Request<()> {
    with_token((), token)
}

/// Tokens that must all be refused with this reason.
fn bad_tokens() -> Vec<(&'static str, Option<String>)> {
    let scheduler = someone(Role::Scheduler, Uuid::nil());
    let dev = Minter::dev();
    let mut expired = claims_for(&scheduler, auth::DEFAULT_AUDIENCE, DEFAULT_TTL);
    expired.iat = now_secs() - 7200;
    expired.exp = now_secs() - 3600;
    let wrong_audience = dev
        .mint(&scheduler, "elsewhere.example.org", DEFAULT_TTL)
        .unwrap();
    // The signature of a scheduler's token under an operator's claims.
    let good = auth::dev::token_for(&scheduler);
    let other = auth::dev::token_for(&someone(Role::QualityAssurer, Uuid::nil()));
    let forged = {
        let g: Vec<&str> = good.split('.').collect();
        let o: Vec<&str> = other.split('.').collect();
        format!("{}.{}.{}", g[0], o[1], g[2])
    };
    vec![
        ("TOKEN_MISSING", None),
        ("TOKEN_EXPIRED", Some(dev.sign(&expired).unwrap())),
        ("TOKEN_AUDIENCE", Some(wrong_audience)),
        ("TOKEN_SIGNATURE", Some(forged)),
        ("TOKEN_INVALID", Some("not-a-jwt".to_owned())),
    ]
}

#[tokio::test]
async fn every_command_rpc_refuses_missing_expired_wrong_audience_and_forged_tokens() {
    let app = spawn_app().await;
    let (lp, _) = app.register_provider().await;
    let before = app.count_events().await;
    let started = std::time::Instant::now();
    for kind in CommandKind::ALL {
        for (reason_expected, token) in bad_tokens() {
            let request = match &token {
                Some(t) => bearer(t),
                None => Request::new(()),
            };
            let status = call(&app.channel, &rpc(kind), request).await.unwrap_err();
            assert_eq!(
                reason(&status, Code::Unauthenticated),
                reason_expected,
                "{kind:?}: {status:?}"
            );
        }
    }
    // The old identity headers name no one.
    let mut request = Request::new(());
    request
        .metadata_mut()
        .insert("x-actor-subject", "u1".parse().unwrap());
    request
        .metadata_mut()
        .insert("x-actor-role", "scheduler".parse().unwrap());
    let status = call(&app.channel, "PlanInspection", request)
        .await
        .unwrap_err();
    assert_eq!(reason(&status, Code::Unauthenticated), "TOKEN_MISSING");
    assert_eq!(app.count_events().await, before, "nothing appended");
    eprintln!(
        "{} refusals in {:?}",
        CommandKind::ALL.len() * 5 + 1,
        started.elapsed()
    );
    let _ = lp;
    app.stop().await;
}

#[tokio::test]
async fn every_command_rpc_enforces_the_role_table_for_every_role() {
    let app = spawn_app().await;
    let (lp, _) = app.register_provider().await;
    for kind in CommandKind::ALL {
        for role in Role::ALL {
            let before = app.count_events().await;
            let who = someone(role, lp);
            let result = call(&app.channel, &rpc(kind), with_identity((), &who)).await;
            if is_allowed(role, kind) {
                // Past authorisation: the empty body is refused by a domain rule instead.
                let status = result.expect_err("an empty command is never carried out");
                assert!(
                    !matches!(
                        status.code(),
                        Code::PermissionDenied | Code::Unauthenticated
                    ),
                    "{role} may {kind:?}: {status:?}"
                );
            } else {
                let status = result.expect_err("refused");
                assert_eq!(
                    reason(&status, Code::PermissionDenied),
                    "ROLE_NOT_PERMITTED",
                    "{role} may not {kind:?}"
                );
            }
            assert_eq!(app.count_events().await, before, "{role} {kind:?}");
        }
    }
    app.stop().await;
}

#[tokio::test]
async fn allowed_roles_carry_out_commands_and_operators_write_nothing() {
    let app = spawn_app().await;
    let (lp, _) = app.register_provider().await;
    let planned = app.plan(lp).await;
    let id = planned.inspection_id.clone();
    let mut client = app.client.clone();
    let cancel = || pb::CancelInspectionRequest {
        meta: meta(&id),
        reason: "provider withdrew".into(),
    };
    // An operator reads everything and writes nothing, not even with a valid command.
    let before = app.count_events().await;
    for role in [Role::Operator, Role::Dfe, Role::Inspector] {
        let status = client
            .cancel_inspection(with_identity(cancel(), &someone(role, lp)))
            .await
            .unwrap_err();
        assert_eq!(
            reason(&status, Code::PermissionDenied),
            "ROLE_NOT_PERMITTED"
        );
    }
    assert_eq!(app.count_events().await, before);
    let done = client
        .cancel_inspection(as_scheduler(cancel()))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(done.new_version, 2);
    assert_eq!(app.count_events().await, before + 1);
    app.stop().await;
}

#[tokio::test]
async fn a_provider_user_gets_nothing_of_another_providers_inspection() {
    let app = spawn_app().await;
    let (own, _) = app.register_provider().await;
    let (other, _) = app.register_provider().await;
    let theirs = app.plan(other).await.inspection_id;
    let mine = app.plan(own).await.inspection_id;
    let missing = Uuid::now_v7().to_string();
    let mut client = app.client.clone();
    let concern = |inspection: &str, expected_version: Option<u64>| pb::RaiseConcernRequest {
        meta: Some(pb::CommandMeta {
            inspection_id: inspection.to_owned(),
            expected_version,
            ..Default::default()
        }),
        concern_id: Uuid::now_v7().to_string(),
        summary: "safeguarding concern about a mentor".into(),
    };
    let before = app.count_events().await;
    let mut answers = Vec::new();
    for (inspection, expected) in [
        (&theirs, None),
        (&theirs, Some(7)),
        (&missing, None),
        (&missing, Some(7)),
    ] {
        let status = client
            .raise_concern(as_provider(concern(inspection, expected), own))
            .await
            .unwrap_err();
        // Not ABORTED with the stream's version, not NOT_FOUND: the same refusal either way.
        assert_eq!(
            reason(&status, Code::PermissionDenied),
            "LEAD_PROVIDER_MISMATCH"
        );
        assert!(!status.message().contains(&other.to_string()), "{status:?}");
        answers.push(status.message().to_owned());
    }
    answers.dedup();
    assert_eq!(answers.len(), 1, "indistinguishable: {answers:?}");
    assert_eq!(app.count_events().await, before, "nothing appended");

    // On its own inspection it gets past authorisation.
    let own_answer = client
        .raise_concern(as_provider(concern(&mine, None), own))
        .await;
    if let Err(status) = own_answer {
        assert_ne!(status.code(), Code::PermissionDenied, "{status:?}");
    }
    app.stop().await;
}

#[tokio::test]
async fn health_and_reflection_need_no_token() {
    let app = spawn_app().await;
    // `spawn_app` waited for health without a token; reflection answers too.
    let mut reflection =
        tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient::new(
            app.channel.clone(),
        );
    let request = tonic_reflection::pb::v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(
            tonic_reflection::pb::v1::server_reflection_request::MessageRequest::ListServices(
                String::new(),
            ),
        ),
    };
    let mut answers = reflection
        .server_reflection_info(futures::stream::iter([request]))
        .await
        .expect("reflection without a token")
        .into_inner();
    let first = tokio::time::timeout(Duration::from_secs(10), answers.message())
        .await
        .expect("an answer in time")
        .expect("a message");
    assert!(first.is_some());
    app.stop().await;
}
