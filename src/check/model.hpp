// The checked model: what the checker hands to the factor graph and the
// engines. Every name is resolved, every expression typed, every data value
// known and inside the support of the distribution it is given to.
#pragma once

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data/summary.hpp"
#include "data/value.hpp"
#include "diag/diagnostic.hpp"
#include "dist/family.hpp"
#include "expr/eval.hpp"
#include "expr/ir.hpp"

namespace bayes {

struct DataVar {
  std::string name;
  Value value;
  // A text column of a CSV file: its labels, code k + 1 for labels[k].
  std::vector<std::string> labels;
  Span span;         // the data statement's name
  std::string file;  // the CSV path as written, "" for inline data
  // From a CSV file: where its records start (data::record_line) and the
  // 1-based field of the column, for messages naming the file's row and column.
  std::vector<std::pair<std::size_t, std::size_t>> csv_lines;
  std::size_t csv_field = 0;
  // Set for a CSV column used only as the left side of observations that the
  // streaming conjugate rules understand: the column was summarised in one
  // pass and not kept, so value.data is EMPTY (value.rows is its length).
  // Engines that need the values call check::materialise first.
  std::shared_ptr<const data::Summary> summary;
  std::string path;  // the CSV file as opened (relative to the working directory)
};

struct ParamVar {
  std::string name;
  Type type;  // scalar, or vector[K]
  Span span;
  std::size_t prior = 0;  // index into Model::priors
  std::size_t slot = 0;   // position among the prior's parameters (1 for s2 in `mu, s2 ~ NIG`)
  bool discrete = false;  // integer-valued (Categorical, Bernoulli, ... prior)
  // `ordered` (increasing) or `positive_ordered` (positive and increasing).
  enum class Order { None, Ordered, PositiveOrdered } order = Order::None;
};

// What a truncation keeps of a family (`param s > 0 ~ StudentT(3, 0, 10)`,
// `y ~ Normal(mu, s) T[0, ]`): the log of the mass inside the bounds, summed
// over the elements, is subtracted from the log density. It is a number when
// the family's arguments are data, else an expression of the parameters.
struct Truncation {
  bool on = false;
  double log_mass = 0;      // when the arguments are data
  ir::NodePtr log_mass_of;  // else: an ir::Op::Dist LogMass expression (a scalar)
};

// One prior factor: `param ... ~ D(args)`, or a flat prior on (lower, upper).
struct Prior {
  const dist::Family* family = nullptr;  // nullptr: flat (improper unless bounded)
  std::vector<ir::NodePtr> args;
  std::vector<std::size_t> params;  // the parameters it is a prior on
  // A flat prior's support; with a family, its bounds when `truncation.on`
  // (bounds that contain the family's support are dropped by the checker).
  double lower = -INFINITY, upper = INFINITY;
  // Bounds that are expressions of earlier parameters (`param b in (0, 1 - a)`),
  // one number each; where set, they replace lower / upper.
  ir::NodePtr lower_of, upper_of;
  Truncation truncation;
  Span span;
  std::string text;  // "Beta(2, 2)", "StudentT(3, 0, 10) on (0, inf)" or "flat on (0, inf)"

  bool dependent_bounds() const { return lower_of || upper_of; }
};

// One likelihood factor: `lhs ~ D(args)`.
struct Observation {
  ir::NodePtr lhs;                               // data only
  Value value;                                   // lhs evaluated (data EMPTY when summary is set)
  std::shared_ptr<const data::Summary> summary;  // lhs is a summarised column
  const dist::Family* family = nullptr;
  std::vector<ir::NodePtr> args;
  // `T[lower, upper]`: the family truncated (the data lie inside).
  double lower = -INFINITY, upper = INFINITY;
  Truncation truncation;
  Span span;
  std::string text;  // "flips ~ Bernoulli(p)"
};

// `factor EXPR`: EXPR (a scalar) added to the log density, as Stan's `target +=`.
struct Term {
  ir::NodePtr expr;
  Span span;
  std::string text;  // "factor sum(lccdf(Exponential(lam), t))"
};

struct LetVar {
  std::string name;
  ir::NodePtr expr;
  Span span;
  // An expression of parameters a query asked about (`print a - b`,
  // `mean(p * 2)`): named by its text, not part of the model's graph.
  bool from_query = false;
};

enum class QueryKind {
  Posterior,
  Map,
  Mle,
  Mean,
  Sd,
  Interval,
  Quantile,
  Prob,
  Predictive,
  Evidence,
  Value,  // a data expression: print its value
  Plot,
};

struct Target {
  enum class Kind { Param, Let } kind = Kind::Param;
  std::size_t index = 0;
  std::optional<std::size_t> element;  // w[2]: one element (0-based) of a vector parameter
};

struct Query {
  QueryKind kind = QueryKind::Posterior;
  std::string text;  // "posterior(p)"
  Span span;
  std::vector<Target> targets;            // empty for map() / mle() / evidence(): every parameter
  ir::NodePtr expr;                       // prob: the condition; Value: the expression
  double level = 0.95;                    // interval level or quantile probability
  std::vector<std::size_t> observations;  // predictive: the observations of that data
  std::string data_name;                  // predictive: the data's name
  // predictive(Normal(w0 + w1 * 180, sigma)): one new observation from this
  // family and arguments (a new input), instead of one like `data_name`'s.
  const dist::Family* new_family = nullptr;
  std::vector<ir::NodePtr> new_args;
  std::optional<std::string> file;  // plot to "file.svg"
};

struct Model {
  std::vector<DataVar> data;
  std::vector<ParamVar> params;
  std::vector<Prior> priors;
  std::vector<Observation> observations;
  std::vector<Term> terms;
  std::vector<LetVar> lets;
  std::vector<Query> queries;  // prints and plots, in order
};

// An evaluation environment reading the model's data in place.
inline ir::Env env_of(const Model& m, std::span<const Value> params = {}) {
  ir::Env env;
  env.params = params;
  env.owner = &m;
  env.data_at = [](const void* owner, std::size_t i) -> const Value& {
    return static_cast<const Model*>(owner)->data[i].value;
  };
  return env;
}

}  // namespace bayes
