// The quadrature engine: receives a component that no conjugate rule solves
// whole but that is conjugate once one scalar parameter q is fixed (a noise
// scale, a group scale tau, ...), produces its exact posterior: the block is
// integrated in closed form, q by quadrature on its unconstrained scale, and
// every marginal of the block is the mixture of its conditional closed forms
// over the quadrature nodes.
#pragma once

#include <optional>
#include <string>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"
#include "solution/solution.hpp"

namespace bayes::quadrature {

// The relative error the engine aims at on the normaliser, means and sds.
inline constexpr double kTolerance = 1e-9;

// nullopt when no parameter of the component leaves a conjugate block, or
// when the integral over it does not converge (then `why` says so).
std::optional<solution::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, std::string& why);

}  // namespace bayes::quadrature
