//! # omnid
//!
//! Omnichannel customer identity resolution and customer-360.
//!
//! omnid takes records from every channel a company talks to its customers on
//! (calls, web chat, email, WhatsApp, social networks, apps, stores, CRM
//! exports), normalizes their identifiers, links the records that belong to
//! one person, and builds one profile per customer.
//!
//! The library is sans-I/O: it takes data in and gives data out, and never
//! opens a file or a socket, prints, or keeps global state. The `omnid`
//! command-line tool (the `omnid-cli` crate) does the reading and writing.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod cluster;
pub mod eval;
pub mod explain;
pub mod graph;
pub mod matching;
pub mod normalize;
pub mod prepare;
pub mod profile;
pub mod record;
pub mod resolve;
pub mod suggest;

/// Durations in reports are seconds as a float.
mod secs {
    use std::time::Duration;
    pub(crate) fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
}

pub use normalize::{RejectReason, Rejection};
pub use record::{
    Address, Attributes, Channel, Country, Identifier, IdentifierKind, Interaction,
    InteractionKind, Money, Network, Outcome, Record, RecordKey,
};
