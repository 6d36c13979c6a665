// NormalInverseGamma(m0, lambda, alpha, beta): the joint prior on (mu, s2) with
// s2 ~ InverseGamma(alpha, beta) and mu | s2 ~ Normal(m0, sqrt(s2 / lambda));
// Prince's NormInvGam[alpha, beta, gamma, delta] with gamma = lambda, delta = m0
// (Prince, Computer Vision: Models, Learning, and Inference, 2012, section 3.8).
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <numbers>

#include "dist/families.hpp"
#include "dist/multivariate.hpp"

namespace bayes::dist {
namespace normal_inverse_gamma_impl {
namespace {

using namespace detail;

// Each unknown is a scalar; this checks one of them as a real number.
std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Real, x); }

}  // namespace
}  // namespace normal_inverse_gamma_impl

// log InverseGamma(s2 | alpha, beta) + log Normal(mu | m0, sqrt(s2 / lambda)).
double normal_inverse_gamma_lpdf(double m0, double lambda, double alpha, double beta, double mu,
                                 double s2) {
  using namespace normal_inverse_gamma_impl;
  if (!std::isfinite(m0) || !in_domain(Domain::Positive, lambda) ||
      !in_domain(Domain::Positive, alpha) || !in_domain(Domain::Positive, beta)) {
    return nan;
  }
  if (std::isnan(mu) || std::isnan(s2)) return nan;
  if (!(s2 > 0.0) || std::isinf(s2) || std::isinf(mu)) return -inf;
  const double d = mu - m0;
  return alpha * std::log(beta) - std::lgamma(alpha) - (alpha + 1.0) * std::log(s2) - beta / s2 -
         0.5 * std::log(2.0 * std::numbers::pi * s2 / lambda) - lambda * d * d / (2.0 * s2);
}

std::pair<double, double> normal_inverse_gamma_sample(double m0, double lambda, double alpha,
                                                      double beta, Rng& rng) {
  using namespace normal_inverse_gamma_impl;
  if (!std::isfinite(m0) || !in_domain(Domain::Positive, lambda) ||
      !in_domain(Domain::Positive, alpha) || !in_domain(Domain::Positive, beta)) {
    return {nan, nan};
  }
  const double s2 = beta / random::gamma(rng, alpha);
  const double mu = m0 + std::sqrt(s2 / lambda) * random::normal(rng);
  return {mu, s2};
}

double normal_inverse_gamma_lpdf_grad(std::span<const double> a, double mu, double s2,
                                      std::span<double> d, double& dmu, double& ds2) {
  using namespace normal_inverse_gamma_impl;
  const double m0 = a[0], lambda = a[1], alpha = a[2], beta = a[3];
  const double lp = normal_inverse_gamma_lpdf(m0, lambda, alpha, beta, mu, s2);
  if (!std::isfinite(lp)) return lp;
  const double r = mu - m0;
  d[0] += lambda * r / s2;
  d[1] += 0.5 / lambda - r * r / (2 * s2);
  d[2] += std::log(beta) - boost::math::digamma(alpha) - std::log(s2);
  d[3] += alpha / beta - 1 / s2;
  dmu += -lambda * r / s2;
  ds2 += -(alpha + 1) / s2 + beta / (s2 * s2) - 0.5 / s2 + lambda * r * r / (2 * s2 * s2);
  return lp;
}

const Family& normal_inverse_gamma_family() {
  using namespace normal_inverse_gamma_impl;
  static const Family family{
      .name = "NormalInverseGamma",
      .params = {{"m0", Domain::Real, Rank::Scalar},
                 {"lambda", Domain::Positive, Rank::Scalar},
                 {"alpha", Domain::Positive, Rank::Scalar},
                 {"beta", Domain::Positive, Rank::Scalar}},
      .support = Domain::Real,
      .outcome_rank = Rank::Scalar,
      .discrete = false,
      .joint = 2,
      .joint_supports = {Domain::Real, Domain::Positive},
      .check_outcome = check_outcome,
  };
  return family;
}

}  // namespace bayes::dist
