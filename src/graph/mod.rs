//! The identity graph: records that share a normalized identifier of a
//! linking kind become one profile, under rules that keep shared values from
//! gluing different people together.
//!
//! Input is already normalized: per record, its key, an optional observed
//! time, an optional folded name key, and `(kind, value)` identifier pairs.
//! [`GraphBuilder::add`] interns kinds, values and names to dense integers as
//! records arrive; [`GraphBuilder::stitch`] then
//!
//! 1. orders records canonically by key (source, then id), so nothing
//!    depends on input order or thread count;
//! 2. groups the records of each value of a linking kind (for a kind with a
//!    validity window, one group per tenure: a run of records no more than
//!    the window apart);
//! 3. flags groups that are generic (listed, a role mailbox, too many
//!    records, too many distinct names) and keeps them from linking;
//! 4. links the records of every other group through the constrained
//!    [`Clustering`], strongest evidence first: by rule priority, then by
//!    group size (a value shared by fewer records is stronger evidence), then
//!    by the key of the group's first record, then by kind and value. Within
//!    a group, each record joins the first of the group's profiles (at most
//!    eight are tried) that can take it (cannot-link and `max_per_profile`
//!    are checked on whole profiles), or starts a new one; every refusal is
//!    recorded;
//! 5. numbers profiles and gives each a stable [`ProfileId`] (see
//!    [`crate::cluster`] for the rule).
//!
//! Inside, records are renumbered in key order (their *canonical* ids), so
//! that scans follow one order whatever the input order; the public API speaks
//! [`RecordId`]s, the order records were added in.
//!
//! The graph keeps its evidence, so [`IdentityGraph::explain`] can say why
//! two records are together or apart, and it takes probabilistic links
//! afterwards ([`IdentityGraph::add_probabilistic_edges`]) under the same rules.

mod duplicates;
mod intern;
mod names;
mod rules;
mod stats;

use std::collections::BTreeMap;

use jiff::Timestamp;
use rayon::prelude::*;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::cluster::{
    ClusterError, Clustering, Components, ConstraintIndex, Edge, Evidence, KindId, KindPolicy,
    LinkCounts, LinkOutcome, ProbabilisticEdge, ProfileId, RecordId, Refusal, RefusedEdge, ValueId,
    pack, unpack,
};
use crate::record::{IdentifierKind, RecordKey};
use intern::{Interner, RawValues};

pub use rules::{
    DEFAULT_ROLE_LOCAL_PARTS, IdentityRules, KindRule, KindRuleOverride, Limit, RuleError,
};
pub use stats::{GenericReason, GenericValueReport, GraphStats, RefusalCount, RuleName};

/// No observed time.
const NO_TIME: i64 = i64::MIN;
/// No name key (a name key hashing to this is nudged to 1).
const NO_NAME: u64 = 0;
/// How many separate profiles one value's records may try to join before a
/// record gives up: bounds the work on a value whose records conflict.
const MAX_HEADS: usize = 8;
const SECONDS_PER_DAY: i64 = 86_400;

