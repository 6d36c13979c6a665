// HalfCauchy(scale): |X| for X ~ Cauchy(0, scale), on [0, inf); the Cauchy folded at 0.
#include <cmath>
#include <numbers>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace half_cauchy_impl {
namespace {

using namespace detail;

bool ok(Args a) { return args_ok(a, {Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) {
  return outcome_in(Domain::NonNegative, x);
}

// Twice the Cauchy(0, scale) density: log f = log(2 / (pi scale)) - log1p(z^2).
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x < 0.0 || std::isinf(x)) return -inf;
  const double z = x / a[0];
  return std::log(2.0 / (std::numbers::pi * a[0])) - log1p_square(z);
}

// Folding Cauchy's cdf 1/2 + atan(z)/pi gives (2 / pi) atan(x / scale).
double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 0.0;
  if (std::isinf(x)) return 1.0;
  return 2.0 / std::numbers::pi * std::atan(x / a[0]);
}

// 1 - (2 / pi) atan(z) = (2 / pi) atan(1 / z) for z > 0 (DLMF 4.24.3), as
// atan2(scale, x): no cancellation in the upper tail, and no overflow of x / scale.
double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return 2.0 / std::numbers::pi * std::atan2(a[0], x);
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 1.0) return inf;
  return a[0] * std::tan(0.5 * std::numbers::pi * p);
}

// One-sided, so the mean diverges to +inf (not undefined as for the Cauchy).
double mean(Args a) { return ok(a) ? inf : nan; }
double variance(Args a) { return ok(a) ? inf : nan; }

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return std::abs(a[0] * random::normal(rng) / random::normal(rng));
}

// With z = x / scale, log f = log(2 / (pi scale)) - log(1 + z^2).
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    const double s = a[0], z = x / s;
    d[0] = -1 / s + 2 * square_share(z) / s;
    dx = -2 * z / (s * (1 + z * z));
  });
}

std::optional<double> mode(Args, std::string&) { return 0.0; }

}  // namespace
}  // namespace half_cauchy_impl

const Family& half_cauchy_family() {
  using namespace half_cauchy_impl;
  static const Family family{
      .name = "HalfCauchy",
      .params = {{"scale", Domain::Positive, Rank::Scalar}},
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
