//! From any identifier, written in any format, to the customer.
//!
//! [`LookupIndex`] maps every normalized identifier (kind, value) of every
//! profile to the profile. It holds positions, not copies of the values: a
//! hash table of (profile, identifier) pairs whose strings live in the
//! profiles. A raw value is first normalized with the same
//! [`Normalizer`] the resolution used, so `612 34 56 78`, `+34 612-345-678`
//! and `34612345678` all find the customer whose phone is `+34612345678`.

use std::hash::BuildHasher;

use hashbrown::HashTable;
use rustc_hash::FxBuildHasher;
use serde::Serialize;

use super::{Customer360, Profile};
use crate::normalize::Rejection;
use crate::prepare::Normalizer;
use crate::record::{Country, Identifier, IdentifierKind};

/// The index from normalized identifiers to profiles.
#[derive(Debug, Clone, Default)]
pub struct LookupIndex {
    /// (profile, identifier) positions, hashed by (kind, value).
    table: HashTable<(u32, u32)>,
    /// Every kind present, in order.
    kinds: Vec<IdentifierKind>,
}

fn hash(kind: &IdentifierKind, value: &str) -> u64 {
    FxBuildHasher.hash_one((kind, value))
}

impl LookupIndex {
    pub(crate) fn build(profiles: &[Profile]) -> LookupIndex {
        let total = profiles.iter().map(|p| p.identifiers.len()).sum();
        let mut table = HashTable::with_capacity(total);
        let mut kinds: Vec<IdentifierKind> = Vec::new();
        for (pi, p) in profiles.iter().enumerate() {
            for (ii, id) in p.identifiers.iter().enumerate() {
                if !kinds.contains(&id.kind) {
                    kinds.push(id.kind.clone());
                }
                let h = hash(&id.kind, &id.value);
                table.insert_unique(h, (pi as u32, ii as u32), |&(p, i)| {
                    profiles
                        .get(p as usize)
                        .and_then(|p| p.identifiers.get(i as usize))
                        .map_or(0, |id| hash(&id.kind, &id.value))
                });
            }
        }
        kinds.sort();
        LookupIndex { table, kinds }
    }

    /// Every identifier kind the profiles hold.
    pub fn kinds(&self) -> &[IdentifierKind] {
        &self.kinds
    }

    /// The number of indexed (profile, identifier) pairs.
    pub fn len(&self) -> usize {
        self.table.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.table.is_empty()
    }
}

/// A profile found by a lookup, and the identifier that found it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hit {
    /// Position of the profile in [`Customer360::profiles`].
    pub profile: usize,
    /// The kind of the identifier.
    pub kind: IdentifierKind,
    /// Its normalized value.
    pub value: String,
}

impl Customer360 {
    /// The profiles (positions in [`profiles`](Self::profiles), ascending)
    /// holding an already normalized identifier.
    pub fn find(&self, kind: &IdentifierKind, value: &str) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .index
            .table
            .iter_hash(hash(kind, value))
            .filter(|&&(p, i)| {
                self.profiles
                    .get(p as usize)
                    .and_then(|p| p.identifiers.get(i as usize))
                    .is_some_and(|id| &id.kind == kind && id.value == value)
            })
            .map(|&(p, _)| p as usize)
            .collect();
        out.sort_unstable();
        out
    }

    /// The profiles holding a raw identifier of a known kind, normalized
    /// first (with `region` for a national phone number). A value the
    /// normalizer rejects is an error; a value nobody holds is no hit.
    ///
    /// ```
    /// use omnid::profile::{Customer360, ProfileConfig};
    /// use omnid::resolve::{Resolver, ResolverConfig};
    /// use omnid::{Country, Identifier, IdentifierKind, Record, RecordKey};
    /// let records = [Record {
    ///     key: RecordKey::new("calls", "c1"),
    ///     identifiers: vec![Identifier::new(IdentifierKind::Phone, "+34 612 34 56 78")],
    ///     ..Record::default()
    /// }];
    /// let resolver = Resolver::new(ResolverConfig::default())?;
    /// let res = resolver.resolve(&records)?;
    /// let c360 = Customer360::build(&records, &res, &ProfileConfig::default());
    /// let raw = Identifier::new(IdentifierKind::Phone, "612-345-678");
    /// let hits = c360.lookup(resolver.normalizer(), &raw, Some(Country::ES))?;
    /// assert_eq!(hits.len(), 1);
    /// assert_eq!(hits[0].value, "+34612345678");
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lookup(
        &self,
        normalizer: &Normalizer,
        raw: &Identifier,
        region: Option<Country>,
    ) -> Result<Vec<Hit>, Rejection> {
        let n = normalizer.identifier(raw, region)?;
        Ok(self
            .find(&n.kind, &n.value)
            .into_iter()
            .map(|profile| Hit {
                profile,
                kind: n.kind.clone(),
                value: n.value.clone(),
            })
            .collect())
    }

    /// The profiles holding `raw` read as any identifier kind the profiles
    /// hold (a phone, an email, a handle, a CRM id...): every kind whose
    /// normalizer accepts the value is tried. Hits are by profile, then kind.
    pub fn lookup_any(
        &self,
        normalizer: &Normalizer,
        raw: &str,
        region: Option<Country>,
    ) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .index
            .kinds
            .iter()
            .filter_map(|kind| {
                self.lookup(normalizer, &Identifier::new(kind.clone(), raw), region)
                    .ok()
            })
            .flatten()
            .collect();
        hits.sort_by(|a, b| (a.profile, &a.kind).cmp(&(b.profile, &b.kind)));
        hits.dedup_by(|a, b| a.profile == b.profile && a.kind == b.kind);
        hits
    }
}
