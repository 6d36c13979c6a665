// NegativeBinomial(r, p): failures before the r-th success, pmf C(k + r - 1, k) p^r (1 - p)^k
// (scipy.stats.nbinom(r, p)); numerics from Boost.Math's negative_binomial_distribution.
#include <boost/math/distributions/negative_binomial.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace negative_binomial_impl {
namespace {

using namespace detail;
using Dist = boost::math::negative_binomial_distribution<double, Policy>;

// r may be any positive real (the Gamma-Poisson mixture); p in (0, 1) as for Geometric.
bool ok(Args a) { return args_ok(a, {Domain::Positive, Domain::OpenUnit}); }

std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Count, x); }

// log f = log C(k + r - 1, k) + r log p + k log1p(-p) where Boost's pdf underflows
// (see log_pdf_or), with
// C(k + r - 1, k) = Gamma(k + r) / (Gamma(k + 1) Gamma(r)) = 1 / ((k + r) B(r, k + 1))
// (DLMF 5.12.1 and Gamma(k + r + 1) = (k + r) Gamma(k + r)).
// `precise`: Boost's pdf where it does not underflow; else the formula alone.
// The gradient keeps the precise value too: as r -> inf the formula's terms
// cancel, and the numeric engine's test that the MLE runs off to r = inf
// needs the likelihood's last digits there.
double log_density(Args a, double x, bool precise) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (!is_whole(x) || x < 0.0) return -inf;
  const double r = a[0], p = a[1];
  auto formula = [&] {
    return -std::log(x + r) - lbeta(r, x + 1.0) + r * std::log(p) + x * std::log1p(-p);
  };
  return precise ? log_pdf_or(boost::math::pdf(Dist(r, p), x), formula) : formula();
}

double lpdf(Args a, double x) { return log_density(a, x, true); }

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = std::floor(x);
  if (k < 0.0) return 0.0;
  if (std::isinf(k)) return 1.0;
  return boost::math::cdf(Dist(a[0], a[1]), k);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = std::floor(x);
  if (k < 0.0) return 1.0;
  if (std::isinf(k)) return 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0], a[1]), k));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0) return 0.0;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0], a[1]), p);
}

// r (1 - p) / p and r (1 - p) / p^2.
double mean(Args a) { return ok(a) ? a[0] * (1.0 - a[1]) / a[1] : nan; }
double variance(Args a) { return ok(a) ? a[0] * (1.0 - a[1]) / (a[1] * a[1]) : nan; }

// Poisson(L) with L ~ Gamma(r, scale (1 - p) / p): the Gamma-Poisson mixture.
double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  const double rate = random::gamma(rng, a[0]) * (1.0 - a[1]) / a[1];
  if (!(rate > 0.0)) return 0.0;
  return static_cast<double>(random::poisson(rng, rate));
}

// Long double: as r -> inf, psi(x + r) - psi(r) cancels (see log_density).
double psi(double x) { return boost::math::digamma(x); }

// log f = lgamma(x + r) - lgamma(r) - log x! + r log p + x log(1 - p).
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool> need) {
  return with_gradient(log_density(a, x, true), d, dx, [&] {
    if (wanted(need, 0)) d[0] = psi(x + a[0]) - psi(a[0]) + std::log(a[1]);
    d[1] = a[0] / a[1] - (x > 0 ? x / (1 - a[1]) : 0.0);
  });
}

std::optional<double> mode(Args a, std::string&) {
  return a[0] > 1 ? std::floor((a[0] - 1) * (1 - a[1]) / a[1]) : 0.0;
}

}  // namespace
}  // namespace negative_binomial_impl

const Family& negative_binomial_family() {
  using namespace negative_binomial_impl;
  static const Family family{
      .name = "NegativeBinomial",
      .params = {{"r", Domain::Positive, Rank::Scalar}, {"p", Domain::OpenUnit, Rank::Scalar}},
      .support = Domain::Count,
      .outcome_rank = Rank::Scalar,
      .discrete = true,
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
