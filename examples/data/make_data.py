#!/usr/bin/python3
"""Writes the simulated data sets of the examples, from a fixed seed, so that
anyone can regenerate them bit for bit:

    /usr/bin/python3 examples/data/make_data.py

  converging_5.csv, converging_50.csv, converging_500.csv  (converging.model)
      the first 5, 50 and 500 of one sample of 500 draws from Normal(3, 2)
      (mean 3, sd 2, variance 4); column x5, x50 or x500.
  click_through.csv  (click_through.model)
      14 days of an advert shown 200 times a day; each day's clicks are
      Binomial(200, 0.04); columns day, clicks.
  study_hours.csv  (logistic.model) is not simulated: it is the 20 students of
      the worked example in Wikipedia's "Logistic regression" article (hours
      studied, passed the exam or not), written out here so the file has a source.

numpy 1.24, numpy.random.default_rng (PCG64), seed 20240517.
"""

import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, header, rows, fmt):
    with open(os.path.join(HERE, name), "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(fmt(v) for v in r) + "\n")


def main():
    rng = np.random.default_rng(20240517)
    x = np.round(rng.normal(3.0, 2.0, size=500), 2)
    for n in (5, 50, 500):
        write(f"converging_{n}.csv", [f"x{n}"], [[v] for v in x[:n]], lambda v: f"{v:.2f}")

    clicks = rng.binomial(200, 0.04, size=14)
    write("click_through.csv", ["day", "clicks"], [[d + 1, c] for d, c in enumerate(clicks)], str)

    hours = [0.50, 0.75, 1.00, 1.25, 1.50, 1.75, 1.75, 2.00, 2.25, 2.50,
             2.75, 3.00, 3.25, 3.50, 4.00, 4.25, 4.50, 4.75, 5.00, 5.50]
    passed = [0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1, 1, 1]
    write("study_hours.csv", ["hours", "passed"], zip(hours, passed), lambda v: f"{v:g}")


if __name__ == "__main__":
    main()
