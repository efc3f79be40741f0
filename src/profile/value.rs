//! Customer value: recency, frequency and monetary (RFM) scores per profile,
//! segments, and the best and worst customers.
//!
//! - **Recency** is the time from the last purchase to the "as of" date (the
//!   latest time in the data unless configured); **frequency** the number of
//!   purchases; **monetary** the total spent.
//! - **Scores** are quintiles from 1 (worst) to 5 (best) over the customers
//!   with at least one purchase: a customer's score is `1 + 5 * k / n`, where
//!   `k` is how many of the `n` customers are strictly worse, so equal values
//!   always get equal scores.
//! - **Currencies are never converted.** Each customer's primary currency is
//!   the one of most of their purchases (then the larger total, then the code);
//!   the monetary score ranks the customer among the customers with the same
//!   primary currency only. A Mexican customer is compared with Mexican
//!   customers in pesos, without an exchange rate that would date the result.
//! - **Segments** follow the usual RFM grid on the recency score and the
//!   rounded mean of the frequency and monetary scores (see [`Segment`]).
//! - **Best customers**: highest R+F+M, then M, F, R. **Worst customers**: the
//!   most complaints per purchase, then the most service contacts per purchase
//!   (a customer without purchases counts as one purchase).

use std::cmp::Ordering;
use std::fmt;

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use super::Profile;
use crate::cluster::ProfileId;

/// Customer value settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ValueConfig {
    /// The date recency is measured to. Default: the latest time in the data.
    pub as_of: Option<jiff::Timestamp>,
    /// How many best and worst customers to list. Default 10.
    pub top: usize,
}

impl Default for ValueConfig {
    fn default() -> Self {
        ValueConfig {
            as_of: None,
            top: 10,
        }
    }
}

/// A customer value segment from the RFM scores.
///
/// | recency \ mean of F and M | 1 | 2 | 3 | 4 | 5 |
/// |---|---|---|---|---|---|
/// | 5 | new | potential loyalist | potential loyalist | champion | champion |
/// | 4 | promising | potential loyalist | potential loyalist | loyal | loyal |
/// | 3 | about to sleep | about to sleep | needs attention | loyal | loyal |
/// | 2 | hibernating | hibernating | at risk | at risk | cannot lose |
/// | 1 | lost | lost | at risk | at risk | cannot lose |
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Segment {
    /// Bought recently, often and much.
    Champion,
    /// Buys often and much, not as recently.
    Loyal,
    /// Recent, average frequency and spend.
    PotentialLoyalist,
    /// First purchases, very recent.
    NewCustomer,
    /// Recent, few purchases.
    Promising,
    /// Average recency, frequency and spend.
    NeedsAttention,
    /// Below average recency, frequency and spend.
    AboutToSleep,
    /// Bought often and much, but long ago.
    AtRisk,
    /// The best customers of the past, gone quiet.
    CannotLose,
    /// Long ago, few purchases.
    Hibernating,
    /// The longest ago and the fewest purchases.
    Lost,
    /// No purchase recorded.
    NoPurchases,
}

