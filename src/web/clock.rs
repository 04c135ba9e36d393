//! The time the service believes it is: the system clock, or a fixed one in
//! tests (closing times must be tested on both sides of the instant).

use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

/// A source of "now".
#[derive(Clone)]
pub struct Clock(Option<Arc<RwLock<DateTime<Utc>>>>);

impl Clock {
    /// The system clock.
    pub fn system() -> Self {
        Self(None)
    }

    /// A clock stopped at `at` until [`Clock::set`] moves it.
    pub fn fixed(at: DateTime<Utc>) -> Self {
        Self(Some(Arc::new(RwLock::new(at))))
    }

    /// Moves a fixed clock; does nothing to the system clock.
    pub fn set(&self, at: DateTime<Utc>) {
        if let Some(shared) = &self.0
            && let Ok(mut now) = shared.write()
        {
            *now = at;
        }
    }

    /// Now.
    pub fn now(&self) -> DateTime<Utc> {
        match &self.0 {
            None => Utc::now(),
            Some(shared) => shared.read().map(|t| *t).unwrap_or_else(|_| Utc::now()),
        }
    }
}
