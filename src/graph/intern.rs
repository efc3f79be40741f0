//! String interning into one arena: each distinct (tag, text) is stored once,
//! in one big `String`, and named by a dense `u32`.

use std::hash::{BuildHasher, Hash, Hasher};

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;

/// Strings tagged with a small integer (the kind of an identifier value),
/// interned to dense ids. The table holds only ids; it hashes the arena's text
/// when it grows, so no string is stored twice.
#[derive(Debug, Clone, Default)]
pub(crate) struct Interner {
    table: HashTable<u32>,
    text: String,
    ends: Vec<u64>,
    tags: Vec<u16>,
}

fn hash(tag: u16, s: &str) -> u64 {
    let mut h = FxBuildHasher.build_hasher();
    tag.hash(&mut h);
    s.hash(&mut h);
    h.finish()
}

fn slice<'a>(text: &'a str, ends: &[u64], id: u32) -> &'a str {
    let i = id as usize;
    let end = ends.get(i).copied().unwrap_or(0) as usize;
    let start = match i.checked_sub(1) {
        Some(p) => ends.get(p).copied().unwrap_or(0) as usize,
        None => 0,
    };
    text.get(start..end).unwrap_or("")
}

impl Interner {
    /// The number of interned strings.
    pub(crate) fn len(&self) -> usize {
        self.tags.len()
    }

    /// The id of `(tag, s)`, adding it if new; `None` when the ids are exhausted.
    pub(crate) fn intern(&mut self, tag: u16, s: &str) -> Option<u32> {
        let h = hash(tag, s);
        let Interner {
            table,
            text,
            ends,
            tags,
        } = self;
        let same = |&id: &u32| tags.get(id as usize) == Some(&tag) && slice(text, ends, id) == s;
        if let Some(&id) = table.find(h, same) {
            return Some(id);
        }
        let id = u32::try_from(tags.len()).ok().filter(|&id| id < u32::MAX)?;
        text.push_str(s);
        ends.push(text.len() as u64);
        tags.push(tag);
        table.insert_unique(h, id, |&id| {
            hash(
                tags.get(id as usize).copied().unwrap_or(0),
                slice(text, ends, id),
            )
        });
        Some(id)
    }

    /// The id of `(tag, s)` if it was interned.
    pub(crate) fn get(&self, tag: u16, s: &str) -> Option<u32> {
        let same = |&id: &u32| self.tags.get(id as usize) == Some(&tag) && self.text(id) == s;
        self.table.find(hash(tag, s), same).copied()
    }

    /// The text of `id` (empty when out of range).
    pub(crate) fn text(&self, id: u32) -> &str {
        slice(&self.text, &self.ends, id)
    }

    /// The tag of `id`.
    pub(crate) fn tag(&self, id: u32) -> Option<u16> {
        self.tags.get(id as usize).copied()
    }

    /// Frees unused capacity.
    pub(crate) fn shrink(&mut self) {
        self.text.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.tags.shrink_to_fit();
        self.table.shrink_to_fit(|&id| {
            hash(
                self.tags.get(id as usize).copied().unwrap_or(0),
                slice(&self.text, &self.ends, id),
            )
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interns_each_tagged_string_once() {
        let mut i = Interner::default();
        let a = i.intern(0, "+34600111222").unwrap();
        let b = i.intern(1, "+34600111222").unwrap();
        let c = i.intern(0, "ana@example.com").unwrap();
        assert_eq!(i.intern(0, "+34600111222"), Some(a));
        assert_ne!(a, b, "the same text under another kind is another value");
        assert_eq!((a, b, c), (0, 1, 2));
        assert_eq!(i.text(c), "ana@example.com");
        assert_eq!(i.tag(b), Some(1));
        assert_eq!(i.get(1, "+34600111222"), Some(b));
        assert_eq!(i.get(2, "+34600111222"), None);
        assert_eq!(i.text(99), "");
        let e = i.intern(0, "").unwrap();
        assert_eq!(i.text(e), "");
        assert_eq!(i.len(), 4);
    }

    #[test]
    fn survives_growth() {
        let mut i = Interner::default();
        for n in 0..10_000u32 {
            assert_eq!(i.intern((n % 3) as u16, &n.to_string()), Some(n));
        }
        i.shrink();
        for n in (0..10_000u32).rev() {
            assert_eq!(i.get((n % 3) as u16, &n.to_string()), Some(n));
            assert_eq!(i.text(n), n.to_string());
        }
    }
}
