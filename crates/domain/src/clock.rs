//! Where "now" comes from, for both services: the command service's `recorded_at` (R5) and the
//! projection service's deadline status. The system clock in production; a controllable one in
//! tests and demos (`OFSTED_CLOCK`). One definition, so a test or the demo can hand the *same*
//! manual clock to both services.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Duration, Utc};

/// Where "now" comes from. Implementations MUST be cheap and never go backwards on their own
/// (a [`ManualClock`] moves only when told to).
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until set or advanced; clones share the same time, so a test
/// keeps one handle and the service reads another.
#[derive(Debug, Clone)]
pub struct ManualClock(Arc<Mutex<DateTime<Utc>>>);

impl ManualClock {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        ManualClock(Arc::new(Mutex::new(at)))
    }

    /// Move to `at` (backwards too: tests may need it).
    pub fn set(&self, at: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner) = at;
    }

    /// Move forward by `by`.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Real time shifted by a fixed offset: a demo that "starts" at a chosen instant and runs.
#[derive(Debug, Clone, Copy)]
pub struct OffsetClock {
    offset: Duration,
}

impl OffsetClock {
    /// A clock reading `start` now and advancing with real time.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        OffsetClock {
            offset: start - Utc::now(),
        }
    }
}

impl Clock for OffsetClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn manual_clock_clones_share_their_time() {
        let t = Utc.with_ymd_and_hms(2027, 1, 4, 9, 31, 0).unwrap();
        let a = ManualClock::new(t);
        let b = a.clone();
        a.advance(Duration::minutes(5));
        assert_eq!(b.now(), t + Duration::minutes(5));
    }

    #[test]
    fn offset_clock_starts_at_its_instant() {
        let t = Utc.with_ymd_and_hms(2027, 1, 4, 9, 31, 0).unwrap();
        let c = OffsetClock::starting_at(t);
        let d = c.now() - t;
        assert!(d >= Duration::zero() && d < Duration::seconds(5));
    }
}
