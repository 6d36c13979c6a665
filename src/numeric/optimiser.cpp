// The optimiser of the numeric engine: receives the objective and produces
// the point L-BFGS (LBFGS++, strong-Wolfe line search) or OWL-QN (liblbfgs)
// reach from several starts, polished by Newton steps with the Hessian by
// differences of the exact gradient.
#include "numeric/optimiser.hpp"

#include <LBFGS.h>
#include <lbfgs.h>

#include <algorithm>
#include <random>
#include <stdexcept>

#include "dist/random.hpp"
#include "linalg/dense.hpp"

namespace bayes::numeric {

using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

// For LBFGS++: a point outside the support costs a large finite value rather
// than inf, so that the line search's interpolation stays finite and bisects.
// At the rounding floor the line search keeps trying the same point: three
// evaluations in a row at one point end the run (the Newton steps finish).
struct Finite {
  Objective& obj;
  VectorXd last;
  int repeats = 0;
  double operator()(const VectorXd& u, VectorXd& grad) {
    repeats = last.size() == u.size() && last == u ? repeats + 1 : 0;
    if (repeats >= 2) throw std::runtime_error("no progress at the rounding floor");
    last = u;
    double f = obj(u, grad);
    return std::isfinite(f) ? f : 1e200;
  }
};

}  // namespace

// L-BFGS with the strong-Wolfe line search (Nocedal & Wright, Numerical
// Optimization, algorithms 3.5 and 3.6): the curvature condition keeps the
// quasi-Newton update positive definite where Armijo backtracking alone
// accepts steps with s'y < 0 (hierarchical models, a start where the
// objective is concave).
Run lbfgs_run(Objective& obj, VectorXd u, const Options& opt) {
  LBFGSpp::LBFGSParam<double> param;
  param.epsilon = 1e-10;
  param.epsilon_rel = 1e-10;
  // With an exact Hessian the Newton steps that follow converge
  // quadratically: L-BFGS need only come near.
  if (obj.glm) param.epsilon = param.epsilon_rel = 1e-2;
  param.past = 3;
  param.delta = 1e-15;
  param.max_iterations = static_cast<int>(opt.max_iterations);
  param.max_linesearch = 60;
  param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
  param.wolfe = 0.9;
  Run run;
  Finite f{obj, VectorXd(), 0};
  try {
    LBFGSpp::LBFGSSolver<double, LBFGSpp::LineSearchNocedalWright> solver(param);
    double fx;
    run.iterations = solver.minimize(f, u, fx);
    // (u is where L-BFGS ended; the objective remembers the best point.)
    run.status = run.iterations >= param.max_iterations ? "L-BFGS reached its iteration limit"
                                                        : "L-BFGS stopped";
  } catch (const std::exception& e) {
    // Often already at the optimum to machine precision: the Newton steps
    // that follow judge it.
    run.status = std::string("L-BFGS: ") + e.what();
  }
  return run;
}

// OWL-QN (liblbfgs): minimises obj(u) + sum_{i < l1} |u_i|, reaching exact
// zeros (Andrew & Gao 2007, "Scalable training of L1-regularized log-linear models").
Run owlqn_run(Objective& obj, const VectorXd& start, std::size_t l1, const Options& opt) {
  auto dim = static_cast<std::size_t>(start.size());
  lbfgs_parameter_t param;
  lbfgs_parameter_init(&param);
  param.epsilon = 1e-10;
  param.past = 5;
  param.delta = 1e-15;
  param.max_iterations = static_cast<int>(opt.max_iterations) * 5;
  param.linesearch = LBFGS_LINESEARCH_BACKTRACKING;
  param.max_linesearch = 80;
  param.orthantwise_c = 1;
  param.orthantwise_start = 0;
  param.orthantwise_end = static_cast<int>(l1);
  lbfgsfloatval_t* x = lbfgs_malloc(static_cast<int>(dim));
  for (std::size_t i = 0; i < dim; ++i) x[i] = start[static_cast<Eigen::Index>(i)];
  struct Ctx {
    Objective* obj;
    int iterations = 0;
  } ctx{&obj};
  auto evaluate = [](void* instance, const lbfgsfloatval_t* xs, lbfgsfloatval_t* g, const int n,
                     const lbfgsfloatval_t) -> lbfgsfloatval_t {
    auto* c = static_cast<Ctx*>(instance);
    VectorXd u = Eigen::Map<const VectorXd>(xs, n), grad;
    double f = (*c->obj)(u, grad);
    for (int i = 0; i < n; ++i) g[i] = grad[i];
    return std::isfinite(f) ? f : 1e200;
  };
  auto progress = [](void* instance, const lbfgsfloatval_t*, const lbfgsfloatval_t*,
                     const lbfgsfloatval_t, const lbfgsfloatval_t, const lbfgsfloatval_t,
                     const lbfgsfloatval_t, int, int k, int) -> int {
    static_cast<Ctx*>(instance)->iterations = k;
    return 0;
  };
  lbfgsfloatval_t fx = 0;
  int status = lbfgs(static_cast<int>(dim), x, &fx, evaluate, progress, &ctx, &param);
  lbfgs_free(x);
  Run run;
  run.iterations = ctx.iterations;
  run.status = "OWL-QN (liblbfgs) status " + std::to_string(status);
  return run;
}