/// Errors of the identity graph.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum GraphError {
    /// The rules are invalid.
    #[error("identity rules: {0}")]
    Rules(#[from] RuleError),
    /// Two records have the same key.
    #[error("two records have the key `{key}`: keys must be unique (source and id)")]
    DuplicateKey {
        /// The repeated key.
        key: RecordKey,
    },
    /// A size limit of the dense ids was reached.
    #[error("too many {what} for one graph (at most {max})")]
    TooLarge {
        /// What overflowed: records, values, identifiers, kinds or names.
        what: &'static str,
        /// The maximum.
        max: u64,
    },
    /// A record id that is not in the graph.
    #[error("record {record} is not in the graph ({records} records)")]
    UnknownRecord {
        /// The id given.
        record: u32,
        /// How many records there are.
        records: usize,
    },
    /// An error of the clustering layer.
    #[error(transparent)]
    Cluster(#[from] ClusterError),
}

fn too_large(what: &'static str, max: u64) -> GraphError {
    GraphError::TooLarge { what, max }
}

/// A name key's fixed 64-bit hash; distinct names are counted by it (two
/// names of one value colliding is a 1-in-2^64 event).
fn name_hash(name: &str) -> u64 {
    use std::hash::BuildHasher;
    match rustc_hash::FxBuildHasher.hash_one(name) {
        NO_NAME => 1,
        h => h,
    }
}

/// Record keys stored in one arena.
#[derive(Debug, Clone, Default)]
struct Keys {
    sources: Vec<String>,
    source_index: FxHashMap<String, u32>,
    source_of: Vec<u32>,
    text: String,
    ends: Vec<u64>,
}

impl Keys {
    fn push(&mut self, key: &RecordKey) -> Result<(), GraphError> {
        let last = self.source_of.last().copied();
        let source = match last.filter(|&s| self.sources.get(s as usize) == Some(&key.source)) {
            Some(s) => s,
            None => match self.source_index.get(&key.source) {
                Some(&s) => s,
                None => {
                    let s = u32::try_from(self.sources.len())
                        .map_err(|_| too_large("sources", u64::from(u32::MAX)))?;
                    self.sources.push(key.source.clone());
                    self.source_index.insert(key.source.clone(), s);
                    s
                }
            },
        };
        self.source_of.push(source);
        self.text.push_str(&key.id);
        self.ends.push(self.text.len() as u64);
        Ok(())
    }

    fn source(&self, r: u32) -> &str {
        self.source_of
            .get(r as usize)
            .and_then(|&s| self.sources.get(s as usize))
            .map_or("", String::as_str)
    }

    fn id(&self, r: u32) -> &str {
        let i = r as usize;
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let start = match i.checked_sub(1) {
            Some(p) => self.ends.get(p).copied().unwrap_or(0) as usize,
            None => 0,
        };
        self.text.get(start..end).unwrap_or("")
    }

    fn key(&self, r: u32) -> RecordKey {
        RecordKey::new(self.source(r), self.id(r))
    }
}

/// Name keys in one arena, by record id; read only to count the people
/// behind a value held under many names.
#[derive(Debug, Clone, Default)]
struct NameTexts {
    text: String,
    ends: Vec<u64>,
}

impl NameTexts {
    fn push(&mut self, name: &str) {
        self.text.push_str(name);
        self.ends.push(self.text.len() as u64);
    }

    fn get(&self, r: u32) -> &str {
        let i = r as usize;
        let end = self.ends.get(i).copied().unwrap_or(0) as usize;
        let start = match i.checked_sub(1) {
            Some(p) => self.ends.get(p).copied().unwrap_or(0) as usize,
            None => 0,
        };
        self.text.get(start..end).unwrap_or("")
    }
}

/// Collects normalized records, interning as they arrive; [`stitch`](Self::stitch)
/// builds the [`IdentityGraph`].
///
/// ```
/// use omnid::graph::{GraphBuilder, IdentityRules};
/// use omnid::{IdentifierKind, RecordKey};
///
/// let mut builder = GraphBuilder::new(IdentityRules::default())?;
/// let phone = IdentifierKind::Phone;
/// let email = IdentifierKind::Email;
/// let call = builder.add(&RecordKey::new("ivr", "call-1"), None, Some("ana garcia"),
///     [(&phone, "+34600111222")])?;
/// let chat = builder.add(&RecordKey::new("whatsapp", "wa-9"), None, Some("ana garcia"),
///     [(&phone, "+34600111222"), (&email, "ana@example.com")])?;
/// let other = builder.add(&RecordKey::new("webchat", "c-3"), None, Some("luis perez"),
///     [(&email, "luis@example.com")])?;
/// let graph = builder.stitch()?;
/// assert_eq!(graph.profile_of(call), graph.profile_of(chat));
/// assert_ne!(graph.profile_of(call), graph.profile_of(other));
/// println!("{}", graph.explain(call, chat)?);
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct GraphBuilder {
    rules: IdentityRules,
    kinds: Vec<IdentifierKind>,
    kind_index: FxHashMap<IdentifierKind, u16>,
    raw: RawValues,
    /// The shard of every record's values in `raw`, in record order.
    ref_shards: Vec<u8>,
    /// The kind tag of each of them.
    ref_kinds: Vec<u16>,
    keys: Keys,
    observed: Vec<i64>,
    name_of: Vec<u64>,
    names: NameTexts,
    offsets: Vec<u32>,
}

impl GraphBuilder {
    /// A builder with these rules (checked here).
    pub fn new(rules: IdentityRules) -> Result<Self, GraphError> {
        rules.validate()?;
        Ok(GraphBuilder {
            rules,
            kinds: Vec::new(),
            kind_index: FxHashMap::default(),
            raw: RawValues::default(),
            ref_shards: Vec::new(),
            ref_kinds: Vec::new(),
            keys: Keys::default(),
            observed: Vec::new(),
            name_of: Vec::new(),
            names: NameTexts::default(),
            offsets: vec![0],
        })
    }

    /// Reserves room for `records` more records of about `identifiers` each.
    pub fn reserve(&mut self, records: usize, identifiers: usize) {
        self.observed.reserve(records);
        self.name_of.reserve(records);
        self.offsets.reserve(records);
        self.keys.source_of.reserve(records);
        self.keys.ends.reserve(records);
        self.ref_shards.reserve(records.saturating_mul(identifiers));
        self.ref_kinds.reserve(records.saturating_mul(identifiers));
    }

    /// The number of records added.
    pub fn len(&self) -> usize {
        self.observed.len()
    }

    /// True when no record was added.
    pub fn is_empty(&self) -> bool {
        self.observed.is_empty()
    }

    /// Adds one record: its key (unique, checked by [`stitch`](Self::stitch)),
    /// when it was observed (used by validity windows), a folded name key,
    /// and its normalized identifiers.
    ///
    /// The name key is the folded given names, `|`, the folded family names
    /// (`maria dolores|gomez ruiz`; a key without `|` is read as its first
    /// word the given name and the rest family names). It counts the people
    /// who hold a value (`max_names_per_value`) and tells duplicate accounts
    /// from a household's (`merge_duplicates`); keys that can be one person's
    /// (a typo, a short form, the given name alone, the order swapped) count
    /// as one. Equal keys are compared by a fixed 64-bit hash.
    ///
    /// Empty values are skipped; a value repeated in one record counts once.
    pub fn add<'a>(
        &mut self,
        key: &RecordKey,
        observed_at: Option<Timestamp>,
        name_key: Option<&str>,
        identifiers: impl IntoIterator<Item = (&'a IdentifierKind, &'a str)>,
    ) -> Result<RecordId, GraphError> {
        let id = u32::try_from(self.observed.len())
            .ok()
            .filter(|&id| id < u32::MAX)
            .ok_or_else(|| too_large("records", u64::from(u32::MAX - 1)))?;
        let start = self.ref_shards.len();
        let added = self.add_values(identifiers).and_then(|()| {
            u32::try_from(self.ref_shards.len())
                .map_err(|_| too_large("identifiers", u64::from(u32::MAX)))
        });
        let end = match added.and_then(|end| self.keys.push(key).map(|()| end)) {
            Ok(end) => end,
            Err(e) => {
                let pushed = self.ref_shards.get(start..).unwrap_or(&[]);
                self.raw.rollback(pushed);
                self.ref_shards.truncate(start);
                self.ref_kinds.truncate(start);
                return Err(e);
            }
        };
        self.offsets.push(end);
        self.observed
            .push(observed_at.map_or(NO_TIME, |t| t.as_second()));
        let name_key = name_key.filter(|n| !n.trim().is_empty());
        self.name_of.push(name_key.map_or(NO_NAME, name_hash));
        self.names.push(name_key.unwrap_or(""));
        Ok(RecordId(id))
    }

    fn add_values<'a>(
        &mut self,
        identifiers: impl IntoIterator<Item = (&'a IdentifierKind, &'a str)>,
    ) -> Result<(), GraphError> {
        for (kind, value) in identifiers {
            if value.is_empty() {
                continue;
            }
            let k = self.kind_id(kind)?;
            let shard = self
                .raw
                .push(k, value)
                .ok_or_else(|| too_large("identifier values", u64::from(u32::MAX - 1)))?;
            self.ref_shards.push(shard);
            self.ref_kinds.push(k);
        }
        Ok(())
    }

    fn kind_id(&mut self, kind: &IdentifierKind) -> Result<u16, GraphError> {
        // A handful of kinds is the rule: comparing beats hashing the enum.
        if self.kinds.len() <= 16 {
            if let Some(i) = self.kinds.iter().position(|k| k == kind) {
                return Ok(i as u16);
            }
        } else if let Some(&i) = self.kind_index.get(kind) {
            return Ok(i);
        }
        let i = u16::try_from(self.kinds.len())
            .map_err(|_| too_large("identifier kinds", u64::from(u16::MAX)))?;
        self.kinds.push(kind.clone());
        self.kind_index.insert(kind.clone(), i);
        Ok(i)
    }

    /// Builds the graph: orders records by key, flags generic values, links
    /// records through shared identifiers under the rules, and names profiles.
    /// Fails on a duplicate record key.
    pub fn stitch(self) -> Result<IdentityGraph, GraphError> {
        let GraphBuilder {
            rules,
            kinds: provisional_kinds,
            kind_index,
            raw,
            ref_shards,
            ref_kinds,
            keys,
            observed,
            name_of,
            names,
            offsets,
        } = self;
        let (values, id_map) = Interner::build(raw)
            .ok_or_else(|| too_large("identifier values", u64::from(u32::MAX - 1)))?;
        let ids = id_map.ids(&ref_shards);
        drop(ref_shards);
        drop(id_map);

        // Kinds in the order of their text, so kind ids do not depend on input order.
        let mut order: Vec<usize> = (0..provisional_kinds.len()).collect();
        let texts: Vec<String> = provisional_kinds.iter().map(|k| k.to_string()).collect();
        order.sort_by(|&x, &y| texts[x].cmp(&texts[y]));
        let mut canonical = vec![0u16; provisional_kinds.len()];
        for (c, &p) in order.iter().enumerate() {
            canonical[p] = c as u16;
        }
        let kinds: Vec<KindInfo> = order
            .iter()
            .map(|&p| KindInfo {
                rule: rules.rule_for(&provisional_kinds[p]),
                kind: provisional_kinds[p].clone(),
                text: texts[p].clone(),
            })
            .collect();
        let value_kind: Vec<KindId> = values
            .iter()
            .map(|(tag, _)| KindId(canonical.get(tag as usize).copied().unwrap_or(0)))
            .collect();

        let by_rank = rank_records(&keys)?;
        let mut rank = vec![0u32; by_rank.len()];
        for (i, &r) in by_rank.iter().enumerate() {
            rank[r as usize] = i as u32;
        }
        // Per-record data in canonical order, each value packed with its kind.
        let mut canonical_offsets = Vec::with_capacity(offsets.len());
        let mut entries = Vec::with_capacity(ids.len());
        canonical_offsets.push(0u32);
        for &r in &by_rank {
            let (start, end) = (
                offsets[r as usize] as usize,
                offsets[r as usize + 1] as usize,
            );
            let record_ids = ids.get(start..end).unwrap_or(&[]);
            let record_kinds = ref_kinds.get(start..end).unwrap_or(&[]);
            entries.extend(record_ids.iter().zip(record_kinds).map(|(&v, &k)| {
                let kind = KindId(canonical.get(k as usize).copied().unwrap_or(0));
                pack(kind, ValueId(v))
            }));
            canonical_offsets.push(entries.len() as u32);
        }
        drop(ids);
        drop(ref_kinds);
        drop(offsets);
        let observed: Vec<i64> = by_rank.iter().map(|&r| observed[r as usize]).collect();
        let name_of: Vec<u64> = by_rank.iter().map(|&r| name_of[r as usize]).collect();

        let policies = kinds
            .iter()
            .map(|k| KindPolicy {
                exclusive: k.rule.exclusive,
                max_per_profile: k.rule.max_per_profile,
            })
            .collect();
        let index = ConstraintIndex::from_entries(policies, value_kind, canonical_offsets, entries);

        let mut graph = IdentityGraph {
            provisional_of: kind_index
                .into_iter()
                .map(|(k, p)| (k, canonical[p as usize]))
                .collect(),
            provisional: order.iter().map(|&p| p as u16).collect(),
            preflagged: FxHashMap::default(),
            rules,
            kinds,
            values,
            keys,
            rank,
            by_rank,
            observed,
            name_of,
            names,
            // Replaced below, once duplicate accounts are known.
            clustering: Clustering::new(ConstraintIndex::default()),
            duplicates: Vec::new(),
            components: Components::default(),
            members: Vec::new(),
            profiles: Vec::new(),
            flags: Vec::new(),
            untimed_skipped: 0,
        };
        graph.preflagged = graph.preflagged_values();
        graph.duplicates = graph.duplicate_pairs(&index);
        graph.clustering =
            Clustering::new(index.with_duplicates(graph.duplicates.iter().copied())?);
        graph.link_shared_identifiers()?;
        graph.refresh();
        Ok(graph)
    }
}

