//! The command line: `sounding serve`, `migrate`, `fixtures`, `user`.

use std::io::{BufRead, IsTerminal};
use std::net::TcpListener;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};

use crate::config::{Config, SecretKey};
use crate::db::{self, DatabaseUrl, PoolOptions};
use crate::domain::Role;
use crate::service::{self, fixtures::LoadOutcome};
use crate::web::{self, WebSettings};

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
    Serve {
        /// Address and port to listen on.
        #[arg(long, env = "BIND", default_value = "127.0.0.1:8080")]
        bind: String,
        /// Load every demo fixture before serving (skips ones already loaded).
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
    },
    /// Apply pending database migrations.
    Migrate,
    /// Demo and test data from the seed papers.
    Fixtures {
        #[command(subcommand)]
        command: FixturesCommand,
    },
    /// Export data for committee reports.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Import responses that came another way (e-mail, letter, a survey tool).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Personal-data retention.
    Retention {
        #[command(subcommand)]
        command: RetentionCommand,
    },
    /// Analyse a consultation's issues: themes (keeping officers' decisions),
    /// repeats and campaigns, suggested answers; stored in the database.
    Analyse {
        /// The consultation's URL name, e.g. cheltenham-2011.
        #[arg(long)]
        consultation: String,
        /// A fixed number of themes (chosen automatically if omitted).
        #[arg(long)]
        themes: Option<usize>,
        /// Only place issues that have no theme yet into the existing
        /// themes (or flag them), without re-clustering.
        #[arg(long)]
        new_only: bool,
    },
    /// Measure the theme clustering against labelled texts (CSV with a
    /// header, or JSONL): NMI, ARI and matched accuracy, with the number
    /// of themes chosen automatically and set to the label count.
    EvalClustering {
        /// The labelled file; the product's own labelled fixture if omitted.
        file: Option<std::path::PathBuf>,
        /// The field holding the text.
        #[arg(long, default_value = "text")]
        text_column: String,
        /// The field holding the reference label (for a JSONL list, its first item).
        #[arg(long, default_value = "label")]
        label_column: String,
        /// Evaluate each value of this field separately (e.g. a question).
        #[arg(long)]
        split_by: Option<String>,
        /// Latent dimensions kept by LSA and by the word vectors, each (default:
        /// one per ten texts, 10 to 100).
        #[arg(long)]
        dimensions: Option<usize>,
        /// How clusters are joined: `average` or `ward` (default: the engine's).
        #[arg(long, value_parser = parse_linkage)]
        linkage: Option<crate::analysis::agglomerative::Linkage>,
        /// The share of similarity from word co-occurrence vectors, 0 to 1
        /// (default: the engine's; 0 is LSA alone).
        #[arg(long)]
        word_weight: Option<f32>,
        /// Seed for the random choices (default: the engine's), to see how
        /// much the scores move with it.
        #[arg(long)]
        seed: Option<u64>,
        /// Only cluster with the label count (skip choosing the number).
        #[arg(long)]
        label_count_only: bool,
        /// Also print each theme found (automatic number): label, top
        /// terms, representative texts and the reference labels inside it.
        #[arg(long)]
        show_themes: bool,
    },
    /// Staff users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

/// `sounding fixtures …`
#[derive(Debug, Subcommand)]
pub enum FixturesCommand {
    /// List the fixtures that can be loaded.
    List,
    /// Load a fixture by name (idempotent: loading twice changes nothing).
    Load {
        /// e.g. cheltenham-2011
        name: String,
    },
}

/// `sounding export …`
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The respondent–issue–response table (staff view: every response).
    Summary {
        /// The consultation's URL name, e.g. cheltenham-2011.
        #[arg(long)]
        consultation: String,
        /// csv (UTF-8 with BOM, CRLF), xlsx (Excel) or html (a printable A4 page).
        #[arg(long, default_value = "csv", value_parser = ["csv", "xlsx", "html"])]
        format: String,
        /// received, theme, section, body or consultee.
        #[arg(long, default_value = "received")]
        order: String,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// Add consultees' contact details (CSV only); recorded in the audit log.
        #[arg(long)]
        with_contacts: bool,
    },
}

