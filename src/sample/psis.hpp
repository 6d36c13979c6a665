// Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao & Gabry
// 2024): receives the log importance ratios of draws from a proposal, and
// produces stabilised log weights and the Pareto k-hat of their tail, which
// says whether the importance estimate can be trusted (below 0.5: reliable;
// above 0.7: not). Defined as R's loo package 2.5 computes it (psis with
// r_eff = 1), so the numbers can be compared with it.
#pragma once

#include <vector>

namespace bayes::sample {

struct Psis {
  std::vector<double> log_weights;  // smoothed, not normalised
  double khat = 0;                  // inf when no tail could be fitted
};

Psis psis(const std::vector<double>& log_ratios);

// Self-normalised weights (summing to 1) from log weights.
std::vector<double> normalised(const std::vector<double>& log_weights);

}  // namespace bayes::sample
