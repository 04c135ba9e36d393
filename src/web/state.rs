//! Shared state and the one bridge from async handlers to blocking diesel.

use std::sync::Arc;

use actix_web::web;

pub use crate::config::WebSettings;

use super::clock::Clock;
use super::error::AppError;
use super::page_cache::{FreshCache, PageCache};
use super::rate_limit::RateLimiter;
use super::respond::LoadedForm;
use crate::mail::Mailer;
use crate::security::Signer;
use crate::service::ServiceError;
use crate::service::group_commit::SubmissionQueue;
use crate::service::model::{Connection as DbConnection, Pool as DbPool};

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    /// The database pool.
    pub pool: DbPool,
    /// Signs CSRF tokens and private links.
    pub signer: Signer,
    /// The time; fixed in tests.
    pub clock: Clock,
    /// Per-address limit on anonymous posts.
    pub limiter: Arc<RateLimiter>,
    /// Per-address limit on sign-in attempts (guessing passwords).
    pub sign_in_limiter: Arc<RateLimiter>,
    /// Per-account limit on sign-in attempts (guessing from many addresses).
    pub account_limiter: Arc<RateLimiter<String>>,
    /// Cookie and limit settings.
    pub settings: Arc<WebSettings>,
    /// Sends receipts, when a relay is configured.
    pub mailer: Option<Mailer>,
    /// Writes consultees' submissions, many to a commit.
    pub submissions: SubmissionQueue,
    /// Recently rendered public pages.
    pub pages: Arc<PageCache>,
    /// What the response form needs, recently loaded.
    pub forms: Arc<FreshCache<Arc<LoadedForm>>>,
}

impl AppState {
    /// State over `pool`, signing with `secret`.
    pub fn new(pool: DbPool, secret: &[u8], clock: Clock, settings: WebSettings) -> Self {
        Self {
            submissions: SubmissionQueue::start(pool.clone()),
            pages: Arc::new(PageCache::new(settings.page_cache)),
            forms: Arc::new(FreshCache::new(settings.page_cache)),
            pool,
            signer: Signer::new(secret),
            clock,
            limiter: Arc::new(RateLimiter::per_minute(settings.posts_per_minute)),
            sign_in_limiter: Arc::new(RateLimiter::per_minute(10)),
            account_limiter: Arc::new(RateLimiter::per_hour(settings.sign_ins_per_account_hour)),
            settings: Arc::new(settings),
            mailer: None,
        }
    }

    /// Sends receipts through `mailer`.
    pub fn with_mailer(mut self, mailer: Mailer) -> Self {
        self.mailer = Some(mailer);
        self
    }

    /// Runs `work` with a pooled connection on the blocking thread pool, so
    /// diesel never blocks the async executor. A pool timeout becomes 503.
    pub async fn db<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce(&mut DbConnection) -> Result<T, ServiceError> + Send + 'static,
        T: Send + 'static,
    {
        let pool = self.pool.clone();
        web::block(move || {
            let mut conn = pool
                .get()
                .map_err(|e| ServiceError::Unavailable(e.to_string()))?;
            work(&mut conn)
        })
        .await
        .map_err(|e| AppError::Internal(format!("blocking task failed: {e}")))?
        .map_err(AppError::from)
    }
}
