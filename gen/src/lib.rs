//! # omnid-gen
//!
//! A deterministic synthetic export of a Spanish-speaking telco and
//! retailer selling in Spain, Mexico, Argentina and Colombia: one CRM table
//! per country plus the logs of eight contact channels (calls, IVR, web chat,
//! email tickets, WhatsApp, social networks, the mobile app and the stores),
//! with the ground truth (which real person every row belongs to) in a
//! separate file. omnid's tests, benches and bundled sample use it.
//!
//! The data is noisy the way real exports are: phones in every national and
//! international format, email case and Gmail variants, typos, dropped
//! accents, hypocorisms (Pepe, Lupita, Majo), cut compound names, swapped
//! name order, namesakes, households sharing a landline, family and company
//! mailboxes, phone numbers recycled from one customer to another,
//! placeholders (`test@test.com`, `0000000000`, `CLIENTE CONTADO`), junk
//! device ids, withheld callers, duplicate CRM accounts. Every rate is a
//! field of [`Noise`]; the noise never makes the truth unknowable except for
//! a small, deliberate minority of rows (a withheld number nobody
//! identified).
//!
//! The same [`GenOptions`] (seed included) always give byte-identical
//! output: the generator uses its own fixed PRNG and integer arithmetic only.
//!
//! ```
//! use omnid_gen::{GenOptions, MemorySink, Source, generate};
//!
//! let opts = GenOptions { customers: 50, seed: 7, ..GenOptions::default() };
//! let mut sink = MemorySink::default();
//! let summary = generate(&opts, &mut sink)?;
//! assert_eq!(summary.customers, 50);
//! assert_eq!(sink.truth.len() as u64, summary.total_records());
//! assert!(summary.records(Source::Calls) > 0);
//! Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use std::fmt;
use std::fs::{self, File};
use std::io::{self, BufWriter, Write};
use std::path::Path;

mod contact;
mod country;
mod journey;
mod names;
mod national_id;
pub mod people;
mod phone;
mod population;
mod rng;
mod source;
mod table;
mod time;

pub use country::Country;
pub use source::{RESOLVE_SETTINGS, Source, config_toml, sources_toml};

/// The true person behind a row (`E0000042` in `truth.csv`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntityId(pub u64);

impl fmt::Display for EntityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "E{:07}", self.0)
    }
}

/// Noise rates. All are probabilities in `0.0..=1.0`; [`Noise::default`]
/// gives the realistic rates the sample and benches use, [`Noise::none`]
/// turns every kind of noise off (formats still vary).
#[derive(Debug, Clone, PartialEq)]
pub struct Noise {
    /// A customer never got a CRM account (a prospect known only from
    /// channels). Default 0.08.
    pub not_in_crm: f64,
    /// A customer has a duplicate CRM account (one in ten of those has
    /// two). The duplicate shares at least one strong identifier with the
    /// main account. Default 0.08.
    pub crm_duplicate: f64,
    /// A new household has 2 to 4 customers (partners, adult children) who
    /// share a postcode and usually a landline. Default 0.06.
    pub household: f64,
    /// A multi-person household shares a family mailbox. Default 0.35.
    pub family_email: f64,
    /// A customer also uses their employer's shared mailbox
    /// (`info@...`), shared by 2 to 5 customers. Default 0.02.
    pub corporate_email: f64,
    /// A customer gives up their mobile number during the period; the
    /// number is later given to a new customer. Default 0.02.
    pub recycled_phone: f64,
    /// A household head copies the exact name of a recent customer of the
    /// same country (on top of the namesakes common names make). Default 0.02.
    pub namesake: f64,
    /// A customer has a second mobile (work phone, second SIM). Default 0.2.
    pub second_phone: f64,
    /// A customer has a second personal mailbox. Default 0.15.
    pub second_email: f64,
    /// A free-typed name uses a hypocorism when the given name has one
    /// (José -> Pepe). Default 0.25.
    pub hypocorism: f64,
    /// A typed name loses its accents (the CRM: one account in eight is
    /// also legacy upper case without accents). Default 0.3.
    pub drop_accents: f64,
    /// A typed name carries a one-letter typo (three times the rate in
    /// duplicate CRM accounts). Default 0.04.
    pub typo: f64,
    /// A compound given or family name is cut (`María José` -> `María`,
    /// `Ponce de León` -> `Ponce`). Default 0.3.
    pub cut_compound: f64,
    /// Given and family names are swapped (`García López, Ana`; in the CRM,
    /// the columns). Default 0.03.
    pub swap_order: f64,
    /// A CRM phone or email field (and, at half the rate, a name, birth date
    /// or document; in chats a visitor name) holds a placeholder. Default 0.02.
    pub placeholder: f64,
    /// A main CRM account has no national id. Default 0.15.
    pub missing_national_id: f64,
    /// A call or IVR session comes from a withheld number (`anonymous`).
    /// Default 0.04.
    pub withheld_caller: f64,
    /// An app device reports the all-zero advertising id. Default 0.06.
    pub junk_device: f64,
}

