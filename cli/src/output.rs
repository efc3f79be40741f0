//! `resolve`, `explain` and `lookup`: running the library and writing or
//! printing what it found.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use omnid::cluster::Evidence;
use omnid::profile::Customer360;
use omnid::resolve::{Prepared, RecordLabel, Resolution, Resolver};
use omnid::{Record, RecordKey};
use rayon::prelude::*;
use serde_json::json;

use crate::Log;
use crate::config;
use crate::source::{Reading, Reject, read_source};

/// Everything a finished run holds.
pub struct Run {
    /// Raw records, in input order; empty when profiles were not built.
    pub records: Vec<Record>,
    pub lines: Vec<u64>,
    pub row_rejects: Vec<Reject>,
    pub rows: u64,
    pub resolution: Resolution,
    /// Profiles, cases, journeys and values; none with `--no-profiles`.
    pub c360: Option<Customer360>,
    /// Seconds spent building profiles, cases, journeys and values.
    pub c360_seconds: f64,
    pub config_path: PathBuf,
    pub resolver: Resolver,
}

impl Run {
    /// The customer 360, or an error telling that it was not built.
    pub fn c360(&self) -> Result<&Customer360> {
        self.c360
            .as_ref()
            .context("profiles were not built (the run was made with --no-profiles)")
    }
}

/// Peak resident memory of this process, in MiB (Linux; none elsewhere).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Reads the sources and resolves them; builds the customer 360 when
/// `profiles` is set (it needs the raw records, which are kept only then).
pub fn run_config(config_path: &Path, strict: bool, profiles: bool, log: &Log) -> Result<Run> {
    let loaded = config::load(config_path)?;
    let resolver_config = loaded.config.resolver()?;
    let mut resolver = Resolver::new(resolver_config)
        .map_err(|e| anyhow::anyhow!("{}: {e}", config_path.display()))?;
    let (mut prepared, mut records, mut lines, mut row_rejects, mut rows) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), 0);
    let reading = Reading {
        resolver: &resolver,
        keep_records: profiles,
        nanos: AtomicU64::new(0),
    };
    for src in &loaded.config.sources {
        let data = log.stage(
            "read",
            |stage| {
                stage.message(&src.name);
                read_source(src, &loaded.base, &reading, &|rows| {
                    stage.count(rows, "rows")
                })
            },
            |d| {
                format!(
                    "{}: {} rows, {} rejected",
                    src.name,
                    d.rows,
                    d.rejects.len()
                )
            },
        )?;
        if strict && let Some(r) = data.rejects.first() {
            bail!(
                "source `{}` line {}: field `{}`: {} (value `{}`); --strict stops here",
                r.source,
                r.line,
                r.field,
                r.reason,
                r.value
            );
        }
        rows += data.rows;
        if prepared.is_empty() {
            // One source (the usual case): no copy of every record.
            prepared = data.prepared;
            records = data.records;
            lines = data.lines;
        } else {
            prepared.extend(data.prepared);
            records.extend(data.records);
            lines.extend(data.lines);
        }
        row_rejects.extend(data.rejects);
    }
    let normalize = Duration::from_nanos(reading.nanos.into_inner());
    if let Some(path) = loaded
        .config
        .matching
        .as_ref()
        .and_then(|m| m.labels.as_ref())
    {
        resolver = resolver.with_labels(read_labels(&loaded.base.join(path), &prepared)?)?;
    }
    // One library call: on a terminal a spinner shows that it runs and for
    // how long; the time of each of its stages is printed when it ends.
    let n = prepared.len();
    let mut resolution = log.stage(
        "resolve",
        |stage| {
            stage.message("graph, blocking, train, score, cluster");
            if profiles {
                resolver.resolve_prepared(prepared)
            } else {
                resolver.resolve_prepared_lean(prepared)
            }
            .map_err(anyhow::Error::from)
        },
        |r| format!("{n} records -> {} profiles", r.graph.profile_count()),
    )?;
    resolution.timings.normalize = normalize;
    log_resolve_stages(log, &resolution);
    let t = Instant::now();
    let c360 = if profiles {
        Some(log.stage(
            "profiles",
            |_| {
                Ok(Customer360::build(
                    &records,
                    &resolution,
                    &loaded.config.profile,
                ))
            },
            |c| format!("{} profiles, {} cases", c.profiles().len(), c.cases().len()),
        )?)
    } else {
        None
    };
    let c360_seconds = t.elapsed().as_secs_f64();
    Ok(Run {
        records,
        lines,
        row_rejects,
        rows,
        resolution,
        c360,
        c360_seconds,
        config_path: std::fs::canonicalize(config_path)
            .unwrap_or_else(|_| config_path.to_path_buf()),
        resolver,
    })
}

