//! `sounding retention run`: erase contact details past their time.

use clap::Subcommand;

use super::Target;
use crate::service::{self, database};

/// `sounding retention …`
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Erase consultees' contact details where a consultation's retention
    /// period after publication has passed, and unfinished responses past
    /// their closing time (run it daily, e.g. from cron).
    Run,
}

pub(super) fn run(target: &Target, command: RetentionCommand) -> anyhow::Result<()> {
    let RetentionCommand::Run = command;
    let mut conn = database::open(&target.url)?;
    let report = service::retention::run(&mut conn, chrono::Utc::now())?;
    if report.erased.is_empty() && report.saved_deleted == 0 {
        println!("Nothing to erase.");
    }
    if report.saved_deleted > 0 {
        println!(
            "{} unfinished response(s) past their closing time deleted.",
            report.saved_deleted
        );
    }
    for (slug, count) in report.erased {
        println!("{slug}: contact details of {count} consultee(s) erased.");
    }
    Ok(())
}
