// Unit tests of src/numeric: every hand-derived gradient (Family::lpdf_grad) and
// every tape derivative (tape.cpp) against finite differences, the tape's log
// density against src/density, and the transforms of numeric.cpp through MAPs
// known in closed form.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "answer/answer.hpp"
#include "density/log_density.hpp"
#include "dist/family.hpp"
#include "dist/multivariate.hpp"
#include "family_cases.hpp"
#include "helpers.hpp"
#include "linalg/dense.hpp"
#include "numeric/concave.hpp"
#include "numeric/lpdf_grad.hpp"
#include "numeric/tape.hpp"
#include "patterns/patterns.hpp"

namespace {

using namespace bayes;
using Eigen::VectorXd;
using json = nlohmann::ordered_json;

using test::kInf;
constexpr double kEps = std::numeric_limits<double>::epsilon();

// ---------------------------------------------------------------------------
// Finite differences
// ---------------------------------------------------------------------------

// A five-point central difference of f at v (truncation error O(h^4)), with a
// step relative to |v| so that points near a singularity (x = 1e-3 of a Beta)
// are resolved. `fmag` is |f| there, for the rounding error of the quotient.
struct Fd {
  double d = 0, h = 0, fmag = 0;
};

Fd fd(const std::function<double(double)>& f, double v, double rel = 1e-5) {
  Fd r;
  r.h = rel * (v != 0 ? std::abs(v) : 1.0);
  double fp2 = f(v + 2 * r.h), fp1 = f(v + r.h), fm1 = f(v - r.h), fm2 = f(v - 2 * r.h);
  r.d = (-fp2 + 8 * fp1 - 8 * fm1 + fm2) / (12 * r.h);
  r.fmag = std::max({std::abs(fp2), std::abs(fp1), std::abs(fm1), std::abs(fm2)});
  return r;
}

// Relative error below 1e-6 of the larger of the two, plus the rounding noise
// of the difference quotient (a few hundred ulps of |f|, divided by the step).
bool grad_close(double analytic, const Fd& num) {
  if (!std::isfinite(analytic) || !std::isfinite(num.d)) return false;
  double noise = 300 * kEps * (1 + num.fmag) / num.h;
  double tol = 1e-6 * std::max(std::abs(analytic), std::abs(num.d)) + noise;
  return std::abs(analytic - num.d) <= tol;
}

#define CHECK_GRAD(analytic, num, what)                                                  \
  CHECK_MESSAGE(grad_close((analytic), (num)), what << ": analytic " << (analytic)       \
                                                    << ", finite difference " << (num).d \
                                                    << " (h = " << (num).h << ")")

using test::family;

std::string show(const std::vector<double>& v) {
  std::ostringstream s;
  s << "[";
  for (std::size_t i = 0; i < v.size(); ++i) s << (i ? ", " : "") << v[i];
  s << "]";
  return s.str();
}

// ---------------------------------------------------------------------------
// 1. Univariate families
// ---------------------------------------------------------------------------

struct Point {
  std::vector<double> args;
  double x;
};

// Points inside the support of every univariate family: the bulk, both tails,
// near the singular ends of the support, and extreme arguments.
const std::map<std::string, std::vector<Point>>& inside_points() {
  static const std::map<std::string, std::vector<Point>> points = {
      {"Normal",
       {{{0, 1}, 0.3},
        {{1.5, 0.7}, -2.1},
        {{-3, 2}, 25},
        {{0, 1}, -8},
        {{2, 1e-2}, 2.05},
        {{1e3, 50}, 1.2e3}}},
      {"StudentT",
       {{{3, 0, 1}, 0.4},
        {{0.7, 1, 2}, -30},
        {{30, -2, 0.5}, 5},
        {{5, 0, 1}, 200},
        {{1e3, 1, 1}, 0.2}}},
      {"Cauchy", {{{0, 1}, 0.5}, {{2, 3}, -40}, {{-1, 0.1}, 1e3}, {{0, 1}, -0.01}}},
      {"Laplace", {{{0, 1}, 0.5}, {{2, 3}, -40}, {{-1, 0.1}, 7}, {{1, 2}, 0.9}}},
      {"LogNormal", {{{0, 1}, 0.5}, {{1, 0.3}, 20}, {{-2, 2}, 1e-4}, {{3, 0.1}, 1e3}}},
      {"Exponential", {{{2}, 0.5}, {{0.1}, 50}, {{3}, 1e-3}, {{1e-3}, 2e3}}},
      {"Gamma",
       {{{2, 3}, 0.5},
        {{0.5, 1}, 1e-3},
        {{50, 2}, 25},
        {{3, 0.1}, 200},
        {{1, 2}, 0.7},
        {{1e3, 1e3}, 1.01}}},
      {"InverseGamma", {{{3, 2}, 0.5}, {{0.5, 1}, 1e-2}, {{10, 4}, 30}, {{2, 0.1}, 1e3}}},
      {"Beta",
       {{{2, 3}, 0.4},
        {{0.5, 0.5}, 1e-3},
        {{5, 1.5}, 0.999},
        {{30, 40}, 0.45},
        {{1, 1}, 0.3},
        {{300, 2}, 0.99}}},
      {"Uniform", {{{0, 1}, 0.3}, {{-2, 5}, 4.9}, {{10, 10.5}, 10.01}}},
      {"HalfNormal", {{{1}, 0.3}, {{2}, 9}, {{0.1}, 1e-3}, {{3}, 40}}},
      {"HalfCauchy", {{{1}, 0.3}, {{2}, 90}, {{0.1}, 1e-3}, {{5}, 5}}},
      {"Weibull", {{{1.5, 2}, 0.7}, {{0.5, 1}, 1e-3}, {{3, 0.5}, 2}, {{1, 3}, 10}, {{20, 1}, 1.1}}},
      {"Pareto", {{{1, 3}, 1.5}, {{0.5, 0.5}, 1e3}, {{2, 10}, 2.001}, {{1e-2, 1}, 1}}},
      {"Bernoulli", {{{0.3}, 1}, {{0.3}, 0}, {{0.999}, 0}, {{1e-3}, 1}, {{0.999}, 1}, {{1e-3}, 0}}},
      {"Binomial",
       {{{10, 0.3}, 4},
        {{10, 0.3}, 0},
        {{10, 0.9}, 10},
        {{1000, 0.01}, 30},
        {{1, 0.5}, 1},
        {{50, 0.999}, 40}}},
      {"Poisson", {{{3.5}, 2}, {{3.5}, 0}, {{0.01}, 5}, {{200}, 150}, {{1e4}, 1.02e4}}},
      {"Geometric", {{{0.3}, 2}, {{0.3}, 0}, {{0.01}, 300}, {{0.99}, 4}}},
      {"NegativeBinomial", {{{3, 0.4}, 2}, {{0.5, 0.9}, 0}, {{20, 0.2}, 100}, {{1e3, 0.5}, 900}}},
      {"DiscreteUniform", {{{0, 5}, 3}, {{-3, 3}, -3}, {{1, 1}, 1}}},
  };
  static const std::map<std::string, std::vector<Point>> with_registered = [] {
    auto out = points;
    for (const test::FamilyCase& c : test::family_cases())
      for (const test::GradPoint& p : c.inside) out[std::string(c.name)].push_back({p.args, p.x});
    return out;
  }();
  return with_registered;
}

// Points outside the support (the log density is -inf there).
const std::map<std::string, std::vector<Point>>& outside_points() {
  static const std::map<std::string, std::vector<Point>> points = {
      {"Normal", {{{0, 1}, kInf}, {{0, 1}, -kInf}}},
      {"StudentT", {{{3, 0, 1}, kInf}}},
      {"Cauchy", {{{0, 1}, -kInf}}},
      {"Laplace", {{{0, 1}, kInf}}},
      {"LogNormal", {{{0, 1}, 0}, {{0, 1}, -1}}},
      {"Exponential", {{{2}, -0.5}, {{2}, kInf}}},
      {"Gamma", {{{2, 3}, -0.5}, {{2, 3}, 0}}},
      {"InverseGamma", {{{3, 2}, 0}, {{3, 2}, -1}}},
      {"Beta", {{{2, 3}, 1.5}, {{2, 3}, -0.1}, {{2, 3}, 0}, {{3, 2}, 1}}},
      {"Uniform", {{{0, 1}, 1.5}, {{0, 1}, -0.5}}},
      {"HalfNormal", {{{1}, -0.3}}},
      {"HalfCauchy", {{{1}, -0.3}}},
      {"Weibull", {{{1.5, 2}, -0.7}, {{1.5, 2}, 0}}},
      {"Pareto", {{{1, 3}, 0.5}, {{1, 3}, kInf}}},
      {"Bernoulli", {{{0.3}, 2}, {{0.3}, 0.5}, {{1}, 0}, {{0}, 1}}},
      {"Binomial",
       {{{10, 0.3}, 11}, {{10, 0.3}, -1}, {{10, 0.3}, 2.5}, {{10, 0}, 3}, {{10, 1}, 3}}},
      {"Poisson", {{{3.5}, -1}, {{3.5}, 2.5}, {{0}, 2}}},
      {"Geometric", {{{0.3}, -1}, {{0.3}, 1.5}}},
      {"NegativeBinomial", {{{3, 0.4}, -2}, {{3, 0.4}, 0.5}}},
      {"DiscreteUniform", {{{0, 5}, 6}, {{0, 5}, 2.5}}},
  };
  static const std::map<std::string, std::vector<Point>> with_registered = [] {
    auto out = points;
    for (const test::FamilyCase& c : test::family_cases())
      for (const test::GradPoint& p : c.beyond) out[std::string(c.name)].push_back({p.args, p.x});
    return out;
  }();
  return with_registered;
}

// Whether argument i is continuous (its partial derivative is meaningful).
bool continuous_arg(const dist::Family& f, std::size_t i) {
  if (&f == &dist::discrete_uniform_family()) return false;  // whole-number bounds
  return !dist::is_integer_domain(f.params[i].domain);
}

TEST_CASE("numeric: every univariate family has a gradient and its test points") {
  for (const dist::Family* f : dist::all()) {
    if (!f->lpdf) continue;
    CHECK_MESSAGE((f->lpdf_grad != nullptr), "no gradient for " << f->name);
    CHECK_MESSAGE(inside_points().count(std::string(f->name)) == 1,
                  "no inside points for " << f->name);
    CHECK_MESSAGE(outside_points().count(std::string(f->name)) == 1,
                  "no outside points for " << f->name);
  }
}

TEST_CASE("numeric: scalar_lpdf_grad against finite differences, every univariate family") {
  for (const dist::Family* fp : dist::all()) {
    const dist::Family& f = *fp;
    if (!f.lpdf) continue;
    auto it = inside_points().find(std::string(f.name));
    if (it == inside_points().end()) continue;
    for (const Point& pt : it->second) {
      std::string where = std::string(f.name) + show(pt.args) + " at x = " + std::to_string(pt.x);
      INFO(where);
      std::vector<double> d(pt.args.size(), 123.0);
      double dx = 456.0;
      double lp = numeric::scalar_lpdf_grad(f, pt.args, pt.x, d, dx);
      double want = f.lpdf(pt.args, pt.x);
      REQUIRE_MESSAGE(std::isfinite(want), where << " should be inside the support");
      // The value is the family's own, by its formula (lpdf may take a more
      // precise route where it does not underflow).
      CHECK(lp == doctest::Approx(want).epsilon(1e-11));
      for (std::size_t i = 0; i < pt.args.size(); ++i) {
        if (!continuous_arg(f, i)) {
          CHECK_MESSAGE(d[i] == 0, "d/d" << f.params[i].name << " of a whole-number argument");
          continue;
        }
        auto g = [&](double v) {
          std::vector<double> a = pt.args;
          a[i] = v;
          return f.lpdf(a, pt.x);
        };
        CHECK_GRAD(d[i], fd(g, pt.args[i]), "d/d" << f.params[i].name);
      }
      if (f.discrete) {
        CHECK_MESSAGE(dx == 0, "d/dx of a discrete outcome");
      } else {
        auto g = [&](double v) { return f.lpdf(pt.args, v); };
        CHECK_GRAD(dx, fd(g, pt.x), "d/dx");
      }
    }
  }
}

TEST_CASE("numeric: scalar_lpdf_grad is -inf with zero gradients outside the support") {
  for (const dist::Family* fp : dist::all()) {
    const dist::Family& f = *fp;
    if (!f.lpdf) continue;
    auto it = outside_points().find(std::string(f.name));
    if (it == outside_points().end()) continue;
    for (const Point& pt : it->second) {
      INFO(f.name << show(pt.args) << " at x = " << pt.x);
      std::vector<double> d(pt.args.size(), 123.0);
      double dx = 456.0;
      double lp = numeric::scalar_lpdf_grad(f, pt.args, pt.x, d, dx);
      CHECK(lp == -kInf);
      for (double v : d) CHECK(v == 0);
      CHECK(dx == 0);
    }
  }
}

TEST_CASE("numeric: scalar_lpdf_grad at the edges of a support") {
  // Finite densities at the end of a support: the gradient is finite (the
  // one-sided derivative where it exists, else 0), never NaN.
  std::vector<std::pair<std::string, Point>> edges = {
      {"Exponential", {{2}, 0}},   {"Gamma", {{1, 2}, 0}},   {"Beta", {{1, 3}, 0}},
      {"Beta", {{3, 1}, 1}},       {"Weibull", {{1, 2}, 0}}, {"HalfNormal", {{1}, 0}},
      {"HalfCauchy", {{1}, 0}},    {"Pareto", {{1, 3}, 1}},  {"Uniform", {{0, 1}, 0}},
      {"Bernoulli", {{1}, 1}},     {"Bernoulli", {{0}, 0}},  {"Binomial", {{10, 0}, 0}},
      {"Binomial", {{10, 1}, 10}}, {"Poisson", {{0}, 0}},    {"Laplace", {{1, 2}, 1}},
  };
  for (const auto& edge : edges) {
    // Not a structured binding: INFO captures in a lambda, which clang 14 refuses.
    const auto& name = edge.first;
    const auto& pt = edge.second;
    const dist::Family& f = family(name);
    INFO(name << show(pt.args) << " at x = " << pt.x);
    std::vector<double> d(pt.args.size(), 123.0);
    double dx = 456.0;
    double lp = numeric::scalar_lpdf_grad(f, pt.args, pt.x, d, dx);
    CHECK(lp == doctest::Approx(f.lpdf(pt.args, pt.x)).epsilon(1e-11));
    CHECK(std::isfinite(lp));
    for (double v : d) CHECK(std::isfinite(v));
    CHECK(std::isfinite(dx));
  }
  // One-sided derivatives that do exist: d/dp log p at p = 1 is 1; d/dp log(1 - p)
  // at p = 0 is -1; a Binomial(n, 0) at 0 has d/dp = -n; Poisson(0) at 0 has -1.
  std::vector<double> d(2);
  double dx = 0;
  numeric::scalar_lpdf_grad(family("Bernoulli"), std::vector<double>{1.0}, 1,
                            std::span<double>(d.data(), 1), dx);
  CHECK(d[0] == doctest::Approx(1.0));
  numeric::scalar_lpdf_grad(family("Bernoulli"), std::vector<double>{0.0}, 0,
                            std::span<double>(d.data(), 1), dx);
  CHECK(d[0] == doctest::Approx(-1.0));
  numeric::scalar_lpdf_grad(family("Binomial"), std::vector<double>{10.0, 0.0}, 0, d, dx);
  CHECK(d[1] == doctest::Approx(-10.0));
  numeric::scalar_lpdf_grad(family("Binomial"), std::vector<double>{10.0, 1.0}, 10, d, dx);
  CHECK(d[1] == doctest::Approx(10.0));
  numeric::scalar_lpdf_grad(family("Poisson"), std::vector<double>{0.0}, 0,
                            std::span<double>(d.data(), 1), dx);
  CHECK(d[0] == doctest::Approx(-1.0));
  // Gamma(1, rate) is Exponential(rate): at x = 0, d/dx = -rate.
  numeric::scalar_lpdf_grad(family("Gamma"), std::vector<double>{1.0, 2.0}, 0, d, dx);
  CHECK(dx == doctest::Approx(-2.0));
  CHECK(d[1] == doctest::Approx(0.5));
  // Regression: Beta(1, b) at x = 0 is log b, which depends on b (d/db = 1/b);
  // Beta(a, 1) at 1 is log a. These used to get all-zero gradients.
  numeric::scalar_lpdf_grad(family("Beta"), std::vector<double>{1.0, 3.0}, 0, d, dx);
  CHECK(d[0] == 0);
  CHECK(d[1] == doctest::Approx(1.0 / 3.0));
  CHECK(dx == doctest::Approx(-2.0));
  numeric::scalar_lpdf_grad(family("Beta"), std::vector<double>{3.0, 1.0}, 1, d, dx);
  CHECK(d[0] == doctest::Approx(1.0 / 3.0));
  CHECK(d[1] == 0);
  CHECK(dx == doctest::Approx(2.0));
  // Weibull(1, lam) at 0 is -log lam: d/dlam = -1/lam, d/dx = -1/lam.
  numeric::scalar_lpdf_grad(family("Weibull"), std::vector<double>{1.0, 2.0}, 0, d, dx);
  CHECK(d[1] == doctest::Approx(-0.5));
  CHECK(dx == doctest::Approx(-0.5));
}

TEST_CASE("numeric: an observation on the edge of a Beta support has a gradient (regression)") {
  // y = [0, 0.5] ~ Beta(1, b), b ~ Gamma(2, 1): log p = log b + log(b) + (b - 1) log 0.5
  // + log b - b, so d/db = 3 / b + log 0.5 - 1 = 0 at b = 3 / (1 - log 0.5).
  auto r = test::run(R"(param b ~ Gamma(2, 1)
data y = [0, 0.5]
y ~ Beta(1, b)
)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  // The tape's gradient against the closed form.
  const Model& m = r.compiled->model;
  std::vector<std::size_t> priors = {0}, obs = {0};
  std::string why;
  auto tape = numeric::Tape::compile(m, priors, obs, why);
  REQUIRE_MESSAGE(tape, why);
  std::vector<VectorXd> v = {VectorXd::Constant(1, 2.5)};
  double lp = tape->forward(v);
  CHECK(std::isfinite(lp));
  std::vector<VectorXd> g = {VectorXd::Zero(1)};
  tape->backward(g);
  CHECK(g[0][0] == doctest::Approx(3 / 2.5 + std::log(0.5) - 1).epsilon(1e-12));
}

TEST_CASE("numeric: scalar_lpdf_grad refuses a family without a univariate density") {
  std::vector<double> d(1);
  double dx = 0;
  CHECK_THROWS_AS(
      numeric::scalar_lpdf_grad(family("Dirichlet"), std::vector<double>{1.0}, 0.5, d, dx),
      std::logic_error);
}

// ---------------------------------------------------------------------------
// 2. Vector families
// ---------------------------------------------------------------------------

// Checks `grad` (the analytic partials) against finite differences of `f` in
// each coordinate of `at`.
void check_partials(const std::function<double(const std::vector<double>&)>& f,
                    const std::vector<double>& at, const std::vector<double>& grad,
                    const std::string& what) {
  REQUIRE(grad.size() == at.size());
  for (std::size_t i = 0; i < at.size(); ++i) {
    auto g = [&](double v) {
      std::vector<double> a = at;
      a[i] = v;
      return f(a);
    };
    CHECK_GRAD(grad[i], fd(g, at[i]), what << "[" << i << "] at " << show(at));
  }
}

// Directional derivatives along e_i - e_j, which stay on the simplex: these go
// through the library's own density (which refuses points off the simplex).
void check_simplex_directions(const std::function<double(const std::vector<double>&)>& f,
                              const std::vector<double>& at, const std::vector<double>& grad,
                              const std::string& what) {
  for (std::size_t i = 0; i < at.size(); ++i)
    for (std::size_t j = i + 1; j < at.size(); ++j) {
      auto g = [&](double t) {
        std::vector<double> a = at;
        a[i] += t;
        a[j] -= t;
        return f(a);
      };
      Fd num = fd(g, 0.0, 1e-5 * std::min(at[i], at[j]));
      CHECK_GRAD(grad[i] - grad[j], num,
                 what << " along e" << i << " - e" << j << " at " << show(at));
    }
}

TEST_CASE("numeric: categorical_lpmf_grad") {
  std::vector<std::vector<double>> probs = {
      {0.2, 0.3, 0.5}, {0.01, 0.98, 0.01}, {1.0}, {0.25, 0.25, 0.25, 0.25}};
  for (const auto& p : probs)
    for (std::size_t k = 1; k <= p.size(); ++k) {
      std::vector<double> dp(p.size(), 1.0);  // accumulates
      double lp = numeric::categorical_lpmf_grad(p, static_cast<double>(k), dp);
      CHECK(lp == dist::categorical_lpmf(p, static_cast<double>(k)));
      for (auto& v : dp) v -= 1.0;
      // The density as a function of every entry (log probs[k - 1]).
      auto f = [k](const std::vector<double>& a) { return std::log(a[k - 1]); };
      check_partials(f, p, dp, "Categorical d/dprobs, k = " + std::to_string(k));
      if (p.size() > 1)
        check_simplex_directions(
            [k](const std::vector<double>& a) {
              return dist::categorical_lpmf(a, static_cast<double>(k));
            },
            p, dp, "Categorical");
    }
  // Outside: -inf, nothing added.
  std::vector<double> p = {0.2, 0.8}, dp = {0, 0};
  CHECK(numeric::categorical_lpmf_grad(p, 3, dp) == -kInf);
  CHECK(dp == std::vector<double>{0, 0});
}

TEST_CASE("numeric: dirichlet_lpdf_grad") {
  struct Case {
    std::vector<double> alpha, x;
  };
  std::vector<Case> cases = {
      {{2, 3, 4}, {0.2, 0.3, 0.5}},
      {{0.5, 0.5}, {0.01, 0.99}},
      {{1, 1, 1, 1}, {0.1, 0.2, 0.3, 0.4}},
      {{50, 20, 0.3}, {0.6, 0.39, 0.01}},
  };
  for (const auto& c : cases) {
    std::size_t k = c.alpha.size();
    std::vector<double> da(k, 1.0), dx(k, 2.0);  // accumulates
    double lp = numeric::dirichlet_lpdf_grad(c.alpha, c.x, da, dx);
    CHECK(lp == dist::dirichlet_lpdf(c.alpha, c.x));
    for (auto& v : da) v -= 1.0;
    for (auto& v : dx) v -= 2.0;
    // d/dalpha through the library's density (alpha is unconstrained by a sum).
    check_partials([&](const std::vector<double>& a) { return dist::dirichlet_lpdf(a, c.x); },
                   c.alpha, da, "Dirichlet d/dalpha");
    // d/dx: the density's formula extended off the simplex, then along the
    // simplex through the library.
    auto formula = [&](const std::vector<double>& x) {
      double a0 = 0, lp2 = 0;
      for (std::size_t i = 0; i < k; ++i)
        a0 += c.alpha[i], lp2 += (c.alpha[i] - 1) * std::log(x[i]) - std::lgamma(c.alpha[i]);
      return lp2 + std::lgamma(a0);
    };
    CHECK(formula(c.x) == doctest::Approx(lp).epsilon(1e-12));
    check_partials(formula, c.x, dx, "Dirichlet d/dx");
    check_simplex_directions(
        [&](const std::vector<double>& x) { return dist::dirichlet_lpdf(c.alpha, x); }, c.x, dx,
        "Dirichlet d/dx");
  }
  // Regression: an entry x_i = 0 with alpha_i = 1 has a finite density (the
  // term (alpha_i - 1) log x_i is absent); its gradient used to be NaN (0 / 0)
  // and -inf (log 0), which poisoned the optimiser.
  {
    std::vector<double> alpha = {1, 2, 3}, x = {0, 0.4, 0.6}, da(3, 0.0), dx(3, 0.0);
    double lp = numeric::dirichlet_lpdf_grad(alpha, x, da, dx);
    CHECK(lp == dist::dirichlet_lpdf(alpha, x));
    REQUIRE(std::isfinite(lp));
    for (double v : da) CHECK(std::isfinite(v));
    for (double v : dx) CHECK(std::isfinite(v));
    CHECK(dx[0] == 0);
    // psi(6) - psi(1) = 1 + 1/2 + 1/3 + 1/4 + 1/5 (no log x_1 term).
    CHECK(da[0] == doctest::Approx(1 + 1.0 / 2 + 1.0 / 3 + 1.0 / 4 + 1.0 / 5).epsilon(1e-12));
    for (std::size_t i = 1; i < 3; ++i) {
      auto g = [&](double v) {
        std::vector<double> a = alpha;
        a[i] = v;
        return dist::dirichlet_lpdf(a, x);
      };
      CHECK_GRAD(da[i], fd(g, alpha[i]), "Dirichlet d/dalpha[" << i << "] with x_1 = 0");
    }
    auto along = [&](double t) {
      return dist::dirichlet_lpdf(alpha, std::vector<double>{0, 0.4 + t, 0.6 - t});
    };
    CHECK_GRAD(dx[1] - dx[2], fd(along, 0.0, 1e-5), "Dirichlet d/dx along e2 - e3 with x_1 = 0");
  }
  std::vector<double> da = {0, 0}, dx = {0, 0};
  CHECK(numeric::dirichlet_lpdf_grad(std::vector<double>{2, 2}, std::vector<double>{0.5, 0.6}, da,
                                     dx) == -kInf);
  CHECK(da == std::vector<double>{0, 0});
  CHECK(dx == std::vector<double>{0, 0});
}

TEST_CASE("numeric: multinomial_lpmf_grad") {
  struct Case {
    std::vector<double> probs, counts;
  };
  std::vector<Case> cases = {
      {{0.2, 0.3, 0.5}, {3, 0, 7}},
      {{0.01, 0.99}, {1, 40}},
      {{0.25, 0.25, 0.25, 0.25}, {0, 0, 0, 0}},
      {{0.7, 0.2, 0.1}, {100, 30, 5}},
  };
  for (const auto& c : cases) {
    std::vector<double> dp(c.probs.size(), 1.0);
    double lp = numeric::multinomial_lpmf_grad(c.probs, c.counts, dp);
    CHECK(lp == dist::multinomial_lpmf(c.probs, c.counts));
    for (auto& v : dp) v -= 1.0;
    auto formula = [&](const std::vector<double>& p) {
      double n = 0, lp2 = 0;
      for (std::size_t i = 0; i < p.size(); ++i) {
        n += c.counts[i];
        if (c.counts[i] > 0) lp2 += c.counts[i] * std::log(p[i]) - std::lgamma(c.counts[i] + 1);
      }
      return lp2 + std::lgamma(n + 1);
    };
    CHECK(formula(c.probs) == doctest::Approx(lp).epsilon(1e-12));
    check_partials(formula, c.probs, dp, "Multinomial d/dprobs");
    check_simplex_directions(
        [&](const std::vector<double>& p) { return dist::multinomial_lpmf(p, c.counts); }, c.probs,
        dp, "Multinomial d/dprobs");
  }
  // A zero probability with zero count is fine and adds nothing there.
  std::vector<double> p = {0.0, 1.0}, cnt = {0, 4}, dp = {0, 0};
  CHECK(numeric::multinomial_lpmf_grad(p, cnt, dp) == doctest::Approx(0.0));
  CHECK(dp[0] == 0);
  CHECK(dp[1] == doctest::Approx(4.0));
  dp = {0, 0};
  cnt = {1, 3};
  CHECK(numeric::multinomial_lpmf_grad(p, cnt, dp) == -kInf);
  CHECK(dp == std::vector<double>{0, 0});
}

TEST_CASE("numeric: multi_normal_lpdf_grad") {
  struct Case {
    std::vector<double> mean, x;
    Eigen::MatrixXd cov;
  };
  Eigen::MatrixXd c2(2, 2), c3(3, 3), c1(1, 1);
  c2 << 2, 0.5, 0.5, 1;
  c3 << 1, 0.3, -0.2, 0.3, 2, 0.4, -0.2, 0.4, 0.5;
  c1 << 4;
  std::vector<Case> cases = {
      {{0, 0}, {0.2, -0.1}, c2},
      {{1, -2, 0.5}, {3, 1, -1}, c3},
      {{5}, {-3}, c1},
      {{1e2, -1e2}, {1e2 + 3, -1e2 - 1}, c2},
  };
  for (const auto& c : cases) {
    std::size_t k = c.mean.size();
    const linalg::Cholesky llt(c.cov);
    Eigen::MatrixXd inv = llt.inverse();
    double log_det = llt.log_det();
    std::vector<double> dm(k, 1.0), dx(k, 2.0);
    double lp = numeric::multi_normal_lpdf_grad(c.mean, c.x, inv.data(), log_det, k, dm, dx);
    auto lib = [&](const std::vector<double>& m, const std::vector<double>& x) {
      return dist::multi_normal_lpdf(
          Eigen::Map<const VectorXd>(m.data(), static_cast<Eigen::Index>(k)), c.cov,
          Eigen::Map<const VectorXd>(x.data(), static_cast<Eigen::Index>(k)));
    };
    CHECK(lp == doctest::Approx(lib(c.mean, c.x)).epsilon(1e-12));
    for (auto& v : dm) v -= 1.0;
    for (auto& v : dx) v -= 2.0;
    check_partials([&](const std::vector<double>& m) { return lib(m, c.x); }, c.mean, dm,
                   "MultiNormal d/dmean");
    check_partials([&](const std::vector<double>& x) { return lib(c.mean, x); }, c.x, dx,
                   "MultiNormal d/dx");
  }
}

TEST_CASE("numeric: normal_inverse_gamma_lpdf_grad") {
  // (m0, lambda, alpha, beta, mu, s2)
  std::vector<std::vector<double>> cases = {
      {0, 1, 2, 3, 0.5, 1.2},
      {1.5, 0.1, 0.5, 0.2, -3, 0.05},
      {-2, 20, 30, 50, -2.1, 1.7},
      {0, 1, 2, 3, 40, 200},
  };
  auto lib = [](const std::vector<double>& v) {
    return dist::normal_inverse_gamma_lpdf(v[0], v[1], v[2], v[3], v[4], v[5]);
  };
  for (const auto& c : cases) {
    std::vector<double> d(4, 1.0);
    double dmu = 2.0, ds2 = 3.0;
    double lp = numeric::normal_inverse_gamma_lpdf_grad(
        std::vector<double>(c.begin(), c.begin() + 4), c[4], c[5], d, dmu, ds2);
    CHECK(lp == lib(c));
    std::vector<double> all = {d[0] - 1, d[1] - 1, d[2] - 1, d[3] - 1, dmu - 2, ds2 - 3};
    check_partials(lib, c, all, "NormalInverseGamma d/d(m0, lambda, alpha, beta, mu, s2)");
  }
  std::vector<double> d(4, 0.0);
  double dmu = 0, ds2 = 0;
  CHECK(numeric::normal_inverse_gamma_lpdf_grad(std::vector<double>{0, 1, 2, 3}, 0.5, -1, d, dmu,
                                                ds2) == -kInf);
  CHECK(d == std::vector<double>{0, 0, 0, 0});
  CHECK(dmu == 0);
  CHECK(ds2 == 0);
}

// ---------------------------------------------------------------------------
// 3. The tape
// ---------------------------------------------------------------------------

struct Built {
  test::Result r;
  const Model& model() const { return r.compiled->model; }
};

// Every parameter's value: from `given` by name, else a point inside its
// prior's support that differs between parameters and elements.
std::vector<VectorXd> values_for(const Model& m,
                                 const std::map<std::string, std::vector<double>>& given) {
  std::vector<VectorXd> out(m.params.size());
  for (std::size_t p = 0; p < m.params.size(); ++p) {
    const ParamVar& pv = m.params[p];
    const Prior& pr = m.priors[pv.prior];
    std::size_t n = pv.type.is_scalar() ? 1 : pv.type.rows;
    VectorXd v(static_cast<Eigen::Index>(n));
    if (auto it = given.find(pv.name); it != given.end()) {
      REQUIRE(it->second.size() == n);
      for (std::size_t i = 0; i < n; ++i) v[static_cast<Eigen::Index>(i)] = it->second[i];
      out[p] = v;
      continue;
    }
    double lo = -kInf, hi = kInf;
    bool simplex = false;
    if (!pr.family) {
      lo = pr.lower, hi = pr.upper;
    } else if (!pv.discrete) {
      simplex = pr.family->joint == 1 && pr.family->support == dist::Domain::Simplex;
      std::vector<Value> args;
      for (const auto& a : pr.args)  // an argument with parameters in it is unknown
        args.push_back(ir::is_data_only(*a) ? ir::eval(*a, env_of(m)) : Value{});
      const dist::Bounds b = dist::support_bounds(*pr.family, args, pv.slot);
      lo = b.lo, hi = b.hi;
    }
    for (std::size_t i = 0; i < n; ++i) {
      double t = static_cast<double>(i) + 0.37 * static_cast<double>(p);
      double x;
      if (simplex)
        x = 1 + 0.5 * t;
      else if (std::isfinite(lo) && std::isfinite(hi))
        x = lo + (hi - lo) * (0.3 + 0.4 * std::fmod(0.29 * t, 1.0));
      else if (std::isfinite(lo))
        x = lo + 0.6 + 0.35 * t;
      else if (std::isfinite(hi))
        x = hi - 0.6 - 0.35 * t;
      else
        x = 0.45 - 0.3 * t + 0.05 * t * t;
      v[static_cast<Eigen::Index>(i)] = x;
    }
    if (simplex) v /= v.sum();
    out[p] = v;
  }
  return out;
}

bool is_simplex(const Model& m, std::size_t p) {
  const Prior& pr = m.priors[m.params[p].prior];
  return pr.family && pr.family->joint == 1 && pr.family->support == dist::Domain::Simplex;
}

// The reference log density: src/density's priors and likelihoods.
double reference(const Model& m, const std::vector<VectorXd>& vals) {
  std::vector<Value> pv(vals.size());
  for (std::size_t p = 0; p < vals.size(); ++p) {
    std::vector<double> x(vals[p].data(), vals[p].data() + vals[p].size());
    pv[p] = m.params[p].type.is_scalar() ? Value::scalar(x[0]) : Value::vector(x);
  }
  double total = 0;
  for (const auto& pr : m.priors) total += density::log_prior(m, pr, pv);
  for (const auto& o : m.observations) total += density::log_likelihood(m, o, pv);
  return total;
}

std::optional<numeric::Tape> compile_all(const Model& m, std::string& why) {
  std::vector<std::size_t> priors(m.priors.size()), obs(m.observations.size());
  std::iota(priors.begin(), priors.end(), 0);
  std::iota(obs.begin(), obs.end(), 0);
  return numeric::Tape::compile(m, priors, obs, why);
}

// Compiles `text`, then checks forward() against src/density and backward()
// against finite differences of forward() in every coordinate of every
// parameter (along e_i - e_K for a simplex).
void check_tape(const std::string& text,
                const std::map<std::string, std::vector<double>>& given = {}) {
  INFO("model:\n" << text);
  auto r = test::run(text);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const Model& m = r.compiled->model;
  std::string why;
  auto tape = compile_all(m, why);
  REQUIRE_MESSAGE(tape, why);
  std::vector<VectorXd> vals = values_for(m, given);
  double lp = tape->forward(vals);
  double ref = reference(m, vals);
  REQUIRE_MESSAGE(std::isfinite(ref), "the test point is outside the support");
  CHECK(lp == doctest::Approx(ref).epsilon(1e-12));
  // backward() adds into grad: start from ones.
  std::vector<VectorXd> grad(m.params.size());
  for (std::size_t p = 0; p < m.params.size(); ++p) grad[p] = VectorXd::Ones(vals[p].size());
  tape->backward(grad);
  for (auto& g : grad) g.array() -= 1.0;
  // A second backward() at the same point gives the same gradient.
  std::vector<VectorXd> again(m.params.size());
  for (std::size_t p = 0; p < m.params.size(); ++p) again[p] = VectorXd::Zero(vals[p].size());
  tape->backward(again);
  for (std::size_t p = 0; p < m.params.size(); ++p)
    CHECK((again[p] - grad[p]).norm() <= 1e-12 * (1 + grad[p].norm()));

  for (std::size_t p = 0; p < m.params.size(); ++p) {
    Eigen::Index n = vals[p].size();
    bool simplex = is_simplex(m, p);
    for (Eigen::Index i = 0; i < (simplex ? n - 1 : n); ++i) {
      auto f = [&](double v) {
        std::vector<VectorXd> w = vals;
        if (simplex) {
          double t = v - vals[p][i];
          w[p][i] += t;
          w[p][n - 1] -= t;
        } else {
          w[p][i] = v;
        }
        return tape->forward(w);
      };
      double analytic = simplex ? grad[p][i] - grad[p][n - 1] : grad[p][i];
      Fd num =
          fd(f, vals[p][i],
             simplex ? 1e-5 * std::min(vals[p][i], vals[p][n - 1]) / std::abs(vals[p][i]) : 1e-5);
      CHECK_GRAD(
          analytic, num,
          "d/d" << m.params[p].name << "[" << i + 1 << "]" << (simplex ? " - d/d last" : ""));
    }
  }
}

TEST_CASE("numeric tape: softmax, sum and scalar * vector") {
  check_tape(R"(param w[3] ~ Normal(0, 1)
data y = [0.5, -1.2, 2.0]
y ~ Normal(sum(softmax(w)) * w, 1)
)");
  check_tape(R"(param w[3] ~ Normal(0, 1)
data y = [0.5, -1.2, 2.0]
y ~ Normal(softmax(w) * 3 + w, 1)
)");
}

TEST_CASE("numeric tape: elementwise built-ins on scalars") {
  check_tape(R"(param a ~ Normal(0.2, 1)
param s ~ Gamma(2, 2)
param q ~ Beta(2, 3)
data y = [0.5, 1.5, 30]
y ~ Normal(exp(a) + log(s) + log1p(s) + expm1(a) + sqrt(s) + square(a) + abs(a) + lgamma(s) + logistic(a) + logit(q), 2)
)");
  // Negative arguments of abs, and both branches of logistic.
  check_tape(R"(param a ~ Normal(0, 1)
data y = [0.5, 1.5]
y ~ Normal(abs(a) + logistic(a) + logistic(-40 * a) + lgamma(a + 5), 1)
)",
             {{"a", {-0.7}}});
}

