//! The `omnid` command line: resolve customer identities across CRM exports
//! and channel logs, explain and look up the result, normalize values, and
//! evaluate against ground truth.

/// `println!` that ignores a closed stdout: `omnid lookup ... | head` must
/// end quietly, not panic on the broken pipe.
macro_rules! outln {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

mod config;
mod customer;
mod eval;
mod output;
mod source;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};

// Matching allocates many small vectors from several threads: mimalloc's
// per-thread heaps measured faster than the system allocator (BENCHMARKS.md).
#[cfg(feature = "mimalloc")]
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v2's `mi_option_allow_thp` (its `mimalloc.h`): `madvise` its
/// memory for transparent huge pages (1, the default) or not (0).
#[cfg(feature = "mimalloc")]
const MI_OPTION_ALLOW_THP: libmimalloc_sys::mi_option_t = 37;
/// mimalloc v2's `mi_option_purge_delay`: milliseconds before freed memory
/// goes back to the OS (10 by default), `-1` for never.
#[cfg(feature = "mimalloc")]
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Stops mimalloc from asking for transparent huge pages and, for runs that
/// build profiles (`keep_freed`), from handing freed memory back to the OS;
/// `MIMALLOC_ALLOW_THP` and `MIMALLOC_PURGE_DELAY` in the environment still
/// decide when they are set.
///
/// A batch run touches most of its memory once, as it builds. With huge
/// pages each first touch zeroes 2 MiB, and when the kernel has no free huge
/// page at hand it compacts memory first, in the faulting thread: at a
/// million records that was 1.1 to 1.9 s of system time, growing as the
/// machine's memory fragmented, against 0.3 to 0.8 s with 4 KiB pages (the
/// whole run 0.4 s faster; user time 0.1 to 0.3 s higher, from the smaller
/// pages' TLB misses; BENCHMARKS.md). On a kernel whose huge pages are
/// `always` rather than `madvise`, set `MIMALLOC_ALLOW_THP=0` instead: the
/// option set here only stops mimalloc's own `madvise`.
///
/// Measured again in session 9 (libmimalloc-sys 0.1.49, kernel THP
/// `madvise`): a 1M-record run still takes huge-page faults (`perf`:
/// `do_huge_pmd_anonymous_page`, a fifth of the CPU of reading and
/// normalizing), so the option set here does not cover all of mimalloc's
/// memory (perhaps what it mapped before `main`). With `MIMALLOC_ALLOW_THP=0`
/// in the environment, read before any allocation, system time fell from
/// 1.1-1.45 s to 0.86-0.96 s but the run took as long (5.76-5.91 s against
/// 5.85-5.90 s, four pairs: normalizing 0.1-0.2 s faster, matching 0.12-0.15
/// s slower from the smaller pages' TLB misses), so nothing more is done.
///
/// A run that builds profiles keeps the raw records and frees and allocates
/// more than a `--no-profiles` run: kept, its freed memory is reused without
/// faults, 0.1 to 0.4 s of a 9 s run at a million records, for 6 to 8% more
/// peak memory. A `--no-profiles` run gains nothing measurable from it and would
/// pay the memory (15.7 GB against 12.9 GB at ten million records), so it
/// hands memory back as mimalloc does by default.
#[cfg(feature = "mimalloc")]
fn tune_allocator(keep_freed: bool) {
    let mut options = vec![("MIMALLOC_ALLOW_THP", MI_OPTION_ALLOW_THP, 0)];
    if keep_freed {
        options.push(("MIMALLOC_PURGE_DELAY", MI_OPTION_PURGE_DELAY, -1));
    }
    for (var, option, value) in options {
        if std::env::var_os(var).is_none() {
            // SAFETY: sets one of mimalloc's own options to a value it
            // documents; options are plain integers read by the allocator,
            // and the rayon pool's threads do not exist yet.
            unsafe { libmimalloc_sys::mi_option_set(option, value) }
        }
    }
}

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressFinish, ProgressState, ProgressStyle};

