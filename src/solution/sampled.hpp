// Engine results: a posterior known by Markov chain draws (the sampler). The
// draws of every scalar of the component, chain by chain, with what the
// answers report beside each number: R-hat, effective sample sizes, Monte
// Carlo standard errors, and the run's own warnings (divergences, tree depth,
// low E-BFMI).
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "data/value.hpp"

namespace bayes::solution {

// One scalar's draws (one element of a vector parameter) and its diagnostics.
struct SampledColumn {
  std::size_t param = 0;    // Model::params index
  std::size_t element = 0;  // within the parameter (0 for a scalar)
  std::vector<std::vector<double>> chains;
  double mean = 0, sd = 0;
  double rhat = 0, ess_bulk = 0, ess_tail = 0;
  double mcse_mean = 0, mcse_sd = 0;
};

struct Sampled {
  std::size_t chains = 0, draws = 0, warmup = 0;  // draws per chain, kept
  std::uint64_t seed = 0;
  std::size_t divergences = 0;  // after warm-up
  std::size_t depth_hits = 0, max_depth = 10;
  std::vector<double> ebfmi;  // per chain
  // Importance sampling (one "chain" of independent draws from a proposal):
  // the normalised weights of the draws, and the Pareto k-hat of their tail.
  std::vector<double> weights;
  double khat = NAN;
  std::vector<SampledColumn> columns;
  // The parameters, their sizes and whether each is a scalar, in column order.
  struct Param {
    std::size_t param = 0, size = 1;
    bool scalar = true;
    bool integer = false;  // a summed-out label's drawn classes
  };
  std::vector<Param> params;

  std::size_t total() const { return chains * draws; }
  // Sets values[p] for each parameter to draw k (chain k / draws, iteration k % draws).
  void fill(std::size_t k, std::vector<Value>& values) const {
    std::size_t chain = k / draws, it = k % draws, col = 0;
    for (const auto& p : params) {
      std::vector<double> xs(p.size);
      for (std::size_t i = 0; i < p.size; ++i) xs[i] = columns[col + i].chains[chain][it];
      values[p.param] =
          p.scalar ? Value::scalar(xs[0], p.integer) : Value::vector(std::move(xs), p.integer);
      col += p.size;
    }
  }
  // Why the run's answers may be wrong, in words (empty when nothing failed).
  std::vector<std::string> warnings;
};

}  // namespace bayes::solution
