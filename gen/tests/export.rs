//! The generated export: determinism, ground truth, the config, and the
//! noise rates seen in the output.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::PathBuf;

use omnid_gen::{
    EntityId, GenOptions, MemorySink, Noise, Source, config_toml, generate, sources_toml, write_dir,
};

fn run(customers: u64, seed: u64, noise: Noise) -> MemorySink {
    let mut sink = MemorySink::default();
    let opts = GenOptions {
        customers,
        seed,
        noise,
    };
    let summary = generate(&opts, &mut sink).expect("memory sink never fails");
    assert_eq!(summary.customers, customers);
    assert_eq!(summary.total_records(), sink.truth.len() as u64);
    sink
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("omnid-gen-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read_all(dir: &PathBuf) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("file"),
            )
        })
        .collect()
}

fn column(source: Source, name: &str) -> usize {
    source
        .header()
        .iter()
        .position(|h| *h == name)
        .unwrap_or_else(|| panic!("{source} has no column {name}"))
}

#[test]
fn same_seed_gives_the_same_bytes_and_another_seed_does_not() {
    let opts = GenOptions {
        customers: 700,
        seed: 99,
        ..GenOptions::default()
    };
    let (a, b, c) = (temp_dir("a"), temp_dir("b"), temp_dir("c"));
    write_dir(&opts, &a).expect("write a");
    write_dir(&opts, &b).expect("write b");
    write_dir(
        &GenOptions {
            seed: 100,
            ..opts.clone()
        },
        &c,
    )
    .expect("write c");
    let (fa, fb, fc) = (read_all(&a), read_all(&b), read_all(&c));
    assert_eq!(fa.len(), Source::ALL.len() + 2, "{:?}", fa.keys());
    assert_eq!(fa, fb);
    for (name, bytes) in &fa {
        if name != "omnid.toml" {
            assert_ne!(
                Some(bytes),
                fc.get(name),
                "{name} did not change with the seed"
            );
        }
    }
    for d in [a, b, c] {
        let _ = std::fs::remove_dir_all(d);
    }
}

#[test]
fn truth_covers_every_row_once_and_ids_are_unique() {
    let sink = run(3000, 1, Noise::default());
    let mut truth: HashMap<(Source, &str), EntityId> = HashMap::new();
    for (s, id, e) in &sink.truth {
        assert!(
            truth.insert((*s, id.as_str()), *e).is_none(),
            "{s}:{id} twice in truth"
        );
    }
    let mut rows = 0;
    for s in Source::ALL {
        let mut ids = HashSet::new();
        for row in sink.rows(s) {
            assert_eq!(row.len(), s.header().len(), "{s}");
            let id = row.first().map(String::as_str).unwrap_or("");
            assert!(!id.is_empty(), "{s}: empty id");
            assert!(ids.insert(id), "{s}: duplicate id {id}");
            assert!(truth.contains_key(&(s, id)), "{s}:{id} not in truth");
            rows += 1;
        }
        assert!(!ids.is_empty(), "{s} is empty");
    }
    assert_eq!(rows, truth.len());
    // CRM ids are unique across the four countries' files.
    let crm: Vec<&String> = Source::ALL
        .iter()
        .filter(|s| matches!(s, Source::Crm(_)))
        .flat_map(|&s| sink.rows(s).iter().filter_map(|r| r.first()))
        .collect();
    assert_eq!(crm.len(), crm.iter().collect::<HashSet<_>>().len());
    let entities: HashSet<EntityId> = truth.values().copied().collect();
    assert_eq!(entities.len(), 3000, "every customer has at least one row");
}