TEST_CASE("numeric tape: elementwise built-ins on vectors") {
  check_tape(R"(param w[3] ~ Normal(0, 1)
param s[3] ~ Exponential(1)
data y = [0.5, -1.2, 2.0]
y ~ Normal(exp(w) - log(s) + log1p(s) - expm1(w) + sqrt(s) - square(w) + abs(w) + lgamma(s) + logistic(w) + logit(logistic(w)), s)
)");
}

TEST_CASE("numeric tape: pow, ^ and their broadcasting") {
  check_tape(R"(param a ~ Normal(0, 1)
param s ~ Gamma(2, 2)
param w[3] ~ Normal(0, 1)
data y = [0.3, 1.1, -0.4]
y ~ Normal(pow(s, a) + s ^ 2 + s ^ w + pow(w, 2) + 2 ^ w + w ^ 3 + pow(s, w) + (s + 1) ^ (a * w), 1)
)");
}

TEST_CASE("numeric tape: vector maps and reductions") {
  check_tape(R"(param w[4] ~ Normal(0, 1)
data y = [0.3, 1.1, -0.4, 2]
y ~ Normal(log_softmax(w) + cumsum(w) + prod(w) + mean(w) + sd(w) + variance(w) + log_sum_exp(w), 1)
)");
  check_tape(R"(param w[4] ~ Normal(0, 1)
data x = [0.2, -3, 0.1, 1]
data y = [0.3, 1.1, -0.4, 2]
y ~ Normal(min(w) + max(w) * 2 + min(w, 0.1) + max(w, x) + min(w, x) + max(w, 0) + dot(w, x) + dot(w, w) + dot(x, w), 1)
)");
  check_tape(R"(param w[4] ~ Normal(0, 1)
param s ~ Gamma(2, 1)
data y = [0.3, 1.1, -0.4, 2]
y ~ Normal(sum(w) + prod(exp(w)) + sum(softmax(w) * w), sd(w) + s)
)");
  // prod with a zero entry: d/dw_k is the product of the others.
  check_tape(R"(param w[3] ~ Normal(0, 1)
data y = [1, 2]
y ~ Normal(prod(w), 1)
)",
             {{"w", {0.0, 1.5, -2.0}}});
}

