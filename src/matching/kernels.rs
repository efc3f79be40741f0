//! String-similarity kernels: Jaro, Jaro-Winkler, Levenshtein, optimal
//! string alignment (restricted Damerau-Levenshtein) and token Jaccard.
//!
//! Inputs are byte strings. The normalizer hands over names that are already
//! ASCII-folded and lower-cased, but every function here is exact on any
//! bytes: a byte is a symbol, and two strings are compared byte by byte.
//!
//! # Three ways to call
//!
//! - **One pair**: [`jaro`], [`jaro_winkler`], [`levenshtein`],
//!   [`levenshtein_bounded`], [`damerau_osa`].
//! - **One pattern against many strings**: [`CachedPattern`] builds the
//!   pattern's bit masks once (like rapidfuzz's cached scorers).
//! - **Many patterns against many strings**: [`PatternBatch`] packs up to 32
//!   patterns side by side in the lanes of machine words and compares one
//!   string with all of them in one pass (like rapidfuzz's `cdist`). This is
//!   the fastest way to score all pairs of a block.
//!
//! # Algorithms
//!
//! Levenshtein and OSA are the bit-vector algorithms of Myers (1999) and
//! Hyyrö (2003): one machine word holds a column of the dynamic-programming
//! matrix, so a pair of strings of `m <= 64` and `n` bytes costs `n` steps of
//! a dozen word operations. Jaro flags its common characters with bit masks
//! restricted to the search window, as rapidfuzz does. A pattern's masks live
//! in a table indexed by byte; one-pair calls use the narrowest word that
//! holds the pattern (`[u8; 256]` for up to 8 bytes ... `[u64; 256]`), since
//! zeroing the table is most of their set-up cost.
//!
//! # Which to use
//!
//! Scoring all pairs of a block, use [`PatternBatch`]: on ~13-byte names it
//! scores several times more pairs per second than [`CachedPattern`] (about
//! 60M Jaro-Winkler and 180M Levenshtein pairs/s on one core of a 2-core
//! EPYC, baseline x86-64 build), which in turn beats a one-pair call by
//! skipping the set-up. For one record against a few candidates, the
//! one-pair functions are simplest.
//!
//! # Allocation
//!
//! No function allocates on the heap when at least one of the two strings is
//! at most 64 bytes long (after removing the common prefix, and for
//! Levenshtein and OSA the common suffix), which covers names. Two longer
//! strings fall back to a multi-word bit-vector (Levenshtein), a band of
//! flags (Jaro) or a three-row dynamic programme (OSA), which allocate once
//! per pair. [`CachedPattern`] and [`PatternBatch`] allocate when they are
//! built, never per comparison (checked by a test with a counting allocator).
//!
//! # Conventions
//!
//! The results are those of the `strsim` crate (checked by property tests):
//! Jaro of two empty strings is 1 and of one empty string 0; Jaro-Winkler
//! boosts a Jaro similarity above 0.7 by `0.1 * prefix * (1 - jaro)`, with
//! the common prefix counted up to 4 bytes (as Splink, rapidfuzz and strsim).

use std::cmp::Ordering;
use std::ops::{BitAnd, BitOr, BitXor, Not, Shl};

/// The bit-vector algorithms hold a pattern of up to this many bytes in one word.
const WORD_BITS: usize = 64;

/// Jaro-Winkler prefix scale.
const WINKLER_SCALE: f64 = 0.1;
/// Jaro-Winkler counts at most this many bytes of common prefix.
const WINKLER_MAX_PREFIX: usize = 4;
/// Jaro-Winkler boosts only Jaro similarities above this threshold.
const WINKLER_THRESHOLD: f64 = 0.7;

/// Converts a length or a distance to `u32`, saturating (inputs over 4 GiB only).
fn saturate_u32(x: usize) -> u32 {
    u32::try_from(x).unwrap_or(u32::MAX)
}

/// A word with the `k` lowest bits set (all 64 when `k >= 64`).
fn low_bits(k: usize) -> u64 {
    if k >= WORD_BITS {
        u64::MAX
    } else {
        (1u64 << k) - 1
    }
}

/// The Jaro search window: characters match when at most this far apart.
fn jaro_bound(m: usize, n: usize) -> usize {
    (m.max(n) / 2).saturating_sub(1)
}

/// The Jaro similarity from the lengths of the text `n` and the pattern `m`,
/// the number of common characters and of half-transpositions.
///
/// The operations follow strsim's exactly, so the results are equal bit for bit.
fn jaro_from_counts(n: usize, m: usize, common: usize, half_transpositions: usize) -> f64 {
    if n == 0 && m == 0 {
        return 1.0;
    }
    if common == 0 {
        return 0.0;
    }
    let c = common as f64;
    let t = (half_transpositions / 2) as f64;
    ((c / n as f64) + (c / m as f64) + ((c - t) / c)) / 3.0
}

/// Adds the Winkler prefix boost to a Jaro similarity.
fn winkler(sim: f64, prefix: usize) -> f64 {
    if sim > WINKLER_THRESHOLD {
        sim + WINKLER_SCALE * prefix as f64 * (1.0 - sim)
    } else {
        sim
    }
}

/// Length of the common prefix of `a` and `b`, counted up to 4 bytes.
fn winkler_prefix(a: &[u8], b: &[u8]) -> usize {
    winkler_prefix_heads(head4(a), head4(b), a.len(), b.len())
}

/// Where the one-word kernels read a pattern's bit masks from.
trait PatternMasks {
    /// Bit `i` is set when the pattern's byte `i` is `c`.
    fn get(&self, c: u8) -> u64;
}

/// The bit masks of a pattern of at most `W::BITS` bytes, one word per byte
/// value. One-pair calls take the narrowest word that holds the pattern:
/// zeroing the table is most of their set-up cost, and a `u8` table is 256
/// bytes where a `u64` one is 2 KiB.
#[derive(Clone)]
struct Masks<W: Lane> {
    table: [W; 256],
}

impl<W: Lane> Masks<W> {
    /// Masks of `pattern`; bytes past the `W::BITS`-th are ignored (callers
    /// check the length).
    fn new(pattern: &[u8]) -> Self {
        let mut table = [W::ZERO; 256];
        for (i, &c) in pattern.iter().take(W::BITS).enumerate() {
            let slot = &mut table[usize::from(c)];
            *slot = *slot | (W::ONE << u32::try_from(i).unwrap_or_default());
        }
        Masks { table }
    }
}

impl<W: Lane> PatternMasks for Masks<W> {
    #[inline(always)]
    fn get(&self, c: u8) -> u64 {
        self.table[usize::from(c)].into()
    }
}

/// Evaluates `$body` with `$pm` bound to the masks of `$pattern` (1 to 64
/// bytes) in the narrowest table that holds it.
macro_rules! with_masks {
    ($pattern:expr, |$pm:ident| $body:expr) => {
        match $pattern.len() {
            0..=8 => {
                let $pm = &Masks::<u8>::new($pattern);
                $body
            }
            9..=16 => {
                let $pm = &Masks::<u16>::new($pattern);
                $body
            }
            17..=32 => {
                let $pm = &Masks::<u32>::new($pattern);
                $body
            }
            _ => {
                let $pm = &Masks::<u64>::new($pattern);
                $body
            }
        }
    };
}

