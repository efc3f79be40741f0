//! Normalization of email values (being written).
