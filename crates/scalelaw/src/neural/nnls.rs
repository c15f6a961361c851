//! Nonnegative least squares for two or three coefficients, by enumerating supports.
//!
//! The NNLS solution is the least-squares solution on some support (set of
//! coefficients left free, the others held at zero). With at most three coefficients
//! there are at most seven supports, so every unconstrained solution on a support is
//! computed and the best one with no negative coefficient is kept. This is exact, and
//! for so few coefficients faster than the active-set method of Lawson & Hanson
//! (*Solving Least Squares Problems*, 1974, ch. 23).

use nalgebra::{Matrix3, Vector3};

/// Minimises Σ wᵢ²(c·xᵢ − yᵢ)² over c ≥ 0, with xᵢ = `columns[i]` and wᵢ = 1 when
/// `weights` is `None`. Returns the coefficients and the weighted residual sum of
/// squares. A coefficient whose column is all zero stays zero.
pub fn solve3(columns: &[[f64; 3]], y: &[f64], weights: Option<&[f64]>) -> ([f64; 3], f64) {
    let mut gram = Matrix3::<f64>::zeros();
    let mut rhs = Vector3::<f64>::zeros();
    let mut yy = 0.0;
    for (i, x) in columns.iter().enumerate() {
        let w = weights.map_or(1.0, |w| w[i]);
        let w2 = w * w;
        for a in 0..3 {
            rhs[a] += w2 * x[a] * y[i];
            for b in a..3 {
                gram[(a, b)] += w2 * x[a] * x[b];
            }
        }
        yy += w2 * y[i] * y[i];
    }
    for a in 0..3 {
        for b in 0..a {
            gram[(a, b)] = gram[(b, a)];
        }
    }
    solve3_normal(&gram, &rhs, yy)
}

/// Solves the NNLS problem given its normal equations: minimises
/// cᵀGc − 2hᵀc + yy over c ≥ 0.
pub fn solve3_normal(gram: &Matrix3<f64>, rhs: &Vector3<f64>, yy: f64) -> ([f64; 3], f64) {
    // Scale to unit diagonal: power-law columns differ by many orders of magnitude.
    let scale: [f64; 3] = std::array::from_fn(|k| {
        let d = gram[(k, k)];
        if d > 0.0 && d.is_finite() {
            1.0 / d.sqrt()
        } else {
            0.0
        }
    });
    let mut best = ([0.0; 3], yy.max(0.0));
    for support in 1u8..8 {
        let free: Vec<usize> = (0..3)
            .filter(|&k| support & (1 << k) != 0 && scale[k] > 0.0)
            .collect();
        if free.len() != support.count_ones() as usize {
            continue;
        }
        let m = free.len();
        let sub = nalgebra::DMatrix::from_fn(m, m, |i, j| {
            gram[(free[i], free[j])] * scale[free[i]] * scale[free[j]]
        });
        let sub_rhs = nalgebra::DVector::from_fn(m, |i, _| rhs[free[i]] * scale[free[i]]);
        let Some(solution) = sub.lu().solve(&sub_rhs) else {
            continue;
        };
        let mut coefficients = [0.0; 3];
        let mut feasible = true;
        for (i, &k) in free.iter().enumerate() {
            let value = solution[i] * scale[k];
            if !(value >= 0.0 && value.is_finite()) {
                feasible = false;
            }
            coefficients[k] = value;
        }
        if !feasible {
            continue;
        }
        let c = Vector3::from(coefficients);
        let rss = (c.dot(&(gram * c)) - 2.0 * rhs.dot(&c) + yy).max(0.0);
        if rss < best.1 {
            best = (coefficients, rss);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn solve3_recovers_exact_positive_coefficients() {
        let columns: Vec<[f64; 3]> = (1..=6)
            .map(|i| {
                let x = i as f64;
                [1.0, x.powf(-0.5), x.powf(-1.5)]
            })
            .collect();
        let y: Vec<f64> = columns
            .iter()
            .map(|c| 2.0 * c[0] + 3.0 * c[1] + 0.5 * c[2])
            .collect();
        let (coefficients, rss) = solve3(&columns, &y, None);
        assert!((coefficients[0] - 2.0).abs() < 1e-9);
        assert!((coefficients[1] - 3.0).abs() < 1e-9);
        assert!((coefficients[2] - 0.5).abs() < 1e-9);
        assert!(rss < 1e-18);
    }

    #[test]
    fn solve3_clamps_negative_coefficient_to_zero() {
        // y = 1 − x on x = 0..4 has a negative mean and a negative slope, so every
        // support's unconstrained solution has a negative coefficient and c = 0 wins.
        let columns: Vec<[f64; 3]> = (0..5).map(|i| [1.0, i as f64, 0.0]).collect();
        let y: Vec<f64> = (0..5).map(|i| 1.0 - i as f64).collect();
        let (coefficients, rss) = solve3(&columns, &y, None);
        assert_eq!(coefficients[0], 0.0);
        assert_eq!(coefficients[1], 0.0);
        assert_eq!(coefficients[2], 0.0);
        // With c = 0 the residual sum of squares is Σy² = 1 + 0 + 1 + 4 + 9 = 15.
        assert!((rss - 15.0).abs() < 1e-9);
    }
}