TEST_CASE("numeric tape: matrix-vector products with columns(...)") {
  check_tape(R"(data x1 = [1, 2, 3, 4, 5]
data x2 = [0.5, -1, 2, 0, 1]
data y = [1.2, 0.3, 4.4, 2.1, 3]
param w[2] ~ Normal(0, 3)
param s ~ HalfNormal(1)
y ~ Normal(columns(x1, x2) * w, s)
)");
  check_tape(R"(data x1 = [1, 2, 3, 4, 5]
data x2 = [0.5, -1, 2, 0, 1]
data X = columns(x1, x2, x1 * x2)
data y = [1.2, 0.3, 4.4, 2.1, 3]
param w0 ~ Normal(0, 3)
param w[3] ~ Normal(0, 3)
y ~ Normal(w0 + X * w + X * exp(w), 1)
)");
  check_tape(R"(data x = [-1, 0, 1, 2, 3, 4]
data y = [0, 0, 1, 0, 1, 1]
param w[2] ~ Normal(0, 2)
y ~ Bernoulli(logistic(columns(rep(1, 6), x) * w))
)");
}

TEST_CASE("numeric tape: gathers and single indices") {
  check_tape(R"(data g = [1, 2, 1, 3, 3]
data y = [0.1, 2.2, -0.5, 1.4, 1.9]
param mu[3] ~ Normal(0, 2)
param s ~ Gamma(2, 1)
y ~ Normal(mu[g] + mu[2], s)
)");
  check_tape(R"(data g = [2, 2, 1]
data y = [1, 4, 2]
param lr[2] ~ Normal(0, 1)
y ~ Poisson(exp(lr)[g])
)");
}

