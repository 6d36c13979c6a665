// The mode of one objective: receives a density (a compiled tape) on the
// layout of u, and produces its mode in the original parameterisation, or
// the reason it has none in words, or the optimiser's failure.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "check/model.hpp"
#include "numeric/concave.hpp"
#include "numeric/numeric.hpp"
#include "numeric/optimiser.hpp"
#include "numeric/tape.hpp"
#include "numeric/transform.hpp"

namespace bayes::numeric {

// What one fit is of.
struct FitInputs {
  const Model& m;
  Tape& tape;  // the log density: the posterior's, or the likelihood's for the MLE
  const Layout& layout;
  const Options& opt;
  const char* what = "MAP";  // "MAP" or "MLE", for the messages
  bool jacobian = false;     // the mode of the density of u (log |J| included)
  std::size_t l1 = 0;        // the leading coordinates with an L1 penalty (OWL-QN)
  double l1_constant = 0;    // added to the objective at the mode (the L1 normalisers)
  double strong = 0;         // modulus of strong concavity (concave.hpp), 0 when unknown
  const Glm* glm = nullptr;  // the exact Hessian, for a generalised linear model
  const Eigen::VectorXd* start = nullptr;  // the first start (else u = 0)
};

struct Fit {
  std::vector<Eigen::VectorXd> values;  // the mode, in the original parameterisation
  std::string note;                     // why there is none: a whole sentence
  std::string boundary;                 // a mode at an open end of the support, where the density's
                                        // limit is finite: "on the boundary p = 1" (values hold it)
  bool interior = false;                // an interior mode with positive curvature: Laplace applies
  double f = INFINITY;                  // minus the log density at the mode, with the L1 terms
  Point point;
  Run run;
  std::size_t evaluations = 0;  // of the log density and its gradient
  double bound = -1;  // certified by strong concavity: |u - mode| <= bound (no Hessian taken)
};

// Finds the mode of one objective: L-BFGS (or OWL-QN) from a point where the
// density is positive, Newton steps, then the verdict: an interior mode, a
// mode on a closed edge of the support, no mode (in words), or a failure
// (then also set in `failure`).
Fit fit(const FitInputs& in, std::optional<Failure>& failure);

}  // namespace bayes::numeric
