//! Journey analytics over all profiles: how customers move between channels.
//!
//! - **Transition matrices** count consecutive contacts by (from, to) channel:
//!   within cases (the contacts of one matter) and overall (every interaction
//!   of a customer's timeline, purchases and visits included).
//! - **Per channel**, over the cases opened on it: first-contact resolution
//!   (one contact, resolved) and the repeat-contact rate (more than one
//!   contact).
//! - **Critical touchpoints** are steps (channel, kind, outcome of a service
//!   contact) ranked by how often the next contact of the same case comes on
//!   another channel, or the customer cancels within the churn window after
//!   it.
//! - **Paths** are the channel sequences of cases, repeats in a row collapsed.
//!
//! Counts are summed per task while profiles are built, then merged:
//! integers, so the report does not depend on the thread count.

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::ProfileConfig;
use super::cases::{Case, CaseStatus};
use super::timeline::Step;
use crate::record::{Channel, InteractionKind, Outcome};

/// Journey report settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct JourneyConfig {
    /// How many channel paths to list. Default 20.
    pub top_paths: usize,
    /// A cancellation this many days after a step counts against the step.
    /// Default 30.
    pub churn_window_days: u32,
    /// Steps seen fewer times than this are not ranked. Default 5.
    pub min_touchpoint_contacts: u64,
    /// How many touchpoints to list. Default 20.
    pub top_touchpoints: usize,
}

impl Default for JourneyConfig {
    fn default() -> Self {
        JourneyConfig {
            top_paths: 20,
            churn_window_days: 30,
            min_touchpoint_contacts: 5,
            top_touchpoints: 20,
        }
    }
}

const CHANNELS: usize = Channel::ALL.len();
const KINDS: usize = InteractionKind::ALL.len();
/// Outcomes plus "none recorded".
const OUTCOMES: usize = Outcome::ALL.len() + 1;

fn channel_index(c: Channel) -> usize {
    c as usize
}

/// Counts of consecutive contacts by (from, to) channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TransitionMatrix {
    counts: Vec<u64>,
}

/// One cell of a transition matrix.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Transition {
    /// From this channel.
    pub from: Channel,
    /// To this channel.
    pub to: Channel,
    /// How many times.
    pub count: u64,
    /// Share of the moves out of `from` that went to `to`.
    pub share_of_from: f64,
}

impl TransitionMatrix {
    fn new() -> Self {
        TransitionMatrix {
            counts: vec![0; CHANNELS * CHANNELS],
        }
    }

    fn add(&mut self, from: Channel, to: Channel) {
        if let Some(c) = self
            .counts
            .get_mut(channel_index(from) * CHANNELS + channel_index(to))
        {
            *c += 1;
        }
    }

    fn merge(&mut self, other: &TransitionMatrix) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
    }

    /// Moves from `from` to `to`.
    pub fn count(&self, from: Channel, to: Channel) -> u64 {
        self.counts
            .get(channel_index(from) * CHANNELS + channel_index(to))
            .copied()
            .unwrap_or(0)
    }

    /// Every non-zero cell, in channel order.
    pub fn cells(&self) -> Vec<Transition> {
        let mut out = Vec::new();
        for (fi, &from) in Channel::ALL.iter().enumerate() {
            let row = self
                .counts
                .get(fi * CHANNELS..(fi + 1) * CHANNELS)
                .unwrap_or(&[]);
            let total: u64 = row.iter().sum();
            for (&to, &count) in Channel::ALL.iter().zip(row) {
                if count > 0 {
                    out.push(Transition {
                        from,
                        to,
                        count,
                        share_of_from: count as f64 / total as f64,
                    });
                }
            }
        }
        out
    }
}

impl Serialize for TransitionMatrix {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.cells().serialize(s)
    }
}

/// Resolution and repeat contacts of the cases opened on one channel.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChannelStats {
    /// Channel.
    pub channel: Channel,
    /// Service contacts on the channel (any position in a case).
    pub contacts: u64,
    /// Cases whose first contact was on the channel.
    pub cases_opened: u64,
    /// Of those, resolved in that one contact.
    pub first_contact_resolved: u64,
    /// `first_contact_resolved / cases_opened`.
    pub fcr_rate: f64,
    /// Of those, cases that needed more than one contact.
    pub repeat_cases: u64,
    /// `repeat_cases / cases_opened`.
    pub repeat_contact_rate: f64,
}

/// A channel path and how many cases took it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PathCount {
    /// Channels in order, repeats in a row collapsed.
    pub path: Vec<Channel>,
    /// Cases.
    pub cases: u64,
    /// Share of all cases.
    pub share: f64,
}

