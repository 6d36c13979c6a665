// Laplace(loc, scale): the double exponential; numerics from Boost.Math's laplace_distribution.
#include <boost/math/distributions/laplace.hpp>
#include <cmath>
#include <optional>

#include "dist/families.hpp"

namespace bayes::dist {
namespace laplace_impl {
namespace {

using namespace detail;
using Dist = boost::math::laplace_distribution<double, Policy>;

bool ok(Args a) { return args_ok(a, {Domain::Real, Domain::Positive}); }

std::string check_outcome(std::span<const Value>, double x) { return outcome_in(Domain::Real, x); }

// log f = -log(2 scale) - |x - loc| / scale.
double lpdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return -inf;
  return -std::log(2.0 * a[1]) - std::abs(x - a[0]) / a[1];
}

double cdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return x < 0.0 ? 0.0 : 1.0;
  return boost::math::cdf(Dist(a[0], a[1]), x);
}

double ccdf(Args a, double x) {
  if (!ok(a) || std::isnan(x)) return nan;
  if (std::isinf(x)) return x < 0.0 ? 1.0 : 0.0;
  return boost::math::cdf(boost::math::complement(Dist(a[0], a[1]), x));
}

double quantile(Args a, double p) {
  if (!ok(a) || !prob_ok(p)) return nan;
  if (p == 0.0) return -inf;
  if (p == 1.0) return inf;
  return boost::math::quantile(Dist(a[0], a[1]), p);
}

double mean(Args a) { return ok(a) ? a[0] : nan; }
double variance(Args a) { return ok(a) ? 2.0 * a[1] * a[1] : nan; }
double sd(Args a) { return ok(a) ? std::sqrt(2.0) * a[1] : nan; }

// loc + scale (E1 - E2) with E1, E2 standard exponentials.
double sample(Args a, Rng& rng) {
  if (!ok(a)) return nan;
  const double e1 = random::exponential(rng);
  return a[0] + a[1] * (e1 - random::exponential(rng));
}

// log f = -log(2 scale) - |x - loc| / scale; at x = loc the derivative of |.| taken as 0.
double lpdf_grad(Args a, double x, std::span<double> d, double& dx, std::span<const bool>) {
  return with_gradient(lpdf(a, x), d, dx, [&] {
    const double r = x - a[0], b = a[1];
    const double sg = r > 0 ? 1.0 : r < 0 ? -1.0 : 0.0;
    d[0] = sg / b, d[1] = -1 / b + std::fabs(r) / (b * b), dx = -sg / b;
  });
}

std::optional<double> mode(Args a, std::string&) { return a[0]; }

}  // namespace
}  // namespace laplace_impl

const Family& laplace_family() {
  using namespace laplace_impl;
  static const Family family{
      .name = "Laplace",
      .params = {{"loc", Domain::Real, Rank::Scalar}, {"scale", Domain::Positive, Rank::Scalar}},
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
      .sd = sd,
      .sample = sample,
      .lpdf_grad = lpdf_grad,
      .mode = mode,
  };
  return family;
}

}  // namespace bayes::dist
