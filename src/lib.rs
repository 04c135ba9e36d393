//! Sounding: public consultations where the *issue* is the unit.
//!
//! Layers, dependencies pointing one way: `web` and `cli` call `service`,
//! which calls `db`, `analysis`, `export` and `import`; all of them use
//! `domain`. `docs/architecture.md` walks through them.

pub mod analysis;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod evaluation;
pub mod export;
pub mod import;
pub mod mail;
pub mod security;
pub mod service;
pub mod templates;
pub mod web;

/// Shared by the property tests.
#[cfg(test)]
pub(crate) mod test_support {
    /// How many cases a property test runs: `default` in the ordinary
    /// suite, `PROPTEST_CASES` when set (the fuzz-style run in docs/benchmarks.md).
    pub fn proptest_cases(default: u32) -> u32 {
        std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }
}
