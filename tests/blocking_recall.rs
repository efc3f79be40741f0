//! Blocking keeps the true pairs: on FEBRL1, 2 and 3 with the examples'
//! `[matching]` sections, the candidate pairs hold at least 99.5% of the
//! pairs of records of one person.
//!
//! The same share on the people data set of the Splink comparison (needs
//! `bench/compare/setup.sh 100000`):
//! `cargo test --test blocking_recall -- --include-ignored --nocapture`
//! prints, per data set, the true pairs among the candidates and the share
//! joined by a path of true candidate pairs (what clustering can link at best).

#[allow(dead_code, reason = "shared support: this test needs only the loading")]
#[path = "../benches/support/dataset.rs"]
mod dataset;

use dataset::Dataset;

/// What blocking keeps of the true pairs.
struct Recall {
    /// Pairs of records of one person.
    truth: usize,
    /// Those among the candidates.
    kept: usize,
    /// Those joined by a path of true candidate pairs (what clustering can
    /// link at best).
    connected: usize,
    /// Candidate pairs.
    candidates: usize,
}

fn recall(data: &Dataset) -> Recall {
    let prep = data.prepare();
    let cands = prep
        .matcher
        .candidate_pairs(&prep.columns, &prep.datasets)
        .expect("blocking runs");
    let mut uf = omnid::cluster::UnionFind::new(prep.columns.len() as u32);
    let mut kept = 0;
    for &(a, b) in &cands.pairs {
        if prep.is_match(a, b) {
            kept += 1;
            uf.union(a, b);
        }
    }
    let truth = prep.true_pairs();
    let connected = truth
        .iter()
        .filter(|&&(a, b)| uf.find(a) == uf.find(b))
        .count();
    Recall {
        truth: truth.len(),
        kept,
        connected,
        candidates: cands.pairs.len(),
    }
}

impl Recall {
    fn kept_share(&self) -> f64 {
        self.kept as f64 / self.truth as f64
    }

    fn connected_share(&self) -> f64 {
        self.connected as f64 / self.truth as f64
    }

    fn print(&self, name: &str) {
        println!(
            "{name}: {} of {} true pairs among {} candidates: {:.4}; connected: {:.4}",
            self.kept,
            self.truth,
            self.candidates,
            self.kept_share(),
            self.connected_share()
        );
    }
}

fn check(config: &str) {
    let r = recall(&Dataset::load(config, None, None));
    r.print(config);
    assert!(r.truth > 0, "{config}: no true pairs");
    let share = r.kept_share();
    assert!(
        share >= 0.995,
        "{config}: blocking keeps {share:.4} of the true pairs"
    );
}

#[test]
fn blocking_keeps_the_true_pairs_of_febrl1() {
    check("examples/febrl/febrl1.toml");
}

#[test]
fn blocking_keeps_the_true_pairs_of_febrl2() {
    check("examples/febrl/febrl2.toml");
}

#[test]
fn blocking_keeps_the_true_pairs_of_febrl3() {
    check("examples/febrl/febrl3.toml");
}

/// On these people the true pairs that share no blocking key mostly have a
/// typo in one name and a missing or wrong birth date; the rules on a name,
/// the other name's initial and the postcode catch most of them.
#[test]
#[ignore = "needs bench/compare/data/people_100000.csv; about 5 s"]
fn blocking_keeps_the_true_pairs_of_people_100k() {
    let Some(path) = dataset::people_100k() else {
        return;
    };
    let data = Dataset::load(
        "examples/people/people.toml",
        Some(&path),
        Some("entity_id"),
    );
    let r = recall(&data);
    r.print("people 100k");
    let (kept, connected) = (r.kept_share(), r.connected_share());
    assert!(kept >= 0.995, "people 100k: blocking keeps {kept:.4}");
    assert!(
        connected >= 0.995,
        "people 100k: true candidate pairs connect {connected:.4}"
    );
}
