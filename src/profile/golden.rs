//! The golden record: one value per attribute, chosen among the values the
//! profile's records carry by a survivorship rule, with its provenance.
//!
//! Values are grouped by their normalized form (a name's folded tokens, an
//! email's matching key, a phone's E.164), so `García` and `GARCIA` count as
//! one value; the value shown is the one written in the record that is
//! cited as provenance. Every rule ends its tie-break chain on the record
//! key and then the value, so the choice never depends on input order.
//!
//! A [`Golden`] value keeps its texts in its profile's one text buffer and
//! cites its provenance record by index; a [`GoldenRecordView`] shows them
//! with the record's key.

use std::cmp::{Ordering, Reverse};

use serde::{Deserialize, Serialize};

use super::facts::{self, Span};
use super::{Members, Text};
use crate::prepare::PreparedRecord;
use crate::record::{Record, RecordKey};

/// How one attribute's surviving value is chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Survivorship {
    /// The value of the most recent record; then the most frequent.
    MostRecent,
    /// The value most records carry; then the most recent.
    MostFrequent,
    /// The value from the source listed first in
    /// [`GoldenConfig::source_priority`] (unlisted sources come last); then
    /// the most recent.
    SourcePriority,
    /// The most complete value (most tokens or address parts, then the
    /// longest); then the most frequent, then the most recent.
    MostComplete,
    /// A value carried by a trusted source
    /// ([`GoldenConfig::trusted_sources`]) before any other; then the most
    /// frequent, then the most recent.
    ValidatedFirst,
}

impl Survivorship {
    /// The snake-case name, as in configuration.
    pub fn as_str(&self) -> &'static str {
        match self {
            Survivorship::MostRecent => "most_recent",
            Survivorship::MostFrequent => "most_frequent",
            Survivorship::SourcePriority => "source_priority",
            Survivorship::MostComplete => "most_complete",
            Survivorship::ValidatedFirst => "validated_first",
        }
    }
}

/// Survivorship per attribute, and the source lists the rules read.
///
/// Source names in the lists match exactly, or by prefix when they end in
/// `*` (`crm*` matches `crm_es` and `crm_mx`).
///
/// ```
/// use omnid::profile::golden::{GoldenConfig, Survivorship};
/// let c: GoldenConfig = toml::from_str(r#"
///     email = "source_priority"
///     source_priority = ["crm*", "email_tickets"]
/// "#)?;
/// assert_eq!(c.email, Survivorship::SourcePriority);
/// assert_eq!(c.name, Survivorship::ValidatedFirst);
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GoldenConfig {
    /// The person's name. Default: validated first.
    pub name: Survivorship,
    /// Birth date. Default: validated first.
    pub birth_date: Survivorship,
    /// Gender. Default: most frequent.
    pub gender: Survivorship,
    /// The email to contact the customer at. Default: most recent.
    pub email: Survivorship,
    /// The phone to contact the customer at. Default: most recent.
    pub phone: Survivorship,
    /// Postal address, all parts from one record. Default: most complete.
    pub address: Survivorship,
    /// Sources in order of preference for `source_priority`.
    /// Default: `["crm*"]`.
    pub source_priority: Vec<String>,
    /// Sources whose values are validated (a CRM whose agents check the
    /// customer's document), for `validated_first`. Default: `["crm*"]`.
    pub trusted_sources: Vec<String>,
}

impl Default for GoldenConfig {
    fn default() -> Self {
        GoldenConfig {
            name: Survivorship::ValidatedFirst,
            birth_date: Survivorship::ValidatedFirst,
            gender: Survivorship::MostFrequent,
            email: Survivorship::MostRecent,
            phone: Survivorship::MostRecent,
            address: Survivorship::MostComplete,
            source_priority: vec!["crm*".into()],
            trusted_sources: vec!["crm*".into()],
        }
    }
}

impl GoldenConfig {
    /// Position of `source` in the priority list (unlisted: after all).
    pub(crate) fn rank(&self, source: &str) -> u32 {
        self.source_priority
            .iter()
            .position(|p| source_matches(p, source))
            .unwrap_or(self.source_priority.len()) as u32
    }

