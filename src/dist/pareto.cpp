// Pareto(xmin, alpha) on [xmin, inf): numerics from Boost.Math's pareto_distribution.
#include <boost/math/distributions/pareto.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace pareto_impl {
namespace {

using namespace detail;
using Dist = boost::math::pareto_distribution<double, Policy>;  // (scale = xmin, shape = alpha)

bool ok(Args a) { return args_ok(a, {Domain::Positive, Domain::Positive}); }

std::string check_outcome(std::span<const Value> args, double x) {
  if (std::string bad = outcome_in(Domain::Positive, x); !bad.empty()) return bad;
  if (auto xmin = known_scalar(args, 0); xmin && x < *xmin) {
    return "x = " + shortest(x) + " is below xmin = " + shortest(*xmin) + " of Pareto";
  }
  return "";
}

// log f = log alpha + alpha log xmin - (alpha + 1) log x, for x >= xmin.
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x < a[0] || std::isinf(x)) return -inf;
  return std::log(a[1]) + a[1] * std::log(a[0]) - (a[1] + 1.0) * std::log(x);
}

// 1 - (xmin / x)^alpha = -expm1(-alpha log1p((x - xmin) / xmin)): Boost's
// -powm1(xmin / x, alpha) loses the digits of xmin / x just above xmin, where
// x - xmin is exact (Sterbenz) and log1p keeps them.
double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= a[0]) return 0.0;
  if (std::isinf(x)) return 1.0;
  return -std::expm1(-a[1] * std::log1p((x - a[0]) / a[0]));
}

// (xmin / x)^alpha = exp(-alpha log1p((x - xmin) / xmin)), as in cdf.
double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= a[0]) return 1.0;
  if (std::isinf(x)) return 0.0;
  return std::exp(-a[1] * std::log1p((x - a[0]) / a[0]));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0], a[1]), p);
}

// alpha xmin / (alpha - 1), infinite for alpha <= 1.
double mean(Args a) {
  if (!ok(a)) return nan;
  return a[1] > 1.0 ? a[1] * a[0] / (a[1] - 1.0) : inf;
}

// xmin^2 alpha / ((alpha - 1)^2 (alpha - 2)), infinite for alpha <= 2.
double variance(Args a) {
  if (!ok(a)) return nan;
  const double al = a[1];
  if (al <= 2.0) return inf;
  return a[0] * a[0] * al / ((al - 1.0) * (al - 1.0) * (al - 2.0));
}

// Inverse cdf of an open uniform: xmin U^(-1/alpha) (U and 1 - U alike).
double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return a[0] * std::exp(-std::log(uniform_open(rng)) / a[1]);
}

// log f = log alpha + alpha log xmin - (alpha + 1) log x for x >= xmin.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    d[0] = a[1] / a[0], d[1] = 1 / a[1] + std::log(a[0]) - std::log(x), dx = -(a[1] + 1) / x;
  });
}

std::optional<double> mode(Args a, std::string&) { return a[0]; }

Bounds bounds(std::span<const Value> args) { return {known_min(args, 0).value_or(0.0), inf}; }

}  // namespace
}  // namespace pareto_impl

const Family& pareto_family() {
  using namespace pareto_impl;
  static const Family family{
      .name = "Pareto",
      .params = {{"xmin", Domain::Positive, Rank::Scalar},
                 {"alpha", Domain::Positive, Rank::Scalar}},
      .support = Domain::Bounded,
      .outcome_rank = Rank::Scalar,
      .discrete = false,
      .check_outcome = check_outcome,
      .lpdf = lpdf,
      .cdf = cdf,
      .ccdf = ccdf,
      .quantile = quantile,
      .mean = mean,
      .variance = variance,
      .sample = sample,
      .lpdf_grad = lpdf_grad,
      .mode = mode,
      .bounds = bounds,
  };
  return family;
}

}  // namespace bayes::dist
