#!/usr/bin/python3
"""Independent reference numbers for the course in examples/README.md, computed
with numpy, scipy and scikit-learn (not with bayes):

    /usr/bin/python3 examples/data/check_examples.py [path/to/bayes]

Each section prints the numbers quoted in one example's comments. Given a
bayes binary, it also runs every example with --json (from examples/, so the
CSV paths resolve) and asserts that bayes agrees to the tolerance stated in the
section (1e-6 relative for closed forms and optimiser modes).

Parameterisations: scipy's invgamma takes scale = the InverseGamma scale
(bayes/Stan: InverseGamma(shape, scale)); scipy's gamma takes scale = 1 / rate;
scipy's betabinom(n, a, b) is bayes's BetaBinomial(n, a, b).
"""

import functools
import json
import math
import os
import subprocess
import sys

import numpy as np
from scipy import integrate, optimize, special, stats
from sklearn.linear_model import LinearRegression, LogisticRegression

HERE = os.path.dirname(os.path.abspath(__file__))
EXAMPLES = os.path.dirname(HERE)
BAYES = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else None
checked = 0


def csv(name):
    with open(os.path.join(HERE, name)) as f:
        header = f.readline().strip().split(",")
        rows = np.array([[float(v) for v in line.split(",")] for line in f if line.strip()])
    return {h: rows[:, i] for i, h in enumerate(header)}


def bayes(model, *flags):
    """The answers bayes prints for one example, by query text (None without a binary)."""
    if BAYES is None:
        return None
    out = subprocess.run([BAYES, model, "--json", *flags], cwd=EXAMPLES, capture_output=True, text=True)
    return {r["query"]: r for r in json.loads(out.stdout)["results"]}


def agree(answers, query, want, field="value", rtol=1e-6):
    """Prints the reference next to bayes's answer and asserts they agree."""
    global checked
    if answers is None:
        print(f"  {query:22s} {field:6s} reference {np.round(want, 6)}")
        return
    got = answers[query][field]
    if isinstance(got, dict):
        got = list(got.values())
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    d = float(np.max(np.abs(got - want) / np.maximum(np.abs(want), 1e-3)))
    print(f"  {query:22s} {field:6s} reference {np.round(want, 6)}  bayes {np.round(got, 6)}  rel. diff {d:.1g}")
    assert d <= rtol, (query, field, got, want)
    checked += 1


def within_mcse(answers, query, want, field, k=4):
    """Asserts that a Monte Carlo answer is within k of its own standard errors of the reference."""
    global checked
    if answers is None:
        print(f"  {query:22s} {field:6s} reference {want:.6f}")
        return
    a = answers[query]
    got = a[field]
    err = a["mcse"] if not isinstance(a["mcse"], dict) else a["mcse"][field]
    print(f"  {query:22s} {field:6s} reference {want:.6f}  bayes {got:.6f} +- {err:.2g} ({a['method']})")
    assert abs(got - want) <= k * err, (query, field, got, want, err)
    checked += 1


