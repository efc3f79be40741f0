//! Normalization of phone numbers to E.164 (`+34612345678`), with the
//! extension kept apart.
//!
//! Parsing and validation come from [`rlibphonenumber`], a port of Google's
//! libphonenumber. Around it this module adds what contact-center data needs:
//!
//! - a fast path for input that is already E.164, or E.164 with spaces and
//!   hyphens: the digits are taken literally and only validated, without a
//!   full parse; and the same for national numbers in the regions whose
//!   prefixes are known, for `00` numbers where `00` is the international
//!   prefix, and for North American numbers written with the trunk `1`,
//!   where the parse would give the same number (checked by the tests);
//! - rejections with reasons for caller-ID placeholders (`anonymous`,
//!   `privado`), repeated digits and digit runs, missing regions;
//! - repairs for dialing habits that libphonenumber's current metadata no
//!   longer reads: Mexico's retired mobile `1` after `+52` and the `044`, `045`
//!   and `01` prefixes, Colombia's one-digit landline area codes from before the
//!   2021 change to `60X`, and `+34 (0) ...`-style spurious trunk zeros.
//!
//! When the digits after `+` already form a valid number, they are taken as
//! they stand and no national prefix is stripped from them. libphonenumber
//! agrees on every such number its metadata has examples for (see the tests);
//! the rule makes the canonical form a fixed point whatever the metadata.

use rlibphonenumber::enums::NumberLengthType;
use rlibphonenumber::enums::Region;
use rlibphonenumber::{
    PHONE_NUMBER_UTIL, ParseError, PhoneNumber, PhoneNumberFormat, ValidationError,
};
use serde::{Deserialize, Serialize};

use crate::normalize::{RejectReason, Rejection};
use crate::record::Country;

/// A phone number in canonical form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Phone {
    /// The number in E.164: `+`, the country calling code and the national
    /// significant number, digits only (`+34612345678`).
    pub e164: String,
    /// The extension dialed after the call connects (`123` in
    /// `+34 912 345 678 ext. 123`), digits only.
    pub extension: Option<String>,
}

/// Normalizes a raw phone value to E.164.
///
/// `default_region` is the country a national number (one written without
/// `+` or `00`) is read in; it is ignored for international numbers, and a
/// country libphonenumber has no data for counts as no region.
///
/// Accepts the usual ways of writing a number: spaces, hyphens, dots and
/// parentheses, `00` for `+`, national trunk prefixes, extensions (`ext. 12`,
/// `x12`, `;ext=12`, `int. 12`, `interno 12`, `anexo 12`), letters on vanity
/// numbers, `tel:` URIs, fullwidth digits and surrounding quotes.
///
/// # Errors
///
/// A [`Rejection`] whose reason says why the value is not a usable number:
/// [`Empty`](RejectReason::Empty), [`Withheld`](RejectReason::Withheld) for
/// caller-ID placeholders such as `anonymous` or `número privado`,
/// [`RepeatedCharacter`](RejectReason::RepeatedCharacter) and
/// [`Sequence`](RejectReason::Sequence) for filler digits,
/// [`TooShort`](RejectReason::TooShort), [`TooLong`](RejectReason::TooLong),
/// [`MissingRegion`](RejectReason::MissingRegion) for a national number with no
/// default region, [`InvalidForRegion`](RejectReason::InvalidForRegion),
/// [`Syntax`](RejectReason::Syntax) for text that is not a number, and
/// [`UnsupportedFormat`](RejectReason::UnsupportedFormat) for several numbers
/// in one value.
///
/// # Example
///
/// ```
/// use omnid::Country;
/// use omnid::normalize::phone::normalize_phone;
/// use omnid::normalize::RejectReason;
///
/// let phone = normalize_phone("(55) 1234-5678", Some(Country::MX))?;
/// assert_eq!(phone.e164, "+525512345678");
///
/// let phone = normalize_phone("+34 912 345 678 ext. 123", None)?;
/// assert_eq!(phone.e164, "+34912345678");
/// assert_eq!(phone.extension.as_deref(), Some("123"));
///
/// let rejection = normalize_phone("Anonymous", None).unwrap_err();
/// assert_eq!(rejection.reason, RejectReason::Withheld);
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_phone(raw: &str, default_region: Option<Country>) -> Result<Phone, Rejection> {
    let regions: &[Country] = match &default_region {
        Some(r) => std::slice::from_ref(r),
        None => &[],
    };
    normalize_phone_with(raw, regions, PhoneValidation::Valid)
}

/// How strictly a number must match its country's numbering plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PhoneValidation {
    /// The number must be valid: an assigned range of its country (the
    /// default; libphonenumber's `is_valid`).
    #[default]
    Valid,
    /// The number must only have a possible length for its country
    /// (libphonenumber's `is_possible`): for exports whose numbers were
    /// never dialed, or test data with made-up area codes.
    Possible,
}

impl PhoneValidation {
    fn accepts(self, number: &PhoneNumber) -> bool {
        match self {
            PhoneValidation::Valid => number.is_valid(),
            // The length test is cheap and settles most numbers; the
            // validity test runs the region's patterns. A valid number always
            // has a possible length (the general lengths are the union of
            // every type's), so a length refusal needs no pattern.
            PhoneValidation::Possible => match number.is_possible_with_reason() {
                Ok(NumberLengthType::IsPossible) => true,
                Ok(NumberLengthType::IsPossibleLocalOnly) => number.is_valid(),
                Err(_) => false,
            },
        }
    }
}

