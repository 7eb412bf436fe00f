//! A progress bar on stderr: done / total, rate and ETA. Redrawn in place on a terminal;
//! one line every few seconds otherwise (logs, CI).

use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// Progress of a long operation.
#[derive(Debug)]
pub struct Progress {
    what: &'static str,
    total: u64,
    started: Instant,
    last_draw: Option<Instant>,
    terminal: bool,
}

impl Progress {
    /// Starts measuring `what` over `total` items.
    pub fn new(what: &'static str, total: u64) -> Self {
        Progress {
            what,
            total,
            started: Instant::now(),
            last_draw: None,
            terminal: std::io::stderr().is_terminal(),
        }
    }

    /// Reports `done` items, drawing at most every 100 ms (terminal) or 2 s (otherwise).
    pub fn update(&mut self, done: u64) {
        let every = if self.terminal {
            Duration::from_millis(100)
        } else {
            Duration::from_secs(2)
        };
        if self.last_draw.is_some_and(|t| t.elapsed() < every) {
            return;
        }
        self.last_draw = Some(Instant::now());
        self.draw(done, self.started.elapsed());
    }

    /// Draws the final state and ends the line.
    pub fn finish(&mut self, done: u64) {
        self.draw(done, self.started.elapsed());
        if self.terminal {
            eprintln!();
        }
    }

    /// Draws a measurement made elsewhere (e.g. by the rebuild itself).
    pub fn draw_measured(&mut self, done: u64, total: u64, rate: f64, eta: Duration) {
        self.total = total;
        self.write(&render(self.what, done, total, rate, Some(eta)));
    }

    fn draw(&self, done: u64, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        let rate = if secs > 0.0 { done as f64 / secs } else { 0.0 };
        let left = self.total.max(done).saturating_sub(done);
        let eta = (rate > 0.0).then(|| Duration::from_secs_f64(left as f64 / rate));
        self.write(&render(self.what, done, self.total, rate, eta));
    }

    fn write(&self, line: &str) {
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let _ = write!(err, "\r{line}\x1b[K");
        } else {
            let _ = writeln!(err, "{line}");
        }
        let _ = err.flush();
    }
}

/// `replay [##########----------] 500/1000  50%  250/s  eta 2s`
pub fn render(what: &str, done: u64, total: u64, rate: f64, eta: Option<Duration>) -> String {
    const WIDTH: u64 = 20;
    let total_shown = total.max(done);
    // Nothing to do counts as done.
    let filled = (done * WIDTH).checked_div(total_shown).unwrap_or(WIDTH);
    let eta = eta.map_or_else(|| "?".to_owned(), |d| format!("{}s", d.as_secs()));
    let percent = (done * 100).checked_div(total_shown).unwrap_or(100);
    format!(
        "{what} [{}{}] {done}/{total_shown}  {percent}%  {rate:.0}/s  eta {eta}",
        "#".repeat(filled as usize),
        "-".repeat((WIDTH - filled) as usize),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_done_total_rate_and_eta() {
        let line = render("rebuild", 500, 1000, 250.0, Some(Duration::from_secs(2)));
        assert_eq!(
            line,
            "rebuild [##########----------] 500/1000  50%  250/s  eta 2s"
        );
        assert!(render("x", 0, 0, 0.0, None).contains("0/0  100%  0/s  eta ?"));
    }
}
