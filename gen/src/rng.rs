//! A small, fully specified pseudo-random generator.
//!
//! The output files must be byte-identical for a seed on every platform and
//! every future build, so the algorithm is fixed here (xoshiro256++ seeded by
//! SplitMix64) and only integer arithmetic feeds the choices: no floating-point
//! transcendental functions, whose last bits may differ between platforms.

/// xoshiro256++ (Blackman and Vigna), seeded through SplitMix64.
#[derive(Debug, Clone)]
pub(crate) struct Rng {
    s: [u64; 4],
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator whose whole stream is determined by `seed`.
    pub(crate) fn new(seed: u64) -> Self {
        let mut sm = seed;
        Rng {
            s: [
                splitmix64(&mut sm),
                splitmix64(&mut sm),
                splitmix64(&mut sm),
                splitmix64(&mut sm),
            ],
        }
    }

    pub(crate) fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// A value in `0..n` (0 when `n` is 0), by multiply-shift: no rejection
    /// loop, so every call consumes exactly one draw; the bias is below 2^-40
    /// for the ranges used here.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    /// An index into a collection of `len` items (0 when `len` is 0).
    pub(crate) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// A value in `lo..hi` (`lo` when the range is empty).
    pub(crate) fn range(&mut self, lo: i64, hi: i64) -> i64 {
        if hi <= lo {
            return lo;
        }
        lo + self.below((hi - lo) as u64) as i64
    }

    /// True with probability `p` (clamped to 0..=1).
    pub(crate) fn chance(&mut self, p: f64) -> bool {
        // 53 random bits make an exactly representable f64 in [0, 1).
        let u = (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
        u < p
    }

    /// One item of a non-empty static list (the first one if it is empty).
    pub(crate) fn pick<T: Copy>(&mut self, items: &[T], fallback: T) -> T {
        items
            .get(self.index(items.len()))
            .copied()
            .unwrap_or(fallback)
    }

    /// A decimal digit string of `len` digits, the first one in `first`.
    pub(crate) fn digits(
        &mut self,
        out: &mut String,
        len: usize,
        first: std::ops::RangeInclusive<u8>,
    ) {
        for i in 0..len {
            let d = if i == 0 {
                let lo = *first.start();
                let hi = *first.end();
                lo + self.below(u64::from(hi.saturating_sub(lo)) + 1) as u8
            } else {
                self.below(10) as u8
            };
            out.push(char::from(b'0' + d.min(9)));
        }
    }
}

/// A discrete distribution over `0..n` with integer weights.
#[derive(Debug, Clone)]
pub(crate) struct Weighted {
    cumulative: Vec<u64>,
}

impl Weighted {
    /// From explicit weights.
    pub(crate) fn new(weights: impl IntoIterator<Item = u64>) -> Self {
        let mut total = 0u64;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cumulative }
    }

    /// A Zipf-like law over `n` ranks: weight of rank `r` (0-based) is
    /// `1 / (r + 1 + flatten)`, so the head is common but not overwhelming.
    pub(crate) fn zipf(n: usize, flatten: u64) -> Self {
        Weighted::new((0..n as u64).map(|r| 1_000_000_000 / (r + 1 + flatten)))
    }

    /// Draws an index.
    pub(crate) fn sample(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(0);
        let x = rng.below(total);
        self.cumulative.partition_point(|&c| c <= x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stream_is_fixed_for_a_seed() {
        // Pinned values: a change here changes every generated file.
        let mut r = Rng::new(42);
        let first: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        let mut again = Rng::new(42);
        let second: Vec<u64> = (0..3).map(|_| again.next_u64()).collect();
        assert_eq!(first, second);
        assert_ne!(first, {
            let mut other = Rng::new(43);
            (0..3).map(|_| other.next_u64()).collect::<Vec<_>>()
        });
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = Rng::new(1);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            let v = r.below(7) as usize;
            seen[v] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800 && c < 1200), "{seen:?}");
        assert_eq!(r.below(0), 0);
        assert_eq!(r.range(5, 5), 5);
    }

    #[test]
    fn chance_matches_probability() {
        let mut r = Rng::new(7);
        let hits = (0..100_000).filter(|_| r.chance(0.3)).count();
        assert!((29_000..31_000).contains(&hits), "{hits}");
        assert!(!(0..1000).any(|_| r.chance(0.0)));
        assert!((0..1000).all(|_| r.chance(1.0)));
    }

    #[test]
    fn zipf_head_is_most_common() {
        let w = Weighted::zipf(50, 5);
        let mut r = Rng::new(3);
        let mut counts = [0u32; 50];
        for _ in 0..50_000 {
            counts[w.sample(&mut r)] += 1;
        }
        assert!(
            counts[0] > counts[10] && counts[10] > counts[49],
            "{counts:?}"
        );
        let share = f64::from(counts[0]) / 50_000.0;
        assert!((0.04..0.12).contains(&share), "{share}");
    }
}
