//! `sounding fixtures list|load`: demo and test data from the seed papers.

use clap::Subcommand;

use super::Target;
use crate::service::database;
use crate::service::fixtures::{self, LoadOutcome};

/// `sounding fixtures …`
#[derive(Debug, Subcommand)]
pub enum FixturesCommand {
    /// List the fixtures that can be loaded.
    List,
    /// Load a fixture by name (idempotent: loading twice changes nothing).
    Load {
        /// e.g. cheltenham-2011
        name: String,
    },
}

pub(super) fn run(target: &Target, command: FixturesCommand) -> anyhow::Result<()> {
    match command {
        FixturesCommand::List => {
            for name in fixtures::names() {
                println!("{name}");
            }
        }
        FixturesCommand::Load { name } => {
            let mut conn = database::open(&target.url)?;
            report(&name, fixtures::load(&mut conn, &name)?);
        }
    }
    Ok(())
}

/// Says what loading a fixture did.
pub(super) fn report(name: &str, outcome: LoadOutcome) {
    match outcome {
        LoadOutcome::Loaded(c) => println!(
            "Loaded {name}: {} sections, {} questions, {} bodies, {} links, {} consultees, {} responses, {} issues, {} group responses.",
            c.sections,
            c.questions,
            c.bodies,
            c.links,
            c.consultees,
            c.responses,
            c.issues,
            c.group_responses
        ),
        LoadOutcome::AlreadyLoaded => println!("{name} is already loaded; nothing changed."),
    }
}
