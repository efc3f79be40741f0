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
use crate::matching::{MatchOutput, Matcher, MatchingConfig};
use crate::prepare::{NormalizeConfig, Normalizer, PreparedRecord, SourceSettings};
use crate::record::Record;

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
    /// The matching configuration is wrong.
    #[error("matching: {0}")]
    Matching(#[from] crate::matching::MatchConfigError),
}

/// Time spent per stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Timings {
    /// Normalizing every value.
    #[serde(serialize_with = "crate::secs::serialize")]
    pub normalize: Duration,
    /// Building the identity graph from shared identifiers.
    #[serde(serialize_with = "crate::secs::serialize")]
    pub graph: Duration,
    /// Preparing matching columns.
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
    /// Prepared records, in input order.
    pub prepared: Vec<PreparedRecord>,
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

    /// Resolves `records` into profiles.
    ///
    /// Record keys must be unique. The result does not depend on the order
    /// of `records` or on the number of threads.
    pub fn resolve(&self, records: &[Record]) -> Result<Resolution, ResolveError> {
        let mut timings = Timings::default();
        let t = Instant::now();
        let default = SourceSettings::default();
        let prepared: Vec<PreparedRecord> = records
            .par_iter()
            .map(|r| {
                let s = self.config.sources.get(&r.key.source).unwrap_or(&default);
                self.normalizer.record(r, s)
            })
            .collect();
        timings.normalize = t.elapsed();

        let t = Instant::now();
        let mut builder = GraphBuilder::new(self.config.identity.clone())?;
        builder.reserve(records.len(), 2);
        let mut ids = Vec::with_capacity(records.len());
        for (r, p) in records.iter().zip(&prepared) {
            // Every given and family word: the graph groups spellings of one
            // person by them (see `GraphBuilder::add`).
            let name = p.name.as_ref().map(|n| {
                let mut key = n.canonical_given().join(" ");
                key.push('|');
                for (i, family) in n.family.iter().enumerate() {
                    if i > 0 {
                        key.push(' ');
                    }
                    key.push_str(family);
                }
                key
            });
            let id = builder.add(
                &r.key,
                r.observed_at,
                name.as_deref(),
                p.identifiers.iter().map(|i| (&i.kind, i.value.as_str())),
            )?;
            ids.push(id);
        }
        let mut graph = builder.stitch()?;
        timings.graph = t.elapsed();

        let mut matching = None;
        let (mut accepted, mut refused) = (0, 0);
        if let Some(matcher) = &self.matcher {
            let t = Instant::now();
            // Matching works on records in key order, so pair order and
            // sampling do not depend on input order.
            let mut order: Vec<usize> = (0..records.len()).collect();
            order.sort_by(|&a, &b| records[a].key.cmp(&records[b].key));
            let fields = matcher.fields();
            let cols = Columns::build(order.len(), &fields, |i, f, out| {
                prepared[order[i]].field_values(f, out)
            });
            let datasets: Vec<u16> = dataset_index(records, &order);
            timings.features = t.elapsed();

            let t = Instant::now();
            let out = matcher.run(&cols, &datasets)?;
            timings.matching = t.elapsed();

            let t = Instant::now();
            let counts =
                graph.add_probabilistic_edges(out.links.iter().map(|p| ProbabilisticEdge {
                    a: ids[order[p.a as usize]],
                    b: ids[order[p.b as usize]],
                    weight: p.weight,
                }))?;
            accepted = counts.merged;
            refused = counts.refused;
            timings.cluster = t.elapsed();
            let mut row_of = vec![0u32; order.len()];
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
        Ok(Resolution {
            graph,
            prepared,
            ids,
            matching,
            probabilistic_links: accepted,
            probabilistic_refused: refused,
            timings,
        })
    }
}

/// Dataset number of each record in `order`: sources numbered by name.
fn dataset_index(records: &[Record], order: &[usize]) -> Vec<u16> {
    let mut names: Vec<&str> = records.iter().map(|r| r.key.source.as_str()).collect();
    names.sort_unstable();
    names.dedup();
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
}
