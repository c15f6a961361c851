//! The M/M/c queue: Erlang B and Erlang C, mean and percentile waiting and response
//! times.
//!
//! Model: Poisson arrivals at rate λ, exponential service at rate μ per server, c
//! identical servers, first-come first-served, an infinite queue and an infinite
//! population of sources. The offered load is a = λ/μ erlangs and the utilisation
//! ρ = a/c; the queue is stable only when ρ < 1.
//!
//! Erlang B comes from the recursion B(0) = 1, B(k) = a·B(k−1)/(k + a·B(k−1)), which
//! never forms a^c or c! and so stays finite for thousands of servers. Erlang C, the
//! probability that an arrival waits, follows from it as C = c·B/(c − a(1 − B)).
//! Under FCFS the wait is 0 with probability 1 − C and otherwise exponential with rate
//! cμ − λ, and the response time is the wait plus an independent exponential service
//! time. These are the standard M/M/c results. The tests check the recursion against
//! the sum form of Erlang C and against closed forms for one, two and three servers.

use thiserror::Error;

/// Invalid settings of an M/M/c queue.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum QueueError {
    #[error("the {name} must be a finite number above zero, got {value}")]
    InvalidRate { name: &'static str, value: f64 },
    #[error("an M/M/c queue needs at least one server")]
    NoServers,
    #[error(
        "the queue is unstable: arrivals at {arrival_rate} per second reach or exceed the \
         capacity of {capacity} per second (utilisation {utilisation}); add servers"
    )]
    Unstable {
        arrival_rate: f64,
        capacity: f64,
        utilisation: f64,
    },
}

/// Erlang B: the probability that an arrival finds all `servers` busy in a loss
/// system with offered load `load` erlangs.
pub fn erlang_b(servers: u64, load: f64) -> f64 {
    let mut blocking = 1.0;
    for k in 1..=servers {
        blocking = load * blocking / (k as f64 + load * blocking);
    }
    blocking
}

/// Erlang C: the probability that an arrival waits in an M/M/c queue with `servers`
/// servers and offered load `load` erlangs. Returns 1 when `load >= servers`, because
/// every arrival then waits.
pub fn erlang_c(servers: u64, load: f64) -> f64 {
    let c = servers as f64;
    if load >= c {
        return 1.0;
    }
    let blocking = erlang_b(servers, load);
    c * blocking / (c - load * (1.0 - blocking))
}

/// A stable M/M/c queue.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MmcQueue {
    arrival_rate: f64,
    service_rate: f64,
    servers: u64,
    wait_probability: f64,
}

impl MmcQueue {
    /// Builds the queue with arrivals at `arrival_rate` and service at `service_rate`
    /// per server (both per second), rejecting non-positive rates and unstable queues.
    pub fn new(arrival_rate: f64, service_rate: f64, servers: u64) -> Result<Self, QueueError> {
        for (name, value) in [
            ("arrival rate", arrival_rate),
            ("service rate", service_rate),
        ] {
            if !(value.is_finite() && value > 0.0) {
                return Err(QueueError::InvalidRate { name, value });
            }
        }
        if servers == 0 {
            return Err(QueueError::NoServers);
        }
        let capacity = service_rate * servers as f64;
        if arrival_rate >= capacity {
            return Err(QueueError::Unstable {
                arrival_rate,
                capacity,
                utilisation: arrival_rate / capacity,
            });
        }
        Ok(Self {
            arrival_rate,
            service_rate,
            servers,
            wait_probability: erlang_c(servers, arrival_rate / service_rate),
        })
    }

    pub fn servers(&self) -> u64 {
        self.servers
    }

    /// Offered load a = λ/μ in erlangs.
    pub fn offered_load(&self) -> f64 {
        self.arrival_rate / self.service_rate
    }

    /// Utilisation ρ = λ/(cμ), the share of time a server is busy.
    pub fn utilisation(&self) -> f64 {
        self.offered_load() / self.servers as f64
    }

    /// Probability that an arrival waits (Erlang C).
    pub fn wait_probability(&self) -> f64 {
        self.wait_probability
    }

    /// Rate cμ − λ of the exponential tail of the waiting time.
    fn drain_rate(&self) -> f64 {
        self.service_rate * self.servers as f64 - self.arrival_rate
    }

    /// Mean service time 1/μ in seconds.
    pub fn mean_service_time(&self) -> f64 {
        1.0 / self.service_rate
    }

    /// Mean time in the queue before service, Wq = C/(cμ − λ), in seconds.
    pub fn mean_wait(&self) -> f64 {
        self.wait_probability / self.drain_rate()
    }

    /// Mean response time W = Wq + 1/μ in seconds.
    pub fn mean_response_time(&self) -> f64 {
        self.mean_wait() + self.mean_service_time()
    }

