//! The exact discrete Gaussian sampler of Canonne, Kamath and Steinke ("The Discrete Gaussian
//! for Differential Privacy", 2020, algorithms 1 to 3), on integers only.
//!
//! Every probability is a ratio of integers and every coin is drawn by comparing a uniform
//! integer with it, so the samples follow N_Z(0, sigma^2) exactly: there is no floating-point
//! rounding whose low bits could leak the value noise was added to (Mironov, CCS 2012). sigma^2
//! is a ratio of integers small enough ([`Variance`]) for every intermediate to fit in 128
//! bits.
//!
//! The coins come from a [`Random`] source: the operating system's CSPRNG in service
//! ([`SystemRandomness`]), a seeded generator in tests.

use ring::rand::SecureRandom;

/// A source of uniform 64-bit words.
pub trait Random {
    /// The next word.
    fn next_u64(&mut self) -> u64;
}

/// The operating system's cryptographically secure generator (`getrandom`), read 4 KiB at a
/// time.
pub struct SystemRandomness {
    rng: ring::rand::SystemRandom,
    buffer: Box<[u8; 4096]>,
    used: usize,
}

impl std::fmt::Debug for SystemRandomness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SystemRandomness")
    }
}

impl Default for SystemRandomness {
    fn default() -> Self {
        Self {
            rng: ring::rand::SystemRandom::new(),
            buffer: Box::new([0; 4096]),
            used: 4096,
        }
    }
}

impl Random for SystemRandomness {
    fn next_u64(&mut self) -> u64 {
        if self.used + 8 > self.buffer.len() {
            // The kernel's generator does not fail once it is seeded, which happens at boot;
            // a machine that cannot give random bytes must not release noisy figures at all.
            #[allow(clippy::expect_used)]
            self.rng
                .fill(&mut self.buffer[..])
                .expect("the operating system's random generator failed");
            self.used = 0;
        }
        let mut word = [0u8; 8];
        word.copy_from_slice(&self.buffer[self.used..self.used + 8]);
        self.used += 8;
        u64::from_le_bytes(word)
    }
}

/// sigma^2 as `numerator / denominator`, both positive, the numerator below 2^40 and the
/// denominator at most 2^20, so that every ratio the sampler forms fits in 128 bits for any
/// sample it can draw in practice (|Y| below 2^24).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Variance {
    numerator: u64,
    denominator: u64,
}

impl Variance {
    /// sigma^2 = `numerator / denominator`; `None` if either is out of range.
    pub fn new(numerator: u64, denominator: u64) -> Option<Self> {
        (numerator > 0 && numerator < 1 << 40 && denominator > 0 && denominator <= 1 << 20)
            .then_some(Self {
                numerator,
                denominator,
            })
    }

    /// The smallest variance with this denominator not below `sigma2`.
    pub fn at_least(sigma2: f64, denominator: u64) -> Option<Self> {
        let numerator = (sigma2 * denominator as f64).ceil();
        if !numerator.is_finite() || numerator < 1.0 {
            return None;
        }
        Self::new(numerator as u64, denominator)
    }

