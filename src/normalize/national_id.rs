//! National identity and tax documents: Spain, Argentina, Mexico and
//! Colombia validated with their check characters; other countries cleaned.
//!
//! The canonical value is upper case with no separators (`48213567R`,
//! `20257134823`, `BOXW310820HNERXN09`). Input may carry dots, dashes,
//! slashes, commas and spaces anywhere (`48.213.567-r`, `20-25713482-3`).
//!
//! | country | accepted | canonical |
//! |---|---|---|
//! | ES | DNI: 6 to 8 digits and the check letter; missing leading zeros are restored (`736420Y`) | `00736420Y` |
//! | ES | NIE: X, Y or Z, 7 digits (8 with a leading zero, the pre-2008 form) and the check letter | `X2490371T` |
//! | ES | NIF K, L, M: the letter, 7 digits and the check letter | `K2345178Y` |
//! | ES | CIF: organisation letter, 7 digits, control digit or letter | `A58818501` |
//! | AR | DNI: 7 or 8 digits, leading zeros dropped | `4938271` |
//! | AR | CUIT / CUIL: 11 digits with the mod-11 check digit | `20257134823` |
//! | MX | CURP: 18 characters, date, sex, state, check digit | `BOXW310820HNERXN09` |
//! | MX | RFC: 13 (persons) or 12 (companies) characters with a valid date | `GODE561231GR8` |
//! | CO | cédula de ciudadanía: 6 to 10 digits | `1020304050` |
//! | CO | NIT: 9 digits starting with 8 or 9, and its DIAN check digit | `8001972684` |
//! | other | 4 to 32 letters and digits, upper-cased | `AB1234567` |
//!
//! A Spanish value may carry the `ES` prefix of a VAT number (`ES48213567R`).
//! A Spanish DNI without its letter is rejected (the rejection names the
//! letter it would have): the letter is the only protection against a
//! mistyped number.
//!
//! Numbers that are one repeated digit or an ascending or descending run
//! (`00000000T`, `12345678Z`, `20-12345678-6`) are rejected as
//! [`RejectReason::RepeatedCharacter`] or [`RejectReason::Sequence`] even
//! when their check character is right: they are the fakes people type when
//! a form insists on a valid number.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::junk::{is_repeated_char, is_sequence};
use super::{RejectReason, Rejection};
use crate::record::Country;

/// The kind of document a national id is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DocumentType {
    /// Spain: Documento Nacional de Identidad (8 digits and a check letter).
    /// Argentina: Documento Nacional de Identidad (7 or 8 digits, no check).
    Dni,
    /// Spain: Número de Identidad de Extranjero, a foreign resident's number
    /// (X, Y or Z, 7 digits and a check letter).
    Nie,
    /// Spain: personal NIF of people with neither DNI nor NIE: K (Spaniards
    /// under 14), L (Spaniards living abroad), M (foreigners without NIE).
    Nif,
    /// Spain: Código de Identificación Fiscal of a company or other
    /// organisation (a letter for its legal form, 7 digits, a control
    /// character).
    Cif,
    /// Argentina: Código Único de Identificación Laboral of a person
    /// (prefix 20, 23, 24 or 27). A self-employed person's CUIT is the same
    /// number and is reported as a CUIL too.
    Cuil,
    /// Argentina: Clave Única de Identificación Tributaria of a company
    /// (prefix 30, 33 or 34).
    Cuit,
    /// Mexico: Clave Única de Registro de Población (18 characters).
    Curp,
    /// Mexico: Registro Federal de Contribuyentes, the tax id of a person
    /// (13 characters) or a company (12).
    Rfc,
    /// Colombia: cédula de ciudadanía (6 to 10 digits). A person's NIT is
    /// their cédula plus a check digit and is reported as the cédula.
    Cedula,
    /// Colombia: Número de Identificación Tributaria of a company (9 digits
    /// starting with 8 or 9, plus the DIAN check digit).
    Nit,
    /// A document of a country without specific rules.
    Other,
}

impl DocumentType {
    /// The snake-case name (`dni`, `nie`, `cuil`...).
    pub fn as_str(&self) -> &'static str {
        match self {
            DocumentType::Dni => "dni",
            DocumentType::Nie => "nie",
            DocumentType::Nif => "nif",
            DocumentType::Cif => "cif",
            DocumentType::Cuil => "cuil",
            DocumentType::Cuit => "cuit",
            DocumentType::Curp => "curp",
            DocumentType::Rfc => "rfc",
            DocumentType::Cedula => "cedula",
            DocumentType::Nit => "nit",
            DocumentType::Other => "other",
        }
    }
}

impl fmt::Display for DocumentType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A validated national id in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NationalId {
    /// The issuing country.
    pub country: Country,
    /// What kind of document it is.
    pub document: DocumentType,
    /// Upper case, no separators (`48213567R`, `20257134823`).
    pub value: String,
}

impl NationalId {
    /// The DNI inside an Argentine CUIL (its middle 8 digits, leading zeros
    /// dropped), in the canonical form of an Argentine DNI, so that the two
    /// documents of one person can be linked.
    ///
    /// ```
    /// use omnid::normalize::national_id::normalize_national_id;
    /// use omnid::Country;
    ///
    /// let cuil = normalize_national_id("20-04938271-6", Country::AR)?;
    /// assert_eq!(cuil.embedded_dni(), Some("4938271"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn embedded_dni(&self) -> Option<&str> {
        if self.country != Country::AR || self.document != DocumentType::Cuil {
            return None;
        }
        self.value.get(2..10).map(|dni| dni.trim_start_matches('0'))
    }
}

/// Validates a national id of `country` and gives its canonical form.
///
/// See the [module documentation](self) for what each country accepts.
///
/// ```
/// use omnid::normalize::national_id::{normalize_national_id, DocumentType};
/// use omnid::{Country, RejectReason};
///
/// let id = normalize_national_id("48.213.567-r", Country::ES)?;
/// assert_eq!(id.document, DocumentType::Dni);
/// assert_eq!(id.value, "48213567R");
///
/// let bad = normalize_national_id("48213567A", Country::ES).unwrap_err();
/// assert_eq!(bad.reason, RejectReason::CheckDigit);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_national_id(raw: &str, country: Country) -> Result<NationalId, Rejection> {
    let (document, value) = match country {
        Country::ES => spain(raw)?,
        Country::AR => argentina(raw)?,
        Country::MX => mexico(raw)?,
        Country::CO => colombia(raw)?,
        _ => (DocumentType::Other, other(raw)?),
    };
    Ok(NationalId {
        country,
        document,
        value,
    })
}