/// Length of the common prefix of `a` and `b`, compared 8 bytes at a time.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let mut i = 0;
    while let (Some(x), Some(y)) = (a.get(i..i + 8), b.get(i..i + 8)) {
        let diff = word_le(x) ^ word_le(y);
        if diff != 0 {
            return i + (diff.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let (a, b) = (
        a.get(i..).unwrap_or_default(),
        b.get(i..).unwrap_or_default(),
    );
    i + a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

/// Length of the common suffix of `a` and `b`, compared 8 bytes at a time.
fn common_suffix(a: &[u8], b: &[u8]) -> usize {
    let mut i = 0;
    while let (Some(x), Some(y)) = (
        a.len().checked_sub(i + 8).and_then(|s| a.get(s..s + 8)),
        b.len().checked_sub(i + 8).and_then(|s| b.get(s..s + 8)),
    ) {
        let diff = word_le(x) ^ word_le(y);
        if diff != 0 {
            return i + (diff.leading_zeros() / 8) as usize;
        }
        i += 8;
    }
    let a = a.get(..a.len() - i).unwrap_or_default();
    let b = b.get(..b.len() - i).unwrap_or_default();
    i + a
        .iter()
        .rev()
        .zip(b.iter().rev())
        .take_while(|(x, y)| x == y)
        .count()
}

/// An 8-byte slice as a little-endian word (0 for any other length).
fn word_le(x: &[u8]) -> u64 {
    <[u8; 8]>::try_from(x).map_or(0, u64::from_le_bytes)
}

// ---------------------------------------------------------------------------
// Jaro
// ---------------------------------------------------------------------------

/// Jaro counts for a pattern of at most 64 bytes (masks `pm`) and a text of at
/// most 64 bytes, with the search window `bound`: (common characters,
/// half-transpositions).
///
/// The text is scanned left to right and each text byte takes the lowest
/// unflagged equal pattern byte inside the window: strsim's greedy order.
fn jaro_counts_word(pm: &impl PatternMasks, bound: usize, text: &[u8]) -> (usize, usize) {
    debug_assert!(text.len() <= WORD_BITS);
    let mut window = low_bits(bound + 1);
    let mut p_flag = 0u64;
    let mut t_flag = 0u64;
    for (j, &c) in text.iter().enumerate() {
        let x = pm.get(c) & window & !p_flag;
        p_flag |= x & x.wrapping_neg();
        t_flag |= u64::from(x != 0) << j;
        window = (window << 1) | u64::from(j < bound);
    }
    let common = p_flag.count_ones() as usize;
    let mut half = 0usize;
    while t_flag != 0 {
        let j = t_flag.trailing_zeros() as usize;
        let low = p_flag & p_flag.wrapping_neg();
        let c = text.get(j).copied().unwrap_or_default();
        half += usize::from(pm.get(c) & low == 0);
        t_flag &= t_flag - 1;
        p_flag ^= low;
    }
    (common, half)
}

/// Jaro counts for a pattern of `m <= 64` bytes and a text of any length.
///
/// The text flags do not fit a word, so a second pass replays the flagging
/// to know which text bytes matched while it pairs them with the pattern's
/// flags: twice the flagging work, no memory.
fn jaro_counts_long_text(
    pm: &impl PatternMasks,
    m: usize,
    bound: usize,
    text: &[u8],
) -> (usize, usize) {
    // Text bytes past the pattern's end plus the window never match.
    let text = text.get(..m + bound).unwrap_or(text);
    let mut window = low_bits(bound + 1);
    let mut p_flag = 0u64;
    for (j, &c) in text.iter().enumerate() {
        let x = pm.get(c) & window & !p_flag;
        p_flag |= x & x.wrapping_neg();
        window = (window << 1) | u64::from(j < bound);
    }
    let common = p_flag.count_ones() as usize;
    let mut half = 0usize;
    let mut window = low_bits(bound + 1);
    let mut replay = 0u64;
    for (j, &c) in text.iter().enumerate() {
        let pmc = pm.get(c);
        let x = pmc & window & !replay;
        if x != 0 {
            replay |= x & x.wrapping_neg();
            let low = p_flag & p_flag.wrapping_neg();
            half += usize::from(pmc & low == 0);
            p_flag ^= low;
        }
        window = (window << 1) | u64::from(j < bound);
    }
    (common, half)
}

/// Jaro counts for strings longer than 64 bytes: strsim's greedy flagging
/// over a band, with flag vectors (allocates).
fn jaro_counts_long(text: &[u8], pattern: &[u8], bound: usize) -> (usize, usize) {
    let mut t_flags = vec![false; text.len()];
    let mut p_flags = vec![false; pattern.len()];
    let mut common = 0usize;
    for (j, (&c, t_flag)) in text.iter().zip(t_flags.iter_mut()).enumerate() {
        let lo = j.saturating_sub(bound).min(pattern.len());
        let hi = (j + bound + 1).min(pattern.len());
        let (Some(band), Some(flags)) = (pattern.get(lo..hi), p_flags.get_mut(lo..hi)) else {
            continue;
        };
        if let Some((_, flag)) = band
            .iter()
            .zip(flags.iter_mut())
            .find(|(p, flag)| **p == c && !**flag)
        {
            *flag = true;
            *t_flag = true;
            common += 1;
        }
    }
    let matched_pattern = pattern
        .iter()
        .zip(&p_flags)
        .filter(|(_, f)| **f)
        .map(|(c, _)| c);
    let matched_text = text
        .iter()
        .zip(&t_flags)
        .filter(|(_, f)| **f)
        .map(|(c, _)| c);
    let half = matched_text
        .zip(matched_pattern)
        .filter(|(x, y)| x != y)
        .count();
    (common, half)
}

/// Jaro similarity of `a` and `b`, in `[0, 1]` (1 for equal strings).
///
/// Two characters match when they are equal and at most
/// `max(|a|, |b|) / 2 - 1` positions apart; with `c` matches and `t`
/// half-transpositions the similarity is `(c/|a| + c/|b| + (c - t/2)/c) / 3`.
/// Two empty strings have similarity 1, an empty and a non-empty one 0.
///
/// ```
/// use omnid::matching::kernels::jaro;
/// assert!((jaro(b"martha", b"marhta") - 0.944_444).abs() < 1e-6);
/// assert_eq!(jaro(b"", b""), 1.0);
/// ```
pub fn jaro(a: &[u8], b: &[u8]) -> f64 {
    jaro_and_prefix(a, b).0
}

/// Jaro similarity and the length of the common prefix.
///
/// The common prefix is stripped first: greedy flagging pairs each prefix
/// byte with itself and no prefix pair is a transposition, so only the rest
/// needs the bit-parallel pass (with the window of the full lengths).
fn jaro_and_prefix(a: &[u8], b: &[u8]) -> (f64, usize) {
    let (n, m) = (a.len(), b.len());
    if n == 0 || m == 0 {
        return (jaro_from_counts(n, m, 0, 0), 0);
    }
    let bound = jaro_bound(m, n);
    let prefix = common_prefix(a, b);
    let (t, p) = (
        a.get(prefix..).unwrap_or_default(),
        b.get(prefix..).unwrap_or_default(),
    );
    // Greedy flagging finds the same pairs from either side, so the shorter
    // string can be the pattern: a narrower mask table, and the one-word
    // paths whenever either string fits a word.
    let (short, long) = shorter_first(p, t);
    let (common, half) = if short.is_empty() {
        (0, 0)
    } else if long.len() <= WORD_BITS {
        with_masks!(short, |pm| jaro_counts_word(pm, bound, long))
    } else if short.len() <= WORD_BITS {
        with_masks!(short, |pm| jaro_counts_long_text(
            pm,
            short.len(),
            bound,
            long
        ))
    } else {
        jaro_counts_long(t, p, bound)
    };
    (jaro_from_counts(n, m, prefix + common, half), prefix)
}

/// Jaro-Winkler similarity of `a` and `b`, in `[0, 1]`.
///
/// The [`jaro`] similarity, boosted when above 0.7 by
/// `0.1 * prefix * (1 - jaro)`, where `prefix` is the length of the common
/// prefix counted up to 4 bytes. These are the parameters of Splink,
/// rapidfuzz and strsim.
///
/// ```
/// use omnid::matching::kernels::jaro_winkler;
/// assert!((jaro_winkler(b"martha", b"marhta") - 0.961_111).abs() < 1e-6);
/// assert!(jaro_winkler(b"maria garcia", b"maria garcya") > 0.95);
/// ```
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let (sim, prefix) = jaro_and_prefix(a, b);
    winkler(sim, prefix.min(WINKLER_MAX_PREFIX))
}

// ---------------------------------------------------------------------------
// Levenshtein and OSA
// ---------------------------------------------------------------------------

/// Removes the common prefix and suffix: they never change a Levenshtein or
/// OSA distance, and names often share them.
fn strip_common_affix<'a, 'b>(a: &'a [u8], b: &'b [u8]) -> (&'a [u8], &'b [u8]) {
    let prefix = common_prefix(a, b);
    let (a, b) = (
        a.get(prefix..).unwrap_or_default(),
        b.get(prefix..).unwrap_or_default(),
    );
    let suffix = common_suffix(a, b);
    (
        a.get(..a.len() - suffix).unwrap_or_default(),
        b.get(..b.len() - suffix).unwrap_or_default(),
    )
}

/// Orders a pair as (shorter, longer).
fn shorter_first<'a>(a: &'a [u8], b: &'a [u8]) -> (&'a [u8], &'a [u8]) {
    if a.len() <= b.len() { (a, b) } else { (b, a) }
}

/// Myers/Hyyrö Levenshtein for a pattern of `1 <= m <= 64` bytes and a text
/// of any length. With `max`, gives up (returns `None`) as soon as the
/// distance cannot end at or below it.
#[inline(always)]
fn levenshtein_word(
    pm: &impl PatternMasks,
    m: usize,
    text: &[u8],
    max: Option<usize>,
) -> Option<usize> {
    debug_assert!((1..=WORD_BITS).contains(&m));
    let last = 1u64 << (m - 1);
    let mut vp = u64::MAX;
    let mut vn = 0u64;
    let mut dist = m;
    for (j, &c) in text.iter().enumerate() {
        let x = pm.get(c);
        let d0 = (((x & vp).wrapping_add(vp)) ^ vp) | x | vn;
        // Works with the complement of the horizontal +1 vector: the loop-carried
        // chain is then 9 dependent operations per byte instead of 11.
        let not_hp = !vn & (d0 | vp);
        let hn = d0 & vp;
        dist += usize::from(not_hp & last == 0);
        dist -= usize::from(hn & last != 0);
        let not_hp = not_hp << 1;
        vp = (hn << 1) | (!d0 & not_hp);
        vn = !not_hp & d0;
        if let Some(max) = max {
            // Each remaining text byte lowers the distance by at most one.
            if dist > max.saturating_add(text.len() - j - 1) {
                return None;
            }
        }
    }
    Some(dist)
}

/// Block-based Myers/Hyyrö Levenshtein for patterns longer than 64 bytes
/// (allocates the masks and the column words).
fn levenshtein_blocks(pattern: &[u8], text: &[u8]) -> usize {
    let m = pattern.len();
    let words = m.div_ceil(WORD_BITS);
    let mut pm = vec![0u64; 256 * words];
    for (i, &c) in pattern.iter().enumerate() {
        if let Some(w) = pm.get_mut(usize::from(c) * words + i / WORD_BITS) {
            *w |= 1u64 << (i % WORD_BITS);
        }
    }
    let last = 1u64 << ((m - 1) % WORD_BITS);
    let mut vp = vec![u64::MAX; words];
    let mut vn = vec![0u64; words];
    let mut dist = m;
    for &c in text {
        let row = pm
            .get(usize::from(c) * words..(usize::from(c) + 1) * words)
            .unwrap_or_default();
        // Row 0 of the matrix grows by one per text byte: a horizontal +1 enters the first word.
        let mut hp_carry = 1u64;
        let mut hn_carry = 0u64;
        for (w, ((&pm_j, vp_w), vn_w)) in
            row.iter().zip(vp.iter_mut()).zip(vn.iter_mut()).enumerate()
        {
            let x = pm_j | hn_carry;
            let d0 = (((x & *vp_w).wrapping_add(*vp_w)) ^ *vp_w) | x | *vn_w;
            let hp = *vn_w | !(d0 | *vp_w);
            let hn = d0 & *vp_w;
            let (hp_in, hn_in) = (hp_carry, hn_carry);
            if w + 1 < words {
                hp_carry = hp >> 63;
                hn_carry = hn >> 63;
            } else {
                hp_carry = u64::from(hp & last != 0);
                hn_carry = u64::from(hn & last != 0);
            }
            let hp = (hp << 1) | hp_in;
            let hn = (hn << 1) | hn_in;
            *vp_w = hn | !(d0 | hp);
            *vn_w = hp & d0;
        }
        dist += usize::try_from(hp_carry).unwrap_or_default();
        dist -= usize::try_from(hn_carry).unwrap_or_default();
    }
    dist
}

/// Levenshtein distance after affix stripping, both strings non-empty.
fn levenshtein_core(a: &[u8], b: &[u8], max: Option<usize>) -> Option<usize> {
    let (p, t) = shorter_first(a, b);
    if p.is_empty() {
        return Some(t.len()).filter(|&d| max.is_none_or(|max| d <= max));
    }
    if p.len() <= WORD_BITS {
        with_masks!(p, |pm| levenshtein_word(pm, p.len(), t, max))
    } else {
        Some(levenshtein_blocks(p, t)).filter(|&d| max.is_none_or(|max| d <= max))
    }
}

/// Levenshtein distance: the least number of byte insertions, deletions and
/// substitutions that turn `a` into `b`.
///
/// ```
/// use omnid::matching::kernels::levenshtein;
/// assert_eq!(levenshtein(b"kitten", b"sitting"), 3);
/// assert_eq!(levenshtein(b"", b"ana"), 3);
/// ```
pub fn levenshtein(a: &[u8], b: &[u8]) -> u32 {
    let (a, b) = strip_common_affix(a, b);
    saturate_u32(levenshtein_core(a, b, None).unwrap_or_default())
}

/// Levenshtein distance if it is at most `max`, else `None`; stops early
/// (on the length difference, or mid-scan) once the distance must exceed `max`.
///
/// ```
/// use omnid::matching::kernels::levenshtein_bounded;
/// assert_eq!(levenshtein_bounded(b"garcia", b"garcya", 1), Some(1));
/// assert_eq!(levenshtein_bounded(b"garcia", b"martinez", 2), None);
/// ```
pub fn levenshtein_bounded(a: &[u8], b: &[u8], max: u32) -> Option<u32> {
    let max = usize::try_from(max).unwrap_or(usize::MAX);
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let (a, b) = strip_common_affix(a, b);
    levenshtein_core(a, b, Some(max)).map(saturate_u32)
}

/// Hyyrö's bit-vector OSA for a pattern of `1 <= m <= 64` bytes and a text of
/// any length.
#[inline(always)]
fn osa_word(pm: &impl PatternMasks, m: usize, text: &[u8]) -> usize {
    debug_assert!((1..=WORD_BITS).contains(&m));
    let last = 1u64 << (m - 1);
    let mut vp = u64::MAX;
    let mut vn = 0u64;
    let mut d0 = 0u64;
    let mut pm_prev = 0u64;
    let mut dist = m;
    for &c in text {
        let x = pm.get(c);
        // Transpositions: pattern byte i matches text byte j-1 and byte i-1 matches byte j.
        let tr = (((!d0) & x) << 1) & pm_prev;
        d0 = (((x & vp).wrapping_add(vp)) ^ vp) | x | vn | tr;
        let not_hp = !vn & (d0 | vp);
        let hn = d0 & vp;
        dist += usize::from(not_hp & last == 0);
        dist -= usize::from(hn & last != 0);
        let not_hp = not_hp << 1;
        vp = (hn << 1) | (!d0 & not_hp);
        vn = !not_hp & d0;
        pm_prev = x;
    }
    dist
}

/// OSA by the classic three-row dynamic programme, for two strings longer
/// than 64 bytes (allocates the rows).
fn osa_rows(a: &[u8], b: &[u8]) -> usize {
    let width = b.len() + 1;
    let mut before: Vec<usize> = (0..width).collect();
    let mut prev: Vec<usize> = (0..width).collect();
    let mut cur: Vec<usize> = vec![0; width];
    let mut a_prev: Option<u8> = None;
    for (i, &ca) in a.iter().enumerate() {
        if let Some(first) = cur.first_mut() {
            *first = i + 1;
        }
        let mut b_prev: Option<u8> = None;
        for (j, &cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            let left = cur.get(j).copied().unwrap_or_default();
            let up = prev.get(j + 1).copied().unwrap_or_default();
            let diag = prev.get(j).copied().unwrap_or_default();
            let mut d = (left + 1).min(up + 1).min(diag + cost);
            if ca != cb && a_prev == Some(cb) && b_prev == Some(ca) {
                let swap = j
                    .checked_sub(1)
                    .and_then(|k| before.get(k))
                    .map_or(usize::MAX, |&v| v + 1);
                d = d.min(swap);
            }
            if let Some(slot) = cur.get_mut(j + 1) {
                *slot = d;
            }
            b_prev = Some(cb);
        }
        std::mem::swap(&mut before, &mut prev);
        std::mem::swap(&mut prev, &mut cur);
        a_prev = Some(ca);
    }
    prev.last().copied().unwrap_or_default()
}

/// Optimal string alignment distance (restricted Damerau-Levenshtein): like
/// [`levenshtein`], plus the transposition of two adjacent bytes as one edit,
/// with no byte edited twice.
///
/// ```
/// use omnid::matching::kernels::damerau_osa;
/// assert_eq!(damerau_osa(b"garcia", b"gracia"), 1);
/// assert_eq!(damerau_osa(b"ca", b"abc"), 3);
/// ```
pub fn damerau_osa(a: &[u8], b: &[u8]) -> u32 {
    let (a, b) = strip_common_affix(a, b);
    let (p, t) = shorter_first(a, b);
    let d = if p.is_empty() {
        t.len()
    } else if p.len() <= WORD_BITS {
        with_masks!(p, |pm| osa_word(pm, p.len(), t))
    } else {
        osa_rows(p, t)
    };
    saturate_u32(d)
}

// ---------------------------------------------------------------------------
// Token Jaccard
// ---------------------------------------------------------------------------

/// Jaccard similarity of two token lists taken as sets: shared distinct
/// tokens over all distinct tokens, in `[0, 1]`. Two empty lists give 1, one
/// empty list 0.
///
/// Quadratic in the number of tokens and allocation-free, which suits the
/// handful of tokens of a name or an address; for long lists use
/// [`jaccard_sorted`] over sorted token ids.
///
/// ```
/// use omnid::matching::kernels::jaccard_tokens;
/// let a: [&[u8]; 3] = [b"maria", b"jose", b"garcia"];
/// let b: [&[u8]; 2] = [b"garcia", b"maria"];
/// assert!((jaccard_tokens(&a, &b) - 2.0 / 3.0).abs() < 1e-12);
/// ```
pub fn jaccard_tokens(a: &[&[u8]], b: &[&[u8]]) -> f64 {
    fn distinct<'x>(list: &'x [&'x [u8]]) -> impl Iterator<Item = &'x [u8]> + 'x {
        list.iter()
            .enumerate()
            .filter(move |(i, t)| !list.iter().take(*i).any(|u| u == *t))
            .map(|(_, t)| *t)
    }
    let size_a = distinct(a).count();
    let size_b = distinct(b).count();
    let shared = distinct(a).filter(|t| b.contains(t)).count();
    jaccard_from_counts(size_a, size_b, shared)
}

/// Jaccard similarity of two sorted lists of token ids (duplicates are
/// counted once), by one merge pass. Same conventions as [`jaccard_tokens`].
///
/// ```
/// use omnid::matching::kernels::jaccard_sorted;
/// assert_eq!(jaccard_sorted(&[1u32, 4, 9], &[4, 9, 12]), 0.5);
/// ```
pub fn jaccard_sorted<T: Ord>(a: &[T], b: &[T]) -> f64 {
    let (mut i, mut j) = (a.iter().peekable(), b.iter().peekable());
    let (mut size_a, mut size_b, mut shared) = (0usize, 0usize, 0usize);
    let mut last_a: Option<&T> = None;
    let mut last_b: Option<&T> = None;
    loop {
        let order = match (i.peek(), j.peek()) {
            (None, None) => break,
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (Some(x), Some(y)) => x.cmp(y),
        };
        let take_a = order != Ordering::Greater;
        let take_b = order != Ordering::Less;
        let mut new_a = false;
        if take_a && let Some(x) = i.next() {
            new_a = last_a != Some(x);
            size_a += usize::from(new_a);
            last_a = Some(x);
        }
        let mut new_b = false;
        if take_b && let Some(y) = j.next() {
            new_b = last_b != Some(y);
            size_b += usize::from(new_b);
            last_b = Some(y);
        }
        shared += usize::from(take_a && take_b && new_a && new_b);
    }
    jaccard_from_counts(size_a, size_b, shared)
}

fn jaccard_from_counts(size_a: usize, size_b: usize, shared: usize) -> f64 {
    let union = size_a + size_b - shared;
    if union == 0 {
        1.0
    } else {
        shared as f64 / union as f64
    }
}

// ---------------------------------------------------------------------------
// One pattern, many strings
// ---------------------------------------------------------------------------

/// A pattern prepared once for comparison with many strings (one-vs-many),
/// like rapidfuzz's cached scorers: its bit masks are built in [`new`]
/// and reused by every comparison.
///
/// Every method gives the same result as the free function with the pattern
/// as the second argument (`CachedPattern::new(p).jaro(s) == jaro(s, p)`).
///
/// [`new`]: CachedPattern::new
///
/// ```
/// use omnid::matching::kernels::CachedPattern;
/// let maria = CachedPattern::new(b"maria garcia");
/// for other in [&b"maria garcya"[..], b"mario garcia", b"john smith"] {
///     let score = maria.jaro_winkler(other);
///     assert!((0.0..=1.0).contains(&score));
/// }
/// assert_eq!(maria.levenshtein(b"maria garcya"), 1);
/// ```
#[derive(Clone)]
pub struct CachedPattern {
    pattern: Vec<u8>,
    masks: Masks<u64>,
}

impl std::fmt::Debug for CachedPattern {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedPattern")
            .field("pattern", &String::from_utf8_lossy(&self.pattern))
            .finish_non_exhaustive()
    }
}

