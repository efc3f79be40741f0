//! Dates (birth dates and the like) in the formats people and systems write
//! them, read under a [`DatePolicy`].
//!
//! Accepted forms:
//! - ISO `2024-03-01`, also with `/` or `.`, and with a time after it
//!   (`2024-03-01T10:00:00Z`, `1990-12-25 00:00:00`): the time is ignored;
//! - compact `19850301` (and `01031985`, day first or month first by policy,
//!   when the first four digits are no valid year-month-day);
//! - numeric `01/03/1985`, `1-3-85`, `01.03.1985`, `01 03 1985`, day first or
//!   month first by [`DatePolicy::order`], with two-digit years read through
//!   [`DatePolicy::two_digit_year_pivot`]. When one of the first two numbers is
//!   over 12 it can only be the day, and is read as the day whatever the order
//!   (`25/12/1990` is Christmas under [`DateOrder::MonthFirst`] too);
//! - with a Spanish or English month name or abbreviation: `1 de marzo de
//!   1985`, `01-mar-1985`, `March 1, 1985`, `1st March 1985`, `1985-mar-01`,
//!   with or without a weekday (`sábado, 1 de marzo de 1985`).
//!
//! Not supported ([`RejectReason::UnsupportedFormat`]): spreadsheet serial
//! numbers (`31107`), six-digit compact dates (`010385` is as likely
//! `yymmdd`), a month and year without a day, and dates before year 0.
//!
//! The library has no clock, so there is no "today": a date is accepted when
//! it exists and its year lies in `[min_year, max_year]`.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use super::{RejectReason, Rejection};
use crate::normalize::name::fold_char;

/// Which number comes first in `dd/mm/yyyy` against `mm/dd/yyyy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// `01/03/1985` is 1 March (Spain and Latin America).
    #[default]
    DayFirst,
    /// `01/03/1985` is 3 January (United States).
    MonthFirst,
}

/// How to read dates. Configuration data: every field has a default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct DatePolicy {
    /// Day first or month first for all-numeric dates. Default
    /// [`DateOrder::DayFirst`].
    pub order: DateOrder,
    /// Two-digit years up to this one are 20xx, later ones 19xx. Default 30:
    /// `00`-`30` -> 2000-2030, `31`-`99` -> 1931-1999. 99 or more reads every
    /// two-digit year as 20xx.
    pub two_digit_year_pivot: u8,
    /// Earliest accepted year. Default 1900.
    pub min_year: i16,
    /// Latest accepted year. Default 2100.
    pub max_year: i16,
}

impl Default for DatePolicy {
    fn default() -> Self {
        DatePolicy {
            order: DateOrder::DayFirst,
            two_digit_year_pivot: 30,
            min_year: 1900,
            max_year: 2100,
        }
    }
}

/// Dates that systems store for "no date": `1900-01-01`, `1899-12-31` and
/// `1899-12-30` (spreadsheet day zero), `0001-01-01` (.NET), `1753-01-01` (SQL
/// Server), `9999-12-31` and `9999-01-01`. `1970-01-01` is left out: real
/// people were born on it.
const PLACEHOLDER_DATES: &[(i16, i8, i8)] = &[
    (1, 1, 1),
    (1753, 1, 1),
    (1899, 12, 30),
    (1899, 12, 31),
    (1900, 1, 1),
    (9999, 1, 1),
    (9999, 12, 31),
];

