//! Waiting for something to become true, with a deadline: the tests never sleep a fixed time.

use std::future::Future;
use std::time::Duration;

/// How long an ordinary condition (a read model catching up) may take.
pub const DEADLINE: Duration = Duration::from_secs(30);

/// Poll `check` until it returns `Some`, backing off from 5 ms to 200 ms; panics naming
/// `what` after `deadline`.
pub async fn until<T, F, Fut>(what: &str, deadline: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    match try_until(deadline, &mut check).await {
        Some(value) => value,
        None => panic!("{what}: not within {deadline:?}"),
    }
}

/// Like [`until`], but `None` after `deadline` instead of a panic.
pub async fn try_until<T, F, Fut>(deadline: Duration, mut check: F) -> Option<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let end = tokio::time::Instant::now() + deadline;
    let mut delay = Duration::from_millis(5);
    loop {
        if let Some(value) = check().await {
            return Some(value);
        }
        if tokio::time::Instant::now() >= end {
            return None;
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_millis(200));
    }
}
