//! The whole batch run: normalize, stitch, match, cluster.
//!
//! [`Resolver::resolve`] takes records and gives a [`Resolution`]: a profile
//! for every record, the rejected values, the evidence behind every link,
//! the trained model and the statistics of every stage.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::{ProbabilisticEdge, ProfileId, RecordId};
use crate::graph::{GraphBuilder, GraphError, GraphStats, IdentityGraph, IdentityRules};
use crate::matching::features::Columns;
use crate::matching::{LabelledPair, MatchOutput, Matcher, MatchingConfig};
use crate::prepare::{FieldRejection, NormalizeConfig, Normalizer, PreparedRecord, SourceSettings};
use crate::record::{Record, RecordKey};

/// Everything a run needs. Plain data: the same from TOML or a Rust literal.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ResolverConfig {
    /// How values are normalized.
    pub normalize: NormalizeConfig,
    /// Per-source settings, by source name.
    pub sources: BTreeMap<String, SourceSettings>,
    /// Deterministic linking rules.
    pub identity: IdentityRules,
    /// Probabilistic matching; none links on identifiers only.
    pub matching: Option<MatchingConfig>,
}

/// A configuration that cannot run, or data the graph cannot hold.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// The identity rules or the graph refused.
    #[error("identity graph: {0}")]
    Graph(#[from] GraphError),
    /// The matching configuration is wrong, or the labels cannot train.
    #[error("matching: {0}")]
    Matching(#[from] crate::matching::MatchConfigError),
    /// A labelled pair names a record that is not among the records.
    #[error("labelled pair {index}: no record {key}")]
    UnknownLabelledRecord {
        /// Position of the pair in the list.
        index: usize,
        /// The key not found.
        key: RecordKey,
    },
    /// Labelled pairs were given, but matching is not configured.
    #[error("labelled pairs train the matcher: configure matching")]
    LabelsWithoutMatching,
}

/// Two records, by key, and whether they are the same person: the labels
/// of [`Resolver::with_labels`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RecordLabel {
    /// First record.
    pub a: RecordKey,
    /// Second record.
    pub b: RecordKey,
    /// True when the two records are the same person.
    pub is_match: bool,
}

/// Time spent per stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timings {
    /// Normalizing every value.
    #[serde(serialize_with = "crate::secs::serialize")]
    pub normalize: Duration,
    /// Building the identity graph from shared identifiers (at the same
    /// time as the matching columns: the two overlap).
    #[serde(serialize_with = "crate::secs::serialize")]
    pub graph: Duration,
    /// Preparing matching columns (at the same time as the graph).
    #[serde(serialize_with = "crate::secs::serialize")]
    pub features: Duration,
    /// Blocking, training and scoring.
    #[serde(serialize_with = "crate::secs::serialize")]
    pub matching: Duration,
    /// Adding probabilistic links under the graph's rules.
    #[serde(serialize_with = "crate::secs::serialize")]
    pub cluster: Duration,
}

/// The outcome of a run.
#[derive(Debug)]
pub struct Resolution {
    /// The identity graph with every link, deterministic and probabilistic.
    pub graph: IdentityGraph,
    /// Prepared records, in input order (empty after
    /// [`Resolver::resolve_prepared_lean`]).
    pub prepared: Vec<PreparedRecord>,
    /// Every value rejected, with the input index of its record, in input order.
    pub rejections: Vec<(u32, FieldRejection)>,
    /// Graph record id of each input record (`ids[i]` for `records[i]`).
    pub ids: Vec<RecordId>,
    /// The matching run, when matching is configured.
    pub matching: Option<MatchingRun>,
    /// Probabilistic links that merged two profiles.
    pub probabilistic_links: u64,
    /// Links the rules refused.
    pub probabilistic_refused: u64,
    /// Time per stage.
    pub timings: Timings,
    /// The prepared records' keys, held until the resolution is dropped:
    /// the worker threads that normalized the records allocated them, and
    /// freeing a million small strings on the calling thread would leave
    /// those threads to take each one back, one by one, at their next
    /// allocation (the first stage after resolving paid 40 to 50 ms of CPU
    /// for it). The graph has its own copy of every key.
    #[expect(dead_code, reason = "held to be freed with the resolution, never read")]
    held_keys: Vec<RecordKey>,
}

