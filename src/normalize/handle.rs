//! Normalization of handle values (being written).