impl Default for Noise {
    fn default() -> Self {
        Noise {
            not_in_crm: 0.08,
            crm_duplicate: 0.08,
            household: 0.06,
            family_email: 0.35,
            corporate_email: 0.02,
            recycled_phone: 0.02,
            namesake: 0.02,
            second_phone: 0.2,
            second_email: 0.15,
            hypocorism: 0.25,
            drop_accents: 0.3,
            typo: 0.04,
            cut_compound: 0.3,
            swap_order: 0.03,
            placeholder: 0.02,
            missing_national_id: 0.15,
            withheld_caller: 0.04,
            junk_device: 0.06,
        }
    }
}

impl Noise {
    /// No noise at all: every rate is 0.
    pub fn none() -> Self {
        Noise {
            not_in_crm: 0.0,
            crm_duplicate: 0.0,
            household: 0.0,
            family_email: 0.0,
            corporate_email: 0.0,
            recycled_phone: 0.0,
            namesake: 0.0,
            second_phone: 0.0,
            second_email: 0.0,
            hypocorism: 0.0,
            drop_accents: 0.0,
            typo: 0.0,
            cut_compound: 0.0,
            swap_order: 0.0,
            placeholder: 0.0,
            missing_national_id: 0.0,
            withheld_caller: 0.0,
            junk_device: 0.0,
        }
    }
}

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct GenOptions {
    /// Number of real people (entities). With the default noise each one
    /// yields about 9 rows across all files.
    pub customers: u64,
    /// Seed of the pseudo-random stream: the same options give the same bytes.
    pub seed: u64,
    /// Noise rates.
    pub noise: Noise,
}

impl Default for GenOptions {
    fn default() -> Self {
        GenOptions {
            customers: 1000,
            seed: 0,
            noise: Noise::default(),
        }
    }
}

/// Receives the generated rows.
pub trait Sink {
    /// One row of `source`: `fields` follow [`Source::header`] (the first is
    /// the record id, unique within the source) and `entity` is the true
    /// person behind it.
    fn row(&mut self, source: Source, fields: &[&str], entity: EntityId) -> io::Result<()>;
}

/// Keeps every row in memory, for tests and benches.
#[derive(Debug, Default, Clone)]
pub struct MemorySink {
    /// Rows per source, indexed by [`Source::index`].
    pub rows: [Vec<Vec<String>>; 12],
    /// `(source, record id, entity)` for every row, in output order.
    pub truth: Vec<(Source, String, EntityId)>,
}

impl MemorySink {
    /// The rows of one source.
    pub fn rows(&self, source: Source) -> &[Vec<String>] {
        self.rows
            .get(source.index())
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }
}

impl Sink for MemorySink {
    fn row(&mut self, source: Source, fields: &[&str], entity: EntityId) -> io::Result<()> {
        let row: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        if let Some(first) = row.first() {
            self.truth.push((source, first.clone(), entity));
        }
        if let Some(rows) = self.rows.get_mut(source.index()) {
            rows.push(row);
        }
        Ok(())
    }
}

/// What was generated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenSummary {
    /// Number of real people.
    pub customers: u64,
    /// Rows per source, indexed by [`Source::index`].
    pub records: [u64; 12],
}

impl GenSummary {
    /// Rows written to one source.
    pub fn records(&self, source: Source) -> u64 {
        self.records.get(source.index()).copied().unwrap_or(0)
    }

    /// Rows in all sources (= rows of `truth.csv`).
    pub fn total_records(&self) -> u64 {
        self.records.iter().sum()
    }
}