def least_squares():
    print("least_squares.model: MLE with Gaussian noise = ordinary least squares")
    d = csv("height_weight.csv")
    h, w = d["height"], d["weight"]
    N = len(w)
    A = np.column_stack([np.ones(N), h])
    coef, rss, _, _ = np.linalg.lstsq(A, w, rcond=None)
    lr = LinearRegression().fit(h[:, None], w)
    assert np.allclose(coef, [lr.intercept_, lr.coef_[0]], rtol=1e-10)
    sxx = np.sum((h - h.mean()) ** 2)
    sigma = 5.0
    sigma_mle = math.sqrt(rss[0] / N)
    print(f"  numpy lstsq: w0 = {coef[0]:.6f}, w1 = {coef[1]:.6f} (sklearn LinearRegression the same)")
    print(f"  RSS = {rss[0]:.4f}, N = {N}, Sxx = sum (h - mean h)^2 = {sxx:.2f}")
    print(f"  flat prior, sigma = 5 known: posterior sd of w1 = sigma / sqrt(Sxx) = {sigma / math.sqrt(sxx):.6f}")
    # With p(w0, w1, sigma) ~ 1 the posterior is exact (BDA3 sec. 14.2):
    # w1 ~ StudentT(N - 3, w1_hat, sqrt(RSS / (N - 3) / Sxx)), and
    # sigma^2 ~ InverseGamma((N - 3) / 2, RSS / 2).
    t_w1 = stats.t(df=N - 3, loc=coef[1], scale=math.sqrt(rss[0] / (N - 3) / sxx))
    print(f"  sigma unknown: MLE sigma = sqrt(RSS / N) = {sigma_mle:.6f};"
          f" posterior of w1 StudentT({N - 3}, {coef[1]:.6f}, {t_w1.std() * math.sqrt((N - 5) / (N - 3)):.6f}),"
          f" sd {t_w1.std():.6f}")
    print(f"  classical OLS standard error sqrt(RSS / (N - 2) / Sxx) = {math.sqrt(rss[0] / (N - 2) / sxx):.6f}")
    a = bayes("least_squares.model")
    agree(a, "mle(w0)", coef[0])
    agree(a, "mle(w1)", coef[1])
    agree(a, "posterior(w1)", sigma / math.sqrt(sxx), "sd", 1e-4)
    agree(a, "mle(w0_s)", coef[0])
    agree(a, "mle(w1_s)", coef[1])
    agree(a, "mle(sigma_s)", sigma_mle)
    agree(a, "posterior(w1_s)", t_w1.std(), "sd", 1e-4)
    ig = stats.invgamma((N - 3) / 2, scale=rss[0] / 2)
    agree(a, "posterior(sigma_s)",
          math.sqrt(rss[0] / 2) * math.exp(special.gammaln((N - 4) / 2) - special.gammaln((N - 3) / 2)),
          "mean", 1e-4)
    agree(a, "posterior(sigma_s)", [math.sqrt(ig.ppf(0.025)), math.sqrt(ig.ppf(0.975))], "interval", 1e-4)
    # A new weight at 180 cm, sigma known, flat priors: Normal(x coef,
    # sqrt(x Sigma x' + sigma^2)) with Sigma = sigma^2 (A'A)^-1 (BDA3 sec. 14.2).
    x = np.array([1.0, 180.0])
    cov = sigma**2 * np.linalg.inv(A.T @ A)
    print(f"  at 180 cm: predictive Normal({x @ coef:.6f}, {math.sqrt(x @ cov @ x + sigma**2):.6f})")
    agree(a, "predictive(Normal(w0 + w1 * 180, sigma))", x @ coef, "mean", 1e-9)
    agree(a, "predictive(Normal(w0 + w1 * 180, sigma))", math.sqrt(x @ cov @ x + sigma**2), "sd", 1e-9)


def converging():
    print("converging.model: MAP -> MLE and sd(mu) ~ sigma / sqrt(N), NormalInverseGamma(0, 1, 2, 2) prior")
    m0, lam, al, be = 0.0, 1.0, 2.0, 2.0
    a = bayes("converging.model")
    for n in (5, 50, 500):
        x = csv(f"converging_{n}.csv")[f"x{n}"]
        N, xbar = len(x), x.mean()
        S = np.sum((x - xbar) ** 2)
        # Closed forms (Murphy 2007, "Conjugate Bayesian analysis of the Gaussian distribution", sec. 6).
        lam1, m1, al1 = lam + N, (lam * m0 + x.sum()) / (lam + N), al + N / 2
        be1 = be + 0.5 * (S + lam * N * (xbar - m0) ** 2 / (lam + N))
        t = stats.t(df=2 * al1, loc=m1, scale=math.sqrt(be1 / (al1 * lam1)))
        # The joint mode found by scipy.optimize from scipy's own densities, not from the closed form.
        def nlp(v):
            mu, s2 = v[0], math.exp(v[1])
            return -(stats.norm.logpdf(x, mu, math.sqrt(s2)).sum() + stats.norm.logpdf(mu, m0, math.sqrt(s2 / lam))
                     + stats.invgamma.logpdf(s2, al, scale=be))
        opt = optimize.minimize(nlp, [xbar, math.log(x.var())], method="BFGS",
                                options={"gtol": 1e-9})
        mu_map, s2_map = opt.x[0], math.exp(opt.x[1])
        # The posterior sd of mu by numerical integration of the joint posterior's mu-marginal (a t density).
        with np.errstate(over="ignore"):
            var_int = integrate.quad(lambda u: (u - m1) ** 2 * t.pdf(u), -np.inf, np.inf)[0]
        print(f"  N = {N:3d}: mean {xbar:.6f}, MLE s2 = S / N = {S / N:.6f}; MAP mu {mu_map:.6f}"
              f" (closed form {m1:.6f}), MAP s2 {s2_map:.6f}; sd(mu) = {t.std():.6f}"
              f" (quad {math.sqrt(var_int):.6f}); sd * sqrt(N) = {t.std() * math.sqrt(N):.4f},"
              f" sqrt(MLE s2) = {math.sqrt(S / N):.4f}")
        agree(a, f"mle(mu{n})", xbar)
        agree(a, f"map(mu{n})", m1)
        assert abs(mu_map - m1) < 1e-6
        agree(a, f"sd(mu{n})", t.std())
        agree(a, f"mle(s2_{n})", S / N)
        agree(a, f"map(s2_{n})", s2_map, rtol=1e-5)


