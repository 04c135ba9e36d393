//! `sounding eval-clustering`: the theme clustering measured against
//! labelled texts (NMI, ARI, matched accuracy, time).

use clap::Args;

/// `sounding eval-clustering` flags.
#[derive(Debug, Args)]
pub struct EvalArgs {
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
}

fn parse_linkage(value: &str) -> Result<crate::analysis::agglomerative::Linkage, String> {
    use crate::analysis::agglomerative::Linkage;
    match value {
        "average" => Ok(Linkage::Average),
        "ward" => Ok(Linkage::Ward),
        other => Err(format!("unknown linkage “{other}”: use average or ward")),
    }
}

pub(super) fn run(args: EvalArgs) -> anyhow::Result<()> {
    let EvalArgs {
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
    } = args;
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
    Ok(())
}
