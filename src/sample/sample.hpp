// The sampling engine: receives a component no closed form or exact
// integral answers, and produces its posterior as draws of several NUTS
// chains (nuts.hpp) on the unconstrained space, the Jacobian included, with
// each scalar's diagnostics (diagnostics.hpp), as a solution::Solution with
// method "sampling". Discrete unknowns are summed out inside the density;
// their posteriors are the draws' average class probabilities.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"
#include "solution/solution.hpp"

namespace bayes::sample {

struct Options {
  std::size_t chains = 4;
  std::size_t warmup = 1000;  // per chain
  std::size_t draws = 1000;   // kept, per chain
  std::uint64_t seed = 20261123;
  double delta = 0.8;  // the target acceptance statistic
  std::size_t max_depth = 10;
  // Chains run at most this many at a time (0: one per core). The draws are
  // the same whatever the number: each chain has its own random stream.
  std::size_t threads = 0;
  // Called about four times a second with the fraction done, once the work
  // has taken a second; then with -1 when it ends (to clear the display).
  std::function<void(double fraction)> progress;
};

// nullopt with `why` when the component is outside what the sampler handles
// or no chain could start.
std::optional<solution::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, const Options& options,
                                        std::string& why);

// The Laplace approximation checked and corrected by Pareto-smoothed
// importance sampling: chains x draws proposals from it, weighted; method
// "importance", with k-hat in the solution's Sampled (below 0.5 the
// weighted answers can be trusted). nullopt with `why` when there is no
// approximation to start from (no interior mode, discrete unknowns).
std::optional<solution::Solution> importance(const Model& m, const graph::FactorGraph& g,
                                             const graph::Component& c, const Options& options,
                                             std::string& why);

}  // namespace bayes::sample
