//! Privacy and least privilege (R31, ARCHITECTURE.md "Security and privacy"), on both real
//! services against the real Postgres and NATS, the services connected as their
//! least-privilege Postgres roles (deploy/postgres/roles.sql):
//! - personal data is ciphertext in the event store, on the bus and nowhere in the read
//!   models, before and after erasure (the raw bytes are searched);
//! - `ErasePersonalData` deletes the person's key: their data no longer opens, the read models
//!   and the lifecycle go on, and a rebuild reproduces the erased state;
//! - the command service's role cannot change or delete events, the projection's cannot
//!   write them.

mod erasure;
mod least_privilege;
mod support;
