//! Normalization of national id values (being written).
