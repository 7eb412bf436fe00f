//! End-to-end scenarios: both services in-process on port 0 against the real Postgres and
//! NATS, each test with databases, a stream and a subject prefix of its own, driven over gRPC
//! with the clock moved through the weeks; the read models checked after every step.

mod deferral;
mod dfe;
mod full_inspection;
mod late_and_complaints;
mod lpmv;
mod pause;
mod support;