impl CachedPattern {
    /// Prepares `pattern` (any length; the bit-parallel paths serve patterns
    /// of at most 64 bytes, longer ones fall back to the free functions).
    pub fn new(pattern: &[u8]) -> Self {
        CachedPattern {
            pattern: pattern.to_vec(),
            masks: Masks::new(pattern),
        }
    }

    /// The pattern.
    pub fn pattern(&self) -> &[u8] {
        &self.pattern
    }

    /// Whether the one-word bit-parallel paths serve this pattern.
    fn fits_word(&self) -> bool {
        !self.pattern.is_empty() && self.pattern.len() <= WORD_BITS
    }

    /// Jaro similarity of `text` and the pattern (see [`jaro`]).
    pub fn jaro(&self, text: &[u8]) -> f64 {
        let m = self.pattern.len();
        if !self.fits_word() || text.is_empty() {
            return jaro(text, &self.pattern);
        }
        let (common, half) = if text.len() <= WORD_BITS {
            jaro_counts_word(&self.masks, jaro_bound(m, text.len()), text)
        } else {
            jaro_counts_long_text(&self.masks, m, jaro_bound(m, text.len()), text)
        };
        jaro_from_counts(text.len(), m, common, half)
    }

    /// Jaro-Winkler similarity of `text` and the pattern (see [`jaro_winkler`]).
    pub fn jaro_winkler(&self, text: &[u8]) -> f64 {
        winkler(self.jaro(text), winkler_prefix(text, &self.pattern))
    }

