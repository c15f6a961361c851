//! Planning against answers computed by hand: the peak and roof of the specsdm91 USL
//! fit published with R's `usl` package (version 3.0.3), and balance points of
//! synthetic curves whose answers follow from the formula.

mod common;

use scalelaw::laws::{Amdahl, JobTime, Usl};
use scalelaw::plan::{
    self, cheapest_configuration, describe_non_monotonic, CostModel, Goal, LatencySlo, MetricForm,
    PlanError, PlanOptions, ShortfallKind,
};
use scalelaw::queueing::MmcQueue;
use scalelaw::{fit, Fit, FitOptions, Law, Observations};

fn relative_error(actual: f64, expected: f64) -> f64 {
    ((actual - expected) / expected).abs()
}

fn quick_fit(law: &dyn Law, data: &Observations, bounded: bool) -> Fit {
    let options = FitOptions {
        bounded,
        bootstrap_resamples: 50,
        leave_one_out: false,
        ..FitOptions::default()
    };
    fit(law, data, &options).unwrap()
}

/// X(N) = 100N/(1 + 0.05(N−1) + 0.001N(N−1)).
fn synthetic_usl(n: f64) -> f64 {
    100.0 * n / (1.0 + 0.05 * (n - 1.0) + 0.001 * n * (n - 1.0))
}

fn synthetic_data() -> Observations {
    let n: Vec<f64> = [1.0, 2.0, 4.0, 8.0, 16.0, 24.0, 32.0].to_vec();
    let y = n.iter().map(|&n| synthetic_usl(n)).collect();
    Observations::new("n", "throughput", n, y).unwrap()
}

fn options(cost: CostModel, goal: Option<Goal>) -> PlanOptions {
    PlanOptions {
        cost,
        goal,
        ..PlanOptions::default()
    }
}

fn per_unit(cost: f64) -> CostModel {
    CostModel {
        per_unit_hour: cost,
        ..CostModel::default()
    }
}

#[test]
fn specsdm91_peak_and_roof_match_r_usl() {
    // R usl 3.0.3: peak.scalability gives N* = 96.51956 (tests/peak-scalability.Rout.save),
    // limit.scalability gives gamma/alpha = 3245.589 (tests/limit-scalability.Rout.save)
    // and summary prints X(N*) = 1884 to four digits.
    let data = common::read_columns("usl/specsdm91.csv", "load", "throughput");
    let fit = quick_fit(&Usl, &data, true);
    let plan = plan::plan(&fit, &options(per_unit(1.0), None)).unwrap();

    let peak_n = plan.peak.n.value.unwrap();
    assert!(relative_error(peak_n, 96.51956) < 1e-5, "peak N {peak_n}");
    let peak_x = plan.peak.throughput.value.unwrap();
    assert_eq!(format!("{peak_x:.0}"), "1884");
    let roof = plan.roof.value.unwrap();
    assert!(relative_error(roof, 3245.589) < 1e-5, "roof {roof}");
    assert_eq!(plan.peak.whole_n, Some(97));
    assert!(!plan.peak.extrapolation);

    let (low, high) = plan.peak.n.interval.unwrap();
    assert!(low < peak_n, "interval {low}..{high}");
    assert!(high > peak_n, "interval {low}..{high}");
    assert!(plan.peak.n.share.unwrap() > 0.5);
    assert_eq!(plan.resamples, fit.bootstrap_thetas.len());
}

#[test]
fn specsdm91_knee_by_efficiency() {
    // Efficiency of the USL is 1/(1 + α(N−1) + βN(N−1)); the knee is the last N where
    // that is at least 0.5, found here by scanning the formula.
    let data = common::read_columns("usl/specsdm91.csv", "load", "throughput");
    let fit = quick_fit(&Usl, &data, true);
    let theta = fit.theta();
    let efficiency = |n: f64| 1.0 / (1.0 + theta[0] * (n - 1.0) + theta[1] * n * (n - 1.0));
    let expected = (1..200)
        .rev()
        .find(|&n| efficiency(n as f64) >= 0.5)
        .unwrap();
    let plan = plan::plan(&fit, &options(per_unit(1.0), None)).unwrap();
    assert_eq!(plan.knee.whole_n, Some(expected));
    assert!(efficiency(expected as f64) >= 0.5);
    assert!(efficiency(expected as f64 + 1.0) < 0.5);
}

