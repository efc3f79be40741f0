//! Normalization of device ids and other opaque identifiers.
//!
//! [`normalize_device_id`] knows the shapes of mobile ids: UUID-like
//! advertising and vendor ids (IDFA, GAID, IDFV) become lower-case
//! hyphenated `8-4-4-4-12`, 16-hex-digit Android ids become lower case.
//! [`normalize_opaque_id`] treats a value as an opaque token (CRM ids, app user
//! ids, cookies, loyalty cards, custom ids): it only removes what cannot be
//! part of an id, and keeps case, because ids such as Salesforce's 15-character
//! ids and base64 cookies are case-sensitive.
//!
//! The helpers at the bottom (trimming, invisible characters, words that stand
//! for a missing value) are shared with the email and handle normalizers.

use std::borrow::Cow;

use super::{RejectReason, Rejection};

/// The longest opaque id accepted, in bytes: longer values are whole JSON
/// blobs or free text pasted into an id column, not ids.
pub const MAX_OPAQUE_ID_LEN: usize = 512;

/// The Android id that a batch of Android 2.2 devices all share: linking on it
/// would merge unrelated customers.
const SHARED_ANDROID_ID: &str = "9774d56d682e549c";

/// Normalizes a mobile device id.
///
/// - UUID-like ids (IDFA, GAID, IDFV; with or without hyphens, upper or lower
///   case, in `{braces}` or after `urn:uuid:`) become lower-case hyphenated
///   `8-4-4-4-12`.
/// - 16-hex-digit Android ids (`Settings.Secure.ANDROID_ID`) become lower case.
/// - Anything else is treated as by [`normalize_opaque_id`].
///
/// Rejected: the zeroed id that iOS and Android report when the user limits ad
/// tracking (`00000000-0000-0000-0000-000000000000`), any all-zero id, the
/// Android id `9774d56d682e549c` that many devices share, and the words that
/// stand for a missing value (`unknown`, `null`, `none`, `undefined`,
/// `(null)`, `n/a`, ...) as [`RejectReason::Placeholder`]; a UUID or Android id
/// made of one repeated hex digit as [`RejectReason::RepeatedCharacter`].
///
/// ```
/// use omnid::normalize::device::normalize_device_id;
///
/// let idfa = normalize_device_id(" 6D92078A-8246-4BA4-AE5B-76104861E7DC ")?;
/// assert_eq!(idfa, "6d92078a-8246-4ba4-ae5b-76104861e7dc");
/// assert_eq!(normalize_device_id("0F3A9C2B7D1E4A56")?, "0f3a9c2b7d1e4a56");
/// assert!(normalize_device_id("00000000-0000-0000-0000-000000000000").is_err());
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_device_id(raw: &str) -> Result<String, Rejection> {
    if is_canonical_uuid(raw) {
        return check_hex_id(raw.to_owned());
    }
    // Plain hex ids skip the opaque-id cleaning; quoted or spaced ones go through it.
    if let Some(id) = hex_id(trim_value(raw)) {
        return id;
    }
    let cleaned = clean_opaque(raw)?;
    match hex_id(&cleaned) {
        Some(id) => id,
        None => Ok(cleaned.into_owned()),
    }
}

/// Reads a UUID-like or Android id, if `s` is one.
fn hex_id(s: &str) -> Option<Result<String, Rejection>> {
    if let Some(id) = parse_uuid(strip_uuid_wrapping(s).as_bytes()) {
        return Some(check_hex_id(id));
    }
    if s.len() != 16 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let id = s.to_ascii_lowercase();
    Some(if id == SHARED_ANDROID_ID {
        Err(Rejection::new(RejectReason::Placeholder)
            .with_detail("9774d56d682e549c is an Android id shared by many devices"))
    } else {
        check_hex_id(id)
    })
}