/// [`normalize_phone`] with several candidate regions and a validation level.
///
/// A national number is read in each of `regions` in turn and the first
/// reading that is accepted wins, so a source that mixes Spanish and
/// American numbers written without a country code can list `[ES, US]`.
/// The rejection returned is the one of the first region.
///
/// ```
/// use omnid::Country;
/// use omnid::normalize::phone::{normalize_phone_with, PhoneValidation};
/// let us: Country = "US".parse()?;
/// let both = [Country::ES, us];
/// let es = normalize_phone_with("612 34 56 78", &both, PhoneValidation::Valid)?;
/// assert_eq!(es.e164, "+34612345678");
/// let ny = normalize_phone_with("(212) 555-0199", &both, PhoneValidation::Possible)?;
/// assert_eq!(ny.e164, "+12125550199");
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
/// # Errors
///
/// As [`normalize_phone`].
pub fn normalize_phone_with(
    raw: &str,
    regions: &[Country],
    validation: PhoneValidation,
) -> Result<Phone, Rejection> {
    if let Some(digits) = raw.strip_prefix('+')
        && is_ascii_digits(digits)
    {
        reject_filler(digits.as_bytes())?;
        return international(raw, validation);
    }
    let compact = Compact::read(raw);
    let read = |region: Option<Region>| match &compact {
        Some(compact) => from_compact(compact, region, validation),
        None => from_text(raw, region, validation),
    };
    let mut first = None;
    let library_regions = regions.iter().filter_map(|&c| library_region(c));
    let mut tried = false;
    for region in library_regions {
        tried = true;
        match read(Some(region)) {
            Ok(phone) => return Ok(phone),
            Err(e) if retryable(&e) => {
                first.get_or_insert(e);
            }
            Err(e) => return Err(first.unwrap_or(e)),
        }
    }
    let national = match first {
        Some(e) => Err(e),
        None if !tried => read(None),
        None => Err(Rejection::new(RejectReason::MissingRegion)),
    };
    match national {
        Err(e) if retryable(&e) => {
            // Exports of WhatsApp and of some dialers write E.164 without its
            // `+` (`34612345678`): when the national reading fails, the same
            // digits are tried as an international number.
            let digits: String = raw
                .chars()
                .filter(|c| !matches!(c, ' ' | '-' | '.'))
                .collect();
            if (10..=15).contains(&digits.len())
                && is_ascii_digits(&digits)
                && !digits.starts_with('0')
                && let Ok(p) = international(&format!("+{digits}"), validation)
            {
                return Ok(p);
            }
            Err(e)
        }
        other => other,
    }
}

/// A national reading failed in a way another region may not.
fn retryable(e: &Rejection) -> bool {
    matches!(
        e.reason,
        RejectReason::TooLong
            | RejectReason::TooShort
            | RejectReason::InvalidForRegion
            | RejectReason::MissingRegion
    )
}

/// Fewer digits than this, with no `+` and no region, cannot be a whole
/// number in any country omnid is tuned for (the shortest, Spain's, has nine).
const MIN_NATIONAL_DIGITS: usize = 6;

/// Repeated digits and digit runs shorter than this can be real numbers.
const MIN_FILLER_DIGITS: usize = 6;

/// A compact form holds at most this many characters (`+` and digits).
/// E.164 allows 15 digits; the rest leaves room for `00` and trunk prefixes.
const MAX_COMPACT: usize = 24;

// Country calling codes that `repair` knows dialing habits for.
const MEXICO: i32 = 52;
const COLOMBIA: i32 = 57;

/// The libphonenumber region for a country, if libphonenumber has data for it.
fn library_region(country: Country) -> Option<Region> {
    Region::from_code(country.as_str()).ok().filter(|region| {
        PHONE_NUMBER_UTIL
            .get_country_code_for_region(*region)
            .is_some()
    })
}

fn is_ascii_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// Input made of nothing but digits, separators and one leading `+`, read as
/// `+` and ASCII digits (`"＋34 (612) 34-56-78"` becomes `+34612345678`).
struct Compact {
    text: String,
    /// Where a zero written `(0)` after the country code sits in `text`, as in
    /// `+44 (0)20 ...`: a trunk prefix in most countries, part of the number in
    /// Italy.
    paren_zero: Option<usize>,
}

impl Compact {
    fn read(raw: &str) -> Option<Compact> {
        let mut text = String::with_capacity(16);
        let mut paren_zero = None;
        let mut skip = 0;
        for (i, ch) in raw.char_indices() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            if let Some(digit) = decimal_digit(ch) {
                if text.len() == MAX_COMPACT {
                    return None;
                }
                text.push(char::from(digit));
            } else if ch == '+' || ch == '＋' {
                if !text.is_empty() {
                    return None;
                }
                text.push('+');
            } else if ch == '('
                && text.starts_with('+')
                && text.len() > 1
                && paren_zero.is_none()
                && raw[i..].starts_with("(0)")
            {
                paren_zero = Some(text.len());
                text.push('0');
                skip = 2;
            } else if !is_separator(ch) {
                return None;
            }
        }
        if text.bytes().any(|b| b.is_ascii_digit()) {
            Some(Compact { text, paren_zero })
        } else {
            None
        }
    }

    fn digits(&self) -> &str {
        self.text.strip_prefix('+').unwrap_or(&self.text)
    }

    fn is_international(&self) -> bool {
        self.text.starts_with('+')
    }
}

/// The value of a decimal digit in the scripts phone numbers are written in.
fn decimal_digit(ch: char) -> Option<u8> {
    let zero = match ch {
        '0'..='9' => '0',
        '０'..='９' => '０',
        '\u{660}'..='\u{669}' => '\u{660}',
        '\u{6F0}'..='\u{6F9}' => '\u{6F0}',
        _ => return None,
    };
    u8::try_from(u32::from(ch) - u32::from(zero) + u32::from(b'0')).ok()
}

/// Characters people put between the digits of one number. Line breaks are
/// not among them: they usually separate two numbers.
fn is_separator(ch: char) -> bool {
    matches!(
        ch,
        '-' | '.'
            | '('
            | ')'
            | '['
            | ']'
            | '"'
            | '\''
            | '`'
            | '\u{2010}'..='\u{2015}'
            | '\u{2018}'..='\u{201F}'
            | '\u{200B}'
            | '\u{2212}'
            | '\u{FEFF}'
            | '\u{FF08}'
            | '\u{FF09}'
            | '\u{FF0D}'
            | '\u{FF0E}'
            | '«'
            | '»'
    ) || (ch.is_whitespace() && ch != '\n' && ch != '\r')
}

