//! Person names: ASCII folding, tokens, particles, abbreviations, hypocorisms,
//! and the split of a full name into given and family names.
//!
//! Every name ends up as lower-case ASCII tokens ([`fold`]). Particles (`de`,
//! `del`, `de la`, `y`, `van`, `di`...) are set aside so that `de la Fuente`
//! and `Fuente` compare equal; abbreviations (`Mª`, `Fco.`, `Fdez.`) are
//! written out; titles (`Sr.`, `Dra.`, `Lic.`) and suffixes (`Jr`, `III`) are
//! dropped; tokens with digits are dropped; stand-ins for a missing name
//! (`cliente`, `n/a`, `sin nombre`) are rejected as placeholders.
//!
//! When a source gives only a full name, it is read in Spanish order,
//! `given [given] family1 [family2]`, with a table of common given names to
//! decide where the given names end; `GARCÍA LÓPEZ, María José` (a comma)
//! puts the family names first, and so does a name that starts with no known
//! given name and ends with given names after at least two family names
//! (`GONZALEZ RODRIGUEZ JUAN CARLOS`). Initials count as given names
//! (`Juan E. Pérez`). The split is a heuristic: `Juan Martín Díaz` becomes
//! `juan` + `martin diaz`, since Martín is also a common family name and
//! Spanish speakers usually carry two family names.

mod tables;

use std::borrow::Cow;
use std::ops::Range;

use serde::{Deserialize, Serialize};
use unicode_normalization::char::{decompose_compatible, is_combining_mark};

use super::{RejectReason, Rejection};

/// Most tokens accepted in one name field; more is not a name.
const MAX_TOKENS: usize = 24;
/// Longest token accepted, in folded bytes.
const MAX_TOKEN_LEN: usize = 64;
/// Longest raw field accepted, in bytes.
const MAX_RAW_LEN: usize = 4096;

/// The ASCII-folded, lower-case form of a string: letters and digits only,
/// in tokens separated by one space.
///
/// Compatibility decomposition (NFKD) with the combining marks removed takes
/// the accents off (`García` -> `garcia`, `Mª` -> `ma`); what is left that is
/// not ASCII is transliterated by `any_ascii` (`Đặng` -> `dang`, `Straße` ->
/// `strasse`). Apostrophes and the Catalan middle dot join (`O'Brien` ->
/// `obrien`, `D'Angelo` -> `dangelo`, `Col·lell` -> `collell`), since people
/// who drop the apostrophe write `OBrien` far more often than `O Brien`. Any
/// other punctuation (hyphens, dots, commas) and symbols separate tokens.
/// `fold(fold(x)) == fold(x)`.
///
/// ```
/// use omnid::normalize::name::fold;
///
/// assert_eq!(fold("  GARCÍA-López, Mª José "), "garcia lopez ma jose");
/// assert_eq!(fold("O'Brien"), "obrien");
/// assert_eq!(fold("Đặng Straße"), "dang strasse");
/// ```
pub fn fold(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    fold_into(raw, &mut out);
    out
}

/// Appends [`fold`]`(raw)` to `out`, separated by one space from what `out`
/// already holds; nothing is appended when the fold is empty.
///
/// Lets a caller fold many values into one reused buffer. `out` should be
/// empty or end with a folded token.
pub fn fold_into(raw: &str, out: &mut String) {
    if is_folded(raw) {
        // Already folded (omnid's own output, clean data): one copy.
        if !raw.is_empty() {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(raw);
        }
        return;
    }
    fold_unfolded_into(raw, raw.is_ascii(), out);
}

/// [`fold_into`] for a `raw` known not to be folded, and whether it is ASCII.
fn fold_unfolded_into(raw: &str, ascii: bool, out: &mut String) {
    let mut sink = Sink { out, pending: true };
    if ascii {
        for b in raw.bytes() {
            sink.byte(b);
        }
    } else {
        for c in raw.chars() {
            fold_char(c, |b| sink.byte(b));
        }
    }
}

/// Writes folded bytes, turning runs of separators into one space.
struct Sink<'a> {
    out: &'a mut String,
    /// A separator was seen since the last letter or digit.
    pending: bool,
}

impl Sink<'_> {
    #[inline]
    fn byte(&mut self, b: u8) {
        if b.is_ascii_alphanumeric() {
            if self.pending && !self.out.is_empty() {
                self.out.push(' ');
            }
            self.pending = false;
            self.out.push(char::from(b.to_ascii_lowercase()));
        } else if b != b'\'' && b != b'`' {
            self.pending = true;
        }
    }
}

/// Emits the ASCII bytes a character folds to: itself when ASCII, `'` for an
/// apostrophe-like joiner, its transliteration when it is a letter or digit,
/// nothing for a combining mark, and a space for anything else.
#[inline]
pub(crate) fn fold_char(c: char, mut emit: impl FnMut(u8)) {
    if c.is_ascii() {
        // An ASCII char fits in a byte by definition.
        emit(c as u8);
        return;
    }
    if let Some(folded) = latin1(c) {
        for b in folded.bytes() {
            emit(b);
        }
        return;
    }
    if is_joiner(c) {
        emit(b'\'');
        return;
    }
    decompose_compatible(c, |d| {
        if d.is_ascii() {
            emit(d as u8);
        } else if is_combining_mark(d) {
            // Accents go: `á` decomposes to `a` + U+0301.
        } else if d.is_alphanumeric() {
            for b in any_ascii::any_ascii_char(d).bytes() {
                emit(b);
            }
        } else {
            emit(b' ');
        }
    });
}

/// What the Latin-1 letters U+00C0..=U+00FF (`á`, `ñ`, `ß`...) fold to, as
/// the general path (NFKD, then `any_ascii`) folds them, without its lookups;
/// a test checks the two agree. `×` and `÷` separate.
const LATIN1: [&str; 64] = [
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // C0
    "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "ss", // D0
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i", // E0
    "d", "n", "o", "o", "o", "o", "o", " ", "o", "u", "u", "u", "u", "y", "th", "y", // F0
];

fn latin1(c: char) -> Option<&'static str> {
    let i = u32::from(c).checked_sub(0xC0)?;
    LATIN1.get(usize::try_from(i).ok()?).copied()
}

/// [`latin1`] of the character whose UTF-8 encoding starts with `lead`,
/// `next`: U+00C0..=U+00FF is `0xC3` then `0x80..=0xBF`.
#[inline]
fn latin1_utf8(lead: u8, next: Option<&u8>) -> Option<&'static str> {
    if lead != 0xC3 {
        return None;
    }
    let i = next?.checked_sub(0x80)?;
    LATIN1.get(usize::from(i)).copied()
}