/// Reads a date under `policy`.
///
/// Errors: [`RejectReason::Empty`] for no digits or letters,
/// [`RejectReason::UnsupportedFormat`] for shapes not listed in the module
/// docs, [`RejectReason::ImpossibleDate`] for dates that do not exist
/// (`31/02/2020`, `2020-13-01`, `00/00/0000`) or whose year is outside
/// `[min_year, max_year]`, [`RejectReason::Placeholder`] for stand-ins
/// (`1900-01-01`, `9999-12-31`, `n/a`).
///
/// ```
/// use omnid::normalize::date::{normalize_date, DatePolicy, DateOrder};
///
/// let policy = DatePolicy::default();
/// assert_eq!(normalize_date("1 de marzo de 1985", &policy)?.to_string(), "1985-03-01");
/// assert_eq!(normalize_date("01/03/85", &policy)?.to_string(), "1985-03-01");
/// let us = DatePolicy { order: DateOrder::MonthFirst, ..DatePolicy::default() };
/// assert_eq!(normalize_date("03/01/1985", &us)?.to_string(), "1985-03-01");
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_date(raw: &str, policy: &DatePolicy) -> Result<Date, Rejection> {
    if raw.is_ascii() {
        parse(raw.as_bytes(), policy)
    } else {
        // Rare: accents in `miércoles`, `1º`, full-width digits.
        let mut folded = Vec::with_capacity(raw.len());
        for c in raw.chars() {
            fold_char(c, |b| folded.push(b));
        }
        parse(&folded, policy)
    }
}

/// A meaningful piece of a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    /// A run of digits: its value and how many digits it had.
    Num(u32, usize),
    /// A month named in letters, 1-12.
    Month(i8),
}

/// At most this many tokens make a date (day, month, year).
const MAX_TOKENS: usize = 3;

fn parse(s: &[u8], policy: &DatePolicy) -> Result<Date, Rejection> {
    let mut toks = [Tok::Num(0, 0); MAX_TOKENS];
    let mut n = 0;
    let mut any = false;
    let mut i = 0;
    let unsupported = || Rejection::new(RejectReason::UnsupportedFormat);
    while let Some(&c) = s.get(i) {
        if c.is_ascii_digit() {
            any = true;
            let start = i;
            let mut value: u32 = 0;
            while let Some(&d) = s.get(i).filter(|d| d.is_ascii_digit()) {
                // Saturates: more than 8 digits is rejected below anyway.
                value = value.saturating_mul(10).saturating_add(u32::from(d - b'0'));
                i += 1;
            }
            let digits = i - start;
            if digits > 8 {
                return Err(unsupported());
            }
            match s.get(i) {
                // `25/12/1990 10:30`: the number before a colon is an hour.
                Some(b':') => break,
                Some(b'T' | b't') if s.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                    push(&mut toks, &mut n, Tok::Num(value, digits))?;
                    break;
                }
                _ => push(&mut toks, &mut n, Tok::Num(value, digits))?,
            }
            // `1st`, `2nd`, `1º` (folded to `1o`): an ordinal suffix.
            let word_end = word_end(s, i);
            if let Some(word) = s.get(i..word_end)
                && is_ordinal_suffix(word)
            {
                i = word_end;
            }
        } else if c.is_ascii_alphabetic() {
            any = true;
            let end = word_end(s, i);
            let word = s.get(i..end).unwrap_or_default();
            i = end;
            if let Some(month) = month(word) {
                push(&mut toks, &mut n, Tok::Month(month))?;
            } else if !is_filler(word) {
                return Err(if is_placeholder_text(s) {
                    Rejection::new(RejectReason::Placeholder)
                } else {
                    unsupported()
                });
            }
        } else if c == b':' {
            break;
        } else {
            i += 1;
        }
    }
    if !any {
        return Err(Rejection::new(RejectReason::Empty));
    }
    let toks = toks.get(..n).unwrap_or_default();
    let (year, month, day) = match *toks {
        [Tok::Num(v, 8)] => return compact(v, policy),
        [Tok::Num(_, 5)] => {
            return Err(unsupported().with_detail("spreadsheet serial numbers are not supported"));
        }
        [Tok::Num(y, 4), Tok::Num(m, 1..=2), Tok::Num(d, 1..=2)] => (y, m, d),
        [
            Tok::Num(a, 1..=2),
            Tok::Num(b, 1..=2),
            Tok::Num(y, yd @ (2 | 4)),
        ] => {
            let (d, m) = day_month(a, b, policy.order);
            (year(y, yd, policy), m, d)
        }
        [Tok::Num(d, 1..=2), Tok::Month(m), Tok::Num(y, yd @ (2 | 4))]
        | [Tok::Month(m), Tok::Num(d, 1..=2), Tok::Num(y, yd @ (2 | 4))] => {
            (year(y, yd, policy), m.unsigned_abs().into(), d)
        }
        [Tok::Num(y, 4), Tok::Month(m), Tok::Num(d, 1..=2)] => (y, m.unsigned_abs().into(), d),
        _ => return Err(unsupported()),
    };
    finish(year, month, day, policy)
}

