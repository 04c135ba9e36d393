//! Benchmark: writing the summary table as CSV.
//!
//! `cargo bench --bench summary_csv [-- ROWS]` (default 1,000,000 rows).
//! Rows are recombined from the Cheltenham fixture's real issues and
//! answers, made one at a time, so the memory figure is the writer's own:
//! it must stay flat however many rows are written. Prints rows/s and the
//! process's peak resident memory (VmHWM).

use std::time::Instant;

use sounding::domain::IssueId;
use sounding::export::summary::{Columns, SummaryRow, write_csv};

fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn main() {
    let rows: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let fixture = sounding::service::fixtures::parse("cheltenham-2011").expect("fixture");
    let texts: Vec<(String, String)> = fixture
        .responses
        .iter()
        .flat_map(|r| r.issues.iter())
        .map(|i| {
            (
                i.text.clone(),
                i.group_response
                    .as_ref()
                    .and_then(|g| g.text.clone())
                    .unwrap_or_else(|| "Noted".into()),
            )
        })
        .collect();
    let names = [
        "Gloucestershire County Council (GCC)",
        "GCC",
        "Social and Community O+S",
        "St Philip and St. James Residents Association / Stronger Communities Partnership",
    ];
    let made = (0..rows).map(|n| {
        let (issue, answer) = &texts[n % texts.len()];
        let (other, _) = &texts[(n * 7 + 3) % texts.len()];
        SummaryRow {
            number: n + 1,
            issue_id: IssueId(n as i64),
            issue: format!(
                "{issue} {}",
                other
                    .split_whitespace()
                    .take(8)
                    .collect::<Vec<_>>()
                    .join(" ")
            ),
            who_raised: names[n % names.len()].to_string(),
            response: answer.clone(),
            same_as_row: None,
            reference: format!("CHL-{:07}", n / 3 + 1),
            theme: String::new(),
            sections: vec!["Positive Participation Partnership".into()],
            bodies: vec![],
            consultee_kinds: vec!["County council".into()],
            status: "agreed".into(),
            contacts: None,
        }
    });
    let before = peak_rss_kib().unwrap_or(0);
    let start = Instant::now();
    let mut sink = CountingSink(0);
    write_csv(
        &mut sink,
        "CSP task and finish group",
        Columns::Standard,
        made,
    )
    .expect("writes");
    let elapsed = start.elapsed();
    let after = peak_rss_kib().unwrap_or(0);
    println!(
        "summary CSV: {rows} rows, {:.1} MB in {:.2} s = {:.0} rows/s; peak RSS {:.1} MiB (before writing {:.1} MiB)",
        sink.0 as f64 / 1e6,
        elapsed.as_secs_f64(),
        rows as f64 / elapsed.as_secs_f64(),
        after as f64 / 1024.0,
        before as f64 / 1024.0
    );
}

/// Counts bytes written and throws them away.
struct CountingSink(u64);

impl std::io::Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