/// An ASCII byte that is part of a word of a name ([`is_word_char`]).
#[inline]
fn is_word_byte(b: u8) -> bool {
    WORD_BYTES.get(usize::from(b)).copied().unwrap_or(false)
}

/// [`is_word_byte`] as a table: one load per byte of a name.
const WORD_BYTES: [bool; 128] = {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || c == b'.' || c == b'\'' || c == b'`';
        b += 1;
    }
    table
};

/// A character that is part of a word of a name.
fn is_word_char(c: char) -> bool {
    if let Ok(b) = u8::try_from(c)
        && b.is_ascii()
    {
        return is_word_byte(b);
    }
    match latin1(c) {
        Some(folded) => folded != " ",
        None => {
            c.is_alphanumeric() || c == '.' || is_joiner(c) || is_combining_mark(c) || is_ordinal(c)
        }
    }
}

/// For the character at byte `i` of `s`: whether it is a word character
/// ([`is_word_char`]), an ordinal indicator ([`is_ordinal`]), and its length
/// in bytes. ASCII and the Latin-1 letters are told from their bytes without
/// decoding (a test checks every character against the two functions).
#[inline]
fn char_class_at(s: &str, i: usize) -> (bool, bool, usize) {
    let bytes = s.as_bytes();
    match bytes.get(i) {
        Some(&b) if b.is_ascii() => (is_word_byte(b), false, 1),
        Some(&b) => match latin1_utf8(b, bytes.get(i + 1)) {
            Some(folded) => (folded != " ", false, 2),
            None => {
                let c = s
                    .get(i..)
                    .and_then(|s| s.chars().next())
                    .unwrap_or_default();
                (is_word_char(c), is_ordinal(c), c.len_utf8())
            }
        },
        None => (false, false, 1),
    }
}

/// Characters that join the letters around them, like an apostrophe.
fn is_joiner(c: char) -> bool {
    matches!(
        c,
        '\'' | '`'
            | '\u{00B4}' // acute accent typed as an apostrophe
            | '\u{2018}'
            | '\u{2019}'
            | '\u{02BC}'
            | '\u{02B9}'
            | '\u{00B7}' // Catalan punt volat: `Col·lell`
            | '\u{0387}'
            | '\u{2027}'
    )
}

/// Ordinal indicators used in Spanish abbreviations (`Mª`, `Jº`, `J°`).
fn is_ordinal(c: char) -> bool {
    matches!(c, 'ª' | 'º' | '°')
}

/// A person's name as folded tokens.
///
/// `given` and `family` are what matching compares; particles are kept aside
/// in `particles` (for display) so that `de la Fuente` and `Fuente`, or `María
/// del Carmen` and `María Carmen`, compare equal.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PersonName {
    /// Given names, in order (`["maria", "jose"]`).
    #[serde(default)]
    pub given: Vec<String>,
    /// Family names without particles, in order (`["garcia", "lopez"]`).
    #[serde(default)]
    pub family: Vec<String>,
    /// Particles found in the given and family names, in order (`["de", "la"]`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub particles: Vec<String>,
}

impl PersonName {
    /// The given names with hypocorisms written out in their formal form
    /// (`pepe` -> `jose`, `majo` -> `maria jose`, two tokens).
    ///
    /// ```
    /// use omnid::normalize::name::normalize_person_name;
    ///
    /// let name = normalize_person_name(Some("Majo"), Some("Pérez"), None)?;
    /// assert_eq!(name.canonical_given(), ["maria", "jose"]);
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn canonical_given(&self) -> Vec<&str> {
        let mut out = Vec::with_capacity(self.given.len() + 1);
        for token in &self.given {
            match formal_given_name(token) {
                Some(formal) => out.extend(formal.split(' ')),
                None => out.push(token.as_str()),
            }
        }
        out
    }

    /// The given names joined by one space (`"maria jose"`).
    pub fn given_joined(&self) -> String {
        self.given.join(" ")
    }

    /// The family names joined by one space (`"garcia lopez"`).
    pub fn family_joined(&self) -> String {
        self.family.join(" ")
    }
}

/// The formal given name or names a hypocorism stands for, if the folded
/// token is one (`"pepe"` -> `Some("jose")`, `"majo"` -> `Some("maria jose")`).
///
/// The table is Spanish-first: `tony` gives `antonio` and `alex` gives
/// `alejandro`; English short forms give English names (`bill` -> `william`).
///
/// ```
/// use omnid::normalize::name::formal_given_name;
///
/// assert_eq!(formal_given_name("paco"), Some("francisco"));
/// assert_eq!(formal_given_name("francisco"), None);
/// ```
pub fn formal_given_name(folded_token: &str) -> Option<&'static str> {
    let (_, formal) = lookup(pack(folded_token)?);
    let index = usize::from(formal).checked_sub(1)?;
    tables::HYPOCORISMS.get(index).map(|(_, formal)| *formal)
}

/// Whether a folded token is a known given name or hypocorism.
pub fn is_given_name(folded_token: &str) -> bool {
    class(folded_token) & GIVEN != 0
}

/// Word-list entries as big-endian integers, zero-padded, so that a lookup
/// compares integers instead of calling `memcmp`. Every entry fits in 16
/// bytes (a test checks).
const fn pack_bytes(word: &[u8]) -> u128 {
    let mut key = 0u128;
    let mut i = 0;
    while i < 16 {
        key <<= 8;
        if i < word.len() {
            key |= word[i] as u128;
        }
        i += 1;
    }
    key
}

/// The key of a token, `None` when it is too long to be in any list.
fn pack(token: &str) -> Option<u128> {
    let mut bytes = [0u8; 16];
    bytes
        .get_mut(..token.len())?
        .copy_from_slice(token.as_bytes());
    Some(u128::from_be_bytes(bytes))
}

const LEXICON_BITS: u32 = 11;
const LEXICON_SIZE: usize = 1 << LEXICON_BITS;

/// Every word list in one open-addressing hash table, built at compile time:
/// one lookup (about one probe, the table is a third full) tells all a token
/// is, where binary searches over the lists took tens of comparisons.
struct Lexicon {
    /// Packed words; 0 marks an empty slot (no word packs to 0).
    keys: [u128; LEXICON_SIZE],
    /// The word's classes ([`GIVEN`], [`PARTICLE`]...).
    classes: [u16; LEXICON_SIZE],
    /// For a hypocorism, 1 + its index in [`tables::HYPOCORISMS`]; else 0.
    formal: [u8; LEXICON_SIZE],
}

