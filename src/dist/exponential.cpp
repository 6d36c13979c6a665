// Exponential(rate): numerics from Boost.Math's exponential_distribution.
#include <boost/math/distributions/exponential.hpp>
#include <cmath>

#include "dist/families.hpp"

namespace bayes::dist {
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

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0]), p);
}

double mean(Args a) { return ok(a) ? 1.0 / a[0] : nan; }
double variance(Args a) { return ok(a) ? 1.0 / (a[0] * a[0]) : nan; }

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return std::exponential_distribution<double>(a[0])(rng);
}

}  // namespace

const Family& exponential_family() {
  static const Family family{
      .name = "Exponential",
      .params = {{"rate", Domain::Positive, Rank::Scalar}},
      .support = Domain::NonNegative,
      .outcome_rank = Rank::Scalar,
      .discrete = false,
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