    /// Levenshtein distance between `text` and the pattern (see [`levenshtein`]).
    pub fn levenshtein(&self, text: &[u8]) -> u32 {
        if !self.fits_word() {
            return levenshtein(text, &self.pattern);
        }
        let d = levenshtein_word(&self.masks, self.pattern.len(), text, None);
        saturate_u32(d.unwrap_or_default())
    }

    /// Levenshtein distance if at most `max`, else `None` (see [`levenshtein_bounded`]).
    pub fn levenshtein_bounded(&self, text: &[u8], max: u32) -> Option<u32> {
        let max_usize = usize::try_from(max).unwrap_or(usize::MAX);
        if text.len().abs_diff(self.pattern.len()) > max_usize {
            return None;
        }
        if !self.fits_word() {
            return levenshtein_bounded(text, &self.pattern, max);
        }
        levenshtein_word(&self.masks, self.pattern.len(), text, Some(max_usize)).map(saturate_u32)
    }

    /// OSA distance between `text` and the pattern (see [`damerau_osa`]).
    pub fn damerau_osa(&self, text: &[u8]) -> u32 {
        if !self.fits_word() {
            return damerau_osa(text, &self.pattern);
        }
        saturate_u32(osa_word(&self.masks, self.pattern.len(), text))
    }
}

