//! The string kernels compare name-length strings without touching the heap:
//! a counting global allocator watches every comparison.
//!
//! A separate test binary, because the global allocator is per binary.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use omnid::matching::kernels::{
    CachedPattern, PatternBatch, damerau_osa, jaccard_sorted, jaccard_tokens, jaro, jaro_winkler,
    levenshtein, levenshtein_bounded,
};

thread_local! {
    /// Allocations made by this thread; per thread so that the test harness's
    /// other threads do not count.
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
}

struct Counting;

// SAFETY: forwards every call to the system allocator unchanged; the only
// addition is a thread-local counter that never allocates itself.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` was allocated by `System` with `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn allocations_during(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

const NAMES: &[&str] = &[
    "maria garcia",
    "maria garcya",
    "mario garcia",
    "jose luis rodriguez",
    "luis jose rodriguez",
    "christopher thompson",
    "ana",
    "",
    "guadalupe fernandez de la fuente",
    "muñoz",
    "jennifer smith-williams 3rd",
    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
];

#[test]
fn the_counter_sees_allocations() {
    let n = allocations_during(|| {
        let v: Vec<u8> = Vec::with_capacity(std::hint::black_box(16));
        std::hint::black_box(v);
    });
    assert_eq!(n, 1);
}

#[test]
fn one_pair_kernels_do_not_allocate_on_names() {
    let n = allocations_during(|| {
        let mut acc = 0.0;
        for a in NAMES {
            for b in NAMES {
                let (a, b) = (a.as_bytes(), b.as_bytes());
                acc += jaro(a, b) + jaro_winkler(a, b);
                acc += f64::from(levenshtein(a, b) + damerau_osa(a, b));
                acc += f64::from(levenshtein_bounded(a, b, 2).unwrap_or(0));
            }
        }
        let a: [&[u8]; 3] = [b"maria", b"jose", b"garcia"];
        let b: [&[u8]; 2] = [b"garcia", b"maria"];
        acc += jaccard_tokens(&a, &b) + jaccard_sorted(&[1u32, 2, 5], &[2, 5, 9]);
        std::hint::black_box(acc);
    });
    assert_eq!(n, 0);
}

#[test]
fn cached_and_batch_comparisons_do_not_allocate() {
    let cached: Vec<CachedPattern> = NAMES
        .iter()
        .map(|p| CachedPattern::new(p.as_bytes()))
        .collect();
    let batch = PatternBatch::new(NAMES);
    let mut distances = Vec::with_capacity(NAMES.len());
    let mut similarities = Vec::with_capacity(NAMES.len());
    let n = allocations_during(|| {
        let mut acc = 0.0;
        for text in NAMES {
            let text = text.as_bytes();
            for p in &cached {
                acc += p.jaro_winkler(text) + p.jaro(text);
                acc += f64::from(p.levenshtein(text) + p.damerau_osa(text));
                acc += f64::from(p.levenshtein_bounded(text, 3).unwrap_or(0));
            }
            batch.jaro_winkler(text, &mut similarities);
            acc += similarities.iter().sum::<f64>();
            batch.jaro(text, &mut similarities);
            acc += similarities.iter().sum::<f64>();
            batch.levenshtein(text, &mut distances);
            acc += f64::from(distances.iter().sum::<u32>());
            batch.damerau_osa(text, &mut distances);
            acc += f64::from(distances.iter().sum::<u32>());
        }
        std::hint::black_box(acc);
    });
    assert_eq!(n, 0);
}
