// Bernoulli(p) on {0, 1}: numerics from Boost.Math's bernoulli_distribution.
#include <boost/math/distributions/bernoulli.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace bernoulli_impl {
namespace {

using namespace detail;
using Dist = boost::math::bernoulli_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Unit}); }

std::string check_outcome(std::span<const Value>, double x) {
  return outcome_in(Domain::Binary, x);
}

double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x == 1.0) return std::log(a[0]);
  if (x == 0.0) return std::log1p(-a[0]);
  return -inf;
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x < 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  return boost::math::cdf(Dist(a[0]), 0.0);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x < 0.0) return 1.0;
  if (x >= 1.0) return 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0]), 0.0));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  return boost::math::quantile(Dist(a[0]), p);
}

double mean(Args a) { return ok(a) ? a[0] : nan; }
double variance(Args a) { return ok(a) ? a[0] * (1.0 - a[0]) : nan; }

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return uniform_open(rng) < a[0] ? 1.0 : 0.0;
}

// log f = x log p + (1 - x) log(1 - p): only the term that is present, so at
// p = 1 (x = 1) or p = 0 (x = 0) the one-sided derivative, not 0 * inf.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] { d[0] = x == 1 ? 1 / a[0] : -1 / (1 - a[0]); });
}

std::optional<double> mode(Args a, std::string& note) {
  if (a[0] == 0.5) {
    note = "undefined: 0 and 1 are equally likely";
    return std::nullopt;
  }
  return a[0] > 0.5 ? 1.0 : 0.0;
}

// sum x log p + (n - sum x) log(1 - p).
double lpdf_sum(Args a, const data::Summary& s) {
  const double p = a[0];
  if (!(p >= 0 && p <= 1)) return nan;
  return xlogy(s.sum, p) + xlogy(static_cast<double>(s.n) - s.sum, 1 - p);
}

}  // namespace
}  // namespace bernoulli_impl

const Family& bernoulli_family() {
  using namespace bernoulli_impl;
  static const Family family{
      .name = "Bernoulli",
      .params = {{"p", Domain::Unit, Rank::Scalar}},
      .support = Domain::Binary,
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
