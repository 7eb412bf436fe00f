//! `inspectionctl token mint`: development tokens that the services' development key set
//! accepts, refused in production and against other keys.

mod common;

use auth::Identity;
use common::{run, run_with_env};
use domain::permissions::Role;

const LP: &str = "0190f3c4-0000-7000-8000-000000000001";

fn dev_verifier() -> auth::Verifier {
    auth::AuthSettings::default()
        .verifier(false)
        .expect("dev keys")
}

#[test]
fn a_minted_token_verifies_against_the_dev_keys() {
    let r = run(&[
        "token",
        "mint",
        "--role",
        "lead_provider",
        "--lead-provider",
        LP,
        "--subject",
        "lp-user-1",
        "--ttl",
        "10m",
    ]);
    assert!(r.success(), "{r:?}");
    let identity = dev_verifier().verify(r.stdout.trim()).expect("valid token");
    let expected = Identity::new("lp-user-1", Role::LeadProvider, Some(LP.parse().unwrap()));
    assert_eq!(identity, expected.unwrap());
}

#[test]
fn minting_is_refused_in_production_against_other_keys_and_for_bad_claims() {
    let args = ["token", "mint", "--role", "operator"];
    let r = run_with_env(&args, &[("OFSTED_ENV", "production")]);
    assert!(!r.success());
    assert!(r.stderr.contains("production"), "{r:?}");

    let other_keys = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../auth/testdata/rs256-jwks.json"
    );
    let r = run_with_env(&args, &[("OFSTED_JWKS_FILE", other_keys)]);
    assert!(!r.success());
    assert!(r.stderr.contains("refusing to mint"), "{r:?}");

    let dev_keys = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../deploy/dev-keys/jwks.json"
    );
    assert!(run_with_env(&args, &[("OFSTED_JWKS_FILE", dev_keys)]).success());

    assert!(!run(&["token", "mint", "--role", "lead_provider"]).success());
    assert!(!run(&["token", "mint", "--role", "dfe", "--lead-provider", LP]).success());
}
