//! Stitches N synthetic records (three identifiers each) and reports
//! records per second and peak memory.
//!
//! ```text
//! cargo run --release --example graph_scale -- 1000000
//! ```

#[path = "../benches/support/synthetic.rs"]
mod synthetic;

use std::time::Instant;

use omnid::graph::{GraphBuilder, IdentityRules};

/// Peak resident set size in KiB (`VmHWM` in /proc/self/status), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// CPU seconds used so far by all threads (user + system), from
/// /proc/self/stat; Linux reports them in USER_HZ ticks, 100 per second.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses.
    let rest = stat.rsplit_once(')')?.1;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some((ticks(11)? + ticks(12)?) as f64 / 100.0)
}

fn gib(kib: Option<u64>) -> String {
    kib.map_or("unknown".into(), |k| {
        format!("{:.2} GiB", k as f64 / 1024.0 / 1024.0)
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = match std::env::args().nth(1) {
        Some(arg) => arg.replace('_', "").parse()?,
        None => 1_000_000,
    };
    println!("records: {n}, threads: {}", rayon::current_num_threads());

    let start = Instant::now();
    let mut builder = GraphBuilder::new(IdentityRules::default())?;
    synthetic::add_records(&mut builder, n)?;
    let added = start.elapsed();
    println!(
        "add (intern):  {:>7.2} s  {:>10.0} records/s  peak RSS {}",
        added.as_secs_f64(),
        n as f64 / added.as_secs_f64(),
        gib(peak_rss_kib())
    );

    let stitch_start = Instant::now();
    let graph = builder.stitch()?;
    let stitched = stitch_start.elapsed();
    let total = start.elapsed();
    println!(
        "stitch:        {:>7.2} s  {:>10.0} records/s",
        stitched.as_secs_f64(),
        n as f64 / stitched.as_secs_f64()
    );
    println!(
        "total:         {:>7.2} s  {:>10.0} records/s  peak RSS {}",
        total.as_secs_f64(),
        n as f64 / total.as_secs_f64(),
        gib(peak_rss_kib())
    );
    if let Some(cpu) = cpu_seconds() {
        // Wall time exceeds CPU time when other processes share the cores.
        println!("cpu time:      {cpu:>7.2} s  (user + system, all threads)");
    }

    let stats = graph.stats();
    let largest = stats.profile_sizes.keys().next_back().copied().unwrap_or(0);
    let refused: u64 = stats.links_refused.iter().map(|r| r.count).sum();
    println!(
        "profiles: {}, largest: {largest}, values: {}, generic values: {}, links accepted: {}, refused: {refused}",
        stats.profiles,
        stats.identifier_values,
        stats.generic_values.len(),
        stats.links_accepted.values().sum::<u64>(),
    );
    let sizes: Vec<String> = stats
        .profile_sizes
        .iter()
        .take(8)
        .map(|(size, count)| format!("{size}:{count}"))
        .collect();
    println!("profile sizes (size:count): {}", sizes.join(" "));
    Ok(())
}
