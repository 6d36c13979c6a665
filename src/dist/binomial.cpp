// Binomial(n, p): successes in n trials; numerics from Boost.Math's binomial_distribution.
#include <boost/math/distributions/binomial.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace binomial_impl {
namespace {

using namespace detail;
using Dist = boost::math::binomial_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Count, Domain::Unit}); }

// n is a whole number >= 0 (every element, when n is a vector of trial counts).
std::string check_args(std::span<const Value> args) {
  if (!known(args, 0)) return "";
  for (double n : args[0].data) {
    if (!in_domain(Domain::Count, n)) {
      return "n = " + shortest(n) + " must be a whole number of trials (0, 1, 2, ...)";
    }
  }
  return "";
}

std::string check_outcome(std::span<const Value> args, double x) {
  if (std::string bad = outcome_in(Domain::Count, x); !bad.empty()) return bad;
  if (auto n = known_scalar(args, 0); n && x > *n) {
    const auto p = known_scalar(args, 1);
    return shortest(x) + " is more than the " + shortest(*n) + " trials of Binomial(" +
           shortest(*n) + ", " + (p ? shortest(*p) : "p") + ")";
  }
  return "";
}

// log f = log C(n, k) + k log p + (n - k) log1p(-p) where Boost's pdf underflows
// (see log_pdf_or), with
// C(n, k) = 1 / ((n + 1) B(n - k + 1, k + 1)) (DLMF 5.12.1 with Gamma(m + 1) = m!),
// accurate where a difference of lgammas would cancel.
// `precise`: Boost's pdf where it does not underflow (what lpdf reports);
// else the formula alone, as fast as the gradient needs (lpdf_grad).
double log_density(Args a, double x, bool precise) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double n = a[0], p = a[1];
  if (!is_whole(x) || x < 0.0 || x > n) return -inf;
  if (p == 0.0) return x == 0.0 ? 0.0 : -inf;
  if (p == 1.0) return x == n ? 0.0 : -inf;
  auto formula = [&] {
    return -std::log1p(n) - (precise ? lbeta : fast_lbeta)(n - x + 1.0, x + 1.0) + x * std::log(p) +
           (n - x) * std::log1p(-p);
  };
  return precise ? log_pdf_or(boost::math::pdf(Dist(n, p), x), formula) : formula();
}

double lpdf(Args a, double x) { return log_density(a, x, true); }

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = std::floor(x);
  if (k < 0.0) return 0.0;
  if (k >= a[0]) return 1.0;
  if (a[1] == 0.0) return 1.0;
  if (a[1] == 1.0) return 0.0;
  return boost::math::cdf(Dist(a[0], a[1]), k);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = std::floor(x);
  if (k < 0.0) return 1.0;
  if (k >= a[0]) return 0.0;
  if (a[1] == 0.0) return 0.0;
  if (a[1] == 1.0) return 1.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0], a[1]), k));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0 || a[0] == 0.0 || a[1] == 0.0) return 0.0;
  if (a[1] == 1.0) return a[0];
  return boost::math::quantile(Dist(a[0], a[1]), p);
}

double mean(Args a) { return ok(a) ? a[0] * a[1] : nan; }
double variance(Args a) { return ok(a) ? a[0] * a[1] * (1.0 - a[1]) : nan; }

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return static_cast<double>(random::binomial(rng, static_cast<long long>(a[0]), a[1]));
}

// d/dp of x log p + (n - x) log(1 - p), each term only where present; n is a count.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(log_density(a, x, false), d, dx, [&] {
    d[1] = (x > 0 ? x / a[1] : 0.0) - (a[0] - x > 0 ? (a[0] - x) / (1 - a[1]) : 0.0);
  });
}

std::optional<double> mode(Args a, std::string&) { return std::floor((a[0] + 1) * a[1]); }

Bounds bounds(std::span<const Value> args) { return {0.0, known_max(args, 0).value_or(inf)}; }

// sum log C(n, x) (from the distinct values) + sum x log p + (n N - sum x) log(1 - p).
double lpdf_sum(Args a, const data::Summary& s) {
  if (!s.counts_complete) return nan;
  const double trials = a[0], p = a[1];
  if (!(p >= 0 && p <= 1)) return nan;
  const double choose = s.sum_of([&](double x) {
    return std::lgamma(trials + 1) - std::lgamma(x + 1) - std::lgamma(trials - x + 1);
  });
  return choose + xlogy(s.sum, p) + xlogy(static_cast<double>(s.n) * trials - s.sum, 1 - p);
}

}  // namespace
}  // namespace binomial_impl

const Family& binomial_family() {
  using namespace binomial_impl;
  static const Family family{
      .name = "Binomial",
      .params = {{"n", Domain::Count, Rank::Scalar}, {"p", Domain::Unit, Rank::Scalar}},
      .support = Domain::Count,
      .outcome_rank = Rank::Scalar,
      .discrete = true,
      .check_args = check_args,
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
      .bounds = bounds,
      .streaming = {.lpdf_sum = lpdf_sum, .sum = true, .distinct = true},
  };
  return family;
}

}  // namespace bayes::dist
