// Distribution families: the table every later stage reads.
// One family per file in src/dist/; each file defines one `Family` and the
// registry (registry.cpp) lists them. Parameterisations follow Stan (see
// LANGUAGE.md "Distributions"); numerics come from Boost.Math where it has the
// family.
#pragma once

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/summary.hpp"
#include "data/value.hpp"
#include "dist/random.hpp"

namespace bayes::dist {

// The set a parameter or an outcome lives in.
enum class Domain {
  Real,         // (-inf, inf)
  Positive,     // (0, inf)
  NonNegative,  // [0, inf)
  Unit,         // [0, 1]
  OpenUnit,     // (0, 1)
  Binary,       // {0, 1}
  Count,        // {0, 1, 2, ...}
  PositiveInt,  // {1, 2, ...}
  Category,     // {1, ..., K}, K from the family's arguments
  Simplex,      // vector of non-negative entries summing to 1
  CountVector,  // vector of counts
  RealVector,   // vector of reals
  Covariance,   // symmetric positive-definite matrix
  Bounded,      // an interval fixed by the arguments (Uniform, Pareto); see check_outcome
};

// True when x is in d (for the scalar domains; vector domains check per element
// where that makes sense: Simplex and CountVector entries are >= 0).
bool in_domain(Domain d, double x);
// "positive", "in [0, 1]", "a count (0, 1, 2, ...)", ... for error messages.
std::string_view describe(Domain d);
// True when the domain's values are integers.
bool is_integer_domain(Domain d);

struct Param {
  std::string_view name;  // as in the Stan signature: "mean", "sd", "shape", ...
  Domain domain;
  Rank rank;  // Scalar, Vector (probs, alpha, mean of MultiNormal) or Matrix (cov)
};

// Scalar hyperparameters in signature order, for univariate families.
using Args = std::span<const double>;

// The smallest interval holding every outcome: lo <= x <= hi (an end may be
// infinite; for a discrete family, its smallest and largest values).
struct Bounds {
  double lo = -std::numeric_limits<double>::infinity();
  double hi = std::numeric_limits<double>::infinity();
};

// How a data column observed only through one family, with scalar arguments,
// streams: instead of the column, its data::Summary, of which the family's
// log likelihood reads these statistics.
struct Streaming {
  // Sum of the log density over a summarised column; NaN when the arguments
  // are invalid or the summary lacks what it needs (the distinct values past
  // data::Summary::kDistinct). nullptr: such a column is kept whole.
  double (*lpdf_sum)(Args, const data::Summary&) = nullptr;
  bool sum = false;       // n and the sum
  bool squares = false;   // the squared deviations (data::Summary::squares_about)
  bool distinct = false;  // the distinct values and their counts (log x!, log C(n, x))
};

struct Family {
  std::string_view name;
  std::vector<Param> params;
  Domain support;         // of the outcome
  Rank outcome_rank;      // Scalar for univariate families, Vector for Dirichlet, ...
  bool discrete;          // outcome is integer-valued
  std::size_t joint = 1;  // number of unknowns it is a joint prior on (2 for NormalInverseGamma)
  // When joint > 1: the support of each unknown in order (NormalInverseGamma:
  // mu Real, s2 Positive); `support` is then that of the first. Empty otherwise.
  std::vector<Domain> joint_supports = {};

  // Checks across arguments beyond each parameter's own domain, e.g. Uniform's
  // lo < hi, Categorical's probs summing to 1. Returns "" when fine, else the
  // reason as a sentence fragment ("lo must be less than hi").
  std::string (*check_args)(std::span<const Value> args) = nullptr;
  // Whether one outcome value x (one element of an observation) is in the
  // support given these arguments. "" when fine, else the reason
  // ("7 is not a category of a 6-way Categorical").
  std::string (*check_outcome)(std::span<const Value> args, double x) = nullptr;
  // For vector-valued families: whether one whole observed vector x is in the
  // support given these arguments, beyond what check_outcome says of each
  // element (Multinomial counts summing to n, Dirichlet values summing to 1).
  // "" when fine, else the reason ("the counts sum to 6, not n = 5").
  std::string (*check_vector_outcome)(std::span<const Value> args,
                                      std::span<const double> x) = nullptr;

  // Numerics for univariate families with scalar arguments; nullptr otherwise.
  double (*lpdf)(Args, double x) = nullptr;  // log density or log mass
  double (*cdf)(Args, double x) = nullptr;   // P(X <= x)
  // P(X > x), accurate in the upper tail where 1 - cdf rounds to 0 (Boost's
  // complement); nullptr: callers use 1 - cdf (see log_ccdf).
  double (*ccdf)(Args, double x) = nullptr;
  // log P(X <= x) and log P(X > x) far in a tail, where the probability
  // itself underflows a double (Normal beyond 38 sd); nullptr: the log of
  // cdf / ccdf, which is -inf there (see log_cdf, log_ccdf).
  double (*lcdf_tail)(Args, double x) = nullptr;
  double (*lccdf_tail)(Args, double x) = nullptr;
  double (*quantile)(Args, double p) = nullptr;  // inverse cdf
  double (*mean)(Args) = nullptr;                // NaN when undefined
  double (*variance)(Args) = nullptr;            // NaN when undefined, inf when infinite
  // The standard deviation where it is finite though the variance overflows
  // (Normal(0, 1e308)); nullptr: the square root of the variance (see
  // dist::standard_deviation).
  double (*sd)(Args) = nullptr;
  double (*sample)(Args, Rng&) = nullptr;