/// Stably sorts `keys` by their high 32 bits, of which only the low `bits`
/// may be set, moving `payload[i]` along with `keys[i]`: least-significant-digit
/// radix sort, one byte per pass.
fn sort_by_high_half(keys: &mut Vec<u64>, payload: &mut Vec<u64>, bits: u32) {
    let mut buffer = vec![0u64; keys.len()];
    let mut payload_buffer = vec![0u64; payload.len()];
    let mut shift = 32;
    while shift < 32 + bits {
        let digit = |k: u64| ((k >> shift) & 0xFF) as usize;
        let mut starts = [0usize; 256];
        for &k in keys.iter() {
            starts[digit(k)] += 1;
        }
        let mut sum = 0;
        for s in starts.iter_mut() {
            let count = *s;
            *s = sum;
            sum += count;
        }
        for (i, &k) in keys.iter().enumerate() {
            let at = &mut starts[digit(k)];
            if let Some(slot) = buffer.get_mut(*at) {
                *slot = k;
            }
            if let (Some(slot), Some(&p)) = (payload_buffer.get_mut(*at), payload.get(i)) {
                *slot = p;
            }
            *at += 1;
        }
        std::mem::swap(keys, &mut buffer);
        std::mem::swap(payload, &mut payload_buffer);
        shift += 8;
    }
}

