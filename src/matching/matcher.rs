//! The matcher: blocking, training and scoring in one call.

use std::time::Duration;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::blocking::{
    self, BlockSizes, BlockingRule, Candidates, PairFilter, RuleReport, SkippedBlock,
};
use super::comparison::{Comparison, Compiled, Level, MAX_COMPARISONS};
use super::features::{Columns, Field, NO_VALUE, SEVERAL_VALUES};
use super::model::{self, EmSession, Model, level_of};
use super::rng::SplitMix64;

/// Which pairs are candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LinkMode {
    /// Any two records (one dataset with duplicates).
    #[default]
    Dedupe,
    /// Only records of different datasets (each dataset is clean).
    LinkOnly,
    /// Both: any two records (several datasets, each with duplicates).
    LinkAndDedupe,
}

/// How the model is trained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TrainingConfig {
    /// Random pairs sampled per comparison to estimate u (default 300,000;
    /// fewer when there are fewer pairs).
    pub u_sample_pairs: u64,
    /// Seed of the sampler (default 42).
    pub seed: u64,
    /// EM iteration cap per session (default 100).
    pub max_iterations: u32,
    /// EM stops when no parameter moves more than this (default 1e-6).
    pub tolerance: f64,
    /// Blocking rules whose pairs form the EM sessions; each must be one of
    /// the prediction rules. Empty (the default): every prediction rule.
    pub sessions: Vec<BlockingRule>,
    /// A fixed prior (probability that two random records match) instead of the estimate.
    pub prior: Option<f64>,
    /// Training from labels ([`Matcher::run_with_labels`]): where u comes from.
    pub u_from: UFrom,
    /// Training from labels with `u_from = "auto"`: u comes from the
    /// labelled non-matches when there are at least this many (default
    /// 1,000), from random pairs otherwise.
    pub min_labelled_non_matches: u64,
}

/// Where training from labels takes u from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UFrom {
    /// From the labelled non-matches when there are enough of them
    /// ([`TrainingConfig::min_labelled_non_matches`]), otherwise from random pairs.
    #[default]
    Auto,
    /// From the labelled non-matches: right when they are a random sample of
    /// non-matching pairs; pairs picked among the candidates overstate u.
    Labels,
    /// From random pairs, as unsupervised training does; m still comes from
    /// the labelled matches.
    RandomPairs,
}

impl Default for TrainingConfig {
    fn default() -> Self {
        TrainingConfig {
            u_sample_pairs: 300_000,
            seed: 42,
            max_iterations: 100,
            tolerance: 1e-6,
            sessions: Vec::new(),
            prior: None,
            u_from: UFrom::Auto,
            min_labelled_non_matches: 1_000,
        }
    }
}

/// Configuration of probabilistic matching.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MatchingConfig {
    /// Dedupe, link-only or both.
    pub mode: LinkMode,
    /// Blocking rules; their union gives the candidate pairs (at most 32).
    pub blocking: Vec<BlockingRule>,
    /// Comparisons (at most 16).
    pub comparisons: Vec<Comparison>,
    /// Training settings.
    pub training: TrainingConfig,
    /// Pairs with a match probability at or above this are linked (default 0.5).
    pub threshold: f64,
    /// Blocks with more records are skipped and reported (default 2,000).
    pub max_block_size: usize,
    /// Blocks with more records than this (default 100) are compared by
    /// sorted neighbourhood, not every pair: sorted by each other field in
    /// turn, each record meets its next `sorted_window` (of the other side,
    /// for a crosswise rule).
    /// Blocks of common names grow with the data and their pairs with its
    /// square; this keeps blocking linear.
    pub sorted_window_above: usize,
    /// Neighbours per record and sort in a large block (default 5).
    pub sorted_window: usize,
}

impl Default for MatchingConfig {
    fn default() -> Self {
        MatchingConfig {
            mode: LinkMode::Dedupe,
            blocking: Vec::new(),
            comparisons: Vec::new(),
            training: TrainingConfig::default(),
            threshold: 0.5,
            max_block_size: 2_000,
            sorted_window_above: 100,
            sorted_window: 5,
        }
    }
}

/// A matching configuration that cannot run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MatchConfigError {
    /// Too many rules or comparisons.
    #[error("{0}")]
    TooMany(String),
    /// A training session names a rule that is not a prediction rule.
    #[error("training session `{0}` is not one of the blocking rules")]
    UnknownSession(String),
    /// A field is missing from the prepared columns.
    #[error(transparent)]
    MissingField(#[from] blocking::MissingField),
    /// A comparison cannot be bound to the columns.
    #[error(transparent)]
    Comparison(#[from] super::comparison::CompileError),
    /// The threshold is not a probability.
    #[error("threshold {0} is not in [0, 1]")]
    Threshold(String),
    /// A comparison's `conditional_on` cannot be measured.
    #[error("comparison `{comparison}`: conditional_on: {message}")]
    Conditional {
        /// The comparison.
        comparison: String,
        /// What is wrong.
        message: String,
    },
    /// A pair to score names a record the columns do not have.
    #[error("record {record} is out of range: the columns have {records} records")]
    RecordOutOfRange {
        /// The record.
        record: u32,
        /// Records in the columns.
        records: usize,
    },
    /// The labelled pairs cannot train a model.
    #[error(transparent)]
    Labels(#[from] LabelError),
}

/// Two records (rows of the [`Columns`]) and whether they are the same
/// person: the input of [`Matcher::run_with_labels`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LabelledPair {
    /// First record.
    pub a: u32,
    /// Second record.
    pub b: u32,
    /// True when the two records are the same person.
    pub is_match: bool,
}

/// Labelled pairs that cannot train a model.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum LabelError {
    /// A pair names a record the columns do not have.
    #[error("labelled pair {index}: record {record} is out of range ({records} records)")]
    OutOfRange {
        /// Position of the pair in the list.
        index: usize,
        /// The record.
        record: u32,
        /// Records in the columns.
        records: usize,
    },
    /// A pair of a record with itself says nothing.
    #[error("labelled pair {index}: record {record} is paired with itself")]
    SameRecord {
        /// Position of the pair in the list.
        index: usize,
        /// The record.
        record: u32,
    },
    /// No pair is a match: m cannot be estimated.
    #[error("no labelled pair is a match: m is estimated from the matches; label some")]
    NoMatches,
    /// `u_from = "labels"` and no pair is a non-match.
    #[error(
        "no labelled pair is a non-match, and u_from = \"labels\" takes u from them; \
         label some or use u_from = \"auto\""
    )]
    NoNonMatches,
}

/// What training from labels used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct LabelReport {
    /// Labelled matches (m comes from them).
    pub matches: u64,
    /// Labelled non-matches.
    pub non_matches: u64,
    /// Whether u came from the labelled non-matches (otherwise from random pairs).
    pub u_from_labels: bool,
}

/// A candidate pair with its score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ScoredPair {
    /// First record (the smaller index).
    pub a: u32,
    /// Second record.
    pub b: u32,
    /// Match weight (log2 odds).
    pub weight: f64,
    /// Match probability.
    pub probability: f64,
}

