// Domains (membership, wording for messages) and the helpers the family files share.
#include "dist/family.hpp"

#include <algorithm>
#include <boost/math/quadrature/exp_sinh.hpp>
#include <boost/math/quadrature/tanh_sinh.hpp>
#include <boost/math/special_functions/beta.hpp>
#include <boost/math/special_functions/digamma.hpp>
#include <cmath>
#include <numbers>

#include "dist/families.hpp"

namespace bayes::dist {

bool in_domain(Domain d, double x) {
  if (!std::isfinite(x)) return false;
  switch (d) {
    case Domain::Real:
    case Domain::RealVector:
    case Domain::Covariance:  // per element; symmetry and definiteness are check_args's
    case Domain::Bounded:     // the bounds come from the arguments: check_outcome
      return true;
    case Domain::Positive:
      return x > 0.0;
    case Domain::NonNegative:
      return x >= 0.0;
    case Domain::Unit:
    case Domain::Simplex:  // per element; the sum is check_args's
      return x >= 0.0 && x <= 1.0;
    case Domain::OpenUnit:
      return x > 0.0 && x < 1.0;
    case Domain::Binary:
      return x == 0.0 || x == 1.0;
    case Domain::Count:
    case Domain::CountVector:
      return x >= 0.0 && x == std::floor(x);
    case Domain::PositiveInt:
    case Domain::Category:  // the upper end K comes from the arguments
      return x >= 1.0 && x == std::floor(x);
  }
  return false;
}

std::string_view describe(Domain d) {
  switch (d) {
    case Domain::Real:
      return "a real number";
    case Domain::Positive:
      return "positive";
    case Domain::NonNegative:
      return "non-negative";
    case Domain::Unit:
      return "in [0, 1]";
    case Domain::OpenUnit:
      return "in (0, 1)";
    case Domain::Binary:
      return "0 or 1";
    case Domain::Count:
      return "a count (0, 1, 2, ...)";
    case Domain::PositiveInt:
      return "a positive whole number (1, 2, ...)";
    case Domain::Category:
      return "a category (1, 2, ...)";
    case Domain::Simplex:
      return "a probability vector (entries >= 0 summing to 1)";
    case Domain::CountVector:
      return "a vector of counts (0, 1, 2, ...)";
    case Domain::RealVector:
      return "a vector of real numbers";
    case Domain::Covariance:
      return "a symmetric positive-definite matrix";
    case Domain::Bounded:
      return "within the distribution's bounds";
  }
  return "";
}

bool is_integer_domain(Domain d) {
  switch (d) {
    case Domain::Binary:
    case Domain::Count:
    case Domain::PositiveInt:
    case Domain::Category:
    case Domain::CountVector:
      return true;
    default:
      return false;
  }
}

Bounds bounds_of(Domain d) {
  constexpr double inf = detail::inf;
  switch (d) {
    case Domain::Positive:
    case Domain::NonNegative:
    case Domain::Count:
    case Domain::CountVector:
      return {0.0, inf};
    case Domain::PositiveInt:
    case Domain::Category:
      return {1.0, inf};
    case Domain::Unit:
    case Domain::OpenUnit:
    case Domain::Binary:
    case Domain::Simplex:
      return {0.0, 1.0};
    case Domain::Real:
    case Domain::RealVector:
    case Domain::Covariance:
    case Domain::Bounded:
      break;
  }
  return {};
}

Bounds support_bounds(const Family& f, std::span<const Value> args, std::size_t unknown) {
  if (f.joint > 1) return bounds_of(f.joint_supports.at(unknown));
  return f.bounds ? f.bounds(args) : bounds_of(f.support);
}

namespace detail {

bool is_whole(double x) { return std::isfinite(x) && x == std::floor(x); }

bool args_ok(Args a, std::initializer_list<Domain> domains) {
  if (a.size() != domains.size()) return false;
  std::size_t i = 0;
  for (Domain d : domains) {
    if (!in_domain(d, a[i++])) return false;
  }
  return true;
}

bool known(std::span<const Value> args, std::size_t i) {
  return i < args.size() && args[i].size() > 0;
}

bool is_empty_vector(std::span<const Value> args, std::size_t i) {
  return i < args.size() && args[i].rank != Rank::Scalar && args[i].size() == 0 &&
         args[i].rows == 0;
}

std::optional<double> known_scalar(std::span<const Value> args, std::size_t i) {
  if (i < args.size() && args[i].size() == 1) return args[i][0];
  return std::nullopt;
}

std::optional<double> known_min(std::span<const Value> args, std::size_t i) {
  if (!known(args, i)) return std::nullopt;
  return *std::min_element(args[i].data.begin(), args[i].data.end());
}

std::optional<double> known_max(std::span<const Value> args, std::size_t i) {
  if (!known(args, i)) return std::nullopt;
  return *std::max_element(args[i].data.begin(), args[i].data.end());
}

std::string outcome_in(Domain d, double x) {
  if (std::isnan(x)) return "NaN is not a number";
  if (!std::isfinite(x)) return shortest(x) + " is not a finite number";
  if (in_domain(d, x)) return "";
  // Binary's wording already says which values are allowed.
  if (is_integer_domain(d) && d != Domain::Binary && x != std::floor(x)) {
    return shortest(x) + " is not a whole number";
  }
  return shortest(x) + " is not " + std::string(describe(d));
}

double lbeta(double a, double b) {
  // Boost's beta is accurate to a few ulps, and so is its log unless it underflows.
  const double beta = boost::math::beta(a, b, Policy());
  if (std::isfinite(beta) && beta > 1e-280) return std::log(beta);
  const double small = std::min(a, b), large = std::max(a, b), sum = small + large;
  if (large < 1e7) return std::lgamma(a) + std::lgamma(b) - std::lgamma(sum);
  // lgamma(large) - lgamma(sum) by Stirling's series to the 1/(12 x) term (DLMF
  // 5.11.1; the next term is below 1e-21 here), arranged so that nothing cancels
  // or overflows: a - (large - 1/2) log1p(small / large) - small log(sum).
  return std::lgamma(small) + small - (large - 0.5) * std::log1p(small / large) -
         small * std::log(sum) + (1.0 / large - 1.0 / sum) / 12.0;
}

double digamma(double x) {
  return boost::math::digamma(
      x, boost::math::policies::policy<boost::math::policies::promote_double<false>>());
}

double fast_lbeta(double a, double b) {
  if (std::max(a, b) < 1e7) return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b);
  return lbeta(a, b);
}

double uniform_open(Rng& rng) { return random::uniform_open(rng); }

double log_gamma_sample(double shape, Rng& rng) {
  if (shape >= 1.0) return std::log(random::gamma(rng, shape));
  return std::log(random::gamma(rng, shape + 1.0)) + std::log(uniform_open(rng)) / shape;
}

}  // namespace detail

