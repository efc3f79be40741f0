//! Nanoseconds per value for the email, handle and device id normalizers,
//! on canonical input (the fast paths) and on messy input separately.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use omnid::Network;
use omnid::normalize::device::{normalize_device_id, normalize_opaque_id};
use omnid::normalize::email::{EmailRules, normalize_email};
use omnid::normalize::handle::normalize_handle;

const EMAILS_CANONICAL: &[&str] = &[
    "ana.garcia@gmail.com",
    "jperez@empresa.com.mx",
    "carlos.ruiz@hotmail.com",
    "luis.fernandez@yahoo.es",
    "maria.jose@outlook.es",
    "sofia.martinez@icloud.com",
    "ventas@tienda-online.com.ar",
    "j.gomez83@gmail.com",
];

const EMAILS_MESSY: &[&str] = &[
    "  Ana.Garcia+Compras@Gmail.COM ",
    "Ana García <Ana.Garcia@GoogleMail.com>",
    "mailto:JPerez@Empresa.com.mx?subject=Reclamo",
    "'luis.fernandez@yahoo.es';",
    "\u{a0}carlos.ruiz+1@hotmail.com\u{200B}",
    "INFO@ESPAÑA.ES",
    "Begoña.Muñoz@Empresa.es",
    "ana.garcia@gmial.com",
];

const EMAILS_REJECTED: &[&str] = &[
    "n/a",
    "test@test.com",
    "noemail@gmail.com",
    "ana garcia@gmail.com",
    "ana@gmail",
    "sin correo",
    "x@x.com",
    "",
];

const HANDLES_CANONICAL: &[(&str, Network)] = &[
    ("anag", Network::X),
    ("ana.garcia", Network::Instagram),
    ("anagarcia", Network::Facebook),
    ("ana.garcia_", Network::TikTok),
    ("ana_garcia", Network::Telegram),
    ("tienda_oficial", Network::X),
    ("cafe.del.barrio", Network::Instagram),
    ("1000123", Network::Facebook),
];

const HANDLES_MESSY: &[(&str, Network)] = &[
    ("@AnaG", Network::X),
    ("https://x.com/AnaG/status/1789", Network::X),
    (
        "https://www.instagram.com/ana.garcia/?hl=es",
        Network::Instagram,
    ),
    ("facebook.com/profile.php?id=1000123", Network::Facebook),
    ("https://m.facebook.com/Ana.Garcia", Network::Facebook),
    (
        "https://www.tiktok.com/@Ana.Garcia?lang=es",
        Network::TikTok,
    ),
    ("https://t.me/ana_g", Network::Telegram),
    (" @Ana_Garcia\u{a0}", Network::Telegram),
];

const DEVICES_CANONICAL: &[&str] = &[
    "6d92078a-8246-4ba4-ae5b-76104861e7dc",
    "38400000-8cf0-11bd-b23e-10b96e40000d",
    "e621e1f8-c36c-495a-93fc-0c247a3e6e5f",
    "0f3a9c2b7d1e4a56",
];

const DEVICES_MESSY: &[&str] = &[
    "6D92078A-8246-4BA4-AE5B-76104861E7DC",
    " 384000008CF011BDB23E10B96E40000D ",
    "{E621E1F8-C36C-495A-93FC-0C247A3E6E5F}",
    "0F3A9C2B7D1E4A56",
];

const OPAQUE: &[&str] = &[
    "0031X00000AbCdE",
    "CLI-000123",
    " \"0031X00000AbCdE\" ",
    "4000 1234 5678 9010",
    "GA1.2.1234567890.1699999999",
    "=\"000123\"",
];

fn email(c: &mut Criterion) {
    let rules = EmailRules::default();
    let mut group = c.benchmark_group("email");
    for (name, inputs) in [
        ("canonical", EMAILS_CANONICAL),
        ("messy", EMAILS_MESSY),
        ("rejected", EMAILS_REJECTED),
    ] {
        group.throughput(Throughput::Elements(inputs.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for raw in inputs {
                    let _ = black_box(normalize_email(black_box(raw), &rules));
                }
            })
        });
    }
    group.finish();
}

fn handle(c: &mut Criterion) {
    let mut group = c.benchmark_group("handle");
    for (name, inputs) in [("canonical", HANDLES_CANONICAL), ("messy", HANDLES_MESSY)] {
        group.throughput(Throughput::Elements(inputs.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for (raw, network) in inputs {
                    let _ = black_box(normalize_handle(black_box(raw), network));
                }
            })
        });
    }
    group.finish();
}

fn device(c: &mut Criterion) {
    let mut group = c.benchmark_group("device");
    for (name, inputs) in [("canonical", DEVICES_CANONICAL), ("messy", DEVICES_MESSY)] {
        group.throughput(Throughput::Elements(inputs.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| {
                for raw in inputs {
                    let _ = black_box(normalize_device_id(black_box(raw)));
                }
            })
        });
    }
    group.throughput(Throughput::Elements(OPAQUE.len() as u64));
    group.bench_function("opaque", |b| {
        b.iter(|| {
            for raw in OPAQUE {
                let _ = black_box(normalize_opaque_id(black_box(raw)));
            }
        })
    });
    group.finish();
}

criterion_group!(benches, email, handle, device);
criterion_main!(benches);
