//! Accuracy against ground truth: pairwise and B-cubed precision, recall and F1.
//!
//! Both take, for every record, the cluster it was put in and the entity it
//! truly belongs to. *Pairwise* counts pairs of records: a predicted pair is
//! right when both records are one entity. *B-cubed* averages over records:
//! a record's precision is the share of its cluster that is its entity, its
//! recall the share of its entity that is in its cluster. Pairwise punishes
//! a wrong merge of two big clusters quadratically; B-cubed, linearly.

use std::hash::Hash;

use rustc_hash::FxHashMap;
use serde::Serialize;

/// Precision, recall and F1.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Metrics {
    /// Share of predicted links that are right.
    pub precision: f64,
    /// Share of true links that were found.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
}

impl Metrics {
    fn new(precision: f64, recall: f64) -> Metrics {
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Metrics {
            precision,
            recall,
            f1,
        }
    }
}

/// An evaluation of a clustering against the truth.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evaluation {
    /// Records evaluated.
    pub records: u64,
    /// Pairwise metrics.
    pub pairwise: Metrics,
    /// B-cubed metrics.
    pub bcubed: Metrics,
    /// Pairs of records in one predicted cluster.
    pub predicted_pairs: u64,
    /// Pairs of records of one true entity.
    pub true_pairs: u64,
    /// Predicted pairs that are true pairs.
    pub correct_pairs: u64,
    /// Number of predicted clusters.
    pub predicted_clusters: u64,
    /// Number of true entities.
    pub true_clusters: u64,
    /// Predicted clusters holding records of more than one entity (over-merges).
    pub over_merged_clusters: u64,
    /// Entities whose records are split over more than one cluster (under-merges).
    pub split_entities: u64,
}

fn pairs(n: u64) -> u64 {
    n * n.saturating_sub(1) / 2
}

/// Compares `predicted[i]` (record i's cluster) with `truth[i]` (its entity).
///
/// ```
/// use omnid::eval::evaluate;
/// let predicted = ["p1", "p1", "p1", "p2"];
/// let truth = ["a", "a", "b", "b"];
/// let e = evaluate(&predicted, &truth);
/// assert_eq!((e.predicted_pairs, e.true_pairs, e.correct_pairs), (3, 2, 1));
/// assert!((e.pairwise.precision - 1.0 / 3.0).abs() < 1e-12);
/// assert!((e.pairwise.recall - 0.5).abs() < 1e-12);
/// ```
///
/// # Panics
/// When the slices differ in length: that is a caller's bug, not bad data.
pub fn evaluate<P: Hash + Eq, T: Hash + Eq>(predicted: &[P], truth: &[T]) -> Evaluation {
    assert_eq!(
        predicted.len(),
        truth.len(),
        "one truth per predicted record"
    );
    let mut p_ids: FxHashMap<&P, u32> = FxHashMap::default();
    let mut t_ids: FxHashMap<&T, u32> = FxHashMap::default();
    let mut p_size: Vec<u64> = Vec::new();
    let mut t_size: Vec<u64> = Vec::new();
    let mut cells: FxHashMap<(u32, u32), u64> = FxHashMap::default();
    for (p, t) in predicted.iter().zip(truth) {
        let next = p_ids.len() as u32;
        let pi = *p_ids.entry(p).or_insert(next);
        let next = t_ids.len() as u32;
        let ti = *t_ids.entry(t).or_insert(next);
        if pi as usize == p_size.len() {
            p_size.push(0);
        }
        if ti as usize == t_size.len() {
            t_size.push(0);
        }
        p_size[pi as usize] += 1;
        t_size[ti as usize] += 1;
        *cells.entry((pi, ti)).or_default() += 1;
    }
    let n = predicted.len() as u64;
    let predicted_pairs: u64 = p_size.iter().map(|&k| pairs(k)).sum();
    let true_pairs: u64 = t_size.iter().map(|&k| pairs(k)).sum();
    let correct_pairs: u64 = cells.values().map(|&k| pairs(k)).sum();
    let ratio = |a: u64, b: u64| if b == 0 { 1.0 } else { a as f64 / b as f64 };
    let pairwise = Metrics::new(
        ratio(correct_pairs, predicted_pairs),
        ratio(correct_pairs, true_pairs),
    );
    let (mut bp, mut br) = (0.0, 0.0);
    let mut entities_per_cluster = vec![0u64; p_size.len()];
    let mut clusters_per_entity = vec![0u64; t_size.len()];
    for (&(pi, ti), &k) in &cells {
        let k = k as f64;
        bp += k * k / p_size[pi as usize] as f64;
        br += k * k / t_size[ti as usize] as f64;
        entities_per_cluster[pi as usize] += 1;
        clusters_per_entity[ti as usize] += 1;
    }
    let bcubed = if n == 0 {
        Metrics::new(1.0, 1.0)
    } else {
        Metrics::new(bp / n as f64, br / n as f64)
    };
    Evaluation {
        records: n,
        pairwise,
        bcubed,
        predicted_pairs,
        true_pairs,
        correct_pairs,
        predicted_clusters: p_size.len() as u64,
        true_clusters: t_size.len() as u64,
        over_merged_clusters: entities_per_cluster.iter().filter(|&&k| k > 1).count() as u64,
        split_entities: clusters_per_entity.iter().filter(|&&k| k > 1).count() as u64,
    }
}

