//! Sounding: public consultations where the *issue* is the unit.
//!
//! Layers, dependencies pointing one way: `web` and `cli` call `service`,
//! which calls `db`, `analysis` and `export`; all of them use `domain`.

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
pub mod web;