/// Record ids in the order of their keys (source, then id, as bytes).
fn rank_records(keys: &Keys) -> Result<Vec<u32>, GraphError> {
    let mut source_order: Vec<u32> = (0..keys.sources.len() as u32).collect();
    source_order.sort_by(|&x, &y| keys.sources[x as usize].cmp(&keys.sources[y as usize]));
    let mut source_rank = vec![0u32; keys.sources.len()];
    for (i, &s) in source_order.iter().enumerate() {
        source_rank[s as usize] = i as u32;
    }
    // Sorting on (source rank, first 16 id bytes) settles most comparisons
    // without touching the key arena.
    let mut entries: Vec<(u32, u64, u64, u32)> = (0..keys.source_of.len() as u32)
        .map(|r| {
            let s = keys.source_of[r as usize];
            let mut prefix = [0u8; 16];
            for (d, b) in prefix.iter_mut().zip(keys.id(r).bytes()) {
                *d = b;
            }
            let (high, low) = prefix.split_at(8);
            let word = |half: &[u8]| u64::from_be_bytes(half.try_into().unwrap_or([0; 8]));
            (source_rank[s as usize], word(high), word(low), r)
        })
        .collect();
    entries.par_sort_unstable_by(|x, y| {
        (x.0, x.1, x.2)
            .cmp(&(y.0, y.1, y.2))
            .then_with(|| keys.id(x.3).cmp(keys.id(y.3)))
            .then(x.3.cmp(&y.3))
    });
    for w in entries.windows(2) {
        let same_prefix = (w[0].0, w[0].1, w[0].2) == (w[1].0, w[1].1, w[1].2);
        if same_prefix && keys.id(w[0].3) == keys.id(w[1].3) {
            return Err(GraphError::DuplicateKey {
                key: keys.key(w[0].3),
            });
        }
    }
    Ok(entries.into_iter().map(|e| e.3).collect())
}

/// One kind as the graph knows it.
#[derive(Debug, Clone)]
struct KindInfo {
    kind: IdentifierKind,
    text: String,
    rule: KindRule,
}

/// The records of one value (or one tenure of it) that link together.
#[derive(Debug, Clone, Copy)]
struct Group {
    priority: u32,
    len: u32,
    /// The group's first canonical id.
    first: u32,
    kind: KindId,
    value: ValueId,
    start: u32,
}

/// A value (or one tenure of it) flagged generic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GenericFlag {
    /// The value.
    pub value: ValueId,
    /// How many records of the group hold it.
    pub records: u32,
    /// How many distinct name keys they carry.
    pub names: u32,
    /// Why it was flagged.
    pub reason: GenericReason,
}

