// Poisson(rate) on {0, 1, 2, ...}: numerics from Boost.Math's poisson_distribution.
#include <boost/math/distributions/poisson.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace poisson_impl {
namespace {

using namespace detail;
using Dist = boost::math::poisson_distribution<double, Policy>;

// rate = 0 is allowed: all the mass at 0.
bool ok(Args a) { return args_ok(a, {Domain::NonNegative}); }

std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Count, x); }

// log f = k log(rate) - rate - lgamma(k + 1) where Boost's pdf underflows (see log_pdf_or).
// `precise`: Boost's pdf where it does not underflow (what lpdf reports);
// else the formula alone, as fast as the gradient needs (lpdf_grad).
double log_density(Args a, double x, bool precise) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (!is_whole(x) || x < 0.0) return -inf;
  const double rate = a[0];
  if (rate == 0.0) return x == 0.0 ? 0.0 : -inf;
  auto formula = [&] { return x * std::log(rate) - rate - std::lgamma(x + 1.0); };
  return precise ? log_pdf_or(boost::math::pdf(Dist(rate), x), formula) : formula();
}

double lpdf(Args a, double x) { return log_density(a, x, true); }

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = std::floor(x);
  if (k < 0.0) return 0.0;
  if (std::isinf(k) || a[0] == 0.0) return 1.0;
  return boost::math::cdf(Dist(a[0]), k);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = std::floor(x);
  if (k < 0.0) return 1.0;
  if (std::isinf(k) || a[0] == 0.0) return 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0]), k));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0 || a[0] == 0.0) return 0.0;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0]), p);
}

double mean(Args a) { return ok(a) ? a[0] : nan; }
double variance(Args a) { return ok(a) ? a[0] : nan; }

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  if (a[0] == 0.0) return 0.0;
  return static_cast<double>(random::poisson(rng, a[0]));
}

// log f = x log rate - rate - log x!; at rate = 0 (then x = 0) d/drate = -1.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(log_density(a, x, false), d, dx,
                       [&] { d[0] = a[0] > 0 ? x / a[0] - 1 : -1; });
}

std::optional<double> mode(Args a, std::string&) { return std::floor(a[0]); }

// sum x log rate - n rate - sum log x! (from the distinct values).
double lpdf_sum(Args a, const data::Summary& s) {
  if (!s.counts_complete) return nan;
  const double rate = a[0];
  if (!(rate >= 0)) return nan;
  return xlogy(s.sum, rate) - static_cast<double>(s.n) * rate -
         s.sum_of([](double x) { return std::lgamma(x + 1); });
}

}  // namespace
}  // namespace poisson_impl

const Family& poisson_family() {
  using namespace poisson_impl;
  static const Family family{
      .name = "Poisson",
      .params = {{"rate", Domain::NonNegative, Rank::Scalar}},
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
      .streaming = {.lpdf_sum = lpdf_sum, .sum = true, .distinct = true},
  };
  return family;
}

}  // namespace bayes::dist
