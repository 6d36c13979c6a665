// The quadrature engine's mixtures: receives the conditional marginals of one
// parameter at the quadrature nodes and the nodes' weights, produces its
// marginal posterior (moments, cdf, quantiles, density, draws).
#pragma once

#include <vector>

#include "solution/closed_form.hpp"

namespace bayes::quadrature {

// sum_k w_k parts[k] (weights renormalised); scalar or elementwise for vectors.
solution::ClosedForm mixture(const std::vector<const solution::ClosedForm*>& parts,
                             std::vector<double> weights);

}  // namespace bayes::quadrature