impl Resolution {
    /// The profile of input record `i`.
    pub fn profile_of(&self, i: usize) -> Option<ProfileId> {
        self.ids.get(i).and_then(|&r| self.graph.profile_of(r))
    }

    /// Graph statistics.
    pub fn graph_stats(&self) -> GraphStats {
        self.graph.stats()
    }
}

/// What probabilistic matching did in a run.
#[derive(Debug)]
pub struct MatchingRun {
    /// The matcher.
    pub matcher: Matcher,
    /// Its output: model, links, statistics.
    pub output: MatchOutput,
    /// The columns it matched on (records in key order).
    pub columns: Columns,
    /// Column row of each input record.
    pub row_of: Vec<u32>,
}

impl MatchingRun {
    /// Each comparison's contribution to the score of input records `i` and `j`.
    pub fn waterfall(&self, i: usize, j: usize) -> Option<crate::matching::Waterfall> {
        let (a, b) = (*self.row_of.get(i)?, *self.row_of.get(j)?);
        self.matcher
            .waterfall(&self.output.model, &self.columns, a, b)
            .ok()
    }
}

/// Runs the pipeline.
///
/// ```
/// use omnid::resolve::{Resolver, ResolverConfig};
/// use omnid::{Identifier, IdentifierKind, Record, RecordKey};
/// let rec = |src: &str, id: &str, kind: IdentifierKind, v: &str| Record {
///     key: RecordKey::new(src, id),
///     identifiers: vec![Identifier::new(kind, v)],
///     ..Record::default()
/// };
/// let records = [
///     rec("webchat", "c1", IdentifierKind::Email, "Ana.Garcia@gmail.com"),
///     rec("email", "t7", IdentifierKind::Email, "anagarcia+claims@googlemail.com"),
///     rec("calls", "k2", IdentifierKind::Email, "luis@example.org"),
/// ];
/// let res = Resolver::new(ResolverConfig::default())?.resolve(&records)?;
/// assert_eq!(res.profile_of(0), res.profile_of(1));
/// assert_ne!(res.profile_of(0), res.profile_of(2));
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Resolver {
    config: ResolverConfig,
    normalizer: Normalizer,
    matcher: Option<Matcher>,
    labels: Vec<RecordLabel>,
}