#[test]
fn customer_ids_in_events_point_at_the_same_person() {
    let sink = run(2000, 5, Noise::default());
    let mut crm_entity = HashMap::new();
    for (s, id, e) in &sink.truth {
        if matches!(s, Source::Crm(_)) {
            crm_entity.insert(id.clone(), *e);
        }
    }
    let entity: HashMap<(Source, &str), EntityId> = sink
        .truth
        .iter()
        .map(|(s, id, e)| ((*s, id.as_str()), *e))
        .collect();
    let mut checked = 0;
    for (s, col) in [
        (Source::Calls, "customer_id"),
        (Source::Ivr, "account_number"),
        (Source::AppEvents, "customer_id"),
    ] {
        let c = column(s, col);
        for row in sink.rows(s) {
            let crm = &row[c];
            if crm.is_empty() {
                continue;
            }
            let owner = crm_entity
                .get(crm)
                .unwrap_or_else(|| panic!("{s}: unknown CRM id {crm}"));
            assert_eq!(
                Some(owner),
                entity.get(&(s, row[0].as_str())),
                "{s} {row:?}"
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked}");
}

#[test]
fn config_parses_and_names_only_existing_columns() {
    let text = config_toml();
    assert!(text.starts_with(&sources_toml()));
    let doc: toml::Table = text.parse().expect("valid TOML");
    assert!(doc.contains_key("matching") && doc.contains_key("identity"));
    let sources = doc
        .get("sources")
        .and_then(|s| s.as_array())
        .expect("[[sources]]");
    assert_eq!(sources.len(), Source::ALL.len());
    let interaction = [
        "channel",
        "interaction_kind",
        "at",
        "case_ref",
        "amount",
        "currency",
        "outcome",
        "summary",
    ];
    let attributes = [
        "given_names",
        "family_names",
        "full_name",
        "birth_date",
        "gender",
        "street",
        "street_number",
        "locality",
        "city",
        "postcode",
        "region",
        "country",
        "ignore",
    ];
    let channels = [
        "phone", "ivr", "web_chat", "chatbot", "email", "whatsapp", "sms", "social", "app",
        "store", "video", "other",
    ];
    for (src, expected) in sources.iter().zip(Source::ALL) {
        let get = |k: &str| {
            src.get(k)
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        };
        assert_eq!(get("name"), expected.stem());
        assert_eq!(get("path"), format!("{}.csv", expected.stem()));
        let header = expected.header();
        for key in ["id", "timestamp"] {
            assert!(
                header.contains(&get(key).as_str()),
                "{}.{key} = {}",
                expected,
                get(key)
            );
        }
        assert!(["ES", "MX", "AR", "CO"].contains(&get("default_region").as_str()));
        match src.get("channel").and_then(|v| v.as_str()) {
            Some(ch) => {
                assert!(channels.contains(&ch), "{ch}");
                assert!(ch.parse::<omnid::Channel>().is_ok(), "{ch}");
            }
            None => assert!(matches!(expected, Source::Crm(_))),
        }
        let columns = src
            .get("columns")
            .and_then(|c| c.as_table())
            .expect("[sources.columns]");
        assert!(!columns.is_empty());
        for (col, kind) in columns {
            assert!(
                header.contains(&col.as_str()),
                "{expected}: no column {col}"
            );
            let kind = kind.as_str().expect("string");
            let known = interaction.contains(&kind)
                || attributes.contains(&kind)
                || kind.strip_prefix("attr:").is_some_and(|a| !a.is_empty())
                || kind.parse::<omnid::IdentifierKind>().is_ok();
            assert!(known, "{expected}.{col} = {kind}");
        }
    }
}

#[test]
fn interaction_values_parse_as_omnid_enums() {
    let sink = run(1500, 3, Noise::default());
    for s in Source::ALL
        .into_iter()
        .filter(|s| !matches!(s, Source::Crm(_)))
    {
        for name in ["kind", "intent", "event"] {
            if let Some(c) = s.header().iter().position(|h| *h == name) {
                for row in sink.rows(s) {
                    assert!(
                        row[c].parse::<omnid::InteractionKind>().is_ok(),
                        "{s}: {}",
                        row[c]
                    );
                }
            }
        }
        if let Some(c) = s.header().iter().position(|h| *h == "outcome") {
            for row in sink.rows(s) {
                assert!(row[c].parse::<omnid::Outcome>().is_ok(), "{s}: {}", row[c]);
            }
        }
    }
}

/// Share of truth entities for which `pred` holds, over those for which
/// `base` holds.
fn share(hits: usize, total: usize) -> f64 {
    hits as f64 / total.max(1) as f64
}

fn entities_per_source(sink: &MemorySink) -> (HashSet<EntityId>, HashMap<EntityId, usize>) {
    let all: HashSet<EntityId> = sink.truth.iter().map(|t| t.2).collect();
    let mut crm_rows: HashMap<EntityId, usize> = HashMap::new();
    for (s, _, e) in &sink.truth {
        if matches!(s, Source::Crm(_)) {
            *crm_rows.entry(*e).or_default() += 1;
        }
    }
    (all, crm_rows)
}

#[test]
fn crm_coverage_and_duplicates_follow_the_rates() {
    for (not_in_crm, dup) in [(0.0, 0.0), (0.3, 0.4)] {
        let noise = Noise {
            not_in_crm,
            crm_duplicate: dup,
            ..Noise::default()
        };
        let sink = run(4000, 11, noise);
        let (all, crm_rows) = entities_per_source(&sink);
        let missing = share(all.len() - crm_rows.len(), all.len());
        let dups = share(
            crm_rows.values().filter(|&&n| n > 1).count(),
            crm_rows.len(),
        );
        assert!(
            (missing - not_in_crm).abs() < 0.03,
            "not in CRM {missing} vs {not_in_crm}"
        );
        assert!((dups - dup).abs() < 0.03, "duplicates {dups} vs {dup}");
    }
}

#[test]
fn withheld_callers_and_junk_devices_follow_the_rates() {
    for rate in [0.0, 0.25] {
        let noise = Noise {
            withheld_caller: rate,
            junk_device: rate,
            ..Noise::default()
        };
        let sink = run(3000, 21, noise);
        let c = column(Source::Calls, "caller");
        let calls = sink.rows(Source::Calls);
        let withheld = calls
            .iter()
            .filter(|r| ["anonymous", "private", "unknown"].contains(&r[c].to_lowercase().as_str()))
            .count();
        let w = share(withheld, calls.len());
        assert!((w - rate).abs() < 0.03, "withheld {w} vs {rate}");
        let d = column(Source::AppEvents, "device_id");
        let with_device: Vec<_> = sink
            .rows(Source::AppEvents)
            .iter()
            .filter(|r| !r[d].is_empty())
            .collect();
        let zero = with_device
            .iter()
            .filter(|r| r[d] == "00000000-0000-0000-0000-000000000000")
            .count();
        let z = share(zero, with_device.len());
        // Per device, not per event: heavy app users weigh more.
        assert!((z - rate).abs() < 0.08, "junk devices {z} vs {rate}");
    }
}

#[test]
fn placeholders_follow_the_rate() {
    let placeholder_emails = [
        "test@test.com",
        "noemail@gmail.com",
        "sin@correo.com",
        "notiene@notiene.com",
        "a@a.com",
        "nomail@nomail.com",
        "cliente@cliente.com",
    ];
    for rate in [0.0, 0.2] {
        let sink = run(
            3000,
            8,
            Noise {
                placeholder: rate,
                ..Noise::default()
            },
        );
        let mut rows = 0;
        let mut hits = 0;
        for s in Source::ALL
            .into_iter()
            .filter(|s| matches!(s, Source::Crm(_)))
        {
            let e = column(s, "email");
            for row in sink.rows(s) {
                rows += 1;
                hits += usize::from(placeholder_emails.contains(&row[e].as_str()));
            }
        }
        let p = share(hits, rows);
        assert!((p - rate).abs() < 0.03, "placeholder emails {p} vs {rate}");
    }
}

/// Every word of a CRM name, folded to lower-case ASCII.
fn folded_words(s: &str) -> Vec<String> {
    let folded: String = s
        .chars()
        .map(|c| match c {
            'á' | 'Á' => 'a',
            'é' | 'É' => 'e',
            'í' | 'Í' => 'i',
            'ó' | 'Ó' => 'o',
            'ú' | 'Ú' | 'ü' | 'Ü' => 'u',
            'ñ' | 'Ñ' => 'n',
            other => other,
        })
        .flat_map(char::to_lowercase)
        .collect();
    folded
        .split([' ', '-'])
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

#[test]
fn typos_appear_only_when_asked_for() {
    let vocabulary = |sink: &MemorySink| -> (usize, usize) {
        // Words seen at least five times are real names; a typo makes a rare word.
        let mut counts: HashMap<String, usize> = HashMap::new();
        let mut names = Vec::new();
        for s in Source::ALL
            .into_iter()
            .filter(|s| matches!(s, Source::Crm(_)))
        {
            let (g, f) = (column(s, "given_names"), column(s, "family_names"));
            for row in sink.rows(s) {
                let words: Vec<String> = folded_words(&row[g])
                    .into_iter()
                    .chain(folded_words(&row[f]))
                    .collect();
                for w in &words {
                    *counts.entry(w.clone()).or_default() += 1;
                }
                names.push(words);
            }
        }
        let rare = names
            .iter()
            .filter(|ws| ws.iter().any(|w| counts.get(w).copied().unwrap_or(0) < 3))
            .count();
        (rare, names.len())
    };
    let clean = run(5000, 4, Noise::none());
    let (rare, total) = vocabulary(&clean);
    assert!(
        share(rare, total) < 0.01,
        "clean names with rare words: {rare}/{total}"
    );
    let noisy = run(
        5000,
        4,
        Noise {
            typo: 0.3,
            ..Noise::none()
        },
    );
    let (rare, total) = vocabulary(&noisy);
    let p = share(rare, total);
    assert!((0.15..0.4).contains(&p), "rows with a typo: {p}");
}

#[test]
fn hypocorisms_appear_in_typed_names_only_when_asked_for() {
    let shorts = [
        "pepe", "paco", "pancho", "lupita", "majo", "nacho", "manolo", "lola", "pili", "chema",
        "juanca",
    ];
    let count = |sink: &MemorySink| {
        let v = column(Source::WebChat, "visitor_name");
        let rows = sink.rows(Source::WebChat);
        let hits = rows
            .iter()
            .filter(|r| {
                folded_words(&r[v])
                    .first()
                    .is_some_and(|w| shorts.contains(&w.as_str()))
            })
            .count();
        (hits, rows.len())
    };
    let (hits, _) = count(&run(3000, 6, Noise::none()));
    assert_eq!(hits, 0);
    let (hits, total) = count(&run(
        3000,
        6,
        Noise {
            hypocorism: 1.0,
            ..Noise::none()
        },
    ));
    assert!(share(hits, total) > 0.05, "{hits}/{total}");
}

#[test]
fn households_share_landlines_across_people() {
    let shared = |noise: Noise| {
        let sink = run(3000, 13, noise);
        let mut owners: HashMap<String, BTreeSet<EntityId>> = HashMap::new();
        let entity: HashMap<(Source, &str), EntityId> = sink
            .truth
            .iter()
            .map(|(s, id, e)| ((*s, id.as_str()), *e))
            .collect();
        for s in Source::ALL
            .into_iter()
            .filter(|s| matches!(s, Source::Crm(_)))
        {
            let p2 = column(s, "phone_2");
            for row in sink.rows(s) {
                let digits: String = row[p2].chars().filter(char::is_ascii_digit).collect();
                if digits.len() >= 8
                    && let Some(e) = entity.get(&(s, row[0].as_str()))
                {
                    let key = digits[digits.len() - 8..].to_string();
                    owners.entry(key).or_default().insert(*e);
                }
            }
        }
        owners.values().filter(|o| o.len() > 1).count()
    };
    assert_eq!(shared(Noise::none()), 0);
    let with = shared(Noise {
        household: 0.3,
        ..Noise::none()
    });
    assert!(with > 50, "{with}");
}
