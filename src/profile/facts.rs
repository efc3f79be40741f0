//! What profiles read of each record, gathered in one pass in input order.
//!
//! A profile visits its records in key order, scattered over the input.
//! Reading there a record, its prepared record and the dozen heap strings
//! they point to costs a cache miss each, and that was most of the time it
//! took to build a million records' profiles. So one parallel pass in input
//! order, where records and their strings lie roughly in order in memory,
//! copies what a profile compares and shows into one small [`Fact`] per
//! record and its texts into a shared buffer; a profile then touches a line
//! or two per record.

use rayon::prelude::*;

use super::event_time;
use super::golden::{GoldenConfig, address_parts, join_into, name_key};
use crate::cluster::KindId;
use crate::graph::IdentityGraph;
use crate::prepare::PreparedRecord;
use crate::record::{Channel, IdentifierKind, InteractionKind, Outcome, Record};

/// Records per chunk: a chunk's facts and texts are built by one task.
const CHUNK_BITS: u32 = 12;
const CHUNK: usize = 1 << CHUNK_BITS;

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
    /// Where the record's texts start, and their total length.
    start: usize,
    text_len: u32,
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

/// The facts of a chunk of records and the texts and identifiers they point
/// into.
#[derive(Debug, Default)]
struct Chunk {
    facts: Vec<Fact>,
    ids: Vec<IdFact>,
    text: String,
    /// The latest time of the chunk's records (see [`Facts::latest`]).
    latest: Option<jiff::Timestamp>,
}

/// Every record's [`Fact`], by input index.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    chunks: Vec<Chunk>,
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
    /// The facts of `records` and their `prepared` records, with identifier
    /// kinds numbered as in `graph`.
    pub(crate) fn new(
        records: &[Record],
        prepared: &[PreparedRecord],
        graph: &IdentityGraph,
        config: &GoldenConfig,
    ) -> Facts {
        let kinds = Kinds {
            kinds: (0..=u16::MAX)
                .map_while(|k| graph.kind(KindId(k)).map(|kind| (kind, KindId(k))))
                .collect(),
            graph,
        };
        let n = records.len().min(prepared.len());
        let chunks: Vec<Chunk> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|c| {
                let range = c * CHUNK..((c + 1) * CHUNK).min(n);
                let records = records.get(range.clone()).unwrap_or(&[]);
                let prepared = prepared.get(range).unwrap_or(&[]);
                let mut chunk = Chunk {
                    facts: Vec::with_capacity(records.len()),
                    ids: Vec::with_capacity(records.len() * 2),
                    text: String::new(),
                    latest: None,
                };
                // Consecutive records mostly come from one source.
                let mut last: Option<(&str, u32, bool)> = None;
                for (r, p) in records.iter().zip(prepared) {
                    let source = r.key.source.as_str();
                    let (rank, trusted) = match last {
                        Some((s, rank, trusted)) if s == source => (rank, trusted),
                        _ => (config.rank(source), config.trusted(source)),
                    };
                    last = Some((source, rank, trusted));
                    let fact = fact(r, p, rank, trusted, &kinds, &mut chunk);
                    chunk.facts.push(fact);
                }
                chunk
            })
            .collect();
        let rest = records
            .get(n..)
            .unwrap_or(&[])
            .iter()
            .filter_map(event_time);
        let latest = chunks.iter().filter_map(|c| c.latest).chain(rest).max();
        Facts { chunks, latest }
    }

    /// The fact of input record `i` as it stands: its spans point into its
    /// chunk, see [`Facts::copy_texts`].
    pub(crate) fn get(&self, i: u32) -> Option<&Fact> {
        let i = i as usize;
        self.chunks.get(i >> CHUNK_BITS)?.facts.get(i & (CHUNK - 1))
    }

    /// Copies the texts of `fact`, input record `i`'s fact as [`Facts::get`]
    /// gave it, to the end of `text` and its identifiers to the end of
    /// `ids`, and points `fact` at the copies.
    pub(crate) fn copy_texts(
        &self,
        i: u32,
        fact: &mut Fact,
        text: &mut String,
        ids: &mut Vec<IdFact>,
    ) {
        let Some(chunk) = self.chunks.get(i as usize >> CHUNK_BITS) else {
            *fact = Fact::default();
            return;
        };
        let len = fact.text_len as usize;
        let start = text.len();
        text.push_str(chunk.text.get(fact.start..fact.start + len).unwrap_or(""));
        let (first, count) = (fact.ids.0 as usize, fact.ids.1 as usize);
        let own = chunk.ids.get(first..first + count).unwrap_or(&[]);
        fact.ids = (ids.len() as u32, own.len() as u32);
        ids.extend_from_slice(own);
        fact.start = start;
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
    chunk: &mut Chunk,
) -> Fact {
    let text = &mut chunk.text;
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
    let first = chunk.ids.len() as u32;
    for n in &p.identifiers {
        let Some(kind) = kinds.id(&n.kind) else {
            continue;
        };
        let offset = u32::try_from(text.len() - start).unwrap_or(u32::MAX);
        text.push_str(&n.value);
        text.push_str(&n.display);
        chunk.ids.push(IdFact {
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
    chunk.latest = chunk.latest.max(act.map_or(r.observed_at, |a| a.at));
    Fact {
        at: r.observed_at,
        start,
        text_len: u32::try_from(text.len() - start).unwrap_or(u32::MAX),
        lens,
        ids: (first, chunk.ids.len() as u32 - first),
        name_completeness: (tokens, name_chars),
        address_completeness: (parts, address_chars),
        has_gender: p.gender.is_some(),
        rank,
        birth: p.birth_date,
        trusted,
        act,
    }
}
