//! National id normalization and the junk filter, per value, over realistic
//! mixes: canonical input (the fast case, a re-run over normalized data) and
//! messy input (dots, dashes, lower case, as typed into a CRM).
//!
//! Throughput is in values per second; ns/value = 1e9 / throughput.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use omnid::Country;
use omnid::normalize::junk::JunkFilter;
use omnid::normalize::national_id::normalize_national_id;

fn pe() -> Country {
    "PE".parse().unwrap_or(Country::ES)
}

fn canonical_ids() -> Vec<(&'static str, Country)> {
    vec![
        ("48213567R", Country::ES),
        ("03940211N", Country::ES),
        ("X2490371T", Country::ES),
        ("A58818501", Country::ES),
        ("25713482", Country::AR),
        ("20257134823", Country::AR),
        ("33693450239", Country::AR),
        ("BOXW310820HNERXN09", Country::MX),
        ("GODE561231GR8", Country::MX),
        ("1020304050", Country::CO),
        ("8001972684", Country::CO),
        ("45213678", pe()),
    ]
}

fn messy_ids() -> Vec<(&'static str, Country)> {
    vec![
        ("48.213.567-r", Country::ES),
        (" 3940211 n", Country::ES),
        ("x-2490371-t", Country::ES),
        ("ES-A58818501", Country::ES),
        ("25.713.482", Country::AR),
        ("20-25713482-3", Country::AR),
        ("33 69345023 9", Country::AR),
        ("boxw 310820 hnerxn 09", Country::MX),
        ("gode-561231-gr8", Country::MX),
        ("1.020.304.050", Country::CO),
        ("800.197.268-4", Country::CO),
        ("4521 3678", pe()),
    ]
}

fn invalid_ids() -> Vec<(&'static str, Country)> {
    vec![
        ("48213567A", Country::ES),
        ("12345678Z", Country::ES),
        ("48.213.567", Country::ES),
        ("20-25713482-4", Country::AR),
        ("BOXW310820HNERXN08", Country::MX),
        ("XAXX010101000", Country::MX),
        ("800.197.268-5", Country::CO),
        ("n/a", Country::CO),
    ]
}

/// Normalized values of every kind, as the dispatcher hands them to the filter.
const JUNK_PASS: &[&str] = &[
    "+34612345678",
    "+5491123456789",
    "ana.garcia@gmail.com",
    "j.perez@empresa.com.ar",
    "ana_g",
    "550e8400-e29b-41d4-a716-446655440000",
    "48213567R",
    "1000234",
    "BOXW310820HNERXN09",
    "abc",
];

const JUNK_REJECT: &[&str] = &[
    "+34111111111",
    "+34123456789",
    "qwerty@gmail.com",
    "00000000-0000-0000-0000-000000000000",
    "123456789",
    "asdfgh",
    "NULL",
    "undefined",
];

fn bench_national_ids(c: &mut Criterion) {
    let mut group = c.benchmark_group("national_id");
    for (name, inputs) in [
        ("canonical", canonical_ids()),
        ("messy", messy_ids()),
        ("invalid", invalid_ids()),
    ] {
        group.throughput(Throughput::Elements(inputs.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for &(raw, country) in &inputs {
                    let _ = black_box(normalize_national_id(black_box(raw), country));
                }
            })
        });
    }
    group.finish();
}

fn bench_junk(c: &mut Criterion) {
    let filter = JunkFilter::default();
    let mut group = c.benchmark_group("junk");
    for (name, inputs) in [("pass", JUNK_PASS), ("reject", JUNK_REJECT)] {
        group.throughput(Throughput::Elements(inputs.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for &value in inputs {
                    let _ = black_box(filter.check(black_box(value)));
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_national_ids, bench_junk);
criterion_main!(benches);