    /// Mean number waiting, Lq = λ·Wq (Little's law).
    pub fn mean_queue_length(&self) -> f64 {
        self.arrival_rate * self.mean_wait()
    }

    /// Quantile of the waiting time at probability `p` in [0, 1), in seconds:
    /// 0 when 1 − p ≥ C, else ln(C/(1 − p))/(cμ − λ).
    pub fn wait_percentile(&self, p: f64) -> f64 {
        let tail = 1.0 - p;
        if tail >= self.wait_probability {
            0.0
        } else {
            (self.wait_probability / tail).ln() / self.drain_rate()
        }
    }

    /// Probability that the response time exceeds `t` seconds.
    ///
    /// The response time is the service time S ~ Exp(μ) plus the wait, which is 0 with
    /// probability 1 − C and Exp(θ) with θ = cμ − λ otherwise, so
    /// P(T > t) = (1 − C)e^(−μt) + C·P(S + Exp(θ) > t), where the last term is
    /// (θe^(−μt) − μe^(−θt))/(θ − μ), or (1 + μt)e^(−μt) when θ = μ.
    pub fn response_survival(&self, t: f64) -> f64 {
        if t <= 0.0 {
            return 1.0;
        }
        let mu = self.service_rate;
        let theta = self.drain_rate();
        let service_tail = (-mu * t).exp();
        let difference = theta - mu;
        // θe^(−μt) − μe^(−θt) = e^(−μt)·((θ − μ) − μ·expm1(−(θ − μ)t)), so dividing by
        // θ − μ leaves 1 − μ·expm1(−dt)/d with d = θ − μ, which has no cancellation
        // when θ is close to μ and tends to 1 + μt as d → 0.
        let sum_tail = if difference == 0.0 {
            (1.0 + mu * t) * service_tail
        } else {
            service_tail * (1.0 - mu * (-difference * t).exp_m1() / difference)
        };
        let survival =
            (1.0 - self.wait_probability) * service_tail + self.wait_probability * sum_tail;
        survival.clamp(0.0, 1.0)
    }

    /// Probability density of the response time at `t` seconds, the negative
    /// derivative of [`MmcQueue::response_survival`].
    pub fn response_density(&self, t: f64) -> f64 {
        if t < 0.0 {
            return 0.0;
        }
        let mu = self.service_rate;
        let theta = self.drain_rate();
        let service_tail = (-mu * t).exp();
        let difference = theta - mu;
        // Density of S + Exp(θ): μθ(e^(−μt) − e^(−θt))/(θ − μ), written with expm1 as in
        // the survival function, and μ²t·e^(−μt) when θ = μ.
        let sum_density = if difference == 0.0 {
            mu * mu * t * service_tail
        } else {
            -mu * theta * service_tail * (-difference * t).exp_m1() / difference
        };
        (1.0 - self.wait_probability) * mu * service_tail + self.wait_probability * sum_density
    }