/// Longest compacted input looked at; every supported document is shorter.
const MAX_LEN: usize = 24;

/// Internal stand-in for `Ñ`, which only Mexican RFCs contain.
const ENYE: u8 = 0xD1;

/// Letters and digits of the input, upper-cased, separators dropped.
struct Compact {
    bytes: [u8; MAX_LEN],
    len: usize,
    /// Number of characters before the last dash, if there was one.
    dash_at: Option<usize>,
}

impl Compact {
    fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or(&[])
    }
}

fn is_dash(c: char) -> bool {
    matches!(c, '-' | '‐' | '‑' | '‒' | '–' | '—' | '−')
}

fn is_separator(c: char) -> bool {
    c.is_whitespace() || is_dash(c) || matches!(c, '.' | ',' | '/' | '_')
}

fn syntax(detail: impl Into<String>) -> Rejection {
    Rejection::new(RejectReason::Syntax).with_detail(detail)
}

/// Compacts `raw`; `mexican` also admits `Ñ` and `&`, which RFCs contain.
fn compact(raw: &str, mexican: bool) -> Result<Compact, Rejection> {
    let mut out = Compact {
        bytes: [0; MAX_LEN],
        len: 0,
        dash_at: None,
    };
    for c in raw.chars() {
        let b = if c.is_ascii_alphanumeric() {
            c.to_ascii_uppercase() as u8
        } else if is_separator(c) {
            if is_dash(c) {
                out.dash_at = Some(out.len);
            }
            continue;
        } else if mexican && matches!(c, 'ñ' | 'Ñ') {
            ENYE
        } else if mexican && c == '&' {
            b'&'
        } else {
            return Err(syntax(format!("unexpected character {c:?}")));
        };
        let Some(slot) = out.bytes.get_mut(out.len) else {
            return Err(Rejection::new(RejectReason::TooLong));
        };
        *slot = b;
        out.len += 1;
    }
    if out.len == 0 {
        return Err(Rejection::new(RejectReason::Empty));
    }
    Ok(out)
}

fn all_digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

fn to_number(digits: &[u8]) -> u64 {
    digits
        .iter()
        .fold(0u64, |n, d| n * 10 + u64::from(d.wrapping_sub(b'0')))
}

fn strip_leading_zeros(mut digits: &[u8]) -> &[u8] {
    while let [b'0', rest @ ..] = digits {
        digits = rest;
    }
    digits
}

/// Callers pass ASCII only, so the conversion cannot fail; one exact
/// allocation instead of growing a `String` char by char.
fn ascii_string(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap_or_default()
}

/// Rejects document numbers that are one repeated digit or a run.
fn reject_fake_number(digits: &[u8]) -> Result<(), Rejection> {
    let Ok(s) = std::str::from_utf8(digits) else {
        return Ok(());
    };
    if is_repeated_char(s, 5) {
        return Err(Rejection::new(RejectReason::RepeatedCharacter));
    }
    if is_sequence(s, 6) {
        return Err(Rejection::new(RejectReason::Sequence));
    }
    Ok(())
}

// --- Spain -----------------------------------------------------------------

const DNI_LETTERS: &[u8; 23] = b"TRWAGMYFPDXBNJZSQVHLCKE";
const CIF_LETTERS: &[u8] = b"ABCDEFGHJNPQRSUVW";
const CIF_CONTROL_LETTERS: &[u8; 10] = b"JABCDEFGHI";

fn dni_letter(n: u64) -> u8 {
    // n % 23 < 23, so the lookup cannot miss.
    DNI_LETTERS.get((n % 23) as usize).copied().unwrap_or(b'?')
}

fn check_letter(found: u8, expected: u8) -> Result<(), Rejection> {
    if found == expected {
        Ok(())
    } else {
        Err(Rejection::new(RejectReason::CheckDigit)
            .with_detail(format!("check letter should be {}", char::from(expected))))
    }
}

fn spain(raw: &str) -> Result<(DocumentType, String), Rejection> {
    let c = compact(raw, false)?;
    let mut b = c.as_bytes();
    // `ES` cannot start any Spanish document, so it is always a VAT prefix.
    if let [b'E', b'S', rest @ ..] = b
        && !rest.is_empty()
    {
        b = rest;
    }
    match b {
        [first, ..] if first.is_ascii_digit() => spanish_dni(b),
        [prefix @ (b'X' | b'Y' | b'Z'), rest @ ..] => spanish_nie(*prefix, rest),
        [prefix @ (b'K' | b'L' | b'M'), rest @ ..] => spanish_nif_klm(*prefix, rest),
        [letter, rest @ ..] if CIF_LETTERS.contains(letter) => spanish_cif(*letter, rest),
        _ => Err(syntax(
            "a Spanish id starts with a digit (DNI), X, Y or Z (NIE), K, L or M (NIF) \
             or an organisation letter (CIF)",
        )),
    }
}

fn spanish_dni(b: &[u8]) -> Result<(DocumentType, String), Rejection> {
    if all_digits(b) {
        let digits = strip_leading_zeros(b);
        return Err(match digits.len() {
            0..=5 => Rejection::new(RejectReason::TooShort),
            6..=8 => syntax(format!(
                "DNI without its check letter (it would be {})",
                char::from(dni_letter(to_number(digits)))
            )),
            _ => Rejection::new(RejectReason::TooLong),
        });
    }
    let [digits @ .., letter] = b else {
        return Err(syntax("a DNI is 8 digits and a letter"));
    };
    if !letter.is_ascii_uppercase() || !all_digits(digits) {
        return Err(syntax("a DNI is 8 digits and a letter"));
    }
    let mut digits = digits;
    while digits.len() > 8
        && let [b'0', rest @ ..] = digits
    {
        digits = rest;
    }
    match digits.len() {
        0..=5 => return Err(Rejection::new(RejectReason::TooShort)),
        6..=8 => {}
        _ => return Err(Rejection::new(RejectReason::TooLong)),
    }
    check_letter(*letter, dni_letter(to_number(digits)))?;
    let mut padded = [b'0'; 9];
    let start = 8 - digits.len();
    if let Some(dst) = padded.get_mut(start..8) {
        dst.copy_from_slice(digits);
    }
    reject_fake_number(padded.get(..8).unwrap_or(&[]))?;
    if let Some(last) = padded.get_mut(8) {
        *last = *letter;
    }
    Ok((DocumentType::Dni, ascii_string(&padded)))
}

