// Bernoulli(p) on {0, 1}: numerics from Boost.Math's bernoulli_distribution.
#include <boost/math/distributions/bernoulli.hpp>
#include <cmath>

#include "dist/families.hpp"

namespace bayes::dist {
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

}  // namespace

const Family& bernoulli_family() {
  static const Family family{
      .name = "Bernoulli",
      .params = {{"p", Domain::Unit, Rank::Scalar}},
      .support = Domain::Binary,
      .outcome_rank = Rank::Scalar,
      .discrete = true,
      .check_outcome = check_outcome,
      .lpdf = lpdf,
      .cdf = cdf,
      .quantile = quantile,
      .mean = mean,
      .variance = variance,
      .sample = sample,
  };
  return family;
}

}  // namespace bayes::dist
