//! Normalization of device values (being written).