/// Customers generated and written together. Rows of a block are written in
/// time order (CRM rows in id order), so a file does not list one
/// customer's rows together; memory stays bounded by the block.
const BLOCK: usize = 4096;

/// Generates the export into `sink`.
///
/// Rows arrive block by block (4096 customers at a time), within a block
/// source by source, each in time order. Errors come only from the sink.
pub fn generate(opts: &GenOptions, sink: &mut impl Sink) -> io::Result<GenSummary> {
    let mut rng = rng::Rng::new(opts.seed);
    let mut population = population::Population::new();
    let mut journeys = journey::Journeys::new(opts.noise.clone());
    let mut summary = GenSummary {
        customers: 0,
        records: [0; 12],
    };
    let total = opts.customers;
    let mut done: u64 = 0;
    let mut block = Vec::with_capacity(BLOCK);
    while done < total {
        block.clear();
        let want = usize::try_from((total - done).min(BLOCK as u64)).unwrap_or(BLOCK);
        while block.len() < want {
            let room = want - block.len();
            population.household(&opts.noise, &mut rng, &mut block, room);
        }
        for c in &block {
            journeys.customer(c, &mut rng);
        }
        for (i, table) in journeys.tables.iter_mut().enumerate() {
            if let Some(n) = summary.records.get_mut(i) {
                *n += table.len() as u64;
            }
            table.flush(sink)?;
        }
        done += block.len() as u64;
    }
    summary.customers = done;
    Ok(summary)
}

/// Writes one CSV per source plus `truth.csv` (`source,record_id,entity_id`)
/// and `omnid.toml` (see [`config_toml`]) into `dir`, creating it if needed.
///
/// ```no_run
/// use omnid_gen::{GenOptions, write_dir};
///
/// let opts = GenOptions { customers: 100_000, seed: 1, ..GenOptions::default() };
/// let summary = write_dir(&opts, std::path::Path::new("/tmp/export"))?;
/// println!("{} records", summary.total_records());
/// Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_dir(opts: &GenOptions, dir: &Path) -> io::Result<GenSummary> {
    fs::create_dir_all(dir)?;
    let mut sink = DirSink::create(dir)?;
    let summary = generate(opts, &mut sink)?;
    sink.finish()?;
    fs::write(dir.join("omnid.toml"), config_toml())?;
    Ok(summary)
}

/// Streams rows into CSV files.
struct DirSink {
    files: Vec<csv::Writer<BufWriter<File>>>,
    truth: csv::Writer<BufWriter<File>>,
}

fn csv_error(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl DirSink {
    fn create(dir: &Path) -> io::Result<Self> {
        let open = |name: &str| -> io::Result<csv::Writer<BufWriter<File>>> {
            let file = File::create(dir.join(name))?;
            Ok(csv::Writer::from_writer(BufWriter::with_capacity(
                1 << 18,
                file,
            )))
        };
        let mut files = Vec::with_capacity(Source::ALL.len());
        for s in Source::ALL {
            let mut w = open(&format!("{}.csv", s.stem()))?;
            w.write_record(s.header()).map_err(csv_error)?;
            files.push(w);
        }
        let mut truth = open("truth.csv")?;
        truth
            .write_record(["source", "record_id", "entity_id"])
            .map_err(csv_error)?;
        Ok(DirSink { files, truth })
    }

    fn finish(mut self) -> io::Result<()> {
        for w in &mut self.files {
            w.flush()?;
        }
        self.truth.flush()
    }
}

impl Sink for DirSink {
    fn row(&mut self, source: Source, fields: &[&str], entity: EntityId) -> io::Result<()> {
        let Some(w) = self.files.get_mut(source.index()) else {
            return Ok(());
        };
        w.write_record(fields).map_err(csv_error)?;
        let mut entity_buf = [0u8; 24];
        let entity_text = {
            let mut cursor = io::Cursor::new(&mut entity_buf[..]);
            write!(cursor, "{entity}")?;
            let n = cursor.position() as usize;
            std::str::from_utf8(&entity_buf[..n]).unwrap_or("")
        };
        self.truth
            .write_record([
                source.stem(),
                fields.first().copied().unwrap_or(""),
                entity_text,
            ])
            .map_err(csv_error)
    }
}
