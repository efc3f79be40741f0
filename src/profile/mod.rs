//! Customer 360: what the resolved profiles say about each customer.
//!
//! [`Customer360::build`] takes the input records and their [`Resolution`]
//! and gives, per profile, a [golden record](golden) with provenance, every
//! identifier with first and last seen, the [timeline] of
//! interactions across channels and the [cases] they form; over all
//! profiles, the [journey] report and the [customer value](value)
//! (RFM scores, segments, best and worst customers); and a
//! [lookup] from any identifier, written in any format, to the
//! customer's [`CustomerView`].
//!
//! Profiles refer to records by their index in the input slice (`u32`), not
//! by copies of their keys; the texts a profile shows (its golden values and
//! identifiers) are copied once into one buffer per profile
//! ([`Profile::texts`]). A [`CustomerView`] borrows from the profile and
//! from the records (for keys, cases and the timeline) when it is shown.
//!
//! Records are grouped by profile from the identity graph's clusters, whose
//! members are already in key order. Building then reads the records once
//! in input order, where they lie in memory, and copies what profiles
//! compare and show into a compact per-record digest, filed in the order of
//! the profiles' records; profiles are then built in parallel from the
//! digest, each reading its records' part in one run, and come out in
//! [`ProfileId`] order whatever the thread count. The digest carries each record's interaction
//! too, so timelines, cases, purchase totals and the journey counts are all
//! made in that one pass and never go back to the records.

pub mod cases;
mod facts;
pub mod golden;
pub mod journey;
pub mod lookup;
pub mod timeline;
pub mod value;

use std::ops::Range;
use std::sync::{Mutex, OnceLock, PoisonError};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::{KindId, ProfileId, RecordId};
use crate::graph::IdentityGraph;
use crate::record::{Channel, IdentifierKind, InteractionKind, Record, RecordKey};
use crate::resolve::Resolution;

use cases::{Case, CaseConfig, CaseView, Cases};
use facts::{Bucket, Fact, Facts, IdFact, Span};
use golden::{GoldenConfig, GoldenRecord, GoldenRecordView};
use journey::{JourneyConfig, JourneyReport};
use lookup::LookupIndex;
use timeline::{Event, Step, TimelineEntry};
use value::{Rfm, Segment, ValueConfig, ValueReport};

/// How profiles, cases, journeys and values are built. Every field has a
/// default; in the CLI's TOML this is the `[profile]` table.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProfileConfig {
    /// Survivorship per attribute.
    pub golden: GoldenConfig,
    /// How interactions are grouped into cases.
    pub cases: CaseConfig,
    /// Journey report settings.
    pub journey: JourneyConfig,
    /// Customer value settings.
    pub value: ValueConfig,
}

/// Where a text lies in its profile's [`texts`](Profile::texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Text {
    start: u32,
    len: u32,
}

impl Text {
    /// The text, in `texts` (its profile's).
    pub fn of(self, texts: &str) -> &str {
        let start = self.start as usize;
        texts.get(start..start + self.len as usize).unwrap_or("")
    }

    /// Appends `s` to `texts`.
    fn put(texts: &mut String, s: &str) -> Text {
        let start = u32::try_from(texts.len()).unwrap_or(u32::MAX);
        texts.push_str(s);
        Text {
            start,
            len: u32::try_from(s.len()).unwrap_or(0),
        }
    }

    /// Appends `v` as it displays.
    fn put_display(texts: &mut String, v: impl std::fmt::Display) -> Text {
        use std::fmt::Write;
        let start = texts.len();
        // Writing to a `String` cannot fail.
        let _ = write!(texts, "{v}");
        Text {
            start: u32::try_from(start).unwrap_or(u32::MAX),
            len: u32::try_from(texts.len() - start).unwrap_or(0),
        }
    }

    /// Appends a value and its display, once when they are equal.
    fn pair(texts: &mut String, value: &str, display: &str) -> (Text, Text) {
        let v = Text::put(texts, value);
        let d = if display == value {
            v
        } else {
            Text::put(texts, display)
        };
        (v, d)
    }
}

/// One identifier of a profile: a normalized value its records carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProfileIdentifier {
    /// Its kind ([`Customer360::kind`]).
    pub kind: KindId,
    /// Normalized value, in the profile's texts.
    pub value: Text,
    /// How it is shown (as the most recent record carrying it wrote it), in
    /// the profile's texts.
    pub display: Text,
    /// Records carrying it.
    pub records: u32,
    /// First time seen.
    pub first_seen: Option<jiff::Timestamp>,
    /// Last time seen.
    pub last_seen: Option<jiff::Timestamp>,
}

/// One identifier of a profile as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IdentifierView<'a> {
    /// Kind.
    pub kind: &'a IdentifierKind,
    /// Normalized value.
    pub value: &'a str,
    /// How it is shown (as the most recent record carrying it wrote it).
    pub display: &'a str,
    /// Records carrying it.
    pub records: u32,
    /// First time seen.
    pub first_seen: Option<jiff::Timestamp>,
    /// Last time seen.
    pub last_seen: Option<jiff::Timestamp>,
}