static LEXICON: Lexicon = Lexicon::build();

impl Lexicon {
    const fn slot(key: u128) -> usize {
        let mixed = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
        (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - LEXICON_BITS)) as usize
    }

    const fn insert(&mut self, word: &str, class: u16, formal: u8) {
        let key = pack_bytes(word.as_bytes());
        let mut i = Self::slot(key);
        while self.keys[i] != 0 && self.keys[i] != key {
            i = (i + 1) & (LEXICON_SIZE - 1);
        }
        self.keys[i] = key;
        self.classes[i] |= class;
        if formal != 0 {
            self.formal[i] = formal;
        }
    }

    const fn build() -> Lexicon {
        let mut lex = Lexicon {
            keys: [0; LEXICON_SIZE],
            classes: [0; LEXICON_SIZE],
            formal: [0; LEXICON_SIZE],
        };
        let mut i = 0;
        while i < tables::GIVEN_NAMES.len() {
            lex.insert(tables::GIVEN_NAMES[i], GIVEN, 0);
            i += 1;
        }
        i = 0;
        while i < tables::ALSO_FAMILY_NAMES.len() {
            lex.insert(tables::ALSO_FAMILY_NAMES[i], ALSO_FAMILY, 0);
            i += 1;
        }
        i = 0;
        while i < tables::HYPOCORISMS.len() {
            // Fewer than 255 entries (a test checks), so the index fits.
            lex.insert(tables::HYPOCORISMS[i].0, GIVEN, (i + 1) as u8);
            i += 1;
        }
        i = 0;
        while i < tables::WORD_CLASSES.len() {
            lex.insert(tables::WORD_CLASSES[i].0, tables::WORD_CLASSES[i].1, 0);
            i += 1;
        }
        lex
    }
}

/// The classes of a packed token, and its hypocorism index (1-based, 0 for none).
fn lookup(key: u128) -> (u16, u8) {
    let mut i = Lexicon::slot(key);
    loop {
        match LEXICON.keys.get(i) {
            Some(&k) if k == key => {
                let class = LEXICON.classes.get(i).copied().unwrap_or(0);
                return (class, LEXICON.formal.get(i).copied().unwrap_or(0));
            }
            Some(&0) | None => return (0, 0),
            Some(_) => i = (i + 1) & (LEXICON_SIZE - 1),
        }
    }
}

/// Normalizes a person's name from whichever of its fields a source has.
///
/// - `given` and `family` both present: taken as they are.
/// - `full` present and one of them missing: `full` is split (`given [given]
///   family1 [family2]`, or `family, given` with a comma), aligned with the
///   field that is present when it is a prefix or suffix of `full`.
/// - only `given`: trailing tokens that are not known given names become the
///   family name (`Juan Pérez` -> `juan` + `perez`; `María José` stays given).
/// - only `family`: taken as it is.
///
/// A field that is a placeholder (`cliente`, `n/a`, `sin nombre`, `xxx`) counts
/// as missing; when nothing is left the name is rejected as
/// [`RejectReason::Placeholder`] (or [`RejectReason::Empty`] when there was
/// nothing at all, [`RejectReason::Syntax`] when there were only digits).
///
/// ```
/// use omnid::normalize::name::normalize_person_name;
///
/// let name = normalize_person_name(None, None, Some("GARCÍA LÓPEZ, Mª José"))?;
/// assert_eq!(name.given, ["maria", "jose"]);
/// assert_eq!(name.family, ["garcia", "lopez"]);
///
/// let name = normalize_person_name(Some("José"), Some("de la Fuente"), None)?;
/// assert_eq!(name.family_joined(), "fuente");
/// assert_eq!(name.particles, ["de", "la"]);
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn normalize_person_name(
    given: Option<&str>,
    family: Option<&str>,
    full: Option<&str>,
) -> Result<PersonName, Rejection> {
    for part in [full, given].into_iter().flatten() {
        if let Some(relation) = relation_descriptor(part) {
            return Err(
                Rejection::new(RejectReason::Placeholder).with_detail(format!(
                    "`{relation} de ...` names a relation, not a person"
                )),
            );
        }
    }
    let mut cx = Context {
        // Allocated only when a token needs rewriting: canonical input is
        // read in place.
        buf: String::new(),
        raws: [
            given.unwrap_or(""),
            family.unwrap_or(""),
            full.unwrap_or(""),
        ],
        dropped: None,
    };
    // The parts are filled in place, never moved: each is a few hundred bytes.
    let mut g = Part::default();
    let mut f = Part::default();
    let has_g = given.is_some() && cx.field(SRC_GIVEN, None, Role::Given, &mut g)?;
    let has_f = family.is_some() && cx.field(SRC_FAMILY, None, Role::Family, &mut f)?;
    if has_g && has_f {
        return Ok(cx.build(&g, &f));
    }
    let from_full = match full {
        Some(_) => cx.full(&mut g, has_g, &mut f, has_f)?,
        None => None,
    };
    let (has_g, has_f) = from_full.unwrap_or((has_g, has_f));
    if !has_g && !has_f {
        let reason = cx.dropped.unwrap_or(RejectReason::Empty);
        return Err(Rejection::new(reason));
    }
    // A side that is not there is empty.
    if !has_g {
        g.len = 0;
    }
    if !has_f {
        f.len = 0;
    }
    let (given, family) = (&mut g, &mut f);
    if has_g && has_f {
        cx.side(given, Role::Given);
        cx.side(family, Role::Family);
    }
    // Given names alone are read as a given-name field would be, whether no
    // family name came or the one that came was a placeholder: the trailing
    // names that are not known given names are the family name.
    if family.is_empty() && given.len > 1 {
        let at = cx.given_field_split_at(given);
        family.assign(given.toks().get(at..).unwrap_or(&[]));
        given.truncate(at);
        cx.side(given, Role::Given);
        cx.side(family, Role::Family);
    }
    if given.is_empty() && family.is_empty() {
        return Err(Rejection::new(cx.dropped.unwrap_or(RejectReason::Empty)));
    }
    Ok(cx.build(given, family))
}

/// What a field holds, which decides the clean-up it gets.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    /// Given names or a full name: leading titles go, `Ma` before a given
    /// name is `María`, trailing suffixes (`Jr`, `III`) go.
    Given,
    /// Family names: trailing suffixes go.
    Family,
}