/// Normalizes an opaque identifier: a CRM id, app user id, cookie, loyalty
/// card number or custom id.
///
/// Exactly this is done, in order:
/// 1. white space, control characters and invisible characters (zero-width
///    spaces and joiners, byte-order marks, soft hyphens) are trimmed from both
///    ends;
/// 2. wrapping quotes (`"…"`, `'…'`, `` `…` ``, `“…”`, `‘…’`, `«…»`) and the
///    spreadsheet text form `="…"` are removed, repeatedly;
/// 3. white space and invisible characters inside are removed (`1234 5678` and
///    `12345678` are one card);
/// 4. case and every other character are kept.
///
/// Rejected: nothing left, or only punctuation ([`RejectReason::Empty`]); the
/// words that stand for a missing value (`null`, `none`, `0`, `-`, `n/a`,
/// `sin dato`, `desconocido`, ...) and all-zero ids such as `000000`
/// ([`RejectReason::Placeholder`]); control characters inside
/// ([`RejectReason::Syntax`]); more than [`MAX_OPAQUE_ID_LEN`] bytes
/// ([`RejectReason::TooLong`]).
///
/// ```
/// use omnid::normalize::device::normalize_opaque_id;
///
/// assert_eq!(normalize_opaque_id(" \"0031X00000AbCdE\" ")?, "0031X00000AbCdE");
/// assert_eq!(normalize_opaque_id("4000 1234 5678")?, "400012345678");
/// assert!(normalize_opaque_id("sin dato").is_err());
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_opaque_id(raw: &str) -> Result<String, Rejection> {
    clean_opaque(raw).map(Cow::into_owned)
}

/// The opaque-id rules of [`normalize_opaque_id`], borrowing when nothing had
/// to be removed.
fn clean_opaque(raw: &str) -> Result<Cow<'_, str>, Rejection> {
    let s = unwrap_quotes(trim_value(raw));
    if is_missing_marker(s) {
        return Err(RejectReason::Placeholder.into());
    }
    let s: Cow<'_, str> = if has_space_or_invisible(s) {
        let joined: String = s
            .chars()
            .filter(|&c| !c.is_whitespace() && !is_invisible(c))
            .collect();
        // Joining can close a wrapping: `= "7"` becomes `="7"`.
        match unwrap_quotes(&joined) {
            inner if inner.len() == joined.len() => Cow::Owned(joined),
            inner => Cow::Owned(inner.to_owned()),
        }
    } else {
        Cow::Borrowed(s)
    };
    if !has_alphanumeric(&s) {
        return Err(RejectReason::Empty.into());
    }
    // Removing inner spaces can turn `n /a` into a marker.
    if is_missing_marker(&s) || is_all_zero(&s) {
        return Err(RejectReason::Placeholder.into());
    }
    let control = if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_control())
    } else {
        s.chars().any(char::is_control)
    };
    if control {
        return Err(Rejection::new(RejectReason::Syntax).with_detail("control characters in an id"));
    }
    if s.len() > MAX_OPAQUE_ID_LEN {
        return Err(Rejection::new(RejectReason::TooLong)
            .with_detail(format!("longer than {MAX_OPAQUE_ID_LEN} bytes")));
    }
    Ok(s)
}

/// Removes wrapping quote pairs and the spreadsheet `="…"` form until none is left.
fn unwrap_quotes(mut s: &str) -> &str {
    const PAIRS: [(char, char); 6] = [
        ('"', '"'),
        ('\'', '\''),
        ('`', '`'),
        ('“', '”'),
        ('‘', '’'),
        ('«', '»'),
    ];
    loop {
        // No quote or `=` starts with a letter or digit: most ids stop here.
        if s.as_bytes().first().is_none_or(u8::is_ascii_alphanumeric) {
            return s;
        }
        let before = s.len();
        if let Some(inner) = s.strip_prefix("=\"").and_then(|r| r.strip_suffix('"')) {
            s = trim_value(inner);
        }
        for (open, close) in PAIRS {
            if let Some(inner) = s.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
                s = trim_value(inner);
            }
        }
        if s.len() == before {
            return s;
        }
    }
}

fn is_all_zero(s: &str) -> bool {
    s.contains('0') && s.bytes().all(|b| b == b'0' || b == b'-')
}

/// Removes `{…}` and `urn:uuid:` around a UUID.
fn strip_uuid_wrapping(s: &str) -> &str {
    if let Some(inner) = s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
        return inner;
    }
    match s.get(..9) {
        Some(prefix) if prefix.eq_ignore_ascii_case("urn:uuid:") => s.get(9..).unwrap_or(s),
        _ => s,
    }
}

/// Whether `s` is already a lower-case hyphenated UUID (the fast path).
fn is_canonical_uuid(s: &str) -> bool {
    s.len() == 36
        && s.bytes().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_digit() || (b'a'..=b'f').contains(&c),
        })
}

