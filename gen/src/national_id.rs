//! National identity documents with correct check characters: Spanish DNI
//! and NIE, Mexican CURP and RFC, Argentine DNI and CUIT, Colombian cédula.

use std::fmt::Write;

use crate::country::Country;
use crate::names::legacy_upper;
use crate::rng::Rng;
use crate::time::Date;

/// One person's identity document(s).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NationalId {
    /// DNI (8 digits) or NIE (`X`/`Y`/`Z` and 7 digits), with the check letter.
    Es { prefix: Option<char>, number: u32 },
    /// CURP (18 characters) and RFC (13 characters).
    Mx { curp: String, rfc: String },
    /// DNI number; the CUIT wraps it with a prefix and a check digit.
    Ar {
        dni: u32,
        cuit_prefix: u8,
        cuit_check: u8,
    },
    /// Cédula de ciudadanía.
    Co { cedula: u64 },
}

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";

/// The check letter of a DNI number (or of an NIE with its prefix replaced
/// by 0, 1 or 2).
pub(crate) fn dni_letter(n: u32) -> char {
    char::from(DNI_LETTERS[(n % 23) as usize])
}

/// The data a document is derived from.
pub(crate) struct Holder<'a> {
    pub(crate) given: &'a str,
    pub(crate) family1: &'a str,
    pub(crate) family2: Option<&'a str>,
    pub(crate) birth: Date,
    pub(crate) female: bool,
    /// Mexican state code of birth (`DF`, `JC`...).
    pub(crate) state: &'a str,
}

impl NationalId {
    pub(crate) fn new(country: Country, h: &Holder<'_>, rng: &mut Rng) -> NationalId {
        match country {
            Country::Es => {
                if rng.chance(0.06) {
                    let prefix = if rng.chance(0.6) { 'X' } else { 'Y' };
                    NationalId::Es {
                        prefix: Some(prefix),
                        number: rng.range(0, 10_000_000) as u32,
                    }
                } else {
                    NationalId::Es {
                        prefix: None,
                        number: rng.range(5_000_000, 80_000_000) as u32,
                    }
                }
            }
            Country::Mx => {
                let curp = curp(h, rng);
                let rfc = rfc(h, rng);
                NationalId::Mx { curp, rfc }
            }
            Country::Ar => {
                let base = 8_000_000 + i64::from(h.birth.y - 1950) * 700_000;
                let dni = rng
                    .range(base - 600_000, base + 600_000)
                    .clamp(1_000_000, 99_999_999) as u32;
                let (cuit_prefix, cuit_check) = cuit(dni, h.female);
                NationalId::Ar {
                    dni,
                    cuit_prefix,
                    cuit_check,
                }
            }
            Country::Co => {
                let cedula = if h.birth.y < 1990 {
                    rng.range(10_000_000, 99_999_999) as u64
                } else {
                    rng.range(1_000_000_000, 1_130_000_000) as u64
                };
                NationalId::Co { cedula }
            }
        }
    }

    /// The document as a clerk types it into the CRM: canonical most of the
    /// time, with separators or lower case otherwise; Mexicans give their
    /// RFC instead of the CURP now and then, Argentines their CUIT.
    pub(crate) fn push_written(&self, rng: &mut Rng, out: &mut String) {
        match self {
            NationalId::Es { prefix, number } => {
                let check_base = match prefix {
                    Some('Y') => 10_000_000 + number,
                    Some('Z') => 20_000_000 + number,
                    _ => *number,
                };
                let letter = dni_letter(check_base);
                let digits = match prefix {
                    Some(p) => format!("{p}{number:07}"),
                    None => format!("{number:08}"),
                };
                match rng.below(20) {
                    0..=13 => {
                        let _ = write!(out, "{digits}{letter}");
                    }
                    14..=16 => {
                        let _ = write!(out, "{digits}-{letter}");
                    }
                    17 if prefix.is_none() => {
                        let _ = write!(
                            out,
                            "{}.{}.{}-{letter}",
                            &digits[..2],
                            &digits[2..5],
                            &digits[5..]
                        );
                    }
                    18 => {
                        let _ = write!(out, "{digits} {letter}");
                    }
                    _ => {
                        let _ = write!(out, "{digits}{}", letter.to_ascii_lowercase());
                    }
                }
            }
            NationalId::Mx { curp, rfc } => {
                if rng.chance(0.15) {
                    out.push_str(rfc);
                } else if rng.chance(0.05) {
                    out.push_str(&curp.to_ascii_lowercase());
                } else {
                    out.push_str(curp);
                }
            }
            NationalId::Ar {
                dni,
                cuit_prefix,
                cuit_check,
            } => match rng.below(10) {
                0..=3 => {
                    let _ = write!(
                        out,
                        "{}.{:03}.{:03}",
                        dni / 1_000_000,
                        dni / 1000 % 1000,
                        dni % 1000
                    );
                }
                4..=6 => {
                    let _ = write!(out, "{dni}");
                }
                7 | 8 => {
                    let _ = write!(out, "{cuit_prefix}-{dni:08}-{cuit_check}");
                }
                _ => {
                    let _ = write!(out, "{cuit_prefix}{dni:08}{cuit_check}");
                }
            },
            NationalId::Co { cedula } => {
                if rng.chance(0.3) {
                    push_thousands(*cedula, out);
                } else {
                    let _ = write!(out, "{cedula}");
                }
            }
        }
    }
}

