//! Source configuration and reading: CSV or JSONL rows into `omnid::Record`s.
//!
//! Reading is streaming (one batch of rows in memory at a time besides the
//! records kept). A row that cannot become a record goes to the rejects with its
//! source, line, field and reason; the run goes on.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use hashbrown::HashTable;
use omnid::resolve::{Prepared, Resolver};
use omnid::{
    Channel, Identifier, IdentifierKind, Interaction, InteractionKind, Money, Outcome, Record,
    RecordKey,
};
use rayon::prelude::*;
use serde::Deserialize;
use std::hash::BuildHasher;

/// File format of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Comma (or other delimiter) separated values with a header row.
    #[default]
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// Text encoding of a source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// UTF-8; a field that is not valid UTF-8 rejects its row.
    #[default]
    Utf8,
    /// ISO-8859-1 / Windows-1252 as exported by many older CRMs.
    Latin1,
}

/// One input source.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Name of the source (used in record keys and outputs).
    pub name: String,
    /// File path, relative to the configuration file.
    pub path: PathBuf,
    /// `csv` (default) or `jsonl`.
    #[serde(default)]
    pub format: Format,
    /// CSV delimiter (default `,`).
    #[serde(default = "comma")]
    pub delimiter: char,
    /// `utf-8` (default) or `latin1`.
    #[serde(default)]
    pub encoding: Encoding,
    /// Column holding the record id.
    pub id: String,
    /// Default region for national phone numbers (`ES`, `MX`, `AR`, `CO`...).
    #[serde(default)]
    pub default_region: Option<String>,
    /// Regions tried in turn when a national number is not valid in the
    /// default region (`["US"]` for a source mixing Spanish and American numbers).
    #[serde(default)]
    pub fallback_regions: Vec<String>,
    /// `day_first` (default) or `month_first` for dates like 03/04/1990.
    #[serde(default)]
    pub date_order: Option<String>,
    /// Column with the time the source saw the record.
    #[serde(default)]
    pub timestamp: Option<String>,
    /// Channel of every record of this source when no column gives one.
    #[serde(default)]
    pub channel: Option<String>,
    /// Interaction kind of every record of this source when no column gives one.
    #[serde(default)]
    pub interaction_kind: Option<String>,
    /// Column -> what it holds: an identifier kind (`phone`, `email`,
    /// `crm_id:sap`, `handle:instagram`...), an attribute (`given_names`,
    /// `family_names`, `full_name`, `birth_date`, `gender`, `street`,
    /// `street_number`, `locality`, `city`, `postcode`, `region`, `country`,
    /// `attr:<name>`), an interaction field (`channel`, `interaction_kind`,
    /// `at`, `case_ref`, `amount`, `currency`, `outcome`, `summary`) or `ignore`.
    pub columns: BTreeMap<String, String>,
}

fn comma() -> char {
    ','
}

/// Where a column's value goes.
#[derive(Debug, Clone, PartialEq)]
enum Target {
    Identifier(IdentifierKind),
    GivenNames,
    FamilyNames,
    FullName,
    BirthDate,
    Gender,
    Street,
    StreetNumber,
    Locality,
    City,
    Postcode,
    Region,
    Country,
    Extra(String),
    Channel,
    InteractionKind,
    At,
    CaseRef,
    Amount,
    Currency,
    Outcome,
    Summary,
    Ignore,
}

const TARGETS: &[&str] = &[
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
    "channel",
    "interaction_kind",
    "at",
    "case_ref",
    "amount",
    "currency",
    "outcome",
    "summary",
    "ignore",
];

