//! The limits a client is held to, and the clock the rate limits read
//! (injectable: tests move it by hand instead of waiting).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{BODY_TIMEOUT, http};

/// The time limits a client is held to, the connection limits, and the
/// clock the rate limits read. `Limits::default()` (the constants) is what
/// `parlor intake` and `parlor serve` use; tests shorten the timeouts and
/// move the clock by hand instead of waiting.
#[derive(Clone, Debug)]
pub struct Limits {
    /// For a request's head: `http::HEAD_TIMEOUT`.
    pub head_timeout: Duration,
    /// For the whole of a request's body: `BODY_TIMEOUT`.
    pub body_timeout: Duration,
    /// Connections open at once: `http::MAX_CONNECTIONS`.
    pub max_connections: usize,
    /// What is read of a body refused unread before the connection is
    /// closed: `http::DRAIN_BYTES` and `http::DRAIN_TIMEOUT`.
    pub drain_bytes: usize,
    pub drain_timeout: Duration,
    /// Read by the per-client `flood_seconds` and the site-wide budget.
    pub clock: Clock,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            head_timeout: http::HEAD_TIMEOUT,
            body_timeout: BODY_TIMEOUT,
            max_connections: http::MAX_CONNECTIONS,
            drain_bytes: http::DRAIN_BYTES,
            drain_timeout: http::DRAIN_TIMEOUT,
            clock: Clock::default(),
        }
    }
}

/// The time as the rate limits see it: the system's monotonic clock
/// (`Clock::default()`), or one that moves only when told
/// (`Clock::manual()`, for tests). Clones share the time.
#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// A manual clock's start, and how far it has been moved.
    manual: Option<(Instant, jiff::Timestamp, Arc<Mutex<Duration>>)>,
}

impl Clock {
    /// A clock stopped at the present, moved only by `advance`.
    pub fn manual() -> Clock {
        Clock { manual: Some((Instant::now(), jiff::Timestamp::now(), Arc::default())) }
    }

    fn moved(&self) -> Option<(Instant, jiff::Timestamp, Duration)> {
        let (instant, timestamp, moved) = self.manual.as_ref()?;
        Some((*instant, *timestamp, *moved.lock().unwrap_or_else(|e| e.into_inner())))
    }

    pub fn now(&self) -> Instant {
        match self.moved() {
            Some((start, _, moved)) => start + moved,
            None => Instant::now(),
        }
    }

    /// The date and time, for what depends on the calendar: posts that are
    /// published, comments closed by age, the date a comment is given.
    pub fn timestamp(&self) -> jiff::Timestamp {
        match self.moved() {
            Some((_, start, moved)) => start.saturating_add(moved).unwrap_or(start),
            None => jiff::Timestamp::now(),
        }
    }

    /// Moves a manual clock on by `by`; the system clock is not moved.
    pub fn advance(&self, by: Duration) {
        if let Some((_, _, moved)) = &self.manual {
            *moved.lock().unwrap_or_else(|e| e.into_inner()) += by;
        }
    }
}