fn from_compact(
    compact: &Compact,
    region: Option<Region>,
    validation: PhoneValidation,
) -> Result<Phone, Rejection> {
    let digits = compact.digits();
    reject_filler(digits.as_bytes())?;
    if compact.is_international() {
        return international(&compact.text, validation).or_else(|rejection| {
            match compact.paren_zero {
                Some(at) => {
                    let mut text = compact.text.clone();
                    text.remove(at);
                    international(&text, validation).map_err(|_| rejection)
                }
                None => Err(rejection),
            }
        });
    }
    // `00` is the international prefix in most of the world; a national number
    // never starts with it.
    let after_idd = digits
        .strip_prefix("00")
        .filter(|rest| !rest.starts_with('0'));
    let Some(region) = region else {
        return match after_idd {
            Some(rest) => international(&format!("+{rest}"), validation),
            None if digits.len() < MIN_NATIONAL_DIGITS => {
                Err(Rejection::new(RejectReason::TooShort))
            }
            None => Err(Rejection::new(RejectReason::MissingRegion)
                .with_detail("a national number needs a default region")),
        };
    };
    // Where `00` is the region's international prefix, the parse reads the
    // rest as it reads `+` and the rest: when that is a valid number as it
    // stands, it is taken so, without a parse.
    if let Some(rest) = after_idd.filter(|_| idd_is_00(region))
        && let Some(cc_len) = literal(rest, validation)
    {
        return accept(format!("+{rest}"), cc_len, None);
    }
    let parsed = match plain_national(digits, region) {
        Some(number) => Ok(number),
        None => PHONE_NUMBER_UTIL.parse(digits, Some(region)),
    };
    let national = resolve(parsed, Some(region), false, validation);
    match (national, after_idd) {
        // The region's own international prefix may not be `00` (`011` in the
        // United States, `009` in Colombia), but people still write `00`.
        (Err(rejection), Some(rest)) => {
            international(&format!("+{rest}"), validation).map_err(|_| rejection)
        }
        (national, _) => national,
    }
}

/// Reads `+` and digits: literally if the digits form a valid number, else
/// through libphonenumber (which may strip a national prefix) and the repairs.
fn international(plus_digits: &str, validation: PhoneValidation) -> Result<Phone, Rejection> {
    let digits = plus_digits.strip_prefix('+').unwrap_or(plus_digits);
    match literal(digits, validation) {
        Some(cc_len) => accept(plus_digits.to_owned(), cc_len, None),
        None => resolve(
            PHONE_NUMBER_UTIL.parse(plus_digits, None),
            None,
            true,
            validation,
        ),
    }
}

/// If `digits` (ASCII) are a country calling code followed by a valid
/// national significant number, the length of the country code.
///
/// This builds the number directly and validates it, which costs a third of
/// a full parse.
fn literal(digits: &str, validation: PhoneValidation) -> Option<usize> {
    if digits.starts_with('0') {
        return None;
    }
    for cc_len in 1..=3 {
        let country_code: i32 = digits.get(..cc_len)?.parse().ok()?;
        if PHONE_NUMBER_UTIL
            .get_region_for_country_code(country_code)
            .is_none()
        {
            continue;
        }
        let nsn = digits.get(cc_len..)?;
        // A leading zero is an Italian-style zero that the u64 cannot hold; the
        // full parse handles it. More than 17 digits is never a valid number.
        if nsn.is_empty() || nsn.starts_with('0') || nsn.len() > 17 {
            return None;
        }
        let number = PhoneNumber {
            country_code,
            national_number: nsn.parse().ok()?,
            ..PhoneNumber::default()
        };
        return validation.accepts(&number).then_some(cc_len);
    }
    None
}

/// Leading digits that make libphonenumber read a national number other
/// than literally in `region`, besides `0` and the region's country code:
/// the first digits of its international and national prefixes. `None` for
/// a region not listed here, or whose prefixes are patterns that look
/// further (Argentina's, Brazil's): those are always parsed.
///
/// From libphonenumber's metadata (`internationalPrefix`,
/// `nationalPrefixForParsing`); `plain_national_reading_agrees_with_libphonenumber`
/// checks every region listed against the full parse.
fn plain_prefix_digits(region: Region) -> Option<&'static [u8]> {
    let code = region.as_region_str();
    Some(match code.as_str() {
        // International prefix `00` (or `0` and more), national prefix `0`
        // or none.
        "AT" | "BE" | "BO" | "CH" | "CO" | "DE" | "EC" | "ES" | "FR" | "GQ" | "GT" | "HN"
        | "IE" | "IT" | "MX" | "NI" | "NL" | "PA" | "PT" | "PY" | "SV" | "UY" | "VE" => b"",
        // A prefix also starts with `1`: the North American national prefix
        // `1` (with international prefix `011`), Britain's `180020`, Peru's,
        // Chile's and Cuba's international prefixes, Costa Rica's carrier
        // codes.
        "US" | "CA" | "PR" | "DO" | "GB" | "PE" | "CL" | "CU" | "CR" => b"1",
        _ => return None,
    })
}

/// Regions whose international prefix is `00` and nothing else.
fn idd_is_00(region: Region) -> bool {
    matches!(
        region.as_region_str().as_str(),
        "AT" | "BE"
            | "CH"
            | "CR"
            | "DE"
            | "EC"
            | "ES"
            | "FR"
            | "GB"
            | "GQ"
            | "GT"
            | "HN"
            | "IE"
            | "IT"
            | "NI"
            | "NL"
            | "PA"
            | "PT"
            | "PY"
            | "SV"
            | "VE"
    )
}

/// North American regions whose only national prefix is the trunk `1`, the
/// country code too: `1 212 555 0199` is read as `+1 212 555 0199`.
fn trunk_one(region: Region) -> bool {
    matches!(region.as_region_str().as_str(), "US" | "CA" | "PR" | "DO")
}

/// What libphonenumber's parse of the ASCII `digits` in `region` gives,
/// without parsing, when the digits are read literally there: they start
/// with no prefix and no country code, so the parse strips nothing and the
/// number is the region's country code and the digits; or, in North
/// America, they are the trunk `1` and ten digits, which the parse reads as
/// the country code and those ten (eleven digits are too many for a
/// national number there). `None` when that is not certain.
///
/// Half the numbers of a mixed export are national, each parsed in one or
/// two regions: the parse was half the time it took to normalize a record
/// of the people set.
fn plain_national(digits: &str, region: Region) -> Option<PhoneNumber> {
    let excluded = plain_prefix_digits(region)?;
    let first = *digits.as_bytes().first()?;
    if let Some(ten) = digits.strip_prefix('1')
        && ten.len() == 10
        && !ten.starts_with(['0', '1'])
        && trunk_one(region)
    {
        return Some(PhoneNumber {
            country_code: 1,
            national_number: ten.parse().ok()?,
            ..PhoneNumber::default()
        });
    }
    // libphonenumber's shortest and longest national significant numbers.
    if first == b'0' || excluded.contains(&first) || !(3..=17).contains(&digits.len()) {
        return None;
    }
    let country_code = PHONE_NUMBER_UTIL.get_country_code_for_region(region)?;
    let cc_digits = digits.get(..country_code_len(country_code))?;
    if cc_digits.parse() == Ok(country_code) {
        return None;
    }
    Some(PhoneNumber {
        country_code,
        national_number: digits.parse().ok()?,
        ..PhoneNumber::default()
    })
}

