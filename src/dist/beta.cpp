// Beta(a, b) on [0, 1]: numerics from Boost.Math's beta_distribution (incomplete beta).
#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace beta_impl {
namespace {

using namespace detail;
using Dist = boost::math::beta_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Positive, Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Unit, x); }

// The limit of log x^(s-1) / B(a, b) at an end of [0, 1], where `s` is the
// shape acting there (a at 0, b at 1): +inf, -log B or -inf as s <, =, > 1.
double at_end(double s, double lb) { return s < 1.0 ? inf : s == 1.0 ? -lb : -inf; }

// log f = (a - 1) log x + (b - 1) log1p(-x) - log B(a, b) where Boost's pdf
// underflows (see log_pdf_or).
// `precise`: Boost's pdf where it does not underflow (what lpdf reports);
// else the formula alone, as fast as the gradient needs (lpdf_grad).
double log_density(Args a, double x, bool precise) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x < 0.0 || x > 1.0) return -inf;
  const double lb = precise ? lbeta(a[0], a[1]) : fast_lbeta(a[0], a[1]);
  if (x == 0.0) return at_end(a[0], lb);
  if (x == 1.0) return at_end(a[1], lb);
  auto formula = [&] { return (a[0] - 1.0) * std::log(x) + (a[1] - 1.0) * std::log1p(-x) - lb; };
  return precise ? log_pdf_or(boost::math::pdf(Dist(a[0], a[1]), x), formula) : formula();
}

double lpdf(Args a, double x) { return log_density(a, x, true); }

// Boost's incomplete beta loses accuracy, or throws, or takes seconds, when a
// shape is beyond about 1e11 (Beta(1e20, 1e20): a cdf of 0.007 at the mean;
// Beta(2, 1e20): an exception). There two limits are exact to double
// precision:
// - both shapes above 1e9: the Normal with the Beta's skewness and kurtosis
//   (Edgeworth for the cdf, Cornish-Fisher for the quantile; the terms left
//   out are of order (ab / (a + b))^(-3/2) in standard deviations);
// - one shape at most 1e9 and the other above 1e15: X = G / (G + b) with
//   G ~ Gamma(a, 1) (the other Gamma is b to a relative 1e-7.5 and enters
//   only at order a / b).
// Elsewhere Boost is accurate (checked against its own inverse and these
// limits where they meet).
enum class Regime { Boost, Edgeworth, GammaLimit };

Regime regime(double a, double b) {
  const double lo = std::min(a, b), hi = std::max(a, b);
  if (hi <= 1e11) return Regime::Boost;
  if (lo > 1e9) return Regime::Edgeworth;
  return hi > 1e15 ? Regime::GammaLimit : Regime::Boost;
}

// Mean, sd, skewness and excess kurtosis of Beta(a, b).
struct Moments {
  double mean, sd, skew, kurt;
};

Moments moments(double a, double b) {
  const double s = a + b;
  return {a / s, std::sqrt(a / s * (b / s) / (s + 1)),
          2 * (b - a) * std::sqrt(s + 1) / ((s + 2) * std::sqrt(a) * std::sqrt(b)),
          6 * ((a - b) * (a - b) * (s + 1) - a * b * (s + 2)) / (a * b * (s + 2) * (s + 3))};
}

double edgeworth_cdf(double a, double b, double x) {
  const Moments m = moments(a, b);
  const double z = (x - m.mean) / m.sd, z2 = z * z;
  const double phi = std::exp(-0.5 * z2) / std::sqrt(2 * M_PI);
  const double correction = m.skew / 6 * (z2 - 1) + m.kurt / 24 * z * (z2 - 3) +
                            m.skew * m.skew / 72 * z * (z2 * z2 - 10 * z2 + 15);
  return std::clamp(0.5 * std::erfc(-z / std::sqrt(2.0)) - phi * correction, 0.0, 1.0);
}

double cornish_fisher_quantile(double a, double b, double p) {
  const Moments m = moments(a, b);
  const double z = boost::math::quantile(boost::math::normal_distribution<double, Policy>(), p);
  const double z2 = z * z;
  const double w = z + m.skew / 6 * (z2 - 1) + m.kurt / 24 * z * (z2 - 3) -
                   m.skew * m.skew / 36 * z * (2 * z2 - 5);
  return std::clamp(m.mean + m.sd * w, 0.0, 1.0);
}

// P(X <= x) in the Gamma limit with a the small shape: P(G <= b x / (1 - x)).
double gamma_limit_cdf(double a, double b, double x) {
  return boost::math::gamma_p(a, b * (x / (1 - x)), Policy());
}