/// Omnichannel customer identity resolution.
#[derive(Parser)]
#[command(name = "omnid", version, about, long_about = None)]
struct Cli {
    /// Print nothing but errors and what a command is asked for (a lookup's
    /// or a profile's view, `--json` output); `journey` then only writes
    /// its files.
    #[arg(long, short, global = true)]
    quiet: bool,
    /// Worker threads (default: one per core).
    #[arg(long, global = true)]
    threads: Option<usize>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Resolve the configured sources into profiles.
    ///
    /// Writes DIR/clusters.csv (source,record_id,profile_id), DIR/profiles.jsonl
    /// (golden record, identifiers, value segment per customer), DIR/cases.csv,
    /// DIR/edges.csv, DIR/rejects.csv, DIR/model.json and DIR/summary.json.
    ///
    /// Example: omnid resolve --config examples/contact-center/omnid.toml --out out/cc
    Resolve {
        /// Configuration file (TOML).
        #[arg(long, short)]
        config: PathBuf,
        /// Output folder (created if missing).
        #[arg(long, short)]
        out: PathBuf,
        /// Fail on the first rejected row instead of writing it to rejects.csv.
        #[arg(long)]
        strict: bool,
        /// Identity resolution only: no customer 360 (profiles.jsonl,
        /// cases.csv). Raw records are then not kept: less memory, faster.
        #[arg(long)]
        no_profiles: bool,
    },
    /// Explain why two records are (or are not) one customer.
    ///
    /// Records are SOURCE:ID. Re-runs the resolution recorded in DIR/summary.json.
    ///
    /// Example: omnid explain --out out/cc calls:C000123 webchat:W000456
    Explain {
        /// Output folder of a previous `resolve`.
        #[arg(long, short)]
        out: PathBuf,
        /// First record, SOURCE:ID.
        a: String,
        /// Second record, SOURCE:ID.
        b: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show the customer who holds an identifier given in any format.
    ///
    /// Prints the customer view: golden record with provenance, identifiers,
    /// value segment, cases, and the end of the timeline. Re-runs the
    /// resolution recorded in DIR/summary.json.
    ///
    /// Examples:
    ///   omnid lookup --out out/cc --phone "612 34 56 78" --region ES
    ///   omnid lookup --out out/cc --email Ana.Garcia+claims@googlemail.com --json
    ///   omnid lookup --out out/cc --identifier handle:instagram=@ana.garcia
    #[command(verbatim_doc_comment)]
    Lookup {
        /// Output folder of a previous `resolve`.
        #[arg(long, short)]
        out: PathBuf,
        /// A phone number.
        #[arg(long)]
        phone: Option<String>,
        /// Region for a national phone number.
        #[arg(long)]
        region: Option<String>,
        /// An email address.
        #[arg(long)]
        email: Option<String>,
        /// A record, SOURCE:ID.
        #[arg(long)]
        id: Option<String>,
        /// Any identifier: KIND=VALUE, as in handle:instagram=@ana.garcia.
        #[arg(long)]
        identifier: Option<String>,
        /// Timeline entries to show (the most recent).
        #[arg(long, default_value_t = 10)]
        tail: usize,
        /// Print JSON (an array when several customers match).
        #[arg(long)]
        json: bool,
    },
    /// Show a customer: by profile id, record, KIND=VALUE, or any raw value.
    ///
    /// The selector is tried as a profile id (p-0123456789abcdef), a record
    /// (SOURCE:ID), an identifier (KIND=VALUE), and then as a raw value of
    /// every identifier kind in the data (a phone in any format, an email
    /// variant, a handle or profile URL, a CRM id). Prints the customer view:
    /// golden record with provenance, identifiers, value segment, cases,
    /// and the end of the timeline.
    ///
    /// Examples:
    ///   omnid profile --out out/cc "34 646 29 13 41"
    ///   omnid profile --out out/cc calls:CL000000001 --tail 30
    ///   omnid profile --out out/cc https://instagram.com/ana.garcia --json
    #[command(verbatim_doc_comment)]
    Profile {
        /// Output folder of a previous `resolve`.
        #[arg(long, short)]
        out: PathBuf,
        /// Profile id, SOURCE:ID, KIND=VALUE, or a raw identifier.
        selector: String,
        /// Region for a national phone number.
        #[arg(long)]
        region: Option<String>,
        /// Timeline entries to show (the most recent).
        #[arg(long, default_value_t = 10)]
        tail: usize,
        /// Print JSON (an array when several customers match).
        #[arg(long)]
        json: bool,
    },
    /// Journey report: channel transitions, first-contact resolution, paths,
    /// critical touchpoints, and customer value segments.
    ///
    /// Writes journey.json and CSV files (transitions_cases.csv,
    /// transitions_overall.csv, channels.csv, paths.csv, touchpoints.csv,
    /// segments.csv, best_customers.csv, worst_customers.csv) into the report
    /// folder (default: the output folder) and prints a summary.
    ///
    /// Examples:
    ///   omnid journey --out out/cc
    ///   omnid journey --out out/cc --report out/cc/journey --json
    #[command(verbatim_doc_comment)]
    Journey {
        /// Output folder of a previous `resolve`.
        #[arg(long, short)]
        out: PathBuf,
        /// Folder for the report files (default: the output folder).
        #[arg(long)]
        report: Option<PathBuf>,
        /// Print the whole report as JSON instead of the summary.
        #[arg(long)]
        json: bool,
    },
    /// Normalize values: the canonical form or the rejection, one per line.
    ///
    /// Example: omnid normalize --kind phone --region MX "(55) 1234-5678" anonymous
    Normalize {
        /// Identifier kind (phone, email, handle:instagram, national_id:ES, device_id...),
        /// or `name` or `date`.
        #[arg(long, short)]
        kind: String,
        /// Region for national phone numbers.
        #[arg(long)]
        region: Option<String>,
        /// Values.
        values: Vec<String>,
    },
    /// Pairwise and B-cubed precision, recall and F1 against ground truth.
    ///
    /// Example: omnid eval --truth examples/contact-center/truth.csv --clusters out/cc/clusters.csv
    Eval {
        /// Truth CSV: record_id,entity_id and optionally source.
        #[arg(long)]
        truth: PathBuf,
        /// clusters.csv from `resolve`.
        #[arg(long)]
        clusters: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Generate a synthetic multichannel export with ground truth.
    ///
    /// Example: omnid gen --customers 1000 --seed 42 --out data/cc1k
    Gen {
        /// Number of customers (about 7.8 records each).
        #[arg(long)]
        customers: u64,
        /// Seed: the same seed gives the same files.
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Output folder.
        #[arg(long, short)]
        out: PathBuf,
    },
}

/// Exit codes: 0 success, 1 failure, 2 success with rejected rows or values.
fn main() -> ExitCode {
    let cli = Cli::parse();
    #[cfg(feature = "mimalloc")]
    tune_allocator(!matches!(
        cli.command,
        Command::Resolve {
            no_profiles: true,
            ..
        }
    ));
    if let Some(n) = cli.threads
        && let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(n)
            .build_global()
    {
        eprintln!("omnid: --threads: {e}");
        return ExitCode::from(1);
    }
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("omnid: error: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let log = Log::new(cli.quiet);
    match cli.command {
        Command::Resolve {
            config,
            out,
            strict,
            no_profiles,
        } => output::resolve(&config, &out, strict, !no_profiles, &log),
        Command::Explain { out, a, b, json } => {
            output::explain(&out, &a, &b, json, &log).map(|()| ExitCode::SUCCESS)
        }
        Command::Lookup {
            out,
            phone,
            region,
            email,
            id,
            identifier,
            tail,
            json,
        } => customer::lookup(
            &out,
            customer::Query {
                phone,
                region,
                email,
                id,
                identifier,
            },
            json,
            tail,
        ),
        Command::Profile {
            out,
            selector,
            region,
            tail,
            json,
        } => customer::profile(&out, &selector, region.as_deref(), json, tail),
        Command::Journey { out, report, json } => {
            customer::journey(&out, report.as_deref(), json, cli.quiet)
        }
        Command::Normalize {
            kind,
            region,
            values,
        } => normalize(&kind, region.as_deref(), &values),
        Command::Eval {
            truth,
            clusters,
            json,
        } => eval::run(&truth, &clusters, json).map(|()| ExitCode::SUCCESS),
        Command::Gen {
            customers,
            seed,
            out,
        } => generate(customers, seed, &out, &log),
    }
}

/// Stage messages on stderr: a progress bar per stage on a terminal, one
/// plain line per finished stage otherwise (logs, pipes, tests), nothing
/// with `--quiet`.
pub struct Log {
    mode: Mode,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Quiet,
    Lines,
    Bars,
}

impl Log {
    /// Bars when stderr is a terminal, plain lines when not, nothing when quiet.
    pub fn new(quiet: bool) -> Log {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bars
        } else {
            Mode::Lines
        };
        Log { mode }
    }

    /// A log that prints nothing.
    pub fn quiet() -> Log {
        Log { mode: Mode::Quiet }
    }

    /// Prints one line.
    pub fn line(&self, msg: impl std::fmt::Display) {
        if self.mode != Mode::Quiet {
            eprintln!("{msg}");
        }
    }

    /// Starts a stage: on a terminal, a spinner with its name and elapsed
    /// time until [`Stage::finish`].
    pub fn start<'a>(&'a self, name: &'a str) -> Stage<'a> {
        let bar = (self.mode == Mode::Bars).then(|| {
            let bar = ProgressBar::new_spinner()
                .with_style(spinner_style("{spinner} {prefix:<12} {msg} {elapsed}"))
                .with_prefix(name.to_owned())
                .with_finish(ProgressFinish::AndClear);
            bar.enable_steady_tick(Duration::from_millis(100));
            bar
        });
        Stage {
            log: self,
            name,
            started: Instant::now(),
            bar,
            counting: AtomicBool::new(false),
        }
    }

    /// Runs a stage and prints its name, result and time.
    pub fn stage<T>(
        &self,
        name: &str,
        f: impl FnOnce(&Stage) -> Result<T>,
        summary: impl Fn(&T) -> String,
    ) -> Result<T> {
        let stage = self.start(name);
        let v = f(&stage)?;
        stage.finish(summary(&v));
        Ok(v)
    }
}

/// A rate, short: `1.2M/s`, `280k/s`, `45/s`.
pub fn per_second(per_s: f64) -> String {
    if per_s >= 1e6 {
        format!("{:.1}M/s", per_s / 1e6)
    } else if per_s >= 1e3 {
        format!("{:.0}k/s", per_s / 1e3)
    } else {
        format!("{per_s:.0}/s")
    }
}

fn spinner_style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_spinner())
}