/// One customer: the records of one resolved profile and what they say.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// Stable id.
    pub id: ProfileId,
    /// Member records (indices into the input), in key order.
    pub members: Vec<u32>,
    /// One value per attribute, with provenance.
    pub golden: GoldenRecord,
    /// Every identifier, by kind then value.
    pub identifiers: Vec<ProfileIdentifier>,
    /// The texts of the golden values and identifiers, one after another;
    /// a [`Text`] says where each lies.
    pub texts: Box<str>,
    /// Channels the customer used, in order of first use.
    pub channels: Vec<Channel>,
    /// Records with an interaction (indices into the input), in time order.
    pub timeline: Vec<u32>,
    /// The profile's cases: a range of [`Customer360::cases`].
    pub cases: Range<usize>,
    /// Interactions of any kind.
    pub interactions: u32,
    /// Purchases.
    pub purchases: u32,
    /// Claims and complaints.
    pub complaints: u32,
    /// Service contacts: interactions of the kinds that form cases.
    pub contacts: u32,
    /// Purchase totals per currency, by currency code.
    pub spend_by_currency: Vec<(String, f64)>,
    /// Time of the last timed purchase.
    pub last_purchase: Option<jiff::Timestamp>,
    /// First time any record was seen.
    pub first_seen: Option<jiff::Timestamp>,
    /// Last time any record was seen.
    pub last_seen: Option<jiff::Timestamp>,
    /// Recency, frequency and monetary scores (customers with purchases).
    pub rfm: Option<Rfm>,
    /// Value segment.
    pub segment: Segment,
}

impl Profile {
    /// An empty profile, for a slot the build fills.
    fn placeholder() -> Profile {
        Profile {
            id: ProfileId(0),
            members: Vec::new(),
            golden: GoldenRecord::default(),
            identifiers: Vec::new(),
            texts: Box::default(),
            channels: Vec::new(),
            timeline: Vec::new(),
            cases: 0..0,
            interactions: 0,
            purchases: 0,
            complaints: 0,
            contacts: 0,
            spend_by_currency: Vec::new(),
            last_purchase: None,
            first_seen: None,
            last_seen: None,
            rfm: None,
            segment: Segment::NoPurchases,
        }
    }

    /// The golden record with its texts and provenance keys. `records` must
    /// be the slice the profile was built from.
    pub fn golden_view<'a>(&'a self, records: &'a [Record]) -> GoldenRecordView<'a> {
        self.golden.view(&self.texts, records)
    }
}

/// When an interaction happened: its own time, else its record's.
pub fn event_time(r: &Record) -> Option<jiff::Timestamp> {
    r.interaction.as_ref().and_then(|i| i.at).or(r.observed_at)
}

/// `Option::min` would pick `None`: an unknown time must not erase a known one.
fn earliest(a: Option<jiff::Timestamp>, b: Option<jiff::Timestamp>) -> Option<jiff::Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// What every profile is built from.
pub(crate) struct Context<'a> {
    groups: &'a Groups,
    /// The rank of each graph kind in [`IdentifierKind`] order, by kind id.
    kind_rank: &'a [u16],
    email: Option<KindId>,
    phone: Option<KindId>,
    config: &'a ProfileConfig,
    /// The journey's churn window.
    churn: jiff::SignedDuration,
    /// The interaction kinds that are service contacts.
    contact: cases::KindSet,
}

/// The records of one profile.
pub(crate) struct Members<'b> {
    /// Input indices, in key order.
    index: &'b [u32],
    /// One per record.
    facts: &'b [Fact],
    /// The text the facts' spans point into.
    text: &'b str,
    /// The identifiers the facts point into.
    ids: &'b [IdFact],
    email: Option<KindId>,
    phone: Option<KindId>,
}

impl Members<'_> {
    fn text(&self, span: Span) -> &str {
        self.text.get(span.0..span.1).unwrap_or("")
    }
}

impl<'a> Context<'a> {
    /// Profile `p`'s records, whose facts `bucket` holds.
    fn members<'b>(&self, bucket: &'b Bucket, p: usize) -> Members<'b>
    where
        'a: 'b,
    {
        let (start, end) = self.groups.member_range(p..p + 1);
        let run = bucket.run(start, end);
        Members {
            index: self.groups.members.get(start..end).unwrap_or(&[]),
            facts: run.facts,
            text: run.text,
            ids: run.ids,
            email: self.email,
            phone: self.phone,
        }
    }
}

/// A profile's identifier as found in one record: kind, value and display
/// spans, time, the record's position among the members.
type Seen = (KindId, Span, Span, Option<jiff::Timestamp>, u32);

/// The sort key of a [`Seen`]: the kind's rank in the top 16 bits and the
/// value's first six bytes below them (big-endian, so that they order as
/// the bytes do), and its index among the seen identifiers.
type SeenKey = (u64, u32);

/// `rank` in the top 16 bits, the first six bytes of `s` below them (zeros
/// after its end).
fn prefix_key(rank: u16, s: &str) -> u64 {
    let b = s.as_bytes();
    let six = match b.first_chunk::<8>() {
        Some(&head) => u64::from_be_bytes(head) >> 16,
        None => {
            let n = b.len().min(6);
            let packed = b.iter().take(n).fold(0u64, |k, &x| k << 8 | u64::from(x));
            packed << (8 * (6 - n))
        }
    };
    u64::from(rank) << 48 | six
}

