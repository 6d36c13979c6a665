// What the sampling and importance engines share: a component's log density
// on the unconstrained space (the numeric engine's layout and tape), the
// summaries of draws, and the marginals built from them.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"
#include "numeric/fit.hpp"
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

// The mode of the density of u (each transform's Jacobian included), from
// the data's start in at most 100 L-BFGS iterations: it only starts chains
// or centres a proposal, and a mode that hard to find is better sampled.
// nullopt when there is no interior mode.
std::optional<numeric::Fit> mode_of(const Model& m, Target& target, std::uint64_t seed);

// One column per scalar of the layout's parameters, with `chains` chains.
void add_columns(solution::Sampled& run, const Model& m, const numeric::Layout& layout,
                 std::size_t chains);

// Appends the parameters at u (mapped back, into `values`) to chain `chain`
// of the layout's columns, the first columns of `run`.
void append_draw(solution::Sampled& run, const numeric::Layout& layout, const Eigen::VectorXd& u,
                 std::size_t chain, std::vector<Eigen::VectorXd>& values);

// Each column's mean, sd, R-hat, ESS and Monte Carlo errors (weighted when
// run.weights is set).
void summarise(solution::Sampled& run);

// The marginal of a parameter from its columns (weighted when `weights` is not empty).
solution::ClosedForm from_draws(const std::vector<const solution::SampledColumn*>& cols,
                                bool scalar, const std::vector<double>& weights);

}  // namespace bayes::sample