Run optimise(Objective& obj, const VectorXd* start, std::size_t l1, const Options& opt) {
  Run run;
  auto dim = static_cast<Eigen::Index>(obj.layout.dim);
  std::mt19937_64 rng(opt.seed);
  auto z = [](std::mt19937_64& g) { return dist::random::normal(g); };
  for (std::size_t r = 0; r < std::max<std::size_t>(1, opt.restarts); ++r) {
    VectorXd u0 = r == 0 && start ? *start : VectorXd::Zero(dim);
    // Restarts from Normal(0, s^2) on the unconstrained scale, s = 2, 4, 8,
    // 16, 2, ...: Stan's inits are uniform on (-2, 2); the wider ones reach
    // modes far from 0 (mu near 20 under a Normal(0, 100) prior).
    double spread = std::ldexp(2.0, static_cast<int>((r - 1) % 4));
    if (r > 0)
      for (Eigen::Index i = 0; i < dim; ++i) u0[i] = spread * z(rng);
    // A start where the density is positive: random points, wider and wider.
    bool feasible = std::isfinite(obj.value(u0));
    for (int tries = 0; !feasible && tries < 200; ++tries) {
      for (Eigen::Index i = 0; i < dim; ++i) u0[i] = std::ldexp(z(rng), tries % 6 - 1);
      feasible = std::isfinite(obj.value(u0));
    }
    if (!feasible) continue;
    run = l1 ? owlqn_run(obj, u0, l1, opt) : lbfgs_run(obj, u0, opt);
  }
  return run;
}

// Hessian of the objective at u by central differences of the exact
// gradient, over the listed coordinates (all when `coords` is empty).
MatrixXd hessian(Objective& obj, const VectorXd& u, const std::vector<Eigen::Index>& coords) {
  std::vector<Eigen::Index> cs = coords;
  if (cs.empty())
    for (Eigen::Index j = 0; j < u.size(); ++j) cs.push_back(j);
  auto n = static_cast<Eigen::Index>(cs.size());
  MatrixXd H(n, n);
  VectorXd gp, gm;
  for (Eigen::Index j = 0; j < n; ++j) {
    double h = 1e-5 * std::max(1.0, std::fabs(u[cs[static_cast<std::size_t>(j)]]));
    VectorXd up = u, um = u;
    up[cs[static_cast<std::size_t>(j)]] += h;
    um[cs[static_cast<std::size_t>(j)]] -= h;
    double fp = obj(up, gp), fm = obj(um, gm);
    if (!std::isfinite(fp) || !std::isfinite(fm)) return MatrixXd::Constant(n, n, NAN);
    for (Eigen::Index i = 0; i < n; ++i)
      H(i, j) =
          (gp[cs[static_cast<std::size_t>(i)]] - gm[cs[static_cast<std::size_t>(i)]]) / (2 * h);
  }
  return (H + H.transpose()) / 2;
}

double inf_norm(const VectorXd& v) { return v.size() ? v.cwiseAbs().maxCoeff() : 0.0; }

namespace {

// The Newton step -H^-1 g with the scaled eigendecomposition.
VectorXd newton_step(const Point& p) {
  VectorXd sg = p.scale.cwiseProduct(p.g);
  VectorXd w = p.vectors * (p.vectors.transpose() * sg).cwiseQuotient(p.values).eval();
  return -p.scale.cwiseProduct(w);
}

// Forward differences of the exact gradient g (at u): dim gradients instead
// of 2 dim, accurate to about 1e-7 relative; enough to take Newton steps and
// to judge the curvature (the Laplace approximation uses central ones).
MatrixXd hessian_forward(Objective& obj, const VectorXd& u, const VectorXd& g) {
  auto n = u.size();
  MatrixXd H(n, n);
  VectorXd gp;
  for (Eigen::Index j = 0; j < n; ++j) {
    double h = 1e-7 * std::max(1.0, std::fabs(u[j]));
    VectorXd up = u;
    up[j] += h;
    if (!std::isfinite(obj(up, gp))) return hessian(obj, u);  // an edge just beyond: central
    H.col(j) = (gp - g) / h;
  }
  return (H + H.transpose()) / 2;
}

}  // namespace

