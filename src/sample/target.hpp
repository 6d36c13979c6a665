// What the sampling and importance engines share: a component's log density
// on the unconstrained space (the numeric engine's layout and tape), the
// summaries of draws, and the marginals built from them.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <string>
#include <vector>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"
#include "numeric/tape.hpp"
#include "numeric/transform.hpp"
#include "solution/closed_form.hpp"
#include "solution/sampled.hpp"

namespace bayes::sample {

struct Target {
  std::vector<std::size_t> marginal;  // discrete parameters, summed out in the tape
  numeric::Layout layout;             // the continuous ones, centred on the data's fit
  std::optional<numeric::Tape> tape;  // the log density, priors and likelihood
  Eigen::VectorXd centre;             // the data's least-squares start (else 0)
};

std::optional<Target> target_of(const Model& m, const graph::FactorGraph& g,
                                const graph::Component& c, std::string& why);

// Each column's mean, sd, R-hat, ESS and Monte Carlo errors (weighted when
// run.weights is set).
void summarise(solution::Sampled& run);

// The marginal of a parameter from its columns (weighted when `weights` is not empty).
solution::ClosedForm from_draws(const std::vector<const solution::SampledColumn*>& cols,
                                bool scalar, const std::vector<double>& weights);

}  // namespace bayes::sample
