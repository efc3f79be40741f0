//! Customer 360 benchmarks: lookups per second through the identifier index
//! (already normalized, and raw values in national, E.164 and email-variant
//! forms, normalization included), the time to build every profile, case,
//! journey and value over a synthetic multichannel export, and the time to
//! show every profile as a JSON line.

use std::fmt::Write;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use omnid::prepare::SourceSettings;
use omnid::profile::{Customer360, ProfileConfig, ViewOptions};
use omnid::resolve::{Resolver, ResolverConfig};
use omnid::{
    Channel, Country, Identifier, IdentifierKind, Interaction, InteractionKind, Money, Outcome,
    Record, RecordKey,
};

const PERSONS: u64 = 20_000;

fn mix(mut z: u64) -> u64 {
    // splitmix64's finalizer: a fixed, fast bijection.
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn national(p: u64) -> String {
    let d = format!("6{:08}", p);
    format!("{} {} {} {}", &d[0..3], &d[3..5], &d[5..7], &d[7..9])
}

/// Per person: a CRM row, a call, a web chat and a store purchase, with the
/// phone and email written differently in each.
fn records() -> Vec<Record> {
    let base = jiff::Timestamp::from_second(1_700_000_000).unwrap_or_default();
    let mut out = Vec::with_capacity(PERSONS as usize * 4);
    let mut id = String::new();
    for p in 0..PERSONS {
        let h = mix(p);
        let t = |hours: u64| base + jiff::SignedDuration::from_hours((h % 8000 + hours) as i64);
        let email = format!("user{p}@gmail.com");
        let mut push = |source: &str, ids: Vec<Identifier>, at, it: Option<Interaction>| {
            id.clear();
            let _ = write!(id, "{source}-{p}");
            out.push(Record {
                key: RecordKey::new(source, id.as_str()),
                observed_at: Some(at),
                identifiers: ids,
                interaction: it,
                ..Record::default()
            });
        };
        push(
            "crm",
            vec![
                Identifier::new(IdentifierKind::Phone, format!("+346{p:08}")),
                Identifier::new(IdentifierKind::Email, email.clone()),
            ],
            t(0),
            None,
        );
        let contact = |channel, outcome| Interaction {
            channel,
            kind: InteractionKind::Claim,
            outcome: Some(outcome),
            summary: Some("No funciona el router".into()),
            ..Interaction::default()
        };
        push(
            "webchat",
            vec![Identifier::new(
                IdentifierKind::Email,
                format!("User{p}+chat@GMail.com"),
            )],
            t(10),
            Some(contact(Channel::WebChat, Outcome::Pending)),
        );
        push(
            "calls",
            vec![Identifier::new(IdentifierKind::Phone, national(p))],
            t(40),
            Some(contact(Channel::Phone, Outcome::Resolved)),
        );
        push(
            "store",
            vec![Identifier::new(IdentifierKind::Email, email)],
            t(100),
            Some(Interaction {
                channel: Channel::Store,
                kind: InteractionKind::Purchase,
                amount: Some(Money {
                    amount: (h % 500) as f64,
                    currency: "EUR".into(),
                }),
                ..Interaction::default()
            }),
        );
    }
    out
}

fn lookup(c: &mut Criterion) {
    let records = records();
    let mut config = ResolverConfig::default();
    config.normalize.default_region = Some(Country::ES);
    config.sources.insert(
        "calls".into(),
        SourceSettings {
            default_region: Some(Country::ES),
            date_order: None,
            ..SourceSettings::default()
        },
    );
    let resolver = Resolver::new(config).expect("a valid configuration");
    let res = resolver.resolve(&records).expect("resolves");
    let profile_config = ProfileConfig::default();

    let mut g = c.benchmark_group("customer360_build");
    g.throughput(Throughput::Elements(records.len() as u64));
    g.sample_size(10);
    g.bench_function("80k_records", |b| {
        b.iter(|| Customer360::build(black_box(&records), &res, &profile_config))
    });
    g.finish();

    let c360 = Customer360::build(&records, &res, &profile_config);
    let mut g = c.benchmark_group("customer360_views");
    g.throughput(Throughput::Elements(c360.profiles().len() as u64));
    g.sample_size(10);
    g.bench_function("json_lines", |b| {
        let mut out = Vec::new();
        b.iter(|| {
            out.clear();
            for p in 0..c360.profiles().len() {
                if let Some(v) = c360.view(p, &records, ViewOptions::default()) {
                    serde_json::to_writer(&mut out, &v).unwrap_or_default();
                    out.push(b'\n');
                }
            }
            out.len()
        })
    });
    g.finish();

    let n = resolver.normalizer();
    const BATCH: u64 = 1000;
    let pick = |k: u64| mix(k + 7) % PERSONS;
    let e164: Vec<String> = (0..BATCH).map(|k| format!("+346{:08}", pick(k))).collect();
    let nat: Vec<Identifier> = (0..BATCH)
        .map(|k| Identifier::new(IdentifierKind::Phone, national(pick(k))))
        .collect();
    let intl: Vec<Identifier> = (0..BATCH)
        .map(|k| Identifier::new(IdentifierKind::Phone, format!("+346{:08}", pick(k))))
        .collect();
    let mail: Vec<Identifier> = (0..BATCH)
        .map(|k| {
            Identifier::new(
                IdentifierKind::Email,
                format!("U.ser{}+x@googlemail.com", pick(k)),
            )
        })
        .collect();

    let mut g = c.benchmark_group("lookup");
    g.throughput(Throughput::Elements(BATCH));
    g.bench_function("normalized_phone", |b| {
        b.iter(|| {
            e164.iter()
                .map(|v| c360.find(&res, &IdentifierKind::Phone, v).len())
                .sum::<usize>()
        })
    });
    for (name, raw) in [
        ("raw_phone_e164", &intl),
        ("raw_phone_national", &nat),
        ("raw_email_variant", &mail),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                raw.iter()
                    .map(|id| {
                        c360.lookup(&res, n, id, Some(Country::ES))
                            .map_or(0, |h| h.len())
                    })
                    .sum::<usize>()
            })
        });
    }
    g.bench_function("raw_any_kind", |b| {
        b.iter(|| {
            nat.iter()
                .map(|id| c360.lookup_any(&res, n, &id.raw, Some(Country::ES)).len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, lookup);
criterion_main!(benches);
