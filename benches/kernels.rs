//! String-kernel throughput on name-length strings, in pairs per second on
//! one core: omnid's kernels next to the `rapidfuzz` crate (rapidfuzz-rs)
//! and `strsim` on the same pairs.
//!
//! The names are a deterministic mix of Spanish and English "first last"
//! names (mean length about 13.5 bytes), built from the lists below with a
//! seeded PRNG. The `jaro_winkler`, `levenshtein` and `osa` groups score
//! `QUERIES x NAMES` pairs: one-off pairs (the free functions), one pattern
//! against many (cached scorers, the pattern built inside the timed loop),
//! and many patterns against many (`PatternBatch`, the analogue of
//! rapidfuzz's `cdist`). The `all_pairs_2000` group scores all 4M pairs of
//! the names, the shape of Python rapidfuzz's `cdist` figures (34M
//! Jaro-Winkler and 80M Levenshtein pairs/s on one core of this machine).
//!
//! Throughput is in pairs per second (`Melem/s`). Built for the baseline
//! x86-64 target (SSE2) unless `RUSTFLAGS="-C target-cpu=native"` is set.

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use omnid::matching::kernels::{self, CachedPattern, PatternBatch};

const NAMES: usize = 2000;
const QUERIES: usize = 100;

const FIRST: &[&str] = &[
    "maria",
    "jose",
    "juan",
    "ana",
    "luis",
    "carmen",
    "antonio",
    "francisco",
    "laura",
    "manuel",
    "david",
    "isabel",
    "javier",
    "lucia",
    "carlos",
    "pilar",
    "miguel",
    "elena",
    "rafael",
    "rosa",
    "alejandro",
    "marta",
    "fernando",
    "paula",
    "sergio",
    "cristina",
    "pablo",
    "raquel",
    "jorge",
    "beatriz",
    "alberto",
    "dolores",
    "ramon",
    "teresa",
    "andres",
    "mercedes",
    "enrique",
    "silvia",
    "guadalupe",
    "ignacio",
    "james",
    "mary",
    "john",
    "patricia",
    "robert",
    "jennifer",
    "michael",
    "linda",
    "william",
    "elizabeth",
    "richard",
    "barbara",
    "joseph",
    "susan",
    "thomas",
    "jessica",
    "charles",
    "sarah",
    "christopher",
    "karen",
    "daniel",
    "nancy",
    "matthew",
    "lisa",
    "anthony",
    "margaret",
    "mark",
    "sandra",
    "steven",
    "ashley",
    "kevin",
    "emily",
    "brian",
    "donna",
    "george",
    "michelle",
    "edward",
    "amanda",
    "ronald",
    "melissa",
];

const LAST: &[&str] = &[
    "garcia",
    "rodriguez",
    "gonzalez",
    "fernandez",
    "lopez",
    "martinez",
    "sanchez",
    "perez",
    "gomez",
    "martin",
    "jimenez",
    "ruiz",
    "hernandez",
    "diaz",
    "moreno",
    "alvarez",
    "munoz",
    "romero",
    "alonso",
    "gutierrez",
    "navarro",
    "torres",
    "dominguez",
    "vazquez",
    "ramos",
    "gil",
    "ramirez",
    "serrano",
    "blanco",
    "molina",
    "morales",
    "suarez",
    "ortega",
    "delgado",
    "castro",
    "ortiz",
    "rubio",
    "marin",
    "sanz",
    "iglesias",
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "miller",
    "davis",
    "wilson",
    "anderson",
    "taylor",
    "thomas",
    "moore",
    "jackson",
    "white",
    "harris",
    "thompson",
    "robinson",
    "clark",
    "lewis",
    "walker",
    "young",
    "allen",
    "wright",
    "scott",
    "mitchell",
    "campbell",
    "roberts",
    "carter",
    "phillips",
    "evans",
    "turner",
    "parker",
    "collins",
    "edwards",
    "stewart",
    "morris",
];

/// splitmix64: a tiny deterministic PRNG so the bench needs no data files.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        let len = u64::try_from(list.len()).unwrap_or(1);
        let i = usize::try_from(self.next() % len).unwrap_or(0);
        list.get(i).copied().unwrap_or("")
    }
}

