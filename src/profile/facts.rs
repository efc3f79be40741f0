//! What profiles read of each record, copied once into the order profiles
//! read it.
//!
//! A profile visits its records in key order, scattered over the input.
//! Reading there a record, its prepared record and the dozen heap strings
//! they point to costs a cache miss each, and that was most of the time it
//! took to build a million records' profiles. So one parallel pass in input
//! order, where records and their strings lie roughly in order in memory,
//! copies what a profile compares and shows into one small [`Fact`] per
//! record and its texts into a buffer, and files them by destination: the
//! profiles are cut into buckets of a few thousand records, and each task
//! writes a part per bucket. The task that builds a bucket's profiles
//! first puts its parts' facts in profile order, in a buffer it reuses from
//! bucket to bucket (no fresh memory to fault in, and the facts are still
//! in cache when its profiles read them). A profile reads its records'
//! facts one after the other; nothing is gathered from random places
//! (gathering each batch of profiles' facts from the input-order digest
//! was a quarter of the build: one cache and TLB miss per line).

use rayon::prelude::*;

use super::event_time;
use super::golden::{GoldenConfig, address_parts, join_into, name_key};
use crate::cluster::{KindId, RecordId};
use crate::graph::IdentityGraph;
use crate::prepare::PreparedRecord;
use crate::record::{Channel, IdentifierKind, InteractionKind, Outcome, Record};

/// Input records per task that makes facts (fewer in unit tests, so that
/// small inputs have several tasks and buckets).
const TASK: usize = if cfg!(test) { 1 << 10 } else { 1 << 15 };

/// Records per bucket, about: a bucket ends at the first profile boundary
/// after this many records (or holds one larger profile).
const BUCKET: usize = if cfg!(test) { 1 << 8 } else { 1 << 12 };

/// A record's texts, in the order they follow each other from
/// [`Fact::start`]; its identifiers' values and displays come after them.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Field {
    /// The folded given and family names joined by one space.
    NameKey,
    /// The name as written.
    NameDisplay,
    /// The folded gender.
    GenderKey,
    /// The gender as written.
    GenderDisplay,
    /// The folded address parts joined by `, `.
    AddressKey,
    /// The address parts as written, joined by `, `.
    AddressDisplay,
}

const FIELDS: usize = 6;

/// Where a text lies in the text its fact points into: start and end.
pub(crate) type Span = (usize, usize);

/// One identifier of a record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct IdFact {
    /// Its kind in the identity graph.
    pub(crate) kind: KindId,
    /// Where its value starts, from the record's [`Fact::start`].
    offset: u32,
    value_len: u32,
    display_len: u32,
}

/// The interaction a record describes, as its profile reads it: the
/// timeline, cases, journeys and values then never go back to the record.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Act {
    /// When it happened: its own time, else the record's.
    pub(crate) at: Option<jiff::Timestamp>,
    pub(crate) channel: Channel,
    pub(crate) kind: InteractionKind,
    pub(crate) outcome: Option<Outcome>,
    /// The amount, when there is one and it is finite; its currency's text
    /// follows the identifiers'.
    pub(crate) amount: Option<f64>,
    /// Where the currency starts, from the record's [`Fact::start`]; the
    /// case reference (trimmed, never empty) follows it.
    offset: u32,
    currency_len: u32,
    case_ref_len: u32,
}

/// One record, as its profile reads it.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Fact {
    /// When the record was observed.
    pub(crate) at: Option<jiff::Timestamp>,
    /// Where the record's texts start.
    start: usize,
    /// The length of each [`Field`].
    lens: [u32; FIELDS],
    /// Where the record's identifiers start in their list, and how many.
    ids: (u32, u32),
    /// Name tokens and characters, for `most_complete`; no name, no tokens.
    pub(crate) name_completeness: (u32, u32),
    /// Address parts and characters, for `most_complete`; no parts, no
    /// address.
    pub(crate) address_completeness: (u32, u32),
    /// The record has a gender (possibly empty).
    has_gender: bool,
    /// Position of the source in the golden configuration's priority list.
    pub(crate) rank: u32,
    /// Birth date.
    pub(crate) birth: Option<jiff::civil::Date>,
    /// The source is trusted for `validated_first`.
    pub(crate) trusted: bool,
    /// The interaction the record describes.
    pub(crate) act: Option<Act>,
}

