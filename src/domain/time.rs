//! Times as people in the UK read them: Europe/London, GOV.UK date style.
//!
//! Everything is stored in UTC; a closing *date* means the end of that day in
//! London, whether that day falls in GMT or BST.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, TimeZone, Utc};
use chrono_tz::Europe::London;

/// The last second of `date` in London, as UTC (23:59:59 local time).
pub fn end_of_london_day(date: NaiveDate) -> DateTime<Utc> {
    let last_second = NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN);
    london_to_utc(date.and_time(last_second))
}

/// The first second of `date` in London, as UTC (00:00:00 local time).
pub fn start_of_london_day(date: NaiveDate) -> DateTime<Utc> {
    london_to_utc(date.and_time(NaiveTime::MIN))
}

/// Interprets a London wall-clock time as UTC. In the autumn hour that
/// happens twice the later (GMT) instant is taken, so a deadline never ends
/// early; in the spring hour that never happens the clock is moved forward.
pub fn london_to_utc(local: NaiveDateTime) -> DateTime<Utc> {
    match London.from_local_datetime(&local) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(_, later) => later.with_timezone(&Utc),
        chrono::LocalResult::None => london_to_utc(local + chrono::Duration::hours(1)),
    }
}

/// A stored UTC timestamp as a UTC instant.
pub fn from_db(stored: NaiveDateTime) -> DateTime<Utc> {
    Utc.from_utc_datetime(&stored)
}

/// The London calendar date of an instant.
pub fn london_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&London).date_naive()
}

/// "Friday 2 September 2011" (GOV.UK style: no ordinal, no comma).
pub fn long_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&London).format("%A %-d %B %Y").to_string()
}

/// "2 September 2011".
pub fn short_date(at: DateTime<Utc>) -> String {
    at.with_timezone(&London).format("%-d %B %Y").to_string()
}

/// "2 September 2011 at 11:59pm" (GOV.UK style times).
pub fn date_and_time(at: DateTime<Utc>) -> String {
    let local = at.with_timezone(&London);
    let time = local.format("%-I:%M%P").to_string();
    format!("{} at {}", local.format("%-d %B %Y"), time)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    #[test]
    fn a_closing_date_in_summer_ends_at_2259_utc() {
        let closes = end_of_london_day(date(2011, 9, 2));
        assert_eq!(closes.to_rfc3339(), "2011-09-02T22:59:59+00:00");
    }

    #[test]
    fn a_closing_date_in_winter_ends_at_2359_utc() {
        let closes = end_of_london_day(date(2011, 12, 2));
        assert_eq!(closes.to_rfc3339(), "2011-12-02T23:59:59+00:00");
    }

    #[test]
    fn the_day_the_clocks_go_back_still_ends_at_local_midnight() {
        // 30 October 2011: BST ended at 02:00 local; 23:59:59 is GMT.
        let closes = end_of_london_day(date(2011, 10, 30));
        assert_eq!(closes.to_rfc3339(), "2011-10-30T23:59:59+00:00");
    }

    #[test]
    fn the_repeated_autumn_hour_takes_the_later_instant() {
        let local = date(2011, 10, 30).and_hms_opt(1, 30, 0).expect("time");
        assert_eq!(
            london_to_utc(local).to_rfc3339(),
            "2011-10-30T01:30:00+00:00"
        );
    }

    #[test]
    fn the_missing_spring_hour_moves_forward() {
        let local = date(2011, 3, 27).and_hms_opt(1, 30, 0).expect("time");
        assert_eq!(
            london_to_utc(local).to_rfc3339(),
            "2011-03-27T01:30:00+00:00"
        );
    }

    #[test]
    fn dates_read_the_gov_uk_way() {
        let closes = end_of_london_day(date(2011, 9, 2));
        assert_eq!(long_date(closes), "Friday 2 September 2011");
        assert_eq!(short_date(closes), "2 September 2011");
        assert_eq!(date_and_time(closes), "2 September 2011 at 11:59pm");
    }
}
