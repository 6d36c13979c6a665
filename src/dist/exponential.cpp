// Exponential(rate): numerics from Boost.Math's exponential_distribution.
#include <boost/math/distributions/exponential.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace exponential_impl {
namespace {

using namespace detail;
using Dist = boost::math::exponential_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) {
  return outcome_in(Domain::NonNegative, x);
}

double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x < 0.0 || std::isinf(x)) return -inf;
  return std::log(a[0]) - a[0] * x;
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 0.0;
  if (std::isinf(x)) return 1.0;
  return boost::math::cdf(Dist(a[0]), x);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0]), x));
}

// log P(X > x) = -rate x: exact where exp(-rate x) underflows.
double lccdf_tail(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 0.0;
  return -a[0] * x;
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0]), p);
}

double mean(Args a) { return ok(a) ? 1.0 / a[0] : nan; }
double variance(Args a) { return ok(a) ? 1.0 / (a[0] * a[0]) : nan; }

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return random::exponential(rng) / a[0];
}

// log f = log rate - rate x.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] { d[0] = 1 / a[0] - x, dx = -a[0]; });
}

std::optional<double> mode(Args, std::string&) { return 0.0; }

// n log rate - rate sum x.
double lpdf_sum(Args a, const data::Summary& s) {
  const double rate = a[0];
  if (!(rate > 0)) return nan;
  return static_cast<double>(s.n) * std::log(rate) - rate * s.sum;
}

}  // namespace
}  // namespace exponential_impl

const Family& exponential_family() {
  using namespace exponential_impl;
  static const Family family{
      .name = "Exponential",
      .params = {{"rate", Domain::Positive, Rank::Scalar}},
      .support = Domain::NonNegative,
      .outcome_rank = Rank::Scalar,
      .discrete = false,
      .check_outcome = check_outcome,
      .lpdf = lpdf,
      .cdf = cdf,
      .ccdf = ccdf,
      .lccdf_tail = lccdf_tail,
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