    /// Quantile of the response time at probability `p` in (0, 1), in seconds, found by
    /// Newton's method on [`MmcQueue::response_survival`], kept inside a bracket that
    /// bisection shrinks whenever a Newton step would leave it, to a relative width of
    /// 1e-12.
    pub fn response_percentile(&self, p: f64) -> f64 {
        let tail = 1.0 - p;
        let mut low = 0.0;
        let mut high = self.mean_response_time().max(f64::MIN_POSITIVE);
        while self.response_survival(high) > tail {
            low = high;
            high *= 2.0;
        }
        let mut t = 0.5 * (low + high);
        for _ in 0..200 {
            let excess = self.response_survival(t) - tail;
            if excess > 0.0 {
                low = t;
            } else {
                high = t;
            }
            if high - low <= 1e-12 * high || excess == 0.0 {
                break;
            }
            let density = self.response_density(t);
            let newton = t + excess / density;
            let previous = t;
            t = if density > 0.0 && newton > low && newton < high {
                newton
            } else {
                0.5 * (low + high)
            };
            if (t - previous).abs() <= 1e-13 * t {
                break;
            }
        }
        t
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Erlang C from the textbook sum form
    /// C = (a^c/c!)(c/(c−a)) / (Σ_{k<c} a^k/k! + (a^c/c!)(c/(c−a))), kept apart from the
    /// recursion so the two check each other.
    fn erlang_c_by_sum(servers: u64, load: f64) -> f64 {
        let c = servers as f64;
        let mut term = 1.0;
        let mut sum = 0.0;
        for k in 0..servers {
            sum += term;
            term *= load / (k + 1) as f64;
        }
        let last = term * c / (c - load);
        last / (sum + last)
    }

    #[test]
    fn erlang_c_one_server_is_utilisation() {
        // M/M/1: an arrival waits exactly when the server is busy, so C = ρ.
        assert!((erlang_c(1, 0.7) - 0.7).abs() < 1e-15);
    }

    #[test]
    fn erlang_c_two_servers_closed_form() {
        // M/M/2: C = 2ρ²/(1 + ρ), with ρ = a/2; a = 1.2 gives 0.72/1.6 = 0.45.
        assert!((erlang_c(2, 1.2) - 0.45).abs() < 1e-15);
    }

    #[test]
    fn erlang_c_three_servers_by_hand() {
        // c = 3, a = 2: Σ_{k<3} a^k/k! = 1 + 2 + 2 = 5, (8/6)·3/(3−2) = 4, C = 4/9.
        assert!((erlang_c(3, 2.0) - 4.0 / 9.0).abs() < 1e-15);
    }

    #[test]
    fn erlang_c_recursion_matches_sum_form() {
        for &(servers, load) in &[(5, 4.0), (10, 8.5), (55, 48.0), (100, 95.0), (150, 30.0)] {
            let recursive = erlang_c(servers, load);
            let direct = erlang_c_by_sum(servers, load);
            assert!(
                (recursive - direct).abs() < 1e-12,
                "c = {servers}, a = {load}: {recursive} against {direct}"
            );
        }
    }

    #[test]
    fn erlang_c_large_server_count_stays_finite() {
        let c = erlang_c(5000, 4900.0);
        assert!(c.is_finite(), "{c}");
        assert!(c > 0.0, "{c}");
        assert!(c < 1.0, "{c}");
    }

    #[test]
    fn mm1_response_time_is_exponential() {
        // M/M/1 response time is Exp(μ − λ): mean 1/(μ−λ), p99 ln(100)/(μ−λ).
        let queue = MmcQueue::new(6.0, 10.0, 1).unwrap();
        assert!((queue.mean_response_time() - 0.25).abs() < 1e-14);
        let p99 = queue.response_percentile(0.99);
        assert!((p99 - 100f64.ln() / 4.0).abs() < 1e-10, "{p99}");
        assert!((queue.response_survival(0.25) - (-1.0f64).exp()).abs() < 1e-12);
    }

    #[test]
    fn wait_percentile_zero_below_wait_probability() {
        let queue = MmcQueue::new(1.2, 1.0, 2).unwrap();
        assert_eq!(queue.wait_percentile(0.5), 0.0);
        // C = 0.45 and θ = 0.8: the 90th percentile is ln(0.45/0.1)/0.8.
        assert!((queue.wait_percentile(0.9) - (4.5f64).ln() / 0.8).abs() < 1e-12);
    }

    #[test]
    fn response_survival_at_equal_rates() {
        // c = 2, μ = 1, λ = 1: θ = 2μ − λ = μ, so the branch for θ = μ is taken.
        let queue = MmcQueue::new(1.0, 1.0, 2).unwrap();
        let c = queue.wait_probability();
        let t: f64 = 1.5;
        let expected = (1.0 - c) * (-t).exp() + c * (1.0 + t) * (-t).exp();
        assert!((queue.response_survival(t) - expected).abs() < 1e-12);
    }

    #[test]
    fn response_density_matches_survival_slope() {
        for &(arrival, service, servers) in &[(6.0, 10.0, 1), (1.0, 1.0, 2), (40.0, 5.0, 10)] {
            let queue = MmcQueue::new(arrival, service, servers).unwrap();
            let t = 0.3;
            let h = 1e-6;
            let slope =
                (queue.response_survival(t - h) - queue.response_survival(t + h)) / (2.0 * h);
            let density = queue.response_density(t);
            assert!(
                (density - slope).abs() < 1e-6 * density.max(1.0),
                "{density} {slope}"
            );
        }
    }

    #[test]
    fn response_percentile_inverts_survival() {
        let queue = MmcQueue::new(40.0, 5.0, 10).unwrap();
        for p in [0.5, 0.9, 0.99, 0.999] {
            let t = queue.response_percentile(p);
            let survival = queue.response_survival(t);
            assert!((survival - (1.0 - p)).abs() < 1e-10, "p = {p}: {survival}");
        }
    }

    #[test]
    fn new_rejects_unstable_queue() {
        let err = MmcQueue::new(10.0, 2.0, 5).unwrap_err();
        assert!(matches!(err, QueueError::Unstable { .. }));
        assert!(MmcQueue::new(-1.0, 2.0, 5).is_err());
        assert!(MmcQueue::new(1.0, 2.0, 0).is_err());
    }

    #[test]
    fn mean_queue_length_follows_little() {
        let queue = MmcQueue::new(4.0, 1.0, 5).unwrap();
        assert!((queue.mean_queue_length() - 4.0 * queue.mean_wait()).abs() < 1e-15);
        assert!((queue.utilisation() - 0.8).abs() < 1e-15);
    }
}