/// Turns libphonenumber's answer into a phone or a rejection.
fn resolve(
    parsed: Result<PhoneNumber, ParseError>,
    region: Option<Region>,
    international: bool,
    validation: PhoneValidation,
) -> Result<Phone, Rejection> {
    match parsed {
        Ok(number) if validation.accepts(&number) => accept_number(&number),
        Ok(number) => match repair(&number, validation) {
            Some(repaired) => Ok(repaired),
            None => Err(classify_invalid(&number)),
        },
        Err(error) => Err(classify_error(&error, region, international)),
    }
}

/// Accepts a valid parsed number.
fn accept_number(number: &PhoneNumber) -> Result<Phone, Rejection> {
    let e164 = number.format_as(PhoneNumberFormat::E164).into_owned();
    accept(
        e164,
        country_code_len(number.country_code),
        number.extension.clone(),
    )
}

/// Accepts a valid number in E.164 unless its digits are filler.
fn accept(e164: String, cc_len: usize, extension: Option<String>) -> Result<Phone, Rejection> {
    let digits = e164.as_bytes().get(1..).unwrap_or_default();
    reject_filler(digits)?;
    reject_filler(digits.get(cc_len..).unwrap_or_default())?;
    Ok(Phone {
        e164,
        extension: extension.filter(|ext| !ext.is_empty()),
    })
}

fn country_code_len(country_code: i32) -> usize {
    match country_code {
        ..=9 => 1,
        10..=99 => 2,
        _ => 3,
    }
}

/// Reads numbers written with dialing habits the metadata no longer knows.
fn repair(number: &PhoneNumber, validation: PhoneValidation) -> Option<Phone> {
    let cc = number.country_code;
    let nsn = number.get_national_significant_number();
    let fixed = match cc {
        // Mexico dropped the mobile `1` (`+52 1 55 ...`) and the `044`, `045`
        // and `01` national prefixes in 2019-2020; every number has ten digits.
        MEXICO => ["044", "045", "01", "1"].iter().find_map(|prefix| {
            nsn.strip_prefix(prefix)
                .filter(|rest| rest.len() == 10)
                .map(str::to_owned)
        })?,
        // Colombia's landlines had one-digit area codes (`(1) 234 5678` in
        // Bogotá) until 2021, when `60` was put in front of them.
        COLOMBIA if nsn.len() == 8 && nsn.starts_with(|c: char| ('1'..='8').contains(&c)) => {
            format!("60{nsn}")
        }
        _ => return None,
    };
    let e164 = format!("+{cc}{fixed}");
    let cc_len = literal(e164.get(1..)?, validation)?;
    accept(e164, cc_len, number.extension.clone()).ok()
}

/// Why libphonenumber's (invalid) number is not accepted.
fn classify_invalid(number: &PhoneNumber) -> Rejection {
    let nsn = number.get_national_significant_number();
    if let Err(rejection) = reject_filler(nsn.as_bytes()) {
        return rejection;
    }
    match number.is_possible_with_reason() {
        Err(ValidationError::TooShort) => Rejection::new(RejectReason::TooShort),
        Err(ValidationError::TooLong) => Rejection::new(RejectReason::TooLong),
        Err(ValidationError::InvalidCountryCode) => Rejection::new(RejectReason::InvalidForRegion)
            .with_detail(format!(
                "unknown country calling code +{}",
                number.country_code
            )),
        Err(ValidationError::InvalidLength) | Ok(_) => {
            Rejection::new(RejectReason::InvalidForRegion).with_detail(format!(
                "not a valid number for country code +{}",
                number.country_code
            ))
        }
    }
}

fn classify_error(error: &ParseError, region: Option<Region>, international: bool) -> Rejection {
    match error {
        ParseError::InvalidCountryCode if region.is_none() && !international => {
            Rejection::new(RejectReason::MissingRegion)
                .with_detail("a national number needs a default region")
        }
        ParseError::InvalidCountryCode => Rejection::new(RejectReason::InvalidForRegion)
            .with_detail("unknown country calling code"),
        ParseError::NotANumber(_) => Rejection::new(RejectReason::Syntax),
        ParseError::TooShortAfterIdd | ParseError::TooShortNsn => {
            Rejection::new(RejectReason::TooShort)
        }
        ParseError::TooLongNsn => Rejection::new(RejectReason::TooLong),
    }
}

/// Input that is not a compact number: text with letters, extensions, URIs,
/// several numbers, or nothing at all.
fn from_text(
    raw: &str,
    region: Option<Region>,
    validation: PhoneValidation,
) -> Result<Phone, Rejection> {
    if !raw.chars().any(char::is_alphanumeric) {
        return Err(Rejection::new(RejectReason::Empty));
    }
    if !raw.chars().any(char::is_numeric) {
        return Err(if is_withheld(raw) {
            Rejection::new(RejectReason::Withheld)
        } else {
            Rejection::new(RejectReason::Syntax).with_detail("no digits")
        });
    }
    if holds_several_numbers(raw) {
        return Err(Rejection::new(RejectReason::UnsupportedFormat)
            .with_detail("several numbers in one value"));
    }
    let international = raw.contains(['+', '＋']);
    let text = spell_extension(raw);
    resolve(
        PHONE_NUMBER_UTIL.parse(text.as_ref(), region),
        region,
        international,
        validation,
    )
}

/// libphonenumber knows `int.` but not the Argentine `interno`.
fn spell_extension(raw: &str) -> std::borrow::Cow<'_, str> {
    const INTERNO: &str = "interno";
    match raw.to_ascii_lowercase().find(INTERNO) {
        Some(at) => {
            let mut text = raw.to_owned();
            text.replace_range(at..at + INTERNO.len(), "ext");
            text.into()
        }
        None => raw.into(),
    }
}

/// Whether the value lists two or more numbers (`612345678 / 912345678`).
fn holds_several_numbers(raw: &str) -> bool {
    raw.split([',', '/', '|', '\n', '\r'])
        .filter(|part| part.chars().filter(|c| c.is_numeric()).count() >= MIN_NATIONAL_DIGITS)
        .nth(1)
        .is_some()
}

