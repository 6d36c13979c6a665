// Exact gradients of the log densities. Values come from src/dist (so they
// agree with every other engine); derivatives are the textbook formulas of
// each log density, differentiated by hand and checked against finite
// differences in tests/unit/test_numeric.cpp.
#include "numeric/lpdf_grad.hpp"

#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <stdexcept>
#include <string>

#include "dist/multivariate.hpp"

namespace bayes::numeric {

namespace {

double psi(double x) { return boost::math::digamma(x); }
void zero(std::span<double> d, double& dx) {
  for (auto& v : d) v = 0;
  dx = 0;
}

}  // namespace

double scalar_lpdf_grad(const dist::Family& f, std::span<const double> a, double x,
                        std::span<double> d, double& dx, std::span<const bool> need) {
  auto want = [need](std::size_t i) { return need.empty() || need[i]; };
  if (!f.lpdf) throw std::logic_error("no univariate density for " + std::string(f.name));
  double lp = f.lpdf(a, x);
  zero(d, dx);
  if (!std::isfinite(lp)) return lp;
  std::string_view n = f.name;
  if (n == "Normal" || n == "HalfNormal") {
    double mu = n == "Normal" ? a[0] : 0, s = n == "Normal" ? a[1] : a[0];
    double z = (x - mu) / s;
    if (n == "Normal")
      d[0] = z / s, d[1] = (z * z - 1) / s;
    else
      d[0] = (z * z - 1) / s;
    dx = -z / s;
  } else if (n == "StudentT") {
    double nu = a[0], s = a[2], z = (x - a[1]) / s, t = z * z / nu;
    if (want(0))
      d[0] = 0.5 * (psi((nu + 1) / 2) - psi(nu / 2)) - 0.5 / nu - 0.5 * std::log1p(t) +
             (nu + 1) * t / (2 * nu * (1 + t));
    d[1] = (nu + 1) * z / (s * nu * (1 + t));
    d[2] = -1 / s + (nu + 1) * z * z / (s * nu * (1 + t));
    dx = -d[1];
  } else if (n == "Cauchy" || n == "HalfCauchy") {
    double loc = n == "Cauchy" ? a[0] : 0, s = n == "Cauchy" ? a[1] : a[0];
    double z = (x - loc) / s;
    double dloc = 2 * z / (s * (1 + z * z));
    double ds = -1 / s + 2 * z * z / (s * (1 + z * z));
    if (n == "Cauchy")
      d[0] = dloc, d[1] = ds;
    else
      d[0] = ds;
    dx = -dloc;
  } else if (n == "Laplace") {
    double r = x - a[0], b = a[1];
    double sg = r > 0 ? 1.0 : r < 0 ? -1.0 : 0.0;
    d[0] = sg / b, d[1] = -1 / b + std::fabs(r) / (b * b), dx = -sg / b;
  } else if (n == "LogNormal") {
    double s = a[1], z = (std::log(x) - a[0]) / s;
    d[0] = z / s, d[1] = (z * z - 1) / s, dx = -1 / x - z / (s * x);
  } else if (n == "Exponential") {
    d[0] = 1 / a[0] - x, dx = -a[0];
  } else if (n == "Gamma") {
    // (shape - 1) log x is 0 for shape = 1 even at x = 0 (where Gamma(1, rate) is
    // Exponential(rate)).
    if (want(0)) d[0] = std::log(a[1]) - psi(a[0]) + std::log(x);
    d[1] = a[0] / a[1] - x;
    dx = (a[0] == 1 ? 0.0 : (a[0] - 1) / x) - a[1];
  } else if (n == "InverseGamma") {
    if (want(0)) d[0] = std::log(a[1]) - psi(a[0]) - std::log(x);
    d[1] = a[0] / a[1] - 1 / x;
    dx = -(a[0] + 1) / x + a[1] / (x * x);
  } else if (n == "Beta") {
    // At an end of [0, 1] the density is finite only with a = 1 (x = 0) or
    // b = 1 (x = 1): that term is absent, the other still depends on a, b, x
    // (Beta(1, b) at 0 is log b). No derivative in the absent term's parameter.
    double ab = want(0) || want(1) ? psi(a[0] + a[1]) : 0.0;
    if (want(0)) d[0] = x > 0 ? std::log(x) - psi(a[0]) + ab : 0.0;
    if (want(1)) d[1] = x < 1 ? std::log1p(-x) - psi(a[1]) + ab : 0.0;
    dx = (x > 0 ? (a[0] - 1) / x : 0.0) - (x < 1 ? (a[1] - 1) / (1 - x) : 0.0);
  } else if (n == "Uniform") {
    double w = a[1] - a[0];
    d[0] = 1 / w, d[1] = -1 / w;
  } else if (n == "Weibull") {
    double k = a[0], lam = a[1], u = x / lam;
    if (x <= 0) {  // finite only for k = 1 (Exponential(1 / lam)): -log lam; no derivative in k
      d[1] = -1 / lam, dx = -1 / lam;
      return lp;
    }
    double uk = std::pow(u, k), lu = std::log(u);
    d[0] = 1 / k + lu - uk * lu, d[1] = k * (uk - 1) / lam, dx = (k - 1) / x - k * uk / x;
  } else if (n == "Pareto") {
    d[0] = a[1] / a[0], d[1] = 1 / a[1] + std::log(a[0]) - std::log(x), dx = -(a[1] + 1) / x;
  } else if (n == "Bernoulli") {
    // Only the term that is present: at p = 1 (x = 1) or p = 0 (x = 0) the
    // one-sided derivative, not 0 * inf.
    d[0] = x == 1 ? 1 / a[0] : -1 / (1 - a[0]);
  } else if (n == "Binomial") {
    d[1] = (x > 0 ? x / a[1] : 0.0) - (a[0] - x > 0 ? (a[0] - x) / (1 - a[1]) : 0.0);
  } else if (n == "Poisson") {
    d[0] = a[0] > 0 ? x / a[0] - 1 : -1;
  } else if (n == "Geometric") {
    d[0] = 1 / a[0] - (x > 0 ? x / (1 - a[0]) : 0.0);
  } else if (n == "NegativeBinomial") {
    if (want(0)) d[0] = psi(x + a[0]) - psi(a[0]) + std::log(a[1]);
    d[1] = a[0] / a[1] - (x > 0 ? x / (1 - a[1]) : 0.0);
  } else if (n == "DiscreteUniform") {
    // constant on its support
  } else {
    throw std::logic_error("no gradient for " + std::string(n));
  }
  // 0 * inf at the edges of a support (p = 0 with x = 0, ...): no derivative there.
  for (auto& v : d)
    if (!std::isfinite(v)) v = 0;
  if (!std::isfinite(dx)) dx = 0;
  return lp;
}

double categorical_lpmf_grad(std::span<const double> probs, double k, std::span<double> dprobs) {
  double lp = dist::categorical_lpmf(probs, k);
  if (std::isfinite(lp))
    dprobs[static_cast<std::size_t>(k) - 1] += 1 / probs[static_cast<std::size_t>(k) - 1];
  return lp;
}

double dirichlet_lpdf_grad(std::span<const double> alpha, std::span<const double> x,
                           std::span<double> dalpha, std::span<double> dx) {
  double lp = dist::dirichlet_lpdf(alpha, x);
  if (!std::isfinite(lp)) return lp;
  double a0 = 0;
  for (double v : alpha) a0 += v;
  double p0 = psi(a0);
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    // x_i = 0 gives a finite density only with alpha_i = 1, where the term
    // (alpha_i - 1) log x_i is absent (as in dist::dirichlet_lpdf): no log 0, no 0 / 0.
    dalpha[i] += p0 - psi(alpha[i]) + (x[i] > 0 ? std::log(x[i]) : 0.0);
    if (alpha[i] != 1) dx[i] += (alpha[i] - 1) / x[i];
  }
  return lp;
}

