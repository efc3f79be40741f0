//! The golden record: one value per attribute, chosen among the values the
//! profile's records carry by a survivorship rule, with its provenance.
//!
//! Values are grouped by their normalized form (a name's folded tokens, an
//! email's matching key, a phone's E.164), so `García` and `GARCIA` count as
//! one value; the value shown is the one written in the record that is
//! cited as provenance. Every rule ends its tie-break chain on the record
//! key and then the value, so the choice never depends on input order.

use std::borrow::Cow;
use std::cmp::{Ordering, Reverse};

use serde::{Deserialize, Serialize};

use crate::prepare::PreparedRecord;
use crate::record::{IdentifierKind, Record, RecordKey};

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
    fn rank(&self, source: &str) -> u32 {
        self.source_priority
            .iter()
            .position(|p| source_matches(p, source))
            .unwrap_or(self.source_priority.len()) as u32
    }

    fn trusted(&self, source: &str) -> bool {
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

/// Where a surviving value came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Provenance {
    /// The record it was taken from (its key names the source).
    pub record: RecordKey,
    /// Index of that record in the input slice.
    #[serde(skip)]
    pub index: u32,
    /// When that record was observed.
    pub observed_at: Option<jiff::Timestamp>,
    /// The rule that chose the value.
    pub rule: Survivorship,
}

/// A surviving value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Golden {
    /// The normalized value (folded name, ISO date, E.164 phone, email
    /// matching key).
    pub value: String,
    /// The value as the provenance record wrote it.
    pub display: String,
    /// How many of the profile's records carry the value.
    pub support: u32,
    /// How many distinct values competed.
    pub candidates: u32,
    /// Where it came from.
    pub provenance: Provenance,
}

/// One surviving value per attribute.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
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

/// One record's value of an attribute.
struct Obs<'a> {
    key: Cow<'a, str>,
    display: Cow<'a, str>,
    /// Position of the record among the profile's members, which are in
    /// key order: a smaller position is a smaller key.
    pos: u32,
    at: Option<jiff::Timestamp>,
    rank: u32,
    trusted: bool,
    completeness: (u32, u32),
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
    fn obs<'a>(
        self,
        key: Cow<'a, str>,
        display: Cow<'a, str>,
        completeness: (u32, u32),
    ) -> Obs<'a> {
        Obs {
            key,
            display,
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
    start: usize,
    support: u32,
    latest: usize,
    best_ranked: usize,
    trusted_latest: Option<usize>,
    completeness: (u32, u32),
}

/// The most recent observation first, a smaller record key on equal times.
fn recency(o: &Obs<'_>) -> (Option<jiff::Timestamp>, Reverse<u32>) {
    (o.at, Reverse(o.pos))
}

/// The surviving value among `obs` under `rule`.
fn survive(
    mut obs: Vec<Obs<'_>>,
    rule: Survivorship,
    records: &[Record],
    members: &[u32],
) -> Option<Golden> {
    if obs.is_empty() {
        return None;
    }
    obs.sort_by(|a, b| a.key.cmp(&b.key).then(a.pos.cmp(&b.pos)));
    let mut cands: Vec<Candidate> = Vec::new();
    for (i, o) in obs.iter().enumerate() {
        let same = cands.last().is_some_and(|c| obs[c.start].key == o.key);
        if !same {
            cands.push(Candidate {
                start: i,
                support: 0,
                latest: i,
                best_ranked: i,
                trusted_latest: None,
                completeness: o.completeness,
            });
        }
        let Some(c) = cands.last_mut() else { continue };
        c.support += 1;
        if recency(o) > recency(&obs[c.latest]) {
            c.latest = i;
        }
        let ranked = |x: &Obs<'_>| (Reverse(x.rank), recency(x));
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
        // Candidates are in value order: on a full tie the smaller value wins.
        by_rule.then(b.start.cmp(&a.start))
    };
    let best = cands.iter().max_by(|a, b| chain(a, b))?;
    let from = match rule {
        Survivorship::SourcePriority => best.best_ranked,
        Survivorship::ValidatedFirst => best.trusted_latest.unwrap_or(best.latest),
        _ => best.latest,
    };
    let o = obs.get(from)?;
    let index = *members.get(o.pos as usize)?;
    let record = records.get(index as usize)?;
    Some(Golden {
        value: o.key.to_string(),
        display: o.display.to_string(),
        support: best.support,
        candidates: cands.len() as u32,
        provenance: Provenance {
            record: record.key.clone(),
            index,
            observed_at: record.observed_at,
            rule,
        },
    })
}