    pub(crate) fn trusted(&self, source: &str) -> bool {
        self.trusted_sources
            .iter()
            .any(|p| source_matches(p, source))
    }
}

fn source_matches(pattern: &str, source: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => source.starts_with(prefix),
        None => pattern == source,
    }
}

/// A surviving value: its texts (in the profile's
/// [`texts`](super::Profile::texts)), the record it is taken from (its
/// provenance) and how it won.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Golden {
    /// The normalized value (folded name, ISO date, E.164 phone, email
    /// matching key).
    pub value: Text,
    /// The value as the provenance record wrote it.
    pub display: Text,
    /// Index of the provenance record in the input slice.
    pub index: u32,
    /// How many of the profile's records carry the value.
    pub support: u32,
    /// How many distinct values competed.
    pub candidates: u32,
    /// The rule that chose the value.
    pub rule: Survivorship,
}

/// One surviving value per attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct GoldenRecord {
    /// Full name: the folded given and family names.
    pub name: Option<Golden>,
    /// Birth date, ISO 8601.
    pub birth_date: Option<Golden>,
    /// Gender (`m`, `f`, or as folded).
    pub gender: Option<Golden>,
    /// Email.
    pub email: Option<Golden>,
    /// Phone, E.164.
    pub phone: Option<Golden>,
    /// Postal address: street, number, locality, postcode, city, region,
    /// country, as one value.
    pub address: Option<Golden>,
}

impl GoldenRecord {
    /// The values with their texts, read from `texts` (the profile's), and
    /// their provenance, read from `records` (the slice the profile was
    /// built from). A value whose record is not there is left out.
    pub(crate) fn view<'a>(&self, texts: &'a str, records: &'a [Record]) -> GoldenRecordView<'a> {
        let read = |g: &Option<Golden>| g.as_ref().and_then(|g| g.view(texts, records));
        GoldenRecordView {
            name: read(&self.name),
            birth_date: read(&self.birth_date),
            gender: read(&self.gender),
            email: read(&self.email),
            phone: read(&self.phone),
            address: read(&self.address),
        }
    }
}

impl Golden {
    fn view<'a>(&self, texts: &'a str, records: &'a [Record]) -> Option<GoldenValue<'a>> {
        let r = records.get(self.index as usize)?;
        Some(GoldenValue {
            value: self.value.of(texts),
            display: self.display.of(texts),
            support: self.support,
            candidates: self.candidates,
            provenance: Provenance {
                record: &r.key,
                index: self.index,
                observed_at: r.observed_at,
                rule: self.rule,
            },
        })
    }
}

/// Where a surviving value came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance<'a> {
    /// The record it was taken from (its key names the source).
    pub record: &'a RecordKey,
    /// Index of that record in the input slice.
    #[serde(skip)]
    pub index: u32,
    /// When that record was observed.
    pub observed_at: Option<jiff::Timestamp>,
    /// The rule that chose the value.
    pub rule: Survivorship,
}

/// A surviving value as shown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GoldenValue<'a> {
    /// The normalized value (folded name, ISO date, E.164 phone, email
    /// matching key).
    pub value: &'a str,
    /// The value as the provenance record wrote it.
    pub display: &'a str,
    /// How many of the profile's records carry the value.
    pub support: u32,
    /// How many distinct values competed.
    pub candidates: u32,
    /// Where it came from.
    pub provenance: Provenance<'a>,
}

/// A golden record as shown: one value per attribute, with its texts.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct GoldenRecordView<'a> {
    /// Full name: the folded given and family names.
    pub name: Option<GoldenValue<'a>>,
    /// Birth date, ISO 8601.
    pub birth_date: Option<GoldenValue<'a>>,
    /// Gender (`m`, `f`, or as folded).
    pub gender: Option<GoldenValue<'a>>,
    /// Email.
    pub email: Option<GoldenValue<'a>>,
    /// Phone, E.164.
    pub phone: Option<GoldenValue<'a>>,
    /// Postal address: street, number, locality, postcode, city, region,
    /// country, as one value.
    pub address: Option<GoldenValue<'a>>,
}

