//! The multilayer perceptron: `inputs → hidden (ReLU) → classes` with a softmax
//! cross-entropy loss, its forward pass and its backward pass (the gradient).
//!
//! All parameters live in one flat `f32` vector so the gradient can be summed across
//! workers by one allreduce. The layout, in order, is
//! `w1` (`inputs × hidden`, row-major), `b1` (`hidden`), `w2` (`hidden × classes`,
//! row-major), `b2` (`classes`). A layer computes `x · w + b` for a row vector `x`.

use std::ops::Range;

use rand::Rng;
use rand_distr::{Distribution, Uniform};

use crate::gemm::{gemm, MatRef};
use crate::MlpShape;

/// Positions of the four parameter tensors inside the flat parameter vector.
#[derive(Clone, Debug)]
pub(crate) struct ParamLayout {
    pub shape: MlpShape,
    pub w1: Range<usize>,
    pub b1: Range<usize>,
    pub w2: Range<usize>,
    pub b2: Range<usize>,
}

impl ParamLayout {
    pub fn new(shape: MlpShape) -> Self {
        let MlpShape {
            inputs,
            hidden,
            classes,
        } = shape;
        let w1 = 0..inputs * hidden;
        let b1 = w1.end..w1.end + hidden;
        let w2 = b1.end..b1.end + hidden * classes;
        let b2 = w2.end..w2.end + classes;
        Self {
            shape,
            w1,
            b1,
            w2,
            b2,
        }
    }

    pub fn len(&self) -> usize {
        self.b2.end
    }
}

/// Draws initial parameters the way PyTorch's `nn.Linear` does by default: weights and
/// biases uniform in `[-1/√fan_in, 1/√fan_in]`, where `fan_in` is the layer's input size.
pub(crate) fn init_params(layout: &ParamLayout, rng: &mut impl Rng) -> Vec<f32> {
    let mut params = vec![0.0; layout.len()];
    let first = Uniform::new_inclusive(-1.0, 1.0)
        .expect("bounds are finite")
        .map(|u: f32| u / (layout.shape.inputs as f32).sqrt());
    let second = Uniform::new_inclusive(-1.0, 1.0)
        .expect("bounds are finite")
        .map(|u: f32| u / (layout.shape.hidden as f32).sqrt());
    for range in [layout.w1.clone(), layout.b1.clone()] {
        params[range]
            .iter_mut()
            .for_each(|p| *p = first.sample(rng));
    }
    for range in [layout.w2.clone(), layout.b2.clone()] {
        params[range]
            .iter_mut()
            .for_each(|p| *p = second.sample(rng));
    }
    params
}

/// Scratch buffers for one shard of `rows` samples, reused across steps.
pub(crate) struct Workspace {
    rows: usize,
    hidden: Vec<f32>,
    logits: Vec<f32>,
    hidden_grad: Vec<f32>,
}

impl Workspace {
    pub fn new(shape: MlpShape, rows: usize) -> Self {
        Self {
            rows,
            hidden: vec![0.0; rows * shape.hidden],
            logits: vec![0.0; rows * shape.classes],
            hidden_grad: vec![0.0; rows * shape.hidden],
        }
    }
}

