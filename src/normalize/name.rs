//! Normalization of name values (being written).
