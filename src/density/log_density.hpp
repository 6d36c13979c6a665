// Log densities of factors at given parameter values (no gradients): used by
// enumeration, by the closed-form engine's evidence (prior x likelihood /
// posterior at one point) and by tests that cross-check the engines.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "check/model.hpp"

namespace bayes::density {

// Values of every parameter, indexed like Model::params.
using ParamValues = std::span<const Value>;

// A factor's arguments evaluated once, where none of them holds a parameter
// (enumeration weighs every value of its unknowns with the same ones), and
// whether the family's check of them across arguments (Categorical's probs
// summing to 1) passed, so that it need not run again for each value.
struct FixedArgs {
  std::vector<Value> values;
  bool checked = false;
};
std::optional<FixedArgs> fixed_args(const Model& m, const std::vector<ir::NodePtr>& args,
                                    const dist::Family* family);

// log p(prior's parameters | its arguments). A flat prior contributes 0 inside
// its bounds and -inf outside. `fixed`: its arguments, evaluated once.
double log_prior(const Model& m, const Prior& p, ParamValues params,
                 const FixedArgs* fixed = nullptr);

// Why the evidence of a component with these parameters is not defined: "the
// prior of 'mu' is flat on (-inf, inf), which is improper, ...", or "" when
// every prior among theirs is proper.
std::string improper_prior(const Model& m, std::span<const std::size_t> params);

// log p(observed data | arguments), summed over every element (a truncated
// likelihood renormalised to its bounds).
double log_likelihood(const Model& m, const Observation& o, ParamValues params,
                      const FixedArgs* fixed = nullptr);

// The value of `factor EXPR`.
double log_term(const Model& m, const Term& t, ParamValues params);

// The log mass a truncation keeps at these parameter values (0 when none).
double log_mass(const Model& m, const Truncation& t, ParamValues params);

// Log density of one scalar-family outcome x given evaluated scalar arguments.
double scalar_lpdf(const dist::Family& f, std::span<const double> args, double x);

}  // namespace bayes::density
