//! The Fellegi-Sunter model: a prior, and per comparison level the
//! probabilities m (of the level among matches) and u (among non-matches).
//!
//! A level's Bayes factor is m / u and its match weight log2(m / u). A pair's
//! match weight is the prior's log-odds plus the weights of its levels plus
//! term-frequency adjustments; its match probability is 2^w / (1 + 2^w).

use serde::{Deserialize, Serialize};

use super::comparison::{Comparison, Level};

/// m and u of one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LevelModel {
    /// What the level tests (`exact`, `jaro-winkler >= 0.92`, `null`, `else`).
    pub label: String,
    /// Probability of this level among matching pairs.
    pub m: f64,
    /// Probability of this level among non-matching pairs.
    pub u: f64,
    /// Whether term-frequency adjustments apply to this level.
    #[serde(default)]
    pub tf: bool,
}

impl LevelModel {
    /// m / u; 1 for the null level.
    pub fn bayes_factor(&self) -> f64 {
        if self.m <= 0.0 && self.u <= 0.0 {
            1.0
        } else {
            self.m.max(f64::MIN_POSITIVE) / self.u.max(f64::MIN_POSITIVE)
        }
    }

    /// log2 of the Bayes factor.
    pub fn weight(&self) -> f64 {
        self.bayes_factor().log2()
    }
}

/// The levels of one comparison.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ComparisonModel {
    /// The comparison's name.
    pub name: String,
    /// Levels: index 0 is null, the last is else.
    pub levels: Vec<LevelModel>,
    /// Probability that two random records with a value agree exactly
    /// (the u of exact agreement, used by term-frequency adjustments).
    #[serde(default)]
    pub u_exact: f64,
    /// u per level among non-matching pairs that agree exactly on other
    /// comparisons (see [`Comparison::conditional_on`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditional: Option<ConditionalU>,
}

/// The u of a comparison's levels given that other comparisons agree exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConditionalU {
    /// The comparisons that must agree exactly (by name).
    pub given: Vec<String>,
    /// u per level (index 0, null, unused).
    pub u: Vec<f64>,
}

/// A trained model, inspectable and saved as JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// Probability that two records drawn at random are the same person.
    pub prior: f64,
    /// One entry per comparison, in configuration order.
    pub comparisons: Vec<ComparisonModel>,
}

impl Model {
    /// A model with neutral parameters for `comparisons`: m falls with the
    /// level's strength, u rises; training replaces both.
    pub fn initial(comparisons: &[Comparison], prior: f64) -> Model {
        let comparisons = comparisons
            .iter()
            .map(|c| {
                let k = c.levels.len();
                let mut levels = Vec::with_capacity(k + 2);
                levels.push(LevelModel {
                    label: "null".into(),
                    m: 1.0,
                    u: 1.0,
                    tf: false,
                });
                // m: 0.9 on the strongest level, the rest halving; u: the mirror image.
                let mut ms: Vec<f64> = (0..=k).map(|i| 0.9 * 0.5f64.powi(i as i32)).collect();
                let mut us: Vec<f64> = (0..=k).map(|i| 0.9 * 0.5f64.powi((k - i) as i32)).collect();
                let (sm, su): (f64, f64) = (ms.iter().sum(), us.iter().sum());
                ms.iter_mut().for_each(|x| *x /= sm);
                us.iter_mut().for_each(|x| *x /= su);
                for i in 0..=k {
                    levels.push(LevelModel {
                        label: c.level_label(i + 1),
                        m: ms[i],
                        u: us[i],
                        tf: matches!(c.levels.get(i), Some(Level::Exact { tf: true })),
                    });
                }
                ComparisonModel {
                    name: c.label(),
                    levels,
                    u_exact: 0.0,
                    conditional: None,
                }
            })
            .collect();
        Model { prior, comparisons }
    }

    /// The prior as a match weight: log2(prior / (1 - prior)).
    pub fn prior_weight(&self) -> f64 {
        let p = self.prior.clamp(1e-300, 1.0 - 1e-16);
        (p / (1.0 - p)).log2()
    }

    /// Per comparison and level, the match weight, for fast scoring.
    pub(crate) fn weight_table(&self) -> Vec<Vec<f64>> {
        self.comparisons
            .iter()
            .map(|c| {
                c.levels
                    .iter()
                    .enumerate()
                    .map(|(i, l)| if i == 0 { 0.0 } else { l.weight() })
                    .collect()
            })
            .collect()
    }
}

/// The match probability for a match weight.
pub fn probability(weight: f64) -> f64 {
    1.0 / (1.0 + (-weight).exp2())
}