void curvature(Objective& obj, Point& p, bool central) {
  if (obj.glm) central = true;  // exact
  p.H = obj.glm   ? obj.glm->hessian(p.u)
        : central ? hessian(obj, p.u)
                  : hessian_forward(obj, p.u, p.g);
  p.central = central;
  p.at = p.u;
  p.pd = false;
  if (!p.H.allFinite()) return;
  // Scaled by 1 / sqrt(H_ii) where the diagonal is positive; the eigenvalues
  // of the scaled matrix judge definiteness independently of units.
  p.scale = VectorXd::Ones(p.H.rows());
  for (Eigen::Index i = 0; i < p.H.rows(); ++i)
    if (p.H(i, i) > 0) p.scale[i] = 1 / std::sqrt(p.H(i, i));
  MatrixXd scaled = p.scale.asDiagonal() * p.H * p.scale.asDiagonal();
  linalg::SymmetricEigen es = linalg::symmetric_eigen(scaled);
  p.values = std::move(es.values);  // ascending
  p.vectors = std::move(es.vectors);
  p.flattest = p.scale.cwiseProduct(p.vectors.col(0));
  p.flattest /= p.flattest.norm();
  p.pd = p.values[0] > 0 && p.values[0] > 1e-11 * p.values[p.values.size() - 1];
  if (p.pd) p.step = newton_step(p);
}

bool tiny(const VectorXd& step, const VectorXd& u, double rel) {
  return inf_norm(step) <= rel * std::max(1.0, inf_norm(u));
}

// Whether f falls along -g from p by more than its rounding. A Newton step
// too small to move is a mode only if the gradient agrees: a Hessian inflated
// by a gradient that jumps by 1e300 within a difference step (a covariate of
// 1e300 in a logistic regression) gives tiny steps at a point where f still
// falls steadily.
bool falls_along_gradient(Objective& obj, const Point& p) {
  const double norm = p.g.norm();
  if (!(norm > 0) || !std::isfinite(norm)) return false;
  for (double t = 1e-3; t > 1e-12; t /= 8) {
    VectorXd un = p.u - (t * std::max(1.0, inf_norm(p.u)) / norm) * p.g, gn;
    const double fn = obj(un, gn);
    if (std::isfinite(fn) && fn < p.f - 1e-9 * std::max(1.0, std::fabs(p.f))) return true;
  }
  return false;
}

// Newton steps with backtracking from the optimiser's point: quadratic
// convergence where L-BFGS stalls on ill-conditioned problems (ordinary least
// squares on correlated columns), and a signal where the mode runs off. The
// Hessian (2 dim gradients) is kept while the steps it gives shrink fast (the
// chord method); with `exact_final` it is computed again at the end, for the
// Laplace approximation.
Point newton(Objective& obj, const VectorXd& start, bool exact_final) {
  Point p;
  p.u = start;
  p.f = obj(p.u, p.g);
  double previous = INFINITY;
  bool full_steps = true;
  bool fresh = false;  // p.step is from the H kept, at the current u
  bool done = false;
  for (int it = 0; it < 40 && !done; ++it) {
    if (!fresh) curvature(obj, p, false);
    fresh = false;
    if (!p.pd) return p;
    double s = inf_norm(p.step);
    if (tiny(p.step, p.u, 1e-10)) {
      p.converged = !falls_along_gradient(obj, p);
      done = true;
      break;
    }
    if (it >= 2 && full_steps && s > 0.5 * previous) {
      p.escaping = true;
      return p;
    }
    previous = s;
    bool moved = false;
    full_steps = true;
    for (double t = 1; t > 1e-12; t /= 2) {
      VectorXd un = p.u + t * p.step, gn;
      double fn = obj(un, gn);
      // Near the mode f changes by less than its rounding (a sum of N terms):
      // a smaller gradient decides there.
      if (std::isfinite(fn) && (fn < p.f || (fn <= p.f + 1e-11 * std::max(1.0, std::fabs(p.f)) &&
                                             gn.norm() < p.g.norm()))) {
        p.u = un, p.f = fn, p.g = gn, moved = true;
        break;
      }
      full_steps = false;
    }
    if (!moved) {  // at the rounding floor: as close as it gets
      p.converged = tiny(p.step, p.u, 1e-7) && !falls_along_gradient(obj, p);
      done = true;
      break;
    }
    ++p.newton;
    if (full_steps) {
      VectorXd chord = newton_step(p);
      if (inf_norm(chord) <= 0.25 * s) p.step = chord, fresh = true;
    }
  }
  if (!done) {
    curvature(obj, p);
    p.converged = p.pd && tiny(p.step, p.u, 1e-7);
  }
  if (p.converged && exact_final && (p.at != p.u || !p.central)) curvature(obj, p);
  return p;
}

