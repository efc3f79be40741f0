//! Cases that continue across channels.
//!
//! A profile's service contacts are taken in time order. A contact with an
//! explicit case reference joins the case with that reference; a contact
//! without one joins the case of the same kind whose last contact is at most
//! the window before it (so a chain of follow-ups, each within the window,
//! stays one case); otherwise it opens a new case. A referenced contact that
//! finds no case with its reference joins an unreferenced case of its kind
//! within the window, which then takes the reference: a claim made in the
//! web chat without a number and followed up by phone quoting one is one case.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::event_time;
use super::timeline::Step;
use crate::cluster::ProfileId;
use crate::record::{Channel, InteractionKind, Outcome, Record, RecordKey};

/// How interactions are grouped into cases.
///
/// ```
/// use omnid::profile::cases::CaseConfig;
/// use omnid::InteractionKind;
/// let c: CaseConfig = toml::from_str("window_hours = 48")?;
/// assert_eq!(c.window_hours, 48);
/// assert!(c.kinds.contains(&InteractionKind::Claim));
/// assert!(!c.kinds.contains(&InteractionKind::Purchase));
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaseConfig {
    /// A contact without a case reference continues a case of its kind whose
    /// last contact is at most this many hours earlier. Default 72.
    pub window_hours: u32,
    /// Interaction kinds that are service contacts and form cases. Default:
    /// inquiry, claim, support, cancellation, other (not purchases, not
    /// visits).
    pub kinds: Vec<InteractionKind>,
}

impl Default for CaseConfig {
    fn default() -> Self {
        CaseConfig {
            window_hours: 72,
            kinds: vec![
                InteractionKind::Inquiry,
                InteractionKind::Claim,
                InteractionKind::Support,
                InteractionKind::Cancellation,
                InteractionKind::Other,
            ],
        }
    }
}

/// A set of interaction kinds, one bit each: asked once per interaction
/// of every profile, a bit test instead of a search of a list.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct KindSet(u64);

// Every kind has its bit.
const _: () = assert!(InteractionKind::ALL.len() <= 64);

impl KindSet {
    pub(crate) fn new(kinds: &[InteractionKind]) -> KindSet {
        KindSet(kinds.iter().fold(0, |set, &k| set | KindSet::bit(k)))
    }

    fn bit(kind: InteractionKind) -> u64 {
        1u64.checked_shl(kind as u32).unwrap_or(0)
    }

    pub(crate) fn contains(self, kind: InteractionKind) -> bool {
        self.0 & KindSet::bit(kind) != 0
    }
}

/// A case's id: its profile and its number there (1 for the first case).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CaseId {
    /// The profile.
    pub profile: ProfileId,
    /// Number within the profile, from 1, in order of first contact.
    pub seq: u32,
}

impl fmt::Display for CaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.profile, self.seq)
    }
}

impl Serialize for CaseId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// Where a case stands, from the outcomes of its contacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CaseStatus {
    /// The last contact with an outcome resolved it.
    Resolved,
    /// The last contact left it open.
    Pending,
    /// The last contact passed it to another team or channel.
    Escalated,
    /// The customer left before an answer in the last contact.
    Abandoned,
    /// The case carries a cancellation that went through.
    Cancelled,
    /// No contact recorded an outcome.
    Unknown,
}

impl CaseStatus {
    /// Every status, in declaration order.
    pub const ALL: &'static [CaseStatus] = &[
        CaseStatus::Resolved,
        CaseStatus::Pending,
        CaseStatus::Escalated,
        CaseStatus::Abandoned,
        CaseStatus::Cancelled,
        CaseStatus::Unknown,
    ];

    /// The snake-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            CaseStatus::Resolved => "resolved",
            CaseStatus::Pending => "pending",
            CaseStatus::Escalated => "escalated",
            CaseStatus::Abandoned => "abandoned",
            CaseStatus::Cancelled => "cancelled",
            CaseStatus::Unknown => "unknown",
        }
    }
}

