//! Measuring the theme clustering against labelled texts
//! (`sounding eval-clustering`): reads CSV or JSONL, clusters with the
//! number of themes chosen automatically and with the true label count,
//! and reports NMI, ARI, matched accuracy and time.

pub mod bank;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, bail};

use crate::analysis::cluster::{self, ClusterOptions};
use crate::analysis::metrics;
use crate::analysis::tokenize::Tokenizer;
use crate::analysis::vector::TfIdf;

/// The labelled set shipped with the product, used when no file is given.
pub const FIXTURE_SET: &str = "fixtures/eval/cheltenham-2011-issues.csv";

/// Which fields of each record to read.
#[derive(Debug, Clone)]
pub struct Columns {
    pub text: String,
    pub label: String,
    /// Evaluate each value of this field as its own set (e.g. a question).
    pub split_by: Option<String>,
}

/// One labelled text.
#[derive(Debug, Clone)]
pub struct Labelled {
    pub text: String,
    pub label: String,
    pub set: String,
}

/// Reads a CSV (with a header) or JSONL file. For JSONL, a label that is a
/// list counts as its first element.
pub fn read(path: &Path, columns: &Columns) -> anyhow::Result<Vec<Labelled>> {
    let is_jsonl = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson"));
    let records = if is_jsonl {
        read_jsonl(path, columns)?
    } else {
        read_csv(path, columns)?
    };
    if records.is_empty() {
        bail!("{} has no labelled texts", path.display());
    }
    Ok(records)
}

/// The shipped labelled fixture (compiled in, so it runs from anywhere).
pub fn fixture_set() -> anyhow::Result<Vec<Labelled>> {
    let columns = Columns {
        text: "text".into(),
        label: "label".into(),
        split_by: None,
    };
    let content = include_str!("../../fixtures/eval/cheltenham-2011-issues.csv");
    read_csv_from(
        csv::Reader::from_reader(content.as_bytes()),
        Path::new(FIXTURE_SET),
        &columns,
    )
}

fn read_csv(path: &Path, columns: &Columns) -> anyhow::Result<Vec<Labelled>> {
    let reader =
        csv::Reader::from_path(path).with_context(|| format!("cannot read {}", path.display()))?;
    read_csv_from(reader, path, columns)
}

fn read_csv_from<R: std::io::Read>(
    mut reader: csv::Reader<R>,
    path: &Path,
    columns: &Columns,
) -> anyhow::Result<Vec<Labelled>> {
    let headers = reader.headers()?.clone();
    let find = |name: &str| {
        headers
            .iter()
            .position(|h| h.trim_start_matches('\u{feff}') == name)
            .with_context(|| format!("{} has no column named {name:?}", path.display()))
    };
    let text = find(&columns.text)?;
    let label = find(&columns.label)?;
    let split = columns.split_by.as_deref().map(find).transpose()?;
    let mut out = Vec::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.with_context(|| format!("row {} of {}", line + 2, path.display()))?;
        let field = |i: usize| record.get(i).unwrap_or_default().to_owned();
        out.push(Labelled {
            text: field(text),
            label: field(label),
            set: split.map(field).unwrap_or_default(),
        });
    }
    Ok(out)
}

fn read_jsonl(path: &Path, columns: &Columns) -> anyhow::Result<Vec<Labelled>> {
    let content =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let as_text = |value: Option<&serde_json::Value>| match value {
        Some(serde_json::Value::String(s)) => s.clone(),
        Some(serde_json::Value::Array(items)) => items
            .first()
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .unwrap_or_default(),
        Some(serde_json::Value::Null) | None => String::new(),
        Some(other) => other.to_string(),
    };
    let mut out = Vec::new();
    for (line, raw) in content.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let value: serde_json::Value = serde_json::from_str(raw)
            .with_context(|| format!("line {} of {} is not JSON", line + 1, path.display()))?;
        out.push(Labelled {
            text: as_text(value.get(&columns.text)),
            label: as_text(value.get(&columns.label)),
            set: columns
                .split_by
                .as_deref()
                .map(|c| as_text(value.get(c)))
                .unwrap_or_default(),
        });
    }
    Ok(out)
}

/// Scores of one clustering of one set.
#[derive(Debug, Clone)]
pub struct Score {
    pub themes: usize,
    pub nmi: f64,
    pub ari: f64,
    pub accuracy: f64,
    pub seconds: f64,
}

/// One set's results: automatic number of themes, and the label count.
#[derive(Debug, Clone)]
pub struct SetReport {
    pub set: String,
    pub texts: usize,
    pub labels: usize,
    pub automatic: Option<Score>,
    pub at_label_count: Score,
}

