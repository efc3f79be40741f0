//! The timeline: every interaction of a profile, across channels, in time
//! order. Equal times keep record-key order; interactions without a time
//! come last, in key order.

use serde::Serialize;

use super::cases::{Case, CaseId};
use super::event_time;
use super::facts::Fact;
use crate::record::{Channel, InteractionKind, Money, Outcome, Record, RecordKey};

/// An interaction to order: untimed last, then by time, then by the
/// record's position among the members (which are in key order); and the
/// record's index.
pub(crate) type Event = (bool, Option<jiff::Timestamp>, u32, u32);

/// The records of `members` (in key order) that have an interaction, in
/// time order; `events` is a buffer reused between profiles. Only records
/// whose `facts` (one per member) say they have an interaction are read.
pub(crate) fn order(
    members: &[u32],
    facts: &[Fact],
    records: &[Record],
    events: &mut Vec<Event>,
) -> Vec<u32> {
    events.clear();
    let with_facts = members.iter().zip(facts).enumerate();
    events.extend(with_facts.filter_map(|(pos, (&i, f))| {
        if !f.interaction {
            return None;
        }
        let r = records.get(i as usize)?;
        r.interaction.as_ref()?;
        let t = event_time(r);
        Some((t.is_none(), t, pos as u32, i))
    }));
    // Members are in key order, so their position is the key tie-break.
    events.sort_unstable();
    events.iter().map(|e| e.3).collect()
}

/// One interaction as a timeline shows it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineEntry<'a> {
    /// When it happened.
    pub at: Option<jiff::Timestamp>,
    /// The record.
    pub record: &'a RecordKey,
    /// Channel.
    pub channel: Channel,
    /// What it was about.
    pub kind: InteractionKind,
    /// How it ended.
    pub outcome: Option<Outcome>,
    /// The case it belongs to, if it is a service contact.
    pub case: Option<CaseId>,
    /// The explicit case reference, when the channel gave one.
    pub case_ref: Option<&'a str>,
    /// Money involved.
    pub amount: Option<&'a Money>,
    /// What was said or done.
    pub summary: Option<&'a str>,
}

impl<'a> TimelineEntry<'a> {
    /// The entry of input record `i`, with its case looked up in `cases`.
    pub fn new(i: u32, records: &'a [Record], cases: &[Case]) -> Option<TimelineEntry<'a>> {
        let r = records.get(i as usize)?;
        let it = r.interaction.as_ref()?;
        Some(TimelineEntry {
            at: event_time(r),
            record: &r.key,
            channel: it.channel,
            kind: it.kind,
            outcome: it.outcome,
            case: cases.iter().find(|c| c.contacts.contains(&i)).map(|c| c.id),
            case_ref: it.case_ref.as_deref(),
            amount: it.amount.as_ref(),
            summary: it.summary.as_deref(),
        })
    }
}