/// Reads `[matching] labels`: `source_a,id_a,source_b,id_b,is_match` with
/// `is_match` 1/0, true/false or yes/no; every record must be among `records`.
fn read_labels(path: &Path, records: &[Prepared]) -> Result<Vec<RecordLabel>> {
    let ctx = || format!("labels {}", path.display());
    let mut rdr = csv::Reader::from_path(path).with_context(ctx)?;
    let header = rdr.headers().with_context(ctx)?.clone();
    let want = ["source_a", "id_a", "source_b", "id_b", "is_match"];
    let cols: Vec<usize> = want
        .iter()
        .map(|w| {
            header.iter().position(|h| h.trim() == *w).with_context(|| {
                format!(
                    "{}: no column `{w}`; the columns are {}",
                    ctx(),
                    want.join(",")
                )
            })
        })
        .collect::<Result<_>>()?;
    let known: std::collections::HashSet<&RecordKey> = records.iter().map(|r| &r.key).collect();
    let mut labels = Vec::new();
    for row in rdr.records() {
        let row = row.with_context(ctx)?;
        let line = row.position().map_or(0, |p| p.line());
        let get = |i: usize| row.get(cols[i]).unwrap_or("").trim();
        let key = |s: usize, i: usize| -> Result<RecordKey> {
            let key = RecordKey::new(get(s), get(i));
            anyhow::ensure!(
                known.contains(&key),
                "{} line {line}: no record `{}` in source `{}`",
                ctx(),
                key.id,
                key.source
            );
            Ok(key)
        };
        let is_match = match get(4).to_ascii_lowercase().as_str() {
            "1" | "true" | "yes" => true,
            "0" | "false" | "no" => false,
            other => bail!(
                "{} line {line}: is_match `{other}`: use 1 or 0 (true/false, yes/no)",
                ctx()
            ),
        };
        labels.push(RecordLabel {
            a: key(0, 1)?,
            b: key(2, 3)?,
            is_match,
        });
    }
    Ok(labels)
}

/// One line per stage of [`Resolver::resolve`], from the times and counts
/// it records (it runs as one call, with no progress reports).
fn log_resolve_stages(log: &Log, res: &Resolution) {
    let line = |name: &str, summary: String, time: Duration| {
        log.line(format_args!(
            "  {name:<10} {summary:<48} {:>8.2}s",
            time.as_secs_f64()
        ));
    };
    let t = &res.timings;
    let records = res.ids.len() as u64;
    let rejected = res.rejections.len();
    line(
        "normalize",
        format!(
            "{records} records, {rejected} values rejected ({}, while reading)",
            rate(records, t.normalize)
        ),
        t.normalize,
    );
    line(
        "graph",
        format!(
            "{} distinct identifier values",
            res.graph_stats().identifier_values
        ),
        t.graph,
    );
    if let Some(m) = &res.matching {
        let stats = &m.output.stats;
        line("features", "matching columns".into(), t.features);
        line(
            "blocking",
            format!(
                "{} candidate pairs ({})",
                stats.comparisons,
                rate(stats.comparisons, stats.blocking_time)
            ),
            stats.blocking_time,
        );
        line(
            "compare",
            format!(
                "{} comparison patterns ({})",
                stats.comparisons,
                rate(stats.comparisons, stats.comparing_time)
            ),
            stats.comparing_time,
        );
        let training = match &stats.labels {
            Some(l) => format!(
                "{} + {} labelled pairs, u from {}",
                l.matches,
                l.non_matches,
                if l.u_from_labels {
                    "labels".to_string()
                } else {
                    format!("{} random pairs", stats.u_pairs)
                }
            ),
            None => format!(
                "{} u pairs, {} EM sessions",
                stats.u_pairs,
                stats.sessions.len()
            ),
        };
        line("train", training, stats.training_time);
        line(
            "score",
            format!(
                "{} links ({})",
                stats.links,
                rate(stats.comparisons, stats.scoring_time)
            ),
            stats.scoring_time,
        );
    }
    line(
        "cluster",
        format!(
            "{} links merged, {} refused",
            res.probabilistic_links, res.probabilistic_refused
        ),
        t.cluster,
    );
}

/// `n` items in `time`, per second (`1.2M/s`).
fn rate(n: u64, time: Duration) -> String {
    crate::per_second(n as f64 / time.as_secs_f64().max(1e-9))
}