/// A step of a journey and what tends to follow it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Touchpoint {
    /// Channel of the contact.
    pub channel: Channel,
    /// Its kind.
    pub kind: InteractionKind,
    /// Its outcome, if recorded.
    pub outcome: Option<Outcome>,
    /// How many contacts were this step.
    pub contacts: u64,
    /// How many were followed, in the same case, by a contact on another
    /// channel.
    pub escalated_to_other_channel: u64,
    /// How many were followed by the customer's cancellation within the
    /// churn window.
    pub followed_by_cancellation: u64,
    /// `escalated_to_other_channel / contacts`.
    pub escalation_rate: f64,
    /// `followed_by_cancellation / contacts`.
    pub cancellation_rate: f64,
}

/// The journey report.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JourneyReport {
    /// Profiles.
    pub profiles: u64,
    /// Cases.
    pub cases: u64,
    /// Service contacts in cases.
    pub contacts: u64,
    /// Cases per status, in [`CaseStatus::ALL`] order.
    pub status: Vec<(CaseStatus, u64)>,
    /// Channel moves between consecutive contacts of a case.
    pub transitions_in_cases: TransitionMatrix,
    /// Channel moves between consecutive interactions of a customer.
    pub transitions_overall: TransitionMatrix,
    /// Per channel, every channel with a contact.
    pub channels: Vec<ChannelStats>,
    /// The most common case paths.
    pub paths: Vec<PathCount>,
    /// Steps most often followed by a move to another channel or a
    /// cancellation.
    pub touchpoints: Vec<Touchpoint>,
}

/// Counts over profiles, summed per task and merged.
#[derive(Clone)]
pub(crate) struct Acc {
    profiles: u64,
    cases: u64,
    contacts: u64,
    status: [u64; CaseStatus::ALL.len()],
    in_cases: TransitionMatrix,
    overall: TransitionMatrix,
    /// Per channel: contacts, opened, resolved first time, repeat.
    channels: Vec<[u64; 4]>,
    /// Per (channel, kind, outcome): contacts, escalated, cancelled.
    steps: Vec<[u64; 3]>,
    paths: FxHashMap<Vec<Channel>, u64>,
    /// Buffers reused from one profile to the next.
    buffers: Buffers,
}

#[derive(Clone, Default)]
struct Buffers {
    path: Vec<Channel>,
    places: Vec<usize>,
    cancellations: Vec<jiff::Timestamp>,
}

impl Acc {
    pub(crate) fn new() -> Self {
        Acc {
            profiles: 0,
            cases: 0,
            contacts: 0,
            status: [0; CaseStatus::ALL.len()],
            in_cases: TransitionMatrix::new(),
            overall: TransitionMatrix::new(),
            channels: vec![[0; 4]; CHANNELS],
            steps: vec![[0; 3]; CHANNELS * KINDS * OUTCOMES],
            paths: FxHashMap::default(),
            buffers: Buffers::default(),
        }
    }

    pub(crate) fn merge(mut self, other: Acc) -> Acc {
        self.profiles += other.profiles;
        self.cases += other.cases;
        self.contacts += other.contacts;
        for (a, b) in self.status.iter_mut().zip(other.status) {
            *a += b;
        }
        self.in_cases.merge(&other.in_cases);
        self.overall.merge(&other.overall);
        for (a, b) in self.channels.iter_mut().zip(&other.channels) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (a, b) in self.steps.iter_mut().zip(&other.steps) {
            for (x, y) in a.iter_mut().zip(b) {
                *x += y;
            }
        }
        for (path, n) in other.paths {
            *self.paths.entry(path).or_insert(0) += n;
        }
        self
    }