    /// sigma^2 as a number.
    pub fn get(self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// floor(sigma) + 1: the scale of the discrete Laplace the sampler draws from.
    fn laplace_scale(self) -> u64 {
        // floor(sqrt(x)) = floor(sqrt(floor(x))) for x >= 0.
        (self.numerator / self.denominator).isqrt() + 1
    }
}

/// One draw from the discrete Gaussian N_Z(0, sigma^2) (algorithm 3).
pub fn discrete_gaussian(variance: Variance, rng: &mut dyn Random) -> i64 {
    let t = u128::from(variance.laplace_scale());
    let (a, b) = (
        u128::from(variance.numerator),
        u128::from(variance.denominator),
    );
    loop {
        let y = discrete_laplace(variance.laplace_scale(), rng);
        // gamma = (|y| - sigma^2 / t)^2 / (2 sigma^2) = (|y| t b - a)^2 / (2 a b t^2).
        let numerator = u128::from(y.unsigned_abs())
            .checked_mul(t * b)
            .map(|x| x.abs_diff(a))
            .and_then(|x| x.checked_mul(x));
        let Some(numerator) = numerator else {
            // So far from zero (2^40 sigma) that the coin's probability is below exp(-2^79).
            continue;
        };
        if bernoulli_exp(numerator, 2 * a * b * t * t, rng) {
            return y;
        }
    }
}

/// One draw from the discrete Laplace distribution with scale `t` >= 1: P(z) proportional to
/// exp(-|z| / t) (algorithm 2, with s = 1).
fn discrete_laplace(t: u64, rng: &mut dyn Random) -> i64 {
    loop {
        let u = uniform_below(u128::from(t), rng);
        if !bernoulli_exp(u, u128::from(t), rng) {
            continue;
        }
        let mut v: u128 = 0;
        while bernoulli_exp(1, 1, rng) {
            v += 1;
        }
        let negative = rng.next_u64() & 1 == 1;
        let magnitude = u + u128::from(t) * v;
        if negative && magnitude == 0 {
            continue;
        }
        let magnitude = i64::try_from(magnitude).unwrap_or(i64::MAX);
        return if negative { -magnitude } else { magnitude };
    }
}

/// A coin that shows heads with probability exp(-n/d) (algorithm 1).
fn bernoulli_exp(n: u128, d: u128, rng: &mut dyn Random) -> bool {
    if n <= d {
        return bernoulli_exp_at_most_one(n, d, rng);
    }
    for _ in 0..n / d {
        if !bernoulli_exp_at_most_one(1, 1, rng) {
            return false;
        }
    }
    bernoulli_exp_at_most_one(n % d, d, rng)
}

/// exp(-gamma) for gamma = n/d in [0, 1]: count the heads of coins of probability gamma/k, k =
/// 1, 2, ..., up to the first tails; heads with probability exp(-gamma) if that k is odd.
fn bernoulli_exp_at_most_one(n: u128, d: u128, rng: &mut dyn Random) -> bool {
    let mut k: u128 = 1;
    // d * k cannot overflow in practice: each further k has probability gamma / k.
    while bernoulli(n, d.saturating_mul(k), rng) {
        k += 1;
    }
    k % 2 == 1
}

/// A coin that shows heads with probability n/d (n <= d, d >= 1).
fn bernoulli(n: u128, d: u128, rng: &mut dyn Random) -> bool {
    uniform_below(d, rng) < n
}

/// A uniform integer in [0, n), n >= 1, by rejection (no modulo bias).
fn uniform_below(n: u128, rng: &mut dyn Random) -> u128 {
    if let Ok(n) = u64::try_from(n) {
        // 2^64 mod n: words below it are rejected so that every residue is equally likely.
        let reject = n.wrapping_neg() % n;
        loop {
            let x = rng.next_u64();
            if x >= reject {
                return u128::from(x % n);
            }
        }
    }
    let reject = n.wrapping_neg() % n;
    loop {
        let x = u128::from(rng.next_u64()) << 64 | u128::from(rng.next_u64());
        if x >= reject {
            return x % n;
        }
    }
}

/// A seeded generator for tests (SplitMix64): fast, and good enough to test a distribution.
#[derive(Debug, Clone)]
pub struct Seeded(pub u64);

impl Random for Seeded {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact probabilities of N_Z(0, sigma^2) over [-w, w], w far in the tails.
    fn pmf(sigma2: f64) -> (i64, Vec<f64>) {
        let w = (sigma2.sqrt() * 14.0).ceil() as i64 + 2;
        let weights: Vec<f64> = (-w..=w)
            .map(|x| (-(x * x) as f64 / (2.0 * sigma2)).exp())
            .collect();
        let total: f64 = weights.iter().sum();
        (w, weights.into_iter().map(|p| p / total).collect())
    }

    /// The chi-square statistic's upper quantile for `df` degrees of freedom at a false-alarm
    /// rate of 1e-6 (Wilson-Hilferty: within a few per cent for df >= 10).
    fn chi2_limit(df: f64) -> f64 {
        let z = 4.753; // the standard normal's 1 - 1e-6 quantile
        let c = 2.0 / (9.0 * df);
        df * (1.0 - c + z * c.sqrt()).powi(3)
    }

