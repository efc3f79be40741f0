//! From any identifier, written in any format, to the customer.
//!
//! [`LookupIndex`] maps every normalized identifier (kind, value) of every
//! profile to the profile. It is keyed by the identity graph's value ids:
//! the graph already holds each distinct value once, so the index is two
//! arrays of integers (the profiles of each value), built by a counting sort
//! without hashing or copying a string. A raw value is first normalized with
//! the same [`Normalizer`] the resolution used, so `612 34 56 78`,
//! `+34 612-345-678` and `34612345678` all find the customer whose phone is
//! `+34612345678`.

use super::Customer360;
use crate::cluster::{KindId, RecordId};
use crate::graph::IdentityGraph;
use crate::normalize::Rejection;
use crate::prepare::Normalizer;
use crate::record::{Country, Identifier, IdentifierKind};
use crate::resolve::Resolution;

use serde::Serialize;

/// The index from normalized identifiers to profiles.
#[derive(Debug, Clone, Default)]
pub struct LookupIndex {
    /// Where the profiles of each value start in `profiles`, by value id,
    /// and the end.
    offsets: Vec<u32>,
    /// Profile positions, ascending for each value.
    profiles: Vec<u32>,
    /// Every kind present, in order.
    kinds: Vec<IdentifierKind>,
}

impl LookupIndex {
    /// The index of the graph's values, given the profile position of
    /// each graph record by canonical id (`u32::MAX` or none: no profile).
    pub(crate) fn build(
        graph: &IdentityGraph,
        position: impl Fn(u32) -> Option<u32>,
    ) -> LookupIndex {
        let values = graph.internals().0.constraints();
        let holders = || {
            (0..graph.len() as u32)
                .filter_map(|c| Some((c, position(c).filter(|&p| p != u32::MAX)?)))
                .flat_map(|(c, p)| values.record_values(RecordId(c)).map(move |v| (v, p)))
        };
        let mut offsets = vec![0u32; values.value_count() + 1];
        for (v, _) in holders() {
            if let Some(n) = offsets.get_mut(v.index() + 1) {
                *n += 1;
            }
        }
        let mut total = 0u32;
        for n in offsets.iter_mut() {
            total = total.saturating_add(*n);
            *n = total;
        }
        let mut next = offsets.clone();
        let mut profiles = vec![0u32; total as usize];
        for (v, p) in holders() {
            if let Some(at) = next.get_mut(v.index())
                && let Some(slot) = profiles.get_mut(*at as usize)
            {
                *slot = p;
                *at += 1;
            }
        }
        // Records come in canonical order, not profile order: sort each
        // value's profiles and keep one of each, moving the lists down.
        let mut kinds: Vec<KindId> = Vec::new();
        let mut write = 0usize;
        let mut start = 0usize;
        for v in 0..values.value_count() {
            let end = offsets.get(v + 1).map_or(start, |&e| e as usize);
            if let Some(list) = profiles.get_mut(start..end) {
                list.sort_unstable();
            }
            let mut last = None;
            for k in start..end {
                let Some(p) = profiles.get(k).copied() else {
                    break;
                };
                if last != Some(p) {
                    if let Some(slot) = profiles.get_mut(write) {
                        *slot = p;
                    }
                    write += 1;
                    last = Some(p);
                }
            }
            if end > start
                && let Some(k) = values.kind_of(crate::cluster::ValueId(v as u32))
                && !kinds.contains(&k)
            {
                kinds.push(k);
            }
            if let Some(o) = offsets.get_mut(v + 1) {
                *o = write as u32;
            }
            start = end;
        }
        profiles.truncate(write);
        profiles.shrink_to_fit();
        let mut kinds: Vec<IdentifierKind> = kinds
            .into_iter()
            .filter_map(|k| graph.kind(k).cloned())
            .collect();
        kinds.sort();
        LookupIndex {
            offsets,
            profiles,
            kinds,
        }
    }

    /// Every identifier kind the profiles hold.
    pub fn kinds(&self) -> &[IdentifierKind] {
        &self.kinds
    }

    /// The number of indexed (profile, identifier) pairs.
    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    /// True when nothing is indexed.
    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }

    /// The profile positions holding value `v`, ascending.
    fn holders(&self, v: usize) -> &[u32] {
        let start = self.offsets.get(v).map_or(0, |&s| s as usize);
        let end = self.offsets.get(v + 1).map_or(start, |&e| e as usize);
        self.profiles.get(start..end).unwrap_or(&[])
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
    /// holding an already normalized identifier. `res` must be the
    /// resolution the profiles were built from.
    pub fn find(&self, res: &Resolution, kind: &IdentifierKind, value: &str) -> Vec<usize> {
        res.graph.value_id(kind, value).map_or_else(Vec::new, |v| {
            self.lookup_index(res)
                .holders(v.index())
                .iter()
                .map(|&p| p as usize)
                .collect()
        })
    }

    /// The profiles holding a raw identifier of a known kind, normalized
    /// first (with `region` for a national phone number). A value the
    /// normalizer rejects is an error; a value nobody holds is no hit.
    /// `res` must be the resolution the profiles were built from.
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
    /// let hits = c360.lookup(&res, resolver.normalizer(), &raw, Some(Country::ES))?;
    /// assert_eq!(hits.len(), 1);
    /// assert_eq!(hits[0].value, "+34612345678");
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn lookup(
        &self,
        res: &Resolution,
        normalizer: &Normalizer,
        raw: &Identifier,
        region: Option<Country>,
    ) -> Result<Vec<Hit>, Rejection> {
        let n = normalizer.identifier(raw, region)?;
        Ok(self
            .find(res, &n.kind, &n.value)
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
        res: &Resolution,
        normalizer: &Normalizer,
        raw: &str,
        region: Option<Country>,
    ) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .lookup_index(res)
            .kinds
            .iter()
            .filter_map(|kind| {
                self.lookup(res, normalizer, &Identifier::new(kind.clone(), raw), region)
                    .ok()
            })
            .flatten()
            .collect();
        hits.sort_by(|a, b| (a.profile, &a.kind).cmp(&(b.profile, &b.kind)));
        hits.dedup_by(|a, b| a.profile == b.profile && a.kind == b.kind);
        hits
    }
}
