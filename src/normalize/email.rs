//! Normalization of email addresses.
//!
//! An address is read out of whatever surrounds it (white space, invisible
//! characters, `<…>`, `mailto:`, a display name such as `Ana García
//! <ana@x.com>`, quotes, a trailing `.` or `;`), checked by our own rules, and
//! given three forms (see [`Email`]): as written, canonical, and a matching key
//! with provider rules applied ([`EmailRules`]).
//!
//! Syntax accepted: one `@`; a dot-atom local part of at most 64 bytes, with
//! ASCII letters, digits and ``!#$%&'*+-/=?^_`{|}~``, or, as RFC 6531 allows,
//! non-ASCII letters, digits and combining marks (`begoña@x.es` is kept, not
//! folded to `begona`: they can be different mailboxes); a domain of at least
//! two labels of letters, digits and hyphens after IDNA, whose last label is
//! letters (or an `xn--` IDN top-level domain). Quoted local parts, IP
//! literals and white space inside are rejected as [`RejectReason::Syntax`].

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use super::device::{has_alphanumeric, is_missing_marker, strip_invisible, trim_value};
use super::{RejectReason, Rejection};

/// The longest local part, in bytes (RFC 5321).
const MAX_LOCAL_LEN: usize = 64;
/// The longest address, in bytes (RFC 5321 path limit less the brackets).
const MAX_ADDRESS_LEN: usize = 254;
/// The longest domain, in bytes.
const MAX_DOMAIN_LEN: usize = 253;
/// How many alias or typo hops are followed before giving up on a cycle.
const MAX_DOMAIN_HOPS: usize = 8;

/// Provider rules for the matching key ([`Email::match_key`]).
///
/// Domains here are compared with the canonical (lower-case, ASCII/punycode)
/// domain, ASCII-case-insensitively and without trimming. Alias and typo targets should be
/// canonical domains that are not themselves mapped further; chains are
/// followed for at most 8 hops.
///
/// The [`Default`] rules:
/// - `remove_dots_domains`: `gmail.com` (Gmail ignores dots in the user name;
///   `googlemail.com` is aliased to it first).
/// - `remove_plus_tag_domains`: providers that deliver `name+tag@` to `name@`:
///   `gmail.com`; Outlook.com's `outlook.com`, `outlook.es`, `hotmail.com`,
///   `hotmail.es`, `hotmail.com.ar`, `live.com`, `live.com.mx`, `live.com.ar`,
///   `msn.com`; `icloud.com`; Proton's `protonmail.com`, `proton.me`, `pm.me`;
///   `fastmail.com`. Yahoo is not included: its disposable addresses are
///   `base-keyword@yahoo.com` with a base name that is not the mailbox name, so
///   nothing in the address tells the mailbox.
/// - `remove_plus_tag_everywhere`: `false` (on a company's own domain `+` may
///   be part of a real mailbox name).
/// - `domain_aliases`: `googlemail.com` → `gmail.com`, `me.com` and `mac.com` →
///   `icloud.com` (one mailbox under several names, one name space).
///   National domains of one provider (`hotmail.es`, `hotmail.com`) are *not*
///   aliased: they are different mailboxes.
/// - `domain_typos`: misspellings of the big providers' domains
///   (`gmial.com`, `gamil.com`, `gmail.con`, `hotmial.com`, `hotmail.con`,
///   `outlok.com`, `yahooo.com`, `iclod.com`, ...). Only the matching key is
///   corrected; the canonical address keeps what was written.
/// - `extra_placeholders`: empty.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct EmailRules {
    /// Domains whose local part ignores dots: `a.n.a@gmail.com` is `ana@gmail.com`.
    pub remove_dots_domains: Vec<String>,
    /// Domains where `name+tag@` is delivered to `name@`: the tag is removed.
    pub remove_plus_tag_domains: Vec<String>,
    /// Remove `+tag` on every domain, not only on `remove_plus_tag_domains`.
    pub remove_plus_tag_everywhere: bool,
    /// Pairs `(alias, domain)`: addresses at `alias` are the mailboxes at `domain`.
    pub domain_aliases: Vec<(String, String)>,
    /// Pairs `(typo, domain)`: a misspelled domain and the domain meant.
    pub domain_typos: Vec<(String, String)>,
    /// More addresses that stand for "no email". An entry with an `@` inside
    /// (`sin@empresa.com`) is a whole address, one starting with `@`
    /// (`@empresa.invalid`) a whole domain, and any other (`cliente`) a local
    /// part on any domain. Compared ASCII-case-insensitively.
    pub extra_placeholders: Vec<String>,
}

impl Default for EmailRules {
    fn default() -> Self {
        let strings = |list: &[&str]| list.iter().map(|s| (*s).to_owned()).collect();
        let pairs = |list: &[(&str, &str)]| {
            list.iter()
                .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
                .collect()
        };
        EmailRules {
            remove_dots_domains: strings(&["gmail.com"]),
            remove_plus_tag_domains: strings(&[
                "gmail.com",
                "outlook.com",
                "outlook.es",
                "hotmail.com",
                "hotmail.es",
                "hotmail.com.ar",
                "live.com",
                "live.com.mx",
                "live.com.ar",
                "msn.com",
                "icloud.com",
                "protonmail.com",
                "proton.me",
                "pm.me",
                "fastmail.com",
            ]),
            remove_plus_tag_everywhere: false,
            domain_aliases: pairs(&[
                ("googlemail.com", "gmail.com"),
                ("me.com", "icloud.com"),
                ("mac.com", "icloud.com"),
            ]),
            domain_typos: pairs(&[
                ("gmial.com", "gmail.com"),
                ("gmal.com", "gmail.com"),
                ("gmai.com", "gmail.com"),
                ("gmali.com", "gmail.com"),
                ("gamil.com", "gmail.com"),
                ("gnail.com", "gmail.com"),
                ("gmaill.com", "gmail.com"),
                ("gmail.co", "gmail.com"),
                ("gmail.con", "gmail.com"),
                ("gmail.cm", "gmail.com"),
                ("gmail.om", "gmail.com"),
                ("gmail.comm", "gmail.com"),
                ("hotmial.com", "hotmail.com"),
                ("hotmal.com", "hotmail.com"),
                ("hotmai.com", "hotmail.com"),
                ("hotmil.com", "hotmail.com"),
                ("hotamil.com", "hotmail.com"),
                ("homail.com", "hotmail.com"),
                ("hotnail.com", "hotmail.com"),
                ("hotmail.con", "hotmail.com"),
                ("hotmail.co", "hotmail.com"),
                ("hotmail.cm", "hotmail.com"),
                ("hotmail.om", "hotmail.com"),
                ("hotmail.comm", "hotmail.com"),
                ("hotmial.es", "hotmail.es"),
                ("hotmal.es", "hotmail.es"),
                ("outlok.com", "outlook.com"),
                ("outllok.com", "outlook.com"),
                ("otlook.com", "outlook.com"),
                ("outlook.con", "outlook.com"),
                ("yaho.com", "yahoo.com"),
                ("yahooo.com", "yahoo.com"),
                ("yhaoo.com", "yahoo.com"),
                ("yahoo.con", "yahoo.com"),
                ("yaho.es", "yahoo.es"),
                ("iclod.com", "icloud.com"),
                ("icoud.com", "icloud.com"),
                ("icloud.con", "icloud.com"),
            ]),
            extra_placeholders: Vec::new(),
        }
    }
}

