//! The timeline: every interaction of a profile, across channels, in time
//! order. Equal times keep record-key order; interactions without a time
//! come last, in key order.

use serde::Serialize;

use super::Members;
use super::cases::{Case, CaseId};
use super::event_time;
use crate::record::{Channel, InteractionKind, Money, Outcome, Record, RecordKey};

/// An interaction to order, as one integer: untimed last, then by time,
/// then by the record's position among the members (which are in key
/// order), in the low 32 bits.
pub(crate) type Event = u128;

/// The [`Event`] of the record at `pos`, which happened `at`.
fn event(at: Option<jiff::Timestamp>, pos: u32) -> Event {
    // Nanoseconds from the epoch take under 70 bits with their sign:
    // shifted by 2^80 they are positive and below 2^81, so below the
    // untimed bit, 2^95, however far they go.
    let order = match at {
        Some(t) => u128::try_from(t.as_nanosecond() + (1i128 << 80)).unwrap_or(0),
        None => 1 << 95,
    };
    order << 32 | u128::from(pos)
}

/// One interaction of a profile's timeline, as its record's fact says.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Step<'t> {
    /// The record (its index in the input).
    pub(crate) index: u32,
    /// When it happened.
    pub(crate) at: Option<jiff::Timestamp>,
    pub(crate) channel: Channel,
    pub(crate) kind: InteractionKind,
    pub(crate) outcome: Option<Outcome>,
    /// A finite amount and its currency.
    pub(crate) amount: Option<(f64, &'t str)>,
    /// The explicit case reference, trimmed, never empty.
    pub(crate) case_ref: Option<&'t str>,
}

/// The interactions of `members`, in time order, into `out`; `events` is a
/// buffer reused between profiles.
pub(crate) fn steps<'t>(members: &Members<'t>, events: &mut Vec<Event>, out: &mut Vec<Step<'t>>) {
    events.clear();
    events.extend(
        members
            .facts
            .iter()
            .enumerate()
            .filter_map(|(pos, f)| Some(event(f.act?.at, pos as u32))),
    );
    // Members are in key order, so their position is the key tie-break.
    events.sort_unstable();
    let text = |(a, b): (usize, usize)| members.text.get(a..b).unwrap_or("");
    out.clear();
    out.extend(events.iter().filter_map(|&e| {
        let pos = e as u32;
        let f = members.facts.get(pos as usize)?;
        let act = f.act?;
        let (currency, case_ref) = f.act_texts(&act);
        Some(Step {
            index: *members.index.get(pos as usize)?,
            at: act.at,
            channel: act.channel,
            kind: act.kind,
            outcome: act.outcome,
            amount: act.amount.map(|a| (a, text(currency))),
            case_ref: case_ref.map(text),
        })
    }));
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

#[cfg(test)]
mod tests {
    use super::event;

    proptest::proptest! {
        /// Events order as (untimed, time, position) do, over jiff's whole
        /// range of times.
        #[test]
        fn events_order_as_untimed_then_time_then_position(
            a in proptest::option::of(-377_705_116_800i64..253_402_207_200),
            an in 0i32..1_000_000_000,
            b in proptest::option::of(-377_705_116_800i64..253_402_207_200),
            bn in 0i32..1_000_000_000,
            pa in 0u32..5,
            pb in 0u32..5,
        ) {
            let t = |s: Option<i64>, n: i32| {
                s.and_then(|s| jiff::Timestamp::new(s, n).ok())
            };
            let (ta, tb) = (t(a, an), t(b, bn));
            proptest::prop_assert_eq!(
                event(ta, pa).cmp(&event(tb, pb)),
                (ta.is_none(), ta, pa).cmp(&(tb.is_none(), tb, pb))
            );
            proptest::prop_assert_eq!(event(ta, pa) as u32, pa);
        }
    }
}
