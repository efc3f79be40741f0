//! Profiles: one view per customer built from the resolved records.
//!
//! Survivorship here is "most frequent, then most recent, then smallest
//! record key": every surviving value keeps the record it came from.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::cluster::ProfileId;
use crate::record::{Channel, IdentifierKind, Record, RecordKey};
use crate::resolve::Resolution;

/// A value with the record it was taken from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Sourced<T> {
    /// The value.
    pub value: T,
    /// How many records of the profile carry it.
    pub support: u32,
    /// The record it was taken from (the most recent carrying it).
    pub record: RecordKey,
    /// When that record was observed.
    pub observed_at: Option<jiff::Timestamp>,
}

/// One identifier of a profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileIdentifier {
    /// Kind.
    pub kind: IdentifierKind,
    /// Normalized value.
    pub value: String,
    /// How it is shown.
    pub display: String,
    /// Records carrying it.
    pub records: u32,
    /// First time seen.
    pub first_seen: Option<jiff::Timestamp>,
    /// Last time seen.
    pub last_seen: Option<jiff::Timestamp>,
}

/// The customer view.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Profile {
    /// Stable id.
    pub id: ProfileId,
    /// Member records, by key.
    pub records: Vec<RecordKey>,
    /// Given names (folded), with provenance.
    pub given_names: Option<Sourced<String>>,
    /// Family names (folded), with provenance.
    pub family_names: Option<Sourced<String>>,
    /// Birth date, ISO, with provenance.
    pub birth_date: Option<Sourced<String>>,
    /// City, with provenance.
    pub city: Option<Sourced<String>>,
    /// Every identifier.
    pub identifiers: Vec<ProfileIdentifier>,
    /// Channels the customer used, in order of first use.
    pub channels: Vec<Channel>,
    /// Interactions.
    pub interactions: u32,
    /// Number of purchases.
    pub purchases: u32,
    /// Purchase totals per currency.
    pub spend_by_currency: BTreeMap<String, f64>,
    /// First time any record was seen.
    pub first_seen: Option<jiff::Timestamp>,
    /// Last time any record was seen.
    pub last_seen: Option<jiff::Timestamp>,
}