/// The cases of consecutive profiles built by one task: the profiles from
/// `first`, each with its cases' range in `cases`.
struct Piece {
    first: usize,
    end: usize,
    cases: Vec<Case>,
}

/// Buffers a task reuses from one profile to the next that point into
/// the texts of the bucket being built: made anew for each bucket.
#[derive(Default)]
struct Borrowing<'t> {
    steps: Vec<Step<'t>>,
    /// Purchases with an amount, as (currency, amount), in time order.
    buys: Vec<(&'t str, f64)>,
    open: cases::Open<'t>,
}

/// Buffers a task reuses from one profile to the next, its journey counts
/// and the cases it made.
struct Scratch<'s> {
    golden: golden::Scratch,
    events: Vec<Event>,
    seen: Vec<Seen>,
    seen_keys: Vec<SeenKey>,
    distinct: Vec<Distinct>,
    texts: String,
    case_of: Vec<u32>,
    journey: Option<journey::Acc>,
    /// The cases of the run of profiles being built.
    piece: Piece,
    /// Where the journey counts go when the task ends.
    journeys: &'s Mutex<Vec<journey::Acc>>,
    /// Where the cases go when a run of profiles or the task ends.
    pieces: &'s Mutex<Vec<Piece>>,
}

impl<'s> Scratch<'s> {
    fn new(journeys: &'s Mutex<Vec<journey::Acc>>, pieces: &'s Mutex<Vec<Piece>>) -> Self {
        Scratch {
            golden: golden::Scratch::default(),
            events: Vec::new(),
            seen: Vec::new(),
            seen_keys: Vec::new(),
            distinct: Vec::new(),
            texts: String::new(),
            case_of: Vec::new(),
            journey: Some(journey::Acc::new()),
            piece: Piece {
                first: 0,
                end: 0,
                cases: Vec::new(),
            },
            journeys,
            pieces,
        }
    }

    /// Profile `p` is built next: its cases go after those of the run of
    /// profiles being built when it continues the run, else a new run starts.
    fn start_profile(&mut self, p: usize) {
        if self.piece.end != p {
            self.hand_in_cases();
            self.piece.first = p;
        }
        self.piece.end = p + 1;
    }

    fn hand_in_cases(&mut self) {
        if self.piece.end > self.piece.first {
            let piece = Piece {
                first: self.piece.first,
                end: self.piece.end,
                cases: std::mem::take(&mut self.piece.cases),
            };
            self.pieces
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(piece);
        }
    }
}

impl Drop for Scratch<'_> {
    fn drop(&mut self) {
        self.hand_in_cases();
        if let Some(acc) = self.journey.take() {
            self.journeys
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .push(acc);
        }
    }
}

/// A distinct identifier of a profile, as its records are read: what the
/// profile shows of it.
#[derive(Debug, Clone, Copy)]
struct Distinct {
    /// [`fingerprint`] of the value.
    print: (usize, u64, u64),
    kind: KindId,
    value: Span,
    /// The display of the most recent sighting, its time and position.
    shown: (Span, Option<jiff::Timestamp>, u32),
    records: u32,
    first_seen: Option<jiff::Timestamp>,
    last_seen: Option<jiff::Timestamp>,
}

/// Distinct values of a profile (its identifiers, or one golden
/// attribute's) found by comparing each sighting with those found before
/// it; with more, its sightings are sorted and grouped as neighbours.
const SCAN: usize = 24;

/// The length and the first and last eight bytes of `s`: equal for equal
/// texts, and the whole text when it has at most 16 bytes.
fn fingerprint(s: &str) -> (usize, u64, u64) {
    let b = s.as_bytes();
    let word = |c: &[u8]| match c.first_chunk::<8>() {
        Some(&w) => u64::from_le_bytes(w),
        None => c
            .iter()
            .enumerate()
            .fold(0, |w, (i, &x)| w | u64::from(x) << (8 * i)),
    };
    let last = match b.last_chunk::<8>() {
        Some(&w) if b.len() > 8 => u64::from_le_bytes(w),
        _ => 0,
    };
    (b.len(), word(b), last)
}

