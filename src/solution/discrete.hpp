// Discrete marginals as closed forms, for every engine that sums over a
// finite support (enumeration, the summed-out labels of the numeric engine,
// the quadrature engine's discrete outer parameter).
#pragma once

#include <vector>

#include "solution/closed_form.hpp"

namespace bayes::solution {

// A discrete marginal over `values`: Categorical when they are 1..K, else
// Discrete over them; one row of probabilities per element (`scalar`: one
// row, the parameter a scalar).
ClosedForm discrete_marginal(const std::vector<double>& values,
                             const std::vector<std::vector<double>>& probs, bool scalar);

}  // namespace bayes::solution
