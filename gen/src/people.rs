//! Person records for probabilistic matching: one table of names, birth
//! dates, emails, phones and places, several noisy records per person, no
//! identifier that links records on its own.
//!
//! The shape follows `bench/compare/gen_people.py` (the data set omnid is
//! compared with Splink on): 1 to 5 records per person (mean about 2.05),
//! the first record of a person lightly noisy, the others with hypocorisms,
//! typos, dropped accents and second surnames, case changes, swapped given
//! and family names, birth dates off by a day, a month or a year or with day
//! and month swapped, written in five formats, email and phone variants and
//! alternatives, moves, and missing values. The people themselves are the
//! main generator's: Spanish-speaking households of four countries, with
//! namesakes, shared landlines and family mailboxes, so that two people can
//! look alike the way real customers do.
//!
//! ```
//! use omnid_gen::people::{PeopleOptions, people};
//!
//! let rows = people(&PeopleOptions { records: 500, seed: 3 });
//! assert_eq!(rows.len(), 500);
//! assert_eq!(rows, people(&PeopleOptions { records: 500, seed: 3 }));
//! ```

use std::fmt::Write;

use crate::country::Country;
use crate::names::{drop_accents, hypocorisms, typo};
use crate::phone::Phone;
use crate::population::{Customer, Population};
use crate::rng::{Rng, Weighted};
use crate::time::{Date, days_from_civil};
use crate::{EntityId, Noise};

/// The columns of a people table, in [`PersonRow::fields`] order.
pub const PEOPLE_HEADER: &[&str] = &[
    "record_id",
    "entity_id",
    "first_name",
    "last_name",
    "dob",
    "email",
    "phone",
    "city",
    "postcode",
];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeopleOptions {
    /// Number of records (rows), not people.
    pub records: u64,
    /// Seed: the same options give the same rows.
    pub seed: u64,
}

/// One record. Phones are written as a Spanish system would: Spanish numbers
/// in national format, the others international (read them with default
/// region ES).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonRow {
    /// Record id, `0..records` in output order.
    pub record_id: u64,
    /// The true person.
    pub entity: EntityId,
    /// Given names.
    pub first_name: Option<String>,
    /// Family names.
    pub last_name: Option<String>,
    /// Birth date, in one of five formats (day before month when not ISO).
    pub dob: Option<String>,
    /// Email address.
    pub email: Option<String>,
    /// Phone number.
    pub phone: Option<String>,
    /// City.
    pub city: Option<String>,
    /// Postal code.
    pub postcode: Option<String>,
}

impl PersonRow {
    /// The values in [`PEOPLE_HEADER`] order, empty when missing.
    pub fn fields(&self) -> [String; 9] {
        let s = |v: &Option<String>| v.clone().unwrap_or_default();
        [
            self.record_id.to_string(),
            self.entity.to_string(),
            s(&self.first_name),
            s(&self.last_name),
            s(&self.dob),
            s(&self.email),
            s(&self.phone),
            s(&self.city),
            s(&self.postcode),
        ]
    }
}

/// Generates `opts.records` rows. Rows are shuffled, so a person's records
/// are not next to each other.
pub fn people(opts: &PeopleOptions) -> Vec<PersonRow> {
    let mut rng = Rng::new(opts.seed ^ 0x7065_6f70_6c65);
    let noise = Noise::default();
    let mut population = Population::new();
    let sizes = Weighted::new([45, 25, 15, 10, 5]);
    let want = usize::try_from(opts.records).unwrap_or(usize::MAX);
    let mut rows = Vec::with_capacity(want);
    let mut block = Vec::new();
    while rows.len() < want {
        block.clear();
        population.household(&noise, &mut rng, &mut block, 64);
        for c in &block {
            let n = (1 + sizes.sample(&mut rng)).min(want - rows.len());
            for k in 0..n {
                rows.push(record(c, k == 0, &mut rng));
            }
            if rows.len() == want {
                break;
            }
        }
    }
    // Fisher-Yates with the seeded stream: deterministic.
    for i in (1..rows.len()).rev() {
        rows.swap(i, rng.index(i + 1));
    }
    for (i, r) in rows.iter_mut().enumerate() {
        r.record_id = i as u64;
    }
    rows
}