/// The profile's identifiers, by kind then value; their texts are appended
/// to `texts`. Records usually repeat a few identifiers: each sighting is
/// compared with the distinct ones found before it, and only those are
/// sorted.
fn identifiers(
    ctx: &Context<'_>,
    members: &Members<'_>,
    seen: &mut Vec<Seen>,
    keys: &mut Vec<SeenKey>,
    distinct: &mut Vec<Distinct>,
    texts: &mut String,
) -> Vec<ProfileIdentifier> {
    distinct.clear();
    let mut scan = true;
    'records: for (pos, f) in members.facts.iter().enumerate() {
        for id in facts::identifiers(f, members.ids) {
            let (value, display) = f.identifier(id);
            let text = members.text(value);
            let print = fingerprint(text);
            let same = |d: &Distinct| {
                d.print == print
                    && d.kind == id.kind
                    && (print.0 <= 16 || members.text(d.value) == text)
            };
            let pos = pos as u32;
            let found = distinct.iter().position(same);
            if let Some(d) = found.and_then(|k| distinct.get_mut(k)) {
                d.records += 1;
                // The most recent record's writing; a smaller key on equal
                // times.
                if (f.at, std::cmp::Reverse(pos)) >= (d.shown.1, std::cmp::Reverse(d.shown.2)) {
                    d.shown = (display, f.at, pos);
                }
                d.first_seen = earliest(d.first_seen, f.at);
                d.last_seen = d.last_seen.max(f.at);
            } else if distinct.len() < SCAN {
                distinct.push(Distinct {
                    print,
                    kind: id.kind,
                    value,
                    shown: (display, f.at, pos),
                    records: 1,
                    first_seen: f.at,
                    last_seen: f.at,
                });
            } else {
                scan = false;
                break 'records;
            }
        }
    }
    if !scan {
        return identifiers_sorted(ctx, members, seen, keys, texts);
    }
    let rank = |k: KindId| ctx.kind_rank.get(k.0 as usize).copied().unwrap_or(0);
    distinct.sort_unstable_by(|a, b| {
        prefix_key(rank(a.kind), members.text(a.value))
            .cmp(&prefix_key(rank(b.kind), members.text(b.value)))
            .then_with(|| members.text(a.value).cmp(members.text(b.value)))
    });
    distinct
        .iter()
        .map(|d| {
            let (value, display) =
                Text::pair(texts, members.text(d.value), members.text(d.shown.0));
            ProfileIdentifier {
                kind: d.kind,
                value,
                display,
                records: d.records,
                first_seen: d.first_seen,
                last_seen: d.last_seen,
            }
        })
        .collect()
}

/// [`identifiers`] of a profile with many distinct ones: all sightings
/// sorted by kind, value and position, then grouped.
fn identifiers_sorted(
    ctx: &Context<'_>,
    members: &Members<'_>,
    seen: &mut Vec<Seen>,
    keys: &mut Vec<SeenKey>,
    texts: &mut String,
) -> Vec<ProfileIdentifier> {
    seen.clear();
    keys.clear();
    for (pos, f) in members.facts.iter().enumerate() {
        for id in facts::identifiers(f, members.ids) {
            let rank = ctx.kind_rank.get(id.kind.0 as usize).copied().unwrap_or(0);
            let (value, display) = f.identifier(id);
            keys.push((prefix_key(rank, members.text(value)), seen.len() as u32));
            seen.push((id.kind, value, display, f.at, pos as u32));
        }
    }
    let text = |span: Span| members.text(span);
    let at = |k: &SeenKey| seen.get(k.1 as usize);
    // By kind, value and position (positions grow with the index); the
    // whole values are compared only when their first bytes tie. The keys
    // are small: sorting them moves little.
    keys.sort_unstable_by(|a, b| {
        a.0.cmp(&b.0).then_with(|| match (at(a), at(b)) {
            (Some(x), Some(y)) => text(x.1).cmp(text(y.1)).then(a.1.cmp(&b.1)),
            _ => a.1.cmp(&b.1),
        })
    });
    let mut out = Vec::new();
    // Equal prefixes first: most neighbours differ there.
    let same = |a: &SeenKey, b: &SeenKey| {
        a.0 == b.0
            && match (at(a), at(b)) {
                (Some(x), Some(y)) => x.0 == y.0 && text(x.1) == text(y.1),
                _ => false,
            }
    };
    for group in keys.chunk_by(same) {
        let mut seen_here = group.iter().filter_map(at);
        let Some(first) = seen_here.next() else {
            continue;
        };
        // The most recent record's writing; a smaller key on equal times.
        let (mut shown, mut records) = (first, 1u32);
        let (mut first_seen, mut last_seen) = (first.3, first.3);
        for x in seen_here {
            records += 1;
            if (x.3, std::cmp::Reverse(x.4)) >= (shown.3, std::cmp::Reverse(shown.4)) {
                shown = x;
            }
            first_seen = earliest(first_seen, x.3);
            last_seen = last_seen.max(x.3);
        }
        let (value, display) = Text::pair(texts, text(first.1), text(shown.2));
        out.push(ProfileIdentifier {
            kind: first.0,
            value,
            display,
            records,
            first_seen,
            last_seen,
        });
    }
    out
}