impl Fact {
    /// Where `field` lies.
    pub(crate) fn span(&self, field: Field) -> Span {
        let k = field as usize;
        let before: usize = self.lens.iter().take(k).map(|&l| l as usize).sum();
        let start = self.start + before;
        (
            start,
            start + self.lens.get(k).copied().unwrap_or(0) as usize,
        )
    }

    /// The name key and display, when the key is not empty.
    pub(crate) fn name(&self) -> Option<(Span, Span)> {
        (self.lens[Field::NameKey as usize] > 0)
            .then(|| (self.span(Field::NameKey), self.span(Field::NameDisplay)))
    }

    /// The gender key and display.
    pub(crate) fn gender(&self) -> Option<(Span, Span)> {
        self.has_gender
            .then(|| (self.span(Field::GenderKey), self.span(Field::GenderDisplay)))
    }

    /// The address key and display.
    pub(crate) fn address(&self) -> Option<(Span, Span)> {
        (self.address_completeness.0 > 0).then(|| {
            (
                self.span(Field::AddressKey),
                self.span(Field::AddressDisplay),
            )
        })
    }

    /// The currency of the act's amount and its case reference, if any.
    pub(crate) fn act_texts(&self, act: &Act) -> (Span, Option<Span>) {
        let currency = self.start + act.offset as usize;
        let case_ref = currency + act.currency_len as usize;
        (
            (currency, case_ref),
            (act.case_ref_len > 0).then_some((case_ref, case_ref + act.case_ref_len as usize)),
        )
    }

    /// The value and display of identifier `id` of this record.
    pub(crate) fn identifier(&self, id: &IdFact) -> (Span, Span) {
        let value = self.start + id.offset as usize;
        let display = value + id.value_len as usize;
        (
            (value, display),
            (display, display + id.display_len as usize),
        )
    }
}

/// The facts one task made for one bucket, in input order: each with its
/// position among the profiles' records, its texts and its identifiers.
#[derive(Debug)]
struct Part {
    pos: Vec<u32>,
    facts: Vec<Fact>,
    ids: Vec<IdFact>,
    text: String,
}

/// The facts of a run of whole profiles' records, in profile order, with
/// the texts and identifiers they point into.
#[derive(Debug, Default)]
pub(crate) struct Bucket {
    /// The position of its first record among the profiles' records.
    first: usize,
    facts: Vec<Fact>,
    ids: Vec<IdFact>,
    text: String,
}

/// A run of records' facts, one after the other, and the texts and
/// identifiers they point into.
pub(crate) struct Run<'a> {
    pub(crate) facts: &'a [Fact],
    pub(crate) text: &'a str,
    pub(crate) ids: &'a [IdFact],
}

/// Every profiled record's [`Fact`], filed by bucket: each bucket's facts
/// in the parts the tasks wrote, in input order, each with its position
/// among the profiles' records (`Groups::members`).
#[derive(Debug)]
pub(crate) struct Facts {
    /// Each bucket's parts, in task order.
    parts: Vec<Vec<Part>>,
    /// The first position of each bucket, and the end of the last.
    starts: Vec<usize>,
    /// The first profile of each bucket, and the number of profiles.
    first_profile: Vec<usize>,
    /// The latest time of any record: its interaction's, else its own.
    pub(crate) latest: Option<jiff::Timestamp>,
}

fn len32(s: &str) -> u32 {
    u32::try_from(s.len()).unwrap_or(u32::MAX)
}

fn chars32(s: &str) -> u32 {
    u32::try_from(s.chars().count()).unwrap_or(u32::MAX)
}

