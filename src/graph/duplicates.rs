//! Duplicate accounts: two values of one kind (two CRM ids) that belong to
//! one person, found before linking so that the kind's cannot-link does not
//! keep them apart (see [`KindRule::merge_duplicates`](super::KindRule)).
//!
//! The evidence is the one a person would check: the records of one account
//! and the records of the other share another identifier (a phone, an email,
//! a document, a loyalty card), and the names on them can be one person's
//! ([`names::same_person`]). Two accounts of a household share a landline
//! too, but name different people; a recycled number's two holders as well.

use rustc_hash::FxHashMap;

use super::{IdentityGraph, NO_NAME, names};
use crate::cluster::{ConstraintIndex, RecordId, ValueId, unpack};

/// A value shared by more accounts than this is no evidence of duplicates
/// (a switchboard, a placeholder nobody filtered); it also bounds the
/// pairwise name checks.
const MAX_ACCOUNTS_PER_VALUE: usize = 16;
/// Distinct names kept per account for the checks.
const MAX_NAMES_PER_ACCOUNT: usize = 8;

impl IdentityGraph {
    /// Pairs of values of kinds with `merge_duplicates` that are duplicate
    /// accounts of one person, each pair once, sorted. `index` holds every
    /// record's values (the clustering is not built yet).
    pub(super) fn duplicate_pairs(&self, index: &ConstraintIndex) -> Vec<(ValueId, ValueId)> {
        let accounts_kind: Vec<bool> = self.kinds.iter().map(|k| k.rule.merge_duplicates).collect();
        if !accounts_kind.contains(&true) {
            return Vec::new();
        }
        let evidence_kind: Vec<bool> = self
            .kinds
            .iter()
            .map(|k| k.rule.linking && !k.rule.merge_duplicates)
            .collect();
        let of_kind = |flags: &[bool], e: u64| {
            let kind = unpack(e).0;
            flags.get(kind.0 as usize).copied().unwrap_or(false)
        };
        // Per account: the other values its records hold, and the distinct
        // names they carry (as one canonical record each).
        let mut shared: Vec<(u32, u32)> = Vec::new();
        let mut named: FxHashMap<u32, Vec<(u64, u32)>> = FxHashMap::default();
        let mut accounts: Vec<u32> = Vec::new();
        for c in 0..self.len() as u32 {
            let entries = index.record_entries(RecordId(c));
            accounts.clear();
            accounts.extend(
                entries
                    .iter()
                    .filter(|&&e| of_kind(&accounts_kind, e))
                    .map(|&e| unpack(e).1.0),
            );
            if accounts.is_empty() {
                continue;
            }
            for &e in entries {
                let value = unpack(e).1;
                if of_kind(&evidence_kind, e) && !self.preflagged.contains_key(&value) {
                    shared.extend(accounts.iter().map(|&a| (value.0, a)));
                }
            }
            // A bare given name (`maria`) or a phrase in one word (`familia`)
            // is carried by too many people to tell two accounts apart.
            let name = self.name_of.get(c as usize).copied().unwrap_or(NO_NAME);
            let full =
                name != NO_NAME && names::is_full(self.names.get(self.external(RecordId(c)).0));
            if full {
                for &a in &accounts {
                    let names = named.entry(a).or_default();
                    if names.len() < MAX_NAMES_PER_ACCOUNT && !names.iter().any(|n| n.0 == name) {
                        names.push((name, c));
                    }
                }
            }
        }
        shared.sort_unstable();
        shared.dedup();
        let mut pairs = Vec::new();
        for run in shared.chunk_by(|x, y| x.0 == y.0) {
            if run.len() > MAX_ACCOUNTS_PER_VALUE {
                continue;
            }
            for (i, &(_, a)) in run.iter().enumerate() {
                for &(_, b) in run.iter().skip(i + 1) {
                    let same_kind = index.kind_of(ValueId(a)) == index.kind_of(ValueId(b));
                    if same_kind && self.accounts_name_one_person(&named, a, b) {
                        pairs.push((ValueId(a), ValueId(b)));
                    }
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        pairs
    }

    /// Whether some full name on account `a`'s records and some full name on
    /// account `b`'s can be one person's; false when either has none.
    fn accounts_name_one_person(
        &self,
        named: &FxHashMap<u32, Vec<(u64, u32)>>,
        a: u32,
        b: u32,
    ) -> bool {
        let (Some(na), Some(nb)) = (named.get(&a), named.get(&b)) else {
            return false;
        };
        let text = |c: u32| self.names.get(self.external(RecordId(c)).0);
        na.iter().any(|&(ha, ca)| {
            nb.iter()
                .any(|&(hb, cb)| ha == hb || names::same_person(text(ca), text(cb)))
        })
    }
}
