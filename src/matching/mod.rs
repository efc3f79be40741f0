//! Probabilistic matching: comparing the fields of two records and scoring
//! how likely they are to describe the same person.
//!
//! [`kernels`] holds the string-similarity kernels (Jaro, Jaro-Winkler,
//! Levenshtein, optimal string alignment, token Jaccard) that comparison
//! levels call for every candidate pair, so they are the hottest code of the
//! matcher: bit-parallel, with no heap allocation per pair on name-length
//! inputs.

pub mod kernels;