/// One record of customer `c`; `first` records are noisy at 0.35 times the rate.
fn record(c: &Customer, first: bool, rng: &mut Rng) -> PersonRow {
    let scale = if first { 0.35 } else { 1.0 };
    let hit = |rng: &mut Rng, p: f64| rng.chance(p * scale);

    let mut given = c.given.to_string();
    if hit(rng, 0.10) {
        let short = hypocorisms(c.given);
        if !short.is_empty() {
            given = short[rng.index(short.len())].to_string();
        }
    }
    let mut family = match c.family2 {
        Some(f2) if !hit(rng, 0.30) => format!("{} {f2}", c.family1),
        _ => c.family1.to_string(),
    };
    for name in [&mut given, &mut family] {
        if hit(rng, 0.25) {
            *name = drop_accents(name);
        }
        if hit(rng, 0.08) {
            *name = typo(name, rng);
        }
        if hit(rng, 0.06) {
            *name = name.to_uppercase();
        } else if hit(rng, 0.04) {
            *name = name.to_lowercase();
        }
    }
    if hit(rng, 0.03) {
        std::mem::swap(&mut given, &mut family);
    }

    let dob = birth_date(c.birth, scale, rng);
    let email = email(c, scale, rng);
    let phone = phone(c, scale, rng);

    let (mut city, mut postcode) = (c.city.name.to_string(), c.postcode.clone());
    if hit(rng, 0.08) {
        let cities = c.country.cities();
        if let Some(moved) = cities.get(rng.index(cities.len())) {
            city = moved.name.to_string();
            postcode.clear();
            moved.push_postcode(c.country, rng, &mut postcode);
        }
    }
    if hit(rng, 0.2) {
        city = drop_accents(&city);
    }
    if hit(rng, 0.05) {
        city = typo(&city, rng);
    }
    if hit(rng, 0.1) {
        city = city.to_uppercase();
    }
    if hit(rng, 0.03) {
        postcode = digit_typo(&postcode, rng);
    }

    let mut keep = |v: String, p: f64| (!hit(rng, p)).then_some(v);
    PersonRow {
        record_id: 0,
        entity: c.entity,
        first_name: keep(given, 0.02),
        last_name: keep(family, 0.02),
        dob: keep(dob, 0.05),
        email: email.and_then(|e| keep(e, 0.15)),
        phone: keep(phone, 0.15),
        city: keep(city, 0.05),
        postcode: keep(postcode, 0.06),
    }
}

/// The birth date, sometimes a day, a month or a year off or with day and
/// month swapped, in one of five formats.
fn birth_date(birth: Date, scale: f64, rng: &mut Rng) -> String {
    let mut date = birth;
    if rng.chance(0.03 * scale) {
        let days = days_from_civil(date.y, date.m, date.d);
        let off = [-1, 1, -30, 30, -365, 365][rng.index(6)];
        date = Date::from_days(days + off);
    }
    if rng.chance(0.02 * scale) && date.d <= 12 {
        std::mem::swap(&mut date.d, &mut date.m);
    }
    let mut out = String::new();
    let (y, m, d) = (date.y, date.m, date.d);
    match Weighted::new([55, 20, 10, 10, 5]).sample(rng) {
        0 => date.push_iso(&mut out),
        1 => date.push_dmy(&mut out),
        2 => {
            let _ = write!(out, "{y:04}{m:02}{d:02}");
        }
        3 => {
            let _ = write!(out, "{d}-{m}-{y}");
        }
        _ => {
            let _ = write!(out, "{y:04}/{m:02}/{d:02}");
        }
    }
    out
}

/// The person's main address (sometimes another of theirs) as typed, with
/// a rare typo in the local part; `None` for people without one.
fn email(c: &Customer, scale: f64, rng: &mut Rng) -> Option<String> {
    let main = c.mails.first()?;
    let mail = if rng.chance(0.08 * scale) {
        c.mails.get(1 + rng.index(c.mails.len().saturating_sub(1)))
    } else {
        None
    }
    .unwrap_or(main);
    let mut out = String::new();
    mail.email.push_written(true, rng, &mut out);
    if rng.chance(0.03 * scale)
        && let Some((local, domain)) = out.split_once('@')
    {
        out = format!("{}@{domain}", typo(local, rng));
    }
    Some(out)
}

