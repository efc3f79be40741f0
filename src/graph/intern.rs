//! Interning of identifier values: each distinct (kind tag, text) is stored
//! once and named by a dense `u32`.
//!
//! As records are added, each value is hashed once and appended, raw, to one
//! of a fixed number of shards chosen by its hash ([`RawValues`]); no table is
//! probed. [`Interner::build`] then interns every shard on its own, in
//! parallel: a shard's texts and table are small enough to stay in cache,
//! which is what makes interning tens of millions of values fast. The number
//! of shards is fixed, so the ids do not depend on the thread count.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rayon::prelude::*;
use rustc_hash::FxBuildHasher;

/// A shard's lookup table of `(local id, hash)` pairs.
type Table = HashTable<(u32, u32)>;

/// The shard is the top 8 bits of a value's hash, so it fits a `u8`.
const SHARD_BITS: u32 = 8;
const SHARDS: usize = 1 << SHARD_BITS;
/// An arena entry packs the text's end offset (low 48 bits) and its tag.
const END_BITS: u32 = 48;
const END_MASK: u64 = (1 << END_BITS) - 1;

fn hash(tag: u16, s: &str) -> u32 {
    let h = FxBuildHasher.hash_one((tag, s));
    (h ^ (h >> 32)) as u32
}

/// The table's 64-bit hash from the stored 32 bits. The shard is the top
/// `SHARD_BITS` bits, constant inside a shard, so the table must take neither
/// its bucket (low bits of the result) nor its 7-bit tag (top bits) from them.
fn widen(h: u32) -> u64 {
    u64::from(h) | (u64::from(h) << 40)
}

fn shard_of(h: u32) -> usize {
    (h >> (32 - SHARD_BITS)) as usize
}

/// Texts with tags, appended one after another.
#[derive(Debug, Clone, Default)]
struct Arena {
    text: String,
    ends: Vec<u64>,
}

impl Arena {
    fn push(&mut self, tag: u16, s: &str) -> Option<()> {
        let end = self.text.len().checked_add(s.len())? as u64;
        if end > END_MASK {
            return None;
        }
        self.text.push_str(s);
        self.ends.push(end | u64::from(tag) << END_BITS);
        Some(())
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: u32) -> (u16, &str) {
        let i = i as usize;
        let packed = self.ends.get(i).copied().unwrap_or(0);
        let end = (packed & END_MASK) as usize;
        let start = match i.checked_sub(1) {
            Some(p) => (self.ends.get(p).copied().unwrap_or(0) & END_MASK) as usize,
            None => 0,
        };
        (
            (packed >> END_BITS) as u16,
            self.text.get(start..end).unwrap_or(""),
        )
    }

    fn truncate(&mut self, len: usize) {
        self.ends.truncate(len);
        let end = self.ends.last().map_or(0, |e| (e & END_MASK) as usize);
        self.text.truncate(end);
    }
}

/// Identifier values as added, one entry per (record, identifier), spread
/// over the shards by hash. The caller keeps each entry's shard, in order:
/// an entry's place in its shard is the count of earlier entries there.
#[derive(Debug, Clone)]
pub(crate) struct RawValues {
    shards: Vec<Arena>,
}

impl Default for RawValues {
    fn default() -> Self {
        RawValues {
            shards: vec![Arena::default(); SHARDS],
        }
    }
}

impl RawValues {
    /// Appends `(tag, s)`; returns its shard, or `None` when the shard's
    /// text is full.
    pub(crate) fn push(&mut self, tag: u16, s: &str) -> Option<u8> {
        let shard = shard_of(hash(tag, s));
        self.shards.get_mut(shard)?.push(tag, s)?;
        // `shard_of` keeps 8 bits.
        Some(shard as u8)
    }

    /// Removes the last entries added, given their shards.
    pub(crate) fn rollback(&mut self, shards: &[u8]) {
        for &s in shards {
            if let Some(arena) = self.shards.get_mut(s as usize) {
                arena.truncate(arena.len().saturating_sub(1));
            }
        }
    }
}

/// One shard of the interner: its first id, its distinct texts, its table.
#[derive(Debug, Clone, Default)]
struct Shard {
    base: u32,
    arena: Arena,
    table: Table,
}

/// Distinct values, their texts, and the tables to look them up.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    shards: Vec<Shard>,
    len: usize,
}

/// Maps raw entries to value ids.
pub(crate) struct IdMap {
    bases: Vec<u32>,
    local: Vec<Vec<u32>>,
}

impl IdMap {
    /// The value id of every raw entry, given the shard of each in the order
    /// they were added. Each shard's entries are then read in order: 256
    /// sequential streams, not random reads.
    pub(crate) fn ids(&self, shards: &[u8]) -> Vec<u32> {
        let mut next = vec![0usize; self.local.len()];
        shards
            .iter()
            .map(|&s| {
                let s = s as usize;
                let entry = next.get(s).copied().unwrap_or(0);
                if let Some(n) = next.get_mut(s) {
                    *n += 1;
                }
                let base = self.bases.get(s).copied().unwrap_or(0);
                let local = self.local.get(s).and_then(|l| l.get(entry));
                base + local.copied().unwrap_or(0)
            })
            .collect()
    }
}

