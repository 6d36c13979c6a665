#!/usr/bin/python3
"""Writes bench/data/logistic.csv for the logistic-regression benchmark:
N = 100 000 rows of P = 20 standard-normal features x1..x20 and a 0/1
outcome y ~ Bernoulli(logistic(w0 + X w)) with fixed true weights. Seeded, so
every run writes the same file (about 19 MB; not committed).

    /usr/bin/python3 bench/make_logistic_csv.py [N]
"""
import os
import sys

import numpy as np

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
P = 20
rng = np.random.default_rng(20261123)
X = rng.standard_normal((N, P))
w_true = rng.normal(0, 0.5, P)
w0_true = 0.3
eta = w0_true + X @ w_true
y = (rng.random(N) < 1 / (1 + np.exp(-eta))).astype(int)

here = os.path.dirname(os.path.abspath(__file__))
os.makedirs(os.path.join(here, "data"), exist_ok=True)
path = os.path.join(here, "data", "logistic.csv" if N == 100_000 else f"logistic_{N}.csv")
with open(path, "w") as f:
    f.write(",".join([f"x{j + 1}" for j in range(P)] + ["y"]) + "\n")
    for i in range(N):
        f.write(",".join(f"{v:.6f}" for v in X[i]) + f",{y[i]}\n")
print(f"wrote {path}: {N} rows, {P} features, {y.mean():.3f} ones")