double multinomial_lpmf_grad(std::span<const double> probs, std::span<const double> counts,
                             std::span<double> dprobs) {
  double lp = dist::multinomial_lpmf(probs, counts);
  if (!std::isfinite(lp)) return lp;
  for (std::size_t i = 0; i < probs.size(); ++i)
    if (counts[i] > 0) dprobs[i] += counts[i] / probs[i];
  return lp;
}

double multi_normal_lpdf_grad(std::span<const double> mean, std::span<const double> x,
                              const double* cov_inv, double log_det, std::size_t k,
                              std::span<double> dmean, std::span<double> dx) {
  Eigen::Map<const Eigen::MatrixXd> P(cov_inv, static_cast<Eigen::Index>(k),
                                      static_cast<Eigen::Index>(k));
  Eigen::Map<const Eigen::VectorXd> m(mean.data(), static_cast<Eigen::Index>(k));
  Eigen::Map<const Eigen::VectorXd> xv(x.data(), static_cast<Eigen::Index>(k));
  Eigen::VectorXd diff = xv - m;
  Eigen::VectorXd pd = P * diff;
  for (std::size_t i = 0; i < k; ++i) {
    dmean[i] += pd[static_cast<Eigen::Index>(i)];
    dx[i] -= pd[static_cast<Eigen::Index>(i)];
  }
  return -0.5 * (static_cast<double>(k) * std::log(2 * M_PI) + log_det + diff.dot(pd));
}

double normal_inverse_gamma_lpdf_grad(std::span<const double> a, double mu, double s2,
                                      std::span<double> d, double& dmu, double& ds2) {
  double m0 = a[0], lambda = a[1], alpha = a[2], beta = a[3];
  double lp = dist::normal_inverse_gamma_lpdf(m0, lambda, alpha, beta, mu, s2);
  if (!std::isfinite(lp)) return lp;
  double r = mu - m0;
  d[0] += lambda * r / s2;
  d[1] += 0.5 / lambda - r * r / (2 * s2);
  d[2] += std::log(beta) - psi(alpha) - std::log(s2);
  d[3] += alpha / beta - 1 / s2;
  dmu += -lambda * r / s2;
  ds2 += -(alpha + 1) / s2 + beta / (s2 * s2) - 0.5 / s2 + lambda * r * r / (2 * s2 * s2);
  return lp;
}

}  // namespace bayes::numeric
