//! Benchmark: the summary table as CSV straight from the database.
//!
//! `cargo bench --bench summary_db -- --rows N [--in-memory]` (default
//! 1,000,000 issues). Seeds a fresh SQLite file with N issues in N/3
//! responses (real issue texts and answers from the Cheltenham fixture,
//! every fifth answer "As above" the one before), then writes the table as
//! received to a counting sink, as the web download does, and prints rows
//! per second and the peak resident memory. `--in-memory` builds the whole
//! table first instead (the other orderings' path), for comparison.

mod support;

use std::io::Write;
use std::time::Instant;

use diesel::RunQueryDsl;
use sounding::db::{self, DatabaseUrl};
use sounding::export::summary::{Columns, write_csv};
use sounding::service::summary::{self, Format, Options};
use support::peak_rss_mib;

/// Counts bytes and drops them.
struct Sink(u64);

impl Write for Sink {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len() as u64;
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
}

/// Generated rows, with the fixture's real texts (ids 1–24 are its issues).
fn seed(conn: &mut db::DbConnection, issues: usize) -> anyhow::Result<()> {
    let responses = issues.div_ceil(3);
    let statements = [
        format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {responses})
         INSERT INTO responses (id, consultation_id, reference, channel, received_at, publication, status, content, created_at, updated_at)
         SELECT 1000 + i, 1, 'BEN-' || i, 'online', datetime('2011-09-01', '+' || i || ' seconds'), 'with_names', 'received', 'generated', '2011-09-01 00:00:00', '2011-09-01 00:00:00' FROM n"),
        format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {responses})
         INSERT INTO consultees (id, consultation_id, name, short_name, kind, created_at)
         SELECT 1000 + i, 1, 'Organisation ' || (i % 5000), CASE WHEN i % 3 = 0 THEN 'O' || (i % 5000) END, 'partnership', '2011-09-01 00:00:00' FROM n"),
        format!("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {responses})
         INSERT INTO response_consultees (response_id, consultee_id, position) SELECT 1000 + i, 1000 + i, 1 FROM n"),
        format!("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {issues} - 1)
         INSERT INTO issues (id, consultation_id, response_id, position, content, kind)
         SELECT 1000 + i, 1, 1001 + i / 3, 1 + i % 3, (SELECT content FROM issues WHERE id = 1 + i % 24), 'comment' FROM n"),
        format!("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < {issues} - 1)
         INSERT INTO group_responses (issue_id, kind, content, same_as_issue_id, status, updated_at)
         SELECT 1000 + i,
                CASE WHEN i % 5 = 4 THEN 'as_above' ELSE 'written' END,
                CASE WHEN i % 5 = 4 THEN NULL ELSE (SELECT content FROM group_responses WHERE issue_id = 1 + i % 24) END,
                CASE WHEN i % 5 = 4 THEN 999 + i END,
                'agreed', '2011-09-01 00:00:00' FROM n"),
    ];
    for statement in statements {
        diesel::sql_query(statement).execute(conn)?;
    }
    Ok(())
}

fn main() -> anyhow::Result<()> {
    let rows: usize = arg("--rows")
        .and_then(|r| r.parse().ok())
        .unwrap_or(1_000_000);
    let in_memory = std::env::args().any(|a| a == "--in-memory");
    let dir = tempfile::tempdir()?;
    let url = DatabaseUrl::parse(&dir.path().join("summary-bench.db").display().to_string())?;
    let pool = db::pool::open(&url, &db::PoolOptions::default())?;
    let mut conn = pool.get()?;
    db::migrations::run_pending(&mut conn).map_err(|e| anyhow::anyhow!("{e}"))?;
    sounding::service::fixtures::load(&mut conn, "cheltenham-2011")?;
    let seeding = Instant::now();
    seed(&mut conn, rows)?;
    println!(
        "seeded {rows} issues in {:.1} s; peak RSS so far {:.0} MiB",
        seeding.elapsed().as_secs_f64(),
        peak_rss_mib()
    );
    let mut sink = Sink(0);
    let started = Instant::now();
    let written = if in_memory {
        let table = summary::table(&mut conn, None, "cheltenham-2011", &Options::default())?;
        write_csv(
            &mut sink,
            &table.consultation.group_name,
            Columns::Standard,
            table.rows(),
        )?;
        table.rows().count()
    } else {
        summary::export(
            &mut conn,
            None,
            "cheltenham-2011",
            (&Options::default(), Format::Csv),
            &mut sink,
        )?
    };
    let seconds = started.elapsed().as_secs_f64();
    println!(
        "{} rows ({:.0} MB) {} in {seconds:.1} s: {:.0} rows/s, peak RSS {:.0} MiB",
        written,
        sink.0 as f64 / 1e6,
        if in_memory {
            "built in memory, then written"
        } else {
            "streamed"
        },
        written as f64 / seconds,
        peak_rss_mib()
    );
    Ok(())
}
