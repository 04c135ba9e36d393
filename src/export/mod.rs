//! Pure writers: plain data in, documents out (SVG diagrams now; CSV, XLSX
//! and HTML table rows as the summary table arrives). No database, no HTTP.

pub mod chart;
pub mod diagram;
pub mod pack;
pub mod png;
pub mod summary;

/// Escapes text for SVG and HTML (XML's five special characters).
pub(crate) fn escape_xml(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
