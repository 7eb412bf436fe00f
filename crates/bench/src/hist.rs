//! Latency samples and their percentiles.
//!
//! Every sample is kept (microseconds as `u32`, 4 bytes each): a run records at most a few
//! million, and exact percentiles need no histogram crate.

use std::time::Duration;

use serde::Serialize;

/// Latencies of one measurement.
#[derive(Debug, Default, Clone)]
pub struct Samples {
    micros: Vec<u32>,
}

/// Percentiles in milliseconds.
#[derive(Debug, Clone, Copy, Default, Serialize, PartialEq)]
pub struct Percentiles {
    pub count: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub p999_ms: f64,
    pub max_ms: f64,
}

impl Samples {
    /// Record one latency.
    pub fn record(&mut self, d: Duration) {
        self.micros
            .push(u32::try_from(d.as_micros()).unwrap_or(u32::MAX));
    }

    /// Add another set of samples.
    pub fn merge(&mut self, other: Samples) {
        self.micros.extend(other.micros);
    }

    /// How many samples.
    pub fn len(&self) -> usize {
        self.micros.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.micros.is_empty()
    }

    /// Nearest-rank percentiles (all zero without samples).
    pub fn percentiles(&mut self) -> Percentiles {
        if self.micros.is_empty() {
            return Percentiles::default();
        }
        self.micros.sort_unstable();
        let at = |q: f64| {
            let n = self.micros.len();
            let rank = ((q * n as f64).ceil() as usize).clamp(1, n);
            f64::from(self.micros[rank - 1]) / 1000.0
        };
        Percentiles {
            count: self.micros.len(),
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            p999_ms: at(0.999),
            max_ms: at(1.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut s = Samples::default();
        for ms in 1..=1000u64 {
            s.record(Duration::from_millis(ms));
        }
        let p = s.percentiles();
        assert_eq!(p.count, 1000);
        assert_eq!(p.p50_ms, 500.0);
        assert_eq!(p.p99_ms, 990.0);
        assert_eq!(p.p999_ms, 999.0);
        assert_eq!(p.max_ms, 1000.0);
        assert_eq!(Samples::default().percentiles(), Percentiles::default());
    }
}
