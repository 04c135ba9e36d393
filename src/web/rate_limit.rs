//! Per-address rate limiting of anonymous posts (in place of a CAPTCHA,
//! which fails accessibility), built on `governor` (MIT/Apache-2.0).

use std::net::IpAddr;
use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota};

/// Allows a burst of `n` posts per address, refilled at `n` per minute.
pub struct RateLimiter {
    inner: DefaultKeyedRateLimiter<IpAddr>,
}

impl RateLimiter {
    /// `n` posts per minute per address (at least 1).
    pub fn per_minute(n: u32) -> Self {
        let n = NonZeroU32::new(n.max(1)).unwrap_or(NonZeroU32::MIN);
        Self {
            inner: DefaultKeyedRateLimiter::keyed(Quota::per_minute(n)),
        }
    }

    /// Whether `address` may post now (counts the attempt).
    pub fn allow(&self, address: IpAddr) -> bool {
        let allowed = self.inner.check_key(&address).is_ok();
        // Forget idle addresses now and then so memory stays bounded.
        if self.inner.len() > 100_000 {
            self.inner.retain_recent();
        }
        allowed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_over_its_quota_is_refused_and_others_are_not() {
        let limiter = RateLimiter::per_minute(2);
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        assert!(limiter.allow(a));
        assert!(limiter.allow(a));
        assert!(!limiter.allow(a));
        assert!(limiter.allow(b));
    }
}
