//! `profile`, `lookup` and `journey`: the customer view for a person or a
//! program, the journey report, and the profile outputs of `resolve`.

use std::io::Write;
use std::ops::Range;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, Result, bail};
use omnid::cluster::ProfileId;
use omnid::profile::golden::GoldenValue;
use omnid::profile::{CustomerView, ViewOptions};
use omnid::{Identifier, IdentifierKind};
use rayon::prelude::*;

use crate::output::{Run, create, csv_writer, parse_key, rerun};

fn time(t: Option<jiff::Timestamp>) -> String {
    t.map(|t| t.to_string()).unwrap_or_default()
}

/// Items serialized by one task: enough to spread the work, small enough
/// that a batch of tasks' output in memory stays a few megabytes.
const ITEMS_PER_TASK: usize = 256;
/// Tasks serialized before their output is written, in order.
const TASKS_PER_BATCH: usize = 32;

/// Writes `count` items to `w` in order, serializing runs of them in
/// parallel with `serialize` (which gets a range of item indices).
fn write_in_order(
    w: &mut impl Write,
    count: usize,
    serialize: impl Fn(Range<usize>) -> Result<Vec<u8>> + Sync,
) -> Result<()> {
    let batch = ITEMS_PER_TASK * TASKS_PER_BATCH;
    for first in (0..count).step_by(batch) {
        let end = (first + batch).min(count);
        let tasks: Vec<Range<usize>> = (first..end)
            .step_by(ITEMS_PER_TASK)
            .map(|s| s..(s + ITEMS_PER_TASK).min(end))
            .collect();
        let buffers: Vec<Result<Vec<u8>>> = tasks.into_par_iter().map(&serialize).collect();
        for buf in buffers {
            w.write_all(&buf?)?;
        }
    }
    Ok(())
}

/// `DIR/profiles.jsonl`: one customer view per line (golden record with
/// provenance, identifiers, value), without cases and timeline. Lines are
/// serialized in parallel and written in profile order.
pub fn write_profiles(out: &Path, run: &Run) -> Result<()> {
    let mut w = create(out, "profiles.jsonl")?;
    let c360 = run.c360()?;
    write_in_order(&mut w, c360.profiles().len(), |profiles| {
        let mut buf = Vec::new();
        for p in profiles {
            if let Some(v) = c360.view(p, &run.records, ViewOptions::default()) {
                serde_json::to_writer(&mut buf, &v)?;
                buf.push(b'\n');
            }
        }
        Ok(buf)
    })?;
    w.flush()?;
    Ok(())
}

/// `DIR/cases.csv`: one case per line, serialized in parallel and written in
/// case order.
pub fn write_cases(out: &Path, run: &Run) -> Result<()> {
    let mut w = create(out, "cases.csv")?;
    let mut header = csv::Writer::from_writer(Vec::new());
    header.write_record([
        "case_id",
        "profile_id",
        "kind",
        "case_ref",
        "status",
        "contacts",
        "first_contact",
        "last_contact",
        "hours_to_resolution",
        "path",
        "records",
    ])?;
    w.write_all(&header.into_inner()?)?;
    let cases = run.c360()?.cases();
    write_in_order(&mut w, cases.len(), |range| {
        let mut csv = csv::Writer::from_writer(Vec::new());
        for c in cases.range(range) {
            let path: Vec<&str> = c.path().iter().map(|ch| ch.as_str()).collect();
            let records: Vec<String> = c
                .contacts
                .iter()
                .filter_map(|&i| run.records.get(i as usize).map(|r| r.key.to_string()))
                .collect();
            csv.write_record([
                c.id.to_string(),
                c.id.profile.to_string(),
                c.kind.to_string(),
                c.case_ref.clone().unwrap_or_default(),
                c.status.to_string(),
                c.contacts.len().to_string(),
                time(c.first_contact),
                time(c.last_contact),
                c.time_to_resolution()
                    .map(|d| format!("{:.2}", d.as_secs_f64() / 3600.0))
                    .unwrap_or_default(),
                path.join(">"),
                records.join(" "),
            ])?;
        }
        Ok(csv.into_inner()?)
    })?;
    w.flush()?;
    Ok(())
}

/// What `lookup` looks for.
pub struct Query {
    pub phone: Option<String>,
    pub region: Option<String>,
    pub email: Option<String>,
    pub id: Option<String>,
    pub identifier: Option<String>,
}

fn region(run: &Run, region: Option<&str>) -> Result<Option<omnid::Country>> {
    let r: Option<omnid::Country> = region.map(str::parse).transpose().context("--region")?;
    Ok(r.or(run.resolver.config().normalize.default_region))
}

fn parse_identifier(spec: &str) -> Result<Identifier> {
    let (k, v) = spec
        .split_once('=')
        .context("--identifier: write KIND=VALUE")?;
    let kind = k
        .parse::<IdentifierKind>()
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Identifier::new(kind, v))
}

