//! Probabilistic matching benchmarks on real data: blocking (candidate pairs
//! per second), scoring (pairs per second on one thread), training (u
//! sampling and EM, and training from labels), and adding the matcher's
//! links to the identity graph under its rules (links per second).
//!
//! Data: FEBRL3 (`examples/febrl/`) and the 100,000 people of the Splink
//! comparison (`bench/compare/data/people_100000.csv`, made by
//! `bench/compare/setup.sh 100000`; skipped with a message when absent).
//!
//! `cargo bench --bench matching -- --warm-up-time 1 --measurement-time 3`

#[allow(dead_code, reason = "shared support: the benches use part of it")]
#[path = "support/dataset.rs"]
mod dataset;

use std::hint::black_box;
use std::time::Duration;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use dataset::{Dataset, Prepared};
use omnid::cluster::ProbabilisticEdge;
use omnid::matching::{LabelledPair, MatchOutput};
use omnid::resolve::{Resolver, ResolverConfig};

/// A data set, read once: its records, columns and a trained model.
struct Bench {
    name: &'static str,
    data: Dataset,
    prep: Prepared,
    out: MatchOutput,
}

fn load() -> Vec<Bench> {
    let mut sets = vec![(
        "febrl3",
        Dataset::load("examples/febrl/febrl3.toml", None, None),
    )];
    if let Some(path) = dataset::people_100k() {
        sets.push((
            "people_100k",
            Dataset::load(
                "examples/people/people.toml",
                Some(&path),
                Some("entity_id"),
            ),
        ));
    }
    sets.into_iter()
        .map(|(name, data)| {
            let prep = data.prepare();
            let out = prep
                .matcher
                .run(&prep.columns, &prep.datasets)
                .expect("matching runs");
            Bench {
                name,
                data,
                prep,
                out,
            }
        })
        .collect()
}

fn blocking(c: &mut Criterion, sets: &[Bench]) {
    let mut group = c.benchmark_group("blocking");
    group.sample_size(10);
    for s in sets {
        group.throughput(Throughput::Elements(s.out.stats.comparisons));
        group.bench_function(s.name, |b| {
            b.iter(|| {
                black_box(
                    s.prep
                        .matcher
                        .candidate_pairs(&s.prep.columns, &s.prep.datasets)
                        .expect("blocking runs"),
                )
            })
        });
    }
    group.finish();
}

fn scoring(c: &mut Criterion, sets: &[Bench]) {
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("a thread pool");
    let mut group = c.benchmark_group("scoring_one_thread");
    group.sample_size(10);
    for s in sets {
        let pairs = s
            .prep
            .matcher
            .candidate_pairs(&s.prep.columns, &s.prep.datasets)
            .expect("blocking runs")
            .pairs;
        group.throughput(Throughput::Elements(pairs.len() as u64));
        group.bench_function(s.name, |b| {
            one.install(|| {
                b.iter(|| {
                    black_box(
                        s.prep
                            .matcher
                            .score_pairs(&s.out.model, &s.prep.columns, &pairs)
                            .expect("scoring runs"),
                    )
                })
            })
        });
    }
    group.finish();
}

/// Training time as the matcher measures it (u sampling, EM sessions,
/// prior): each iteration is a whole run, only its training is counted.
fn training(c: &mut Criterion, sets: &[Bench]) {
    let mut group = c.benchmark_group("training");
    group.sample_size(10);
    for s in sets {
        group.bench_function(format!("{}_em", s.name), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        s.prep
                            .matcher
                            .run(&s.prep.columns, &s.prep.datasets)
                            .expect("matching runs")
                            .stats
                            .training_time
                    })
                    .sum::<Duration>()
            })
        });
        let labels = labels(&s.prep, 300);
        group.bench_function(format!("{}_from_300_labels", s.name), |b| {
            b.iter_custom(|iters| {
                (0..iters)
                    .map(|_| {
                        s.prep
                            .matcher
                            .run_with_labels(&s.prep.columns, &s.prep.datasets, &labels)
                            .expect("matching runs")
                            .stats
                            .training_time
                    })
                    .sum::<Duration>()
            })
        });
    }
    group.finish();
}

/// `n` labelled pairs: every k-th true pair and as many random record pairs.
fn labels(prep: &Prepared, n: usize) -> Vec<LabelledPair> {
    let truth = prep.true_pairs();
    let step = (truth.len() / (n / 2).max(1)).max(1);
    let mut labels: Vec<LabelledPair> = truth
        .iter()
        .step_by(step)
        .take(n / 2)
        .map(|&(a, b)| LabelledPair {
            a,
            b,
            is_match: true,
        })
        .collect();
    let rows = prep.columns.len() as u64;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % rows) as u32
    };
    while labels.len() < n {
        let (a, b) = (next(), next());
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

/// The matcher's links added to the identity graph under its rules
/// (strongest first, refused when a rule forbids the merge).
fn clustering(c: &mut Criterion, sets: &[Bench]) {
    let mut group = c.benchmark_group("probabilistic_links");
    group.sample_size(10);
    for s in sets {
        let deterministic = ResolverConfig {
            matching: None,
            ..s.data.config.clone()
        };
        let graph = Resolver::new(deterministic)
            .and_then(|r| r.resolve(&s.data.records))
            .expect("resolution runs");
        // Rows are in key order; the graph's ids are in input order.
        let mut input_of = vec![0usize; s.data.records.len()];
        let mut order: Vec<usize> = (0..s.data.records.len()).collect();
        order.sort_by(|&a, &b| s.data.records[a].key.cmp(&s.data.records[b].key));
        for (row, &i) in order.iter().enumerate() {
            input_of[row] = i;
        }
        let edges: Vec<ProbabilisticEdge> = s
            .out
            .links
            .iter()
            .map(|p| ProbabilisticEdge {
                a: graph.ids[input_of[p.a as usize]],
                b: graph.ids[input_of[p.b as usize]],
                weight: p.weight,
            })
            .collect();
        group.throughput(Throughput::Elements(edges.len() as u64));
        group.bench_function(s.name, |b| {
            b.iter_batched(
                || graph.graph.clone(),
                |mut g| {
                    black_box(
                        g.add_probabilistic_edges(edges.iter().copied())
                            .expect("links are added"),
                    );
                    g
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

fn benches(c: &mut Criterion) {
    let sets = load();
    blocking(c, &sets);
    scoring(c, &sets);
    training(c, &sets);
    clustering(c, &sets);
}

criterion_group!(matching, benches);
criterion_main!(matching);
