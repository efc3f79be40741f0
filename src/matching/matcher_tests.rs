//! Properties of the whole matcher on a small synthetic population.

use proptest::prelude::*;

use super::*;
use crate::matching::comparison::Level;
use crate::matching::rng::SplitMix64;

const GIVEN: &[&str] = &[
    "ana", "maria", "jose", "juan", "lucia", "carmen", "pedro", "luis", "elena", "pablo", "marta",
    "jorge", "sara", "diego", "laura", "raul",
];
const FAMILY: &[&str] = &[
    "garcia",
    "lopez",
    "martinez",
    "sanchez",
    "perez",
    "gomez",
    "ruiz",
    "diaz",
    "moreno",
    "zubizarreta",
    "iglesias",
    "navarro",
    "torres",
    "dominguez",
    "vazquez",
    "ramos",
];

/// `people` people with 1-3 records each: typos, missing values, and emails
/// made of the names (namesakes share them now and then).
fn population(people: usize, seed: u64) -> (Vec<[String; 4]>, Vec<usize>) {
    let mut rng = SplitMix64::new(seed);
    let mut pick = |n: usize| rng.below(n as u64) as usize;
    let mut rows = Vec::new();
    let mut truth = Vec::new();
    for p in 0..people {
        let g = GIVEN[pick(GIVEN.len())];
        let f = FAMILY[pick(FAMILY.len())];
        let dob = format!(
            "19{:02}-{:02}-{:02}",
            40 + pick(60),
            1 + pick(12),
            1 + pick(28)
        );
        let email = if pick(2) == 0 {
            format!("{g}{f}@gmail.com")
        } else {
            format!("{g}.{f}{}@mail.es", pick(100))
        };
        for _ in 0..1 + pick(3) {
            let mut r = [g.to_string(), f.to_string(), dob.clone(), email.clone()];
            if pick(5) == 0 {
                // One substitution typo.
                let field = pick(2);
                let mut b = r[field].clone().into_bytes();
                let at = pick(b.len());
                b[at] = b'a' + pick(26) as u8;
                r[field] = String::from_utf8(b).unwrap_or_default();
            }
            if pick(6) == 0 {
                r[3 - pick(2)].clear();
            }
            rows.push(r);
            truth.push(p);
        }
    }
    (rows, truth)
}

const FIELDS: [Field; 4] = [
    Field::GivenName,
    Field::FamilyName,
    Field::BirthDate,
    Field::Email,
];

fn columns(rows: &[[String; 4]]) -> Columns {
    Columns::build(rows.len(), &FIELDS, |r, f, out| {
        let i = FIELDS.iter().position(|x| x == f).unwrap_or(0);
        if !rows[r][i].is_empty() {
            out.push(rows[r][i].as_str().into());
        }
    })
}

fn config() -> MatchingConfig {
    let cmp = |field: Field, levels: Vec<Level>| Comparison {
        name: None,
        field,
        levels,
        tf_min_u: None,
        conditional_on: Vec::new(),
    };
    MatchingConfig {
        blocking: vec![
            "given_name & family_name".parse().unwrap(),
            "birth_date".parse().unwrap(),
            "email".parse().unwrap(),
        ],
        comparisons: vec![
            cmp(
                Field::GivenName,
                vec![Level::Exact { tf: true }, Level::JaroWinkler { min: 0.88 }],
            ),
            cmp(
                Field::FamilyName,
                vec![Level::Exact { tf: true }, Level::JaroWinkler { min: 0.88 }],
            ),
            cmp(
                Field::BirthDate,
                vec![Level::Exact { tf: false }, Level::Damerau { max: 1 }],
            ),
            cmp(Field::Email, vec![Level::Exact { tf: true }]),
        ],
        ..MatchingConfig::default()
    }
}

fn run(config: MatchingConfig, cols: &Columns) -> (Matcher, MatchOutput) {
    let matcher = Matcher::new(config).unwrap();
    let out = matcher.run(cols, &vec![0; cols.len()]).unwrap();
    (matcher, out)
}

