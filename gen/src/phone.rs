//! Telephone numbers of the four countries and the many ways they are written.

use std::fmt::Write;

use crate::country::{City, Country};
use crate::rng::Rng;

/// One telephone number, kept as its parts so it can be written in any form.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Phone {
    pub(crate) country: Country,
    pub(crate) mobile: bool,
    /// National destination code (area code or mobile prefix), digits.
    area: &'static str,
    /// Subscriber number, `sub_len` digits with leading zeros.
    sub: u64,
    sub_len: u8,
}

const ES_MOBILE: &[&str] = &[
    "60", "61", "62", "63", "64", "65", "66", "67", "68", "69", "60", "61", "62", "63", "64", "65",
    "66", "67", "68", "69", "71", "72", "73", "74",
];
const CO_MOBILE: &[&str] = &[
    "300", "301", "302", "304", "305", "310", "311", "312", "313", "314", "315", "316", "317",
    "318", "319", "320", "321", "322", "323", "350", "351",
];

/// National significant number length.
fn nsn_len(country: Country) -> usize {
    match country {
        Country::Es => 9,
        Country::Mx | Country::Ar | Country::Co => 10,
    }
}

impl Phone {
    /// A new mobile number of a customer living in `city`. Mexican and
    /// Argentine mobiles carry the city's area code; Spanish and Colombian
    /// ones a nationwide mobile prefix.
    pub(crate) fn mobile(country: Country, city: &City, rng: &mut Rng) -> Phone {
        let (area, first) = match country {
            Country::Es => (rng.pick(ES_MOBILE, "61"), 0..=9),
            Country::Co => (rng.pick(CO_MOBILE, "300"), 2..=9),
            Country::Mx => (city.area, 2..=9),
            Country::Ar => (city.area, 5..=6),
        };
        Phone::with_area(country, true, area, first, rng)
    }

    /// A new landline in `city`.
    pub(crate) fn landline(country: Country, city: &City, rng: &mut Rng) -> Phone {
        let first = match country {
            Country::Ar => 4..=5,
            _ => 2..=8,
        };
        Phone::with_area(country, false, city.area, first, rng)
    }

    fn with_area(
        country: Country,
        mobile: bool,
        area: &'static str,
        first: std::ops::RangeInclusive<u8>,
        rng: &mut Rng,
    ) -> Phone {
        let sub_len = nsn_len(country).saturating_sub(area.len());
        let mut digits = String::with_capacity(sub_len);
        rng.digits(&mut digits, sub_len, first);
        Phone {
            country,
            mobile,
            area,
            sub: digits.parse().unwrap_or(0),
            sub_len: sub_len as u8,
        }
    }

    /// The national significant number: area code and subscriber, digits only.
    pub(crate) fn nsn(&self) -> String {
        let mut s = String::with_capacity(10);
        self.push_nsn(&mut s);
        s
    }

    fn push_nsn(&self, out: &mut String) {
        out.push_str(self.area);
        self.push_sub(out);
    }

    fn push_sub(&self, out: &mut String) {
        let _ = write!(
            out,
            "{:0width$}",
            self.sub,
            width = usize::from(self.sub_len)
        );
    }

    fn sub_str(&self) -> String {
        let mut s = String::with_capacity(8);
        self.push_sub(&mut s);
        s
    }

    /// E.164 digits without `+`: `34612345678`, `5491112345678`.
    pub(crate) fn push_e164_digits(&self, out: &mut String) {
        out.push_str(self.country.calling_code());
        if self.country == Country::Ar && self.mobile {
            out.push('9');
        }
        self.push_nsn(out);
    }

    /// A number identifying the phone uniquely (its E.164 digits).
    pub(crate) fn key(&self) -> u64 {
        let mut s = String::with_capacity(16);
        self.push_e164_digits(&mut s);
        s.parse().unwrap_or(0)
    }

    /// The number as a WhatsApp export shows it: E.164 digits without `+`.
    pub(crate) fn push_whatsapp(&self, out: &mut String) {
        self.push_e164_digits(out);
    }

