// The quadrature engine's mixtures: receives the conditional marginals of one
// parameter at the quadrature nodes and the nodes' weights, produces its
// marginal posterior (moments, cdf, quantiles, density, draws).
#pragma once

#include <string>
#include <vector>

#include "solution/closed_form.hpp"

namespace bayes::quadrature {

// sum_k w_k parts[k] (weights renormalised); scalar or elementwise for vectors.
// `over` names what the parts are conditional on ("the values of s").
solution::ClosedForm mixture(const std::vector<const solution::ClosedForm*>& parts,
                             std::vector<double> weights,
                             const std::string& over = "the quadrature nodes");

}  // namespace bayes::quadrature