impl Segment {
    /// Every segment, in declaration order.
    pub const ALL: &'static [Segment] = &[
        Segment::Champion,
        Segment::Loyal,
        Segment::PotentialLoyalist,
        Segment::NewCustomer,
        Segment::Promising,
        Segment::NeedsAttention,
        Segment::AboutToSleep,
        Segment::AtRisk,
        Segment::CannotLose,
        Segment::Hibernating,
        Segment::Lost,
        Segment::NoPurchases,
    ];

    /// The segment of recency score `r` and the mean `fm` of the frequency
    /// and monetary scores (both 1 to 5).
    pub fn from_scores(r: u8, fm: u8) -> Segment {
        match (r, fm) {
            (5, 4..) => Segment::Champion,
            (3 | 4, 4..) => Segment::Loyal,
            (4 | 5, 2 | 3) => Segment::PotentialLoyalist,
            (5, _) => Segment::NewCustomer,
            (4, _) => Segment::Promising,
            (3, 3) => Segment::NeedsAttention,
            (3, _) => Segment::AboutToSleep,
            (_, 5..) => Segment::CannotLose,
            (_, 3 | 4) => Segment::AtRisk,
            (2, _) => Segment::Hibernating,
            _ => Segment::Lost,
        }
    }

    /// The snake-case name.
    pub fn as_str(&self) -> &'static str {
        match self {
            Segment::Champion => "champion",
            Segment::Loyal => "loyal",
            Segment::PotentialLoyalist => "potential_loyalist",
            Segment::NewCustomer => "new_customer",
            Segment::Promising => "promising",
            Segment::NeedsAttention => "needs_attention",
            Segment::AboutToSleep => "about_to_sleep",
            Segment::AtRisk => "at_risk",
            Segment::CannotLose => "cannot_lose",
            Segment::Hibernating => "hibernating",
            Segment::Lost => "lost",
            Segment::NoPurchases => "no_purchases",
        }
    }
}

impl fmt::Display for Segment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Recency, frequency and monetary value of one customer with purchases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rfm {
    /// Days from the last purchase to the "as of" date (none when no
    /// purchase has a time).
    pub recency_days: Option<f64>,
    /// Number of purchases.
    pub frequency: u32,
    /// The currency of most purchases, if any purchase had an amount.
    pub currency: Option<String>,
    /// Total spent in that currency.
    pub monetary: f64,
    /// Recency score, 1 to 5.
    pub r: u8,
    /// Frequency score, 1 to 5.
    pub f: u8,
    /// Monetary score among customers of the same currency, 1 to 5.
    pub m: u8,
}

/// One customer in a best or worst list.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankedCustomer {
    /// Profile.
    pub profile: ProfileId,
    /// Segment.
    pub segment: Segment,
    /// Scores, for customers with purchases.
    pub rfm: Option<Rfm>,
    /// Purchases.
    pub purchases: u32,
    /// Claims and complaints.
    pub complaints: u32,
    /// Service contacts.
    pub contacts: u32,
    /// Complaints per purchase (per one, without purchases).
    pub complaints_per_purchase: f64,
    /// Service contacts per purchase (per one, without purchases).
    pub contacts_per_purchase: f64,
}

/// Customer value over all profiles.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueReport {
    /// The date recency was measured to.
    pub as_of: Option<jiff::Timestamp>,
    /// Profiles per segment, in [`Segment::ALL`] order, empty ones left out.
    pub segments: Vec<(Segment, u64)>,
    /// Highest value first.
    pub best: Vec<RankedCustomer>,
    /// Most complaints and contacts per purchase first.
    pub worst: Vec<RankedCustomer>,
}

/// Scores 1 to 5 for `keys`, higher keys better; equal keys score alike:
/// `1 + 5 * k / n` (at most 5), where `k` keys are below (in
/// [`f64::total_cmp`] order).
fn quintiles(keys: &[f64]) -> Vec<u8> {
    // `f64::total_cmp`'s order, as integers.
    let ordered = |x: f64| {
        let b = x.to_bits() as i64;
        b ^ (((b >> 63) as u64) >> 1) as i64
    };
    let mut sorted: Vec<(i64, u32)> = keys
        .par_iter()
        .enumerate()
        .map(|(i, &k)| (ordered(k), i as u32))
        .collect();
    sorted.par_sort_unstable();
    let n = sorted.len().max(1);
    let mut scores = vec![1u8; keys.len()];
    // Walked in order, `below` is where the run of equal keys started.
    let mut below = 0;
    let mut previous = None;
    for (j, &(k, i)) in sorted.iter().enumerate() {
        if previous != Some(k) {
            below = j;
            previous = Some(k);
        }
        if let Some(s) = scores.get_mut(i as usize) {
            *s = (1 + 5 * below / n).min(5) as u8;
        }
    }
    scores
}

