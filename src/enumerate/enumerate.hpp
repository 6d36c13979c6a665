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

// A hidden Markov model whose only unknown is the chain of states (init and
// T data): exact by forward-backward and Viterbi (enumerate/hmm.cpp);
// nullopt (why set when it is one but cannot be solved) otherwise.
std::optional<solution::Solution> solve_hmm(const Model& m, const graph::FactorGraph& g,
                                            const graph::Component& c, std::string& why);

}  // namespace bayes::enumerate