  // The log density and its partial derivatives together, for the numeric
  // engine's tape: d_args[i] = d/d args[i], skipped (left 0) where need[i] is
  // false (an argument that is data; empty `need` asks for every one), and
  // d_x = d/dx (0 for a discrete outcome). Outside the support -inf with every
  // derivative 0; a derivative that is not finite (0 * inf at an edge of the
  // support) is 0. Derivatives are the textbook formulas differentiated by
  // hand, checked against finite differences in the unit tests.
  double (*lpdf_grad)(Args a, double x, std::span<double> d_args, double& d_x,
                      std::span<const bool> need) = nullptr;
  // The mode (the standard formulas, e.g. Gelman et al., Bayesian Data
  // Analysis, 3rd ed., appendix A), or nullopt with `note` saying why there is
  // none ("on the boundary p = 0", "undefined: the Uniform density is flat").
  std::optional<double> (*mode)(Args a, std::string& note) = nullptr;
  // The ends of the support when the arguments set them (Uniform, Pareto,
  // Binomial's n, Categorical's K); an unknown argument (a default Value)
  // leaves its end where the domain puts it. nullptr when the support's
  // domain alone fixes them. Callers use support_bounds().
  Bounds (*bounds)(std::span<const Value> args) = nullptr;
  // Whether and how a column observed through this family streams.
  Streaming streaming = {};

  bool streams() const { return streaming.lpdf_sum != nullptr; }
};

// The ends of domain d: [0, inf) for Positive, [0, 1] for Unit, [1, inf) for
// PositiveInt and Category, (-inf, inf) for Real and Bounded, ...; per
// element for the vector domains.
Bounds bounds_of(Domain d);
// The ends of the support of f's outcome (of its unknown number `unknown`
// for a joint family) given its arguments, known or not: f.bounds where the
// arguments set them, else those of the domain.
Bounds support_bounds(const Family& f, std::span<const Value> args, std::size_t unknown = 0);

// The built-in families, one accessor per file src/dist/<name>.cpp. A family
// is identified by its object: `f == &normal_family()`, never by its name. A new
// family needs no line here unless another stage singles it out; the registry
// finds every `const Family& <name>_family()` defined in src/dist/ by itself.
const Family& normal_family();
const Family& gamma_family();
const Family& inverse_gamma_family();
const Family& exponential_family();
const Family& student_t_family();
const Family& cauchy_family();
const Family& laplace_family();
const Family& lognormal_family();
const Family& beta_family();
const Family& uniform_family();
const Family& half_normal_family();
const Family& half_cauchy_family();
const Family& weibull_family();
const Family& pareto_family();
const Family& bernoulli_family();
const Family& binomial_family();
const Family& poisson_family();
const Family& geometric_family();
const Family& negative_binomial_family();
const Family& categorical_family();
const Family& multinomial_family();
const Family& dirichlet_family();
const Family& multi_normal_family();
const Family& normal_inverse_gamma_family();
const Family& discrete_uniform_family();  // extension: integers lo..hi
const Family& markov_chain_family();      // extension: hidden Markov states

// log P(X <= x) and log P(X > x) of a univariate family with scalar
// arguments, accurate in both tails (from ccdf where the family has one).
// The family's sd, or the square root of its variance (NaN when undefined).
double standard_deviation(const Family& f, Args a);

double log_cdf(const Family& f, Args a, double x);
double log_ccdf(const Family& f, Args a, double x);
// log P(lo <= X <= hi): the mass a truncation T[lo, hi] keeps (either end may
// be infinite). For a discrete family both ends are included (Stan's T[L, U]).
double log_mass(const Family& f, Args a, double lo, double hi);

// The functions of a family that expressions may call (lpdf, lcdf, lccdf)
// and the mass a truncation keeps.
enum class DistFn {
  Lpdf,     // log density (log mass for a discrete family) at x
  Lcdf,     // log P(X <= x)
  Lccdf,    // log P(X > x)
  LogMass,  // log P(lo <= X <= hi)
};
const char* to_string(DistFn f);
// One element: `in` holds the family's scalar arguments, then x (lo and hi
// for LogMass).
double dist_fn(const Family& f, DistFn fn, Args in);
// The same, with d/d in[i] in d (as long as `in`). Exact for the log
// density and for the derivatives in x, lo and hi (the density over the
// mass); the derivatives of a cdf in the family's own arguments are central
// differences of the family's cdf (about 1e-9 relative). Where the value is
// not finite the derivatives are 0.
double dist_fn_grad(const Family& f, DistFn fn, Args in, std::span<double> d);

// log B(a, b), the log of the Beta function, accurate also where B underflows.
double log_beta(double a, double b);

// lo + (hi - lo) s and log(hi - lo) for finite bounds, also where hi - lo
// overflows (Uniform(-1e308, 1e308)): a Uniform's density, the logistic
// transforms of the numeric and quadrature engines.
double interval_point(double lo, double hi, double s);
double log_width(double lo, double hi);

// The family called `name`, or nullptr. For the parser's name table and the
// messages that list names; other stages compare family objects.
const Family* find(std::string_view name);
// Every family, sorted by name.
std::span<const Family* const> all();

}  // namespace bayes::dist
