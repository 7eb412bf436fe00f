//! The server's clock (R5 `recorded_at`): the domain's [`domain::clock`], re-exported so the
//! service's API keeps its names.

pub use domain::clock::{Clock, ManualClock, OffsetClock, SystemClock};