def click_through():
    print("click_through.model: Beta-Binomial posterior and the BetaBinomial predictive of tomorrow's clicks")
    c = csv("click_through.csv")["clicks"]
    n, D, a0, b0 = 200, len(c), 1.0, 19.0
    m, N = c.sum(), n * len(c)
    post = stats.beta(a0 + m, b0 + N - m)
    pred = stats.betabinom(n, a0 + m, b0 + N - m)
    print(f"  {D} days, {int(m)} clicks in {N} views; posterior Beta({a0 + m:g}, {b0 + N - m:g}),"
          f" mean {post.mean():.6f}, sd {post.std():.6f}; MLE m / N = {m / N:.6f};"
          f" MAP (m + a - 1) / (N + a + b - 2) = {(m + a0 - 1) / (N + a0 + b0 - 2):.6f}")
    print(f"  P(next view clicked) = (m + a) / (N + a + b) = {(m + a0) / (N + a0 + b0):.6f}")
    print(f"  predictive BetaBinomial(200, {a0 + m:g}, {b0 + N - m:g}): mean {pred.mean():.6f}, sd {pred.std():.6f};"
          f" plug-in Binomial(200, {m / N:.5f}) sd {math.sqrt(n * m / N * (1 - m / N)):.6f}")
    print(f"  P(ctr > 0.05) = {post.sf(0.05):.6f};"
          f" P(tomorrow >= 15 clicks) = {pred.sf(14):.6f} (plug-in Binomial {stats.binom(n, m / N).sf(14):.6f})")
    a = bayes("click_through.model")
    agree(a, "posterior(ctr)", [a0 + m, b0 + N - m], "params")
    agree(a, "posterior(ctr)", post.std(), "sd")
    agree(a, "mle(ctr)", m / N)
    agree(a, "map(ctr)", (m + a0 - 1) / (N + a0 + b0 - 2))
    agree(a, "predictive(clicks)", [n, a0 + m, b0 + N - m], "params")
    agree(a, "predictive(clicks)", pred.mean(), "mean")
    agree(a, "predictive(clicks)", pred.std(), "sd")
    agree(a, "prob(ctr > 0.05)", post.sf(0.05))


