//! `sounding retention run`: erase contact details past their time.

use clap::Subcommand;

use super::Target;
use crate::service::{self, database};

/// `sounding retention …`
#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Erase consultees' contact details where a consultation's retention
    /// period after publication has passed (run it daily, e.g. from cron).
    Run,
}

pub(super) fn run(target: &Target, command: RetentionCommand) -> anyhow::Result<()> {
    let RetentionCommand::Run = command;
    let mut conn = database::open(&target.url)?;
    let report = service::retention::run(&mut conn, chrono::Utc::now())?;
    if report.erased.is_empty() {
        println!("Nothing to erase.");
    }
    for (slug, count) in report.erased {
        println!("{slug}: contact details of {count} consultee(s) erased.");
    }
    Ok(())
}
