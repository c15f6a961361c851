//! Coverage of the 95% percentile bootstrap intervals on synthetic USL data with known
//! parameters and Gaussian noise (sd 10 on throughputs of 100 to 1,300, three runs at
//! each of ten points): over 200 seeded trials the intervals must contain the truth
//! in 90–99% of them (a correct 95% interval misses about 10 of 200; fewer than 180 or
//! more than 198 hits would be a 3-sigma departure from that).

use scalelaw::laws::Usl;
use scalelaw::{fit, FitOptions, Law, Observations};

const TRUTH: [f64; 3] = [0.03, 0.0005, 100.0];
const TRIALS: usize = 200;

/// Standard normal draws by the Box–Muller transform from a 64-bit LCG (Knuth's MMIX
/// constants), so the test needs no extra dependency and is fully reproducible.
struct Normal {
    state: u64,
}

impl Normal {
    fn uniform(&mut self) -> f64 {
        self.state = self
            .state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((self.state >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn sample(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }
}

#[test]
fn usl_bootstrap_intervals_cover_truth() {
    let ns: Vec<f64> = [1.0, 2.0, 4.0, 8.0, 12.0, 16.0, 24.0, 32.0, 48.0, 64.0]
        .iter()
        .flat_map(|&n| [n, n, n])
        .collect();
    let mut noise = Normal { state: 2024 };
    let mut hits = [0usize; 3];
    let mut thits = [0usize; 3];
    for trial in 0..TRIALS {
        let y: Vec<f64> = ns
            .iter()
            .map(|&n| {
                let mean = Usl.predict(&TRUTH, &[n]);
                mean + 10.0 * noise.sample()
            })
            .collect();
        let data = Observations::new("n", "throughput", ns.clone(), y).unwrap();
        let options = FitOptions {
            bootstrap_resamples: 400,
            seed: trial as u64,
            leave_one_out: false,
            ..FitOptions::default()
        };
        let result = fit(&Usl, &data, &options).unwrap();
        for (k, param) in result.params.iter().enumerate() {
            let (lower, upper) = param.bootstrap_interval.unwrap();
            if lower <= TRUTH[k] && TRUTH[k] <= upper {
                hits[k] += 1;
            }
            let (lower, upper) = param.t_interval.unwrap();
            if lower <= TRUTH[k] && TRUTH[k] <= upper {
                thits[k] += 1;
            }
        }
    }
    for (k, name) in ["alpha", "beta", "gamma"].iter().enumerate() {
        let share = hits[k] as f64 / TRIALS as f64;
        assert!(
            (0.90..=0.99).contains(&share),
            "{name}: bootstrap interval covered the truth in {} of {TRIALS} trials \
             (t interval: {})",
            hits[k],
            thits[k]
        );
    }
}
