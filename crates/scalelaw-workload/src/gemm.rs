//! A bounds-checked wrapper around the `gemm` crate's matrix product for `f32`.
//!
//! Matrices are `f32` slices with explicit row and column strides, so a transposed operand
//! is the same slice with its strides swapped and no copy is made.

/// A read-only strided view of an `rows × cols` matrix inside a slice.
#[derive(Clone, Copy)]
pub(crate) struct MatRef<'a> {
    pub data: &'a [f32],
    pub rows: usize,
    pub cols: usize,
    pub row_stride: usize,
    pub col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// Views `data` as a row-major `rows × cols` matrix.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// Returns the transpose, sharing the same storage.
    pub fn t(self) -> Self {
        Self {
            data: self.data,
            rows: self.cols,
            cols: self.rows,
            row_stride: self.col_stride,
            col_stride: self.row_stride,
        }
    }
}

/// Returns the number of elements a strided matrix reaches, or 0 if it is empty.
fn extent(rows: usize, cols: usize, row_stride: usize, col_stride: usize) -> usize {
    if rows == 0 || cols == 0 {
        0
    } else {
        (rows - 1) * row_stride + (cols - 1) * col_stride + 1
    }
}

/// Computes `c = alpha · a · b + beta · c`, where `c` is row-major with `b.cols` columns.
///
/// With `beta == 0` the old contents of `c` are not read, so they may be anything.
///
/// # Panics
///
/// Panics if the shapes do not agree or a view reaches past the end of its slice. Callers
/// size their buffers from one validated model shape, so a panic here is a bug.
pub(crate) fn gemm(alpha: f32, a: MatRef<'_>, b: MatRef<'_>, beta: f32, c: &mut [f32]) {
    let (m, k, n) = (a.rows, a.cols, b.cols);
    assert_eq!(b.rows, k, "gemm: inner dimensions differ");
    assert!(extent(a.rows, a.cols, a.row_stride, a.col_stride) <= a.data.len());
    assert!(extent(b.rows, b.cols, b.row_stride, b.col_stride) <= b.data.len());
    assert!(m * n <= c.len(), "gemm: output buffer too small");
    if m == 0 || n == 0 {
        return;
    }

    // SAFETY: the asserts above check that every element the kernel reads from `a` and `b`
    // and writes in `c` (row-major, `m × n`) lies inside its slice. `c` is a unique borrow,
    // so it does not alias `a` or `b`.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            c.as_mut_ptr(),
            1,
            n as isize,
            beta != 0.0,
            a.data.as_ptr(),
            a.col_stride as isize,
            a.row_stride as isize,
            b.data.as_ptr(),
            b.col_stride as isize,
            b.row_stride as isize,
            beta,
            alpha,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(a: MatRef<'_>, b: MatRef<'_>) -> Vec<f32> {
        let mut c = vec![0.0; a.rows * b.cols];
        for i in 0..a.rows {
            for j in 0..b.cols {
                let mut sum = 0.0;
                for p in 0..a.cols {
                    sum += a.data[i * a.row_stride + p * a.col_stride]
                        * b.data[p * b.row_stride + j * b.col_stride];
                }
                c[i * b.cols + j] = sum;
            }
        }
        c
    }

    #[test]
    fn gemm_matches_naive_product_with_transposes() {
        let a_data: Vec<f32> = (0..15).map(|i| i as f32 * 0.5 - 3.0).collect();
        let b_data: Vec<f32> = (0..20).map(|i| (i as f32).sin()).collect();
        // a is 3×5; b is stored as 4×5 and used transposed, so b.t() is 5×4.
        let a = MatRef::row_major(&a_data, 3, 5);
        let b = MatRef::row_major(&b_data, 4, 5).t();
        let expected = naive(a, b);

        let mut c = vec![f32::NAN; 12];
        gemm(1.0, a, b, 0.0, &mut c);
        for (got, want) in c.iter().zip(&expected) {
            assert!((got - want).abs() < 1e-4, "{got} != {want}");
        }
    }

    #[test]
    fn gemm_accumulates_with_beta_one() {
        let a_data = [1.0, 2.0];
        let b_data = [3.0, 4.0];
        let a = MatRef::row_major(&a_data, 1, 2);
        let b = MatRef::row_major(&b_data, 2, 1);
        let mut c = [10.0];
        gemm(1.0, a, b, 1.0, &mut c);
        assert_eq!(c[0], 21.0);
    }
}
