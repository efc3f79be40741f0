//! The example data sets as `omnid resolve` reads them, for benches and
//! integration tests: a configuration of `examples/` (its sources, `[normalize]`,
//! `[identity]` and `[matching]` through the library's own types), the CSV
//! rows as records (the CLI's column mapping, for the targets the examples
//! use), and the matching columns in the order the resolver builds them.
//!
//! Shared by `benches/matching.rs` and `tests/blocking_recall.rs` and
//! `tests/labels.rs`. Test support: it panics on a broken example.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use omnid::matching::features::Columns;
use omnid::matching::{Matcher, MatchingConfig};
use omnid::prepare::{NormalizeConfig, Normalizer, PreparedRecord, SourceSettings};
use omnid::resolve::ResolverConfig;
use omnid::{IdentifierKind, Record, RecordKey};
use rayon::prelude::*;
use serde::Deserialize;

/// A path under the repository root.
pub fn repo_path(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(relative)
}

/// The people file of `bench/compare/setup.sh 100000`, when it is there.
pub fn people_100k() -> Option<PathBuf> {
    let path = repo_path("bench/compare/data/people_100000.csv");
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is absent; make it with `bench/compare/setup.sh 100000` \
             (Python with Faker; see bench/compare/README.md)",
            path.display()
        );
        None
    }
}

/// The parts of the CLI's configuration file these data sets use.
#[derive(Debug, Deserialize)]
struct ConfigFile {
    sources: Vec<SourceFile>,
    #[serde(default)]
    normalize: NormalizeConfig,
    #[serde(default)]
    identity: omnid::graph::IdentityRules,
    matching: MatchingConfig,
}

#[derive(Debug, Deserialize)]
struct SourceFile {
    name: String,
    path: PathBuf,
    id: String,
    #[serde(default)]
    default_region: Option<String>,
    #[serde(default)]
    fallback_regions: Vec<String>,
    columns: BTreeMap<String, String>,
}

/// A data set read as the CLI reads it, with the truth of every record.
pub struct Dataset {
    /// The library's configuration.
    pub config: ResolverConfig,
    /// Records, in file order.
    pub records: Vec<Record>,
    /// The person each record belongs to.
    pub truth: Vec<String>,
}

impl Dataset {
    /// Reads `config` (a path under the repository root). The truth is the
    /// column `truth_column`, or, without one, the number in a FEBRL id
    /// (`rec-552-dup-3` is person 552). `data` replaces the source's path.
    pub fn load(config: &str, data: Option<&Path>, truth_column: Option<&str>) -> Dataset {
        Dataset::read(config, |source, base| {
            let path = data.map_or_else(|| base.join(&source.path), Path::to_path_buf);
            let rdr =
                csv::Reader::from_path(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            read_csv(source, rdr, &path.display().to_string(), truth_column)
        })
    }

    /// Reads `config` as [`Dataset::load`] does, with the rows of `csv` (a
    /// CSV text with a header) as its source's data.
    pub fn from_csv(config: &str, csv: &[u8], truth_column: Option<&str>) -> Dataset {
        Dataset::read(config, |source, _| {
            read_csv(
                source,
                csv::Reader::from_reader(csv),
                "csv text",
                truth_column,
            )
        })
    }

    fn read(
        config: &str,
        rows: impl FnOnce(&SourceFile, &Path) -> (Vec<Record>, Vec<String>),
    ) -> Dataset {
        let config_path = repo_path(config);
        let text = std::fs::read_to_string(&config_path)
            .unwrap_or_else(|e| panic!("{}: {e}", config_path.display()));
        let file: ConfigFile =
            toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", config_path.display()));
        let [source] = file.sources.as_slice() else {
            panic!("{}: one source expected", config_path.display());
        };
        let base = config_path.parent().unwrap_or(Path::new("."));
        let (records, truth) = rows(source, base);
        let country = |c: &str| c.parse().unwrap_or_else(|e| panic!("region {c}: {e:?}"));
        let settings = SourceSettings {
            default_region: source.default_region.as_deref().map(country),
            fallback_regions: source.fallback_regions.iter().map(|c| country(c)).collect(),
            date_order: None,
        };
        let config = ResolverConfig {
            normalize: file.normalize,
            sources: BTreeMap::from([(source.name.clone(), settings)]),
            identity: file.identity,
            matching: Some(file.matching),
        };
        Dataset {
            config,
            records,
            truth,
        }
    }

    /// The matching configuration.
    pub fn matching(&self) -> &MatchingConfig {
        self.config
            .matching
            .as_ref()
            .expect("the examples configure matching")
    }

    /// Normalizes the records and builds the matcher's columns, as the
    /// resolver does: rows in record-key order.
    pub fn prepare(&self) -> Prepared {
        let matcher = Matcher::new(self.matching().clone()).expect("a valid matching config");
        let normalizer = Normalizer::new(&self.config.normalize);
        let default = SourceSettings::default();
        let prepared: Vec<PreparedRecord> = self
            .records
            .par_iter()
            .map(|r| {
                let s = self.config.sources.get(&r.key.source).unwrap_or(&default);
                normalizer.record(r, s)
            })
            .collect();
        let mut order: Vec<usize> = (0..self.records.len()).collect();
        order.sort_by(|&a, &b| self.records[a].key.cmp(&self.records[b].key));
        let fields = matcher.fields();
        let columns = Columns::build(order.len(), &fields, |i, f, out| {
            prepared[order[i]].field_values(f, out)
        });
        let truth = order.iter().map(|&i| self.truth[i].clone()).collect();
        let keys = order.iter().map(|&i| self.records[i].key.clone()).collect();
        Prepared {
            datasets: vec![0; order.len()],
            matcher,
            columns,
            truth,
            keys,
        }
    }
}

/// The matcher and its columns for one data set (one source: every record
/// in dataset 0).
pub struct Prepared {
    /// The matcher of the configuration.
    pub matcher: Matcher,
    /// The columns, one row per record in key order.
    pub columns: Columns,
    /// Dataset of each row.
    pub datasets: Vec<u16>,
    /// The person of each row.
    pub truth: Vec<String>,
    /// The record key of each row.
    pub keys: Vec<RecordKey>,
}

impl Prepared {
    /// Pairs of rows of the same person, each once (`a < b`).
    pub fn true_pairs(&self) -> Vec<(u32, u32)> {
        let mut by_person: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (row, t) in self.truth.iter().enumerate() {
            by_person.entry(t).or_default().push(row as u32);
        }
        let mut pairs = Vec::new();
        for rows in by_person.values() {
            for (i, &a) in rows.iter().enumerate() {
                pairs.extend(rows[i + 1..].iter().map(|&b| (a, b)));
            }
        }
        pairs.sort_unstable();
        pairs
    }

