//! The Adam optimiser (Kingma and Ba, "Adam: A Method for Stochastic Optimization",
//! ICLR 2015, Algorithm 1), with the defaults and update order of PyTorch's
//! `torch.optim.Adam`: β1 = 0.9, β2 = 0.999, ε = 1e-8, ε added after the square root of
//! the bias-corrected second moment, no weight decay.

pub(crate) struct Adam {
    learning_rate: f32,
    beta1: f32,
    beta2: f32,
    epsilon: f32,
    step: i32,
    first_moment: Vec<f32>,
    second_moment: Vec<f32>,
}

impl Adam {
    pub fn new(parameter_count: usize, learning_rate: f32) -> Self {
        Self {
            learning_rate,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            step: 0,
            first_moment: vec![0.0; parameter_count],
            second_moment: vec![0.0; parameter_count],
        }
    }

    /// Applies one update to `params` from the gradient `grad`.
    pub fn update(&mut self, params: &mut [f32], grad: &[f32]) {
        assert_eq!(params.len(), self.first_moment.len());
        assert_eq!(grad.len(), params.len());
        self.step = self.step.saturating_add(1);

        let (beta1, beta2) = (self.beta1, self.beta2);
        let step_size = self.learning_rate / (1.0 - beta1.powi(self.step));
        let inverse_root_correction = 1.0 / (1.0 - beta2.powi(self.step)).sqrt();
        let epsilon = self.epsilon;
        let moments = self
            .first_moment
            .iter_mut()
            .zip(self.second_moment.iter_mut());
        for ((p, &g), (m, v)) in params.iter_mut().zip(grad).zip(moments) {
            *m = beta1 * *m + (1.0 - beta1) * g;
            *v = beta2 * *v + (1.0 - beta2) * g * g;
            let denominator = v.sqrt() * inverse_root_correction + epsilon;
            *p -= step_size * *m / denominator;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adam_first_step_moves_by_learning_rate() {
        // After one step the bias-corrected moments are g and g², so every parameter
        // moves by lr · g / (|g| + ε), which is lr in the direction of −g.
        let mut adam = Adam::new(3, 0.01);
        let mut params = [1.0, 1.0, 1.0];
        adam.update(&mut params, &[0.5, -2.0, 1e-3]);
        assert!((params[0] - 0.99).abs() < 1e-6);
        assert!((params[1] - 1.01).abs() < 1e-6);
        assert!((params[2] - 0.99).abs() < 1e-5);
    }

    #[test]
    fn adam_minimises_quadratic() {
        // f(p) = Σ (p − 3)², gradient 2 (p − 3).
        let mut adam = Adam::new(2, 0.1);
        let mut params = [0.0f32, 10.0];
        for _ in 0..2000 {
            let grad: Vec<f32> = params.iter().map(|p| 2.0 * (p - 3.0)).collect();
            adam.update(&mut params, &grad);
        }
        for p in params {
            assert!((p - 3.0).abs() < 1e-2, "{p}");
        }
    }
}
