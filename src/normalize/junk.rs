//! Junk values: the stand-ins people type to get past a mandatory field
//! (`0000000000`, `123456789`, `qwerty@gmail.com`, `null`).
//!
//! A [`JunkFilter`] runs after a kind's own normalizer, on the canonical
//! value, whatever its kind. It knows three shapes and checks only the part
//! of a value that a person typed:
//!
//! - an E.164 phone (`+34612345678`): the national digits after the country
//!   code, so `+34111111111` is junk but the country code never makes a real
//!   number look like a run;
//! - an email (`qwerty@gmail.com`): the local part, before the last `@`; the
//!   domain is left to the email normalizer;
//! - anything else (handles, national ids, device ids, CRM ids): the whole
//!   value.
//!
//! Each rule looks at the letters and digits of that part only, so
//! separators do not hide junk (`11-11-11`, `123.456.789`), and a rule fires
//! only when the *whole* part is junk: `+34612345678` contains `12345678` but
//! passes. Short values pass (`abc`, `111`), so every rule has a minimum
//! length.
//!
//! Kinds whose values are legitimately small sequential numbers (CRM ids,
//! loyalty cards) can look like junk (`123456`, `11111`): a dispatcher may
//! want looser [`JunkRules`] for them.

use rustc_hash::FxHashSet;
use serde::{Deserialize, Serialize};

use super::{RejectReason, Rejection};

/// The junk rules applied to every identifier after its kind's own normalizer.
///
/// The default is a deny list of common stand-ins (`null`, `undefined`,
/// `n/a`, `unknown`, `test`, `-1`...), one character repeated 4 or more
/// times, ascending or descending runs of 6 or more, and keyboard runs of 4
/// or more keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JunkRules {
    /// Values rejected outright, compared with the value case-insensitively
    /// after trimming both (`"NULL "` matches `null`). The whole value must
    /// match: `test` does not reject `test@example.com`.
    pub deny_list: Vec<String>,
    /// Minimum number of letters and digits for a run (`123456`, `fedcba`,
    /// `7890123`) to count as junk; 0 turns the rule off.
    pub min_sequence_len: usize,
    /// Minimum number of letters and digits for one repeated character
    /// (`0000`, `aaaa`, `11-11-11`) to count as junk; 0 turns the rule off.
    pub min_repeat_len: usize,
    /// Whether runs of keys on a keyboard (`qwerty`, `asdf`, `1qaz2wsx`) are junk.
    pub keyboard_runs: bool,
    /// Minimum number of keys for a keyboard run to count as junk.
    pub min_keyboard_len: usize,
}

/// Stand-ins that broken exports and hurried agents write in any field.
const DEFAULT_DENY_LIST: &[&str] = &[
    "null",
    "nil",
    "none",
    "nan",
    "undefined",
    "n/a",
    "na",
    "n.a.",
    "unknown",
    "desconocido",
    "sin dato",
    "sin datos",
    "no tiene",
    "no aplica",
    "ninguno",
    "test",
    "prueba",
    "-",
    "0",
    "-1",
];

impl Default for JunkRules {
    fn default() -> Self {
        JunkRules {
            deny_list: DEFAULT_DENY_LIST.iter().map(|s| (*s).to_string()).collect(),
            min_sequence_len: 6,
            min_repeat_len: 4,
            keyboard_runs: true,
            min_keyboard_len: 4,
        }
    }
}

/// A ready-to-use junk check, built once from [`JunkRules`].
///
/// ```
/// use omnid::normalize::junk::{JunkFilter, JunkRules};
/// use omnid::RejectReason;
///
/// let filter = JunkFilter::new(&JunkRules::default());
/// assert!(filter.check("+34612345678").is_ok());
/// assert_eq!(filter.check("+34111111111").unwrap_err().reason, RejectReason::RepeatedCharacter);
/// assert_eq!(filter.check("qwerty@gmail.com").unwrap_err().reason, RejectReason::KeyboardRun);
/// assert_eq!(filter.check("NULL").unwrap_err().reason, RejectReason::DenyListed);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct JunkFilter {
    /// Trimmed, lower-cased entries.
    deny: FxHashSet<Box<str>>,
    /// Byte length of the longest entry: longer values skip the lookup.
    max_deny_len: usize,
    min_sequence_len: usize,
    min_repeat_len: usize,
    /// 0 when keyboard runs are off.
    min_keyboard_len: usize,
}

