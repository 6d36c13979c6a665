// InverseGamma(shape, scale): numerics from Boost.Math's inverse_gamma_distribution.
#include <boost/math/distributions/inverse_gamma.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace inverse_gamma_impl {
namespace {

using namespace detail;
using Dist = boost::math::inverse_gamma_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Positive, Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) {
  return outcome_in(Domain::Positive, x);
}

// log f = shape log(scale) - lgamma(shape) - (shape + 1) log x - scale / x where
// Boost's pdf underflows (see log_pdf_or); the density tends to 0 at x = 0.
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double shape = a[0], scale = a[1];
  if (x <= 0.0 || std::isinf(x)) return -inf;
  return log_pdf_or(boost::math::pdf(Dist(shape, scale), x), [&] {
    return shape * std::log(scale) - std::lgamma(shape) - (shape + 1.0) * std::log(x) - scale / x;
  });
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

// scale / (shape - 1), infinite for shape <= 1.
double mean(Args a) {
  if (!ok(a)) return nan;
  return a[0] > 1.0 ? a[1] / (a[0] - 1.0) : inf;
}

// scale^2 / ((shape - 1)^2 (shape - 2)), infinite for shape <= 2 (as scipy).
double variance(Args a) {
  if (!ok(a)) return nan;
  if (a[0] <= 2.0) return inf;
  const double m = a[1] / (a[0] - 1.0);
  return m * m / (a[0] - 2.0);
}

// 1 / G with G ~ Gamma(shape, rate = scale).
double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return a[1] / random::gamma(rng, a[0]);
}

double psi(double x) { return digamma(x); }

// log f = shape log scale - lgamma(shape) - (shape + 1) log x - scale / x.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool> need) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    if (wanted(need, 0)) d[0] = std::log(a[1]) - psi(a[0]) - std::log(x);
    d[1] = a[0] / a[1] - 1 / x;
    dx = -(a[0] + 1) / x + a[1] / (x * x);
  });
}

std::optional<double> mode(Args a, std::string&) { return a[1] / (a[0] + 1); }

}  // namespace
}  // namespace inverse_gamma_impl

const Family& inverse_gamma_family() {
  using namespace inverse_gamma_impl;
  static const Family family{
      .name = "InverseGamma",
      .params = {{"shape", Domain::Positive, Rank::Scalar},
                 {"scale", Domain::Positive, Rank::Scalar}},
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
