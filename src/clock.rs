//! What time it is: the system clock in production, a hand-set one in tests.
//!
//! Handlers ask the [`Clock`] in [`crate::web::state::AppState`] for "now" whenever the
//! answer depends on the calendar (a user's today, what is overdue, when a task was written),
//! so a test can stand at any instant (a DST change in Berlin, midnight in Kiritimati) and
//! never depends on the real time. Authentication (token and session expiry) reads the
//! system clock directly: a test clock must never keep a sign-in alive.

use std::sync::{
    Arc,
    atomic::{AtomicI64, Ordering},
};

use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Microseconds since the epoch when hand-set; `None` reads the system clock.
    manual: Option<Arc<AtomicI64>>,
}

impl Clock {
    pub fn system() -> Self {
        Self::default()
    }

    /// A clock that stands at `at` until [`Clock::set`] moves it. Clones share the setting.
    pub fn manual(at: DateTime<Utc>) -> Self {
        Self {
            manual: Some(Arc::new(AtomicI64::new(at.timestamp_micros()))),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        match &self.manual {
            None => Utc::now(),
            Some(micros) => DateTime::from_timestamp_micros(micros.load(Ordering::Relaxed))
                .unwrap_or_else(Utc::now),
        }
    }

    /// Moves a hand-set clock to `at` (every clone sees it); a system clock ignores it.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(micros) = &self.manual {
            micros.store(at.timestamp_micros(), Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_stands_still_until_moved_and_clones_move_with_it() {
        let start = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let clock = Clock::manual(start);
        let shared = clock.clone();
        assert_eq!(clock.now(), start);
        shared.set(start + chrono::Duration::hours(3));
        assert_eq!(clock.now(), start + chrono::Duration::hours(3));
    }

    #[test]
    fn the_system_clock_reads_the_time() {
        let before = Utc::now();
        let clock = Clock::system();
        clock.set(DateTime::from_timestamp(0, 0).unwrap());
        assert!(clock.now() >= before);
    }
}
