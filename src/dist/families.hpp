// Internal to src/dist/: one accessor per family file, and the helpers they share.
// Outside src/dist/, use find() and all() from family.hpp.
#pragma once

#include <boost/math/policies/policy.hpp>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <optional>
#include <span>
#include <string>

#include "dist/family.hpp"
#include "format/format.hpp"

namespace bayes::dist {

namespace detail {

inline constexpr double nan = std::numeric_limits<double>::quiet_NaN();
inline constexpr double inf = std::numeric_limits<double>::infinity();

// Boost.Math policy for every distribution here: bad arguments give NaN and
// overflow gives inf instead of throwing; discrete quantiles are the smallest
// k with cdf(k) >= p (the usual definition, as scipy's ppf).
using Policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::pole_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>,
    boost::math::policies::rounding_error<boost::math::policies::ignore_error>,
    boost::math::policies::indeterminate_result_error<boost::math::policies::ignore_error>,
    boost::math::policies::discrete_quantile<boost::math::policies::integer_round_up>>;

// True when x is a finite integer.
bool is_whole(double x);
// A value in a message: the shortest form that reads back exactly ("0.5",
// "12", "1e-10", "inf"); in the notes of a mode, six significant digits.
using format::shortest;
using format::significant;

// True when the arguments are as many as the domains and each lies in its domain
// (the numerics return NaN otherwise).
bool args_ok(Args a, std::initializer_list<Domain> domains);
// A probability argument of quantile: in [0, 1].
inline bool prob_ok(double p) { return p >= 0.0 && p <= 1.0; }

// Argument i when it is known at check time (a non-empty Value).
bool known(std::span<const Value> args, std::size_t i);
// True when argument i is a vector given with no entries at all ([]), which is
// not the same as unknown: an unknown is a default Value (rank Scalar, no data).
bool is_empty_vector(std::span<const Value> args, std::size_t i);
// Argument i when it is known and a single number (a scalar, or a vector of one).
std::optional<double> known_scalar(std::span<const Value> args, std::size_t i);

// The smallest / largest entry of argument i when it is known (a vector
// argument broadcasts over the elements, so its hull bounds them all).
std::optional<double> known_min(std::span<const Value> args, std::size_t i);
std::optional<double> known_max(std::span<const Value> args, std::size_t i);

// Whether d/d args[i] is asked for (an empty `need` asks for every one).
inline bool wanted(std::span<const bool> need, std::size_t i) { return need.empty() || need[i]; }

// The frame of every Family::lpdf_grad: zeroes the derivatives, returns lp
// alone when it is not finite (outside the support), else runs `derivatives`
// (which sets d and dx) and sets to 0 those that are not finite (0 * inf at
// an edge of the support).
template <class Derivatives>
double with_gradient(double lp, std::span<double> d, double& dx, Derivatives derivatives) {
  for (auto& v : d) v = 0;
  dx = 0;
  if (!std::isfinite(lp)) return lp;
  derivatives();
  for (auto& v : d)
    if (!std::isfinite(v)) v = 0;
  if (!std::isfinite(dx)) dx = 0;
  return lp;
}

// log(1 + t) and t / (1 + t) for t = z^2 / nu (Student-t and Cauchy terms),
// also where z^2 overflows: a far outlier (|z| ~ 1e300) has log(1 + t) =
// 2 log|z| - log nu + log(1 + nu / z^2) and t / (1 + t) = 1 / (1 + nu / z^2).
inline double log1p_square(double z, double nu = 1.0) {
  const double t = z * z / nu;
  if (t < 1e300) return std::log1p(t);
  const double a = std::fabs(z);
  return 2.0 * std::log(a) - std::log(nu) + std::log1p(nu / a / a);
}
inline double square_share(double z, double nu = 1.0) {
  const double t = z * z / nu;
  if (t < 1e300) return t / (1.0 + t);
  const double a = std::fabs(z);
  return 1.0 / (1.0 + nu / a / a);
}

// x log y, 0 when x = 0 (also for y = 0), for Streaming::lpdf_sum.
inline double xlogy(double x, double y) { return x == 0 ? 0.0 : x * std::log(y); }

// "" when x lies in d, else "<x> is not <describe(d)>" (or "<x> is not a whole
// number" for an integer domain, "NaN is not a number", "inf is not a finite number").
std::string outcome_in(Domain d, double x);

// log f(x) from Boost's pdf where that is a normal number, else from `formula`.
// Boost computes the pdfs of the lgamma-heavy families (Gamma, Beta, Binomial,
// Poisson, ...) to a few ulps even for huge arguments (through
// gamma_p_derivative / ibeta_derivative), where a log formula loses digits to
// cancelling lgammas of ~1e9; where the pdf underflows |log f| > 690, so the
// formula's absolute error is relatively negligible there.
template <class Formula>
double log_pdf_or(double pdf, Formula formula) {
  if (pdf >= 1e-300 && pdf <= 1e300) return std::log(pdf);
  return formula();
}

// The digamma function in double precision (Boost's default promotes to
// long double, five times slower, for digits the gradients do not need).
double digamma(double x);

// log B(a, b), accurate also when B underflows (lgamma sum then).
double lbeta(double a, double b);
// log B(a, b) by lgammas alone (absolute error about 1e-16 |lgamma(a + b)|),
// ten times faster than lbeta: for the gradients, called at every step of an
// optimiser or sampler.
double fast_lbeta(double a, double b);

// "" when probs is a probability vector: non-empty, entries in [0, 1], summing
// to 1 within 1e-8; else the reason ("probs sum to 0.9, not 1"). In categorical.cpp.
std::string check_probs(std::span<const double> probs);
// 1..K, K the length of the probabilities in args[0] when it is known (an
// unknown vector may carry it in `rows`): Categorical's and MarkovChain's support.
Bounds categories_of_first(std::span<const Value> args);

// A uniform draw in the open interval (0, 1).
double uniform_open(Rng& rng);
// log of a Gamma(shape, 1) draw; stays finite for tiny shapes, where the draw
// itself underflows (Marsaglia & Tsang 2000, section 6: G_a = G_{a+1} U^{1/a}).
double log_gamma_sample(double shape, Rng& rng);

}  // namespace detail
}  // namespace bayes::dist
