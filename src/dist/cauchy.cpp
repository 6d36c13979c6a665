// Cauchy(loc, scale): numerics from Boost.Math's cauchy_distribution; no moments.
#include <boost/math/distributions/cauchy.hpp>
#include <cmath>
#include <numbers>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace cauchy_impl {
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
  return -std::log(std::numbers::pi * a[1]) - log1p_square(z);
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return x < 0.0 ? 0.0 : 1.0;
  return boost::math::cdf(Dist(a[0], a[1]), x);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return x < 0.0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0], a[1]), x));
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
  return a[0] + a[1] * random::normal(rng) / random::normal(rng);  // a ratio of normals
}

// With z = (x - loc) / scale, log f = -log(pi scale) - log(1 + z^2).
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    const double s = a[1], z = (x - a[0]) / s;
    d[0] = 2 * z / (s * (1 + z * z));
    d[1] = -1 / s + 2 * square_share(z) / s;
    dx = -d[0];
  });
}

std::optional<double> mode(Args a, std::string&) { return a[0]; }

}  // namespace
}  // namespace cauchy_impl

const Family& cauchy_family() {
  using namespace cauchy_impl;
  static const Family family{
      .name = "Cauchy",
      .params = {{"loc", Domain::Real, Rank::Scalar}, {"scale", Domain::Positive, Rank::Scalar}},
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
