"""Simulation-based calibration of bayes's sampler (Talts, Betancourt,
Simpson, Vehtari & Gelman 2018, "Validating Bayesian inference algorithms
with simulation-based calibration", arXiv:1804.06788).

For each model: REPS times, parameters are drawn from the prior and data
from the likelihood (numpy, seeded), the model with those data is sampled by
bayes (--method sample, 4 chains of 250 draws after 500 warm-up, written with
--draws-out), and the rank of each true value among every 10th draw (100
draws) is recorded. If the sampler draws from the posterior, each rank is
uniform on 0..100. Printed per parameter: the chi-squared p-value of the
ranks in 10 bins, and a text histogram. The centred hierarchical model is
there to show what a failure looks like (its funnel makes NUTS miss small
scales); the others must pass (p > 0.001). The mixture shows the other
limit: a chain that starts near the label-switched mode can stay there (NUTS
does not jump between modes), which every such answer reports through R-hat;
the script counts those replications.

    /usr/bin/python3 bench/sbc.py [path/to/bayes] [REPS]   (from the repository root;
                                                        about 10 minutes at REPS = 200)
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from scipy import stats

BAYES = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else "build/bayes")
REPS = int(sys.argv[2]) if len(sys.argv) > 2 else 200
THIN, BINS = 10, 10


def fmt(v):
    return "[" + ", ".join(repr(float(x)) for x in np.atleast_1d(v)) + "]"


def normal(rng):
    mu, s = rng.normal(), abs(rng.normal())
    y = mu + s * rng.normal(size=10)
    text = f"data y = {fmt(y)}\nparam mu ~ Normal(0, 1)\nparam s ~ HalfNormal(1)\ny ~ Normal(mu, s)\n"
    return text, {"mu": mu, "s": s}


def logistic(rng):
    a, b = rng.normal(), rng.normal()
    x = rng.normal(size=30)
    y = (rng.uniform(size=30) < 1 / (1 + np.exp(-(a + b * x)))).astype(float)
    text = (f"data x = {fmt(x)}\ndata y = {fmt(y)}\nparam a ~ Normal(0, 1)\nparam b ~ Normal(0, 1)\n"
            "y ~ Bernoulli(logistic(a + b * x))\n")
    return text, {"a": a, "b": b}


def poisson(rng):
    a, b = rng.normal(0, 1), rng.normal(0, 0.5)
    x = rng.normal(size=20)
    y = rng.poisson(np.exp(a + b * x)).astype(float)
    text = (f"data x = {fmt(x)}\ndata y = {fmt(y)}\nparam a ~ Normal(0, 1)\nparam b ~ Normal(0, 0.5)\n"
            "y ~ Poisson(exp(a + b * x))\n")
    return text, {"a": a, "b": b}


def hierarchical(rng, centred):
    mu, tau = rng.normal(0, 5), abs(rng.normal(0, 5))
    sigma = np.array([15, 10, 16, 11, 9, 11, 10, 18], dtype=float)
    theta = mu + tau * rng.normal(size=8)
    y = theta + sigma * rng.normal(size=8)
    head = f"data y = {fmt(y)}\ndata sigma = {fmt(sigma)}\nparam mu ~ Normal(0, 5)\nparam tau ~ HalfNormal(5)\n"
    if centred:
        text = head + "param theta[8] ~ Normal(mu, tau)\ny ~ Normal(theta, sigma)\n"
    else:
        text = head + "param eta[8] ~ Normal(0, 1)\ny ~ Normal(mu + tau * eta, sigma)\n"
    return text, {"mu": mu, "tau": tau}


def mixture(rng):
    # Priors far enough apart that the label-switched mode holds no mass worth
    # the name: a chain stuck there (NUTS cannot jump between modes; R-hat
    # then says so) would skew the ranks. Exchangeable components need
    # ordered means.
    mu = np.array([rng.normal(-3, 0.7), rng.normal(3, 0.7)])
    z = rng.integers(0, 2, size=30)
    y = mu[z] + rng.normal(size=30)
    text = (f"data y = {fmt(y)}\nparam mu[2] ~ Normal([-3, 3], 0.7)\n"
            "param z[30] ~ Categorical([0.5, 0.5])\ny ~ Normal(mu[z], 1)\n")
    return text, {"mu.1": mu[0], "mu.2": mu[1]}


def student(rng):
    mu, s = rng.normal(), abs(rng.normal())
    y = mu + s * rng.standard_t(4, size=15)
    text = f"data y = {fmt(y)}\nparam mu ~ Normal(0, 1)\nparam s ~ HalfNormal(1)\ny ~ StudentT(4, mu, s)\n"
    return text, {"mu": mu, "s": s}


MODELS = {
    "normal": normal,
    "logistic": logistic,
    "poisson": poisson,
    "hierarchical (non-centred)": lambda rng: hierarchical(rng, False),
    "mixture": mixture,
    "student_t": student,
    "hierarchical (centred, a funnel)": lambda rng: hierarchical(rng, True),
}


def ranks_of(model, seed, work):
    rng = np.random.default_rng(seed)
    text, truth = MODELS[model](rng)
    path = os.path.join(work, "m.model")
    with open(path, "w") as f:
        f.write(text)
    csv = os.path.join(work, "draws.csv")
    out = subprocess.run([BAYES, path, "--method", "sample", "--chains", "4", "--warmup", "500",
                          "--draws", "250", "--seed", str(seed), "--draws-out", csv, "--json"],
                         check=True, capture_output=True, text=True)
    # Whether the chains agreed (R-hat below 1.01 for every parameter).
    mixed = all(max(np.atleast_1d(r.get("diagnostics", {}).get("rhat", 1.0))) < 1.01
                for r in json.loads(out.stdout)["results"])
    with open(csv) as f:
        head = f.readline().strip().split(",")
    draws = np.loadtxt(csv, delimiter=",", skiprows=1)
    return {k: int(np.sum(draws[::THIN, head.index(k)] < v)) for k, v in truth.items()}, mixed


def main():
    print(f"simulation-based calibration, {REPS} replications, ranks among "
          f"{1000 // THIN} draws (bayes {BAYES})")
    failed = []
    with tempfile.TemporaryDirectory() as work:
        for model in MODELS:
            ranks, stuck = {}, 0
            for rep in range(REPS):
                r_of, mixed = ranks_of(model, 10_000 * (list(MODELS).index(model) + 1) + rep, work)
                stuck += not mixed
                for k, r in r_of.items():
                    ranks.setdefault(k, []).append(r)
            if stuck:
                print(f"  {model}: in {stuck} of {REPS} replications R-hat said the chains disagree")
            for k, r in ranks.items():
                counts = np.histogram(r, bins=BINS, range=(0, 1000 // THIN + 1))[0]
                p = stats.chisquare(counts).pvalue
                bars = " ".join(f"{c:3d}" for c in counts)
                print(f"  {model:34s} {k:5s}  p = {p:.3g}  [{bars}]")
                if p < 0.001 and "centred," not in model:
                    failed.append(f"{model} {k}")
    if failed:
        print("NOT uniform: " + ", ".join(failed))
        sys.exit(1)
    print("all ranks uniform at the 0.001 level (the centred funnel aside)")


if __name__ == "__main__":
    main()
