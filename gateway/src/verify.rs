//! Consular verification: a receipt code in, what the origin grants that consulate out. Each
//! consulate has a budget of verifications (a token bucket) and of unknown codes (a sliding
//! window); past either, it is refused for a while. Every unknown code is logged with the
//! consulate's identity, never with the code.

use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use midwa_certs::Role;
use midwa_proto::pb;
use midwa_proto::policy::{DataClass, Dimension};
use midwa_proto::receipt::ReceiptCode;
use midwa_proto::vocab::{Mode, ReturnType};

use crate::consent::{Consent, Decision};
use crate::stats::{Statistics, key};

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

/// The outcome of one verification, for the answer and the origin's access log.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The answer.
    pub response: pb::VerifyResponse,
    /// The origin and what was decided, if a record matched the code.
    pub decision: Option<(midwa_proto::codes::CountryCode, Decision)>,
}

/// Looks the code up and answers with what the origin grants `requester`.
pub fn verify(
    code: &ReceiptCode,
    requester: &Role,
    stats: &Statistics,
    consent: &Consent,
) -> Result<Outcome, crate::stats::AnswerError> {
    let not_verified = pb::VerifyResponse::default();
    let Some(found) = stats.receipt(&code.digest())? else {
        return Ok(Outcome {
            response: not_verified,
            decision: None,
        });
    };
    let decision = consent.decide(found.origin, requester, DataClass::Verification, &[]);
    let Decision::Allowed {
        version, granted, ..
    } = &decision
    else {
        return Ok(Outcome {
            response: not_verified,
            decision: Some((found.origin, decision)),
        });
    };
    let has = |d: Dimension| granted.contains(&d);
    let field = |d: Dimension| key::field(u128::from(found.profile), d);
    let response = pb::VerifyResponse {
        verified: true,
        origin: found.origin.to_string(),
        return_month: has(Dimension::Period)
            .then(|| found.month.map(|m| m.to_string()))
            .flatten(),
        mode: has(Dimension::Mode)
            .then(|| Mode::from_pb(field(Dimension::Mode) as i32).map(|m| m.as_str().to_owned()))
            .flatten(),
        host_country: has(Dimension::HostCountry)
            .then(|| key::country_of(field(Dimension::HostCountry)).map(|c| c.to_string()))
            .flatten(),
        return_type: has(Dimension::ReturnType)
            .then(|| {
                ReturnType::from_pb(field(Dimension::ReturnType) as i32)
                    .map(|t| t.as_str().to_owned())
            })
            .flatten(),
        assisted: has(Dimension::Assisted).then_some(found.assisted),
        policy_version: *version,
    };
    Ok(Outcome {
        response,
        decision: Some((found.origin, decision)),
    })
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