/// Reads 32 hex digits, bare or hyphenated `8-4-4-4-12`, as a canonical UUID.
fn parse_uuid(b: &[u8]) -> Option<String> {
    let hyphenated = match b.len() {
        32 => false,
        36 if [8, 13, 18, 23].iter().all(|&i| b.get(i) == Some(&b'-')) => true,
        _ => return None,
    };
    let mut out = String::with_capacity(36);
    for (i, &c) in b.iter().enumerate() {
        if hyphenated && matches!(i, 8 | 13 | 18 | 23) {
            out.push('-');
            continue;
        }
        if !c.is_ascii_hexdigit() {
            return None;
        }
        if !hyphenated && matches!(i, 8 | 12 | 16 | 20) {
            out.push('-');
        }
        out.push(char::from(c.to_ascii_lowercase()));
    }
    Some(out)
}

/// Rejects hex ids that are all zeros or one repeated digit.
fn check_hex_id(id: String) -> Result<String, Rejection> {
    let mut digits = id.bytes().filter(|&b| b != b'-');
    let first = digits.next();
    if digits.all(|b| Some(b) == first) {
        return Err(if first == Some(b'0') {
            Rejection::new(RejectReason::Placeholder)
                .with_detail("an all-zero id means the user limited ad tracking")
        } else {
            RejectReason::RepeatedCharacter.into()
        });
    }
    Ok(id)
}

/// Characters that carry nothing and arrive with copy and paste: zero-width
/// spaces and joiners, the word joiner, byte-order marks, soft hyphens and
/// the Mongolian vowel separator.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' | '\u{180E}'
    )
}

/// Removes invisible characters anywhere in the value.
pub(crate) fn strip_invisible(raw: &str) -> Cow<'_, str> {
    if raw.is_ascii() {
        return Cow::Borrowed(raw);
    }
    // Every invisible character's UTF-8 form starts with one of these lead
    // bytes: a byte scan skips decoding values that have none.
    let Some(from) = raw
        .bytes()
        .position(|b| matches!(b, 0xC2 | 0xE1 | 0xE2 | 0xEF))
    else {
        return Cow::Borrowed(raw);
    };
    // The visible runs between invisible characters are copied whole, not
    // one `char` at a time.
    let mut out: Option<String> = None;
    let mut copied = 0;
    for (i, c) in raw.get(from..).unwrap_or_default().char_indices() {
        if is_invisible(c) {
            let at = from + i;
            let out = out.get_or_insert_with(|| String::with_capacity(raw.len()));
            out.push_str(raw.get(copied..at).unwrap_or_default());
            copied = at + c.len_utf8();
        }
    }
    match out {
        Some(mut out) => {
            out.push_str(raw.get(copied..).unwrap_or_default());
            Cow::Owned(out)
        }
        None => Cow::Borrowed(raw),
    }
}

fn has_space_or_invisible(s: &str) -> bool {
    if s.is_ascii() {
        // The ASCII characters of `char::is_whitespace`.
        s.bytes().any(|b| matches!(b, b' ' | b'\t'..=b'\r'))
    } else {
        s.chars().any(|c| c.is_whitespace() || is_invisible(c))
    }
}

/// Whether `s` has a letter or digit in any script.
pub(crate) fn has_alphanumeric(s: &str) -> bool {
    s.bytes().any(|b| b.is_ascii_alphanumeric())
        || (!s.is_ascii() && s.chars().any(char::is_alphanumeric))
}

/// Trims white space (including no-break spaces), control characters and
/// invisible characters from both ends.
pub(crate) fn trim_value(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        // Nothing to trim, the common case: no decoding.
        return s;
    }
    s.trim_matches(|c: char| c.is_whitespace() || c.is_control() || is_invisible(c))
}

/// Words and marks that stand for a missing value, lower case, sorted by bytes
/// for a binary search.
const MARKERS: &[&str] = &[
    "#",
    "#n/a",
    "(null)",
    "*",
    "-",
    "--",
    "---",
    "-1",
    ".",
    "..",
    "...",
    "0",
    "<null>",
    "?",
    "??",
    "???",
    "_",
    "blank",
    "desconocida",
    "desconocido",
    "empty",
    "missing",
    "n.a",
    "n.a.",
    "n.d.",
    "n/a",
    "n/d",
    "na",
    "nada",
    "nan",
    "nd",
    "nil",
    "ninguna",
    "ninguno",
    "no",
    "no aplica",
    "no consta",
    "no correo",
    "no disponible",
    "no email",
    "no informado",
    "no mail",
    "no tiene",
    "no tiene correo",
    "no tiene email",
    "none",
    "not available",
    "notiene",
    "null",
    "pendiente",
    "s.d.",
    "s/d",
    "sd",
    "sin correo",
    "sin dato",
    "sin datos",
    "sin email",
    "sin especificar",
    "sin informacion",
    "sin información",
    "sin mail",
    "sindato",
    "undefined",
    "unknown",
    "vacio",
    "vacío",
];