/// The profile positions holding one raw identifier of a known kind.
fn by_identifier(run: &Run, id: &Identifier, region: Option<omnid::Country>) -> Result<Vec<usize>> {
    let hits = run
        .c360()?
        .lookup(&run.resolution, run.resolver.normalizer(), id, region)
        .map_err(|e| anyhow::anyhow!("`{}` is not a usable {}: {e}", id.raw, id.kind))?;
    if hits.is_empty() {
        bail!("no customer has {} `{}`", id.kind, id.raw);
    }
    Ok(hits.into_iter().map(|h| h.profile).collect())
}

fn by_record(run: &Run, spec: &str) -> Result<usize> {
    let key = parse_key(spec)?;
    let i = run
        .records
        .iter()
        .position(|r| r.key == key)
        .with_context(|| format!("no record `{spec}`"))?;
    let pid = run
        .resolution
        .profile_of(i)
        .context("record without a profile")?;
    run.c360()?.position(pid).context("profile not built")
}

/// `omnid lookup`.
pub fn lookup(out: &Path, q: Query, json: bool, tail: usize) -> Result<ExitCode> {
    let run = rerun(out)?;
    let region = region(&run, q.region.as_deref())?;
    let found = if let Some(id) = &q.id {
        vec![by_record(&run, id)?]
    } else if let Some(p) = q.phone {
        by_identifier(&run, &Identifier::new(IdentifierKind::Phone, p), region)?
    } else if let Some(e) = q.email {
        by_identifier(&run, &Identifier::new(IdentifierKind::Email, e), region)?
    } else if let Some(spec) = q.identifier {
        let id = parse_identifier(&spec).context("--identifier")?;
        by_identifier(&run, &id, region)?
    } else {
        bail!("give one of --phone, --email, --id or --identifier");
    };
    show(&run, found, json, tail)
}

/// `omnid profile`: a profile id, a record, `KIND=VALUE`, or any raw value.
pub fn profile(
    out: &Path,
    selector: &str,
    region: Option<&str>,
    json: bool,
    tail: usize,
) -> Result<ExitCode> {
    let run = rerun(out)?;
    let region = self::region(&run, region)?;
    let found = if let Ok(pid) = selector.parse::<ProfileId>() {
        vec![
            run.c360()?
                .position(pid)
                .with_context(|| format!("no profile {pid}"))?,
        ]
    } else if let Some(id) = selector
        .split_once('=')
        .and_then(|(k, _)| k.parse::<IdentifierKind>().ok())
        .and_then(|_| parse_identifier(selector).ok())
    {
        by_identifier(&run, &id, region)?
    } else if let Ok(p) = by_record(&run, selector) {
        vec![p]
    } else {
        let hits =
            run.c360()?
                .lookup_any(&run.resolution, run.resolver.normalizer(), selector, region);
        let mut found: Vec<usize> = hits.into_iter().map(|h| h.profile).collect();
        found.dedup();
        if found.is_empty() {
            bail!(
                "no customer matches `{selector}` (tried it as a profile id, a SOURCE:ID record, \
                 and every identifier kind in the data)"
            );
        }
        found
    };
    show(&run, found, json, tail)
}

fn show(run: &Run, found: Vec<usize>, json: bool, tail: usize) -> Result<ExitCode> {
    let options = ViewOptions {
        cases: true,
        timeline_tail: Some(tail),
    };
    let views: Vec<CustomerView<'_>> = found
        .iter()
        .filter_map(|&p| run.c360().ok()?.view(p, &run.records, options))
        .collect();
    if json {
        let text = match views.as_slice() {
            [one] => serde_json::to_string_pretty(one)?,
            many => serde_json::to_string_pretty(many)?,
        };
        outln!("{text}");
        return Ok(ExitCode::SUCCESS);
    }
    if views.len() > 1 {
        outln!("{} customers match:\n", views.len());
    }
    for (n, v) in views.iter().enumerate() {
        if n > 0 {
            outln!();
        }
        print_view(v);
    }
    Ok(ExitCode::SUCCESS)
}

fn short(t: Option<jiff::Timestamp>) -> String {
    t.map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
        .unwrap_or_else(|| "?".into())
}