    /// The number as a person or a system in `region` writes it: the
    /// national format of the number's own country when `region` is that
    /// country (three times out of four), an international format otherwise.
    pub(crate) fn push_as_seen_from(&self, region: Country, rng: &mut Rng, out: &mut String) {
        if region == self.country && rng.chance(0.75) {
            self.push_national(rng, out);
        } else {
            // `00` is the international prefix of Spain, Mexico and Argentina
            // but not of Colombia, so it is only written where it works.
            let idd = region != Country::Co && rng.chance(0.25);
            self.push_international(idd, rng, out);
        }
    }

    fn push_national(&self, rng: &mut Rng, out: &mut String) {
        let nsn = self.nsn();
        let sub = self.sub_str();
        let a = self.area;
        match self.country {
            Country::Es => match (self.mobile, rng.below(5)) {
                (_, 0) => out.push_str(&nsn),
                (true, 1) => group(out, &nsn, &[3, 3, 3], ' '),
                (true, 2) => group(out, &nsn, &[3, 2, 2, 2], '-'),
                (false, 1) if a.len() == 2 => group(out, &nsn, &[2, 3, 2, 2], ' '),
                _ => group(out, &nsn, &[3, 2, 2, 2], ' '),
            },
            Country::Mx => {
                let (x, y) = if sub.len() == 8 { (4, 4) } else { (3, 4) };
                match rng.below(4) {
                    0 => {
                        let _ = write!(out, "({a}) ");
                        group(out, &sub, &[x, y], '-');
                    }
                    1 => {
                        let _ = write!(out, "{a} ");
                        group(out, &sub, &[x, y], ' ');
                    }
                    2 => out.push_str(&nsn),
                    _ => {
                        let _ = write!(out, "{a}-");
                        group(out, &sub, &[x, y], '-');
                    }
                }
            }
            Country::Ar => {
                let split = [sub.len().saturating_sub(4), 4];
                if self.mobile {
                    match rng.below(3) {
                        0 => {
                            let _ = write!(out, "0{a} 15-");
                            group(out, &sub, &split, '-');
                        }
                        1 => {
                            let _ = write!(out, "(0{a}) 15-{sub}");
                        }
                        _ => {
                            let _ = write!(out, "{a} 15 ");
                            group(out, &sub, &split, ' ');
                        }
                    }
                } else if rng.chance(0.5) {
                    let _ = write!(out, "0{a} ");
                    group(out, &sub, &split, '-');
                } else {
                    let _ = write!(out, "(0{a}) ");
                    group(out, &sub, &split, '-');
                }
            }
            Country::Co => match rng.below(4) {
                0 => group(out, &nsn, &[3, 3, 4], ' '),
                1 => out.push_str(&nsn),
                2 if self.mobile => group(out, &nsn, &[3, 3, 4], '-'),
                2 => {
                    let _ = write!(out, "({a}) {sub}");
                }
                _ => {
                    let _ = write!(out, "{a} {sub}");
                }
            },
        }
    }

    fn push_international(&self, idd: bool, rng: &mut Rng, out: &mut String) {
        let cc = self.country.calling_code();
        out.push_str(if idd { "00" } else { "+" });
        out.push_str(cc);
        let compact = rng.chance(0.4);
        let nsn = self.nsn();
        match self.country {
            Country::Es => {
                if compact {
                    out.push_str(&nsn);
                } else {
                    out.push(' ');
                    group(out, &nsn, &[3, 2, 2, 2], ' ');
                }
            }
            Country::Mx => {
                if compact {
                    out.push_str(&nsn);
                } else {
                    out.push(' ');
                    let sub = self.sub_str();
                    let (x, y) = if sub.len() == 8 { (4, 4) } else { (3, 4) };
                    let _ = write!(out, "{} ", self.area);
                    group(out, &sub, &[x, y], ' ');
                }
            }
            Country::Ar => {
                let nine = if self.mobile { "9" } else { "" };
                if compact {
                    let _ = write!(out, "{nine}{nsn}");
                } else {
                    let sub = self.sub_str();
                    if self.mobile {
                        out.push_str(" 9");
                    }
                    let _ = write!(out, " {} ", self.area);
                    group(out, &sub, &[sub.len().saturating_sub(4), 4], '-');
                }
            }
            Country::Co => {
                if compact {
                    out.push_str(&nsn);
                } else {
                    let _ = write!(out, " {} {}", self.area, self.sub_str());
                }
            }
        }
    }
}

