// Normal(mean, sd): the Gaussian; numerics from Boost.Math's normal_distribution.
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <numbers>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace normal_impl {
namespace {

using namespace detail;
using Dist = boost::math::normal_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Real, Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Real, x); }

// By formula, not log(pdf): stays accurate where the pdf underflows.
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return -inf;
  const double z = (x - a[0]) / a[1];
  return -0.5 * z * z - std::log(a[1]) - 0.5 * std::log(2.0 * std::numbers::pi);
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  return boost::math::cdf(Dist(a[0], a[1]), x);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  return boost::math::cdf(boost::math::complement(Dist(a[0], a[1]), x));
}

// log P(Z > z) for a standard Normal far in the upper tail (z > 30 here):
// log phi(z) + log R(z), R the Mills ratio by its continued fraction
// 1 / (z + 1 / (z + 2 / (z + 3 / (z + ...)))) (Abramowitz & Stegun 26.2.14),
// evaluated from 60 terms down (ample beyond z = 5).
double log_upper(double z) {
  double f = z;
  for (int k = 60; k >= 1; --k) f = z + k / f;
  return -0.5 * z * z - 0.5 * std::log(2.0 * std::numbers::pi) - std::log(f);
}

double lcdf_tail(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double z = (x - a[0]) / a[1];
  return z < -5 ? log_upper(-z) : std::log(cdf(a, x));
}

double lccdf_tail(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double z = (x - a[0]) / a[1];
  return z > 5 ? log_upper(z) : std::log(ccdf(a, x));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0) return -inf;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0], a[1]), p);
}

double mean(Args a) { return ok(a) ? a[0] : nan; }
double variance(Args a) { return ok(a) ? a[1] * a[1] : nan; }
double sd(Args a) { return ok(a) ? a[1] : nan; }

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return a[0] + a[1] * random::normal(rng);
}

// With z = (x - mean) / sd: d/dmean = z / sd, d/dsd = (z^2 - 1) / sd, d/dx = -z / sd.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    const double z = (x - a[0]) / a[1];
    d[0] = z / a[1], d[1] = (z * z - 1) / a[1], dx = -z / a[1];
  });
}

std::optional<double> mode(Args a, std::string&) { return a[0]; }

// -n (log sd + log(2 pi) / 2) - sum (x - mean)^2 / (2 sd^2).
double lpdf_sum(Args a, const data::Summary& s) {
  const double mu = a[0], sd = a[1];
  if (!(sd > 0)) return nan;
  const double n = static_cast<double>(s.n);
  return -n * (std::log(sd) + 0.5 * std::log(2 * std::numbers::pi)) -
         s.squares_about(mu) / (2 * sd * sd);
}

}  // namespace
}  // namespace normal_impl

const Family& normal_family() {
  using namespace normal_impl;
  static const Family family{
      .name = "Normal",
      .params = {{"mean", Domain::Real, Rank::Scalar}, {"sd", Domain::Positive, Rank::Scalar}},
      .support = Domain::Real,
      .outcome_rank = Rank::Scalar,
      .discrete = false,
      .check_outcome = check_outcome,
      .lpdf = lpdf,
      .cdf = cdf,
      .ccdf = ccdf,
      .lcdf_tail = lcdf_tail,
      .lccdf_tail = lccdf_tail,
      .quantile = quantile,
      .mean = mean,
      .variance = variance,
      .sd = sd,
      .sample = sample,
      .lpdf_grad = lpdf_grad,
      .mode = mode,
      .streaming = {.lpdf_sum = lpdf_sum, .squares = true},
  };
  return family;
}

}  // namespace bayes::dist