/// A normalized email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Email {
    /// The address as written, for display: taken out of its surroundings
    /// (white space, `<…>`, `mailto:`, display name, quotes), case and
    /// Unicode domain kept: `Ana.García@Correos.es`.
    pub display: String,
    /// The canonical address: the local part lower-cased (Unicode NFC), the
    /// domain in lower-case ASCII (IDNA, punycode `xn--` labels).
    /// `normalize_email(&address)` gives `address` back.
    pub address: String,
    /// The canonical address with the provider rules applied (domain typos
    /// fixed, aliases followed, Gmail dots and `+tags` removed): two addresses
    /// with one key reach one mailbox. `normalize_email(&match_key)` has the
    /// same key.
    pub match_key: String,
}

impl Email {
    /// The canonical domain (`gmail.com`, `xn--espaa-rta.es`).
    pub fn domain(&self) -> &str {
        rsplit_once_byte(&self.address, b'@').map_or("", |(_, domain)| domain)
    }

    /// The canonical local part (`ana.garcia+promo`).
    pub fn local_part(&self) -> &str {
        rsplit_once_byte(&self.address, b'@').map_or("", |(local, _)| local)
    }
}

/// Normalizes an email address.
///
/// Rejected: nothing but white space and punctuation ([`RejectReason::Empty`]);
/// a stand-in for a missing address (`n/a`, `-`, `test@test.com`,
/// `noemail@…`, `sincorreo@…`, `noreply@…`, any address at `example.com`,
/// `x@x.com`, `correo@correo.com`, `extra_placeholders`, ...) as
/// [`RejectReason::Placeholder`]; a local part of one repeated character
/// (`xxxx@gmail.com`) as [`RejectReason::RepeatedCharacter`]; anything
/// malformed as [`RejectReason::Syntax`]; a local part over 64 bytes or an
/// address over 254 as [`RejectReason::TooLong`].
///
/// ```
/// use omnid::normalize::email::{normalize_email, EmailRules};
///
/// let rules = EmailRules::default();
/// let email = normalize_email(" Ana García <Ana.Garcia+Promo@GoogleMail.com> ", &rules)?;
/// assert_eq!(email.display, "Ana.Garcia+Promo@GoogleMail.com");
/// assert_eq!(email.address, "ana.garcia+promo@googlemail.com");
/// assert_eq!(email.match_key, "anagarcia@gmail.com");
/// assert!(normalize_email("sin correo", &rules).is_err());
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_email(raw: &str, rules: &EmailRules) -> Result<Email, Rejection> {
    let cleaned = strip_invisible(raw);
    let s = unwrap_address(&cleaned);
    normalize_unwrapped(s, rules).map_err(|r| {
        // Checked only on failure: an accepted address always has letters.
        if r.reason == RejectReason::Syntax && !has_alphanumeric(s) {
            RejectReason::Empty.into()
        } else {
            r
        }
    })
}

fn normalize_unwrapped(s: &str, rules: &EmailRules) -> Result<Email, Rejection> {
    let Some((local_raw, domain_raw)) = rsplit_once_byte(s, b'@') else {
        return Err(if is_missing_marker(s) {
            RejectReason::Placeholder.into()
        } else {
            Rejection::new(RejectReason::Syntax).with_detail("no @")
        });
    };
    if local_raw.bytes().any(|b| b == b'@') {
        return Err(Rejection::new(RejectReason::Syntax)
            .with_detail("more than one @ (a list of addresses?)"));
    }
    let mut address = String::with_capacity(s.len());
    push_local(&mut address, local_raw)?;
    let local_len = address.len();
    address.push('@');
    push_domain(&mut address, domain_raw)?;
    if address.len() > MAX_ADDRESS_LEN {
        return Err(Rejection::new(RejectReason::TooLong)
            .with_detail(format!("longer than {MAX_ADDRESS_LEN} bytes")));
    }
    let (local, domain) = (
        address.get(..local_len).unwrap_or_default(),
        address.get(local_len + 1..).unwrap_or_default(),
    );
    check_placeholder(local, domain, rules)?;
    let match_key = match_key(local, domain, rules)?.unwrap_or_else(|| address.clone());
    Ok(Email {
        display: s.to_owned(),
        address,
        match_key,
    })
}

/// Takes the address out of what surrounds it, repeating until nothing changes:
/// `"Ana" <mailto:ana@x.com>;` becomes `ana@x.com`.
fn unwrap_address(raw: &str) -> &str {
    let mut s = trim_value(raw);
    // A bare address starts with a letter or digit and ends with a TLD letter.
    let bare = s.as_bytes().first().is_some_and(u8::is_ascii_alphanumeric)
        && s.as_bytes().last().is_some_and(u8::is_ascii_alphabetic);
    if bare && !has_mailto(s) {
        return s;
    }
    loop {
        let before = s.len();
        // `Ana García <ana@x.com>`: the address is in the last angle brackets.
        if let Some(inner) = s.strip_suffix('>')
            && let Some((_, addr)) = rsplit_once_byte(inner, b'<')
        {
            s = trim_value(addr);
        }
        // `ana@x.com (Ana García)`: an RFC 5322 comment after the address.
        if let Some(inner) = s.strip_suffix(')')
            && let Some((addr, _)) = inner.rsplit_once(" (")
        {
            s = trim_value(addr);
        }
        if has_mailto(s) {
            let rest = s.get(7..).unwrap_or_default();
            // In a mailto URL `?` starts the headers (`?subject=…`).
            s = trim_value(split_once_byte(rest, b'?').map_or(rest, |(addr, _)| addr));
        }
        for (open, close) in [('"', '"'), ('\'', '\''), ('(', ')'), ('[', ']'), ('<', '>')] {
            if let Some(inner) = s.strip_prefix(open).and_then(|r| r.strip_suffix(close)) {
                s = trim_value(inner);
            }
        }
        s = trim_value(s.trim_end_matches(['.', ',', ';', ':']));
        if s.len() == before {
            return s;
        }
    }
}

