// Uniform(lo, hi) on [lo, hi]: numerics from Boost.Math's uniform_distribution.
#include <algorithm>
#include <boost/math/distributions/uniform.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace uniform_impl {
namespace {

using namespace detail;
using Dist = boost::math::uniform_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Real, Domain::Real}) && a[0] < a[1]; }

// lo < hi, element by element when the arguments are vectors (a scalar broadcasts).
std::string check_args(std::span<const Value> args) {
  if (!known(args, 0) || !known(args, 1)) return "";
  const Value &lo = args[0], &hi = args[1];
  const std::size_t n = std::max(lo.size(), hi.size());
  for (std::size_t i = 0; i < n; ++i) {
    const double l = lo[lo.size() == 1 ? 0 : i % lo.size()];
    const double h = hi[hi.size() == 1 ? 0 : i % hi.size()];
    if (!(l < h)) return "lo = " + shortest(l) + " must be less than hi = " + shortest(h);
  }
  return "";
}

std::string check_outcome(std::span<const Value> args, double x) {
  if (std::string bad = outcome_in(Domain::Real, x); !bad.empty()) return bad;
  if (auto lo = known_scalar(args, 0); lo && x < *lo) {
    return "x = " + shortest(x) + " is below lo = " + shortest(*lo) + " of Uniform";
  }
  if (auto hi = known_scalar(args, 1); hi && x > *hi) {
    return "x = " + shortest(x) + " is above hi = " + shortest(*hi) + " of Uniform";
  }
  return "";
}

double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x < a[0] || x > a[1]) return -inf;
  return -log_width(a[0], a[1]);
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= a[0]) return 0.0;
  if (x >= a[1]) return 1.0;
  return boost::math::cdf(Dist(a[0], a[1]), x);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= a[0]) return 1.0;
  if (x >= a[1]) return 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0], a[1]), x));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  return boost::math::quantile(Dist(a[0], a[1]), p);
}

double mean(Args a) { return ok(a) ? 0.5 * (a[0] + a[1]) : nan; }
double variance(Args a) {
  if (!ok(a)) return nan;
  const double w = a[1] - a[0];
  return w * w / 12.0;
}
// (b - a) / sqrt(12), as b / sqrt(12) - a / sqrt(12) where b - a overflows.
double sd(Args a) {
  if (!ok(a)) return nan;
  return a[1] / std::sqrt(12.0) - a[0] / std::sqrt(12.0);
}

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return a[0] + (a[1] - a[0]) * uniform_open(rng);
}

// log f = -log(hi - lo) on [lo, hi].
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    const double w = a[1] - a[0];
    d[0] = 1 / w, d[1] = -1 / w;
  });
}

std::optional<double> mode(Args, std::string& note) {
  note = "undefined: the Uniform density is flat";
  return std::nullopt;
}

Bounds bounds(std::span<const Value> args) {
  return {known_min(args, 0).value_or(-inf), known_max(args, 1).value_or(inf)};
}

}  // namespace
}  // namespace uniform_impl

const Family& uniform_family() {
  using namespace uniform_impl;
  static const Family family{
      .name = "Uniform",
      .params = {{"lo", Domain::Real, Rank::Scalar}, {"hi", Domain::Real, Rank::Scalar}},
      .support = Domain::Bounded,
      .outcome_rank = Rank::Scalar,
      .discrete = false,
      .check_args = check_args,
      .check_outcome = check_outcome,
      .lpdf = lpdf,
      .cdf = cdf,
      .ccdf = ccdf,
      .quantile = quantile,
      .mean = mean,
      .variance = variance,
      .sd = sd,
      .sample = sample,
      .lpdf_grad = lpdf_grad,
      .mode = mode,
      .bounds = bounds,
  };
  return family;
}

}  // namespace bayes::dist