/// Splits `7 digits + letter` after a one-letter prefix.
fn seven_digits_and_letter<'a>(rest: &'a [u8], what: &str) -> Result<(&'a [u8], u8), Rejection> {
    let [digits @ .., letter] = rest else {
        return Err(Rejection::new(RejectReason::TooShort));
    };
    if !letter.is_ascii_uppercase() || !all_digits(digits) {
        return Err(syntax(format!(
            "a {what} is a letter, 7 digits and a letter"
        )));
    }
    match digits.len() {
        0..=6 => Err(Rejection::new(RejectReason::TooShort)),
        7 => Ok((digits, *letter)),
        _ => Err(Rejection::new(RejectReason::TooLong)),
    }
}

fn prefixed_value(prefix: u8, digits: &[u8], last: u8) -> String {
    let mut value = String::with_capacity(digits.len() + 2);
    value.push(char::from(prefix));
    value.extend(digits.iter().map(|&d| char::from(d)));
    value.push(char::from(last));
    value
}

fn spanish_nie(prefix: u8, rest: &[u8]) -> Result<(DocumentType, String), Rejection> {
    // Before 2008 NIEs had 8 digits, the first always 0.
    let rest = match rest {
        [b'0', tail @ ..] if tail.len() == 8 => tail,
        _ => rest,
    };
    let (digits, letter) = seven_digits_and_letter(rest, "NIE")?;
    let lead = u64::from(prefix - b'X');
    check_letter(letter, dni_letter(lead * 10_000_000 + to_number(digits)))?;
    reject_fake_number(digits)?;
    Ok((DocumentType::Nie, prefixed_value(prefix, digits, letter)))
}

fn spanish_nif_klm(prefix: u8, rest: &[u8]) -> Result<(DocumentType, String), Rejection> {
    let (digits, letter) = seven_digits_and_letter(rest, "NIF")?;
    check_letter(letter, dni_letter(to_number(digits)))?;
    reject_fake_number(digits)?;
    Ok((DocumentType::Nif, prefixed_value(prefix, digits, letter)))
}

/// The CIF control value, 0 to 9: Luhn-like over the 7 digits.
fn cif_control(digits: &[u8]) -> u8 {
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d.wrapping_sub(b'0'));
            if i % 2 == 0 {
                let x = 2 * d;
                x / 10 + x % 10
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

fn spanish_cif(letter: u8, rest: &[u8]) -> Result<(DocumentType, String), Rejection> {
    let [digits @ .., control] = rest else {
        return Err(Rejection::new(RejectReason::TooShort));
    };
    if !all_digits(digits) || !control.is_ascii_alphanumeric() {
        return Err(syntax(
            "a CIF is a letter, 7 digits and a control digit or letter",
        ));
    }
    match digits.len() {
        0..=6 => return Err(Rejection::new(RejectReason::TooShort)),
        7 => {}
        _ => return Err(Rejection::new(RejectReason::TooLong)),
    }
    let value = cif_control(digits);
    let as_digit = b'0' + value;
    let as_letter = CIF_CONTROL_LETTERS
        .get(usize::from(value))
        .copied()
        .unwrap_or(b'?');
    // The legal form decides whether the control is a letter, a digit, or
    // either; for "either" the digit is canonical so both spellings meet.
    let canonical = match letter {
        b'P' | b'Q' | b'R' | b'S' | b'N' | b'W' => {
            if *control != as_letter {
                return Err(
                    Rejection::new(RejectReason::CheckDigit).with_detail(format!(
                        "control letter should be {}",
                        char::from(as_letter)
                    )),
                );
            }
            as_letter
        }
        b'A' | b'B' | b'E' | b'H' => {
            if *control != as_digit {
                return Err(Rejection::new(RejectReason::CheckDigit)
                    .with_detail(format!("control digit should be {}", char::from(as_digit))));
            }
            as_digit
        }
        _ => {
            if *control != as_digit && *control != as_letter {
                return Err(
                    Rejection::new(RejectReason::CheckDigit).with_detail(format!(
                        "control should be {} or {}",
                        char::from(as_digit),
                        char::from(as_letter)
                    )),
                );
            }
            as_digit
        }
    };
    reject_fake_number(digits)?;
    Ok((DocumentType::Cif, prefixed_value(letter, digits, canonical)))
}

// --- Argentina -------------------------------------------------------------

const CUIT_WEIGHTS: [u32; 10] = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];

fn argentina(raw: &str) -> Result<(DocumentType, String), Rejection> {
    let c = compact(raw, false)?;
    let b = c.as_bytes();
    if !all_digits(b) {
        return Err(syntax("an Argentine DNI, CUIT or CUIL has digits only"));
    }
    let digits = strip_leading_zeros(b);
    match digits.len() {
        0 => Err(Rejection::new(RejectReason::RepeatedCharacter)),
        1..=6 => Err(Rejection::new(RejectReason::TooShort)),
        7 | 8 => {
            reject_fake_number(digits)?;
            Ok((DocumentType::Dni, ascii_string(digits)))
        }
        11 => cuit(digits),
        9 | 10 => Err(syntax(
            "neither a DNI (7 or 8 digits) nor a CUIT or CUIL (11 digits)",
        )),
        _ => Err(Rejection::new(RejectReason::TooLong)),
    }
}

fn cuit(digits: &[u8]) -> Result<(DocumentType, String), Rejection> {
    let [p0, p1, body @ .., check] = digits else {
        return Err(Rejection::new(RejectReason::TooShort));
    };
    let document = match (p0, p1) {
        (b'2', b'0' | b'3' | b'4' | b'7') => DocumentType::Cuil,
        (b'3', b'0' | b'3' | b'4') => DocumentType::Cuit,
        _ => {
            return Err(syntax(
                "a CUIT or CUIL starts with 20, 23, 24, 27 (persons) or 30, 33, 34 (companies)",
            ));
        }
    };
    let sum: u32 = digits
        .iter()
        .zip(CUIT_WEIGHTS)
        .map(|(d, w)| u32::from(d.wrapping_sub(b'0')) * w)
        .sum();
    let expected = match 11 - sum % 11 {
        11 => 0,
        // No number is issued with this remainder: its prefix is changed instead.
        10 => {
            return Err(Rejection::new(RejectReason::CheckDigit)
                .with_detail("no check digit is valid for this prefix and number"));
        }
        d => d,
    };
    if u32::from(check.wrapping_sub(b'0')) != expected {
        return Err(Rejection::new(RejectReason::CheckDigit)
            .with_detail(format!("check digit should be {expected}")));
    }
    reject_fake_number(body)?;
    Ok((document, ascii_string(digits)))
}

