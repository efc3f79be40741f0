//! Customer 360: what the resolved profiles say about each customer.
//!
//! [`Customer360::build`] takes the input records and their [`Resolution`]
//! and gives, per profile, a [golden record](golden) with provenance, every
//! identifier with first and last seen, the [timeline](timeline) of
//! interactions across channels and the [cases](cases) they form; over all
//! profiles, the [journey](journey) report and the [customer value](value)
//! (RFM scores, segments, best and worst customers); and a
//! [lookup](lookup) from any identifier, written in any format, to the
//! customer's [`CustomerView`].
//!
//! Profiles refer to records by their index in the input slice (`u32`), not
//! by copies of their keys: a view borrows keys and texts from the records
//! when it is shown. Profiles are built in parallel, one at a time per
//! thread, and come out in [`ProfileId`] order whatever the thread count.

pub mod cases;
pub mod golden;
pub mod journey;
pub mod lookup;
pub mod timeline;
pub mod value;

use std::collections::BTreeMap;
use std::ops::Range;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cluster::ProfileId;
use crate::record::{Channel, IdentifierKind, InteractionKind, Record, RecordKey};
use crate::resolve::Resolution;

use cases::{Case, CaseConfig, CaseView};
use golden::{GoldenConfig, GoldenRecord};
use journey::{JourneyConfig, JourneyReport};
use lookup::LookupIndex;
use timeline::TimelineEntry;
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

/// One identifier of a profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileIdentifier {
    /// Kind.
    pub kind: IdentifierKind,
    /// Normalized value.
    pub value: String,
    /// How it is shown (as the most recent record carrying it wrote it).
    pub display: String,
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
    /// Purchase totals per currency.
    pub spend_by_currency: BTreeMap<String, f64>,
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

fn identifiers(members: &[u32], records: &[Record], res: &Resolution) -> Vec<ProfileIdentifier> {
    let mut seen: Vec<(&IdentifierKind, &str, &str, Option<jiff::Timestamp>, u32)> = Vec::new();
    for (pos, &i) in members.iter().enumerate() {
        let (Some(r), Some(p)) = (records.get(i as usize), res.prepared.get(i as usize)) else {
            continue;
        };
        for n in &p.identifiers {
            seen.push((&n.kind, &n.value, &n.display, r.observed_at, pos as u32));
        }
    }
    seen.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    let mut out: Vec<ProfileIdentifier> = Vec::new();
    let mut shown: Option<(Option<jiff::Timestamp>, std::cmp::Reverse<u32>)> = None;
    for (kind, value, display, t, pos) in seen {
        let recency = (t, std::cmp::Reverse(pos));
        match out.last_mut() {
            Some(last) if &last.kind == kind && last.value == value => {
                last.records += 1;
                last.first_seen = earliest(last.first_seen, t);
                last.last_seen = last.last_seen.max(t);
                if shown.is_none_or(|s| recency > s) {
                    shown = Some(recency);
                    if last.display != display {
                        last.display = display.to_string();
                    }
                }
            }
            _ => {
                shown = Some(recency);
                out.push(ProfileIdentifier {
                    kind: kind.clone(),
                    value: value.to_string(),
                    display: display.to_string(),
                    records: 1,
                    first_seen: t,
                    last_seen: t,
                });
            }
        }
    }
    out
}

