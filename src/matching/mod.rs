//! Probabilistic linking: what shared identifiers cannot link.
//!
//! The flow is [`features`] (columns of interned values per field) ->
//! [`blocking`] (candidate pairs from the union of rules, each pair once) ->
//! [`comparison`] (a level per comparison per pair: a comparison vector) ->
//! [`model`] (Fellegi-Sunter: u from seeded random pairs, m by EM over
//! the candidate pairs' comparison-vector patterns, term-frequency
//! adjustments) -> scored pairs. [`Matcher`] runs them in order;
//! [`Matcher::run_with_labels`] counts m and u from labelled pairs instead.
//!
//! Training never walks tens of millions of pairs: EM runs over the distinct
//! comparison vectors of the candidate pairs with their counts (usually a few
//! thousand patterns), and u is estimated from a bounded random sample.

pub mod blocking;
pub mod comparison;
pub mod features;
pub mod kernels;
mod matcher;
pub mod model;
mod rng;

pub use matcher::{
    LabelError, LabelReport, LabelledPair, LinkMode, MatchConfigError, MatchOutput, MatchStats,
    Matcher, MatchingConfig, ScoredPair, TrainingConfig, UFrom, Waterfall, WaterfallStep,
};