/// `sounding import …`
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Responses from a CSV file with a header row: one response per row.
    /// Columns are mapped from their names; change any with --map. Nothing
    /// is stored unless every row is right; importing a file again adds
    /// only rows not imported before.
    Responses {
        /// The consultation's URL name, e.g. cheltenham-2011.
        #[arg(long)]
        consultation: String,
        /// The CSV file (UTF-8 or Windows-1252).
        file: std::path::PathBuf,
        /// FIELD=COLUMN: which column holds a field (text, name,
        /// organisation, kind, email, channel, date, publication); an empty
        /// COLUMN ignores the field. Repeatable.
        #[arg(long = "map", value_parser = parse_map)]
        map: Vec<(String, String)>,
        /// Show the mapping, the first rows and every problem; store nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

fn parse_map(value: &str) -> Result<(String, String), String> {
    value
        .split_once('=')
        .map(|(f, c)| (f.trim().to_string(), c.to_string()))
        .ok_or_else(|| format!("write --map FIELD=COLUMN, not “{value}”"))
}

/// `sounding retention …`
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Erase consultees' contact details where a consultation's retention
    /// period after publication has passed (run it daily, e.g. from cron).
    Run,
}

/// `sounding user …`
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a staff user. Prints a generated password once, unless
    /// --password-stdin reads one; passwords are never logged.
    Add {
        /// The user's e-mail address (their sign-in name).
        email: String,
        /// admin, officer or group_member.
        #[arg(long, value_parser = parse_role)]
        role: Role,
        /// The name shown in the audit trail.
        #[arg(long, default_value = "")]
        name: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
}

fn parse_role(value: &str) -> Result<Role, String> {
    value
        .parse()
        .map_err(|e: crate::domain::text_enum::UnknownValue| e.to_string())
}

/// Runs the parsed command.
fn parse_linkage(value: &str) -> Result<crate::analysis::agglomerative::Linkage, String> {
    use crate::analysis::agglomerative::Linkage;
    match value {
        "average" => Ok(Linkage::Average),
        "ward" => Ok(Linkage::Ward),
        other => Err(format!("unknown linkage “{other}”: use average or ward")),
    }
}