/// Creates `dir/name` for buffered writing.
pub fn create(dir: &Path, name: &str) -> Result<BufWriter<File>> {
    let path = dir.join(name);
    let f = File::create(&path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(BufWriter::new(f))
}

/// Creates `dir/name` for writing CSV.
pub fn csv_writer(dir: &Path, name: &str) -> Result<csv::Writer<BufWriter<File>>> {
    Ok(csv::Writer::from_writer(create(dir, name)?))
}

/// Rows formatted per chunk in parallel, written in order.
const WRITE_CHUNK: usize = 64 * 1024;

/// Writes one CSV row per item: chunks of items are formatted in parallel
/// into buffers, which are written in item order.
fn write_rows<T: Sync>(
    w: &mut BufWriter<File>,
    items: &[T],
    row: impl Fn(&mut csv::Writer<Vec<u8>>, &T) -> csv::Result<()> + Sync,
) -> Result<()> {
    let chunks: Vec<Vec<u8>> = items
        .par_chunks(WRITE_CHUNK)
        .map(|chunk| {
            let mut cw = csv::Writer::from_writer(Vec::new());
            for item in chunk {
                row(&mut cw, item)?;
            }
            cw.into_inner()
                .map_err(|e| csv::Error::from(e.into_error()))
        })
        .collect::<csv::Result<_>>()?;
    for chunk in chunks {
        w.write_all(&chunk)?;
    }
    Ok(())
}

/// `omnid resolve`.
pub fn resolve(
    config_path: &Path,
    out: &Path,
    strict: bool,
    profiles: bool,
    log: &Log,
) -> Result<ExitCode> {
    let t0 = Instant::now();
    let run = run_config(config_path, strict, profiles, log)?;
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let writing = log.start("write");
    writing.message(&out.display().to_string());
    let t_write = Instant::now();
    let res = &run.resolution;

    let mut w = create(out, "clusters.csv")?;
    write_rows(&mut w, &[()], |w, ()| {
        w.write_record(["source", "record_id", "profile_id"])
    })?;
    let records: Vec<usize> = (0..res.ids.len()).collect();
    write_rows(&mut w, &records, |w, &i| {
        let (source, id) = res
            .ids
            .get(i)
            .and_then(|&r| res.graph.key_parts(r))
            .unwrap_or_default();
        let profile = res.profile_of(i).map(|p| p.to_string()).unwrap_or_default();
        w.write_record([source, id, profile.as_str()])
    })?;
    // Flushed here, not on drop, where an error would be lost.
    w.flush()?;

    let mut value_rejections = 0u64;
    let mut w = csv_writer(out, "rejects.csv")?;
    w.write_record(["source", "line", "record_id", "field", "value", "reason"])?;
    for r in &run.row_rejects {
        w.write_record([
            &r.source,
            &r.line.to_string(),
            &r.record_id,
            &r.field,
            &r.value,
            &r.reason,
        ])?;
    }
    for (i, fr) in &res.rejections {
        let i = *i as usize;
        value_rejections += 1;
        let (source, id) = res
            .ids
            .get(i)
            .and_then(|&r| res.graph.key_parts(r))
            .unwrap_or_default();
        let line = run.lines.get(i).map(u64::to_string).unwrap_or_default();
        w.write_record([
            source,
            &line,
            id,
            &fr.field,
            &fr.value,
            &fr.rejection.to_string(),
        ])?;
    }
    w.flush()?;

    let graph = &res.graph;
    let key = |r: omnid::cluster::RecordId| graph.key_parts(r).unwrap_or_default();
    let mut w = create(out, "edges.csv")?;
    write_rows(&mut w, &[()], |w, ()| {
        w.write_record([
            "a_source", "a_id", "b_source", "b_id", "status", "evidence", "kind", "value", "weight",
        ])
    })?;
    let write_edge = |w: &mut csv::Writer<Vec<u8>>, e: &omnid::cluster::Edge, status: &str| {
        let (a, b) = (key(e.a), key(e.b));
        let (evidence, kind, value, weight) = match e.evidence {
            Evidence::SharedIdentifier { value, .. } => {
                let (k, v) = graph
                    .value(value)
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .unwrap_or_default();
                ("shared_identifier", k, v, String::new())
            }
            Evidence::Probabilistic { weight } => (
                "probabilistic",
                String::new(),
                String::new(),
                format!("{weight:.3}"),
            ),
        };
        w.write_record([a.0, a.1, b.0, b.1, status, evidence, &kind, &value, &weight])
    };
    let accepted: Vec<omnid::cluster::Edge> = graph.accepted_links().collect();
    write_rows(&mut w, &accepted, |w, e| write_edge(w, e, "accepted"))?;
    let refused: Vec<omnid::cluster::RefusedEdge> = graph.refused_links().collect();
    write_rows(&mut w, &refused, |w, r| {
        let status = match r.refusal {
            omnid::cluster::Refusal::CannotLink { .. } => "refused_cannot_link",
            omnid::cluster::Refusal::MaxPerProfile { .. } => "refused_max_per_profile",
        };
        write_edge(w, &r.edge, status)
    })?;
    w.flush()?;

    if run.c360.is_some() {
        crate::customer::write_profiles(out, &run)?;
        crate::customer::write_cases(out, &run)?;
    } else {
        // Files of an earlier run with profiles would no longer match.
        for stale in ["profiles.jsonl", "cases.csv"] {
            match std::fs::remove_file(out.join(stale)) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("cannot remove {stale}"));
                }
                _ => {}
            }
        }
    }

    let model = res.matching.as_ref().map(|m| &m.output.model);
    std::fs::write(
        out.join("model.json"),
        serde_json::to_string_pretty(&model)?,
    )?;

    let gstats = res.graph_stats();
    let match_stats = res.matching.as_ref().map(|m| &m.output.stats);
    let write_s = t_write.elapsed().as_secs_f64();
    let total_s = t0.elapsed().as_secs_f64();
    let rss = peak_rss_mib();
    let summary = json!({
        "config": run.config_path,
        "rows_read": run.rows,
        "records": res.ids.len(),
        "rows_rejected": run.row_rejects.len(),
        "values_rejected": value_rejections,
        "profiles": res.graph.profile_count(),
        "cases": run.c360.as_ref().map(|c| c.cases().len()),
        "records_in_profiles": res.ids.len(),
        "probabilistic_links_merged": res.probabilistic_links,
        "probabilistic_links_refused": res.probabilistic_refused,
        "graph": gstats,
        "matching": match_stats,
        "seconds": { "stages": res.timings, "profiles": run.c360_seconds, "write": write_s, "total": total_s },
        "peak_rss_mib": rss,
    });
    std::fs::write(
        out.join("summary.json"),
        serde_json::to_string_pretty(&summary)?,
    )?;

    writing.finish(out.display());
    log.line(format_args!(
        "done: {} rows -> {} records + {} rejected rows; {} profiles; {} values rejected; {:.2}s, peak {:.0} MiB",
        run.rows,
        res.ids.len(),
        run.row_rejects.len(),
        res.graph.profile_count(),
        value_rejections,
        total_s,
        rss.unwrap_or(0.0)
    ));
    if res.ids.len() as u64 + run.row_rejects.len() as u64 != run.rows {
        bail!(
            "internal error: {} rows read but {} records and {} rejects",
            run.rows,
            res.ids.len(),
            run.row_rejects.len()
        );
    }
    let code = if run.row_rejects.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    };
    // The process ends now and the OS takes its memory back at once;
    // dropping the run would free every record's strings one by one (half a
    // second at a million records with profiles).
    std::mem::forget(run);
    Ok(code)
}