/// `1020345678` -> `1.020.345.678`.
fn push_thousands(n: u64, out: &mut String) {
    let s = n.to_string();
    let first = s.len() % 3;
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (i + 3 - first).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
}

/// Values clerks type when the customer has no document at hand.
pub(crate) fn placeholder(country: Country) -> &'static str {
    match country {
        Country::Es => "00000000T",
        Country::Mx => "XEXX010101000",
        Country::Ar => "11111111",
        Country::Co => "0000000000",
    }
}

/// CUIT prefix and check digit for a DNI (AFIP's mod-11 rule; a check of
/// 10 moves the person to prefix 23).
pub(crate) fn cuit(dni: u32, female: bool) -> (u8, u8) {
    let prefix: u8 = if female { 27 } else { 20 };
    match cuit_check(prefix, dni) {
        10 => (23, if female { 4 } else { 9 }),
        d => (prefix, d),
    }
}

fn cuit_check(prefix: u8, dni: u32) -> u8 {
    const W: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
    let digits = format!("{prefix:02}{dni:08}");
    let sum: u32 = digits
        .bytes()
        .zip(W)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    match 11 - sum % 11 {
        11 => 0,
        d => d as u8,
    }
}

const PARTICLES: &[&str] = &[
    "DA", "DAS", "DE", "DEL", "DER", "DI", "DIE", "DD", "EL", "LA", "LOS", "LAS", "LE", "LES",
    "MAC", "MC", "VAN", "VON", "Y",
];

/// A name as RENAPO reads it: upper case ASCII, Ñ as X, particles skipped.
fn renapo_word(name: &str) -> String {
    let upper = legacy_upper(&name.replace(['ñ', 'Ñ'], "X"));
    upper
        .split([' ', '-'])
        .find(|w| !w.is_empty() && !PARTICLES.contains(w))
        .unwrap_or("X")
        .to_string()
}

/// The given name CURP and RFC use: a leading `José` or `María` is skipped
/// when there is another name.
fn renapo_given(given: &str) -> String {
    let upper = legacy_upper(given);
    let words: Vec<&str> = upper.split(' ').filter(|w| !w.is_empty()).collect();
    match words.as_slice() {
        [first, second, ..] if ["JOSE", "J", "MARIA", "MA", "MA.", "M"].contains(first) => {
            second.to_string()
        }
        [first, ..] => first.to_string(),
        [] => "X".to_string(),
    }
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'A' | b'E' | b'I' | b'O' | b'U')
}

fn first_inner(word: &str, want_vowel: bool) -> char {
    word.bytes()
        .skip(1)
        .find(|&c| c.is_ascii_alphabetic() && is_vowel(c) == want_vowel)
        .map(char::from)
        .unwrap_or('X')
}

fn initial(word: &str) -> char {
    word.bytes().next().map(char::from).unwrap_or('X')
}

/// The first ten characters shared by CURP and RFC.
fn renapo_stem(h: &Holder<'_>) -> (String, String, String, String) {
    let p = renapo_word(h.family1);
    let m = h.family2.map(renapo_word).unwrap_or_default();
    let g = renapo_given(h.given);
    let mut s = String::with_capacity(18);
    s.push(initial(&p));
    s.push(first_inner(&p, true));
    s.push(if m.is_empty() { 'X' } else { initial(&m) });
    s.push(initial(&g));
    let _ = write!(
        s,
        "{:02}{:02}{:02}",
        h.birth.y.rem_euclid(100),
        h.birth.m,
        h.birth.d
    );
    (s, p, m, g)
}

const CURP_ALPHABET: &[u8] = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ".as_bytes();

fn curp_value(c: char) -> u32 {
    // Ñ is the only multi-byte letter; generated CURPs never hold it.
    let s = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ";
    s.chars().position(|x| x == c).unwrap_or(0) as u32
}

/// The CURP check digit of its first 17 characters.
pub(crate) fn curp_check(first17: &str) -> char {
    let sum: u32 = first17
        .chars()
        .enumerate()
        .map(|(i, c)| curp_value(c) * (18 - i as u32))
        .sum();
    char::from(b'0' + ((10 - sum % 10) % 10) as u8)
}

