//! The evaluation bank: every labelled file in a folder, plus the shipped
//! fixture, clustered with the automatic number of themes and with the
//! label count, over several seeds, in one table with its mean. Methods
//! and defaults are chosen by this table, never by one set.
//!
//! A manifest (`fixtures/eval/bank.json`, or `--manifest`) says which
//! columns of a file hold the text and the label, which records to keep,
//! and the reference scores to beat; a file it does not name is read with
//! the columns `text` and `label` (or `labels`). Only the evaluation reads
//! the manifest: the engine knows no file, label or threshold.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use super::{Columns, Labelled, fixture_set, read};
use crate::analysis::cluster::ClusterOptions;
use crate::analysis::metrics;

/// The manifest shipped with Sounding (for `../shared/data/`).
pub const MANIFEST: &str = include_str!("../../fixtures/eval/bank.json");

/// The auto number of themes must reach this share of the label count's NMI.
pub const AUTO_SHARE: f64 = 0.8;

#[derive(Debug, Deserialize)]
struct Manifest {
    sets: Vec<Entry>,
}

/// One set of the bank, as the manifest names it.
#[derive(Debug, Clone, Deserialize)]
struct Entry {
    file: String,
    name: String,
    #[serde(default = "text_column")]
    text: String,
    #[serde(default = "label_column")]
    label: String,
    /// Keep only the records whose `field` is `value`.
    #[serde(default)]
    only: Option<Only>,
    /// Evaluate each value of this field as a set of its own.
    #[serde(default)]
    split_by: Option<String>,
    #[serde(default)]
    reference: Option<Reference>,
}

#[derive(Debug, Clone, Deserialize)]
struct Only {
    field: String,
    value: String,
}

/// A published score on the same data, to be at or above.
#[derive(Debug, Clone, Deserialize)]
pub struct Reference {
    pub nmi: f64,
    pub ari: f64,
    pub method: String,
}

fn text_column() -> String {
    "text".into()
}

fn label_column() -> String {
    "label".into()
}

/// A set read and ready to cluster.
pub struct BankSet {
    pub name: String,
    pub texts: Vec<String>,
    pub truth: Vec<usize>,
    pub labels: usize,
    pub reference: Option<Reference>,
}

/// The sets of `dir` (every `.csv` and `.jsonl` file, as the manifest
/// says or with the usual columns), then the shipped fixture.
pub fn load(dir: &Path, manifest: &str) -> anyhow::Result<Vec<BankSet>> {
    let manifest: Manifest = serde_json::from_str(manifest).context("the bank's manifest")?;
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("cannot read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("jsonl"))
        })
        .collect();
    files.sort();
    let mut sets = Vec::new();
    for path in files {
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let entries: Vec<Entry> = (manifest.sets.iter())
            .filter(|e| e.file == name)
            .cloned()
            .collect();
        if entries.is_empty() {
            sets.push(detected(&path)?);
        }
        for entry in entries {
            sets.extend(named(&path, entry)?);
        }
    }
    let fixture = fixture_set()?;
    sets.push(from_records(
        "Cheltenham fixture (our labels)".into(),
        &fixture,
        None,
    ));
    Ok(sets)
}

fn named(path: &Path, entry: Entry) -> anyhow::Result<Vec<BankSet>> {
    let field = (entry.only.as_ref().map(|o| o.field.clone())).or(entry.split_by.clone());
    let columns = Columns {
        text: entry.text,
        label: entry.label,
        split_by: field,
    };
    let records: Vec<Labelled> = read(path, &columns)?
        .into_iter()
        .filter(|r| entry.only.as_ref().is_none_or(|o| r.set == o.value))
        .collect();
    if entry.split_by.is_none() {
        return Ok(vec![from_records(entry.name, &records, entry.reference)]);
    }
    let mut parts: std::collections::BTreeMap<&str, Vec<Labelled>> = Default::default();
    for r in &records {
        parts.entry(r.set.as_str()).or_default().push(r.clone());
    }
    Ok(parts
        .into_iter()
        .map(|(value, part)| from_records(format!("{}: {value}", entry.name), &part, None))
        .collect())
}

/// A file the manifest does not name: `text` and `label` (or `labels`).
fn detected(path: &Path) -> anyhow::Result<BankSet> {
    let name = path.display().to_string();
    let columns = |label: &str| Columns {
        text: "text".into(),
        label: label.into(),
        split_by: None,
    };
    let records = read(path, &columns("label")).or_else(|_| read(path, &columns("labels")))?;
    Ok(from_records(name, &records, None))
}

fn from_records(name: String, records: &[Labelled], reference: Option<Reference>) -> BankSet {
    let labels: Vec<&str> = records.iter().map(|r| r.label.as_str()).collect();
    let (truth, names) = metrics::encode(&labels);
    BankSet {
        name,
        texts: records.iter().map(|r| r.text.clone()).collect(),
        truth,
        labels: names.len(),
        reference,
    }
}

/// Seeds written `1..5` (inclusive) or `1,2,3`.
pub fn parse_seeds(text: &str) -> Result<Vec<u64>, String> {
    let bad = || format!("seeds “{text}”: write them 1..5 or 1,2,3");
    if let Some((from, to)) = text.split_once("..") {
        let (from, to): (u64, u64) = (
            from.trim().parse().map_err(|_| bad())?,
            to.trim().parse().map_err(|_| bad())?,
        );
        return if from <= to && to - from < 100 {
            Ok((from..=to).collect())
        } else {
            Err(bad())
        };
    }
    text.split(',')
        .map(|s| s.trim().parse().map_err(|_| bad()))
        .collect()
}

