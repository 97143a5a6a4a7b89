//! The fuzzer's random numbers: SplitMix64, seeded per thread from the run's seed.
//!
//! Hand-written on purpose: the sequence a seed produces must never change with a dependency's
//! version (a seed in a bug report must replay the same calls next year), and SplitMix64 is ten
//! lines with good statistical quality for this use.

/// A SplitMix64 generator.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The generator of thread `index` of a run seeded with `seed`.
    pub fn for_thread(seed: u64, index: usize) -> Rng {
        let mut mixer = Rng(seed ^ (index as u64).wrapping_mul(0xA24B_AED4_963E_E407));
        Rng(mixer.next_u64())
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }

    /// Uniform in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        ((self.next_u64() >> 32).wrapping_mul(n as u64) >> 32) as usize
    }

    /// True with probability `percent`/100.
    pub fn percent(&mut self, percent: u32) -> bool {
        self.below(100) < percent as usize
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_sequence_and_threads_differ() {
        let a: Vec<u64> = (0..4).map(|_| Rng::for_thread(7, 0).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rng::for_thread(7, 0).next_u64(),
            Rng::for_thread(7, 1).next_u64()
        );
        let mut rng = Rng::new(1);
        assert!((0..1000).all(|_| rng.below(10) < 10));
    }
}
