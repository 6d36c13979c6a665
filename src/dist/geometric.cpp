// Geometric(p): failures before the first success, pmf p (1 - p)^k on {0, 1, 2, ...};
// numerics from Boost.Math's geometric_distribution (the same convention).
#include <algorithm>
#include <boost/math/distributions/geometric.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace geometric_impl {
namespace {

using namespace detail;
using Dist = boost::math::geometric_distribution<double, Policy>;

// p in (0, 1): p = 0 has no distribution (success never comes) and p = 1 is the
// point mass at 0; excluding both also keeps p's logit finite for the optimiser.
bool ok(Args a) { return args_ok(a, {Domain::OpenUnit}); }

std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Count, x); }

// log f = log p + k log1p(-p).
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (!is_whole(x) || x < 0.0) return -inf;
  return std::log(a[0]) + x * std::log1p(-a[0]);
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = std::floor(x);
  if (k < 0.0) return 0.0;
  if (std::isinf(k)) return 1.0;
  return boost::math::cdf(Dist(a[0]), k);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = std::floor(x);
  if (k < 0.0) return 1.0;
  if (std::isinf(k)) return 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0]), k));
}

// The smallest k with cdf(k) = 1 - (1 - p)^(k + 1) >= q: k = ceil(log1p(-q) / log1p(-p) - 1),
// then nudged against the cdf itself for rounding. (Boost's geometric quantile
// ignores the discrete_quantile policy and returns that real number unrounded.)
double quantile(Args a, double q) {
  if (!ok(a) || !prob_ok(q)) return nan;
  if (q == 0.0) return 0.0;
  if (q == 1.0) return inf;
  double k = std::max(0.0, std::ceil(std::log1p(-q) / std::log1p(-a[0]) - 1.0));
  // A step or two at most; bounded because beyond 2^53 k - 1 == k.
  for (int i = 0; i < 8 && k > 0.0 && cdf(a, k - 1.0) >= q; ++i) k -= 1.0;
  for (int i = 0; i < 8 && cdf(a, k) < q; ++i) k += 1.0;
  return k;
}

// (1 - p) / p and (1 - p) / p^2.
double mean(Args a) { return ok(a) ? (1.0 - a[0]) / a[0] : nan; }
double variance(Args a) { return ok(a) ? (1.0 - a[0]) / (a[0] * a[0]) : nan; }

// The failures before the first success, by inversion of the cdf.
double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  if (a[0] >= 1.0) return 0.0;
  return std::floor(std::log(random::uniform_open(rng)) / std::log1p(-a[0]));
}

// log f = log p + x log(1 - p), the second term only where x > 0.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx,
                       [&] { d[0] = 1 / a[0] - (x > 0 ? x / (1 - a[0]) : 0.0); });
}

std::optional<double> mode(Args, std::string&) { return 0.0; }

// n log p + sum x log(1 - p) (failures before the first success).
double lpdf_sum(Args a, const data::Summary& s) {
  const double p = a[0];
  if (!(p > 0 && p <= 1)) return nan;
  return static_cast<double>(s.n) * std::log(p) + xlogy(s.sum, 1 - p);
}

}  // namespace
}  // namespace geometric_impl

const Family& geometric_family() {
  using namespace geometric_impl;
  static const Family family{
      .name = "Geometric",
      .params = {{"p", Domain::OpenUnit, Rank::Scalar}},
      .support = Domain::Count,
      .outcome_rank = Rank::Scalar,
      .discrete = true,
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
      .streaming = {.lpdf_sum = lpdf_sum, .sum = true},
  };
  return family;
}

}  // namespace bayes::dist
