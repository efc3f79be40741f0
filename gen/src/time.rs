//! Civil dates and timestamps, written by hand so that formatting a million
//! rows costs no allocation and no time-zone database.

use std::fmt::Write;

use crate::country::Country;

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;
/// Seconds in an hour.
pub(crate) const HOUR: i64 = 3_600;
/// Start of the simulated period: 2024-01-01T00:00:00Z.
pub(crate) const WINDOW_START: i64 = 1_704_067_200;
/// End of the simulated period (exclusive): 2026-01-01T00:00:00Z.
pub(crate) const WINDOW_END: i64 = 1_767_225_600;

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
pub(crate) fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number: (year, month, day).
pub(crate) fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

/// 0 for Sunday ... 6 for Saturday.
fn weekday(days: i64) -> i64 {
    (days + 4).rem_euclid(7)
}

/// Day number of the last Sunday of a month that has 31 days.
fn last_sunday(y: i32, m: u32) -> i64 {
    let d = days_from_civil(y, m, 31);
    d - weekday(d)
}

/// UTC offset in seconds of the customer's country at `ts`.
///
/// Spain follows the EU summer-time rule (last Sunday of March to the last
/// Sunday of October, at 01:00 UTC); Mexico has had no summer time since
/// 2022 (central time is used for the whole country here), Argentina and
/// Colombia have none.
pub(crate) fn utc_offset(country: Country, ts: i64) -> i64 {
    match country {
        Country::Es => {
            let (y, _, _) = civil_from_days(ts.div_euclid(DAY));
            let start = last_sunday(y, 3) * DAY + HOUR;
            let end = last_sunday(y, 10) * DAY + HOUR;
            if (start..end).contains(&ts) {
                2 * HOUR
            } else {
                HOUR
            }
        }
        Country::Mx => -6 * HOUR,
        Country::Ar => -3 * HOUR,
        Country::Co => -5 * HOUR,
    }
}

fn push_date_time(out: &mut String, local: i64) {
    let (y, m, d) = civil_from_days(local.div_euclid(DAY));
    let secs = local.rem_euclid(DAY);
    let _ = write!(
        out,
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}",
        secs / HOUR,
        secs % HOUR / 60,
        secs % 60
    );
}

/// RFC 3339 in UTC: `2024-03-05T14:23:11Z`.
pub(crate) fn push_utc(out: &mut String, ts: i64) {
    push_date_time(out, ts);
    out.push('Z');
}

/// RFC 3339 in the country's local time: `2024-03-05T15:23:11+01:00`.
pub(crate) fn push_local(out: &mut String, country: Country, ts: i64) {
    let off = utc_offset(country, ts);
    push_date_time(out, ts + off);
    let sign = if off < 0 { '-' } else { '+' };
    let a = off.abs();
    let _ = write!(out, "{sign}{:02}:{:02}", a / HOUR, a % HOUR / 60);
}

/// A UTC timestamp at local time `hour:minute:second` of the local day that
/// contains `ts` in `country`.
pub(crate) fn at_local_time(country: Country, ts: i64, second_of_day: i64) -> i64 {
    let off = utc_offset(country, ts);
    let local_day = (ts + off).div_euclid(DAY);
    local_day * DAY + second_of_day - off
}

/// A birth date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Date {
    pub(crate) y: i32,
    pub(crate) m: u32,
    pub(crate) d: u32,
}

impl Date {
    pub(crate) fn from_days(days: i64) -> Self {
        let (y, m, d) = civil_from_days(days);
        Date { y, m, d }
    }

    /// `dd/mm/yyyy`.
    pub(crate) fn push_dmy(&self, out: &mut String) {
        let _ = write!(out, "{:02}/{:02}/{:04}", self.d, self.m, self.y);
    }

    /// `yyyy-mm-dd`.
    pub(crate) fn push_iso(&self, out: &mut String) {
        let _ = write!(out, "{:04}-{:02}-{:02}", self.y, self.m, self.d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trips() {
        for z in [-1000, 0, 1, 19_723, 20_454, 60_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        assert_eq!(days_from_civil(2024, 1, 1) * DAY, WINDOW_START);
        assert_eq!(days_from_civil(2026, 1, 1) * DAY, WINDOW_END);
        assert_eq!(civil_from_days(days_from_civil(2024, 2, 29)), (2024, 2, 29));
    }

    #[test]
    fn formats_rfc3339() {
        let mut s = String::new();
        push_utc(&mut s, WINDOW_START + 14 * HOUR + 23 * 60 + 11);
        assert_eq!(s, "2024-01-01T14:23:11Z");
        s.clear();
        push_local(&mut s, Country::Mx, WINDOW_START);
        assert_eq!(s, "2023-12-31T18:00:00-06:00");
    }

    #[test]
    fn spain_switches_to_summer_time_on_the_last_sunday_of_march() {
        // 2024-03-31 01:00 UTC and 2024-10-27 01:00 UTC.
        let start = days_from_civil(2024, 3, 31) * DAY + HOUR;
        let end = days_from_civil(2024, 10, 27) * DAY + HOUR;
        assert_eq!(utc_offset(Country::Es, start - 1), HOUR);
        assert_eq!(utc_offset(Country::Es, start), 2 * HOUR);
        assert_eq!(utc_offset(Country::Es, end - 1), 2 * HOUR);
        assert_eq!(utc_offset(Country::Es, end), HOUR);
        let mut s = String::new();
        push_local(&mut s, Country::Es, start);
        assert_eq!(s, "2024-03-31T03:00:00+02:00");
    }

    #[test]
    fn local_time_of_day() {
        let ts = at_local_time(Country::Co, WINDOW_START + 3 * DAY, 9 * HOUR);
        let mut s = String::new();
        push_local(&mut s, Country::Co, ts);
        assert_eq!(s, "2024-01-03T09:00:00-05:00");
    }
}