/// One record's value of an attribute: its normalized form `K` (a text's
/// span, a date), where its texts lie, and what the rules read about the
/// record.
struct Obs<K> {
    key: K,
    /// The key's text's [`fingerprint`](super::fingerprint) (zeros for a
    /// key that is no text).
    print: (usize, u64, u64),
    /// The value's and its display's spans in the gathered text.
    texts: (Span, Span),
    /// Position of the record among the profile's members, which are in
    /// key order: a smaller position is a smaller key.
    pos: u32,
    at: Option<jiff::Timestamp>,
    rank: u32,
    trusted: bool,
    completeness: (u32, u32),
}

/// Buffers reused from one profile to the next.
#[derive(Default)]
pub(crate) struct Scratch {
    name: Vec<Obs<Span>>,
    birth: Vec<Obs<jiff::civil::Date>>,
    gender: Vec<Obs<Span>>,
    email: Vec<Obs<Span>>,
    phone: Vec<Obs<Span>>,
    address: Vec<Obs<Span>>,
    candidates: Vec<Candidate>,
}

/// The record an observation is made in.
#[derive(Clone, Copy)]
struct Here {
    pos: u32,
    at: Option<jiff::Timestamp>,
    rank: u32,
    trusted: bool,
}

impl Here {
    fn obs<K>(
        self,
        key: K,
        print: (usize, u64, u64),
        texts: (Span, Span),
        completeness: (u32, u32),
    ) -> Obs<K> {
        Obs {
            key,
            print,
            texts,
            pos: self.pos,
            at: self.at,
            rank: self.rank,
            trusted: self.trusted,
            completeness,
        }
    }
}

/// One distinct value and what the rules read about it.
struct Candidate {
    /// Its first observation (indices are into the observations as grouped).
    start: usize,
    support: u32,
    latest: usize,
    best_ranked: usize,
    trusted_latest: Option<usize>,
    completeness: (u32, u32),
}

/// The most recent observation first, a smaller record key on equal times.
fn recency<K>(o: &Obs<K>) -> (Option<jiff::Timestamp>, Reverse<u32>) {
    (o.at, Reverse(o.pos))
}

/// How a value won: support, candidates, and the observation it is taken
/// from.
struct Survivor<'o, K> {
    support: u32,
    candidates: u32,
    from: &'o Obs<K>,
}

/// Groups `obs` into `cands`, one per distinct value (`same`), with what
/// the rules read about each. Unsorted, each observation is compared with
/// every candidate found before it, and grouping gives up (`false`) past
/// [`SCAN`](super::SCAN) of them; sorted, with the last one only.
fn group<K: Copy>(
    obs: &[Obs<K>],
    cands: &mut Vec<Candidate>,
    same: &impl Fn(&Obs<K>, &Obs<K>) -> bool,
    sorted: bool,
) -> bool {
    cands.clear();
    for (i, o) in obs.iter().enumerate() {
        let is = |c: &Candidate| obs.get(c.start).is_some_and(|s| same(s, o));
        let found = if sorted {
            cands.last().filter(|c| is(c)).map(|_| cands.len() - 1)
        } else {
            cands.iter().position(is)
        };
        let k = match found {
            Some(k) => k,
            None if sorted || cands.len() < super::SCAN => {
                cands.push(Candidate {
                    start: i,
                    support: 0,
                    latest: i,
                    best_ranked: i,
                    trusted_latest: None,
                    completeness: o.completeness,
                });
                cands.len() - 1
            }
            None => return false,
        };
        let Some(c) = cands.get_mut(k) else { continue };
        c.support += 1;
        if recency(o) > recency(&obs[c.latest]) {
            c.latest = i;
        }
        let ranked = |x: &Obs<K>| (Reverse(x.rank), recency(x));
        if ranked(o) > ranked(&obs[c.best_ranked]) {
            c.best_ranked = i;
        }
        if o.trusted
            && c.trusted_latest
                .is_none_or(|t| recency(o) > recency(&obs[t]))
        {
            c.trusted_latest = Some(i);
        }
        c.completeness = c.completeness.max(o.completeness);
    }
    true
}

