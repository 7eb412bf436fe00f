//! R5: the two times of every command, as code.
//!
//! `recorded_at` comes from the server's clock and is authoritative; `occurred_at` is when the
//! real-world act happened. Rules and "met at T" use `occurred_at`.

use chrono::{DateTime, Duration, Utc};

use crate::calendar::Calendar;
use crate::error::DomainError;
use crate::london;
use crate::permissions::Role;
use crate::values::OverrideReason;

/// How far ahead of the server clock an `occurred_at` may be (clock skew between systems).
pub const MAX_FUTURE_SKEW: Duration = Duration::minutes(1);

/// How many working days back an `occurred_at` may be without an override reason.
pub const BACKDATE_WORKING_DAYS: i32 = 5;

/// The times fixed for one command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandTimes {
    /// When the act happened (what rules use).
    pub occurred_at: DateTime<Utc>,
    /// When the server recorded it.
    pub recorded_at: DateTime<Utc>,
    /// Why it was recorded more than [`BACKDATE_WORKING_DAYS`] late, when it was.
    pub backdate_reason: Option<OverrideReason>,
}

/// Settle `occurred_at` for a command from `role` recorded at `now`.
///
/// - `lead_provider` (and roles that may not state it): `occurred_at` is `recorded_at`; giving
///   one is refused (`R5_OCCURRED_AT_NOT_ALLOWED`), as is an override.
/// - Others: not after `now` + 1 minute (`R5_OCCURRED_AT_IN_FUTURE`); more than 5 working
///   days before `now`'s London date needs an override reason (`R5_BACKDATE_NEEDS_OVERRIDE`).
pub fn settle(
    role: Role,
    requested: Option<DateTime<Utc>>,
    backdate_reason: Option<OverrideReason>,
    now: DateTime<Utc>,
    calendar: &Calendar,
) -> Result<CommandTimes, DomainError> {
    let Some(occurred_at) = requested else {
        if backdate_reason.is_some() {
            return Err(DomainError::invalid(
                "backdate_reason",
                "R5_OVERRIDE_WITHOUT_OCCURRED_AT",
                "a backdating reason was given without an occurred_at",
            ));
        }
        return Ok(CommandTimes {
            occurred_at: now,
            recorded_at: now,
            backdate_reason: None,
        });
    };
    if !role.may_give_occurred_at() {
        return Err(DomainError::invalid(
            "occurred_at",
            "R5_OCCURRED_AT_NOT_ALLOWED",
            format!(
                "role {role} may not give occurred_at: for its commands occurred_at is the server's recorded_at"
            ),
        ));
    }
    if occurred_at > now + MAX_FUTURE_SKEW {
        return Err(DomainError::invalid(
            "occurred_at",
            "R5_OCCURRED_AT_IN_FUTURE",
            format!(
                "occurred_at {} is after the server time {} (+1 minute allowed)",
                occurred_at.to_rfc3339(),
                now.to_rfc3339()
            ),
        ));
    }
    let occurred_day = london::date_of(occurred_at);
    let now_day = london::date_of(now);
    let limit = calendar.add_working_days(occurred_day, BACKDATE_WORKING_DAYS);
    let too_old = limit < now_day;
    if too_old && backdate_reason.is_none() {
        return Err(DomainError::invalid(
            "occurred_at",
            "R5_BACKDATE_NEEDS_OVERRIDE",
            format!(
                "occurred_at {occurred_day} is more than {BACKDATE_WORKING_DAYS} working days before today {now_day}: give a backdate_reason"
            ),
        ));
    }
    let occurred_at = occurred_at.min(now);
    Ok(CommandTimes {
        occurred_at,
        recorded_at: now,
        backdate_reason: if too_old { backdate_reason } else { None },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::values::Text;
    use chrono::TimeZone;

    fn cal() -> &'static Calendar {
        Calendar::bundled()
    }

    fn t(y: i32, m: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, mi, 0).unwrap()
    }

    #[test]
    fn r05_without_occurred_at_both_times_are_the_server_clock() {
        let now = t(2027, 1, 4, 10, 0);
        let times = settle(Role::Inspector, None, None, now, cal()).unwrap();
        assert_eq!(times.occurred_at, now);
        assert_eq!(times.recorded_at, now);
    }

    #[test]
    fn r05_lead_provider_may_not_give_occurred_at() {
        let now = t(2027, 1, 4, 10, 0);
        let e = settle(Role::LeadProvider, Some(now), None, now, cal()).unwrap_err();
        assert_eq!(e.code, "R5_OCCURRED_AT_NOT_ALLOWED");
        assert_eq!(e.field.as_deref(), Some("occurred_at"));
    }

    #[test]
    fn r05_occurred_at_in_the_future_is_refused_beyond_one_minute() {
        let now = t(2027, 1, 4, 10, 0);
        assert!(
            settle(
                Role::Inspector,
                Some(now + Duration::seconds(59)),
                None,
                now,
                cal()
            )
            .is_ok()
        );
        let e = settle(
            Role::Inspector,
            Some(now + Duration::minutes(2)),
            None,
            now,
            cal(),
        )
        .unwrap_err();
        assert_eq!(e.code, "R5_OCCURRED_AT_IN_FUTURE");
    }

    #[test]
    fn r05_backdating_more_than_five_working_days_needs_an_override() {
        // Now: Mon 2027-01-11. Five working days back: Mon 2027-01-04 (no holidays between).
        let now = t(2027, 1, 11, 12, 0);
        let ok = settle(
            Role::Inspector,
            Some(t(2027, 1, 4, 10, 0)),
            None,
            now,
            cal(),
        )
        .unwrap();
        assert_eq!(ok.occurred_at, t(2027, 1, 4, 10, 0));
        let e = settle(
            Role::Inspector,
            Some(t(2026, 12, 31, 10, 0)),
            None,
            now,
            cal(),
        )
        .unwrap_err();
        assert_eq!(e.code, "R5_BACKDATE_NEEDS_OVERRIDE");
        let reason = Text::new("paper record typed up late").unwrap();
        let ok = settle(
            Role::Inspector,
            Some(t(2026, 12, 31, 10, 0)),
            Some(reason.clone()),
            now,
            cal(),
        )
        .unwrap();
        assert_eq!(ok.backdate_reason, Some(reason));
    }
}
