// Cauchy(loc, scale): numerics from Boost.Math's cauchy_distribution; no moments.
#include <boost/math/distributions/cauchy.hpp>
#include <cmath>
#include <numbers>

#include "dist/families.hpp"

namespace bayes::dist {
namespace {

using namespace detail;
using Dist = boost::math::cauchy_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Real, Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Real, x); }

// log f = -log(pi scale) - log1p(z^2).
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return -inf;
  const double z = (x - a[0]) / a[1];
  return -std::log(std::numbers::pi * a[1]) - std::log1p(z * z);
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return x < 0.0 ? 0.0 : 1.0;
  return boost::math::cdf(Dist(a[0], a[1]), x);
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0) return -inf;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0], a[1]), p);
}

// The Cauchy has neither mean nor variance.
double mean(Args) { return nan; }
double variance(Args) { return nan; }

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return std::cauchy_distribution<double>(a[0], a[1])(rng);
}

}  // namespace

const Family& cauchy_family() {
  static const Family family{
      .name = "Cauchy",
      .params = {{"loc", Domain::Real, Rank::Scalar}, {"scale", Domain::Positive, Rank::Scalar}},
      .support = Domain::Real,
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
