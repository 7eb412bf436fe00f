//! Capped exponential backoff for the relay's retries (NATS down, lock held elsewhere).

use std::time::Duration;

/// Doubles from `min` up to `max`; [`Backoff::reset`] after a success.
///
/// No jitter: there is one relay leader and a handful of standbys per deployment, so there is
/// no thundering herd to spread, and tests get predictable timings.
#[derive(Debug, Clone)]
pub(crate) struct Backoff {
    min: Duration,
    max: Duration,
    current: Option<Duration>,
}

impl Backoff {
    pub(crate) fn new(min: Duration, max: Duration) -> Self {
        Self {
            min,
            max: max.max(min),
            current: None,
        }
    }

    /// The next delay to wait.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let next = match self.current {
            None => self.min,
            Some(current) => current.saturating_mul(2).min(self.max),
        };
        self.current = Some(next);
        next
    }

    /// Back to `min` on the next failure.
    pub(crate) fn reset(&mut self) {
        self.current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_then_caps_then_resets() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(500));
        let got: Vec<u128> = (0..5).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(got, vec![100, 200, 400, 500, 500]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_millis(100));
    }

    #[test]
    fn max_below_min_is_min() {
        let mut b = Backoff::new(Duration::from_millis(100), Duration::from_millis(10));
        assert_eq!(b.next_delay(), Duration::from_millis(100));
        assert_eq!(b.next_delay(), Duration::from_millis(100));
    }
}
