//! Blocking: which pairs of records are worth comparing.
//!
//! A rule is a list of keys; two records are a candidate pair under a rule
//! when every key of the rule has a value for both and the values agree.
//! The candidate pairs are the union over rules, each pair generated once
//! (by the first rule that yields it), and each pair remembers every rule
//! that would have yielded it (training uses that to leave a rule's own
//! fields out of the EM session on its pairs).

use std::fmt;
use std::str::FromStr;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::features::{Column, Columns, Field};
use super::rng::{hash_bytes, mix};

/// How a field's value becomes a blocking key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Transform {
    /// The value itself.
    Exact,
    /// The first `n` bytes.
    Prefix(u8),
    /// The last `n` bytes (for phones: the last digits).
    Suffix(u8),
    /// The first space-separated token.
    FirstToken,
    /// The last space-separated token.
    LastToken,
    /// American Soundex of the first token (`garcia` -> `G620`).
    Soundex,
    /// The year of an ISO date (`1985-03-01` -> `1985`).
    Year,
    /// The part of an email before `@`.
    EmailLocal,
    /// The value's bytes sorted: the same key for `1985-03-01` and `1985-01-03`
    /// (day and month swapped) and for anagram typos.
    Sorted,
    /// An ISO date with its month and day in ascending order: the same key
    /// for `1985-03-01` and `1985-01-03` (day and month swapped), while
    /// `1985-01-30` stays apart from `1985-03-10`, which [`Transform::Sorted`]
    /// lumps together. Other values are keyed as they are.
    DayMonthUnordered,
}

/// One part of a blocking rule: a field and how to key it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlockKey {
    /// The field.
    pub field: Field,
    /// The transform applied to it.
    pub transform: Transform,
}

impl fmt::Display for BlockKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.transform {
            Transform::Exact => write!(f, "{}", self.field),
            Transform::Prefix(n) => write!(f, "prefix({},{n})", self.field),
            Transform::Suffix(n) => write!(f, "suffix({},{n})", self.field),
            Transform::FirstToken => write!(f, "first_token({})", self.field),
            Transform::LastToken => write!(f, "last_token({})", self.field),
            Transform::Soundex => write!(f, "soundex({})", self.field),
            Transform::Year => write!(f, "year({})", self.field),
            Transform::EmailLocal => write!(f, "email_local({})", self.field),
            Transform::Sorted => write!(f, "sorted({})", self.field),
            Transform::DayMonthUnordered => write!(f, "day_month_unordered({})", self.field),
        }
    }
}

/// A blocking rule in text could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("blocking rule `{input}`: {message}")]
pub struct ParseRuleError {
    input: String,
    message: String,
}

impl FromStr for BlockKey {
    type Err = ParseRuleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        let err = |m: String| ParseRuleError {
            input: s.to_string(),
            message: m,
        };
        let field = |f: &str| f.trim().parse::<Field>().map_err(|e| err(e.to_string()));
        let Some((func, rest)) = t.split_once('(') else {
            return Ok(BlockKey {
                field: field(t)?,
                transform: Transform::Exact,
            });
        };
        let inner = rest
            .strip_suffix(')')
            .ok_or_else(|| err("missing `)`".into()))?;
        let (fname, arg) = match inner.rsplit_once(',') {
            Some((f, a)) if a.trim().parse::<u8>().is_ok() => (f, a.trim().parse::<u8>().ok()),
            _ => (inner, None),
        };
        let need = |a: Option<u8>| {
            a.filter(|n| *n > 0)
                .ok_or_else(|| err(format!("`{func}` needs a length, as in `{func}(field,3)`")))
        };
        let transform = match func.trim() {
            "exact" => Transform::Exact,
            "prefix" => Transform::Prefix(need(arg)?),
            "suffix" => Transform::Suffix(need(arg)?),
            "first_token" => Transform::FirstToken,
            "last_token" => Transform::LastToken,
            "soundex" => Transform::Soundex,
            "year" => Transform::Year,
            "email_local" => Transform::EmailLocal,
            "sorted" => Transform::Sorted,
            "day_month_unordered" => Transform::DayMonthUnordered,
            other => {
                return Err(err(format!(
                    "unknown transform `{other}`; use exact, prefix, suffix, first_token, last_token, soundex, year, email_local, sorted or day_month_unordered"
                )));
            }
        };
        Ok(BlockKey {
            field: field(fname)?,
            transform,
        })
    }
}

