// Exact enumeration: a component whose parameters all have finite support is
// solved by Bayes' rule as a sum over every joint value, in log space.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"
#include "solution/solution.hpp"

namespace bayes::enumerate {

// The component's solution, or nullopt with `why` when some parameter is not
// discrete with a finite support fixed by data (or there are too many joint
// values to sum over).
std::optional<solution::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, std::string& why);

// The values a discrete prior can take when its arguments are data: every
// whole number between the finite ends of its family's support; nullopt
// otherwise or when there are too many.
std::optional<std::vector<double>> support(const Model& m, const Prior& p);

// A discrete marginal as a closed form: Categorical when the values are
// 1..K, else Discrete over them; one row of probabilities per element.
void discrete_closed_form(solution::ClosedForm& cf, const std::vector<double>& vals,
                          const std::vector<std::vector<double>>& probs, bool scalar);

// True when every parameter of the component has a discrete prior.
bool all_discrete(const Model& m, const graph::Component& c);

}  // namespace bayes::enumerate