fn curp(h: &Holder<'_>, rng: &mut Rng) -> String {
    let (mut s, p, m, g) = renapo_stem(h);
    s.push(if h.female { 'M' } else { 'H' });
    s.push_str(if h.state.len() == 2 { h.state } else { "DF" });
    s.push(first_inner(&p, false));
    s.push(if m.is_empty() {
        'X'
    } else {
        first_inner(&m, false)
    });
    s.push(first_inner(&g, false));
    if h.birth.y < 2000 {
        s.push(char::from(b'0' + rng.below(10) as u8));
    } else {
        s.push(char::from(b'A' + rng.below(10) as u8));
    }
    let check = curp_check(&s);
    s.push(check);
    debug_assert!(s.bytes().all(|b| CURP_ALPHABET.contains(&b)));
    s
}

/// The RFC check character of its first 12 characters (SAT's mod-11 rule).
pub(crate) fn rfc_check(first12: &str) -> char {
    let alphabet = "0123456789ABCDEFGHIJKLMN&OPQRSTUVWXYZ Ñ";
    let sum: u32 = first12
        .chars()
        .enumerate()
        .map(|(i, c)| alphabet.chars().position(|x| x == c).unwrap_or(0) as u32 * (13 - i as u32))
        .sum();
    match sum % 11 {
        0 => '0',
        r if 11 - r == 10 => 'A',
        r => char::from(b'0' + (11 - r) as u8),
    }
}

fn rfc(h: &Holder<'_>, rng: &mut Rng) -> String {
    const HOMOCLAVE: &[u8] = b"123456789ABCDEFGHIJKLMNPQRSTUVWXYZ";
    let (mut s, ..) = renapo_stem(h);
    for _ in 0..2 {
        s.push(char::from(rng.pick(HOMOCLAVE, b'A')));
    }
    let check = rfc_check(&s);
    s.push(check);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dni_check_letters() {
        assert_eq!(dni_letter(12_345_678), 'Z');
        assert_eq!(dni_letter(0), 'T');
        // NIE X1234567L: X counts as 0.
        assert_eq!(dni_letter(1_234_567), 'L');
        let mut rng = Rng::new(2);
        let id = NationalId::Es {
            prefix: Some('Y'),
            number: 1_234_567,
        };
        let mut s = String::new();
        id.push_written(&mut rng, &mut s);
        // Y1234567 checks as 11234567.
        assert!(
            s.to_ascii_uppercase().ends_with(dni_letter(11_234_567)),
            "{s}"
        );
    }

    #[test]
    fn cuit_matches_afip() {
        assert_eq!(cuit_check(20, 12_345_678), 6);
        assert_eq!(cuit(12_345_678, false), (20, 6));
        for dni in [1_000_000, 23_456_789, 40_111_222, 30_303_030] {
            for female in [false, true] {
                let (p, c) = cuit(dni, female);
                assert!(c <= 9);
                assert_eq!(cuit_check(p, dni), c, "{p}-{dni}-{c}");
            }
        }
    }

    #[test]
    fn curp_and_rfc_check_characters_match_published_examples() {
        // Published CURPs and RFCs (python-stdnum's test data, and a
        // former president's, public record).
        assert_eq!(curp_check("BOXW310820HNERXN0"), '9');
        assert_eq!(curp_check("LOOA531113HTCPBN0"), '7');
        assert_eq!(rfc_check("GODE561231GR"), '8');
        assert_eq!(rfc_check("LOOA531113FI"), '5');
    }

    #[test]
    fn curp_is_built_from_the_holder() {
        let h = Holder {
            given: "María Guadalupe",
            family1: "Núñez",
            family2: Some("de la Cruz"),
            birth: Date {
                y: 1985,
                m: 7,
                d: 9,
            },
            female: true,
            state: "JC",
        };
        let mut rng = Rng::new(4);
        let c = curp(&h, &mut rng);
        assert_eq!(c.len(), 18);
        assert!(c.starts_with("NUCG850709MJCXRD"), "{c}");
        assert_eq!(curp_check(&c[..17]), c.chars().last().unwrap_or(' '));
        let r = rfc(&h, &mut rng);
        assert!(r.starts_with("NUCG850709"), "{r}");
        assert_eq!(rfc_check(&r[..12]), r.chars().last().unwrap_or(' '));
    }

    #[test]
    fn cedula_with_thousands() {
        let mut s = String::new();
        push_thousands(1_020_345_678, &mut s);
        assert_eq!(s, "1.020.345.678");
        s.clear();
        push_thousands(79_123_456, &mut s);
        assert_eq!(s, "79.123.456");
    }
}
