//! The services' least-privilege Postgres roles, set up with `deploy/postgres/roles.sql`
//! exactly as `make run` does, for tests that run the services as those roles.

use std::path::PathBuf;
use std::process::Command;

/// The command service's login role (deploy/postgres/roles.sql).
pub const COMMAND_ROLE: (&str, &str) = ("ofsted_command", "dev-command-service");
/// The projection service's login role.
pub const PROJECTION_ROLE: (&str, &str) = ("ofsted_projection", "dev-projection-service");

/// Run `deploy/postgres/roles.sql` as the administrator of [`testkit::db::admin_url`], with
/// `projection_db` as the projection's own database. Panics (with psql's output) on failure.
pub fn apply(projection_db: &str) {
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../deploy/postgres/roles.sql");
    let output = Command::new("psql")
        .arg(testkit::db::admin_url())
        .args(["-q", "-v", "ON_ERROR_STOP=1"])
        .arg("-v")
        .arg(format!("command_password={}", COMMAND_ROLE.1))
        .arg("-v")
        .arg(format!("projection_password={}", PROJECTION_ROLE.1))
        .arg("-v")
        .arg(format!("projection_db={projection_db}"))
        .arg("-f")
        .arg(&script)
        .output()
        .unwrap_or_else(|e| panic!("cannot run psql for {}: {e}", script.display()));
    assert!(
        output.status.success(),
        "{} failed:\n{}{}",
        script.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `url` (an administrator's URL of some database) with `role`'s credentials instead.
pub fn as_role(url: &str, role: (&str, &str)) -> String {
    let (scheme, rest) = url.split_once("://").expect("a URL with a scheme");
    let host_and_path = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    format!("{scheme}://{}:{}@{host_and_path}", role.0, role.1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_role_replaces_only_the_credentials() {
        assert_eq!(
            as_role(
                "postgres://postgres:postgres@127.0.0.1:5432/t_1?x=y",
                COMMAND_ROLE
            ),
            "postgres://ofsted_command:dev-command-service@127.0.0.1:5432/t_1?x=y"
        );
    }
}