/// A blocking rule: records agreeing on every key are compared.
///
/// Text form: keys joined by `&`, as in `given_name & family_name` or
/// `soundex(family_name) & year(birth_date)`. A key may also pair two fields
/// crosswise with `~`: `given_name~family_name & family_name~given_name`
/// blocks records whose given and family names are swapped.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BlockingRule {
    /// The keys, each `(left side, right side)`: the same key for a plain rule,
    /// two fields for a crosswise (swapped) rule.
    pub keys: Vec<(BlockKey, BlockKey)>,
}

impl BlockingRule {
    /// The fields this rule reads.
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.keys.iter().flat_map(|(a, b)| [&a.field, &b.field])
    }

    fn is_crosswise(&self) -> bool {
        self.keys.iter().any(|(a, b)| a != b)
    }
}

impl fmt::Display for BlockingRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (a, b)) in self.keys.iter().enumerate() {
            if i > 0 {
                f.write_str(" & ")?;
            }
            if a == b {
                write!(f, "{a}")?;
            } else {
                write!(f, "{a}~{b}")?;
            }
        }
        Ok(())
    }
}

impl FromStr for BlockingRule {
    type Err = ParseRuleError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut keys = Vec::new();
        for part in s.split('&') {
            let key = match part.split_once('~') {
                Some((a, b)) => (a.parse()?, b.parse()?),
                None => {
                    let k: BlockKey = part.parse()?;
                    (k.clone(), k)
                }
            };
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(ParseRuleError {
                input: s.to_string(),
                message: "a rule needs at least one key".into(),
            });
        }
        Ok(BlockingRule { keys })
    }
}

impl Serialize for BlockingRule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for BlockingRule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// Applies a transform to a value's bytes, writing the key bytes into `out`.
/// Returns false when the value has no key under this transform.
fn first_token(v: &[u8]) -> &[u8] {
    v.split(|b| *b == b' ')
        .find(|t| !t.is_empty())
        .unwrap_or(&[])
}

fn transform(t: Transform, v: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    match t {
        Transform::Exact => out.extend_from_slice(v),
        Transform::Prefix(n) => out.extend_from_slice(&v[..v.len().min(n as usize)]),
        Transform::Suffix(n) => out.extend_from_slice(&v[v.len().saturating_sub(n as usize)..]),
        Transform::FirstToken => out.extend_from_slice(first_token(v)),
        Transform::LastToken => out.extend_from_slice(
            v.rsplit(|b| *b == b' ')
                .find(|t| !t.is_empty())
                .unwrap_or(&[]),
        ),
        Transform::Soundex => soundex(first_token(v), out),
        Transform::Year => {
            if v.len() >= 4 && v[..4].iter().all(u8::is_ascii_digit) {
                out.extend_from_slice(&v[..4]);
            }
        }
        Transform::EmailLocal => {
            if let Some(at) = v.iter().position(|b| *b == b'@') {
                out.extend_from_slice(&v[..at]);
            }
        }
        Transform::Sorted => {
            out.extend_from_slice(v);
            out.sort_unstable();
        }
        Transform::DayMonthUnordered => match v {
            [year @ .., b'-', m1, m2, b'-', d1, d2]
                if year.len() == 4 && year.iter().all(u8::is_ascii_digit) =>
            {
                let (month, day) = ([*m1, *m2], [*d1, *d2]);
                out.extend_from_slice(year);
                out.push(b'-');
                out.extend_from_slice(&month.min(day));
                out.push(b'-');
                out.extend_from_slice(&month.max(day));
            }
            _ => out.extend_from_slice(v),
        },
    }
    !out.is_empty()
}

/// American Soundex: first letter and three digits; empty for input with no letter.
pub fn soundex(v: &[u8], out: &mut Vec<u8>) {
    fn code(c: u8) -> u8 {
        match c {
            b'b' | b'f' | b'p' | b'v' => b'1',
            b'c' | b'g' | b'j' | b'k' | b'q' | b's' | b'x' | b'z' => b'2',
            b'd' | b't' => b'3',
            b'l' => b'4',
            b'm' | b'n' => b'5',
            b'r' => b'6',
            b'h' | b'w' => b'h',
            _ => b'0',
        }
    }
    let mut letters = v
        .iter()
        .map(u8::to_ascii_lowercase)
        .filter(u8::is_ascii_lowercase);
    let Some(first) = letters.next() else { return };
    out.push(first.to_ascii_uppercase());
    let mut last = code(first);
    for c in letters {
        let d = code(c);
        if d == b'h' {
            continue;
        }
        if d != b'0' && d != last {
            out.push(d);
            if out.len() == 4 {
                return;
            }
        }
        last = d;
    }
    while out.len() < 4 {
        out.push(b'0');
    }
}