TEST_CASE("numeric tape: vector literals, arithmetic with broadcasting and unary minus") {
  check_tape(R"(param a ~ Normal(0, 1)
param b ~ Normal(0, 1)
param s ~ Gamma(2, 1)
param w[3] ~ Normal(0, 1)
data y = [0.3, 1.1, -0.4]
y ~ Normal([a, b, a * b] + -w / s - a + w * b - 2 / s + 3 - w + w / w[1] - (-a), s + 1)
)");
  check_tape(R"(param a ~ Normal(0, 1)
param s ~ Gamma(2, 1)
data y = [0.3, 1.1]
y ~ Normal([a / s, -s] * [s, a] - s / [a, 2], [s, 2 * s])
)");
}

TEST_CASE("numeric tape: lets and prelude functions are inlined") {
  check_tape(R"(param a ~ Normal(0, 1)
param w[3] ~ Normal(0, 1)
let m = exp(a) + softplus(w)
data y = [0.3, 1.1, -0.4]
y ~ Normal(m + standardize(w) + hypot(a, 2) + inv_logit(a) + log_inv_logit(w), 1)
)");
}

TEST_CASE("numeric tape: every scalar family as a likelihood with unknown arguments") {
  check_tape(R"(param m ~ Normal(0, 1)
param s ~ Gamma(2, 2)
param nu ~ Gamma(3, 1)
param q ~ Beta(2, 2)
param r ~ Exponential(0.5)
data yr = [0.3, -1.1, 2.4]
data yp = [0.3, 1.1, 2.4]
data yu = [0.05, 0.5, 0.93]
data yc = [0, 3, 1]
data yb = [1, 0, 1]
yr ~ Normal(m, s)
yr ~ StudentT(nu, m, s)
yr ~ Cauchy(m, s)
yr ~ Laplace(m, s)
yp ~ LogNormal(m, s)
yp ~ Exponential(r)
yp ~ Gamma(nu, r)
yp ~ InverseGamma(nu, r)
yu ~ Beta(nu, r)
yp ~ HalfNormal(s)
yp ~ HalfCauchy(s)
yp ~ Weibull(nu, r)
yb ~ Bernoulli(q)
yc ~ Binomial(4, q)
yc ~ Poisson(r)
yc ~ Geometric(q)
yc ~ NegativeBinomial(nu, q)
yc ~ DiscreteUniform(0, 5)
)");
  check_tape(R"(param lo ~ Normal(-5, 1)
param hi ~ Normal(5, 1)
param xm ~ Uniform(0.01, 0.2)
param al ~ Gamma(2, 1)
data y = [0.3, 1.1, 2.4]
y ~ Uniform(lo, hi)
y ~ Pareto(xm, al)
)",
             {{"lo", {-1.5}}, {"hi", {3.2}}});
}

TEST_CASE("numeric tape: every scalar family as a prior with unknown hyperparameters") {
  check_tape(R"(param m ~ Normal(0, 1)
param s ~ Gamma(2, 2)
param nu ~ Gamma(3, 1)
param a ~ Normal(m, s)
param b ~ StudentT(nu, m, s)
param c ~ Cauchy(m, s)
param d ~ Laplace(m, s)
param e ~ LogNormal(m, s)
param f ~ Exponential(s)
param g ~ Gamma(nu, s)
param h ~ InverseGamma(nu, s)
param i ~ Beta(nu, s)
param j ~ HalfNormal(s)
param k ~ HalfCauchy(s)
param l ~ Weibull(nu, s)
param t[3] ~ Normal(m, s)
)");
  check_tape(R"(param p ~ Uniform(-1, 2)
param x ~ Pareto(0.5, 3)
param f in (0, 1)
param g > 0
param b
data y = [0.2, 0.7]
y ~ Normal(p + x + f + g + b, 1)
)");
}

TEST_CASE("numeric tape: vector families") {
  // Categorical and Multinomial through softmax; a Dirichlet prior (simplex).
  check_tape(R"(param w[3] ~ Normal(0, 1)
data z = [1, 3, 3, 2, 3]
data counts = [4, 0, 7]
z ~ Categorical(softmax(w))
counts ~ Multinomial(11, softmax(w))
)");
  check_tape(R"(param th[4] ~ Dirichlet([2, 3, 0.7, 1])
data z = [1, 3, 4, 4, 2]
data counts = [4, 1, 0, 7]
z ~ Categorical(th)
counts ~ Multinomial(12, th)
)");
  check_tape(R"(param a[3] ~ Gamma(2, 1)
param th[3] ~ Dirichlet(a * 2)
)");
  // NormalInverseGamma joint prior with unknown hyperparameters.
  check_tape(R"(param m0 ~ Normal(0, 1)
param la ~ Gamma(2, 1)
param mu, s2 ~ NormalInverseGamma(m0, la, 3, 2)
data y = [0.3, 1.1, -0.4]
y ~ Normal(mu, sqrt(s2))
)");
}

TEST_CASE("numeric tape: MultiNormal with a data covariance") {
  check_tape(R"(data y = [0.2, -0.1]
param m[2] ~ MultiNormal([0, 0], columns([2, 0.5], [0.5, 1]))
y ~ MultiNormal(m, columns([1, 0], [0, 1]))
)");
  check_tape(R"(data S = columns([2, 0.5, 0], [0.5, 1, 0.2], [0, 0.2, 3])
data y = [0.2, -0.1, 1.4]
param a ~ Normal(0, 1)
param w[3] ~ Normal(0, 1)
y ~ MultiNormal(a * w + exp(w), S)
)");
}

TEST_CASE("numeric tape: conditions and discrete steps have zero derivative") {
  check_tape(R"(param a ~ Normal(0, 1)
data y = [0.3, 1.1]
y ~ Normal(a + floor(a * 3) + round(a) + ceil(a), 1)
)",
             {{"a", {0.41}}});
}

TEST_CASE(
    "numeric tape: forward is -inf outside the support, and the component's parameters only") {
  auto r = test::run(R"(param s ~ Gamma(2, 1)
data y = [0.3, 1.1]
y ~ Normal(0, s)
)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  std::string why;
  auto tape = compile_all(r.compiled->model, why);
  REQUIRE_MESSAGE(tape, why);
  std::vector<VectorXd> v = {VectorXd::Constant(1, -1.0)};
  CHECK(!std::isfinite(tape->forward(v)));  // -inf from the prior, NaN from Normal(0, -1)
  CHECK(tape->size() > 0);
  // A prior alone: -inf outside its support.
  r = test::run(R"(param s ~ Gamma(2, 1)
param b ~ Beta(2, 2)
)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  tape = compile_all(r.compiled->model, why);
  REQUIRE_MESSAGE(tape, why);
  v = {VectorXd::Constant(1, -1.0), VectorXd::Constant(1, 0.5)};
  CHECK(tape->forward(v) == -kInf);
  v = {VectorXd::Constant(1, 1.0), VectorXd::Constant(1, 1.5)};
  CHECK(tape->forward(v) == -kInf);
  // Only the listed factors: the likelihood alone has no prior term.
  r = test::run(R"(param m ~ Normal(0, 1)
data y = [0.5]
y ~ Normal(m, 1)
)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  auto lik = numeric::Tape::compile(r.compiled->model, {}, {0}, why);
  REQUIRE_MESSAGE(lik, why);
  v = {VectorXd::Constant(1, 0.25)};
  CHECK(lik->forward(v) ==
        doctest::Approx(-0.5 * 0.0625 - 0.5 * std::log(2 * M_PI)).epsilon(1e-14));
  std::vector<VectorXd> g = {VectorXd::Zero(1)};
  lik->backward(g);
  CHECK(g[0][0] == doctest::Approx(0.25).epsilon(1e-14));
}

// ---------------------------------------------------------------------------
// 4. The transforms, through MAPs known in closed form
// ---------------------------------------------------------------------------

std::vector<json> numeric_answers(const std::string& text, answer::Method method,
                                  bool jacobian = false) {
  auto r = test::run(text);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  answer::Options opt;
  opt.method = method;
  opt.numeric.jacobian = jacobian;
  opt.draws = 2000;
  answer::Report rep = answer_all(*r.compiled, opt);
  return report::to_json(rep);
}

double num_value(const json& j) {
  REQUIRE_MESSAGE(j.contains("value"), j.dump());
  return j["value"].get<double>();
}

void check_close(double got, double want, double rel, const std::string& what) {
  CHECK_MESSAGE(std::abs(got - want) <= rel * std::max(1.0, std::abs(want)),
                what << ": got " << got << ", want " << want);
}