/// Text of raw optional parts joined with `sep`, skipping empty ones.
fn joined<'a>(parts: impl Iterator<Item = Option<&'a str>>, sep: &str) -> String {
    let mut out = String::new();
    for p in parts.flatten().map(str::trim).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push_str(sep);
        }
        out.push_str(p);
    }
    out
}

/// The golden record of the profile whose records (indices into `records`
/// and `prepared`, in key order) are `members`.
pub(crate) fn golden_record(
    members: &[u32],
    records: &[Record],
    prepared: &[PreparedRecord],
    config: &GoldenConfig,
) -> GoldenRecord {
    let mut name = Vec::new();
    let mut birth = Vec::new();
    let mut gender = Vec::new();
    let mut email = Vec::new();
    let mut phone = Vec::new();
    let mut address = Vec::new();
    for (pos, &i) in members.iter().enumerate() {
        let (Some(r), Some(p)) = (records.get(i as usize), prepared.get(i as usize)) else {
            continue;
        };
        let source = r.key.source.as_str();
        let at = Here {
            pos: pos as u32,
            at: r.observed_at,
            rank: config.rank(source),
            trusted: config.trusted(source),
        };
        let obs = |key, display, completeness| at.obs(key, display, completeness);
        let a = &r.attributes;
        if let Some(n) = &p.name {
            let tokens = (n.given.len() + n.family.len()) as u32;
            let key = match (n.given.is_empty(), n.family.is_empty()) {
                (false, false) => Cow::Owned(format!("{} {}", n.given_joined(), n.family_joined())),
                (false, true) => Cow::Owned(n.given_joined()),
                (true, false) => Cow::Owned(n.family_joined()),
                (true, true) => Cow::Borrowed(""),
            };
            if !key.is_empty() {
                let display = match a.full_name.as_deref().map(str::trim) {
                    Some(full) if !full.is_empty() => Cow::Borrowed(full),
                    _ => Cow::Owned(joined(
                        [a.given_names.as_deref(), a.family_names.as_deref()].into_iter(),
                        " ",
                    )),
                };
                let len = key.chars().count() as u32;
                name.push(obs(key, display, (tokens, len)));
            }
        }
        if let Some(d) = p.birth_date {
            let iso: Cow<'_, str> = Cow::Owned(d.to_string());
            birth.push(obs(iso.clone(), iso, (1, 10)));
        }
        if let Some(g) = &p.gender {
            let display = a.gender.as_deref().map(str::trim).unwrap_or(g);
            gender.push(obs(
                Cow::Borrowed(g),
                Cow::Borrowed(display),
                (1, g.len() as u32),
            ));
        }
        for id in &p.identifiers {
            let target = match id.kind {
                IdentifierKind::Email => &mut email,
                IdentifierKind::Phone => &mut phone,
                _ => continue,
            };
            let len = id.display.chars().count() as u32;
            target.push(obs(
                Cow::Borrowed(&id.value),
                Cow::Borrowed(&id.display),
                (1, len),
            ));
        }
        let parts = [
            &p.street,
            &p.street_number,
            &p.locality,
            &p.postcode,
            &p.city,
            &p.region,
            &p.country,
        ];
        let count = parts.iter().filter(|x| x.is_some()).count() as u32;
        if count > 0 {
            let key = joined(parts.iter().map(|x| x.as_deref()), ", ");
            let ad = &a.address;
            let display = joined(
                [
                    &ad.street,
                    &ad.number,
                    &ad.locality,
                    &ad.postcode,
                    &ad.city,
                    &ad.region,
                    &ad.country,
                ]
                .iter()
                .map(|x| x.as_deref()),
                ", ",
            );
            let len = key.chars().count() as u32;
            address.push(obs(Cow::Owned(key), Cow::Owned(display), (count, len)));
        }
    }
    GoldenRecord {
        name: survive(name, config.name, records, members),
        birth_date: survive(birth, config.birth_date, records, members),
        gender: survive(gender, config.gender, records, members),
        email: survive(email, config.email, records, members),
        phone: survive(phone, config.phone, records, members),
        address: survive(address, config.address, records, members),
    }
}