/// Words caller-ID systems and agents put where the number was withheld.
const WITHHELD_WORDS: &[&str] = &[
    "anonymous",
    "anonimo",
    "anonima",
    "private",
    "privado",
    "privada",
    "unknown",
    "desconocido",
    "desconocida",
    "withheld",
    "restricted",
    "restringido",
    "restringida",
    "oculto",
    "oculta",
    "unavailable",
    "blocked",
    "bloqueado",
    "hidden",
];

/// Two-word phrases with the same meaning.
const WITHHELD_PHRASES: &[[&str; 2]] = &[
    ["no", "disponible"],
    ["not", "available"],
    ["no", "identificado"],
    ["sin", "identificar"],
    ["no", "caller"],
];

fn is_withheld(raw: &str) -> bool {
    let folded: String = raw.chars().map(fold_letter).collect();
    let mut previous = "";
    for word in folded
        .split(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty())
    {
        if WITHHELD_WORDS.contains(&word)
            || WITHHELD_PHRASES
                .iter()
                .any(|[a, b]| *a == previous && *b == word)
        {
            return true;
        }
        previous = word;
    }
    false
}

/// Lower-cases a letter and drops the Spanish accents.
fn fold_letter(ch: char) -> char {
    match ch {
        'á' | 'Á' => 'a',
        'é' | 'É' => 'e',
        'í' | 'Í' => 'i',
        'ó' | 'Ó' => 'o',
        'ú' | 'Ú' | 'ü' | 'Ü' => 'u',
        'ñ' | 'Ñ' => 'n',
        _ => ch.to_ascii_lowercase(),
    }
}