/// Computes the forward and backward pass on one shard.
///
/// `inputs` is row-major `rows × shape.inputs`, and `labels` contains one class per row. The
/// gradient of `scale · Σ loss_i` over the shard's rows is written to `grad` (same layout
/// as the parameters, old contents overwritten), and `Σ loss_i`, unscaled, is returned.
/// With `scale = 1 / global_batch` the gradients of all shards add up to the gradient of
/// the mean loss over the global batch.
pub(crate) fn loss_and_gradient(
    layout: &ParamLayout,
    params: &[f32],
    inputs: &[f32],
    labels: &[u32],
    scale: f32,
    workspace: &mut Workspace,
    grad: &mut [f32],
) -> f64 {
    let MlpShape {
        inputs: n_in,
        hidden: n_hidden,
        classes: n_classes,
    } = layout.shape;
    let rows = workspace.rows;
    assert_eq!(labels.len(), rows);
    assert_eq!(inputs.len(), rows * n_in);
    assert_eq!(params.len(), layout.len());
    assert!(grad.len() >= layout.len());

    let x = MatRef::row_major(inputs, rows, n_in);
    let w1 = MatRef::row_major(&params[layout.w1.clone()], n_in, n_hidden);
    let w2 = MatRef::row_major(&params[layout.w2.clone()], n_hidden, n_classes);
    let hidden = &mut workspace.hidden;
    let logits = &mut workspace.logits;
    let hidden_grad = &mut workspace.hidden_grad;

    // Forward: hidden = relu(x · w1 + b1), logits = hidden · w2 + b2.
    for row in hidden.chunks_exact_mut(n_hidden) {
        row.copy_from_slice(&params[layout.b1.clone()]);
    }
    gemm(1.0, x, w1, 1.0, hidden);
    for h in hidden.iter_mut() {
        *h = h.max(0.0);
    }
    for row in logits.chunks_exact_mut(n_classes) {
        row.copy_from_slice(&params[layout.b2.clone()]);
    }
    let hidden_view = MatRef::row_major(hidden, rows, n_hidden);
    gemm(1.0, hidden_view, w2, 1.0, logits);

    // Softmax cross-entropy. The logits are replaced in place by
    // d(scale · loss)/d(logits) = scale · (softmax(logits) − onehot(label)).
    let mut loss_sum = 0.0f64;
    for (row, &label) in logits.chunks_exact_mut(n_classes).zip(labels) {
        let label = label as usize;
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let shifted_label = row[label] - max;
        let mut exp_sum = 0.0f32;
        for z in row.iter_mut() {
            *z = (*z - max).exp();
            exp_sum += *z;
        }
        // loss = ln Σ exp(z − max) − (z_label − max), which cannot overflow.
        loss_sum += f64::from(exp_sum.ln() - shifted_label);
        let factor = scale / exp_sum;
        for z in row.iter_mut() {
            *z *= factor;
        }
        row[label] -= scale;
    }
    let logits_grad = MatRef::row_major(logits, rows, n_classes);

    // Backward through the second layer.
    let (grad_w1_b1, grad_w2_b2) = grad[..layout.len()].split_at_mut(layout.w2.start);
    let (grad_w2, grad_b2) = grad_w2_b2.split_at_mut(layout.w2.len());
    gemm(1.0, hidden_view.t(), logits_grad, 0.0, grad_w2);
    sum_rows(logits, n_classes, grad_b2);
    gemm(1.0, logits_grad, w2.t(), 0.0, hidden_grad);
    // A select on every element, not a conditional store, so the loop vectorises.
    for (dh, &h) in hidden_grad.iter_mut().zip(hidden.iter()) {
        *dh = if h > 0.0 { *dh } else { 0.0 };
    }

    // Backward through the first layer.
    let (grad_w1, grad_b1) = grad_w1_b1.split_at_mut(layout.w1.len());
    let hidden_grad_view = MatRef::row_major(hidden_grad, rows, n_hidden);
    gemm(1.0, x.t(), hidden_grad_view, 0.0, grad_w1);
    sum_rows(hidden_grad, n_hidden, grad_b1);

    loss_sum
}