fn survivor<'a>(
    members: &[usize],
    records: &'a [Record],
    value: impl Fn(usize) -> Option<String>,
) -> Option<Sourced<String>> {
    let mut tally: BTreeMap<String, (u32, Option<jiff::Timestamp>, &'a RecordKey)> =
        BTreeMap::new();
    for &i in members {
        let Some(v) = value(i) else { continue };
        let r = &records[i];
        let e = tally.entry(v).or_insert((0, r.observed_at, &r.key));
        e.0 += 1;
        if (r.observed_at, std::cmp::Reverse(&r.key)) > (e.1, std::cmp::Reverse(e.2)) {
            e.1 = r.observed_at;
            e.2 = &r.key;
        }
    }
    tally
        .into_iter()
        .max_by(|x, y| {
            (x.1.0, x.1.1)
                .cmp(&(y.1.0, y.1.1))
                .then_with(|| y.0.cmp(&x.0))
        })
        .map(|(value, (support, observed_at, key))| Sourced {
            value,
            support,
            record: key.clone(),
            observed_at,
        })
}

/// Builds every profile of a resolution. `records` must be the slice that was resolved.
pub fn build_profiles(records: &[Record], res: &Resolution) -> Vec<Profile> {
    let mut by_profile: BTreeMap<ProfileId, Vec<usize>> = BTreeMap::new();
    for i in 0..records.len() {
        if let Some(p) = res.profile_of(i) {
            by_profile.entry(p).or_default().push(i);
        }
    }
    by_profile
        .into_iter()
        .map(|(id, mut members)| {
            members.sort_by(|&a, &b| records[a].key.cmp(&records[b].key));
            let prep = &res.prepared;
            let name = |i: usize| prep[i].name.as_ref();
            let mut ids: BTreeMap<(IdentifierKind, String), ProfileIdentifier> = BTreeMap::new();
            let mut channels: Vec<(Option<jiff::Timestamp>, Channel)> = Vec::new();
            let (mut interactions, mut purchases) = (0, 0);
            let mut spend = BTreeMap::new();
            for &i in &members {
                let t = records[i].observed_at;
                for n in &prep[i].identifiers {
                    let e = ids
                        .entry((n.kind.clone(), n.value.clone()))
                        .or_insert_with(|| ProfileIdentifier {
                            kind: n.kind.clone(),
                            value: n.value.clone(),
                            display: n.display.clone(),
                            records: 0,
                            first_seen: t,
                            last_seen: t,
                        });
                    e.records += 1;
                    // `Option::min` would pick `None`: an unknown time must not
                    // erase a known one.
                    e.first_seen = match (e.first_seen, t) {
                        (Some(a), Some(b)) => Some(a.min(b)),
                        (a, b) => a.or(b),
                    };
                    e.last_seen = e.last_seen.max(t);
                }
                if let Some(it) = &records[i].interaction {
                    interactions += 1;
                    channels.push((it.at.or(t), it.channel));
                    if it.kind == crate::record::InteractionKind::Purchase {
                        purchases += 1;
                        if let Some(m) = &it.amount {
                            *spend.entry(m.currency.clone()).or_insert(0.0) += m.amount;
                        }
                    }
                }
            }
            channels.sort_by_key(|c| (c.0.is_none(), c.0));
            let mut seen = Vec::new();
            for (_, c) in channels {
                if !seen.contains(&c) {
                    seen.push(c);
                }
            }
            let times = members.iter().filter_map(|&i| records[i].observed_at);
            Profile {
                id,
                records: members.iter().map(|&i| records[i].key.clone()).collect(),
                given_names: survivor(&members, records, |i| {
                    name(i).map(|n| n.given_joined()).filter(|s| !s.is_empty())
                }),
                family_names: survivor(&members, records, |i| {
                    name(i).map(|n| n.family_joined()).filter(|s| !s.is_empty())
                }),
                birth_date: survivor(&members, records, |i| {
                    prep[i].birth_date.map(|d| d.to_string())
                }),
                city: survivor(&members, records, |i| prep[i].city.clone()),
                identifiers: ids.into_values().collect(),
                channels: seen,
                interactions,
                purchases,
                spend_by_currency: spend,
                first_seen: times.clone().min(),
                last_seen: times.max(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Attributes, Identifier, Interaction, InteractionKind};
    use crate::resolve::{Resolver, ResolverConfig};

    #[test]
    fn golden_record_takes_the_most_frequent_name_and_keeps_provenance() {
        let rec = |id: &str, t: &str, name: &str, channel: Channel| Record {
            key: RecordKey::new("s", id),
            observed_at: Some(t.parse().unwrap()),
            identifiers: vec![Identifier::new(
                IdentifierKind::Email,
                "ana.garcia@gmail.com",
            )],
            attributes: Attributes {
                full_name: Some(name.into()),
                ..Attributes::default()
            },
            interaction: Some(Interaction {
                channel,
                kind: InteractionKind::Claim,
                ..Interaction::default()
            }),
        };
        let records = vec![
            rec("1", "2026-01-01T10:00:00Z", "Ana García", Channel::WebChat),
            rec("2", "2026-01-02T10:00:00Z", "Anita Garcia", Channel::Phone),
            rec("3", "2026-01-03T10:00:00Z", "Ana Garcia", Channel::Email),
        ];
        let res = Resolver::new(ResolverConfig::default())
            .unwrap()
            .resolve(&records)
            .unwrap();
        let profiles = build_profiles(&records, &res);
        assert_eq!(profiles.len(), 1);
        let p = &profiles[0];
        let given = p.given_names.as_ref().unwrap();
        assert_eq!(given.value, "ana");
        assert_eq!(given.support, 2);
        assert_eq!(
            given.record,
            RecordKey::new("s", "3"),
            "the most recent record carrying it"
        );
        assert_eq!(
            p.channels,
            [Channel::WebChat, Channel::Phone, Channel::Email]
        );
        assert_eq!(p.interactions, 3);
        assert_eq!(p.identifiers.len(), 1);
        assert_eq!(p.identifiers[0].records, 3);
    }
}