#[test]
fn synthetic_cheapest_n_for_throughput_target() {
    // X(9) = 900/1.472 = 611.4 and X(10) = 1000/1.54 = 649.4, so 620/s needs N = 10,
    // which costs 5 + 10·2 = 25 per hour.
    let fit = quick_fit(&Usl, &synthetic_data(), false);
    let cost = CostModel {
        per_unit_hour: 2.0,
        fixed_hour: 5.0,
        per_request: 0.0,
    };
    let goal = Goal::Throughput { target: 620.0 };
    let plan = plan::plan(&fit, &options(cost, Some(goal))).unwrap();
    let answer = plan.goal.unwrap();

    assert!(answer.met);
    assert_eq!(answer.cheapest.whole_n, Some(10));
    assert!((answer.cheapest.cost.value.unwrap() - 25.0).abs() < 1e-9);
    assert!(relative_error(answer.cheapest.throughput.value.unwrap(), 1000.0 / 1.54) < 1e-6);
    assert_eq!(answer.cheapest.n.interval, Some((10.0, 10.0)));
    assert_eq!(answer.cheapest.n.share, Some(1.0));
}

#[test]
fn synthetic_knee_best_value_and_budget() {
    let fit = quick_fit(&Usl, &synthetic_data(), false);
    let cost = CostModel {
        per_unit_hour: 2.0,
        fixed_hour: 10.0,
        per_request: 0.0,
    };
    let plan = plan::plan(&fit, &options(cost, Some(Goal::Budget { per_hour: 40.0 }))).unwrap();

    // 0.05(N−1) + 0.001N(N−1) ≤ 1 holds at N = 16 (0.99) and fails at N = 17 (1.072).
    assert_eq!(plan.knee.whole_n, Some(16));

    let value = |n: u64| synthetic_usl(n as f64) / (10.0 + 2.0 * n as f64);
    let best = (1..=200u64)
        .max_by(|a, b| value(*a).total_cmp(&value(*b)))
        .unwrap();
    assert_eq!(plan.best_value.whole_n, Some(best));

    // 10 + 2N ≤ 40 allows N = 15, below the peak at sqrt(0.95/0.001) = 30.8.
    let budget = plan.goal.unwrap();
    assert_eq!(budget.cheapest.whole_n, Some(15));
    let peak = plan.peak.n.value.unwrap();
    assert!((peak - (0.95f64 / 0.001).sqrt()).abs() < 1e-6, "{peak}");
}

#[test]
fn unreachable_throughput_reports_shortfall() {
    let fit = quick_fit(&Usl, &synthetic_data(), false);
    let goal = Goal::Throughput { target: 5000.0 };
    let plan = plan::plan(&fit, &options(per_unit(1.0), Some(goal))).unwrap();
    let answer = plan.goal.unwrap();
    assert!(!answer.met);
    assert_eq!(answer.cheapest.whole_n, None);
    let shortfall = answer.shortfall.unwrap();
    assert_eq!(shortfall.kind, ShortfallKind::Throughput);
    assert_eq!(shortfall.requested, 5000.0);
    let best = (1..=100)
        .map(|n| synthetic_usl(n as f64))
        .fold(0.0, f64::max);
    assert!(relative_error(shortfall.reachable.value.unwrap(), best) < 1e-9);
    assert_eq!(shortfall.at_n, Some(31));
}

#[test]
fn over_budget_reports_shortfall() {
    let fit = quick_fit(&Usl, &synthetic_data(), false);
    let cost = CostModel {
        per_unit_hour: 2.0,
        fixed_hour: 50.0,
        per_request: 0.0,
    };
    let plan = plan::plan(&fit, &options(cost, Some(Goal::Budget { per_hour: 40.0 }))).unwrap();
    let shortfall = plan.goal.unwrap().shortfall.unwrap();
    assert_eq!(shortfall.kind, ShortfallKind::Budget);
    assert_eq!(shortfall.reachable.value, Some(52.0));
}