/// The keys of one record side under one rule (usually one; several when a
/// field has several values, capped).
const MAX_KEYS_PER_RECORD: usize = 16;

struct RuleKeys {
    /// Left-side keys per record: `keys[starts[r]..starts[r+1]]`.
    starts: Vec<u32>,
    keys: Vec<u64>,
    /// Right-side keys, only for crosswise rules.
    right: Option<(Vec<u32>, Vec<u64>)>,
}

impl RuleKeys {
    fn left(&self, r: u32) -> &[u64] {
        &self.keys[self.starts[r as usize] as usize..self.starts[r as usize + 1] as usize]
    }
    fn right(&self, r: u32) -> &[u64] {
        match &self.right {
            Some((s, k)) => &k[s[r as usize] as usize..s[r as usize + 1] as usize],
            None => self.left(r),
        }
    }
}

/// Keys of one side of a rule for every record. `by_bytes` hashes the text
/// even for exact keys: needed when the two sides read different fields,
/// whose columns intern values separately.
fn side_keys(
    cols: &Columns,
    keys: &[&BlockKey],
    by_bytes: bool,
) -> Result<(Vec<u32>, Vec<u64>), Field> {
    let parts: Vec<(&Column, Option<Vec<Option<u64>>>)> = keys
        .iter()
        .enumerate()
        .map(|(part, k)| {
            let col = cols
                .index_of(&k.field)
                .map(|i| cols.column(i))
                .ok_or_else(|| k.field.clone())?;
            // Exact keys need no hashing of bytes: the interned id is the key.
            let hashed = (k.transform != Transform::Exact || by_bytes)
                .then(|| value_keys(col, part as u64, k.transform));
            Ok((col, hashed))
        })
        .collect::<Result<_, _>>()?;
    let n = cols.len() as u32;
    // Records in chunks, each chunk's keys in one flat list: no list per record.
    let chunks: Vec<(Vec<u32>, Vec<u64>)> = (0..n.div_ceil(KEY_CHUNK))
        .into_par_iter()
        .map(|c| {
            let (mut lens, mut flat) = (Vec::new(), Vec::new());
            let (mut acc, mut next) = (Vec::new(), Vec::new());
            for r in c * KEY_CHUNK..((c + 1) * KEY_CHUNK).min(n) {
                acc.clear();
                acc.push(0x5151_5151u64);
                for (part, (col, hashed)) in parts.iter().enumerate() {
                    next.clear();
                    for &id in col.of(r) {
                        let key = match hashed {
                            None => u64::from(id) | (1 << 40),
                            Some(keys) => match keys[id as usize] {
                                Some(key) => key,
                                None => continue,
                            },
                        };
                        for h in &acc {
                            let k = mix(*h, key ^ ((part as u64) << 48));
                            if !next.contains(&k) && next.len() < MAX_KEYS_PER_RECORD {
                                next.push(k);
                            }
                        }
                    }
                    std::mem::swap(&mut acc, &mut next);
                    if acc.is_empty() {
                        break;
                    }
                }
                lens.push(acc.len() as u32);
                flat.extend_from_slice(&acc);
            }
            (lens, flat)
        })
        .collect();
    let mut starts = Vec::with_capacity(n as usize + 1);
    let mut flat = Vec::with_capacity(chunks.iter().map(|c| c.1.len()).sum());
    starts.push(0u32);
    for (lens, keys) in chunks {
        for len in lens {
            starts.push(starts.last().copied().unwrap_or(0) + len);
        }
        flat.extend(keys);
    }
    Ok((starts, flat))
}

/// Records per parallel task when computing keys.
const KEY_CHUNK: u32 = 4096;

/// The hashed key of every distinct value of `col` under `transform`, or
/// none when the transform gives nothing for it: computed once per value,
/// not once per record holding it (a family name's soundex code once, not
/// for each of its thousands of records).
fn value_keys(col: &Column, part: u64, t: Transform) -> Vec<Option<u64>> {
    (0..col.values.len() as u32)
        .into_par_iter()
        .map_init(Vec::new, |buf, id| {
            transform(t, col.values.bytes(id), buf).then(|| hash_bytes(part, buf))
        })
        .collect()
}

/// A block that was larger than the cap and was skipped.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SkippedBlock {
    /// The rule, as text.
    pub rule: String,
    /// Records in the block.
    pub records: u64,
    /// One record of the block, as an example.
    pub example_record: u32,
}