TEST_CASE("numeric transforms: positive (log) via Gamma-Poisson and Gamma-Exponential") {
  // Gamma(3, 2) prior, y = [1, 4, 2, 0, 3]: posterior Gamma(13, 7), mode 12/7.
  auto r = numeric_answers(R"(param lam ~ Gamma(3, 2)
data y = [1, 4, 2, 0, 3]
y ~ Poisson(lam)
print map(lam)
print mle(lam)
)",
                           answer::Method::Numeric);
  REQUIRE(r.size() == 2);
  CHECK(r[0]["method"] == "numeric");
  check_close(num_value(r[0]), 12.0 / 7.0, 1e-6, "map(lam)");
  check_close(num_value(r[1]), 2.0, 1e-6, "mle(lam)");
  // With the Jacobian the mode is that of lam * Gamma(13, 7): 13/7.
  r = numeric_answers(R"(param lam ~ Gamma(3, 2)
data y = [1, 4, 2, 0, 3]
y ~ Poisson(lam)
print map(lam)
)",
                      answer::Method::Numeric, true);
  check_close(num_value(r[0]), 13.0 / 7.0, 1e-6, "map(lam) on the log scale");
  // Exponential(1) prior, Exponential(r) likelihood: Gamma(1 + N, 1 + sum y), mode N / (1 + sum y).
  r = numeric_answers(R"(param r ~ Exponential(1)
data y = [0.5, 2, 1.5, 0.25]
y ~ Exponential(r)
print map(r)
)",
                      answer::Method::Numeric);
  check_close(num_value(r[0]), 4.0 / 5.25, 1e-6, "map(r)");
  // InverseGamma(3, 2) on a Normal variance (known mean 0): IG(3 + N/2, 2 + sum y^2 / 2), mode b /
  // (a + 1).
  r = numeric_answers(R"(param v ~ InverseGamma(3, 2)
data y = [0.5, -2, 1.5, 0.25]
y ~ Normal(0, sqrt(v))
print map(v)
)",
                      answer::Method::Numeric);
  double ss = 0.25 + 4 + 2.25 + 0.0625;
  check_close(num_value(r[0]), (2 + ss / 2) / (3 + 2 + 1), 1e-6, "map(v)");
}

TEST_CASE("numeric transforms: interval (logit) via Beta-Bernoulli") {
  auto r = numeric_answers(R"(data flips = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
param p ~ Beta(2, 2)
flips ~ Bernoulli(p)
print map(p)
print mle(p)
)",
                           answer::Method::Numeric);
  REQUIRE(r.size() == 2);
  check_close(num_value(r[0]), 8.0 / 12.0, 1e-6, "map(p)");
  check_close(num_value(r[1]), 0.7, 1e-6, "mle(p)");
  // With the Jacobian p (1 - p) the mode of Beta(9, 5) becomes 9 / 14.
  r = numeric_answers(R"(data flips = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
param p ~ Beta(2, 2)
flips ~ Bernoulli(p)
print map(p)
)",
                      answer::Method::Numeric, true);
  check_close(num_value(r[0]), 9.0 / 14.0, 1e-6, "map(p) on the logit scale");
}

TEST_CASE("numeric transforms: Uniform(lo, hi) bounds (scaled logit)") {
  // Flat on (0.2, 0.9): the MAP is the MLE 7/10.
  auto r = numeric_answers(R"(data flips = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
param p ~ Uniform(0.2, 0.9)
flips ~ Bernoulli(p)
print map(p)
)",
                           answer::Method::Numeric);
  check_close(num_value(r[0]), 0.7, 1e-6, "map(p)");
  // Real-valued: Uniform(-1, 3) with a Normal likelihood: the mean 1.2.
  r = numeric_answers(R"(param mu ~ Uniform(-1, 3)
data y = [0.5, 1.5, 2, 0.8]
y ~ Normal(mu, 1)
print map(mu)
)",
                      answer::Method::Numeric);
  check_close(num_value(r[0]), 1.2, 1e-6, "map(mu)");
  // With the Jacobian (p - lo)(hi - p) / (hi - lo): the root of
  // 7/p - 3/(1 - p) + 1/(p - 0.2) - 1/(0.9 - p) = 0 in (0.2, 0.9).
  r = numeric_answers(R"(data flips = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
param p ~ Uniform(0.2, 0.9)
flips ~ Bernoulli(p)
print map(p)
)",
                      answer::Method::Numeric, true);
  auto score = [](double p) { return 7 / p - 3 / (1 - p) + 1 / (p - 0.2) - 1 / (0.9 - p); };
  double lo = 0.2 + 1e-12, hi = 0.9 - 1e-12;
  for (int i = 0; i < 200; ++i) {
    double mid = (lo + hi) / 2;
    (score(mid) > 0 ? lo : hi) = mid;
  }
  check_close(num_value(r[0]), (lo + hi) / 2, 1e-6, "map(p) on the scaled-logit scale");
  // Bounds that do not contain the MLE: the MAP is the upper bound 0.5 (the
  // support is closed), or a note that it is on the boundary.
  r = numeric_answers(R"(data flips = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
param p ~ Uniform(0.1, 0.5)
flips ~ Bernoulli(p)
print map(p)
)",
                      answer::Method::Numeric);
  if (!r[0].contains("error")) check_close(num_value(r[0]), 0.5, 1e-6, "map(p) on the boundary");
}

// Dirichlet(2, 3, 4) prior, counts (2, 2, 3): posterior Dirichlet(4, 5, 7).
const std::string kDirichletCategorical =
    "param th[3] ~ Dirichlet([2, 3, 4])\ndata z = [1, 2, 2, 3, 3, 3, 1]\nz ~ Categorical(th)\n";

TEST_CASE("numeric transforms: simplex (additive log-ratio) via Dirichlet-Categorical") {
  // MAP_k = (alpha_k - 1 + n_k) / (sum alpha - K + N).
  auto r = numeric_answers(kDirichletCategorical + "print map(th)\n", answer::Method::Numeric);
  REQUIRE(r.size() == 1);
  REQUIRE_MESSAGE(r[0].contains("value"), r[0].dump());
  std::vector<double> alpha = {2, 3, 4}, n = {2, 2, 3};
  double denom = 9 - 3 + 7;
  for (std::size_t k = 0; k < 3; ++k)
    check_close(r[0]["value"][k].get<double>(), (alpha[k] - 1 + n[k]) / denom, 1e-6,
                "map(th)[" + std::to_string(k + 1) + "]");
  // Multinomial counts, K = 4.
  r = numeric_answers(R"(param th[4] ~ Dirichlet([1.5, 2, 3, 1.2])
data c = [5, 0, 9, 2]
c ~ Multinomial(16, th)
print map(th)
)",
                      answer::Method::Numeric);
  REQUIRE_MESSAGE(r[0].contains("value"), r[0].dump());
  alpha = {1.5, 2, 3, 1.2}, n = {5, 0, 9, 2};
  denom = 7.7 - 4 + 16;
  for (std::size_t k = 0; k < 4; ++k)
    check_close(r[0]["value"][k].get<double>(), (alpha[k] - 1 + n[k]) / denom, 1e-6,
                "map(th)[" + std::to_string(k + 1) + "]");
  // With the Jacobian prod x_k: the mode of prod x_k^(alpha_k + n_k) is (alpha_k + n_k) / (sum
  // alpha + N).
  r = numeric_answers(kDirichletCategorical + "print map(th)\n", answer::Method::Numeric, true);
  alpha = {2, 3, 4}, n = {2, 2, 3};
  for (std::size_t k = 0; k < 3; ++k)
    check_close(r[0]["value"][k].get<double>(), (alpha[k] + n[k]) / 16.0, 1e-6,
                "map(th) on the ALR scale");
}

TEST_CASE(
    "numeric transforms: real (identity) via Normal-Normal, with the exact Laplace evidence") {
  // Prior Normal(1, 2), y_i ~ Normal(mu, 0.5): precision 1/4 + 4 * 4 = 16.25,
  // mean (1/4 + 16 * mean(y)) / 16.25.
  std::string text = R"(param mu ~ Normal(1, 2)
data y = [0.5, 1.5, 2, 0.8]
y ~ Normal(mu, 0.5)
print map(mu)
print mle(mu)
print evidence()
)";
  auto num = numeric_answers(text, answer::Method::Numeric);
  auto exact = numeric_answers(text, answer::Method::Conjugate);
  REQUIRE(num.size() == 3);
  check_close(num_value(num[0]), (0.25 + 16 * 1.2) / 16.25, 1e-6, "map(mu)");
  check_close(num_value(num[1]), 1.2, 1e-6, "mle(mu)");
  // The posterior is Gaussian: Laplace's evidence is exact.
  check_close(num_value(num[2]), num_value(exact[2]), 1e-6, "evidence()");
}

TEST_CASE("numeric transforms: NormalInverseGamma joint prior (real and positive together)") {
  // Posterior NIG(m', lambda', alpha', beta'); the joint mode is
  // mu = m', s2 = beta' / (alpha' + 3/2).
  auto r = numeric_answers(R"(param mu, s2 ~ NormalInverseGamma(1, 2, 3, 4)
data y = [0.5, 1.5, 2.5, 0.7, 1.9]
y ~ Normal(mu, sqrt(s2))
print map(mu)
print map(s2)
)",
                           answer::Method::Numeric);
  double n = 5, ybar = 7.1 / 5, m0 = 1, la = 2, a = 3, b = 4;
  double ss = 0;
  for (double y : {0.5, 1.5, 2.5, 0.7, 1.9}) ss += (y - ybar) * (y - ybar);
  double la1 = la + n, m1 = (la * m0 + n * ybar) / la1, a1 = a + n / 2;
  double b1 = b + 0.5 * ss + la * n * (ybar - m0) * (ybar - m0) / (2 * la1);
  check_close(num_value(r[0]), m1, 1e-6, "map(mu)");
  check_close(num_value(r[1]), b1 / (a1 + 1.5), 1e-6, "map(s2)");
}

TEST_CASE("numeric transforms: Laplace evidence on the log scale, centred where Stan's is") {
  // Gamma(3, 2) with Poisson counts: posterior kernel lam^(A-1) e^(-B lam),
  // A = 13, B = 7. The Laplace approximation is on u = log lam with the
  // Jacobian lam: centred at lam_c = A / B with curvature A there, so
  // log p(D) ~ log p(D, lam_c) + log lam_c + log(2 pi) / 2 - log(A) / 2.
  auto r = numeric_answers(R"(param lam ~ Gamma(3, 2)
data y = [1, 4, 2, 0, 3]
y ~ Poisson(lam)
print evidence()
)",
                           answer::Method::Numeric);
  double lam = 13.0 / 7.0;
  double joint = family("Gamma").lpdf(std::vector<double>{3, 2}, lam);
  for (double y : {1, 4, 2, 0, 3}) joint += family("Poisson").lpdf(std::vector<double>{lam}, y);
  double want = joint + std::log(lam) + 0.5 * std::log(2 * M_PI) - 0.5 * std::log(13.0);
  check_close(num_value(r[0]), want, 1e-6, "evidence() by Laplace");
}

TEST_CASE("numeric transforms: Laplace evidence on the logit and simplex scales") {
  // Beta(2, 2) with 7 of 10: kernel p^8 (1 - p)^4; on u = logit p with the
  // Jacobian p (1 - p): p^9 (1 - p)^5, centred at p_c = 9/14 with curvature
  // 14 p_c (1 - p_c) = 45/14.
  auto r = numeric_answers(R"(data flips = [1, 0, 1, 1, 0, 1, 1, 1, 0, 1]
param p ~ Beta(2, 2)
flips ~ Bernoulli(p)
print evidence()
)",
                           answer::Method::Numeric);
  double p = 9.0 / 14.0;
  double joint =
      family("Beta").lpdf(std::vector<double>{2, 2}, p) + 7 * std::log(p) + 3 * std::log1p(-p);
  check_close(num_value(r[0]),
              joint + std::log(p * (1 - p)) + 0.5 * std::log(2 * M_PI) - 0.5 * std::log(45.0 / 14),
              1e-6, "evidence() on the logit scale");
  // Dirichlet(2, 3, 4) with counts (2, 2, 3): posterior Dirichlet(4, 5, 7).
  // On the additive log-ratio scale with the Jacobian prod x_k the kernel is
  // prod x_k^c_k, c = (4, 5, 7), C = 16: centred at c / C, where the
  // curvature C (diag(x) - x x') over the first two coordinates has
  // determinant C^2 prod_k x_k.
  r = numeric_answers(kDirichletCategorical + "print evidence()\n", answer::Method::Numeric);
  std::vector<double> centre = {4.0 / 16, 5.0 / 16, 7.0 / 16}, alpha = {2, 3, 4}, n = {2, 2, 3};
  double jd = dist::dirichlet_lpdf(alpha, centre), logx = 0;
  for (std::size_t k = 0; k < 3; ++k) jd += n[k] * std::log(centre[k]), logx += std::log(centre[k]);
  double logdet = 2 * std::log(16.0) + logx;
  check_close(num_value(r[0]), jd + logx + std::log(2 * M_PI) - 0.5 * logdet, 1e-6,
              "evidence() on the simplex");
}

// ---------------------------------------------------------------------------
// Problems numeric.cpp once had, now fixed
// ---------------------------------------------------------------------------

TEST_CASE("numeric transforms: an upper-bounded parameter's quantiles are in order") {
  // Flat on (-inf, 3): Laplace on u = log(3 - b). numeric.cpp maps the u-quantile
  // p through the decreasing b = 3 - exp(u), so it returns the (1 - p) quantile.
  auto r = numeric_answers(R"(param b < 3
data y = [0.5, 1.5, 2.5]
y ~ Normal(b, 1)
print quantile(b, 0.1)
print quantile(b, 0.9)
print posterior(b)
)",
                           answer::Method::Numeric);
  CHECK_MESSAGE(num_value(r[0]) < num_value(r[1]),
                "quantile(b, 0.1) = " << r[0].dump() << ", quantile(b, 0.9) = " << r[1].dump());
  REQUIRE(r[2].contains("interval"));
  CHECK_MESSAGE(r[2]["interval"][0].get<double>() < r[2]["interval"][1].get<double>(), r[2].dump());
}