/// Re-runs the resolution recorded in `out/summary.json`.
pub fn rerun(out: &Path) -> Result<Run> {
    let path = out.join("summary.json");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {} (run `omnid resolve` first)", path.display()))?;
    let v: serde_json::Value =
        serde_json::from_str(&text).with_context(|| format!("{} is not JSON", path.display()))?;
    let config = v["config"]
        .as_str()
        .with_context(|| format!("{}: no `config`", path.display()))?;
    run_config(Path::new(config), false, true, &Log::quiet())
}

pub fn parse_key(s: &str) -> Result<RecordKey> {
    let (source, id) = s
        .split_once(':')
        .with_context(|| format!("`{s}`: write a record as SOURCE:ID"))?;
    Ok(RecordKey::new(source, id))
}

/// `omnid explain`.
pub fn explain(out: &Path, a: &str, b: &str, json: bool, _log: &Log) -> Result<()> {
    let run = rerun(out)?;
    let g = &run.resolution.graph;
    let find = |s: &str| -> Result<omnid::cluster::RecordId> {
        let k = parse_key(s)?;
        g.record_id(&k).with_context(|| format!("no record `{s}`"))
    };
    let (ra, rb) = (find(a)?, find(b)?);
    let e = g.explain(ra, rb)?;
    let index = |r| run.resolution.ids.iter().position(|&x| x == r);
    let waterfall = match (&run.resolution.matching, index(ra), index(rb)) {
        (Some(m), Some(i), Some(j)) => m.waterfall(i, j),
        _ => None,
    };
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&json!({ "explanation": e, "score": waterfall }))?
        );
        return Ok(());
    }
    outln!("{e}");
    if let Some(w) = waterfall {
        outln!("\nprobabilistic score of this pair (match weight, log2 odds):");
        outln!(
            "  {:<22} {:<30} {:>8}",
            "prior",
            "",
            format!("{:+.2}", w.prior_weight)
        );
        for s in &w.steps {
            let tf = if s.tf_adjustment != 0.0 {
                format!(" (tf {:+.2})", s.tf_adjustment)
            } else {
                String::new()
            };
            outln!(
                "  {:<22} {:<30} {:>8}{tf}",
                s.comparison,
                s.level,
                format!("{:+.2}", s.weight)
            );
        }
        outln!(
            "  {:<22} {:<30} {:>8}  probability {:.4}",
            "total",
            "",
            format!("{:+.2}", w.weight),
            w.probability
        );
    }
    Ok(())
}