/// The stitched identity graph: profiles, the evidence behind them, and what
/// was refused.
#[derive(Debug, Clone)]
pub struct IdentityGraph {
    rules: IdentityRules,
    kinds: Vec<KindInfo>,
    /// Kind -> canonical kind id.
    provisional_of: FxHashMap<IdentifierKind, u16>,
    /// Canonical kind id -> the interner's tag.
    provisional: Vec<u16>,
    values: Interner,
    /// Values generic by configuration: listed, or role mailboxes.
    preflagged: FxHashMap<ValueId, GenericReason>,
    /// Keys, by record id.
    keys: Keys,
    /// Record id -> canonical id.
    rank: Vec<u32>,
    /// Canonical id -> record id.
    by_rank: Vec<u32>,
    /// Observed times, by canonical id.
    observed: Vec<i64>,
    /// Name key hashes, by canonical id.
    name_of: Vec<u64>,
    /// Name keys, by record id.
    names: NameTexts,
    /// The clustering, over canonical ids.
    clustering: Clustering,
    /// Values taken for duplicate accounts of one person.
    duplicates: Vec<(ValueId, ValueId)>,
    /// Clusters of canonical ids.
    components: Components,
    /// `components`' members as record ids.
    members: Vec<RecordId>,
    profiles: Vec<ProfileId>,
    flags: Vec<GenericFlag>,
    untimed_skipped: u64,
}

impl IdentityGraph {
    /// The number of records.
    pub fn len(&self) -> usize {
        self.observed.len()
    }

    /// True when the graph has no records.
    pub fn is_empty(&self) -> bool {
        self.observed.is_empty()
    }

    /// The number of profiles.
    pub fn profile_count(&self) -> usize {
        self.profiles.len()
    }

    /// The rules the graph was built with.
    pub fn rules(&self) -> &IdentityRules {
        &self.rules
    }

    /// The key of record `r`.
    pub fn key(&self, r: RecordId) -> Option<RecordKey> {
        (r.index() < self.len()).then(|| self.keys.key(r.0))
    }

    /// The source and id of a record, borrowed (no allocation, unlike
    /// [`IdentityGraph::key`]).
    pub fn key_parts(&self, r: RecordId) -> Option<(&str, &str)> {
        (r.index() < self.len()).then(|| (self.keys.source(r.0), self.keys.id(r.0)))
    }

    /// The sources of the records, each once, in the order first seen.
    pub(crate) fn sources(&self) -> &[String] {
        &self.keys.sources
    }

    /// The position of record `r`'s source in [`IdentityGraph::sources`].
    pub(crate) fn source_index(&self, r: RecordId) -> Option<u32> {
        self.keys.source_of.get(r.index()).copied()
    }

    /// The record with this key.
    pub fn record_id(&self, key: &RecordKey) -> Option<RecordId> {
        let found = self.by_rank.binary_search_by(|&r| {
            self.keys
                .source(r)
                .cmp(&key.source)
                .then_with(|| self.keys.id(r).cmp(&key.id))
        });
        found
            .ok()
            .and_then(|i| self.by_rank.get(i))
            .map(|&r| RecordId(r))
    }

    /// The profile of record `r`.
    pub fn profile_of(&self, r: RecordId) -> Option<ProfileId> {
        let c = self.components.cluster_of(self.canonical(r)?)?;
        self.profiles.get(c as usize).copied()
    }