/// Whether `s` (already trimmed) is a word or mark that stands for a missing
/// value in English or Spanish data: `n/a`, `null`, `-`, `sin dato`,
/// `no tiene`, `desconocido`... Case and runs of white space do not matter.
pub(crate) fn is_missing_marker(s: &str) -> bool {
    // The longest marker, `sin información`, has 16 bytes.
    const CAP: usize = 16;
    // Most real values fail on their first byte, before any folding.
    // Runs of white space beyond this are not folded: no marker is that long.
    if s.len() > 4 * CAP {
        return false;
    }
    let first = s.as_bytes().first().map(u8::to_ascii_lowercase);
    // Ids often start with `0`; the only marker that does is `0` itself.
    if first == Some(b'0') {
        return s == "0";
    }
    if !matches!(
        first,
        Some(
            b'-' | b'.'
                | b'_'
                | b'?'
                | b'*'
                | b'#'
                | b'0'
                | b'('
                | b'<'
                | b'b'
                | b'd'
                | b'e'
                | b'm'
                | b'n'
                | b'p'
                | b's'
                | b'u'
                | b'v'
        )
    ) {
        return false;
    }
    let mut buf = [0u8; CAP];
    let mut len = 0;
    let mut push = |b: u8| match buf.get_mut(len) {
        Some(slot) => {
            *slot = b;
            len += 1;
            true
        }
        None => false,
    };
    let mut pending_space = false;
    for c in s.chars() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        if pending_space && !push(b' ') {
            return false;
        }
        pending_space = false;
        if c.is_ascii() {
            if !push((c as u8).to_ascii_lowercase()) {
                return false;
            }
            continue;
        }
        for lower in c.to_lowercase() {
            let mut utf8 = [0u8; 4];
            for &b in lower.encode_utf8(&mut utf8).as_bytes() {
                if !push(b) {
                    return false;
                }
            }
        }
    }
    let folded = buf.get(..len).unwrap_or_default();
    MARKERS
        .binary_search_by(|m| m.as_bytes().cmp(folded))
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn reason<T: std::fmt::Debug>(r: Result<T, Rejection>) -> RejectReason {
        r.expect_err("should be rejected").reason
    }

    #[test]
    fn device_ids_from_the_field() {
        let cases: &[(&str, &str)] = &[
            // IDFA as iOS prints it.
            (
                "6D92078A-8246-4BA4-AE5B-76104861E7DC",
                "6d92078a-8246-4ba4-ae5b-76104861e7dc",
            ),
            // GAID, already canonical.
            (
                "38400000-8cf0-11bd-b23e-10b96e40000d",
                "38400000-8cf0-11bd-b23e-10b96e40000d",
            ),
            // Hyphens lost in an export.
            (
                "384000008CF011BDB23E10B96E40000D",
                "38400000-8cf0-11bd-b23e-10b96e40000d",
            ),
            // IDFV with padding and a trailing tab.
            (
                "  e621e1f8-c36c-495a-93fc-0c247a3e6e5f\t",
                "e621e1f8-c36c-495a-93fc-0c247a3e6e5f",
            ),
            // Windows GUID braces.
            (
                "{E621E1F8-C36C-495A-93FC-0C247A3E6E5F}",
                "e621e1f8-c36c-495a-93fc-0c247a3e6e5f",
            ),
            (
                "urn:uuid:e621e1f8-c36c-495a-93fc-0c247a3e6e5f",
                "e621e1f8-c36c-495a-93fc-0c247a3e6e5f",
            ),
            // Quoted in a CSV cell.
            (
                "\"6d92078a-8246-4ba4-ae5b-76104861e7dc\"",
                "6d92078a-8246-4ba4-ae5b-76104861e7dc",
            ),
            // Zero-width space pasted from a chat.
            (
                "\u{200B}6d92078a-8246-4ba4-ae5b-76104861e7dc",
                "6d92078a-8246-4ba4-ae5b-76104861e7dc",
            ),
            // Android id.
            ("0F3A9C2B7D1E4A56", "0f3a9c2b7d1e4a56"),
            ("0f3a9c2b7d1e4a56", "0f3a9c2b7d1e4a56"),
            ("\u{a0}af45e2c3b1d09e87\u{a0}", "af45e2c3b1d09e87"),
            // Opaque ids keep their case.
            (
                "AppsFlyer-1699999999999-1234567",
                "AppsFlyer-1699999999999-1234567",
            ),
            ("fcm:dQw4w9WgXcQ:APA91bH", "fcm:dQw4w9WgXcQ:APA91bH"),
            // Hyphens in the wrong places: not a UUID, kept as written.
            (
                "6D92078A8246-4BA4-AE5B-76104861E7DC",
                "6D92078A8246-4BA4-AE5B-76104861E7DC",
            ),
            // 15 hex digits: not an Android id.
            ("0F3A9C2B7D1E4A5", "0F3A9C2B7D1E4A5"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_device_id(raw).as_deref(), Ok(*want), "{raw:?}");
        }
    }

    #[test]
    fn device_placeholders_are_rejected() {
        let cases: &[(&str, RejectReason)] = &[
            ("", RejectReason::Empty),
            ("   ", RejectReason::Empty),
            ("\u{200B}", RejectReason::Empty),
            (
                "00000000-0000-0000-0000-000000000000",
                RejectReason::Placeholder,
            ),
            (
                "00000000000000000000000000000000",
                RejectReason::Placeholder,
            ),
            ("0000000000000000", RejectReason::Placeholder),
            ("0", RejectReason::Placeholder),
            ("unknown", RejectReason::Placeholder),
            ("UNKNOWN", RejectReason::Placeholder),
            ("null", RejectReason::Placeholder),
            ("NULL", RejectReason::Placeholder),
            ("none", RejectReason::Placeholder),
            ("undefined", RejectReason::Placeholder),
            ("(null)", RejectReason::Placeholder),
            ("n/a", RejectReason::Placeholder),
            ("N/A", RejectReason::Placeholder),
            ("'null'", RejectReason::Placeholder),
            ("9774d56d682e549c", RejectReason::Placeholder),
            ("9774D56D682E549C", RejectReason::Placeholder),
            (
                "ffffffff-ffff-ffff-ffff-ffffffffffff",
                RejectReason::RepeatedCharacter,
            ),
            ("1111111111111111", RejectReason::RepeatedCharacter),
            ("---", RejectReason::Placeholder),
            ("\"\"", RejectReason::Empty),
        ];
        for (raw, want) in cases {
            assert_eq!(reason(normalize_device_id(raw)), *want, "{raw:?}");
        }
    }

    #[test]
    fn opaque_ids_from_crm_exports() {
        let cases: &[(&str, &str)] = &[
            ("0031X00000AbCdE", "0031X00000AbCdE"),
            (" 0031X00000AbCdE ", "0031X00000AbCdE"),
            ("\"0031X00000AbCdE\"", "0031X00000AbCdE"),
            ("'CLI-000123'", "CLI-000123"),
            ("=\"000123\"", "000123"),
            ("= \"7\"", "7"),
            ("“SOCIO-88”", "SOCIO-88"),
            ("«88»", "88"),
            ("4000 1234 5678 9010", "4000123456789010"),
            ("4000\u{a0}1234\u{a0}5678", "400012345678"),
            ("ab\u{200B}cd", "abcd"),
            ("GA1.2.1234567890.1699999999", "GA1.2.1234567890.1699999999"),
            ("_ga=GA1.1.99", "_ga=GA1.1.99"),
            ("user_42", "user_42"),
            ("42", "42"),
            ("007", "007"),
            ("Ñandú-1", "Ñandú-1"),
            ("\" 'x-1' \"", "x-1"),
            ("a\"b", "a\"b"),
            ("\"abc", "\"abc"),
            ("nulo", "nulo"),
            ("non", "non"),
        ];
        for (raw, want) in cases {
            assert_eq!(normalize_opaque_id(raw).as_deref(), Ok(*want), "{raw:?}");
        }
    }

    #[test]
    fn opaque_placeholders_and_garbage_are_rejected() {
        let long = "a".repeat(MAX_OPAQUE_ID_LEN + 1);
        let cases: &[(&str, RejectReason)] = &[
            ("", RejectReason::Empty),
            ("  \t ", RejectReason::Empty),
            ("\"\"", RejectReason::Empty),
            ("=\"\"", RejectReason::Empty),
            ("+++", RejectReason::Empty),
            ("null", RejectReason::Placeholder),
            ("None", RejectReason::Placeholder),
            ("0", RejectReason::Placeholder),
            ("000000", RejectReason::Placeholder),
            ("0000-0000", RejectReason::Placeholder),
            ("-", RejectReason::Placeholder),
            ("-1", RejectReason::Placeholder),
            ("n/a", RejectReason::Placeholder),
            ("n /a", RejectReason::Placeholder),
            ("#N/A", RejectReason::Placeholder),
            ("sin dato", RejectReason::Placeholder),
            ("Sin   Dato", RejectReason::Placeholder),
            ("SIN INFORMACIÓN", RejectReason::Placeholder),
            ("no tiene", RejectReason::Placeholder),
            ("desconocido", RejectReason::Placeholder),
            ("'N/A'", RejectReason::Placeholder),
            ("a\u{7}b", RejectReason::Syntax),
            (&long, RejectReason::TooLong),
        ];
        for (raw, want) in cases {
            assert_eq!(reason(normalize_opaque_id(raw)), *want, "{raw:?}");
        }
    }

    #[test]
    fn markers_are_sorted_for_binary_search() {
        assert!(
            MARKERS
                .windows(2)
                .all(|w| w[0].as_bytes() < w[1].as_bytes())
        );
    }

    #[test]
    fn every_marker_is_recognized_in_any_case() {
        for m in MARKERS {
            assert!(is_missing_marker(m), "{m}");
            assert!(is_missing_marker(&m.to_uppercase()), "{m}");
            assert!(is_missing_marker(&m.replace(' ', "  \t")), "{m}");
        }
    }

    #[test]
    fn markers_fold_case_and_spaces_only() {
        assert!(is_missing_marker("No  Tiene"));
        assert!(is_missing_marker("VACÍO"));
        assert!(!is_missing_marker("notienes"));
        assert!(!is_missing_marker(
            "a very long value that cannot be a marker"
        ));
    }

    proptest! {
        #[test]
        fn device_never_panics(s in ".*") {
            let _ = normalize_device_id(&s);
        }

        #[test]
        fn device_never_panics_any(s in any::<String>()) {
            let _ = normalize_device_id(&s);
        }

        #[test]
        fn device_is_idempotent(s in ".*") {
            if let Ok(id) = normalize_device_id(&s) {
                prop_assert_eq!(normalize_device_id(&id), Ok(id.clone()));
            }
        }

        #[test]
        fn device_uuids_are_canonical(hex in "[0-9a-fA-F]{32}", hyphens: bool) {
            let raw = if hyphens {
                format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..])
            } else {
                hex.clone()
            };
            if let Ok(id) = normalize_device_id(&raw) {
                prop_assert_eq!(id.len(), 36);
                prop_assert_eq!(id.replace('-', ""), hex.to_ascii_lowercase());
            }
        }

        #[test]
        fn opaque_never_panics(s in any::<String>()) {
            let _ = normalize_opaque_id(&s);
        }

        #[test]
        fn opaque_is_idempotent(s in ".*") {
            if let Ok(id) = normalize_opaque_id(&s) {
                prop_assert_eq!(normalize_opaque_id(&id), Ok(id.clone()));
            }
        }

        #[test]
        fn opaque_is_idempotent_on_quoted_ids(s in "[ \"'`=a0\u{200B}\u{7}-]{0,8}") {
            if let Ok(id) = normalize_opaque_id(&s) {
                prop_assert_eq!(normalize_opaque_id(&id), Ok(id.clone()));
            }
        }

        #[test]
        fn strip_and_trim_match_their_plain_definitions(
            s in "[ a-z.\u{AD}\u{A0}\u{180E}\u{200B}-\u{200F}\u{2060}\u{FEFF}\u{E1}\u{E2}\t\u{1}]{0,12}"
        ) {
            let stripped: String = s.chars().filter(|&c| !is_invisible(c)).collect();
            prop_assert_eq!(strip_invisible(&s), stripped);
            let trimmed =
                s.trim_matches(|c: char| c.is_whitespace() || c.is_control() || is_invisible(c));
            prop_assert_eq!(trim_value(&s), trimmed);
        }
    }
}