fn precision_recall(out: &MatchOutput, truth: &[usize]) -> (f64, f64) {
    let tp = out
        .links
        .iter()
        .filter(|p| truth[p.a as usize] == truth[p.b as usize])
        .count();
    let mut sizes = std::collections::HashMap::new();
    truth
        .iter()
        .for_each(|t| *sizes.entry(t).or_insert(0usize) += 1);
    let true_pairs: usize = sizes.values().map(|n| n * (n - 1) / 2).sum();
    (
        tp as f64 / out.links.len() as f64,
        tp as f64 / true_pairs as f64,
    )
}

#[test]
fn namesakes_sharing_a_name_made_email_are_kept_apart_with_conditional_u() {
    // 256 name combinations for 400 people: many namesakes, and half of
    // them share `{given}{family}@gmail.com`.
    let (rows, truth) = population(400, 7);
    let cols = columns(&rows);
    let (_, plain) = run(config(), &cols);
    let mut cfg = config();
    cfg.comparisons[3].conditional_on = vec![Field::GivenName, Field::FamilyName];
    let (_, cond) = run(cfg, &cols);
    let (p0, r0) = precision_recall(&plain, &truth);
    let (p1, r1) = precision_recall(&cond, &truth);
    assert!(p1 > 0.88 && r1 > 0.9, "conditional: P {p1} R {r1}");
    assert!(
        p1 > p0 + 0.1,
        "plain: P {p0} R {r0}; conditional: P {p1} R {r1}"
    );
}

#[test]
fn a_level_that_never_fires_changes_no_weight() {
    let (rows, _) = population(300, 11);
    let cols = columns(&rows);
    let (_, base) = run(config(), &cols);
    let mut cfg = config();
    // Jaro-Winkler is never above 1: the level never fires.
    cfg.comparisons[2]
        .levels
        .push(Level::JaroWinkler { min: 1.5 });
    let (_, more) = run(cfg, &cols);
    assert_eq!(base.links.len(), more.links.len());
    for (x, y) in base.links.iter().zip(&more.links) {
        assert_eq!((x.a, x.b), (y.a, y.b));
        assert!((x.weight - y.weight).abs() < 1e-3, "{x:?} {y:?}");
    }
}

#[test]
fn the_same_on_one_thread_and_on_four() {
    let (rows, _) = population(300, 3);
    let cols = columns(&rows);
    let on = |threads| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap()
            .install(|| run(config(), &cols).1)
    };
    let (one, four) = (on(1), on(4));
    assert_eq!(one.model, four.model);
    assert_eq!(one.links, four.links);
}

#[test]
fn a_shared_name_made_email_counts_less_among_namesakes() {
    // Namesakes often share `anagarcia@gmail.com`; conditional u says so.
    let (rows, _) = population(600, 5);
    let cols = columns(&rows);
    let (_, plain) = run(config(), &cols);
    let mut cfg = config();
    cfg.comparisons[3].conditional_on = vec![Field::GivenName, Field::FamilyName];
    let (matcher, cond) = run(cfg, &cols);
    let cu = cond.model.comparisons[3]
        .conditional
        .as_ref()
        .expect("conditional u measured");
    assert_eq!(cu.given, ["given_name", "family_name"]);
    let plain_u = plain.model.comparisons[3].levels[1].u;
    assert!(cu.u[1] > 10.0 * plain_u, "{} vs {plain_u}", cu.u[1]);
    // A pair with the same names and email scores lower than without the rule.
    let pair = (0..rows.len() as u32)
        .flat_map(|a| (a + 1..rows.len() as u32).map(move |b| (a, b)))
        .find(|&(a, b)| {
            let (x, y) = (&rows[a as usize], &rows[b as usize]);
            x[0] == y[0] && x[1] == y[1] && x[3] == y[3] && !x[3].is_empty()
        })
        .expect("a pair sharing names and email");
    let w = |m: &Matcher, model: &Model| m.waterfall(model, &cols, pair.0, pair.1).unwrap();
    let plain_matcher = Matcher::new(config()).unwrap();
    let before = w(&plain_matcher, &plain.model);
    let after = w(&matcher, &cond.model);
    assert!(after.steps[3].weight < before.steps[3].weight);
    assert_eq!(after.steps[3].tf_adjustment, 0.0);
}