// Newton steps for the L1 problem obj(u) + sum_{i < l1} |u_i|: on the
// coordinates that are not zero (where the penalty is linear), stopping at a
// coordinate that would change sign and setting it to exactly 0, and freeing
// a zero whose subgradient condition |d obj / d u_i| <= 1 fails. At the end
// the zeros are those of the exact lasso solution (the KKT conditions).
Point newton_l1(Objective& obj, const VectorXd& start, std::size_t l1) {
  Point p;
  p.u = start;
  auto n = static_cast<std::size_t>(start.size());
  auto penalty = [l1](const VectorXd& u) {
    return u.head(static_cast<Eigen::Index>(l1)).cwiseAbs().sum();
  };
  auto sign = [](double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : 0.0; };
  p.f = obj(p.u, p.g);
  for (int it = 0; it < 100; ++it) {
    std::vector<Eigen::Index> active;
    std::vector<double> s(n, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
      auto k = static_cast<Eigen::Index>(i);
      if (i >= l1 || p.u[k] != 0) active.push_back(k), s[i] = i < l1 ? sign(p.u[k]) : 0.0;
    }
    // The zero that most violates its subgradient condition.
    double worst = 1e-9;
    int wi = -1;
    for (std::size_t i = 0; i < l1; ++i) {
      auto k = static_cast<Eigen::Index>(i);
      if (p.u[k] == 0 && std::fabs(p.g[k]) - 1 > worst)
        worst = std::fabs(p.g[k]) - 1, wi = static_cast<int>(i);
    }
    if (wi >= 0) {
      active.push_back(wi);
      std::sort(active.begin(), active.end());
      s[static_cast<std::size_t>(wi)] = -sign(p.g[wi]);
    }
    if (active.empty()) {  // every coordinate is a zero that should stay 0
      p.converged = true;
      break;
    }
    auto na = static_cast<Eigen::Index>(active.size());
    VectorXd ga(na);
    for (Eigen::Index j = 0; j < na; ++j) {
      auto k = active[static_cast<std::size_t>(j)];
      ga[j] = p.g[k] + s[static_cast<std::size_t>(k)];
    }
    MatrixXd H = hessian(obj, p.u, active);
    if (!H.allFinite()) break;
    bool factored = false;
    VectorXd da = -linalg::ldlt_solve(H, ga, &factored);
    if (!factored) break;
    VectorXd d = VectorXd::Zero(static_cast<Eigen::Index>(n));
    for (Eigen::Index j = 0; j < na; ++j) d[active[static_cast<std::size_t>(j)]] = da[j];
    if (wi < 0 && tiny(d, p.u, 1e-10)) {
      p.converged = true;
      break;
    }
    // The longest step that keeps every signed coordinate on its side.
    double tmax = 1;
    int hit = -1;
    for (auto k : active) {
      auto i = static_cast<std::size_t>(k);
      if (i >= l1 || d[k] == 0) continue;
      double si = s[i];
      if (si * (p.u[k] + d[k]) < 0) {
        double t = -p.u[k] / d[k];
        if (t < tmax) tmax = t, hit = static_cast<int>(k);
      }
    }
    if (tmax <= 0) break;  // the freed zero would move the wrong way: degenerate
    double F = p.f + penalty(p.u);
    bool moved = false;
    for (double t = tmax; t > 1e-12; t /= 2) {
      VectorXd un = p.u + t * d, gn;
      if (t == tmax && hit >= 0) un[hit] = 0;
      double fn = obj(un, gn);
      if (std::isfinite(fn) && fn + penalty(un) <= F + 1e-14 * std::max(1.0, std::fabs(F))) {
        p.u = un, p.f = fn, p.g = gn, moved = true;
        break;
      }
    }
    ++p.newton;
    if (!moved) {
      p.converged = wi < 0 && tiny(d, p.u, 1e-7);
      break;
    }
  }
  curvature(obj, p);
  return p;
}

}  // namespace bayes::numeric
