// Dirichlet(alpha) on the probability simplex; log density and sampler in multivariate.hpp.
#include <algorithm>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>

#include "dist/families.hpp"
#include "dist/multivariate.hpp"

namespace bayes::dist {
namespace dirichlet_impl {
namespace {

using namespace detail;

bool alpha_ok(std::span<const double> alpha) {
  return !alpha.empty() && std::all_of(alpha.begin(), alpha.end(),
                                       [](double a) { return in_domain(Domain::Positive, a); });
}

// alpha of at least two positive entries.
std::string check_args(std::span<const Value> args) {
  if (is_empty_vector(args, 0)) return "alpha must not be empty";
  if (!known(args, 0)) return "";
  const auto& alpha = args[0].data;
  // One category is the point mass w = [1]: nothing to infer (Stan's simplex
  // needs two as well).
  if (alpha.size() == 1) return "alpha needs at least 2 categories, not 1";
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    if (!in_domain(Domain::Positive, alpha[i])) {
      return "alpha[" + std::to_string(i + 1) + "] = " + shortest(alpha[i]) + " is not positive";
    }
  }
  return "";
}

// One element of an observed probability vector (the sum is check_vector_outcome's).
std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Unit, x); }

// A whole observed probability vector: it sums to 1 (to within 1e-8, as
// dirichlet_lpdf allows).
std::string check_vector_outcome(std::span<const Value>, std::span<const double> x) {
  double total = 0.0;
  for (double v : x) total += v;
  if (std::abs(total - 1.0) <= 1e-8) return "";
  // Six significant digits: 0.1 + 0.2 is "0.3", not "0.30000000000000004".
  return "the values sum to " + significant(total) + ", not 1";
}

}  // namespace
}  // namespace dirichlet_impl

// log Gamma(sum alpha) - sum log Gamma(alpha_i) + sum (alpha_i - 1) log x_i
// (Bishop, Pattern Recognition and Machine Learning, eq. 2.38). At x_i = 0 a term
// is +inf, 0 or -inf as alpha_i <, =, > 1; a -inf term wins.
double dirichlet_lpdf(std::span<const double> alpha, std::span<const double> x) {
  using namespace dirichlet_impl;
  if (!alpha_ok(alpha) || x.size() != alpha.size()) return nan;
  double sum_x = 0.0;
  for (double xi : x) {
    if (std::isnan(xi)) return nan;
    if (xi < 0.0 || xi > 1.0) return -inf;
    sum_x += xi;
  }
  if (std::abs(sum_x - 1.0) > 1e-8) return -inf;
  double sum_alpha = 0.0, lp = 0.0;
  bool pole = false;
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    sum_alpha += alpha[i];
    lp -= std::lgamma(alpha[i]);
    if (alpha[i] == 1.0) continue;
    if (x[i] == 0.0) {
      if (alpha[i] > 1.0) return -inf;
      pole = true;
      continue;
    }
    lp += (alpha[i] - 1.0) * std::log(x[i]);
  }
  if (pole) return inf;
  return lp + std::lgamma(sum_alpha);
}

// Normalised Gamma(alpha_i, 1) draws, formed from their logs so that tiny alphas
// (whose draws underflow) still give a point of the simplex.
std::vector<double> dirichlet_sample(std::span<const double> alpha, Rng& rng) {
  using namespace dirichlet_impl;
  std::vector<double> x(alpha.size(), nan);
  if (!alpha_ok(alpha)) return x;
  for (std::size_t i = 0; i < alpha.size(); ++i) x[i] = log_gamma_sample(alpha[i], rng);
  const double top = *std::max_element(x.begin(), x.end());
  double sum = 0.0;
  for (double& xi : x) sum += (xi = std::exp(xi - top));
  for (double& xi : x) xi /= sum;
  return x;
}

double dirichlet_lpdf_grad(std::span<const double> alpha, std::span<const double> x,
                           std::span<double> dalpha, std::span<double> dx) {
  using namespace dirichlet_impl;
  const double lp = dirichlet_lpdf(alpha, x);
  if (!std::isfinite(lp)) return lp;
  double a0 = 0;
  for (double v : alpha) a0 += v;
  const double p0 = boost::math::digamma(a0);
  for (std::size_t i = 0; i < alpha.size(); ++i) {
    // x_i = 0 gives a finite density only with alpha_i = 1, where the term
    // (alpha_i - 1) log x_i is absent (as in dirichlet_lpdf): no log 0, no 0 / 0.
    dalpha[i] += p0 - boost::math::digamma(alpha[i]) + (x[i] > 0 ? std::log(x[i]) : 0.0);
    if (alpha[i] != 1) dx[i] += (alpha[i] - 1) / x[i];
  }
  return lp;
}

const Family& dirichlet_family() {
  using namespace dirichlet_impl;
  static const Family family{
      .name = "Dirichlet",
      .params = {{"alpha", Domain::Positive, Rank::Vector}},
      .support = Domain::Simplex,
      .outcome_rank = Rank::Vector,
      .discrete = false,
      .check_args = check_args,
      .check_outcome = check_outcome,
      .check_vector_outcome = check_vector_outcome,
  };
  return family;
}

}  // namespace bayes::dist
