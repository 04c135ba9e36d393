//! The command line: `sounding serve`, `migrate`, `fixtures`, `user`,
//! `import`, `export`, `analyse`, `retention` and `eval-clustering`, one
//! file per command. Each parses its arguments and calls the service
//! layer; the command line acts as the system (whoever runs it holds the
//! database), so its changes are audited as `cli`.

mod analyse;
mod evaluate;
mod export;
mod fixtures;
mod import;
mod retention;
mod serve;
mod users;

use clap::{Parser, Subcommand};

use crate::service::access::Caller;
use crate::service::database::{self, DatabaseUrl, PoolOptions};

pub use serve::serve;

/// The command line's part in the audit log and the access policy.
const CLI: Caller = Caller::System("cli");

/// Sounding: public consultations, analysed issue by issue.
#[derive(Debug, Parser)]
#[command(name = "sounding", version, about, long_about = None)]
pub struct Cli {
    /// Database: a SQLite file path (default) or postgres://user@host/db.
    #[arg(
        long,
        global = true,
        env = "DATABASE_URL",
        default_value = "sounding.db"
    )]
    pub database: String,

    /// Most database connections open at once.
    #[arg(long, global = true, env = "DATABASE_POOL_SIZE", default_value_t = 8)]
    pub pool_size: u32,

    #[command(subcommand)]
    pub command: Command,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web service (migrates the database first).
    Serve(serve::ServeArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Demo and test data from the seed papers.
    Fixtures {
        #[command(subcommand)]
        command: fixtures::FixturesCommand,
    },
    /// Export data for committee reports.
    Export {
        #[command(subcommand)]
        command: export::ExportCommand,
    },
    /// Import responses that came another way (e-mail, letter, a survey tool).
    Import {
        #[command(subcommand)]
        command: import::ImportCommand,
    },
    /// Personal-data retention.
    Retention {
        #[command(subcommand)]
        command: retention::RetentionCommand,
    },
    /// Analyse a consultation's issues: themes (keeping officers' decisions),
    /// repeats and campaigns, suggested answers; stored in the database.
    Analyse(analyse::AnalyseArgs),
    /// Measure the theme clustering against labelled texts (CSV with a
    /// header, or JSONL): NMI, ARI and matched accuracy, with the number
    /// of themes chosen automatically and set to the label count.
    EvalClustering(evaluate::EvalArgs),
    /// Staff users.
    User {
        #[command(subcommand)]
        command: users::UserCommand,
    },
}

/// The database and pool the global flags name.
struct Target {
    url: DatabaseUrl,
    pool: PoolOptions,
}

/// Runs the parsed command.
pub fn run(cli: Cli) -> anyhow::Result<()> {
    let target = Target {
        url: DatabaseUrl::parse(&cli.database)?,
        pool: PoolOptions {
            max_size: cli.pool_size.max(1),
            ..PoolOptions::default()
        },
    };
    match cli.command {
        Command::Serve(args) => serve::run(&target, args),
        Command::Migrate => {
            let applied = database::migrate(&target.url)?;
            println!(
                "{} migration(s) applied to {}",
                applied.len(),
                target.url.redacted()
            );
            Ok(())
        }
        Command::Fixtures { command } => fixtures::run(&target, command),
        Command::Export { command } => export::run(&target, command),
        Command::Import { command } => import::run(&target, command),
        Command::Retention { command } => retention::run(&target, command),
        Command::Analyse(args) => analyse::run(&target, args),
        Command::EvalClustering(args) => evaluate::run(args),
        Command::User { command } => users::run(&target, command),
    }
}