// ---------------------------------------------------------------------------
// Many patterns, many strings
// ---------------------------------------------------------------------------

/// An unsigned integer used as one lane of a [`Lanes`] group: a pattern of up
/// to `BITS` bytes held in one lane.
trait Lane:
    Into<u64>
    + Copy
    + Eq
    + Ord
    + BitAnd<Output = Self>
    + BitOr<Output = Self>
    + BitXor<Output = Self>
    + Not<Output = Self>
    + Shl<u32, Output = Self>
{
    const BITS: usize;
    const ZERO: Self;
    const ONE: Self;
    const MAX: Self;
    fn wadd(self, other: Self) -> Self;
    fn wsub(self, other: Self) -> Self;
    fn from_bool(b: bool) -> Self;
    /// `x` truncated to the lane; callers keep `x` in range.
    fn truncate(x: usize) -> Self;
    fn widen(self) -> usize;
}

macro_rules! impl_lane {
    ($($t:ty),*) => {$(
        impl Lane for $t {
            const BITS: usize = <$t>::BITS as usize;
            const ZERO: Self = 0;
            const ONE: Self = 1;
            const MAX: Self = <$t>::MAX;
            #[inline(always)]
            fn wadd(self, other: Self) -> Self {
                self.wrapping_add(other)
            }
            #[inline(always)]
            fn wsub(self, other: Self) -> Self {
                self.wrapping_sub(other)
            }
            #[inline(always)]
            fn from_bool(b: bool) -> Self {
                Self::from(b)
            }
            #[inline(always)]
            fn truncate(x: usize) -> Self {
                x as $t
            }
            #[inline(always)]
            fn widen(self) -> usize {
                self as usize
            }
        }
    )*};
}

impl_lane!(u8, u16, u32, u64);

/// A lane with the `k` lowest bits set (all when `k >= BITS`).
fn lane_low_bits<T: Lane>(k: usize) -> T {
    if k >= T::BITS {
        T::MAX
    } else {
        (T::ONE << u32::try_from(k).unwrap_or_default()).wsub(T::ONE)
    }
}

/// The longest text a [`Lanes`] group takes: distances and positions must
/// fit its narrowest lane (`u8`). Longer texts use the one-pair kernels.
const LANE_TEXT_MAX: usize = u8::MAX as usize;

/// Up to `L` patterns of at most `T::BITS` bytes each, packed side by side:
/// lane `k` of `pm[c]` holds the masks of pattern `k` for byte `c`. One text
/// byte then advances all `L` bit-vector automata with a handful of wide
/// operations, which LLVM turns into SIMD instructions (the lane loops index
/// several arrays in lockstep for that reason).
#[derive(Clone)]
struct Lanes<T: Lane, const L: usize> {
    pm: [[T; L]; 256],
    lens: [usize; L],
    /// The bit of each pattern's last byte (0 for an empty or unused lane).
    last: [T; L],
    /// Each pattern's first 4 bytes, little-endian, for the Winkler prefix.
    head: [u32; L],
    /// Where each lane's pattern sits in the batch.
    index: [usize; L],
    used: usize,
}

/// The first 4 bytes of `s`, little-endian, zero-padded.
fn head4(s: &[u8]) -> u32 {
    let mut b = [0u8; 4];
    for (d, &c) in b.iter_mut().zip(s) {
        *d = c;
    }
    u32::from_le_bytes(b)
}

/// The Winkler prefix from two heads and the lengths.
fn winkler_prefix_heads(a: u32, b: u32, len_a: usize, len_b: usize) -> usize {
    let equal = ((a ^ b).trailing_zeros() / 8) as usize;
    equal.min(len_a).min(len_b).min(WINKLER_MAX_PREFIX)
}

// The lane loops index several arrays with one counter on purpose: that
// lockstep shape is what LLVM vectorizes.
#[allow(clippy::needless_range_loop)]
impl<T: Lane, const L: usize> Lanes<T, L> {
    fn new() -> Self {
        Lanes {
            pm: [[T::ZERO; L]; 256],
            lens: [0; L],
            last: [T::ZERO; L],
            head: [0; L],
            index: [0; L],
            used: 0,
        }
    }

    /// Adds a pattern of at most `T::BITS` bytes; false when the group is full.
    fn push(&mut self, pattern: &[u8], index: usize) -> bool {
        let k = self.used;
        if k >= L || pattern.len() > T::BITS {
            return false;
        }
        for (i, &c) in pattern.iter().enumerate() {
            let bit = T::ONE << u32::try_from(i).unwrap_or_default();
            self.pm[usize::from(c)][k] = self.pm[usize::from(c)][k] | bit;
        }
        self.lens[k] = pattern.len();
        if let Some(m) = pattern.len().checked_sub(1) {
            self.last[k] = T::ONE << u32::try_from(m).unwrap_or_default();
        }
        self.head[k] = head4(pattern);
        self.index[k] = index;
        self.used += 1;
        true
    }

    /// Levenshtein distances of `text` (at most [`LANE_TEXT_MAX`] bytes) to
    /// every lane's pattern.
    fn levenshtein(&self, text: &[u8], out: &mut [u32]) {
        let mut vp = [T::MAX; L];
        let mut vn = [T::ZERO; L];
        let mut dist = [T::ZERO; L];
        for k in 0..L {
            dist[k] = T::truncate(self.lens[k]);
        }
        for &c in text {
            let x = &self.pm[usize::from(c)];
            for k in 0..L {
                let d0 = ((x[k] & vp[k]).wadd(vp[k]) ^ vp[k]) | x[k] | vn[k];
                let not_hp = !vn[k] & (d0 | vp[k]);
                let hn = d0 & vp[k];
                dist[k] = dist[k]
                    .wadd(T::from_bool(not_hp & self.last[k] == T::ZERO))
                    .wsub(T::from_bool(hn & self.last[k] != T::ZERO));
                let not_hp = not_hp << 1;
                vp[k] = (hn << 1) | (!d0 & not_hp);
                vn[k] = !not_hp & d0;
            }
        }
        self.scatter(out, |k| {
            if self.lens[k] == 0 {
                saturate_u32(text.len())
            } else {
                saturate_u32(dist[k].widen())
            }
        });
    }

