//! CSRF protection for every form (OWASP CSRF Prevention Cheat Sheet,
//! "signed double-submit cookie"): a random cookie per browser, and in each
//! form a token signed over that cookie, a fresh nonce and the time.
//!
//! The nonce also makes submissions idempotent: a form sent twice carries
//! the same nonce, and the response it created is found again.

use actix_web::HttpRequest;
use actix_web::cookie::{Cookie, SameSite};
use chrono::{DateTime, Utc};

use crate::security::{Signer, random_token};

/// How long a form may stay open before its token expires. Long, because a
/// committee clerk may draft a response over a working day.
pub const TOKEN_LIFETIME_HOURS: i64 = 24;

const PURPOSE: &str = "csrf-form";

/// The CSRF cookie's name: `__Host-` prefixed when cookies are secure, so it
/// cannot be set by a sub-domain or over plain HTTP.
pub fn cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-sounding-csrf"
    } else {
        "sounding-csrf"
    }
}

/// The browser's CSRF cookie value, and whether it is new (must be set).
#[derive(Debug, Clone)]
pub struct CsrfCookie {
    pub value: String,
    pub is_new: bool,
}

impl CsrfCookie {
    /// Reads the cookie from the request or makes a new one.
    pub fn from_request(req: &HttpRequest, secure: bool) -> Self {
        match req.cookie(cookie_name(secure)) {
            Some(cookie) if cookie.value().len() >= 32 => Self {
                value: cookie.value().to_string(),
                is_new: false,
            },
            _ => Self {
                value: random_token(32),
                is_new: true,
            },
        }
    }

    /// The cookie to send: HttpOnly, SameSite=Strict, path /.
    pub fn cookie(&self, secure: bool) -> Cookie<'static> {
        Cookie::build(cookie_name(secure), self.value.clone())
            .path("/")
            .http_only(true)
            .secure(secure)
            .same_site(SameSite::Strict)
            .finish()
    }
}

/// A new form token for this browser.
pub fn issue(signer: &Signer, cookie: &str, now: DateTime<Utc>) -> String {
    let nonce = random_token(16);
    let issued = now.timestamp();
    let signature = signer.sign(PURPOSE, &format!("{cookie}|{nonce}|{issued}"));
    format!("{nonce}.{issued}.{signature}")
}

/// Why a token was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsrfError {
    /// No token, a forged one, or one for another browser.
    #[error("the form's security token is missing or does not match this browser")]
    Invalid,
    /// Too old.
    #[error("the form was open for more than {TOKEN_LIFETIME_HOURS} hours")]
    Expired,
}

/// Checks a token against this browser's cookie; returns its nonce.
pub fn verify(
    signer: &Signer,
    cookie: Option<&str>,
    token: &str,
    now: DateTime<Utc>,
) -> Result<String, CsrfError> {
    let cookie = cookie.ok_or(CsrfError::Invalid)?;
    let mut parts = token.splitn(3, '.');
    let (Some(nonce), Some(issued), Some(signature)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(CsrfError::Invalid);
    };
    if !signer.verify(PURPOSE, &format!("{cookie}|{nonce}|{issued}"), signature) {
        return Err(CsrfError::Invalid);
    }
    let issued: i64 = issued.parse().map_err(|_| CsrfError::Invalid)?;
    if now.timestamp() - issued > TOKEN_LIFETIME_HOURS * 3600 {
        return Err(CsrfError::Expired);
    }
    Ok(nonce.to_string())
}

/// The cookie value sent with a request, if any.
pub fn cookie_value(req: &HttpRequest, secure: bool) -> Option<String> {
    req.cookie(cookie_name(secure))
        .map(|c| c.value().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn signer() -> Signer {
        Signer::new(b"0123456789abcdef0123456789abcdef")
    }

    #[test]
    fn a_token_verifies_for_its_own_browser_only() {
        let now = Utc::now();
        let token = issue(&signer(), "cookie-a", now);
        let nonce = verify(&signer(), Some("cookie-a"), &token, now).expect("valid");
        assert_eq!(nonce.len(), 22);
        assert_eq!(
            verify(&signer(), Some("cookie-b"), &token, now),
            Err(CsrfError::Invalid)
        );
        assert_eq!(
            verify(&signer(), None, &token, now),
            Err(CsrfError::Invalid)
        );
        assert_eq!(
            verify(&signer(), Some("cookie-a"), "forged.1.x", now),
            Err(CsrfError::Invalid)
        );
        assert_eq!(
            verify(&signer(), Some("cookie-a"), "", now),
            Err(CsrfError::Invalid)
        );
    }

    #[test]
    fn an_old_token_has_expired() {
        let then = Utc::now() - chrono::Duration::hours(TOKEN_LIFETIME_HOURS + 1);
        let token = issue(&signer(), "c", then);
        assert_eq!(
            verify(&signer(), Some("c"), &token, Utc::now()),
            Err(CsrfError::Expired)
        );
    }
}