/// The surviving value among `obs` under `rule`. Values are equal when
/// `same` says so, which must agree with `order(..).is_eq()`, and ordered
/// by `order`, the order of their normalized texts; on a full tie the
/// smaller value wins. A profile's records usually repeat a few values:
/// those are found without sorting. Sorted, the observations of one value
/// keep their order (a stable sort), as the scan reads them.
fn survive<'o, K: Copy>(
    obs: &'o mut [Obs<K>],
    cands: &mut Vec<Candidate>,
    rule: Survivorship,
    order: impl Fn(K, K) -> Ordering,
    same: impl Fn(&Obs<K>, &Obs<K>) -> bool,
) -> Option<Survivor<'o, K>> {
    if obs.is_empty() {
        return None;
    }
    if !group(obs, cands, &same, false) {
        obs.sort_by(|a, b| order(a.key, b.key).then(a.pos.cmp(&b.pos)));
        group(obs, cands, &same, true);
    }
    let obs = &*obs;
    let latest = |c: &Candidate| recency(&obs[c.latest]);
    let chain = |a: &Candidate, b: &Candidate| -> Ordering {
        let by_rule = match rule {
            Survivorship::MostRecent => latest(a).cmp(&latest(b)).then(a.support.cmp(&b.support)),
            Survivorship::MostFrequent => a.support.cmp(&b.support).then(latest(a).cmp(&latest(b))),
            Survivorship::SourcePriority => {
                let ranked = |c: &Candidate| {
                    (
                        Reverse(obs[c.best_ranked].rank),
                        recency(&obs[c.best_ranked]),
                    )
                };
                ranked(a).cmp(&ranked(b)).then(a.support.cmp(&b.support))
            }
            Survivorship::MostComplete => a
                .completeness
                .cmp(&b.completeness)
                .then(a.support.cmp(&b.support))
                .then(latest(a).cmp(&latest(b))),
            Survivorship::ValidatedFirst => {
                let trusted = |c: &Candidate| c.trusted_latest.is_some();
                trusted(a)
                    .cmp(&trusted(b))
                    .then(a.support.cmp(&b.support))
                    .then(latest(a).cmp(&latest(b)))
            }
        };
        // On a full tie the smaller value wins.
        by_rule.then_with(|| match (obs.get(b.start), obs.get(a.start)) {
            (Some(x), Some(y)) => order(x.key, y.key),
            _ => b.start.cmp(&a.start),
        })
    };
    let best = cands.iter().max_by(|a, b| chain(a, b))?;
    let from = match rule {
        Survivorship::SourcePriority => best.best_ranked,
        Survivorship::ValidatedFirst => best.trusted_latest.unwrap_or(best.latest),
        _ => best.latest,
    };
    Some(Survivor {
        support: best.support,
        candidates: cands.len() as u32,
        from: obs.get(from)?,
    })
}

/// Appends the raw optional parts to `out`, trimmed, joined with `sep`,
/// skipping empty ones.
pub(crate) fn join_into<'a>(
    out: &mut String,
    parts: impl Iterator<Item = Option<&'a str>>,
    sep: &str,
) {
    let start = out.len();
    for p in parts.flatten().map(str::trim).filter(|p| !p.is_empty()) {
        if out.len() > start {
            out.push_str(sep);
        }
        out.push_str(p);
    }
}

/// Appends the name's folded given and family names, joined by one space,
/// and gives the number of tokens; `None` when the record has no name.
pub(crate) fn name_key(p: &PreparedRecord, out: &mut String) -> Option<u32> {
    let n = p.name.as_ref()?;
    for (k, t) in n.given.iter().chain(&n.family).enumerate() {
        if k > 0 {
            out.push(' ');
        }
        out.push_str(t);
    }
    Some((n.given.len() + n.family.len()) as u32)
}

/// The folded address parts, in the order they are joined.
pub(crate) fn address_parts(p: &PreparedRecord) -> impl Iterator<Item = Option<&str>> {
    [
        &p.street,
        &p.street_number,
        &p.locality,
        &p.postcode,
        &p.city,
        &p.region,
        &p.country,
    ]
    .into_iter()
    .map(|x| x.as_deref())
}