/// Where a token's text lies: the context's buffer, or a field as given.
const SRC_BUF: u8 = 0;
const SRC_GIVEN: u8 = 1;
const SRC_FAMILY: u8 = 2;
const SRC_FULL: u8 = 3;

/// The buffer stays below this, so that offsets fit a `u16` (expansions
/// appended after the check add far less than the margin).
const MAX_BUF: usize = 60_000;

/// Where a raw word starts: its field and byte offset.
#[derive(Clone, Copy)]
struct Origin {
    src: u8,
    start: usize,
}

/// One token: a range of the buffer or of a raw field.
#[derive(Clone, Copy, Default)]
struct Tok {
    /// [`SRC_BUF`], [`SRC_GIVEN`], [`SRC_FAMILY`] or [`SRC_FULL`].
    src: u8,
    start: u16,
    /// At most [`MAX_TOKEN_LEN`].
    len: u8,
    /// From a word with a dot or an ordinal indicator (`Don.`, `Dª`), or an
    /// expanded abbreviation: `don` and `dona` so marked are titles.
    marked: bool,
    /// What the word is, looked up once ([`class`]).
    class: u16,
}

/// Kinds of bytes in a word ([`BYTE_KINDS`]), so that one pass of table
/// look-ups tells which path of [`Context::word`] the word takes.
const LOWER_OR_DIGIT: u8 = 1;
const UPPER: u8 = 1 << 1;
const DOT: u8 = 1 << 2;
const NON_ASCII: u8 = 1 << 3;
/// `0xC2`, the first byte of the ordinal indicators.
const LEAD_C2: u8 = 1 << 4;
/// Any other byte.
const OTHER: u8 = 1 << 5;

const BYTE_KINDS: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            LOWER_OR_DIGIT
        } else if c.is_ascii_uppercase() {
            UPPER
        } else if c == b'.' {
            DOT
        } else if c == 0xC2 {
            NON_ASCII | LEAD_C2
        } else if !c.is_ascii() {
            NON_ASCII
        } else {
            OTHER
        };
        b += 1;
    }
    table
};

/// A known given name or hypocorism.
const GIVEN: u16 = 1;
/// A given name that is also a common family name.
const ALSO_FAMILY: u16 = 1 << 1;
/// A particle word (`de`, `van`, `y`).
const PARTICLE: u16 = 1 << 2;
/// A particle that given names carry too (`de`, `del`, `la`, `las`, `los`).
const SPANISH_PARTICLE: u16 = 1 << 3;
/// A conjunction particle (`y`, `i`, `e`): never first.
const CONJUNCTION: u16 = 1 << 4;
/// A title (`sr`, `dra`, `lic`).
const TITLE: u16 = 1 << 5;
/// `don` or `dona`: a title before a given name.
const DON: u16 = 1 << 6;
/// A suffix (`jr`, `iii`).
const SUFFIX: u16 = 1 << 7;
/// A placeholder word (`cliente`, `usuario`).
const PLACEHOLDER: u16 = 1 << 8;
/// `ma`, which may stand for María.
const MA: u16 = 1 << 9;
/// A word of a placeholder phrase (`n`, `sin`, `no`).
const PHRASE: u16 = 1 << 10;
/// An abbreviation that is no word of its own (`fco`, `fdez`).
const ABBREVIATION: u16 = 1 << 11;

/// Looks a folded token up in every word list, once.
fn class(token: &str) -> u16 {
    pack(token).map_or(0, |key| lookup(key).0)
}

/// The tokens of one field, in a fixed array: a name needs no heap for them.
#[derive(Clone, Copy, Default)]
struct Part {
    toks: [Tok; MAX_TOKENS],
    len: usize,
}

impl Part {
    fn toks(&self) -> &[Tok] {
        self.toks.get(..self.len).unwrap_or(&[])
    }

    fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn push(&mut self, tok: Tok) -> Result<(), Rejection> {
        let slot = self.toks.get_mut(self.len).ok_or_else(|| {
            Rejection::new(RejectReason::TooLong).with_detail("more than 24 words in a name")
        })?;
        *slot = tok;
        self.len += 1;
        Ok(())
    }

    fn remove(&mut self, index: usize) {
        if index < self.len {
            self.toks.copy_within(index + 1..self.len, index);
            self.len -= 1;
        }
    }

    /// Makes the part hold `toks` (at most [`MAX_TOKENS`] of them).
    fn assign(&mut self, toks: &[Tok]) {
        self.len = 0;
        for (slot, tok) in self.toks.iter_mut().zip(toks) {
            *slot = *tok;
            self.len += 1;
        }
    }

    /// Keeps the first `len` tokens.
    fn truncate(&mut self, len: usize) {
        self.len = self.len.min(len);
    }
}

/// A non-particle token with the particles just before it (`de la` + `fuente`).
#[derive(Clone, Copy, Default)]
struct Group {
    /// Index of the first token of the group (a particle, or the head).
    /// Indices are below [`MAX_TOKENS`]: `u8` keeps the group list small.
    first: u8,
    /// Index of the head.
    head: u8,
    /// The particles are only Spanish `de`, `del`, `la`, `las`, `los` (or none),
    /// which given names also carry (`María de los Ángeles`, `José de Jesús`).
    given_like: bool,
}

/// State shared by the fields of one name.
struct Context<'a> {
    /// Tokens that had to be rewritten (folded, expanded).
    buf: String,
    /// The given, family and full fields as they came.
    raws: [&'a str; 3],
    /// The strongest reason a field was dropped, for the final rejection.
    dropped: Option<RejectReason>,
}

impl<'a> Context<'a> {
    fn text(&self, tok: Tok) -> &str {
        let source = match tok.src {
            SRC_BUF => self.buf.as_str(),
            src => self.raw(src),
        };
        let start = usize::from(tok.start);
        source
            .get(start..start + usize::from(tok.len))
            .unwrap_or_default()
    }

