//! Normalization of phone values (being written).
