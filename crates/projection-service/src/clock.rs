//! The clock deadline statuses are computed against when a query gives no `as_of`: the
//! domain's [`domain::clock`] (the same `OFSTED_CLOCK` settings as the command service).

pub use domain::clock::{Clock, ManualClock, OffsetClock, SystemClock};
