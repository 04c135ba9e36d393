//! Configuration from flags and the environment (see README, "Configuration").

use std::time::Duration;

use crate::db::{DatabaseUrl, PoolOptions};
use crate::web::WebSettings;

/// Everything the service needs to start.
#[derive(Debug, Clone)]
pub struct Config {
    /// Where the data lives (`DATABASE_URL`, default `sounding.db`).
    pub database_url: DatabaseUrl,
    /// The address to listen on (`BIND`, default `127.0.0.1:8080`).
    pub bind: String,
    /// Connection pool settings (`DATABASE_POOL_SIZE`).
    pub pool: PoolOptions,
    /// Signs session cookies and CSRF tokens (`SOUNDING_SECRET_KEY`).
    pub secret_key: SecretKey,
    /// How long in-flight requests may take to finish on shutdown.
    pub shutdown_grace: Duration,
    /// Cookies, rate limits and sessions.
    pub web: WebSettings,
    /// E-mail receipts, when a relay is configured.
    pub mailer: Option<crate::mail::Mailer>,
}

/// A secret of at least 32 bytes. Generated at random when not configured,
/// which logs everyone out on restart and breaks multi-instance set-ups, so
/// production sets `SOUNDING_SECRET_KEY`.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(***)")
    }
}

impl SecretKey {
    /// The shortest key accepted, in bytes.
    pub const MIN_LEN: usize = 32;

    /// A configured key; refuses short ones.
    pub fn from_config(value: &str) -> Result<Self, String> {
        if value.len() < Self::MIN_LEN {
            return Err(format!(
                "SOUNDING_SECRET_KEY must be at least {} characters (it is {})",
                Self::MIN_LEN,
                value.len()
            ));
        }
        Ok(Self(value.as_bytes().to_vec()))
    }

    /// A fresh random key for this process only.
    pub fn random() -> Self {
        use rand::RngCore;
        let mut bytes = vec![0u8; 64];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes)
    }

    /// The key's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }
}