impl fmt::Display for CaseStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One case: the contacts about one matter, across channels.
#[derive(Debug, Clone, PartialEq)]
pub struct Case {
    /// Id.
    pub id: CaseId,
    /// The profile (an index into [`Customer360::profiles`](super::Customer360::profiles)).
    pub profile: u32,
    /// Kind of the first contact.
    pub kind: InteractionKind,
    /// The explicit case reference, when a contact gave one.
    pub case_ref: Option<String>,
    /// Contact records (indices into the input), in time order.
    pub contacts: Vec<u32>,
    /// Channel of each contact.
    pub channels: Vec<Channel>,
    /// First contact.
    pub first_contact: Option<jiff::Timestamp>,
    /// Last contact.
    pub last_contact: Option<jiff::Timestamp>,
    /// Status.
    pub status: CaseStatus,
    /// The contact that resolved it (the last one with a resolved outcome),
    /// when the case is resolved or cancelled.
    pub resolved_at: Option<jiff::Timestamp>,
}

impl Case {
    /// Contacts after the first.
    pub fn repeat_contacts(&self) -> usize {
        self.contacts.len().saturating_sub(1)
    }

    /// From first contact to resolution.
    pub fn time_to_resolution(&self) -> Option<jiff::SignedDuration> {
        Some(self.resolved_at?.duration_since(self.first_contact?))
    }

    /// Channels in order with repeats in a row collapsed: `web_chat, phone`.
    pub fn path(&self) -> Vec<Channel> {
        let mut path = self.channels.clone();
        path.dedup();
        path
    }

    /// Consecutive contacts on different channels, as (from, to).
    pub fn transitions(&self) -> impl Iterator<Item = (Channel, Channel)> + '_ {
        self.channels.windows(2).filter_map(|w| match w {
            [a, b] if a != b => Some((*a, *b)),
            _ => None,
        })
    }

    /// The case for a person or a program to read.
    pub fn view<'a>(&'a self, records: &'a [Record]) -> CaseView<'a> {
        CaseView {
            id: self.id,
            kind: self.kind,
            case_ref: self.case_ref.as_deref(),
            status: self.status,
            contacts: self.contacts.len(),
            repeat_contacts: self.repeat_contacts(),
            first_contact: self.first_contact,
            last_contact: self.last_contact,
            time_to_resolution: self.time_to_resolution(),
            path: self.path(),
            transitions: self.transitions().collect(),
            records: self
                .contacts
                .iter()
                .zip(&self.channels)
                .filter_map(|(&i, &channel)| {
                    let r = records.get(i as usize)?;
                    Some(CaseContact {
                        record: &r.key,
                        at: event_time(r),
                        channel,
                        outcome: r.interaction.as_ref().and_then(|x| x.outcome),
                    })
                })
                .collect(),
        }
    }
}

/// Every case of a [`Customer360`](super::Customer360), by profile, then in
/// order of first contact: one list, kept in the pieces the build made (one
/// per run of profiles a task built), so that a million records' cases are
/// never copied into one block.
///
/// ```
/// use omnid::profile::{Customer360, ProfileConfig};
/// use omnid::resolve::{Resolver, ResolverConfig};
/// use omnid::{Channel, Identifier, IdentifierKind, Interaction, InteractionKind, Record, RecordKey};
///
/// let claim = |id: &str, at: &str| Record {
///     key: RecordKey::new("webchat", id),
///     observed_at: Some(at.parse().unwrap()),
///     identifiers: vec![Identifier::new(IdentifierKind::Email, "ana.garcia@gmail.com")],
///     interaction: Some(Interaction { channel: Channel::WebChat, kind: InteractionKind::Claim, ..Interaction::default() }),
///     ..Record::default()
/// };
/// let records = [claim("c1", "2026-03-01T10:00:00Z"), claim("c2", "2026-05-01T10:00:00Z")];
/// let res = Resolver::new(ResolverConfig::default())?.resolve(&records)?;
/// let c360 = Customer360::build(&records, &res, &ProfileConfig::default());
/// let cases = c360.cases();
/// assert_eq!(cases.len(), 2, "two months apart: two cases");
/// assert_eq!(cases[1].id.seq, 2);
/// assert_eq!(cases.iter().map(|c| c.contacts.len()).sum::<usize>(), 2);
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Cases {
    pieces: Vec<Vec<Case>>,
    /// The index of each piece's first case.
    starts: Vec<usize>,
    len: usize,
}

impl Cases {
    /// The pieces in order.
    pub(crate) fn new(pieces: Vec<Vec<Case>>) -> Cases {
        let mut starts = Vec::with_capacity(pieces.len());
        let mut len = 0;
        for piece in &pieces {
            starts.push(len);
            len += piece.len();
        }
        Cases {
            pieces,
            starts,
            len,
        }
    }