/// `count` "first last" names; about one in five carries a typo (a
/// substitution, a deletion or a swap of neighbours) so that near-duplicates
/// occur as they do in customer data.
fn names(count: usize) -> Vec<String> {
    let mut rng = SplitMix(0x5eed_0f0e_1d00);
    (0..count)
        .map(|_| {
            let mut name: Vec<u8> = format!("{} {}", rng.pick(FIRST), rng.pick(LAST)).into_bytes();
            let len = u64::try_from(name.len()).unwrap_or(1);
            let at = usize::try_from(rng.next() % (len - 1)).unwrap_or(0);
            match rng.next() % 15 {
                0 => name[at] = b'a' + u8::try_from(rng.next() % 26).unwrap_or(0),
                1 => {
                    name.remove(at);
                }
                2 => name.swap(at, at + 1),
                _ => {}
            }
            String::from_utf8(name).unwrap_or_default()
        })
        .collect()
}

fn bench_kernels(c: &mut Criterion) {
    let names = names(NAMES);
    let mean = names.iter().map(String::len).sum::<usize>() as f64 / names.len() as f64;
    eprintln!("{} names, mean length {mean:.2} bytes", names.len());
    let bytes: Vec<&[u8]> = names.iter().map(|s| s.as_bytes()).collect();
    let queries = &bytes[..QUERIES];
    let query_strs = &names[..QUERIES];
    let pairs = u64::try_from(QUERIES * NAMES).unwrap_or(0);

    let mut group = c.benchmark_group("jaro_winkler");
    group.throughput(Throughput::Elements(pairs));
    group.bench_function("omnid/batch", |bench| {
        let mut out: Vec<f64> = Vec::with_capacity(QUERIES);
        bench.iter(|| {
            let batch = PatternBatch::new(queries);
            let mut sum = 0.0;
            for t in &bytes {
                batch.jaro_winkler(t, &mut out);
                sum += out.iter().sum::<f64>();
            }
            black_box(sum)
        })
    });
    group.bench_function("omnid/pair", |bench| {
        bench.iter(|| {
            let mut sum = 0.0;
            for q in queries {
                for t in &bytes {
                    sum += kernels::jaro_winkler(q, t);
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("omnid/cached", |bench| {
        bench.iter(|| {
            let mut sum = 0.0;
            for q in queries {
                let p = CachedPattern::new(q);
                for t in &bytes {
                    sum += p.jaro_winkler(t);
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("rapidfuzz/pair", |bench| {
        use rapidfuzz::distance::jaro_winkler;
        bench.iter(|| {
            let mut sum = 0.0;
            for q in queries {
                for t in &bytes {
                    sum += jaro_winkler::similarity(q.iter(), t.iter());
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("rapidfuzz/cached", |bench| {
        use rapidfuzz::distance::jaro_winkler::BatchComparator;
        bench.iter(|| {
            let mut sum = 0.0;
            for q in queries {
                let p = BatchComparator::new(q.iter().copied());
                for t in &bytes {
                    sum += p.similarity(t.iter().copied());
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("strsim/pair", |bench| {
        bench.iter(|| {
            let mut sum = 0.0;
            for q in query_strs {
                for t in &names {
                    sum += strsim::jaro_winkler(q, t);
                }
            }
            black_box(sum)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("levenshtein");
    group.throughput(Throughput::Elements(pairs));
    group.bench_function("omnid/batch", |bench| {
        let mut out: Vec<u32> = Vec::with_capacity(QUERIES);
        bench.iter(|| {
            let batch = PatternBatch::new(queries);
            let mut sum = 0u64;
            for t in &bytes {
                batch.levenshtein(t, &mut out);
                sum += out.iter().map(|&x| u64::from(x)).sum::<u64>();
            }
            black_box(sum)
        })
    });
    group.bench_function("omnid/pair", |bench| {
        bench.iter(|| {
            let mut sum = 0u64;
            for q in queries {
                for t in &bytes {
                    sum += u64::from(kernels::levenshtein(q, t));
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("omnid/cached", |bench| {
        bench.iter(|| {
            let mut sum = 0u64;
            for q in queries {
                let p = CachedPattern::new(q);
                for t in &bytes {
                    sum += u64::from(p.levenshtein(t));
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("rapidfuzz/pair", |bench| {
        use rapidfuzz::distance::levenshtein;
        bench.iter(|| {
            let mut sum = 0usize;
            for q in queries {
                for t in &bytes {
                    sum += levenshtein::distance(q.iter(), t.iter());
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("rapidfuzz/cached", |bench| {
        use rapidfuzz::distance::levenshtein::BatchComparator;
        bench.iter(|| {
            let mut sum = 0usize;
            for q in queries {
                let p = BatchComparator::new(q.iter().copied());
                for t in &bytes {
                    sum += p.distance(t.iter().copied());
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("strsim/pair", |bench| {
        bench.iter(|| {
            let mut sum = 0usize;
            for q in query_strs {
                for t in &names {
                    sum += strsim::levenshtein(q, t);
                }
            }
            black_box(sum)
        })
    });
    group.finish();

    let mut group = c.benchmark_group("osa");
    group.throughput(Throughput::Elements(pairs));
    group.bench_function("omnid/batch", |bench| {
        let mut out: Vec<u32> = Vec::with_capacity(QUERIES);
        bench.iter(|| {
            let batch = PatternBatch::new(queries);
            let mut sum = 0u64;
            for t in &bytes {
                batch.damerau_osa(t, &mut out);
                sum += out.iter().map(|&x| u64::from(x)).sum::<u64>();
            }
            black_box(sum)
        })
    });
    group.bench_function("omnid/pair", |bench| {
        bench.iter(|| {
            let mut sum = 0u64;
            for q in queries {
                for t in &bytes {
                    sum += u64::from(kernels::damerau_osa(q, t));
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("omnid/cached", |bench| {
        bench.iter(|| {
            let mut sum = 0u64;
            for q in queries {
                let p = CachedPattern::new(q);
                for t in &bytes {
                    sum += u64::from(p.damerau_osa(t));
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("rapidfuzz/pair", |bench| {
        use rapidfuzz::distance::osa;
        bench.iter(|| {
            let mut sum = 0usize;
            for q in queries {
                for t in &bytes {
                    sum += osa::distance(q.iter(), t.iter());
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("rapidfuzz/cached", |bench| {
        use rapidfuzz::distance::osa::BatchComparator;
        bench.iter(|| {
            let mut sum = 0usize;
            for q in queries {
                let p = BatchComparator::new(q.iter().copied());
                for t in &bytes {
                    sum += p.distance(t.iter().copied());
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("strsim/pair", |bench| {
        bench.iter(|| {
            let mut sum = 0usize;
            for q in query_strs {
                for t in &names {
                    sum += strsim::osa_distance(q, t);
                }
            }
            black_box(sum)
        })
    });
    group.finish();

    // All pairs of the 2000 names (4M pairs), the shape of Python rapidfuzz's
    // `cdist` figure: omnid's batch against rapidfuzz-rs's best (its cached
    // scorer; the crate has no cdist).
    let all = u64::try_from(NAMES * NAMES).unwrap_or(0);
    let mut group = c.benchmark_group("all_pairs_2000");
    group.throughput(Throughput::Elements(all));
    group.sample_size(10);
    group.bench_function("jaro_winkler/omnid/batch", |bench| {
        let mut out: Vec<f64> = Vec::with_capacity(NAMES);
        bench.iter(|| {
            let batch = PatternBatch::new(&bytes);
            let mut sum = 0.0;
            for t in &bytes {
                batch.jaro_winkler(t, &mut out);
                sum += out.iter().sum::<f64>();
            }
            black_box(sum)
        })
    });
    group.bench_function("jaro_winkler/rapidfuzz/cached", |bench| {
        use rapidfuzz::distance::jaro_winkler::BatchComparator;
        bench.iter(|| {
            let mut sum = 0.0;
            for q in &bytes {
                let p = BatchComparator::new(q.iter().copied());
                for t in &bytes {
                    sum += p.similarity(t.iter().copied());
                }
            }
            black_box(sum)
        })
    });
    group.bench_function("levenshtein/omnid/batch", |bench| {
        let mut out: Vec<u32> = Vec::with_capacity(NAMES);
        bench.iter(|| {
            let batch = PatternBatch::new(&bytes);
            let mut sum = 0u64;
            for t in &bytes {
                batch.levenshtein(t, &mut out);
                sum += out.iter().map(|&x| u64::from(x)).sum::<u64>();
            }
            black_box(sum)
        })
    });
    group.bench_function("levenshtein/rapidfuzz/cached", |bench| {
        use rapidfuzz::distance::levenshtein::BatchComparator;
        bench.iter(|| {
            let mut sum = 0usize;
            for q in &bytes {
                let p = BatchComparator::new(q.iter().copied());
                for t in &bytes {
                    sum += p.distance(t.iter().copied());
                }
            }
            black_box(sum)
        })
    });
    group.finish();
}

criterion_group!(benches, bench_kernels);
criterion_main!(benches);
