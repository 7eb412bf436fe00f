//! The results of a run: one table on stdout, and JSON in `target/bench/results.json`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::bound::BoundRun;
use crate::freshness::Freshness;
use crate::load::Throughput;
use crate::queries::QueryLatency;
use crate::rebuild::Rebuild;

/// The machine the run measured.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Machine {
    pub nproc: usize,
    pub memory_mib: u64,
    pub cpu: String,
    pub postgres: String,
    pub nats: String,
}

/// Command throughput at one concurrency beside the bound at the same concurrency.
#[derive(Debug, Clone, Serialize)]
pub struct AtConcurrency {
    pub clients: usize,
    pub commands: Throughput,
    pub bound: Option<BoundRun>,
    /// commands/s ÷ pgbench transactions/s.
    pub ratio: Option<f64>,
}

/// Peak resident memory of the services.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Memory {
    pub command_service_mib: f64,
    pub projection_service_mib: f64,
    pub rebuild_mib: f64,
}

/// Everything a run measured.
#[derive(Debug, Clone, Serialize)]
pub struct Results {
    pub run_id: String,
    pub started_at: String,
    pub machine: Machine,
    pub event_bytes_mean: f64,
    pub throughput: Vec<AtConcurrency>,
    pub freshness: Option<Freshness>,
    pub queries: Vec<QueryLatency>,
    pub rebuild: Option<Rebuild>,
    pub memory: Memory,
}

fn mark(ok: bool) -> &'static str {
    if ok { "ok" } else { "MISSED" }
}

impl Results {
    /// The table printed at the end of `make bench`.
    pub fn table(&self) -> String {
        let mut t = String::new();
        let m = &self.machine;
        let _ = writeln!(
            t,
            "\nmachine: {} cores ({}), {} MiB; {}; nats-server {}",
            m.nproc, m.cpu, m.memory_mib, m.postgres, m.nats
        );
        let _ = writeln!(
            t,
            "event size (payload + metadata): mean {:.0} bytes\n",
            self.event_bytes_mean
        );
        let _ = writeln!(
            t,
            "{:<44} {:>10} {:>10} {:>10}   target",
            "command throughput (closed loop)", "C=1", "C=8", "C=32"
        );
        let row =
            |t: &mut String, label: &str, f: &dyn Fn(&AtConcurrency) -> String, target: &str| {
                let _ = write!(t, "{label:<44}");
                for at in &self.throughput {
                    let _ = write!(t, " {:>10}", f(at));
                }
                let _ = writeln!(t, "   {target}");
            };
        row(
            &mut t,
            "  pgbench bound, one-row insert (tx/s)",
            &|a| {
                a.bound
                    .as_ref()
                    .map_or("-".into(), |b| format!("{:.0}", b.tps))
            },
            "",
        );
        let last = self.throughput.last();
        let c32_ok = last.is_some_and(|a| {
            a.commands.commands_per_sec >= 5000.0 && a.ratio.unwrap_or(0.0) >= 0.4
        });
        row(
            &mut t,
            "  commands/s",
            &|a| format!("{:.0}", a.commands.commands_per_sec),
            &format!("≥ 5000 and ≥ 40% at C=32: {}", mark(c32_ok)),
        );
        row(
            &mut t,
            "  ratio to the bound",
            &|a| a.ratio.map_or("-".into(), |r| format!("{:.0}%", r * 100.0)),
            "",
        );
        row(
            &mut t,
            "  latency p50 (ms)",
            &|a| format!("{:.2}", a.commands.latency.p50_ms),
            "",
        );
        row(
            &mut t,
            "  latency p99 (ms)",
            &|a| format!("{:.2}", a.commands.latency.p99_ms),
            "",
        );
        row(
            &mut t,
            "  latency p999 (ms)",
            &|a| format!("{:.2}", a.commands.latency.p999_ms),
            "",
        );
        row(
            &mut t,
            "  refused",
            &|a| a.commands.refused.to_string(),
            "0",
        );
        if let Some(f) = &self.freshness {
            if f.unseen > 0 {
                let _ = writeln!(
                    t,
                    "\nfreshness at {:.0} commands/s (achieved {:.0}/s): {} of {} answered commands not visible within 10 s of the end (the projection fell behind); of those seen: p50 {:.2} ms, p99 {:.2} ms   target p99 ≤ 20 ms: MISSED",
                    f.target_rate,
                    f.achieved_rate,
                    f.unseen,
                    f.accepted,
                    f.freshness.p50_ms,
                    f.freshness.p99_ms,
                );
            } else {
                let _ = writeln!(
                    t,
                    "\nfreshness at {:.0} commands/s (achieved {:.0}/s, {} unseen): p50 {:.2} ms, p99 {:.2} ms   target p99 ≤ 20 ms: {}",
                    f.target_rate,
                    f.achieved_rate,
                    f.unseen,
                    f.freshness.p50_ms,
                    f.freshness.p99_ms,
                    mark(f.freshness.p99_ms <= 20.0 && f.unseen == 0)
                );
            }
            let _ = writeln!(
                t,
                "  command latency meanwhile: p50 {:.2} ms, p99 {:.2} ms",
                f.command_latency.p50_ms, f.command_latency.p99_ms
            );
        }
        let _ = writeln!(t);
        for q in &self.queries {
            let _ = writeln!(
                t,
                "{:<14} at {:>4.0}/s ({} failed): p50 {:.2} ms, p99 {:.2} ms   target p99 ≤ 2 ms: {}",
                q.query,
                q.rate,
                q.failed,
                q.latency.p50_ms,
                q.latency.p99_ms,
                mark(q.latency.p99_ms <= 2.0 && q.failed == 0)
            );
        }
        if let Some(r) = &self.rebuild {
            let _ = writeln!(
                t,
                "\nrebuild: {} events ({} inspections, filled in {:.0} s): {} replayed in {:.1} s, {:.0} events/s{}   target ≥ 50000: {}",
                r.events,
                r.inspections,
                r.fill_seconds,
                r.replayed,
                r.seconds,
                r.events_per_sec,
                if r.finished {
                    ""
                } else {
                    " (stopped at the time limit)"
                },
                mark(r.events_per_sec >= 50_000.0 && r.finished)
            );
        }
        let mem = &self.memory;
        let _ = writeln!(
            t,
            "\npeak RSS (VmHWM): command-service {:.0} MiB, projection-service {:.0} MiB, projection-service rebuild {:.0} MiB   target ≤ 100 MB each: {}",
            mem.command_service_mib,
            mem.projection_service_mib,
            mem.rebuild_mib,
            mark(mem.command_service_mib.max(mem.projection_service_mib) * 1.048_576 <= 100.0)
        );
        t
    }
}