fn parse_target(s: &str) -> Result<Target, String> {
    Ok(match s.trim() {
        "given_names" | "given_name" => Target::GivenNames,
        "family_names" | "family_name" | "surname" | "surnames" => Target::FamilyNames,
        "full_name" | "name" => Target::FullName,
        "birth_date" | "date_of_birth" | "dob" => Target::BirthDate,
        "gender" | "sex" => Target::Gender,
        "street" => Target::Street,
        "street_number" => Target::StreetNumber,
        "locality" | "address_2" => Target::Locality,
        "city" => Target::City,
        "postcode" | "zip" => Target::Postcode,
        "region" | "state" | "province" => Target::Region,
        "country" => Target::Country,
        "channel" => Target::Channel,
        "interaction_kind" => Target::InteractionKind,
        "at" => Target::At,
        "case_ref" => Target::CaseRef,
        "amount" => Target::Amount,
        "currency" => Target::Currency,
        "outcome" => Target::Outcome,
        "summary" => Target::Summary,
        "ignore" => Target::Ignore,
        t => {
            if let Some(name) = t.strip_prefix("attr:") {
                return Ok(Target::Extra(name.to_string()));
            }
            match t.parse::<IdentifierKind>() {
                Ok(kind) => Target::Identifier(kind),
                Err(e) => {
                    let head = t.split(':').next().unwrap_or(t);
                    if omnid::record::KIND_NAMES.contains(&head) {
                        return Err(e.to_string());
                    }
                    // Identifier kinds are the library's list, not repeated here.
                    let names: Vec<&str> = TARGETS
                        .iter()
                        .chain(omnid::record::KIND_NAMES)
                        .copied()
                        .collect();
                    let hint = omnid::suggest::closest(head, &names)
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    return Err(format!("unknown target `{t}`{hint}"));
                }
            }
        }
    })
}

/// A row that did not become a record, or a value that did not normalize.
#[derive(Debug, Clone, PartialEq)]
pub struct Reject {
    /// Source name.
    pub source: String,
    /// 1-based line in the file (the header is line 1 in CSV).
    pub line: u64,
    /// Record id, when known.
    pub record_id: String,
    /// Column or field.
    pub field: String,
    /// The offending value.
    pub value: String,
    /// Why (a reason code, then a colon and detail).
    pub reason: String,
}

/// Records read from a source, normalized as they are read, with their line
/// numbers, and row rejects.
pub struct SourceData {
    /// Normalized records in file order.
    pub prepared: Vec<Prepared>,
    /// The raw records, in the same order, when asked to keep them.
    pub records: Vec<Record>,
    /// Line of each record.
    pub lines: Vec<u64>,
    /// Rows that did not become records.
    pub rejects: Vec<Reject>,
    /// Rows read (records + rejected rows).
    pub rows: u64,
}

struct Mapping {
    id: usize,
    timestamp: Option<usize>,
    columns: Vec<(usize, String, Target)>,
}

fn map_columns(src: &SourceConfig, header: &[String], ctx: &str) -> Result<Mapping> {
    let find = |name: &str, what: &str| -> Result<usize> {
        header.iter().position(|h| h == name).ok_or_else(|| {
            let cols: Vec<&str> = header.iter().map(String::as_str).collect();
            let hint = omnid::suggest::closest(name, &cols)
                .map(|c| format!("; did you mean `{c}`?"))
                .unwrap_or_else(|| format!("; the columns are: {}", cols.join(", ")));
            anyhow::anyhow!("{ctx}: {what} column `{name}` is not in the file{hint}")
        })
    };
    let id = find(&src.id, "id")?;
    let timestamp = src
        .timestamp
        .as_deref()
        .map(|t| find(t, "timestamp"))
        .transpose()?;
    let mut columns = Vec::new();
    for (col, target) in &src.columns {
        let idx = find(col, "mapped")?;
        let t = parse_target(target).map_err(|e| anyhow::anyhow!("{ctx}: columns.{col}: {e}"))?;
        columns.push((idx, col.clone(), t));
    }
    Ok(Mapping {
        id,
        timestamp,
        columns,
    })
}

fn decode(bytes: &[u8], encoding: Encoding) -> Option<Cow<'_, str>> {
    match encoding {
        Encoding::Utf8 => std::str::from_utf8(bytes).ok().map(Cow::Borrowed),
        // Latin-1 maps each byte to the code point of the same number.
        Encoding::Latin1 => Some(Cow::Owned(bytes.iter().map(|&b| char::from(b)).collect())),
    }
}

/// Parses a timestamp: RFC 3339 (`2026-03-01T10:00:00Z`), or a civil
/// date-time `2026-03-01 10:00[:00]` or a date `2026-03-01`, read as UTC.
pub fn parse_timestamp(s: &str) -> Option<jiff::Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t);
    }
    if let Ok(dt) = s.replace(' ', "T").parse::<jiff::civil::DateTime>() {
        return dt
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp());
    }
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return d
            .to_zoned(jiff::tz::TimeZone::UTC)
            .ok()
            .map(|z| z.timestamp());
    }
    None
}

/// Why a row is rejected: (field, value, reason).
type RowError = (String, String, String);

