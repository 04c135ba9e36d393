//! Pure writers: plain data in, documents out (SVG diagrams now; CSV, XLSX
//! and HTML table rows as the summary table arrives). No database, no HTTP.

pub mod diagram;
pub mod summary;
