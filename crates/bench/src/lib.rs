//! `make bench`: how close the inspections system comes to what this machine's Postgres and
//! NATS can do. One process run measures, so that the ratios are fair:
//!
//! 1. the bound — `pgbench` inserting one event-sized row per transaction;
//! 2. command throughput at 1, 8 and 32 concurrent clients, against the bound;
//! 3. freshness — command answered → change on the query service's `Watch` — at 1,000/s;
//! 4. `GetDeadlines` and `ListDeadlines` latency at fixed rates;
//! 5. the rebuild rate over ≥ 1,000,000 stored events;
//! 6. each service's peak RSS.
//!
//! # Layout
//! - [`setup`]: this run's databases, ports, stream and subject names.
//! - [`stack`]: both services as child processes (release build), their peak RSS.
//! - [`identity`]: who the generator acts as, and how that travels with a request.
//! - [`journey`]: inspections driven command by command at the demo clock.
//! - [`load`]: closed- and open-loop drivers.
//! - [`freshness`], [`queries`], [`bound`], [`rebuild`]: one phase each.
//! - [`hist`]: latency percentiles. [`report`]: the table and the JSON.
//! - [`run`]: the phases in order.

pub mod bound;
pub mod freshness;
pub mod hist;
pub mod identity;
pub mod journey;
pub mod load;
pub mod queries;
pub mod rebuild;
pub mod report;
pub mod run;
pub mod setup;
pub mod stack;
