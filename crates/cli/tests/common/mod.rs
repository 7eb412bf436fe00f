//! Helpers for running the built `inspectionctl` binary in tests.

#![allow(dead_code)] // each test file uses a different subset

pub mod journey;
pub mod stack;

use std::path::PathBuf;
use std::process::{Command, Output};

/// What one run of the binary printed and how it exited.
#[derive(Debug)]
pub struct Run {
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn last_line(&self) -> &str {
        self.stdout.lines().last().unwrap_or("")
    }

    pub fn success(&self) -> bool {
        self.code == Some(0)
    }
}

/// Runs `inspectionctl args…` with the bundled calendar (the env override removed).
pub fn run(args: &[&str]) -> Run {
    run_with_env(args, &[])
}

pub fn run_with_env(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_inspectionctl"));
    cmd.args(args).env_remove("INSPECTIONCTL_CALENDAR");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("the built binary runs");
    Run {
        code: status.code(),
        stdout: String::from_utf8(stdout).expect("utf-8 stdout"),
        stderr: String::from_utf8(stderr).expect("utf-8 stderr"),
    }
}

/// Writes `contents` to a file unique to this test and process, returning its path.
pub fn temp_file(name: &str, contents: &str) -> PathBuf {
    let path =
        std::env::temp_dir().join(format!("inspectionctl-{}-{name}.json", std::process::id()));
    std::fs::write(&path, contents).expect("write temp file");
    path
}