/// Packs 4-bit level indices: comparison `c` at bits `4c..4c+4`.
#[inline]
pub(crate) fn level_of(pattern: u64, c: usize) -> usize {
    ((pattern >> (4 * c)) & 0xF) as usize
}

/// Outcome of one EM session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmSession {
    /// The training rule.
    pub rule: String,
    /// Candidate pairs in the session.
    pub pairs: u64,
    /// Distinct comparison vectors.
    pub patterns: u64,
    /// Iterations run.
    pub iterations: u32,
    /// Whether the tolerance was reached.
    pub converged: bool,
    /// Estimated share of matches among the session's pairs.
    pub match_share: f64,
    /// Comparisons left out (they read the rule's fields).
    pub fixed: Vec<String>,
}

/// Runs EM over `(pattern, count)` with u fixed, estimating m for the
/// comparisons in `active` and the share of matches. Returns the m table
/// (same shape as `m`), the share, iterations and convergence.
pub(crate) fn em(
    patterns: &[(u64, u64)],
    active: &[bool],
    m: &[Vec<f64>],
    u: &[Vec<f64>],
    mut share: f64,
    max_iterations: u32,
    tolerance: f64,
) -> (Vec<Vec<f64>>, f64, u32, bool) {
    let mut m: Vec<Vec<f64>> = m.to_vec();
    let total: f64 = patterns.iter().map(|(_, n)| *n as f64).sum();
    if total == 0.0 {
        return (m, share, 0, true);
    }
    let mut iterations = 0;
    let mut converged = false;
    while iterations < max_iterations {
        iterations += 1;
        let mut acc: Vec<Vec<f64>> = m.iter().map(|l| vec![0.0; l.len()]).collect();
        let mut matched = 0.0;
        for &(pat, n) in patterns {
            let (mut pm, mut pu) = (share, 1.0 - share);
            for (c, on) in active.iter().enumerate() {
                let l = level_of(pat, c);
                if *on && l != 0 {
                    pm *= m[c][l];
                    pu *= u[c][l];
                }
            }
            let p = if pm + pu > 0.0 { pm / (pm + pu) } else { 0.0 };
            let w = p * n as f64;
            matched += w;
            for (c, on) in active.iter().enumerate() {
                let l = level_of(pat, c);
                if *on && l != 0 {
                    acc[c][l] += w;
                }
            }
        }
        let new_share = (matched / total).clamp(1e-9, 1.0 - 1e-9);
        let mut delta = (new_share - share).abs();
        for (c, on) in active.iter().enumerate() {
            if !*on {
                continue;
            }
            let sum: f64 = acc[c].iter().skip(1).sum();
            if sum <= 0.0 {
                continue;
            }
            for l in 1..m[c].len() {
                // A level never seen among matches keeps a sliver of mass, so
                // its weight stays finite.
                let v = (acc[c][l] / sum).max(1e-9);
                delta = delta.max((v - m[c][l]).abs());
                m[c][l] = v;
            }
        }
        share = new_share;
        if delta < tolerance {
            converged = true;
            break;
        }
    }
    (m, share, iterations, converged)
}

/// Runs EM over `(pattern, count)` with m and u fixed, estimating only the
/// share of matches from the comparisons in `active` (training from labels
/// fixes m and u first). Returns the share, iterations and convergence.
pub(crate) fn em_share(
    patterns: &[(u64, u64)],
    active: &[bool],
    m: &[Vec<f64>],
    u: &[Vec<f64>],
    mut share: f64,
    max_iterations: u32,
    tolerance: f64,
) -> (f64, u32, bool) {
    let total: f64 = patterns.iter().map(|(_, n)| *n as f64).sum();
    if total == 0.0 {
        return (share, 0, true);
    }
    // The pattern's likelihood ratio does not change between iterations.
    let ratios: Vec<(f64, f64)> = patterns
        .iter()
        .map(|&(pat, n)| {
            let (mut pm, mut pu) = (1.0, 1.0);
            for (c, (mc, uc)) in m.iter().zip(u).enumerate() {
                let l = level_of(pat, c);
                if l != 0 && active.get(c).copied().unwrap_or(false) {
                    pm *= mc.get(l).copied().unwrap_or(1.0);
                    pu *= uc.get(l).copied().unwrap_or(1.0);
                }
            }
            (pm / pu.max(f64::MIN_POSITIVE), n as f64)
        })
        .collect();
    for iterations in 1..=max_iterations {
        let odds = share / (1.0 - share);
        let matched: f64 = ratios
            .iter()
            .map(|&(r, n)| {
                let o = odds * r;
                if o.is_finite() { n * o / (1.0 + o) } else { n }
            })
            .sum();
        let new_share = (matched / total).clamp(1e-9, 1.0 - 1e-9);
        let delta = (new_share - share).abs();
        share = new_share;
        if delta < tolerance {
            return (share, iterations, true);
        }
    }
    (share, max_iterations, false)
}