/// What each rule creates: before scoring, for a dry run, and after blocking.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleReport {
    /// The rule, as text.
    pub rule: String,
    /// Pairs the rule yields on its own (blocks over the cap excluded; for
    /// blocks compared by sorted neighbourhood, their upper bound).
    pub pairs: u64,
    /// Blocks compared by sorted neighbourhood for their size.
    pub windowed_blocks: u64,
    /// Pairs it adds to the union (not yielded by an earlier rule); zero in a dry run.
    pub new_pairs: u64,
    /// Largest block.
    pub largest_block: u64,
}

/// The candidate pairs and how they came about.
#[derive(Debug, Clone, Default)]
pub struct Candidates {
    /// Pairs `(a, b)` with `a < b`, each once.
    pub pairs: Vec<(u32, u32)>,
    /// Per pair, a bit per rule that yields it (bit `i` for rule `i`).
    pub rules: Vec<u32>,
    /// Per rule, counts.
    pub report: Vec<RuleReport>,
    /// Blocks skipped for their size.
    pub skipped: Vec<SkippedBlock>,
}

/// A blocking rule names a field that was not prepared.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("blocking rule `{rule}` reads field `{field}`, which no column provides")]
pub struct MissingField {
    /// The rule.
    pub rule: String,
    /// The field.
    pub field: String,
}

/// Which records may pair: all of them (dedupe), only across datasets
/// (link-only), or both.
#[derive(Debug, Clone, Copy)]
pub(crate) struct PairFilter<'a> {
    pub(crate) datasets: &'a [u16],
    pub(crate) link_only: bool,
}

impl PairFilter<'_> {
    #[inline]
    fn allows(&self, a: u32, b: u32) -> bool {
        !self.link_only || self.datasets[a as usize] != self.datasets[b as usize]
    }
}

/// How blocks are compared by size.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BlockSizes {
    /// Blocks with more records are skipped and reported.
    pub(crate) max: usize,
    /// Blocks with more records are compared by sorted
    /// neighbourhood instead of every pair.
    pub(crate) window_above: usize,
    /// Neighbours each record is compared with, per sort.
    pub(crate) window: usize,
}

/// The pairs of a large block by sorted neighbourhood: for every column the
/// rule does not read, the block's records with a value sorted by it (value
/// id, then record), each paired with the next `window`. The records of one
/// person agree on most fields, so they sit together in some sort; a block
/// of `n` namesakes yields at most `columns * window * n` pairs, not
/// `n * (n - 1) / 2`.
fn window_pairs(
    cols: &Columns,
    skip: &[usize],
    block: &[(u64, u8, u32)],
    window: usize,
    crosswise: bool,
    filter: PairFilter<'_>,
    out: &mut Vec<u64>,
) {
    // (value, record, side): a crosswise rule pairs only records met on
    // different sides.
    let mut sorted: Vec<(u32, u32, u8)> = Vec::with_capacity(block.len());
    for c in (0..cols.fields().len()).filter(|c| !skip.contains(c)) {
        let column = cols.column(c);
        sorted.clear();
        sorted.extend(
            block
                .iter()
                .filter_map(|e| column.first(e.2).map(|v| (v, e.2, e.1))),
        );
        sorted.sort_unstable();
        for (i, &(_, a, side_a)) in sorted.iter().enumerate() {
            for &(_, b, side_b) in sorted.iter().skip(i + 1).take(window) {
                if crosswise && side_a == side_b {
                    continue;
                }
                let (a, b) = (a.min(b), a.max(b));
                if a != b && filter.allows(a, b) {
                    out.push(u64::from(a) << 32 | u64::from(b));
                }
            }
        }
    }
}

/// Computes the candidate pairs for `rules` (at most 32 rules).
///
/// `sizes.max` caps block size: a block with more records is skipped and
/// reported; blocks over `sizes.window_above` are compared by sorted
/// neighbourhood. With `dry_run`, only the per-rule counts are computed
/// (for windowed blocks, their upper bound).
pub(crate) fn candidates(
    cols: &Columns,
    rules: &[BlockingRule],
    sizes: BlockSizes,
    filter: PairFilter<'_>,
    dry_run: bool,
) -> Result<Candidates, MissingField> {
    let keys: Vec<RuleKeys> = rules
        .iter()
        .map(|rule| {
            let missing = |field: Field| MissingField {
                rule: rule.to_string(),
                field: field.to_string(),
            };
            let left: Vec<&BlockKey> = rule.keys.iter().map(|(a, _)| a).collect();
            let cross = rule.is_crosswise();
            let (starts, keys) = side_keys(cols, &left, cross).map_err(missing)?;
            let right = if cross {
                let r: Vec<&BlockKey> = rule.keys.iter().map(|(_, b)| b).collect();
                Some(side_keys(cols, &r, true).map_err(missing)?)
            } else {
                None
            };
            Ok(RuleKeys {
                starts,
                keys,
                right,
            })
        })
        .collect::<Result<_, MissingField>>()?;

    // Rules run side by side: the bookkeeping of one (building its
    // entries, cutting them into blocks, counting) is sequential, and the
    // other rules' sorts and pair lists fill the cores meanwhile. Each
    // rule's result is its own; they are put together in rule order.
    let per_rule: Vec<RuleBlocks> = rules
        .par_iter()
        .zip(&keys)
        .map(|(rule, rk)| rule_blocks(cols, rule, rk, sizes, filter, dry_run))
        .collect();
    let mut out = Candidates::default();
    let mut found_by_rule: Vec<Vec<u64>> = Vec::with_capacity(rules.len());
    for r in per_rule {
        out.report.push(r.report);
        out.skipped.extend(r.skipped);
        found_by_rule.extend(r.pairs);
    }
    if !dry_run {
        merge_rules(&mut out, found_by_rule);
    }
    Ok(out)
}