/// A running stage (see [`Log::start`]).
pub struct Stage<'a> {
    log: &'a Log,
    name: &'a str,
    started: Instant,
    /// Only on a terminal.
    bar: Option<ProgressBar>,
    /// A count was reported: the bar shows it and its rate.
    counting: AtomicBool,
}

impl Stage<'_> {
    /// What the stage works on (a source name), next to its name on a terminal.
    pub fn message(&self, msg: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(msg.to_owned());
        }
    }

    /// How many items (`unit`: rows...) are done so far: the bar shows the
    /// count and the rate.
    pub fn count(&self, done: u64, unit: &str) {
        let Some(bar) = &self.bar else { return };
        if !self.counting.swap(true, Ordering::Relaxed) {
            let style = spinner_style(&format!(
                "{{spinner}} {{prefix:<12}} {{msg}} {{human_pos}} {unit} ({{rate}}) {{elapsed}}"
            ))
            .with_key(
                "rate",
                |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                    let _ = w.write_str(&per_second(state.per_sec()));
                },
            );
            bar.set_style(style);
        }
        bar.set_position(done);
    }

    /// Ends the stage: one line with its name, `summary` and time.
    pub fn finish(self, summary: impl std::fmt::Display) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        self.log.line(format_args!(
            "{:<12} {:<48} {:>8.2}s",
            self.name,
            summary.to_string(),
            self.started.elapsed().as_secs_f64()
        ));
    }
}