/// Builds profile `p`; its journey counts and cases go to the scratch's,
/// and its [`Profile::cases`] is the range of its cases there.
fn build_one<'t>(
    ctx: &Context<'_>,
    members: &Members<'t>,
    p: usize,
    s: &mut Scratch<'_>,
    b: &mut Borrowing<'t>,
) -> Profile {
    let id = ctx.groups.ids.get(p).copied().unwrap_or(ProfileId(0));
    s.start_profile(p);
    let Borrowing { steps, buys, open } = b;
    let Scratch {
        golden,
        events,
        seen,
        seen_keys,
        distinct,
        texts,
        case_of,
        journey,
        piece,
        ..
    } = s;
    let config = ctx.config;
    timeline::steps(members, events, steps);
    let steps = &*steps;
    let timeline: Vec<u32> = steps.iter().map(|step| step.index).collect();
    let mut channels = Vec::new();
    let (mut interactions, mut purchases, mut complaints, mut contacts) = (0, 0, 0, 0);
    buys.clear();
    let mut last_purchase = None;
    for step in steps {
        interactions += 1;
        if !channels.contains(&step.channel) {
            channels.push(step.channel);
        }
        if ctx.contact.contains(step.kind) {
            contacts += 1;
        }
        match step.kind {
            InteractionKind::Claim => complaints += 1,
            InteractionKind::Purchase => {
                purchases += 1;
                last_purchase = last_purchase.max(step.at);
                if let Some((amount, currency)) = step.amount {
                    buys.push((currency, amount));
                }
            }
            _ => {}
        }
    }
    let (spend, primary) = value::spend(buys);
    // Scored over all buyers later; the currency is known now.
    let rfm = (purchases > 0).then(|| {
        let primary = primary.and_then(|k| spend.get(k));
        Rfm {
            recency_days: None,
            frequency: purchases,
            currency: primary.map(|c| c.0.clone()),
            monetary: primary.map_or(0.0, |c| c.1),
            r: 0,
            f: 0,
            m: 0,
        }
    });
    let first_case = piece.cases.len();
    cases::group(
        p as u32,
        id,
        steps,
        &config.cases,
        ctx.contact,
        open,
        case_of,
        &mut piece.cases,
    );
    let cases = first_case..piece.cases.len();
    if let Some(journey) = journey {
        let made = piece.cases.get(cases.clone()).unwrap_or(&[]);
        journey.add(steps, made, case_of, ctx.churn);
    }
    let (first_seen, last_seen) =
        members
            .facts
            .iter()
            .filter_map(|f| f.at)
            .fold((None, None), |(first, last), t| {
                (
                    Some(first.map_or(t, |f: jiff::Timestamp| f.min(t))),
                    last.max(Some(t)),
                )
            });
    texts.clear();
    let golden = golden::golden_record(&config.golden, members, golden, texts);
    let identifiers = identifiers(ctx, members, seen, seen_keys, distinct, texts);
    Profile {
        id,
        golden,
        identifiers,
        texts: Box::from(texts.as_str()),
        members: members.index.to_vec(),
        channels,
        timeline,
        cases,
        interactions,
        purchases,
        complaints,
        contacts,
        spend_by_currency: spend,
        last_purchase,
        first_seen,
        last_seen,
        rfm,
        segment: Segment::NoPurchases,
    }
}

/// The input records of every profile, grouped once.
struct Groups {
    /// Profile ids, ascending.
    ids: Vec<ProfileId>,
    /// Where each profile's records start in `members`, and the end.
    bounds: Vec<usize>,
    /// Input indices, profile after profile, each profile's in key order.
    members: Vec<u32>,
    /// The slot of each graph cluster: its rank by profile id.
    slot_of: Vec<u32>,
    /// The profile position of each slot (`u32::MAX`: no record in the
    /// input).
    position_of: Vec<u32>,
}

impl Groups {
    /// Ranks the graph's clusters by profile id, then takes each cluster's
    /// members, which the graph keeps in canonical (key) order: each
    /// profile's records come out in key order, and no record is read.
    fn new(records: &[Record], res: &Resolution) -> Groups {
        let graph = &res.graph;
        let (_, components) = graph.internals();
        // Records are usually the graph's records in the same order.
        let identity = res.ids.len() == records.len()
            && res.ids.iter().enumerate().all(|(i, r)| r.index() == i);
        let mut input_of = Vec::new();
        if !identity {
            input_of = vec![u32::MAX; graph.len()];
            for (i, id) in res.ids.iter().enumerate().take(records.len()) {
                if let Some(slot) = input_of.get_mut(id.index()) {
                    *slot = i as u32;
                }
            }
        }
        let input = |canonical: u32| -> Option<u32> {
            let external = graph.external(RecordId(canonical));
            if identity {
                (external.index() < records.len()).then_some(external.0)
            } else {
                input_of
                    .get(external.index())
                    .copied()
                    .filter(|&i| i != u32::MAX)
            }
        };
        let mut order: Vec<(ProfileId, u32)> = (0..components.len() as u32)
            .map(|c| (graph.profile_at(c), c))
            .collect();
        order.par_sort_unstable();
        // Equal ids (a 64-bit hash collision) share a slot and make one
        // profile, as when records were grouped by id.
        let mut slot_of = vec![0u32; order.len()];
        let mut ids: Vec<ProfileId> = Vec::with_capacity(order.len());
        for &(id, c) in &order {
            if ids.last() != Some(&id) {
                ids.push(id);
            }
            if let Some(s) = slot_of.get_mut(c as usize) {
                *s = ids.len() as u32 - 1;
            }
        }
        // Each slot's records: its cluster's members, which are canonical
        // ids in ascending (key) order; the clusters of a slot shared by
        // several (equal ids) merged in that order. Counted first, then
        // written in place, each slot's part of one list by one task.
        let slots: Vec<&[(ProfileId, u32)]> = order.chunk_by(|a, b| a.0 == b.0).collect();
        let in_input = |r: &RecordId| input(r.0).is_some();
        // When the records are the graph's, all of them, every member is in
        // the input: no need to look each one up to count them.
        let all = identity && records.len() == graph.len();
        let counts: Vec<usize> = slots
            .par_iter()
            .with_min_len(256)
            .map(|group| {
                group
                    .iter()
                    .map(|&(_, c)| {
                        let members = components.members(c);
                        if all {
                            members.len()
                        } else {
                            members.iter().filter(|r| in_input(r)).count()
                        }
                    })
                    .sum()
            })
            .collect();
        // Slots without a record in the input make no profile.
        let mut kept = Vec::with_capacity(ids.len());
        let mut bounds = Vec::with_capacity(ids.len() + 1);
        let mut position_of = vec![u32::MAX; ids.len()];
        bounds.push(0);
        let mut total = 0;
        // One slot a distinct id: `slots`, `counts` and `ids` go together.
        for ((&n, &id), p) in counts.iter().zip(&ids).zip(position_of.iter_mut()) {
            if n == 0 {
                continue;
            }
            *p = kept.len() as u32;
            kept.push(id);
            total += n;
            bounds.push(total);
        }
        let mut members = vec![0u32; total];
        // Each slot's clusters, and where its records go.
        type Part<'o, 'm> = (&'o [(ProfileId, u32)], &'m mut [u32]);
        let mut parts: Vec<Part<'_, '_>> = Vec::with_capacity(kept.len());
        let mut rest = members.as_mut_slice();
        for (group, &n) in slots.iter().zip(&counts) {
            if n > 0 {
                let (part, tail) = rest.split_at_mut(n.min(rest.len()));
                parts.push((group, part));
                rest = tail;
            }
        }
        parts
            .into_par_iter()
            .with_min_len(256)
            .for_each(|(group, out)| match group {
                [(_, c)] => {
                    let inputs = components.members(*c).iter().filter_map(|r| input(r.0));
                    for (slot, i) in out.iter_mut().zip(inputs) {
                        *slot = i;
                    }
                }
                _ => {
                    let canonical = group
                        .iter()
                        .flat_map(|&(_, c)| components.members(c))
                        .filter(|r| in_input(r));
                    for (slot, r) in out.iter_mut().zip(canonical) {
                        *slot = r.0;
                    }
                    out.sort_unstable();
                    for slot in out.iter_mut() {
                        *slot = input(*slot).unwrap_or(u32::MAX);
                    }
                }
            });
        drop(slots);
        drop(order);
        Groups {
            ids: kept,
            bounds,
            members,
            slot_of,
            position_of,
        }
    }

