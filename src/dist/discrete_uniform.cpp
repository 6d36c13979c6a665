// DiscreteUniform(lo, hi): each integer lo..hi equally likely; an extension for the
// "small discrete uniforms" that the enumeration engine sums over. Closed forms only.
#include <algorithm>
#include <cmath>

#include "dist/families.hpp"

namespace bayes::dist {
namespace discrete_uniform_impl {
namespace {

using namespace detail;

bool ok(Args a) { return a.size() == 2 && is_whole(a[0]) && is_whole(a[1]) && a[0] <= a[1]; }

// lo and hi whole numbers with lo <= hi, element by element for vectors.
std::string check_args(std::span<const Value> args) {
  for (std::size_t i = 0; i < 2; ++i) {
    if (!known(args, i)) continue;
    for (double v : args[i].data) {
      if (!is_whole(v)) {
        return std::string(i == 0 ? "lo" : "hi") + " = " + shortest(v) + " must be a whole number";
      }
    }
  }
  if (!known(args, 0) || !known(args, 1)) return "";
  const Value &lo = args[0], &hi = args[1];
  const std::size_t n = std::max(lo.size(), hi.size());
  for (std::size_t i = 0; i < n; ++i) {
    const double l = lo[lo.size() == 1 ? 0 : i % lo.size()];
    const double h = hi[hi.size() == 1 ? 0 : i % hi.size()];
    if (l > h) return "lo = " + shortest(l) + " must not be more than hi = " + shortest(h);
  }
  return "";
}

std::string check_outcome(std::span<const Value> args, double x) {
  if (std::string bad = outcome_in(Domain::Real, x); !bad.empty()) return bad;
  if (!is_whole(x)) return shortest(x) + " is not a whole number";
  if (auto lo = known_scalar(args, 0); lo && x < *lo) {
    return "x = " + shortest(x) + " is below lo = " + shortest(*lo) + " of DiscreteUniform";
  }
  if (auto hi = known_scalar(args, 1); hi && x > *hi) {
    return "x = " + shortest(x) + " is above hi = " + shortest(*hi) + " of DiscreteUniform";
  }
  return "";
}

double count(Args a) { return a[1] - a[0] + 1.0; }

double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (!is_whole(x) || x < a[0] || x > a[1]) return -inf;
  return -std::log(count(a));
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = std::floor(x);
  if (k < a[0]) return 0.0;
  if (k >= a[1]) return 1.0;
  return (k - a[0] + 1.0) / count(a);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  const double k = std::floor(x);
  if (k < a[0]) return 1.0;
  if (k >= a[1]) return 0.0;
  return (a[1] - k) / count(a);
}

// The smallest k with cdf(k) >= p.
double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0) return a[0];
  return std::min(a[1], a[0] - 1.0 + std::ceil(p * count(a)));
}

// (lo + hi) / 2 and (N^2 - 1) / 12 with N = hi - lo + 1.
double mean(Args a) { return ok(a) ? 0.5 * (a[0] + a[1]) : nan; }
double variance(Args a) {
  if (!ok(a)) return nan;
  const double n = count(a);
  return (n * n - 1.0) / 12.0;
}

double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  return static_cast<double>(
      random::uniform_int(rng, static_cast<long long>(a[0]), static_cast<long long>(a[1])));
}

// Constant on its support: no derivative.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [] {});
}

Bounds bounds(std::span<const Value> args) {
  return {known_min(args, 0).value_or(-inf), known_max(args, 1).value_or(inf)};
}

}  // namespace
}  // namespace discrete_uniform_impl

const Family& discrete_uniform_family() {
  using namespace discrete_uniform_impl;
  static const Family family{
      .name = "DiscreteUniform",
      .params = {{"lo", Domain::Real, Rank::Scalar}, {"hi", Domain::Real, Rank::Scalar}},
      .support = Domain::Bounded,
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
      .bounds = bounds,
  };
  return family;
}

}  // namespace bayes::dist
