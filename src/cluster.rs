//! Constrained clustering: a union-find that refuses merges which would
//! break a per-kind rule, keeps a log of every accepted and refused link, and
//! names its clusters with stable profile ids.
//!
//! The same [`Clustering`] takes the deterministic links of the identity
//! graph ([`Evidence::SharedIdentifier`], fed in rule order by
//! [`crate::graph`]) and, later, the probabilistic links of the matcher
//! ([`Clustering::link_probabilistic`], strongest weight first). Whatever the
//! evidence, a merge is refused when the union of the two clusters would hold
//! two values of an exclusive kind (cannot-link) or more distinct values of a
//! limited kind than its `max_per_profile`.
//!
//! Everything here works on dense integers: records are [`RecordId`]s, kinds
//! [`KindId`]s and identifier values [`ValueId`]s, interned by the caller.
//!
//! # Profile ids
//!
//! A cluster's [`ProfileId`] is derived from its *anchor*, the member with the
//! smallest [`RecordKey`](crate::RecordKey) (source, then id, compared as
//! bytes): the id is the 64-bit FNV-1a hash of the source's UTF-8 bytes, one
//! `0xFF` byte (which never occurs in UTF-8, so the split is unambiguous), and
//! the id's UTF-8 bytes, passed through MurmurHash3's 64-bit finalizer (a
//! bijection, so that similar keys give ids that do not look alike), printed
//! as `p-` and 16 lower-case hex digits. The hash is fixed (no per-process
//! seed), so a re-run on the same data gives the same ids, and a re-run with
//! more records keeps the id of every profile whose smallest key did not
//! change: profiles that gained no members, and profiles that only gained
//! records with larger keys. Two anchors share an id with probability about
//! n²/2⁶⁵ for n profiles (3·10⁻⁶ at ten million).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rayon::slice::ParallelSliceMut;
use serde::{Deserialize, Serialize};

/// A record's dense index in one graph, in the order records were added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RecordId(pub u32);

impl RecordId {
    /// The index as a `usize`, for slices.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// An identifier kind's dense index in one graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct KindId(pub u16);

/// An interned identifier value (a kind and its normalized text) in one graph.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ValueId(pub u32);

/// Errors of the clustering layer: ids or indexes that do not fit together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// A record id beyond the number of records.
    #[error("record {record} does not exist: there are {records} records")]
    RecordOutOfRange {
        /// The id given.
        record: u32,
        /// How many records there are.
        records: usize,
    },
    /// The parts of a [`ConstraintIndex`] do not fit together.
    #[error("constraint index: {what}")]
    BadConstraintIndex {
        /// What does not fit.
        what: &'static str,
    },
}

/// A plain union-find over `0..n`: a parent array with path halving and union
/// by size.
///
/// ```
/// use omnid::cluster::{Union, UnionFind};
/// let mut uf = UnionFind::new(4);
/// assert!(matches!(uf.union(0, 1), Some(Union::Joined { .. })));
/// assert!(matches!(uf.union(1, 0), Some(Union::AlreadyJoined { .. })));
/// assert_eq!(uf.find(1), uf.find(0));
/// assert_ne!(uf.find(2), uf.find(0));
/// assert_eq!(uf.find(9), None);
/// ```
#[derive(Debug, Clone, Default)]
pub struct UnionFind {
    /// `[parent, size, payload]` per element: a root's size, and the payload
    /// its owner keeps there (the clustering's set slot), sit on the cache
    /// line its find already loaded.
    nodes: Vec<[u32; 3]>,
}

/// What [`UnionFind::union`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Union {
    /// Two sets became one.
    Joined {
        /// The root of the joined set.
        root: u32,
        /// The root that now points to `root`.
        absorbed: u32,
    },
    /// Both elements were already in one set.
    AlreadyJoined {
        /// The set's root.
        root: u32,
    },
}

impl UnionFind {
    /// `n` singleton sets.
    pub fn new(n: u32) -> Self {
        UnionFind {
            nodes: (0..n).map(|i| [i, 1, NO_SET]).collect(),
        }
    }

    /// The number of elements.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// True when there are no elements.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The root of `x`'s set, or `None` when `x` is out of range.
    pub fn find(&mut self, x: u32) -> Option<u32> {
        ((x as usize) < self.nodes.len()).then(|| self.root(x))
    }

    /// The root of `x`'s set without compressing paths (union by size keeps
    /// trees at most log2(n) deep), or `None` when `x` is out of range.
    pub fn find_shared(&self, x: u32) -> Option<u32> {
        let mut x = x;
        loop {
            let p = self.nodes.get(x as usize)?[0];
            if p == x {
                return Some(x);
            }
            x = p;
        }
    }

    /// The number of elements in the set whose root is `root`.
    pub fn set_size(&self, root: u32) -> u32 {
        self.nodes.get(root as usize).map_or(0, |n| n[1])
    }

    /// Joins the sets of `a` and `b`; `None` when either is out of range.
    pub fn union(&mut self, a: u32, b: u32) -> Option<Union> {
        let ra = self.find(a)?;
        let rb = self.find(b)?;
        if ra == rb {
            return Some(Union::AlreadyJoined { root: ra });
        }
        let (root, absorbed) = self.join_roots(ra, rb);
        Some(Union::Joined { root, absorbed })
    }

    /// The payload word of `x` (`u32::MAX` until set).
    fn payload(&self, x: u32) -> u32 {
        self.nodes.get(x as usize).map_or(NO_SET, |n| n[2])
    }

    /// Sets the payload word of `x`; returns the previous one.
    fn replace_payload(&mut self, x: u32, payload: u32) -> u32 {
        match self.nodes.get_mut(x as usize) {
            Some(n) => std::mem::replace(&mut n[2], payload),
            None => NO_SET,
        }
    }

    /// `x` must be in range; every parent is, by construction.
    fn root(&mut self, mut x: u32) -> u32 {
        loop {
            let p = self.nodes[x as usize][0];
            if p == x {
                return x;
            }
            // Path halving: one extra write per step flattens the tree for
            // every later find, with no second pass and no recursion.
            let g = self.nodes[p as usize][0];
            self.nodes[x as usize][0] = g;
            x = g;
        }
    }

    /// Links two distinct roots, the smaller set under the larger; returns
    /// (kept root, absorbed root).
    fn join_roots(&mut self, ra: u32, rb: u32) -> (u32, u32) {
        let (sa, sb) = (self.nodes[ra as usize][1], self.nodes[rb as usize][1]);
        let (keep, absorb) = if sa >= sb { (ra, rb) } else { (rb, ra) };
        self.nodes[absorb as usize][0] = keep;
        self.nodes[keep as usize][1] = sa + sb;
        (keep, absorb)
    }
}