/// `s.split_once(b)` for an ASCII byte `b`: a byte loop costs less than the
/// `char` searcher's set-up on strings as short as addresses.
fn split_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = s.bytes().position(|c| c == b)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

/// `s.rsplit_once(b)` for an ASCII byte `b`, as [`split_once_byte`].
fn rsplit_once_byte(s: &str, b: u8) -> Option<(&str, &str)> {
    let i = s.bytes().rposition(|c| c == b)?;
    Some((s.get(..i)?, s.get(i + 1..)?))
}

fn has_mailto(s: &str) -> bool {
    s.get(..7)
        .is_some_and(|prefix| prefix.eq_ignore_ascii_case("mailto:"))
}

/// ASCII bytes allowed in a dot-atom local part besides `.` (RFC 5322 `atext`).
const ATEXT: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        table[b] = (b as u8).is_ascii_alphanumeric();
        b += 1;
    }
    let extra = b"!#$%&'*+-/=?^_`{|}~";
    let mut i = 0;
    while i < extra.len() {
        table[extra[i] as usize] = true;
        i += 1;
    }
    table
};

fn is_atext(b: u8) -> bool {
    ATEXT.get(usize::from(b)).copied().unwrap_or(false)
}

/// The letters U+00C0..=U+00FF (`À` to `ÿ`, not `×` and `÷`).
fn is_latin1_letter(c: char) -> bool {
    matches!(c, '\u{C0}'..='\u{FF}') && c != '\u{D7}' && c != '\u{F7}'
}

/// `c.to_lowercase()` for ASCII and the Latin-1 letters, which lower-case to
/// one character each (a test checks all of them).
fn latin1_lowercase(c: char) -> char {
    match c {
        // Upper case is lower case less 0x20 for these (`×`, U+00D7, is no letter).
        'A'..='Z' | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{DE}' => {
            char::from_u32(u32::from(c) + 0x20).unwrap_or(c)
        }
        _ => c,
    }
}

/// Appends the canonical local part: lower case, NFC for non-ASCII.
fn push_local(out: &mut String, local: &str) -> Result<(), Rejection> {
    let syntax = |detail: &str| Err(Rejection::new(RejectReason::Syntax).with_detail(detail));
    let not_allowed = "a character that is not allowed before the @";
    if local.is_empty() {
        return syntax("nothing before the @");
    }
    if local.starts_with('"') {
        return syntax("quoted local parts are not accepted");
    }
    let start = out.len();
    if local.is_ascii() {
        if !local.bytes().all(|b| b == b'.' || is_atext(b)) {
            return syntax(not_allowed);
        }
        out.push_str(local);
        if let Some(pushed) = out.get_mut(start..) {
            pushed.make_ascii_lowercase();
        }
    } else {
        if local.chars().all(|c| c.is_ascii() || is_latin1_letter(c)) {
            // Already NFC once lower-cased (`Begoña`): precomposed Latin-1
            // letters lower-case to precomposed Latin-1 letters, and no
            // combining mark follows to compose with. Skips the NFC pass.
            out.extend(local.chars().map(latin1_lowercase));
        } else {
            out.extend(local.chars().flat_map(char::to_lowercase).nfc());
        }
        let allowed = out.get(start..).is_some_and(|l| {
            l.chars().all(|c| match u8::try_from(c) {
                Ok(b) if b.is_ascii() => b == b'.' || is_atext(b),
                _ => c.is_alphanumeric() || unicode_normalization::char::is_combining_mark(c),
            })
        });
        if !allowed {
            return syntax(not_allowed);
        }
    }
    let canonical = out.get(start..).unwrap_or_default().as_bytes();
    let bad_dots = canonical.first() == Some(&b'.')
        || canonical.last() == Some(&b'.')
        || canonical.windows(2).any(|w| w == b"..");
    if bad_dots {
        return syntax("dots at the start, the end or doubled before the @");
    }
    if canonical.len() > MAX_LOCAL_LEN {
        return Err(Rejection::new(RejectReason::TooLong)
            .with_detail(format!("more than {MAX_LOCAL_LEN} bytes before the @")));
    }
    Ok(())
}

/// Appends the canonical domain: lower-case ASCII, IDNA for Unicode and `xn--` labels.
fn push_domain(out: &mut String, domain: &str) -> Result<(), Rejection> {
    let start = out.len();
    let plain_ascii = domain
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-');
    if plain_ascii {
        out.push_str(domain);
        if let Some(pushed) = out.get_mut(start..) {
            pushed.make_ascii_lowercase();
        }
        // `xn--` labels are checked by decoding them, which this path does not do.
        if !check_domain(out.get(start..).unwrap_or_default())? {
            return Ok(());
        }
        out.truncate(start);
    } else if push_latin1_domain(out, domain) {
        return check_domain(out.get(start..).unwrap_or_default()).map(|_| ());
    }
    let ascii = idna::domain_to_ascii_strict(domain).map_err(|_| {
        Rejection::new(RejectReason::Syntax).with_detail("the domain is not a valid host name")
    })?;
    out.push_str(&ascii);
    check_domain(&ascii).map(|_| ())
}

/// Appends what `idna::domain_to_ascii_strict` gives for a domain of ASCII
/// letters, digits and hyphens and Latin-1 letters (`españa.es`,
/// `MÜNCHEN.de`), and true; false (nothing appended) for any other domain or
/// one IDNA could reject (empty labels, hyphens at an edge or doubled, labels
/// or a domain over the DNS lengths), which is left to `idna`.
///
/// For these letters UTS 46 only lower-cases (they are in NFC, valid, not
/// right-to-left, `ß` is kept), so a label is Punycode of its lower case:
/// this skips the general mapping and normalization passes, nine tenths of
/// the cost. A test compares the two on every Latin-1 letter.
fn push_latin1_domain(out: &mut String, domain: &str) -> bool {
    let start = out.len();
    if latin1_domain(out, domain).is_none() {
        out.truncate(start);
        return false;
    }
    true
}