/// Values up to this many bytes are lower-cased on the stack for the deny-list lookup.
const STACK_LOWER: usize = 64;

impl JunkFilter {
    /// Builds the filter; empty deny-list entries are ignored.
    pub fn new(rules: &JunkRules) -> Self {
        let deny: FxHashSet<Box<str>> = rules
            .deny_list
            .iter()
            .map(|e| e.trim().to_lowercase().into_boxed_str())
            .filter(|e| !e.is_empty())
            .collect();
        let max_deny_len = deny.iter().map(|e| e.len()).max().unwrap_or(0);
        JunkFilter {
            deny,
            max_deny_len,
            min_sequence_len: rules.min_sequence_len,
            min_repeat_len: rules.min_repeat_len,
            min_keyboard_len: if rules.keyboard_runs {
                rules.min_keyboard_len
            } else {
                0
            },
        }
    }

    /// Accepts a normalized value, or says which junk rule it breaks.
    ///
    /// The deny list is checked first, then repeated characters, sequences
    /// and keyboard runs, on the part of the value described in the
    /// [module documentation](self).
    pub fn check(&self, value: &str) -> Result<(), Rejection> {
        let value = value.trim();
        if self.is_deny_listed(value) {
            return Err(Rejection::new(RejectReason::DenyListed));
        }
        let part = typed_part(value);
        if self.min_repeat_len > 0 && is_repeated_char(part, self.min_repeat_len) {
            return Err(Rejection::new(RejectReason::RepeatedCharacter));
        }
        if self.min_sequence_len > 0 && is_sequence(part, self.min_sequence_len) {
            return Err(Rejection::new(RejectReason::Sequence));
        }
        if self.min_keyboard_len > 0 && is_keyboard_run(part, self.min_keyboard_len) {
            return Err(Rejection::new(RejectReason::KeyboardRun));
        }
        Ok(())
    }

    fn is_deny_listed(&self, value: &str) -> bool {
        if self.deny.is_empty() {
            return false;
        }
        if value.is_ascii() {
            if value.len() > self.max_deny_len {
                return false;
            }
            if !value.bytes().any(|b| b.is_ascii_uppercase()) {
                return self.deny.contains(value);
            }
            // Lower-casing on the stack saves an allocation per checked value.
            let mut buf = [0u8; STACK_LOWER];
            if let Some(dst) = buf.get_mut(..value.len()) {
                for (d, s) in dst.iter_mut().zip(value.bytes()) {
                    *d = s.to_ascii_lowercase();
                }
                return std::str::from_utf8(dst).is_ok_and(|lower| self.deny.contains(lower));
            }
        }
        // Unicode lower-casing can change the byte length, so no length bound here.
        self.deny.contains(value.to_lowercase().as_str())
    }
}

impl Default for JunkFilter {
    /// The filter for [`JunkRules::default`].
    fn default() -> Self {
        JunkFilter::new(&JunkRules::default())
    }
}

/// The part of a normalized value that a person typed: the national digits
/// of an E.164 number, the local part of an email, or the whole value.
fn typed_part(value: &str) -> &str {
    if let Some(digits) = value.strip_prefix('+')
        && !digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
    {
        return digits
            .get(country_code_len(digits.as_bytes())..)
            .filter(|national| !national.is_empty())
            .unwrap_or(digits);
    }
    match value.rsplit_once('@') {
        Some((local, _)) if !local.is_empty() => local,
        _ => value,
    }
}