impl Resolver {
    /// Checks the configuration.
    pub fn new(config: ResolverConfig) -> Result<Resolver, ResolveError> {
        let matcher = config.matching.clone().map(Matcher::new).transpose()?;
        GraphBuilder::new(config.identity.clone())?;
        Ok(Resolver {
            normalizer: Normalizer::new(&config.normalize),
            config,
            matcher,
            labels: Vec::new(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &ResolverConfig {
        &self.config
    }

    /// The normalizer.
    pub fn normalizer(&self) -> &Normalizer {
        &self.normalizer
    }

    /// Trains the matcher from labelled pairs of the records to resolve
    /// (see [`Matcher::run_with_labels`]) instead of by EM. Each label's
    /// records must be among those given to [`Resolver::resolve`].
    pub fn with_labels(mut self, labels: Vec<RecordLabel>) -> Result<Resolver, ResolveError> {
        if !labels.is_empty() && self.matcher.is_none() {
            return Err(ResolveError::LabelsWithoutMatching);
        }
        self.labels = labels;
        Ok(self)
    }

    /// Normalizes one record with its source's settings: the first stage of
    /// [`Resolver::resolve`], for callers that read records in batches and
    /// need not keep them (see [`Resolver::resolve_prepared`]).
    pub fn prepare(&self, record: &Record) -> Prepared {
        Prepared {
            key: record.key.clone(),
            observed_at: record.observed_at,
            record: self.normalize(record),
        }
    }

    /// [`Resolver::prepare`] for a record the caller has no further use
    /// for: its key moves into the result instead of being copied.
    ///
    /// ```
    /// use omnid::resolve::{Resolver, ResolverConfig};
    /// use omnid::{Identifier, IdentifierKind, Record, RecordKey};
    /// let resolver = Resolver::new(ResolverConfig::default())?;
    /// let record = Record {
    ///     key: RecordKey::new("crm", "c1"),
    ///     identifiers: vec![Identifier::new(IdentifierKind::Email, "Ana.Garcia@gmail.com")],
    ///     ..Record::default()
    /// };
    /// assert_eq!(resolver.prepare_owned(record.clone()), resolver.prepare(&record));
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn prepare_owned(&self, mut record: Record) -> Prepared {
        let prepared = self.normalize(&record);
        Prepared {
            key: std::mem::take(&mut record.key),
            observed_at: record.observed_at,
            record: prepared,
        }
    }

    /// `record` normalized with its source's settings.
    fn normalize(&self, record: &Record) -> PreparedRecord {
        static DEFAULT: SourceSettings = SourceSettings {
            default_region: None,
            fallback_regions: Vec::new(),
            date_order: None,
        };
        let s = self
            .config
            .sources
            .get(&record.key.source)
            .unwrap_or(&DEFAULT);
        self.normalizer.record(record, s)
    }

    /// Resolves `records` into profiles.
    ///
    /// Record keys must be unique. The result does not depend on the order
    /// of `records` or on the number of threads.
    pub fn resolve(&self, records: &[Record]) -> Result<Resolution, ResolveError> {
        let t = Instant::now();
        let prepared: Vec<Prepared> = records.par_iter().map(|r| self.prepare(r)).collect();
        let normalize = t.elapsed();
        let mut res = self.resolve_prepared(prepared)?;
        res.timings.normalize = normalize;
        Ok(res)
    }

    /// Resolves records already normalized by [`Resolver::prepare`] (in
    /// input order; `Resolution::prepared[i]` and `ids[i]` belong to
    /// `records[i]`). The same result as [`Resolver::resolve`] on the raw
    /// records, without holding them: a caller that streams its input can
    /// drop each raw record once it is prepared. `timings.normalize` is
    /// left at zero: the caller normalized.
    ///
    /// ```
    /// use omnid::resolve::{Resolver, ResolverConfig};
    /// use omnid::{Identifier, IdentifierKind, Record, RecordKey};
    /// let resolver = Resolver::new(ResolverConfig::default())?;
    /// let prepared = ["+34 612 34 56 78", "0034612345678"]
    ///     .iter()
    ///     .enumerate()
    ///     .map(|(i, phone)| {
    ///         let raw = Record {
    ///             key: RecordKey::new("calls", i.to_string()),
    ///             identifiers: vec![Identifier::new(IdentifierKind::Phone, *phone)],
    ///             ..Record::default()
    ///         };
    ///         resolver.prepare(&raw) // `raw` is dropped here
    ///     })
    ///     .collect();
    /// let res = resolver.resolve_prepared(prepared)?;
    /// assert_eq!(res.profile_of(0), res.profile_of(1));
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn resolve_prepared(&self, records: Vec<Prepared>) -> Result<Resolution, ResolveError> {
        self.resolve_prepared_with(records, true)
    }

    /// [`Resolver::resolve_prepared`] for callers that need profiles ids,
    /// links and rejections but not the prepared records: each is freed as
    /// soon as the identity graph and the matching columns hold its values,
    /// which takes most of the memory of a large run away before blocking
    /// and scoring. `Resolution::prepared` is then empty;
    /// `Resolution::rejections` is filled as always.
    pub fn resolve_prepared_lean(
        &self,
        records: Vec<Prepared>,
    ) -> Result<Resolution, ResolveError> {
        self.resolve_prepared_with(records, false)
    }

    fn resolve_prepared_with(
        &self,
        mut records: Vec<Prepared>,
        keep_prepared: bool,
    ) -> Result<Resolution, ResolveError> {
        let mut timings = Timings::default();
        let rejections: Vec<(u32, FieldRejection)> = records
            .iter_mut()
            .enumerate()
            .flat_map(|(i, r)| {
                let taken = if keep_prepared {
                    r.record.rejections.clone()
                } else {
                    std::mem::take(&mut r.record.rejections)
                };
                taken.into_iter().map(move |f| (i as u32, f))
            })
            .collect();
        // The graph (sequential) and the matching columns (parallel) read
        // the records and not each other: built at once, the columns use
        // the cores the graph leaves idle.
        let (graph, features) = rayon::join(
            || self.build_graph(&records),
            || {
                self.matcher
                    .as_ref()
                    .map(|m| self.build_features(m, &records))
                    .transpose()
            },
        );
        let ((mut graph, ids), graph_time) = graph?;
        timings.graph = graph_time;
        let len = records.len();
        if !keep_prepared {
            // Many small strings: freed on every core.
            std::mem::take(&mut records).into_par_iter().for_each(drop);
        }

        let mut matching = None;
        let (mut accepted, mut refused) = (0, 0);
        if let (Some(matcher), Some(features)) = (&self.matcher, features?) {
            let Features {
                order,
                cols,
                datasets,
                labelled,
                elapsed,
            } = features;
            timings.features = elapsed;
            let t = Instant::now();
            let out = if labelled.is_empty() {
                matcher.run(&cols, &datasets)?
            } else {
                matcher.run_with_labels(&cols, &datasets, &labelled)?
            };
            timings.matching = t.elapsed();

            let t = Instant::now();
            let edges: Vec<ProbabilisticEdge> = out
                .links
                .par_iter()
                .map(|p| ProbabilisticEdge {
                    a: ids[order[p.a as usize]],
                    b: ids[order[p.b as usize]],
                    weight: p.weight,
                })
                .collect();
            let counts = graph.add_probabilistic_edges(edges)?;
            accepted = counts.merged;
            refused = counts.refused;
            timings.cluster = t.elapsed();
            let mut row_of = vec![0u32; len];
            for (row, &i) in order.iter().enumerate() {
                row_of[i] = row as u32;
            }
            matching = Some(MatchingRun {
                matcher: matcher.clone(),
                output: out,
                columns: cols,
                row_of,
            });
        }
        let held_keys = records
            .par_iter_mut()
            .map(|r| std::mem::take(&mut r.key))
            .collect();
        Ok(Resolution {
            graph,
            held_keys,
            prepared: records.into_iter().map(|r| r.record).collect(),
            rejections,
            ids,
            matching,
            probabilistic_links: accepted,
            probabilistic_refused: refused,
            timings,
        })
    }
}

impl Resolver {
    /// The identity graph of `records` and the graph id of each.
    fn build_graph(
        &self,
        records: &[Prepared],
    ) -> Result<((IdentityGraph, Vec<RecordId>), Duration), ResolveError> {
        let t = Instant::now();
        let mut builder = GraphBuilder::new(self.config.identity.clone())?;
        builder.reserve(records.len(), 2);
        let mut ids = Vec::with_capacity(records.len());
        // The builder is sequential; the name keys it reads need not be.
        // Every given and family word: the graph groups spellings of one
        // person by them (see `GraphBuilder::add`).
        let names: Vec<Option<String>> = records
            .par_iter()
            .map(|r| {
                r.record.name.as_ref().map(|n| {
                    let mut key = n.canonical_given().join(" ");
                    key.push('|');
                    for (i, family) in n.family.iter().enumerate() {
                        if i > 0 {
                            key.push(' ');
                        }
                        key.push_str(family);
                    }
                    key
                })
            })
            .collect();
        for (r, name) in records.iter().zip(names) {
            let p = &r.record;
            let id = builder.add(
                &r.key,
                r.observed_at,
                name.as_deref(),
                p.identifiers.iter().map(|i| (&i.kind, i.value.as_str())),
            )?;
            ids.push(id);
        }
        let graph = builder.stitch()?;
        Ok(((graph, ids), t.elapsed()))
    }

    /// The matching columns of `records`, in key order.
    fn build_features(
        &self,
        matcher: &Matcher,
        records: &[Prepared],
    ) -> Result<Features, ResolveError> {
        let t = Instant::now();
        // Matching works on records in key order, so pair order and
        // sampling do not depend on input order.
        let order = key_order(records);
        let cols = Columns::build_in_order(&order, &matcher.fields(), |i, f, out| {
            records[i].record.field_values(f, out)
        });
        let datasets: Vec<u16> = dataset_index(records, &order);
        let labelled = label_rows(&self.labels, order.len(), |row| &records[order[row]].key)?;
        Ok(Features {
            order,
            cols,
            datasets,
            labelled,
            elapsed: t.elapsed(),
        })
    }
}

/// The indices of `records` in key order (by source, then id).
///
/// Sorts compact keys, the source's rank and the id's first 16 bytes, and
/// compares whole ids only where those tie: the records are read once, not
/// at every comparison of the sort.
fn key_order(records: &[Prepared]) -> Vec<usize> {
    let sources: std::collections::BTreeSet<&str> =
        records.iter().map(|r| r.key.source.as_str()).collect();
    let rank: BTreeMap<&str, u32> = sources.into_iter().zip(0..).collect();
    let mut keys: Vec<(u32, u128, u32)> = records
        .par_iter()
        .enumerate()
        .map(|(i, r)| {
            let mut head = [0u8; 16];
            let id = r.key.id.as_bytes();
            let n = id.len().min(16);
            head[..n].copy_from_slice(&id[..n]);
            (
                rank[r.key.source.as_str()],
                u128::from_be_bytes(head),
                i as u32,
            )
        })
        .collect();
    // Keys are unique: an unstable sort gives the one order.
    keys.par_sort_unstable_by(|x, y| {
        (x.0, x.1).cmp(&(y.0, y.1)).then_with(|| {
            records[x.2 as usize]
                .key
                .id
                .cmp(&records[y.2 as usize].key.id)
        })
    });
    keys.into_iter().map(|k| k.2 as usize).collect()
}

/// What matching reads, built from the prepared records.
struct Features {
    /// Input index of each matching row.
    order: Vec<usize>,
    cols: Columns,
    datasets: Vec<u16>,
    labelled: Vec<LabelledPair>,
    elapsed: Duration,
}

/// A record normalized by [`Resolver::prepare`]: what resolution needs of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// Source and id.
    pub key: RecordKey,
    /// When the source saw the record.
    pub observed_at: Option<jiff::Timestamp>,
    /// Its normalized values.
    pub record: PreparedRecord,
}

/// The labelled pairs as matching rows, found by key among `rows` rows in
/// key order.
fn label_rows<'a>(
    labels: &[RecordLabel],
    rows: usize,
    key_of: impl Fn(usize) -> &'a RecordKey,
) -> Result<Vec<LabelledPair>, ResolveError> {
    let row = |index: usize, key: &RecordKey| {
        let (mut lo, mut hi) = (0, rows);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match key_of(mid).cmp(key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid as u32),
            }
        }
        Err(ResolveError::UnknownLabelledRecord {
            index,
            key: key.clone(),
        })
    };
    labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            Ok(LabelledPair {
                a: row(i, &l.a)?,
                b: row(i, &l.b)?,
                is_match: l.is_match,
            })
        })
        .collect()
}