fn latin1_domain(out: &mut String, domain: &str) -> Option<()> {
    let start = out.len();
    for (i, label) in domain.split('.').enumerate() {
        if i > 0 {
            out.push('.');
        }
        let label_start = out.len();
        let edge_hyphen = label.starts_with('-') || label.ends_with('-');
        if label.is_empty() || edge_hyphen || label.contains("--") {
            return None;
        }
        if label.is_ascii() {
            if !label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
            {
                return None;
            }
            out.push_str(label);
            if let Some(pushed) = out.get_mut(label_start..) {
                pushed.make_ascii_lowercase();
            }
        } else {
            // A longer label is over 63 bytes once encoded: left to `idna`.
            let mut chars = ['\0'; 63];
            let mut n = 0;
            for c in label.chars() {
                let allowed = c.is_ascii_alphanumeric() || c == '-' || is_latin1_letter(c);
                *chars.get_mut(n).filter(|_| allowed)? = latin1_lowercase(c);
                n += 1;
            }
            out.push_str("xn--");
            out.push_str(&idna::punycode::encode(chars.get(..n)?)?);
        }
        if out.len() - label_start > 63 {
            return None;
        }
    }
    (out.len() - start <= MAX_DOMAIN_LEN).then_some(())
}

/// Bytes allowed in a canonical domain label: lower-case letters, digits, `-`.
const LABEL_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-';
        b += 1;
    }
    table
};

/// Checks a lower-case ASCII domain: labels, lengths and a letters-only TLD.
/// Tells whether a label is IDNA-encoded (`xn--`).
fn check_domain(domain: &str) -> Result<bool, Rejection> {
    let syntax = |detail: &str| Err(Rejection::new(RejectReason::Syntax).with_detail(detail));
    if domain.is_empty() {
        return syntax("nothing after the @");
    }
    if domain.len() > MAX_DOMAIN_LEN {
        return Err(Rejection::new(RejectReason::TooLong)
            .with_detail(format!("a domain longer than {MAX_DOMAIN_LEN} bytes")));
    }
    let bytes = domain.as_bytes();
    // One pass: the bytes are checked as they are read, each label at its end.
    let mut chars_ok = true;
    let mut labels_ok = true;
    let mut labels = 0;
    let mut idna = false;
    let mut end_label = |label: &'_ [u8]| {
        let encoded = label.starts_with(b"xn--");
        labels_ok &= (1..=63).contains(&label.len())
            && label.first() != Some(&b'-')
            && label.last() != Some(&b'-')
            // IDNA reserves `??--` for encodings such as `xn--`.
            && (encoded || label.get(2..4) != Some(b"--"));
        idna |= encoded;
        labels += 1;
    };
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'.' {
            end_label(bytes.get(start..i).unwrap_or_default());
            start = i + 1;
        } else {
            chars_ok &= LABEL_BYTES[usize::from(b)];
        }
    }
    let last = bytes.get(start..).unwrap_or_default();
    end_label(last);
    if !(chars_ok && labels_ok) {
        return syntax("a domain label is empty, too long or has characters not allowed");
    }
    if labels < 2 {
        return syntax("the domain has no dot");
    }
    let tld_ok = (last.len() >= 2 && last.iter().all(u8::is_ascii_lowercase))
        || (last.starts_with(b"xn--") && last.len() > 4);
    if !tld_ok {
        return syntax("the top-level domain is not letters");
    }
    Ok(idna)
}

/// Domains that only appear in made-up addresses (checked on the last two
/// labels, so subdomains count too), and the top-level domains reserved by
/// RFC 2606 and RFC 6762, where no mailbox lives.
fn is_placeholder_domain(domain: &str) -> bool {
    let (rest, tld) = rsplit_once_byte(domain, b'.').unwrap_or(("", domain));
    let sld = rsplit_once_byte(rest, b'.').map_or(rest, |(_, sld)| sld);
    let registered = domain
        .len()
        .checked_sub(sld.len() + tld.len() + 1)
        .and_then(|start| domain.get(start..));
    let made_up = registered.is_some_and(|d| {
        // Every listed domain starts with one of these letters: most stop here.
        matches!(
            d.as_bytes().first(),
            Some(b'd' | b'e' | b'n' | b'p' | b's' | b't')
        ) && matches!(
            d,
            "example.com"
                | "example.org"
                | "example.net"
                | "example.es"
                | "example.mx"
                | "ejemplo.com"
                | "ejemplo.es"
                | "test.com"
                | "test.es"
                | "prueba.com"
                | "prueba.es"
                | "domain.com"
                | "dominio.com"
                | "noemail.com"
                | "nomail.com"
                | "sinemail.com"
                | "sincorreo.com"
                | "sinmail.com"
                | "nocorreo.com"
                | "notiene.com"
        )
    });
    made_up || matches!(tld, "test" | "example" | "invalid" | "localhost" | "local")
}

/// Local parts that stand for "no email", with `.`, `-` and `_` removed.
const PLACEHOLDER_LOCALS: &[&[u8]] = &[
    b"noemail",
    b"nomail",
    b"sinemail",
    b"sinmail",
    b"sincorreo",
    b"nocorreo",
    b"notiene",
    b"notengo",
    b"notienecorreo",
    b"notieneemail",
    b"notienemail",
    b"ninguno",
    b"ninguna",
    b"none",
    b"null",
    b"nulo",
    b"na",
    b"nd",
    b"sd",
    b"nobody",
    b"noname",
    b"sindato",
    b"sindatos",
    b"desconocido",
    b"unknown",
    b"noaplica",
    b"invalid",
    b"invalido",
    b"fake",
    b"falso",
    b"test",
    b"prueba",
    b"asdf",
];

/// Whether a local part, with `.`, `-` and `_` removed, means "no email".
fn is_placeholder_local(local: &str) -> bool {
    // Every placeholder starts with one of these letters: most names stop here.
    if !matches!(
        local.as_bytes().first(),
        Some(b'a' | b'd' | b'f' | b'i' | b'n' | b'p' | b's' | b't' | b'u')
    ) {
        return false;
    }
    let mut buf = [0u8; MAX_LOCAL_LEN];
    let mut len = 0;
    for b in local.bytes().filter(|b| !matches!(b, b'.' | b'-' | b'_')) {
        if let Some(slot) = buf.get_mut(len) {
            *slot = b;
            len += 1;
        }
    }
    let folded = buf.get(..len).unwrap_or_default();
    PLACEHOLDER_LOCALS.contains(&folded)
        || folded.starts_with(b"noreply")
        || folded.starts_with(b"donotreply")
}

