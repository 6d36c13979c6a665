// Distribution families: the table every later stage reads.
// One family per file in src/dist/; each file defines one `Family` and the
// registry (registry.cpp) lists them. Parameterisations follow Stan (see
// LANGUAGE.md "Distributions"); numerics come from Boost.Math where it has the
// family.
#pragma once

#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "data/value.hpp"

namespace bayes::dist {

using Rng = std::mt19937_64;

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
  double (*lpdf)(Args, double x) = nullptr;      // log density or log mass
  double (*cdf)(Args, double x) = nullptr;       // P(X <= x)
  double (*quantile)(Args, double p) = nullptr;  // inverse cdf
  double (*mean)(Args) = nullptr;                // NaN when undefined
  double (*variance)(Args) = nullptr;            // NaN when undefined, inf when infinite
  double (*sample)(Args, Rng&) = nullptr;
};

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

// log B(a, b), the log of the Beta function, accurate also where B underflows.
double log_beta(double a, double b);

// The family called `name`, or nullptr. For the parser's name table and the
// messages that list names; other stages compare family objects.
const Family* find(std::string_view name);
// Every family, sorted by name.
std::span<const Family* const> all();

}  // namespace bayes::dist
