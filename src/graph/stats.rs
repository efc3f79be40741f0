//! What the identity graph did: profile sizes, generic values, links made
//! and refused.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::record::IdentifierKind;

/// Why a value was flagged generic and kept from linking.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum GenericReason {
    /// On the configured list of generic values.
    Listed,
    /// An e-mail address of a role mailbox (`info@`, `ventas@`).
    RoleAccount,
    /// Held by records whose names stand for more people than the kind
    /// allows (spellings of one person count once).
    TooManyNames {
        /// The kind's `max_names_per_value`.
        max: u32,
    },
    /// Held by more records than the kind allows.
    TooManyRecords {
        /// The kind's `max_records_per_value`.
        max: u32,
    },
}

impl fmt::Display for GenericReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenericReason::Listed => f.write_str("on the list of generic values"),
            GenericReason::RoleAccount => f.write_str("a role mailbox, not a person's"),
            GenericReason::TooManyNames { max } => {
                write!(f, "its records name more than {max} people")
            }
            GenericReason::TooManyRecords { max } => {
                write!(f, "held by more than {max} records")
            }
        }
    }
}

/// A value flagged generic (for a kind with a validity window: one tenure of it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct GenericValueReport {
    /// The value's kind.
    pub kind: IdentifierKind,
    /// The normalized value.
    pub value: String,
    /// How many records hold it.
    pub records: u32,
    /// How many distinct name keys those records carry.
    pub names: u32,
    /// Why it was flagged.
    #[serde(flatten)]
    pub reason: GenericReason,
}

/// The rule behind refused links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleName {
    /// Two different values of an exclusive kind.
    CannotLink,
    /// More distinct values of a kind than `max_per_profile`.
    MaxPerProfile,
}

/// How many links one rule refused for one kind.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RefusalCount {
    /// The kind whose rule refused.
    pub kind: IdentifierKind,
    /// The rule.
    pub rule: RuleName,
    /// How many links it refused.
    pub count: u64,
}

/// Statistics of a stitched graph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GraphStats {
    /// Records in the graph.
    pub records: u64,
    /// Profiles (clusters).
    pub profiles: u64,
    /// Distinct identifier values.
    pub identifier_values: u64,
    /// Profile size -> how many profiles have that many records.
    pub profile_sizes: BTreeMap<u32, u64>,
    /// Links that merged two profiles, by kind text (`probabilistic` for
    /// the matcher's).
    pub links_accepted: BTreeMap<String, u64>,
    /// Links refused, per kind and rule.
    pub links_refused: Vec<RefusalCount>,
    /// Values flagged generic, by kind and value.
    pub generic_values: Vec<GenericValueReport>,
    /// Record-value pairs of a kind with a validity window that could not
    /// link because the record has no observed time.
    pub untimed_skipped: u64,
    /// Pairs of values taken for duplicate accounts of one person (kinds
    /// with `merge_duplicates`).
    pub duplicate_pairs: u64,
}