#[test]
fn latency_goal_matches_direct_queue() {
    // Arrivals at 800/s, p99 within 150 ms: the first N whose M/M/c p99 meets the SLO,
    // with μ = X(N)/N, found here by a direct scan of the queue model.
    let fit = quick_fit(&Usl, &synthetic_data(), false);
    let slo = LatencySlo::Percentile {
        percentile: 0.99,
        seconds: 0.15,
    };
    let goal = Goal::Latency {
        arrival_rate: 800.0,
        slo,
    };
    let plan = plan::plan(&fit, &options(per_unit(1.0), Some(goal))).unwrap();
    let expected = (1..=31u64)
        .find(|&n| {
            let x = synthetic_usl(n as f64);
            MmcQueue::new(800.0, x / n as f64, n)
                .map(|q| q.response_percentile(0.99) <= 0.15)
                .unwrap_or(false)
        })
        .unwrap();
    let answer = plan.goal.unwrap();
    assert_eq!(answer.cheapest.whole_n, Some(expected));
    let queue = answer.queue.unwrap();
    assert!(queue.percentile_response.value.unwrap() <= 0.15);
    assert!(queue.utilisation.value.unwrap() < 1.0);
    assert!(plan.assumptions.iter().any(|a| a.contains("Poisson")));
    assert!(!plan.frontier.is_empty());
}

#[test]
fn latency_goal_above_capacity_is_unstable() {
    let fit = quick_fit(&Usl, &synthetic_data(), false);
    let goal = Goal::Latency {
        arrival_rate: 10_000.0,
        slo: LatencySlo::Mean { seconds: 1.0 },
    };
    let plan = plan::plan(&fit, &options(per_unit(1.0), Some(goal))).unwrap();
    let shortfall = plan.goal.unwrap().shortfall.unwrap();
    assert_eq!(shortfall.kind, ShortfallKind::Unstable);
}

#[test]
fn slo_below_service_time_is_rejected() {
    // One server serves 100/s, so the mean service time is at least 10 ms.
    let fit = quick_fit(&Usl, &synthetic_data(), false);
    let goal = Goal::Latency {
        arrival_rate: 50.0,
        slo: LatencySlo::Mean { seconds: 0.005 },
    };
    let err = plan::plan(&fit, &options(per_unit(1.0), Some(goal))).unwrap_err();
    assert!(
        matches!(err, PlanError::SloBelowServiceTime { n: 1, .. }),
        "{err}"
    );
}

#[test]
fn invalid_cost_is_rejected() {
    let fit = quick_fit(&Usl, &synthetic_data(), false);
    let err = plan::plan(&fit, &options(per_unit(-1.0), None)).unwrap_err();
    assert!(matches!(err, PlanError::InvalidSetting { .. }), "{err}");
    let err = plan::plan(&fit, &options(CostModel::default(), None)).unwrap_err();
    assert_eq!(err, PlanError::NoCost);
}

/// Run times of a job of 1000 work units under T(n) = 2 + 98/n, and the same data as
/// throughput X = 1000/T, which is Amdahl's law with α = 0.02 and γ = 10.
fn amdahl_pair() -> (Observations, Observations) {
    let n: Vec<f64> = [1.0, 2.0, 4.0, 8.0, 16.0, 32.0].to_vec();
    let time: Vec<f64> = n.iter().map(|n| 2.0 + 98.0 / n).collect();
    let throughput: Vec<f64> = time.iter().map(|t| 1000.0 / t).collect();
    (
        Observations::new("nodes", "time", n.clone(), time).unwrap(),
        Observations::new("nodes", "throughput", n, throughput).unwrap(),
    )
}

#[test]
fn time_form_plans_like_throughput_form() {
    let (times, rates) = amdahl_pair();
    let time_fit = quick_fit(&JobTime, &times, false);
    let rate_fit = quick_fit(&Amdahl, &rates, false);
    let cost = CostModel {
        per_unit_hour: 3.0,
        fixed_hour: 4.0,
        per_request: 0.0,
    };
    let goals = [
        Goal::Deadline {
            job_size: 50_000.0,
            deadline: 400.0,
        },
        Goal::Throughput { target: 300.0 },
        Goal::Budget { per_hour: 100.0 },
        Goal::Latency {
            arrival_rate: 200.0,
            slo: LatencySlo::Mean { seconds: 0.5 },
        },
    ];
    for goal in goals {
        let time_options = PlanOptions {
            form: MetricForm::Time {
                work_per_run: 1000.0,
            },
            ..options(cost, Some(goal))
        };
        let from_time = plan::plan(&time_fit, &time_options).unwrap();
        let from_rate = plan::plan(&rate_fit, &options(cost, Some(goal))).unwrap();
        let (a, b) = (from_time.goal.unwrap(), from_rate.goal.unwrap());
        assert_eq!(a.cheapest.whole_n, b.cheapest.whole_n, "{goal:?}");
        let (xa, xb) = (
            a.cheapest.throughput.value.unwrap(),
            b.cheapest.throughput.value.unwrap(),
        );
        assert!(relative_error(xa, xb) < 1e-8, "{goal:?}: {xa} {xb}");
        assert_eq!(from_time.knee.whole_n, from_rate.knee.whole_n);
        assert_eq!(from_time.best_value.whole_n, from_rate.best_value.whole_n);
        let (ra, rb) = (from_time.roof.value.unwrap(), from_rate.roof.value.unwrap());
        assert!(relative_error(ra, 500.0) < 1e-8, "{ra}");
        assert!(relative_error(rb, 500.0) < 1e-8, "{rb}");
    }
}

