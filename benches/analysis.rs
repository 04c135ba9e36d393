//! Benchmark: tokenising, clustering and labelling issues at scale.
//!
//! `cargo bench --bench analysis -- --issues N [--word-weight W]` (default
//! 100,000 issues and the engine's weight). Each
//! issue is ~30 words recombined from real texts: the NHS feedback answers
//! in `../shared/data/` when that folder is present, the Cheltenham
//! fixture's issues otherwise. Run one size per process so the peak
//! resident memory (VmHWM) printed belongs to that size.

use std::time::Instant;

use sounding::analysis::cluster::{self, ClusterOptions};
use sounding::analysis::label;
use sounding::analysis::rng::SplitMix64;
use sounding::analysis::tokenize::Tokenizer;
use sounding::analysis::vector::TfIdf;

mod support;
use support::{peak_rss_mib, real_texts};

/// `n` issues of about 30 words, each joined from whole source texts.
fn issues(sources: &[String], n: usize) -> Vec<String> {
    let mut rng = SplitMix64::new(2011);
    (0..n)
        .map(|_| {
            let mut words: Vec<&str> = Vec::with_capacity(40);
            while words.len() < 30 {
                words.extend(sources[rng.below(sources.len())].split_whitespace());
            }
            words.truncate(34);
            words.join(" ")
        })
        .collect()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value_of = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1))
    };
    let n = value_of("--issues")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let defaults = ClusterOptions::default();
    let options = ClusterOptions {
        word_weight: value_of("--word-weight")
            .and_then(|v| v.parse().ok())
            .or(defaults.word_weight),
        ..defaults
    };
    let (sources, origin) = real_texts();
    let texts = issues(&sources, n);
    let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();
    println!(
        "{n} issues, {:.1} words each, from {origin}; {} threads",
        words as f64 / n as f64,
        rayon::current_num_threads()
    );
    let memory_before = peak_rss_mib();

    let started = Instant::now();
    let tokenizer = Tokenizer::default();
    let tfidf = TfIdf::build(&tokenizer, &texts);
    let tokenised = started.elapsed().as_secs_f64();
    let result = cluster::cluster(&tfidf, &options);
    let clustered = started.elapsed().as_secs_f64();
    let labels = label::label_clustering(&tokenizer, &texts, &tfidf, &result);
    let total = started.elapsed().as_secs_f64();
    println!(
        "tokenise + weigh {tokenised:.2} s ({} terms), cluster {:.2} s ({} themes, {:?}), label {:.2} s; total {total:.2} s = {:.0} issues/s",
        tfidf.vocabulary.terms.len(),
        clustered - tokenised,
        result.themes,
        result.method,
        total - clustered,
        n as f64 / total
    );
    println!(
        "peak RSS {:.0} MiB ({:.0} MiB holding the input texts before analysis)",
        peak_rss_mib(),
        memory_before
    );
    for theme in labels.iter().take(5) {
        println!("  theme: {}", theme.label);
    }
}
