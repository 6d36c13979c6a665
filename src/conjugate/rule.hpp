// The closed-form engine's interface: a conjugate rule takes a component of
// the factor graph and returns a solution::Solution.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "check/model.hpp"
#include "conjugate/closed_form.hpp"
#include "graph/factor_graph.hpp"
#include "graph/view.hpp"
#include "patterns/patterns.hpp"
#include "solution/solution.hpp"

namespace bayes::conjugate {

// The rules fill every engine's result type (src/solution) and name it
// unqualified.
using solution::kMaxDenseUnknowns;
using solution::ParamResult;
using solution::PredictiveResult;
using solution::Solution;
// ... and read the component and its expressions through these.
using graph::ComponentView;
using graph::view;
using patterns::at;
using patterns::eval_data;
using patterns::fixed_args;
using patterns::Linear;
using patterns::linear_in;
using patterns::Monomial;
using patterns::monomial_in;
using patterns::stacked_size;

// A conjugate rule. `solve` returns nullopt when the component does not fit;
// then `why` says which factor breaks it and how, or stays empty when the rule
// does not apply at all (another prior family).
struct Rule {
  const char* name;
  std::optional<Solution> (*solve)(const Model& m, const graph::FactorGraph& g,
                                   const graph::Component& c, std::string& why);
  // Reads Observation::summary where it is set (a summarised CSV column);
  // the others are tried only on components whose data is all in memory.
  bool streams = false;
  // Reads the component's `factor` terms (ComponentView::terms) where they
  // fit its update; the others are tried only on components without one.
  bool reads_terms = false;
};

// Whether the rules write Solution::explain. An engine that solves the same
// component many times (the quadrature engine, once per node) turns it off
// for as long as a Quiet lives; the rules whose derivation is costly to
// write (the Gaussian and NormalInverseGamma ones) ask explaining().
bool explaining();
class Quiet {
 public:
  Quiet();
  ~Quiet();
  Quiet(const Quiet&) = delete;
  Quiet& operator=(const Quiet&) = delete;

 private:
  bool was_;
};

// What a rule returns when it proves the component's posterior improper.
Solution improper_solution(std::string why);

// Every rule, in the order they are tried (registry.cpp).
const std::vector<Rule>& rules();

// Which rules a component is offered: the ones that read summaries (while a
// column of it is summarised), the others (once its columns are in memory),
// or all of them in order. Each rule is tried on a component once.
enum class Rules { All, Streaming, InMemory };

// How a flat (improper) prior enters the evidence: left undefined (the
// evidence of a model), or read as density 1 (for an engine that integrates
// the evidence over other unknowns, where the constant cancels).
enum class FlatEvidence { Undefined, DensityOne };

// Tries the rules on a component in order, then fills in the evidence. On
// failure, `why` explains which factor breaks conjugacy. A solution whose
// `improper` is set says that no posterior exists.
std::optional<Solution> solve_component(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, std::string& why,
                                        Rules which = Rules::All,
                                        FlatEvidence flat = FlatEvidence::Undefined);

}  // namespace bayes::conjugate
