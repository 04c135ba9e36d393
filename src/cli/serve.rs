//! `sounding serve`: migrate, load the demo if asked, and serve until
//! stopped (SIGTERM/SIGINT finish in-flight requests first).

use std::net::TcpListener;

use anyhow::Context;
use clap::Args;

use super::Target;
use crate::config::{Cidr, Config, SecretKey, WebSettings, parse_ranges};
use crate::service::{database, fixtures};
use crate::web;

/// `sounding serve` flags (each also an environment variable).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on.
    #[arg(long, env = "BIND", default_value = "127.0.0.1:8080")]
    bind: String,
    /// Load every demo fixture before serving (skips ones already loaded),
    /// with a practice consultation open for responses.
    #[arg(long)]
    demo: bool,
    /// Send cookies without `Secure` and the `__Host-` prefix: only for
    /// plain-HTTP use on your own machine (browsers already treat
    /// http://localhost as secure).
    #[arg(long, env = "SOUNDING_INSECURE_COOKIES")]
    insecure_cookies: bool,
    /// Anonymous form posts allowed per client address per minute.
    #[arg(long, env = "SOUNDING_POSTS_PER_MINUTE", default_value_t = 60)]
    posts_per_minute: u32,
    /// Hours a staff sign-in lasts.
    #[arg(long, env = "SOUNDING_SESSION_HOURS", default_value_t = 8)]
    session_hours: i64,
    /// SMTP relay for e-mail receipts, e.g. smtp://localhost:25 or
    /// smtps://user:password@mail.example.gov.uk; no receipts when unset.
    #[arg(long, env = "SOUNDING_SMTP_URL")]
    smtp_url: Option<String>,
    /// Sender of e-mail receipts.
    #[arg(
        long,
        env = "SOUNDING_MAIL_FROM",
        default_value = "Sounding <no-reply@localhost>"
    )]
    mail_from: String,
    /// The address people use to reach the service, for links in e-mails
    /// (e.g. https://consult.example.gov.uk).
    #[arg(long, env = "SOUNDING_PUBLIC_URL")]
    public_url: Option<String>,
    /// How long a rendered public page is reused, in milliseconds
    /// (0 turns the page cache off).
    #[arg(long, env = "SOUNDING_PAGE_CACHE_MS", default_value_t = 1000)]
    page_cache_ms: u64,
    /// The proxies in front of the service (the TLS proxy), as addresses
    /// or ranges separated by commas, e.g. 127.0.0.1,10.0.0.0/8: their
    /// X-Forwarded-For or Forwarded header names the client, for rate
    /// limits. Unset: the connecting address is the client.
    #[arg(long, env = "SOUNDING_TRUSTED_PROXIES", default_value = "", value_parser = parse_proxies)]
    trusted_proxies: ProxyList,
    /// Sign-in attempts allowed per staff account per hour (beside 10 a
    /// minute per address).
    #[arg(long, env = "SOUNDING_SIGN_INS_PER_ACCOUNT_HOUR", default_value_t = 20)]
    sign_ins_per_account_hour: u32,
    /// Connections one client address may hold open at once.
    #[arg(long, env = "SOUNDING_CONNECTIONS_PER_CLIENT", default_value_t = 64)]
    connections_per_client: usize,
    /// Seconds a request body may take to arrive before the request is
    /// refused (slow senders would otherwise hold connections open).
    #[arg(long, env = "SOUNDING_BODY_TIMEOUT_SECS", default_value_t = 60)]
    body_timeout_secs: u64,
    /// The council's name, in the header and page titles.
    #[arg(long, env = "SOUNDING_COUNCIL_NAME")]
    council_name: Option<String>,
    /// The council's logo beside its name: a PNG or SVG file of at most 256 KB.
    #[arg(long, env = "SOUNDING_COUNCIL_LOGO")]
    council_logo: Option<std::path::PathBuf>,
    /// The header's colour as #rrggbb; white text must be readable on it
    /// (WCAG AA contrast 4.5:1), or the service will not start.
    #[arg(long, env = "SOUNDING_COUNCIL_COLOUR")]
    council_colour: Option<String>,
}

/// Trusted proxies, as parsed from the command line.
#[derive(Debug, Clone)]
struct ProxyList(Vec<Cidr>);

fn parse_proxies(text: &str) -> Result<ProxyList, String> {
    parse_ranges(text).map(ProxyList)
}

pub(super) fn run(target: &Target, args: ServeArgs) -> anyhow::Result<()> {
    let mailer = args
        .smtp_url
        .map(|url| crate::mail::Mailer::new(&url, &args.mail_from))
        .transpose()?;
    crate::web::brand::set(
        crate::web::brand::Brand::new(
            args.council_name.clone(),
            args.council_colour.clone(),
            args.council_logo.as_deref(),
        )
        .map_err(anyhow::Error::msg)?,
    );
    let config = Config {
        database_url: target.url.clone(),
        bind: args.bind,
        pool: target.pool.clone(),
        secret_key: secret_key()?,
        shutdown_grace: std::time::Duration::from_secs(30),
        web: WebSettings {
            secure_cookies: !args.insecure_cookies,
            posts_per_minute: args.posts_per_minute,
            session_hours: args.session_hours.max(1),
            public_url: args.public_url.map(|u| u.trim_end_matches('/').to_string()),
            page_cache: std::time::Duration::from_millis(args.page_cache_ms),
            trusted_proxies: args.trusted_proxies.0,
            sign_ins_per_account_hour: args.sign_ins_per_account_hour,
            connections_per_client: args.connections_per_client.max(1),
            body_timeout: std::time::Duration::from_secs(args.body_timeout_secs.max(1)),
        },
        mailer,
    };
    serve(config, args.demo)
}

fn secret_key() -> anyhow::Result<SecretKey> {
    match std::env::var("SOUNDING_SECRET_KEY") {
        Ok(value) => SecretKey::from_config(&value).map_err(anyhow::Error::msg),
        Err(_) => {
            tracing::warn!(
                "SOUNDING_SECRET_KEY is not set: using a random key; sessions end on restart"
            );
            Ok(SecretKey::random())
        }
    }
}

/// Migrates, optionally loads the demo fixtures, then serves until stopped.
pub fn serve(config: Config, demo: bool) -> anyhow::Result<()> {
    let applied = database::migrate(&config.database_url)?;
    tracing::info!(database = %config.database_url.redacted(), applied = applied.len(), "database ready");
    if demo {
        let mut conn = database::connect(&config.database_url)?;
        for name in fixtures::names() {
            super::fixtures::report(name, fixtures::load(&mut conn, name)?);
        }
        let now = chrono::Utc::now().naive_utc();
        super::fixtures::report(
            fixtures::PRACTICE_SLUG,
            fixtures::load_practice(&mut conn, now)?,
        );
    }
    let pool = database::pool(&config.database_url, &config.pool)?;
    let listener = TcpListener::bind(&config.bind)
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    println!("Sounding is running at http://{address}/ (press Ctrl+C to stop)");
    let mut state = web::AppState::new(
        pool,
        config.secret_key.bytes(),
        web::clock::Clock::system(),
        config.web.clone(),
    );
    if let Some(mailer) = config.mailer.clone() {
        state = state.with_mailer(mailer);
    }
    let runtime = actix_web::rt::System::new();
    runtime.block_on(async move {
        web::serve(listener, state, config.shutdown_grace.as_secs())?.await
    })?;
    Ok(())
}