    fn len(&self) -> usize {
        self.ids.len()
    }

    /// Where the records of `profiles` lie in `members`.
    fn member_range(&self, profiles: Range<usize>) -> (usize, usize) {
        let start = self.bounds.get(profiles.start).copied().unwrap_or(0);
        let end = self.bounds.get(profiles.end).copied().unwrap_or(start);
        (start, end.max(start))
    }
}

/// Every profile of a resolution with its cases, the journey report, the
/// customer values and a lookup index.
#[derive(Debug, Clone)]
pub struct Customer360 {
    profiles: Vec<Profile>,
    cases: Cases,
    journey: JourneyReport,
    value: ValueReport,
    /// Built at the first lookup: a run that only writes the profiles
    /// never needs it.
    index: OnceLock<LookupIndex>,
    /// The slot of each graph cluster, and the profile position of each
    /// slot (`u32::MAX`: none), for the index.
    slot_of: Vec<u32>,
    position_of: Vec<u32>,
    /// Identifier kinds, by the identity graph's kind id.
    kinds: Vec<IdentifierKind>,
}

impl Customer360 {
    /// Builds everything. `records` must be the slice that `res` resolved.
    ///
    /// ```
    /// use omnid::profile::{Customer360, ProfileConfig};
    /// use omnid::resolve::{Resolver, ResolverConfig};
    /// use omnid::{Channel, Identifier, IdentifierKind, Interaction, InteractionKind, Record, RecordKey};
    ///
    /// let contact = |src: &str, id: &str, at: &str, channel: Channel, email: &str| Record {
    ///     key: RecordKey::new(src, id),
    ///     observed_at: Some(at.parse().unwrap()),
    ///     identifiers: vec![Identifier::new(IdentifierKind::Email, email)],
    ///     interaction: Some(Interaction { channel, kind: InteractionKind::Claim, ..Interaction::default() }),
    ///     ..Record::default()
    /// };
    /// let records = [
    ///     contact("webchat", "c1", "2026-03-01T10:00:00Z", Channel::WebChat, "Ana.Garcia@gmail.com"),
    ///     contact("email", "t7", "2026-03-02T09:00:00Z", Channel::Email, "anagarcia@googlemail.com"),
    /// ];
    /// let res = Resolver::new(ResolverConfig::default())?.resolve(&records)?;
    /// let c360 = Customer360::build(&records, &res, &ProfileConfig::default());
    /// assert_eq!(c360.profiles().len(), 1);
    /// assert_eq!(c360.cases().len(), 1, "one claim continued by email");
    /// assert_eq!(c360.cases()[0].channels, [Channel::WebChat, Channel::Email]);
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn build(records: &[Record], res: &Resolution, config: &ProfileConfig) -> Customer360 {
        let graph: &IdentityGraph = &res.graph;
        // The facts are filed in the order of the profiles' records.
        let groups = Groups::new(records, res);
        let facts = Facts::new(
            records,
            &res.prepared,
            &res.ids,
            graph,
            &config.golden,
            &groups.members,
            &groups.bounds,
        );
        let kinds: Vec<IdentifierKind> = (0..=u16::MAX)
            .map_while(|k| graph.kind(KindId(k)).cloned())
            .collect();
        let mut by_kind: Vec<usize> = (0..kinds.len()).collect();
        by_kind.sort_by(|&a, &b| kinds.get(a).cmp(&kinds.get(b)));
        let mut kind_rank = vec![0u16; kinds.len()];
        for (rank, &k) in by_kind.iter().enumerate() {
            if let Some(r) = kind_rank.get_mut(k) {
                *r = rank as u16;
            }
        }
        let ctx = Context {
            groups: &groups,
            kind_rank: &kind_rank,
            email: graph.kind_id(&IdentifierKind::Email),
            phone: graph.kind_id(&IdentifierKind::Phone),
            config,
            churn: jiff::SignedDuration::from_hours(
                i64::from(config.journey.churn_window_days) * 24,
            ),
            contact: cases::KindSet::new(&config.cases.kinds),
        };
        let latest = facts.latest;
        let journeys = Mutex::new(Vec::new());
        let pieces = Mutex::new(Vec::new());
        // Each profile's slot, filled by the task that builds its bucket.
        let mut profiles: Vec<Profile> = (0..groups.len())
            .into_par_iter()
            .map(|_| Profile::placeholder())
            .collect();
        let mut rest = profiles.as_mut_slice();
        let mut work = Vec::new();
        for bucket in facts.into_buckets() {
            let (slots, tail) = rest.split_at_mut(bucket.profiles.len().min(rest.len()));
            rest = tail;
            work.push((bucket, slots));
        }
        // The buckets cover every profile (each has a record).
        debug_assert!(rest.is_empty(), "profiles in no bucket");
        // A task puts a bucket's facts in profile order in its own buffer,
        // then builds the bucket's profiles, one after the other, and keeps
        // their cases in one list.
        work.into_par_iter().for_each_init(
            || (Scratch::new(&journeys, &pieces), Bucket::default()),
            |(s, bucket), (work, slots)| {
                let profiles = work.profiles.clone();
                bucket.fill(work);
                let mut borrowing = Borrowing::default();
                for (p, slot) in profiles.zip(slots) {
                    let members = ctx.members(bucket, p);
                    *slot = build_one(&ctx, &members, p, s, &mut borrowing);
                }
                drop(borrowing);
                bucket.trim();
            },
        );
        // The runs of profiles in order: their cases make the list, each
        // profile's range offset by the cases before its run.
        let mut pieces = pieces.into_inner().unwrap_or_else(PoisonError::into_inner);
        pieces.sort_unstable_by_key(|piece| piece.first);
        let firsts: Vec<usize> = pieces.iter().map(|piece| piece.first).collect();
        let cases = Cases::new(pieces.into_iter().map(|piece| piece.cases).collect());
        let value = value::score(&mut profiles, latest, &config.value);
        profiles.par_iter_mut().enumerate().for_each(|(i, p)| {
            // The run holding profile `i`: the last to start at or before it.
            let run = firsts.partition_point(|&first| first <= i);
            let offset = run.checked_sub(1).map_or(0, |run| cases.piece_start(run));
            p.cases = p.cases.start + offset..p.cases.end + offset;
        });
        let journeys = journeys
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let journey = journey::report(
            journeys
                .into_iter()
                .fold(journey::Acc::new(), journey::Acc::merge),
            config,
        );
        let Groups {
            slot_of,
            position_of,
            ..
        } = groups;
        Customer360 {
            profiles,
            cases,
            journey,
            value,
            index: OnceLock::new(),
            slot_of,
            position_of,
            kinds,
        }
    }