/// The first `n` of `v` in the order `cmp` (a total order): the same as
/// sorting all and keeping `n`, without sorting all.
fn top<T>(mut v: Vec<T>, n: usize, cmp: impl Fn(&T, &T) -> Ordering) -> Vec<T> {
    if n == 0 {
        return Vec::new();
    }
    if n < v.len() {
        v.select_nth_unstable_by(n - 1, &cmp);
        v.truncate(n);
    }
    v.sort_unstable_by(&cmp);
    v
}

fn ranked(p: &Profile) -> RankedCustomer {
    let per = f64::from(p.purchases.max(1));
    RankedCustomer {
        profile: p.id,
        segment: p.segment,
        rfm: p.rfm.clone(),
        purchases: p.purchases,
        complaints: p.complaints,
        contacts: p.contacts,
        complaints_per_purchase: f64::from(p.complaints) / per,
        contacts_per_purchase: f64::from(p.contacts) / per,
    }
}

/// Purchase totals by currency, written as a map from code to total (as
/// a `BTreeMap` of them would be).
pub(crate) fn serialize_spend<S: serde::Serializer>(
    spend: &&[(String, f64)],
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::SerializeMap;
    let mut map = s.serialize_map(Some(spend.len()))?;
    for (code, total) in spend.iter() {
        map.serialize_entry(code, total)?;
    }
    map.end()
}

/// Purchase totals by currency code from the purchases (currency and
/// amount, in time order; sorted here), and which of them is the primary
/// currency: the one of most purchases, then of the larger total, then the
/// smaller code. Each total is summed in time order.
pub(crate) fn spend(buys: &mut [(&str, f64)]) -> (Vec<(String, f64)>, Option<usize>) {
    // Stable: each currency's amounts stay in time order.
    buys.sort_by(|a, b| a.0.cmp(b.0));
    let mut totals: Vec<(String, f64)> = Vec::new();
    let mut primary: Option<(usize, usize)> = None;
    for run in buys.chunk_by(|a, b| a.0 == b.0) {
        let Some((&(code, first), rest)) = run.split_first() else {
            continue;
        };
        let total = rest.iter().fold(first, |t, b| t + b.1);
        let k = totals.len();
        // Codes ascend, so on equal counts and totals the first one stays.
        let better = primary.is_none_or(|(p, count)| {
            let p_total = totals.get(p).map_or(0.0, |t| t.1);
            run.len()
                .cmp(&count)
                .then(total.total_cmp(&p_total))
                .is_gt()
        });
        if better {
            primary = Some((k, run.len()));
        }
        totals.push((code.to_string(), total));
    }
    (totals, primary.map(|p| p.0))
}