/// Dataset number of each record in `order`: sources numbered by name.
fn dataset_index(records: &[Prepared], order: &[usize]) -> Vec<u16> {
    let names: Vec<&str> = records
        .iter()
        .map(|r| r.key.source.as_str())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    order
        .iter()
        .map(|&i| {
            names
                .binary_search(&records[i].key.source.as_str())
                .unwrap_or(0) as u16
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Country, Identifier, IdentifierKind, RecordKey};

    #[test]
    fn key_order_is_the_order_of_whole_keys() {
        let ids = [
            ("crm", "10"),
            ("crm", "1"),
            ("chat", "9"),
            ("crm", "customer-000000000000-b"),
            ("crm", "customer-000000000000-a"),
            ("crm", "customer-000000000000"),
            ("crm", "customer-0000000000001"),
            ("app", "z"),
            ("crm", ""),
            ("crm", "a\u{0}"),
            ("crm", "a"),
        ];
        let records: Vec<Prepared> = ids
            .iter()
            .map(|(s, i)| Prepared {
                key: RecordKey::new(*s, *i),
                observed_at: None,
                record: PreparedRecord::default(),
            })
            .collect();
        let mut want: Vec<usize> = (0..records.len()).collect();
        want.sort_by(|&a, &b| records[a].key.cmp(&records[b].key));
        assert_eq!(key_order(&records), want);
    }

    fn phone_record(source: &str, id: &str, phone: &str) -> Record {
        Record {
            key: RecordKey::new(source, id),
            identifiers: vec![Identifier::new(IdentifierKind::Phone, phone)],
            ..Record::default()
        }
    }

    #[test]
    fn the_same_customer_with_the_phone_written_in_three_formats_is_one_profile() {
        let mut config = ResolverConfig::default();
        for s in ["calls", "whatsapp", "crm"] {
            config.sources.insert(
                s.into(),
                SourceSettings {
                    default_region: Some(Country::ES),
                    date_order: None,
                    ..SourceSettings::default()
                },
            );
        }
        let records = [
            phone_record("calls", "c1", "612 34 56 78"),
            phone_record("whatsapp", "w1", "34612345678"),
            phone_record("crm", "k1", "+34 612-345-678"),
            phone_record("calls", "c2", "699 11 22 33"),
        ];
        let res = Resolver::new(config).unwrap().resolve(&records).unwrap();
        assert_eq!(res.profile_of(0), res.profile_of(1));
        assert_eq!(res.profile_of(0), res.profile_of(2));
        assert_ne!(res.profile_of(0), res.profile_of(3));
        let e = res
            .graph
            .explain(res.ids[0], res.ids[2])
            .unwrap()
            .to_string();
        assert!(e.contains("+34612345678"), "{e}");
    }

    #[test]
    fn prepared_and_lean_runs_resolve_like_a_whole_run() {
        let config: ResolverConfig = toml::from_str(
            r#"
            [matching]
            threshold = 0.5
            blocking = ["family_name"]
            [[matching.comparisons]]
            field = "given_name"
            levels = [{exact={tf=true}}, {jaro_winkler={min=0.9}}]
            [[matching.comparisons]]
            field = "birth_date"
            levels = [{exact={tf=false}}, {damerau={max=1}}]
            "#,
        )
        .unwrap();
        let families = ["garcia", "lopez", "martin", "sanchez", "perez", "gomez"];
        let givens = ["ana", "luis", "marta", "jorge", "elena", "pablo", "rosa"];
        let mut records = Vec::new();
        for (i, (f, g)) in families
            .iter()
            .flat_map(|f| givens.iter().map(move |g| (f, g)))
            .enumerate()
        {
            let day = 1 + i % 28;
            for (copy, given) in [*g, &g.replace('a', "á")].into_iter().enumerate() {
                let mut r = Record {
                    key: RecordKey::new("crm", format!("{i}-{copy}")),
                    ..Record::default()
                };
                r.attributes.given_names = Some(given.to_string());
                r.attributes.family_names = Some(f.to_string());
                r.attributes.birth_date = Some(format!("19{}-03-{day:02}", 60 + i % 30));
                if copy == 1 {
                    r.identifiers = vec![Identifier::new(IdentifierKind::Phone, "anonymous")];
                }
                records.push(r);
            }
        }
        let resolver = Resolver::new(config).unwrap();
        let whole = resolver.resolve(&records).unwrap();
        let prepare = || records.iter().map(|r| resolver.prepare(r)).collect();
        let prepared = resolver.resolve_prepared(prepare()).unwrap();
        let lean = resolver.resolve_prepared_lean(prepare()).unwrap();
        assert!(whole.matching.as_ref().unwrap().output.links.len() >= families.len());
        assert!(lean.prepared.is_empty());
        assert_eq!(prepared.prepared, whole.prepared);
        assert_eq!(whole.rejections.len(), records.len() / 2);
        for res in [&prepared, &lean] {
            assert_eq!(res.rejections, whole.rejections);
            for i in 0..records.len() {
                assert_eq!(res.profile_of(i), whole.profile_of(i));
            }
        }
        // Each person's two records are one profile, and people stay apart.
        assert_eq!(whole.profile_of(0), whole.profile_of(1));
        assert_ne!(whole.profile_of(0), whole.profile_of(2));
    }

    #[test]
    fn resolution_does_not_depend_on_input_order() {
        let records = vec![
            phone_record("a", "1", "+34612345678"),
            phone_record("b", "2", "+34612345678"),
            phone_record("c", "3", "+34699112233"),
            phone_record("d", "4", "+34699112233"),
            phone_record("e", "5", "+34600000001"),
        ];
        let resolver = Resolver::new(ResolverConfig::default()).unwrap();
        let forward = resolver.resolve(&records).unwrap();
        let mut reversed = records.clone();
        reversed.reverse();
        let backward = resolver.resolve(&reversed).unwrap();
        for i in 0..records.len() {
            assert_eq!(
                forward.profile_of(i),
                backward.profile_of(records.len() - 1 - i)
            );
        }
    }

    #[test]
    fn labels_name_known_records_and_need_matching() {
        let records = [
            phone_record("a", "1", "+34612345678"),
            phone_record("b", "2", "+34699112233"),
        ];
        let label = |a: &str, b: &str| RecordLabel {
            a: RecordKey::new("a", a),
            b: RecordKey::new("b", b),
            is_match: true,
        };
        let plain = Resolver::new(ResolverConfig::default()).unwrap();
        assert!(matches!(
            plain.with_labels(vec![label("1", "2")]),
            Err(ResolveError::LabelsWithoutMatching)
        ));
        let config = ResolverConfig {
            matching: Some(
                serde_json::from_str(
                    r#"{"blocking": ["phone"],
                        "comparisons": [{"field": "phone", "levels": [{"exact": {"tf": false}}]}]}"#,
                )
                .unwrap(),
            ),
            ..ResolverConfig::default()
        };
        let matching = Resolver::new(config).unwrap();
        let unknown = matching
            .clone()
            .with_labels(vec![label("1", "2"), label("1", "9")])
            .unwrap();
        match unknown.resolve(&records) {
            Err(ResolveError::UnknownLabelledRecord { index, key }) => {
                assert_eq!((index, key), (1, RecordKey::new("b", "9")));
            }
            other => panic!("{other:?}"),
        }
        let res = matching
            .with_labels(vec![label("1", "2")])
            .unwrap()
            .resolve(&records)
            .unwrap();
        let stats = &res.matching.unwrap().output.stats;
        assert_eq!(stats.labels.map(|l| l.matches), Some(1));
    }
}