    /// OSA distances of `text` (at most [`LANE_TEXT_MAX`] bytes) to every
    /// lane's pattern.
    fn damerau_osa(&self, text: &[u8], out: &mut [u32]) {
        let mut vp = [T::MAX; L];
        let mut vn = [T::ZERO; L];
        let mut d0 = [T::ZERO; L];
        let mut pm_prev = [T::ZERO; L];
        let mut dist = [T::ZERO; L];
        for k in 0..L {
            dist[k] = T::truncate(self.lens[k]);
        }
        for &c in text {
            let x = &self.pm[usize::from(c)];
            for k in 0..L {
                let tr = (((!d0[k]) & x[k]) << 1) & pm_prev[k];
                d0[k] = ((x[k] & vp[k]).wadd(vp[k]) ^ vp[k]) | x[k] | vn[k] | tr;
                let not_hp = !vn[k] & (d0[k] | vp[k]);
                let hn = d0[k] & vp[k];
                dist[k] = dist[k]
                    .wadd(T::from_bool(not_hp & self.last[k] == T::ZERO))
                    .wsub(T::from_bool(hn & self.last[k] != T::ZERO));
                let not_hp = not_hp << 1;
                vp[k] = (hn << 1) | (!d0[k] & not_hp);
                vn[k] = !not_hp & d0[k];
                pm_prev[k] = x[k];
            }
        }
        self.scatter(out, |k| {
            if self.lens[k] == 0 {
                saturate_u32(text.len())
            } else {
                saturate_u32(dist[k].widen())
            }
        });
    }

    /// Jaro (or with `winkler`, Jaro-Winkler) similarities of `text` (at
    /// most [`LANE_TEXT_MAX`] bytes) and every lane's pattern.
    ///
    /// The text flags of one lane would not fit a lane, so a second pass
    /// replays the flagging to know which text bytes matched while it pairs
    /// them with the pattern flags of the first pass.
    fn jaro(&self, text: &[u8], winkler_boost: bool, out: &mut [f64]) {
        let n = text.len();
        if n == 0 {
            self.scatter(out, |k| jaro_from_counts(0, self.lens[k], 0, 0));
            return;
        }
        let mut bound = [T::ZERO; L];
        let mut start = [T::ZERO; L];
        let mut reach = 0usize;
        for k in 0..L {
            let b = jaro_bound(self.lens[k], n);
            bound[k] = T::truncate(b);
            start[k] = lane_low_bits(b + 1);
            reach = reach.max(self.lens[k] + b);
        }
        // Text bytes beyond every pattern's end plus its window never match.
        let text = text.get(..reach).unwrap_or(text);

        let mut window = start;
        let mut p_flag = [T::ZERO; L];
        for (j, &c) in text.iter().enumerate() {
            let x = &self.pm[usize::from(c)];
            let j = T::truncate(j);
            for k in 0..L {
                let v = x[k] & window[k] & !p_flag[k];
                p_flag[k] = p_flag[k] | (v & T::ZERO.wsub(v));
                window[k] = (window[k] << 1) | T::from_bool(j < bound[k]);
            }
        }

        let mut window = start;
        let mut replay = [T::ZERO; L];
        let mut common = [T::ZERO; L];
        let mut half = [T::ZERO; L];
        for (j, &c) in text.iter().enumerate() {
            let x = &self.pm[usize::from(c)];
            let j = T::truncate(j);
            for k in 0..L {
                let v = x[k] & window[k] & !replay[k];
                replay[k] = replay[k] | (v & T::ZERO.wsub(v));
                let hit = T::from_bool(v != T::ZERO);
                let hit_mask = T::ZERO.wsub(hit);
                let low = p_flag[k] & T::ZERO.wsub(p_flag[k]);
                half[k] = half[k].wadd(T::from_bool(x[k] & low == T::ZERO) & hit);
                p_flag[k] = p_flag[k] ^ (low & hit_mask);
                common[k] = common[k].wadd(hit);
                window[k] = (window[k] << 1) | T::from_bool(j < bound[k]);
            }
        }

        // Branch-free over all lanes so that the divisions vectorize; the
        // operations are those of `jaro_from_counts` and `winkler`, so the
        // results equal the one-pair functions' bit for bit.
        let text_head = head4(text);
        let n_f = n as f64;
        let mut sims = [0.0f64; L];
        for k in 0..L {
            let c = common[k].widen() as f64;
            let t = (half[k].widen() / 2) as f64;
            let sim = ((c / n_f) + (c / self.lens[k] as f64) + ((c - t) / c)) / 3.0;
            sims[k] = if common[k] == T::ZERO { 0.0 } else { sim };
        }
        if winkler_boost {
            for k in 0..L {
                let prefix = winkler_prefix_heads(text_head, self.head[k], n, self.lens[k]) as f64;
                let sim = sims[k];
                sims[k] = if sim > WINKLER_THRESHOLD {
                    sim + WINKLER_SCALE * prefix * (1.0 - sim)
                } else {
                    sim
                };
            }
        }
        self.scatter(out, |k| sims[k]);
    }

    /// Writes `score(k)` for every used lane at its pattern's place in `out`.
    fn scatter<S>(&self, out: &mut [S], score: impl Fn(usize) -> S) {
        for k in 0..self.used.min(L) {
            if let Some(slot) = out.get_mut(self.index[k]) {
                *slot = score(k);
            }
        }
    }
}

/// One lane group of a [`PatternBatch`]; the lane width follows the longest
/// pattern of the group, so short names get the most lanes.
#[derive(Clone)]
enum Group {
    /// Patterns of at most 8 bytes, 32 lanes.
    W8(Box<Lanes<u8, 32>>),
    /// Patterns of at most 16 bytes, 16 lanes.
    W16(Box<Lanes<u16, 16>>),
    /// Patterns of at most 32 bytes, 8 lanes.
    W32(Box<Lanes<u32, 8>>),
    /// Patterns of at most 64 bytes, 4 lanes.
    W64(Box<Lanes<u64, 4>>),
}

macro_rules! each_group {
    ($group:expr, $lanes:ident => $body:expr) => {
        match $group {
            Group::W8($lanes) => $body,
            Group::W16($lanes) => $body,
            Group::W32($lanes) => $body,
            Group::W64($lanes) => $body,
        }
    };
}

impl Group {
    /// An empty group whose lanes fit a pattern of `len <= 64` bytes.
    fn for_len(len: usize) -> Group {
        match len {
            0..=8 => Group::W8(Box::new(Lanes::new())),
            9..=16 => Group::W16(Box::new(Lanes::new())),
            17..=32 => Group::W32(Box::new(Lanes::new())),
            _ => Group::W64(Box::new(Lanes::new())),
        }
    }

    fn push(&mut self, pattern: &[u8], index: usize) -> bool {
        each_group!(self, lanes => lanes.push(pattern, index))
    }
}

/// Many patterns prepared together for comparison with many strings (the
/// analogue of rapidfuzz's `cdist`): each method scores one text against
/// every pattern in one pass.
///
/// Patterns are sorted by length and packed up to 32 side by side in the
/// lanes of wide words (8-bit lanes for patterns of up to 8 bytes, 16-bit up
/// to 16, 32-bit up to 32, 64-bit up to 64), so a text byte advances all of
/// a group's comparisons with a few SIMD instructions. Patterns longer than
/// 64 bytes, and texts longer than 255 bytes, are scored with the one-pair
/// functions. Results equal the one-pair functions' with the text as first
/// and the pattern as second argument.
///
/// The output vector is cleared and refilled, so one vector serves a whole
/// loop without allocating again.
///
/// ```
/// use omnid::matching::kernels::{PatternBatch, jaro_winkler, levenshtein};
/// let block = ["maria garcia", "mario garcia", "maria garcya", "john smith"];
/// let batch = PatternBatch::new(&block);
/// let mut distances = Vec::new();
/// let mut similarities = Vec::new();
/// for text in &block {
///     batch.levenshtein(text.as_bytes(), &mut distances);
///     batch.jaro_winkler(text.as_bytes(), &mut similarities);
///     for (pattern, (d, s)) in block.iter().zip(distances.iter().zip(&similarities)) {
///         assert_eq!(*d, levenshtein(text.as_bytes(), pattern.as_bytes()));
///         assert_eq!(*s, jaro_winkler(text.as_bytes(), pattern.as_bytes()));
///     }
/// }
/// ```
#[derive(Clone)]
pub struct PatternBatch {
    groups: Vec<Group>,
    /// All patterns, concatenated, with their spans, for the one-pair fallbacks.
    bytes: Vec<u8>,
    spans: Vec<(usize, usize)>,
    /// Patterns longer than 64 bytes, by index.
    long: Vec<usize>,
}

