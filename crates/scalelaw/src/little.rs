//! Little's law, N = X·R: the mean number in a stable system equals the arrival rate
//! times the mean time spent in it (J. D. C. Little, "A proof for the queuing formula
//! L = λW", Operations Research 9(3), 1961). Given any two of concurrency N, throughput
//! X and response time R, it gives the third.

use thiserror::Error;

/// Problems deriving the third quantity.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum LittleError {
    #[error("Little's law needs exactly two of concurrency, throughput and response time; {0}")]
    WrongCount(String),
    #[error("the columns have different lengths ({0} and {1})")]
    LengthMismatch(usize, usize),
    #[error("row {row}: {quantity} is {value}, but Little's law needs values above zero")]
    NonPositive {
        row: usize,
        quantity: &'static str,
        value: f64,
    },
}

/// Concurrency, throughput and response time, one value per observation.
#[derive(Debug, Clone, PartialEq)]
pub struct LittleColumns {
    pub concurrency: Vec<f64>,
    pub throughput: Vec<f64>,
    pub response_time: Vec<f64>,
}

/// Completes the triple from any two of the three columns.
pub fn complete(
    concurrency: Option<&[f64]>,
    throughput: Option<&[f64]>,
    response_time: Option<&[f64]>,
) -> Result<LittleColumns, LittleError> {
    let given = [
        concurrency.map(|c| ("concurrency", c)),
        throughput.map(|c| ("throughput", c)),
        response_time.map(|c| ("response time", c)),
    ];
    let present: Vec<(&'static str, &[f64])> = given.iter().flatten().copied().collect();
    if present.len() != 2 {
        return Err(LittleError::WrongCount(format!("{} given", present.len())));
    }
    let (a, b) = (present[0].1, present[1].1);
    if a.len() != b.len() {
        return Err(LittleError::LengthMismatch(a.len(), b.len()));
    }
    for (quantity, column) in &present {
        if let Some((row, &value)) = column
            .iter()
            .enumerate()
            .find(|(_, v)| v.is_nan() || **v <= 0.0)
        {
            return Err(LittleError::NonPositive {
                row: row + 1,
                quantity,
                value,
            });
        }
    }
    let product = |p: &[f64], q: &[f64]| p.iter().zip(q).map(|(u, v)| u * v).collect::<Vec<_>>();
    let ratio = |p: &[f64], q: &[f64]| p.iter().zip(q).map(|(u, v)| u / v).collect::<Vec<_>>();
    Ok(match (concurrency, throughput, response_time) {
        (None, Some(x), Some(r)) => LittleColumns {
            concurrency: product(x, r),
            throughput: x.to_vec(),
            response_time: r.to_vec(),
        },
        (Some(n), None, Some(r)) => LittleColumns {
            concurrency: n.to_vec(),
            throughput: ratio(n, r),
            response_time: r.to_vec(),
        },
        (Some(n), Some(x), None) => LittleColumns {
            concurrency: n.to_vec(),
            throughput: x.to_vec(),
            response_time: ratio(n, x),
        },
        _ => unreachable!("exactly two columns are present"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn complete_derives_concurrency() {
        // Isilon SFS2008 first row: 25504 ops/s at 0.0007 s is 17.8528 in the system.
        let cols = complete(None, Some(&[25504.0]), Some(&[0.0007])).unwrap();
        assert!((cols.concurrency[0] - 17.8528).abs() < 1e-9);
    }

    #[test]
    fn complete_derives_throughput_and_time() {
        let cols = complete(Some(&[10.0]), None, Some(&[0.5])).unwrap();
        assert_eq!(cols.throughput, vec![20.0]);
        let cols = complete(Some(&[10.0]), Some(&[20.0]), None).unwrap();
        assert_eq!(cols.response_time, vec![0.5]);
    }

    #[test]
    fn complete_rejects_three_columns() {
        let err = complete(Some(&[1.0]), Some(&[1.0]), Some(&[1.0])).unwrap_err();
        assert!(matches!(err, LittleError::WrongCount(_)));
    }

    #[test]
    fn complete_rejects_zero_time() {
        let err = complete(Some(&[1.0]), None, Some(&[0.0])).unwrap_err();
        assert!(matches!(err, LittleError::NonPositive { row: 1, .. }));
    }
}