fn print_view(v: &CustomerView<'_>) {
    let g = &v.golden;
    let name = g.name.as_ref().map_or("(no name)", |n| n.display);
    outln!("profile {}  {name}", v.id);
    outln!("  golden record:");
    let line = |label: &str, value: &Option<GoldenValue<'_>>| {
        if let Some(x) = value {
            outln!(
                "    {label:<11} {:<34} from {} ({}, {}; in {} records, {} candidates)",
                x.display,
                x.provenance.record,
                short(x.provenance.observed_at),
                x.provenance.rule.as_str(),
                x.support,
                x.candidates
            );
        }
    };
    line("name", &g.name);
    line("birth date", &g.birth_date);
    line("gender", &g.gender);
    line("email", &g.email);
    line("phone", &g.phone);
    line("address", &g.address);
    match v.rfm {
        Some(r) => outln!(
            "  value: {} (R{} F{} M{}): {} purchases, {} {:.2}, last {} days before the data's end",
            v.segment,
            r.r,
            r.f,
            r.m,
            r.frequency,
            r.currency.as_deref().unwrap_or("-"),
            r.monetary,
            r.recency_days
                .map(|d| format!("{d:.1}"))
                .unwrap_or_else(|| "?".into())
        ),
        None => outln!("  value: {}", v.segment),
    }
    outln!(
        "  {} records, {} interactions, {} purchases, {} complaints, {} service contacts, seen {} .. {}",
        v.records.len(),
        v.interactions,
        v.purchases,
        v.complaints,
        v.contacts,
        short(v.first_seen),
        short(v.last_seen)
    );
    let channels: Vec<&str> = v.channels.iter().map(|c| c.as_str()).collect();
    outln!("  channels: {}", channels.join(" -> "));
    outln!("  identifiers:");
    for i in &v.identifiers {
        outln!(
            "    {:<20} {:<32} {} records, {} .. {}",
            i.kind.to_string(),
            i.display,
            i.records,
            short(i.first_seen),
            short(i.last_seen)
        );
    }
    if let Some(cases) = &v.cases {
        outln!("  cases ({}):", cases.len());
        for c in cases {
            let path: Vec<&str> = c.path.iter().map(|ch| ch.as_str()).collect();
            let ttr = c
                .time_to_resolution
                .map(|d| format!(", resolved in {:.1} h", d.as_secs_f64() / 3600.0))
                .unwrap_or_default();
            let r = c.case_ref.map(|r| format!(", ref {r}")).unwrap_or_default();
            outln!(
                "    {}  {:<12} {:<9} {} contacts  {}  {} .. {}{r}{ttr}",
                c.id,
                c.kind.as_str(),
                c.status.as_str(),
                c.contacts,
                path.join(" > "),
                short(c.first_contact),
                short(c.last_contact)
            );
        }
    }
    if let Some(t) = &v.timeline {
        outln!("  timeline (last {} of {}):", t.len(), v.timeline_length);
        for e in t {
            let outcome = e.outcome.map(|o| o.as_str()).unwrap_or("");
            let case = e.case.map(|c| format!(" case {c}")).unwrap_or_default();
            let amount = e
                .amount
                .map(|m| format!(" {:.2} {}", m.amount, m.currency))
                .unwrap_or_default();
            outln!(
                "    {}  {:<9} {:<12} {:<9} {}{case}{amount}  {}",
                short(e.at),
                e.channel.as_str(),
                e.kind.as_str(),
                outcome,
                e.record,
                e.summary.unwrap_or("")
            );
        }
    }
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