impl std::fmt::Debug for PatternBatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PatternBatch")
            .field("patterns", &self.spans.len())
            .field("groups", &self.groups.len())
            .finish_non_exhaustive()
    }
}

impl PatternBatch {
    /// Prepares `patterns` (any number, any lengths).
    pub fn new<P: AsRef<[u8]>>(patterns: &[P]) -> Self {
        let mut bytes = Vec::new();
        let mut spans = Vec::with_capacity(patterns.len());
        for p in patterns {
            let p = p.as_ref();
            spans.push((bytes.len(), bytes.len() + p.len()));
            bytes.extend_from_slice(p);
        }
        let mut order: Vec<usize> = (0..patterns.len()).collect();
        order.sort_by_key(|&i| patterns.get(i).map_or(0, |p| p.as_ref().len()));
        let mut groups: Vec<Group> = Vec::new();
        let mut long = Vec::new();
        for i in order {
            let p = patterns.get(i).map_or(&[][..], |p| p.as_ref());
            if p.len() > WORD_BITS {
                long.push(i);
                continue;
            }
            let added = groups.last_mut().is_some_and(|g| g.push(p, i));
            if !added {
                let mut g = Group::for_len(p.len());
                g.push(p, i);
                groups.push(g);
            }
        }
        PatternBatch {
            groups,
            bytes,
            spans,
            long,
        }
    }

    /// The number of patterns.
    pub fn len(&self) -> usize {
        self.spans.len()
    }

    /// Whether the batch holds no pattern.
    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// Pattern number `i`.
    pub fn pattern(&self, i: usize) -> Option<&[u8]> {
        let &(start, end) = self.spans.get(i)?;
        self.bytes.get(start..end)
    }

    /// Scores with a one-pair function the patterns (or with a long text,
    /// all patterns) that the lane groups do not serve.
    fn fallback<S>(&self, text: &[u8], out: &mut [S], all: bool, f: impl Fn(&[u8], &[u8]) -> S) {
        let score = |i: usize, slot: &mut S| {
            if let Some(p) = self.pattern(i) {
                *slot = f(text, p);
            }
        };
        if all {
            for (i, slot) in out.iter_mut().enumerate() {
                score(i, slot);
            }
        } else {
            for &i in &self.long {
                if let Some(slot) = out.get_mut(i) {
                    score(i, slot);
                }
            }
        }
    }

    /// Levenshtein distances between `text` and every pattern, in pattern
    /// order, written to `out` (see [`levenshtein`]).
    pub fn levenshtein(&self, text: &[u8], out: &mut Vec<u32>) {
        out.clear();
        out.resize(self.len(), 0);
        let long_text = text.len() > LANE_TEXT_MAX;
        if !long_text {
            for g in &self.groups {
                each_group!(g, lanes => lanes.levenshtein(text, out));
            }
        }
        self.fallback(text, out, long_text, levenshtein);
    }

    /// OSA distances between `text` and every pattern, in pattern order,
    /// written to `out` (see [`damerau_osa`]).
    pub fn damerau_osa(&self, text: &[u8], out: &mut Vec<u32>) {
        out.clear();
        out.resize(self.len(), 0);
        let long_text = text.len() > LANE_TEXT_MAX;
        if !long_text {
            for g in &self.groups {
                each_group!(g, lanes => lanes.damerau_osa(text, out));
            }
        }
        self.fallback(text, out, long_text, damerau_osa);
    }

    /// Jaro similarities of `text` and every pattern, in pattern order,
    /// written to `out` (see [`jaro`]).
    pub fn jaro(&self, text: &[u8], out: &mut Vec<f64>) {
        self.jaro_any(text, false, out);
    }

    /// Jaro-Winkler similarities of `text` and every pattern, in pattern
    /// order, written to `out` (see [`jaro_winkler`]).
    pub fn jaro_winkler(&self, text: &[u8], out: &mut Vec<f64>) {
        self.jaro_any(text, true, out);
    }

    fn jaro_any(&self, text: &[u8], winkler_boost: bool, out: &mut Vec<f64>) {
        out.clear();
        out.resize(self.len(), 0.0);
        let long_text = text.len() > LANE_TEXT_MAX;
        if !long_text {
            for g in &self.groups {
                each_group!(g, lanes => lanes.jaro(text, winkler_boost, out));
            }
        }
        if winkler_boost {
            self.fallback(text, out, long_text, jaro_winkler);
        } else {
            self.fallback(text, out, long_text, jaro);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// strsim works on `char`s: map each byte to the char of the same value,
    /// which keeps equality between symbols exactly.
    fn latin1(s: &[u8]) -> String {
        s.iter().map(|&b| char::from(b)).collect()
    }

    fn oracle_jaro(a: &[u8], b: &[u8]) -> f64 {
        strsim::generic_jaro(&a.to_vec(), &b.to_vec())
    }

    fn oracle_jw(a: &[u8], b: &[u8]) -> f64 {
        strsim::generic_jaro_winkler(&a.to_vec(), &b.to_vec())
    }

    fn oracle_lev(a: &[u8], b: &[u8]) -> u32 {
        saturate_u32(strsim::generic_levenshtein(&a.to_vec(), &b.to_vec()))
    }

    fn oracle_osa(a: &[u8], b: &[u8]) -> u32 {
        saturate_u32(strsim::osa_distance(&latin1(a), &latin1(b)))
    }

    #[test]
    fn jaro_winkler_reference_values() {
        // Values from the Winkler (1990) paper tables and strsim's docs.
        let cases: &[(&str, &str, f64, f64)] = &[
            ("martha", "marhta", 0.944_444_444, 0.961_111_111),
            ("dwayne", "duane", 0.822_222_222, 0.84),
            ("dixon", "dicksonx", 0.766_666_667, 0.813_333_333),
            ("jones", "johnson", 0.790_476_190, 0.832_380_952),
            ("abcvwxyz", "cabvwxyz", 0.958_333_333, 0.958_333_333),
            ("cheeseburger", "cheese fries", 0.777_777_778, 0.866_666_667),
            ("", "", 1.0, 1.0),
            ("", "ana", 0.0, 0.0),
            ("a", "a", 1.0, 1.0),
            ("a", "b", 0.0, 0.0),
            ("maria", "maria", 1.0, 1.0),
            ("abc", "xyz", 0.0, 0.0),
        ];
        for &(a, b, j, jw) in cases {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            assert!(
                (jaro(a, b) - j).abs() < 1e-8,
                "jaro({a:?}, {b:?}) = {}",
                jaro(a, b)
            );
            assert!(
                (jaro_winkler(a, b) - jw).abs() < 1e-8,
                "jw({a:?}, {b:?}) = {}",
                jaro_winkler(a, b)
            );
            assert!((CachedPattern::new(b).jaro_winkler(a) - jw).abs() < 1e-8);
        }
    }

    #[test]
    fn levenshtein_and_osa_reference_values() {
        let cases: &[(&str, &str, u32, u32)] = &[
            ("kitten", "sitting", 3, 3),
            ("", "", 0, 0),
            ("", "abc", 3, 3),
            ("abc", "", 3, 3),
            ("ab", "ba", 2, 1),
            ("ca", "abc", 3, 3),
            ("garcia", "gracia", 2, 1),
            ("gonzalez", "gonzales", 1, 1),
            ("jose luis", "luis jose", 8, 8),
            ("maria", "maria", 0, 0),
            ("flaw", "lawn", 2, 2),
            ("saturday", "sunday", 3, 3),
            ("abcdef", "badcfe", 4, 3),
        ];
        for &(a, b, lev, osa) in cases {
            let (a, b) = (a.as_bytes(), b.as_bytes());
            assert_eq!(levenshtein(a, b), lev, "lev({a:?}, {b:?})");
            assert_eq!(damerau_osa(a, b), osa, "osa({a:?}, {b:?})");
            assert_eq!(CachedPattern::new(b).levenshtein(a), lev);
            assert_eq!(CachedPattern::new(b).damerau_osa(a), osa);
            assert_eq!(levenshtein_bounded(a, b, lev), Some(lev));
            if lev > 0 {
                assert_eq!(levenshtein_bounded(a, b, lev - 1), None);
                assert_eq!(CachedPattern::new(a).levenshtein_bounded(b, lev - 1), None);
            }
        }
    }

    #[test]
    fn long_strings_take_the_fallback_paths_correctly() {
        let a: Vec<u8> =
            b"calle de la princesa 25 3 izquierda 28008 madrid espana, edificio norte".to_vec();
        let mut b = a.clone();
        b.swap(5, 6);
        b.push(b'x');
        b.remove(40);
        assert!(a.len() > 64 && b.len() > 64);
        assert_eq!(levenshtein(&a, &b), oracle_lev(&a, &b));
        assert_eq!(damerau_osa(&a, &b), oracle_osa(&a, &b));
        assert!((jaro(&a, &b) - oracle_jaro(&a, &b)).abs() < 1e-12);
        let long: Vec<u8> = std::iter::repeat_n(b"ab".iter().copied(), 200)
            .flatten()
            .collect();
        assert_eq!(levenshtein(&long, b"ba"), oracle_lev(&long, b"ba"));
        assert_eq!(CachedPattern::new(b"ba").levenshtein(&long), 398);
    }

    #[test]
    fn jaccard_counts_distinct_tokens() {
        let a: [&[u8]; 4] = [b"maria", b"jose", b"maria", b"garcia"];
        let b: [&[u8]; 2] = [b"garcia", b"lopez"];
        assert!((jaccard_tokens(&a, &b) - 0.25).abs() < 1e-12);
        assert_eq!(jaccard_tokens(&[], &[]), 1.0);
        assert_eq!(jaccard_tokens(&a, &[]), 0.0);
        assert_eq!(jaccard_sorted(&[1, 1, 2, 3], &[1, 3, 3, 4]), 0.5);
        assert_eq!(jaccard_sorted::<u32>(&[], &[]), 1.0);
        assert_eq!(jaccard_sorted(&[7u32], &[]), 0.0);
    }

    /// Short strings over a small alphabet collide often, which exercises
    /// matches, transpositions and windows far more than uniform bytes.
    fn small_alphabet(max: usize) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop::sample::select(b"abcde ".to_vec()), 0..max)
    }