/// What one rule's blocks give: its counts, the blocks skipped for their
/// size, and (unless a dry run) its pairs, sorted, each once.
struct RuleBlocks {
    report: RuleReport,
    skipped: Vec<SkippedBlock>,
    pairs: Option<Vec<u64>>,
}

/// The blocks of one rule: its records grouped by key, counted, and (unless
/// `dry_run`) their pairs listed.
fn rule_blocks(
    cols: &Columns,
    rule: &BlockingRule,
    rk: &RuleKeys,
    sizes: BlockSizes,
    filter: PairFilter<'_>,
    dry_run: bool,
) -> RuleBlocks {
    let max_block = sizes.max;
    // (key, side, record): side 0 is the left key, 1 the right key of a crosswise rule.
    let mut entries: Vec<(u64, u8, u32)> = Vec::with_capacity(rk.keys.len());
    for r in 0..cols.len() as u32 {
        entries.extend(rk.left(r).iter().map(|k| (*k, 0, r)));
        if rk.right.is_some() {
            entries.extend(rk.right(r).iter().map(|k| (*k, 1, r)));
        }
    }
    entries.par_sort_unstable();
    let groups: Vec<&[(u64, u8, u32)]> = entries.chunk_by(|x, y| x.0 == y.0).collect();
    let crosswise = rk.right.is_some();
    // Columns the rule reads agree within a block: no use sorting by them.
    let mut own: Vec<usize> = rule.fields().filter_map(|f| cols.index_of(f)).collect();
    own.sort_unstable();
    own.dedup();
    let windowed = |g: &[(u64, u8, u32)]| g.len() > sizes.window_above;
    let sorts = cols.fields().len().saturating_sub(own.len()) as u64;
    let block_pairs = |g: &[(u64, u8, u32)]| -> u64 {
        let n = g.len() as u64;
        let all = if crosswise {
            let l = g.iter().filter(|e| e.1 == 0).count() as u64;
            l * (n - l)
        } else {
            n * n.saturating_sub(1) / 2
        };
        if windowed(g) {
            all.min(sorts * sizes.window as u64 * n)
        } else {
            all
        }
    };
    let mut skipped = Vec::new();
    let mut report = RuleReport {
        rule: rule.to_string(),
        pairs: 0,
        windowed_blocks: 0,
        new_pairs: 0,
        largest_block: 0,
    };
    for g in &groups {
        let size = g.len() as u64;
        report.largest_block = report.largest_block.max(size);
        if g.len() > max_block {
            skipped.push(SkippedBlock {
                rule: rule.to_string(),
                records: size,
                example_record: g[0].2,
            });
        } else {
            report.pairs += block_pairs(g);
            report.windowed_blocks += u64::from(windowed(g));
        }
    }
    let mut found_pairs = None;
    if !dry_run {
        // One list per parallel task, not per block: blocks are mostly small.
        let found: Vec<Vec<u64>> = groups
            .par_iter()
            .filter(|g| g.len() > 1 && g.len() <= max_block)
            .fold(Vec::new, |mut v, g| {
                if windowed(g) {
                    window_pairs(cols, &own, g, sizes.window, crosswise, filter, &mut v);
                    return v;
                }
                for (i, x) in g.iter().enumerate() {
                    for y in &g[i + 1..] {
                        if x.2 == y.2 || (crosswise && x.1 == y.1) {
                            continue;
                        }
                        let (a, b) = if x.2 < y.2 { (x.2, y.2) } else { (y.2, x.2) };
                        if filter.allows(a, b) {
                            v.push(u64::from(a) << 32 | u64::from(b));
                        }
                    }
                }
                v
            })
            .collect();
        let mut pairs: Vec<u64> = found.concat();
        // A pair can meet twice in one rule (several keys per record): keep one.
        radix_sort(&mut pairs);
        pairs.dedup();
        found_pairs = Some(pairs);
    }
    RuleBlocks {
        report,
        skipped,
        pairs: found_pairs,
    }
}