    fn raw(&self, src: u8) -> &'a str {
        usize::from(src)
            .checked_sub(1)
            .and_then(|i| self.raws.get(i))
            .copied()
            .unwrap_or_default()
    }

    fn note(&mut self, reason: RejectReason) {
        let rank = |r: RejectReason| match r {
            RejectReason::Placeholder => 3,
            RejectReason::RepeatedCharacter => 2,
            RejectReason::Syntax => 1,
            _ => 0,
        };
        if self.dropped.is_none_or(|d| rank(reason) > rank(d)) {
            self.dropped = Some(reason);
        }
    }

    /// Tokenizes and cleans field `src` (or the byte `range` of it: a side of
    /// a `family, given` full name) into `part` (empty); false when it is
    /// empty or a placeholder.
    fn field(
        &mut self,
        src: u8,
        range: Option<Range<usize>>,
        role: Role,
        part: &mut Part,
    ) -> Result<bool, Rejection> {
        self.tokenize(src, range, role, part)?;
        Ok(self.keep_part(part))
    }

    /// Whether `part` is a name; empties it (and notes why) when it is a
    /// placeholder.
    fn keep_part(&mut self, part: &mut Part) -> bool {
        if part.is_empty() {
            return false;
        }
        match self.placeholder(part) {
            Some(reason) => {
                self.note(reason);
                part.len = 0;
                false
            }
            None => true,
        }
    }

    /// A side of a split, cleaned as its own field would be (a split can
    /// leave a title or a suffix at its edge: `María Jr María`); empty when
    /// dropped.
    fn side(&mut self, part: &mut Part, role: Role) {
        self.clean(part, role);
        self.keep_part(part);
    }

    /// Appends the tokens of field `src` (or of its byte `range`) to `part`
    /// and cleans them.
    fn tokenize(
        &mut self,
        src: u8,
        range: Option<Range<usize>>,
        role: Role,
        part: &mut Part,
    ) -> Result<(), Rejection> {
        let whole = self.raw(src);
        if whole.len() > MAX_RAW_LEN {
            return Err(Rejection::new(RejectReason::TooLong).with_detail("name over 4096 bytes"));
        }
        let base = range.as_ref().map_or(0, |r| r.start);
        let raw = match range {
            Some(r) => whole.get(r).unwrap_or_default(),
            None => whole,
        };
        let at = |s: usize| Origin {
            src,
            start: base + s,
        };
        let mut start = None;
        if raw.is_ascii() {
            for (i, b) in raw.bytes().enumerate() {
                if is_word_byte(b) {
                    start.get_or_insert(i);
                } else if let Some(s) = start.take() {
                    self.word(raw.get(s..i).unwrap_or_default(), at(s), part)?;
                }
            }
            if let Some(s) = start {
                self.word(raw.get(s..).unwrap_or_default(), at(s), part)?;
            }
            self.clean(part, role);
            return Ok(());
        }
        let mut i = 0;
        while i < raw.len() {
            let (word_char, ordinal, len) = char_class_at(raw, i);
            if word_char {
                let s = *start.get_or_insert(i);
                // `MªJosé`: the ordinal indicator ends an abbreviation.
                if ordinal {
                    let end = i + len;
                    self.word(raw.get(s..end).unwrap_or_default(), at(s), part)?;
                    start = None;
                }
            } else if let Some(s) = start.take() {
                self.word(raw.get(s..i).unwrap_or_default(), at(s), part)?;
            }
            i += len;
        }
        if let Some(s) = start {
            self.word(raw.get(s..).unwrap_or_default(), at(s), part)?;
        }
        self.clean(part, role);
        Ok(())
    }

    /// Folds one raw word (no white space), found at `origin`, into tokens.
    fn word(&mut self, word: &str, origin: Origin, part: &mut Part) -> Result<(), Rejection> {
        // One pass over the bytes says which of the paths below the word takes.
        let kinds = word.bytes().fold(0, |k, b| {
            k | BYTE_KINDS.get(usize::from(b)).copied().unwrap_or(0)
        });
        let folded = kinds & !LOWER_OR_DIGIT == 0;
        let alphanumeric = kinds & !(LOWER_OR_DIGIT | UPPER) == 0;
        let dot = kinds & DOT != 0;
        let ascii = kinds & NON_ASCII == 0;
        // The ordinal indicators `ª`, `º`, `°` are encoded `0xC2` then a byte.
        let c2 = kinds & LEAD_C2 != 0;
        if folded {
            // Already folded, most words of clean data: read in place.
            if self.token(origin.src, origin.start, word.len(), false, part)? {
                self.note(RejectReason::Syntax);
            }
            return Ok(());
        }
        if alphanumeric {
            // Plain ASCII letters and digits: one copy, lower-cased in place.
            self.reserve_buf();
            if !self.buf.is_empty() {
                self.buf.push(' ');
            }
            let start = self.buf.len();
            self.buf.push_str(word);
            self.check_buf()?;
            if let Some(token) = self.buf.get_mut(start..) {
                token.make_ascii_lowercase();
            }
            if self.token(SRC_BUF, start, word.len(), false, part)? {
                self.note(RejectReason::Syntax);
            }
            return Ok(());
        }
        let ord = c2 && word.contains(is_ordinal);
        let from = self.buf.len();
        self.reserve_buf();
        // Not folded (it has a byte other than a lower-case letter or digit,
        // and no space), so no check for that again.
        fold_unfolded_into(word, ascii, &mut self.buf);
        self.check_buf()?;
        if dot || ord {
            // `M.ª`, `Fdo.`: the letters of the whole word may be an abbreviation.
            let folded = self.buf.get(from..).unwrap_or_default();
            let mut letters = [0u8; 8];
            let mut n = 0;
            for b in folded.bytes().filter(|&b| b != b' ') {
                if let Some(slot) = letters.get_mut(n) {
                    *slot = b;
                }
                n += 1;
            }
            let expansion = letters
                .get(..n)
                .and_then(|l| std::str::from_utf8(l).ok())
                .and_then(|l| abbreviation(l, dot, ord));
            if let Some(expansion) = expansion {
                self.buf.truncate(from);
                return part.push(self.append(expansion));
            }
        }
        let end = self.buf.len();
        let mut digits = false;
        let mut start = from;
        for i in from..=end {
            if self.buf.as_bytes().get(i).is_none_or(|&b| b == b' ') {
                if i > start {
                    digits |= self.token(SRC_BUF, start, i - start, dot || ord, part)?;
                }
                start = i + 1;
            }
        }
        if digits {
            self.note(RejectReason::Syntax);
        }
        Ok(())
    }

    /// Adds the folded token at `start..start + len` of source `src` to
    /// `part`; true when it was left out for holding digits.
    fn token(
        &mut self,
        src: u8,
        start: usize,
        len: usize,
        marked: bool,
        part: &mut Part,
    ) -> Result<bool, Rejection> {
        let token = match src {
            SRC_BUF => self.buf.as_str(),
            src => self.raw(src),
        }
        .get(start..start + len)
        .unwrap_or_default();
        if token.bytes().any(|b| b.is_ascii_digit()) {
            // `Cliente 123`, `Juan Pérez 2`: digits are not part of a name.
            return Ok(true);
        }
        if token.len() > MAX_TOKEN_LEN {
            return Err(Rejection::new(RejectReason::TooLong)
                .with_detail("a word of a name is over 64 letters"));
        }
        let class = class(token);
        let expansion = if class & ABBREVIATION != 0 {
            plain_abbreviation(token)
        } else {
            None
        };
        let tok = match expansion {
            // `J.Fdez`: an abbreviation inside a word with other letters.
            Some(expansion) => self.append(expansion),
            None => Tok {
                src,
                start: to_u16(start),
                len: to_u8(len),
                marked,
                class,
            },
        };
        part.push(tok)?;
        Ok(false)
    }

    /// Keeps buffer offsets within a `u16`: folding can grow text
    /// (`any_ascii` spells some letters as words). The word limit rejects
    /// such names first today; this guard keeps offsets exact regardless.
    fn check_buf(&self) -> Result<(), Rejection> {
        if self.buf.len() > MAX_BUF {
            return Err(Rejection::new(RejectReason::TooLong).with_detail("name too long"));
        }
        Ok(())
    }

    /// Sizes the buffer once, on first use, for all the fields: one
    /// allocation instead of a few reallocations.
    fn reserve_buf(&mut self) {
        if self.buf.capacity() == 0 {
            let total: usize = self.raws.iter().map(|r| r.len()).sum();
            // Twice the input: room for expansions (`Fco.` -> `francisco`).
            self.buf.reserve(2 * total.min(MAX_BUF) + 64);
        }
    }

    /// Appends a word to the buffer, as a marked token.
    fn append(&mut self, word: &str) -> Tok {
        self.reserve_buf();
        if !self.buf.is_empty() {
            self.buf.push(' ');
        }
        let start = self.buf.len();
        self.buf.push_str(word);
        Tok {
            src: SRC_BUF,
            start: to_u16(start),
            len: to_u8(word.len()),
            marked: true,
            class: class(word),
        }
    }

    /// Drops placeholder words next to a real name (`Cliente Juan Pérez`),
    /// writes out `Ma` as `María`, drops titles and suffixes.
    fn clean(&mut self, part: &mut Part, role: Role) {
        let has_placeholder = part.toks().iter().any(|t| t.class & PLACEHOLDER != 0);
        let real = || {
            (0..part.len).any(|i| {
                part.toks
                    .get(i)
                    .is_some_and(|t| t.class & PLACEHOLDER == 0 && !self.is_particle(part, i))
            })
        };
        if has_placeholder && real() && self.placeholder(part).is_none() {
            let mut i = 0;
            while let Some(t) = part.toks().get(i) {
                if t.class & PLACEHOLDER != 0 {
                    part.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        if role != Role::Family {
            // From the end, so that `Ma Ma José` settles in one pass.
            for i in (0..part.len.saturating_sub(1)).rev() {
                let (Some(&tok), Some(&next)) = (part.toks.get(i), part.toks.get(i + 1)) else {
                    break;
                };
                if tok.class & MA != 0 && next.class & (PARTICLE | GIVEN) != 0 {
                    // `Ma José`, `Ma del Carmen`: an abbreviation of María written
                    // without its mark; `Ma Long` keeps its `Ma`.
                    let maria = self.append("maria");
                    if let Some(slot) = part.toks.get_mut(i) {
                        *slot = maria;
                    }
                }
            }
        }
        if role != Role::Family {
            // Titles lead, possibly after stray particles (`de Sr. María`).
            let mut i = 0;
            while part.len > 1 && i < part.len {
                if self.is_title(part, i) {
                    part.remove(i);
                } else if self.is_particle(part, i) {
                    i += 1;
                } else {
                    break;
                }
            }
        }
        while part.len > 1 && part.toks().last().is_some_and(|t| t.class & SUFFIX != 0) {
            part.len -= 1;
        }
    }

    fn is_title(&self, part: &Part, index: usize) -> bool {
        let Some(&tok) = part.toks.get(index) else {
            return false;
        };
        if tok.class & TITLE != 0 {
            return true;
        }
        // `Don José` is a title; `Don Johnson` is a name.
        tok.class & DON != 0
            && (tok.marked
                || (index + 1..part.len)
                    .find(|&j| !self.is_particle(part, j))
                    .and_then(|j| part.toks.get(j))
                    .is_some_and(|n| n.class & GIVEN != 0))
    }

    /// Why a field is no name at all, if it is not. Particles do not count:
    /// `Usuario de WhatsApp` is as much a placeholder as `Usuario`.
    fn placeholder(&self, part: &Part) -> Option<RejectReason> {
        let classes = part.toks().iter().fold(0, |c, t| c | t.class);
        if classes & (PLACEHOLDER | PHRASE | TITLE | DON | PARTICLE) == 0 {
            // The common case: ordinary words, nothing to look at closer.
            return match part.toks() {
                [only] => repeated(self.text(*only)),
                _ => None,
            };
        }
        // Enough for the longest placeholder phrase.
        let mut words = [""; 3];
        let mut n = 0;
        let mut only_titles = true;
        let mut all_placeholders = true;
        for (i, tok) in part.toks().iter().enumerate() {
            if self.is_particle(part, i) {
                continue;
            }
            only_titles &= self.is_title(part, i);
            all_placeholders &= tok.class & PLACEHOLDER != 0;
            if let Some(slot) = words.get_mut(n) {
                *slot = self.text(*tok);
            }
            n += 1;
        }
        if n == 0 {
            return None;
        }
        if n == 1
            && let Some(reason) = repeated(words[0])
        {
            return Some(reason);
        }
        let phrase = classes & PHRASE != 0
            && words
                .get(..n)
                .is_some_and(|w| PLACEHOLDER_PHRASES.contains(&w));
        // `Sr.` alone, `Dra.`: a title with no name.
        (phrase || only_titles || all_placeholders).then_some(RejectReason::Placeholder)
    }

    /// Whether token `index` of `part` is a particle there: a particle word,
    /// not the last token (`Le` alone is a family name), and for the
    /// conjunctions `y`, `i`, `e`, not the first either.
    fn is_particle(&self, part: &Part, index: usize) -> bool {
        let Some(&tok) = part.toks.get(index) else {
            return false;
        };
        if index + 1 >= part.len || tok.class & PARTICLE == 0 {
            return false;
        }
        if tok.class & CONJUNCTION == 0 {
            return true;
        }
        // `García y López`, `Puig i Cadafalch`: a conjunction joins family
        // names; after a given name it is an initial (`Juan E. Pérez`).
        index
            .checked_sub(1)
            .and_then(|i| part.toks.get(i))
            .is_some_and(|prev| prev.class & GIVEN == 0 || prev.class & ALSO_FAMILY != 0)
    }

    /// The groups of a part, and how many there are.
    fn groups(&self, part: &Part) -> ([Group; MAX_TOKENS], usize) {
        let mut groups = [Group::default(); MAX_TOKENS];
        let mut n = 0;
        let mut first = 0;
        let mut given_like = true;
        for i in 0..part.len {
            if self.is_particle(part, i) {
                given_like &= part
                    .toks
                    .get(i)
                    .is_some_and(|t| t.class & SPANISH_PARTICLE != 0);
                continue;
            }
            if let Some(slot) = groups.get_mut(n) {
                *slot = Group {
                    first: to_u8(first),
                    head: to_u8(i),
                    given_like,
                };
                n += 1;
            }
            first = i + 1;
            given_like = true;
        }
        (groups, n)
    }

    fn head(part: &Part, group: &Group) -> u16 {
        part.toks
            .get(usize::from(group.head))
            .map_or(0, |t| t.class)
    }

    /// A group that can be a given name: a known one, or an initial.
    fn group_is_given(&self, part: &Part, group: &Group) -> bool {
        group.given_like && (Self::head(part, group) & GIVEN != 0 || Self::is_initial(part, group))
    }

    /// A known given name that is not also a common family name.
    fn group_is_given_only(&self, part: &Part, group: &Group) -> bool {
        group.given_like && Self::head(part, group) & (GIVEN | ALSO_FAMILY) == GIVEN
    }

    fn is_initial(part: &Part, group: &Group) -> bool {
        part.toks
            .get(usize::from(group.head))
            .is_some_and(|t| t.len == 1)
    }

    /// Where a full name with no comma splits (the index of the first family
    /// token): given names end at the first group that is not a known given
    /// name, at least one family name is kept, and a given name that is also
    /// a family name (`Martín`) goes to the family when taking it would leave
    /// fewer than two family names.
    ///
    /// A name that starts with no given name and ends with given names, with
    /// at least two family names before them, is read family first
    /// (`GONZALEZ RODRIGUEZ JUAN CARLOS`, as some systems export names); the
    /// flag says so, and the index is then that of the first given token.
    fn split_full_at(&self, part: &Part) -> (usize, bool) {
        let (groups, n) = self.groups(part);
        let groups = groups.get(..n).unwrap_or(&[]);
        if n <= 1 || groups.iter().all(|g| self.group_is_given_only(part, g)) {
            return (part.len, false);
        }
        if let (Some(first), Some(last)) = (groups.first(), groups.last())
            && !self.group_is_given(part, first)
            && self.group_is_given_only(part, last)
        {
            let mut start = n;
            while start > 0
                && groups
                    .get(start - 1)
                    .is_some_and(|g| self.group_is_given(part, g))
            {
                start -= 1;
            }
            if start >= 2
                && let Some(g) = groups.get(start)
            {
                return (usize::from(g.first), true);
            }
        }
        let mut given = 1;
        while let Some(g) = groups.get(given)
            && given + 1 < n
            && self.group_is_given(part, g)
            && (self.group_is_given_only(part, g) || Self::is_initial(part, g) || n >= given + 3)
        {
            given += 1;
        }
        (
            groups.get(given).map_or(part.len, |g| usize::from(g.first)),
            false,
        )
    }

    /// Where a given-name field with no family field splits: trailing groups
    /// from the first one that is not a known given name are the family name.
    fn given_field_split_at(&self, part: &Part) -> usize {
        let (groups, n) = self.groups(part);
        let groups = groups.get(..n).unwrap_or(&[]);
        let mut given = 1;
        while let Some(g) = groups.get(given)
            && self.group_is_given(part, g)
        {
            given += 1;
        }
        groups.get(given).map_or(part.len, |g| usize::from(g.first))
    }

    /// Splits `full` when a given or family field is missing, into `given`
    /// and `family` (which hold the fields' parts; `has_g` and `has_f` say
    /// whether those are there): which sides are there after the split, or
    /// `None` when `full` is empty or a placeholder (the parts untouched).
    fn full(
        &mut self,
        given: &mut Part,
        has_g: bool,
        family: &mut Part,
        has_f: bool,
    ) -> Result<Option<(bool, bool)>, Rejection> {
        let raw = self.raw(SRC_FULL);
        if let Some(comma) = raw.find(',') {
            let mut f = Part::default();
            let mut g = Part::default();
            let has_f = self.field(SRC_FULL, Some(0..comma), Role::Family, &mut f)?;
            let has_g = self.field(SRC_FULL, Some(comma + 1..raw.len()), Role::Given, &mut g)?;
            if !has_g && !has_f {
                return Ok(None);
            }
            given.assign(g.toks());
            family.assign(f.toks());
            return Ok(Some((has_g, has_f)));
        }
        let mut part = Part::default();
        if !self.field(SRC_FULL, None, Role::Given, &mut part)? {
            return Ok(None);
        }
        if has_g
            && given.len < part.len
            && self.same_tokens(given.toks(), part.toks().get(..given.len))
        {
            family.assign(part.toks().get(given.len..).unwrap_or(&[]));
            return Ok(Some((true, true)));
        }
        if has_f
            && family.len < part.len
            && self.same_tokens(family.toks(), part.toks().get(part.len - family.len..))
        {
            given.assign(part.toks().get(..part.len - family.len).unwrap_or(&[]));
            return Ok(Some((true, true)));
        }
        let (at, family_first) = self.split_full_at(&part);
        let (head, tail) = part.toks().split_at(at.min(part.len));
        if family_first {
            given.assign(tail);
            family.assign(head);
            Ok(Some((true, true)))
        } else {
            given.assign(head);
            family.assign(tail);
            Ok(Some((true, !tail.is_empty())))
        }
    }

    fn same_tokens(&self, a: &[Tok], b: Option<&[Tok]>) -> bool {
        b.is_some_and(|b| {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| self.text(*x) == self.text(*y))
        })
    }

    fn build(&self, given: &Part, family: &Part) -> PersonName {
        let mut name = PersonName {
            given: Vec::with_capacity(given.len),
            family: Vec::with_capacity(family.len),
            particles: Vec::new(),
        };
        for (part, out) in [(given, &mut name.given), (family, &mut name.family)] {
            for (i, tok) in part.toks().iter().enumerate() {
                let text = self.text(*tok).to_owned();
                if self.is_particle(part, i) {
                    name.particles.push(text);
                } else {
                    out.push(text);
                }
            }
        }
        name
    }
}

/// One letter repeated (`xxx`, `aaaa`): `x` and two letters are placeholders.
fn repeated(token: &str) -> Option<RejectReason> {
    let t = token.as_bytes();
    let &first = t.first()?;
    (t.len() >= 2 && t.iter().all(|&b| b == first)).then_some(if first == b'x' || t.len() < 3 {
        RejectReason::Placeholder
    } else {
        RejectReason::RepeatedCharacter
    })
}

fn to_u16(n: usize) -> u16 {
    u16::try_from(n).unwrap_or(u16::MAX)
}

fn to_u8(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

/// The word an abbreviation stands for, from its folded letters and whether
/// it had a dot (`Fdo.`) or an ordinal indicator (`Mª`, `Jº`).
fn abbreviation(letters: &str, dot: bool, ord: bool) -> Option<&'static str> {
    // The hash look-up rules most words out before the binary search.
    if class(letters) & ABBREVIATION != 0 {
        return plain_abbreviation(letters);
    }
    if ord {
        // `J°` folds to `j`, `Jº` to `jo`; with a dot `J.` stays an initial.
        match letters {
            "j" | "jo" => return Some("jose"),
            "da" => return Some("dona"),
            _ => {}
        }
    }
    if dot || ord {
        return match letters {
            "ma" => Some("maria"),
            "ant" => Some("antonio"),
            "mig" => Some("miguel"),
            "sta" => Some("santa"),
            "sto" => Some("santo"),
            _ => None,
        };
    }
    None
}

/// The word an abbreviation that is no word of its own stands for (`fco`).
fn plain_abbreviation(token: &str) -> Option<&'static str> {
    tables::ABBREVIATIONS
        .binary_search_by(|(k, _)| (*k).cmp(token))
        .ok()
        .and_then(|i| tables::ABBREVIATIONS.get(i))
        .map(|(_, word)| *word)
}

