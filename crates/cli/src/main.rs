//! `inspectionctl`: the operator command-line tool for Ofsted ECF/NPQ lead-provider inspections.
//!
//! Kept thin on purpose: argument parsing lives in [`cmd`], one file per command group, and
//! all rules live in the `domain` crate, so the CLI can never disagree with the server.

mod cmd;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cmd::Cli::parse();
    let mut out = std::io::stdout().lock();
    match cmd::run(cli, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // `{:#}` prints the whole context chain on one line: "loading ...: reason".
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
