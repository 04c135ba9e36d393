//! A micro-cache of public pages (and of what the response form needs). A consultation page is the same for every
//! reader, yet rendering it (document, structure diagram, template) costs far
//! more than sending it; in a consultation's last week thousands of people
//! read it each minute. Each page is kept for a short time (one second by
//! default), so an officer's change shows on every instance within that
//! time, and at once on the instance that made it: a successful change
//! through the staff pages or the API empties this instance's cache.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::{self, Bytes};

use super::state::AppState;

/// Values by key (a page's path), each with when it was made.
pub struct FreshCache<T> {
    ttl: Duration,
    pages: RwLock<HashMap<String, (Instant, T)>>,
}

/// Rendered public pages.
pub type PageCache = FreshCache<Bytes>;

impl<T: Clone> FreshCache<T> {
    /// A cache keeping pages for `ttl` (zero turns it off).
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            pages: RwLock::new(HashMap::new()),
        }
    }

    /// The page for `key` if it is fresh.
    pub fn get(&self, key: &str) -> Option<T> {
        let pages = self.pages.read().ok()?;
        let (at, html) = pages.get(key)?;
        (at.elapsed() < self.ttl).then(|| html.clone())
    }

    /// Keeps `html` as the page for `key`.
    pub fn put(&self, key: &str, value: T) {
        if self.ttl.is_zero() {
            return;
        }
        if let Ok(mut pages) = self.pages.write() {
            // Only pages that rendered are kept, so keys are real slugs; still,
            // never let the map grow without bound.
            if pages.len() > 10_000 {
                pages.clear();
            }
            pages.insert(key.to_string(), (Instant::now(), value));
        }
    }

    /// Forgets every page.
    pub fn clear(&self) {
        if let Ok(mut pages) = self.pages.write() {
            pages.clear();
        }
    }
}

/// Whether a request may have changed what public pages show: a staff or
/// API change (not a consultee's submission, which public pages do not show).
fn may_change_public_pages(method: &Method, path: &str) -> bool {
    let reads = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let staff = path.starts_with("/staff/") || path.starts_with("/api/v1/consultations");
    !reads && staff && !path.ends_with("/responses")
}

/// Middleware: empties the cache after a successful change.
pub async fn forget_after_changes(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let changes = may_change_public_pages(req.method(), req.path());
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let response = next.call(req).await?;
    let status = response.status();
    if changes
        && (status.is_success() || status.is_redirection())
        && let Some(state) = state
    {
        state.pages.clear();
        state.forms.clear();
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_is_served_until_it_is_stale_or_forgotten() {
        let cache = PageCache::new(Duration::from_secs(60));
        assert!(cache.get("/").is_none());
        cache.put("/", Bytes::from_static(b"home"));
        assert_eq!(cache.get("/").as_deref(), Some(&b"home"[..]));
        cache.clear();
        assert!(cache.get("/").is_none());

        let off = PageCache::new(Duration::ZERO);
        off.put("/", Bytes::from_static(b"home"));
        assert!(off.get("/").is_none());
    }

    #[test]
    fn staff_and_api_changes_forget_pages_and_submissions_do_not() {
        let post = Method::POST;
        assert!(may_change_public_pages(
            &post,
            "/staff/consultations/x/sections"
        ));
        assert!(may_change_public_pages(
            &Method::PATCH,
            "/api/v1/consultations/x"
        ));
        assert!(!may_change_public_pages(
            &post,
            "/api/v1/consultations/x/responses"
        ));
        assert!(!may_change_public_pages(&post, "/consultations/x/respond"));
        assert!(!may_change_public_pages(
            &Method::GET,
            "/staff/consultations/x"
        ));
    }
}