double gamma_limit_quantile(double a, double b, double p) {
  const double g = boost::math::gamma_p_inv(a, p, Policy());
  return g / (g + b);
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 0.0;
  if (x >= 1.0) return 1.0;
  switch (regime(a[0], a[1])) {
    case Regime::Edgeworth:
      return edgeworth_cdf(a[0], a[1], x);
    case Regime::GammaLimit:
      return a[0] < a[1] ? gamma_limit_cdf(a[0], a[1], x) : 1 - gamma_limit_cdf(a[1], a[0], 1 - x);
    case Regime::Boost:
      break;
  }
  return boost::math::cdf(Dist(a[0], a[1]), x);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (x <= 0.0) return 1.0;
  if (x >= 1.0) return 0.0;
  switch (regime(a[0], a[1])) {
    case Regime::Edgeworth:
      return 1 - edgeworth_cdf(a[0], a[1], x);
    case Regime::GammaLimit:
      return a[0] < a[1] ? 1 - gamma_limit_cdf(a[0], a[1], x) : gamma_limit_cdf(a[1], a[0], 1 - x);
    case Regime::Boost:
      break;
  }
  return boost::math::cdf(boost::math::complement(Dist(a[0], a[1]), x));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  switch (regime(a[0], a[1])) {
    case Regime::Edgeworth:
      return cornish_fisher_quantile(a[0], a[1], p);
    case Regime::GammaLimit:
      return a[0] < a[1] ? gamma_limit_quantile(a[0], a[1], p)
                         : 1 - gamma_limit_quantile(a[1], a[0], 1 - p);
    case Regime::Boost:
      break;
  }
  // Boost's inversion can throw (whatever the policy) at extreme levels:
  // there the leading term of the tail, P(X <= x) ~ x^a / (a B(a, b)) as
  // x -> 0, is exact to double precision (its next term is of relative
  // order x).
  try {
    return boost::math::quantile(Dist(a[0], a[1]), p);
  } catch (const std::exception&) {
    auto tail = [](double s, double t, double q) {
      return std::exp((std::log(q) + std::log(s) + lbeta(s, t)) / s);
    };
    if (p < 1e-10) return tail(a[0], a[1], p);
    if (1 - p < 1e-10) return 1 - tail(a[1], a[0], 1 - p);
    return nan;
  }
}

// a / (a + b) and a b / ((a + b)^2 (a + b + 1)).
double mean(Args a) { return ok(a) ? a[0] / (a[0] + a[1]) : nan; }
double variance(Args a) {
  if (!ok(a)) return nan;
  const double s = a[0] + a[1];
  return a[0] * a[1] / (s * s * (s + 1.0));
}

// G1 / (G1 + G2) with Gi ~ Gamma(ai, 1), formed from log draws so that tiny
// shapes (whose draws underflow) still give a value in [0, 1].
double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  const double l1 = log_gamma_sample(a[0], rng), l2 = log_gamma_sample(a[1], rng);
  return 1.0 / (1.0 + std::exp(l2 - l1));
}

double psi(double x) { return digamma(x); }

// log f = (a - 1) log x + (b - 1) log(1 - x) - log B(a, b). At an end of
// [0, 1] the density is finite only with a = 1 (x = 0) or b = 1 (x = 1): that
// term is absent, the other still depends on a, b, x (Beta(1, b) at 0 is
// log b). No derivative in the absent term's parameter.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool> need) {
  return with_gradient(log_density(a, x, false), d, dx, [&] {
    const double ab = wanted(need, 0) || wanted(need, 1) ? psi(a[0] + a[1]) : 0.0;
    if (wanted(need, 0)) d[0] = x > 0 ? std::log(x) - psi(a[0]) + ab : 0.0;
    if (wanted(need, 1)) d[1] = x < 1 ? std::log1p(-x) - psi(a[1]) + ab : 0.0;
    dx = (x > 0 ? (a[0] - 1) / x : 0.0) - (x < 1 ? (a[1] - 1) / (1 - x) : 0.0);
  });
}

std::optional<double> mode(Args a, std::string& note) {
  const double alpha = a[0], beta = a[1];
  if (alpha > 1 && beta > 1) return (alpha - 1) / (alpha + beta - 2);
  if (alpha == 1 && beta == 1) {
    note = "undefined: Beta(1, 1) is flat on [0, 1]";
  } else if (alpha == 1 && beta > 1) {  // (1 - p)^(beta - 1): finite, largest at 0
    note = "on the boundary p = 0";
    return 0.0;
  } else if (alpha > 1 && beta == 1) {
    note = "on the boundary p = 1";
    return 1.0;
  } else if (alpha < 1 && beta > 1) {  // unbounded as p -> 0: no value is the largest
    note = "on the boundary p = 0";
  } else if (alpha > 1 && beta < 1) {
    note = "on the boundary p = 1";
  } else {
    note = "undefined: Beta(" + significant(alpha) + ", " + significant(beta) +
           ") has two modes, at 0 and 1";
  }
  return std::nullopt;
}

}  // namespace
}  // namespace beta_impl

const Family& beta_family() {
  using namespace beta_impl;
  static const Family family{
      .name = "Beta",
      .params = {{"a", Domain::Positive, Rank::Scalar}, {"b", Domain::Positive, Rank::Scalar}},
      .support = Domain::Unit,
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
