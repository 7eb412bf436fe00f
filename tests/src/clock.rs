//! One "now" for both services: the command service's clock (R5 `recorded_at`) and the
//! projection service's query clock (deadline status) are the same `domain::clock::ManualClock`
//! (what `OFSTED_CLOCK=fixed:<instant>` configures), held by handle so a test or the demo can
//! advance it through the weeks.

use chrono::{DateTime, Duration, Utc};

/// The manual clock both services read.
#[derive(Debug, Clone)]
pub struct Clocks {
    clock: domain::clock::ManualClock,
}

impl Clocks {
    /// A clock standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Clocks {
            clock: domain::clock::ManualClock::new(at),
        }
    }

    /// Move to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        self.clock.set(at);
    }

    /// Move forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }

    /// The instant it stands at.
    pub fn now(&self) -> DateTime<Utc> {
        use domain::clock::Clock;
        self.clock.now()
    }

    /// The command service's setting.
    pub fn command_setting(&self) -> command_service::ClockSetting {
        command_service::ClockSetting::Manual(self.clock.clone())
    }

    /// The projection service's setting.
    pub fn query_setting(&self) -> projection::config::ClockSetting {
        projection::config::ClockSetting::Manual(self.clock.clone())
    }
}

/// An instant given as London wall-clock time (GMT or BST as the date has it).
pub fn london(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    let date = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    domain::london::at(date, h, mi)
}
