//! `sounding analyse`: themes, repeats, campaigns and suggested answers
//! for a consultation's issues, stored for the workspace.

use std::io::IsTerminal;

use clap::Args;

use super::{CLI, Target};
use crate::service::database;
use crate::service::model::Connection;

/// `sounding analyse` flags.
#[derive(Debug, Args)]
pub struct AnalyseArgs {
    /// The consultation's URL name, e.g. cheltenham-2011.
    #[arg(long)]
    consultation: String,
    /// A fixed number of themes (chosen automatically if omitted).
    #[arg(long)]
    themes: Option<usize>,
    /// Only place issues that have no theme yet into the existing
    /// themes (or flag them), without re-clustering.
    #[arg(long, conflicts_with = "fresh")]
    new_only: bool,
    /// Find the automatic themes again from nothing (an ordinary run
    /// carries the existing themes forward; officers' decisions are kept
    /// either way).
    #[arg(long)]
    fresh: bool,
}

pub(super) fn run(target: &Target, args: AnalyseArgs) -> anyhow::Result<()> {
    let mut conn = database::open(&target.url)?;
    let mode = match (args.new_only, args.fresh) {
        (true, _) => crate::service::analysis::Mode::NewIssuesOnly,
        (false, true) => crate::service::analysis::Mode::Fresh,
        (false, false) => crate::service::analysis::Mode::Full,
    };
    analyse(&mut conn, &args.consultation, args.themes, mode)
}

/// Runs the analysis with a progress spinner on a terminal, then prints
/// each theme with its issues.
fn analyse(
    conn: &mut Connection,
    slug: &str,
    themes: Option<usize>,
    mode: crate::service::analysis::Mode,
) -> anyhow::Result<()> {
    use crate::service::analysis;
    let bar = if std::io::stderr().is_terminal() {
        indicatif::ProgressBar::new_spinner()
    } else {
        indicatif::ProgressBar::hidden()
    };
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    let started = std::time::Instant::now();
    let options = crate::analysis::cluster::ClusterOptions {
        themes,
        ..Default::default()
    };
    let report = analysis::run(
        conn,
        slug,
        mode,
        &options,
        None,
        chrono::Utc::now(),
        &|stage| bar.set_message(format!("{slug}: {stage}…")),
    )?;
    bar.finish_and_clear();
    println!(
        "Analysed {} issues of {slug} in {:.2} s: {} themes ({} new, {} removed), {} repeat groups, {} campaigns, {} suggested answers, {} issues fitting no theme.",
        report.issues,
        started.elapsed().as_secs_f64(),
        report.themes,
        report.new_themes,
        report.removed_themes,
        report.repeat_groups,
        report.campaigns,
        report.suggestions,
        report.not_fitting
    );
    for (theme, members) in analysis::themes_with_issues(conn, &CLI, slug)? {
        println!("\n{} ({} issues)", theme.label, members.len());
        for issue in members {
            let text: String = issue.content.chars().take(110).collect();
            println!("  – {text}");
        }
    }
    Ok(())
}
