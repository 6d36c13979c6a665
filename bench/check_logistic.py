#!/usr/bin/python3
"""Checks bayes's map() on bench/logistic.model against scipy (Newton's method
on the same log posterior, from the same CSV) and prints the largest
relative difference.

    /usr/bin/python3 bench/check_logistic.py build/bayes
"""
import json
import os
import subprocess
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
data = np.loadtxt(os.path.join(here, "data", "logistic.csv"), delimiter=",", skiprows=1)
X, y = data[:, :-1], data[:, -1]
Z = np.column_stack([np.ones(len(y)), X])
prec = np.array([1 / 25] + [1 / 6.25] * X.shape[1])  # Normal(0, 5) on w0, Normal(0, 2.5) on w

beta = np.zeros(Z.shape[1])
for _ in range(50):  # Newton on minus the log posterior (strictly convex)
    p = 1 / (1 + np.exp(-(Z @ beta)))
    g = Z.T @ (p - y) + prec * beta
    H = (Z * (p * (1 - p))[:, None]).T @ Z + np.diag(prec)
    step = np.linalg.solve(H, g)
    beta -= step
    if np.max(np.abs(step)) < 1e-14:
        break

out = subprocess.run([sys.argv[1], os.path.join(here, "logistic.model"), "--json"],
                     capture_output=True, text=True, check=True).stdout
v = json.loads(out)["results"][0]["value"]
got = np.array([v["w0"]] + v["w"])
rel = np.max(np.abs(got - beta) / np.maximum(1, np.abs(beta)))
print(f"bayes map() vs Newton in numpy: largest relative difference {rel:.2g}")
assert rel < 1e-6
