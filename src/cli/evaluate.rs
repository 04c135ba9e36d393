//! `sounding eval-clustering`: the theme clustering measured against
//! labelled texts (NMI, ARI, matched accuracy, time).

use clap::Args;

/// `sounding eval-clustering` flags.
#[derive(Debug, Args)]
pub struct EvalArgs {
    /// The labelled file; the product's own labelled fixture if omitted.
    file: Option<std::path::PathBuf>,
    /// Evaluate every CSV and JSONL file in this folder, and the fixture,
    /// as one bank: one table with the mean (see --manifest, --seeds).
    #[arg(long, conflicts_with = "file")]
    bank: Option<std::path::PathBuf>,
    /// The bank's manifest: columns and reference scores of each file
    /// (default: the one shipped for ../shared/data/).
    #[arg(long, requires = "bank")]
    manifest: Option<std::path::PathBuf>,
    /// Seeds to average over, `1..5` or `1,2,3` (with --bank).
    #[arg(long, default_value = "1..5")]
    seeds: String,
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
    /// An automatic choice considers from this share of the most themes
    /// (default: the engine's).
    #[arg(long)]
    fewest_share: Option<f32>,
    /// Seeded k-means runs of large sets, the tightest kept (default: the
    /// engine's).
    #[arg(long)]
    restarts: Option<usize>,
    /// Large sets: fit k-means for the number of themes (`true`), or merge
    /// fine clusters (`false`) (default: the engine's).
    #[arg(long)]
    refit: Option<bool>,
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
    let defaults = crate::analysis::cluster::ClusterOptions::default();
    let options = crate::analysis::cluster::ClusterOptions {
        dimensions: args.dimensions,
        linkage: args.linkage.unwrap_or(defaults.linkage),
        seed: args.seed.unwrap_or(defaults.seed),
        word_weight: args.word_weight.or(defaults.word_weight),
        fewest_share: args.fewest_share.unwrap_or(defaults.fewest_share),
        restarts: args.restarts.unwrap_or(defaults.restarts),
        refit: args.refit.unwrap_or(defaults.refit),
        ..defaults
    };
    match &args.bank {
        Some(dir) => run_bank(dir, args.manifest.as_deref(), &args.seeds, &options),
        None => run_file(args, options),
    }
}

/// `--bank DIR`: every file of the folder and the fixture, one table.
fn run_bank(
    dir: &std::path::Path,
    manifest: Option<&std::path::Path>,
    seeds: &str,
    options: &crate::analysis::cluster::ClusterOptions,
) -> anyhow::Result<()> {
    use crate::evaluation::bank;
    let seeds = bank::parse_seeds(seeds).map_err(anyhow::Error::msg)?;
    let manifest = match manifest {
        Some(path) => std::fs::read_to_string(path)?,
        None => bank::MANIFEST.to_string(),
    };
    let sets = bank::load(dir, &manifest)?;
    let rows = bank::run(&sets, options, &seeds);
    print!("{}", bank::render(&rows, &seeds));
    Ok(())
}

fn run_file(
    args: EvalArgs,
    options: crate::analysis::cluster::ClusterOptions,
) -> anyhow::Result<()> {
    let EvalArgs {
        file,
        text_column,
        label_column,
        split_by,
        label_count_only,
        show_themes,
        ..
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