    /// Every profile, in [`ProfileId`] order.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// Every case, by profile, then in order of first contact.
    pub fn cases(&self) -> &Cases {
        &self.cases
    }

    /// The cases of profile `p` (an index into [`profiles`](Self::profiles)).
    pub fn cases_of(&self, p: usize) -> &[Case] {
        self.profiles
            .get(p)
            .and_then(|p| self.cases.slice(p.cases.clone()))
            .unwrap_or(&[])
    }

    /// The journey report over all profiles.
    pub fn journey(&self) -> &JourneyReport {
        &self.journey
    }

    /// Customer value over all profiles: the date scores are taken at,
    /// segment counts, best and worst customers.
    pub fn value(&self) -> &ValueReport {
        &self.value
    }

    /// The position of profile `id` in [`profiles`](Self::profiles).
    pub fn position(&self, id: ProfileId) -> Option<usize> {
        self.profiles.binary_search_by(|p| p.id.cmp(&id)).ok()
    }

    /// The index from identifiers to profiles, built at the first call (a
    /// run that never looks a customer up does not pay for it). `res` must
    /// be the resolution the profiles were built from.
    pub fn lookup_index(&self, res: &Resolution) -> &LookupIndex {
        self.index.get_or_init(|| {
            let graph = &res.graph;
            let (_, components) = graph.internals();
            LookupIndex::build(graph, |c| {
                let cluster = components.cluster_of(RecordId(c))?;
                let slot = self.slot_of.get(cluster as usize)?;
                self.position_of.get(*slot as usize).copied()
            })
        })
    }