/// Per level, the share of `counts` (index 0, null, is not a share and
/// stays 1), with half a pair added to every level so a level never seen
/// keeps a finite weight. None when no pair has a value.
pub(crate) fn smoothed_shares(counts: &[u64]) -> Option<Vec<f64>> {
    let seen: u64 = counts.iter().skip(1).sum();
    if seen == 0 {
        return None;
    }
    let levels = counts.len().saturating_sub(1) as f64;
    let total = seen as f64 + 0.5 * levels;
    Some(
        counts
            .iter()
            .enumerate()
            .map(|(l, &k)| {
                if l == 0 {
                    1.0
                } else {
                    (k as f64 + 0.5) / total
                }
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two comparisons with two levels each (1 = agree, 2 = disagree).
    /// Matches agree on both with prob 0.9 each, non-matches with 0.1 each.
    #[test]
    fn em_recovers_m_and_share_from_a_known_mixture() {
        let (n_match, n_non): (f64, f64) = (1000.0, 9000.0);
        let (ma, ua): (f64, f64) = (0.9, 0.1);
        let mut patterns = Vec::new();
        for l1 in 1..=2u64 {
            for l2 in 1..=2u64 {
                let pm = |l: u64| if l == 1 { ma } else { 1.0 - ma };
                let pu = |l: u64| if l == 1 { ua } else { 1.0 - ua };
                let n = n_match * pm(l1) * pm(l2) + n_non * pu(l1) * pu(l2);
                patterns.push((l1 | (l2 << 4), n.round() as u64));
            }
        }
        let u = vec![vec![1.0, ua, 1.0 - ua], vec![1.0, ua, 1.0 - ua]];
        let m0 = vec![vec![1.0, 0.6, 0.4], vec![1.0, 0.6, 0.4]];
        let (m, share, _, converged) = em(&patterns, &[true, true], &m0, &u, 0.3, 500, 1e-9);
        assert!(converged);
        assert!((share - 0.1).abs() < 0.01, "share {share}");
        assert!((m[0][1] - 0.9).abs() < 0.02, "m {m:?}");
        assert!((m[1][1] - 0.9).abs() < 0.02, "m {m:?}");
    }

    #[test]
    fn weights_and_probability() {
        let l = LevelModel {
            label: "exact".into(),
            m: 0.8,
            u: 0.1,
            tf: false,
        };
        assert!((l.weight() - 3.0).abs() < 1e-12);
        assert!((probability(0.0) - 0.5).abs() < 1e-12);
        assert!(probability(10.0) > 0.999);
    }

    #[test]
    fn em_share_recovers_the_share_when_m_and_u_are_known() {
        // One comparison, agree (1) or disagree (2): 1,000 matches agreeing
        // 90% of the time among 9,000 non-matches agreeing 10%.
        let patterns = [(1u64, 900 + 900), (2u64, 100 + 8100)];
        let m = vec![vec![1.0, 0.9, 0.1]];
        let u = vec![vec![1.0, 0.1, 0.9]];
        let (share, _, converged) = em_share(&patterns, &[true], &m, &u, 0.5, 1000, 1e-12);
        assert!(converged);
        assert!((share - 0.1).abs() < 1e-6, "share {share}");
        assert_eq!(em_share(&[], &[true], &m, &u, 0.3, 10, 1e-9).0, 0.3);
        // With the comparison left out, every pair looks alike: the share
        // stays where it started.
        let (left_out, _, _) = em_share(&patterns, &[false], &m, &u, 0.3, 1000, 1e-12);
        assert!((left_out - 0.3).abs() < 1e-9, "share {left_out}");
    }

    #[test]
    fn smoothed_shares_add_half_a_pair_per_level() {
        let s = smoothed_shares(&[7, 8, 0, 2]).unwrap();
        assert_eq!(s[0], 1.0);
        assert!((s[1] - 8.5 / 11.5).abs() < 1e-12);
        assert!((s[2] - 0.5 / 11.5).abs() < 1e-12);
        assert!((s.iter().skip(1).sum::<f64>() - 1.0).abs() < 1e-12);
        assert_eq!(smoothed_shares(&[5, 0, 0]), None);
        assert_eq!(smoothed_shares(&[]), None);
    }
}