fn push(toks: &mut [Tok; MAX_TOKENS], n: &mut usize, tok: Tok) -> Result<(), Rejection> {
    let slot = toks
        .get_mut(*n)
        .ok_or_else(|| Rejection::new(RejectReason::UnsupportedFormat))?;
    *slot = tok;
    *n += 1;
    Ok(())
}

fn word_end(s: &[u8], from: usize) -> usize {
    let len = s
        .get(from..)
        .unwrap_or_default()
        .iter()
        .take_while(|b| b.is_ascii_alphabetic())
        .count();
    from + len
}

/// Day and month from the first two numbers: a number over 12 can only be
/// the day, whatever the order.
fn day_month(a: u32, b: u32, order: DateOrder) -> (u32, u32) {
    match order {
        DateOrder::DayFirst if b > 12 && a <= 12 => (b, a),
        DateOrder::DayFirst => (a, b),
        DateOrder::MonthFirst if a > 12 && b <= 12 => (a, b),
        DateOrder::MonthFirst => (b, a),
    }
}

fn year(y: u32, digits: usize, policy: &DatePolicy) -> u32 {
    if digits == 2 {
        if y <= u32::from(policy.two_digit_year_pivot) {
            2000 + y
        } else {
            1900 + y
        }
    } else {
        y
    }
}

/// `yyyymmdd`, or `ddmmyyyy` / `mmddyyyy` when that is no valid date in range.
fn compact(v: u32, policy: &DatePolicy) -> Result<Date, Rejection> {
    let first = finish(v / 10_000, v / 100 % 100, v % 100, policy);
    match first {
        Ok(_) => first,
        Err(ref e) if e.reason == RejectReason::Placeholder => first,
        Err(_) => {
            let (d, m) = day_month(v / 1_000_000, v / 10_000 % 100, policy.order);
            match finish(v % 10_000, m, d, policy) {
                Ok(date) => Ok(date),
                Err(e) if e.reason == RejectReason::Placeholder => Err(e),
                Err(_) => first,
            }
        }
    }
}

fn finish(year: u32, month: u32, day: u32, policy: &DatePolicy) -> Result<Date, Rejection> {
    let impossible = || Rejection::new(RejectReason::ImpossibleDate);
    let (Ok(y), Ok(m), Ok(d)) = (i16::try_from(year), i8::try_from(month), i8::try_from(day))
    else {
        return Err(impossible());
    };
    let date = Date::new(y, m, d).map_err(|_| impossible())?;
    if PLACEHOLDER_DATES.contains(&(y, m, d)) {
        return Err(Rejection::new(RejectReason::Placeholder));
    }
    if y < policy.min_year || y > policy.max_year {
        return Err(impossible().with_detail(format!(
            "year {y} outside {}..={}",
            policy.min_year, policy.max_year
        )));
    }
    Ok(date)
}

fn month(word: &[u8]) -> Option<i8> {
    let mut lower = [0u8; 10];
    let lower = lowercase(word, &mut lower)?;
    Some(match lower {
        b"enero" | b"ene" | b"january" | b"jan" => 1,
        b"febrero" | b"feb" | b"february" => 2,
        b"marzo" | b"mar" | b"march" => 3,
        b"abril" | b"abr" | b"april" | b"apr" => 4,
        b"mayo" | b"may" => 5,
        b"junio" | b"jun" | b"june" => 6,
        b"julio" | b"jul" | b"july" => 7,
        b"agosto" | b"ago" | b"august" | b"aug" => 8,
        b"septiembre" | b"setiembre" | b"sep" | b"sept" | b"set" | b"september" => 9,
        b"octubre" | b"oct" | b"october" => 10,
        b"noviembre" | b"nov" | b"november" => 11,
        b"diciembre" | b"dic" | b"december" | b"dec" => 12,
        _ => return None,
    })
}