pub fn run(cli: Cli) -> anyhow::Result<()> {
    let url = DatabaseUrl::parse(&cli.database)?;
    let pool_options = PoolOptions {
        max_size: cli.pool_size.max(1),
        ..PoolOptions::default()
    };
    match cli.command {
        Command::EvalClustering {
            file,
            text_column,
            label_column,
            split_by,
            dimensions,
            linkage,
            word_weight,
            seed,
            label_count_only,
            show_themes,
        } => {
            let columns = crate::evaluation::Columns {
                text: text_column,
                label: label_column,
                split_by,
            };
            let (path, records) = match file {
                Some(path) => {
                    let records = crate::evaluation::read(&path, &columns)?;
                    (path, records)
                }
                None => (
                    crate::evaluation::FIXTURE_SET.into(),
                    crate::evaluation::fixture_set()?,
                ),
            };
            let defaults = crate::analysis::cluster::ClusterOptions::default();
            let options = crate::analysis::cluster::ClusterOptions {
                dimensions,
                linkage: linkage.unwrap_or(defaults.linkage),
                seed: seed.unwrap_or(defaults.seed),
                word_weight: word_weight.unwrap_or(defaults.word_weight),
                ..defaults
            };
            let reports = crate::evaluation::evaluate(&records, &options, !label_count_only);
            println!("{}", path.display());
            print!("{}", crate::evaluation::render(&reports));
            if show_themes {
                let fixed = crate::analysis::cluster::ClusterOptions {
                    themes: label_count_only.then(|| {
                        let labels: std::collections::BTreeSet<&str> =
                            records.iter().map(|r| r.label.as_str()).collect();
                        labels.len()
                    }),
                    ..options
                };
                print!("{}", crate::evaluation::describe(&records, &fixed));
            }
        }
        Command::Migrate => {
            let applied = migrate(&url)?;
            println!(
                "{} migration(s) applied to {}",
                applied.len(),
                url.redacted()
            );
        }
        Command::Export {
            command:
                ExportCommand::Summary {
                    consultation,
                    format,
                    order,
                    output,
                    with_contacts,
                },
        } => {
            use crate::service::summary::{self, Audience, Filter, Ordering};
            let ordering = order.parse::<Ordering>()?;
            let mut conn = url
                .connect()
                .with_context(|| format!("cannot open {}", url.redacted()))?;
            if format == "csv" && summary::streams(ordering) {
                // Streamed from the database: flat memory however large.
                let filter = Filter {
                    with_contacts,
                    ..Default::default()
                };
                let columns = if with_contacts {
                    crate::export::summary::Columns::WithContacts
                } else {
                    crate::export::summary::Columns::Standard
                };
                if with_contacts {
                    let actor = crate::service::audit::Actor::system("cli");
                    summary::record_contact_export(&mut conn, &actor, &consultation)?;
                }
                let out: Box<dyn std::io::Write> = match &output {
                    Some(path) => Box::new(std::io::BufWriter::new(
                        std::fs::File::create(path)
                            .with_context(|| format!("cannot write {}", path.display()))?,
                    )),
                    None => Box::new(std::io::BufWriter::new(std::io::stdout())),
                };
                summary::stream_csv(
                    &mut conn,
                    &consultation,
                    Audience::Staff,
                    (ordering, &filter),
                    columns,
                    out,
                )?;
                return Ok(());
            }
            let table = crate::service::summary::table(
                &mut conn,
                &consultation,
                crate::service::summary::Audience::Staff,
                ordering,
                &crate::service::summary::Filter {
                    with_contacts,
                    ..Default::default()
                },
            )?;
            if with_contacts {
                let actor = crate::service::audit::Actor::system("cli");
                crate::service::summary::record_contact_export(&mut conn, &actor, &consultation)?;
            }
            let mut bytes = Vec::new();
            if format == "html" {
                let data = crate::web::summary::table_data(&table);
                bytes = crate::web::templates::render("summary_file", &data)?.into_bytes();
            } else if format == "xlsx" {
                bytes = crate::export::summary::write_xlsx(
                    &table.consultation.group_name,
                    table.rows(),
                )?;
            } else {
                let columns = if with_contacts {
                    crate::export::summary::Columns::WithContacts
                } else {
                    crate::export::summary::Columns::Standard
                };
                crate::export::summary::write_csv(
                    &mut bytes,
                    &table.consultation.group_name,
                    columns,
                    table.rows(),
                )?;
            }
            match output {
                Some(path) => std::fs::write(&path, bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
            }
        }
        Command::Analyse {
            consultation,
            themes,
            new_only,
        } => {
            migrate(&url)?;
            let mut conn = url
                .connect()
                .with_context(|| format!("cannot open {}", url.redacted()))?;
            analyse(&mut conn, &consultation, themes, new_only)?;
        }
        Command::Import {
            command:
                ImportCommand::Responses {
                    consultation,
                    file,
                    map,
                    dry_run,
                },
        } => {
            migrate(&url)?;
            let mut conn = url
                .connect()
                .with_context(|| format!("cannot open {}", url.redacted()))?;
            import_responses(&mut conn, &consultation, &file, &map, dry_run)?;
        }
        Command::Retention {
            command: RetentionCommand::Run,
        } => {
            migrate(&url)?;
            let mut conn = url
                .connect()
                .with_context(|| format!("cannot open {}", url.redacted()))?;
            let report = service::retention::run(&mut conn, chrono::Utc::now())?;
            if report.erased.is_empty() {
                println!("Nothing to erase.");
            }
            for (slug, count) in report.erased {
                println!("{slug}: contact details of {count} consultee(s) erased.");
            }
        }
        Command::Fixtures {
            command: FixturesCommand::List,
        } => {
            for name in service::fixtures::names() {
                println!("{name}");
            }
        }
        Command::Fixtures {
            command: FixturesCommand::Load { name },
        } => {
            migrate(&url)?;
            let mut conn = url
                .connect()
                .with_context(|| format!("cannot open {}", url.redacted()))?;
            report_fixture(&name, service::fixtures::load(&mut conn, &name)?);
        }
        Command::User {
            command:
                UserCommand::Add {
                    email,
                    role,
                    name,
                    password_stdin,
                },
        } => {
            migrate(&url)?;
            let generated = !password_stdin;
            let password = if password_stdin {
                read_password()?
            } else {
                service::passwords::generate()
            };
            let mut conn = url
                .connect()
                .with_context(|| format!("cannot open {}", url.redacted()))?;
            service::users::add(&mut conn, &email, &name, role, &password)?;
            println!("Added {email} as {}.", role.label());
            if generated {
                println!("Password (shown once, not stored anywhere in clear): {password}");
            }
        }
        Command::Serve {
            bind,
            demo,
            insecure_cookies,
            posts_per_minute,
            session_hours,
            smtp_url,
            mail_from,
            page_cache_ms,
            public_url,
        } => {
            let mailer = smtp_url
                .map(|url| crate::mail::Mailer::new(&url, &mail_from))
                .transpose()?;
            let config = Config {
                database_url: url,
                bind,
                pool: pool_options,
                secret_key: secret_key()?,
                shutdown_grace: std::time::Duration::from_secs(30),
                web: WebSettings {
                    secure_cookies: !insecure_cookies,
                    posts_per_minute,
                    session_hours: session_hours.max(1),
                    public_url: public_url.map(|u| u.trim_end_matches('/').to_string()),
                    page_cache: std::time::Duration::from_millis(page_cache_ms),
                },
                mailer,
            };
            serve(config, demo)?;
        }
    }
    Ok(())
}

/// Runs `sounding analyse`, with a progress spinner on a terminal.
fn import_responses(
    conn: &mut db::DbConnection,
    slug: &str,
    file: &std::path::Path,
    choices: &[(String, String)],
    dry_run: bool,
) -> anyhow::Result<()> {
    use crate::import::{Field, Mapping};
    use crate::service::import;
    let consultation = db::consultations::by_slug(conn, slug)?
        .with_context(|| format!("no consultation {slug}"))?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let table = import::read(&bytes)?;
    let (questions, _) = import::questions(conn, &consultation)?;
    let mapping = Mapping::guess(&table.headers, &questions)
        .with_choices(&table.headers, choices)
        .map_err(anyhow::Error::msg)?;
    println!(
        "{}: {} rows, read as {}.",
        file.display(),
        table.records.len(),
        table.encoding.label()
    );
    for field in Field::ALL {
        let column = mapping
            .column(field)
            .map_or("(not in the file)", |c| table.headers[c].as_str());
        println!("  {:<13} {column}", field.key());
    }
    for (id, position, prompt) in &questions {
        if let Some(c) = mapping.question_column(*id) {
            println!("  question {position} ({prompt}): {}", table.headers[c]);
        }
    }
    let now = chrono::Utc::now();
    let preview = import::preview(conn, &consultation, &table, &mapping, now)?;
    for problem in &preview.problems {
        eprintln!("{}", import::describe(problem));
    }
    if !preview.problems.is_empty() {
        anyhow::bail!(
            "{} problem(s): nothing was imported",
            preview.problems.len()
        );
    }
    if dry_run {
        for row in &preview.sample {
            let excerpt: String = row.text.chars().take(70).collect();
            println!(
                "  line {}: {} ({}), {}: {excerpt}",
                row.line,
                row.consultee(),
                row.kind.label(),
                crate::domain::time::short_date(row.received_at)
            );
        }
        println!(
            "Dry run: {} rows would be imported, {} skipped as repeats.",
            preview.rows - preview.repeats,
            preview.repeats
        );
        return Ok(());
    }
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(table.records.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let actor = crate::service::audit::Actor::system("cli");
    let filename = file.display().to_string();
    let outcome = import::import(
        conn,
        &actor,
        &consultation,
        (&table, &filename),
        &mapping,
        now,
        &mut |done, _| {
            if done % 500 == 0 {
                bar.set_position(done as u64);
            }
        },
    )?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "Imported {} responses ({} skipped as repeats) in {seconds:.1} s: {:.0} rows/s.",
        outcome.imported,
        outcome.skipped,
        table.records.len() as f64 / seconds.max(1e-9)
    );
    Ok(())
}

fn analyse(
    conn: &mut db::DbConnection,
    slug: &str,
    themes: Option<usize>,
    new_only: bool,
) -> anyhow::Result<()> {
    use crate::service::analysis::{self, Mode};
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = std::time::Instant::now();
    let options = crate::analysis::cluster::ClusterOptions {
        themes,
        ..Default::default()
    };
    let mode = if new_only {
        Mode::NewIssuesOnly
    } else {
        Mode::Full
    };
    let report = analysis::run(
        conn,
        slug,
        mode,
        &options,
        None,
        chrono::Utc::now(),
        &|stage| bar.set_message(format!("{slug}: {stage}…")),
    )?;
    bar.finish_and_clear();
    println!(
        "Analysed {} issues of {slug} in {:.2} s: {} themes ({} new, {} removed), {} repeat groups, {} campaigns, {} suggested answers, {} issues fitting no theme.",
        report.issues,
        started.elapsed().as_secs_f64(),
        report.themes,
        report.new_themes,
        report.removed_themes,
        report.repeat_groups,
        report.campaigns,
        report.suggestions,
        report.not_fitting
    );
    let consultation = db::consultations::by_slug(conn, slug)?
        .with_context(|| format!("no consultation {slug}"))?;
    let issues = db::issues::of_consultation(conn, consultation.id)?;
    for theme in db::themes::of_consultation(conn, consultation.id)? {
        let members: Vec<&db::issues::Issue> = issues
            .iter()
            .filter(|i| i.theme_id == Some(theme.id))
            .collect();
        println!("\n{} ({} issues)", theme.label, members.len());
        for issue in members {
            let text: String = issue.content.chars().take(110).collect();
            println!("  – {text}");
        }
    }
    Ok(())
}

fn migrate(url: &DatabaseUrl) -> anyhow::Result<Vec<String>> {
    let mut conn = url
        .connect()
        .with_context(|| format!("cannot open database {}", url.redacted()))?;
    Ok(db::migrations::run_pending(&mut conn)?)
}

fn report_fixture(name: &str, outcome: LoadOutcome) {
    match outcome {
        LoadOutcome::Loaded(c) => println!(
            "Loaded {name}: {} sections, {} questions, {} bodies, {} links, {} consultees, {} responses, {} issues, {} group responses.",
            c.sections,
            c.questions,
            c.bodies,
            c.links,
            c.consultees,
            c.responses,
            c.issues,
            c.group_responses
        ),
        LoadOutcome::AlreadyLoaded => println!("{name} is already loaded; nothing changed."),
    }
}

fn read_password() -> anyhow::Result<String> {
    if std::io::stdin().is_terminal() {
        eprintln!("Password (input is shown; prefer piping it in):");
    }
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("no password on standard input");
    }
    Ok(password)
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
    let applied = migrate(&config.database_url)?;
    tracing::info!(database = %config.database_url.redacted(), applied = applied.len(), "database ready");
    if demo {
        let mut conn = config.database_url.connect()?;
        for name in service::fixtures::names() {
            report_fixture(name, service::fixtures::load(&mut conn, name)?);
        }
    }
    let pool = db::pool::open(&config.database_url, &config.pool)?;
    let listener = TcpListener::bind(&config.bind)
        .with_context(|| format!("cannot listen on {}", config.bind))?;
    let address = listener.local_addr()?;
    println!("Sounding is running at http://{address}/ (press Ctrl+C to stop)");
    let state = web::AppState::new(
        pool,
        config.secret_key.bytes(),
        web::clock::Clock::system(),
        config.web.clone(),
    );
    let runtime = actix_web::rt::System::new();
    runtime.block_on(async move {
        web::serve(listener, state, config.shutdown_grace.as_secs())?.await
    })?;
    Ok(())
}
