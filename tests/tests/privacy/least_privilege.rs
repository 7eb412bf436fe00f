//! The services' Postgres roles: the command service's may append and read events but never
//! change or delete them; the projection's may read them but not write them.

use std::time::Instant;

use e2e::roles::{COMMAND_ROLE, PROJECTION_ROLE, as_role};
use sqlx::{Connection, PgConnection};
use uuid::Uuid;

use crate::support::*;

/// The SQLSTATE of a statement's failure (`None`: it succeeded).
async fn refused(conn: &mut PgConnection, sql: &str) -> Option<String> {
    match sqlx::query(sqlx::AssertSqlSafe(sql.to_owned()))
        .execute(&mut *conn)
        .await
    {
        Ok(_) => None,
        Err(sqlx::Error::Database(e)) => Some(e.code().unwrap_or_default().into_owned()),
        Err(e) => panic!("{sql}: {e}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_role_cannot_update_or_delete_events_and_projection_role_cannot_write_them() {
    let started = Instant::now();
    // The services run as their roles: a registration goes through and is projected, so the
    // grants are enough for both.
    let stack = stack().await;
    let lp = register(&stack, vec![person("Rowena")]).await;
    let id = format!("'{lp}'");

    let mut command = PgConnection::connect(&as_role(stack.events.url(), COMMAND_ROLE))
        .await
        .expect("command role connects");
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM events")
        .fetch_one(&mut command)
        .await
        .expect("the command role reads events");
    assert!(count >= 1);
    for sql in [
        format!("UPDATE events SET event_type = 'x' WHERE stream_id = {id}"),
        format!("DELETE FROM events WHERE stream_id = {id}"),
        "TRUNCATE events".to_owned(),
        "CREATE TABLE sneaky (x int)".to_owned(),
    ] {
        assert_eq!(
            refused(&mut command, &sql).await.as_deref(),
            Some("42501"),
            "{sql} as {}",
            COMMAND_ROLE.0
        );
    }

    let mut projection = PgConnection::connect(&as_role(stack.events.url(), PROJECTION_ROLE))
        .await
        .expect("projection role connects");
    let insert = format!(
        "INSERT INTO events (stream_id, stream_kind, lead_provider_id, version, event_id, \
         event_type, schema_version, payload, metadata, recorded_at) \
         VALUES ({id}, 'lead_provider', {id}, 99, '{}', 'x', 1, '{{}}', '{{}}', now())",
        Uuid::now_v7()
    );
    for sql in [
        insert.as_str(),
        "UPDATE streams SET version = version + 1",
        "SELECT * FROM person_keys",
        "DELETE FROM events",
    ] {
        assert_eq!(
            refused(&mut projection, sql).await.as_deref(),
            Some("42501"),
            "{sql} as {}",
            PROJECTION_ROLE.0
        );
    }

    // Defence in depth: even the owner cannot change an event (the trigger).
    let mut owner = stack.events.pool().acquire().await.expect("owner");
    assert_eq!(
        refused(
            &mut owner,
            &format!("DELETE FROM events WHERE stream_id = {id}")
        )
        .await
        .as_deref(),
        Some("42501")
    );
    let _ = command.close().await;
    let _ = projection.close().await;
    drop(owner);
    stack.stop().await;
    eprintln!("least privilege: {:?}", started.elapsed());
}
