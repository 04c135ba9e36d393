//! Small server-rendered SVG charts for the consultation dashboard: a bar
//! chart (one bar per category) and a timeline (responses per day against
//! the closing date). Plain data in, SVG out. Text is escaped here; colours
//! meet WCAG contrast on white; every chart is an image with a title, and
//! pages show the same figures as a table beside it (the text alternative).

use std::fmt::Write;

use chrono::NaiveDate;

use super::escape_xml as escape;

/// Every chart starts with this, so the template helper can tell our
/// markup from text that merely looks like SVG.
pub const CHART_PREFIX: &str = r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart""#;

/// GOV.UK blue and black: 4.5:1 or better against white.
const BAR: &str = "#1d70b8";
const TEXT: &str = "#0b0c0c";
const MARK: &str = "#d4351c";

const WIDTH: usize = 640;
const LABEL_WIDTH: usize = 240;
const ROW: usize = 28;
const MAX_LABEL_CHARS: usize = 34;

fn shorten(label: &str) -> String {
    if label.chars().count() <= MAX_LABEL_CHARS {
        label.to_string()
    } else {
        let cut: String = label.chars().take(MAX_LABEL_CHARS - 1).collect();
        format!("{cut}…")
    }
}

/// A horizontal bar chart: one row per `(label, value)`, longest bar =
/// the largest value. `title` names the chart for assistive technology.
pub fn bars(title: &str, rows: &[(String, usize)]) -> String {
    let height = ROW * rows.len().max(1) + 8;
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let room = WIDTH - LABEL_WIDTH - 60;
    let mut svg = format!(
        r#"{CHART_PREFIX} viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    for (i, (label, value)) in rows.iter().enumerate() {
        let y = i * ROW + 4;
        let length = (value * room).div_ceil(max);
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" text-anchor="end" font-size="14" fill="{TEXT}">{}</text><rect x="{LABEL_WIDTH}" y="{}" width="{length}" height="{}" fill="{BAR}"/><text x="{}" y="{}" font-size="14" fill="{TEXT}">{value}</text>"#,
            LABEL_WIDTH - 8,
            y + 18,
            escape(&shorten(label)),
            y + 4,
            ROW - 8,
            LABEL_WIDTH + length + 6,
            y + 18,
        );
    }
    if rows.is_empty() {
        let _ = write!(
            svg,
            r#"<text x="8" y="20" font-size="14" fill="{TEXT}">Nothing yet</text>"#
        );
    }
    svg.push_str("</svg>");
    svg
}

/// Responses per day as columns, from the first day to the later of the
/// last response and the closing date, with the closing date marked.
pub fn timeline(title: &str, days: &[(NaiveDate, usize)], closes: Option<NaiveDate>) -> String {
    const HEIGHT: usize = 200;
    const BASE: usize = 170;
    const LEFT: usize = 40;
    let first = days.iter().map(|(d, _)| *d).min();
    let last = days
        .iter()
        .map(|(d, _)| *d)
        .max()
        .into_iter()
        .chain(closes)
        .max();
    let mut svg = format!(
        r#"{CHART_PREFIX} viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" role="img" aria-label="{}"><title>{}</title>"#,
        escape(title),
        escape(title)
    );
    let (Some(first), Some(last)) = (first, last) else {
        let _ = write!(
            svg,
            r#"<text x="8" y="20" font-size="14" fill="{TEXT}">No responses yet</text></svg>"#
        );
        return svg;
    };
    let span = usize::try_from((last - first).num_days()).unwrap_or(0) + 1;
    let column = ((WIDTH - LEFT - 10) as f64 / span as f64).max(1.0);
    let max = days.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1);
    let _ = write!(
        svg,
        r#"<line x1="{LEFT}" y1="{BASE}" x2="{}" y2="{BASE}" stroke="{TEXT}"/><text x="{}" y="16" text-anchor="end" font-size="12" fill="{TEXT}">{max}</text>"#,
        WIDTH - 10,
        LEFT - 4
    );
    for (day, count) in days {
        let offset = usize::try_from((*day - first).num_days()).unwrap_or(0);
        let height = count * (BASE - 20) / max;
        let _ = write!(
            svg,
            r#"<rect x="{:.1}" y="{}" width="{:.1}" height="{height}" fill="{BAR}"/>"#,
            LEFT as f64 + offset as f64 * column,
            BASE - height,
            (column - 1.0).max(1.0),
        );
    }
    let label = |d: NaiveDate| d.format("%-d %b %Y").to_string();
    let _ = write!(
        svg,
        r#"<text x="{LEFT}" y="{}" font-size="12" fill="{TEXT}">{}</text><text x="{}" y="{}" text-anchor="end" font-size="12" fill="{TEXT}">{}</text>"#,
        BASE + 18,
        label(first),
        WIDTH - 10,
        BASE + 18,
        label(last)
    );
    if let Some(closes) = closes.filter(|c| *c >= first) {
        let offset = usize::try_from((closes - first).num_days()).unwrap_or(0);
        let x = LEFT as f64 + (offset as f64 + 1.0) * column;
        let _ = write!(
            svg,
            r#"<line x1="{x:.1}" y1="20" x2="{x:.1}" y2="{BASE}" stroke="{MARK}" stroke-width="2" stroke-dasharray="4 3"/><text x="{:.1}" y="14" text-anchor="end" font-size="12" fill="{MARK}">Closes {}</text>"#,
            x - 2.0,
            label(closes)
        );
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_the_chart_is_titled() {
        let svg = bars(
            "Issues per theme",
            &[("<script>alert(1)</script>".into(), 3)],
        );
        assert!(svg.starts_with(CHART_PREFIX));
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("<title>Issues per theme</title>"));
    }

    #[test]
    fn the_largest_bar_fills_the_room_and_zero_draws_nothing() {
        let svg = bars("t", &[("a".into(), 10), ("b".into(), 0)]);
        assert!(svg.contains(&format!(r#"width="{}""#, WIDTH - LABEL_WIDTH - 60)));
        assert!(svg.contains(r#"width="0""#));
    }

    #[test]
    fn the_timeline_reaches_the_closing_date_and_marks_it() {
        let d = |day| NaiveDate::from_ymd_opt(2011, 2, day).unwrap();
        let svg = timeline("Responses", &[(d(1), 2), (d(3), 5)], Some(d(10)));
        assert!(svg.contains("Closes 10 Feb 2011"));
        assert!(svg.contains("1 Feb 2011"));
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(timeline("Responses", &[], None).contains("No responses yet"));
    }
}