TEST_CASE("numeric transforms: a lower bound far below the data still converges") {
  // Flat on (-3, inf), Normal(b, 1) data: the MAP is the mean 1.5. At the start
  // u = 0 (b = -2) the objective is concave in u = log(b + 3); with LBFGS++'s
  // default Armijo-only line search s'y < 0 is accepted and the next direction
  // goes uphill ("the moving direction increases the objective function value").
  auto r = numeric_answers(R"(param b > -3
data y = [0.5, 1.5, 2.5]
y ~ Normal(b, 1)
print map(b)
)",
                           answer::Method::Numeric);
  REQUIRE_MESSAGE(r[0].contains("value"), r[0].dump());
  check_close(num_value(r[0]), 1.5, 1e-6, "map(b)");
}

TEST_CASE(
    "numeric transforms: the Laplace evidence with the Jacobian option does not count log |J| "
    "twice") {
  // Gamma-Poisson posterior kernel lam^12 exp(-7 lam): on u = log lam with the
  // Jacobian it is 13 u - 7 e^u, whose Laplace integral is the joint at
  // lam* = 13/7 times lam*, (2 pi)^(1/2), 13^(-1/2).
  auto r = numeric_answers(R"(param lam ~ Gamma(3, 2)
data y = [1, 4, 2, 0, 3]
y ~ Poisson(lam)
print evidence()
)",
                           answer::Method::Numeric, true);
  double lam = 13.0 / 7.0;
  double joint = family("Gamma").lpdf(std::vector<double>{3, 2}, lam);
  for (double y : {1, 4, 2, 0, 3}) joint += family("Poisson").lpdf(std::vector<double>{lam}, y);
  double want = joint + std::log(lam) + 0.5 * std::log(2 * M_PI) - 0.5 * std::log(13.0);
  check_close(num_value(r[0]), want, 1e-6, "evidence() with jacobian = true");
}

TEST_CASE("numeric transforms: a mode on the boundary is reported as the closed form does") {
  // Beta(1, 1) with four successes: the conjugate engine says the MAP and MLE are
  // on the boundary p = 1; numeric.cpp's test |u| > 25 misses it because L-BFGS
  // stops near u = 21.7 (p = 1 - 4e-10), where the gradient in u is ~1e-9.
  std::string text = R"(data y = [1, 1, 1, 1]
param p ~ Beta(1, 1)
y ~ Bernoulli(p)
print map(p)
print mle(p)
)";
  auto num = numeric_answers(text, answer::Method::Numeric);
  auto exact = numeric_answers(text, answer::Method::Conjugate);
  for (std::size_t i = 0; i < 2; ++i)
    CHECK_MESSAGE(num[i].contains("error") == exact[i].contains("error"),
                  "numeric " << num[i].dump() << " vs closed form " << exact[i].dump());
}

// ---------------------------------------------------------------------------
// 5. Modes that do not exist, modes on a closed edge, and the L1 evidence
// ---------------------------------------------------------------------------

std::string error_of(const json& j) {
  REQUIRE_MESSAGE(j.contains("error"), j.dump());
  return j["error"].get<std::string>();
}

TEST_CASE("numeric existence: the variance of one observation has no MLE") {
  // mu = y makes the likelihood grow as s2 -> 0: along a curve, not a line.
  auto r = numeric_answers(R"(data y = [2.5]
param mu
param s2 > 0
y ~ Normal(mu, sqrt(s2))
print mle(s2)
print map()
)",
                           answer::Method::Numeric);
  for (const auto& j : r) {
    std::string e = error_of(j);
    CHECK_MESSAGE(e.find("does not exist") != std::string::npos, e);
    CHECK_MESSAGE(e.find("increases without bound as s2 -> 0") != std::string::npos, e);
  }
}

TEST_CASE("numeric existence: a flat improper posterior is said to be flat") {
  // Only a + b is identified: the posterior is flat along a - b.
  auto r = numeric_answers(R"(data y = [0.3, 1.2]
param a
param b
y ~ Normal(a + b, 1)
print map()
)",
                           answer::Method::Numeric);
  std::string e = error_of(r[0]);
  CHECK_MESSAGE(e.find("does not exist") != std::string::npos, e);
  CHECK_MESSAGE(e.find("flat") != std::string::npos, e);
  CHECK_MESSAGE(e.find("improper") != std::string::npos, e);
}

TEST_CASE("numeric existence: separable data name the direction, once") {
  auto r = numeric_answers(R"(data x = [-2, -1.5, -0.7, -0.2, 0.3, 0.9, 1.6, 2.4]
data y = [0, 0, 0, 0, 1, 1, 1, 1]
param w0
param w
y ~ Bernoulli(logistic(w0 + w * x))
print mle()
)",
                           answer::Method::Numeric);
  std::string e = error_of(r[0]);
  CHECK_MESSAGE(e.rfind("the MLE does not exist", 0) == 0, e);  // no "w0: " in front
  CHECK_MESSAGE(e.find("w -> +inf") != std::string::npos, e);
}

TEST_CASE("numeric existence: a mode on a closed edge is the edge (Pareto-Uniform)") {
  // theta >= max x = 5.91 from the data; the posterior Pareto(5.91, 5) is
  // largest at its lower end, which belongs to its support.
  auto r = numeric_answers(R"(data x = [3.1, 5.91, 2.2]
param theta ~ Pareto(1, 2)
x ~ Uniform(0, theta)
print map(theta)
print mle(theta)
)",
                           answer::Method::Numeric);
  check_close(num_value(r[0]), 5.91, 1e-12, "map(theta)");
  check_close(num_value(r[1]), 5.91, 1e-12, "mle(theta)");
}

TEST_CASE("numeric evidence: Laplace priors count log b (the L1 scaling)") {
  // w ~ Laplace(0, 2), y ~ Normal(w, 1), y = [2, 2.5, 3]: the mode is
  // mean(y) - 1 / (N b) = 2.5 - 1/6 and the curvature there is N = 3 (the
  // Laplace prior is linear away from 0).
  auto r = numeric_answers(R"(param w ~ Laplace(0, 2)
data y = [2, 2.5, 3]
y ~ Normal(w, 1)
print map(w)
print evidence()
)",
                           answer::Method::Numeric);
  double w = 2.5 - 1.0 / 6.0;
  check_close(num_value(r[0]), w, 1e-9, "map(w)");
  double joint = family("Laplace").lpdf(std::vector<double>{0, 2}, w);
  for (double y : {2.0, 2.5, 3.0}) joint += family("Normal").lpdf(std::vector<double>{w, 1}, y);
  check_close(num_value(r[1]), joint + 0.5 * std::log(2 * M_PI) - 0.5 * std::log(3.0), 1e-9,
              "evidence() with a Laplace prior");
}

TEST_CASE(
    "numeric existence: no verdict from a walk that leaves the floating-point range at once") {
  // Eight schools with theta ~ Normal(mu, tau): the joint density grows
  // without bound as tau -> 0 with theta = mu (the funnel), which the engine
  // does not find; it must then say that it did not converge, not that the
  // mode runs off along mu, whose prior is proper.
  auto r = numeric_answers(R"(data y = [28, 8, -3, 7, -1, 1, 18, 12]
data sigma = [15, 10, 16, 11, 9, 11, 10, 18]
param mu ~ Normal(0, 5)
param tau ~ HalfCauchy(5)
param theta[8] ~ Normal(mu, tau)
y ~ Normal(theta, sigma)
print map()
)",
                           answer::Method::Numeric);
  std::string e = error_of(r[0]);
  CHECK_MESSAGE(e.find("mu -> +inf") == std::string::npos, e);
  CHECK_MESSAGE(e.find("mu -> -inf") == std::string::npos, e);
}

TEST_CASE("numeric existence: a saddle is not a mode (a symmetric start in a mixture)") {
  // Both means start at 0 and the gradient keeps them equal: L-BFGS stops on
  // the saddle mu[1] = mu[2]. The walk along the negative curvature finds
  // lower ground, and the engine optimises again from there.
  auto r = numeric_answers(R"(data y = [-2.1, -1.8, -2.5, 2.2, 1.9, 2.4, 2.0, -2.2]
param mu[2] ~ Normal(0, 5)
param z[8] ~ Categorical([0.5, 0.5])
y ~ Normal(mu[z], 0.5)
print map(mu)
)",
                           answer::Method::Numeric);
  REQUIRE_MESSAGE(r[0].contains("value"), r[0].dump());
  double a = r[0]["value"][0].get<double>(), b = r[0]["value"][1].get<double>();
  CHECK_MESSAGE(std::fabs(std::min(a, b) + 2.15) < 0.1, r[0].dump());
  CHECK_MESSAGE(std::fabs(std::max(a, b) - 2.1) < 0.1, r[0].dump());
}

// ---------------------------------------------------------------------------
// Generalised linear models: the strong-concavity certificate and the exact
// Hessian (concave.cpp), and the row-parallel tape on long vectors
// ---------------------------------------------------------------------------

// A long data set written by the model itself: x in (-0.5, 0.5], and 0/1
// outcomes from the golden-ratio sequence (no file, no randomness).
std::string long_data(int n) {
  return "data i = seq(1, " + std::to_string(n) + ")\ndata x = i / " + std::to_string(n) +
         " - 0.5\ndata y = floor(2 * (i * 0.6180339887 - floor(i * 0.6180339887)))\n";
}

// Every parameter of the model, in order, as the engine stacks them.
std::vector<std::size_t> all_params(const Model& m) {
  std::vector<std::size_t> ps(m.params.size());
  std::iota(ps.begin(), ps.end(), 0);
  return ps;
}

// Checks the GLM Hessian of minus the log density against central
// differences of the tape's exact gradient, at the test point.
void check_glm_hessian(const std::string& text) {
  INFO("model:\n" << text);
  auto r = test::run(text);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const Model& m = r.compiled->model;
  std::vector<std::size_t> priors(m.priors.size()), obs(m.observations.size());
  std::iota(priors.begin(), priors.end(), 0);
  std::iota(obs.begin(), obs.end(), 0);
  auto ps = all_params(m);
  auto glm = numeric::Glm::of(m, priors, obs, ps, true);
  REQUIRE(glm);
  std::string why;
  auto tape = compile_all(m, why);
  REQUIRE_MESSAGE(tape, why);
  std::vector<VectorXd> vals = values_for(m, {});
  VectorXd theta(static_cast<Eigen::Index>(patterns::stacked_size(m, ps)));
  for (Eigen::Index k = 0, p = 0; p < static_cast<Eigen::Index>(ps.size()); ++p)
    for (Eigen::Index i = 0; i < vals[static_cast<std::size_t>(p)].size(); ++i)
      theta[k++] = vals[static_cast<std::size_t>(p)][i];
  // Minus the gradient of the log density at theta, stacked.
  auto grad = [&](const VectorXd& t) {
    std::vector<VectorXd> v = vals, g(m.params.size());
    for (Eigen::Index k = 0, p = 0; p < static_cast<Eigen::Index>(ps.size()); ++p) {
      auto& vp = v[static_cast<std::size_t>(p)];
      for (Eigen::Index i = 0; i < vp.size(); ++i) vp[i] = t[k++];
      g[static_cast<std::size_t>(p)] = VectorXd::Zero(vp.size());
    }
    tape->forward(v);
    tape->backward(g);
    VectorXd out(t.size());
    for (Eigen::Index k = 0, p = 0; p < static_cast<Eigen::Index>(ps.size()); ++p)
      for (Eigen::Index i = 0; i < g[static_cast<std::size_t>(p)].size(); ++i)
        out[k++] = -g[static_cast<std::size_t>(p)][i];
    return out;
  };
  Eigen::MatrixXd H = glm->hessian(theta), D(H.rows(), H.cols());
  for (Eigen::Index j = 0; j < theta.size(); ++j) {
    double h = 1e-5 * std::max(1.0, std::fabs(theta[j]));
    VectorXd up = theta, down = theta;
    up[j] += h, down[j] -= h;
    D.col(j) = (grad(up) - grad(down)) / (2 * h);
  }
  CHECK_MESSAGE((H - D).cwiseAbs().maxCoeff() <= 1e-6 * (1 + H.cwiseAbs().maxCoeff()),
                "exact\n"
                    << H << "\ndifferences\n"
                    << D);
  CHECK(Eigen::MatrixXd(H - H.transpose()).cwiseAbs().maxCoeff() == 0);
}

