//! Integration tests over the library and the real HTTP app, each on a fresh
//! database: SQLite always, PostgreSQL when `TEST_DATABASE_URL` is set.

mod helpers;

mod access;
mod analysis;
mod api;
mod bad_input;
mod binary;
mod browser;
mod database;
mod faults;
mod fixtures;
mod group_commit;
mod html;
mod import;
mod instances;
mod mail;
mod outcome;
mod pages;
mod respond;
mod schemathesis;
mod security;
mod staff;
mod summary;
mod trust;
mod workspace;