    /// Draws `n` samples with a fixed seed and tests them against the exact distribution:
    /// a chi-square test over every value with at least 20 expected (tails pooled), the mean,
    /// the variance, and how often |x| reaches 2 sigma. Each test's false-alarm rate is at most
    /// 1e-6 (five or more standard errors), so a failure is a wrong sampler, not bad luck; and
    /// the seed is fixed, so the outcome is the same on every run.
    fn check(variance: Variance, n: usize, seed: u64) {
        let sigma2 = variance.get();
        let (w, p) = pmf(sigma2);
        let mut rng = Seeded(seed);
        let mut counts = vec![0u64; p.len()];
        let (mut sum, mut squares) = (0.0f64, 0.0f64);
        let mut beyond = 0u64;
        let two_sigma = 2.0 * sigma2.sqrt();
        for _ in 0..n {
            let x = discrete_gaussian(variance, &mut rng);
            assert!(x.abs() <= w, "{x} drawn with sigma^2 {sigma2}");
            counts[(x + w) as usize] += 1;
            sum += x as f64;
            squares += (x * x) as f64;
            if (x as f64).abs() >= two_sigma {
                beyond += 1;
            }
        }
        let nf = n as f64;
        // Chi-square over bins of at least 20 expected; the rest pooled into one bin.
        let (mut chi2, mut bins) = (0.0, 0usize);
        let (mut pooled_seen, mut pooled_expected) = (0.0, 0.0);
        for (seen, q) in counts.iter().zip(&p) {
            let expected = q * nf;
            if expected >= 20.0 {
                chi2 += (*seen as f64 - expected).powi(2) / expected;
                bins += 1;
            } else {
                pooled_seen += *seen as f64;
                pooled_expected += expected;
            }
        }
        if pooled_expected > 0.0 {
            chi2 += (pooled_seen - pooled_expected).powi(2) / pooled_expected.max(1e-9);
            bins += 1;
        }
        let df = (bins - 1) as f64;
        assert!(
            chi2 < chi2_limit(df.max(10.0)),
            "sigma^2 {sigma2}: chi-square {chi2:.1} over {df} degrees of freedom"
        );
        // The exact variance (a little under sigma^2 for small sigma) and fourth moment.
        let var: f64 = (-w..=w).zip(&p).map(|(x, q)| (x * x) as f64 * q).sum();
        let m4: f64 = (-w..=w)
            .zip(&p)
            .map(|(x, q)| ((x * x) as f64).powi(2) * q)
            .sum();
        let mean = sum / nf;
        assert!(
            mean.abs() < 5.0 * (var / nf).sqrt(),
            "sigma^2 {sigma2}: mean {mean}"
        );
        let sample_var = squares / nf;
        assert!(
            (sample_var - var).abs() < 5.0 * ((m4 - var * var) / nf).sqrt(),
            "sigma^2 {sigma2}: variance {sample_var} against {var}"
        );
        let tail: f64 = (-w..=w)
            .zip(&p)
            .filter(|(x, _)| (*x as f64).abs() >= two_sigma)
            .map(|(_, q)| q)
            .sum();
        let seen = beyond as f64 / nf;
        assert!(
            (seen - tail).abs() < 5.0 * (tail * (1.0 - tail) / nf).sqrt(),
            "sigma^2 {sigma2}: |x| >= 2 sigma {seen} of the time, against {tail}"
        );
    }

    #[test]
    fn samples_follow_the_exact_distribution() {
        // The variances the gateway uses at its default budget (counts), a small one, and the
        // score sums' (hundredths of a score).
        check(Variance::new(55, 4).expect("variance"), 200_000, 1);
        check(Variance::new(1, 2).expect("variance"), 200_000, 2);
        check(Variance::new(5, 1).expect("variance"), 200_000, 3);
        check(Variance::new(93_750, 1).expect("variance"), 100_000, 4);
    }

    #[test]
    fn coins_have_the_probabilities_they_say() {
        let mut rng = Seeded(7);
        let n = 400_000;
        for (num, den) in [(1u128, 2u128), (5, 2), (3, 1), (0, 1)] {
            let heads = (0..n).filter(|_| bernoulli_exp(num, den, &mut rng)).count();
            let p = (-(num as f64) / den as f64).exp();
            let seen = heads as f64 / n as f64;
            assert!(
                (seen - p).abs() < 5.0 * (p * (1.0 - p) / n as f64).sqrt() + 1e-12,
                "exp(-{num}/{den}): {seen} against {p}"
            );
        }
        for n_ in [1u128, 3, 7, 1 << 70] {
            let mut seen = vec![0u32; 4];
            for _ in 0..4000 {
                let x = uniform_below(n_, &mut rng);
                assert!(x < n_);
                seen[(x % 4) as usize] += 1;
            }
            if n_ >= 4 {
                assert!(seen.iter().all(|s| *s > 500), "{n_}: {seen:?}");
            }
        }
    }

    #[test]
    fn variances_are_rounded_up_never_down() {
        let v = Variance::at_least(13.75, 1000).expect("variance");
        assert!(v.get() >= 13.75);
        let v = Variance::at_least(2.0 / 3.0, 1000).expect("variance");
        assert!(v.get() >= 2.0 / 3.0 && v.get() < 2.0 / 3.0 + 0.001);
        assert_eq!(v.laplace_scale(), 1);
        assert_eq!(Variance::new(55, 4).expect("v").laplace_scale(), 4);
        assert!(Variance::at_least(0.0, 1000).is_none());
        assert!(Variance::new(1, 0).is_none());
    }

    #[test]
    fn the_system_generator_gives_varied_words() {
        let mut rng = SystemRandomness::default();
        let words: std::collections::HashSet<u64> = (0..2000).map(|_| rng.next_u64()).collect();
        assert_eq!(words.len(), 2000);
    }
}