/// The graph's id of each identifier kind, looked up by comparing: a
/// handful of kinds is the rule.
struct Kinds<'a> {
    kinds: Vec<(&'a IdentifierKind, KindId)>,
    graph: &'a IdentityGraph,
}

impl Kinds<'_> {
    fn id(&self, kind: &IdentifierKind) -> Option<KindId> {
        if self.kinds.len() <= 16 {
            self.kinds.iter().find(|k| k.0 == kind).map(|k| k.1)
        } else {
            self.graph.kind_id(kind)
        }
    }
}

impl Facts {
    /// The facts of `records` and their `prepared` records, which are the
    /// graph's records `ids`, with identifier kinds numbered as in `graph`,
    /// for profiles whose records are `members` (input indices, profile
    /// after profile), profile `p`'s from `bounds[p]` to `bounds[p + 1]`;
    /// every profile has a record (`bounds` ascends strictly). Each
    /// bucket's facts stay in the parts the tasks wrote, until
    /// [`Bucket::fill`] puts them in order.
    pub(crate) fn new(
        records: &[Record],
        prepared: &[PreparedRecord],
        ids: &[RecordId],
        graph: &IdentityGraph,
        config: &GoldenConfig,
        members: &[u32],
        bounds: &[usize],
    ) -> Facts {
        let kinds = Kinds {
            kinds: (0..=u16::MAX)
                .map_while(|k| graph.kind(KindId(k)).map(|kind| (kind, KindId(k))))
                .collect(),
            graph,
        };
        // Buckets end at profile boundaries; each profile is in the bucket
        // open when it starts.
        let mut starts = vec![0];
        let mut first_profile = vec![0];
        for (p, &b) in bounds.iter().enumerate().skip(1) {
            if b - starts.last().copied().unwrap_or(0) >= BUCKET {
                starts.push(b);
                first_profile.push(p);
            }
        }
        let end = bounds.last().copied().unwrap_or(0);
        let profiles = bounds.len().saturating_sub(1);
        if starts.last() != Some(&end) {
            starts.push(end);
            first_profile.push(profiles);
        }
        let buckets = starts.len() - 1;
        // Each record's bucket and position (`u32::MAX`: in no profile).
        let mut slot_of = vec![(u32::MAX, u32::MAX); records.len()];
        for (b, w) in starts.windows(2).enumerate() {
            let (from, to) = (w[0], w[1]);
            for (&i, pos) in members.get(from..to).unwrap_or(&[]).iter().zip(from..) {
                if let Some(s) = slot_of.get_mut(i as usize) {
                    *s = (b as u32, pos as u32);
                }
            }
        }
        let n = records.len().min(prepared.len());
        // Each source's rank and trust, by the graph's source number.
        let by_source: Vec<(u32, bool)> = graph
            .sources()
            .iter()
            .map(|s| (config.rank(s), config.trusted(s)))
            .collect();
        let made: Vec<(Vec<Part>, Option<jiff::Timestamp>)> = (0..n.div_ceil(TASK))
            .into_par_iter()
            .map(|t| {
                let range = t * TASK..((t + 1) * TASK).min(n);
                let records = records.get(range.clone()).unwrap_or(&[]);
                let prepared = prepared.get(range.clone()).unwrap_or(&[]);
                let slot_of = slot_of.get(range.clone()).unwrap_or(&[]);
                let mut counts = vec![0usize; buckets];
                for &(b, _) in slot_of {
                    if let Some(c) = counts.get_mut(b as usize) {
                        *c += 1;
                    }
                }
                let mut parts: Vec<Part> = counts
                    .iter()
                    .map(|&c| Part {
                        pos: Vec::with_capacity(c),
                        facts: Vec::with_capacity(c),
                        ids: Vec::with_capacity(c * 2),
                        text: String::with_capacity(c * 96),
                    })
                    .collect();
                let mut latest = None;
                for (i, ((r, p), &(b, pos))) in
                    records.iter().zip(prepared).zip(slot_of).enumerate()
                {
                    let Some(part) = parts.get_mut(b as usize) else {
                        latest = latest.max(event_time(r));
                        continue;
                    };
                    // The graph's source numbers spare reading each
                    // record's source name.
                    let known = ids
                        .get(range.start + i)
                        .and_then(|&id| graph.source_index(id))
                        .and_then(|s| by_source.get(s as usize));
                    let (rank, trusted) = match known {
                        Some(&known) => known,
                        None => (config.rank(&r.key.source), config.trusted(&r.key.source)),
                    };
                    let fact = fact(r, p, rank, trusted, &kinds, &mut part.text, &mut part.ids);
                    latest = latest.max(fact.act.map_or(fact.at, |a| a.at));
                    part.pos.push(pos);
                    part.facts.push(fact);
                }
                (parts, latest)
            })
            .collect();
        let rest = records
            .get(n..)
            .unwrap_or(&[])
            .iter()
            .filter_map(event_time);
        let latest = made.iter().filter_map(|m| m.1).chain(rest).max();
        // Each bucket's parts, in task order.
        let mut by_bucket: Vec<Vec<Part>> = (0..buckets).map(|_| Vec::new()).collect();
        for (parts, _) in made {
            for (b, part) in parts.into_iter().enumerate() {
                if let Some(list) = by_bucket.get_mut(b) {
                    list.push(part);
                }
            }
        }
        Facts {
            parts: by_bucket,
            starts,
            first_profile,
            latest,
        }
    }