fn build_record<S: AsRef<str>>(
    src: &SourceConfig,
    map: &Mapping,
    fields: &[S],
) -> Result<Record, RowError> {
    let get = |i: usize| fields.get(i).map(|s| s.as_ref().trim()).unwrap_or("");
    let id = get(map.id);
    if id.is_empty() {
        return Err((
            src.id.clone(),
            String::new(),
            "missing_id: the id column is empty".into(),
        ));
    }
    let mut r = Record {
        key: RecordKey::new(src.name.clone(), id),
        ..Record::default()
    };
    if let Some(ti) = map.timestamp {
        let raw = get(ti);
        if !raw.is_empty() {
            r.observed_at = Some(parse_timestamp(raw).ok_or_else(|| {
                (
                    src.timestamp.clone().unwrap_or_default(),
                    raw.to_string(),
                    "bad_timestamp: expected RFC 3339 or YYYY-MM-DD[ HH:MM[:SS]]".to_string(),
                )
            })?);
        }
    }
    let mut inter = Interaction::default();
    let mut has_inter = false;
    if let Some(c) = &src.channel {
        inter.channel = c.parse().map_err(|e: omnid::record::ParseKindError| {
            (String::from("channel"), c.clone(), e.to_string())
        })?;
        has_inter = true;
    }
    if let Some(k) = &src.interaction_kind {
        inter.kind = k.parse().map_err(|e: omnid::record::ParseKindError| {
            (String::from("interaction_kind"), k.clone(), e.to_string())
        })?;
        has_inter = true;
    }
    let mut amount: Option<f64> = None;
    let mut currency: Option<String> = None;
    for (idx, col, target) in &map.columns {
        let v = get(*idx);
        if v.is_empty() {
            continue;
        }
        let bad = |what: String| (col.clone(), v.to_string(), what);
        let a = &mut r.attributes;
        let set = |slot: &mut Option<String>| *slot = Some(v.to_string());
        match target {
            Target::Identifier(kind) => r.identifiers.push(Identifier::new(kind.clone(), v)),
            Target::GivenNames => set(&mut a.given_names),
            Target::FamilyNames => set(&mut a.family_names),
            Target::FullName => set(&mut a.full_name),
            Target::BirthDate => set(&mut a.birth_date),
            Target::Gender => set(&mut a.gender),
            Target::Street => set(&mut a.address.street),
            Target::StreetNumber => set(&mut a.address.number),
            Target::Locality => set(&mut a.address.locality),
            Target::City => set(&mut a.address.city),
            Target::Postcode => set(&mut a.address.postcode),
            Target::Region => set(&mut a.address.region),
            Target::Country => set(&mut a.address.country),
            Target::Extra(name) => {
                a.extra.insert(name.clone(), v.to_string());
            }
            Target::Channel => {
                inter.channel = v
                    .parse::<Channel>()
                    .map_err(|e| bad(format!("bad_channel: {e}")))?;
                has_inter = true;
            }
            Target::InteractionKind => {
                inter.kind = v
                    .parse::<InteractionKind>()
                    .map_err(|e| bad(format!("bad_interaction_kind: {e}")))?;
                has_inter = true;
            }
            Target::At => {
                inter.at = Some(parse_timestamp(v).ok_or_else(|| {
                    bad("bad_timestamp: expected RFC 3339 or YYYY-MM-DD[ HH:MM[:SS]]".into())
                })?);
                has_inter = true;
            }
            Target::CaseRef => {
                inter.case_ref = Some(v.to_string());
                has_inter = true;
            }
            Target::Amount => {
                let x: f64 = v
                    .replace(',', ".")
                    .parse()
                    .map_err(|_| bad("bad_amount: not a number".into()))?;
                if !x.is_finite() {
                    return Err(bad("bad_amount: not a finite number".into()));
                }
                amount = Some(x);
                has_inter = true;
            }
            Target::Currency => currency = Some(v.to_ascii_uppercase()),
            Target::Outcome => {
                inter.outcome = Some(
                    v.parse::<Outcome>()
                        .map_err(|e| bad(format!("bad_outcome: {e}")))?,
                );
                has_inter = true;
            }
            Target::Summary => {
                inter.summary = Some(v.to_string());
                has_inter = true;
            }
            Target::Ignore => {}
        }
    }
    if let Some(x) = amount {
        inter.amount = Some(Money {
            amount: x,
            currency: currency.unwrap_or_default(),
        });
    }
    if has_inter {
        if inter.at.is_none() {
            inter.at = r.observed_at;
        }
        if r.observed_at.is_none() {
            r.observed_at = inter.at;
        }
        r.interaction = Some(inter);
    }
    Ok(r)
}

