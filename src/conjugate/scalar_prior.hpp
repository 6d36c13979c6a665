// Shared by the rules whose prior is a two-argument family on one positive
// scalar (Gamma, InverseGamma): recognising that prior in a component, and the
// small helpers their updates and explanations both use.
#pragma once

#include <optional>
#include <string>

#include "check/model.hpp"
#include "conjugate/rule.hpp"
#include "dist/family.hpp"
#include "graph/factor_graph.hpp"

namespace bayes::conjugate {

// The one parameter of a component, a scalar under a prior of the rule's family
// with known arguments.
struct ScalarPrior {
  ComponentView view;
  std::size_t param = 0;  // Model::params index
  double a0 = 0, b0 = 0;  // the prior's two arguments
};

// The component's parameter when it fits ScalarPrior with a prior of `family`;
// otherwise nullopt, with `why` set when the prior is of `family` but the rule
// cannot take it (a vector, parameters as arguments, a hierarchical prior in a
// component of several parameters) and left empty when another rule's.
std::optional<ScalarPrior> match_scalar_prior(const Model& m, const graph::FactorGraph& g,
                                              const graph::Component& c, const dist::Family& family,
                                              std::string& why);

// True when every element of v is the same / is 1.
bool all_equal(const Value& v);
bool all_one(const Value& v);

// " = 4" or " (per element, first 4)".
std::string known_text(const Value& v);

// The observation's left side as written: "x" of "x ~ Poisson(lam)".
std::string data_name(const Observation& o);

// u in (0, 1), never 0 or 1, for inverse-cdf draws.
double uniform_open(dist::Rng& rng);

}  // namespace bayes::conjugate