#[test]
fn deadline_needs_seventeen_nodes() {
    // 50 000 units in 400 s needs 125/s: 10N/(1 + 0.02(N−1)) ≥ 125 holds from
    // N = 16.33, so N = 17 with no fixed cost (cost per job rises with N).
    let (times, _) = amdahl_pair();
    let fit = quick_fit(&JobTime, &times, false);
    let goal = Goal::Deadline {
        job_size: 50_000.0,
        deadline: 400.0,
    };
    let time_options = PlanOptions {
        form: MetricForm::Time {
            work_per_run: 1000.0,
        },
        ..options(per_unit(3.0), Some(goal))
    };
    let plan = plan::plan(&fit, &time_options).unwrap();
    let answer = plan.goal.unwrap();
    assert_eq!(answer.cheapest.whole_n, Some(17));
    let job_time = answer.job_time.unwrap().value.unwrap();
    let expected_time = 50.0 * (2.0 + 98.0 / 17.0);
    assert!(relative_error(job_time, expected_time) < 1e-8, "{job_time}");
    let job_cost = answer.cheapest.cost.value.unwrap();
    assert!(relative_error(job_cost, 3.0 * 17.0 * expected_time / 3600.0) < 1e-8);
}

#[test]
fn extrapolation_marked_beyond_twice_measured() {
    // Measured up to N = 32; 479/s needs 10N/(1 + 0.02(N−1)) ≥ 479, so N ≥ 1117.7.
    let (_, rates) = amdahl_pair();
    let fit = quick_fit(&Amdahl, &rates, false);
    let goal = Goal::Throughput { target: 479.0 };
    let plan = plan::plan(&fit, &options(per_unit(1.0), Some(goal))).unwrap();
    let answer = plan.goal.unwrap();
    assert_eq!(answer.cheapest.whole_n, Some(1118));
    assert!(answer.cheapest.extrapolation);
    assert_eq!(plan.extrapolation_limit, 64.0);
}

#[test]
fn time_law_needs_time_form() {
    let (times, _) = amdahl_pair();
    let fit = quick_fit(&JobTime, &times, false);
    let err = plan::plan(&fit, &options(per_unit(1.0), None)).unwrap_err();
    assert!(matches!(err, PlanError::WrongForm { .. }), "{err}");
}

#[test]
fn cheapest_configuration_picks_lowest_cost() {
    let fit = quick_fit(&Usl, &synthetic_data(), false);
    let goal = Some(Goal::Throughput { target: 620.0 });
    let dear = plan::plan(&fit, &options(per_unit(3.0), goal)).unwrap();
    let cheap = plan::plan(&fit, &options(per_unit(2.0), goal)).unwrap();
    let unmet = plan::plan(
        &fit,
        &options(per_unit(0.1), Some(Goal::Throughput { target: 1e6 })),
    )
    .unwrap();
    assert_eq!(cheapest_configuration(&[&dear, &cheap, &unmet]), Some(1));
    assert_eq!(cheapest_configuration(&[&unmet]), None);
}

#[test]
fn non_monotonic_runs_are_described() {
    let n = vec![1.0, 2.0, 4.0, 8.0];
    let times = Observations::new("n", "time", n.clone(), vec![10.0, 6.0, 7.0, 3.0]).unwrap();
    let fit = quick_fit(&JobTime, &times, false);
    let note = describe_non_monotonic(&fit.points, MetricForm::Time { work_per_run: 1.0 });
    assert!(note.unwrap().contains("N = 4"));

    let fit = quick_fit(&Usl, &synthetic_data(), false);
    assert_eq!(
        describe_non_monotonic(&fit.points, MetricForm::Throughput),
        None
    );
}
