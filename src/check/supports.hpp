// The checker's distributions and supports (internal to src/check/): receives
// a distribution call and the data observed through it; produces the checked
// call (arguments typed, known hyperparameters inside their domains) and the
// messages for data outside the support, or impossible under known arguments.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "ast/ast.hpp"
#include "check/model.hpp"
#include "check/scope.hpp"
#include "check/typer.hpp"
#include "data/summary.hpp"
#include "diag/diagnostic.hpp"
#include "dist/family.hpp"

namespace bayes::check {

struct CheckedDist {
  const dist::Family* family;
  std::vector<ir::NodePtr> args;  // nullptr where an argument had an error
  std::vector<Value> known;       // evaluated args, empty Value where a parameter is involved
  bool ok = true;                 // false: an argument had an error (already reported)
  const ast::DistCall* call = nullptr;
};

// `D(args)`: the family, the number, shapes and domains of its arguments, and
// the checks across arguments. Throws Poisoned when no checked call can be
// made (unknown family, wrong number of arguments, arguments that do not go
// together); an error in one argument leaves `ok` false instead.
CheckedDist check_distribution(const ast::DistCall& d, Typer& typer, const Scope& scope,
                               Diagnostics& diags);

// The arguments of element k of an observation: scalar-family arguments
// that are vectors are taken elementwise.
std::vector<Value> args_at(const CheckedDist& dist, std::size_t k);
// Whether some argument differs from element to element (args_at depends on k).
bool args_vary(const CheckedDist& dist);

// `lhs ~ D(...)`: the left side's shape fits the family's outcome and the
// arguments' lengths. Reports and throws Poisoned otherwise.
void check_observed_shape(const ir::Node& lhs, Span lhs_span, Span family_span,
                          const CheckedDist& dist, Diagnostics& diags);

// The message for the first value of v (the value of lhs) outside the
// support, with elementwise arguments where they vary; nullopt when all are in.
std::optional<std::string> support_error(const Model& model, const ir::Node& lhs, const Value& v,
                                         const CheckedDist& dist);

// Data in the support can still be impossible when every argument is known:
// a 1 from Bernoulli(0), a count above 0 from Poisson(0), a category whose
// probability is 0. The message for the first such value, or nullopt.
std::optional<std::string> impossible_data_error(const Model& model, const ir::Node& lhs,
                                                 const Value& v, const CheckedDist& dist);

// Whether the statistics of a summarised column pass the checks that
// support_error and impossible_data_error make value by value: when they do
// not, the column is read into memory and checked value by value, for a
// message naming the row.
bool summary_fits(const data::Summary& su, const CheckedDist& dist);

// Where observed data came from, for messages: a CSV file names its row and
// column ("data/y.csv:4:2: ... (column 'y')", the form of the CSV reader's
// own errors); inline data names the element ("(y[3])"). `k` is the element,
// or nullopt for the whole vector.
std::string data_error(const Model& model, const ir::Node& lhs, const Value& v,
                       std::optional<std::size_t> k, const std::string& what);

}  // namespace bayes::check