def logistic():
    print("logistic.model: logistic regression, MLE and MAP with a Normal(0, 1) prior on the slope")
    d = csv("study_hours.csv")
    x, y = d["hours"], d["passed"]
    X = np.column_stack([np.ones(len(x)), x])
    tau = 1.0

    def nll(w):  # minus the Bernoulli log likelihood, stably
        z = X @ w
        return np.sum(np.logaddexp(0, z) - y * z)

    def nlp(w):
        return nll(w) + w[1] ** 2 / (2 * tau**2)

    mle = optimize.minimize(nll, [0, 0], method="BFGS", options={"gtol": 1e-10}).x
    mapw = optimize.minimize(nlp, [0, 0], method="BFGS", options={"gtol": 1e-10}).x
    sk_mle = LogisticRegression(penalty=None, tol=1e-12, max_iter=10000).fit(x[:, None], y)
    # sklearn minimises ||w||^2 / 2 + C sum logloss and leaves the intercept unpenalised (lbfgs),
    # the same as the log posterior times tau^2: C = tau^2.
    sk_map = LogisticRegression(C=tau**2, tol=1e-12, max_iter=10000).fit(x[:, None], y)
    assert np.allclose(mle, [sk_mle.intercept_[0], sk_mle.coef_[0, 0]], rtol=1e-5)
    assert np.allclose(mapw, [sk_map.intercept_[0], sk_map.coef_[0, 0]], rtol=1e-5)
    # The Laplace approximation: the Hessian of -log posterior at the mode, X' W X + prior.
    p = special.expit(X @ mapw)
    H = X.T @ (X * (p * (1 - p))[:, None]) + np.diag([0, 1 / tau**2])
    cov = np.linalg.inv(H)
    # The exact posterior (flat prior on a, Normal(0, 1) on b) by quadrature on a grid.
    ga, gb = np.linspace(-14, 6, 801), np.linspace(-2, 5, 561)
    A, B = np.meshgrid(ga, gb, indexing="ij")
    Z = A[..., None] + B[..., None] * x
    lp = -(np.logaddexp(0, Z) - y * Z).sum(-1) - B**2 / 2
    wts = np.exp(lp - lp.max())
    wts /= wts.sum()
    p3 = special.expit(A + 3 * B)
    rng = np.random.default_rng(1)
    draws = rng.multivariate_normal(mapw, cov, size=400000)
    p3_laplace = special.expit(draws[:, 0] + 3 * draws[:, 1])
    print(f"  MLE a = {mle[0]:.6f}, b = {mle[1]:.6f} (scipy BFGS = sklearn penalty=None;"
          f" Wikipedia's worked example: -4.0777, 1.5046)")
    print(f"  MAP a = {mapw[0]:.6f}, b = {mapw[1]:.6f} (scipy BFGS = sklearn C = tau^2 = 1)")
    print(f"  Laplace sd(b) = sqrt((H^-1)_22) = {math.sqrt(cov[1, 1]):.6f}; exact posterior sd(b) by quadrature"
          f" {math.sqrt((wts * B**2).sum() - (wts * B).sum() ** 2):.6f}, mean(b) {(wts * B).sum():.6f}")
    print(f"  P(pass | 3 hours): MLE plug-in {special.expit(mle[0] + 3 * mle[1]):.6f},"
          f" MAP plug-in {special.expit(mapw[0] + 3 * mapw[1]):.6f},"
          f" mean over the Laplace approximation {p3_laplace.mean():.4f} (sd {p3_laplace.std():.4f}),"
          f" exact posterior mean by quadrature {(wts * p3).sum():.4f}")
    a = bayes("logistic.model")
    agree(a, "mle(a_mle)", mle[0], rtol=1e-5)
    agree(a, "mle(b_mle)", mle[1], rtol=1e-5)
    agree(a, "map(a)", mapw[0], rtol=1e-5)
    agree(a, "map(b)", mapw[1], rtol=1e-5)
    # Posterior answers are the exact posterior's, up to their Monte Carlo error
    # (importance sampling from the Laplace approximation, or NUTS).
    exact_mean_b = (wts * B).sum()
    within_mcse(a, "posterior(b)", exact_mean_b, "mean")
    within_mcse(a, "posterior(b)", math.sqrt((wts * B**2).sum() - exact_mean_b**2), "sd")
    within_mcse(a, "posterior(pass3)", (wts * p3).sum(), "mean")
    # The Laplace approximation itself, on request.
    laplace = bayes("logistic.model", "--method", "laplace")
    agree(laplace, "posterior(b)", math.sqrt(cov[1, 1]), "sd", 1e-4)
    agree(laplace, "posterior(pass3)", p3_laplace.mean(), "mean", 5e-3)


def compare():
    print("compare_fair.model / compare_beta.model: the evidence of each model and the Bayes factor")
    flips = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1])
    m, N = flips.sum(), len(flips)
    fair = N * math.log(0.5)
    beta = special.betaln(1 + m, 1 + N - m) - special.betaln(1, 1)
    quad = math.log(integrate.quad(lambda p: p**m * (1 - p) ** (N - m), 0, 1)[0])
    print(f"  log p(D | fair) = {N} log 0.5 = {fair:.6f}")
    print(f"  log p(D | Beta(1,1)) = log B({1 + m}, {1 + N - m}) - log B(1, 1) = {beta:.6f}"
          f" (quad of p^{m} (1-p)^{N - m}: {quad:.6f}; = -log(11 * C(10, 7)) = {-math.log(11 * math.comb(10, 7)):.6f})")
    print(f"  Bayes factor fair : Beta = exp({fair - beta:.6f}) = {math.exp(fair - beta):.6f}"
          f" = 11 * 120 / 1024 = {11 * 120 / 1024:.6f}")
    agree(bayes("compare_fair.model"), "evidence()", fair)
    agree(bayes("compare_beta.model"), "evidence()", beta)


