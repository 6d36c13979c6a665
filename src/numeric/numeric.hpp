// The numeric engine: MAP and MLE by L-BFGS on the unconstrained space, with
// exact gradients from the AD tape, and the Laplace approximation at the mode.
// Its answers come back as a solution::Solution (method "numeric"), so the
// answering layer treats every engine alike.
#pragma once

#include <optional>
#include <string>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"
#include "solution/solution.hpp"

namespace bayes::numeric {

struct Options {
  bool jacobian = false;     // the mode on the unconstrained scale (Stan's jacobian=true)
  std::size_t restarts = 1;  // starts; the first at the transform's centre, others random
  std::uint64_t seed = 1;
  std::size_t max_iterations = 2000;
  // What the queries need besides the MAP: the MLE (a second fit) and the
  // Laplace approximation (its Hessian at the mode: posterior summaries,
  // prob, evidence, draws). Without them the answers that need them are missing.
  bool mle = true;
  bool laplace = true;
};

// Why the optimiser failed: exit status 3.
struct Failure {
  std::string message;  // status, iterations, gradient norm
};

// Solves a component numerically. Returns nullopt with `why` when the model is
// outside what the engine handles (discrete parameters, unknown covariances);
// sets `failure` when the optimiser itself failed.
std::optional<solution::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, const Options& options,
                                        std::string& why, std::optional<Failure>& failure);

}  // namespace bayes::numeric