double log_beta(double a, double b) { return detail::lbeta(a, b); }

double interval_point(double lo, double hi, double s) {
  const double w = hi - lo;
  return std::isfinite(w) ? lo + w * s : lo * (1 - s) + hi * s;
}

double log_width(double lo, double hi) {
  const double w = hi - lo;
  return std::isfinite(w) ? std::log(w) : std::log(0.5 * hi - 0.5 * lo) + std::numbers::ln2;
}

}  // namespace bayes::dist

namespace bayes::dist {

namespace {

// P(X > x) from the family's complement where it has one.
double upper_tail(const Family& f, Args a, double x) {
  return f.ccdf ? f.ccdf(a, x) : 1.0 - f.cdf(a, x);
}

// At most this many terms are summed for a discrete tail (NaN beyond).
constexpr long kMaxTailTerms = 10'000'000;

// log P(X > x) (upper) or log P(X <= x) of a discrete family, summed from x
// outwards in log space: lpmf(k0) + log sum exp(lpmf(k) - lpmf(k0)). Far in a
// tail the terms fall, so the sum stops once they stop counting (or leave the
// support, where they are 0).
double log_tail_sum(const Family& f, Args a, double x, bool upper) {
  double k = upper ? std::floor(x) + 1 : std::floor(x);
  const double l0 = f.lpdf(a, k);
  if (!std::isfinite(l0)) return l0;
  const double step = upper ? 1.0 : -1.0;
  double sum = 1, last = 1;
  for (long n = 0; n < kMaxTailTerms; ++n) {
    k += step;
    const double term = std::exp(f.lpdf(a, k) - l0);
    if (std::isnan(term)) return detail::nan;
    sum += term;
    if (term <= last && term < 1e-17 * sum) return l0 + std::log(sum);
    last = term;
  }
  return detail::nan;
}

// The same for a continuous family: lpdf(x) + log of the integral of
// exp(lpdf(t) - lpdf(x)) from x to the support's end (its quantile at 1 or
// 0), by double-exponential quadrature (exp-sinh to an infinite end, tanh-sinh
// to a finite one), which adapts to the tail's scale however steep.
double log_tail_integral(const Family& f, Args a, double x, bool upper) {
  const double l0 = f.lpdf(a, x);
  if (!std::isfinite(l0)) return l0 == -detail::inf ? l0 : detail::nan;
  double end = f.quantile ? f.quantile(a, upper ? 1.0 : 0.0) : detail::nan;
  if (std::isnan(end)) end = upper ? detail::inf : -detail::inf;
  if (upper ? !(end > x) : !(end < x)) return -detail::inf;
  const auto ratio = [&](double t) {
    const double r = std::exp(f.lpdf(a, t) - l0);
    return std::isnan(r) ? 0.0 : r;
  };
  const double lo = upper ? x : end, hi = upper ? end : x;
  constexpr double tolerance = 1e-13;
  double integral;
  if (std::isinf(end)) {
    // In units of |x|: a heavy tail at x = 1e300 falls over a length of
    // that order, where exp-sinh's nodes about x would not reach.
    const double unit = std::max(1.0, std::fabs(x)), sign = upper ? 1.0 : -1.0;
    const auto scaled = [&](double u) { return ratio(x + sign * unit * u); };
    integral = unit * boost::math::quadrature::exp_sinh<double, detail::Policy>().integrate(
                          scaled, 0.0, detail::inf, tolerance);
  } else {
    integral = boost::math::quadrature::tanh_sinh<double, detail::Policy>().integrate(ratio, lo, hi,
                                                                                      tolerance);
  }
  return integral > 0 && std::isfinite(integral) ? l0 + std::log(integral) : detail::nan;
}

// log P(X > x) (upper) or log P(X <= x) where the probability has lost its
// digits to underflow: the family's own tail formula, else the tail from its
// density; `p` the probability as computed, kept where neither gives a number.
double log_far_tail(const Family& f, Args a, double x, bool upper, double p) {
  const auto formula = upper ? f.lccdf_tail : f.lcdf_tail;
  double l = detail::nan;
  if (formula) {
    l = formula(a, x);
  } else if (f.lpdf && !std::isnan(x)) {
    l = f.discrete ? log_tail_sum(f, a, x, upper) : log_tail_integral(f, a, x, upper);
  }
  return std::isnan(l) ? std::log(p) : l;
}

}  // namespace

double standard_deviation(const Family& f, Args a) {
  if (f.sd) return f.sd(a);
  const double v = f.variance ? f.variance(a) : NAN;
  return std::isnan(v) ? NAN : std::sqrt(v);
}

// Below this a tail probability has lost digits to subnormal numbers: its
// log comes from the family's tail formula, or from its density.
constexpr double kTailFloor = 1e-300;

// log(1 - exp(d)) for d <= 0, accurate at both ends (Maechler's log1mexp);
// -inf where rounding made d >= 0.
double log1m_exp(double d) {
  if (!(d < 0)) return std::isnan(d) ? d : -detail::inf;
  return d > -std::numbers::ln2 ? std::log(-std::expm1(d)) : std::log1p(-std::exp(d));
}

double log_cdf(const Family& f, Args a, double x) {
  if (!f.cdf) return detail::nan;
  const double p = f.cdf(a, x);
  // Near 1 the complement keeps the digits that 1 - p would lose.
  if (p > 0.5 && f.ccdf) return std::log1p(-f.ccdf(a, x));
  if (p < kTailFloor) return log_far_tail(f, a, x, false, p);
  return std::log(p);
}

double log_ccdf(const Family& f, Args a, double x) {
  if (!f.cdf) return detail::nan;
  if (!f.ccdf) return std::log1p(-f.cdf(a, x));
  const double q = f.ccdf(a, x);
  // Near 1 (the lower tail) the cdf keeps the digits that log(q) would lose.
  if (q > 0.5) return std::log1p(-f.cdf(a, x));
  if (q < kTailFloor) return log_far_tail(f, a, x, true, q);
  return std::log(q);
}

double log_mass(const Family& f, Args a, double lo, double hi) {
  if (!f.cdf || std::isnan(lo) || std::isnan(hi)) return detail::nan;
  if (lo > hi) return -detail::inf;
  // Both ends kept: P(lo <= X) = P(X > lo - 1) for integers, P(X > lo) otherwise.
  const double below = f.discrete ? std::ceil(lo) - 1 : lo;
  if (below == -detail::inf) return hi == detail::inf ? 0.0 : log_cdf(f, a, hi);
  if (hi == detail::inf) return log_ccdf(f, a, below);
  // Difference of the two tails on the side where they are small; in log
  // space where the larger has underflowed.
  const double p_lo = f.cdf(a, below);
  if (p_lo > 0.5) {
    const double q_lo = upper_tail(f, a, below), q_hi = upper_tail(f, a, hi);
    if (q_lo < kTailFloor) {
      const double l_lo = log_ccdf(f, a, below);
      if (l_lo == -detail::inf) return l_lo;  // above the support
      return l_lo + log1m_exp(log_ccdf(f, a, hi) - l_lo);
    }
    return std::log(q_lo) + std::log1p(-q_hi / q_lo);
  }
  const double p_hi = f.cdf(a, hi);
  // Across the median: 1 minus the two tails, which may both be tiny.
  if (p_hi > 0.5) return std::log1p(-(p_lo + upper_tail(f, a, hi)));
  if (p_hi < kTailFloor) {
    const double l_hi = log_cdf(f, a, hi);
    if (l_hi == -detail::inf) return l_hi;  // below the support
    return l_hi + log1m_exp(log_cdf(f, a, below) - l_hi);
  }
  return std::log(p_hi) + std::log1p(-p_lo / p_hi);
}

}  // namespace bayes::dist