/// The rule a kind imposes on every cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct KindPolicy {
    /// Two different values never share a cluster, whatever links them
    /// (cannot-link): a CRM id of one system, a national id.
    pub exclusive: bool,
    /// At most this many distinct values in one cluster (ignored when
    /// `exclusive`, which means one).
    pub max_per_profile: Option<u32>,
}

impl KindPolicy {
    fn constrained(&self) -> bool {
        self.exclusive || self.max_per_profile.is_some()
    }
}

/// The identifier values of every record, with the policy of each kind: what
/// the clustering checks before a merge.
#[derive(Debug, Clone, Default)]
pub struct ConstraintIndex {
    policies: Vec<KindPolicy>,
    constrained: Vec<bool>,
    value_kind: Vec<KindId>,
    offsets: Vec<u32>,
    /// Every record's (kind, value) pairs packed by [`pack`], sorted per
    /// record: merges read kinds without looking them up.
    entries: Vec<u64>,
    /// The value each value counts as in rule checks (see
    /// [`with_duplicates`](Self::with_duplicates)); empty when every value
    /// counts as itself.
    counts_as: Vec<ValueId>,
}

impl ConstraintIndex {
    /// Builds the index from its parts: the policy of each kind (indexed by
    /// [`KindId`]), the kind of each value (indexed by [`ValueId`]), and the
    /// values of record `r` as `values[offsets[r]..offsets[r + 1]]`.
    ///
    /// Each record's values are sorted by (kind, value) and deduplicated here.
    /// Kind ids should be canonical (independent of input order): when a merge
    /// breaks two rules, the one reported is that of the smaller kind id.
    pub fn new(
        policies: Vec<KindPolicy>,
        value_kind: Vec<KindId>,
        offsets: Vec<u32>,
        values: Vec<ValueId>,
    ) -> Result<Self, ClusterError> {
        let bad = |what| Err(ClusterError::BadConstraintIndex { what });
        if offsets.first() != Some(&0) {
            return bad("offsets must start with 0");
        }
        if offsets.last().map(|&e| e as usize) != Some(values.len()) {
            return bad("the last offset must be the number of values");
        }
        if offsets.len() > u32::MAX as usize {
            return bad("too many records for 32-bit ids");
        }
        if offsets.windows(2).any(|w| w[0] > w[1]) {
            return bad("offsets must not decrease");
        }
        if values.iter().any(|v| v.index() >= value_kind.len()) {
            return bad("a record holds a value with no kind");
        }
        if value_kind.iter().any(|k| k.0 as usize >= policies.len()) {
            return bad("a value has a kind with no policy");
        }
        let entries = values
            .iter()
            .map(|v| pack(value_kind[v.index()], *v))
            .collect();
        Ok(Self::from_entries(policies, value_kind, offsets, entries))
    }

    /// [`new`](Self::new) for parts already checked, with each value packed
    /// with its kind (the graph knows the kinds without looking them up).
    pub(crate) fn from_entries(
        policies: Vec<KindPolicy>,
        value_kind: Vec<KindId>,
        offsets: Vec<u32>,
        mut entries: Vec<u64>,
    ) -> Self {
        let mut compact = Vec::with_capacity(offsets.len());
        compact.push(0u32);
        let mut write = 0usize;
        for w in offsets.windows(2) {
            let (start, end) = (w[0] as usize, w[1] as usize);
            let Some(record) = entries.get_mut(start..end) else {
                compact.push(write as u32);
                continue;
            };
            record.sort_unstable();
            let mut last = None;
            for i in start..end {
                let e = entries[i];
                if last != Some(e) {
                    entries[write] = e;
                    write += 1;
                    last = Some(e);
                }
            }
            // `write` never exceeds the original end, which fits in u32.
            compact.push(write as u32);
        }
        entries.truncate(write);
        entries.shrink_to_fit();
        let constrained = policies.iter().map(KindPolicy::constrained).collect();
        ConstraintIndex {
            policies,
            constrained,
            value_kind,
            offsets: compact,
            entries,
            counts_as: Vec::new(),
        }
    }

    /// Declares values duplicates of one another: two accounts of one person
    /// in one CRM. Each pair joins its two values (and, transitively, their
    /// other duplicates) into one class, which counts as one value in every
    /// rule check, so an exclusive kind does not keep duplicates apart and a
    /// `max_per_profile` counts them once. A class is represented by its
    /// smallest value, which is what [`Clustering::cluster_values`] and
    /// refusals name. Both values of a pair must exist and be of one kind.
    ///
    /// ```
    /// use omnid::cluster::*;
    /// // Records 0 and 1 hold CRM ids 0 and 1 (kind 0, exclusive) and share email 2.
    /// let crm = KindPolicy { exclusive: true, max_per_profile: Some(1) };
    /// let policies = vec![crm, KindPolicy::default()];
    /// let value_kind = vec![KindId(0), KindId(0), KindId(1)];
    /// let index = ConstraintIndex::new(
    ///     policies,
    ///     value_kind,
    ///     vec![0, 2, 4],
    ///     vec![ValueId(0), ValueId(2), ValueId(1), ValueId(2)],
    /// )?
    /// .with_duplicates([(ValueId(1), ValueId(0))])?;
    /// let mut clustering = Clustering::new(index);
    /// let email = Evidence::SharedIdentifier { kind: KindId(1), value: ValueId(2) };
    /// let outcome = clustering.link(Edge { a: RecordId(0), b: RecordId(1), evidence: email })?;
    /// assert_eq!(outcome, LinkOutcome::Merged);
    /// // The merged cluster's CRM ids count as one: the class's smallest.
    /// assert_eq!(clustering.cluster_values(RecordId(1)), [ValueId(0)]);
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_duplicates(
        mut self,
        pairs: impl IntoIterator<Item = (ValueId, ValueId)>,
    ) -> Result<Self, ClusterError> {
        let mut classes: Option<UnionFind> = None;
        for (x, y) in pairs {
            match (self.kind_of(x), self.kind_of(y)) {
                (Some(kx), Some(ky)) if kx == ky => {}
                (Some(_), Some(_)) => {
                    return Err(ClusterError::BadConstraintIndex {
                        what: "duplicate values must be of one kind",
                    });
                }
                _ => {
                    return Err(ClusterError::BadConstraintIndex {
                        what: "a duplicate value does not exist",
                    });
                }
            }
            // Value ids fit in u32 and exist, so the union-find covers them.
            let uf = classes.get_or_insert_with(|| UnionFind::new(self.value_kind.len() as u32));
            uf.union(x.0, y.0);
        }
        let Some(mut uf) = classes else {
            return Ok(self);
        };
        let mut smallest: Vec<u32> = (0..self.value_kind.len() as u32).collect();
        for v in 0..self.value_kind.len() as u32 {
            let root = uf.find(v).unwrap_or(v) as usize;
            if let Some(s) = smallest.get_mut(root) {
                *s = (*s).min(v);
            }
        }
        self.counts_as = (0..self.value_kind.len() as u32)
            .map(|v| {
                let root = uf.find(v).unwrap_or(v) as usize;
                ValueId(smallest.get(root).copied().unwrap_or(v))
            })
            .collect();
        Ok(self)
    }

