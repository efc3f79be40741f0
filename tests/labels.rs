//! Training from labelled pairs on FEBRL3: a few hundred pairs a reviewer
//! could label give a model as good as unsupervised EM.

#[allow(dead_code, reason = "shared support: this test needs only the loading")]
#[path = "../benches/support/dataset.rs"]
mod dataset;

use dataset::{Dataset, Prepared};
use omnid::matching::{LabelledPair, MatchOutput, UFrom};

fn febrl3() -> Prepared {
    Dataset::load("examples/febrl/febrl3.toml", None, None).prepare()
}

/// A small xorshift: the same labels on every run.
fn rng(seed: u64) -> impl FnMut(u64) -> u64 {
    let mut state = seed | 1;
    move |n| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state % n
    }
}

/// `matches` true pairs and `non_matches` pairs of two random records, labelled by the truth.
fn random_labels(prep: &Prepared, matches: usize, non_matches: usize) -> Vec<LabelledPair> {
    let mut next = rng(7);
    let truth = prep.true_pairs();
    let mut labels = Vec::new();
    while labels.len() < matches {
        let (a, b) = truth[next(truth.len() as u64) as usize];
        labels.push(LabelledPair {
            a,
            b,
            is_match: true,
        });
    }
    let rows = prep.columns.len() as u64;
    while labels.len() < matches + non_matches {
        let (a, b) = (next(rows) as u32, next(rows) as u32);
        if a != b {
            labels.push(LabelledPair {
                a,
                b,
                is_match: prep.is_match(a, b),
            });
        }
    }
    labels
}

/// `n` candidate pairs, labelled by the truth: what a reviewer would see.
fn candidate_labels(prep: &Prepared, n: usize) -> Vec<LabelledPair> {
    let cands = prep
        .matcher
        .candidate_pairs(&prep.columns, &prep.datasets)
        .expect("blocking runs");
    let mut next = rng(11);
    (0..n)
        .map(|_| {
            let (a, b) = cands.pairs[next(cands.pairs.len() as u64) as usize];
            LabelledPair {
                a,
                b,
                is_match: prep.is_match(a, b),
            }
        })
        .collect()
}

/// Pairwise precision, recall and F1 of the links against every true pair.
fn f1(prep: &Prepared, out: &MatchOutput) -> (f64, f64, f64) {
    let tp = out.links.iter().filter(|p| prep.is_match(p.a, p.b)).count() as f64;
    let p = tp / out.links.len() as f64;
    let r = tp / prep.true_pairs().len() as f64;
    (p, r, 2.0 * p * r / (p + r))
}

fn train(prep: &Prepared, labels: &[LabelledPair], u_from: UFrom) -> MatchOutput {
    let mut config = prep.matcher.config().clone();
    config.training.u_from = u_from;
    omnid::matching::Matcher::new(config)
        .expect("a valid config")
        .run_with_labels(&prep.columns, &prep.datasets, labels)
        .expect("training runs")
}

fn assert_f1(prep: &Prepared, name: &str, out: &MatchOutput) {
    let (p, r, f) = f1(prep, out);
    println!(
        "{name}: P {p:.4} R {r:.4} F1 {f:.4}, prior {:.2e}",
        out.model.prior
    );
    assert!(f >= 0.99, "{name}: P {p:.4} R {r:.4} F1 {f:.4}");
}

#[test]
fn a_hundred_and_fifty_matches_and_as_many_random_pairs_train_a_model_with_f1_above_0_99() {
    let prep = febrl3();
    let labels = random_labels(&prep, 150, 150);
    // Auto: 150 non-matches are too few for u, which comes from random pairs.
    let out = train(&prep, &labels, UFrom::Auto);
    let report = out.stats.labels.expect("trained from labels");
    assert_eq!((report.matches, report.u_from_labels), (150, false));
    assert_f1(&prep, "150 + 150 random pairs, u from random pairs", &out);
    // u from the 150 labelled non-matches: rough for rare agreements, still good.
    let out = train(&prep, &labels, UFrom::Labels);
    assert!(out.stats.labels.expect("trained from labels").u_from_labels);
    assert_f1(&prep, "150 + 150 random pairs, u from labels", &out);
}

#[test]
fn three_hundred_reviewed_candidate_pairs_train_a_model_with_f1_above_0_99() {
    let prep = febrl3();
    let labels = candidate_labels(&prep, 300);
    let out = train(&prep, &labels, UFrom::Auto);
    assert_f1(&prep, "300 candidate pairs, u from random pairs", &out);
    // Non-matches among candidates look alike: u from them would call most
    // agreement ordinary. That is why `auto` needs many non-matches.
    let biased = train(&prep, &labels, UFrom::Labels);
    assert!(f1(&prep, &biased).2 < f1(&prep, &out).2);
}

#[test]
fn m_of_exact_given_names_is_the_share_of_labelled_matches_that_agree() {
    let prep = febrl3();
    let labels = random_labels(&prep, 200, 0);
    let out = train(&prep, &labels, UFrom::Auto);
    let field: omnid::matching::features::Field = "given_name".parse().expect("a field");
    let col = prep
        .columns
        .column(prep.columns.index_of(&field).expect("a given name column"));
    let (mut with_value, mut exact) = (0.0, 0.0);
    for p in &labels {
        let (a, b) = (col.of(p.a), col.of(p.b));
        if !a.is_empty() && !b.is_empty() {
            with_value += 1.0;
            if a == b {
                exact += 1.0;
            }
        }
    }
    let share = exact / with_value;
    let cm = &out.model.comparisons[0];
    assert_eq!(
        (cm.name.as_str(), cm.levels[1].label.as_str()),
        ("given_name", "exact (tf)")
    );
    let m = cm.levels[1].m;
    println!("m {m:.4}, labelled share {share:.4} ({exact} of {with_value})");
    assert!(share > 0.5 && share < 1.0, "labelled share {share}");
    assert!((m - share).abs() < 0.015, "m {m}, labelled share {share}");
}
