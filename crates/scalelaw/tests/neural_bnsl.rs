//! The broken power law fit against Caballero, Gupta, Rish & Krueger, "Broken Neural
//! Scaling Laws" (arXiv:2210.14891, ICLR 2023), Figure 4 left: 4-digit addition, test
//! cross-entropy against training set size. Expected values are those recorded in
//! data/bnsl_4digit_addition/SOURCES.md.

mod common;

use scalelaw::neural::bnsl::{fit_bnsl, rms_log_error};

/// Reads (x, y) of the points marked `split` in the bundled file.
fn points(split: &str) -> (Vec<f64>, Vec<f64>) {
    let path = common::data_path("bnsl_4digit_addition/bnsl_4digit_addition.csv");
    let text = std::fs::read_to_string(path).expect("bundled data file exists");
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let cells: Vec<&str> = line.split(',').collect();
        if cells[2] == split {
            x.push(cells[0].parse().unwrap());
            y.push(cells[1].parse().unwrap());
        }
    }
    (x, y)
}

#[test]
fn bnsl_reproduces_caballero_parameters() {
    let (x, y) = points("fit");
    assert_eq!(x.len(), 14);
    let fit = fit_bnsl(&x, &y).unwrap();
    let expected = [
        ("a", 0.413885),
        ("b", 2.27727),
        ("c0", 0.0550774),
        ("c1", 5.66291),
        ("d1", 612.584),
        ("f1", 0.0591931),
    ];
    for (name, value) in expected {
        let ours = fit.param(name).unwrap().value;
        assert!(
            ((ours - value) / value).abs() < 1e-3,
            "{name} = {ours}, expected {value}"
        );
    }
    // RMSLE on the fit points 0.00060.
    let rmsle = fit.rms_log_error.unwrap();
    assert!((rmsle - 0.00060).abs() < 0.000005, "RMSLE {rmsle}");
}

#[test]
fn bnsl_extrapolates_like_caballero() {
    // Predictions at x = 800, 864, 928: 0.7602, 0.6375, 0.5626; RMSLE on these 3
    // extrapolation points 0.0109.
    let (x, y) = points("fit");
    let fit = fit_bnsl(&x, &y).unwrap();
    let (x_new, y_new) = points("extrapolate");
    for (xv, expected) in x_new.iter().zip([0.7602, 0.6375, 0.5626]) {
        let predicted = fit.predict(*xv);
        assert!((predicted - expected).abs() < 5e-5, "x {xv}: {predicted}");
    }
    let rmsle = rms_log_error(&fit.theta(), &x_new, &y_new).unwrap();
    assert!((rmsle - 0.0109).abs() < 5e-4, "extrapolation RMSLE {rmsle}");
}

#[test]
fn bnsl_rejects_too_few_points() {
    let err = fit_bnsl(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]).unwrap_err();
    assert!(err.to_string().contains("needs at least 6"), "{err}");
}

#[test]
fn bnsl_rejects_non_positive_scale() {
    let x = [0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let y = [3.0, 2.9, 2.8, 2.7, 2.6, 2.5, 2.4];
    let err = fit_bnsl(&x, &y).unwrap_err();
    assert!(err.to_string().contains("above zero"), "{err}");
}