/// Rows between two progress reports: often enough for a smooth rate, rare
/// enough to cost nothing.
const PROGRESS_EVERY: u64 = 1024;

/// A record as kept: normalized, and raw when the caller keeps raw records.
type Read = (Prepared, Option<Record>);

/// What happens to each record read: it is normalized at once by the
/// resolver, and the raw record is kept only when asked (profiles need it).
pub struct Reading<'a> {
    /// The resolver that normalizes.
    pub resolver: &'a Resolver,
    /// Keep the raw records.
    pub keep_records: bool,
    /// Time spent building and normalizing records (the parallel part of
    /// reading), in nanoseconds.
    pub nanos: AtomicU64,
}

impl Reading<'_> {
    fn read(&self, record: Record) -> Read {
        if self.keep_records {
            (self.resolver.prepare(&record), Some(record))
        } else {
            (self.resolver.prepare_owned(record), None)
        }
    }

    fn add_time(&self, d: Duration) {
        self.nanos
            .fetch_add(d.as_nanos() as u64, std::sync::atomic::Ordering::Relaxed);
    }
}

/// CSV rows parsed before they are turned into records in parallel.
const BATCH: usize = 16 * 1024;

/// One CSV read, in file order: a parsed row, or a row the parser refused.
enum Slot {
    Row,
    Bad(u64, RowError),
}

/// One batch of CSV rows parsed into a pool.
struct Batch {
    /// Every read in file order; the `Row`s are `pool[..rows]` in order.
    slots: Vec<Slot>,
    rows: usize,
    eof: bool,
    /// Bytes of the file read so far.
    end_byte: u64,
}

/// Parses up to [`BATCH`] rows into `pool` (reusing its buffers). A row
/// the parser refuses becomes a `Bad` slot; only an I/O error is an error.
fn fill<R: std::io::Read>(
    rdr: &mut csv::Reader<R>,
    pool: &mut Vec<csv::ByteRecord>,
) -> csv::Result<Batch> {
    let mut batch = Batch {
        slots: Vec::with_capacity(BATCH),
        rows: 0,
        eof: false,
        end_byte: 0,
    };
    while batch.rows < BATCH {
        if pool.len() == batch.rows {
            pool.push(csv::ByteRecord::new());
        }
        match rdr.read_byte_record(&mut pool[batch.rows]) {
            Ok(false) => {
                batch.eof = true;
                break;
            }
            Ok(true) => {
                batch.slots.push(Slot::Row);
                batch.rows += 1;
            }
            Err(e) if matches!(e.kind(), csv::ErrorKind::Io(_)) => return Err(e),
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                let reason = format!("bad_row: {e}");
                batch
                    .slots
                    .push(Slot::Bad(line, (String::new(), String::new(), reason)));
            }
        }
    }
    batch.end_byte = rdr.position().byte();
    Ok(batch)
}

/// Turns one parsed CSV row into a record, with its line.
fn csv_row(
    src: &SourceConfig,
    map: &Mapping,
    header: &[String],
    rec: &csv::ByteRecord,
) -> (u64, Result<Record, RowError>) {
    let line = rec.position().map_or(0, |p| p.line());
    if rec.len() != header.len() {
        let shown = String::from_utf8_lossy(rec.as_slice())
            .chars()
            .take(200)
            .collect();
        let reason = format!(
            "bad_row: {} fields where the header has {}",
            rec.len(),
            header.len()
        );
        return (line, Err((String::new(), shown, reason)));
    }
    let mut fields: Vec<Cow<'_, str>> = Vec::with_capacity(rec.len());
    for (i, f) in rec.iter().enumerate() {
        match decode(f, src.encoding) {
            Some(s) => fields.push(s),
            None => {
                let column = header.get(i).cloned().unwrap_or_default();
                let value = String::from_utf8_lossy(f).into_owned();
                let reason = "invalid_utf8: set `encoding = \"latin1\"` if the file is Latin-1";
                return (line, Err((column, value, reason.to_string())));
            }
        }
    }
    (line, build_record(src, map, &fields))
}

