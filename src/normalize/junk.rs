//! Normalization of junk values (being written).
