//! Normalization of date values (being written).
