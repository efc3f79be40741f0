//! `omnid eval`: compare clusters.csv with a truth file.

use std::collections::HashMap;
use std::path::Path;

use anyhow::{Context, Result, bail};

/// Reads `source,record_id,profile_id` (clusters) or `[source,]record_id,entity_id` (truth)
/// into a map from (source, record id) to the label. Without a source column
/// the source is empty and matches any source.
/// (source, record id) -> label.
type Labels = HashMap<(String, String), String>;

fn read_labels(path: &Path, label_col: &str) -> Result<(Labels, bool)> {
    let mut rdr = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .from_path(path)
        .with_context(|| format!("cannot open {}", path.display()))?;
    let header = rdr
        .headers()
        .with_context(|| format!("{}: cannot read the header", path.display()))?
        .clone();
    let col = |name: &str| header.iter().position(|h| h == name);
    let rid = col("record_id").with_context(|| {
        format!(
            "{}: no `record_id` column (header: {})",
            path.display(),
            header.iter().collect::<Vec<_>>().join(",")
        )
    })?;
    let lab = col(label_col).with_context(|| {
        format!(
            "{}: no `{label_col}` column (header: {})",
            path.display(),
            header.iter().collect::<Vec<_>>().join(",")
        )
    })?;
    let src = col("source");
    let mut map = HashMap::new();
    for (i, row) in rdr.records().enumerate() {
        let row = row.with_context(|| format!("{}: bad row", path.display()))?;
        let key = (
            src.and_then(|s| row.get(s)).unwrap_or("").to_string(),
            row.get(rid).unwrap_or("").to_string(),
        );
        let label = row.get(lab).unwrap_or("").to_string();
        if map.insert(key.clone(), label).is_some() {
            bail!(
                "{}: line {}: record {}:{} appears twice",
                path.display(),
                i + 2,
                key.0,
                key.1
            );
        }
    }
    Ok((map, src.is_some()))
}

/// Runs the evaluation and prints a report (human or JSON).
pub fn run(truth: &Path, clusters: &Path, json: bool) -> Result<()> {
    let (truth_map, truth_has_source) = read_labels(truth, "entity_id")?;
    let (pred_map, _) = read_labels(clusters, "profile_id")?;
    let mut predicted = Vec::with_capacity(pred_map.len());
    let mut actual = Vec::with_capacity(pred_map.len());
    let mut missing = 0u64;
    let mut keys: Vec<&(String, String)> = pred_map.keys().collect();
    keys.sort();
    for key in keys {
        let t = if truth_has_source {
            truth_map.get(key)
        } else {
            truth_map.get(&(String::new(), key.1.clone()))
        };
        match t {
            Some(entity) => {
                predicted.push(pred_map[key].as_str());
                actual.push(entity.as_str());
            }
            None => missing += 1,
        }
    }
    let unclustered = truth_map.len() as u64 - predicted.len() as u64;
    let e = omnid::eval::evaluate(&predicted, &actual);
    if json {
        let mut v = serde_json::to_value(&e)?;
        v["records_without_truth"] = missing.into();
        v["truth_records_not_clustered"] = unclustered.into();
        outln!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        outln!("records evaluated     {}", e.records);
        outln!("                      precision  recall     F1");
        outln!(
            "pairwise              {:.4}     {:.4}     {:.4}",
            e.pairwise.precision,
            e.pairwise.recall,
            e.pairwise.f1
        );
        outln!(
            "B-cubed               {:.4}     {:.4}     {:.4}",
            e.bcubed.precision,
            e.bcubed.recall,
            e.bcubed.f1
        );
        outln!(
            "pairs                 predicted {}  true {}  correct {}",
            e.predicted_pairs,
            e.true_pairs,
            e.correct_pairs
        );
        outln!(
            "clusters              predicted {}  true {}",
            e.predicted_clusters,
            e.true_clusters
        );
        outln!("over-merged clusters  {}", e.over_merged_clusters);
        outln!("split entities        {}", e.split_entities);
        if missing > 0 {
            outln!("records without truth {missing} (left out)");
        }
        if unclustered > 0 {
            outln!("truth records not in clusters.csv {unclustered} (rejected rows?)");
        }
    }
    Ok(())
}