TEST_CASE("numeric GLM: the exact Hessian against differences of the gradient, every link") {
  check_glm_hessian(R"(data x1 = [1, 2, 3, 4, 5]
data x2 = [0.5, -1, 2, 0, 1]
data y = [1.2, 0.3, 4.4, 2.1, 3]
param w0 ~ Normal(1, 3)
param w[2] ~ Normal(0, [2, 0.5])
y ~ Normal(w0 + columns(x1, x2) * w, [1, 2, 1, 0.5, 1])
)");
  check_glm_hessian(R"(data x = [-1, 0, 1, 2, 3, 4]
data y = [0, 0, 1, 0, 1, 1]
param w[2] ~ MultiNormal([0, 0], columns([4, 1], [1, 2]))
y ~ Bernoulli(logistic(columns(rep(1, 6), x) * w))
)");
  check_glm_hessian(R"(data n = [10, 12, 8, 20]
data k = [2, 5, 6, 15]
data dose = [-1, 0, 0.5, 1.5]
param a ~ Normal(0, 2)
param b ~ Normal(0, 2)
k ~ Binomial(n, logistic(a + b * dose))
)");
  // A scalar predictor for every outcome, a sum and an index, Poisson links.
  check_glm_hessian(R"(data counts = [3, 1, 4, 1, 5]
data t = [1, 2, 3, 4, 5]
param a ~ Normal(0, 1)
param b[2] ~ Normal(0, 1)
counts ~ Poisson(exp(a))
counts ~ Poisson(exp(-a / 2 + b[2] * t - sum(b) / 10))
)");
}

TEST_CASE("numeric GLM: which models are certified strongly concave") {
  auto modulus = [](const std::string& text) -> std::optional<double> {
    auto r = test::run(text);
    REQUIRE_MESSAGE(r.compiled, r.errors());
    const Model& m = r.compiled->model;
    std::vector<std::size_t> priors(m.priors.size()), obs(m.observations.size());
    std::iota(priors.begin(), priors.end(), 0);
    std::iota(obs.begin(), obs.end(), 0);
    return numeric::strong_concavity(m, priors, obs);
  };
  const std::string data = "data x = [1, 2, 3]\ndata y = [0, 1, 1]\n";
  // The smallest prior precision: 1 / 4^2 here.
  auto yes = modulus(data +
                     "param a ~ Normal(0, 4)\nparam b ~ Normal(0, 1)\n"
                     "y ~ Bernoulli(logistic(a + b * x))\n");
  REQUIRE(yes);
  CHECK(*yes == doctest::Approx(1.0 / 16));
  auto mvn = modulus(data +
                     "param w[2] ~ MultiNormal([0, 0], columns([4, 0], [0, 9]))\n"
                     "y ~ Normal(w[1] + w[2] * x, 1)\n");
  REQUIRE(mvn);
  CHECK(*mvn == doctest::Approx(1.0 / 9));
  // Not concave, or not strongly: each is refused.
  CHECK_FALSE(modulus(data + "param a ~ Normal(0, 4)\ny ~ Bernoulli(logistic(a * a * x))\n"));
  CHECK_FALSE(modulus(data + "param a ~ Normal(0, 4)\ny ~ StudentT(3, a, 1)\n"));
  CHECK_FALSE(modulus(data + "param a ~ Cauchy(0, 4)\ny ~ Normal(a, 1)\n"));
  CHECK_FALSE(modulus(data + "param a ~ Laplace(0, 4)\ny ~ Normal(a, 1)\n"));
  CHECK_FALSE(
      modulus(data + "param a ~ Normal(0, 4)\nparam s ~ HalfNormal(1)\ny ~ Normal(a, s)\n"));
  CHECK_FALSE(modulus(data + "param a ~ Normal(0, 4)\ny ~ Bernoulli(a)\n"));
  CHECK_FALSE(modulus(data + "param a ~ Normal(0, 4)\ny ~ Poisson(exp(a) * x)\n"));
}

TEST_CASE("numeric tape: long vectors split between threads give the same density and gradient") {
  // 40 000 rows: the matrix products and the fused Bernoulli-logistic factor
  // run in row blocks (parallel.hpp); the reference and the differences are
  // computed row by row.
  check_tape(long_data(40000) + R"(param w0 ~ Normal(0, 5)
param w[2] ~ Normal(0, 2.5)
y ~ Bernoulli(logistic(w0 + columns(x, x * x) * w))
)");
  check_tape(long_data(40000) + R"(param w[2] ~ Normal(0, 2.5)
y ~ Normal(columns(x, rep(1, 40000)) * w, 0.5)
)");
}

TEST_CASE("numeric GLM: a certified logistic MAP matches the Newton-polished one") {
  // The same model and data; map() alone takes the certified path (no
  // Hessian), posterior() the Newton path with the exact Hessian.
  const std::string model = long_data(20000) + R"(param w0 ~ Normal(0, 5)
param w ~ Normal(0, 2.5)
y ~ Bernoulli(logistic(w0 + w * x))
)";
  auto point = numeric_answers(model + "print map()\n", answer::Method::Numeric);
  auto full = numeric_answers(model + "print map()\nprint posterior(w)\n", answer::Method::Numeric);
  REQUIRE_MESSAGE(point[0].contains("value"), point[0].dump());
  REQUIRE_MESSAGE(full[0].contains("value"), full[0].dump());
  for (const char* p : {"w0", "w"}) {
    double a = point[0]["value"][p].get<double>(), b = full[0]["value"][p].get<double>();
    CHECK_MESSAGE(a == doctest::Approx(b).epsilon(1e-9), p);
  }
}

}  // namespace

// ---------------------------------------------------------------------------
// Laplace summaries of a simplex, draws with summed-out labels, map(let)
// ---------------------------------------------------------------------------

TEST_CASE("numeric Laplace: a simplex's sd and intervals (by hand)") {
  // Posterior Dirichlet(a) (a = alpha + counts = (4, 5, 7), A = 16). On the
  // additive log-ratio scale with the Jacobian prod x_k the log density is
  // sum a_k log x_k: centred at x = a / A, where its Hessian is
  // -A (diag(x) - x x') over the first K - 1 coordinates, so the delta method
  // gives var x_k = x_k (1 - x_k) / A for every k, the last included. The
  // interval is a Normal on logit(x_k) with sd = sd(x_k) / (x_k (1 - x_k)).
  // The mode reported is the MAP, (a - 1) / (A - K).
  auto r =
      numeric_answers(kDirichletCategorical + "print posterior(th)\n", answer::Method::Numeric);
  REQUIRE_MESSAGE(r[0].contains("sd"), r[0].dump());
  std::vector<double> a = {4, 5, 7};
  for (std::size_t k = 0; k < 3; ++k) {
    check_close(r[0]["mode"][k].get<double>(), (a[k] - 1) / 13, 1e-6, "mode");
    check_close(r[0]["mean"][k].get<double>(), a[k] / 16, 1e-6, "mean (the centre)");
    double x = a[k] / 16, sd = std::sqrt(x * (1 - x) / 16);
    check_close(r[0]["sd"][k].get<double>(), sd, 1e-5, "sd(th)[" + std::to_string(k + 1) + "]");
    double mid = std::log(x / (1 - x)), s = sd / (x * (1 - x));
    check_close(r[0]["interval"][k][0].get<double>(), 1 / (1 + std::exp(-(mid - 1.959964 * s))),
                1e-5, "lower end");
    check_close(r[0]["interval"][k][1].get<double>(), 1 / (1 + std::exp(-(mid + 1.959964 * s))),
                1e-5, "upper end");
  }
}

TEST_CASE("numeric Laplace: a mixture's weights, labels by draws, and no evidence") {
  // Well separated clusters of 5 and 5: the labels are certain, and pi's
  // posterior is proportional to pi^5 (1 - pi)^5 (Dirichlet(1, 1) prior):
  // mode 1/2; on the logit scale with the Jacobian pi (1 - pi), centred at
  // 1/2 with curvature 12 x (1 - x) = 3, so sd = 0.25 / sqrt(3).
  const std::string model = R"(data y = [-2.1, -1.8, -2.4, -1.9, 0.1, 1.9, 2.3, 2.0, 1.7, 2.2, -2.2]
param pi ~ Dirichlet([1, 1])
param mu[2] ~ Normal(0, 10)
param z[11] ~ Categorical(pi)
y ~ Normal(mu[z], 0.5)
print posterior(pi)
print posterior(z)
print prob(z[1] == z[11])
print prob(z[5] == z[6])
print evidence()
)";
  auto r = numeric_answers(model, answer::Method::Numeric);
  REQUIRE(r.size() == 5);
  REQUIRE_MESSAGE(r[0].contains("sd"), r[0].dump());
  // Observation 5 (0.1) sits between the clusters, so pi is not exactly 1/2;
  // its sd is near the by-hand value.
  CHECK_MESSAGE(std::fabs(r[0]["sd"][0].get<double>() - 0.25 / std::sqrt(3.0)) < 0.01, r[0].dump());
  check_close(r[0]["sd"][0].get<double>(), r[0]["sd"][1].get<double>(), 1e-9, "sd of 1 - pi");
  // Draws label observations 1 and 11 alike (same cluster) every time; 5 and
  // 6 agree about as often as the class probabilities at the mode say.
  REQUIRE_MESSAGE(r[2].contains("value"), r[2].dump());
  CHECK(r[2]["value"].get<double>() == 1.0);
  CHECK(r[2]["draws_from"] == "the Laplace approximation");
  const auto& probs = r[1]["params"]["probs"];
  double same = probs[4][0].get<double>() * probs[5][0].get<double>() +
                probs[4][1].get<double>() * probs[5][1].get<double>();
  CHECK_MESSAGE(std::fabs(r[3]["value"].get<double>() - same) < 0.1, r[3].dump() << " vs " << same);
  CHECK_MESSAGE(r[4]["error"].get<std::string>().find("relabelling") != std::string::npos,
                r[4].dump());
}

TEST_CASE("map(let) and mle(let): the let at the parameters' MAP and MLE") {
  // Beta(2, 2) prior, 7 of 10: MAP 8/12, MLE 7/10; odds = p / (1 - p).
  const std::string model = R"(data heads = 7
param p ~ Beta(2, 2)
heads ~ Binomial(10, p)
let odds = p / (1 - p)
let both = [p, 1 - p]
print map(odds)
print mle(odds)
print map(both)
)";
  for (auto method : {answer::Method::Auto, answer::Method::Numeric}) {
    auto r = numeric_answers(model, method);
    REQUIRE_MESSAGE(r[0].contains("value"), r[0].dump());
    check_close(r[0]["value"].get<double>(), 2.0, 1e-6, "map(odds)");
    check_close(r[1]["value"].get<double>(), 7.0 / 3, 1e-6, "mle(odds)");
    check_close(r[2]["value"][1].get<double>(), 1.0 / 3, 1e-6, "map(both)[2]");
    CHECK(r[0]["at"] == "at the MAP of p");
  }
}

TEST_CASE("numeric existence: the eight-schools funnel has no MAP (tau -> 0)") {
  // With theta ~ Normal(mu, tau), theta = mu and tau -> 0 make the prior
  // density, and so the posterior's, grow like tau^-8 without bound.
  auto r = numeric_answers(R"(data y = [28, 8, -3, 7, -1, 1, 18, 12]
data s = [15, 10, 16, 11, 9, 11, 10, 18]
param mu ~ Normal(0, 5)
param tau ~ HalfCauchy(5)
param theta[8] ~ Normal(mu, tau)
y ~ Normal(theta, s)
print map()
print mle()
)",
                           answer::Method::Auto);
  REQUIRE(r.size() == 2);
  REQUIRE_MESSAGE(r[0].contains("error"), r[0].dump());
  CHECK_MESSAGE(r[0]["error"].get<std::string>().find(
                    "the MAP does not exist: the posterior density increases without bound as "
                    "tau -> 0") == 0,
                r[0].dump());
  // Without priors mu and tau do not appear at all.
  CHECK_MESSAGE(
      r[1]["error"].get<std::string>().find("the data do not identify it") != std::string::npos,
      r[1].dump());
}

TEST_CASE("numeric: a density that is zero for every parameter value is said so (no crash)") {
  // A scale that is never positive, a probability that is never in [0, 1].
  for (const char* model : {"param s ~ HalfNormal(1)\n[1, 2] ~ Normal(0, -s)\nprint map(s)\n",
                            "param p ~ Beta(2, 2)\n[1, 0] ~ Bernoulli(p - 2)\nprint map()\n"}) {
    auto r = numeric_answers(model, answer::Method::Auto);
    REQUIRE(r.size() == 1);
    REQUIRE_MESSAGE(r[0].contains("error"), r[0].dump());
    CHECK_MESSAGE(
        r[0]["error"].get<std::string>().find(
            "could not be found: the density is zero everywhere tried") != std::string::npos,
        r[0].dump());
  }
}

TEST_CASE("numeric: a length-1 vector stays a vector; prob of one element from the Laplace cdf") {
  // A Gaussian linear model: the Laplace approximation is the exact
  // posterior, so prob(w[1] > 0.5) from its cdf equals the closed form's.
  const std::string model = R"(data y = [1.2, 0.8, 1.5]
data x = [1, 2, 3]
param w[1] ~ Normal(0, 1)
y ~ Normal(w[1] * x, 1)
print map()
print prob(w[1] > 0.5)
)";
  auto exact = numeric_answers(model, answer::Method::Auto);
  auto r = numeric_answers(model, answer::Method::Numeric);
  REQUIRE_MESSAGE(r[0]["value"]["w"].is_array(), r[0].dump());
  CHECK(r[0]["value"]["w"].size() == 1);
  CHECK(r[1]["method"] == "laplace");
  CHECK_FALSE(r[1].contains("mcse"));
  check_close(r[1]["value"].get<double>(), exact[1]["value"].get<double>(), 1e-6,
              "prob(w[1] > 0.5)");
}

