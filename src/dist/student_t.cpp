// StudentT(nu, mean, scale): Boost.Math's standard students_t_distribution moved
// to `mean` and stretched by `scale`.
#include <boost/math/distributions/students_t.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace student_t_impl {
namespace {

using namespace detail;
using Dist = boost::math::students_t_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Positive, Domain::Real, Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Real, x); }

// log f = lgamma((nu+1)/2) - lgamma(nu/2) - log(nu pi)/2 - log(scale)
//         - (nu+1)/2 log1p(z^2 / nu), z = (x - mean) / scale,
// where lgamma((nu+1)/2) - lgamma(nu/2) - log(pi)/2 = -log B(nu/2, 1/2) (DLMF 5.12.1,
// Gamma(1/2) = sqrt(pi)): one log-beta, without the cancellation of two large lgammas.
// `precise`: log B(nu / 2, 1 / 2) by Boost (what lpdf reports); else by
// lgammas, as fast as the gradient needs (lpdf_grad).
double log_density(Args a, double x, bool precise) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return -inf;
  const double nu = a[0], z = (x - a[1]) / a[2];
  return -(precise ? lbeta : fast_lbeta)(0.5 * nu, 0.5) - 0.5 * std::log(nu) - std::log(a[2]) -
         0.5 * (nu + 1.0) * log1p_square(z, nu);
}

double lpdf(Args a, double x) { return log_density(a, x, true); }

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return x < 0.0 ? 0.0 : 1.0;
  return boost::math::cdf(Dist(a[0]), (x - a[1]) / a[2]);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return x < 0.0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0]), (x - a[1]) / a[2]));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0) return -inf;
  if (p == 1.0) return inf;
  return a[1] + a[2] * boost::math::quantile(Dist(a[0]), p);
}

// Undefined for nu <= 1 (the Cauchy).
double mean(Args a) {
  if (!ok(a)) return nan;
  return a[0] > 1.0 ? a[1] : nan;
}

// scale^2 nu / (nu - 2); infinite for 1 < nu <= 2, undefined for nu <= 1 (as scipy).
double variance(Args a) {
  if (!ok(a)) return nan;
  const double nu = a[0];
  if (nu <= 1.0) return nan;
  if (nu <= 2.0) return inf;
  return a[2] * a[2] * nu / (nu - 2.0);
}

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  // A normal over the root of a chi-square (2 Gamma(nu / 2)) per degree of freedom.
  const double z = random::normal(rng);
  return a[1] + a[2] * z / std::sqrt(2.0 * random::gamma(rng, 0.5 * a[0]) / a[0]);
}

double psi(double x) { return digamma(x); }

// With z = (x - mean) / scale and t = z^2 / nu, log f = lgamma((nu + 1) / 2) -
// lgamma(nu / 2) - log(nu pi) / 2 - log scale - (nu + 1) / 2 log(1 + t).
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool> need) {
  return with_gradient(log_density(a, x, false), d, dx, [&] {
    const double nu = a[0], s = a[2], z = (x - a[1]) / s, share = square_share(z, nu);
    if (wanted(need, 0))
      d[0] = 0.5 * (psi((nu + 1) / 2) - psi(nu / 2)) - 0.5 / nu - 0.5 * log1p_square(z, nu) +
             (nu + 1) * share / (2 * nu);
    d[1] = (nu + 1) * z / (s * (nu + z * z));
    d[2] = -1 / s + (nu + 1) * share / s;
    dx = -d[1];
  });
}

std::optional<double> mode(Args a, std::string&) { return a[1]; }

}  // namespace
}  // namespace student_t_impl

const Family& student_t_family() {
  using namespace student_t_impl;
  static const Family family{
      .name = "StudentT",
      .params = {{"nu", Domain::Positive, Rank::Scalar},
                 {"mean", Domain::Real, Rank::Scalar},
                 {"scale", Domain::Positive, Rank::Scalar}},
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