    /// Each bucket's work, in order: the profiles whose records it holds,
    /// the position of its first record, how many records it holds, and
    /// the parts its facts are in.
    pub(crate) fn into_buckets(self) -> impl Iterator<Item = BucketParts> {
        let Facts {
            parts,
            starts,
            first_profile,
            ..
        } = self;
        parts.into_iter().enumerate().map(move |(b, parts)| {
            let from = starts.get(b).copied().unwrap_or(0);
            let to = starts.get(b + 1).copied().unwrap_or(from);
            let p = first_profile.get(b).copied().unwrap_or(0);
            let q = first_profile.get(b + 1).copied().unwrap_or(p);
            BucketParts {
                profiles: p..q,
                first: from,
                len: to.saturating_sub(from),
                parts,
            }
        })
    }
}

/// One bucket's work: see [`Facts::into_buckets`].
#[derive(Debug)]
pub(crate) struct BucketParts {
    pub(crate) profiles: std::ops::Range<usize>,
    first: usize,
    len: usize,
    parts: Vec<Part>,
}

impl Bucket {
    /// Puts the facts of `work`'s parts in profile order, in this bucket's
    /// buffers (reused from one bucket to the next: no fresh memory), and
    /// frees the parts.
    pub(crate) fn fill(&mut self, work: BucketParts) {
        let BucketParts {
            first, len, parts, ..
        } = work;
        self.first = first;
        self.facts.clear();
        self.facts.resize(len, Fact::default());
        self.ids.clear();
        self.text.clear();
        for part in parts {
            let (text_base, ids_base) = (self.text.len(), self.ids.len() as u32);
            self.text.push_str(&part.text);
            self.ids.extend_from_slice(&part.ids);
            for (&pos, mut fact) in part.pos.iter().zip(part.facts) {
                fact.start += text_base;
                fact.ids.0 += ids_base;
                if let Some(slot) = self.facts.get_mut((pos as usize).wrapping_sub(first)) {
                    *slot = fact;
                }
            }
        }
    }

    /// Frees the buffers when the bucket just built was much larger than
    /// most (one profile of many records): a task keeps its buffers until
    /// it ends.
    pub(crate) fn trim(&mut self) {
        if self.facts.capacity() > 4 * BUCKET {
            *self = Bucket::default();
        }
    }

    /// The facts of the records at positions `from..to`, which this bucket
    /// holds.
    pub(crate) fn run(&self, from: usize, to: usize) -> Run<'_> {
        Run {
            facts: self
                .facts
                .get(from.saturating_sub(self.first)..to.saturating_sub(self.first))
                .unwrap_or(&[]),
            text: &self.text,
            ids: &self.ids,
        }
    }
}

