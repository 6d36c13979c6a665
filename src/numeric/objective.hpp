// The objective of the numeric engine: receives a compiled tape and the
// layout of u, and produces minus the log density on the unconstrained space
// (the Jacobian term when asked for) with its exact gradient.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <cstddef>

#include "check/model.hpp"
#include "numeric/concave.hpp"
#include "numeric/tape.hpp"
#include "numeric/transform.hpp"

namespace bayes::numeric {

// Minus the log density on the unconstrained space. Remembers the best point
// it has seen (with the L1 penalty sum_{i < l1} |u_i| that OWL-QN adds), so a
// line search that gives up cannot lose it.
struct Objective {
  Objective(Tape& t, const Layout& l, const Model& model, bool j, std::size_t l1_coords)
      : tape(t), layout(l), m(model), jacobian(j), l1(l1_coords) {}

  Tape& tape;
  const Layout& layout;
  const Model& m;
  bool jacobian;
  std::size_t l1;
  std::size_t evaluations = 0;
  // The exact Hessian of a generalised linear model on identity transforms
  // (u = theta), instead of differences of the gradient.
  const Glm* glm = nullptr;
  Eigen::VectorXd best_u;
  double best_f = INFINITY;

  // The last point asked for: the optimisers ask twice for the same point
  // (a start checked for a positive density, the Newton steps' first point,
  // a line search at the rounding floor).
  Eigen::VectorXd last_u, last_g;
  double last_f = NAN;

  // The value at u, and its gradient into grad (inf and a zero gradient
  // outside the support); a repeated point is not evaluated again.
  double operator()(const Eigen::VectorXd& u, Eigen::VectorXd& grad);
  double evaluate(const Eigen::VectorXd& u, Eigen::VectorXd& grad);
  double value(const Eigen::VectorXd& u);
};

}  // namespace bayes::numeric