def existing():
    print("the older examples: coin, fish, poisson_rate, ab_test, normal_nig, die")
    flips = np.array([1, 0, 1, 1, 0, 1, 1, 1, 0, 1])
    m, N = flips.sum(), len(flips)
    post = stats.beta(2 + m, 2 + N - m)
    coin_ev = special.betaln(2 + m, 2 + N - m) - special.betaln(2, 2)
    print(f"  coin: Beta(9, 5), P(p > 0.5) = {post.sf(0.5):.6f}, evidence {coin_ev:.6f}")
    a = bayes("coin.model")
    agree(a, "prob(p > 0.5)", post.sf(0.5))
    agree(a, "evidence()", coin_ev)
    like = stats.norm.pdf(0.5, [0.65, 0.42], 0.1) * [0.7, 0.3]
    print(f"  fish: P(bass | x = 0.5) = {like[0] / like.sum():.6f}, log evidence {math.log(like.sum()):.6f}")
    a = bayes("fish.model")
    agree(a, "prob(species == 1)", like[0] / like.sum())
    agree(a, "evidence()", math.log(like.sum()))
    calls = np.array([3, 5, 2, 4, 6, 3, 4, 2, 5, 3, 4, 7])
    g = stats.gamma(2 + calls.sum(), scale=1 / (1 + len(calls)))
    # log p(calls) = log Gamma-Poisson marginal: b^a / Gamma(a) * Gamma(a + S) / (b + N)^(a + S) / prod x!
    S, n = calls.sum(), len(calls)
    pois_ev = (2 * math.log(1) - special.gammaln(2) + special.gammaln(2 + S) - (2 + S) * math.log(1 + n)
               - special.gammaln(calls + 1).sum())
    pois_ev_quad = math.log(integrate.quad(lambda r: np.prod(stats.poisson.pmf(calls, r)) * stats.gamma.pdf(r, 2), 0, 50,
                                           points=[4], epsabs=0, epsrel=1e-12)[0])
    print(f"  poisson_rate: P(rate > 5) = {g.sf(5):.6f}, evidence {pois_ev:.6f} (quad {pois_ev_quad:.6f})")
    a = bayes("poisson_rate.model")
    agree(a, "prob(rate > 5)", g.sf(5))
    agree(a, "evidence()", pois_ev)
    pa, pb = stats.beta(13, 89), stats.beta(22, 80)
    p_ab = integrate.quad(lambda u: pb.pdf(u) * pa.cdf(u), 0, 1)[0]
    print(f"  ab_test: P(pb > pa) = {p_ab:.6f} (quadrature), E[pb - pa] = {pb.mean() - pa.mean():.6f}")
    a = bayes("ab_test.model")
    agree(a, "prob(pb > pa)", p_ab, rtol=5e-3)
    agree(a, "posterior(lift)", pb.mean() - pa.mean(), "mean", 2e-2)
    x = np.array([2.36, 4.16, 2.58, 4.75, 5.11, 1.59, 5.53, 5.79, 0.73, 3.99])
    N, S = len(x), np.sum((x - x.mean()) ** 2)
    mu_map = (x.sum() + 1 * 4) / (N + 1)
    s2_map = (np.sum((x - mu_map) ** 2) + 2 * 2 + 1 * (4 - mu_map) ** 2) / (N + 3 + 2 * 2)
    be1 = 2 + 0.5 * (S + 1 * N * (x.mean() - 4) ** 2 / (1 + N))
    pred_scale = math.sqrt(be1 * (1 + 1 / (1 + N)) / (2 + N / 2))
    print(f"  normal_nig: MAP mu {mu_map:.6f}, s2 {s2_map:.6f}; MLE {x.mean():.6f}, {S / N:.6f};"
          f" s2 | D ~ InverseGamma({2 + N / 2:g}, {be1:.4f}); predictive StudentT({4 + N:g}, {mu_map:.4f}, {pred_scale:.4f})")
    a = bayes("normal_nig.model")
    agree(a, "map(mu)", mu_map)
    agree(a, "map(s2)", s2_map)
    agree(a, "mle(mu)", x.mean())
    agree(a, "mle(s2)", S / N)
    agree(a, "posterior(s2)", [2 + N / 2, be1], "params")
    agree(a, "predictive(x)", [4 + N, mu_map, pred_scale], "params")
    rolls = np.array([6, 3, 6, 1, 6, 2, 6, 5, 4, 6, 6, 3, 1, 6, 2, 6, 5, 6, 4, 6, 3, 6, 6, 1, 2, 6, 5, 6, 4, 6])
    counts = np.bincount(rolls, minlength=7)[1:]
    p6 = stats.beta(1 + counts[5], 5 + len(rolls) - counts[5])  # a Dirichlet's marginal is a Beta
    print(f"  die: counts {counts}, P(theta_6 > 1/6) = {p6.sf(1 / 6):.6f}")
    agree(bayes("die.model"), "prob(theta[6] > 1 / 6)", p6.sf(1 / 6), rtol=1e-4)


