//! Dates as spreadsheets write them, read as UK local time.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

use crate::domain::time::london_to_utc;

/// Formats tried, most specific first. Day-first: these are UK files.
const DATE_TIMES: &[&str] = &[
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%d %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%d/%m/%Y %H:%M",
];
const DATES: &[&str] = &[
    "%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d %B %Y", "%d %b %Y", "%d.%m.%Y",
];

/// When a response arrived, and whether its time is known (a letter
/// dated but not timed is not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    pub at: DateTime<Utc>,
    pub time_known: bool,
}

/// Reads a date or date and time, saying whether a time was given.
pub fn parse_received(input: &str) -> Option<Received> {
    let at = parse(input)?;
    let text = input.trim();
    let timed = DateTime::parse_from_rfc3339(text).is_ok()
        || DATE_TIMES
            .iter()
            .any(|f| NaiveDateTime::parse_from_str(text, f).is_ok());
    Some(Received {
        at,
        time_known: timed,
    })
}

/// Reads a date or date and time ("24/08/2011", "2011-08-24 10:15",
/// "24 August 2011", or RFC 3339 with an offset). A date alone is taken as
/// midday London time, so it stays on that day in either season.
pub fn parse(input: &str) -> Option<DateTime<Utc>> {
    let text = input.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.with_timezone(&Utc));
    }
    for format in DATE_TIMES {
        if let Ok(local) = NaiveDateTime::parse_from_str(text, format) {
            return Some(london_to_utc(local));
        }
    }
    for format in DATES {
        if let Ok(day) = NaiveDate::parse_from_str(text, format) {
            return Some(london_to_utc(
                day.and_time(NaiveTime::from_hms_opt(12, 0, 0)?),
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn uk_spreadsheet_dates_are_day_first_and_in_london_time() {
        assert_eq!(
            parse("24/08/2011 10:15"),
            Some(utc("2011-08-24T09:15:00Z")),
            "BST"
        );
        assert_eq!(
            parse("2011-01-24 10:15"),
            Some(utc("2011-01-24T10:15:00Z")),
            "GMT"
        );
        assert_eq!(parse("24 August 2011"), Some(utc("2011-08-24T11:00:00Z")));
        assert_eq!(
            parse("2011-08-24T10:15:00+01:00"),
            Some(utc("2011-08-24T09:15:00Z"))
        );
        assert_eq!(
            parse("03/02/2011"),
            Some(utc("2011-02-03T12:00:00Z")),
            "3 February, not 2 March"
        );
    }

    #[test]
    fn impossible_or_ambiguous_text_is_not_a_date() {
        for bad in ["31/02/2011", "2011-13-01", "last Tuesday", "", "08/24/2011"] {
            assert_eq!(parse(bad), None, "{bad}");
        }
    }
}
