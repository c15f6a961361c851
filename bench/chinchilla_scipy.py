"""The Chinchilla fit procedure of Besiroglu et al. 2024 ("Chinchilla Scaling: A
replication attempt", arXiv:2404.10102), as their paper describes it, for timing.

Objective: sum over runs of Huber_delta(LSE(a - alpha log N, b - beta log D, e) - log L),
delta = 1e-3, with an analytic gradient. Optimiser: scipy's L-BFGS-B with its default
tolerances from each of 4,500 starts, e in {-1, -0.5, ..., 1}, a, b in {0, 5, ..., 25},
alpha, beta in {0, 0.5, ..., 2}; the lowest result wins.

Usage: chinchilla_scipy.py TIDY_CSV. Prints one JSON object: objective, parameters,
seconds, starts and how many starts reached the best objective (within a relative 1e-6).
"""

import csv
import itertools
import json
import sys
import time

import numpy as np
from scipy.optimize import minimize
from scipy.special import huber, logsumexp

DELTA = 1e-3


def read_runs(path):
    log_n, log_d, log_loss = [], [], []
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            if row["excluded_in_epoch_fit"] == "True":
                continue
            log_n.append(np.log(float(row["params_N"])))
            log_d.append(np.log(float(row["tokens_D"])))
            log_loss.append(np.log(float(row["loss"])))
    return np.array(log_n), np.array(log_d), np.array(log_loss)


def objective_and_gradient(theta, log_n, log_d, log_loss):
    e, a, b, alpha, beta = theta
    terms = np.stack([np.full_like(log_n, e), a - alpha * log_n, b - beta * log_d])
    lse = logsumexp(terms, axis=0)
    residual = lse - log_loss
    weights = np.exp(terms - lse)
    psi = np.clip(residual, -DELTA, DELTA)
    gradient = np.array(
        [
            np.sum(psi * weights[0]),
            np.sum(psi * weights[1]),
            np.sum(psi * weights[2]),
            -np.sum(psi * weights[1] * log_n),
            -np.sum(psi * weights[2] * log_d),
        ]
    )
    return np.sum(huber(DELTA, residual)), gradient


def main():
    log_n, log_d, log_loss = read_runs(sys.argv[1])
    starts = [
        np.array([e, a, b, alpha, beta])
        for alpha, beta, e, a, b in itertools.product(
            np.arange(0, 2.01, 0.5),
            np.arange(0, 2.01, 0.5),
            np.arange(-1, 1.01, 0.5),
            np.arange(0, 26, 5),
            np.arange(0, 26, 5),
        )
    ]
    began = time.perf_counter()
    results = [
        minimize(
            objective_and_gradient,
            start,
            args=(log_n, log_d, log_loss),
            jac=True,
            method="L-BFGS-B",
        )
        for start in starts
    ]
    seconds = time.perf_counter() - began
    values = np.array([r.fun for r in results])
    best = results[int(np.argmin(values))]
    e, a, b, alpha, beta = best.x
    print(
        json.dumps(
            {
                "objective": float(best.fun),
                "E": float(np.exp(e)),
                "A": float(np.exp(a)),
                "B": float(np.exp(b)),
                "alpha": float(alpha),
                "beta": float(beta),
                "seconds": seconds,
                "starts": len(starts),
                "reached_best": int(np.sum(values <= best.fun * (1 + 1e-6))),
            }
        )
    )


if __name__ == "__main__":
    main()