/// Length of the ITU country code at the start of E.164 digits: codes form
/// a prefix-free set, so the first two digits decide.
fn country_code_len(digits: &[u8]) -> usize {
    match digits {
        [b'1' | b'7', ..] => 1,
        [b'2', b'0' | b'7', ..]
        | [b'3', b'0'..=b'4' | b'6' | b'9', ..]
        | [b'4', b'0' | b'1' | b'3'..=b'9', ..]
        | [b'5', b'1'..=b'8', ..]
        | [b'6', b'0'..=b'6', ..]
        | [b'8', b'1' | b'2' | b'4' | b'6', ..]
        | [b'9', b'0'..=b'5' | b'8', ..] => 2,
        _ => 3,
    }
}

/// True when the letters and digits of `s` are one character repeated, at
/// least `min_len` times (and at least twice): `0000000`, `aaaa`,
/// `11-11-11`. Separators are ignored; ASCII letters compare case-insensitively.
///
/// ```
/// use omnid::normalize::junk::is_repeated_char;
///
/// assert!(is_repeated_char("11-11-11", 4));
/// assert!(!is_repeated_char("112", 3));
/// assert!(!is_repeated_char("aaa", 4));
/// ```
pub fn is_repeated_char(s: &str, min_len: usize) -> bool {
    let mut chars = s
        .chars()
        .filter(|c| c.is_alphanumeric())
        .map(|c| c.to_ascii_lowercase());
    let Some(first) = chars.next() else {
        return false;
    };
    let mut n = 1;
    for c in chars {
        if c != first {
            return false;
        }
        n += 1;
    }
    n >= min_len.max(2)
}

/// True when the letters and digits of `s` are an ascending or descending
/// run of at least `min_len` characters (and at least 3): `123456789`,
/// `987654321`, `abcdef`, `0123456789`. Digits wrap around (`7890123`,
/// `1234567890`), letters do not. Separators are ignored; letters and
/// digits are not mixed; ASCII only.
///
/// ```
/// use omnid::normalize::junk::is_sequence;
///
/// assert!(is_sequence("123-456-789", 6));
/// assert!(is_sequence("1234567890", 6));
/// assert!(!is_sequence("612345678", 6));
/// ```
pub fn is_sequence(s: &str, min_len: usize) -> bool {
    let mut prev: Option<u8> = None;
    let mut step: Option<i8> = None;
    let mut n = 0usize;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            continue;
        }
        if !c.is_ascii() {
            return false;
        }
        let b = (c as u8).to_ascii_lowercase();
        if let Some(p) = prev {
            let this_step = if p.is_ascii_digit() && b.is_ascii_digit() {
                match (b + 10 - p) % 10 {
                    1 => 1,
                    9 => -1,
                    _ => return false,
                }
            } else if p.is_ascii_lowercase() && b.is_ascii_lowercase() {
                match i16::from(b) - i16::from(p) {
                    1 => 1,
                    -1 => -1,
                    _ => return false,
                }
            } else {
                return false;
            };
            match step {
                None => step = Some(this_step),
                Some(s) if s == this_step => {}
                Some(_) => return false,
            }
        }
        prev = Some(b);
        n += 1;
    }
    n >= min_len.max(3)
}

/// Rows of a QWERTY keyboard (also read backwards) and its diagonal
/// columns (read forwards only, the way `1qaz2wsx` is typed).
const KEYBOARD_ROWS: &[&[u8]] = &[b"qwertyuiop", b"asdfghjkl", b"zxcvbnm"];
const KEYBOARD_COLUMNS: &[u8] = b"1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p";

