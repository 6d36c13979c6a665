// The mode of one objective: receives a density on the layout of u and
// produces its mode (or why there is none): the optimiser from several
// starts, Newton steps, then the verdict, in rounds while they make progress.
#include "numeric/fit.hpp"

#include <algorithm>
#include <utility>

#include "format/format.hpp"
#include "graph/view.hpp"
#include "numeric/existence.hpp"

namespace bayes::numeric {

using Eigen::VectorXd;

namespace {

std::string failed(const char* what, const Fit& f, const std::string& why = "") {
  return std::string("the optimiser did not converge for the ") + what + ": " + f.run.said() +
         ", then " + format::plural(f.point.newton, "Newton step") + "; " +
         std::to_string(f.evaluations) + " gradient evaluations, gradient norm " +
         format::significant(f.point.g.size() ? f.point.g.norm() : NAN) +
         (why.empty() ? "" : " (" + why + ")");
}

// A strongly concave log density (concave.hpp) has one mode, and
// |u - mode| <= |gradient| / strong: a small enough gradient settles it
// without a Hessian, unless the Laplace approximation needs one anyway.
bool certified(const FitInputs& in, Objective& obj, Fit& f) {
  if (!(in.strong > 0 && !in.l1 && !in.opt.laplace)) return false;
  Point& p = f.point;
  p.u = obj.best_u;
  p.f = obj(p.u, p.g);
  double bound = p.g.norm() / in.strong;
  if (std::isfinite(p.f) && bound <= 1e-9 * std::max(1.0, inf_norm(p.u))) {
    p.converged = p.pd = f.interior = true;
    f.bound = bound;
    f.f = p.f + in.l1_constant;
    in.layout.constrain(p.u, f.values);
    return true;
  }
  return false;
}

// The gradient at p, with L1 coordinates: the pseudo-gradient of the
// penalised objective (the smallest subgradient where u_i = 0).
VectorXd pseudo_gradient(const Point& p, std::size_t l1) {
  VectorXd pg = p.g;
  for (std::size_t i = 0; i < l1; ++i) {
    auto k = static_cast<Eigen::Index>(i);
    pg[k] = p.u[k] != 0 ? pg[k] + (p.u[k] > 0 ? 1 : -1) : std::max(0.0, std::fabs(pg[k]) - 1);
  }
  return pg;
}

Fit find_mode(const FitInputs& in, Objective& obj, std::optional<Failure>& failure) {
  const std::size_t l1 = in.l1;
  const Options& opt = in.opt;
  Fit f;
  f.values.resize(in.m.params.size());
  for (const auto& t : in.layout.transforms)  // until a point is found
    f.values[t.param] = VectorXd::Constant(static_cast<Eigen::Index>(t.size), NAN);
  Verdicts verdicts(in, obj, f);
  f.run = optimise(obj, in.start, l1, opt);
  if (!std::isfinite(obj.best_f)) {
    f.note = verdicts.the +
             " could not be found: the density is zero everywhere tried (is an argument outside "
             "its family's support for every value of the parameters, such as a negative "
             "scale?)";
    return f;
  }
  if (certified(in, obj, f)) return f;
  std::vector<std::pair<double, VectorXd>> visits;  // each round's point: (f, u)
  for (int round = 0;; ++round) {
    // (The Laplace approximation is the MAP's: only its Hessian needs to be central.)
    bool exact_final = opt.laplace && std::string(in.what) == "MAP";
    f.point = l1 ? newton_l1(obj, obj.best_u, l1) : newton(obj, obj.best_u, exact_final);
    Point& p = f.point;
    visits.emplace_back(p.f, p.u);
    f.f = p.f + p.u.head(static_cast<Eigen::Index>(l1)).cwiseAbs().sum() + in.l1_constant;
    in.layout.constrain(p.u, f.values);
    if (p.converged && p.pd && verdicts.levelled()) return f;
    if (p.converged && p.pd && !l1 && nearly_singular(obj, p) && verdicts.ridge()) return f;
    if (p.converged && (p.pd || l1)) {
      f.interior = p.pd;
      return f;
    }
    if (verdicts.runs_off()) return f;
    // Every direction rises again. If the walks found lower ground, this was
    // a saddle (a symmetric start in a mixture): optimise again from there.
    if (round < 3 && !l1 && obj.best_f < p.f - 1e-9 * std::max(1.0, std::fabs(p.f))) {
      f.run = lbfgs_run(obj, obj.best_u, opt);
      continue;
    }
    // OWL-QN's line search can stop early on a badly scaled problem (a
    // noise scale beside L1 weights); start it again from where Newton got.
    if (round < 3 && l1) {
      obj.best_u = p.u;
      f.run = owlqn_run(obj, p.u, l1, opt);
      continue;
    }
    // Else a minimum, but not reached to the tolerance.
    if (pseudo_gradient(p, l1).norm() <= 1e-6 * std::max(1.0, std::fabs(p.f))) {
      verdicts.stationary();
      return f;
    }
    if (!l1 && verdicts.funnel(visits)) return f;
    break;
  }
  f.evaluations = obj.evaluations;
  failure = Failure{failed(in.what, f)};
  f.note = failure->message;
  return f;
}

}  // namespace

Fit fit(const FitInputs& in, std::optional<Failure>& failure) {
  Objective obj(in.tape, in.layout, in.m, in.jacobian, in.l1);
  obj.glm = in.glm;
  Fit f = find_mode(in, obj, failure);
  f.evaluations = obj.evaluations;
  return f;
}

}  // namespace bayes::numeric