// --- Mexico ----------------------------------------------------------------

const CURP_STATES: &[[u8; 2]] = &[
    *b"AS", *b"BC", *b"BS", *b"CC", *b"CL", *b"CM", *b"CS", *b"CH", *b"DF", *b"DG", *b"GT", *b"GR",
    *b"HG", *b"JC", *b"MC", *b"MN", *b"MS", *b"NT", *b"NL", *b"OC", *b"PL", *b"QT", *b"QR", *b"SP",
    *b"SL", *b"SR", *b"TC", *b"TS", *b"TL", *b"VZ", *b"YN", *b"ZS", *b"NE",
];

/// RFCs the tax office gives to anonymous buyers (`XAXX010101000`, the
/// general public) and foreigners (`XEXX010101000`): shared by millions.
const GENERIC_RFCS: &[&[u8]] = &[b"XAXX010101000", b"XEXX010101000"];

fn mexico(raw: &str) -> Result<(DocumentType, String), Rejection> {
    let c = compact(raw, true)?;
    let b = c.as_bytes();
    match b.len() {
        18 => curp(b),
        12 | 13 => rfc(b),
        0..=11 => Err(Rejection::new(RejectReason::TooShort)
            .with_detail("an RFC has 12 or 13 characters (with its homoclave), a CURP 18")),
        14..=17 => Err(syntax("an RFC has 12 or 13 characters, a CURP 18")),
        _ => Err(Rejection::new(RejectReason::TooLong)),
    }
}

fn is_consonant(b: u8) -> bool {
    b.is_ascii_uppercase() && !matches!(b, b'A' | b'E' | b'I' | b'O' | b'U')
}

fn two_digits(hi: u8, lo: u8) -> Option<u8> {
    (hi.is_ascii_digit() && lo.is_ascii_digit()).then(|| (hi - b'0') * 10 + (lo - b'0'))
}

fn is_leap(year: u16) -> bool {
    year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400))
}

fn is_real_date(year: u16, month: u8, day: u8) -> bool {
    let last = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => return false,
    };
    (1..=last).contains(&day)
}

/// Value of a CURP character in the official check alphabet
/// `0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ`.
fn curp_value(b: u8) -> u32 {
    match b {
        b'0'..=b'9' => u32::from(b - b'0'),
        b'A'..=b'N' => u32::from(b - b'A') + 10,
        b'O'..=b'Z' => u32::from(b - b'O') + 25,
        _ => 0,
    }
}

fn curp(b: &[u8]) -> Result<(DocumentType, String), Rejection> {
    let Ok(
        [
            l0,
            l1,
            l2,
            l3,
            y0,
            y1,
            m0,
            m1,
            d0,
            d1,
            sex,
            s0,
            s1,
            c0,
            c1,
            c2,
            homoclave,
            check,
        ],
    ) = <[u8; 18]>::try_from(b)
    else {
        return Err(syntax("a CURP has 18 characters"));
    };
    let names_ok = l0.is_ascii_uppercase()
        && matches!(l1, b'A' | b'E' | b'I' | b'O' | b'U' | b'X')
        && l2.is_ascii_uppercase()
        && l3.is_ascii_uppercase();
    if !names_ok {
        return Err(syntax(
            "a CURP starts with 4 letters, the second a vowel or X",
        ));
    }
    let (Some(yy), Some(month), Some(day)) =
        (two_digits(y0, y1), two_digits(m0, m1), two_digits(d0, d1))
    else {
        return Err(syntax(
            "a CURP has the birth date as 6 digits after 4 letters",
        ));
    };
    if !matches!(sex, b'H' | b'M' | b'X') {
        return Err(syntax("the 11th character of a CURP is H, M or X"));
    }
    if !CURP_STATES.contains(&[s0, s1]) {
        return Err(syntax(format!(
            "{}{} is not a Mexican state code",
            char::from(s0),
            char::from(s1)
        )));
    }
    if !(is_consonant(c0) && is_consonant(c1) && is_consonant(c2)) {
        return Err(syntax("characters 14 to 16 of a CURP are consonants"));
    }
    if !homoclave.is_ascii_alphanumeric() || !check.is_ascii_digit() {
        return Err(syntax(
            "a CURP ends with a letter or digit and a check digit",
        ));
    }
    // The homoclave is a digit for people born before 2000, a letter after.
    let century = if homoclave.is_ascii_digit() {
        1900
    } else {
        2000
    };
    if !is_real_date(century + u16::from(yy), month, day) {
        return Err(Rejection::new(RejectReason::ImpossibleDate));
    }
    let sum: u32 = b
        .iter()
        .take(17)
        .zip((2..=18u32).rev())
        .map(|(&ch, w)| curp_value(ch) * w)
        .sum();
    let expected = (10 - sum % 10) % 10;
    if u32::from(check - b'0') != expected {
        return Err(Rejection::new(RejectReason::CheckDigit)
            .with_detail(format!("check digit should be {expected}")));
    }
    Ok((DocumentType::Curp, ascii_string(b)))
}