/// The main mobile (sometimes another phone of the person) as a Spanish
/// system writes it, with a rare digit typo.
fn phone(c: &Customer, scale: f64, rng: &mut Rng) -> String {
    let main = c.mobiles.first().map(|h| h.phone);
    let other = if rng.chance(0.05 * scale) {
        c.mobiles
            .get(1)
            .map(|h| h.phone)
            .or(c.landline.map(|(p, _)| p))
    } else {
        None
    };
    let phone = other
        .or(main)
        .unwrap_or_else(|| Phone::mobile(c.country, &c.city, rng));
    let mut out = String::new();
    phone.push_as_seen_from(Country::Es, rng, &mut out);
    if rng.chance(0.03 * scale) {
        out = digit_typo(&out, rng);
    }
    out
}

/// One digit replaced by a random digit (possibly the same).
fn digit_typo(s: &str, rng: &mut Rng) -> String {
    let digits = s.bytes().filter(u8::is_ascii_digit).count();
    if digits == 0 {
        return s.to_string();
    }
    let target = rng.index(digits);
    let new = char::from(b'0' + rng.below(10) as u8);
    let mut seen = 0;
    s.chars()
        .map(|ch| {
            if ch.is_ascii_digit() {
                seen += 1;
                if seen == target + 1 {
                    return new;
                }
            }
            ch
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn rows(n: u64, seed: u64) -> Vec<PersonRow> {
        people(&PeopleOptions { records: n, seed })
    }

    #[test]
    fn same_seed_same_rows_other_seed_other_rows() {
        assert_eq!(rows(2000, 1), rows(2000, 1));
        assert_ne!(rows(2000, 1), rows(2000, 2));
    }

    #[test]
    fn record_ids_run_in_order_and_people_have_one_to_five_records() {
        let r = rows(5000, 9);
        assert_eq!(r.len(), 5000);
        assert!(r.iter().enumerate().all(|(i, x)| x.record_id == i as u64));
        let mut per: BTreeMap<EntityId, usize> = BTreeMap::new();
        for x in &r {
            *per.entry(x.entity).or_default() += 1;
        }
        assert!(per.values().all(|&n| (1..=5).contains(&n)));
        let mean = r.len() as f64 / per.len() as f64;
        assert!((1.9..2.2).contains(&mean), "mean records per person {mean}");
    }

    #[test]
    fn rows_are_shuffled() {
        let r = rows(2000, 4);
        let adjacent_same = r.windows(2).filter(|w| w[0].entity == w[1].entity).count();
        assert!(
            adjacent_same < 50,
            "{adjacent_same} neighbours share a person"
        );
    }

    #[test]
    fn noise_shows_at_the_expected_rates() {
        let r = rows(20_000, 5);
        let share = |f: fn(&PersonRow) -> bool| r.iter().filter(|x| f(x)).count() as f64 / 20_000.0;
        let missing_email = share(|x| x.email.is_none());
        assert!((0.15..0.30).contains(&missing_email), "{missing_email}");
        let missing_dob = share(|x| x.dob.is_none());
        assert!((0.02..0.06).contains(&missing_dob), "{missing_dob}");
        let upper = share(|x| {
            x.last_name
                .as_deref()
                .is_some_and(|n| n.len() > 2 && n == n.to_uppercase())
        });
        assert!((0.02..0.08).contains(&upper), "{upper}");
        let iso = share(|x| {
            x.dob
                .as_deref()
                .is_some_and(|d| d.as_bytes().get(4) == Some(&b'-'))
        });
        assert!((0.45..0.60).contains(&iso), "{iso}");
    }

    #[test]
    fn the_header_matches_the_fields() {
        let r = rows(10, 2);
        assert_eq!(r[0].fields().len(), PEOPLE_HEADER.len());
        assert_eq!(r[3].fields()[0], "3");
    }

    #[test]
    fn digit_typo_changes_at_most_one_digit() {
        let mut rng = Rng::new(1);
        for _ in 0..200 {
            let t = digit_typo("+34 612 34 56 78", &mut rng);
            let diff = t
                .chars()
                .zip("+34 612 34 56 78".chars())
                .filter(|(a, b)| a != b)
                .count();
            assert!(diff <= 1, "{t}");
            assert_eq!(t.len(), 16);
        }
        assert_eq!(digit_typo("abc", &mut rng), "abc");
    }
}
