//! Normalization: every raw value becomes a canonical form, or a [`Rejection`]
//! with a reason.
//!
//! One module per kind of value. Every function here is pure and total: it
//! never panics, whatever the input, and normalizing a canonical value gives
//! it back unchanged (idempotence, checked by property tests).

use std::fmt;

use serde::{Deserialize, Serialize};

pub mod date;
pub mod device;
pub mod email;
pub mod handle;
pub mod junk;
pub mod name;
pub mod national_id;
pub mod phone;

/// Why a value was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RejectReason {
    /// Nothing but white space and punctuation.
    Empty,
    /// A stand-in for a missing value (`n/a`, `test@test.com`, `cliente`, `unknown`).
    Placeholder,
    /// A phone number the caller withheld (`anonymous`, `private`).
    Withheld,
    /// One character repeated (`0000000000`, `xxxxx`).
    RepeatedCharacter,
    /// An ascending or descending run (`123456789`, `987654`).
    Sequence,
    /// A run of keys on a keyboard row (`qwerty`, `asdfgh`).
    KeyboardRun,
    /// On the configured deny list.
    DenyListed,
    /// Not of the form the kind requires (an email without `@`, letters in a DNI).
    Syntax,
    /// Too few digits or characters for the kind.
    TooShort,
    /// Too many digits or characters for the kind.
    TooLong,
    /// Parsed, but not a valid number or code for its country or region.
    InvalidForRegion,
    /// A national phone number with no default region to read it in.
    MissingRegion,
    /// The check letter or check digit does not match.
    CheckDigit,
    /// A date that does not exist (`31/02/2020`) or lies outside the accepted range.
    ImpossibleDate,
    /// A date that could be read in more than one way under the configured policy.
    AmbiguousDate,
    /// Not a format this normalizer understands.
    UnsupportedFormat,
}

impl RejectReason {
    /// The snake-case name used in reject files.
    pub fn as_str(&self) -> &'static str {
        match self {
            RejectReason::Empty => "empty",
            RejectReason::Placeholder => "placeholder",
            RejectReason::Withheld => "withheld",
            RejectReason::RepeatedCharacter => "repeated_character",
            RejectReason::Sequence => "sequence",
            RejectReason::KeyboardRun => "keyboard_run",
            RejectReason::DenyListed => "deny_listed",
            RejectReason::Syntax => "syntax",
            RejectReason::TooShort => "too_short",
            RejectReason::TooLong => "too_long",
            RejectReason::InvalidForRegion => "invalid_for_region",
            RejectReason::MissingRegion => "missing_region",
            RejectReason::CheckDigit => "check_digit",
            RejectReason::ImpossibleDate => "impossible_date",
            RejectReason::AmbiguousDate => "ambiguous_date",
            RejectReason::UnsupportedFormat => "unsupported_format",
        }
    }
}

impl fmt::Display for RejectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A value that was not accepted, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rejection {
    /// The reason, as a code.
    pub reason: RejectReason,
    /// A short human explanation (`"check letter should be Z"`), if there is more to say.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

impl Rejection {
    /// A rejection with a reason and no detail.
    pub fn new(reason: RejectReason) -> Self {
        Rejection {
            reason,
            detail: None,
        }
    }

    /// Adds a human explanation.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

impl From<RejectReason> for Rejection {
    fn from(reason: RejectReason) -> Self {
        Rejection::new(reason)
    }
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.detail {
            Some(d) => write!(f, "{}: {}", self.reason, d),
            None => write!(f, "{}", self.reason),
        }
    }
}

impl std::error::Error for Rejection {}