    /// An index for `records` records with no identifiers and no rules.
    pub fn unconstrained(records: u32) -> Self {
        ConstraintIndex {
            offsets: vec![0; records as usize + 1],
            ..ConstraintIndex::default()
        }
    }

    /// The number of records.
    pub fn records(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    fn range(&self, r: RecordId) -> std::ops::Range<usize> {
        let start = self.offsets.get(r.index()).copied().unwrap_or(0) as usize;
        let end = self.offsets.get(r.index() + 1).copied().unwrap_or(0) as usize;
        start..end.max(start)
    }

    /// The values of record `r`, sorted by (kind, value); none when out of range.
    pub fn record_values(&self, r: RecordId) -> impl ExactSizeIterator<Item = ValueId> + '_ {
        self.record_entries(r).iter().map(|&e| unpack(e).1)
    }

    /// Record `r`'s (kind, value) pairs packed as `kind << 32 | value`.
    pub(crate) fn record_entries(&self, r: RecordId) -> &[u64] {
        self.entries.get(self.range(r)).unwrap_or(&[])
    }

    /// The kind of value `v`.
    pub fn kind_of(&self, v: ValueId) -> Option<KindId> {
        self.value_kind.get(v.index()).copied()
    }

    /// The policy of kind `k`.
    pub fn policy(&self, k: KindId) -> Option<KindPolicy> {
        self.policies.get(k.0 as usize).copied()
    }

    /// The number of interned values.
    pub fn value_count(&self) -> usize {
        self.value_kind.len()
    }

    /// All records' packed (kind, value) pairs, in record order.
    pub(crate) fn all_entries(&self) -> &[u64] {
        &self.entries
    }

    /// Appends record `r`'s values of constrained kinds to `out`, as sorted
    /// keys, each duplicate counting as its class.
    fn constrained_keys(&self, r: RecordId, out: &mut Vec<u64>) {
        let start = out.len();
        for &e in self.record_entries(r) {
            let (kind, value) = unpack(e);
            if self
                .constrained
                .get(kind.0 as usize)
                .copied()
                .unwrap_or(false)
            {
                match self.counts_as.get(value.index()) {
                    Some(&class) => out.push(pack(kind, class)),
                    None => out.push(e),
                }
            }
        }
        if !self.counts_as.is_empty()
            && let Some(added) = out.get_mut(start..)
        {
            added.sort_unstable();
            let mut keep = start;
            for i in start..out.len() {
                if i == start || out[i] != out[keep - 1] {
                    out[keep] = out[i];
                    keep += 1;
                }
            }
            out.truncate(keep);
        }
    }
}

/// A (kind, value) pair as one integer that sorts by kind, then value.
pub(crate) fn pack(k: KindId, v: ValueId) -> u64 {
    u64::from(k.0) << 32 | u64::from(v.0)
}

/// The (kind, value) pair of a [`pack`]ed integer.
pub(crate) fn unpack(key: u64) -> (KindId, ValueId) {
    (KindId((key >> 32) as u16), ValueId(key as u32))
}

impl ValueId {
    /// The index as a `usize`, for slices.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// Why two records were linked.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Evidence {
    /// Both records hold this identifier value.
    SharedIdentifier {
        /// The value's kind.
        kind: KindId,
        /// The value.
        value: ValueId,
    },
    /// The probabilistic matcher scored the pair.
    Probabilistic {
        /// The match weight (higher is stronger).
        weight: f64,
    },
}

/// A proposed link between two records.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// One record.
    pub a: RecordId,
    /// The other record.
    pub b: RecordId,
    /// Why they should be linked.
    pub evidence: Evidence,
}

/// A scored pair from the probabilistic matcher.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProbabilisticEdge {
    /// One record.
    pub a: RecordId,
    /// The other record.
    pub b: RecordId,
    /// The match weight (higher is stronger); a NaN sorts as the weakest.
    pub weight: f64,
}

/// The rule that refused a merge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Refusal {
    /// The two clusters hold different values of an exclusive kind.
    CannotLink {
        /// The exclusive kind.
        kind: KindId,
        /// A value only the first record's cluster holds.
        left: ValueId,
        /// A value only the second record's cluster holds.
        right: ValueId,
    },
    /// The merged cluster would hold too many distinct values of a kind.
    MaxPerProfile {
        /// The limited kind.
        kind: KindId,
        /// The kind's `max_per_profile`.
        max: u32,
        /// How many distinct values the merged cluster would hold.
        would_have: u32,
    },
}

impl Refusal {
    /// The kind whose rule refused the merge.
    pub fn kind(&self) -> KindId {
        match self {
            Refusal::CannotLink { kind, .. } | Refusal::MaxPerProfile { kind, .. } => *kind,
        }
    }

    /// Cannot-link before limits, then by kind id: the order in which rules
    /// are reported when one merge breaks several.
    fn precedence(&self) -> (u8, KindId) {
        match self {
            Refusal::CannotLink { kind, .. } => (0, *kind),
            Refusal::MaxPerProfile { kind, .. } => (1, *kind),
        }
    }
}

/// A link that was not made, and the rule that refused it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct RefusedEdge {
    /// The proposed link.
    pub edge: Edge,
    /// Why it was refused.
    pub refusal: Refusal,
}

/// What [`Clustering::link`] did with one edge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkOutcome {
    /// Two clusters became one.
    Merged,
    /// The records were already in one cluster; nothing was recorded.
    AlreadyTogether,
    /// A rule refused the merge; the refusal was recorded.
    Refused(Refusal),
}

/// How many links of a batch were merged, redundant or refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct LinkCounts {
    /// Links that merged two clusters.
    pub merged: u64,
    /// Links between records already together.
    pub already_together: u64,
    /// Links a rule refused.
    pub refused: u64,
}

impl LinkCounts {
    fn count(&mut self, outcome: LinkOutcome) {
        match outcome {
            LinkOutcome::Merged => self.merged += 1,
            LinkOutcome::AlreadyTogether => self.already_together += 1,
            LinkOutcome::Refused(_) => self.refused += 1,
        }
    }
}

const NO_SET: u32 = u32::MAX;

