//! Rate limiting (in place of a CAPTCHA, which fails accessibility), built
//! on `governor` (MIT/Apache-2.0): anonymous posts per client address, and
//! sign-in attempts per address and per account, so guessing one officer's
//! password from many addresses is slowed too (NCSC: throttle rather than
//! lock out).

use std::hash::Hash;
use std::net::IpAddr;
use std::num::NonZeroU32;

use actix_web::HttpRequest;
use governor::{DefaultKeyedRateLimiter, Quota};

use super::error::AppError;
use super::state::AppState;

/// Allows a burst of `n` attempts per key, refilled at `n` per period.
pub struct RateLimiter<K: Hash + Eq + Clone = IpAddr> {
    inner: DefaultKeyedRateLimiter<K>,
}

impl<K: Hash + Eq + Clone> RateLimiter<K> {
    /// `n` attempts per minute per key (at least 1).
    pub fn per_minute(n: u32) -> Self {
        Self::new(Quota::per_minute(non_zero(n)))
    }

    /// `n` attempts per hour per key (at least 1), as a burst refilled
    /// evenly over the hour.
    pub fn per_hour(n: u32) -> Self {
        Self::new(Quota::per_hour(non_zero(n)))
    }

    fn new(quota: Quota) -> Self {
        Self {
            inner: DefaultKeyedRateLimiter::keyed(quota),
        }
    }

    /// Whether `key` may go ahead now (counts the attempt).
    pub fn allow(&self, key: K) -> bool {
        let allowed = self.inner.check_key(&key).is_ok();
        // Forget idle keys now and then so memory stays bounded.
        if self.inner.len() > 100_000 {
            self.inner.retain_recent();
        }
        allowed
    }
}

fn non_zero(n: u32) -> NonZeroU32 {
    NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN)
}

/// Refuses (429) an anonymous post from a client over its quota.
pub fn check_post(req: &HttpRequest, state: &AppState) -> Result<(), AppError> {
    match super::client::of_request(req, &state.settings.trusted_proxies) {
        Some(address) if !state.limiter.allow(address) => Err(AppError::TooManyRequests),
        _ => Ok(()),
    }
}

/// Refuses (429) a sign-in attempt over the quota of its client address or
/// of the account it names.
pub fn check_sign_in(req: &HttpRequest, state: &AppState, email: &str) -> Result<(), AppError> {
    let address = super::client::of_request(req, &state.settings.trusted_proxies);
    let by_address = address.is_none_or(|a| state.sign_in_limiter.allow(a));
    let account = email.trim().to_lowercase();
    let by_account = account.is_empty() || state.account_limiter.allow(account);
    if by_address && by_account {
        Ok(())
    } else {
        Err(AppError::TooManyRequests)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_over_its_quota_is_refused_and_others_are_not() {
        let limiter = RateLimiter::per_minute(2);
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        assert!(limiter.allow(a));
        assert!(limiter.allow(a));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b));
        let accounts: RateLimiter<String> = RateLimiter::per_hour(1);
        assert!(accounts.allow("officer@example.gov.uk".into()));
        assert!(!accounts.allow("officer@example.gov.uk".into()));
    }
}