/// The identifiers of `fact` among `ids` (as the fact was copied with).
pub(crate) fn identifiers<'i>(fact: &Fact, ids: &'i [IdFact]) -> &'i [IdFact] {
    let (first, count) = (fact.ids.0 as usize, fact.ids.1 as usize);
    ids.get(first..first + count).unwrap_or(&[])
}

fn fact(
    r: &Record,
    p: &PreparedRecord,
    rank: u32,
    trusted: bool,
    kinds: &Kinds<'_>,
    text: &mut String,
    ids: &mut Vec<IdFact>,
) -> Fact {
    let a = &r.attributes;
    let start = text.len();
    let mut lens = [0u32; FIELDS];
    let mut mark = |text: &String, field: Field, from: usize| {
        if let Some(l) = lens.get_mut(field as usize) {
            *l = u32::try_from(text.len() - from).unwrap_or(u32::MAX);
        }
        text.len()
    };
    let tokens = name_key(p, text).unwrap_or(0);
    let name_chars = text.get(start..).map_or(0, chars32);
    let mut from = mark(text, Field::NameKey, start);
    if tokens > 0 || p.name.is_some() {
        match a.full_name.as_deref().map(str::trim) {
            Some(full) if !full.is_empty() => text.push_str(full),
            _ => join_into(
                text,
                [a.given_names.as_deref(), a.family_names.as_deref()].into_iter(),
                " ",
            ),
        }
    }
    from = mark(text, Field::NameDisplay, from);
    if let Some(g) = p.gender.as_deref() {
        text.push_str(g);
    }
    from = mark(text, Field::GenderKey, from);
    if let Some(g) = p.gender.as_deref() {
        text.push_str(a.gender.as_deref().map(str::trim).unwrap_or(g));
    }
    from = mark(text, Field::GenderDisplay, from);
    let parts = address_parts(p).filter(Option::is_some).count() as u32;
    if parts > 0 {
        join_into(text, address_parts(p), ", ");
    }
    let address_chars = text.get(from..).map_or(0, chars32);
    from = mark(text, Field::AddressKey, from);
    if parts > 0 {
        let ad = &a.address;
        let raw = [
            &ad.street,
            &ad.number,
            &ad.locality,
            &ad.postcode,
            &ad.city,
            &ad.region,
            &ad.country,
        ];
        join_into(text, raw.iter().map(|x| x.as_deref()), ", ");
    }
    mark(text, Field::AddressDisplay, from);
    let first = ids.len() as u32;
    for n in &p.identifiers {
        let Some(kind) = kinds.id(&n.kind) else {
            continue;
        };
        let offset = u32::try_from(text.len() - start).unwrap_or(u32::MAX);
        text.push_str(&n.value);
        text.push_str(&n.display);
        ids.push(IdFact {
            kind,
            offset,
            value_len: len32(&n.value),
            display_len: len32(&n.display),
        });
    }
    let act = r.interaction.as_ref().map(|it| {
        let offset = u32::try_from(text.len() - start).unwrap_or(u32::MAX);
        let amount = it.amount.as_ref().filter(|m| m.amount.is_finite());
        if let Some(m) = amount {
            text.push_str(&m.currency);
        }
        let currency_len = u32::try_from(text.len() - start).unwrap_or(u32::MAX) - offset;
        let case_ref = it.case_ref.as_deref().map(str::trim).unwrap_or("");
        text.push_str(case_ref);
        Act {
            at: it.at.or(r.observed_at),
            channel: it.channel,
            kind: it.kind,
            outcome: it.outcome,
            amount: amount.map(|m| m.amount),
            offset,
            currency_len,
            case_ref_len: len32(case_ref),
        }
    });
    Fact {
        at: r.observed_at,
        start,
        lens,
        ids: (first, ids.len() as u32 - first),
        name_completeness: (tokens, name_chars),
        address_completeness: (parts, address_chars),
        has_gender: p.gender.is_some(),
        rank,
        birth: p.birth_date,
        trusted,
        act,
    }
}