/// A union-find whose merges obey the kind policies of a [`ConstraintIndex`],
/// with the log of accepted and refused links.
///
/// Record ids must be canonical: numbered in an order that does not depend on
/// input order (the graph numbers records by key). Probabilistic links of
/// equal weight, and clusters in [`Components`], follow that order.
///
/// The caller decides the order of links (the result depends on it, by
/// design: stronger evidence goes first and wins). The state kept per cluster
/// is the set of its values of constrained kinds, merged small into large, so
/// a merge check costs a walk over at most the sum of the kinds' limits.
///
/// ```
/// use omnid::cluster::*;
/// // Two records with different CRM ids (kind 0, exclusive) and one email (kind 1).
/// let policies = vec![
///     KindPolicy { exclusive: true, max_per_profile: Some(1) },
///     KindPolicy::default(),
/// ];
/// let value_kind = vec![KindId(0), KindId(0), KindId(1)];
/// let index = ConstraintIndex::new(
///     policies,
///     value_kind,
///     vec![0, 2, 4],
///     vec![ValueId(0), ValueId(2), ValueId(1), ValueId(2)],
/// )?;
/// let mut clustering = Clustering::new(index);
/// let shared_email = Evidence::SharedIdentifier { kind: KindId(1), value: ValueId(2) };
/// let outcome = clustering.link(Edge { a: RecordId(0), b: RecordId(1), evidence: shared_email })?;
/// assert!(matches!(outcome, LinkOutcome::Refused(Refusal::CannotLink { .. })));
/// assert_eq!(clustering.components().len(), 2);
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Clustering {
    uf: UnionFind,
    constraints: ConstraintIndex,
    sets: SetStore,
    side_a: Vec<u64>,
    side_b: Vec<u64>,
    merged: Vec<u64>,
    accepted: Vec<Edge>,
    refused: Vec<RefusedEdge>,
}

impl Clustering {
    /// Singleton clusters for the records of `constraints`.
    pub fn new(constraints: ConstraintIndex) -> Self {
        // The index holds at most u32::MAX offsets, so the count fits.
        let n = constraints.records() as u32;
        Clustering {
            uf: UnionFind::new(n),
            constraints,
            sets: SetStore::default(),
            side_a: Vec::new(),
            side_b: Vec::new(),
            merged: Vec::new(),
            accepted: Vec::new(),
            refused: Vec::new(),
        }
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.uf.len()
    }

    /// True when there are no records.
    pub fn is_empty(&self) -> bool {
        self.uf.is_empty()
    }

    /// The constraint index the clustering checks.
    pub fn constraints(&self) -> &ConstraintIndex {
        &self.constraints
    }

    /// Links that merged two clusters, in the order they were made. They form
    /// a spanning forest: one path joins any two records of a cluster.
    pub fn accepted(&self) -> &[Edge] {
        &self.accepted
    }

    /// Links a rule refused, in the order they were proposed.
    pub fn refused(&self) -> &[RefusedEdge] {
        &self.refused
    }

    /// The representative of `r`'s cluster (it changes as clusters merge).
    pub fn find(&self, r: RecordId) -> Option<RecordId> {
        self.uf.find_shared(r.0).map(RecordId)
    }

    /// True when `a` and `b` are in one cluster.
    pub fn same_cluster(&self, a: RecordId, b: RecordId) -> bool {
        matches!((self.find(a), self.find(b)), (Some(x), Some(y)) if x == y)
    }

    /// The values of constrained kinds held by the cluster of `r`, sorted by
    /// (kind, value); duplicates (see [`ConstraintIndex::with_duplicates`])
    /// as their class's smallest value.
    pub fn cluster_values(&self, r: RecordId) -> Vec<ValueId> {
        let Some(root) = self.uf.find_shared(r.0) else {
            return Vec::new();
        };
        let mut keys = Vec::new();
        self.side(root, &mut keys);
        keys.into_iter().map(|k| unpack(k).1).collect()
    }

    /// Proposes one link; the caller is responsible for the order of links.
    pub fn link(&mut self, edge: Edge) -> Result<LinkOutcome, ClusterError> {
        let records = self.uf.len();
        let out_of_range = |r: RecordId| ClusterError::RecordOutOfRange {
            record: r.0,
            records,
        };
        let ra = self.uf.find(edge.a.0).ok_or_else(|| out_of_range(edge.a))?;
        let rb = self.uf.find(edge.b.0).ok_or_else(|| out_of_range(edge.b))?;
        if ra == rb {
            return Ok(LinkOutcome::AlreadyTogether);
        }
        if let Err(refusal) = self.check_merge(ra, rb) {
            self.refused.push(RefusedEdge { edge, refusal });
            return Ok(LinkOutcome::Refused(refusal));
        }
        let (keep, absorb) = self.uf.join_roots(ra, rb);
        self.store_merged_set(keep, absorb, if keep == ra { 0 } else { 1 });
        self.accepted.push(edge);
        Ok(LinkOutcome::Merged)
    }

    /// Proposes probabilistic links, strongest first: by weight descending
    /// (NaN last), then by the ids of the two records, so the result does not
    /// depend on the order of `edges` or of the two ends of an edge.
    pub fn link_probabilistic(
        &mut self,
        edges: impl IntoIterator<Item = ProbabilisticEdge>,
    ) -> Result<LinkCounts, ClusterError> {
        let mut keyed: Vec<(f64, RecordId, RecordId, f64)> = edges
            .into_iter()
            .map(|e| {
                let order = if e.weight.is_nan() {
                    f64::NEG_INFINITY
                } else {
                    e.weight
                };
                (order, e.a.min(e.b), e.a.max(e.b), e.weight)
            })
            .collect();
        // The order is total (ties broken on every field), so the parallel
        // sort gives the order a sequential one would.
        keyed.par_sort_unstable_by(|p, q| {
            q.0.total_cmp(&p.0)
                .then(p.1.cmp(&q.1))
                .then(p.2.cmp(&q.2))
                .then(q.3.total_cmp(&p.3))
        });
        let mut counts = LinkCounts::default();
        for (_, a, b, weight) in keyed {
            let evidence = Evidence::Probabilistic { weight };
            counts.count(self.link(Edge { a, b, evidence })?);
        }
        Ok(counts)
    }

