//! One "now" for both services: the command service's clock (R5 `recorded_at`) and the
//! projection service's query clock (deadline status), moved together. Both are the manual
//! clocks that `OFSTED_CLOCK=fixed:<instant>` configures, held by handle so a test or the demo
//! can advance them through the weeks.

use chrono::{DateTime, Duration, Utc};

/// The two services' manual clocks.
#[derive(Debug, Clone)]
pub struct Clocks {
    command: command_service::ManualClock,
    query: projection::clock::ManualClock,
}

impl Clocks {
    /// Both clocks standing at `at`.
    pub fn new(at: DateTime<Utc>) -> Self {
        Clocks {
            command: command_service::ManualClock::new(at),
            query: projection::clock::ManualClock::new(at),
        }
    }

    /// Move both to `at`.
    pub fn set(&self, at: DateTime<Utc>) {
        self.command.set(at);
        self.query.set(at);
    }

    /// Move both forward by `by`.
    pub fn advance(&self, by: Duration) {
        self.set(self.now() + by);
    }

    /// The instant both stand at.
    pub fn now(&self) -> DateTime<Utc> {
        use command_service::Clock;
        self.command.now()
    }

    /// The command service's setting.
    pub fn command_setting(&self) -> command_service::ClockSetting {
        command_service::ClockSetting::Manual(self.command.clone())
    }

    /// The projection service's setting.
    pub fn query_setting(&self) -> projection::config::ClockSetting {
        projection::config::ClockSetting::Manual(self.query.clone())
    }
}

/// An instant given as London wall-clock time (GMT or BST as the date has it).
pub fn london(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
    let date = chrono::NaiveDate::from_ymd_opt(y, m, d).expect("a valid date");
    domain::london::at(date, h, mi)
}