    /// Every profile with its members (in key order, the anchor first), in
    /// the order of their anchors' keys.
    pub fn profiles(&self) -> impl Iterator<Item = (ProfileId, &[RecordId])> + '_ {
        self.profiles.iter().enumerate().map(|(c, &p)| {
            let range = self.components.member_range(c as u32);
            (p, self.members.get(range).unwrap_or(&[]))
        })
    }

    /// The links that merged profiles, in the order they were made; they form
    /// a spanning forest of each profile.
    pub fn accepted_links(&self) -> impl Iterator<Item = Edge> + '_ {
        self.clustering
            .accepted()
            .iter()
            .map(|e| self.external_edge(e))
    }

    /// The links a rule refused, in the order they were proposed.
    pub fn refused_links(&self) -> impl Iterator<Item = RefusedEdge> + '_ {
        self.clustering.refused().iter().map(|r| RefusedEdge {
            edge: self.external_edge(&r.edge),
            refusal: r.refusal,
        })
    }

    /// The kind with id `k`.
    pub fn kind(&self, k: KindId) -> Option<&IdentifierKind> {
        self.kinds.get(k.0 as usize).map(|i| &i.kind)
    }

    /// The effective rule of kind `k`.
    pub fn rule(&self, k: KindId) -> Option<&KindRule> {
        self.kinds.get(k.0 as usize).map(|i| &i.rule)
    }

    /// The id of a kind, if any record holds it.
    pub fn kind_id(&self, kind: &IdentifierKind) -> Option<KindId> {
        self.provisional_of.get(kind).map(|&c| KindId(c))
    }

    /// The kind and text of value `v`.
    pub fn value(&self, v: ValueId) -> Option<(&IdentifierKind, &str)> {
        let k = self.clustering.constraints().kind_of(v)?;
        Some((self.kind(k)?, self.values.text(v.0)))
    }

    /// The id of a normalized value, if any record holds it.
    pub fn value_id(&self, kind: &IdentifierKind, value: &str) -> Option<ValueId> {
        let k = self.kind_id(kind)?;
        let tag = *self.provisional.get(k.0 as usize)?;
        self.values.get(tag, value).map(ValueId)
    }

    /// The identifiers of record `r`, by kind then value id.
    pub fn identifiers(&self, r: RecordId) -> impl Iterator<Item = (&IdentifierKind, &str)> + '_ {
        let index = self.clustering.constraints();
        self.canonical(r)
            .into_iter()
            .flat_map(|c| index.record_values(c))
            .filter_map(|v| self.value(v))
    }

    /// The records holding value `v`, in key order (a scan over all records:
    /// for explanations and tools, not for loops).
    pub fn records_with(&self, v: ValueId) -> Vec<RecordId> {
        self.holders(&[v])
            .remove(&v)
            .unwrap_or_default()
            .into_iter()
            .map(|c| self.external(RecordId(c)))
            .collect()
    }

    /// Values flagged generic, in the order they were met.
    pub fn generic_flags(&self) -> &[GenericFlag] {
        &self.flags
    }

    /// Adds the probabilistic matcher's links, strongest first (see
    /// [`Clustering::link_probabilistic`]), under the same rules as the
    /// deterministic ones, then renumbers the profiles.
    pub fn add_probabilistic_edges(
        &mut self,
        edges: impl IntoIterator<Item = ProbabilisticEdge>,
    ) -> Result<LinkCounts, GraphError> {
        let records = self.len();
        // A vector passed in is reused as is; its edges are then mapped in
        // parallel (random reads of the rank table).
        let edges: Vec<ProbabilisticEdge> = edges.into_iter().collect();
        if let Some(r) = edges
            .iter()
            .flat_map(|e| [e.a, e.b])
            .find(|&r| self.canonical(r).is_none())
        {
            return Err(GraphError::UnknownRecord {
                record: r.0,
                records,
            });
        }
        let to_canonical = |r: RecordId| self.canonical(r).unwrap_or(r);
        let canonical: Vec<ProbabilisticEdge> = edges
            .par_iter()
            .map(|e| ProbabilisticEdge {
                a: to_canonical(e.a),
                b: to_canonical(e.b),
                weight: e.weight,
            })
            .collect();
        let counts = self.clustering.link_probabilistic(canonical)?;
        self.refresh();
        Ok(counts)
    }

    /// Statistics: profile sizes, generic values, links accepted and refused.
    pub fn stats(&self) -> GraphStats {
        let mut profile_sizes = BTreeMap::new();
        for members in self.components.iter() {
            *profile_sizes.entry(members.len() as u32).or_insert(0u64) += 1;
        }
        let kind_text = |k: KindId| self.kinds.get(k.0 as usize).map_or("", |i| i.text.as_str());
        let mut links_accepted = BTreeMap::new();
        for e in self.clustering.accepted() {
            let name = match e.evidence {
                Evidence::SharedIdentifier { kind, .. } => kind_text(kind),
                Evidence::Probabilistic { .. } => "probabilistic",
            };
            *links_accepted.entry(name.to_string()).or_insert(0u64) += 1;
        }
        let mut refused: BTreeMap<(KindId, RuleName), u64> = BTreeMap::new();
        for r in self.clustering.refused() {
            let rule = match r.refusal {
                Refusal::CannotLink { .. } => RuleName::CannotLink,
                Refusal::MaxPerProfile { .. } => RuleName::MaxPerProfile,
            };
            *refused.entry((r.refusal.kind(), rule)).or_insert(0) += 1;
        }
        let links_refused = refused
            .into_iter()
            .filter_map(|((k, rule), count)| {
                Some(RefusalCount {
                    kind: self.kind(k)?.clone(),
                    rule,
                    count,
                })
            })
            .collect();
        let mut generic_values: Vec<GenericValueReport> = self
            .flags
            .iter()
            .filter_map(|f| {
                let (kind, value) = self.value(f.value)?;
                Some(GenericValueReport {
                    kind: kind.clone(),
                    value: value.to_string(),
                    records: f.records,
                    names: f.names,
                    reason: f.reason,
                })
            })
            .collect();
        generic_values.sort_by(|x, y| {
            (x.kind.to_string(), &x.value, x.records, x.names, x.reason).cmp(&(
                y.kind.to_string(),
                &y.value,
                y.records,
                y.names,
                y.reason,
            ))
        });
        GraphStats {
            records: self.len() as u64,
            profiles: self.profiles.len() as u64,
            identifier_values: self.values.len() as u64,
            profile_sizes,
            links_accepted,
            links_refused,
            generic_values,
            untimed_skipped: self.untimed_skipped,
            duplicate_pairs: self.duplicates.len() as u64,
        }
    }

    /// The canonical id of record `r`.
    pub(crate) fn canonical(&self, r: RecordId) -> Option<RecordId> {
        self.rank.get(r.index()).map(|&c| RecordId(c))
    }

    /// The record id of canonical id `c`.
    pub(crate) fn external(&self, c: RecordId) -> RecordId {
        RecordId(self.by_rank.get(c.index()).copied().unwrap_or(c.0))
    }

    /// The key of canonical id `c`.
    pub(crate) fn key_at(&self, c: RecordId) -> RecordKey {
        self.keys.key(self.external(c).0)
    }

    pub(crate) fn internals(&self) -> (&Clustering, &Components) {
        (&self.clustering, &self.components)
    }

    /// The profile id of cluster `c`.
    pub(crate) fn profile_at(&self, c: u32) -> ProfileId {
        self.profiles
            .get(c as usize)
            .copied()
            .unwrap_or(ProfileId(0))
    }

    fn external_edge(&self, e: &Edge) -> Edge {
        Edge {
            a: self.external(e.a),
            b: self.external(e.b),
            evidence: e.evidence,
        }
    }

    /// The canonical ids holding each of `values` (sorted), by one scan.
    pub(crate) fn holders(&self, values: &[ValueId]) -> FxHashMap<ValueId, Vec<u32>> {
        let index = self.clustering.constraints();
        let mut holders: FxHashMap<ValueId, Vec<u32>> = FxHashMap::default();
        for c in 0..self.len() as u32 {
            for v in index.record_values(RecordId(c)) {
                if values.binary_search(&v).is_ok() {
                    holders.entry(v).or_default().push(c);
                }
            }
        }
        holders
    }

    /// Recomputes clusters and profile ids after links changed.
    fn refresh(&mut self) {
        self.components = self.clustering.components();
        self.members = self
            .components
            .iter()
            .flatten()
            .map(|&c| self.external(c))
            .collect();
        self.profiles = (0..self.components.len() as u32)
            .map(|c| {
                let anchor = self.components.anchor(c).map_or(0, |r| self.external(r).0);
                ProfileId::from_anchor(self.keys.source(anchor), self.keys.id(anchor))
            })
            .collect();
    }

    /// Values generic by configuration that occur in the data: listed ones,
    /// and emails of role mailboxes (one pass over the values, so groups only
    /// look integers up).
    fn preflagged_values(&self) -> FxHashMap<ValueId, GenericReason> {
        let mut flagged = FxHashMap::default();
        let email_tag = self
            .kind_id(&IdentifierKind::Email)
            .and_then(|k| self.provisional.get(k.0 as usize).copied());
        let roles: FxHashSet<&str> = self
            .rules
            .role_email_local_parts
            .iter()
            .map(String::as_str)
            .collect();
        if let Some(email) = email_tag.filter(|_| !roles.is_empty()) {
            for (v, (tag, text)) in self.values.iter().enumerate() {
                let role = tag == email
                    && text
                        .rsplit_once('@')
                        .is_some_and(|(local, _)| roles.contains(local));
                if role {
                    flagged.insert(ValueId(v as u32), GenericReason::RoleAccount);
                }
            }
        }
        for (c, info) in self.kinds.iter().enumerate() {
            let Some(&tag) = self.provisional.get(c) else {
                continue;
            };
            for text in self.rules.generic_values_for(&info.kind) {
                if let Some(v) = self.values.get(tag, text) {
                    flagged.insert(ValueId(v), GenericReason::Listed);
                }
            }
        }
        flagged
    }

    /// Why the records `members` (canonical ids, all holding value `v`) must
    /// not link through it, if they must not; with their distinct name count.
    /// `member_names`, when given, holds the members' name hashes in order.
    pub(crate) fn generic_reason(
        &self,
        v: ValueId,
        rule: &KindRule,
        members: &[u32],
        member_names: Option<&[u64]>,
        scratch: &mut Vec<(u64, u32)>,
    ) -> Option<(GenericReason, u32)> {
        let records = members.len() as u32;
        if let Some(&reason) = self.preflagged.get(&v) {
            return Some((reason, self.distinct_names(members, member_names, scratch)));
        }
        // Fewer records than the limit cannot carry more names: skip the
        // (cache-missing) name reads for the common small group.
        if let Some(max) = rule.max_names_per_value.filter(|&max| records > max) {
            let distinct = self.distinct_names(members, member_names, scratch);
            if distinct > max && self.people(scratch, max) > max {
                return Some((GenericReason::TooManyNames { max }, distinct));
            }
        }
        match rule.max_records_per_value {
            Some(max) if records > max => Some((
                GenericReason::TooManyRecords { max },
                self.distinct_names(members, member_names, scratch),
            )),
            _ => None,
        }
    }

    /// The number of distinct name keys of `members`; leaves `scratch`
    /// holding `(name hash, member)` of the named members, sorted by hash.
    fn distinct_names(
        &self,
        members: &[u32],
        member_names: Option<&[u64]>,
        scratch: &mut Vec<(u64, u32)>,
    ) -> u32 {
        scratch.clear();
        match member_names {
            Some(names) => scratch.extend(names.iter().copied().zip(members.iter().copied())),
            None => scratch.extend(members.iter().map(|&c| {
                let name = self.name_of.get(c as usize).copied().unwrap_or(NO_NAME);
                (name, c)
            })),
        }
        scratch.retain(|&(n, _)| n != NO_NAME);
        scratch.sort_unstable();
        scratch.chunk_by(|x, y| x.0 == y.0).count() as u32
    }

    /// The number of people the names in `sorted` (as
    /// [`distinct_names`](Self::distinct_names) leaves them) stand for,
    /// counting no further than `stop_after + 1` (see [`names::group_people`]).
    fn people(&self, sorted: &[(u64, u32)], stop_after: u32) -> u32 {
        let keys: Vec<(&str, u32)> = sorted
            .chunk_by(|x, y| x.0 == y.0)
            .filter_map(|run| {
                let &(_, c) = run.first()?;
                Some((
                    self.names.get(self.external(RecordId(c)).0),
                    run.len() as u32,
                ))
            })
            .collect();
        names::group_people(&keys, stop_after).count
    }

    /// Splits the holders (canonical ids) of a value with a validity window
    /// into tenures: sorts `members` by (observed time, id), untimed records
    /// last, puts the range of each tenure (sorted by id inside) in `ranges`,
    /// and returns the number of untimed records.
    pub(crate) fn tenures(
        &self,
        members: &mut [u32],
        window_days: u32,
        ranges: &mut Vec<(usize, usize)>,
    ) -> usize {
        let time = |c: u32| self.observed.get(c as usize).copied().unwrap_or(NO_TIME);
        members.sort_unstable_by_key(|&c| (time(c) == NO_TIME, time(c), c));
        let timed = members.iter().take_while(|&&c| time(c) != NO_TIME).count();
        let window = i64::from(window_days).saturating_mul(SECONDS_PER_DAY);
        let mut start = 0;
        for i in 1..=timed {
            let split =
                i == timed || time(members[i]).saturating_sub(time(members[i - 1])) > window;
            if split {
                members[start..i].sort_unstable();
                ranges.push((start, i));
                start = i;
            }
        }
        members.len() - timed
    }

    /// Groups the records of every linking value, flags the generic groups,
    /// and links the rest in canonical order.
    fn link_shared_identifiers(&mut self) -> Result<(), GraphError> {
        let index = self.clustering.constraints();
        let linking: Vec<bool> = self.kinds.iter().map(|k| k.rule.linking).collect();
        let is_linking = |entry: u64| {
            let kind = unpack(entry).0;
            linking.get(kind.0 as usize).copied().unwrap_or(false)
        };
        // Inverted index value -> canonical ids: (value, id) pairs made in id
        // order, then stably radix-sorted on the value bits. Streaming passes
        // instead of one random write per pair.
        let values = index.value_count();
        let linking_count = index
            .all_entries()
            .iter()
            .filter(|&&e| is_linking(e))
            .count();
        let mut pairs: Vec<u64> = Vec::with_capacity(linking_count);
        // The holders' names travel with them, so groups read names in order
        // instead of one cache miss per member.
        let mut names: Vec<u64> = Vec::with_capacity(linking_count);
        for c in 0..self.len() as u32 {
            let name = self.name_of.get(c as usize).copied().unwrap_or(NO_NAME);
            for &e in index.record_entries(RecordId(c)) {
                if is_linking(e) {
                    pairs.push(u64::from(unpack(e).1.0) << 32 | u64::from(c));
                    names.push(name);
                }
            }
        }
        let value_bits = u32::BITS - (values as u32).leading_zeros();
        sort_by_high_half(&mut pairs, &mut names, value_bits);
        let mut ends = vec![0u32; values + 1];
        for &p in &pairs {
            if let Some(end) = ends.get_mut((p >> 32) as usize + 1) {
                *end += 1;
            }
        }
        for i in 1..ends.len() {
            ends[i] += ends[i - 1];
        }
        let mut holders: Vec<u32> = pairs.iter().map(|&p| p as u32).collect();
        drop(pairs);

        let mut groups = Vec::new();
        let mut flags = Vec::new();
        let mut untimed = 0u64;
        let mut scratch = Vec::new();
        let mut ranges = Vec::new();
        for v in 0..values {
            let (start, end) = (ends[v] as usize, ends[v + 1] as usize);
            if end - start < 2 {
                continue;
            }
            let value = ValueId(v as u32);
            let Some(kind) = index.kind_of(value) else {
                continue;
            };
            let Some(rule) = self.kinds.get(kind.0 as usize).map(|k| k.rule) else {
                continue;
            };
            let members = &mut holders[start..end];
            ranges.clear();
            // Tenures reorder the members, so their names are read by id.
            let member_names = match rule.validity_window_days {
                Some(days) => {
                    untimed += self.tenures(members, days, &mut ranges) as u64;
                    None
                }
                None => {
                    ranges.push((0, members.len()));
                    names.get(start..end)
                }
            };
            for &(s, e) in &ranges {
                let group = &members[s..e];
                if group.len() < 2 {
                    continue;
                }
                let group_names = member_names.and_then(|n| n.get(s..e));
                if let Some((reason, names)) =
                    self.generic_reason(value, &rule, group, group_names, &mut scratch)
                {
                    flags.push(GenericFlag {
                        value,
                        records: group.len() as u32,
                        names,
                        reason,
                    });
                    continue;
                }
                groups.push(Group {
                    priority: rule.priority,
                    len: group.len() as u32,
                    first: group[0],
                    kind,
                    value,
                    start: (start + s) as u32,
                });
            }
        }
        drop(ends);
        drop(names);
        let texts = &self.values;
        groups.par_sort_unstable_by(|x, y| {
            y.priority
                .cmp(&x.priority)
                .then(x.len.cmp(&y.len))
                .then(x.first.cmp(&y.first))
                .then(x.kind.cmp(&y.kind))
                .then_with(|| texts.text(x.value.0).cmp(texts.text(y.value.0)))
        });

        let mut heads: Vec<RecordId> = Vec::with_capacity(MAX_HEADS);
        for g in &groups {
            let evidence = Evidence::SharedIdentifier {
                kind: g.kind,
                value: g.value,
            };
            let start = g.start as usize;
            let members = holders.get(start..start + g.len as usize).unwrap_or(&[]);
            heads.clear();
            for &m in members {
                let m = RecordId(m);
                let mut placed = false;
                for &h in &heads {
                    let outcome = self.clustering.link(Edge {
                        a: h,
                        b: m,
                        evidence,
                    })?;
                    if !matches!(outcome, LinkOutcome::Refused(_)) {
                        placed = true;
                        break;
                    }
                }
                if !placed && heads.len() < MAX_HEADS {
                    heads.push(m);
                }
            }
        }
        self.flags = flags;
        self.untimed_skipped = untimed;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