/// What matching did, for reports.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MatchStats {
    /// Per blocking rule: pairs and new pairs.
    pub rules: Vec<RuleReport>,
    /// Blocks skipped for their size.
    pub skipped_blocks: Vec<SkippedBlock>,
    /// Candidate pairs compared.
    pub comparisons: u64,
    /// Random pairs sampled for u, over all comparisons.
    pub u_pairs: u64,
    /// EM sessions (training from labels: the estimates of the share of
    /// matches, for the prior and for conditional u).
    pub sessions: Vec<EmSession>,
    /// Training from labels: how many of each, and where u came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub labels: Option<LabelReport>,
    /// Pairs at or above the threshold.
    pub links: u64,
    /// Time spent blocking (the candidate pairs of every rule, each once).
    #[serde(serialize_with = "crate::secs::serialize")]
    pub blocking_time: Duration,
    /// Time spent comparing the candidate pairs (the comparison level of
    /// every comparison for every pair).
    #[serde(serialize_with = "crate::secs::serialize")]
    pub comparing_time: Duration,
    /// Time spent training (u sampling and EM).
    #[serde(serialize_with = "crate::secs::serialize")]
    pub training_time: Duration,
    /// Time spent scoring.
    #[serde(serialize_with = "crate::secs::serialize")]
    pub scoring_time: Duration,
}

/// The result of a matching run.
#[derive(Debug, Clone)]
pub struct MatchOutput {
    /// The trained model.
    pub model: Model,
    /// Candidate pairs at or above the threshold, in a fixed order (by `a`, then `b`).
    pub links: Vec<ScoredPair>,
    /// Counts and timings.
    pub stats: MatchStats,
}

/// One comparison's contribution to a pair's weight.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WaterfallStep {
    /// The comparison.
    pub comparison: String,
    /// The level reached.
    pub level: String,
    /// The level's weight (log2 m/u).
    pub weight: f64,
    /// The term-frequency adjustment, if any.
    pub tf_adjustment: f64,
}

/// Why a pair got its score: the prior and each comparison's step.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Waterfall {
    /// The prior's weight.
    pub prior_weight: f64,
    /// Per comparison.
    pub steps: Vec<WaterfallStep>,
    /// Total weight.
    pub weight: f64,
    /// Match probability.
    pub probability: f64,
}

/// Probabilistic matcher: blocking, training and scoring.
///
/// ```
/// use omnid::matching::{Matcher, MatchingConfig};
/// use omnid::matching::features::{Columns, Field};
///
/// let config: MatchingConfig = serde_json::from_str(r#"{
///     "blocking": ["family_name", "birth_date"],
///     "comparisons": [
///         {"field": "given_name", "levels": [{"exact": {"tf": true}}, {"jaro_winkler": {"min": 0.9}}]},
///         {"field": "family_name", "levels": [{"exact": {"tf": true}}, {"jaro_winkler": {"min": 0.9}}]},
///         {"field": "birth_date", "levels": [{"exact": {"tf": false}}, {"damerau": {"max": 1}}]}
///     ]
/// }"#)?;
/// let people = [
///     ["ana", "garcia", "1980-01-02"], ["ana", "garcia", "1980-01-02"],
///     ["anna", "garcia", "1980-01-02"], ["luis", "perez", "1975-05-05"],
///     ["luis", "peres", "1975-05-05"], ["eva", "ruiz", "1990-09-09"],
/// ];
/// let matcher = Matcher::new(config)?;
/// let fields = matcher.fields();
/// let cols = Columns::build(people.len(), &fields, |r, f, out| {
///     let i = [Field::GivenName, Field::FamilyName, Field::BirthDate].iter().position(|x| x == f);
///     if let Some(i) = i { out.push(people[r][i].into()) }
/// });
/// let out = matcher.run(&cols, &[0; 6])?;
/// assert!(out.links.iter().any(|p| (p.a, p.b) == (0, 1)));
/// assert!(!out.links.iter().any(|p| p.b == 5));
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct Matcher {
    config: MatchingConfig,
    sessions: Vec<usize>,
    /// Per comparison with `conditional_on`: the session rule that measures
    /// it and the comparisons that must agree exactly.
    conditional: Vec<Option<(usize, Vec<usize>)>>,
}

