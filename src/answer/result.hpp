// Answers as values: the answer stage makes each query's answer once, as one
// of the kinds below; src/report renders the same value as JSON (--json) and
// as the human report, and draws plots from it. No renderer reads another's
// output or the query's text to find out what an answer is.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "answer/plot_data.hpp"
#include "data/value.hpp"
#include "dist/family.hpp"

namespace bayes::answer {

// Named values in order: hyperparameters, or map() of every parameter.
using Named = std::vector<std::pair<std::string, Value>>;

// A family with its hyperparameters, in the family's signature order.
struct FamilyValue {
  std::string name;  // "Beta", "NormalInverseGamma", ...
  Named params;
  // The src/dist family it is, when it is one (its signature orders params).
  const dist::Family* family = nullptr;
};

// An equal-tailed interval at `level`: [lo, hi] as a 2-vector, or one row
// [lo, hi] per element of a vector (an n x 2 matrix); unset when the
// distribution has no quantile function.
struct Interval {
  std::optional<Value> bounds;
  double level = 0.95;
};

// How well a number from Markov chains is known: whether the chains agree
// (R-hat), how many independent draws they are worth (bulk and tail ESS),
// one value per element for a vector, and what went wrong, in words.
struct Convergence {
  Value rhat, ess_bulk, ess_tail;
  std::size_t chains = 0;
  std::size_t divergences = 0;
  std::optional<double> khat;         // importance sampling: the weights' Pareto k-hat
  std::vector<std::string> warnings;  // empty when every check passed
};

// How a Monte Carlo answer was drawn.
struct Draws {
  std::size_t n = 0;
  std::string from;                        // "the posterior" or "the Laplace approximation"
  std::optional<double> mcse;              // the Monte Carlo standard error, when reported
  std::optional<std::uint64_t> seed;       // the seed, when reported
  std::optional<Convergence> convergence;  // draws from Markov chains
};

// No answer, and why (exit status 1 or 3, in Report::status).
struct Failure {
  std::string reason;
};

// posterior(p) in closed form (conjugate or enumeration).
struct Posterior {
  std::string rule;  // "Beta-Bernoulli"
  FamilyValue family;
  std::optional<double> relative_error;  // a quadrature answer's bound on its error
  Value mean, sd;                        // NaN where undefined, inf where infinite
  std::optional<Value> mode;             // unset: see mode_note
  std::string mode_note;                 // "on the boundary p = 1"
  std::optional<Interval> interval;
  std::string approximate;  // when not exact: what was approximated, in words
  bool nominal = false;     // a class label (Categorical prior): its values name classes
  // The joint posterior over several parameters, with the layout of its vector.
  struct Joint {
    FamilyValue family;
    std::vector<std::string> order;
  };
  std::optional<Joint> joint;
};

// posterior(p) from the numeric engine: the Laplace approximation at the mode.
struct Approximation {
  std::string rule;  // the optimiser and how it ended
  Value mean, sd, mode;
  std::optional<Interval> interval;
  std::string note;  // what the approximation is
};

// posterior(p) from the sampler's draws: each number with its Monte Carlo
// standard error (per element for a vector), and the chains' diagnostics.
struct SampledPosterior {
  std::string rule;  // "NUTS, 4 chains x 1000 draws after 1000 warm-up"
  Value mean, sd;
  Value mcse_mean, mcse_sd;
  std::optional<Interval> interval;
  std::optional<Value> mcse_interval;  // shaped as the interval's bounds
  Draws draws;
  std::string
      note;  // what the quantity is, when its query does not say ("for a new row like row 1")
};

// posterior(let): a summary of posterior draws of the quantity.
struct DrawSummary {
  Draws draws;
  double mean = 0, sd = 0;
  Interval interval;
  std::string note;  // as SampledPosterior's
};

// predictive(y): the distribution of one more observation.
struct Predictive {
  FamilyValue family;
  Value mean, sd;
  std::string note;  // "for a new row with the covariates of row 1"
};

// mean, sd, interval or quantile of a posterior; unset where undefined.
struct Estimate {
  std::optional<Value> value;
  std::optional<double> level;  // interval(...) only
  std::optional<Draws> draws;   // computed from draws
  // The Monte Carlo standard error of each element of a vector mean or sd
  // from draws (a scalar's is draws->mcse).
  std::optional<Value> mcse_each;
};

// map(...) or mle(...): of one parameter, of every parameter (Named), or a
// let evaluated at the parameters' mode (`at` says where).
struct Point {
  std::variant<Value, Named> value;
  std::string at;    // "at the MAP of p, q"; empty for a parameter
  std::string note;  // what qualifies the value: "on the boundary p = 1 (...)"
};

// prob(condition): exact from a cdf, or the fraction of posterior draws.
struct Probability {
  double value = 0;
  std::optional<Draws> draws;
};

// evidence(): the log marginal likelihood of the whole model.
struct Evidence {
  double log_value = 0;
  double error = 0;     // Monte Carlo standard error of log_value (importance sampling)
  std::string warning;  // why an approximate value may be far off; empty when checked
};

// print EXPR of data only.
struct Constant {
  Value value;
};

// plot p [to "file"]: what to draw (PlotData::file says where).
struct Plot {
  PlotData data;
};

using Body = std::variant<Failure, Posterior, Approximation, SampledPosterior, DrawSummary,
                          Predictive, Estimate, Point, Probability, Evidence, Constant, Plot>;

struct Answer {
  std::string query;    // the query as written ("posterior(p)"); empty for a model-wide error
  std::string subject;  // the parameter a default-report row is about
  std::string method;   // conjugate, enumeration, laplace, monte-carlo, ...; empty for a Constant
  Body body;
  // The names of the elements, when they are a text column's categories:
  // the column itself, or a vector parameter indexed by it (mu[group]).
  std::vector<std::string> labels;
};

// True when the answer is exact up to rounding (closed form, enumeration, or
// a constant): not an optimiser's, a Laplace approximation or Monte Carlo.
bool exact(const Answer& a);

}  // namespace bayes::answer
