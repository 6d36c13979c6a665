// Weibull(shape, scale) on [0, inf): numerics from Boost.Math's weibull_distribution.
#include <boost/math/distributions/weibull.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace weibull_impl {
namespace {

using namespace detail;
using Dist = boost::math::weibull_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Positive, Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) {
  return outcome_in(Domain::NonNegative, x);
}

// log f = log(k / scale) + (k - 1) log(x / scale) - (x / scale)^k; at x = 0 the
// limit +inf, log(1 / scale) or -inf as k <, =, > 1 (as scipy).
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = a[0], scale = a[1];
  if (x < 0.0 || std::isinf(x)) return -inf;
  if (x == 0.0) return k < 1.0 ? inf : k == 1.0 ? -std::log(scale) : -inf;
  const double lz = std::log(x / scale);
  return std::log(k / scale) + (k - 1.0) * lz - std::exp(k * lz);
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
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0], a[1]), p);
}

// scale Gamma(1 + 1/k) and scale^2 (Gamma(1 + 2/k) - Gamma(1 + 1/k)^2).
double mean(Args a) { return ok(a) ? a[1] * std::tgamma(1.0 + 1.0 / a[0]) : nan; }
double variance(Args a) {
  if (!ok(a)) return nan;
  const double g1 = std::tgamma(1.0 + 1.0 / a[0]), g2 = std::tgamma(1.0 + 2.0 / a[0]);
  return a[1] * a[1] * (g2 - g1 * g1);
}

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return a[1] * std::pow(random::exponential(rng), 1.0 / a[0]);
}

// With u = x / scale, log f = log(k / scale) + (k - 1) log u - u^k.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    const double k = a[0], lam = a[1], u = x / lam;
    if (x <= 0) {  // finite only for k = 1 (Exponential(1 / lam)): -log lam; no derivative in k
      d[1] = -1 / lam, dx = -1 / lam;
      return;
    }
    const double uk = std::pow(u, k), lu = std::log(u);
    d[0] = 1 / k + lu - uk * lu, d[1] = k * (uk - 1) / lam, dx = (k - 1) / x - k * uk / x;
  });
}

std::optional<double> mode(Args a, std::string&) {
  return a[0] > 1 ? a[1] * std::pow((a[0] - 1) / a[0], 1 / a[0]) : 0.0;
}

}  // namespace
}  // namespace weibull_impl

const Family& weibull_family() {
  using namespace weibull_impl;
  static const Family family{
      .name = "Weibull",
      .params = {{"shape", Domain::Positive, Rank::Scalar},
                 {"scale", Domain::Positive, Rank::Scalar}},
      .support = Domain::NonNegative,
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