/// Words a date can carry that say nothing about it: `de`, `of`, weekdays.
fn is_filler(word: &[u8]) -> bool {
    let mut lower = [0u8; 10];
    let Some(lower) = lowercase(word, &mut lower) else {
        return false;
    };
    matches!(
        lower,
        b"de"
            | b"del"
            | b"of"
            | b"the"
            | b"el"
            | b"lunes"
            | b"martes"
            | b"miercoles"
            | b"jueves"
            | b"viernes"
            | b"sabado"
            | b"domingo"
            | b"lun"
            | b"mie"
            | b"jue"
            | b"vie"
            | b"sab"
            | b"dom"
            | b"monday"
            | b"tuesday"
            | b"wednesday"
            | b"thursday"
            | b"friday"
            | b"saturday"
            | b"sunday"
            | b"mon"
            | b"tue"
            | b"tues"
            | b"wed"
            | b"thu"
            | b"thur"
            | b"thurs"
            | b"fri"
            | b"sat"
            | b"sun"
            | b"utc"
            | b"gmt"
            | b"z"
    )
}

fn is_ordinal_suffix(word: &[u8]) -> bool {
    let mut lower = [0u8; 10];
    lowercase(word, &mut lower).is_some_and(|w| {
        matches!(
            w,
            b"st" | b"nd" | b"rd" | b"th" | b"o" | b"ro" | b"er" | b"ero"
        )
    })
}

/// `word` in lower case, in `buf`; `None` when longer than `buf`.
fn lowercase<'a>(word: &[u8], buf: &'a mut [u8; 10]) -> Option<&'a [u8]> {
    let out = buf.get_mut(..word.len())?;
    for (o, b) in out.iter_mut().zip(word) {
        *o = b.to_ascii_lowercase();
    }
    Some(out)
}

