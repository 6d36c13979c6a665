// The optimiser of the numeric engine: receives an objective on the
// unconstrained space and produces the point it reaches: L-BFGS (OWL-QN with
// an L1 penalty) from several starts, then Newton steps, with the curvature
// there.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include "numeric/numeric.hpp"
#include "numeric/objective.hpp"

namespace bayes::numeric {

// How the optimiser ended: for the message when it did not converge.
struct Run {
  int iterations = -1;  // -1: unknown (LBFGS++ throws from its line search)
  std::string status;
  std::string said() const {
    return status + (iterations >= 0 ? " after " + std::to_string(iterations) + " iterations" : "");
  }
};

// L-BFGS from u (strong-Wolfe line search).
Run lbfgs_run(Objective& obj, Eigen::VectorXd u, const Options& opt);
// OWL-QN: obj(u) + sum_{i < l1} |u_i| from start.
Run owlqn_run(Objective& obj, const Eigen::VectorXd& start, std::size_t l1, const Options& opt);

// L-BFGS (OWL-QN when l1 > 0) from opt.restarts starts where the density is
// positive: the first at `start` (0 without one), the others random. The
// objective keeps the best point; returns how the last run ended.
Run optimise(Objective& obj, const Eigen::VectorXd* start, std::size_t l1, const Options& opt);

double inf_norm(const Eigen::VectorXd& v);
// Whether step is below rel of u (at least of 1), in the largest coordinate.
bool tiny(const Eigen::VectorXd& step, const Eigen::VectorXd& u, double rel);

// Hessian of the objective at u by central differences of the exact
// gradient, over the listed coordinates (all when `coords` is empty).
Eigen::MatrixXd hessian(Objective& obj, const Eigen::VectorXd& u,
                        const std::vector<Eigen::Index>& coords = {});

// A point found by the optimiser, polished by Newton steps.
struct Point {
  Eigen::VectorXd u, g;
  double f = INFINITY;       // the smooth objective at u (without the L1 penalty)
  Eigen::MatrixXd H;         // its Hessian at u
  bool pd = false;           // H positive definite well enough to invert
  Eigen::VectorXd step;      // the Newton step -H^-1 g at u, when pd
  Eigen::VectorXd flattest;  // the direction of least curvature (see curvature())
  // H = S vectors diag(values) vectors' S, S = diag(scale): the eigenvalues
  // of H with its diagonal scaled to 1, so that a parameter measured in
  // millions does not make H look singular.
  Eigen::MatrixXd vectors;
  Eigen::VectorXd values, scale;
  Eigen::VectorXd at;    // where H was computed (the chord method reuses it)
  bool central = false;  // H by central differences
  bool converged = false;
  bool escaping = false;  // full Newton steps that stop shrinking: the mode runs away
  int newton = 0;         // Newton steps taken
};

// The Hessian at p.u (central or forward differences of the gradient, or
// the exact one of a generalised linear model), its scaled
// eigendecomposition, and the Newton step when it is positive definite.
void curvature(Objective& obj, Point& p, bool central = true);

// Newton steps with backtracking from start; with `exact_final` the Hessian
// at the end is by central differences (for the Laplace approximation).
Point newton(Objective& obj, const Eigen::VectorXd& start, bool exact_final);
// Newton steps for obj(u) + sum_{i < l1} |u_i|, with exact zeros.
Point newton_l1(Objective& obj, const Eigen::VectorXd& start, std::size_t l1);

}  // namespace bayes::numeric
