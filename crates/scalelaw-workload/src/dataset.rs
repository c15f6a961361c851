//! The training data: Gaussian inputs labelled by a fixed random teacher network.
//!
//! The teacher is a seeded MLP `inputs → 32 (ReLU) → classes` with Gaussian weights; a
//! sample's label is the class with the largest teacher logit. A student with at least as
//! many hidden units can represent the teacher, so the loss can fall far below ln(classes).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::gemm::{gemm, MatRef};
use crate::MlpShape;

/// Hidden units of the teacher network, fixed so the task is the same for any student.
const TEACHER_HIDDEN: usize = 32;

/// Samples labelled per teacher pass, to bound the teacher's scratch memory.
const LABEL_CHUNK: usize = 4096;

/// Random-number streams of one seed, so changing one use does not shift the others.
pub(crate) mod stream {
    pub const TEACHER: u64 = 0;
    pub const INPUTS: u64 = 1;
    pub const INITIAL_WEIGHTS: u64 = 2;
}

/// Returns the generator of `stream` for `seed`.
pub(crate) fn rng_for(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Samples stored row-major, one row of `inputs` values per sample.
pub(crate) struct Dataset {
    inputs: Vec<f32>,
    labels: Vec<u32>,
    input_dim: usize,
}

impl Dataset {
    /// Generates `size` samples for a model of shape `shape` from `seed`.
    pub fn generate(shape: MlpShape, size: usize, seed: u64) -> Self {
        let teacher = Teacher::new(shape, &mut rng_for(seed, stream::TEACHER));

        let mut rng = rng_for(seed, stream::INPUTS);
        let inputs: Vec<f32> = (0..size * shape.inputs)
            .map(|_| rng.sample(StandardNormal))
            .collect();

        let mut labels = Vec::with_capacity(size);
        for chunk in inputs.chunks(LABEL_CHUNK * shape.inputs) {
            teacher.label(chunk, &mut labels);
        }
        Self {
            inputs,
            labels,
            input_dim: shape.inputs,
        }
    }

    /// Returns the inputs and labels of rows `start..start + rows`.
    pub fn rows(&self, start: usize, rows: usize) -> (&[f32], &[u32]) {
        let inputs = &self.inputs[start * self.input_dim..(start + rows) * self.input_dim];
        (inputs, &self.labels[start..start + rows])
    }
}

/// The labelling network.
struct Teacher {
    shape: MlpShape,
    w1: Vec<f32>,
    /// Expected value of each hidden unit over Gaussian inputs, subtracted before the
    /// output layer so that no class wins on most samples.
    hidden_mean: Vec<f32>,
    w2: Vec<f32>,
}

impl Teacher {
    fn new(shape: MlpShape, rng: &mut impl Rng) -> Self {
        let mut gaussian = |count: usize, fan_in: usize| -> Vec<f32> {
            let scale = 1.0 / (fan_in as f32).sqrt();
            (0..count)
                .map(|_| rng.sample::<f32, _>(StandardNormal) * scale)
                .collect()
        };
        let w1 = gaussian(shape.inputs * TEACHER_HIDDEN, shape.inputs);
        let w2 = gaussian(TEACHER_HIDDEN * shape.classes, TEACHER_HIDDEN);

        // For x ~ N(0, I), unit j's pre-activation is N(0, ‖w1[:, j]‖²), and the mean of
        // max(0, N(0, σ²)) is σ / √(2π).
        let hidden_mean = (0..TEACHER_HIDDEN)
            .map(|j| {
                let norm_squared: f32 = (0..shape.inputs)
                    .map(|i| w1[i * TEACHER_HIDDEN + j].powi(2))
                    .sum();
                norm_squared.sqrt() / (2.0 * std::f32::consts::PI).sqrt()
            })
            .collect();
        Self {
            shape,
            w1,
            hidden_mean,
            w2,
        }
    }

    /// Appends the label of every row of `inputs` to `labels`.
    fn label(&self, inputs: &[f32], labels: &mut Vec<u32>) {
        let rows = inputs.len() / self.shape.inputs;
        let classes = self.shape.classes;
        let mut hidden = vec![0.0; rows * TEACHER_HIDDEN];
        gemm(
            1.0,
            MatRef::row_major(inputs, rows, self.shape.inputs),
            MatRef::row_major(&self.w1, self.shape.inputs, TEACHER_HIDDEN),
            0.0,
            &mut hidden,
        );
        for row in hidden.chunks_exact_mut(TEACHER_HIDDEN) {
            for (h, mean) in row.iter_mut().zip(&self.hidden_mean) {
                *h = h.max(0.0) - mean;
            }
        }
        let mut logits = vec![0.0; rows * classes];
        gemm(
            1.0,
            MatRef::row_major(&hidden, rows, TEACHER_HIDDEN),
            MatRef::row_major(&self.w2, TEACHER_HIDDEN, classes),
            0.0,
            &mut logits,
        );
        for row in logits.chunks_exact(classes) {
            let mut best = 0;
            for (class, &z) in row.iter().enumerate() {
                if z > row[best] {
                    best = class;
                }
            }
            labels.push(best as u32);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dataset_same_seed_same_data() {
        let shape = MlpShape::default();
        let a = Dataset::generate(shape, 500, 3);
        let b = Dataset::generate(shape, 500, 3);
        assert_eq!(a.inputs, b.inputs);
        assert_eq!(a.labels, b.labels);
        let c = Dataset::generate(shape, 500, 4);
        assert_ne!(a.labels, c.labels);
    }

    #[test]
    fn dataset_uses_every_class() {
        // With centred hidden units no class is rare, so every class must have over a
        // third of its even share.
        let shape = MlpShape::default();
        let size = 20_000;
        let dataset = Dataset::generate(shape, size, 0);
        let mut counts = vec![0usize; shape.classes];
        for &label in &dataset.labels {
            counts[label as usize] += 1;
        }
        let even_share = size / shape.classes;
        for (class, &count) in counts.iter().enumerate() {
            assert!(count > even_share / 3, "class {class}: {count} of {size}");
        }
    }
}
