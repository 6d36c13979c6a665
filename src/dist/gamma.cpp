// Gamma(shape, rate): numerics from Boost.Math's gamma_distribution (which takes scale = 1/rate).
#include <boost/math/distributions/gamma.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace gamma_impl {
namespace {

using namespace detail;
using Dist = boost::math::gamma_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Positive, Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) {
  return outcome_in(Domain::Positive, x);
}

// log f = shape log(rate) + (shape - 1) log x - rate x - lgamma(shape), where
// Boost's pdf underflows (see log_pdf_or).
// At x = 0 the limit of the density: +inf, rate or 0 as shape <, =, > 1 (as scipy).
// `precise`: Boost's pdf where it does not underflow (what lpdf reports);
// else the formula alone, as fast as the gradient needs (lpdf_grad).
double log_density(Args a, double x, bool precise) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double shape = a[0], rate = a[1];
  if (x < 0.0 || std::isinf(x)) return -inf;
  if (x == 0.0) return shape < 1.0 ? inf : shape == 1.0 ? std::log(rate) : -inf;
  auto formula = [&] {
    return shape * std::log(rate) + (shape - 1.0) * std::log(x) - rate * x - std::lgamma(shape);
  };
  return precise ? log_pdf_or(boost::math::pdf(Dist(shape, 1.0 / rate), x), formula) : formula();
}

double lpdf(Args a, double x) { return log_density(a, x, true); }

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 0.0;
  if (std::isinf(x)) return 1.0;
  return boost::math::cdf(Dist(a[0], 1.0 / a[1]), x);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 1.0;
  if (std::isinf(x)) return 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0], 1.0 / a[1]), x));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0) return 0.0;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0], 1.0 / a[1]), p);
}

double mean(Args a) { return ok(a) ? a[0] / a[1] : nan; }
double variance(Args a) { return ok(a) ? a[0] / (a[1] * a[1]) : nan; }

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return random::gamma(rng, a[0]) / a[1];
}

double psi(double x) { return digamma(x); }

// log f = shape log rate - lgamma(shape) + (shape - 1) log x - rate x; the
// (shape - 1) log x term is 0 for shape = 1 even at x = 0 (where Gamma(1, rate)
// is Exponential(rate)).
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool> need) {
  return with_gradient(log_density(a, x, false), d, dx, [&] {
    if (wanted(need, 0)) d[0] = std::log(a[1]) - psi(a[0]) + std::log(x);
    d[1] = a[0] / a[1] - x;
    dx = (a[0] == 1 ? 0.0 : (a[0] - 1) / x) - a[1];
  });
}

std::optional<double> mode(Args a, std::string& note) {
  if (a[0] >= 1) return (a[0] - 1) / a[1];
  note = "on the boundary 0";
  return std::nullopt;
}

}  // namespace
}  // namespace gamma_impl

const Family& gamma_family() {
  using namespace gamma_impl;
  static const Family family{
      .name = "Gamma",
      .params = {{"shape", Domain::Positive, Rank::Scalar},
                 {"rate", Domain::Positive, Rank::Scalar}},
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
