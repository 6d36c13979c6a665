// LogNormal(mu, sigma): exp of a Normal(mu, sigma); numerics from Boost.Math's
// lognormal_distribution.
#include <boost/math/distributions/lognormal.hpp>
#include <cmath>
#include <numbers>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace lognormal_impl {
namespace {

using namespace detail;
using Dist = boost::math::lognormal_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Real, Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) {
  return outcome_in(Domain::Positive, x);
}

// log f = -log x - log sigma - log(2 pi)/2 - (log x - mu)^2 / (2 sigma^2); 0 at x = 0.
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0 || std::isinf(x)) return -inf;
  const double lx = std::log(x), z = (lx - a[0]) / a[1];
  return -lx - std::log(a[1]) - 0.5 * std::log(2.0 * std::numbers::pi) - 0.5 * z * z;
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 0.0;
  if (std::isinf(x)) return 1.0;
  return boost::math::cdf(Dist(a[0], a[1]), x);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0], a[1]), x));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0) return 0.0;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0], a[1]), p);
}

// exp(mu + sigma^2/2) and (exp(sigma^2) - 1) exp(2 mu + sigma^2).
double mean(Args a) { return ok(a) ? std::exp(a[0] + 0.5 * a[1] * a[1]) : nan; }
double variance(Args a) {
  if (!ok(a)) return nan;
  const double s2 = a[1] * a[1];
  return std::expm1(s2) * std::exp(2.0 * a[0] + s2);
}

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return std::exp(a[0] + a[1] * random::normal(rng));
}

// With z = (log x - mu) / sigma, log f = -log x - log sigma - log(2 pi) / 2 - z^2 / 2.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    const double s = a[1], z = (std::log(x) - a[0]) / s;
    d[0] = z / s, d[1] = (z * z - 1) / s, dx = -1 / x - z / (s * x);
  });
}

std::optional<double> mode(Args a, std::string&) { return std::exp(a[0] - a[1] * a[1]); }

}  // namespace
}  // namespace lognormal_impl

const Family& lognormal_family() {
  using namespace lognormal_impl;
  static const Family family{
      .name = "LogNormal",
      .params = {{"mu", Domain::Real, Rank::Scalar}, {"sigma", Domain::Positive, Rank::Scalar}},
      .support = Domain::Positive,
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
