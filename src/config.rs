//! Configuration from flags and the environment (see README, "Configuration").

use std::net::IpAddr;
use std::str::FromStr;
use std::time::Duration;

use crate::db::{DatabaseUrl, PoolOptions};

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

/// Settings the web layer reads on every request.
#[derive(Debug, Clone)]
pub struct WebSettings {
    /// Mark cookies `Secure` with the `__Host-` prefix. Only turn off for
    /// plain-HTTP use on a machine of your own.
    pub secure_cookies: bool,
    /// Anonymous form posts allowed per client address per minute.
    pub posts_per_minute: u32,
    /// How long a staff session lasts without signing in again.
    pub session_hours: i64,
    /// The service's address as people reach it (`https://consult.example.gov.uk`),
    /// for links in e-mails; the request's own host when unset.
    pub public_url: Option<String>,
    /// How long a rendered public page is reused (zero: never).
    pub page_cache: Duration,
    /// Proxies whose forwarding headers name the client (the TLS proxy in
    /// front of the service); empty: the socket's peer is the client.
    pub trusted_proxies: Vec<Cidr>,
    /// Sign-in attempts allowed per account per hour.
    pub sign_ins_per_account_hour: u32,
    /// Connections one client address may hold open at once.
    pub connections_per_client: usize,
    /// The longest a request body may take to arrive.
    pub body_timeout: Duration,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            secure_cookies: true,
            posts_per_minute: 60,
            session_hours: 8,
            public_url: None,
            page_cache: Duration::from_secs(1),
            trusted_proxies: Vec::new(),
            sign_ins_per_account_hour: 20,
            connections_per_client: 64,
            body_timeout: Duration::from_secs(60),
        }
    }
}

/// An address range such as `10.0.0.0/8`, `::1/128` or a single address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    network: IpAddr,
    prefix: u8,
}

impl FromStr for Cidr {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (address, prefix) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let network: IpAddr = address
            .parse()
            .map_err(|_| format!("“{text}” is not an address or address range"))?;
        let most = if network.is_ipv4() { 32 } else { 128 };
        let prefix =
            match prefix {
                Some(p) => p.parse::<u8>().ok().filter(|p| *p <= most).ok_or_else(|| {
                    format!("“{text}” has a prefix length that is not 0 to {most}")
                })?,
                None => most,
            };
        Ok(Self { network, prefix })
    }
}

impl Cidr {
    /// Whether `address` is in this range.
    pub fn contains(&self, address: IpAddr) -> bool {
        match (self.network, address) {
            (IpAddr::V4(n), IpAddr::V4(a)) => same_prefix(&n.octets(), &a.octets(), self.prefix),
            (IpAddr::V6(n), IpAddr::V6(a)) => same_prefix(&n.octets(), &a.octets(), self.prefix),
            (IpAddr::V6(n), IpAddr::V4(a)) => n.to_ipv4_mapped().is_some_and(|n| {
                same_prefix(&n.octets(), &a.octets(), self.prefix.saturating_sub(96))
            }),
            (IpAddr::V4(_), IpAddr::V6(a)) => a
                .to_ipv4_mapped()
                .is_some_and(|a| self.contains(IpAddr::V4(a))),
        }
    }
}

fn same_prefix(a: &[u8], b: &[u8], bits: u8) -> bool {
    let bits = usize::from(bits);
    let (whole, rest) = (bits / 8, bits % 8);
    a[..whole] == b[..whole]
        && (rest == 0 || {
            let mask = 0xffu8 << (8 - rest);
            a[whole] & mask == b[whole] & mask
        })
}

/// Parses a comma-separated list of ranges (the `--trusted-proxies` setting).
pub fn parse_ranges(list: &str) -> Result<Vec<Cidr>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::parse)
        .collect()
}
