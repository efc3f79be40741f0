//! Nanoseconds per value for the phone normalizer: on canonical E.164 input
//! (the fast path), on E.164 with spaces, on national numbers in their
//! regions, on values it rejects, and the throughput of two rayon threads.
//!
//! Each benchmark normalizes a whole slice; criterion's time divided by the
//! element count is the time per value.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use omnid::Country;
use omnid::normalize::phone::normalize_phone;
use rayon::prelude::*;

const CANONICAL: &[&str] = &[
    "+34612345678",
    "+34911234567",
    "+34934567812",
    "+525512345678",
    "+523398765432",
    "+5491112345678",
    "+5493514123456",
    "+541141234567",
    "+573001234567",
    "+576012345678",
    "+16502530000",
    "+12125550123",
];

const SPACED: &[&str] = &[
    "+34 612 34 56 78",
    "+34 911 23 45 67",
    "0034 934 567 812",
    "+52 55 1234 5678",
    "+52 (33) 9876-5432",
    "+54 9 11 1234-5678",
    "+54 9 351 412 3456",
    "+54 11 4123-4567",
    "+57 300 123 4567",
    "+57 601 234 5678",
    "+1 (650) 253-0000",
    "+1-212-555-0123",
];

const NATIONAL: &[(&str, &str)] = &[
    ("612 34 56 78", "ES"),
    ("91 123 45 67", "ES"),
    ("612.345.678", "ES"),
    ("(55) 1234-5678", "MX"),
    ("044 55 1234 5678", "MX"),
    ("01 33 9876 5432", "MX"),
    ("011 15-1234-5678", "AR"),
    ("(0351) 15-412-3456", "AR"),
    ("011 4123-4567", "AR"),
    ("300 123 4567", "CO"),
    ("(1) 345 6789", "CO"),
    ("601 234 5678", "CO"),
    ("(650) 253-0000", "US"),
    ("1-800-FLOWERS", "US"),
    ("+34 912 345 678 ext. 123", "ES"),
    ("tel:+34-912-345-678", ""),
];

const REJECTED: &[(&str, &str)] = &[
    ("anonymous", ""),
    ("PRIVATE NUMBER", "ES"),
    ("0000000000", "MX"),
    ("123456789", "ES"),
    ("612345678", ""),
    ("12345", "ES"),
    ("412 345 678", "ES"),
    ("", "CO"),
];

fn with_regions(values: &[(&'static str, &str)]) -> Vec<(&'static str, Option<Country>)> {
    values
        .iter()
        .map(|&(raw, region)| (raw, region.parse().ok()))
        .collect()
}

fn normalize_all(values: &[(&str, Option<Country>)]) -> usize {
    values
        .iter()
        .filter(|(raw, region)| normalize_phone(black_box(raw), *region).is_ok())
        .count()
}

fn phone(c: &mut Criterion) {
    let canonical: Vec<_> = CANONICAL.iter().map(|&raw| (raw, None)).collect();
    let spaced: Vec<_> = SPACED.iter().map(|&raw| (raw, None)).collect();
    let national = with_regions(NATIONAL);
    let rejected = with_regions(REJECTED);
    assert_eq!(normalize_all(&canonical), canonical.len());
    assert_eq!(normalize_all(&spaced), spaced.len());
    assert_eq!(normalize_all(&national), national.len());
    assert_eq!(normalize_all(&rejected), 0);

    for (name, values) in [
        ("phone/canonical", &canonical),
        ("phone/spaced", &spaced),
        ("phone/national", &national),
        ("phone/rejected", &rejected),
    ] {
        let mut group = c.benchmark_group(name);
        group.throughput(Throughput::Elements(values.len() as u64));
        group.bench_function("normalize_phone", |b| b.iter(|| normalize_all(values)));
        group.finish();
    }

    // A larger mixed batch, on one thread and on a two-thread rayon pool.
    let mixed: Vec<_> = canonical
        .iter()
        .chain(&spaced)
        .chain(&national)
        .copied()
        .cycle()
        .take(4000)
        .collect();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .expect("a two-thread pool");
    let mut group = c.benchmark_group("phone/mixed");
    group.throughput(Throughput::Elements(mixed.len() as u64));
    group.bench_function("1_thread", |b| b.iter(|| normalize_all(&mixed)));
    group.bench_function("rayon_2_threads", |b| {
        b.iter(|| {
            pool.install(|| {
                mixed
                    .par_iter()
                    .filter(|(raw, region)| normalize_phone(black_box(raw), *region).is_ok())
                    .count()
            })
        })
    });
    group.finish();
}

criterion_group!(benches, phone);
criterion_main!(benches);