/// True when the letters and digits of `s` are at least `min_len`
/// consecutive keys (and at least 3) of one QWERTY row, forwards or
/// backwards (`qwerty`, `asdfgh`, `zxcvbn`, `qwertyuiop`, `lkjh`), or of the
/// diagonal columns (`1qaz2wsx`). Runs of digits alone are left to
/// [`is_sequence`], so `3456` is not a keyboard run. Case-insensitive,
/// separators ignored, ASCII only.
///
/// ```
/// use omnid::normalize::junk::is_keyboard_run;
///
/// assert!(is_keyboard_run("QWERTY", 4));
/// assert!(is_keyboard_run("1qaz2wsx", 4));
/// assert!(!is_keyboard_run("qwe", 4));
/// assert!(!is_keyboard_run("query", 4));
/// ```
pub fn is_keyboard_run(s: &str, min_len: usize) -> bool {
    // Each key appears once per pattern, so the first key fixes at most three
    // candidate runs (its row forwards and backwards, the columns); each
    // later key either continues a candidate or ends it. Most values fail on
    // their second key.
    let mut candidates: [Option<KeyRun>; 3] = [None; 3];
    let mut n = 0usize;
    let mut has_letter = false;
    for c in s.chars() {
        if !c.is_alphanumeric() {
            continue;
        }
        if !c.is_ascii() {
            return false;
        }
        let key = (c as u8).to_ascii_lowercase();
        has_letter |= key.is_ascii_lowercase();
        if n == 0 {
            candidates = KeyRun::starting_at(key);
        } else {
            for slot in &mut candidates {
                *slot = slot.and_then(|run| run.next(key));
            }
        }
        if candidates.iter().all(Option::is_none) {
            return false;
        }
        n += 1;
    }
    has_letter && n >= min_len.max(3)
}

/// A run being followed along one keyboard pattern.
#[derive(Clone, Copy)]
struct KeyRun {
    pattern: &'static [u8],
    at: usize,
    forwards: bool,
}

impl KeyRun {
    fn starting_at(key: u8) -> [Option<KeyRun>; 3] {
        let row = KEYBOARD_ROWS
            .iter()
            .find_map(|row| Some((*row, row.iter().position(|&k| k == key)?)));
        let column = KEYBOARD_COLUMNS.iter().position(|&k| k == key);
        [
            row.map(|(pattern, at)| KeyRun {
                pattern,
                at,
                forwards: true,
            }),
            row.map(|(pattern, at)| KeyRun {
                pattern,
                at,
                forwards: false,
            }),
            column.map(|at| KeyRun {
                pattern: KEYBOARD_COLUMNS,
                at,
                forwards: true,
            }),
        ]
    }

