// Gumbel(mu, beta): the (maximum) extreme value distribution, location mu and
// scale beta, as Stan's gumbel and scipy.stats.gumbel_r; numerics from
// Boost.Math's extreme_value_distribution.
#include <boost/math/distributions/extreme_value.hpp>
#include <cmath>
#include <numbers>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace gumbel_impl {
namespace {

using namespace detail;
using Dist = boost::math::extreme_value_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Real, Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Real, x); }

// With z = (x - mu) / beta, log f = -log beta - z - exp(-z) (by formula, so
// that it stays accurate where the pdf underflows).
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return -inf;
  const double z = (x - a[0]) / a[1];
  return -std::log(a[1]) - z - std::exp(-z);
}

// exp(-exp(-z)).
double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return x > 0 ? 1.0 : 0.0;
  return boost::math::cdf(Dist(a[0], a[1]), x);
}

// -expm1(-exp(-z)).
double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return x > 0 ? 0.0 : 1.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0], a[1]), x));
}

// mu - beta log(-log p).
double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0) return -inf;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0], a[1]), p);
}

// mu + beta gamma (Euler's constant) and (pi beta)^2 / 6.
double mean(Args a) { return ok(a) ? a[0] + a[1] * std::numbers::egamma : nan; }
double variance(Args a) {
  return ok(a) ? std::numbers::pi * std::numbers::pi * a[1] * a[1] / 6.0 : nan;
}

// By inversion: mu - beta log(-log U).
double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return a[0] - a[1] * std::log(-std::log(uniform_open(rng)));
}

// With z = (x - mu) / beta and e = exp(-z): d/dmu = (1 - e) / beta,
// d/dbeta = (z (1 - e) - 1) / beta, d/dx = -(1 - e) / beta.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    const double beta = a[1], z = (x - a[0]) / beta, one_minus_e = -std::expm1(-z);
    d[0] = one_minus_e / beta, d[1] = (z * one_minus_e - 1) / beta, dx = -d[0];
  });
}

std::optional<double> mode(Args a, std::string&) { return a[0]; }

}  // namespace
}  // namespace gumbel_impl

const Family& gumbel_family() {
  using namespace gumbel_impl;
  static const Family family{
      .name = "Gumbel",
      .params = {{"mu", Domain::Real, Rank::Scalar}, {"beta", Domain::Positive, Rank::Scalar}},
      .support = Domain::Real,
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
  };
  return family;
}

}  // namespace bayes::dist
