//! Benchmark: the whole analysis at scale, beside scikit-learn's.
//!
//! `cargo bench --bench analysis -- [--issues N] [--words W] [--no-sklearn]`
//! (default 100,000 issues of about 60 words). Each issue joins whole
//! labelled texts of one theme (a theme is one label of one file in
//! `../shared/data/` when that folder is present, of the shipped labelled
//! fixture otherwise), so the themes found can be scored. The issues are
//! written to a CSV file, and both pipelines are timed from reading that
//! file to a theme for every issue, at k = the number of themes:
//!
//! - Sounding: read, tokenise and weigh, embed, cluster, and label;
//! - scikit-learn (when `python3` can import it): `TfidfVectorizer` and
//!   `MiniBatchKMeans` with their defaults.
//!
//! Run one size per process so the peak resident memory printed (VmHWM)
//! belongs to that size.

use std::collections::BTreeMap;
use std::io::Write;
use std::time::Instant;

// The analysis allocates a few small strings per word; mimalloc serves
// them faster than the system allocator, most of all from several threads
// (100,000 issues: tokenising took a quarter less time).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use sounding::analysis::cluster::{self, ClusterOptions};
use sounding::analysis::label;
use sounding::analysis::metrics;
use sounding::analysis::rng::SplitMix64;
use sounding::analysis::tokenize::Tokenizer;
use sounding::analysis::vector::TfIdf;

mod support;
use support::peak_rss_mib;

/// scikit-learn's pipeline, timed from reading the file to the labels.
const SKLEARN: &str = r#"
import csv, json, sys, time
started = time.perf_counter()
from sklearn.cluster import MiniBatchKMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import normalized_mutual_info_score
with open(sys.argv[1], newline="", encoding="utf-8") as f:
    rows = list(csv.reader(f))[1:]
texts, truth = [r[0] for r in rows], [r[1] for r in rows]
X = TfidfVectorizer().fit_transform(texts)
labels = MiniBatchKMeans(n_clusters=int(sys.argv[2]), random_state=0).fit_predict(X)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "nmi": normalized_mutual_info_score(truth, labels)}))
"#;

/// Labelled texts, by theme: every label of every file of the shared
/// folder, or of the shipped fixture.
fn themes() -> (BTreeMap<String, Vec<String>>, &'static str) {
    let dir = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/data"));
    let mut themes: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Ok(sets) = sounding::evaluation::bank::load(dir, sounding::evaluation::bank::MANIFEST) {
        // Each file once (the NHS answers are labelled twice), and only sets
        // large enough to recombine.
        let mut seen: Vec<&str> = Vec::new();
        for set in sets
            .iter()
            .filter(|s| s.texts.len() >= 1_000 && !s.name.contains(':'))
        {
            let first = set.texts[0].as_str();
            if seen.contains(&first) {
                continue;
            }
            seen.push(first);
            for (text, &label) in set.texts.iter().zip(&set.truth) {
                let theme = format!("{}/{label}", set.name);
                themes.entry(theme).or_default().push(text.clone());
            }
        }
    }
    if !themes.is_empty() {
        return (themes, "the labelled sets in ../shared/data");
    }
    let fixture = sounding::evaluation::fixture_set().expect("fixture");
    for record in fixture {
        themes.entry(record.label).or_default().push(record.text);
    }
    (themes, "the shipped labelled fixture")
}

/// `n` issues of about `words` words, each joined from whole texts of one
/// theme; with the theme of each.
fn issues(themes: &BTreeMap<String, Vec<String>>, n: usize, words: usize) -> Vec<(String, usize)> {
    let themes: Vec<&Vec<String>> = themes.values().collect();
    let mut rng = SplitMix64::new(2011);
    (0..n)
        .map(|_| {
            let theme = rng.below(themes.len());
            let texts = themes[theme];
            let mut joined: Vec<&str> = Vec::with_capacity(words + 20);
            while joined.len() < words {
                joined.extend(texts[rng.below(texts.len())].split_whitespace());
            }
            joined.truncate(words + 4);
            (joined.join(" "), theme)
        })
        .collect()
}

fn write_csv(path: &std::path::Path, issues: &[(String, usize)]) -> std::io::Result<()> {
    let mut out = csv::Writer::from_path(path)?;
    out.write_record(["text", "label"])?;
    for (text, theme) in issues {
        out.write_record([text.as_str(), &theme.to_string()])?;
    }
    out.flush()
}

/// Sounding's pipeline on the file: the NMI, and the time of each step.
fn sounding(path: &std::path::Path, k: usize) -> anyhow::Result<f64> {
    let started = Instant::now();
    let mut reader = csv::Reader::from_path(path)?;
    let (mut texts, mut truth) = (Vec::new(), Vec::new());
    for record in reader.records() {
        let record = record?;
        texts.push(record.get(0).unwrap_or_default().to_owned());
        truth.push(record.get(1).unwrap_or_default().parse::<usize>()?);
    }
    let read = started.elapsed().as_secs_f64();
    let tokenizer = Tokenizer::default();
    let tfidf = TfIdf::build(&tokenizer, &texts);
    let weighed = started.elapsed().as_secs_f64();
    let options = ClusterOptions {
        themes: Some(k),
        ..ClusterOptions::default()
    };
    let result = cluster::cluster(&tfidf, &options);
    let clustered = started.elapsed().as_secs_f64();
    let labels = label::label_clustering(&tokenizer, &texts, &tfidf, &result);
    let total = started.elapsed().as_secs_f64();
    let nmi = metrics::nmi(&truth, &result.labels);
    println!(
        "Sounding:     {total:6.2} s  NMI {nmi:.3}  (read {read:.2} s, tokenise + weigh {:.2} s, embed + cluster {:.2} s, label {:.2} s; {} terms)",
        weighed - read,
        clustered - weighed,
        total - clustered,
        tfidf.vocabulary.terms.len(),
    );
    for theme in labels.iter().take(5) {
        println!("  theme: {}", theme.label);
    }
    Ok(total)
}

/// scikit-learn's pipeline, if it is installed: (seconds, NMI).
fn sklearn(path: &std::path::Path, k: usize) -> Option<(f64, f64)> {
    let script = std::env::temp_dir().join("sounding-bench-sklearn.py");
    std::fs::write(&script, SKLEARN).ok()?;
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(path)
        .arg(k.to_string())
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).ok()?;
    Some((json["seconds"].as_f64()?, json["nmi"].as_f64()?))
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let n = value_of("--issues").unwrap_or(100_000);
    let words = value_of("--words").unwrap_or(60);
    let (themes, origin) = themes();
    let k = themes.len();
    let corpus = issues(&themes, n, words);
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("issues.csv");
    write_csv(&path, &corpus)?;
    let bytes = std::fs::metadata(&path)?.len();
    drop(corpus);
    println!(
        "{n} issues of ~{words} words in {k} themes, from {origin}: {:.0} MB; {} threads",
        bytes as f64 / 1e6,
        rayon::current_num_threads()
    );
    let ours = sounding(&path, k)?;
    println!("peak RSS {:.0} MiB", peak_rss_mib());
    if args.iter().any(|a| a == "--no-sklearn") {
        return Ok(());
    }
    match sklearn(&path, k) {
        Some((seconds, nmi)) => {
            println!(
                "scikit-learn: {seconds:6.2} s  NMI {nmi:.3}  (TfidfVectorizer, MiniBatchKMeans)"
            );
            println!("scikit-learn took {:.2}× Sounding's time", seconds / ours);
        }
        None => println!("scikit-learn: not installed (pip install scikit-learn to compare)"),
    }
    std::io::stdout().flush()?;
    Ok(())
}