def unknown_noise():
    print("unknown_noise.model: the exact posterior of a regression's noise sd")
    d = csv("height_weight.csv")
    h, w = d["height"], d["weight"]
    N = len(w)
    X = np.column_stack([np.ones(N), h])
    coef, rss, _, _ = np.linalg.lstsq(X, w, rcond=None)
    rss = rss[0]
    # 1. Flat priors: sigma^2 ~ InverseGamma((N - 3) / 2, RSS / 2) (BDA3 sec. 14.2).
    ig = stats.invgamma((N - 3) / 2, scale=rss / 2)
    mean = math.sqrt(rss / 2) * math.exp(special.gammaln((N - 4) / 2) - special.gammaln((N - 3) / 2))
    interval = [math.sqrt(ig.ppf(0.025)), math.sqrt(ig.ppf(0.975))]
    print(f"  flat: sigma^2 ~ InverseGamma({(N - 3) / 2}, {rss / 2:.4f}); E sigma = {mean:.6f},"
          f" 95% {np.round(interval, 6)}, mode sqrt(RSS / (N - 2)) = {math.sqrt(rss / (N - 2)):.6f},"
          f" P(sigma > 5) = {ig.sf(25):.6f}")
    # 2. tau ~ HalfCauchy(5), v0 ~ Normal(0, 1000), v1 ~ Normal(0, 10): given
    # tau, weight ~ MultiNormal(0, tau^2 I + X P0 X'); quad over tau.
    P0 = np.diag([1000.0**2, 10.0**2])

    def log_lik(t):
        S = np.eye(N) * t * t
        A = np.linalg.inv(P0) + X.T @ X / (t * t)
        b = X.T @ w / (t * t)
        quad = w @ w / (t * t) - b @ np.linalg.solve(A, b)
        logdet = 2 * N * math.log(t) + np.linalg.slogdet(P0)[1] + np.linalg.slogdet(A)[1]
        return -0.5 * (N * math.log(2 * math.pi) + logdet + quad)

    top = max(log_lik(t) + stats.halfcauchy(scale=5).logpdf(t) for t in np.linspace(1, 10, 200))
    dens = lambda t: math.exp(stats.halfcauchy(scale=5).logpdf(t) + log_lik(t) - top)
    q = lambda f, a, b: integrate.quad(f, a, b, epsabs=0, epsrel=1e-11, limit=200)[0]
    z = q(dens, 0, 10) + q(dens, 10, np.inf)
    m1 = (q(lambda t: t * dens(t), 0, 10) + q(lambda t: t * dens(t), 10, np.inf)) / z
    cdf = lambda x: q(dens, 0, x) / z
    lo = optimize.brentq(lambda x: cdf(x) - 0.025, 1, 10, xtol=1e-12)
    hi = optimize.brentq(lambda x: cdf(x) - 0.975, 1, 20, xtol=1e-12)

    @functools.lru_cache(maxsize=None)
    def slope(t):  # the conditional Normal of v1 given tau: mean, variance
        A = np.linalg.inv(P0) + X.T @ X / (t * t)
        cov = np.linalg.inv(A)
        return (cov @ (X.T @ w / (t * t)))[1], cov[1, 1]

    e1 = (q(lambda t: slope(t)[0] * dens(t), 0, 10) + q(lambda t: slope(t)[0] * dens(t), 10, np.inf)) / z
    e2 = (q(lambda t: (slope(t)[1] + slope(t)[0] ** 2) * dens(t), 0, 10) +
          q(lambda t: (slope(t)[1] + slope(t)[0] ** 2) * dens(t), 10, np.inf)) / z
    print(f"  HalfCauchy(5): E tau = {m1:.6f}, 95% [{lo:.6f}, {hi:.6f}], P(tau > 5) = {1 - cdf(5):.6f},"
          f" v1 mean {e1:.6f} sd {math.sqrt(e2 - e1 * e1):.6f}")
    a = bayes("unknown_noise.model")
    agree(a, "posterior(sigma)", mean, "mean")
    agree(a, "posterior(sigma)", interval, "interval")
    agree(a, "map(sigma)", math.sqrt(rss / N))
    agree(a, "prob(sigma > 5)", ig.sf(25))
    agree(a, "posterior(tau)", m1, "mean")
    agree(a, "posterior(tau)", [lo, hi], "interval")
    agree(a, "prob(tau > 5)", 1 - cdf(5))
    agree(a, "posterior(v1)", math.sqrt(e2 - e1 * e1), "sd")


