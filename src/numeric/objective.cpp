// The objective of the numeric engine: receives the tape and the layout of
// u, and produces minus the log density at u and its gradient, by the tape's
// forward and backward passes and the chain rule through the transforms.
#include "numeric/objective.hpp"

#include <vector>

#include "diag/interrupt.hpp"

namespace bayes::numeric {

using Eigen::VectorXd;

double Objective::operator()(const VectorXd& u, VectorXd& grad) {
  if (last_u.size() == u.size() && last_u == u) {
    grad = last_g;
    return last_f;
  }
  double f = evaluate(u, grad);
  last_u = u, last_g = grad, last_f = f;
  return f;
}

double Objective::evaluate(const VectorXd& u, VectorXd& grad) {
  check_interrupt();
  ++evaluations;
  std::vector<VectorXd> values(m.params.size()), dtheta(m.params.size());
  layout.constrain(u, values);
  for (const auto& t : layout.transforms)
    dtheta[t.param] = VectorXd::Zero(static_cast<Eigen::Index>(t.size));
  double lp = tape.forward(values);
  if (!std::isfinite(lp)) {
    grad = VectorXd::Zero(u.size());
    return INFINITY;
  }
  tape.backward(dtheta);
  VectorXd du;
  double logj = layout.pull_back(u, values, dtheta, jacobian, du);
  grad = -du;
  double f = -(lp + logj);
  if (!std::isfinite(f) || !grad.allFinite()) {
    grad = VectorXd::Zero(u.size());
    return INFINITY;
  }
  double penalised = f + u.head(static_cast<Eigen::Index>(l1)).cwiseAbs().sum();
  if (penalised < best_f) best_f = penalised, best_u = u;
  return f;
}

double Objective::value(const VectorXd& u) {
  VectorXd g;
  return (*this)(u, g);
}

}  // namespace bayes::numeric
