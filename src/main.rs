//! The `sounding` binary: parse the command line, set up logging, dispatch.

use clap::Parser;

// The analysis allocates a few small strings per word; mimalloc serves
// them faster than the system allocator, most of all from several threads
// (100,000 issues: tokenising took a quarter less time).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use tracing_subscriber::EnvFilter;

fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = sounding::cli::Cli::parse();
    match sounding::cli::run(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