    fn next(self, key: u8) -> Option<KeyRun> {
        let at = if self.forwards {
            self.at + 1
        } else {
            self.at.checked_sub(1)?
        };
        (self.pattern.get(at) == Some(&key)).then_some(KeyRun { at, ..self })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reason(filter: &JunkFilter, value: &str) -> Option<RejectReason> {
        filter.check(value).err().map(|r| r.reason)
    }

    #[test]
    fn real_values_of_every_kind_pass() {
        let filter = JunkFilter::default();
        for value in [
            "+34612345678",
            "+34911234567",
            "+5491123456789",
            "+525512345678",
            "+573001234567",
            "+14155552671",
            "+447911123456",
            "ana.garcia@gmail.com",
            "j.perez@empresa.com.ar",
            "a@b.co",
            "abc",
            "abcd",
            "ana_g",
            "1000234",
            "12345",
            "111",
            "C-000123",
            "550e8400-e29b-41d4-a716-446655440000",
            "48213567R",
            "20257134823",
            "BOXW310820HNERXN09",
            "GODE561231GR8",
            "query",
            "were",
            "reza",
            "polo",
            "Zoë",
            "测试用户",
            "",
            "   ",
        ] {
            assert_eq!(filter.check(value), Ok(()), "{value:?} was rejected");
        }
    }

    #[test]
    fn junk_is_rejected_with_its_reason() {
        use RejectReason::*;
        let filter = JunkFilter::default();
        for (value, expected) in [
            ("+34111111111", RepeatedCharacter),
            ("+15555555555", RepeatedCharacter),
            ("+34123456789", Sequence),
            ("+34987654321", Sequence),
            ("+541111111111", RepeatedCharacter),
            ("0000000000", RepeatedCharacter),
            ("00000000-0000-0000-0000-000000000000", RepeatedCharacter),
            ("FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF", RepeatedCharacter),
            ("aaaa", RepeatedCharacter),
            ("11-11-11", RepeatedCharacter),
            ("xxxxx@gmail.com", RepeatedCharacter),
            ("123456789", Sequence),
            ("987654321", Sequence),
            ("0123456789", Sequence),
            ("1234567890", Sequence),
            ("7890123", Sequence),
            ("abcdef", Sequence),
            ("ZYXWVU", Sequence),
            ("123456@hotmail.com", Sequence),
            ("qwerty", KeyboardRun),
            ("qwerty@gmail.com", KeyboardRun),
            ("asdf@asdf.com", KeyboardRun),
            ("asdfgh", KeyboardRun),
            ("zxcvbn", KeyboardRun),
            ("QWERTYUIOP", KeyboardRun),
            ("poiuy", KeyboardRun),
            ("1qaz2wsx", KeyboardRun),
            ("null", DenyListed),
            (" NULL ", DenyListed),
            ("undefined", DenyListed),
            ("N/A", DenyListed),
            ("Desconocido", DenyListed),
            ("-1", DenyListed),
        ] {
            assert_eq!(reason(&filter, value), Some(expected), "{value:?}");
        }
    }

    #[test]
    fn rules_can_be_turned_off_and_tuned() {
        let rules = JunkRules {
            deny_list: vec!["  Cliente Mostrador ".into(), String::new()],
            min_sequence_len: 0,
            min_repeat_len: 8,
            keyboard_runs: false,
            min_keyboard_len: 4,
        };
        let filter = JunkFilter::new(&rules);
        assert_eq!(filter.check("123456789"), Ok(()));
        assert_eq!(filter.check("qwerty"), Ok(()));
        assert_eq!(filter.check("1111111"), Ok(()));
        assert_eq!(filter.check("null"), Ok(()));
        assert_eq!(filter.check(""), Ok(()));
        assert_eq!(
            reason(&filter, "11111111"),
            Some(RejectReason::RepeatedCharacter)
        );
        assert_eq!(
            reason(&filter, "CLIENTE MOSTRADOR"),
            Some(RejectReason::DenyListed)
        );
    }

    #[test]
    fn deny_list_folds_unicode_case() {
        let rules = JunkRules {
            deny_list: vec!["DESCONOCIDO/Ñ".into(), "ÇA".into()],
            ..JunkRules::default()
        };
        let filter = JunkFilter::new(&rules);
        assert_eq!(
            reason(&filter, "desconocido/ñ"),
            Some(RejectReason::DenyListed)
        );
        assert_eq!(reason(&filter, "ça"), Some(RejectReason::DenyListed));
        assert_eq!(filter.check("ca"), Ok(()));
    }

    #[test]
    fn rules_from_toml_like_json_fill_defaults() {
        let rules: JunkRules = serde_json::from_str(r#"{"min_repeat_len": 6}"#).unwrap();
        assert_eq!(rules.min_repeat_len, 6);
        assert_eq!(
            rules.min_sequence_len,
            JunkRules::default().min_sequence_len
        );
        assert!(rules.deny_list.iter().any(|e| e == "null"));
        assert!(serde_json::from_str::<JunkRules>(r#"{"min_repeat": 6}"#).is_err());
    }

    #[test]
    fn country_codes_split_where_the_itu_plan_says() {
        for (digits, len) in [
            ("1415", 1),
            ("7495", 1),
            ("34612", 2),
            ("5411", 2),
            ("5255", 2),
            ("5730", 2),
            ("4420", 2),
            ("8613", 2),
            ("35312", 3),
            ("59891", 3),
            ("97150", 3),
            ("2125", 3),
        ] {
            assert_eq!(country_code_len(digits.as_bytes()), len, "{digits}");
        }
    }

    #[test]
    fn rule_functions_match_their_examples() {
        assert!(is_repeated_char("0000000", 4));
        assert!(is_repeated_char("AaAa", 4));
        assert!(!is_repeated_char("a", 0));
        assert!(!is_repeated_char("--", 0));
        assert!(is_sequence("fedcba", 6));
        assert!(is_sequence("9876543210", 6));
        assert!(!is_sequence("abc123", 3));
        assert!(!is_sequence("yzab", 3));
        assert!(!is_sequence("1357", 3));
        assert!(!is_sequence("12321", 3));
        assert!(!is_sequence("ab", 0));
        assert!(is_keyboard_run("lkjh", 4));
        assert!(is_keyboard_run("zxcvbnm", 4));
        assert!(!is_keyboard_run("3456", 3));
        assert!(!is_keyboard_run("2wsx1qaz", 4));
        assert!(!is_keyboard_run(
            "qwertyuiopasdfghjklzxcvbnm1qaz2wsx3edc",
            4
        ));
    }

    fn reference_keyboard_run(s: &str, min_len: usize) -> bool {
        let run: String = s
            .chars()
            .filter(|c| c.is_alphanumeric())
            .collect::<String>()
            .to_lowercase();
        if !run.is_ascii()
            || run.len() < min_len.max(3)
            || !run.chars().any(|c| c.is_ascii_alphabetic())
        {
            return false;
        }
        let mut patterns: Vec<String> = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
            .iter()
            .flat_map(|r| [r.to_string(), r.chars().rev().collect()])
            .collect();
        patterns.push("1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p".into());
        patterns.iter().any(|p| p.contains(&run))
    }

    proptest! {
        #[test]
        fn check_never_panics(s in ".*") {
            let _ = JunkFilter::default().check(&s);
        }

        #[test]
        fn check_never_panics_on_any_string(s in any::<String>(), n in 0usize..12) {
            let _ = JunkFilter::default().check(&s);
            let _ = is_repeated_char(&s, n);
            let _ = is_sequence(&s, n);
            let _ = is_keyboard_run(&s, n);
        }

        #[test]
        fn one_digit_repeated_is_always_junk(d in 0u8..10, n in 4usize..20) {
            let s: String = std::iter::repeat_n(char::from(b'0' + d), n).collect();
            prop_assert_eq!(reason(&JunkFilter::default(), &s), Some(RejectReason::RepeatedCharacter));
        }

        #[test]
        fn every_ascending_digit_run_is_a_sequence(start in 0u8..10, n in 6usize..15) {
            let s: String = (0..n).map(|i| char::from(b'0' + (start + i as u8) % 10)).collect();
            prop_assert!(is_sequence(&s, 6));
            let back: String = s.chars().rev().collect();
            prop_assert!(is_sequence(&back, 6));
        }

        #[test]
        fn keyboard_run_agrees_with_a_plain_substring_search(s in "[qwertyuiopasdfghjklzxcvbnm1-9]{0,8}", n in 0usize..6) {
            prop_assert_eq!(is_keyboard_run(&s, n), reference_keyboard_run(&s, n));
        }

        #[test]
        fn keyboard_run_agrees_on_slices_of_the_patterns(
            pattern in 0usize..4,
            start in 0usize..36,
            len in 0usize..12,
            reversed in any::<bool>(),
            typo in proptest::option::of((0usize..12, "[a-z0-9]")),
        ) {
            let patterns = ["qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p"];
            let p = patterns[pattern];
            let start = start.min(p.len());
            let mut run: Vec<char> = p[start..(start + len).min(p.len())].chars().collect();
            if reversed {
                run.reverse();
            }
            if let Some((i, c)) = typo && i < run.len() {
                run[i] = c.chars().next().unwrap();
            }
            let run: String = run.into_iter().collect();
            prop_assert_eq!(is_keyboard_run(&run, 3), reference_keyboard_run(&run, 3), "{}", run);
        }

        #[test]
        fn real_mobile_numbers_pass_unless_junk(national in "[67][0-9]{8}") {
            let value = format!("+34{national}");
            let junk = is_repeated_char(&national, 4) || is_sequence(&national, 6);
            prop_assert_eq!(JunkFilter::default().check(&value).is_ok(), !junk);
        }
    }
}