/// The golden record of the profile whose records are `members`; the
/// texts of its values are appended to `texts`.
pub(crate) fn golden_record(
    config: &GoldenConfig,
    members: &Members<'_>,
    s: &mut Scratch,
    texts: &mut String,
) -> GoldenRecord {
    s.name.clear();
    s.birth.clear();
    s.gender.clear();
    s.email.clear();
    s.phone.clear();
    s.address.clear();
    let empty = ((0, 0), (0, 0));
    let print = |span: Span| super::fingerprint(members.text(span));
    for (pos, f) in members.facts.iter().enumerate() {
        let at = Here {
            pos: pos as u32,
            at: f.at,
            rank: f.rank,
            trusted: f.trusted,
        };
        if let Some(name) = f.name() {
            s.name
                .push(at.obs(name.0, print(name.0), name, f.name_completeness));
        }
        if let Some(d) = f.birth {
            s.birth.push(at.obs(d, (0, 0, 0), empty, (1, 10)));
        }
        if let Some(g) = f.gender() {
            s.gender
                .push(at.obs(g.0, print(g.0), g, (1, (g.0.1 - g.0.0) as u32)));
        }
        if let Some(a) = f.address() {
            s.address
                .push(at.obs(a.0, print(a.0), a, f.address_completeness));
        }
        for id in facts::identifiers(f, members.ids) {
            let (target, rule) = if Some(id.kind) == members.email {
                (&mut s.email, config.email)
            } else if Some(id.kind) == members.phone {
                (&mut s.phone, config.phone)
            } else {
                continue;
            };
            let (value, display) = f.identifier(id);
            // Only `most_complete` reads the length.
            let len = match rule {
                Survivorship::MostComplete => members.text(display).chars().count() as u32,
                _ => 0,
            };
            target.push(at.obs(value, print(value), (value, display), (1, len)));
        }
    }
    let by_text = |a: Span, b: Span| members.text(a).cmp(members.text(b));
    // Equal prints of at most 16 bytes are equal texts.
    let same_text = |a: &Obs<Span>, b: &Obs<Span>| {
        a.print == b.print && (a.print.0 <= 16 || members.text(a.key) == members.text(b.key))
    };
    // The order of the ISO texts (`-00YYYY-MM-DD` before a year's zero),
    // without writing them.
    let iso = |d: jiff::civil::Date| (d.year() >= 0, d.year().unsigned_abs(), d.month(), d.day());
    let by_iso = |a: jiff::civil::Date, b: jiff::civil::Date| iso(a).cmp(&iso(b));
    let cands = &mut s.candidates;
    let index = members.index;
    let golden = |w: Option<Survivor<'_, _>>, rule, texts: &mut String| {
        let w = w?;
        let (value, display) = w.from.texts;
        let (value, display) = Text::pair(texts, members.text(value), members.text(display));
        Some(Golden {
            value,
            display,
            index: *index.get(w.from.pos as usize)?,
            support: w.support,
            candidates: w.candidates,
            rule,
        })
    };
    let birth_date = survive(&mut s.birth, cands, config.birth_date, by_iso, |a, b| {
        a.key == b.key
    })
    .and_then(|w| {
        let iso = Text::put_display(texts, w.from.key);
        Some(Golden {
            value: iso,
            display: iso,
            index: *index.get(w.from.pos as usize)?,
            support: w.support,
            candidates: w.candidates,
            rule: config.birth_date,
        })
    });
    GoldenRecord {
        name: golden(
            survive(&mut s.name, cands, config.name, by_text, same_text),
            config.name,
            texts,
        ),
        birth_date,
        gender: golden(
            survive(&mut s.gender, cands, config.gender, by_text, same_text),
            config.gender,
            texts,
        ),
        email: golden(
            survive(&mut s.email, cands, config.email, by_text, same_text),
            config.email,
            texts,
        ),
        phone: golden(
            survive(&mut s.phone, cands, config.phone, by_text, same_text),
            config.phone,
            texts,
        ),
        address: golden(
            survive(&mut s.address, cands, config.address, by_text, same_text),
            config.address,
            texts,
        ),
    }
}