/// Phrases that stand for a missing name, as token sequences.
const PLACEHOLDER_PHRASES: &[&[&str]] = &[
    &["n", "a"],
    &["n", "d"],
    &["s", "n"],
    &["nd"],
    &["sn"],
    &["x"],
    &["sin", "nombre"],
    &["sin", "apellido"],
    &["sin", "apellidos"],
    &["sin", "dato"],
    &["sin", "datos"],
    &["no", "name"],
    &["noname"],
    &["no", "aplica"],
    &["no", "tiene"],
    &["no", "registra"],
    &["no", "informado"],
    &["ninguno"],
    &["ninguna"],
    &["no", "se", "sabe"],
];

/// [`fold`] without allocating when `raw` is already folded (the common case
/// for values that went through omnid before).
///
/// ```
/// use omnid::normalize::name::fold_cow;
/// use std::borrow::Cow;
///
/// assert!(matches!(fold_cow("maria jose"), Cow::Borrowed(_)));
/// assert_eq!(fold_cow("María José"), "maria jose");
/// ```
pub fn fold_cow(raw: &str) -> Cow<'_, str> {
    if is_folded(raw) {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(fold(raw))
    }
}

/// Whether `s` is already in the form [`fold`] gives.
pub fn is_folded(s: &str) -> bool {
    // Starts as if after a space, so that a leading space fails too.
    let mut after_space = true;
    for &c in s.as_bytes() {
        if c == b' ' {
            if after_space {
                return false;
            }
            after_space = true;
        } else if c.is_ascii_lowercase() || c.is_ascii_digit() {
            after_space = false;
        } else {
            return false;
        }
    }
    s.is_empty() || !after_space
}