/// Sorts `v` by least-significant-digit radix sort, a byte a pass,
/// skipping the bytes in which all values agree: a list of pairs
/// (`a << 32 | b`, both below the number of records) changes in six bytes
/// of eight at a million records, and a pass over it costs less than a
/// comparison sort's share of it. Short lists are sorted by comparison.
fn radix_sort(v: &mut Vec<u64>) {
    if v.len() < 1 << 10 {
        v.sort_unstable();
        return;
    }
    let (all, any) = v
        .iter()
        .fold((u64::MAX, 0u64), |(all, any), &x| (all & x, any | x));
    let varying = all ^ any;
    let mut buffer = vec![0u64; v.len()];
    for shift in (0..64).step_by(8) {
        if (varying >> shift) & 0xFF == 0 {
            continue;
        }
        let digit = |x: u64| ((x >> shift) & 0xFF) as usize;
        let mut starts = [0usize; 256];
        for &x in v.iter() {
            if let Some(c) = starts.get_mut(digit(x)) {
                *c += 1;
            }
        }
        let mut sum = 0;
        for s in starts.iter_mut() {
            let count = *s;
            *s = sum;
            sum += count;
        }
        for &x in v.iter() {
            if let Some(at) = starts.get_mut(digit(x)) {
                if let Some(slot) = buffer.get_mut(*at) {
                    *slot = x;
                }
                *at += 1;
            }
        }
        std::mem::swap(v, &mut buffer);
    }
}

/// The union of the pairs of every rule, each pair once with the bits of the
/// rules that yield it, in pair order; counts the pairs each rule adds to
/// the union (the pairs whose first rule it is).
///
/// Merging sorted lists reads memory in order: asking every other rule
/// whether it pairs each candidate reads the keys of random records.
fn merge_rules(out: &mut Candidates, by_rule: Vec<Vec<u64>>) {
    // Merged two lists at a time, in parallel: each list is already sorted.
    let merged = by_rule
        .into_par_iter()
        .enumerate()
        .map(|(ri, pairs)| {
            let bit = 1u32 << ri;
            pairs.into_iter().map(|p| (p, bit)).collect::<Vec<_>>()
        })
        .reduce(Vec::new, |x, y| merge_tagged(&x, &y));
    out.pairs.reserve(merged.len());
    out.rules.reserve(merged.len());
    for (p, mask) in merged {
        out.pairs.push(((p >> 32) as u32, p as u32));
        out.rules.push(mask);
        if let Some(r) = out.report.get_mut(mask.trailing_zeros() as usize) {
            r.new_pairs += 1;
        }
    }
}