TEST_CASE("numeric evidence: an unbounded flat prior has none; a bounded one is a Uniform") {
  auto r =
      numeric_answers("data y = [1.2, 0.8, 1.5]\nparam mu\ny ~ Normal(mu, 1)\nprint evidence()\n",
                      answer::Method::Numeric);
  REQUIRE_MESSAGE(r[0].contains("error"), r[0].dump());
  CHECK_MESSAGE(r[0]["error"].get<std::string>().find("improper") != std::string::npos,
                r[0].dump());
  auto flat = numeric_answers(
      "data y = [1, 0, 1, 1]\nparam q in (0, 2)\ny ~ Bernoulli(q / 2)\nprint evidence()\n",
      answer::Method::Numeric);
  auto uniform = numeric_answers(
      "data y = [1, 0, 1, 1]\nparam q ~ Uniform(0, 2)\ny ~ Bernoulli(q / 2)\nprint evidence()\n",
      answer::Method::Numeric);
  REQUIRE_MESSAGE(flat[0].contains("value"), flat[0].dump());
  check_close(flat[0]["value"].get<double>(), uniform[0]["value"].get<double>(), 1e-9,
              "flat on (0, 2) vs Uniform(0, 2)");
}

TEST_CASE("numeric: a predictor in millions (Hessian judged with its diagonal scaled to 1)") {
  // Reference: scipy 1.10 minimize(BFGS, gtol 1e-12) on a and b * 1e6:
  //   nl = -(y eta - logaddexp(0, eta)).sum() [+ (a^2 + b^2) / 200 for the MAP]
  //   MAP a = -2.583525536610985, b = 1.087291427745805e-06
  //   MLE a = -2.770000279209185, b = 1.1446617159352006e-06
  auto r = numeric_answers(R"(data x = [1e6, 2e6, 3e6, 4e6, 5e6, 6e6]
data y = [0, 1, 0, 1, 1, 1]
param a ~ Normal(0, 10)
param b ~ Normal(0, 10)
y ~ Bernoulli(logistic(a + b * x))
print map()
print mle()
)",
                           answer::Method::Auto);
  REQUIRE_MESSAGE(r[0].contains("value"), r[0].dump());
  REQUIRE_MESSAGE(r[1].contains("value"), r[1].dump());
  check_close(r[0]["value"]["a"].get<double>(), -2.583525536610985, 1e-6, "map a");
  check_close(r[0]["value"]["b"].get<double>(), 1.087291427745805e-06, 1e-6, "map b");
  check_close(r[1]["value"]["a"].get<double>(), -2.770000279209185, 1e-6, "mle a");
  check_close(r[1]["value"]["b"].get<double>(), 1.1446617159352006e-06, 1e-6, "mle b");
}

TEST_CASE("numeric existence: a NegativeBinomial on underdispersed data has no MLE (r -> inf)") {
  // Variance 0.36 below the mean 3: the likelihood rises monotonically
  // towards the Poisson limit as r -> inf, p -> 1 (scipy: the profile
  // log-likelihood is -15.663 at r = 1e2, -15.5346 at r = 1e8); the MAP
  // under Exponential(0.01) exists.
  auto r = numeric_answers(R"(data y = [3, 3, 4, 3, 2, 3, 4, 3, 3, 2]
param r ~ Exponential(0.01)
param p ~ Beta(1, 1)
y ~ NegativeBinomial(r, p)
print mle()
print map()
)",
                           answer::Method::Auto);
  REQUIRE_MESSAGE(r[0].contains("error"), r[0].dump());
  CHECK_MESSAGE(r[0]["error"].get<std::string>().find(
                    "the MLE does not exist: the likelihood keeps increasing as r -> +inf") == 0,
                r[0].dump());
  REQUIRE_MESSAGE(r[1].contains("value"), r[1].dump());
}

TEST_CASE("numeric: a mixture's MLE starts from its MAP, off the symmetric saddle") {
  // Reference: scipy 1.10 minimize(BFGS, gtol 1e-10) of minus the mixture
  // log-likelihood over (logit pi, mu1, mu2, log s) from (0.1, -2, 2, 0):
  // pi = 0.5, mu = [-2.1, 2.04], s = 0.2433105000, log-likelihood -6.98669.
  auto r = numeric_answers(R"(data y = [-2.1, -1.8, -2.5, -1.9, 2.2, 1.9, 2.4, 2.0, 1.7, -2.2]
param pi ~ Dirichlet([1, 1])
param mu[2] ~ Normal(0, 5)
param s ~ HalfNormal(2)
param z[10] ~ Categorical(pi)
y ~ Normal(mu[z], s)
print mle()
)",
                           answer::Method::Auto);
  REQUIRE_MESSAGE(r[0].contains("value"), r[0].dump());
  const auto& v = r[0]["value"];
  double lo = std::min(v["mu"][0].get<double>(), v["mu"][1].get<double>());
  double hi = std::max(v["mu"][0].get<double>(), v["mu"][1].get<double>());
  check_close(lo, -2.1, 1e-6, "mle mu (lower)");
  check_close(hi, 2.04, 1e-6, "mle mu (upper)");
  check_close(v["s"].get<double>(), 0.2433105, 1e-6, "mle s");
}

TEST_CASE("numeric existence: a product of parameters has no unique MLE; a closed-form edge") {
  // Every a, b with a b = 1.5 (the mean) fits equally well.
  auto r = numeric_answers(R"(data y = [1.0, 2.0, 1.5]
param a ~ Normal(0, 1)
param b ~ Normal(0, 1)
y ~ Normal(a * b, 1)
print mle()
print map()
)",
                           answer::Method::Auto);
  REQUIRE_MESSAGE(r[0].contains("error"), r[0].dump());
  CHECK_MESSAGE(r[0]["error"].get<std::string>().find("the MLE is not unique") == 0, r[0].dump());
  REQUIRE_MESSAGE(r[1].contains("value"), r[1].dump());
  // Non-centred eight schools: the MAP is at tau = 0 (scipy's bounded
  // L-BFGS-B: tau = 0, eta = 0, mu = 4.62092), the open edge of log(tau);
  // without the eta priors 10 unknowns meet 8 observations.
  r = numeric_answers(R"(data y = [28, 8, -3, 7, -1, 1, 18, 12]
data sigma = [15, 10, 16, 11, 9, 11, 10, 18]
param mu ~ Normal(0, 5)
param tau ~ HalfCauchy(5)
param eta[8] ~ Normal(0, 1)
y ~ Normal(mu + tau * eta, sigma)
print map()
print mle()
)",
                      answer::Method::Auto);
  REQUIRE_MESSAGE(r[0].contains("error"), r[0].dump());
  CHECK_MESSAGE(r[0]["error"] == "the MAP is on the boundary tau = 0", r[0].dump());
  REQUIRE_MESSAGE(r[1].contains("error"), r[1].dump());
  CHECK_MESSAGE(r[1]["error"].get<std::string>().find("the MLE is not unique") == 0, r[1].dump());
}

TEST_CASE(
    "numeric Laplace: centred where the density of log(l) peaks, with or without --jacobian") {
  // Gamma(2, 1) prior, Exponential data (n = 4, sum 4.2): posterior
  // Gamma(6, 5.2). The density of u = log l is e^(6 u - 5.2 e^u): its mode
  // log(6 / 5.2), curvature 6, so P(l > 1) = Phi(log(6 / 5.2) sqrt(6)); the
  // sd of l is that of the lognormal, e^(mu + 1/12) sqrt(e^(1/6) - 1).
  const std::string model = R"(data y = [0.5, 1.2, 0.3, 2.2]
param l ~ Gamma(2, 1)
y ~ Exponential(l)
print prob(l > 1)
print posterior(l)
)";
  double mu = std::log(6 / 5.2), s = 1 / std::sqrt(6.0);
  double want = 0.5 * std::erfc(-mu / s / std::sqrt(2.0));
  double sd = std::exp(mu + s * s / 2) * std::sqrt(std::exp(s * s) - 1);
  for (bool jacobian : {false, true}) {
    auto r = numeric_answers(model, answer::Method::Numeric, jacobian);
    check_close(r[0]["value"].get<double>(), want, 1e-6, "prob(l > 1)");
    check_close(r[1]["sd"].get<double>(), sd, 1e-6, "sd(l)");
    check_close(r[1]["mode"].get<double>(), jacobian ? 6 / 5.2 : 5 / 5.2, 1e-6, "mode");
  }
}

TEST_CASE("numeric L1: --jacobian keeps OWL-QN; a noise scale beside L1 weights converges") {
  // Every parameter real-valued: --jacobian changes nothing (exact zeros kept).
  const std::string lasso = R"(data x1 = [1, 2, 3, 4, 5, 6]
data x2 = [0.3, -0.1, 0.2, 0.5, -0.4, 0.1]
data x3 = [2, 1, 0, 1, 2, 1]
data y = [1.2, 1.9, 3.2, 3.9, 5.1, 6.0]
param b0 ~ Normal(0, 10)
param w[3] ~ Laplace(0, 0.5)
)";
  auto plain = numeric_answers(
      lasso + "y ~ Normal(b0 + columns(x1, x2, x3) * w, 0.5)\nprint map()\n", answer::Method::Auto);
  auto jac = numeric_answers(lasso + "y ~ Normal(b0 + columns(x1, x2, x3) * w, 0.5)\nprint map()\n",
                             answer::Method::Auto, true);
  REQUIRE_MESSAGE(jac[0].contains("value"), jac[0].dump());
  for (int k = 0; k < 3; ++k)
    CHECK(jac[0]["value"]["w"][k].get<double>() == plain[0]["value"]["w"][k].get<double>());
  CHECK(jac[0]["value"]["w"][1].get<double>() == 0.0);
  // With an unknown noise sd (HalfNormal(1)). Reference: scipy 1.10
  // L-BFGS-B (ftol 1e-15, gtol 1e-12) on minus the log posterior with
  // w = w+ - w-, w+, w- >= 0 (the smooth form of the L1 term), s >= 1e-6:
  // b0 = 0.12133380107638782, w = [0.97843651, 0, 0.00354468],
  // s = 0.12082165910194108.
  auto r = numeric_answers(lasso +
                               "param s ~ HalfNormal(1)\n"
                               "y ~ Normal(b0 + columns(x1, x2, x3) * w, s)\nprint map()\n",
                           answer::Method::Auto);
  REQUIRE_MESSAGE(r[0].contains("value"), r[0].dump());
  const auto& v = r[0]["value"];
  CHECK(v["w"][1].get<double>() == 0.0);
  check_close(v["b0"].get<double>(), 0.12133380107638782, 1e-6, "b0");
  check_close(v["w"][0].get<double>(), 0.97843651, 1e-6, "w[1]");
  check_close(v["w"][2].get<double>(), 0.00354468, 1e-6, "w[3]");
  check_close(v["s"].get<double>(), 0.12082165910194108, 1e-6, "s");
}

TEST_CASE("numeric: a component too large for dense matrices says so (no out-of-memory abort)") {
  // Without data the prior-only rule answers it exactly, element by element;
  // the numeric engine, asked for, must refuse it.
  const std::string text = "param w[20000] ~ Normal(0, 1)\nprint 1 + 1\nprint map(w)\n";
  auto exact = numeric_answers(text, answer::Method::Auto);
  CHECK(exact[1]["method"] == "conjugate");
  CHECK(exact[1]["value"].size() == 20000);
  auto r = numeric_answers(text, answer::Method::Numeric);
  REQUIRE(r.size() == 2);
  CHECK(r[0]["value"].get<double>() == 2.0);
  REQUIRE_MESSAGE(r[1].contains("error"), r[1].dump());
  CHECK_MESSAGE(
      r[1]["error"].get<std::string>().find("20000 unknown coordinates") != std::string::npos,
      r[1].dump());
}

TEST_CASE("numeric: wider restarts reach a far mode") {
  // Cauchy(mu, 0.3) data at 3 and near 20 under Normal(0, 100): the start at
  // 0 finds the local mode near 3; the global one (scipy minimize_scalar on
  // minus the log posterior: 19.99779372624568, 13.5924 against 29.5088 at
  // the other) needs a start beyond 8.
  auto r = test::run(R"(data y = [3, 20, 20.1, 19.9]
param mu ~ Normal(0, 100)
y ~ Cauchy(mu, 0.3)
print map(mu)
)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  answer::Options opt;
  opt.numeric.restarts = 10;
  auto results = report::to_json(answer::answer_all(*r.compiled, opt));
  REQUIRE_MESSAGE(results[0].contains("value"), results[0].dump());
  check_close(results[0]["value"].get<double>(), 19.99779372624568, 1e-6, "map(mu)");
}