    /// The current clusters, numbered by their smallest member.
    pub fn components(&self) -> Components {
        let n = self.uf.len();
        let mut root_cluster = vec![u32::MAX; n];
        let mut cluster_of = vec![0u32; n];
        let mut sizes: Vec<u32> = Vec::new();
        for r in 0..n as u32 {
            let root = self.uf.find_shared(r).unwrap_or(r) as usize;
            let c = match root_cluster.get(root).copied() {
                Some(c) if c != u32::MAX => c,
                _ => {
                    let c = sizes.len() as u32;
                    if let Some(slot) = root_cluster.get_mut(root) {
                        *slot = c;
                    }
                    sizes.push(0);
                    c
                }
            };
            if let Some(slot) = cluster_of.get_mut(r as usize) {
                *slot = c;
            }
            if let Some(s) = sizes.get_mut(c as usize) {
                *s += 1;
            }
        }
        drop(root_cluster);
        let mut offsets = Vec::with_capacity(sizes.len() + 1);
        let mut total = 0u32;
        offsets.push(0);
        for s in &sizes {
            total += s;
            offsets.push(total);
        }
        let mut cursor: Vec<u32> = offsets.clone();
        let mut members = vec![RecordId(0); n];
        for (r, &c) in cluster_of.iter().enumerate() {
            if let Some(pos) = cursor.get_mut(c as usize) {
                if let Some(m) = members.get_mut(*pos as usize) {
                    *m = RecordId(r as u32);
                }
                *pos += 1;
            }
        }
        Components {
            cluster_of,
            offsets,
            members,
        }
    }

    /// Appends the constrained keys of the cluster rooted at `root` to `out`:
    /// its stored set or, for a record never merged, its own values.
    fn side(&self, root: u32, out: &mut Vec<u64>) {
        match self.uf.payload(root) {
            NO_SET => self.constraints.constrained_keys(RecordId(root), out),
            slot => out.extend_from_slice(self.sets.get(slot)),
        }
    }

    /// Merges the constrained sets of two roots into `merged` and checks every
    /// kind's policy on the result.
    fn check_merge(&mut self, ra: u32, rb: u32) -> Result<(), Refusal> {
        let (mut a, mut b, mut out) = (
            std::mem::take(&mut self.side_a),
            std::mem::take(&mut self.side_b),
            std::mem::take(&mut self.merged),
        );
        a.clear();
        b.clear();
        out.clear();
        self.side(ra, &mut a);
        self.side(rb, &mut b);
        let (mut i, mut j) = (0, 0);
        let mut run = Run::default();
        let mut worst: Option<Refusal> = None;
        loop {
            let (key, side) = match (a.get(i), b.get(j)) {
                (None, None) => break,
                (Some(&x), None) => {
                    i += 1;
                    (x, Side::A)
                }
                (None, Some(&y)) => {
                    j += 1;
                    (y, Side::B)
                }
                (Some(&x), Some(&y)) => match x.cmp(&y) {
                    Ordering::Less => {
                        i += 1;
                        (x, Side::A)
                    }
                    Ordering::Greater => {
                        j += 1;
                        (y, Side::B)
                    }
                    Ordering::Equal => {
                        i += 1;
                        j += 1;
                        (x, Side::Both)
                    }
                },
            };
            let (kind, value) = unpack(key);
            if run.kind != Some(kind) {
                run.finish(&self.constraints, &mut worst);
                run = Run {
                    kind: Some(kind),
                    ..Run::default()
                };
            }
            run.add(value, side);
            out.push(key);
        }
        run.finish(&self.constraints, &mut worst);
        // The sides stay filled: `store_merged_set` needs the kept one's size.
        self.side_a = a;
        self.side_b = b;
        self.merged = out;
        match worst {
            Some(refusal) => Err(refusal),
            None => Ok(()),
        }
    }

    /// Moves the merged set into the kept root's slot and frees the absorbed
    /// root's. `kept_side` says which of `side_a`/`side_b` was the kept root's.
    fn store_merged_set(&mut self, keep: u32, absorb: u32, kept_side: u8) {
        let freed = self.uf.replace_payload(absorb, NO_SET);
        if freed != NO_SET {
            self.sets.free(freed);
        }
        let own = if kept_side == 0 {
            self.side_a.len()
        } else {
            self.side_b.len()
        };
        match self.uf.payload(keep) {
            // A never-merged root reads its own values: when the merge added
            // no constrained value, it needs no stored set.
            NO_SET if own == self.merged.len() => {}
            NO_SET => {
                let slot = self.sets.insert(&self.merged);
                self.uf.replace_payload(keep, slot);
            }
            slot => self.sets.replace(slot, &self.merged),
        }
    }
}

/// How many keys a set keeps inline: with its length and spill index, one
/// 64-byte cache line.
const INLINE: usize = 7;

/// One stored set: inline when short, else an index into the spilled sets.
#[derive(Debug, Clone, Copy)]
#[repr(align(64))]
struct SetSlot {
    len: u32,
    spill: u32,
    keys: [u64; INLINE],
}

impl Default for SetSlot {
    fn default() -> Self {
        SetSlot {
            len: 0,
            spill: NO_SET,
            keys: [0; INLINE],
        }
    }
}

/// The constrained value sets of merged clusters. Most sets are a few keys:
/// they live inline in one cache line each, with no allocation.
#[derive(Debug, Clone, Default)]
struct SetStore {
    slots: Vec<SetSlot>,
    free: Vec<u32>,
    spilled: Vec<Vec<u64>>,
    free_spilled: Vec<u32>,
}

impl SetStore {
    fn get(&self, slot: u32) -> &[u64] {
        let Some(s) = self.slots.get(slot as usize) else {
            return &[];
        };
        if s.len as usize <= INLINE {
            s.keys.get(..s.len as usize).unwrap_or(&[])
        } else {
            self.spilled
                .get(s.spill as usize)
                .map_or(&[], Vec::as_slice)
        }
    }

    fn insert(&mut self, keys: &[u64]) -> u32 {
        let slot = match self.free.pop() {
            Some(slot) => slot,
            None => {
                self.slots.push(SetSlot::default());
                (self.slots.len() - 1) as u32
            }
        };
        self.replace(slot, keys);
        slot
    }

    fn replace(&mut self, slot: u32, keys: &[u64]) {
        self.release_spill(slot);
        let spill = if keys.len() > INLINE {
            match self.free_spilled.pop() {
                Some(i) => {
                    if let Some(v) = self.spilled.get_mut(i as usize) {
                        v.clear();
                        v.extend_from_slice(keys);
                    }
                    i
                }
                None => {
                    self.spilled.push(keys.to_vec());
                    (self.spilled.len() - 1) as u32
                }
            }
        } else {
            NO_SET
        };
        if let Some(s) = self.slots.get_mut(slot as usize) {
            s.len = keys.len() as u32;
            s.spill = spill;
            if let Some(inline) = keys.get(..INLINE.min(keys.len())) {
                s.keys[..inline.len()].copy_from_slice(inline);
            }
        }
    }