    /// Counts one profile: its timeline (interactions in time order), its
    /// cases, and for each step of the timeline the number of its case
    /// (`u32::MAX`: none), as [`cases::group`](super::cases::group) gave it.
    pub(crate) fn add(
        &mut self,
        timeline: &[Step<'_>],
        cases: &[Case],
        case_of: &[u32],
        churn: jiff::SignedDuration,
    ) {
        self.profiles += 1;
        for w in timeline.windows(2) {
            if let [a, b] = w {
                self.overall.add(a.channel, b.channel);
            }
        }
        // Times ascend along the timeline, untimed steps last.
        let cancellations = &mut self.buffers.cancellations;
        cancellations.clear();
        cancellations.extend(
            timeline
                .iter()
                .filter(|s| s.kind == InteractionKind::Cancellation)
                .filter_map(|s| s.at),
        );
        let path = &mut self.buffers.path;
        for case in cases {
            self.cases += 1;
            self.contacts += case.contacts.len() as u64;
            if let Some(s) = CaseStatus::ALL.iter().position(|s| *s == case.status)
                && let Some(n) = self.status.get_mut(s)
            {
                *n += 1;
            }
            for w in case.channels.windows(2) {
                if let [a, b] = w {
                    self.in_cases.add(*a, *b);
                }
            }
            if let Some(&first) = case.channels.first()
                && let Some(c) = self.channels.get_mut(channel_index(first))
            {
                c[1] += 1;
                if case.contacts.len() == 1 && case.status == CaseStatus::Resolved {
                    c[2] += 1;
                }
                if case.contacts.len() > 1 {
                    c[3] += 1;
                }
            }
            path.clear();
            path.extend_from_slice(&case.channels);
            path.dedup();
            match self.paths.get_mut(path.as_slice()) {
                Some(n) => *n += 1,
                None => {
                    self.paths.insert(path.clone(), 1);
                }
            }
        }
        // The place of each contact in its case, counted along the timeline.
        let places = &mut self.buffers.places;
        places.clear();
        places.resize(cases.len(), 0);
        for (step, &n) in timeline.iter().zip(case_of) {
            let (Some(case), Some(k)) = (cases.get(n as usize), places.get_mut(n as usize)) else {
                continue;
            };
            let place = *k;
            *k += 1;
            let ch = step.channel;
            if let Some(c) = self.channels.get_mut(channel_index(ch)) {
                c[0] += 1;
            }
            let outcome = step.outcome.map_or(0, |o| o as usize + 1);
            let slot = (channel_index(ch) * KINDS + step.kind as usize) * OUTCOMES + outcome;
            let Some(counts) = self.steps.get_mut(slot) else {
                continue;
            };
            counts[0] += 1;
            if case.channels.get(place + 1).is_some_and(|&next| next != ch) {
                counts[1] += 1;
            }
            if step.kind != InteractionKind::Cancellation
                && let Some(t) = step.at
            {
                let next = cancellations.partition_point(|&c| c <= t);
                if cancellations
                    .get(next)
                    .is_some_and(|&c| c.duration_since(t) <= churn)
                {
                    counts[2] += 1;
                }
            }
        }
    }
}

fn rate(n: u64, d: u64) -> f64 {
    if d == 0 { 0.0 } else { n as f64 / d as f64 }
}

/// The journey report from the counts over every profile.
pub(crate) fn report(acc: Acc, config: &ProfileConfig) -> JourneyReport {
    let jc = &config.journey;
    let channels = Channel::ALL
        .iter()
        .zip(&acc.channels)
        .filter(|(_, c)| c[0] > 0)
        .map(|(&channel, c)| ChannelStats {
            channel,
            contacts: c[0],
            cases_opened: c[1],
            first_contact_resolved: c[2],
            fcr_rate: rate(c[2], c[1]),
            repeat_cases: c[3],
            repeat_contact_rate: rate(c[3], c[1]),
        })
        .collect();
    let mut paths: Vec<PathCount> = acc
        .paths
        .into_iter()
        .map(|(path, n)| PathCount {
            path,
            cases: n,
            share: rate(n, acc.cases),
        })
        .collect();
    paths.sort_by(|a, b| b.cases.cmp(&a.cases).then_with(|| a.path.cmp(&b.path)));
    paths.truncate(jc.top_paths);
    let mut touchpoints = Vec::new();
    for (ci, &channel) in Channel::ALL.iter().enumerate() {
        for (ki, &kind) in InteractionKind::ALL.iter().enumerate() {
            for oi in 0..OUTCOMES {
                let Some(s) = acc.steps.get((ci * KINDS + ki) * OUTCOMES + oi) else {
                    continue;
                };
                if s[0] == 0 || s[0] < jc.min_touchpoint_contacts {
                    continue;
                }
                touchpoints.push(Touchpoint {
                    channel,
                    kind,
                    outcome: oi.checked_sub(1).and_then(|o| Outcome::ALL.get(o).copied()),
                    contacts: s[0],
                    escalated_to_other_channel: s[1],
                    followed_by_cancellation: s[2],
                    escalation_rate: rate(s[1], s[0]),
                    cancellation_rate: rate(s[2], s[0]),
                });
            }
        }
    }
    let badness = |t: &Touchpoint| t.escalation_rate + t.cancellation_rate;
    touchpoints.sort_by(|a, b| {
        badness(b)
            .total_cmp(&badness(a))
            .then(b.contacts.cmp(&a.contacts))
    });
    touchpoints.truncate(jc.top_touchpoints);
    JourneyReport {
        profiles: acc.profiles,
        cases: acc.cases,
        contacts: acc.contacts,
        status: CaseStatus::ALL
            .iter()
            .zip(acc.status)
            .map(|(&s, n)| (s, n))
            .collect(),
        transitions_in_cases: acc.in_cases,
        transitions_overall: acc.overall,
        channels,
        paths,
        touchpoints,
    }
}