#[cfg(test)]
mod tests;

/// Words that, followed by `de`/`del`, describe someone by a relation
/// (`Mamá de Lucas`, `Esposa de Juan`): WhatsApp and social profile names
/// that many different people carry.
const RELATIONS: &[&str] = &[
    "abuela", "abuelo", "esposa", "esposo", "hermana", "hermano", "hija", "hijo", "madre", "mama",
    "mami", "novia", "novio", "padre", "papa", "papi", "tia", "tio",
];

/// The relation word, when `raw` starts with `<relation> de` or `<relation> del`.
fn relation_descriptor(raw: &str) -> Option<&'static str> {
    let head = raw.trim_start();
    // Every relation starts with one of these letters: most names stop here.
    if let Some(&b) = head.as_bytes().first()
        && b.is_ascii_alphanumeric()
        && !matches!(
            b.to_ascii_lowercase(),
            b'a' | b'e' | b'h' | b'm' | b'n' | b'p' | b't'
        )
    {
        return None;
    }
    // Only the first two words matter: fold a short prefix into a stack
    // buffer, not the whole value into a `String`. Cutting the fold at 64
    // bytes changes no answer: a relation and `del` fit in 11, and a longer
    // first or second word is no match whether cut or not.
    let mut folded = [0u8; 64];
    let mut len = 0;
    let mut pending = false;
    let mut first_word_checked = false;
    // Separators, however many, do not count: `mami{{{{de` is `mami de`.
    for c in head.chars() {
        // The first word is whole at the first separator after it: most
        // names stop there, their first word being no relation.
        if pending && len > 0 && !first_word_checked {
            if !is_relation(folded.get(..len).unwrap_or_default()) {
                return None;
            }
            first_word_checked = true;
        }
        // The second word is whole at the separator after it, or cut at the
        // buffer's end: long past `del` either way.
        let second_started = folded.get(..len).is_some_and(|f| f.contains(&b' '));
        if (pending && second_started) || len >= folded.len() {
            break;
        }
        // The same byte rules as [`Sink::byte`].
        fold_char(c, |b| {
            if b.is_ascii_alphanumeric() {
                let space = pending && len > 0;
                pending = false;
                let bytes = [b' ', b.to_ascii_lowercase()];
                for &b in bytes.get(usize::from(!space)..).unwrap_or_default() {
                    if let Some(slot) = folded.get_mut(len) {
                        *slot = b;
                        len += 1;
                    }
                }
            } else if b != b'\'' && b != b'`' {
                pending = true;
            }
        });
    }
    let mut words = folded.get(..len)?.split(|&b| b == b' ');
    let first = words.next()?;
    let relation = RELATIONS.iter().find(|r| r.as_bytes() == first)?;
    matches!(words.next(), Some(b"de" | b"del")).then_some(relation)
}

fn is_relation(word: &[u8]) -> bool {
    RELATIONS.iter().any(|r| r.as_bytes() == word)
}
