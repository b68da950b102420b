//! Limits per identity: a budget of requests (a token bucket) and of failures (a sliding
//! window) for each caller, past either of which it is refused for a while. Consulates'
//! verifications and everyone's aggregate queries draw on one each.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// A per-identity budget: a burst and a sustained rate, and (used for verification) a budget
/// of unknown codes.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Verifications in a burst.
    pub burst: u32,
    /// Verifications a minute, sustained.
    pub per_minute: u32,
    /// Unknown codes within `window` before the consulate is refused until the window clears.
    pub failures: usize,
    /// The window for unknown codes.
    pub window: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            burst: 20,
            per_minute: 30,
            failures: 10,
            window: Duration::from_secs(600),
        }
    }
}

#[derive(Debug)]
struct Budget {
    tokens: f64,
    refilled: Instant,
    failures: VecDeque<Instant>,
}

/// Per-identity budgets.
#[derive(Debug)]
pub struct RateLimiter {
    limits: Limits,
    budgets: Mutex<HashMap<String, Budget>>,
}

/// Why a verification was not even tried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refused {
    /// Too many verifications in a short time.
    Burst {
        /// When to try again.
        retry_after: Duration,
    },
    /// Too many unknown codes.
    Guessing {
        /// When to try again.
        retry_after: Duration,
    },
}

impl RateLimiter {
    /// A limiter with these limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            limits,
            budgets: Mutex::default(),
        }
    }

    /// Takes one verification from `who`'s budget, or says when to come back.
    pub fn take(&self, who: &str, now: Instant) -> Result<(), Refused> {
        let mut budgets = self.budgets.lock().unwrap_or_else(PoisonError::into_inner);
        let limits = self.limits;
        let budget = budgets.entry(who.to_owned()).or_insert_with(|| Budget {
            tokens: f64::from(limits.burst),
            refilled: now,
            failures: VecDeque::new(),
        });
        while budget
            .failures
            .front()
            .is_some_and(|t| now.duration_since(*t) >= limits.window)
        {
            budget.failures.pop_front();
        }
        if budget.failures.len() >= limits.failures {
            let oldest = budget.failures.front().copied().unwrap_or(now);
            return Err(Refused::Guessing {
                retry_after: limits.window.saturating_sub(now.duration_since(oldest)),
            });
        }
        let rate = f64::from(limits.per_minute.max(1)) / 60.0;
        budget.tokens = (budget.tokens + now.duration_since(budget.refilled).as_secs_f64() * rate)
            .min(f64::from(limits.burst));
        budget.refilled = now;
        if budget.tokens < 1.0 {
            return Err(Refused::Burst {
                retry_after: Duration::from_secs_f64((1.0 - budget.tokens) / rate),
            });
        }
        budget.tokens -= 1.0;
        Ok(())
    }

    /// Counts an unknown code against `who`.
    pub fn failed(&self, who: &str, now: Instant) {
        if let Some(b) = self
            .budgets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_mut(who)
        {
            b.failures.push_back(now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bursts_and_guessing_are_refused_for_a_while() {
        let limiter = RateLimiter::new(Limits {
            burst: 3,
            per_minute: 60,
            failures: 2,
            window: Duration::from_secs(60),
        });
        let t0 = Instant::now();
        for _ in 0..3 {
            assert_eq!(limiter.take("a", t0), Ok(()));
        }
        assert!(matches!(limiter.take("a", t0), Err(Refused::Burst { .. })));
        assert_eq!(limiter.take("b", t0), Ok(()), "budgets are per identity");
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(limiter.take("a", t1), Ok(()), "one a second comes back");
        limiter.failed("b", t1);
        limiter.failed("b", t1);
        let Err(Refused::Guessing { retry_after }) = limiter.take("b", t1) else {
            panic!("two unknown codes in the window");
        };
        assert_eq!(retry_after, Duration::from_secs(60));
        assert_eq!(limiter.take("b", t1 + Duration::from_secs(61)), Ok(()));
    }
}
