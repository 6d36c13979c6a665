// --explain for the numeric engine: receives a component and how its
// coordinates are laid out, produces the objective, the transforms and the
// Jacobian question in words, and, for a Gaussian linear model with Laplace
// priors on its weights, the lasso that its MAP is.
#pragma once

#include <string>
#include <vector>

#include "check/model.hpp"
#include "graph/view.hpp"
#include "numeric/numeric.hpp"
#include "numeric/transform.hpp"

namespace bayes::numeric {

void explain_objective(const Model& m, const graph::ComponentView& v,
                       const std::vector<std::size_t>& params, const Layout& layout,
                       const Options& opt, std::vector<std::string>& explain);

}  // namespace bayes::numeric
