// The Laplace approximation of the numeric engine: receives the MAP and the
// posterior's tape, and produces a Normal on the unconstrained scale with
// what is read from it: each parameter's marginal (mean, sd, quantiles, cdf),
// joint draws, and the evidence.
#pragma once

#include <Eigen/Dense>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "graph/factor_graph.hpp"
#include "linalg/dense.hpp"
#include "numeric/fit.hpp"
#include "solution/solution.hpp"

namespace bayes::numeric {

// The Laplace approximation: a Normal on the unconstrained scale, centred at
// the mode of the density of u (the Jacobian included, as Stan's Laplace
// sampler does), with the Hessian there.
struct Laplace {
  Fit centre;  // that mode, when it is not the MAP itself
  bool use_centre = false;
  bool ok = false;        // there is one: the Hessian at the centre is positive definite
  linalg::Cholesky llt;   // of that Hessian
  Eigen::MatrixXd cov_u;  // its inverse
  std::string note;       // why there is none, when the MAP exists
  // The fit it is centred on.
  const Fit& at(const Fit& map) const { return use_centre ? centre : map; }
};

// The Laplace approximation for the MAP `map` of the posterior density.
Laplace laplace_at(const Model& m, Tape& posterior, const Layout& layout, const Options& opt,
                   const Fit& map);

// The marginal of one parameter: from the approximation when there is one,
// else the mode with the reason there is none.
solution::ClosedForm laplace_marginal(const Laplace& lap, const Fit& map, const Transform& t,
                                      bool scalar, const Value& mode_value);

// Joint draws from the approximation, mapped back; with `labels` (the
// posterior's tape, when labels are summed out) each label is then drawn
// from its class probabilities given that draw.
std::function<void(dist::Rng&, std::vector<Value>&)> draws(const Laplace& lap, const Fit& map,
                                                           const Layout& layout, const Model& m,
                                                           std::shared_ptr<Tape> labels);

// The evidence of the component (log_evidence, else evidence_note): the
// Laplace approximation of the integral of the density.
void evidence(const Laplace& lap, const Fit& map, const Model& m, const graph::Component& c,
              const Layout& layout, const Options& opt, bool summed_out, solution::Solution& sol);

}  // namespace bayes::numeric