namespace bayes::dist {

const char* to_string(DistFn f) {
  switch (f) {
    case DistFn::Lpdf:
      return "lpdf";
    case DistFn::Lcdf:
      return "lcdf";
    case DistFn::Lccdf:
      return "lccdf";
    case DistFn::LogMass:
      return "log mass";
  }
  return "?";
}

double dist_fn(const Family& f, DistFn fn, Args in) {
  const std::size_t na = f.params.size();
  const Args a = in.first(na);
  switch (fn) {
    case DistFn::Lpdf:
      return f.lpdf ? f.lpdf(a, in[na]) : detail::nan;
    case DistFn::Lcdf:
      return log_cdf(f, a, in[na]);
    case DistFn::Lccdf:
      return log_ccdf(f, a, in[na]);
    case DistFn::LogMass:
      return log_mass(f, a, in[na], in[na + 1]);
  }
  return detail::nan;
}

namespace {

// The density at x over the probability exp(log_p), formed in log space so
// that far in a tail neither underflows (0 for a discrete family: its cdf is
// flat between the integers).
double density_over(const Family& f, Args a, double x, double log_p) {
  if (f.discrete || !std::isfinite(x)) return 0;
  return std::exp(f.lpdf(a, x) - log_p);
}

}  // namespace

double dist_fn_grad(const Family& f, DistFn fn, Args in, std::span<double> d) {
  const std::size_t na = f.params.size();
  std::fill(d.begin(), d.end(), 0.0);
  const Args a = in.first(na);
  if (fn == DistFn::Lpdf) {
    if (!f.lpdf_grad) return detail::nan;
    double dx = 0;
    double lp = f.lpdf_grad(a, in[na], d.first(na), dx, {});
    d[na] = dx;
    return lp;
  }
  const double value = dist_fn(f, fn, in);
  if (!std::isfinite(value)) return value;
  // In x, lo and hi: the density there over the probability.
  if (fn == DistFn::Lcdf) d[na] = density_over(f, a, in[na], value);
  if (fn == DistFn::Lccdf) d[na] = -density_over(f, a, in[na], value);
  if (fn == DistFn::LogMass) {
    d[na] = -density_over(f, a, in[na], value);
    d[na + 1] = density_over(f, a, in[na + 1], value);
  }
  // In the family's arguments: central differences, the step relative to the
  // argument (so that a positive argument stays positive).
  std::vector<double> moved(in.begin(), in.end());
  for (std::size_t i = 0; i < na; ++i) {
    const double x = in[i], h = 1e-5 * std::max(std::fabs(x), 1e-3);
    moved[i] = x + h;
    const double up = dist_fn(f, fn, moved);
    moved[i] = x - h;
    const double down = dist_fn(f, fn, moved);
    moved[i] = x;
    const double g = (up - down) / (2 * h);
    d[i] = std::isfinite(g) ? g : 0.0;
  }
  return value;
}

}  // namespace bayes::dist