#[test]
fn conditional_on_needs_a_session_on_exactly_those_fields() {
    let mut cfg = config();
    cfg.comparisons[3].conditional_on = vec![Field::GivenName];
    let err = Matcher::new(cfg).unwrap_err();
    assert!(err.to_string().contains("conditional_on"), "{err}");
    let mut cfg = config();
    cfg.comparisons[0].conditional_on = vec![Field::GivenName, Field::FamilyName];
    assert!(Matcher::new(cfg).is_err(), "conditional on its own field");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn weights_are_symmetric_in_the_pair(a in 0u32..200, b in 0u32..200) {
        let (rows, _) = population(100, 1);
        let cols = columns(&rows);
        let n = cols.len() as u32;
        let (a, b) = (a % n, b % n);
        let (matcher, out) = run(config(), &cols);
        let ab = matcher.waterfall(&out.model, &cols, a, b).unwrap();
        let ba = matcher.waterfall(&out.model, &cols, b, a).unwrap();
        prop_assert_eq!(ab.weight.to_bits(), ba.weight.to_bits());
        prop_assert_eq!(ab.steps, ba.steps);
    }
}

/// Every `step`-th pair of one person, and `non` pairs drawn at random.
fn labels(truth: &[usize], step: usize, non: usize, seed: u64) -> Vec<LabelledPair> {
    let n = truth.len() as u32;
    let mut out: Vec<LabelledPair> = (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .filter(|&(a, b)| truth[a as usize] == truth[b as usize])
        .step_by(step)
        .map(|(a, b)| LabelledPair {
            a,
            b,
            is_match: true,
        })
        .collect();
    let mut rng = SplitMix64::new(seed);
    let matches = out.len();
    while out.len() < matches + non {
        let (a, b) = (rng.below(n.into()) as u32, rng.below(n.into()) as u32);
        if a != b {
            out.push(LabelledPair {
                a,
                b,
                is_match: truth[a as usize] == truth[b as usize],
            });
        }
    }
    out
}

#[test]
fn m_from_labels_is_the_labelled_share_of_each_level() {
    let (rows, truth) = population(400, 13);
    let cols = columns(&rows);
    let labels = labels(&truth, 2, 500, 1);
    let matches: Vec<&LabelledPair> = labels.iter().filter(|p| p.is_match).collect();
    // Given names of labelled matches that have both values and agree exactly.
    let both = |p: &&&LabelledPair| !rows[p.a as usize][0].is_empty();
    let with_value = matches.iter().filter(both).count() as f64;
    let exact = matches
        .iter()
        .filter(both)
        .filter(|p| rows[p.a as usize][0] == rows[p.b as usize][0])
        .count() as f64;
    let matcher = Matcher::new(config()).unwrap();
    let out = matcher
        .run_with_labels(&cols, &vec![0; cols.len()], &labels)
        .unwrap();
    let m = out.model.comparisons[0].levels[1].m;
    let share = exact / with_value;
    assert!(share > 0.7 && share < 1.0, "labelled share {share}");
    assert!((m - share).abs() < 0.01, "m {m}, labelled share {share}");
    let report = out.stats.labels.unwrap();
    assert_eq!(report.matches, matches.len() as u64);
    assert!(
        !report.u_from_labels,
        "500 non-matches are below the default 1,000"
    );
    assert!(out.stats.u_pairs > 0);
}

#[test]
fn a_model_from_labels_links_as_well_as_em() {
    let (rows, truth) = population(500, 17);
    let cols = columns(&rows);
    let mut cfg = config();
    cfg.training.u_from = UFrom::Labels;
    let matcher = Matcher::new(cfg).unwrap();
    let labelled = labels(&truth, 3, 3000, 2);
    let out = matcher
        .run_with_labels(&cols, &vec![0; cols.len()], &labelled)
        .unwrap();
    assert!(out.stats.labels.unwrap().u_from_labels);
    assert_eq!(out.stats.u_pairs, 0, "no random pairs sampled");
    let (p, r) = precision_recall(&out, &truth);
    let (_, em) = run(config(), &cols);
    let (pe, re) = precision_recall(&em, &truth);
    let f1 = |p: f64, r: f64| 2.0 * p * r / (p + r);
    assert!(
        f1(p, r) > f1(pe, re) - 0.02,
        "labels: P {p} R {r}; EM: P {pe} R {re}"
    );
}

#[test]
fn a_model_from_labels_survives_json_and_scores_the_same() {
    let (rows, truth) = population(200, 19);
    let cols = columns(&rows);
    let matcher = Matcher::new(config()).unwrap();
    let datasets = vec![0; cols.len()];
    let out = matcher
        .run_with_labels(&cols, &datasets, &labels(&truth, 2, 200, 3))
        .unwrap();
    let json = serde_json::to_string(&out.model).unwrap();
    // serde_json's default float parsing may be one ulp off: scores agree
    // to far below any threshold's resolution.
    let back: Model = serde_json::from_str(&json).unwrap();
    assert_eq!(back.comparisons.len(), out.model.comparisons.len());
    let scored = matcher.score_all(&back, &cols, &datasets).unwrap();
    assert!(!out.links.is_empty());
    for link in &out.links {
        let s = scored
            .iter()
            .find(|s| (s.a, s.b) == (link.a, link.b))
            .unwrap();
        assert!((s.weight - link.weight).abs() < 1e-9, "{s:?} {link:?}");
        let w = matcher.waterfall(&back, &cols, link.a, link.b).unwrap();
        assert!((w.weight - link.weight).abs() < 1e-9);
    }
}

#[test]
fn labels_that_cannot_train_are_typed_errors() {
    let (rows, _) = population(50, 23);
    let cols = columns(&rows);
    let n = cols.len() as u32;
    let datasets = vec![0; cols.len()];
    let pair = |a, b, is_match| LabelledPair { a, b, is_match };
    let matcher = Matcher::new(config()).unwrap();
    let err = |labels: &[LabelledPair]| match matcher.run_with_labels(&cols, &datasets, labels) {
        Err(MatchConfigError::Labels(e)) => e,
        other => panic!("{other:?}"),
    };
    assert_eq!(
        err(&[pair(0, 1, true), pair(2, n, false)]),
        LabelError::OutOfRange {
            index: 1,
            record: n,
            records: n as usize
        }
    );
    assert_eq!(
        err(&[pair(u32::MAX, 0, true)]),
        LabelError::OutOfRange {
            index: 0,
            record: u32::MAX,
            records: n as usize
        }
    );
    assert_eq!(
        err(&[pair(3, 3, true)]),
        LabelError::SameRecord {
            index: 0,
            record: 3
        }
    );
    assert_eq!(err(&[]), LabelError::NoMatches);
    assert_eq!(err(&[pair(0, 1, false)]), LabelError::NoMatches);
    let mut cfg = config();
    cfg.training.u_from = UFrom::Labels;
    let strict = Matcher::new(cfg).unwrap();
    assert!(matches!(
        strict.run_with_labels(&cols, &datasets, &[pair(0, 1, true)]),
        Err(MatchConfigError::Labels(LabelError::NoNonMatches))
    ));
    // Auto falls back to random pairs when there are no non-matches.
    let out = matcher
        .run_with_labels(&cols, &datasets, &[pair(0, 1, true)])
        .unwrap();
    assert!(!out.stats.labels.unwrap().u_from_labels);
    assert!(matches!(
        matcher.score_pairs(&out.model, &cols, &[(0, n)]),
        Err(MatchConfigError::RecordOutOfRange { record, .. }) if record == n
    ));
}

#[test]
fn conditional_u_is_measured_when_training_from_labels() {
    let (rows, truth) = population(600, 5);
    let cols = columns(&rows);
    let mut cfg = config();
    cfg.comparisons[3].conditional_on = vec![Field::GivenName, Field::FamilyName];
    let matcher = Matcher::new(cfg).unwrap();
    let out = matcher
        .run_with_labels(&cols, &vec![0; cols.len()], &labels(&truth, 2, 300, 4))
        .unwrap();
    let cu = out.model.comparisons[3].conditional.as_ref().unwrap();
    let plain_u = out.model.comparisons[3].levels[1].u;
    assert!(cu.u[1] > 10.0 * plain_u, "{} vs {plain_u}", cu.u[1]);
    assert!(
        out.stats
            .sessions
            .iter()
            .any(|s| s.rule == "given_name & family_name")
    );
}
