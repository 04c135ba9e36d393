//! `sounding import responses`: responses that came by e-mail, letter or
//! another survey tool, from a CSV file, through the same checks as the
//! officers' upload page.

use std::io::IsTerminal;

use anyhow::Context;
use clap::Subcommand;

use super::{CLI, Target};
use crate::domain::QuestionId;
use crate::import::{Field, Mapping, Table};
use crate::service::access;
use crate::service::database;
use crate::service::import;
use crate::service::model::Connection;

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

pub(super) fn run(target: &Target, command: ImportCommand) -> anyhow::Result<()> {
    let ImportCommand::Responses {
        consultation,
        file,
        map,
        dry_run,
    } = command;
    let mut conn = database::open(&target.url)?;
    import_responses(&mut conn, &consultation, &file, &map, dry_run)
}

/// Maps, checks and (unless a dry run) imports the file, with a progress
/// bar on a terminal.
fn import_responses(
    conn: &mut Connection,
    slug: &str,
    file: &std::path::Path,
    choices: &[(String, String)],
    dry_run: bool,
) -> anyhow::Result<()> {
    let scope = access::open(conn, &CLI, slug)?;
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let table = import::read(&bytes)?;
    let (questions, _) = import::questions(conn, &scope)?;
    let mapping = Mapping::guess(&table.headers, &questions)
        .with_choices(&table.headers, choices)
        .map_err(anyhow::Error::msg)?;
    print_mapping(file, &table, &mapping, &questions);
    let now = chrono::Utc::now();
    let preview = import::preview(conn, &scope, &table, &mapping, now)?;
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
        print_dry_run(&preview);
        return Ok(());
    }
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(table.records.len() as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = std::time::Instant::now();
    let filename = file.display().to_string();
    let outcome = import::import(
        conn,
        &scope,
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

/// Which column the file's values are read from.
fn print_mapping(
    file: &std::path::Path,
    table: &Table,
    mapping: &Mapping,
    questions: &[(QuestionId, i32, String)],
) {
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
    for (id, position, prompt) in questions {
        if let Some(c) = mapping.question_column(*id) {
            println!("  question {position} ({prompt}): {}", table.headers[c]);
        }
    }
}

/// The first rows as they would be stored, and how many would be.
fn print_dry_run(preview: &import::Preview) {
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
}