def hospitals():
    print("hospitals.model: a hierarchical logit scale; bayes samples it (NUTS)")
    # The exact posterior of sigma: each hospital's z integrated out by
    # Gauss-Hermite quadrature (80 nodes), then a grid over (mu, sigma).
    ops = np.array([47, 148, 119, 810, 211, 196, 148, 215, 207, 97, 256, 360.0])
    deaths = np.array([0, 18, 8, 46, 8, 13, 9, 31, 14, 8, 29, 24.0])
    x, w = np.polynomial.hermite_e.hermegauss(80)
    log_w = np.log(w / np.sqrt(2 * np.pi))
    mus, sigmas = np.linspace(-4, -1, 301), np.linspace(1e-4, 2.5, 1001)
    M, S = np.meshgrid(mus, sigmas, indexing="ij")
    lp = stats.norm.logpdf(M, 0, 5) + stats.norm.logpdf(S, 0, 1)
    for n, d in zip(ops, deaths):
        eta = M[..., None] + S[..., None] * x
        ll = d * -np.logaddexp(0, -eta) + (n - d) * -np.logaddexp(0, eta)
        lp += special.logsumexp(ll + log_w, axis=-1)
    p = np.exp(lp - lp.max())
    p_sigma = p.sum(0) / p.sum()
    mean = (p_sigma * sigmas).sum()
    print(f"  exact: E sigma = {mean:.5f}, P(sigma > 1) = {p_sigma[sigmas > 1].sum():.5f}")
    a = bayes("hospitals.model")
    within_mcse(a, "posterior(sigma)", mean, "mean")
    if a is not None:
        r = a["posterior(sigma)"]
        assert max(np.atleast_1d(r["diagnostics"]["rhat"])) < 1.01, r["diagnostics"]
        got = a["prob(sigma > 1)"]
        assert abs(got["value"] - p_sigma[sigmas > 1].sum()) <= 4 * got["mcse"], got


def model_vector(model, name):
    """The numbers of `data NAME = [...]` in an example's model file."""
    with open(os.path.join(EXAMPLES, model)) as f:
        text = f.read()
    start = text.index(f"data {name} = [") + len(f"data {name} = [")
    return np.array([float(v) for v in text[start:text.index("]", start)].split(",")])


def ar1():
    print("ar1.model: AR(1) as a regression on the lagged series, flat priors on a, phi, s")
    y = model_vector("ar1.model", "y")
    X = np.column_stack([np.ones(len(y) - 1), y[:-1]])
    Y = y[1:]
    n, p = X.shape
    beta, *_ = np.linalg.lstsq(X, Y, rcond=None)
    rss = float(((Y - X @ beta) ** 2).sum())
    c22 = np.linalg.inv(X.T @ X)[1, 1]
    # p(s | y) with the coefficients integrated out (flat on s): s^-(n-p) e^(-rss / 2 s^2),
    # by quadrature; phi given s is Normal(beta_1, s^2 c22).
    dens = lambda s_: s_ ** -(n - p) * math.exp(-rss / (2 * s_ * s_))
    z = integrate.quad(dens, 1e-3, 20, limit=200)[0]
    mean_s = integrate.quad(lambda s_: s_ * dens(s_), 1e-3, 20, limit=200)[0] / z
    p_phi = integrate.quad(lambda s_: dens(s_) * stats.norm.sf(0.6, beta[1], s_ * math.sqrt(c22)),
                           1e-3, 20, limit=200)[0] / z
    e_phi2 = integrate.quad(lambda s_: dens(s_) * (beta[1] ** 2 + s_ * s_ * c22), 1e-3, 20,
                            limit=200)[0] / z
    a = bayes("ar1.model")
    agree(a, "posterior(phi)", beta[1], "mean")
    agree(a, "posterior(phi)", math.sqrt(e_phi2 - beta[1] ** 2), "sd")
    agree(a, "mean(s)", mean_s)
    agree(a, "prob(phi > 0.6)", p_phi)