/// Rejects digit strings that fill a field rather than identify a line: one
/// digit repeated (`0000000000`) or a run up or down (`123456789`, `9876543210`).
fn reject_filler(digits: &[u8]) -> Result<(), Rejection> {
    if digits.len() < MIN_FILLER_DIGITS {
        return Ok(());
    }
    let steps = || {
        digits
            .iter()
            .zip(digits.iter().skip(1))
            .map(|(a, b)| (i16::from(*b) - i16::from(*a)).rem_euclid(10))
    };
    if steps().all(|step| step == 0) {
        Err(Rejection::new(RejectReason::RepeatedCharacter))
    } else if steps().all(|step| step == 1) || steps().all(|step| step == 9) {
        Err(Rejection::new(RejectReason::Sequence))
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rlibphonenumber::PhoneNumberType;

    // Default regions in the tables, as the two letters a source would give
    // (`""` for none).
    const ES: &str = "ES";
    const MX: &str = "MX";
    const AR: &str = "AR";
    const CO: &str = "CO";
    const US: &str = "US";
    const NONE: &str = "";
    const REGIONS: [&str; 8] = [NONE, ES, MX, AR, CO, US, "GB", "ZZ"];

    fn country(code: &str) -> Option<Country> {
        code.parse().ok()
    }

    /// Real-world ways of writing numbers, with the E.164 they must give.
    const ACCEPTED: &[(&str, &str, &str)] = &[
        // Spain
        ("+34 612 34 56 78", NONE, "+34612345678"),
        ("+34612345678", NONE, "+34612345678"),
        ("0034612345678", ES, "+34612345678"),
        ("0034 612 345 678", NONE, "+34612345678"),
        ("612345678", ES, "+34612345678"),
        ("612 34 56 78", ES, "+34612345678"),
        ("612.345.678", ES, "+34612345678"),
        ("612-345-678", ES, "+34612345678"),
        ("34 612 34 56 78", ES, "+34612345678"),
        ("(+34) 612 345 678", NONE, "+34612345678"),
        // E.164 without its `+`, as WhatsApp exports write it.
        ("34643256325", ES, "+34643256325"),
        ("573157808915", ES, "+573157808915"),
        ("5491112345678", ES, "+5491112345678"),
        ("5215512345678", NONE, "+525512345678"),
        ("+34 (0) 612 345 678", NONE, "+34612345678"),
        ("91 123 45 67", ES, "+34911234567"),
        ("+34 912 345 678", MX, "+34912345678"),
        ("\"+34 612 34 56 78\"", NONE, "+34612345678"),
        ("'612345678", ES, "+34612345678"),
        (
            "\u{a0}+34\u{a0}612\u{a0}345\u{a0}678\u{a0}",
            NONE,
            "+34612345678",
        ),
        ("＋３４ ６１２ ３４５ ６７８", NONE, "+34612345678"),
        ("tel:+34-912-345-678", NONE, "+34912345678"),
        ("tel:912345678;phone-context=+34", NONE, "+34912345678"),
        ("Tel: 612 345 678", ES, "+34612345678"),
        ("móvil 612345678", ES, "+34612345678"),
        // Mexico
        ("(55) 1234-5678", MX, "+525512345678"),
        ("55 1234 5678", MX, "+525512345678"),
        ("+52 55 1234 5678", NONE, "+525512345678"),
        ("+52 1 55 1234 5678", NONE, "+525512345678"),
        ("+5215512345678", NONE, "+525512345678"),
        ("1 55 1234 5678", MX, "+525512345678"),
        ("044 55 1234 5678", MX, "+525512345678"),
        ("045 55 1234 5678", MX, "+525512345678"),
        ("01 55 1234 5678", MX, "+525512345678"),
        ("01 800 123 4567", MX, "+528001234567"),
        ("33 1234 5678", MX, "+523312345678"),
        ("00 52 33 1234 5678", US, "+523312345678"),
        // Argentina
        ("+54 9 11 1234-5678", NONE, "+5491112345678"),
        ("011 15-1234-5678", AR, "+5491112345678"),
        ("11 15 1234 5678", AR, "+5491112345678"),
        ("+54 11 15 1234 5678", NONE, "+5491112345678"),
        ("(0351) 15-412-3456", AR, "+5493514123456"),
        ("+54 9 351 412 3456", NONE, "+5493514123456"),
        ("011 4123-4567", AR, "+541141234567"),
        ("+54 11 4123 4567", NONE, "+541141234567"),
        ("351 4123456", AR, "+543514123456"),
        // Colombia
        ("300 123 4567", CO, "+573001234567"),
        ("+57 300 123 4567", CO, "+573001234567"),
        ("+57 (1) 234 5678", NONE, "+576012345678"),
        ("(1) 345 6789", CO, "+576013456789"),
        ("601 234 5678", CO, "+576012345678"),
        ("+57 601 234 5678", NONE, "+576012345678"),
        ("(4) 444 1234", CO, "+576044441234"),
        ("03 1 345 6789", CO, "+576013456789"),
        ("009 34 612 345 678", CO, "+34612345678"),
        ("0034612345678", CO, "+34612345678"),
        // United States
        ("(650) 253-0000", US, "+16502530000"),
        ("650.253.0000", US, "+16502530000"),
        ("1 (650) 253-0000", US, "+16502530000"),
        ("+1-650-253-0000", MX, "+16502530000"),
        ("1-800-FLOWERS", US, "+18003569377"),
        ("011 34 612 345 678", US, "+34612345678"),
        ("0034612345678", US, "+34612345678"),
        // Elsewhere
        ("+39 06 1234 5678", NONE, "+390612345678"),
        ("+39 (0)6 1234 5678", NONE, "+390612345678"),
        ("+44 (0)20 7183 8750", NONE, "+442071838750"),
        ("+44 20 7183 8750", NONE, "+442071838750"),
    ];

    /// Extensions, with the E.164 and extension they must give.
    const EXTENSIONS: &[(&str, &str, &str, &str)] = &[
        ("+34 912 345 678 ext. 123", NONE, "+34912345678", "123"),
        ("+34 912 345 678 x123", NONE, "+34912345678", "123"),
        ("+34912345678;ext=123", NONE, "+34912345678", "123"),
        ("tel:+34-912-345-678;ext=123", NONE, "+34912345678", "123"),
        ("+34 912 345 678 int. 12", NONE, "+34912345678", "12"),
        ("912 345 678 extensión 45", ES, "+34912345678", "45"),
        ("011 4123-4567 interno 204", AR, "+541141234567", "204"),
        ("(55) 1234-5678 ext 12", MX, "+525512345678", "12"),
        ("(650) 253-0000 x302", US, "+16502530000", "302"),
        ("1-800-FLOWERS ext 5", US, "+18003569377", "5"),
        ("612 345 678 anexo 12", ES, "+34612345678", "12"),
    ];

    /// Values that must be rejected, with the reason.
    const REJECTED: &[(&str, &str, RejectReason)] = &[
        ("anonymous", NONE, RejectReason::Withheld),
        ("Anonymous", ES, RejectReason::Withheld),
        ("private", NONE, RejectReason::Withheld),
        ("PRIVATE NUMBER", MX, RejectReason::Withheld),
        ("unknown", NONE, RejectReason::Withheld),
        ("withheld", NONE, RejectReason::Withheld),
        ("Number withheld", NONE, RejectReason::Withheld),
        ("restricted", NONE, RejectReason::Withheld),
        ("no disponible", CO, RejectReason::Withheld),
        ("desconocido", AR, RejectReason::Withheld),
        ("privado", NONE, RejectReason::Withheld),
        ("Número privado", ES, RejectReason::Withheld),
        ("oculto", NONE, RejectReason::Withheld),
        ("Llamada anónima", ES, RejectReason::Withheld),
        (
            "sip:anonymous@anonymous.invalid",
            NONE,
            RejectReason::Withheld,
        ),
        ("0000000000", NONE, RejectReason::RepeatedCharacter),
        ("0000000000", ES, RejectReason::RepeatedCharacter),
        ("1111111111", MX, RejectReason::RepeatedCharacter),
        ("999-999-999", ES, RejectReason::RepeatedCharacter),
        ("+34 666 666 666", NONE, RejectReason::RepeatedCharacter),
        ("+34 000 000 000", NONE, RejectReason::RepeatedCharacter),
        ("123456789", ES, RejectReason::Sequence),
        ("123456789", NONE, RejectReason::Sequence),
        ("1234567890", US, RejectReason::Sequence),
        ("987654321", ES, RejectReason::Sequence),
        ("+1 234 567 8901", NONE, RejectReason::Sequence),
        ("", NONE, RejectReason::Empty),
        ("   ", ES, RejectReason::Empty),
        ("\u{a0}\t", ES, RejectReason::Empty),
        ("-", ES, RejectReason::Empty),
        ("( ) -", ES, RejectReason::Empty),
        ("12345", ES, RejectReason::TooShort),
        ("12345", NONE, RejectReason::TooShort),
        ("+34 61234567", NONE, RejectReason::TooShort),
        ("+34 6123456789", NONE, RejectReason::TooLong),
        ("612345678", NONE, RejectReason::MissingRegion),
        ("(55) 1234-5678", NONE, RejectReason::MissingRegion),
        ("612 345 678 ext 12", NONE, RejectReason::MissingRegion),
        ("612345678", "ZZ", RejectReason::MissingRegion),
        ("+54 9 351 123 4567", NONE, RejectReason::InvalidForRegion),
        ("15 1234 5678", AR, RejectReason::InvalidForRegion),
        ("412 345 678", ES, RejectReason::InvalidForRegion),
        ("(1) 234 5678", CO, RejectReason::Sequence),
        ("+1 555 555 5556", NONE, RejectReason::InvalidForRegion),
        ("+999 1234567", NONE, RejectReason::InvalidForRegion),
        ("call me", ES, RejectReason::Syntax),
        ("n/a", ES, RejectReason::Syntax),
        ("612345678 / 912345678", ES, RejectReason::UnsupportedFormat),
        ("612345678, 912345678", ES, RejectReason::UnsupportedFormat),
        ("612345678\n912345678", ES, RejectReason::UnsupportedFormat),
    ];

    #[test]
    fn real_world_numbers_are_read() {
        for &(raw, region, e164) in ACCEPTED {
            let phone = normalize_phone(raw, country(region));
            assert_eq!(
                phone,
                Ok(Phone {
                    e164: e164.to_owned(),
                    extension: None
                }),
                "{raw:?} in {region:?}"
            );
        }
    }

    #[test]
    fn extensions_are_kept_apart() {
        for &(raw, region, e164, extension) in EXTENSIONS {
            let phone = normalize_phone(raw, country(region));
            assert_eq!(
                phone,
                Ok(Phone {
                    e164: e164.to_owned(),
                    extension: Some(extension.to_owned())
                }),
                "{raw:?} in {region:?}"
            );
        }
    }

    #[test]
    fn unusable_values_are_rejected_with_their_reason() {
        for &(raw, region, reason) in REJECTED {
            let rejection = normalize_phone(raw, country(region)).map_err(|r| r.reason);
            assert_eq!(rejection, Err(reason), "{raw:?} in {region:?}");
        }
    }

    #[test]
    fn region_of_a_country_without_data_counts_as_none() {
        assert_eq!(library_region(Country::ES), Some(Region::ES));
        assert_eq!(country("ZZ").and_then(library_region), None);
        assert_eq!(
            normalize_phone("+34612345678", country("ZZ")).map(|p| p.e164),
            Ok("+34612345678".to_owned())
        );
    }

    #[test]
    fn filler_digits_are_recognized() {
        assert!(reject_filler(b"12345").is_ok());
        assert!(reject_filler(b"612345678").is_ok());
        assert!(reject_filler(b"6502530000").is_ok());
        assert_eq!(
            reject_filler(b"000000").map_err(|r| r.reason),
            Err(RejectReason::RepeatedCharacter)
        );
        assert_eq!(
            reject_filler(b"0123456789").map_err(|r| r.reason),
            Err(RejectReason::Sequence)
        );
        assert_eq!(
            reject_filler(b"7890123").map_err(|r| r.reason),
            Err(RejectReason::Sequence)
        );
        assert_eq!(
            reject_filler(b"3210987").map_err(|r| r.reason),
            Err(RejectReason::Sequence)
        );
    }

    /// The number types libphonenumber has example numbers of.
    const EXAMPLE_TYPES: [PhoneNumberType; 10] = [
        PhoneNumberType::FixedLine,
        PhoneNumberType::Mobile,
        PhoneNumberType::TollFree,
        PhoneNumberType::PremiumRate,
        PhoneNumberType::SharedCost,
        PhoneNumberType::VoIP,
        PhoneNumberType::PersonalNumber,
        PhoneNumberType::Pager,
        PhoneNumberType::UAN,
        PhoneNumberType::VoiceMail,
    ];

    /// E.164 forms of libphonenumber's example numbers for every region and
    /// number type.
    fn all_example_numbers() -> Vec<String> {
        let mut numbers: Vec<String> = PHONE_NUMBER_UTIL
            .get_supported_regions()
            .flat_map(|region| {
                EXAMPLE_TYPES.iter().filter_map(move |t| {
                    PHONE_NUMBER_UTIL
                        .get_example_number_for_type_and_region(region, *t)
                        .ok()
                })
            })
            .map(|n| n.format_as(PhoneNumberFormat::E164).into_owned())
            .collect();
        numbers.sort();
        numbers.dedup();
        numbers
    }

    /// The example numbers that are not filler: a tenth are runs such as
    /// France's `01 23 45 67 89`.
    fn example_numbers() -> Vec<String> {
        all_example_numbers()
            .into_iter()
            .filter(|e164| {
                let digits = e164.as_bytes().get(1..).unwrap_or_default();
                reject_filler(digits).is_ok()
                    && (1..=3).all(|cc_len| {
                        reject_filler(digits.get(cc_len..).unwrap_or_default()).is_ok()
                    })
            })
            .collect()
    }

    #[test]
    fn literal_reading_agrees_with_libphonenumber_on_example_numbers() {
        let numbers = example_numbers();
        assert!(
            numbers.len() > 850,
            "only {} example numbers",
            numbers.len()
        );
        for e164 in &numbers {
            let parsed = PHONE_NUMBER_UTIL.parse(e164, None).ok();
            let library = parsed
                .filter(PhoneNumber::is_valid)
                .map(|n| n.format_as(PhoneNumberFormat::E164).into_owned());
            assert_eq!(library.as_ref(), Some(e164), "libphonenumber on {e164}");
            assert_eq!(
                normalize_phone(e164, None),
                Ok(Phone {
                    e164: e164.clone(),
                    extension: None
                })
            );
        }
    }

    #[test]
    fn plain_national_reading_agrees_with_libphonenumber() {
        // Every region with a plain reading, on the national significant
        // numbers of its examples and on 40,000 digit strings of every length
        // and first digit.
        let mut state = 0x9E37_79B9_7F4A_7C15_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut regions = 0;
        let mut read = 0;
        for region in PHONE_NUMBER_UTIL.get_supported_regions() {
            if plain_prefix_digits(region).is_none() {
                continue;
            }
            regions += 1;
            let mut inputs: Vec<String> = EXAMPLE_TYPES
                .iter()
                .filter_map(|t| {
                    PHONE_NUMBER_UTIL
                        .get_example_number_for_type_and_region(region, *t)
                        .ok()
                })
                .map(|n| n.get_national_significant_number())
                .collect();
            for _ in 0..40_000 {
                let len = 3 + (next() % 15) as usize;
                inputs.push(
                    (0..len)
                        .map(|_| char::from(b'0' + (next() % 10) as u8))
                        .collect(),
                );
            }
            for digits in &inputs {
                let Some(plain) = plain_national(digits, region) else {
                    continue;
                };
                read += 1;
                let parsed = PHONE_NUMBER_UTIL.parse(digits, Some(region));
                assert_eq!(parsed.as_ref(), Ok(&plain), "{digits} in {region:?}");
            }
        }
        assert_eq!(regions, 32);
        assert!(read > 32 * 30_000, "{read} plain readings");
    }

    #[test]
    fn double_zero_reading_agrees_with_libphonenumber() {
        // In every region whose international prefix is `00`, each example
        // number written with `00` reads as libphonenumber's parse reads it.
        let mut regions = 0;
        for region in PHONE_NUMBER_UTIL.get_supported_regions() {
            if !idd_is_00(region) {
                continue;
            }
            regions += 1;
            for e164 in example_numbers() {
                let digits = &e164[1..];
                let with_idd = format!("00{digits}");
                for validation in [PhoneValidation::Valid, PhoneValidation::Possible] {
                    let parsed = resolve(
                        PHONE_NUMBER_UTIL.parse(&with_idd, Some(region)),
                        Some(region),
                        false,
                        validation,
                    );
                    let fast = from_compact(
                        &Compact::read(&with_idd).expect("digits"),
                        Some(region),
                        validation,
                    );
                    assert_eq!(fast, parsed, "{with_idd} in {region:?}");
                }
            }
        }
        assert_eq!(regions, 21);
    }

    #[test]
    fn possible_mode_accepts_every_valid_number() {
        // "possible" skips the patterns when the length is wrong: that is
        // only right if no valid number has a length the test refuses.
        for e164 in example_numbers() {
            let number = PHONE_NUMBER_UTIL.parse(&e164, None).unwrap();
            assert!(number.is_valid(), "{e164}");
            assert!(PhoneValidation::Possible.accepts(&number), "{e164}");
        }
    }

    fn any_region() -> impl Strategy<Value = Option<Country>> {
        prop::sample::select(REGIONS.map(country).to_vec())
    }

    /// Phone-like text: digits, separators, plus signs, extension markers.
    fn phone_like() -> impl Strategy<Value = String> {
        "[+ ]?(00)?[0-9]{1,4}([ .()-]{0,2}[0-9]{1,4}){0,5}( ?(ext\\.?|x|;ext=|int\\.|#) ?[0-9]{1,5})?"
    }

    fn assert_idempotent(phone: &Phone) -> Result<(), TestCaseError> {
        let canonical = Phone {
            e164: phone.e164.clone(),
            extension: None,
        };
        for region in REGIONS.map(country) {
            prop_assert_eq!(normalize_phone(&phone.e164, region), Ok(canonical.clone()));
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn never_panics_on_any_text(raw in ".*", region in any_region()) {
            let _ = normalize_phone(&raw, region);
        }

        #[test]
        fn never_panics_on_any_string(raw in any::<String>(), region in any_region()) {
            let _ = normalize_phone(&raw, region);
        }

        #[test]
        fn canonical_form_is_a_fixed_point(raw in phone_like(), region in any_region()) {
            if let Ok(phone) = normalize_phone(&raw, region) {
                assert_idempotent(&phone)?;
            }
        }

        #[test]
        fn canonical_form_of_real_world_values_is_a_fixed_point(
            index in 0..ACCEPTED.len() + EXTENSIONS.len(),
        ) {
            let (raw, region) = ACCEPTED
                .get(index)
                .map(|&(raw, region, _)| (raw, region))
                .or_else(|| EXTENSIONS.get(index - ACCEPTED.len()).map(|&(raw, region, _, _)| (raw, region)))
                .unwrap_or(("", NONE));
            let phone = normalize_phone(raw, country(region));
            prop_assert!(phone.is_ok(), "{:?}", phone);
            if let Ok(phone) = phone {
                assert_idempotent(&phone)?;
            }
        }

        #[test]
        fn spaced_canonical_number_gives_the_same_e164(
            e164 in prop::sample::select(example_numbers()),
            cuts in prop::collection::vec((any::<prop::sample::Index>(), prop::sample::select(vec![" ", "-", " - ", ".", "\u{a0}", "  "])), 0..6),
            region in any_region(),
        ) {
            let mut spaced = e164.clone();
            for (at, separator) in cuts {
                // Separators go between characters, never before the plus.
                let at = 1 + at.index(spaced.len());
                if spaced.is_char_boundary(at) {
                    spaced.insert_str(at, separator);
                }
            }
            prop_assert_eq!(
                normalize_phone(&spaced, region),
                Ok(Phone { e164, extension: None }),
                "{:?}", spaced
            );
        }

        #[test]
        fn national_format_read_in_its_region_gives_the_e164(
            e164 in prop::sample::select(example_numbers()),
        ) {
            let number = PHONE_NUMBER_UTIL.parse(&e164, None);
            prop_assert!(number.is_ok());
            if let Ok(number) = number {
                let region = number.get_region_code().map(|r| r.to_string()).unwrap_or_default();
                let national = number.format_as(PhoneNumberFormat::National);
                let phone = normalize_phone(&national, country(&region));
                prop_assert_eq!(phone.as_ref().map(|p| p.e164.as_str()), Ok(e164.as_str()), "{:?} in {}", national, region);
                if let Ok(phone) = phone {
                    assert_idempotent(&phone)?;
                }
            }
        }

        #[test]
        fn literal_reading_agrees_with_libphonenumber_near_example_numbers(
            e164 in prop::sample::select(example_numbers()),
            tail in "[0-9]{1,4}",
        ) {
            // Replace the last digits to land on other, often valid, numbers.
            let keep = e164.len().saturating_sub(tail.len()).max(2);
            let candidate = format!("{}{}", &e164[..keep], tail);
            if literal(&candidate[1..], PhoneValidation::Valid).is_some() {
                let library = PHONE_NUMBER_UTIL
                    .parse(&candidate, None)
                    .ok()
                    .filter(PhoneNumber::is_valid)
                    .map(|n| n.format_as(PhoneNumberFormat::E164).into_owned());
                prop_assert_eq!(library.as_ref(), Some(&candidate));
            }
        }
    }

    #[test]
    fn national_numbers_are_read_in_each_region_in_turn() {
        let us: Country = "US".parse().unwrap();
        let both = [Country::ES, us];
        let valid = PhoneValidation::Valid;
        let read = |raw: &str, regions: &[Country], v| normalize_phone_with(raw, regions, v);
        assert_eq!(
            read("612 34 56 78", &both, valid).unwrap().e164,
            "+34612345678"
        );
        assert_eq!(
            read("(212) 736-5000", &both, valid).unwrap().e164,
            "+12127365000"
        );
        assert_eq!(
            read("212.736.5000", &[us, Country::ES], valid)
                .unwrap()
                .e164,
            "+12127365000"
        );
        // Only the first region: the American number is too long for Spain.
        assert_eq!(
            read("(212) 736-5000", &[Country::ES], valid)
                .unwrap_err()
                .reason,
            RejectReason::TooLong
        );
        // Placeholders are not retried in another region.
        assert_eq!(
            read("anonymous", &both, valid).unwrap_err().reason,
            RejectReason::Withheld
        );
        assert_eq!(
            read("000000000", &both, valid).unwrap_err().reason,
            RejectReason::RepeatedCharacter
        );
    }

    #[test]
    fn possible_validation_accepts_unassigned_ranges_of_the_right_length() {
        let us: Country = "US".parse().unwrap();
        // Area code 258 is not assigned: invalid, but a possible length.
        let strict = normalize_phone_with("258-895-1654", &[us], PhoneValidation::Valid);
        assert_eq!(strict.unwrap_err().reason, RejectReason::InvalidForRegion);
        let lax = normalize_phone_with("258-895-1654", &[us], PhoneValidation::Possible).unwrap();
        assert_eq!(lax.e164, "+12588951654");
        // Idempotent in both modes.
        let again = normalize_phone_with(&lax.e164, &[], PhoneValidation::Possible).unwrap();
        assert_eq!(again, lax);
        // Lengths no number of the country has are still rejected.
        let short = normalize_phone_with("258-895-165", &[us], PhoneValidation::Possible);
        assert!(short.is_err());
    }
}
