//! Identity graph benchmarks: the union-find kernel (unions per second), the
//! constrained clustering, and a synthetic stitching run (records per second).
//!
//! For the 1M and 10M record runs with peak memory, see
//! `cargo run --release --example graph_scale -- 10000000`.

#[path = "support/synthetic.rs"]
mod synthetic;

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use omnid::cluster::{
    Clustering, ConstraintIndex, Edge, Evidence, KindId, KindPolicy, RecordId, UnionFind, ValueId,
};
use omnid::graph::{GraphBuilder, IdentityRules};

/// Pseudo-random pairs over `0..n`, fixed by the seed.
fn pairs(n: u32, count: usize) -> Vec<(u32, u32)> {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % u64::from(n)) as u32
    };
    (0..count).map(|_| (next(), next())).collect()
}

fn union_find(c: &mut Criterion) {
    let mut group = c.benchmark_group("union_find");
    for n in [1_000_000u32, 10_000_000] {
        let edges = pairs(n, n as usize);
        group.throughput(Throughput::Elements(edges.len() as u64));
        group.bench_function(format!("random_unions_{n}"), |b| {
            b.iter_batched(
                || UnionFind::new(n),
                |mut uf| {
                    for &(a, b) in &edges {
                        black_box(uf.union(a, b));
                    }
                    uf
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

/// `n` records with one phone each (five per cluster at most) and one CRM id
/// in ten (exclusive): random links, some refused.
fn constrained_clustering(c: &mut Criterion) {
    let n = 1_000_000u32;
    let policies = vec![
        KindPolicy {
            exclusive: true,
            max_per_profile: Some(1),
        },
        KindPolicy {
            exclusive: false,
            max_per_profile: Some(5),
        },
    ];
    let crms = n / 10;
    let mut value_kind = vec![KindId(0); crms as usize];
    value_kind.extend(std::iter::repeat_n(KindId(1), n as usize));
    let mut offsets = vec![0u32];
    let mut values = Vec::new();
    for r in 0..n {
        if r % 10 == 0 {
            values.push(ValueId(r / 10));
        }
        values.push(ValueId(crms + r));
        offsets.push(values.len() as u32);
    }
    let index = ConstraintIndex::new(policies, value_kind, offsets, values).unwrap();
    let edges: Vec<Edge> = pairs(n, n as usize)
        .into_iter()
        .map(|(a, b)| Edge {
            a: RecordId(a),
            b: RecordId(b),
            evidence: Evidence::Probabilistic { weight: 1.0 },
        })
        .collect();
    let mut group = c.benchmark_group("clustering");
    group.throughput(Throughput::Elements(edges.len() as u64));
    group.sample_size(10);
    group.bench_function("constrained_links_1M", |b| {
        b.iter_batched(
            || Clustering::new(index.clone()),
            |mut clustering| {
                for &e in &edges {
                    black_box(clustering.link(e).unwrap());
                }
                clustering
            },
            BatchSize::LargeInput,
        )
    });
    group.finish();
}

fn stitching(c: &mut Criterion) {
    let mut group = c.benchmark_group("stitch");
    group.sample_size(10);
    for n in [100_000u64, 1_000_000] {
        group.throughput(Throughput::Elements(n));
        group.bench_function(format!("synthetic_{n}"), |b| {
            b.iter(|| {
                let mut builder = GraphBuilder::new(IdentityRules::default()).unwrap();
                synthetic::add_records(&mut builder, n).unwrap();
                black_box(builder.stitch().unwrap())
            })
        });
    }
    group.finish();
}

criterion_group!(benches, union_find, constrained_clustering, stitching);
criterion_main!(benches);