/// Words that, as both the local part and the domain name, make an address up:
/// `correo@correo.com`, `email@email.com`.
fn is_generic_word(word: &str) -> bool {
    matches!(
        word,
        "email"
            | "correo"
            | "mail"
            | "test"
            | "prueba"
            | "cliente"
            | "usuario"
            | "user"
            | "nombre"
            | "ejemplo"
            | "example"
            | "abc"
            | "asd"
            | "asdf"
            | "qwerty"
            | "xxx"
    )
}

fn check_placeholder(local: &str, domain: &str, rules: &EmailRules) -> Result<(), Rejection> {
    check_placeholder_parts(local, domain, rules, true, true)
}

/// [`check_placeholder`], skipping the domain or local-part word lists when
/// `check_domain` or `check_local` is false (that part passed them already).
fn check_placeholder_parts(
    local: &str,
    domain: &str,
    rules: &EmailRules,
    check_domain: bool,
    check_local: bool,
) -> Result<(), Rejection> {
    let placeholder =
        |detail: &str| Err(Rejection::new(RejectReason::Placeholder).with_detail(detail));
    if check_domain && is_placeholder_domain(domain) {
        return placeholder("a domain for made-up addresses");
    }
    if check_local && is_placeholder_local(local) {
        return placeholder("a local part that means no email");
    }
    let first_label = split_once_byte(domain, b'.').map_or(domain, |(label, _)| label);
    if local == first_label && (local.len() <= 2 || is_generic_word(local)) {
        return placeholder("a made-up address");
    }
    let mut bytes = local.bytes();
    if local.len() >= 3 && bytes.next().is_some_and(|first| bytes.all(|b| b == first)) {
        return Err(Rejection::new(RejectReason::RepeatedCharacter)
            .with_detail("the local part is one character repeated"));
    }
    for entry in &rules.extra_placeholders {
        let hit = if let Some(d) = entry.strip_prefix('@') {
            d.eq_ignore_ascii_case(domain)
        } else if let Some((l, d)) = entry.rsplit_once('@') {
            l.eq_ignore_ascii_case(local) && d.eq_ignore_ascii_case(domain)
        } else {
            entry.eq_ignore_ascii_case(local)
        };
        if hit {
            return placeholder("listed in extra_placeholders");
        }
    }
    Ok(())
}

/// `eq_ignore_ascii_case` that stops at the first byte that differs: rule
/// lists are scanned for every address, and most entries differ in length
/// or in their first bytes (`str::eq_ignore_ascii_case` lower-cases whole
/// chunks before comparing).
fn same_domain(rule: &str, domain: &str) -> bool {
    rule.len() == domain.len()
        && rule
            .bytes()
            .zip(domain.bytes())
            .all(|(a, b)| a == b || a.eq_ignore_ascii_case(&b))
}

fn in_list(list: &[String], domain: &str) -> bool {
    list.iter().any(|d| same_domain(d, domain))
}

fn lookup<'a>(pairs: &'a [(String, String)], domain: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(from, _)| same_domain(from, domain))
        .map(|(_, to)| to.as_str())
}