/// Mean scores of one set over the seeds.
#[derive(Debug, Clone, Default)]
pub struct Averaged {
    pub themes: f64,
    pub nmi: f64,
    pub ari: f64,
    pub accuracy: f64,
    pub seconds: f64,
}

impl Averaged {
    fn add(&mut self, s: &super::Score, share: f64) {
        self.themes += s.themes as f64 * share;
        self.nmi += s.nmi * share;
        self.ari += s.ari * share;
        self.accuracy += s.accuracy * share;
        self.seconds += s.seconds * share;
    }
}

/// One row of the bank's table.
pub struct Row {
    pub name: String,
    pub texts: usize,
    pub labels: usize,
    pub automatic: Averaged,
    pub at_label_count: Averaged,
    pub reference: Option<Reference>,
}

impl Row {
    /// At or above the reference (NMI and ARI at the label count).
    pub fn beats_reference(&self) -> Option<bool> {
        let r = self.reference.as_ref()?;
        Some(self.at_label_count.nmi >= r.nmi && self.at_label_count.ari >= r.ari)
    }

    /// The automatic number's NMI as a share of the label count's.
    pub fn auto_share(&self) -> f64 {
        if self.at_label_count.nmi > 0.0 {
            self.automatic.nmi / self.at_label_count.nmi
        } else {
            1.0
        }
    }
}

/// Clusters every set with each seed, automatically and at the label count.
pub fn run(sets: &[BankSet], options: &ClusterOptions, seeds: &[u64]) -> Vec<Row> {
    let share = 1.0 / seeds.len().max(1) as f64;
    sets.iter()
        .map(|set| {
            let texts: Vec<&str> = set.texts.iter().map(String::as_str).collect();
            let mut automatic = Averaged::default();
            let mut at_label_count = Averaged::default();
            for &seed in seeds {
                let auto = ClusterOptions {
                    seed,
                    themes: None,
                    ..*options
                };
                let fixed = ClusterOptions {
                    seed,
                    themes: Some(set.labels),
                    ..*options
                };
                automatic.add(&super::score(&texts, &set.truth, &auto), share);
                at_label_count.add(&super::score(&texts, &set.truth, &fixed), share);
            }
            Row {
                name: set.name.clone(),
                texts: set.texts.len(),
                labels: set.labels,
                automatic,
                at_label_count,
                reference: set.reference.clone(),
            }
        })
        .collect()
}

/// The table, as Markdown (it goes into `docs/clustering.md` as printed).
pub fn render(rows: &[Row], seeds: &[u64]) -> String {
    let mut out = format!(
        "Mean of seeds {}.\n\n| set | texts | labels | auto: themes | NMI | ARI | acc | k = labels: NMI | ARI | acc | time | reference NMI / ARI | at or above | auto ÷ k |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
        seeds
            .iter()
            .map(u64::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    );
    let yes_no = |b: bool| if b { "yes" } else { "**no**" };
    for r in rows {
        let (a, k) = (&r.automatic, &r.at_label_count);
        let reference = r.reference.as_ref().map_or_else(
            || "–".to_string(),
            |x| format!("{:.3} / {:.3}", x.nmi, x.ari),
        );
        let beats = r.beats_reference().map_or("–", yes_no);
        let share = r.auto_share();
        let share = if share >= AUTO_SHARE {
            format!("{share:.2}")
        } else {
            format!("**{share:.2}**")
        };
        out.push_str(&format!(
            "| {} | {} | {} | {:.1} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} s | {reference} | {beats} | {share} |\n",
            r.name, r.texts, r.labels, a.themes, a.nmi, a.ari, a.accuracy, k.nmi, k.ari, k.accuracy,
            a.seconds + k.seconds
        ));
    }
    let n = rows.len().max(1) as f64;
    let mean = |f: &dyn Fn(&Row) -> f64| rows.iter().map(f).sum::<f64>() / n;
    out.push_str(&format!(
        "| **mean** | | | | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.1} s | | | {:.2} |\n",
        mean(&|r| r.automatic.nmi),
        mean(&|r| r.automatic.ari),
        mean(&|r| r.automatic.accuracy),
        mean(&|r| r.at_label_count.nmi),
        mean(&|r| r.at_label_count.ari),
        mean(&|r| r.at_label_count.accuracy),
        rows.iter().map(|r| r.automatic.seconds + r.at_label_count.seconds).sum::<f64>(),
        mean(&|r| r.auto_share()),
    ));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_are_a_range_or_a_list() {
        assert_eq!(parse_seeds("1..5"), Ok(vec![1, 2, 3, 4, 5]));
        assert_eq!(parse_seeds("7, 9"), Ok(vec![7, 9]));
        assert!(parse_seeds("5..1").is_err());
        assert!(parse_seeds("one").is_err());
    }

    #[test]
    fn the_shipped_manifest_reads() {
        let manifest: Manifest = serde_json::from_str(MANIFEST).expect("valid");
        assert!((manifest.sets.iter()).all(|s| s.reference.is_some() || s.split_by.is_some()));
    }

    #[test]
    fn a_folder_is_read_with_the_manifest_and_the_fixture_is_added() {
        let dir = std::env::temp_dir().join(format!("sounding-bank-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("plain.csv"), "text,label\na b,x\nc d,y\n").expect("write");
        std::fs::write(dir.join("notes.txt"), "ignored").expect("write");
        let sets = load(&dir, r#"{"sets": []}"#).expect("loads");
        std::fs::remove_dir_all(&dir).ok();
        assert_eq!(sets.len(), 2);
        assert_eq!((sets[0].texts.len(), sets[0].labels), (2, 2));
        assert!(sets[1].name.contains("Cheltenham"));
        let rows = run(&sets[1..], &ClusterOptions::default(), &[1]);
        assert!(render(&rows, &[1]).contains("| **mean** |"));
    }
}
