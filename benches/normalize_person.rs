//! Person names and dates: time per value over realistic mixes, canonical
//! input (what omnid itself writes) and messy input (what CRM exports and
//! chat profiles hold) measured apart. Divide the reported time by the
//! number of elements (criterion prints elements/s) for ns per value.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use omnid::normalize::date::{DatePolicy, normalize_date};
use omnid::normalize::name::{fold, normalize_person_name};

type NameInput = (
    Option<&'static str>,
    Option<&'static str>,
    Option<&'static str>,
);

const NAMES_CANONICAL: &[NameInput] = &[
    (Some("maria jose"), Some("garcia lopez"), None),
    (Some("juan"), Some("perez"), None),
    (Some("jose guadalupe"), Some("hernandez martinez"), None),
    (Some("luz dary"), Some("gomez"), None),
    (Some("john"), Some("smith"), None),
    (Some("lucia belen"), Some("ferrari"), None),
    (Some("francisco javier"), Some("fernandez"), None),
    (Some("ana"), Some("ruiz"), None),
];

const NAMES_MESSY: &[NameInput] = &[
    (Some("María José"), Some("García-López"), None),
    (None, None, Some("GARCÍA LÓPEZ, Mª José")),
    (None, None, Some("José Guadalupe Hernández Martínez")),
    (Some("Fco. Javier"), Some("Fdez. de la Fuente"), None),
    (None, None, Some("Sra. María del Carmen Pérez Ruiz")),
    (Some("Juan Pérez"), None, None),
    (None, None, Some("Jhon Jairo Ramírez Gómez")),
    (Some("Pepe"), Some("Núñez"), None),
    (None, None, Some("Ángel Di María")),
    (Some("cliente"), None, None),
];

const DATES_CANONICAL: &[&str] = &[
    "1985-03-01",
    "1990-12-25",
    "2001-09-05",
    "1972-12-17",
    "1999-08-03",
    "2010-05-12",
];

const DATES_MESSY: &[&str] = &[
    "01/03/1985",
    "25/12/1990 00:00:00",
    "1 de marzo de 1985",
    "01-mar-85",
    "March 1, 1985",
    "19850301",
    "2024-03-01T10:00:00Z",
    "miércoles 5 de septiembre del 2001",
    "31/02/2020",
    "01/01/1900",
];

const FOLD: &[&str] = &[
    "maria jose garcia lopez",
    "María José García López",
    "GARCÍA-LÓPEZ, Mª José",
    "O'Brien",
    "Đặng Thị Straße",
    "jhon jairo ramirez",
];

fn names(c: &mut Criterion) {
    let mut group = c.benchmark_group("person_name");
    for (label, inputs) in [("canonical", NAMES_CANONICAL), ("messy", NAMES_MESSY)] {
        group.throughput(Throughput::Elements(inputs.len() as u64));
        group.bench_function(label, |b| {
            b.iter(|| {
                for &(g, f, full) in inputs {
                    let _ = black_box(normalize_person_name(
                        black_box(g),
                        black_box(f),
                        black_box(full),
                    ));
                }
            })
        });
    }
    group.finish();
}

fn dates(c: &mut Criterion) {
    let policy = DatePolicy::default();
    let mut group = c.benchmark_group("date");
    for (label, inputs) in [("canonical", DATES_CANONICAL), ("messy", DATES_MESSY)] {
        group.throughput(Throughput::Elements(inputs.len() as u64));
        group.bench_function(label, |b| {
            b.iter(|| {
                for raw in inputs {
                    let _ = black_box(normalize_date(black_box(raw), &policy));
                }
            })
        });
    }
    group.finish();
}

fn folding(c: &mut Criterion) {
    let mut group = c.benchmark_group("fold");
    group.throughput(Throughput::Elements(FOLD.len() as u64));
    group.bench_function("mixed", |b| {
        b.iter(|| {
            for raw in FOLD {
                black_box(fold(black_box(raw)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, names, dates, folding);
criterion_main!(benches);