fn normalize(kind: &str, region: Option<&str>, values: &[String]) -> Result<ExitCode> {
    use omnid::normalize::{date, name};
    let region: Option<omnid::Country> =
        region.map(|r| r.parse()).transpose().context("--region")?;
    let mut rejected = false;
    let mut print = |v: &str, r: std::result::Result<String, omnid::Rejection>| match r {
        Ok(s) => outln!("{v}\t{s}"),
        Err(e) => {
            rejected = true;
            outln!("{v}\trejected: {e}");
        }
    };
    match kind {
        "name" => {
            for v in values {
                let r = name::normalize_person_name(None, None, Some(v)).map(|n| {
                    format!(
                        "given={} family={} formal={}",
                        n.given_joined(),
                        n.family_joined(),
                        n.canonical_given().join(" ")
                    )
                });
                print(v, r);
            }
        }
        "date" => {
            for v in values {
                print(
                    v,
                    date::normalize_date(v, &date::DatePolicy::default()).map(|d| d.to_string()),
                );
            }
        }
        k => {
            let kind: omnid::IdentifierKind = k
                .parse()
                .map_err(|e| anyhow::anyhow!("--kind: {e} (or `name`, `date`)"))?;
            let n = omnid::prepare::Normalizer::new(&omnid::prepare::NormalizeConfig::default());
            for v in values {
                let r = n.identifier(&omnid::Identifier::new(kind.clone(), v.clone()), region);
                print(
                    v,
                    r.map(|x| {
                        if x.display == x.value {
                            x.value
                        } else {
                            format!("{}\t(display: {})", x.value, x.display)
                        }
                    }),
                );
            }
        }
    }
    Ok(if rejected {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn generate(customers: u64, seed: u64, out: &Path, log: &Log) -> Result<ExitCode> {
    let opts = omnid_gen::GenOptions {
        customers,
        seed,
        ..omnid_gen::GenOptions::default()
    };
    let summary = log.stage(
        "generate",
        |_| omnid_gen::write_dir(&opts, out).with_context(|| format!("writing {}", out.display())),
        |s| format!("{} customers, {} records", s.customers, s.total_records()),
    )?;
    let _ = summary;
    log.line(format_args!(
        "wrote {} (truth.csv, omnid.toml and one CSV per source)",
        out.display()
    ));
    Ok(ExitCode::SUCCESS)
}

#[cfg(all(test, feature = "mimalloc"))]
mod tests {
    #[test]
    fn the_options_set_are_huge_pages_and_the_purge_delay() {
        if std::env::var_os("MIMALLOC_ALLOW_THP").is_some()
            || std::env::var_os("MIMALLOC_PURGE_DELAY").is_some()
        {
            return;
        }
        // SAFETY: reads mimalloc options, plain integers.
        let get = |o| unsafe { libmimalloc_sys::mi_option_get(o) };
        let options = [super::MI_OPTION_ALLOW_THP, super::MI_OPTION_PURGE_DELAY];
        // mimalloc.h: "allow transparent huge pages? (=1)", the last option;
        // "memory purging is delayed by N milli seconds ... (=10)".
        assert_eq!(options.map(get), [1, 10]);
        assert_eq!(
            super::MI_OPTION_ALLOW_THP + 1,
            libmimalloc_sys::_mi_option_last
        );
        super::tune_allocator(false);
        assert_eq!(options.map(get), [0, 10]);
        super::tune_allocator(true);
        assert_eq!(options.map(get), [0, -1]);
    }
}