/// Clusters one set and scores it; the clock covers reading the words,
/// weighting, reducing and clustering.
pub fn score(texts: &[&str], truth: &[usize], options: &ClusterOptions) -> Score {
    let started = Instant::now();
    let tfidf = TfIdf::build(&Tokenizer::default(), texts);
    let result = cluster::cluster(&tfidf, options);
    let seconds = started.elapsed().as_secs_f64();
    Score {
        themes: result.themes,
        nmi: metrics::nmi(truth, &result.labels),
        ari: metrics::ari(truth, &result.labels),
        accuracy: metrics::matched_accuracy(truth, &result.labels),
        seconds,
    }
}

/// Evaluates every set in the records.
pub fn evaluate(records: &[Labelled], options: &ClusterOptions, automatic: bool) -> Vec<SetReport> {
    let mut sets: BTreeMap<&str, Vec<&Labelled>> = BTreeMap::new();
    for record in records {
        sets.entry(record.set.as_str()).or_default().push(record);
    }
    sets.into_iter()
        .map(|(set, members)| {
            let texts: Vec<&str> = members.iter().map(|r| r.text.as_str()).collect();
            let labels: Vec<&str> = members.iter().map(|r| r.label.as_str()).collect();
            let (truth, names) = metrics::encode(&labels);
            let automatic = automatic.then(|| score(&texts, &truth, options));
            let fixed = ClusterOptions {
                themes: Some(names.len()),
                ..*options
            };
            let at_label_count = score(&texts, &truth, &fixed);
            SetReport {
                set: set.to_owned(),
                texts: texts.len(),
                labels: names.len(),
                automatic,
                at_label_count,
            }
        })
        .collect()
}

/// The report as a plain-text table.
pub fn render(reports: &[SetReport]) -> String {
    let mut out = String::from(
        "set                          texts labels | k chosen    NMI    ARI    acc   time | k=labels    NMI    ARI    acc   time\n",
    );
    for r in reports {
        let name = if r.set.is_empty() { "(all)" } else { &r.set };
        let cells = |s: &Score| {
            format!(
                "{:>8} {:>6.3} {:>6.3} {:>6.3} {:>5.2}s",
                s.themes, s.nmi, s.ari, s.accuracy, s.seconds
            )
        };
        let automatic = r
            .automatic
            .as_ref()
            .map_or_else(|| format!("{:>36}", "-"), cells);
        out.push_str(&format!(
            "{name:<28} {:>6} {:>6} | {automatic} | {}\n",
            r.texts,
            r.labels,
            cells(&r.at_label_count)
        ));
    }
    out
}

/// The themes found in one set, each with its size, label, top terms and
/// the reference labels of its members: to judge the themes as an officer.
pub fn describe(records: &[Labelled], options: &ClusterOptions) -> String {
    let texts: Vec<&str> = records.iter().map(|r| r.text.as_str()).collect();
    let tokenizer = Tokenizer::default();
    let tfidf = TfIdf::build(&tokenizer, &texts);
    let result = cluster::cluster(&tfidf, options);
    let labels = crate::analysis::label::label_clustering(&tokenizer, &texts, &tfidf, &result);
    let mut out = String::new();
    for (theme, label) in labels.iter().enumerate() {
        let members: Vec<usize> = (0..texts.len())
            .filter(|&i| result.labels[i] == theme)
            .collect();
        let mut reference: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in &members {
            *reference.entry(records[i].label.as_str()).or_default() += 1;
        }
        let mut reference: Vec<(&str, usize)> = reference.into_iter().collect();
        reference.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        let terms: Vec<String> = label
            .top_terms
            .iter()
            .take(6)
            .map(|t| format!("{} {:.2}", t.surface, t.weight))
            .collect();
        out.push_str(&format!(
            "Theme {} ({} issues): {}\n  terms: {}\n  reference labels: {}\n",
            theme + 1,
            members.len(),
            label.label,
            terms.join(", "),
            reference
                .iter()
                .take(4)
                .map(|(name, count)| format!("{name} ×{count}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
        for &i in &label.representatives {
            let text: String = texts[i].chars().take(140).collect();
            out.push_str(&format!("    – {text}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_fixture_evaluates_and_clusters_well_above_chance() {
        let records = fixture_set().expect("fixture");
        assert_eq!(records.len(), 24);
        let reports = evaluate(&records, &ClusterOptions::default(), true);
        let report = &reports[0];
        assert_eq!((report.texts, report.labels), (24, 9));
        assert!(report.at_label_count.nmi > 0.5, "{report:?}");
        assert!(report.automatic.as_ref().is_some_and(|a| a.themes >= 2));
        assert!(render(&reports).contains("(all)"));
    }
}