    /// Number of cases.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when there is no case.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The index of piece `piece`'s first case (the number of cases when
    /// there is no such piece).
    pub(crate) fn piece_start(&self, piece: usize) -> usize {
        self.starts.get(piece).copied().unwrap_or(self.len)
    }

    /// The piece holding case `i` (its index), and `i` there.
    fn locate(&self, i: usize) -> Option<(usize, usize)> {
        if i >= self.len {
            return None;
        }
        let piece = self.starts.partition_point(|&s| s <= i).checked_sub(1)?;
        // Empty pieces share their start with the next: the last of them
        // holds the case.
        Some((piece, i - self.starts.get(piece)?))
    }

    /// Case `i`.
    pub fn get(&self, i: usize) -> Option<&Case> {
        let (piece, at) = self.locate(i)?;
        self.pieces.get(piece)?.get(at)
    }

    /// The cases `range` when they lie in one piece, as the cases of one
    /// profile do.
    pub fn slice(&self, range: std::ops::Range<usize>) -> Option<&[Case]> {
        if range.is_empty() {
            return Some(&[]);
        }
        let (piece, at) = self.locate(range.start)?;
        self.pieces.get(piece)?.get(at..at + range.len())
    }

    /// The cases `range`, in order (fewer past the end).
    pub fn range(&self, range: std::ops::Range<usize>) -> impl Iterator<Item = &Case> + '_ {
        let (piece, at) = self.locate(range.start).unwrap_or((self.pieces.len(), 0));
        self.pieces
            .get(piece..)
            .unwrap_or(&[])
            .iter()
            .flatten()
            .skip(at)
            .take(range.len())
    }

    /// Every case, in order.
    pub fn iter(&self) -> impl Iterator<Item = &Case> + '_ {
        self.pieces.iter().flatten()
    }
}

impl std::ops::Index<usize> for Cases {
    type Output = Case;

    /// # Panics
    ///
    /// When `i` is not below [`Cases::len`].
    fn index(&self, i: usize) -> &Case {
        match self.get(i) {
            Some(case) => case,
            None => panic!("case {i} of {}", self.len),
        }
    }
}

impl PartialEq for Cases {
    /// The same cases in the same order, however they are split in pieces.
    fn eq(&self, other: &Cases) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<'a> IntoIterator for &'a Cases {
    type Item = &'a Case;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<Case>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.pieces.iter().flatten()
    }
}

/// A case as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseView<'a> {
    /// Id.
    pub id: CaseId,
    /// Kind of the first contact.
    pub kind: InteractionKind,
    /// Explicit reference.
    pub case_ref: Option<&'a str>,
    /// Status.
    pub status: CaseStatus,
    /// Number of contacts.
    pub contacts: usize,
    /// Contacts after the first.
    pub repeat_contacts: usize,
    /// First contact.
    pub first_contact: Option<jiff::Timestamp>,
    /// Last contact.
    pub last_contact: Option<jiff::Timestamp>,
    /// From first contact to resolution.
    pub time_to_resolution: Option<jiff::SignedDuration>,
    /// Channels in order, repeats in a row collapsed.
    pub path: Vec<Channel>,
    /// Channel changes between consecutive contacts.
    pub transitions: Vec<(Channel, Channel)>,
    /// The contacts.
    pub records: Vec<CaseContact<'a>>,
}

/// One contact of a case.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CaseContact<'a> {
    /// The record.
    pub record: &'a RecordKey,
    /// When.
    pub at: Option<jiff::Timestamp>,
    /// Channel.
    pub channel: Channel,
    /// Outcome.
    pub outcome: Option<Outcome>,
}

/// The cases of a profile being grouped, a buffer reused between profiles.
#[derive(Default)]
pub(crate) struct Open<'a>(Vec<OpenCase<'a>>);

struct OpenCase<'a> {
    kind: InteractionKind,
    case_ref: Option<&'a str>,
    contacts: Vec<u32>,
    channels: Vec<Channel>,
    first: Option<jiff::Timestamp>,
    last: Option<jiff::Timestamp>,
    /// The time of the contact added last.
    latest_added: Option<jiff::Timestamp>,
    /// The outcome of the last contact that recorded one.
    outcome: Option<Outcome>,
    /// The time of the last contact that resolved it.
    resolved: Option<Option<jiff::Timestamp>>,
    /// A contact is a cancellation.
    cancels: bool,
}