/// Scores every profile with purchases, sets its segment, and lists the best
/// and worst customers. A profile with purchases comes with its
/// [`Rfm`]'s currency and monetary value set (from [`primary`]); `latest`
/// is the latest time in the data.
pub(crate) fn score(
    profiles: &mut [Profile],
    latest: Option<jiff::Timestamp>,
    config: &ValueConfig,
) -> ValueReport {
    let as_of = config.as_of.or(latest);
    let days = |p: &Profile| -> Option<f64> {
        let d = as_of?.duration_since(p.last_purchase?);
        Some(d.as_secs_f64() / 86_400.0)
    };
    // One pass over the profiles (500 bytes each) takes what the scores
    // and the lists need; the rest works on these.
    struct Buyer {
        profile: usize,
        purchases: u32,
        days: Option<f64>,
        currency: Option<String>,
        monetary: f64,
    }
    let (mut buyers, contacted): (Vec<Buyer>, Vec<(f64, f64, usize)>) = profiles
        .par_iter_mut()
        .enumerate()
        .map(|(i, p)| {
            let buyer = (p.purchases > 0).then(|| {
                let rfm = p.rfm.take();
                let (currency, monetary) = rfm.map_or((None, 0.0), |r| (r.currency, r.monetary));
                Buyer {
                    profile: i,
                    purchases: p.purchases,
                    days: days(p),
                    currency,
                    monetary,
                }
            });
            let per = f64::from(p.purchases.max(1));
            let contacted = (p.complaints > 0 || p.contacts > 0).then(|| {
                (
                    f64::from(p.complaints) / per,
                    f64::from(p.contacts) / per,
                    i,
                )
            });
            (buyer, contacted)
        })
        .fold(
            || (Vec::new(), Vec::new()),
            |(mut b, mut c), (buyer, contacted)| {
                b.extend(buyer);
                c.extend(contacted);
                (b, c)
            },
        )
        .reduce(
            || (Vec::new(), Vec::new()),
            |(mut b, mut c), (b2, c2)| {
                b.extend(b2);
                c.extend(c2);
                (b, c)
            },
        );
    // Unknown recency ranks below every known one.
    let recency: Vec<f64> = buyers
        .par_iter()
        .map(|b| b.days.map_or(f64::NEG_INFINITY, |d| -d))
        .collect();
    let frequency: Vec<f64> = buyers.par_iter().map(|b| f64::from(b.purchases)).collect();
    let (r, f) = rayon::join(|| quintiles(&recency), || quintiles(&frequency));
    // Monetary value is scored among the buyers of one currency: the
    // buyers grouped by currency (a handful), each group in buyer order.
    let mut m = vec![1u8; buyers.len()];
    let mut groups: FxHashMap<Option<&str>, Vec<usize>> = FxHashMap::default();
    for (k, b) in buyers.iter().enumerate() {
        groups.entry(b.currency.as_deref()).or_default().push(k);
    }
    // Groups are independent: the order they are visited in does not
    // change any score.
    for group in groups.values() {
        let keys: Vec<f64> = group.iter().map(|&k| buyers[k].monetary).collect();
        for (&k, s) in group.iter().zip(quintiles(&keys)) {
            if let Some(slot) = m.get_mut(k) {
                *slot = s;
            }
        }
    }
    drop(groups);
    // Scores (sum, m, f, r), purchases, id and position of each buyer.
    type Ranked = ((u32, u8, u8, u8), u32, ProfileId, usize);
    // Each buyer's scores go to its profile. Buyers are in profile order:
    // a run of profiles and the run of their buyers are handed out together.
    const RUN: usize = 4096;
    let mut runs = Vec::new();
    let (mut ps, mut bs) = (&mut profiles[..], &mut buyers[..]);
    let (mut first, mut k) = (0, 0);
    while !ps.is_empty() {
        let take = ps.len().min(RUN);
        let (p_run, p_rest) = ps.split_at_mut(take);
        let (b_run, b_rest) = bs.split_at_mut(bs.partition_point(|b| b.profile < first + take));
        let len = b_run.len();
        runs.push((first, p_run, k, b_run));
        (ps, bs) = (p_rest, b_rest);
        first += take;
        k += len;
    }
    let scored: Vec<([u64; Segment::ALL.len()], Vec<Ranked>)> = runs
        .into_par_iter()
        .map(|(first, ps, k, bs)| {
            let mut counts = [0u64; Segment::ALL.len()];
            let mut best: Vec<Ranked> = Vec::with_capacity(bs.len());
            for (b, k) in bs.iter_mut().zip(k..) {
                let (Some(p), Some(&rs), Some(&fs), Some(&ms)) = (
                    b.profile.checked_sub(first).and_then(|i| ps.get_mut(i)),
                    r.get(k),
                    f.get(k),
                    m.get(k),
                ) else {
                    continue;
                };
                p.segment = Segment::from_scores(rs, (fs + ms).div_ceil(2));
                if let Some(c) = Segment::ALL
                    .iter()
                    .position(|&s| s == p.segment)
                    .and_then(|s| counts.get_mut(s))
                {
                    *c += 1;
                }
                p.rfm = Some(Rfm {
                    recency_days: b.days,
                    frequency: p.purchases,
                    currency: b.currency.take(),
                    monetary: b.monetary,
                    r: rs,
                    f: fs,
                    m: ms,
                });
                let total = u32::from(rs) + u32::from(fs) + u32::from(ms);
                best.push(((total, ms, fs, rs), p.purchases, p.id, b.profile));
            }
            (counts, best)
        })
        .collect();
    let mut segments: Vec<(Segment, u64)> = Segment::ALL.iter().map(|&s| (s, 0)).collect();
    if let Some(c) = segments.iter_mut().find(|c| c.0 == Segment::NoPurchases) {
        c.1 += (profiles.len() - buyers.len()) as u64;
    }
    let mut best = Vec::with_capacity(buyers.len());
    for (counts, run) in scored {
        for (c, n) in segments.iter_mut().zip(counts) {
            c.1 += n;
        }
        best.extend(run);
    }
    segments.retain(|c| c.1 > 0);

    let profiles = &*profiles;
    let id = |i: usize| profiles.get(i).map(|p| p.id);
    let (best, worst) = rayon::join(
        || {
            top(best, config.top, |a, b| {
                b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(&b.2))
            })
        },
        || {
            top(contacted, config.top, |a, b| {
                b.0.total_cmp(&a.0)
                    .then(b.1.total_cmp(&a.1))
                    .then(id(a.2).cmp(&id(b.2)))
            })
        },
    );
    let ranked_at = |i: usize| profiles.get(i).map(ranked);
    ValueReport {
        as_of,
        segments,
        best: best.into_iter().filter_map(|b| ranked_at(b.3)).collect(),
        worst: worst.into_iter().filter_map(|w| ranked_at(w.2)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::{quintiles, spend};

    proptest! {
        /// A key's score is `1 + 5 * k / n` with `k` keys below it, ties,
        /// zeros of both signs, infinities and NaN included.
        #[test]
        fn quintiles_score_each_key_by_the_keys_below_it(keys in prop::collection::vec(
            prop_oneof![
                Just(f64::NAN),
                Just(f64::NEG_INFINITY),
                Just(f64::INFINITY),
                Just(-0.0),
                Just(0.0),
                (-6i8..6).prop_map(f64::from),
                any::<f64>(),
            ],
            0..300,
        )) {
            let n = keys.len().max(1);
            let want: Vec<u8> = keys
                .iter()
                .map(|k| {
                    let below = keys.iter().filter(|x| x.total_cmp(k).is_lt()).count();
                    (1 + 5 * below / n).min(5) as u8
                })
                .collect();
            prop_assert_eq!(quintiles(&keys), want);
        }
    }

    #[test]
    fn spend_sums_each_currency_in_time_order_and_picks_the_primary_one() {
        // Most purchases win, whatever the totals.
        let mut buys = vec![("USD", 900.0), ("EUR", 10.0), ("EUR", 20.0), ("MXN", 5.0)];
        let (totals, primary) = spend(&mut buys);
        let codes: Vec<&str> = totals.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(codes, ["EUR", "MXN", "USD"]);
        assert_eq!(totals[0].1, 30.0);
        assert_eq!(primary.map(|k| totals[k].0.as_str()), Some("EUR"));
        // Equal counts: the larger total; equal totals too: the smaller code.
        let (totals, primary) = spend(&mut [("USD", 9.0), ("EUR", 3.0)]);
        assert_eq!(primary.map(|k| totals[k].0.as_str()), Some("USD"));
        let (totals, primary) = spend(&mut [("USD", 3.0), ("EUR", 3.0)]);
        assert_eq!(primary.map(|k| totals[k].0.as_str()), Some("EUR"));
        assert_eq!(spend(&mut Vec::new()), (Vec::new(), None));
        // Amounts of one currency add up in the order they came, as a
        // running total would: 0.1 + 0.2 + 0.3 is not 0.3 + 0.2 + 0.1.
        let mut buys = vec![("EUR", 0.1), ("USD", 1.0), ("EUR", 0.2), ("EUR", 0.3)];
        let (totals, _) = spend(&mut buys);
        assert_eq!(totals[0].1, 0.1 + 0.2 + 0.3);
    }
}
