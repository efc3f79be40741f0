//! Writes a synthetic export and reports its size and the time it took.
//!
//! `cargo run --release -p omnid-gen --example gen -- <customers> <dir> [seed]`
use std::path::Path;
use std::time::Instant;

use omnid_gen::{GenOptions, Source, write_dir};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let usage = "usage: gen <customers> <dir> [seed]";
    let customers: u64 = args.next().ok_or(usage)?.parse()?;
    let dir = args.next().ok_or(usage)?;
    let seed: u64 = match args.next() {
        Some(s) => s.parse()?,
        None => 0,
    };
    let opts = GenOptions {
        customers,
        seed,
        ..GenOptions::default()
    };
    let start = Instant::now();
    let summary = write_dir(&opts, Path::new(&dir))?;
    let elapsed = start.elapsed();
    let mut bytes = 0;
    for entry in std::fs::read_dir(&dir)? {
        bytes += entry?.metadata()?.len();
    }
    for s in Source::ALL {
        println!("{:>16} {:>9}", s.stem(), summary.records(s));
    }
    let total = summary.total_records();
    println!(
        "{customers} customers, {total} records ({:.2} per customer), {:.1} MB, {:.2} s",
        total as f64 / customers.max(1) as f64,
        bytes as f64 / 1e6,
        elapsed.as_secs_f64()
    );
    Ok(())
}