def arma():
    print("arma.model: ARMA(1,1) as a recursion; MAP by scipy, E theta by importance sampling")
    y = model_vector("arma.model", "y")

    def lp(v):
        mu, phi, theta, sigma = v
        if sigma <= 0:
            return -np.inf
        err = np.zeros(len(y))
        err[0] = y[0] - (mu + phi * mu)
        for t in range(1, len(y)):
            err[t] = y[t] - (mu + phi * y[t - 1] + theta * err[t - 1])
        return (stats.norm.logpdf(mu, 0, 10) + stats.norm.logpdf(phi, 0, 2)
                + stats.norm.logpdf(theta, 0, 2) + stats.halfcauchy.logpdf(sigma, 0, 2.5)
                + stats.norm.logpdf(err, 0, sigma).sum())

    r = optimize.minimize(lambda v: -lp(v), [0.5, 0.5, 0.2, 0.7], method="Nelder-Mead",
                          options=dict(xatol=1e-10, fatol=1e-12, maxiter=20000))
    r = optimize.minimize(lambda v: -lp(v), r.x, method="BFGS", options=dict(gtol=1e-9))
    a = bayes("arma.model")
    agree(a, "map()", r.x)
    # E theta by importance sampling of our own: 10^6 draws from a Student-t
    # (4 degrees of freedom) at the mode with the inverse Hessian (central
    # differences) as its scale, on (mu, phi, theta, log sigma), the recursion
    # vectorised over the draws. Its Monte Carlo error is printed: about a
    # tenth of bayes's.
    u0 = np.array([r.x[0], r.x[1], r.x[2], math.log(r.x[3])])

    def lp_u(U):  # the log density of the draws (rows), Jacobian of log sigma included
        mu, phi, theta, sigma = U[:, 0], U[:, 1], U[:, 2], np.exp(U[:, 3])
        err = y[0] - (mu + phi * mu)
        total = stats.norm.logpdf(err, 0, sigma)
        for t in range(1, len(y)):
            err = y[t] - (mu + phi * y[t - 1] + theta * err)
            total += stats.norm.logpdf(err, 0, sigma)
        return (total + stats.norm.logpdf(mu, 0, 10) + stats.norm.logpdf(phi, 0, 2)
                + stats.norm.logpdf(theta, 0, 2) + stats.halfcauchy.logpdf(sigma, 0, 2.5)
                + U[:, 3])

    h = 1e-4
    H = np.zeros((4, 4))
    for i in range(4):
        for j in range(4):
            e_i, e_j = np.eye(4)[i] * h, np.eye(4)[j] * h
            pts = np.array([u0 + e_i + e_j, u0 + e_i - e_j, u0 - e_i + e_j, u0 - e_i - e_j])
            f = lp_u(pts)
            H[i, j] = (f[0] - f[1] - f[2] + f[3]) / (4 * h * h)
    cov = np.linalg.inv(-H)
    proposal = stats.multivariate_t(loc=u0, shape=cov, df=4, seed=16)
    U = proposal.rvs(size=1_000_000)
    logw = lp_u(U) - proposal.logpdf(U)
    w = np.exp(logw - logw.max())
    w /= w.sum()
    theta_mean = float((w * U[:, 2]).sum())
    theta_err = float(np.sqrt((w ** 2 * (U[:, 2] - theta_mean) ** 2).sum()))
    print(f"  importance sampling, 10^6 draws: E theta = {theta_mean:.5f} +- {theta_err:.1g}")
    within_mcse(a, "posterior(theta)", theta_mean, "mean")


def survival():
    print("survival.model: exponential lifetimes, right-censored; Gamma(1, 1) prior")
    t = model_vector("survival.model", "t")
    tc = model_vector("survival.model", "tc")
    shape, rate = 1 + len(t), 1 + t.sum() + tc.sum()  # the Gamma posterior, by hand
    a = bayes("survival.model")
    agree(a, "map(lam)", (shape - 1) / rate)
    agree(a, "mean(lam)", shape / rate)
    within_mcse(a, "mean_life", rate / (shape - 1), "mean")


if __name__ == "__main__":
    for section in (least_squares, unknown_noise, converging, click_through, logistic, compare,
                    existing, hospitals, ar1, arma, survival):
        section()
    if BAYES:
        print(f"bayes agrees on all {checked} numbers")