/// The matching key of a canonical address, or `None` when it is the address itself.
fn match_key(local: &str, domain: &str, rules: &EmailRules) -> Result<Option<String>, Rejection> {
    let mut key_domain = domain;
    for _ in 0..MAX_DOMAIN_HOPS {
        let next = lookup(&rules.domain_typos, key_domain)
            .or_else(|| lookup(&rules.domain_aliases, key_domain));
        match next {
            Some(to) if !to.eq_ignore_ascii_case(key_domain) => key_domain = to,
            _ => break,
        }
    }
    let mut name = local;
    // The local part is looked at before the domain lists: most addresses
    // have no `+` and need no list scan.
    // `+tag` alone is a name, not a tag; `ana.+x` leaves `ana`.
    if let Some((before, _)) = split_once_byte(local, b'+')
        && !before.is_empty()
        && (rules.remove_plus_tag_everywhere || in_list(&rules.remove_plus_tag_domains, key_domain))
    {
        name = before.trim_end_matches('.');
    }
    let remove_dots =
        name.bytes().any(|b| b == b'.') && in_list(&rules.remove_dots_domains, key_domain);
    if !remove_dots && name.len() == local.len() && key_domain == domain {
        return Ok(None);
    }
    let mut key = String::with_capacity(name.len() + 1 + key_domain.len());
    if remove_dots {
        let mut rest = name;
        while let Some((part, after)) = split_once_byte(rest, b'.') {
            key.push_str(part);
            rest = after;
        }
        key.push_str(rest);
    } else {
        key.push_str(name);
    }
    let key_local_len = key.len();
    key.push('@');
    key.push_str(key_domain);
    // Rule targets may be written in capitals.
    if let Some(pushed) = key.get_mut(key_local_len..) {
        pushed.make_ascii_lowercase();
    }
    let (key_local, key_domain_lower) = key.split_at(key_local_len);
    // The address passed `check_placeholder`: its domain, if the key kept it,
    // passes the domain list again, and so does its local part with only the
    // dots taken out (the list reads local parts without dots).
    check_placeholder_parts(
        key_local,
        key_domain_lower.get(1..).unwrap_or_default(),
        rules,
        key_domain != domain,
        name.len() != local.len(),
    )?;
    Ok(Some(key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(raw: &str) -> Result<Email, Rejection> {
        normalize_email(raw, &EmailRules::default())
    }

    #[test]
    fn latin1_lowercase_is_to_lowercase() {
        for c in ('\0'..='\u{7F}').chain(('\u{C0}'..='\u{FF}').filter(|&c| is_latin1_letter(c))) {
            let std: Vec<char> = c.to_lowercase().collect();
            assert_eq!(vec![latin1_lowercase(c)], std, "{c:?}");
        }
    }

    #[test]
    fn same_domain_is_eq_ignore_ascii_case() {
        let domains = [
            "gmail.com",
            "GMail.Com",
            "gmial.com",
            "gmail.co",
            "",
            "g",
            "G",
            "ñ.es",
            "Ñ.es",
            "[.com",
            "{.com",
        ];
        for a in domains {
            for b in domains {
                assert_eq!(same_domain(a, b), a.eq_ignore_ascii_case(b), "{a} {b}");
            }
        }
    }

    #[test]
    fn addresses_from_the_field() {
        // (raw, display, address, match_key)
        let cases: &[(&str, &str, &str, &str)] = &[
            (
                "ana.garcia@gmail.com",
                "ana.garcia@gmail.com",
                "ana.garcia@gmail.com",
                "anagarcia@gmail.com",
            ),
            (
                "  Ana.Garcia@Gmail.COM ",
                "Ana.Garcia@Gmail.COM",
                "ana.garcia@gmail.com",
                "anagarcia@gmail.com",
            ),
            (
                "\u{a0}ana.garcia@gmail.com\u{200B}",
                "ana.garcia@gmail.com",
                "ana.garcia@gmail.com",
                "anagarcia@gmail.com",
            ),
            (
                "ana\u{200B}.garcia@gmail.com",
                "ana.garcia@gmail.com",
                "ana.garcia@gmail.com",
                "anagarcia@gmail.com",
            ),
            (
                "<ana.garcia@gmail.com>",
                "ana.garcia@gmail.com",
                "ana.garcia@gmail.com",
                "anagarcia@gmail.com",
            ),
            (
                "Ana García <Ana.Garcia@Gmail.com>",
                "Ana.Garcia@Gmail.com",
                "ana.garcia@gmail.com",
                "anagarcia@gmail.com",
            ),
            (
                "\"García López, Ana\" <ana.garcia@hotmail.es>",
                "ana.garcia@hotmail.es",
                "ana.garcia@hotmail.es",
                "ana.garcia@hotmail.es",
            ),
            (
                "mailto:jperez@empresa.com.mx?subject=Reclamo",
                "jperez@empresa.com.mx",
                "jperez@empresa.com.mx",
                "jperez@empresa.com.mx",
            ),
            (
                "MAILTO:JPerez@Empresa.com.mx",
                "JPerez@Empresa.com.mx",
                "jperez@empresa.com.mx",
                "jperez@empresa.com.mx",
            ),
            (
                "'luis.fernandez@yahoo.es'",
                "luis.fernandez@yahoo.es",
                "luis.fernandez@yahoo.es",
                "luis.fernandez@yahoo.es",
            ),
            (
                "luis.fernandez@yahoo.es;",
                "luis.fernandez@yahoo.es",
                "luis.fernandez@yahoo.es",
                "luis.fernandez@yahoo.es",
            ),
            (
                "luis.fernandez@yahoo.es.",
                "luis.fernandez@yahoo.es",
                "luis.fernandez@yahoo.es",
                "luis.fernandez@yahoo.es",
            ),
            (
                "maria.jose@empresa.es (María José)",
                "maria.jose@empresa.es",
                "maria.jose@empresa.es",
                "maria.jose@empresa.es",
            ),
            (
                "ana.garcia+compras@gmail.com",
                "ana.garcia+compras@gmail.com",
                "ana.garcia+compras@gmail.com",
                "anagarcia@gmail.com",
            ),
            (
                "a.n.a.garcia@googlemail.com",
                "a.n.a.garcia@googlemail.com",
                "a.n.a.garcia@googlemail.com",
                "anagarcia@gmail.com",
            ),
            (
                "carlos.ruiz+netflix@outlook.es",
                "carlos.ruiz+netflix@outlook.es",
                "carlos.ruiz+netflix@outlook.es",
                "carlos.ruiz@outlook.es",
            ),
            (
                "carlos.ruiz+1@hotmail.com",
                "carlos.ruiz+1@hotmail.com",
                "carlos.ruiz+1@hotmail.com",
                "carlos.ruiz@hotmail.com",
            ),
            // Dots count outside Gmail.
            (
                "carlos.ruiz@hotmail.com",
                "carlos.ruiz@hotmail.com",
                "carlos.ruiz@hotmail.com",
                "carlos.ruiz@hotmail.com",
            ),
            // A `+` on a company domain may be a real mailbox name.
            (
                "ventas+mx@empresa.com",
                "ventas+mx@empresa.com",
                "ventas+mx@empresa.com",
                "ventas+mx@empresa.com",
            ),
            // Yahoo's `-` disposable addresses are left alone.
            (
                "pedro-tienda@yahoo.com",
                "pedro-tienda@yahoo.com",
                "pedro-tienda@yahoo.com",
                "pedro-tienda@yahoo.com",
            ),
            (
                "sofia@me.com",
                "sofia@me.com",
                "sofia@me.com",
                "sofia@icloud.com",
            ),
            // Typos are fixed in the key only.
            (
                "ana.garcia@gmial.com",
                "ana.garcia@gmial.com",
                "ana.garcia@gmial.com",
                "anagarcia@gmail.com",
            ),
            (
                "ana.garcia@gmail.con",
                "ana.garcia@gmail.con",
                "ana.garcia@gmail.con",
                "anagarcia@gmail.com",
            ),
            (
                "jose@hotmial.com",
                "jose@hotmial.com",
                "jose@hotmial.com",
                "jose@hotmail.com",
            ),
            // RFC 6531: ñ and accents are kept in the local part.
            (
                "Begoña.Muñoz@Empresa.es",
                "Begoña.Muñoz@Empresa.es",
                "begoña.muñoz@empresa.es",
                "begoña.muñoz@empresa.es",
            ),
            // Decomposed accents are composed (NFC).
            (
                "jose\u{301}@empresa.es",
                "jose\u{301}@empresa.es",
                "josé@empresa.es",
                "josé@empresa.es",
            ),
            // IDN domains in punycode.
            (
                "info@españa.es",
                "info@españa.es",
                "info@xn--espaa-rta.es",
                "info@xn--espaa-rta.es",
            ),
            (
                "INFO@ESPAÑA.ES",
                "INFO@ESPAÑA.ES",
                "info@xn--espaa-rta.es",
                "info@xn--espaa-rta.es",
            ),
            (
                "info@xn--espaa-rta.es",
                "info@xn--espaa-rta.es",
                "info@xn--espaa-rta.es",
                "info@xn--espaa-rta.es",
            ),
            (
                "o'neill@empresa.co",
                "o'neill@empresa.co",
                "o'neill@empresa.co",
                "o'neill@empresa.co",
            ),
            (
                "juan_perez-2@sub.dominio-mx.com.mx",
                "juan_perez-2@sub.dominio-mx.com.mx",
                "juan_perez-2@sub.dominio-mx.com.mx",
                "juan_perez-2@sub.dominio-mx.com.mx",
            ),
            (
                "j@empresa.com",
                "j@empresa.com",
                "j@empresa.com",
                "j@empresa.com",
            ),
            // A lone `+tag` is a name.
            (
                "+34600111222@gmail.com",
                "+34600111222@gmail.com",
                "+34600111222@gmail.com",
                "+34600111222@gmail.com",
            ),
            (
                "ana.+x@outlook.com",
                "ana.+x@outlook.com",
                "ana.+x@outlook.com",
                "ana@outlook.com",
            ),
        ];
        for (raw, display, address, key) in cases {
            let e = norm(raw).unwrap_or_else(|r| panic!("{raw:?} rejected: {r}"));
            assert_eq!(
                (e.display.as_str(), e.address.as_str(), e.match_key.as_str()),
                (*display, *address, *key),
                "{raw:?}"
            );
        }
    }

    #[test]
    fn bad_addresses_are_rejected_with_a_reason() {
        use RejectReason::*;
        let long_local = format!("{}@gmail.com", "a".repeat(63) + "bc");
        let long_domain = format!("ana@{}.com", ["abcdefghij"; 26].join("."));
        let cases: &[(&str, RejectReason)] = &[
            ("", Empty),
            ("   ", Empty),
            ("\u{a0}\u{200B}", Empty),
            ("@", Empty),
            ("<>", Empty),
            ("-", Placeholder),
            ("n/a", Placeholder),
            ("N/A", Placeholder),
            ("sin correo", Placeholder),
            ("no tiene", Placeholder),
            ("test@test.com", Placeholder),
            ("TEST@TEST.COM", Placeholder),
            ("noemail@gmail.com", Placeholder),
            ("no-email@hotmail.com", Placeholder),
            ("no.email@gmail.com", Placeholder),
            ("sinemail@gmail.com", Placeholder),
            ("sincorreo@hotmail.com", Placeholder),
            ("sin.correo@yahoo.es", Placeholder),
            ("no-reply@empresa.com", Placeholder),
            ("noreply@empresa.com", Placeholder),
            ("noreply-facturas@empresa.com", Placeholder),
            ("nomail@gmail.com", Placeholder),
            ("none@gmail.com", Placeholder),
            ("na@gmail.com", Placeholder),
            ("ana@example.com", Placeholder),
            ("ana@mail.example.org", Placeholder),
            ("ana@example.net", Placeholder),
            ("cliente@test.com", Placeholder),
            ("x@x.com", Placeholder),
            ("a@a.com", Placeholder),
            ("correo@correo.com", Placeholder),
            ("email@email.com", Placeholder),
            ("ana@empresa.invalid", Placeholder),
            ("ana@localhost.test", Placeholder),
            // Tag removal reveals the placeholder.
            ("noemail+123@gmail.com", Placeholder),
            ("xxxx@gmail.com", RepeatedCharacter),
            ("ana", Syntax),
            ("ana.gmail.com", Syntax),
            ("ana@", Syntax),
            ("@gmail.com", Syntax),
            ("ana@gmail", Syntax),
            ("ana@@gmail.com", Syntax),
            ("ana@gmail@hotmail.com", Syntax),
            ("ana@gmail.com; luis@gmail.com", Syntax),
            ("ana garcia@gmail.com", Syntax),
            ("ana@gmail .com", Syntax),
            ("ana..garcia@gmail.com", Syntax),
            (".ana@gmail.com", Syntax),
            ("ana.@gmail.com", Syntax),
            ("\"ana garcia\"@gmail.com", Syntax),
            ("ana@[192.168.0.1]", Syntax),
            ("ana@192.168.0.1", Syntax),
            ("ana@gmail.c0m", Syntax),
            ("ana@gmail.c", Syntax),
            ("ana@-gmail.com", Syntax),
            ("ana@gmail..com", Syntax),
            ("ana@gm_ail.com", Syntax),
            ("ana(at)gmail.com", Syntax),
            ("ana@xn--a.com", Syntax),
            ("ana@xn--99999999999999.com", Syntax),
            ("ana@ab--c.com", Syntax),
            ("ana@exa mple.com", Syntax),
            ("ana—garcia@gmail.com", Syntax),
            (&long_local, TooLong),
            (&long_domain, TooLong),
        ];
        for (raw, want) in cases {
            match norm(raw) {
                Ok(e) => panic!("{raw:?} accepted as {e:?}, want {want:?}"),
                Err(r) => assert_eq!(r.reason, *want, "{raw:?}: {r}"),
            }
        }
    }

    #[test]
    fn rules_are_configurable() {
        let rules = EmailRules {
            remove_plus_tag_everywhere: true,
            domain_aliases: vec![("empresa.es".into(), "Empresa.COM".into())],
            extra_placeholders: vec![
                "cliente".into(),
                "sin@empresa.com".into(),
                "@empresa.local".into(),
            ],
            ..EmailRules::default()
        };
        let e = normalize_email("ventas+mx@empresa.es", &rules).expect("valid");
        assert_eq!(e.match_key, "ventas@empresa.com");
        for raw in ["Cliente@gmail.com", "sin@empresa.com", "ana@Empresa.Local"] {
            assert_eq!(
                normalize_email(raw, &rules).map_err(|r| r.reason),
                Err(RejectReason::Placeholder),
                "{raw}"
            );
        }
        assert!(normalize_email("sin@otra.com", &rules).is_ok());

        let none = EmailRules {
            remove_dots_domains: vec![],
            remove_plus_tag_domains: vec![],
            domain_aliases: vec![],
            domain_typos: vec![],
            ..EmailRules::default()
        };
        let e = normalize_email("a.na+x@googlemail.com", &none).expect("valid");
        assert_eq!(e.match_key, e.address);
    }

    #[test]
    fn alias_cycles_stop() {
        let rules = EmailRules {
            domain_aliases: vec![
                ("a.com".into(), "b.com".into()),
                ("b.com".into(), "a.com".into()),
            ],
            ..EmailRules::default()
        };
        assert!(normalize_email("ana@a.com", &rules).is_ok());
    }

    #[test]
    fn rules_read_from_json_with_defaults() {
        let rules: EmailRules =
            serde_json::from_str(r#"{"remove_plus_tag_everywhere": true}"#).expect("json");
        assert!(rules.remove_plus_tag_everywhere);
        assert_eq!(rules.remove_dots_domains, vec!["gmail.com".to_owned()]);
        let back: EmailRules =
            serde_json::from_str(&serde_json::to_string(&rules).expect("ser")).expect("de");
        assert_eq!(back, rules);
    }

    #[test]
    fn every_placeholder_local_is_caught_with_separators() {
        for local in PLACEHOLDER_LOCALS {
            let local = std::str::from_utf8(local).expect("ascii");
            assert!(is_placeholder_local(local), "{local}");
            let dotted = format!("{}.{}", &local[..1], &local[1..]);
            assert_eq!(
                norm(&format!("{dotted}@gmail.com")).map_err(|r| r.reason),
                Err(RejectReason::Placeholder),
                "{dotted}"
            );
        }
    }

    #[test]
    fn accessors_split_the_canonical_address() {
        let e = norm("Ana.Garcia+X@GMAIL.com").expect("valid");
        assert_eq!(e.local_part(), "ana.garcia+x");
        assert_eq!(e.domain(), "gmail.com");
    }

    /// What `push_domain` gave before the Latin-1 fast path: IDNA for any
    /// domain that is not plain ASCII.
    fn idna_domain(domain: &str) -> Option<String> {
        idna::domain_to_ascii_strict(domain).ok()
    }

    #[test]
    fn latin1_domains_match_idna() {
        let mut taken = 0;
        for c in ('\u{A0}'..='\u{FF}').chain(['a', 'Z', '-', '_', 'ı', 'ẞ', '\u{301}']) {
            for domain in [
                format!("{c}.es"),
                format!("espa{c}a.es"),
                format!("X{c}{c}Y.com.mx"),
                format!("a{c}-b.{c}{c}"),
                format!("-{c}.es"),
                format!("{c}--x.es"),
                format!("xn--{c}.es"),
                format!("{c}.."),
                format!("{c}.es."),
            ] {
                let mut out = String::from("ana@");
                if push_latin1_domain(&mut out, &domain) {
                    taken += 1;
                    assert_eq!(
                        out.strip_prefix("ana@"),
                        idna_domain(&domain).as_deref(),
                        "{domain:?}"
                    );
                } else {
                    assert_eq!(out, "ana@", "{domain:?}: nothing appended when not taken");
                }
            }
        }
        // The fast path is taken, not only safe: for the 62 Latin-1 letters
        // in the first four patterns at least.
        assert!(taken >= 4 * 62, "{taken}");
        let mut out = String::new();
        assert!(push_latin1_domain(&mut out, "ESPAÑA.es"));
        assert_eq!(out, "xn--espaa-rta.es");
    }

    /// The domain check as first written (one `split`, a predicate per label).
    fn check_domain_by_labels(domain: &str) -> Option<bool> {
        if domain.is_empty() || domain.len() > MAX_DOMAIN_LEN {
            return None;
        }
        let mut labels = 0;
        let mut idna = false;
        let mut last: &[u8] = &[];
        for label in domain.as_bytes().split(|&b| b == b'.') {
            let encoded = label.starts_with(b"xn--");
            let valid = (1..=63).contains(&label.len())
                && label
                    .iter()
                    .all(|&c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'-')
                && label.first() != Some(&b'-')
                && label.last() != Some(&b'-')
                && (encoded || label.get(2..4) != Some(b"--"));
            if !valid {
                return None;
            }
            idna |= encoded;
            labels += 1;
            last = label;
        }
        let tld_ok = (last.len() >= 2 && last.iter().all(u8::is_ascii_lowercase))
            || (last.starts_with(b"xn--") && last.len() > 4);
        (labels >= 2 && tld_ok).then_some(idna)
    }

    fn check_idempotent(raw: &str) -> Result<(), TestCaseError> {
        if let Ok(e) = norm(raw) {
            let again = norm(&e.address);
            prop_assert!(again.is_ok(), "{raw:?} -> {e:?} -> {again:?}");
            if let Ok(again) = again {
                prop_assert_eq!(&again.address, &e.address);
                prop_assert_eq!(&again.match_key, &e.match_key);
            }
            let from_display = norm(&e.display).map(|d| d.address);
            prop_assert_eq!(from_display, Ok(e.address.clone()));
            let from_key = norm(&e.match_key).map(|k| k.match_key);
            prop_assert_eq!(from_key, Ok(e.match_key.clone()));
        }
        Ok(())
    }

    proptest! {
        #[test]
        fn never_panics(s in ".*") {
            let _ = norm(&s);
        }

        #[test]
        fn never_panics_any(s in any::<String>()) {
            let _ = norm(&s);
        }

        #[test]
        fn canonical_forms_are_fixed_points(s in ".*") {
            check_idempotent(&s)?;
        }

        #[test]
        fn canonical_forms_are_fixed_points_for_plausible_addresses(
            s in "[ <\"]{0,2}[A-Za-zñÑé0-9._+'\u{301}-]{1,20}@[A-Za-zñ0-9.-]{1,20}\\.(com|es|mx|XN--P1AI)[ >.;]{0,2}"
        ) {
            check_idempotent(&s)?;
        }

        #[test]
        fn latin1_domain_fast_path_is_idna(
            domain in "[a-zA-Z0-9Ñéß×ÿ.-]{0,12}[À-ÿ][a-zA-Z0-9À-ÿ.-]{0,12}(\\.(es|com|de|XN--P1AI))?"
        ) {
            let mut out = String::new();
            if push_latin1_domain(&mut out, &domain) {
                prop_assert_eq!(Some(out), idna_domain(&domain), "{:?}", domain);
            } else {
                prop_assert!(out.is_empty());
            }
        }

        #[test]
        fn check_domain_is_check_domain_by_labels(
            domain in "[a-z0-9A_.-]{0,8}(xn--)?[a-z0-9-]{0,8}\\.?[a-z0-9.-]{0,6}"
        ) {
            prop_assert_eq!(check_domain(&domain).ok(), check_domain_by_labels(&domain));
        }

        #[test]
        fn placeholder_locals_ignore_dots(local in "[a-z]{0,3}(no|sin|n|s|d|t)[a-z.]{0,12}") {
            // `match_key` skips the local-part list for a key that only lost
            // the dots of a local part that passed it.
            if !local.starts_with('.') {
                prop_assert_eq!(
                    is_placeholder_local(&local.replace('.', "")),
                    is_placeholder_local(&local)
                );
            }
        }

        #[test]
        fn local_parts_are_lower_case_nfc(
            local in "[A-Za-z0-9.À-ÿ\u{301}\u{303}\u{130}ǅ]{1,20}"
        ) {
            let mut out = String::new();
            let expected: String = local.chars().flat_map(char::to_lowercase).nfc().collect();
            match push_local(&mut out, &local) {
                Ok(()) => prop_assert_eq!(out, expected),
                Err(r) => prop_assert!(
                    r.reason == RejectReason::Syntax || r.reason == RejectReason::TooLong,
                    "{local:?}: {r}"
                ),
            }
        }
    }
}