    fn free(&mut self, slot: u32) {
        self.release_spill(slot);
        if let Some(s) = self.slots.get_mut(slot as usize) {
            s.len = 0;
            self.free.push(slot);
        }
    }

    fn release_spill(&mut self, slot: u32) {
        if let Some(s) = self.slots.get_mut(slot as usize)
            && s.spill != NO_SET
        {
            if let Some(v) = self.spilled.get_mut(s.spill as usize) {
                *v = Vec::new();
            }
            self.free_spilled.push(s.spill);
            s.spill = NO_SET;
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    A,
    B,
    Both,
}

/// The values of one kind met while merging two sorted sets.
#[derive(Default)]
struct Run {
    kind: Option<KindId>,
    total: u32,
    from_a: u32,
    from_b: u32,
    only_a: Option<ValueId>,
    only_b: Option<ValueId>,
}

impl Run {
    fn add(&mut self, v: ValueId, side: Side) {
        self.total += 1;
        match side {
            Side::A => {
                self.from_a += 1;
                self.only_a.get_or_insert(v);
            }
            Side::B => {
                self.from_b += 1;
                self.only_b.get_or_insert(v);
            }
            Side::Both => {
                self.from_a += 1;
                self.from_b += 1;
            }
        }
    }

    /// Records a refusal when the merged run breaks the kind's policy and is
    /// worse than either side alone (a record that arrived already holding two
    /// values of an exclusive kind can still take links that add none).
    fn finish(&self, idx: &ConstraintIndex, worst: &mut Option<Refusal>) {
        let Some(kind) = self.kind else { return };
        let Some(policy) = idx.policy(kind) else {
            return;
        };
        if self.total <= self.from_a.max(self.from_b) {
            return;
        }
        let refusal = if policy.exclusive {
            match (self.total > 1, self.only_a, self.only_b) {
                (true, Some(left), Some(right)) => Refusal::CannotLink { kind, left, right },
                _ => return,
            }
        } else {
            match policy.max_per_profile {
                Some(max) if self.total > max => Refusal::MaxPerProfile {
                    kind,
                    max,
                    would_have: self.total,
                },
                _ => return,
            }
        };
        if worst.is_none_or(|w| refusal.precedence() < w.precedence()) {
            *worst = Some(refusal);
        }
    }
}

/// A partition of records into clusters, numbered by their smallest member
/// (cluster 0 holds record 0).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Components {
    cluster_of: Vec<u32>,
    offsets: Vec<u32>,
    members: Vec<RecordId>,
}

impl Components {
    /// The number of clusters.
    pub fn len(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// True when there are no clusters.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cluster of record `r`.
    pub fn cluster_of(&self, r: RecordId) -> Option<u32> {
        self.cluster_of.get(r.index()).copied()
    }

    /// The members of cluster `c`, in id order (the anchor first).
    pub fn members(&self, c: u32) -> &[RecordId] {
        self.members.get(self.member_range(c)).unwrap_or(&[])
    }

    /// Where cluster `c`'s members lie in the concatenation of all clusters'.
    pub fn member_range(&self, c: u32) -> std::ops::Range<usize> {
        let start = self.offsets.get(c as usize).copied().unwrap_or(0) as usize;
        let end = self.offsets.get(c as usize + 1).copied().unwrap_or(0) as usize;
        start..end.max(start)
    }

    /// The anchor of cluster `c`: its smallest member.
    pub fn anchor(&self, c: u32) -> Option<RecordId> {
        self.members(c).first().copied()
    }

    /// Every cluster's members, in cluster order.
    pub fn iter(&self) -> impl Iterator<Item = &[RecordId]> + '_ {
        (0..self.len() as u32).map(|c| self.members(c))
    }
}

/// A profile's stable id: see the [module documentation](self) for the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ProfileId(pub u64);

impl ProfileId {
    /// The id of a profile whose anchor (smallest member key) is
    /// `(source, id)`: FNV-1a 64 over `source`, a `0xFF` byte, and `id`, then
    /// MurmurHash3's `fmix64`.
    ///
    /// ```
    /// use omnid::cluster::ProfileId;
    /// let p = ProfileId::from_anchor("crm", "42");
    /// assert_eq!(p, ProfileId::from_anchor("crm", "42"));
    /// assert_ne!(p, ProfileId::from_anchor("crm4", "2"));
    /// assert_eq!(p.to_string().len(), 18);
    /// assert_eq!(p.to_string().parse::<ProfileId>()?, p);
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_anchor(source: &str, id: &str) -> ProfileId {
        ProfileId(fmix64(fnv1a64(
            source.bytes().chain([0xFF]).chain(id.bytes()),
        )))
    }
}

/// MurmurHash3's 64-bit finalizer: every input bit flips about half the
/// output bits.
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// 64-bit FNV-1a: fixed constants, no seed, so ids are the same in every run.
fn fnv1a64(bytes: impl IntoIterator<Item = u8>) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    bytes
        .into_iter()
        .fold(OFFSET, |h, b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

impl fmt::Display for ProfileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "p-{:016x}", self.0)
    }
}

/// A profile id that could not be read: it must be `p-` and 16 hex digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{0}` is not a profile id: write `p-` and 16 hex digits")]
pub struct ParseProfileIdError(String);

impl FromStr for ProfileId {
    type Err = ParseProfileIdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseProfileIdError(s.to_string());
        let hex = s.trim().strip_prefix("p-").ok_or_else(err)?;
        if hex.len() != 16 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(err());
        }
        u64::from_str_radix(hex, 16)
            .map(ProfileId)
            .map_err(|_| err())
    }
}