impl Interner {
    /// Interns every raw value; returns the interner and the map from raw
    /// references to ids. `None` when there are more distinct values than ids.
    pub(crate) fn build(raw: RawValues) -> Option<(Interner, IdMap)> {
        let done: Vec<(Table, Arena, Vec<u32>)> =
            raw.shards.into_par_iter().map(intern_shard).collect();
        let mut shards = Vec::with_capacity(done.len());
        let mut bases = Vec::with_capacity(done.len());
        let mut local = Vec::with_capacity(done.len());
        let mut total = 0u64;
        for (table, arena, ids) in done {
            let base = u32::try_from(total).ok()?;
            total += arena.len() as u64;
            bases.push(base);
            local.push(ids);
            shards.push(Shard { base, arena, table });
        }
        if total >= u64::from(u32::MAX) {
            return None;
        }
        Some((
            Interner {
                shards,
                len: total as usize,
            },
            IdMap { bases, local },
        ))
    }

    /// The number of distinct values.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// The tag and text of every value, in id order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = (u16, &str)> + '_ {
        self.shards
            .iter()
            .flat_map(|s| (0..s.arena.len() as u32).map(|i| s.arena.get(i)))
    }

    fn locate(&self, id: u32) -> Option<(&Shard, u32)> {
        let after = self.shards.partition_point(|s| s.base <= id);
        let shard = self.shards.get(after.checked_sub(1)?)?;
        let local = id - shard.base;
        ((local as usize) < shard.arena.len()).then_some((shard, local))
    }

    /// The id of `(tag, s)` if it was interned.
    pub(crate) fn get(&self, tag: u16, s: &str) -> Option<u32> {
        let h = hash(tag, s);
        let shard = self.shards.get(shard_of(h))?;
        let same = |&(local, hh): &(u32, u32)| hh == h && shard.arena.get(local) == (tag, s);
        shard
            .table
            .find(widen(h), same)
            .map(|&(local, _)| shard.base + local)
    }

    /// The text of `id` (empty when out of range).
    pub(crate) fn text(&self, id: u32) -> &str {
        self.locate(id).map_or("", |(s, l)| s.arena.get(l).1)
    }
}

/// Interns one shard in order of first appearance: returns its table, its
/// distinct texts, and each raw entry's local id.
fn intern_shard(raw: Arena) -> (Table, Arena, Vec<u32>) {
    let mut table = Table::new();
    let mut distinct = Arena::default();
    let mut ids = Vec::with_capacity(raw.len());
    for i in 0..raw.len() as u32 {
        let (tag, s) = raw.get(i);
        let h = hash(tag, s);
        let same = |&(local, hh): &(u32, u32)| hh == h && distinct.get(local) == (tag, s);
        let id = match table.find(widen(h), same) {
            Some(&(local, _)) => local,
            None => {
                let local = distinct.len() as u32;
                // Cannot fail: the distinct texts are a subset of the raw ones.
                let _ = distinct.push(tag, s);
                table.insert_unique(widen(h), (local, h), |&(_, h)| widen(h));
                local
            }
        };
        ids.push(id);
    }
    drop(raw);
    distinct.text.shrink_to_fit();
    distinct.ends.shrink_to_fit();
    table.shrink_to_fit(|&(_, h)| widen(h));
    (table, distinct, ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn intern(values: &[(u16, &str)]) -> (Interner, Vec<u32>) {
        let mut raw = RawValues::default();
        let shards: Vec<u8> = values
            .iter()
            .map(|(t, s)| raw.push(*t, s).unwrap())
            .collect();
        let (interner, map) = Interner::build(raw).unwrap();
        (interner, map.ids(&shards))
    }

    #[test]
    fn interns_each_tagged_string_once() {
        let (i, ids) = intern(&[
            (0, "+34600111222"),
            (1, "+34600111222"),
            (0, "ana@example.com"),
            (0, "+34600111222"),
            (0, ""),
        ]);
        assert_eq!(i.len(), 4);
        assert_eq!(ids[0], ids[3]);
        assert_ne!(
            ids[0], ids[1],
            "the same text under another kind is another value"
        );
        assert_eq!(i.text(ids[2]), "ana@example.com");
        assert_eq!(i.iter().nth(ids[1] as usize), Some((1, "+34600111222")));
        assert_eq!(i.get(1, "+34600111222"), Some(ids[1]));
        assert_eq!(i.get(2, "+34600111222"), None);
        assert_eq!(i.get(0, ""), Some(ids[4]));
        assert_eq!(i.text(99), "");
        let all: Vec<(u16, &str)> = i.iter().collect();
        assert_eq!(all.len(), 4);
        assert_eq!(all[ids[2] as usize], (0, "ana@example.com"));
    }

    #[test]
    fn rollback_removes_a_records_values() {
        let mut raw = RawValues::default();
        let keep = raw.push(0, "kept").unwrap();
        let pushed = [raw.push(0, "a").unwrap(), raw.push(1, "b").unwrap()];
        raw.rollback(&pushed);
        let (i, map) = Interner::build(raw).unwrap();
        assert_eq!(i.len(), 1);
        assert_eq!(i.text(map.ids(&[keep])[0]), "kept");
    }

    #[test]
    fn ids_do_not_depend_on_the_thread_count() {
        let values: Vec<(u16, String)> = (0..20_000u32)
            .map(|n| ((n % 3) as u16, (n % 7_000).to_string()))
            .collect();
        let refs: Vec<(u16, &str)> = values.iter().map(|(t, s)| (*t, s.as_str())).collect();
        let build = |threads| {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            pool.install(|| intern(&refs))
        };
        let ((one, ids1), (two, ids2)) = (build(1), build(2));
        assert_eq!(ids1, ids2);
        assert_eq!(one.len(), two.len());
        for (k, (t, s)) in values.iter().enumerate() {
            assert_eq!(one.text(ids1[k]), s);
            assert_eq!(two.text(ids1[k]), s);
            assert_eq!(two.get(*t, s), Some(ids1[k]));
        }
        let distinct: std::collections::HashSet<_> = values.iter().collect();
        assert_eq!(one.len(), distinct.len());
    }
}