/// The union of two lists of pairs sorted by pair, each pair once: a pair
/// in both gets the union of its rule bits.
fn merge_tagged(x: &[(u64, u32)], y: &[(u64, u32)]) -> Vec<(u64, u32)> {
    let mut out = Vec::with_capacity(x.len() + y.len());
    let (mut i, mut j) = (0, 0);
    while i < x.len() && j < y.len() {
        let (p, q) = (x[i], y[j]);
        if p.0 < q.0 {
            out.push(p);
            i += 1;
        } else if q.0 < p.0 {
            out.push(q);
            j += 1;
        } else {
            out.push((p.0, p.1 | q.1));
            i += 1;
            j += 1;
        }
    }
    out.extend_from_slice(&x[i..]);
    out.extend_from_slice(&y[j..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The radix sort sorts, whatever bytes the values share.
        #[test]
        fn radix_sort_sorts(
            v in proptest::collection::vec(proptest::num::u64::ANY, 0..3000),
            mask in proptest::num::u64::ANY,
            bits in 0u32..64,
        ) {
            let mut v: Vec<u64> = v.into_iter().map(|x| (x & mask) >> bits).collect();
            let mut expected = v.clone();
            expected.sort_unstable();
            radix_sort(&mut v);
            proptest::prop_assert_eq!(v, expected);
        }
    }

    fn cols(rows: &[[&str; 3]]) -> Columns {
        let fields = [Field::GivenName, Field::FamilyName, Field::BirthDate];
        Columns::build(rows.len(), &fields, |r, f, out| {
            let i = fields.iter().position(|x| x == f).unwrap();
            out.push(rows[r][i].into());
        })
    }

    fn sizes(max: usize) -> BlockSizes {
        BlockSizes {
            max,
            window_above: max,
            window: 10,
        }
    }

    fn all(n: usize) -> Vec<u16> {
        vec![0; n]
    }

    #[test]
    fn soundex_codes() {
        let code = |s: &str| {
            let mut o = Vec::new();
            soundex(s.as_bytes(), &mut o);
            String::from_utf8(o).unwrap()
        };
        assert_eq!(code("robert"), "R163");
        assert_eq!(code("rupert"), "R163");
        assert_eq!(code("tymczak"), "T522");
        assert_eq!(code("pfister"), "P236");
        assert_eq!(code("garcia"), "G620");
        assert_eq!(code("123"), "");
    }

    #[test]
    fn rules_parse_and_print() {
        for t in [
            "given_name & family_name",
            "soundex(family_name) & year(birth_date)",
            "given_name~family_name & family_name~given_name",
            "prefix(postcode,3)",
            "day_month_unordered(birth_date) & postcode",
        ] {
            assert_eq!(t.parse::<BlockingRule>().unwrap().to_string(), t);
        }
        assert!("prefix(postcode)".parse::<BlockingRule>().is_err());
        assert!("sundex(family_name)".parse::<BlockingRule>().is_err());
    }

    #[test]
    fn day_month_unordered_keys_swapped_dates_alike_and_nothing_else() {
        let key = |v: &str| {
            let mut o = Vec::new();
            transform(Transform::DayMonthUnordered, v.as_bytes(), &mut o);
            String::from_utf8(o).unwrap()
        };
        assert_eq!(key("1985-03-01"), "1985-01-03");
        assert_eq!(key("1985-01-03"), "1985-01-03");
        assert_eq!(key("1985-12-11"), key("1985-11-12"));
        assert_eq!(key("1985-05-31"), "1985-05-31");
        // Sorting every byte would give these one key.
        assert_ne!(key("1985-01-30"), key("1985-03-10"));
        assert_ne!(key("1985-03-01"), key("1986-03-01"));
        // Not an ISO date: the value itself.
        assert_eq!(key("03/01/1985"), "03/01/1985");
        assert_eq!(key("1985-3-1"), "1985-3-1");
        assert_eq!(key("é85-03-01"), "é85-03-01");
        assert_eq!(key(""), "");
    }

    #[test]
    fn union_of_rules_yields_each_pair_once_with_its_rule_mask() {
        let c = cols(&[
            ["ana", "garcia", "1980-01-01"],
            ["ana", "garcia", "1980-01-02"],
            ["ana", "garcia", "1980-01-01"],
            ["luis", "perez", "1980-01-01"],
        ]);
        let rules: Vec<BlockingRule> = vec![
            "given_name & family_name".parse().unwrap(),
            "birth_date".parse().unwrap(),
        ];
        let filter = PairFilter {
            datasets: &all(4),
            link_only: false,
        };
        let cand = candidates(&c, &rules, sizes(1000), filter, false).unwrap();
        let mut got: Vec<_> = cand
            .pairs
            .iter()
            .copied()
            .zip(cand.rules.iter().copied())
            .collect();
        got.sort();
        assert_eq!(
            got,
            vec![
                ((0, 1), 0b01),
                ((0, 2), 0b11),
                ((0, 3), 0b10),
                ((1, 2), 0b01),
                ((2, 3), 0b10)
            ]
        );
        assert_eq!(cand.report[0].pairs, 3);
        assert_eq!(cand.report[1].pairs, 3);
        assert_eq!(cand.report[1].new_pairs, 2);
    }

    #[test]
    fn crosswise_rule_finds_swapped_names() {
        let c = cols(&[
            ["ana", "garcia", ""],
            ["garcia", "ana", ""],
            ["ana", "lopez", ""],
        ]);
        let rules = vec![
            "given_name~family_name & family_name~given_name"
                .parse::<BlockingRule>()
                .unwrap(),
        ];
        let filter = PairFilter {
            datasets: &all(3),
            link_only: false,
        };
        let cand = candidates(&c, &rules, sizes(1000), filter, false).unwrap();
        assert_eq!(cand.pairs, vec![(0, 1)]);
    }

    #[test]
    fn large_blocks_are_compared_by_sorted_neighbourhood() {
        // 400 namesakes, one person in three records: same date, or same
        // family spelling.
        let mut rows: Vec<[String; 3]> = (0..400)
            .map(|i| ["ana".into(), format!("f{i}"), format!("d{i}")])
            .collect();
        rows.push(["ana".into(), "f7".into(), "other".into()]);
        rows.push(["ana".into(), "typo".into(), "d7".into()]);
        let refs: Vec<[&str; 3]> = rows
            .iter()
            .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str()])
            .collect();
        let c = cols(&refs);
        let rules = vec!["given_name".parse::<BlockingRule>().unwrap()];
        let filter = PairFilter {
            datasets: &all(refs.len()),
            link_only: false,
        };
        let every = candidates(&c, &rules, sizes(1000), filter, false).unwrap();
        assert_eq!(every.pairs.len(), 402 * 401 / 2);
        assert_eq!(every.report[0].windowed_blocks, 0);
        let window = 3;
        let sizes = BlockSizes {
            max: 1000,
            window_above: 100,
            window,
        };
        let cand = candidates(&c, &rules, sizes, filter, false).unwrap();
        // Two sorts (family name, date), each at most `window` pairs per record.
        assert!(
            cand.pairs.len() <= 2 * window * refs.len(),
            "{}",
            cand.pairs.len()
        );
        assert_eq!(cand.report[0].windowed_blocks, 1);
        assert!(cand.report[0].pairs >= cand.pairs.len() as u64);
        for pair in [(7, 400), (7, 401), (400, 401)] {
            let same_value = pair != (400, 401);
            assert_eq!(cand.pairs.contains(&pair), same_value, "{pair:?}");
        }
        assert!(cand.pairs.iter().all(|&(a, b)| a < b));
        // Small blocks are unchanged.
        let small = BlockSizes {
            window_above: 402,
            ..sizes
        };
        assert_eq!(
            candidates(&c, &rules, small, filter, false).unwrap().pairs,
            every.pairs
        );
    }

    #[test]
    fn large_crosswise_blocks_pair_only_swapped_records_in_the_window() {
        // 200 records named `ana garcia` and 200 named `garcia ana`, each
        // with a date of its own; one `garcia ana` shares the date of
        // `ana garcia` number 7.
        let mut rows: Vec<[String; 3]> = (0..400)
            .map(|i| {
                let (g, f) = if i < 200 {
                    ("ana", "garcia")
                } else {
                    ("garcia", "ana")
                };
                [g.into(), f.into(), format!("d{i}")]
            })
            .collect();
        rows[300][2] = "d7".into();
        let refs: Vec<[&str; 3]> = rows
            .iter()
            .map(|r| [r[0].as_str(), r[1].as_str(), r[2].as_str()])
            .collect();
        let c = cols(&refs);
        let rules = vec![
            "given_name~family_name & family_name~given_name"
                .parse::<BlockingRule>()
                .unwrap(),
        ];
        let filter = PairFilter {
            datasets: &all(refs.len()),
            link_only: false,
        };
        let every = candidates(&c, &rules, sizes(1000), filter, false).unwrap();
        assert_eq!(every.pairs.len(), 200 * 200);
        let window = 2;
        let sizes = BlockSizes {
            max: 1000,
            window_above: 100,
            window,
        };
        let cand = candidates(&c, &rules, sizes, filter, false).unwrap();
        // Two blocks, `ana garcia` either way round, holding the same records.
        assert_eq!(cand.report[0].windowed_blocks, 2);
        assert!(
            cand.pairs.len() <= window * refs.len(),
            "{}",
            cand.pairs.len()
        );
        assert!(cand.pairs.contains(&(7, 300)));
        // Only swapped records, never two written the same way.
        assert!(cand.pairs.iter().all(|&(a, b)| (a < 200) != (b < 200)));
    }

    #[test]
    fn oversized_blocks_are_skipped_and_reported() {
        let c = cols(&[
            ["ana", "x", ""],
            ["ana", "y", ""],
            ["ana", "z", ""],
            ["eva", "x", ""],
        ]);
        let rules = vec!["given_name".parse::<BlockingRule>().unwrap()];
        let filter = PairFilter {
            datasets: &all(4),
            link_only: false,
        };
        let cand = candidates(&c, &rules, sizes(2), filter, false).unwrap();
        assert!(cand.pairs.is_empty());
        assert_eq!(cand.skipped.len(), 1);
        assert_eq!(cand.skipped[0].records, 3);
    }

    #[test]
    fn link_only_pairs_cross_datasets() {
        let c = cols(&[["ana", "x", ""], ["ana", "y", ""], ["ana", "z", ""]]);
        let rules = vec!["given_name".parse::<BlockingRule>().unwrap()];
        let ds = [0u16, 0, 1];
        let filter = PairFilter {
            datasets: &ds,
            link_only: true,
        };
        let cand = candidates(&c, &rules, sizes(100), filter, false).unwrap();
        assert_eq!(cand.pairs, vec![(0, 2), (1, 2)]);
    }
}