/// `omnid journey`.
pub fn journey(out: &Path, report: Option<&Path>, json: bool, quiet: bool) -> Result<ExitCode> {
    let run = rerun(out)?;
    let dir = report.unwrap_or(out);
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let j = run.c360()?.journey();
    let v = run.c360()?.value();
    let all = serde_json::json!({ "journey": j, "value": v });
    std::fs::write(
        dir.join("journey.json"),
        serde_json::to_string_pretty(&all)?,
    )
    .with_context(|| format!("cannot write {}", dir.join("journey.json").display()))?;

    for (name, m) in [
        ("transitions_cases.csv", &j.transitions_in_cases),
        ("transitions_overall.csv", &j.transitions_overall),
    ] {
        let mut w = csv_writer(dir, name)?;
        w.write_record(["from", "to", "count", "share_of_from"])?;
        for t in m.cells() {
            w.write_record([
                t.from.as_str(),
                t.to.as_str(),
                &t.count.to_string(),
                &format!("{:.4}", t.share_of_from),
            ])?;
        }
        w.flush()?;
    }
    let mut w = csv_writer(dir, "channels.csv")?;
    w.write_record([
        "channel",
        "contacts",
        "cases_opened",
        "first_contact_resolved",
        "fcr_rate",
        "repeat_cases",
        "repeat_contact_rate",
    ])?;
    for c in &j.channels {
        w.write_record([
            c.channel.as_str(),
            &c.contacts.to_string(),
            &c.cases_opened.to_string(),
            &c.first_contact_resolved.to_string(),
            &format!("{:.4}", c.fcr_rate),
            &c.repeat_cases.to_string(),
            &format!("{:.4}", c.repeat_contact_rate),
        ])?;
    }
    w.flush()?;
    let path_text =
        |p: &[omnid::Channel]| p.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(">");
    let mut w = csv_writer(dir, "paths.csv")?;
    w.write_record(["path", "cases", "share"])?;
    for p in &j.paths {
        w.write_record([
            &path_text(&p.path),
            &p.cases.to_string(),
            &format!("{:.4}", p.share),
        ])?;
    }
    w.flush()?;
    let mut w = csv_writer(dir, "touchpoints.csv")?;
    w.write_record([
        "channel",
        "kind",
        "outcome",
        "contacts",
        "escalated_to_other_channel",
        "followed_by_cancellation",
        "escalation_rate",
        "cancellation_rate",
    ])?;
    for t in &j.touchpoints {
        w.write_record([
            t.channel.as_str(),
            t.kind.as_str(),
            t.outcome.map(|o| o.as_str()).unwrap_or(""),
            &t.contacts.to_string(),
            &t.escalated_to_other_channel.to_string(),
            &t.followed_by_cancellation.to_string(),
            &format!("{:.4}", t.escalation_rate),
            &format!("{:.4}", t.cancellation_rate),
        ])?;
    }
    w.flush()?;
    let mut w = csv_writer(dir, "segments.csv")?;
    w.write_record(["segment", "profiles"])?;
    for (s, n) in &v.segments {
        w.write_record([s.as_str(), &n.to_string()])?;
    }
    w.flush()?;
    for (name, list) in [
        ("best_customers.csv", &v.best),
        ("worst_customers.csv", &v.worst),
    ] {
        let mut w = csv_writer(dir, name)?;
        w.write_record([
            "profile_id",
            "segment",
            "r",
            "f",
            "m",
            "currency",
            "monetary",
            "purchases",
            "complaints",
            "contacts",
            "complaints_per_purchase",
            "contacts_per_purchase",
        ])?;
        for c in list {
            let score = |f: fn(&omnid::profile::value::Rfm) -> u8| {
                c.rfm.as_ref().map(|r| f(r).to_string()).unwrap_or_default()
            };
            w.write_record([
                c.profile.to_string(),
                c.segment.to_string(),
                score(|r| r.r),
                score(|r| r.f),
                score(|r| r.m),
                c.rfm
                    .as_ref()
                    .and_then(|r| r.currency.clone())
                    .unwrap_or_default(),
                c.rfm
                    .as_ref()
                    .map(|r| format!("{:.2}", r.monetary))
                    .unwrap_or_default(),
                c.purchases.to_string(),
                c.complaints.to_string(),
                c.contacts.to_string(),
                format!("{:.3}", c.complaints_per_purchase),
                format!("{:.3}", c.contacts_per_purchase),
            ])?;
        }
        w.flush()?;
    }

    if json {
        outln!("{}", serde_json::to_string_pretty(&all)?);
        return Ok(ExitCode::SUCCESS);
    }
    // Quiet, the files are the whole answer.
    if quiet {
        return Ok(ExitCode::SUCCESS);
    }
    let status: Vec<String> = j
        .status
        .iter()
        .filter(|s| s.1 > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    outln!(
        "{} profiles, {} cases ({}), {} service contacts",
        j.profiles,
        j.cases,
        status.join(", "),
        j.contacts
    );
    outln!("first-contact resolution (repeat-contact rate) by channel of first contact:");
    for c in j.channels.iter().filter(|c| c.cases_opened > 0) {
        outln!(
            "  {:<10} {:>5} ({:>4})  of {} cases",
            c.channel.as_str(),
            pct(c.fcr_rate),
            pct(c.repeat_contact_rate),
            c.cases_opened
        );
    }
    outln!("most common case paths:");
    for p in j.paths.iter().take(5) {
        outln!(
            "  {:<40} {:>6} cases ({})",
            path_text(&p.path),
            p.cases,
            pct(p.share)
        );
    }
    outln!(
        "critical touchpoints (next contact on another channel / cancellation within the churn window):"
    );
    for t in j.touchpoints.iter().take(5) {
        outln!(
            "  {:<10} {:<12} {:<9} {:>4} / {:>4}  of {} contacts",
            t.channel.as_str(),
            t.kind.as_str(),
            t.outcome.map(|o| o.as_str()).unwrap_or("-"),
            pct(t.escalation_rate),
            pct(t.cancellation_rate),
            t.contacts
        );
    }
    let segments: Vec<String> = v.segments.iter().map(|(s, n)| format!("{s} {n}")).collect();
    outln!("segments: {}", segments.join(", "));
    outln!(
        "wrote {}: journey.json, transitions_cases.csv, transitions_overall.csv, channels.csv, \
         paths.csv, touchpoints.csv, segments.csv, best_customers.csv, worst_customers.csv",
        dir.display()
    );
    Ok(ExitCode::SUCCESS)
}