/// Reads one source. `base` is the configuration file's folder.
///
/// `progress` is told the number of rows read so far, every few thousand rows.
pub fn read_source(
    src: &SourceConfig,
    base: &Path,
    reading: &Reading<'_>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<SourceData> {
    let path = base.join(&src.path);
    let ctx = format!("source `{}` ({})", src.name, path.display());
    let file = File::open(&path).with_context(|| format!("{ctx}: cannot open"))?;
    let file_size = file.metadata().map_or(0, |m| m.len());
    let mut out = SourceData {
        prepared: Vec::new(),
        records: Vec::new(),
        lines: Vec::new(),
        rejects: Vec::new(),
        rows: 0,
    };
    // Record indices by id: duplicate ids are found without a copy of every id.
    let mut seen: HashTable<u32> = HashTable::new();
    let hasher = foldhash::fast::RandomState::default();
    let mut push = |out: &mut SourceData, line: u64, row: Result<Read, RowError>| {
        out.rows += 1;
        if out.rows.is_multiple_of(PROGRESS_EVERY) {
            progress(out.rows);
        }
        let hash = |id: &str| hasher.hash_one(id);
        let duplicate = |out: &SourceData, id: &str| {
            seen.find(hash(id), |&i| out.prepared[i as usize].key.id == id)
                .is_some()
        };
        match row {
            Ok((p, _)) if duplicate(out, &p.key.id) => out.rejects.push(Reject {
                source: src.name.clone(),
                line,
                record_id: p.key.id.clone(),
                field: src.id.clone(),
                value: p.key.id,
                reason: "duplicate_id: an earlier row of this source has the same id".into(),
            }),
            Ok((p, raw)) => {
                let prepared = &out.prepared;
                // Room for as many ids as records: growing rehashes every id,
                // reading each record again at random.
                if seen.capacity() < prepared.capacity() {
                    seen.reserve(prepared.capacity() - seen.len(), |&i| {
                        hash(&prepared[i as usize].key.id)
                    });
                }
                seen.insert_unique(hash(&p.key.id), prepared.len() as u32, |&i| {
                    hash(&prepared[i as usize].key.id)
                });
                out.prepared.push(p);
                out.records.extend(raw);
                out.lines.push(line);
            }
            Err((field, value, reason)) => out.rejects.push(Reject {
                source: src.name.clone(),
                line,
                record_id: String::new(),
                field,
                value,
                reason,
            }),
        }
    };
    match src.format {
        Format::Csv => {
            if !src.delimiter.is_ascii() {
                bail!("{ctx}: the delimiter must be one ASCII character");
            }
            let mut rdr = csv::ReaderBuilder::new()
                .delimiter(src.delimiter as u8)
                .flexible(true)
                .from_reader(BufReader::new(file));
            let header: Vec<String> = rdr
                .byte_headers()
                .with_context(|| format!("{ctx}: cannot read the header row"))?
                .iter()
                .map(|h| {
                    decode(h, src.encoding)
                        .unwrap_or_default()
                        .trim()
                        .trim_start_matches('\u{feff}')
                        .to_string()
                })
                .collect();
            let map = map_columns(src, &header, &ctx)?;
            // Rows are parsed in file order in batches, turned into records
            // in parallel, and kept in file order. While one batch is turned
            // into records on the pool, this thread parses the next one and
            // files the records of the one before. The buffers are reused:
            // fresh memory for every batch costs page faults.
            let (mut pool, mut next_pool) = (Vec::new(), Vec::new());
            let mut batch =
                fill(&mut rdr, &mut pool).with_context(|| format!("{ctx}: read error"))?;
            let mut rows: Vec<(u64, Result<Read, RowError>)> = Vec::new();
            let mut done: Vec<(u64, Result<Read, RowError>)> = Vec::new();
            let mut done_slots: Vec<Slot> = Vec::new();
            let mut file =
                |out: &mut SourceData,
                 slots: &mut Vec<Slot>,
                 rows: &mut Vec<(u64, Result<Read, RowError>)>| {
                    let mut rows = rows.drain(..);
                    for slot in slots.drain(..) {
                        match slot {
                            Slot::Row => {
                                if let Some((line, row)) = rows.next() {
                                    push(out, line, row);
                                }
                            }
                            Slot::Bad(line, e) => push(out, line, Err(e)),
                        }
                    }
                };
            let mut first = true;
            loop {
                let convert = |rows: &mut Vec<(u64, Result<Read, RowError>)>| {
                    let t = Instant::now();
                    rows.par_extend(pool[..batch.rows].par_iter().map(|rec| {
                        let (line, row) = csv_row(src, &map, &header, rec);
                        (line, row.map(|r| reading.read(r)))
                    }));
                    reading.add_time(t.elapsed());
                };
                let next = if batch.eof {
                    rayon::join(
                        || file(&mut out, &mut done_slots, &mut done),
                        || convert(&mut rows),
                    );
                    None
                } else {
                    let (next, ()) = rayon::join(
                        || {
                            file(&mut out, &mut done_slots, &mut done);
                            fill(&mut rdr, &mut next_pool)
                        },
                        || convert(&mut rows),
                    );
                    Some(next)
                };
                // `done` is empty now, with its room: the next batch's rows go there.
                std::mem::swap(&mut rows, &mut done);
                done_slots = std::mem::take(&mut batch.slots);
                let Some(next) = next else { break };
                if first {
                    first = false;
                    // Room for the whole file at the first batch's bytes per
                    // row: growing by doubling would copy every record.
                    let per_row = batch.end_byte as f64 / done_slots.len().max(1) as f64;
                    let rows = (file_size as f64 / per_row.max(1.0) * 1.02) as usize;
                    out.prepared.reserve(rows);
                    out.lines.reserve(rows);
                    if reading.keep_records {
                        out.records.reserve(rows);
                    }
                }
                batch = next.with_context(|| format!("{ctx}: read error"))?;
                std::mem::swap(&mut pool, &mut next_pool);
            }
            file(&mut out, &mut done_slots, &mut done);
        }
        Format::Jsonl => {
            let mut reader = BufReader::new(file);
            let mut buf = Vec::new();
            let mut line = 0u64;
            let mut header: Vec<String> = src.columns.keys().cloned().collect();
            header.push(src.id.clone());
            if let Some(t) = &src.timestamp {
                header.push(t.clone());
            }
            header.sort();
            header.dedup();
            let map = map_columns(src, &header, &ctx)?;
            loop {
                buf.clear();
                let n = reader
                    .read_until(b'\n', &mut buf)
                    .with_context(|| format!("{ctx}: read error"))?;
                if n == 0 {
                    break;
                }
                line += 1;
                let text = match decode(&buf, src.encoding) {
                    Some(t) => t,
                    None => {
                        push(
                            &mut out,
                            line,
                            Err((
                                String::new(),
                                String::from_utf8_lossy(&buf).chars().take(200).collect(),
                                "invalid_utf8".into(),
                            )),
                        );
                        continue;
                    }
                };
                if text.trim().is_empty() {
                    continue;
                }
                let obj: serde_json::Map<String, serde_json::Value> =
                    match serde_json::from_str(&text) {
                        Ok(o) => o,
                        Err(e) => {
                            push(
                                &mut out,
                                line,
                                Err((
                                    String::new(),
                                    text.trim().chars().take(200).collect(),
                                    format!("bad_json: {e}"),
                                )),
                            );
                            continue;
                        }
                    };
                let fields: Vec<String> = header
                    .iter()
                    .map(|h| match obj.get(h) {
                        Some(serde_json::Value::String(s)) => s.clone(),
                        Some(serde_json::Value::Null) | None => String::new(),
                        Some(v) => v.to_string(),
                    })
                    .collect();
                let t = Instant::now();
                let row = build_record(src, &map, &fields).map(|r| reading.read(r));
                reading.add_time(t.elapsed());
                push(&mut out, line, row);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_and_suggest() {
        assert_eq!(
            parse_target("phone").unwrap(),
            Target::Identifier(IdentifierKind::Phone)
        );
        assert_eq!(
            parse_target("attr:plan").unwrap(),
            Target::Extra("plan".into())
        );
        let e = parse_target("telefono").unwrap_err();
        assert!(e.contains("unknown target"), "{e}");
        let e = parse_target("birth_dat").unwrap_err();
        assert!(e.contains("did you mean `birth_date`"), "{e}");
        let e = parse_target("crm_id").unwrap_err();
        assert!(e.contains("needs a system"), "{e}");
    }

    #[test]
    fn timestamps() {
        assert!(parse_timestamp("2026-03-01T10:00:00Z").is_some());
        assert!(parse_timestamp("2026-03-01 10:00:00").is_some());
        assert!(parse_timestamp("2026-03-01 10:00").is_some());
        assert!(parse_timestamp("2026-03-01").is_some());
        assert!(parse_timestamp("01/03/2026").is_none());
    }
}
