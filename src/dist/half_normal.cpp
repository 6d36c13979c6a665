// HalfNormal(sd): |X| for X ~ Normal(0, sd), on [0, inf); the normal folded at 0.
#include <boost/math/special_functions/erf.hpp>
#include <cmath>
#include <numbers>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace half_normal_impl {
namespace {

using namespace detail;

bool ok(Args a) { return args_ok(a, {Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) {
  return outcome_in(Domain::NonNegative, x);
}

// Twice the Normal(0, sd) density: log f = log 2 - log sd - log(2 pi)/2 - z^2/2.
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x < 0.0 || std::isinf(x)) return -inf;
  const double z = x / a[0];
  return 0.5 * std::log(2.0 / std::numbers::pi) - std::log(a[0]) - 0.5 * z * z;
}

// P(|X| <= x) = erf(x / (sd sqrt 2)); erf keeps the accuracy that 2 Phi - 1 loses near 0.
double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 0.0;
  if (std::isinf(x)) return 1.0;
  return boost::math::erf(x / (a[0] * std::numbers::sqrt2), Policy());
}

// P(|X| > x) = erfc(x / (sd sqrt 2)), which keeps the upper tail that 1 - erf rounds to 0.
double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return boost::math::erfc(x / (a[0] * std::numbers::sqrt2), Policy());
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 1.0) return inf;
  return a[0] * std::numbers::sqrt2 * boost::math::erf_inv(p, Policy());
}

// sd sqrt(2 / pi) and sd^2 (1 - 2 / pi).
double mean(Args a) { return ok(a) ? a[0] * std::sqrt(2.0 / std::numbers::pi) : nan; }
double variance(Args a) { return ok(a) ? a[0] * a[0] * (1.0 - 2.0 / std::numbers::pi) : nan; }

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return std::abs(a[0] * random::normal(rng));
}

// With z = x / sd: d/dsd = (z^2 - 1) / sd, d/dx = -z / sd.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    const double s = a[0], z = x / s;
    d[0] = (z * z - 1) / s, dx = -z / s;
  });
}

std::optional<double> mode(Args, std::string&) { return 0.0; }

}  // namespace
}  // namespace half_normal_impl

const Family& half_normal_family() {
  using namespace half_normal_impl;
  static const Family family{
      .name = "HalfNormal",
      .params = {{"sd", Domain::Positive, Rank::Scalar}},
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