    /// Whether rows `a` and `b` are the same person.
    pub fn is_match(&self, a: u32, b: u32) -> bool {
        self.truth[a as usize] == self.truth[b as usize]
    }
}

/// The CSV rows of `source` as records, with each record's truth. `name`
/// says where the rows come from in panic messages.
fn read_csv<R: std::io::Read>(
    source: &SourceFile,
    mut rdr: csv::Reader<R>,
    name: &str,
    truth_column: Option<&str>,
) -> (Vec<Record>, Vec<String>) {
    let header: Vec<String> = rdr
        .headers()
        .unwrap_or_else(|e| panic!("{name}: {e}"))
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let col = |column: &str| {
        header
            .iter()
            .position(|h| h == column)
            .unwrap_or_else(|| panic!("{name}: no column `{column}`"))
    };
    let id = col(&source.id);
    let truth = truth_column.map(col);
    let mapped: Vec<(usize, &str)> = source
        .columns
        .iter()
        .map(|(c, target)| (col(c), target.as_str()))
        .collect();
    let (mut records, mut truths) = (Vec::new(), Vec::new());
    for row in rdr.records() {
        let row = row.unwrap_or_else(|e| panic!("{name}: {e}"));
        let get = |i: usize| row.get(i).unwrap_or("").trim();
        let mut r = Record {
            key: RecordKey::new(source.name.clone(), get(id)),
            ..Record::default()
        };
        for &(i, target) in &mapped {
            let v = get(i);
            if !v.is_empty() {
                set(&mut r, target, v);
            }
        }
        truths.push(match truth {
            Some(t) => get(t).to_string(),
            None => get(id).split('-').nth(1).unwrap_or("").to_string(),
        });
        records.push(r);
    }
    (records, truths)
}

/// The CLI's column targets (`cli/src/source.rs`) that the examples use.
fn set(r: &mut Record, target: &str, v: &str) {
    let a = &mut r.attributes;
    let slot = match target {
        "given_names" => &mut a.given_names,
        "family_names" => &mut a.family_names,
        "birth_date" => &mut a.birth_date,
        "street" => &mut a.address.street,
        "street_number" => &mut a.address.number,
        "locality" => &mut a.address.locality,
        "city" => &mut a.address.city,
        "postcode" => &mut a.address.postcode,
        "region" => &mut a.address.region,
        t => {
            if let Some(name) = t.strip_prefix("attr:") {
                a.extra.insert(name.to_string(), v.to_string());
            } else {
                let kind: IdentifierKind = t
                    .parse()
                    .unwrap_or_else(|e| panic!("column target `{t}`: {e}"));
                r.identifiers.push(omnid::Identifier::new(kind, v));
            }
            return;
        }
    };
    *slot = Some(v.to_string());
}
