//! Noise and accounting: the arithmetic of the privacy guarantee, apart from what is measured.
//!
//! The guarantee is zero-concentrated differential privacy (zCDP, Bun and Steinke 2016):
//!
//! - Adding discrete Gaussian noise N_Z(0, sigma^2) ([`sampler`]) to integer figures of which
//!   one person can change the squared sum `d2` (the squared L2 sensitivity) gives rho-zCDP with
//!   rho = d2 / (2 sigma^2) (Canonne, Kamath and Steinke 2020).
//! - Measurements compose by adding their rho; anything computed from noisy figures alone
//!   (sums, ratios, rounding, hiding a figure below a threshold) costs nothing more.
//! - rho-zCDP implies (epsilon, delta)-differential privacy with epsilon = rho + 2 sqrt(rho
//!   ln(1/delta)) for every delta > 0: [`epsilon`], stated at [`DELTA`].
//!
//! [`variance_for`] chooses sigma^2 for a share of a budget, rounded up so that the rho
//! actually spent ([`rho_of`]) never exceeds it; [`error95`] is the half-width of the interval
//! that holds the true value of a sum of noisy figures 95 % of the time.

pub mod sampler;

pub use sampler::{Random, Seeded, SystemRandomness, Variance};

/// The delta at which the equivalent epsilon is stated.
pub const DELTA: f64 = 1e-6;

/// The denominator of every variance the gateway uses: sigma^2 is rounded up to a thousandth.
const VARIANCE_DENOMINATOR: u64 = 1000;

/// The epsilon of (epsilon, delta)-differential privacy that rho-zCDP implies.
pub fn epsilon(rho: f64, delta: f64) -> f64 {
    if rho <= 0.0 {
        return 0.0;
    }
    rho + 2.0 * (rho * (1.0 / delta).ln()).sqrt()
}

/// The noise variance that spends at most `rho` on figures of squared sensitivity `d2`:
/// sigma^2 = d2 / (2 rho), rounded up. `None` if `rho` or `d2` is not positive and finite.
pub fn variance_for(d2: f64, rho: f64) -> Option<Variance> {
    if !(d2 > 0.0 && rho > 0.0 && d2.is_finite() && rho.is_finite()) {
        return None;
    }
    Variance::at_least(d2 / (2.0 * rho), VARIANCE_DENOMINATOR)
}

/// The rho spent by noise of `variance` on figures of squared sensitivity `d2`.
pub fn rho_of(d2: f64, variance: Variance) -> f64 {
    d2 / (2.0 * variance.get())
}

/// The half-width of the 95 % interval around a sum of noisy figures whose variances add up
/// to `variance`: the true value lies within it 95 % of the time.
pub fn error95(variance: f64) -> f64 {
    1.959_964 * variance.max(0.0).sqrt()
}

/// Where noise comes from: the operating system's generator, or a seeded one in tests.
pub struct Noise {
    random: Box<dyn Random + Send>,
}

impl std::fmt::Debug for Noise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Noise")
    }
}

impl Noise {
    /// Noise from the operating system's cryptographically secure generator.
    pub fn system() -> Self {
        Self {
            random: Box::new(SystemRandomness::default()),
        }
    }

    /// Reproducible noise, for tests only.
    pub fn seeded(seed: u64) -> Self {
        Self {
            random: Box::new(Seeded(seed)),
        }
    }

    /// One draw from N_Z(0, `variance`).
    pub fn draw(&mut self, variance: Variance) -> i64 {
        sampler::discrete_gaussian(variance, self.random.as_mut())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rho_converts_to_epsilon_at_a_delta() {
        // rho + 2 sqrt(rho ln(1/delta)): the Census Bureau's rho = 2.63 at delta = 1e-10.
        let e = epsilon(2.63, 1e-10);
        assert!((e - 18.194).abs() < 0.001, "{e}");
        assert_eq!(epsilon(0.0, DELTA), 0.0);
        // Smaller rho, smaller epsilon; smaller delta, larger epsilon.
        assert!(epsilon(1.0, DELTA) < epsilon(2.0, DELTA));
        assert!(epsilon(1.0, 1e-9) > epsilon(1.0, 1e-6));
    }

    #[test]
    fn a_variance_never_spends_more_than_its_share() {
        for (d2, rho) in [
            (22.0, 0.8),
            (11.0, 0.5),
            (45_000.0, 0.24),
            (3.0, 0.3),
            (1.0, 0.007),
        ] {
            let v = variance_for(d2, rho).expect("variance");
            let spent = rho_of(d2, v);
            assert!(spent <= rho, "{d2}/{rho}: {spent}");
            // Rounding to a thousandth costs little.
            assert!(spent > rho * 0.99, "{d2}/{rho}: {spent}");
        }
        assert_eq!(
            variance_for(22.0, 0.8).map(Variance::get),
            Some(13.75),
            "sigma^2 = d2 / (2 rho)"
        );
        assert!(variance_for(1.0, 0.0).is_none());
        assert!(variance_for(0.0, 1.0).is_none());
        assert!(variance_for(1.0, f64::NAN).is_none());
    }

    #[test]
    fn composition_adds_and_errors_grow_with_the_square_root() {
        // Two measurements of the same figures: twice the rho.
        let v = variance_for(1.0, 0.5).expect("variance");
        assert!((rho_of(1.0, v) + rho_of(1.0, v) - 1.0).abs() < 1e-9);
        // A sum of four figures of variance 1: a 95 % error of 1.96 * 2.
        assert!((error95(4.0) - 3.919_928).abs() < 1e-5);
        assert_eq!(error95(-1.0), 0.0);
    }

    #[test]
    fn seeded_noise_repeats_and_system_noise_does_not() {
        let v = Variance::new(55, 4).expect("variance");
        let a: Vec<i64> = {
            let mut n = Noise::seeded(9);
            (0..50).map(|_| n.draw(v)).collect()
        };
        let b: Vec<i64> = {
            let mut n = Noise::seeded(9);
            (0..50).map(|_| n.draw(v)).collect()
        };
        assert_eq!(a, b);
        let mut s = Noise::system();
        let c: Vec<i64> = (0..50).map(|_| s.draw(v)).collect();
        assert_ne!(a, c);
    }
}