fn rfc(b: &[u8]) -> Result<(DocumentType, String), Rejection> {
    let name_len = b.len() - 9;
    let (name, rest) = b.split_at(name_len);
    let Ok([y0, y1, m0, m1, d0, d1, h0, h1, h2]) = <[u8; 9]>::try_from(rest) else {
        return Err(syntax("an RFC has 12 or 13 characters"));
    };
    if !name
        .iter()
        .all(|&c| c.is_ascii_uppercase() || c == ENYE || c == b'&')
    {
        return Err(syntax(format!(
            "an RFC starts with {name_len} letters (A to Z, Ñ or &)"
        )));
    }
    let (Some(yy), Some(month), Some(day)) =
        (two_digits(y0, y1), two_digits(m0, m1), two_digits(d0, d1))
    else {
        return Err(syntax(format!(
            "an RFC has a date as 6 digits after {name_len} letters"
        )));
    };
    if ![h0, h1, h2].iter().all(u8::is_ascii_alphanumeric) {
        return Err(syntax("an RFC ends with a 3-character homoclave"));
    }
    // The century is not written; 2000 + yy is a leap year exactly when 1900 + yy is,
    // except for 00, where only 2000 is, so 29 February 2000 stays valid.
    if !is_real_date(2000 + u16::from(yy), month, day) {
        return Err(Rejection::new(RejectReason::ImpossibleDate));
    }
    if GENERIC_RFCS.contains(&b) {
        return Err(Rejection::new(RejectReason::Placeholder)
            .with_detail("generic RFC shared by many taxpayers"));
    }
    let value = if b.contains(&ENYE) {
        b.iter()
            .map(|&c| if c == ENYE { 'Ñ' } else { char::from(c) })
            .collect()
    } else {
        ascii_string(b)
    };
    Ok((DocumentType::Rfc, value))
}

// --- Colombia --------------------------------------------------------------

const NIT_WEIGHTS: [u32; 15] = [3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71];

/// The DIAN check digit of a NIT base number.
fn nit_check_digit(base: &[u8]) -> u8 {
    let sum: u32 = base
        .iter()
        .rev()
        .zip(NIT_WEIGHTS)
        .map(|(d, w)| u32::from(d.wrapping_sub(b'0')) * w)
        .sum();
    match sum % 11 {
        r @ (0 | 1) => r as u8,
        r => (11 - r) as u8,
    }
}

/// A company NIT base: 9 digits starting with 8 or 9. Cédulas never have
/// that shape (they have up to 8 digits, or 10 starting with 1).
fn is_company_nit(base: &[u8]) -> bool {
    matches!(base, [b'8' | b'9', ..]) && base.len() == 9
}

fn check_nit_digit(base: &[u8], dv: u8) -> Result<(), Rejection> {
    let expected = nit_check_digit(base);
    if dv.wrapping_sub(b'0') == expected {
        Ok(())
    } else {
        Err(Rejection::new(RejectReason::CheckDigit)
            .with_detail(format!("check digit should be {expected}")))
    }
}

fn company_nit(base: &[u8], dv: u8) -> Result<(DocumentType, String), Rejection> {
    reject_fake_number(base)?;
    let mut value = String::with_capacity(base.len() + 1);
    value.extend(base.iter().map(|&d| char::from(d)));
    value.push(char::from(b'0' + dv));
    Ok((DocumentType::Nit, value))
}

fn cedula(digits: &[u8]) -> Result<(DocumentType, String), Rejection> {
    match digits.len() {
        0 => Err(Rejection::new(RejectReason::RepeatedCharacter)),
        1..=5 => Err(Rejection::new(RejectReason::TooShort)),
        9 | 10 if matches!(digits, [b'8' | b'9', ..]) => Err(syntax(
            "neither a cédula nor a NIT (9 digits starting with 8 or 9, and a check digit)",
        )),
        6..=10 => {
            reject_fake_number(digits)?;
            Ok((DocumentType::Cedula, ascii_string(digits)))
        }
        _ => Err(Rejection::new(RejectReason::TooLong)),
    }
}

fn colombia(raw: &str) -> Result<(DocumentType, String), Rejection> {
    let c = compact(raw, false)?;
    let b = c.as_bytes();
    if !all_digits(b) {
        return Err(syntax("a Colombian cédula or NIT has digits only"));
    }
    // `...-7`: a check digit written after a dash.
    if c.dash_at == Some(b.len().saturating_sub(1))
        && let [base @ .., dv] = b
        && !base.is_empty()
    {
        let base = strip_leading_zeros(base);
        if is_company_nit(base) {
            check_nit_digit(base, *dv)?;
            return company_nit(base, dv - b'0');
        }
        // A person's NIT is their cédula and a check digit.
        cedula(base)?;
        check_nit_digit(base, *dv)?;
        return cedula(base);
    }
    let digits = strip_leading_zeros(b);
    match digits {
        [base @ .., dv] if digits.len() == 10 && is_company_nit(base) => {
            check_nit_digit(base, *dv)?;
            company_nit(base, dv - b'0')
        }
        _ if is_company_nit(digits) => company_nit(digits, nit_check_digit(digits)),
        _ => cedula(digits),
    }
}

// --- Other countries -------------------------------------------------------

const OTHER_MIN: usize = 4;
const OTHER_MAX: usize = 32;