impl Serialize for ProfileId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProfileId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CRM: KindId = KindId(0);
    const PHONE: KindId = KindId(1);

    /// Records given as lists of (kind, value); CRM ids exclusive, at most
    /// `max_phones` phones per cluster.
    fn clustering(records: &[&[(KindId, u32)]], max_phones: u32) -> Clustering {
        let policies = vec![
            KindPolicy {
                exclusive: true,
                max_per_profile: Some(1),
            },
            KindPolicy {
                exclusive: false,
                max_per_profile: Some(max_phones),
            },
        ];
        let mut value_kind = Vec::new();
        let mut offsets = vec![0];
        let mut values = Vec::new();
        for r in records {
            for &(k, v) in *r {
                if value_kind.len() <= v as usize {
                    value_kind.resize(v as usize + 1, PHONE);
                }
                value_kind[v as usize] = k;
                values.push(ValueId(v));
            }
            offsets.push(values.len() as u32);
        }
        let index = ConstraintIndex::new(policies, value_kind, offsets, values).unwrap();
        Clustering::new(index)
    }

    fn link(c: &mut Clustering, a: u32, b: u32) -> LinkOutcome {
        let evidence = Evidence::Probabilistic { weight: 1.0 };
        c.link(Edge {
            a: RecordId(a),
            b: RecordId(b),
            evidence,
        })
        .unwrap()
    }

    #[test]
    fn fnv_matches_the_published_test_vectors() {
        assert_eq!(fnv1a64(*b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(*b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(*b"foobar"), 0x8594_4171_f739_67e8);
        assert_eq!(
            ProfileId::from_anchor("crm", "42").0,
            fmix64(fnv1a64(*b"crm\xFF42")),
            "source, 0xFF, id"
        );
        // MurmurHash3 fmix64 reference values.
        assert_eq!(fmix64(0), 0);
        assert_eq!(fmix64(1), 0xb456_bcfc_34c2_cb2c);
        let (a, b) = (
            ProfileId::from_anchor("crm", "A-1"),
            ProfileId::from_anchor("crm", "A-2"),
        );
        let differing = (a.0 ^ b.0).count_ones();
        assert!(differing > 16, "similar keys give unlike ids: {a} {b}");
        assert_eq!(
            ProfileId(0xaf63_dc4c_8601_ec8c).to_string(),
            "p-af63dc4c8601ec8c"
        );
    }

    #[test]
    fn profile_ids_parse_only_their_own_form() {
        for bad in [
            "",
            "p-",
            "p-123",
            "q-0123456789abcdef",
            "p-0123456789abcdeg",
            "p-+123456789abcdef",
        ] {
            assert!(bad.parse::<ProfileId>().is_err(), "{bad}");
        }
        let p: ProfileId = " p-00000000000000ff ".parse().unwrap();
        assert_eq!(p, ProfileId(255));
        let json = serde_json::to_string(&p).unwrap();
        assert_eq!(json, "\"p-00000000000000ff\"");
        assert_eq!(serde_json::from_str::<ProfileId>(&json).unwrap(), p);
    }

    #[test]
    fn cannot_link_holds_across_a_chain() {
        // 0 has CRM 10, 2 has CRM 11; 1 is a bridge with no CRM id.
        let mut c = clustering(&[&[(CRM, 10)], &[], &[(CRM, 11)]], 5);
        assert_eq!(link(&mut c, 0, 1), LinkOutcome::Merged);
        let refused = link(&mut c, 1, 2);
        assert_eq!(
            refused,
            LinkOutcome::Refused(Refusal::CannotLink {
                kind: CRM,
                left: ValueId(10),
                right: ValueId(11)
            })
        );
        assert_eq!(link(&mut c, 0, 1), LinkOutcome::AlreadyTogether);
        assert_eq!(c.refused().len(), 1);
        assert_eq!(c.accepted().len(), 1);
        assert_eq!(c.cluster_values(RecordId(1)), [ValueId(10)]);
        assert!(c.same_cluster(RecordId(0), RecordId(1)));
        assert!(!c.same_cluster(RecordId(0), RecordId(2)));
    }

    #[test]
    fn duplicates_count_as_one_value_and_others_still_cannot_link() {
        // CRM 10 and 11 are one person's two accounts; 12 is someone else's.
        let c = clustering(
            &[
                &[(CRM, 10), (PHONE, 1)],
                &[(CRM, 11)],
                &[(CRM, 12)],
                &[(CRM, 11), (PHONE, 2)],
            ],
            5,
        );
        let mut c = Clustering::new(
            c.constraints
                .clone()
                .with_duplicates([(ValueId(11), ValueId(10))])
                .unwrap(),
        );
        assert_eq!(link(&mut c, 0, 1), LinkOutcome::Merged);
        assert_eq!(c.cluster_values(RecordId(1)), [ValueId(10), ValueId(1)]);
        assert!(matches!(
            link(&mut c, 1, 2),
            LinkOutcome::Refused(Refusal::CannotLink {
                left: ValueId(10),
                right: ValueId(12),
                ..
            })
        ));
        assert_eq!(link(&mut c, 3, 0), LinkOutcome::Merged);
        let values: Vec<ValueId> = c.constraints().record_values(RecordId(3)).collect();
        assert_eq!(
            values,
            [ValueId(11), ValueId(2)],
            "records keep their own values"
        );
        let bad = |pairs: Vec<(ValueId, ValueId)>| {
            c.constraints().clone().with_duplicates(pairs).is_err()
        };
        assert!(bad(vec![(ValueId(10), ValueId(1))]), "kinds differ");
        assert!(bad(vec![(ValueId(10), ValueId(99))]), "no such value");
    }

    #[test]
    fn max_per_profile_counts_distinct_values_of_both_sides() {
        let mut c = clustering(
            &[
                &[(PHONE, 1), (PHONE, 2)],
                &[(PHONE, 2), (PHONE, 3)],
                &[(PHONE, 4)],
            ],
            3,
        );
        assert_eq!(
            link(&mut c, 0, 1),
            LinkOutcome::Merged,
            "1, 2, 3: three phones"
        );
        assert_eq!(
            link(&mut c, 2, 0),
            LinkOutcome::Refused(Refusal::MaxPerProfile {
                kind: PHONE,
                max: 3,
                would_have: 4
            })
        );
    }

    #[test]
    fn large_sets_spill_and_freed_slots_are_reused() {
        // Eight records with three phones each, at most twelve per cluster.
        let rows: Vec<Vec<(KindId, u32)>> = (0..8u32)
            .map(|r| (0..3).map(|i| (PHONE, 100 + 3 * r + i)).collect())
            .collect();
        let slices: Vec<&[(KindId, u32)]> = rows.iter().map(Vec::as_slice).collect();
        let mut c = clustering(&slices, 12);
        assert_eq!(link(&mut c, 0, 1), LinkOutcome::Merged);
        assert_eq!(link(&mut c, 2, 3), LinkOutcome::Merged);
        assert_eq!(
            link(&mut c, 1, 3),
            LinkOutcome::Merged,
            "12 phones: spilled"
        );
        let all: Vec<ValueId> = (100..112).map(ValueId).collect();
        assert_eq!(c.cluster_values(RecordId(2)), all);
        assert!(matches!(
            link(&mut c, 4, 0),
            LinkOutcome::Refused(Refusal::MaxPerProfile { would_have: 15, .. })
        ));
        assert_eq!(link(&mut c, 4, 5), LinkOutcome::Merged);
        assert_eq!(link(&mut c, 6, 7), LinkOutcome::Merged);
        assert_eq!(link(&mut c, 5, 7), LinkOutcome::Merged);
        let other: Vec<ValueId> = (112..124).map(ValueId).collect();
        assert_eq!(c.cluster_values(RecordId(6)), other);
        assert_eq!(
            c.cluster_values(RecordId(0)),
            all,
            "reused slots keep sets apart"
        );
        assert_eq!(c.components().len(), 2);
    }

    #[test]
    fn cannot_link_is_reported_before_a_limit() {
        let mut c = clustering(
            &[
                &[(CRM, 1), (PHONE, 10), (PHONE, 11)],
                &[(CRM, 2), (PHONE, 12)],
            ],
            2,
        );
        assert!(matches!(
            link(&mut c, 0, 1),
            LinkOutcome::Refused(Refusal::CannotLink { .. })
        ));
    }

    #[test]
    fn a_record_over_its_limits_can_still_take_links_that_add_nothing() {
        let mut c = clustering(&[&[(CRM, 1), (CRM, 2)], &[(CRM, 2)], &[], &[(CRM, 3)]], 1);
        assert_eq!(link(&mut c, 0, 1), LinkOutcome::Merged);
        assert_eq!(link(&mut c, 2, 0), LinkOutcome::Merged);
        assert!(matches!(link(&mut c, 3, 2), LinkOutcome::Refused(_)));
    }

    #[test]
    fn bad_indexes_and_ids_are_errors() {
        let policy = vec![KindPolicy::default()];
        let err = |o: Vec<u32>, v: Vec<u32>| {
            ConstraintIndex::new(
                policy.clone(),
                vec![KindId(0)],
                o,
                v.into_iter().map(ValueId).collect(),
            )
            .unwrap_err()
        };
        assert!(matches!(
            err(vec![], vec![]),
            ClusterError::BadConstraintIndex { .. }
        ));
        assert!(matches!(
            err(vec![0, 2], vec![0]),
            ClusterError::BadConstraintIndex { .. }
        ));
        assert!(matches!(
            err(vec![0, 1, 0, 1], vec![0]),
            ClusterError::BadConstraintIndex { .. }
        ));
        assert!(matches!(
            err(vec![0, 1], vec![5]),
            ClusterError::BadConstraintIndex { .. }
        ));
        assert!(ConstraintIndex::new(vec![], vec![KindId(0)], vec![0], vec![]).is_err());

        let mut c = Clustering::new(ConstraintIndex::unconstrained(3));
        let edge = Edge {
            a: RecordId(0),
            b: RecordId(3),
            evidence: Evidence::Probabilistic { weight: 1.0 },
        };
        assert_eq!(
            c.link(edge),
            Err(ClusterError::RecordOutOfRange {
                record: 3,
                records: 3
            })
        );
        let edge = Edge {
            a: RecordId(2),
            b: RecordId(1),
            ..edge
        };
        assert_eq!(c.link(edge), Ok(LinkOutcome::Merged));
        let comps = c.components();
        assert_eq!(comps.len(), 2);
        assert_eq!(
            comps.members(1),
            [RecordId(1), RecordId(2)],
            "numbered by smallest member"
        );
        assert_eq!(comps.cluster_of(RecordId(0)), Some(0));
        assert_eq!(comps.members(7), &[] as &[RecordId]);
    }

    #[test]
    fn duplicate_values_in_a_record_count_once() {
        let index = ConstraintIndex::new(
            vec![KindPolicy {
                exclusive: true,
                max_per_profile: None,
            }],
            vec![KindId(0), KindId(0)],
            vec![0, 3, 4],
            vec![ValueId(1), ValueId(0), ValueId(1), ValueId(1)],
        )
        .unwrap();
        let values = |r| index.record_values(RecordId(r)).collect::<Vec<_>>();
        assert_eq!(values(0), [ValueId(0), ValueId(1)]);
        assert_eq!(values(1), [ValueId(1)]);
        assert_eq!(values(2), []);
    }

    fn labels(uf: &UnionFind) -> Vec<u32> {
        // Each element labelled by the smallest element of its set.
        let n = uf.len() as u32;
        (0..n)
            .map(|x| {
                (0..n)
                    .find(|&y| uf.find_shared(y) == uf.find_shared(x))
                    .unwrap_or(x)
            })
            .collect()
    }

    proptest! {
        #[test]
        fn union_find_agrees_with_naive_relabelling(
            n in 1u32..40,
            pairs in proptest::collection::vec((0u32..40, 0u32..40), 0..80),
        ) {
            let mut uf = UnionFind::new(n);
            let mut naive: Vec<u32> = (0..n).collect();
            for (a, b) in pairs {
                let result = uf.union(a, b);
                if a >= n || b >= n {
                    prop_assert_eq!(result, None);
                    continue;
                }
                let (la, lb) = (naive[a as usize], naive[b as usize]);
                prop_assert_eq!(matches!(result, Some(Union::Joined { .. })), la != lb);
                for l in naive.iter_mut() {
                    if *l == lb {
                        *l = la;
                    }
                }
            }
            let expected: Vec<u32> = (0..n)
                .map(|x| (0..n).find(|&y| naive[y as usize] == naive[x as usize]).unwrap_or(x))
                .collect();
            prop_assert_eq!(labels(&uf), expected);
            let total: u32 = (0..n).filter(|&x| uf.find_shared(x) == Some(x)).map(|r| uf.set_size(r)).sum();
            prop_assert_eq!(total, n);
        }

        #[test]
        fn probabilistic_links_do_not_depend_on_edge_order(
            crms in proptest::collection::vec(proptest::option::of(0u32..3), 1..20),
            edges in proptest::collection::vec((0u32..20, 0u32..20, -5i8..5), 0..60),
        ) {
            let n = crms.len() as u32;
            let rows: Vec<Vec<(KindId, u32)>> = crms.iter().map(|c| c.map(|v| (CRM, v)).into_iter().collect()).collect();
            let slices: Vec<&[(KindId, u32)]> = rows.iter().map(Vec::as_slice).collect();
            let edges: Vec<ProbabilisticEdge> = edges
                .into_iter()
                .map(|(a, b, w)| ProbabilisticEdge { a: RecordId(a % n), b: RecordId(b % n), weight: f64::from(w) })
                .collect();
            let mut forward = clustering(&slices, 1);
            forward.link_probabilistic(edges.clone()).unwrap();
            let mut backward = clustering(&slices, 1);
            backward.link_probabilistic(edges.into_iter().rev().map(|e| ProbabilisticEdge { a: e.b, b: e.a, ..e })).unwrap();
            prop_assert_eq!(forward.components(), backward.components());
            prop_assert_eq!(forward.refused().len(), backward.refused().len());
            for members in forward.components().iter() {
                let mut values: Vec<u32> = members.iter().filter_map(|m| crms[m.index()]).collect();
                values.sort_unstable();
                values.dedup();
                prop_assert!(values.len() <= 1);
            }
        }
    }
}