fn build_one(
    index: u32,
    id: ProfileId,
    mut members: Vec<u32>,
    records: &[Record],
    res: &Resolution,
    config: &ProfileConfig,
) -> (Profile, Vec<Case>) {
    let key = |i: u32| records.get(i as usize).map(|r| &r.key);
    members.sort_by(|&a, &b| key(a).cmp(&key(b)));
    let timeline = timeline::order(&members, records);
    let mut channels = Vec::new();
    let (mut interactions, mut purchases, mut complaints, mut contacts) = (0, 0, 0, 0);
    let mut spend: BTreeMap<String, f64> = BTreeMap::new();
    let mut last_purchase = None;
    for &i in &timeline {
        let Some(r) = records.get(i as usize) else {
            continue;
        };
        let Some(it) = &r.interaction else { continue };
        interactions += 1;
        if !channels.contains(&it.channel) {
            channels.push(it.channel);
        }
        if config.cases.kinds.contains(&it.kind) {
            contacts += 1;
        }
        match it.kind {
            InteractionKind::Claim => complaints += 1,
            InteractionKind::Purchase => {
                purchases += 1;
                last_purchase = last_purchase.max(event_time(r));
                if let Some(m) = &it.amount
                    && m.amount.is_finite()
                {
                    match spend.get_mut(m.currency.as_str()) {
                        Some(total) => *total += m.amount,
                        None => {
                            spend.insert(m.currency.clone(), m.amount);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    let times = members
        .iter()
        .filter_map(|&i| records.get(i as usize).and_then(|r| r.observed_at));
    let first_seen = times.clone().min();
    let last_seen = times.max();
    let cases = cases::group(index, id, &timeline, records, &config.cases);
    let profile = Profile {
        id,
        golden: golden::golden_record(&members, records, &res.prepared, &config.golden),
        identifiers: identifiers(&members, records, res),
        members,
        channels,
        timeline,
        cases: 0..0,
        interactions,
        purchases,
        complaints,
        contacts,
        spend_by_currency: spend,
        last_purchase,
        first_seen,
        last_seen,
        rfm: None,
        segment: Segment::NoPurchases,
    };
    (profile, cases)
}

/// Every profile of a resolution with its cases, the journey report, the
/// customer values and a lookup index.
#[derive(Debug, Clone)]
pub struct Customer360 {
    profiles: Vec<Profile>,
    cases: Vec<Case>,
    journey: JourneyReport,
    value: ValueReport,
    index: LookupIndex,
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
        let mut pairs: Vec<(ProfileId, u32)> = (0..records.len())
            .into_par_iter()
            .filter_map(|i| res.profile_of(i).map(|p| (p, i as u32)))
            .collect();
        pairs.par_sort_unstable();
        let mut groups: Vec<Range<usize>> = Vec::new();
        for (i, pair) in pairs.iter().enumerate() {
            match groups.last_mut() {
                Some(g) if pairs.get(g.start).is_some_and(|p| p.0 == pair.0) => g.end = i + 1,
                _ => groups.push(i..i + 1),
            }
        }
        let built: Vec<(Profile, Vec<Case>)> = groups
            .par_iter()
            .enumerate()
            .map(|(index, g)| {
                let slice = pairs.get(g.clone()).unwrap_or(&[]);
                let id = slice.first().map(|p| p.0).unwrap_or(ProfileId(0));
                let members = slice.iter().map(|p| p.1).collect();
                build_one(index as u32, id, members, records, res, config)
            })
            .collect();
        drop(pairs);
        let mut profiles = Vec::with_capacity(built.len());
        let mut cases = Vec::new();
        for (mut p, c) in built {
            p.cases = cases.len()..cases.len() + c.len();
            cases.extend(c);
            profiles.push(p);
        }
        let value = value::score(&mut profiles, records, &config.value);
        let journey = journey::report(&profiles, &cases, records, config);
        let index = LookupIndex::build(&profiles);
        Customer360 {
            profiles,
            cases,
            journey,
            value,
            index,
        }
    }

    /// Every profile, in [`ProfileId`] order.
    pub fn profiles(&self) -> &[Profile] {
        &self.profiles
    }

    /// Every case, by profile, then in order of first contact.
    pub fn cases(&self) -> &[Case] {
        &self.cases
    }

    /// The cases of profile `p` (an index into [`profiles`](Self::profiles)).
    pub fn cases_of(&self, p: usize) -> &[Case] {
        self.profiles
            .get(p)
            .and_then(|p| self.cases.get(p.cases.clone()))
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

    /// The index from identifiers to profiles.
    pub fn index(&self) -> &LookupIndex {
        &self.index
    }

    /// The view of profile `p` for a person or a program to read.
    /// `records` must be the slice the profiles were built from.
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
        Some(CustomerView {
            id: profile.id,
            records: profile
                .members
                .iter()
                .filter_map(|&i| records.get(i as usize).map(|r| &r.key))
                .collect(),
            golden: &profile.golden,
            identifiers: &profile.identifiers,
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
    pub golden: &'a GoldenRecord,
    /// Identifiers, by kind then value.
    pub identifiers: &'a [ProfileIdentifier],
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
    /// Purchase totals per currency.
    pub spend_by_currency: &'a BTreeMap<String, f64>,
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
