//! Whole-table dumps and comparisons: how a rebuild proves its copies equal the live tables
//! before swapping them in, and how the tests compare two projections row for row.

use sqlx::PgConnection;

/// Every row of a read-model table as JSON text, in a stable order.
macro_rules! dump_sql {
    ($table:literal) => {
        concat!(
            "SELECT to_jsonb(t)::text AS row FROM ",
            $table,
            " t ORDER BY 1"
        )
    };
}

/// Rows in one table and not the other (multiset difference, both ways).
macro_rules! diff_sql {
    ($table:literal) => {
        concat!(
            "SELECT count(*) FROM ((SELECT * FROM ",
            $table,
            " EXCEPT ALL SELECT * FROM ",
            $table,
            "_rebuild) UNION ALL (SELECT * FROM ",
            $table,
            "_rebuild EXCEPT ALL SELECT * FROM ",
            $table,
            ")) d"
        )
    };
}

/// The dump statement of a table the projection owns (live tables and the Watch log).
fn dump_statement(table: &str) -> Option<&'static str> {
    Some(match table {
        "inspections" => dump_sql!("inspections"),
        "inspection_events" => dump_sql!("inspection_events"),
        "deadlines" => dump_sql!("deadlines"),
        "reports" => dump_sql!("reports"),
        "lead_providers" => dump_sql!("lead_providers"),
        "applied" => dump_sql!("applied"),
        "changes" => dump_sql!("changes"),
        _ => return None,
    })
}

fn diff_statement(table: &str) -> Option<&'static str> {
    Some(match table {
        "inspections" => diff_sql!("inspections"),
        "inspection_events" => diff_sql!("inspection_events"),
        "deadlines" => diff_sql!("deadlines"),
        "reports" => diff_sql!("reports"),
        "lead_providers" => diff_sql!("lead_providers"),
        "applied" => diff_sql!("applied"),
        _ => return None,
    })
}

/// Every row of `table` (one of [`super::sql::REBUILT_TABLES`] or `changes`) as JSON text,
/// sorted. An unknown table dumps as nothing.
pub async fn dump_table(conn: &mut PgConnection, table: &str) -> Result<Vec<String>, sqlx::Error> {
    let Some(statement) = dump_statement(table) else {
        return Ok(Vec::new());
    };
    sqlx::query_scalar(statement).fetch_all(conn).await
}

/// How many rows differ between `table` and `table_rebuild` (0: equal row for row).
pub async fn differences(conn: &mut PgConnection, table: &str) -> Result<i64, sqlx::Error> {
    let Some(statement) = diff_statement(table) else {
        return Ok(0);
    };
    sqlx::query_scalar(statement).fetch_one(conn).await
}
