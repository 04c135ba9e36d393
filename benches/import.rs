//! Benchmark: importing responses from a CSV file.
//!
//! `cargo bench --bench import -- --rows N [--postgres URL]` (default
//! 100,000 rows on a fresh SQLite file). Each row is a letter recombined
//! from the Cheltenham fixture's real points (two to four of them,
//! numbered), from a made-up organisation of a real kind, with a UK date.
//! Everything an officer's import does is timed: reading and decoding the
//! file, checking every row, then one transaction that stores each
//! response with its consultee and its issues (split from the text) and
//! audits it. Prints rows/s and the peak resident memory (VmHWM); a
//! progress bar shows on a terminal.

use std::io::IsTerminal;
use std::time::Instant;

use sounding::db::{self, DatabaseUrl};
use sounding::import::Mapping;
use sounding::service::{fixtures, import};

mod support;
use support::{BenchDatabase, peak_rss_mib};

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// A CSV file of `rows` letters made from the fixture's real points.
fn file(rows: usize) -> Vec<u8> {
    let fixture = fixtures::parse("cheltenham-2011").expect("fixture");
    let points: Vec<String> = fixture
        .responses
        .iter()
        .flat_map(|r| r.issues.iter().map(|i| i.text.clone()))
        .collect();
    let kinds = [
        "County council",
        "Residents' association",
        "Partnership",
        "Member of the public",
        "Police",
    ];
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(["Name", "Organisation", "Type", "Date received", "Comments"])
        .expect("header");
    for n in 0..rows {
        let count = 2 + n % 3;
        let letter: Vec<String> = (0..count)
            .map(|k| format!("{}. {}", k + 1, points[(n * 7 + k * 13) % points.len()]))
            .collect();
        let kind = kinds[n % kinds.len()];
        let organisation = if kind == "Member of the public" {
            String::new()
        } else {
            format!("Organisation {n}")
        };
        let date = format!("{:02}/0{}/2011", 1 + n % 28, 1 + n % 9);
        out.write_record([
            &format!("Person {n}"),
            &organisation,
            kind,
            &date,
            &letter.join("\n"),
        ])
        .expect("row");
    }
    out.into_inner().expect("file")
}

fn main() -> anyhow::Result<()> {
    let rows: usize = arg("--rows")
        .and_then(|r| r.parse().ok())
        .unwrap_or(100_000);
    // On PostgreSQL a database of its own, dropped afterwards: an import
    // into the database named would stay there (and skip every row when
    // run again).
    let database = BenchDatabase::fresh(arg("--postgres").as_deref(), "import")?;
    let url = DatabaseUrl::parse(&database.url)?;
    let pool = db::pool::open(&url, &db::PoolOptions::default())?;
    let mut conn = pool.get()?;
    db::migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    let _ = fixtures::load(&mut conn, "cheltenham-2011");
    let consultation =
        db::consultations::by_slug(&mut conn, "cheltenham-2011")?.expect("fixture loaded");

    let bytes = file(rows);
    println!(
        "{rows} rows, {:.1} MiB of CSV, on {:?}",
        bytes.len() as f64 / 1048576.0,
        url.backend()
    );
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new(rows as u64)
    } else {
        indicatif::ProgressBar::hidden()
    };
    let started = Instant::now();
    let table = import::read(&bytes)?;
    let caller = sounding::service::access::Caller::System("bench");
    let scope = sounding::service::access::open(&mut conn, &caller, &consultation.slug)?;
    let (questions, _) = import::questions(&mut conn, &scope)?;
    let mapping = Mapping::guess(&table.headers, &questions);
    let read = started.elapsed();
    let outcome = import::import(
        &mut conn,
        &scope,
        (&table, "bench.csv"),
        &mapping,
        chrono::Utc::now(),
        &mut |done, _| {
            if done % 1000 == 0 {
                bar.set_position(done as u64);
            }
        },
    )?;
    bar.finish_and_clear();
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "imported {} ({} skipped) in {seconds:.1} s (reading and mapping {:.2} s): {:.0} rows/s, peak RSS {:.0} MiB",
        outcome.imported,
        outcome.skipped,
        read.as_secs_f64(),
        rows as f64 / seconds,
        peak_rss_mib()
    );
    Ok(())
}
