//! `inspectionctl`: the operator command-line tool for Ofsted ECF/NPQ lead-provider inspections.
//!
//! Kept thin on purpose: argument parsing and each command live in [`cmd`], one file per
//! command group, and all rules live in the `domain` crate or the services, so the CLI can
//! never disagree with the server.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(cmd::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => match err.downcast_ref::<cmd::errors::ServiceError>() {
            // `RULE_CODE: message`, as the service said it.
            Some(service) => {
                eprintln!("{service}");
                ExitCode::from(service.exit_code())
            }
            None => {
                // `{:#}` prints the whole context chain on one line: "loading ...: reason".
                eprintln!("error: {err:#}");
                ExitCode::FAILURE
            }
        },
    }
}