fn other(raw: &str) -> Result<String, Rejection> {
    let mut value = String::with_capacity(raw.len());
    let mut n = 0usize;
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            value.push(c.to_ascii_uppercase());
            n += 1;
        } else if is_separator(c) {
            continue;
        } else if c.is_alphanumeric() {
            for u in c.to_uppercase() {
                if !u.is_alphanumeric() {
                    return Err(syntax(format!("unexpected character {c:?}")));
                }
                value.push(u);
                n += 1;
            }
        } else {
            return Err(syntax(format!("unexpected character {c:?}")));
        }
        if n > OTHER_MAX {
            return Err(Rejection::new(RejectReason::TooLong));
        }
    }
    match n {
        0 => Err(Rejection::new(RejectReason::Empty)),
        n if n < OTHER_MIN => Err(Rejection::new(RejectReason::TooShort)),
        _ => Ok(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use RejectReason::*;
    use proptest::prelude::*;

    fn ok(raw: &str, country: Country) -> (DocumentType, String) {
        match normalize_national_id(raw, country) {
            Ok(id) => {
                assert_eq!(id.country, country);
                (id.document, id.value)
            }
            Err(e) => panic!("{raw:?} ({country}) rejected: {e}"),
        }
    }

    fn err(raw: &str, country: Country) -> RejectReason {
        match normalize_national_id(raw, country) {
            Ok(id) => panic!("{raw:?} ({country}) accepted as {id:?}"),
            Err(e) => e.reason,
        }
    }

    fn check_accepts(country: Country, cases: &[(&str, DocumentType, &str)]) {
        for &(raw, document, value) in cases {
            assert_eq!(ok(raw, country), (document, value.to_string()), "{raw:?}");
        }
    }

    fn check_rejects(country: Country, cases: &[(&str, RejectReason)]) {
        for &(raw, reason) in cases {
            assert_eq!(err(raw, country), reason, "{raw:?}");
        }
    }

    #[test]
    fn spanish_documents_are_accepted_in_any_usual_spelling() {
        use DocumentType::*;
        check_accepts(
            Country::ES,
            &[
                ("48213567R", Dni, "48213567R"),
                ("48.213.567-R", Dni, "48213567R"),
                ("48213567 r", Dni, "48213567R"),
                (" 48 213 567 R ", Dni, "48213567R"),
                ("48213567-r", Dni, "48213567R"),
                ("ES48213567R", Dni, "48213567R"),
                ("es-48213567-r", Dni, "48213567R"),
                ("3940211N", Dni, "03940211N"),
                ("03.940.211-N", Dni, "03940211N"),
                ("736420Y", Dni, "00736420Y"),
                ("0003940211N", Dni, "03940211N"),
                ("70519642D", Dni, "70519642D"),
                ("51092837Q", Dni, "51092837Q"),
                ("X2490371T", Nie, "X2490371T"),
                ("x-2490371-t", Nie, "X2490371T"),
                ("X02490371T", Nie, "X2490371T"),
                ("Y3817264Z", Nie, "Y3817264Z"),
                ("Z1029384R", Nie, "Z1029384R"),
                ("Z-6049182-A", Nie, "Z6049182A"),
                ("K2345178Y", Nif, "K2345178Y"),
                ("L8039124A", Nif, "L8039124A"),
                ("M4412709K", Nif, "M4412709K"),
                ("A58818501", Cif, "A58818501"),
                ("B-85264034", Cif, "B85264034"),
                ("Q2818002D", Cif, "Q2818002D"),
                ("P0803100G", Cif, "P0803100G"),
                ("C3010427G", Cif, "C30104277"),
                ("C30104277", Cif, "C30104277"),
                ("J46180279", Cif, "J46180279"),
                ("V3028473A", Cif, "V30284731"),
            ],
        );
    }

    #[test]
    fn spanish_documents_with_errors_are_rejected() {
        check_rejects(
            Country::ES,
            &[
                ("48213567A", CheckDigit),
                ("48213576R", CheckDigit),
                ("X2490371R", CheckDigit),
                ("Y2490371T", CheckDigit),
                ("K2345178A", CheckDigit),
                ("A58818502", CheckDigit),
                ("A5881850A", CheckDigit),
                ("Q28180024", CheckDigit),
                ("C3010427H", CheckDigit),
                ("48213567", Syntax),
                ("4821356R7", Syntax),
                ("48213567RR", Syntax),
                ("I2345678", Syntax),
                ("ñ48213567R", Syntax),
                ("48213567R@", Syntax),
                ("5361W", TooShort),
                ("X249037T", TooShort),
                ("X124903712T", TooLong),
                ("148213567R", TooLong),
                ("A588185011", TooLong),
                ("  .-. ", Empty),
                ("12345678Z", Sequence),
                ("87654321X", Sequence),
                ("00000000T", RepeatedCharacter),
                ("11111111H", RepeatedCharacter),
                ("X0000000T", RepeatedCharacter),
                ("X1234567L", Sequence),
                ("B00000000", RepeatedCharacter),
            ],
        );
    }

    #[test]
    fn a_dni_without_its_letter_names_the_missing_letter() {
        let e = normalize_national_id("48.213.567", Country::ES).unwrap_err();
        assert_eq!(e.reason, Syntax);
        assert!(e.detail.unwrap().contains("would be R"));
        let e = normalize_national_id("48213567A", Country::ES).unwrap_err();
        assert_eq!(e.detail.as_deref(), Some("check letter should be R"));
    }

    #[test]
    fn argentine_documents_are_accepted_in_any_usual_spelling() {
        use DocumentType::*;
        check_accepts(
            Country::AR,
            &[
                ("25.713.482", Dni, "25713482"),
                ("25713482", Dni, "25713482"),
                ("4.938.271", Dni, "4938271"),
                ("04.938.271", Dni, "4938271"),
                ("40 219 847", Dni, "40219847"),
                ("94.123.987", Dni, "94123987"),
                ("20-25713482-3", Cuil, "20257134823"),
                ("20257134823", Cuil, "20257134823"),
                ("20 25713482 3", Cuil, "20257134823"),
                ("27-31098456-1", Cuil, "27310984561"),
                ("23-14502938-4", Cuil, "23145029384"),
                ("24-40219847-4", Cuil, "24402198474"),
                ("20-04938271-6", Cuil, "20049382716"),
                ("27/08273645/5", Cuil, "27082736455"),
                ("30-71529384-2", Cuit, "30715293842"),
                ("33-69345023-9", Cuit, "33693450239"),
                ("34-50912847-4", Cuit, "34509128474"),
                ("30.50001091.2", Cuit, "30500010912"),
            ],
        );
    }

    #[test]
    fn argentine_documents_with_errors_are_rejected() {
        check_rejects(
            Country::AR,
            &[
                ("20-25713482-4", CheckDigit),
                ("20-25713428-3", CheckDigit),
                ("33-69345023-8", CheckDigit),
                ("27-25713482-3", CheckDigit),
                ("21-25713482-3", Syntax),
                ("40-25713482-3", Syntax),
                ("12.345.67A", Syntax),
                ("DNI 25713482", Syntax),
                ("257134823", Syntax),
                ("2571348231", Syntax),
                ("493827", TooShort),
                ("20-257134823-3", TooLong),
                ("", Empty),
                ("00000000", RepeatedCharacter),
                ("12.345.678", Sequence),
                ("1234567", Sequence),
                ("22.222.222", RepeatedCharacter),
                ("20-12345678-6", Sequence),
                ("20-11111111-2", RepeatedCharacter),
            ],
        );
    }

    #[test]
    fn a_cuit_with_an_impossible_remainder_is_rejected() {
        // AFIP never issues these: it changes the prefix to 23 or 33 instead.
        let found = (1_000_000u32..1_000_100)
            .map(|n| format!("20{n:08}"))
            .find(|s| {
                let sum: u32 = s
                    .bytes()
                    .zip(CUIT_WEIGHTS)
                    .map(|(d, w)| u32::from(d - b'0') * w)
                    .sum();
                11 - sum % 11 == 10
            })
            .unwrap();
        for dv in 0..10 {
            assert_eq!(err(&format!("{found}{dv}"), Country::AR), CheckDigit);
        }
    }

    #[test]
    fn a_cuil_gives_its_dni() {
        let cuil = normalize_national_id("20-25713482-3", Country::AR).unwrap();
        assert_eq!(cuil.embedded_dni(), Some("25713482"));
        let dni = normalize_national_id(cuil.embedded_dni().unwrap(), Country::AR).unwrap();
        assert_eq!(dni.document, DocumentType::Dni);
        let cuit = normalize_national_id("33-69345023-9", Country::AR).unwrap();
        assert_eq!(cuit.embedded_dni(), None);
    }

    #[test]
    fn mexican_documents_are_accepted_in_any_usual_spelling() {
        use DocumentType::*;
        check_accepts(
            Country::MX,
            &[
                ("BOXW310820HNERXN09", Curp, "BOXW310820HNERXN09"),
                ("boxw310820hnerxn09", Curp, "BOXW310820HNERXN09"),
                ("BOXW 310820 HNERXN 09", Curp, "BOXW310820HNERXN09"),
                ("GODE561231HDFRRN00", Curp, "GODE561231HDFRRN00"),
                ("MAHJ280603MSPRRV09", Curp, "MAHJ280603MSPRRV09"),
                ("LOOA531113HTCPBN07", Curp, "LOOA531113HTCPBN07"),
                ("PEGL020315MDFRRSA3", Curp, "PEGL020315MDFRRSA3"),
                ("RAVA851127HNERZL03", Curp, "RAVA851127HNERZL03"),
                ("GAXM070723MNLRCRA8", Curp, "GAXM070723MNLRCRA8"),
                ("TOMR800229HMCRRB01", Curp, "TOMR800229HMCRRB01"),
                ("CUAE010101XGRRLNA9", Curp, "CUAE010101XGRRLNA9"),
                ("HEGG560427MVZRRL04", Curp, "HEGG560427MVZRRL04"),
                ("GODE561231GR8", Rfc, "GODE561231GR8"),
                ("GODE-561231-GR8", Rfc, "GODE561231GR8"),
                ("gode 561231 gr8", Rfc, "GODE561231GR8"),
                ("MAB-930714-8T4", Rfc, "MAB9307148T4"),
                ("MAB9307148T4", Rfc, "MAB9307148T4"),
                ("VACE460910SX6", Rfc, "VACE460910SX6"),
                ("MUÑO800101AB1", Rfc, "MUÑO800101AB1"),
                ("muño800101ab1", Rfc, "MUÑO800101AB1"),
                ("A&B000229XY1", Rfc, "A&B000229XY1"),
            ],
        );
    }

    #[test]
    fn mexican_documents_with_errors_are_rejected() {
        check_rejects(
            Country::MX,
            &[
                ("BOXW310820HNERXN08", CheckDigit),
                ("BOXW310820HNERXN0A", Syntax),
                ("BOXW310821HNERXN09", CheckDigit),
                ("BBXW310820HNERXN09", Syntax),
                ("BOXW310820ZNERXN09", Syntax),
                ("BOXW310820HZZRXN09", Syntax),
                ("BOXW310820HNEAXN09", Syntax),
                ("BOXW3108A0HNERXN09", Syntax),
                ("BOXÑ310820HNERXN09", Syntax),
                ("BOXW311320HNERXN09", ImpossibleDate),
                ("BOXW310230HNERXN09", ImpossibleDate),
                ("TOMR810229HMCRRB01", ImpossibleDate),
                ("PEGL000229MDFRRS03", ImpossibleDate),
                ("GODE561331GR8", ImpossibleDate),
                ("GODE560230GR8", ImpossibleDate),
                ("GODE561200GR8", ImpossibleDate),
                ("MAB930231AB1", ImpossibleDate),
                ("GOD1561231GR8", Syntax),
                ("GODE5612A1GR8", Syntax),
                ("GODE561231G-8", Syntax),
                ("GODE561231G#8", Syntax),
                ("XAXX010101000", Placeholder),
                ("XEXX-010101-000", Placeholder),
                ("GODE561231", TooShort),
                ("GODE561231GR8XY", Syntax),
                ("BOXW310820HNERXN091", TooLong),
            ],
        );
    }

    #[test]
    fn colombian_documents_are_accepted_in_any_usual_spelling() {
        use DocumentType::*;
        check_accepts(
            Country::CO,
            &[
                ("1.020.304.050", Cedula, "1020304050"),
                ("1020304050", Cedula, "1020304050"),
                ("79.123.456", Cedula, "79123456"),
                ("79123456", Cedula, "79123456"),
                ("52,849,361", Cedula, "52849361"),
                ("0052849361", Cedula, "52849361"),
                ("712345", Cedula, "712345"),
                ("79.123.456-0", Cedula, "79123456"),
                ("1020304050-8", Cedula, "1020304050"),
                ("800.197.268-4", Nit, "8001972684"),
                ("800197268-4", Nit, "8001972684"),
                ("8001972684", Nit, "8001972684"),
                ("800197268", Nit, "8001972684"),
                ("900.123.456-8", Nit, "9001234568"),
                ("860034313-7", Nit, "8600343137"),
                ("890 903 938 - 8", Nit, "8909039388"),
                ("830.020.062-3", Nit, "8300200623"),
                ("901.458.652-7", Nit, "9014586527"),
                ("811009788", Nit, "8110097888"),
                ("899999063-3", Nit, "8999990633"),
            ],
        );
    }

    #[test]
    fn colombian_documents_with_errors_are_rejected() {
        check_rejects(
            Country::CO,
            &[
                ("800.197.268-5", CheckDigit),
                ("8001972685", CheckDigit),
                ("900123456-7", CheckDigit),
                ("79.123.456-1", CheckDigit),
                ("1020304050-3", CheckDigit),
                ("CC 79123456", Syntax),
                ("79.123.45A", Syntax),
                ("9876543210-1", Syntax),
                ("12345", TooShort),
                ("10203040501", TooLong),
                ("000.000.000", RepeatedCharacter),
                ("1.111.111", RepeatedCharacter),
                ("123456789", Sequence),
                ("---", Empty),
                ("1234567890", Sequence),
                ("901234567-7", Sequence),
            ],
        );
    }

    #[test]
    fn nit_check_digit_matches_the_dian_example() {
        assert_eq!(nit_check_digit(b"800197268"), 4);
    }

    #[test]
    fn other_countries_are_cleaned_only() {
        use DocumentType::Other;
        let pe: Country = "PE".parse().unwrap();
        let cl: Country = "cl".parse().unwrap();
        let de: Country = "DE".parse().unwrap();
        check_accepts(pe, &[("4521 3678", Other, "45213678")]);
        check_accepts(cl, &[("12.345.678-k", Other, "12345678K")]);
        check_accepts(de, &[("l01x00t47", Other, "L01X00T47")]);
        check_accepts(de, &[("straße1", Other, "STRASSE1")]);
        check_rejects(pe, &[("", Empty), ("ab1", TooShort), ("a@b.cd", Syntax)]);
        check_rejects(pe, &[(&"1".repeat(33), TooLong)]);
    }

    #[test]
    fn document_types_serialize_in_snake_case() {
        let id = normalize_national_id("20-25713482-3", Country::AR).unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(
            json,
            r#"{"country":"AR","document":"cuil","value":"20257134823"}"#
        );
        let back: NationalId = serde_json::from_str(&json).unwrap();
        assert_eq!(back, id);
        assert_eq!(DocumentType::Cedula.to_string(), "cedula");
    }

    // Independent, straightforward implementations used to build valid ids.

    fn reference_dni_letter(n: u64) -> char {
        "TRWAGMYFPDXBNJZSQVHLCKE"
            .chars()
            .nth((n % 23) as usize)
            .unwrap()
    }

    fn reference_cuit(prefix: u32, number: u32) -> Option<String> {
        let s = format!("{prefix:02}{number:08}");
        let weights = [5, 4, 3, 2, 7, 6, 5, 4, 3, 2];
        let total: u32 = s
            .chars()
            .zip(weights)
            .map(|(c, w)| c.to_digit(10).unwrap() * w)
            .sum();
        match 11 - total % 11 {
            10 => None,
            11 => Some(format!("{s}0")),
            d => Some(format!("{s}{d}")),
        }
    }

    fn is_fake(digits: &str) -> bool {
        is_repeated_char(digits, 5) || is_sequence(digits, 6)
    }

    fn country(i: usize) -> Country {
        match i {
            0 => Country::ES,
            1 => Country::AR,
            2 => Country::MX,
            3 => Country::CO,
            _ => "PE".parse().unwrap(),
        }
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*", c in 0usize..5) {
            let _ = normalize_national_id(&s, country(c));
        }

        #[test]
        fn never_panics_on_any_string(s in any::<String>(), c in 0usize..5) {
            let _ = normalize_national_id(&s, country(c));
        }

        #[test]
        fn never_panics_on_id_like_input(s in "[0-9A-Za-zñÑ&. -]{0,24}", c in 0usize..5) {
            let _ = normalize_national_id(&s, country(c));
        }

        #[test]
        fn canonical_values_normalize_to_themselves(s in "[0-9A-Za-zñÑ&ß. -]{0,24}|.*", c in 0usize..5) {
            if let Ok(id) = normalize_national_id(&s, country(c)) {
                let again = normalize_national_id(&id.value, id.country);
                prop_assert_eq!(again, Ok(id));
            }
        }

        #[test]
        fn generated_dnis_are_accepted_and_a_wrong_letter_is_not(n in 0u64..100_000_000, wrong in 1u64..23) {
            let body = format!("{n:08}");
            prop_assume!(!is_fake(&body) && n >= 100_000);
            let valid = format!("{body}{}", reference_dni_letter(n));
            let id = normalize_national_id(&valid, Country::ES).unwrap();
            prop_assert_eq!(id.document, DocumentType::Dni);
            prop_assert_eq!(&id.value, &valid);
            let messy = format!("{}.{}.{}-{}", &body[..2], &body[2..5], &body[5..], valid[8..].to_lowercase());
            prop_assert_eq!(normalize_national_id(&messy, Country::ES), Ok(id));
            let bad = format!("{body}{}", reference_dni_letter(n + wrong));
            prop_assert_eq!(err(&bad, Country::ES), CheckDigit);
        }

        #[test]
        fn generated_nies_are_accepted_and_a_wrong_letter_is_not(p in 0u64..3, n in 0u64..10_000_000, wrong in 1u64..23) {
            let body = format!("{n:07}");
            prop_assume!(!is_fake(&body));
            let prefix = ["X", "Y", "Z"][p as usize];
            let valid = format!("{prefix}{body}{}", reference_dni_letter(p * 10_000_000 + n));
            let id = normalize_national_id(&valid, Country::ES).unwrap();
            prop_assert_eq!(id.document, DocumentType::Nie);
            prop_assert_eq!(&id.value, &valid);
            let messy = format!(" {}-{body} {} ", prefix.to_lowercase(), &valid[8..]);
            prop_assert_eq!(normalize_national_id(&messy, Country::ES), Ok(id));
            let bad = format!("{prefix}{body}{}", reference_dni_letter(p * 10_000_000 + n + wrong));
            prop_assert_eq!(err(&bad, Country::ES), CheckDigit);
        }

        #[test]
        fn generated_cuits_are_accepted_and_a_wrong_digit_is_not(
            p in prop::sample::select(vec![20u32, 23, 24, 27, 30, 33, 34]),
            n in 0u32..100_000_000,
            wrong in 1u32..10,
        ) {
            let body = format!("{n:08}");
            prop_assume!(!is_fake(&body));
            let Some(valid) = reference_cuit(p, n) else {
                return Ok(());
            };
            let dashed = format!("{}-{}-{}", &valid[..2], &valid[2..10], &valid[10..]);
            let id = normalize_national_id(&dashed, Country::AR).unwrap();
            let expected = if p < 30 { DocumentType::Cuil } else { DocumentType::Cuit };
            prop_assert_eq!(id.document, expected);
            prop_assert_eq!(&id.value, &valid);
            prop_assert_eq!(normalize_national_id(&valid, Country::AR), Ok(id));
            let last = valid[10..].parse::<u32>().unwrap();
            let bad = format!("{}{}", &valid[..10], (last + wrong) % 10);
            prop_assert_eq!(err(&bad, Country::AR), CheckDigit);
        }
    }
}
