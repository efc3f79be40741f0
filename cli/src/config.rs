//! The TOML configuration: sources plus the library's resolver settings.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use omnid::graph::IdentityRules;
use omnid::matching::MatchingConfig;
use omnid::prepare::{NormalizeConfig, SourceSettings};
use omnid::profile::ProfileConfig;
use omnid::resolve::ResolverConfig;
use serde::Deserialize;

use crate::source::SourceConfig;

/// The whole configuration file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Input sources.
    pub sources: Vec<SourceConfig>,
    /// Normalization settings.
    #[serde(default)]
    pub normalize: NormalizeConfig,
    /// Deterministic linking rules.
    #[serde(default)]
    pub identity: IdentityRules,
    /// Probabilistic matching.
    #[serde(default)]
    pub matching: Option<MatchingSection>,
    /// Customer 360: survivorship, cases, journeys, value.
    #[serde(default)]
    pub profile: ProfileConfig,
}

/// `[matching]`: the library's matching configuration, plus `labels`, a CSV
/// file of labelled pairs (`source_a,id_a,source_b,id_b,is_match`) to train
/// from, relative to the configuration file.
#[derive(Debug, Clone)]
pub struct MatchingSection {
    pub config: MatchingConfig,
    pub labels: Option<PathBuf>,
}

impl<'de> Deserialize<'de> for MatchingSection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SectionVisitor)
    }
}

struct SectionVisitor;

impl<'de> serde::de::Visitor<'de> for SectionVisitor {
    type Value = MatchingSection;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a [matching] table")
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<MatchingSection, A::Error> {
        let mut labels = None;
        // The library's type reads every other key straight from the TOML,
        // so its errors keep pointing at the offending value.
        let config = MatchingConfig::deserialize(serde::de::value::MapAccessDeserializer::new(
            WithoutLabels {
                map,
                labels: &mut labels,
            },
        ))?;
        Ok(MatchingSection { config, labels })
    }
}

/// The keys of `[matching]`, with `labels` taken out on the way.
struct WithoutLabels<'a, A> {
    map: A,
    labels: &'a mut Option<PathBuf>,
}

impl<'de, A: serde::de::MapAccess<'de>> serde::de::MapAccess<'de> for WithoutLabels<'_, A> {
    type Error = A::Error;

    fn next_key_seed<K: serde::de::DeserializeSeed<'de>>(
        &mut self,
        mut seed: K,
    ) -> Result<Option<K::Value>, A::Error> {
        loop {
            match self.map.next_key_seed(KeyOrLabels(seed))? {
                None => return Ok(None),
                Some(Ok(key)) => return Ok(Some(key)),
                Some(Err(unused)) => {
                    *self.labels = Some(self.map.next_value()?);
                    seed = unused;
                }
            }
        }
    }

    fn next_value_seed<V: serde::de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, A::Error> {
        self.map.next_value_seed(seed)
    }
}

/// A key of `[matching]`: `labels` hands the seed back unused; any other
/// key goes to the seed while the TOML deserializer still knows where the
/// key is, so an unknown key's error points at it.
struct KeyOrLabels<K>(K);

impl<'de, K: serde::de::DeserializeSeed<'de>> serde::de::DeserializeSeed<'de> for KeyOrLabels<K> {
    type Value = Result<K::Value, K>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        let key = String::deserialize(d)?;
        if key == "labels" {
            return Ok(Err(self.0));
        }
        let key: serde::de::value::StringDeserializer<D::Error> =
            serde::de::IntoDeserializer::into_deserializer(key);
        self.0.deserialize(key).map(Ok)
    }
}

/// A loaded configuration and the folder its relative paths start from.
pub struct Loaded {
    pub config: Config,
    pub base: PathBuf,
}

const TOP_KEYS: &[&str] = &["sources", "normalize", "identity", "matching", "profile"];

/// Reads and checks a configuration file.
pub fn load(path: &Path) -> Result<Loaded> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read config {}", path.display()))?;
    let config: Config = toml::from_str(&text).map_err(|e| {
        let mut msg = format!("{}: {}", path.display(), e.message());
        if let Some(span) = e.span() {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            msg = format!("{}:{line}: {}", path.display(), e.message());
            // Suggest a close known key for unknown top-level keys.
            let bad = text[span.clone()]
                .trim()
                .trim_matches(|c| c == '[' || c == ']');
            if e.message().contains("unknown field")
                && let Some(s) = omnid::suggest::closest(bad, TOP_KEYS)
            {
                msg.push_str(&format!("; did you mean `{s}`?"));
            }
        }
        anyhow::anyhow!(msg)
    })?;
    let mut names = std::collections::HashSet::new();
    for s in &config.sources {
        anyhow::ensure!(
            names.insert(s.name.clone()),
            "{}: two sources are named `{}`",
            path.display(),
            s.name
        );
    }
    anyhow::ensure!(
        !config.sources.is_empty(),
        "{}: no [[sources]]",
        path.display()
    );
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    Ok(Loaded { config, base })
}

impl Config {
    /// The library's configuration.
    pub fn resolver(&self) -> Result<ResolverConfig> {
        let mut sources = std::collections::BTreeMap::new();
        for s in &self.sources {
            let default_region = s
                .default_region
                .as_deref()
                .map(|r| r.parse())
                .transpose()
                .with_context(|| format!("source `{}`: default_region", s.name))?;
            let date_order = s
                .date_order
                .as_deref()
                .map(|d| match d {
                    "day_first" => Ok(omnid::normalize::date::DateOrder::DayFirst),
                    "month_first" => Ok(omnid::normalize::date::DateOrder::MonthFirst),
                    other => Err(anyhow::anyhow!(
                        "source `{}`: date_order `{other}`: use `day_first` or `month_first`",
                        s.name
                    )),
                })
                .transpose()?;
            let fallback_regions = s
                .fallback_regions
                .iter()
                .map(|r| r.parse())
                .collect::<Result<_, _>>()
                .with_context(|| format!("source `{}`: fallback_regions", s.name))?;
            sources.insert(
                s.name.clone(),
                SourceSettings {
                    default_region,
                    fallback_regions,
                    date_order,
                },
            );
        }
        Ok(ResolverConfig {
            normalize: self.normalize.clone(),
            sources,
            identity: self.identity.clone(),
            matching: self.matching.as_ref().map(|m| m.config.clone()),
        })
    }
}