impl Matcher {
    /// Checks the configuration.
    pub fn new(config: MatchingConfig) -> Result<Matcher, MatchConfigError> {
        if config.blocking.len() > 32 {
            return Err(MatchConfigError::TooMany(format!(
                "{} blocking rules; at most 32",
                config.blocking.len()
            )));
        }
        if config.comparisons.len() > MAX_COMPARISONS {
            return Err(MatchConfigError::TooMany(format!(
                "{} comparisons; at most {MAX_COMPARISONS}",
                config.comparisons.len()
            )));
        }
        if !(0.0..=1.0).contains(&config.threshold) {
            return Err(MatchConfigError::Threshold(config.threshold.to_string()));
        }
        let sessions: Vec<usize> = if config.training.sessions.is_empty() {
            (0..config.blocking.len()).collect()
        } else {
            config
                .training
                .sessions
                .iter()
                .map(|s| {
                    config
                        .blocking
                        .iter()
                        .position(|r| r == s)
                        .ok_or_else(|| MatchConfigError::UnknownSession(s.to_string()))
                })
                .collect::<Result<_, _>>()?
        };
        let conditional = config
            .comparisons
            .iter()
            .map(|c| conditional_rule(&config, &sessions, c))
            .collect::<Result<_, _>>()?;
        Ok(Matcher {
            config,
            sessions,
            conditional,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &MatchingConfig {
        &self.config
    }

    /// Every field that blocking and comparisons read, sorted: build the
    /// [`Columns`] with these.
    pub fn fields(&self) -> Vec<Field> {
        let mut v: Vec<Field> = self
            .config
            .blocking
            .iter()
            .flat_map(|r| r.fields().cloned().collect::<Vec<_>>())
            .chain(self.config.comparisons.iter().flat_map(|c| c.fields()))
            .collect();
        v.sort();
        v.dedup();
        v
    }

    fn candidates(
        &self,
        cols: &Columns,
        datasets: &[u16],
        dry_run: bool,
    ) -> Result<Candidates, MatchConfigError> {
        let filter = PairFilter {
            datasets,
            link_only: self.config.mode == LinkMode::LinkOnly,
        };
        Ok(blocking::candidates(
            cols,
            &self.config.blocking,
            BlockSizes {
                max: self.config.max_block_size,
                window_above: self.config.sorted_window_above,
                window: self.config.sorted_window,
            },
            filter,
            dry_run,
        )?)
    }

    /// Counts the pairs each rule would create, without generating them.
    pub fn dry_run(
        &self,
        cols: &Columns,
        datasets: &[u16],
    ) -> Result<Vec<RuleReport>, MatchConfigError> {
        Ok(self.candidates(cols, datasets, true)?.report)
    }

    /// The candidate pairs the blocking rules generate, each once, with the
    /// rules that yield each pair and the per-rule counts: what [`Matcher::run`]
    /// compares (for measuring blocking recall, or for picking pairs to label).
    pub fn candidate_pairs(
        &self,
        cols: &Columns,
        datasets: &[u16],
    ) -> Result<Candidates, MatchConfigError> {
        self.candidates(cols, datasets, false)
    }

    /// Blocks, trains a model without labels, and scores the candidate pairs.
    ///
    /// `datasets[r]` tells which input dataset record `r` came from (used in
    /// link-only mode; pass zeros otherwise).
    pub fn run(&self, cols: &Columns, datasets: &[u16]) -> Result<MatchOutput, MatchConfigError> {
        self.run_trained(cols, datasets, None)
    }

    /// Blocks, trains a model from labelled pairs, and scores the candidate
    /// pairs: the same model and output as [`Matcher::run`], with m and u
    /// counted instead of estimated by EM.
    ///
    /// m of each comparison level is the share of the labelled matches at
    /// that level, with half a pair added to every level so that a level
    /// never seen keeps a finite weight. u is the same share among the
    /// labelled non-matches, or comes from random pairs as in unsupervised
    /// training (see [`TrainingConfig::u_from`]). Term-frequency
    /// adjustments are unchanged. Unless [`TrainingConfig::prior`] fixes it,
    /// the prior is the share of matches among the candidate pairs (EM with
    /// m and u fixed) over all possible pairs.
    ///
    /// ```
    /// use omnid::matching::{LabelledPair, Matcher, MatchingConfig};
    /// use omnid::matching::features::{Columns, Field};
    ///
    /// let config: MatchingConfig = serde_json::from_str(r#"{
    ///     "blocking": ["family_name"],
    ///     "comparisons": [
    ///         {"field": "given_name", "levels": [{"exact": {"tf": false}}, {"jaro_winkler": {"min": 0.9}}]},
    ///         {"field": "birth_date", "levels": [{"exact": {"tf": false}}]}
    ///     ],
    ///     "training": {"u_from": "labels"}
    /// }"#)?;
    /// let people = [
    ///     ["ana", "garcia", "1980-01-02"], ["ana", "garcia", "1980-01-02"],
    ///     ["anna", "garcia", "1980-01-02"], ["luis", "garcia", "1975-05-05"],
    ///     ["eva", "garcia", "1990-09-09"], ["eva", "ruiz", "1990-09-09"],
    /// ];
    /// let matcher = Matcher::new(config)?;
    /// let fields = [Field::GivenName, Field::FamilyName, Field::BirthDate];
    /// let cols = Columns::build(people.len(), &fields, |r, f, out| {
    ///     if let Some(i) = fields.iter().position(|x| x == f) { out.push(people[r][i].into()) }
    /// });
    /// let label = |a, b, is_match| LabelledPair { a, b, is_match };
    /// let labels = [label(0, 1, true), label(1, 2, true), label(0, 3, false), label(3, 4, false)];
    /// let out = matcher.run_with_labels(&cols, &[0; 6], &labels)?;
    /// assert!(out.links.iter().any(|p| (p.a, p.b) == (0, 2)));
    /// assert!(!out.links.iter().any(|p| p.b == 3 || p.b == 4));
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn run_with_labels(
        &self,
        cols: &Columns,
        datasets: &[u16],
        labels: &[LabelledPair],
    ) -> Result<MatchOutput, MatchConfigError> {
        check_labels(labels, cols.len())?;
        self.run_trained(cols, datasets, Some(labels))
    }

    fn run_trained(
        &self,
        cols: &Columns,
        datasets: &[u16],
        labels: Option<&[LabelledPair]>,
    ) -> Result<MatchOutput, MatchConfigError> {
        let t0 = std::time::Instant::now();
        let cands = self.candidates(cols, datasets, false)?;
        let blocking_time = t0.elapsed();
        let t0 = std::time::Instant::now();
        let compiled = self.compile(cols)?;
        let patterns = patterns(&compiled, cols, &cands.pairs);
        let comparing_time = t0.elapsed();

        let t1 = std::time::Instant::now();
        let (model, u_pairs, sessions, label_report) = match labels {
            None => {
                let (model, u_pairs, sessions) =
                    self.train(cols, datasets, &compiled, &cands, &patterns);
                (model, u_pairs, sessions, None)
            }
            Some(labels) => {
                let (model, u_pairs, sessions, report) =
                    self.train_from_labels(cols, datasets, &compiled, &cands, &patterns, labels)?;
                (model, u_pairs, sessions, Some(report))
            }
        };
        let training_time = t1.elapsed();

        let t2 = std::time::Instant::now();
        let scorer = Scorer::new(&model, &self.config.comparisons, cols);
        let threshold = self.config.threshold;
        let links: Vec<ScoredPair> = cands
            .pairs
            .par_chunks(PAIR_CHUNK)
            .zip(patterns.par_chunks(PAIR_CHUNK))
            .flat_map_iter(|(pairs, patterns)| {
                pairs
                    .chunks(LOAD_GROUP)
                    .zip(patterns.chunks(LOAD_GROUP))
                    .flat_map(|(group, pats)| {
                        if scorer.reads_rows() {
                            std::hint::black_box(preload_rows(cols, group));
                        }
                        group.iter().zip(pats).filter_map(|(&(a, b), &pat)| {
                            let weight = scorer.weight(pat, a, b);
                            let probability = model::probability(weight);
                            (probability >= threshold).then_some(ScoredPair {
                                a,
                                b,
                                weight,
                                probability,
                            })
                        })
                    })
            })
            .collect();
        let mut links = links;
        links.sort_by_key(|p| (p.a, p.b));
        let scoring_time = t2.elapsed();

        let stats = MatchStats {
            rules: cands.report.clone(),
            skipped_blocks: cands.skipped.clone(),
            comparisons: cands.pairs.len() as u64,
            u_pairs,
            sessions,
            labels: label_report,
            links: links.len() as u64,
            blocking_time,
            comparing_time,
            training_time,
            scoring_time,
        };
        Ok(MatchOutput {
            model,
            links,
            stats,
        })
    }

    fn compile<'a>(&self, cols: &'a Columns) -> Result<Vec<Compiled<'a>>, MatchConfigError> {
        Ok(self
            .config
            .comparisons
            .iter()
            .map(|c| Compiled::new(c, cols))
            .collect::<Result<_, _>>()?)
    }

    /// Scores every candidate pair with a given model (for evaluation: all
    /// pairs, whatever their probability).
    pub fn score_all(
        &self,
        model: &Model,
        cols: &Columns,
        datasets: &[u16],
    ) -> Result<Vec<ScoredPair>, MatchConfigError> {
        let cands = self.candidates(cols, datasets, false)?;
        self.score_pairs(model, cols, &cands.pairs)
    }

    /// Scores the given pairs of records with a model, whatever their
    /// probability, in the order given (each pair's `a` is its smaller record).
    pub fn score_pairs(
        &self,
        model: &Model,
        cols: &Columns,
        pairs: &[(u32, u32)],
    ) -> Result<Vec<ScoredPair>, MatchConfigError> {
        if let Some(&(a, b)) = pairs
            .iter()
            .find(|&&(a, b)| a.max(b) as usize >= cols.len())
        {
            return Err(MatchConfigError::RecordOutOfRange {
                record: a.max(b),
                records: cols.len(),
            });
        }
        let compiled = self.compile(cols)?;
        let scorer = Scorer::new(model, &self.config.comparisons, cols);
        Ok(pairs
            .par_iter()
            .map(|&(a, b)| {
                let (a, b) = (a.min(b), a.max(b));
                let weight = scorer.weight(pattern(&compiled, cols, a, b), a, b);
                ScoredPair {
                    a,
                    b,
                    weight,
                    probability: model::probability(weight),
                }
            })
            .collect())
    }

    /// Each comparison's contribution to the score of records `a` and `b`.
    pub fn waterfall(
        &self,
        model: &Model,
        cols: &Columns,
        a: u32,
        b: u32,
    ) -> Result<Waterfall, MatchConfigError> {
        let compiled = self.compile(cols)?;
        let scorer = Scorer::new(model, &self.config.comparisons, cols);
        let pat = pattern(&compiled, cols, a, b);
        let mut steps = Vec::new();
        let mut weight = model.prior_weight();
        for (c, cm) in model.comparisons.iter().enumerate() {
            let l = level_of(pat, c);
            let (w, tf) = scorer.level_weight(c, l, pat, a, b);
            weight += w + tf;
            steps.push(WaterfallStep {
                comparison: cm.name.clone(),
                level: cm.levels[l].label.clone(),
                weight: w,
                tf_adjustment: tf,
            });
        }
        Ok(Waterfall {
            prior_weight: model.prior_weight(),
            steps,
            weight,
            probability: model::probability(weight),
        })
    }

    /// Trains: u from random pairs, m by EM sessions over the candidate pairs
    /// (each session leaves out the comparisons that read its rule's fields),
    /// and the prior from the expected number of matches.
    fn train(
        &self,
        cols: &Columns,
        datasets: &[u16],
        compiled: &[Compiled<'_>],
        cands: &Candidates,
        patterns: &[u64],
    ) -> (Model, u64, Vec<EmSession>) {
        let tc = &self.config.training;
        let comps = &self.config.comparisons;
        let mut model = Model::initial(comps, 1e-4);
        let (u, u_pairs) = self.estimate_u(cols, datasets, compiled);
        for (c, cm) in model.comparisons.iter_mut().enumerate() {
            for (l, level) in cm.levels.iter_mut().enumerate().skip(1) {
                level.u = u[c][l];
            }
            cm.u_exact =
                exact_agreement(cols, comps, c).unwrap_or(u[c].get(1).copied().unwrap_or(0.0));
        }
        let u_table: Vec<Vec<f64>> = model
            .comparisons
            .iter()
            .map(|c| c.levels.iter().map(|l| l.u).collect())
            .collect();
        let m0: Vec<Vec<f64>> = model
            .comparisons
            .iter()
            .map(|c| c.levels.iter().map(|l| l.m).collect())
            .collect();

        // Sums of m estimates per comparison, averaged over the sessions that estimated it.
        let mut m_sum: Vec<Vec<f64>> = m0.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut m_n = vec![0u32; comps.len()];
        let mut sessions = Vec::new();
        let mut session_models = Vec::new();
        let run_session = |mask: Option<u32>, fixed_fields: &[&Field], label: String| {
            let active: Vec<bool> = comps
                .iter()
                .map(|c| !c.fields().iter().any(|f| fixed_fields.contains(&f)))
                .collect();
            let (counts, pairs) = pattern_counts(patterns, &cands.rules, mask);
            let (m, share, iterations, converged) = model::em(
                &counts,
                &active,
                &m0,
                &u_table,
                0.1,
                tc.max_iterations,
                tc.tolerance,
            );
            let fixed = comps
                .iter()
                .zip(&active)
                .filter(|(_, a)| !**a)
                .map(|(c, _)| c.label())
                .collect();
            (
                EmSession {
                    rule: label,
                    pairs,
                    patterns: counts.len() as u64,
                    iterations,
                    converged,
                    match_share: share,
                    fixed,
                },
                active,
                m,
                share,
            )
        };
        for &ri in &self.sessions {
            let rule = &self.config.blocking[ri];
            let fields: Vec<&Field> = rule.fields().collect();
            let (s, active, m, share) = run_session(Some(1 << ri), &fields, rule.to_string());
            if s.pairs == 0 {
                sessions.push(s);
                continue;
            }
            for (c, on) in active.iter().enumerate() {
                if *on {
                    m_n[c] += 1;
                    for (l, v) in m[c].iter().enumerate() {
                        m_sum[c][l] += v;
                    }
                }
            }
            session_models.push((ri, active, m, share));
            sessions.push(s);
        }
        // A comparison that every session left out is estimated over all pairs.
        if m_n.contains(&0) && !cands.pairs.is_empty() {
            let (s, active, m, _) = run_session(None, &[], "all candidate pairs".into());
            for (c, on) in active.iter().enumerate() {
                if *on && m_n[c] == 0 {
                    m_n[c] = 1;
                    m_sum[c] = m[c].clone();
                }
            }
            sessions.push(s);
        }
        for (c, cm) in model.comparisons.iter_mut().enumerate() {
            if m_n[c] == 0 {
                continue;
            }
            for (l, level) in cm.levels.iter_mut().enumerate().skip(1) {
                level.m = m_sum[c][l] / f64::from(m_n[c]);
            }
        }

        for (c, cond) in self.conditional.iter().enumerate() {
            let Some((ri, given)) = cond else { continue };
            let Some((_, active, m, share)) = session_models.iter().find(|s| s.0 == *ri) else {
                continue;
            };
            model.comparisons[c].conditional = Some(conditional_u(
                patterns,
                &cands.rules,
                *ri,
                c,
                active,
                m,
                *share,
                &u_table,
                given.iter().map(|&g| comps[g].label()).collect(),
            ));
        }

        // Prior: expected matches among candidates, each pair judged by the
        // session of the first rule that yields it, over all possible pairs.
        model.prior = match tc.prior {
            Some(p) => p,
            None => {
                let expected_of = |pat: u64, mask: u32| {
                    let first = mask.trailing_zeros() as usize;
                    let Some((_, active, m, share)) = session_models.iter().find(|s| s.0 == first)
                    else {
                        return 0.0;
                    };
                    let (mut pm, mut pu) = (*share, 1.0 - share);
                    for (c, on) in active.iter().enumerate() {
                        let l = level_of(pat, c);
                        if *on && l != 0 {
                            pm *= m[c][l];
                            pu *= u_table[c][l];
                        }
                    }
                    if pm + pu > 0.0 { pm / (pm + pu) } else { 0.0 }
                };
                // Fixed chunks summed in order: a float sum that does not
                // depend on how rayon splits the work.
                let expected: f64 = patterns
                    .par_chunks(SUM_CHUNK)
                    .zip(cands.rules.par_chunks(SUM_CHUNK))
                    .map(|(ps, rs)| {
                        ps.iter()
                            .zip(rs)
                            .map(|(&p, &r)| expected_of(p, r))
                            .sum::<f64>()
                    })
                    .collect::<Vec<f64>>()
                    .iter()
                    .sum();
                let total = total_pairs(datasets, self.config.mode);
                if total > 0.0 {
                    (expected / total).clamp(1e-12, 0.5)
                } else {
                    1e-4
                }
            }
        };
        (model, u_pairs, sessions)
    }

    /// Trains from labelled pairs (see [`Matcher::run_with_labels`]): m and u
    /// counted, the share of matches estimated with them fixed.
    fn train_from_labels(
        &self,
        cols: &Columns,
        datasets: &[u16],
        compiled: &[Compiled<'_>],
        cands: &Candidates,
        patterns: &[u64],
        labels: &[LabelledPair],
    ) -> Result<(Model, u64, Vec<EmSession>, LabelReport), LabelError> {
        let tc = &self.config.training;
        let comps = &self.config.comparisons;
        let empty: Vec<Vec<u64>> = comps.iter().map(|c| vec![0; c.level_count()]).collect();
        let (mut m_counts, mut u_counts) = (empty.clone(), empty);
        for p in labels {
            let pat = pattern(compiled, cols, p.a, p.b);
            let counts = if p.is_match {
                &mut m_counts
            } else {
                &mut u_counts
            };
            for (c, levels) in counts.iter_mut().enumerate() {
                if let Some(k) = levels.get_mut(level_of(pat, c)) {
                    *k += 1;
                }
            }
        }
        let matches = labels.iter().filter(|p| p.is_match).count() as u64;
        let non_matches = labels.len() as u64 - matches;
        if matches == 0 {
            return Err(LabelError::NoMatches);
        }
        let u_from_labels = match tc.u_from {
            UFrom::Labels if non_matches == 0 => return Err(LabelError::NoNonMatches),
            UFrom::Labels => true,
            UFrom::RandomPairs => false,
            UFrom::Auto => non_matches > 0 && non_matches >= tc.min_labelled_non_matches,
        };

        let mut model = Model::initial(comps, 1e-4);
        let mut sampled: Option<Vec<Vec<f64>>> = None;
        let mut u_pairs = 0;
        for (c, cm) in model.comparisons.iter_mut().enumerate() {
            // A comparison no labelled match has a value for keeps the neutral m.
            if let Some(m) = model::smoothed_shares(&m_counts[c]) {
                cm.levels.iter_mut().zip(&m).for_each(|(l, &m)| l.m = m);
            }
            let from_labels = u_from_labels
                .then(|| model::smoothed_shares(&u_counts[c]))
                .flatten();
            let u = match from_labels {
                Some(u) => u,
                None => sampled
                    .get_or_insert_with(|| {
                        let (u, n) = self.estimate_u(cols, datasets, compiled);
                        u_pairs = n;
                        u
                    })
                    .get(c)
                    .cloned()
                    .unwrap_or_default(),
            };
            cm.levels.iter_mut().zip(&u).for_each(|(l, &u)| l.u = u);
            cm.u_exact =
                exact_agreement(cols, comps, c).unwrap_or(u.get(1).copied().unwrap_or(0.0));
        }
        let table = |f: fn(&model::LevelModel) -> f64| -> Vec<Vec<f64>> {
            model
                .comparisons
                .iter()
                .map(|c| c.levels.iter().map(f).collect())
                .collect()
        };
        let (m_table, u_table) = (table(|l| l.m), table(|l| l.u));

        let mut sessions = Vec::new();
        let mut share_of = |mask: Option<u32>, active: &[bool], rule: String| {
            let (counts, pairs) = pattern_counts(patterns, &cands.rules, mask);
            let (share, iterations, converged) = model::em_share(
                &counts,
                active,
                &m_table,
                &u_table,
                0.1,
                tc.max_iterations,
                tc.tolerance,
            );
            sessions.push(EmSession {
                rule,
                pairs,
                patterns: counts.len() as u64,
                iterations,
                converged,
                match_share: share,
                fixed: comps
                    .iter()
                    .zip(active)
                    .filter(|(_, a)| !**a)
                    .map(|(c, _)| c.label())
                    .collect(),
            });
            (share, pairs)
        };

        let mut conditional = Vec::new();
        for (c, cond) in self.conditional.iter().enumerate() {
            let Some((ri, given)) = cond else { continue };
            let rule = &self.config.blocking[*ri];
            // Pairs of this rule agree on its fields: those comparisons say
            // nothing among them, as in the rule's EM session.
            let fields: Vec<&Field> = rule.fields().collect();
            let active: Vec<bool> = comps
                .iter()
                .map(|k| !k.fields().iter().any(|f| fields.contains(&f)))
                .collect();
            let (share, _) = share_of(Some(1 << ri), &active, rule.to_string());
            conditional.push((
                c,
                conditional_u(
                    patterns,
                    &cands.rules,
                    *ri,
                    c,
                    &active,
                    &m_table,
                    share,
                    &u_table,
                    given.iter().map(|&g| comps[g].label()).collect(),
                ),
            ));
        }
        for (c, cu) in conditional {
            model.comparisons[c].conditional = Some(cu);
        }

        model.prior = match tc.prior {
            Some(p) => p,
            None => {
                let all = vec![true; comps.len()];
                let (share, pairs) = share_of(None, &all, "all candidate pairs".into());
                let total = total_pairs(datasets, self.config.mode);
                if total > 0.0 {
                    (share * pairs as f64 / total).clamp(1e-12, 0.5)
                } else {
                    1e-4
                }
            }
        };
        let report = LabelReport {
            matches,
            non_matches,
            u_from_labels,
        };
        Ok((model, u_pairs, sessions, report))
    }

    /// Draws random record pairs (about `want` with every field of `dense`
    /// on both sides, `least` being the fewest records holding one of them)
    /// and counts each dense comparison's levels on the pairs where both
    /// records have its field.
    fn sample_u_shared(
        &self,
        cols: &Columns,
        datasets: &[u16],
        compiled: &[Compiled<'_>],
        dense: &[usize],
        want: u64,
        least: u64,
    ) -> Vec<Vec<u64>> {
        let levels: Vec<usize> = dense
            .iter()
            .map(|&c| self.config.comparisons[c].level_count())
            .collect();
        let zero = || levels.iter().map(|&l| vec![0u64; l]).collect::<Vec<_>>();
        let n = cols.len() as u64;
        if dense.is_empty() || n < 2 {
            return zero();
        }
        let link_only = self.config.mode == LinkMode::LinkOnly;
        let possible = n * (n - 1) / 2;
        // A pair has the sparsest dense field on both sides with probability
        // (least / n)^2, at least 1/4: draw more pairs to make up for it.
        let scale = (n as f64 / least.max(1) as f64).powi(2).min(4.0);
        let draws = ((want as f64 * scale) as u64).min(possible);
        let seed = self.config.training.seed;
        (0..draws.div_ceil(U_CHUNK))
            .into_par_iter()
            .map(|ci| {
                let mut rng = SplitMix64::new(seed ^ ci.wrapping_mul(0x9E37_79B9_7F4A_7C15));
                let mut cnt = zero();
                let todo = U_CHUNK.min(draws - ci * U_CHUNK);
                let (mut done, mut tries) = (0, 0);
                // Pairs are compared a group at a time, their records read
                // from memory first (see `preload`).
                let mut group = Vec::with_capacity(LOAD_GROUP);
                let mut count = |group: &mut Vec<(u32, u32)>| {
                    // Only the comparisons this sample counts.
                    preload(dense.iter().map(|&c| &compiled[c]), cols, group);
                    for &(a, b) in group.iter() {
                        let (ra, rb) = (cols.row(a), cols.row(b));
                        for (counts, &c) in cnt.iter_mut().zip(dense) {
                            let level = compiled[c].level_rows(a, b, ra, rb).0 as usize;
                            if level > 0 {
                                counts[level] += 1;
                            }
                        }
                    }
                    group.clear();
                };
                while done < todo && tries < todo * 20 {
                    tries += 1;
                    let a = rng.below(n) as u32;
                    let b = rng.below(n) as u32;
                    if a == b || (link_only && datasets[a as usize] == datasets[b as usize]) {
                        continue;
                    }
                    done += 1;
                    group.push((a, b));
                    if group.len() == LOAD_GROUP {
                        count(&mut group);
                    }
                }
                count(&mut group);
                cnt
            })
            .reduce(zero, |mut x, y| {
                for (p, q) in x.iter_mut().zip(y) {
                    p.iter_mut().zip(q).for_each(|(p, q)| *p += q);
                }
                x
            })
    }

    /// Counts comparison `c`'s levels on about `want` random pairs of the
    /// records that have its field.
    fn sample_u_one(
        &self,
        cols: &Columns,
        datasets: &[u16],
        c: usize,
        k: &Compiled<'_>,
        levels: usize,
        want: u64,
    ) -> Vec<u64> {
        let link_only = self.config.mode == LinkMode::LinkOnly;
        let seed = self.config.training.seed;
        let col = cols
            .index_of(&self.config.comparisons[c].field)
            .map(|i| cols.column(i));
        let present: Vec<u32> = match col {
            Some(col) => (0..cols.len() as u32)
                .filter(|&r| !col.of(r).is_empty())
                .collect(),
            None => Vec::new(),
        };
        let n = present.len() as u64;
        let possible = n * n.saturating_sub(1) / 2;
        let draws = want.min(possible);
        (0..draws.div_ceil(U_CHUNK))
            .into_par_iter()
            .map(|ci| {
                let mut rng = SplitMix64::new(
                    seed ^ (c as u64).wrapping_mul(0xA24B_AED4_963E_E407)
                        ^ ci.wrapping_mul(0x9E37_79B9_7F4A_7C15),
                );
                let mut cnt = vec![0u64; levels];
                let todo = U_CHUNK.min(draws - ci * U_CHUNK);
                let (mut done, mut tries) = (0, 0);
                while done < todo && tries < todo * 20 {
                    tries += 1;
                    let a = present[rng.below(n) as usize];
                    let b = present[rng.below(n) as usize];
                    if a == b || (link_only && datasets[a as usize] == datasets[b as usize]) {
                        continue;
                    }
                    done += 1;
                    cnt[k.level_rows(a, b, cols.row(a), cols.row(b)).0 as usize] += 1;
                }
                cnt
            })
            .reduce(
                || vec![0u64; levels],
                |mut x, y| {
                    x.iter_mut().zip(y).for_each(|(p, q)| *p += q);
                    x
                },
            )
    }

    /// u per comparison and level: pairs of records that both have the
    /// field, drawn at random with a seed per chunk (so the result does not
    /// depend on the thread count). When the first level is exact, its u is
    /// computed exactly from the value counts and the sample only splits
    /// the rest.
    ///
    /// Comparisons whose field most records have share one sample of pairs
    /// (each pair's rows are read once for all of them, and random rows are
    /// cache misses); a comparison on a sparse field draws its own pairs
    /// among the records that have it.
    fn estimate_u(
        &self,
        cols: &Columns,
        datasets: &[u16],
        compiled: &[Compiled<'_>],
    ) -> (Vec<Vec<f64>>, u64) {
        let comps = &self.config.comparisons;
        let link_only = self.config.mode == LinkMode::LinkOnly;
        let want = self.config.training.u_sample_pairs;
        let records = cols.len() as u64;
        let present_count = |c: &Comparison| {
            cols.index_of(&c.field)
                .map_or(0, |i| u64::from(cols.column(i).non_null))
        };
        // Shared when at least half the records have the field: a random
        // pair then has it on both sides at least a quarter of the time.
        let dense: Vec<usize> = (0..comps.len())
            .filter(|&c| records > 1 && present_count(&comps[c]) * 2 >= records)
            .collect();
        let least = dense
            .iter()
            .map(|&c| present_count(&comps[c]))
            .min()
            .unwrap_or(records);
        let mut shared = self.sample_u_shared(cols, datasets, compiled, &dense, want, least);
        let mut total = 0;
        let mut u = Vec::with_capacity(comps.len());
        for (c, (cmp, k)) in comps.iter().zip(compiled).enumerate() {
            let levels = cmp.level_count();
            let exact = exact_agreement(cols, comps, c);
            let counts = match dense.iter().position(|&d| d == c) {
                Some(j) => std::mem::take(&mut shared[j]),
                None => self.sample_u_one(cols, datasets, c, k, levels, want),
            };
            let sampled: u64 = counts.iter().sum();
            total += sampled;
            let mut v = vec![1.0; levels];
            match exact {
                Some(ue) if !link_only => {
                    // The sample only splits the non-exact mass among the other levels.
                    let rest: u64 = counts.iter().skip(2).sum();
                    v[1] = ue;
                    for l in 2..levels {
                        v[l] = (1.0 - ue) * (counts[l] as f64).max(0.5) / (rest as f64).max(1.0);
                    }
                }
                _ => {
                    let non_null: u64 = counts.iter().skip(1).sum();
                    for l in 1..levels {
                        // Half a pair for levels never seen keeps weights finite.
                        v[l] = (counts[l] as f64).max(0.5) / (non_null as f64).max(1.0);
                    }
                }
            }
            u.push(v);
        }
        (u, total)
    }
}

/// Random pairs per parallel task when sampling u.
const U_CHUNK: u64 = 16_384;

/// Checks that every labelled pair names two different records of the columns.
fn check_labels(labels: &[LabelledPair], records: usize) -> Result<(), LabelError> {
    for (index, p) in labels.iter().enumerate() {
        if let Some(record) = [p.a, p.b].into_iter().find(|&r| r as usize >= records) {
            return Err(LabelError::OutOfRange {
                index,
                record,
                records,
            });
        }
        if p.a == p.b {
            return Err(LabelError::SameRecord { index, record: p.a });
        }
    }
    Ok(())
}

/// The distinct comparison vectors of the pairs that a rule in `mask` yields
/// (all pairs without a mask), with their counts, in vector order, and the
/// number of pairs.
///
/// Millions of pairs share a few hundred vectors: each task counts its
/// share of the pairs in a small hash map, the maps are added up, and only
/// the distinct vectors are sorted.
fn pattern_counts(patterns: &[u64], rules: &[u32], mask: Option<u32>) -> (Vec<(u64, u64)>, u64) {
    let (counts, pairs) = patterns
        .par_chunks(PATTERN_CHUNK)
        .zip(rules.par_chunks(PATTERN_CHUNK))
        .map(|(patterns, rules)| {
            let mut counts = FxHashMap::<u64, u64>::default();
            let mut pairs = 0;
            for (&p, &r) in patterns.iter().zip(rules) {
                if mask.is_none_or(|m| r & m != 0) {
                    *counts.entry(p).or_default() += 1;
                    pairs += 1;
                }
            }
            (counts, pairs)
        })
        .reduce(
            || (FxHashMap::default(), 0),
            |(mut a, pairs_a), (b, pairs_b)| {
                for (p, n) in b {
                    *a.entry(p).or_default() += n;
                }
                (a, pairs_a + pairs_b)
            },
        );
    let mut counts: Vec<(u64, u64)> = counts.into_iter().collect();
    counts.sort_unstable();
    (counts, pairs)
}

/// Pairs per task when counting comparison vectors.
const PATTERN_CHUNK: usize = 1 << 16;

/// P(two random records with a value agree exactly), from the value counts,
/// for comparisons whose first level is exact on the compared field.
fn exact_agreement(cols: &Columns, comps: &[Comparison], c: usize) -> Option<f64> {
    let cmp = &comps[c];
    if !matches!(
        cmp.levels.first(),
        Some(super::comparison::Level::Exact { .. })
    ) {
        return None;
    }
    let col = cols.column(cols.index_of(&cmp.field)?);
    let nn = f64::from(col.non_null);
    if nn < 2.0 {
        return None;
    }
    let same: f64 = (0..col.values.len() as u32)
        .map(|v| {
            let k = f64::from(col.values.count(v));
            k * (k - 1.0)
        })
        .sum();
    Some((same / (nn * (nn - 1.0))).max(1.0 / (nn * nn)))
}

fn total_pairs(datasets: &[u16], mode: LinkMode) -> f64 {
    let n = datasets.len() as f64;
    let all = n * (n - 1.0) / 2.0;
    if mode != LinkMode::LinkOnly {
        return all;
    }
    let mut sizes = std::collections::BTreeMap::<u16, f64>::new();
    for d in datasets {
        *sizes.entry(*d).or_default() += 1.0;
    }
    let within: f64 = sizes.values().map(|k| k * (k - 1.0) / 2.0).sum();
    all - within
}

/// Pairs per parallel task when comparing or scoring candidate pairs.
const PAIR_CHUNK: usize = 1 << 13;

/// Pairs whose records are read from memory together before any of them is
/// compared. The candidate pairs come in order of their first record, so
/// the second records are random rows: loaded one pair at a time, each load
/// waits for memory in turn; loaded for a group first, the waits overlap.
const LOAD_GROUP: usize = 16;

/// Reads the rows of both records of every pair in `group` (their first and
/// last words: a row may span two cache lines), with no load waiting for
/// another.
#[inline]
fn preload_rows(cols: &Columns, group: &[(u32, u32)]) -> u32 {
    let ends = |r: &[u32]| r.first().copied().unwrap_or(0) ^ r.last().copied().unwrap_or(0);
    group.iter().fold(0, |acc, &(a, b)| {
        acc ^ ends(cols.row(a)) ^ ends(cols.row(b))
    })
}

/// Reads what comparing the pairs of `group` with `compiled` will read,
/// with no load waiting for another: first the rows of their records, then
/// the values the string levels compare.
#[inline]
fn preload<'c, 'a: 'c>(
    compiled: impl Iterator<Item = &'c Compiled<'a>> + Clone,
    cols: &Columns,
    group: &[(u32, u32)],
) {
    let mut sink = preload_rows(cols, group);
    for &(a, b) in group {
        let (ra, rb) = (cols.row(a), cols.row(b));
        for k in compiled.clone() {
            sink ^= u32::from(k.preload(ra, rb));
        }
    }
    std::hint::black_box(sink);
}

/// The comparison pattern of every pair, in order, in parallel. Each group
/// of [`LOAD_GROUP`] pairs is read twice: first its rows, then the values
/// the string levels will compare, and only then compared.
fn patterns(compiled: &[Compiled<'_>], cols: &Columns, pairs: &[(u32, u32)]) -> Vec<u64> {
    let mut out = vec![0u64; pairs.len()];
    out.par_chunks_mut(PAIR_CHUNK)
        .zip(pairs.par_chunks(PAIR_CHUNK))
        .for_each(|(out, pairs)| {
            for (out, group) in out.chunks_mut(LOAD_GROUP).zip(pairs.chunks(LOAD_GROUP)) {
                preload(compiled.iter(), cols, group);
                for (o, &(a, b)) in out.iter_mut().zip(group) {
                    *o = pattern(compiled, cols, a, b);
                }
            }
        });
    out
}

#[inline]
fn pattern(compiled: &[Compiled<'_>], cols: &Columns, a: u32, b: u32) -> u64 {
    let (ra, rb) = (cols.row(a), cols.row(b));
    compiled.iter().enumerate().fold(0u64, |acc, (c, k)| {
        acc | (u64::from(k.level_rows(a, b, ra, rb).0) << (4 * c))
    })
}

/// Pairs per parallel chunk of a float sum.
const SUM_CHUNK: usize = 1 << 14;

/// u of comparison `c`'s levels among the non-matching pairs of rule `ri`'s
/// session, each pair weighted by its posterior of not matching under the
/// session's model without `c`. One pseudo-pair drawn from the unconditional u keeps
/// every level above zero.
#[allow(clippy::too_many_arguments)]
fn conditional_u(
    patterns: &[u64],
    rules: &[u32],
    ri: usize,
    c: usize,
    active: &[bool],
    m: &[Vec<f64>],
    share: f64,
    u_table: &[Vec<f64>],
    given: Vec<String>,
) -> model::ConditionalU {
    let levels = u_table[c].len();
    let one = |pat: u64, num: &mut [f64], den: &mut f64| {
        let l = level_of(pat, c);
        if l == 0 {
            return;
        }
        let (mut pm, mut pu) = (share, 1.0 - share);
        // Judged without `c` itself: with it, every pair that agrees on `c`
        // would look like a match and u would be measured on the pairs that
        // disagree only.
        for (k, on) in active.iter().enumerate() {
            let lk = level_of(pat, k);
            if *on && lk != 0 && k != c {
                pm *= m[k][lk];
                pu *= u_table[k][lk];
            }
        }
        let not_match = if pm + pu > 0.0 { pu / (pm + pu) } else { 1.0 };
        num[l] += not_match;
        *den += not_match;
    };
    // Fixed chunks combined in order, for sums that do not depend on threads.
    let parts: Vec<(Vec<f64>, f64)> = patterns
        .par_chunks(SUM_CHUNK)
        .zip(rules.par_chunks(SUM_CHUNK))
        .map(|(ps, rs)| {
            let (mut num, mut den) = (vec![0.0f64; levels], 0.0f64);
            for (&pat, &r) in ps.iter().zip(rs) {
                if r & (1 << ri) != 0 {
                    one(pat, &mut num, &mut den);
                }
            }
            (num, den)
        })
        .collect();
    let (mut num, mut den) = (vec![0.0f64; levels], 0.0f64);
    for (n, d) in parts {
        num.iter_mut().zip(&n).for_each(|(x, y)| *x += y);
        den += d;
    }
    let u = (0..levels)
        .map(|l| {
            if l == 0 {
                1.0
            } else {
                (num[l] + u_table[c][l]) / (den + 1.0)
            }
        })
        .collect();
    model::ConditionalU { given, u }
}

/// The session rule measuring `c`'s `conditional_on` and the comparisons
/// that must agree exactly for it to apply.
fn conditional_rule(
    config: &MatchingConfig,
    sessions: &[usize],
    c: &Comparison,
) -> Result<Option<(usize, Vec<usize>)>, MatchConfigError> {
    if c.conditional_on.is_empty() {
        return Ok(None);
    }
    let err = |message: String| MatchConfigError::Conditional {
        comparison: c.label(),
        message,
    };
    let mut want: Vec<&Field> = c.conditional_on.iter().collect();
    want.sort();
    want.dedup();
    let rule = sessions
        .iter()
        .copied()
        .find(|&ri| {
            let r = &config.blocking[ri];
            let mut have: Vec<&Field> = r.fields().collect();
            have.sort();
            have.dedup();
            have == want
                && r.keys.iter().all(|(k, other)| {
                    k.transform == super::blocking::Transform::Exact && k == other
                })
        })
        .ok_or_else(|| {
            err(
                "no training session blocks on exactly these fields; add a blocking rule such as \
                 `given_name & family_name`"
                    .into(),
            )
        })?;
    let given: Vec<usize> = want
        .iter()
        .map(|f| {
            config
                .comparisons
                .iter()
                .position(|o| {
                    &o.field == *f && matches!(o.levels.first(), Some(Level::Exact { .. }))
                })
                .ok_or_else(|| err(format!("no comparison on `{f}` whose first level is exact")))
        })
        .collect::<Result<_, _>>()?;
    if c.fields().iter().any(|f| want.contains(&f)) {
        return Err(err(
            "a comparison cannot be conditional on its own field".into()
        ));
    }
    Ok(Some((rule, given)))
}

/// The term-frequency adjustment of exact agreement on each value of one
/// column, computed once per value rather than once per pair.
struct TfTable {
    index: usize,
    weights: Vec<f64>,
}

impl TfTable {
    fn new(cols: &Columns, index: usize, u_exact: f64, min_u: f64) -> Self {
        let col = cols.column(index);
        let nn = f64::from(col.non_null.max(1));
        let weights = (0..col.values.len() as u32)
            .into_par_iter()
            .map(|v| {
                let p = (f64::from(col.values.count(v)) / nn)
                    .max(1.0 / nn)
                    .max(min_u);
                (u_exact / p).log2()
            })
            .collect();
        TfTable { index, weights }
    }
}

/// Scores pairs from their comparison vectors with a weight table.
struct Scorer<'a> {
    prior: f64,
    weights: Vec<Vec<f64>>,
    /// Per comparison with term-frequency adjustments on its exact level.
    tf: Vec<Option<TfTable>>,
    cols: &'a Columns,
    /// Per comparison with a conditional u: the comparisons that must agree
    /// exactly and the level weights that then apply.
    conditional: Vec<Option<(Vec<usize>, Vec<f64>)>>,
}

impl<'a> Scorer<'a> {
    fn new(model: &Model, comps: &[Comparison], cols: &'a Columns) -> Self {
        let tf = model
            .comparisons
            .iter()
            .zip(comps)
            .map(|(cm, c)| {
                let on = cm.levels.get(1).is_some_and(|l| l.tf) && cm.u_exact > 0.0;
                on.then(|| {
                    cols.index_of(&c.field)
                        .map(|i| TfTable::new(cols, i, cm.u_exact, c.tf_min_u.unwrap_or(0.0)))
                })
                .flatten()
            })
            .collect();
        let conditional = model
            .comparisons
            .iter()
            .map(|cm| {
                let cond = cm.conditional.as_ref()?;
                let given = cond
                    .given
                    .iter()
                    .map(|g| model.comparisons.iter().position(|o| &o.name == g))
                    .collect::<Option<Vec<usize>>>()?;
                let weights = cm
                    .levels
                    .iter()
                    .zip(&cond.u)
                    .enumerate()
                    .map(|(l, (lm, &u))| {
                        if l == 0 {
                            0.0
                        } else {
                            (lm.m.max(f64::MIN_POSITIVE) / u.max(f64::MIN_POSITIVE)).log2()
                        }
                    })
                    .collect();
                Some((given, weights))
            })
            .collect();
        Scorer {
            prior: model.prior_weight(),
            weights: model.weight_table(),
            tf,
            cols,
            conditional,
        }
    }

    #[inline]
    fn tf_adjustment(&self, c: usize, level: usize, a: u32, b: u32) -> f64 {
        if level != 1 {
            return 0.0;
        }
        let Some(tf) = &self.tf[c] else {
            return 0.0;
        };
        // One value each (the usual case): the row-major ids, already in cache.
        let va = self.cols.row(a).get(tf.index).copied().unwrap_or(NO_VALUE);
        let vb = self.cols.row(b).get(tf.index).copied().unwrap_or(NO_VALUE);
        let shared = if va < SEVERAL_VALUES && vb < SEVERAL_VALUES {
            (va == vb).then_some(va)
        } else {
            let col = self.cols.column(tf.index);
            let of_b = col.of(b);
            col.of(a).iter().find(|v| of_b.contains(v)).copied()
        };
        shared
            .and_then(|v| tf.weights.get(v as usize))
            .copied()
            .unwrap_or(0.0)
    }

    /// Comparison `c`'s weight at level `l` in pattern `pat`, and its
    /// term-frequency adjustment.
    #[inline]
    fn level_weight(&self, c: usize, l: usize, pat: u64, a: u32, b: u32) -> (f64, f64) {
        if l != 0
            && let Some((given, weights)) = &self.conditional[c]
            && given.iter().all(|&g| level_of(pat, g) == 1)
        {
            // Term frequencies are unconditional: they do not apply here.
            return (weights[l], 0.0);
        }
        (self.weights[c][l], self.tf_adjustment(c, l, a, b))
    }

    /// Scoring reads the records' rows (for term-frequency adjustments).
    fn reads_rows(&self) -> bool {
        self.tf.iter().any(Option::is_some)
    }

    #[inline]
    fn weight(&self, pat: u64, a: u32, b: u32) -> f64 {
        let mut w = self.prior;
        for c in 0..self.weights.len() {
            let (lw, tf) = self.level_weight(c, level_of(pat, c), pat, a, b);
            w += lw + tf;
        }
        w
    }
}

#[cfg(test)]
#[path = "matcher_tests.rs"]
mod tests;