/// Whole texts that stand for a missing date: `n/a`, `sin fecha`, `unknown`.
fn is_placeholder_text(s: &[u8]) -> bool {
    let mut words = [[0u8; 12]; 3];
    let mut lens = [0usize; 3];
    let mut n = 0;
    for word in s
        .split(|b| !b.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let (Some(slot), Some(len)) = (words.get_mut(n), lens.get_mut(n)) else {
            return false;
        };
        let Some(dst) = slot.get_mut(..word.len()) else {
            return false;
        };
        for (d, b) in dst.iter_mut().zip(word) {
            *d = b.to_ascii_lowercase();
        }
        *len = word.len();
        n += 1;
    }
    let word = |i: usize| {
        words
            .get(i)
            .zip(lens.get(i))
            .and_then(|(w, &l)| w.get(..l))
            .unwrap_or_default()
    };
    match n {
        1 => matches!(
            word(0),
            b"na"
                | b"nd"
                | b"sf"
                | b"unknown"
                | b"desconocida"
                | b"desconocido"
                | b"null"
                | b"none"
                | b"nil"
                | b"ninguna"
                | b"ninguno"
        ),
        2 => matches!(
            (word(0), word(1)),
            (b"n", b"a")
                | (b"n", b"d")
                | (b"s", b"f")
                | (b"sin", b"fecha")
                | (b"no", b"aplica")
                | (b"no", b"date")
                | (b"no", b"tiene")
        ),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn day_first() -> DatePolicy {
        DatePolicy::default()
    }

    fn month_first() -> DatePolicy {
        DatePolicy {
            order: DateOrder::MonthFirst,
            ..DatePolicy::default()
        }
    }

    #[track_caller]
    fn ok(raw: &str, policy: &DatePolicy, want: &str) {
        match normalize_date(raw, policy) {
            Ok(d) => assert_eq!(d.to_string(), want, "{raw:?}"),
            Err(e) => panic!("{raw:?}: expected {want}, rejected as {e}"),
        }
    }

    #[track_caller]
    fn rejected(raw: &str, policy: &DatePolicy, want: RejectReason) {
        match normalize_date(raw, policy) {
            Ok(d) => panic!("{raw:?}: expected {want}, got {d}"),
            Err(e) => assert_eq!(e.reason, want, "{raw:?}"),
        }
    }

    #[test]
    fn day_first_real_world_dates() {
        let cases = [
            // ISO, from web forms and APIs.
            ("2024-03-01", "2024-03-01"),
            ("2024-03-01T10:00:00Z", "2024-03-01"),
            ("1990-12-25T00:00:00.000+01:00", "1990-12-25"),
            ("1985-7-4", "1985-07-04"),
            ("1985/07/04", "1985-07-04"),
            ("1985.07.04", "1985-07-04"),
            // CRM exports with a midnight time.
            ("1990-12-25 00:00:00", "1990-12-25"),
            ("25/12/1990 00:00:00", "1990-12-25"),
            ("25/12/1990 0:00", "1990-12-25"),
            // Spain, Mexico, Argentina, Colombia: day first.
            ("01/03/1985", "1985-03-01"),
            ("1/3/1985", "1985-03-01"),
            ("01-03-1985", "1985-03-01"),
            ("01.03.1985", "1985-03-01"),
            ("01 03 1985", "1985-03-01"),
            (" 01 / 03 / 1985 ", "1985-03-01"),
            ("29/02/2000", "2000-02-29"),
            ("31/12/1999", "1999-12-31"),
            ("12/05/2010", "2010-05-12"),
            // Two-digit years around the pivot.
            ("01/03/85", "1985-03-01"),
            ("15/06/05", "2005-06-15"),
            ("15/06/30", "2030-06-15"),
            ("15/06/31", "1931-06-15"),
            ("15/06/00", "2000-06-15"),
            // Day over 12 read as the day.
            ("12/25/1990", "1990-12-25"),
            // Compact.
            ("19850301", "1985-03-01"),
            ("01031985", "1985-03-01"),
            ("25121990", "1990-12-25"),
            ("20240301T100000", "2024-03-01"),
            // Month names, Spanish.
            ("1 de marzo de 1985", "1985-03-01"),
            ("1 DE MARZO DE 1985", "1985-03-01"),
            ("1º de marzo de 1985", "1985-03-01"),
            ("sábado, 1 de marzo de 1986", "1986-03-01"),
            ("miércoles 5 de septiembre del 2001", "2001-09-05"),
            ("5 setiembre 1978", "1978-09-05"), // Argentina, Uruguay, Peru
            ("01-mar-1985", "1985-03-01"),
            ("01-ENE-90", "1990-01-01"),
            ("17-dic-1972", "1972-12-17"),
            ("3 ago. 1999", "1999-08-03"),
            ("01mar1985", "1985-03-01"),
            // Month names, English.
            ("March 1, 1985", "1985-03-01"),
            ("Mar 1 1985", "1985-03-01"),
            ("1st March 1985", "1985-03-01"),
            ("the 22nd of October 2001", "2001-10-22"),
            ("Dec 3rd, 1999", "1999-12-03"),
            ("Sunday, July 4, 1976", "1976-07-04"),
            ("1985-mar-01", "1985-03-01"),
            // Full-width digits from East Asian keyboards.
            ("１９８５-０３-０１", "1985-03-01"),
        ];
        for (raw, want) in cases {
            ok(raw, &day_first(), want);
        }
    }

    #[test]
    fn month_first_policy() {
        let cases = [
            ("03/01/1985", "1985-03-01"),
            ("3/1/85", "1985-03-01"),
            ("12/25/1990", "1990-12-25"),
            // The day is over 12: read as the day whatever the order.
            ("25/12/1990", "1990-12-25"),
            ("07-04-1976", "1976-07-04"),
            ("03011985", "1985-03-01"),
            // Year first and month names do not depend on the order.
            ("1985-03-01", "1985-03-01"),
            ("1 de marzo de 1985", "1985-03-01"),
        ];
        for (raw, want) in cases {
            ok(raw, &month_first(), want);
        }
    }

    #[test]
    fn rejections() {
        use RejectReason::*;
        let cases = [
            ("", Empty),
            ("  / - ", Empty),
            ("31/02/2020", ImpossibleDate),
            ("2020-13-01", ImpossibleDate),
            ("00/00/0000", ImpossibleDate),
            ("29/02/2019", ImpossibleDate),
            ("32/01/2000", ImpossibleDate),
            ("13/13/2000", ImpossibleDate),
            ("31 de abril de 1990", ImpossibleDate),
            ("1850-05-01", ImpossibleDate),
            ("2150-05-01", ImpossibleDate),
            ("1900-01-01", Placeholder),
            ("01/01/1900", Placeholder),
            ("19000101", Placeholder),
            ("01011900", Placeholder),
            ("9999-12-31", Placeholder),
            ("31/12/9999", Placeholder),
            ("1899-12-30", Placeholder),
            ("0001-01-01", Placeholder),
            ("N/A", Placeholder),
            ("sin fecha", Placeholder),
            ("desconocida", Placeholder),
            ("31107", UnsupportedFormat),
            ("010385", UnsupportedFormat),
            ("marzo 1985", UnsupportedFormat),
            ("1985", UnsupportedFormat),
            ("01/03/985", UnsupportedFormat),
            ("1/2/3/4", UnsupportedFormat),
            ("1 de brumario de 1799", UnsupportedFormat),
            ("ayer", UnsupportedFormat),
            ("123456789012", UnsupportedFormat),
            ("10:30", UnsupportedFormat),
        ];
        for (raw, want) in cases {
            rejected(raw, &day_first(), want);
        }
    }

    #[test]
    fn policy_range_and_pivot() {
        let wide = DatePolicy {
            min_year: 1800,
            max_year: 2200,
            two_digit_year_pivot: 10,
            ..DatePolicy::default()
        };
        ok("1850-05-01", &wide, "1850-05-01");
        ok("2150-05-01", &wide, "2150-05-01");
        ok("01/01/11", &wide, "1911-01-01");
        ok("01/01/10", &wide, "2010-01-01");
        let all_2000s = DatePolicy {
            two_digit_year_pivot: 99,
            ..DatePolicy::default()
        };
        ok("01/01/99", &all_2000s, "2099-01-01");
        // Placeholders stay placeholders in any range.
        rejected("1900-01-01", &wide, RejectReason::Placeholder);
    }

    #[test]
    fn policy_serde_defaults() {
        let p: DatePolicy = serde_json::from_str(r#"{"order":"month_first"}"#).unwrap();
        assert_eq!(p, month_first());
        let p: DatePolicy = serde_json::from_str("{}").unwrap();
        assert_eq!(p, day_first());
        assert_eq!(
            serde_json::to_string(&DateOrder::DayFirst).unwrap(),
            r#""day_first""#
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_strings(s in ".*") {
            let _ = normalize_date(&s, &day_first());
            let _ = normalize_date(&s, &month_first());
        }

        #[test]
        fn never_panics_on_any_string(s in any::<String>()) {
            let _ = normalize_date(&s, &day_first());
        }

        #[test]
        fn never_panics_on_date_like_strings(s in "[0-9]{1,9}([-/. ][0-9a-zA-Z]{1,9}){0,3}( [0-9:]{1,8})?") {
            let _ = normalize_date(&s, &day_first());
            let _ = normalize_date(&s, &month_first());
        }

        #[test]
        fn iso_form_of_an_accepted_date_reads_back_to_itself(
            s in "[0-9]{1,4}[-/. ][0-9a-zA-Z]{1,9}[-/. ][0-9]{1,4}",
            month_first_order in any::<bool>(),
        ) {
            let policy = if month_first_order { month_first() } else { day_first() };
            if let Ok(date) = normalize_date(&s, &policy) {
                prop_assert_eq!(normalize_date(&date.to_string(), &policy), Ok(date));
            }
        }

        #[test]
        fn every_valid_date_in_range_round_trips_through_iso(
            y in 1900i16..=2100, m in 1i8..=12, d in 1i8..=31,
        ) {
            if let Ok(date) = Date::new(y, m, d)
                && !PLACEHOLDER_DATES.contains(&(y, m, d))
            {
                prop_assert_eq!(normalize_date(&date.to_string(), &day_first()), Ok(date));
                let dmy = format!("{d:02}/{m:02}/{y}");
                prop_assert_eq!(normalize_date(&dmy, &day_first()), Ok(date));
                let mdy = format!("{m}/{d}/{y}");
                prop_assert_eq!(normalize_date(&mdy, &month_first()), Ok(date));
            }
        }
    }
}