/// Writes `digits` in groups of the given sizes joined by `sep`.
fn group(out: &mut String, digits: &str, sizes: &[usize], sep: char) {
    let mut rest = digits;
    for (i, &n) in sizes.iter().enumerate() {
        if rest.is_empty() {
            break;
        }
        if i > 0 {
            out.push(sep);
        }
        let (head, tail) = rest.split_at(n.min(rest.len()));
        out.push_str(head);
        rest = tail;
    }
    out.push_str(rest);
}

/// Values clerks type when the customer gives no phone.
pub(crate) const PLACEHOLDER_PHONES: &[&str] = &[
    "0000000000",
    "000000000",
    "999999999",
    "123456789",
    "1111111111",
    "600000000",
];

/// What the telephone system records when the caller withholds the number.
pub(crate) const WITHHELD: &[&str] = &[
    "anonymous",
    "anonymous",
    "anonymous",
    "Anonymous",
    "private",
    "unknown",
];

#[cfg(test)]
mod tests {
    use rlibphonenumber::enums::Region;
    use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberFormat};

    use super::*;

    fn region(c: Country) -> Region {
        match c {
            Country::Es => Region::ES,
            Country::Mx => Region::MX,
            Country::Ar => Region::AR,
            Country::Co => Region::CO,
        }
    }

    fn e164(p: &Phone) -> String {
        let mut s = String::from("+");
        p.push_e164_digits(&mut s);
        s
    }

    /// Every written form reads back, with libphonenumber and the region the
    /// config gives its source, as the same valid number: the truth stays
    /// knowable whatever the format noise.
    #[test]
    fn every_format_parses_back_to_the_same_valid_number() {
        let mut rng = Rng::new(17);
        for country in Country::ALL {
            for city in country.cities() {
                for _ in 0..40 {
                    for p in [
                        Phone::mobile(country, city, &mut rng),
                        Phone::landline(country, city, &mut rng),
                    ] {
                        let want = e164(&p);
                        for source_region in [country, Country::Es] {
                            let mut s = String::new();
                            p.push_as_seen_from(source_region, &mut rng, &mut s);
                            let parsed = PHONE_NUMBER_UTIL
                                .parse(&s, Some(region(source_region)))
                                .unwrap_or_else(|e| {
                                    panic!("{s} ({country:?} from {source_region:?}): {e:?}")
                                });
                            assert!(
                                parsed.is_valid(),
                                "{s} -> invalid ({want}, mobile {})",
                                p.mobile
                            );
                            assert_eq!(
                                parsed.format_as(PhoneNumberFormat::E164).to_string(),
                                want,
                                "{s}"
                            );
                        }
                        let mut w = String::from("+");
                        p.push_whatsapp(&mut w);
                        let parsed = PHONE_NUMBER_UTIL
                            .parse(&w, None)
                            .unwrap_or_else(|e| panic!("{w}: {e:?}"));
                        assert!(parsed.is_valid(), "{w}");
                        assert_eq!(
                            parsed.format_as(PhoneNumberFormat::E164).to_string(),
                            want,
                            "{w}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn national_formats_look_local() {
        let mut rng = Rng::new(1);
        let mut seen = std::collections::BTreeSet::new();
        for country in Country::ALL {
            let city = &country.cities()[0];
            for _ in 0..200 {
                let p = Phone::mobile(country, city, &mut rng);
                let mut s = String::new();
                p.push_national(&mut rng, &mut s);
                let shape: String = s
                    .chars()
                    .map(|c| if c.is_ascii_digit() { '9' } else { c })
                    .collect();
                seen.insert(shape);
            }
        }
        for shape in [
            "999 99 99 99",
            "(99) 9999-9999",
            "999 99-9999-9999",
            "999 999 9999",
        ] {
            assert!(seen.contains(shape), "{shape} not in {seen:?}");
        }
    }

    #[test]
    fn grouping() {
        let mut s = String::new();
        group(&mut s, "612345678", &[3, 2, 2, 2], ' ');
        assert_eq!(s, "612 34 56 78");
        s.clear();
        group(&mut s, "12345", &[2, 2], '-');
        assert_eq!(s, "12-345");
    }
}