impl OpenCase<'_> {
    fn add(&mut self, step: &Step<'_>) {
        self.contacts.push(step.index);
        self.channels.push(step.channel);
        self.latest_added = step.at;
        self.outcome = step.outcome.or(self.outcome);
        if step.outcome == Some(Outcome::Resolved) {
            self.resolved = Some(step.at);
        }
        self.cancels |= step.kind == InteractionKind::Cancellation;
    }
}

/// The cases of one profile, from its timeline (interactions in time
/// order), appended to `out`; `case_of` gets, for each step, its case's
/// number from 0 (`u32::MAX`: not a service contact). `open` is a buffer
/// reused between profiles.
#[allow(clippy::too_many_arguments)]
pub(crate) fn group<'t>(
    profile: u32,
    id: ProfileId,
    timeline: &[Step<'t>],
    config: &CaseConfig,
    contact: KindSet,
    open: &mut Open<'t>,
    case_of: &mut Vec<u32>,
    out: &mut Vec<Case>,
) {
    let window = jiff::SignedDuration::from_hours(i64::from(config.window_hours));
    let open = &mut open.0;
    open.clear();
    case_of.clear();
    for step in timeline {
        if !contact.contains(step.kind) {
            case_of.push(u32::MAX);
            continue;
        }
        let at = step.at;
        let case_ref = step.case_ref;
        let within = |c: &OpenCase<'_>| {
            c.kind == step.kind
                && matches!((c.last, at), (Some(last), Some(t)) if t.duration_since(last) <= window)
        };
        // The open case of this kind contacted most recently.
        let latest = |ok: &dyn Fn(&OpenCase<'_>) -> bool| {
            open.iter()
                .enumerate()
                .filter(|(_, c)| ok(c))
                .max_by_key(|(n, c)| (c.last, *n))
                .map(|(n, _)| n)
        };
        let target = match case_ref {
            Some(cr) => open
                .iter()
                .position(|c| c.case_ref == Some(cr))
                .or_else(|| latest(&|c| c.case_ref.is_none() && within(c))),
            None => latest(&within),
        };
        match target.and_then(|n| open.get_mut(n).map(|c| (n, c))) {
            Some((n, c)) => {
                c.add(step);
                c.case_ref = c.case_ref.or(case_ref);
                c.last = c.last.max(at);
                case_of.push(n as u32);
            }
            None => {
                case_of.push(open.len() as u32);
                let mut c = OpenCase {
                    kind: step.kind,
                    case_ref,
                    contacts: Vec::with_capacity(1),
                    channels: Vec::with_capacity(1),
                    first: at,
                    last: at,
                    latest_added: at,
                    outcome: None,
                    resolved: None,
                    cancels: false,
                };
                c.add(step);
                open.push(c);
            }
        }
    }
    out.extend(open.drain(..).enumerate().map(|(n, c)| {
        let (status, resolved_at) = status(&c);
        Case {
            id: CaseId {
                profile: id,
                seq: n as u32 + 1,
            },
            profile,
            kind: c.kind,
            case_ref: c.case_ref.map(str::to_string),
            contacts: c.contacts,
            channels: c.channels,
            first_contact: c.first,
            last_contact: c.last,
            status,
            resolved_at,
        }
    }));
}

/// The status from the last contact that recorded an outcome; a case that
/// carries a cancellation and ends resolved (or without outcome) is
/// cancelled.
fn status(c: &OpenCase<'_>) -> (CaseStatus, Option<jiff::Timestamp>) {
    let status = match (c.outcome, c.cancels) {
        (Some(Outcome::Resolved) | None, true) => CaseStatus::Cancelled,
        (Some(Outcome::Resolved), false) => CaseStatus::Resolved,
        (Some(Outcome::Escalated), _) => CaseStatus::Escalated,
        (Some(Outcome::Abandoned), _) => CaseStatus::Abandoned,
        (None, false) => CaseStatus::Unknown,
        (Some(_), _) => CaseStatus::Pending,
    };
    let resolved_at = match status {
        CaseStatus::Resolved | CaseStatus::Cancelled => c.resolved.unwrap_or(c.latest_added),
        _ => None,
    };
    (status, resolved_at)
}