/// Writes the column sums of the row-major matrix `matrix` (with `cols` columns) to `out`.
fn sum_rows(matrix: &[f32], cols: usize, out: &mut [f32]) {
    out.fill(0.0);
    for row in matrix.chunks_exact(cols) {
        for (sum, &value) in out.iter_mut().zip(row) {
            *sum += value;
        }
    }
}

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use rand_distr::StandardNormal;

    use super::*;

    /// Mean cross-entropy over the batch, computed in `f64` with plain loops: an
    /// implementation independent of the `f32` gemm path under test.
    fn mean_loss_f64(layout: &ParamLayout, params: &[f64], inputs: &[f32], labels: &[u32]) -> f64 {
        let MlpShape {
            inputs: n_in,
            hidden: n_hidden,
            classes: n_classes,
        } = layout.shape;
        let mut total = 0.0;
        for (x, &label) in inputs.chunks_exact(n_in).zip(labels) {
            let mut hidden = vec![0.0f64; n_hidden];
            for (j, h) in hidden.iter_mut().enumerate() {
                let mut sum = params[layout.b1.start + j];
                for (i, &xi) in x.iter().enumerate() {
                    sum += f64::from(xi) * params[layout.w1.start + i * n_hidden + j];
                }
                *h = sum.max(0.0);
            }
            let mut logits = vec![0.0f64; n_classes];
            for (k, z) in logits.iter_mut().enumerate() {
                let mut sum = params[layout.b2.start + k];
                for (j, &h) in hidden.iter().enumerate() {
                    sum += h * params[layout.w2.start + j * n_classes + k];
                }
                *z = sum;
            }
            let max = logits.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let log_sum: f64 = logits.iter().map(|z| (z - max).exp()).sum::<f64>().ln();
            total += log_sum + max - logits[label as usize];
        }
        total / labels.len() as f64
    }

    fn random_problem(
        shape: MlpShape,
        rows: usize,
        seed: u64,
    ) -> (ParamLayout, Vec<f32>, Vec<f32>, Vec<u32>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let layout = ParamLayout::new(shape);
        let params = init_params(&layout, &mut rng);
        let inputs: Vec<f32> = (0..rows * shape.inputs)
            .map(|_| rng.sample(StandardNormal))
            .collect();
        let labels: Vec<u32> = (0..rows)
            .map(|_| rng.random_range(0..shape.classes as u32))
            .collect();
        (layout, params, inputs, labels)
    }

    #[test]
    fn gradient_matches_central_differences() {
        let shape = MlpShape {
            inputs: 7,
            hidden: 9,
            classes: 4,
        };
        let rows = 6;
        let (layout, params, inputs, labels) = random_problem(shape, rows, 11);

        let mut workspace = Workspace::new(shape, rows);
        let mut grad = vec![f32::NAN; layout.len()];
        let loss_sum = loss_and_gradient(
            &layout,
            &params,
            &inputs,
            &labels,
            1.0 / rows as f32,
            &mut workspace,
            &mut grad,
        );

        let mut params_f64: Vec<f64> = params.iter().map(|&p| f64::from(p)).collect();
        let mean_loss = mean_loss_f64(&layout, &params_f64, &inputs, &labels);
        assert!(
            (loss_sum / rows as f64 - mean_loss).abs() < 1e-5,
            "f32 loss {} vs f64 loss {mean_loss}",
            loss_sum / rows as f64
        );

        // Central differences in f64 have an error near 1e-10 at this step, far below the
        // f32 rounding of the analytic gradient, so the tolerance is set by f32.
        let step = 1e-5;
        for index in 0..layout.len() {
            let original = params_f64[index];
            params_f64[index] = original + step;
            let plus = mean_loss_f64(&layout, &params_f64, &inputs, &labels);
            params_f64[index] = original - step;
            let minus = mean_loss_f64(&layout, &params_f64, &inputs, &labels);
            params_f64[index] = original;

            let numeric = (plus - minus) / (2.0 * step);
            let analytic = f64::from(grad[index]);
            let tolerance = 1e-5 + 1e-4 * numeric.abs();
            assert!(
                (analytic - numeric).abs() < tolerance,
                "parameter {index}: analytic {analytic} vs numeric {numeric}"
            );
        }
    }

    #[test]
    fn shard_gradients_add_up_to_batch_gradient() {
        let shape = MlpShape {
            inputs: 5,
            hidden: 8,
            classes: 3,
        };
        let rows = 12;
        let (layout, params, inputs, labels) = random_problem(shape, rows, 5);
        let scale = 1.0 / rows as f32;

        let mut whole = vec![0.0; layout.len()];
        let whole_loss = loss_and_gradient(
            &layout,
            &params,
            &inputs,
            &labels,
            scale,
            &mut Workspace::new(shape, rows),
            &mut whole,
        );

        let mut summed = vec![0.0f32; layout.len()];
        let mut summed_loss = 0.0;
        let shard = rows / 3;
        for part in 0..3 {
            let mut grad = vec![0.0; layout.len()];
            summed_loss += loss_and_gradient(
                &layout,
                &params,
                &inputs[part * shard * shape.inputs..(part + 1) * shard * shape.inputs],
                &labels[part * shard..(part + 1) * shard],
                scale,
                &mut Workspace::new(shape, shard),
                &mut grad,
            );
            summed.iter_mut().zip(&grad).for_each(|(s, g)| *s += g);
        }

        assert!((whole_loss - summed_loss).abs() < 1e-4);
        for (index, (a, b)) in whole.iter().zip(&summed).enumerate() {
            assert!((a - b).abs() < 1e-5, "parameter {index}: {a} vs {b}");
        }
    }

    #[test]
    fn init_params_within_fan_in_bounds() {
        let shape = MlpShape::default();
        let layout = ParamLayout::new(shape);
        let params = init_params(&layout, &mut ChaCha8Rng::seed_from_u64(1));
        let first_bound = 1.0 / (shape.inputs as f32).sqrt();
        let second_bound = 1.0 / (shape.hidden as f32).sqrt();
        assert!(params[layout.w1.clone()]
            .iter()
            .all(|p| p.abs() <= first_bound));
        assert!(params[layout.b1.clone()]
            .iter()
            .all(|p| p.abs() <= first_bound));
        assert!(params[layout.w2.clone()]
            .iter()
            .all(|p| p.abs() <= second_bound));
        assert!(params[layout.b2.clone()]
            .iter()
            .all(|p| p.abs() <= second_bound));
    }
}