    fn any_bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(any::<u8>(), 0..max)
    }

    fn pair() -> impl Strategy<Value = (Vec<u8>, Vec<u8>)> {
        prop_oneof![
            4 => (small_alphabet(20), small_alphabet(20)),
            2 => (small_alphabet(90), small_alphabet(90)),
            1 => (small_alphabet(160), small_alphabet(12)),
            1 => (any_bytes(80), any_bytes(80)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn jaro_equals_strsim((a, b) in pair()) {
            prop_assert!((jaro(&a, &b) - oracle_jaro(&a, &b)).abs() < 1e-9);
            prop_assert!((jaro_winkler(&a, &b) - oracle_jw(&a, &b)).abs() < 1e-9);
            let cached = CachedPattern::new(&b);
            prop_assert!((cached.jaro(&a) - oracle_jaro(&a, &b)).abs() < 1e-9);
            prop_assert!((cached.jaro_winkler(&a) - oracle_jw(&a, &b)).abs() < 1e-9);
        }

        #[test]
        fn jaro_equals_strsim_with_the_arguments_swapped((a, b) in pair()) {
            prop_assert_eq!(jaro(&b, &a).to_bits(), oracle_jaro(&a, &b).to_bits());
            let cached = CachedPattern::new(&a);
            prop_assert_eq!(cached.jaro(&b).to_bits(), oracle_jaro(&a, &b).to_bits());
        }

        #[test]
        fn jaro_is_symmetric((a, b) in pair()) {
            prop_assert!((jaro(&a, &b) - jaro(&b, &a)).abs() < 1e-12);
            prop_assert!((jaro_winkler(&a, &b) - jaro_winkler(&b, &a)).abs() < 1e-12);
        }

        #[test]
        fn levenshtein_equals_strsim((a, b) in pair()) {
            let d = oracle_lev(&a, &b);
            prop_assert_eq!(levenshtein(&a, &b), d);
            prop_assert_eq!(levenshtein(&b, &a), d);
            prop_assert_eq!(CachedPattern::new(&b).levenshtein(&a), d);
            prop_assert_eq!(CachedPattern::new(&a).levenshtein(&b), d);
        }

        #[test]
        fn osa_equals_strsim((a, b) in pair()) {
            let d = oracle_osa(&a, &b);
            prop_assert_eq!(damerau_osa(&a, &b), d);
            prop_assert_eq!(damerau_osa(&b, &a), d);
            prop_assert_eq!(CachedPattern::new(&b).damerau_osa(&a), d);
        }

        #[test]
        fn bounded_agrees_with_unbounded((a, b) in pair(), max in 0u32..12) {
            let d = levenshtein(&a, &b);
            let expected = (d <= max).then_some(d);
            prop_assert_eq!(levenshtein_bounded(&a, &b, max), expected);
            prop_assert_eq!(CachedPattern::new(&a).levenshtein_bounded(&b, max), expected);
        }

        #[test]
        fn jaccard_sorted_equals_jaccard_tokens(
            a in prop::collection::vec(0u8..12, 0..10),
            b in prop::collection::vec(0u8..12, 0..10),
        ) {
            let (mut sa, mut sb) = (a.clone(), b.clone());
            sa.sort_unstable();
            sb.sort_unstable();
            let ta: Vec<[u8; 1]> = a.iter().map(|&x| [x]).collect();
            let tb: Vec<[u8; 1]> = b.iter().map(|&x| [x]).collect();
            let ra: Vec<&[u8]> = ta.iter().map(|t| &t[..]).collect();
            let rb: Vec<&[u8]> = tb.iter().map(|t| &t[..]).collect();
            let expected = jaccard_tokens(&ra, &rb);
            prop_assert!((jaccard_sorted(&sa, &sb) - expected).abs() < 1e-12);
            prop_assert!((jaccard_tokens(&rb, &ra) - expected).abs() < 1e-12);
        }
    }

    proptest! {
        // Each case scores up to 40 patterns against 6 texts four ways.
        #![proptest_config(ProptestConfig::with_cases(400))]

        #[test]
        fn batch_equals_one_pair_functions(
            patterns in prop::collection::vec(
                prop_oneof![
                    4 => small_alphabet(20),
                    2 => small_alphabet(70),
                    1 => any_bytes(40),
                ],
                0..40,
            ),
            texts in prop::collection::vec(
                prop_oneof![4 => small_alphabet(24), 1 => small_alphabet(300), 1 => any_bytes(70)],
                1..6,
            ),
        ) {
            let batch = PatternBatch::new(&patterns);
            prop_assert_eq!(batch.len(), patterns.len());
            let (mut lev, mut osa, mut j, mut jw) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
            for t in &texts {
                batch.levenshtein(t, &mut lev);
                batch.damerau_osa(t, &mut osa);
                batch.jaro(t, &mut j);
                batch.jaro_winkler(t, &mut jw);
                prop_assert_eq!(lev.len(), patterns.len());
                for (i, p) in patterns.iter().enumerate() {
                    prop_assert_eq!(batch.pattern(i), Some(&p[..]));
                    prop_assert_eq!(lev[i], levenshtein(t, p), "lev {:?} {:?}", t, p);
                    prop_assert_eq!(osa[i], damerau_osa(t, p), "osa {:?} {:?}", t, p);
                    prop_assert_eq!(j[i].to_bits(), jaro(t, p).to_bits(), "jaro {:?} {:?}", t, p);
                    prop_assert_eq!(jw[i].to_bits(), jaro_winkler(t, p).to_bits(), "jw {:?} {:?}", t, p);
                }
            }
        }
    }
}