    /// The kind with the identity graph's id `k`
    /// ([`ProfileIdentifier::kind`]).
    pub fn kind(&self, k: KindId) -> Option<&IdentifierKind> {
        self.kinds.get(k.0 as usize)
    }

    /// The view of profile `p` for a person or a program to read.
    /// `records` must be the slice the profiles were built from.
    ///
    /// ```
    /// use omnid::profile::{Customer360, ProfileConfig, ViewOptions};
    /// use omnid::resolve::{Resolver, ResolverConfig};
    /// use omnid::{Identifier, IdentifierKind, Record, RecordKey};
    ///
    /// let records = [Record {
    ///     key: RecordKey::new("calls", "c1"),
    ///     identifiers: vec![Identifier::new(IdentifierKind::Email, "Ana.Garcia@Gmail.com")],
    ///     ..Record::default()
    /// }];
    /// let res = Resolver::new(ResolverConfig::default())?.resolve(&records)?;
    /// let c360 = Customer360::build(&records, &res, &ProfileConfig::default());
    /// let view = c360.view(0, &records, ViewOptions::default()).expect("a profile");
    /// assert_eq!(view.records, [&records[0].key]);
    /// assert_eq!(view.identifiers[0].value, "anagarcia@gmail.com");
    /// let email = view.golden.email.expect("an email");
    /// assert_eq!(email.display, "ana.garcia@gmail.com");
    /// assert_eq!(email.provenance.record, &records[0].key);
    /// Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn view<'a>(
        &'a self,
        p: usize,
        records: &'a [Record],
        options: ViewOptions,
    ) -> Option<CustomerView<'a>> {
        let profile = self.profiles.get(p)?;
        let cases = self.cases_of(p);
        let case_views = options
            .cases
            .then(|| cases.iter().map(|c| c.view(records)).collect());
        let timeline = options.timeline_tail.map(|tail| {
            let skip = profile.timeline.len().saturating_sub(tail);
            profile
                .timeline
                .iter()
                .skip(skip)
                .filter_map(|&i| TimelineEntry::new(i, records, cases))
                .collect()
        });
        let texts: &str = &profile.texts;
        Some(CustomerView {
            id: profile.id,
            records: profile
                .members
                .iter()
                .filter_map(|&i| records.get(i as usize).map(|r| &r.key))
                .collect(),
            golden: profile.golden_view(records),
            identifiers: profile
                .identifiers
                .iter()
                .filter_map(|i| {
                    Some(IdentifierView {
                        kind: self.kind(i.kind)?,
                        value: i.value.of(texts),
                        display: i.display.of(texts),
                        records: i.records,
                        first_seen: i.first_seen,
                        last_seen: i.last_seen,
                    })
                })
                .collect(),
            channels: &profile.channels,
            interactions: profile.interactions,
            purchases: profile.purchases,
            complaints: profile.complaints,
            contacts: profile.contacts,
            spend_by_currency: &profile.spend_by_currency,
            first_seen: profile.first_seen,
            last_seen: profile.last_seen,
            segment: profile.segment,
            rfm: profile.rfm.as_ref(),
            case_count: cases.len(),
            cases: case_views,
            timeline_length: profile.timeline.len(),
            timeline,
        })
    }
}

/// What a [`CustomerView`] includes besides the profile itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ViewOptions {
    /// Include every case with its contacts.
    pub cases: bool,
    /// Include the last this-many timeline entries (`None`: no timeline).
    pub timeline_tail: Option<usize>,
}

/// One customer as an agent or a program sees it: golden record with
/// provenance, identifiers, value, and optionally cases and the end of the
/// timeline. Borrows from the [`Customer360`] and the input records.
#[derive(Debug, Clone, Serialize)]
pub struct CustomerView<'a> {
    /// Profile id.
    pub id: ProfileId,
    /// Member records, in key order.
    pub records: Vec<&'a RecordKey>,
    /// Golden record.
    pub golden: GoldenRecordView<'a>,
    /// Identifiers, by kind then value.
    pub identifiers: Vec<IdentifierView<'a>>,
    /// Channels in order of first use.
    pub channels: &'a [Channel],
    /// Interactions of any kind.
    pub interactions: u32,
    /// Purchases.
    pub purchases: u32,
    /// Claims and complaints.
    pub complaints: u32,
    /// Service contacts.
    pub contacts: u32,
    /// Purchase totals per currency, by currency code (a map in JSON).
    #[serde(serialize_with = "value::serialize_spend")]
    pub spend_by_currency: &'a [(String, f64)],
    /// First time any record was seen.
    pub first_seen: Option<jiff::Timestamp>,
    /// Last time any record was seen.
    pub last_seen: Option<jiff::Timestamp>,
    /// Value segment.
    pub segment: Segment,
    /// RFM scores, for customers with purchases.
    pub rfm: Option<&'a Rfm>,
    /// Number of cases.
    pub case_count: usize,
    /// Cases, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cases: Option<Vec<CaseView<'a>>>,
    /// Number of timeline entries.
    pub timeline_length: usize,
    /// The last timeline entries, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineEntry<'a>>>,
}

#[cfg(test)]
mod tests;