/// Pairwise metrics of a list of scored pairs at every threshold, for
/// choosing one: returns `(threshold, metrics)` at the best F1.
///
/// `scored` holds each pair's score and whether it is a true match;
/// `true_pairs` is the number of true pairs overall (pairs never scored count
/// as missed).
pub fn best_threshold(scored: &[(f64, bool)], true_pairs: u64) -> Option<(f64, Metrics)> {
    let mut v: Vec<(f64, bool)> = scored.to_vec();
    v.sort_by(|x, y| y.0.total_cmp(&x.0));
    let mut best: Option<(f64, Metrics)> = None;
    let mut tp = 0u64;
    for (i, (score, is_match)) in v.iter().enumerate() {
        tp += u64::from(*is_match);
        // Only at the end of a run of equal scores is a threshold real.
        if v.get(i + 1).is_some_and(|next| next.0 == *score) {
            continue;
        }
        let m = Metrics::new(
            tp as f64 / (i + 1) as f64,
            if true_pairs == 0 {
                1.0
            } else {
                tp as f64 / true_pairs as f64
            },
        );
        if best.is_none_or(|b| m.f1 > b.1.f1) {
            best = Some((*score, m));
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn perfect_clustering_scores_one() {
        let e = evaluate(&[1, 1, 2, 3, 3, 3], &["a", "a", "b", "c", "c", "c"]);
        assert_eq!(e.pairwise.f1, 1.0);
        assert_eq!(e.bcubed.f1, 1.0);
        assert_eq!(e.over_merged_clusters, 0);
        assert_eq!(e.split_entities, 0);
    }

    #[test]
    fn bcubed_by_hand() {
        // Cluster 1 = {a, a, b}; cluster 2 = {b}.
        let e = evaluate(&[1, 1, 1, 2], &["a", "a", "b", "b"]);
        // Precision: a: 2/3, a: 2/3, b: 1/3, b: 1 -> (2/3+2/3+1/3+1)/4 = 2/3.
        assert!((e.bcubed.precision - 2.0 / 3.0).abs() < 1e-12);
        // Recall: a: 1, a: 1, b: 1/2, b: 1/2 -> 3/4.
        assert!((e.bcubed.recall - 0.75).abs() < 1e-12);
        assert_eq!(e.over_merged_clusters, 1);
        assert_eq!(e.split_entities, 1);
    }

    #[test]
    fn all_singletons_have_zero_pairwise_recall() {
        let e = evaluate(&[1, 2, 3], &["a", "a", "a"]);
        assert_eq!(e.pairwise.recall, 0.0);
        assert_eq!(e.pairwise.precision, 1.0);
        assert_eq!(e.pairwise.f1, 0.0);
    }

    #[test]
    fn best_threshold_picks_the_cut_with_best_f1() {
        let scored = [
            (0.9, true),
            (0.8, true),
            (0.7, false),
            (0.6, true),
            (0.1, false),
        ];
        let (t, m) = best_threshold(&scored, 3).unwrap();
        // 0.9: F1 0.5; 0.8: 0.8; 0.7: 0.667; 0.6: P 3/4, R 1, F1 6/7; 0.1: 0.75.
        assert_eq!(t, 0.6);
        assert!((m.f1 - 6.0 / 7.0).abs() < 1e-12);
    }
}
