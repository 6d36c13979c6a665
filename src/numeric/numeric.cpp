// The numeric engine: transforms to an unconstrained space, L-BFGS (LBFGS++,
// strong-Wolfe line search) on minus the log density with exact gradients
// from the tape, then Newton steps with the Hessian by differences of the
// exact gradient; the MAP in the original parameterisation (no Jacobian term,
// as Stan's optimize), the MLE with the priors dropped, and the Laplace
// approximation at the mode. A mode that does not exist (the density keeps
// increasing along a direction to infinity or to the edge of the support, or
// is flat there) is found by following that direction, and said in words.
#include "numeric/numeric.hpp"

#include <LBFGS.h>
#include <lbfgs.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss.hpp>
#include <cmath>
#include <map>
#include <memory>
#include <random>

#include "conjugate/closed_form.hpp"
#include "conjugate/component.hpp"
#include "conjugate/patterns.hpp"
#include "numeric/concave.hpp"
#include "numeric/tape.hpp"

namespace bayes::numeric {

namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

// How one parameter maps from the unconstrained space.
struct Transform {
  enum class Kind { Identity, Lower, Upper, Interval, Simplex } kind = Kind::Identity;
  double lo = -INFINITY, hi = INFINITY;
  // Whether the support includes its ends: the bounds of Uniform and Pareto
  // priors, and theta >= max x implied by Uniform(0, theta) data, do; the
  // ends of (0, inf) and (0, 1) do not (as the closed forms say).
  bool lo_closed = false, hi_closed = false;
  std::size_t param = 0;
  std::size_t size = 1;    // constrained length
  std::size_t offset = 0;  // into u
  std::size_t dim = 1;     // unconstrained length (size - 1 for a simplex)
  // Identity only: theta_i = shift_i + scale_i * u_i (an L1 coordinate is
  // scaled so that its Laplace(shift, scale) prior becomes |u_i|).
  std::vector<double> shift, scale;
  double a(std::size_t i) const { return shift.empty() ? 0.0 : shift[i]; }
  double b(std::size_t i) const { return scale.empty() ? 1.0 : scale[i]; }
  // The constrained value of coordinate i at v (not for a simplex).
  double back(std::size_t i, double v) const;
};

double logistic(double x) {
  return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}

double Transform::back(std::size_t i, double v) const {
  switch (kind) {
    case Kind::Identity:
      return a(i) + b(i) * v;
    case Kind::Lower:
      return lo + std::exp(v);
    case Kind::Upper:
      return hi - std::exp(v);
    case Kind::Interval:
      return lo + (hi - lo) * logistic(v);
    case Kind::Simplex:
      break;
  }
  return v;
}

// Bounds on a scalar parameter implied by the data: x ~ Uniform(lo, c theta)
// needs theta >= max(x / c), x ~ Uniform(c theta, hi) needs theta <= min(x / c)
// (c > 0 data). Without them the optimiser would start where the likelihood is
// zero (the German tank problem: theta ~ Pareto, x ~ Uniform(0, theta)).
void data_bounds(const Model& m, const std::vector<std::size_t>& observations, std::size_t p,
                 double& lo, double& hi) {
  if (!m.params[p].type.is_scalar()) return;
  for (auto oi : observations) {
    const Observation& o = m.observations[oi];
    if (!o.family || o.family->name != "Uniform" || o.args.size() != 2) continue;
    for (std::size_t side = 0; side < 2; ++side) {
      auto mono = conjugate::monomial_in(m, *o.args[side], p);
      if (!mono || mono->k != 1) continue;
      for (std::size_t i = 0; i < o.value.size(); ++i) {
        double c = conjugate::at(mono->c, i);
        if (!(c > 0)) continue;
        double x = o.value[i] / c;
        if (side == 1)
          lo = std::max(lo, x);
        else
          hi = std::min(hi, x);
      }
    }
  }
}

// The support of a parameter, from its prior's family (and its data
// arguments), narrowed by what the data imply.
std::optional<Transform> transform_of(const Model& m, std::size_t p,
                                      const std::vector<std::size_t>& observations,
                                      std::string& why) {
  const ParamVar& pv = m.params[p];
  const Prior& pr = m.priors[pv.prior];
  Transform t;
  t.param = p;
  t.size = pv.type.is_scalar() ? 1 : pv.type.rows;
  t.dim = t.size;
  if (pv.discrete) {
    why = "'" + pv.name + "' is discrete: discrete parameters are enumerated, not optimised";
    return std::nullopt;
  }
  double lo = -INFINITY, hi = INFINITY;
  if (!pr.family) {
    lo = pr.lower, hi = pr.upper;
  } else {
    dist::Domain d =
        pr.family->joint == 2 ? pr.family->joint_supports[pv.slot] : pr.family->support;
    switch (d) {
      case dist::Domain::Positive:
      case dist::Domain::NonNegative:
        lo = 0;
        break;
      case dist::Domain::Unit:
      case dist::Domain::OpenUnit:
        lo = 0, hi = 1;
        break;
      case dist::Domain::Simplex:
        t.kind = Transform::Kind::Simplex;
        t.dim = t.size - 1;
        return t;
      case dist::Domain::Bounded: {
        if (!conjugate::fixed_args(pr)) {
          why = "the bounds of '" + pv.name + "' depend on other parameters";
          return std::nullopt;
        }
        double a = conjugate::eval_data(m, *pr.args[0])[0];
        if (pr.family->name == "Uniform")
          lo = a, hi = conjugate::eval_data(m, *pr.args[1])[0], t.hi_closed = true;
        else
          lo = a;  // Pareto(xmin, alpha)
        t.lo_closed = true;
        break;
      }
      case dist::Domain::Real:
      case dist::Domain::RealVector:
        break;
      default:
        why = "'" + pv.name + "' has a support the numeric engine does not handle";
        return std::nullopt;
    }
  }
  double dlo = lo, dhi = hi;
  data_bounds(m, observations, p, dlo, dhi);
  if (dlo > lo) lo = dlo, t.lo_closed = true;
  if (dhi < hi) hi = dhi, t.hi_closed = true;
  if (!(lo < hi)) {
    why = "the data leave '" + pv.name + "' no room: they need " + conjugate::num(lo) +
          " <= " + pv.name + " <= " + conjugate::num(hi);
    return std::nullopt;
  }
  t.lo = lo, t.hi = hi;
  if (std::isfinite(lo) && std::isfinite(hi))
    t.kind = Transform::Kind::Interval;
  else if (std::isfinite(lo))
    t.kind = Transform::Kind::Lower;
  else if (std::isfinite(hi))
    t.kind = Transform::Kind::Upper;
  return t;
}

struct Layout {
  std::vector<Transform> transforms;
  std::size_t dim = 0;

  // theta(u), into values (indexed like Model::params).
  void constrain(const VectorXd& u, std::vector<VectorXd>& values) const {
    for (const auto& t : transforms) {
      VectorXd& x = values[t.param];
      x.resize(static_cast<Eigen::Index>(t.size));
      if (t.kind == Transform::Kind::Simplex) {  // additive log-ratio: softmax([u, 0])
        VectorXd z(static_cast<Eigen::Index>(t.size));
        for (std::size_t i = 0; i < t.dim; ++i)
          z[static_cast<Eigen::Index>(i)] = u[static_cast<Eigen::Index>(t.offset + i)];
        z[static_cast<Eigen::Index>(t.dim)] = 0;
        double mx = z.maxCoeff();
        z = (z.array() - mx).exp();
        x = z / z.sum();
        continue;
      }
      for (std::size_t i = 0; i < t.dim; ++i)
        x[static_cast<Eigen::Index>(i)] = t.back(i, u[static_cast<Eigen::Index>(t.offset + i)]);
    }
  }

  // Chain rule: du = J' dtheta; plus, with `jacobian`, the log |J| term and
  // its gradient. Returns log |J| (0 without `jacobian`). The scale of an L1
  // coordinate is left out: it is constant (see log_jacobian).
  double pull_back(const VectorXd& u, const std::vector<VectorXd>& values,
                   const std::vector<VectorXd>& dtheta, bool jacobian, VectorXd& du) const {
    double logj = 0;
    du = VectorXd::Zero(static_cast<Eigen::Index>(dim));
    for (const auto& t : transforms) {
      const VectorXd& x = values[t.param];
      const VectorXd& g = dtheta[t.param];
      if (t.kind == Transform::Kind::Simplex) {
        // d x_i / d u_j = x_i (delta_ij - x_j), j < K; log |J| = sum_i log x_i.
        double gx = g.dot(x);
        for (std::size_t j = 0; j < t.dim; ++j) {
          auto jj = static_cast<Eigen::Index>(j);
          du[static_cast<Eigen::Index>(t.offset + j)] += x[jj] * (g[jj] - gx);
          if (jacobian)
            du[static_cast<Eigen::Index>(t.offset + j)] += 1 - static_cast<double>(t.size) * x[jj];
        }
        if (jacobian) logj += x.array().log().sum();
        continue;
      }
      for (std::size_t i = 0; i < t.dim; ++i) {
        auto ii = static_cast<Eigen::Index>(i);
        auto k = static_cast<Eigen::Index>(t.offset + i);
        double v = u[k];
        switch (t.kind) {
          case Transform::Kind::Identity:
            du[k] += g[ii] * t.b(i);
            break;
          case Transform::Kind::Lower:
          case Transform::Kind::Upper: {
            double e = std::exp(v);
            du[k] += g[ii] * (t.kind == Transform::Kind::Lower ? e : -e);
            if (jacobian) logj += v, du[k] += 1;
            break;
          }
          case Transform::Kind::Interval: {
            double s = logistic(v), w = t.hi - t.lo;
            du[k] += g[ii] * w * s * (1 - s);
            if (jacobian) logj += std::log(w) + std::log(s) + std::log1p(-s), du[k] += 1 - 2 * s;
            break;
          }
          case Transform::Kind::Simplex:
            break;
        }
      }
    }
    return logj;
  }

  // log |d theta / d u| at u, every coordinate included (for the evidence).
  double log_jacobian(const VectorXd& u, const std::vector<VectorXd>& values) const {
    std::vector<VectorXd> zero(values.size());
    for (const auto& t : transforms)
      zero[t.param] = VectorXd::Zero(static_cast<Eigen::Index>(t.size));
    VectorXd du;
    double logj = pull_back(u, values, zero, true, du);
    for (const auto& t : transforms)
      if (t.kind == Transform::Kind::Identity)
        for (std::size_t i = 0; i < t.dim; ++i) logj += std::log(std::fabs(t.b(i)));
    return logj;
  }

  // The name of unconstrained coordinate k ("w[2]", "p").
  std::string name(const Model& m, std::size_t k, const Transform** which = nullptr,
                   std::size_t* element = nullptr) const {
    for (const auto& t : transforms)
      if (k >= t.offset && k < t.offset + t.dim) {
        if (which) *which = &t;
        if (element) *element = k - t.offset;
        return m.params[t.param].name + (m.params[t.param].type.is_scalar()
                                             ? ""
                                             : "[" + std::to_string(k - t.offset + 1) + "]");
      }
    return "?";
  }
};

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
  VectorXd best_u;
  double best_f = INFINITY;

  // The last point asked for: the optimisers ask twice for the same point
  // (a start checked for a positive density, the Newton steps' first point,
  // a line search at the rounding floor).
  VectorXd last_u, last_g;
  double last_f = NAN;

  double operator()(const VectorXd& u, VectorXd& grad) {
    if (last_u.size() == u.size() && last_u == u) {
      grad = last_g;
      return last_f;
    }
    double f = evaluate(u, grad);
    last_u = u, last_g = grad, last_f = f;
    return f;
  }

  double evaluate(const VectorXd& u, VectorXd& grad) {
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

  double value(const VectorXd& u) {
    VectorXd g;
    return (*this)(u, g);
  }
};

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

// How the optimiser ended: for the message when it did not converge.
struct Run {
  int iterations = -1;  // -1: unknown (LBFGS++ throws from its line search)
  std::string status;
  std::string said() const {
    return status + (iterations >= 0 ? " after " + std::to_string(iterations) + " iterations" : "");
  }
};

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

// Hessian of the objective at u by central differences of the exact
// gradient, over the listed coordinates (all when `coords` is empty).
MatrixXd hessian(Objective& obj, const VectorXd& u, const std::vector<Eigen::Index>& coords = {}) {
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

// A point found by the optimiser, polished by Newton steps.
struct Point {
  VectorXd u, g;
  double f = INFINITY;  // the smooth objective at u (without the L1 penalty)
  MatrixXd H;           // its Hessian at u
  bool pd = false;      // H positive definite well enough to invert
  VectorXd step;        // the Newton step -H^-1 g at u, when pd
  VectorXd flattest;    // the direction of least curvature (see curvature())
  // H = S vectors diag(values) vectors' S, S = diag(scale): the eigenvalues
  // of H with its diagonal scaled to 1, so that a parameter measured in
  // millions does not make H look singular.
  MatrixXd vectors;
  VectorXd values, scale;
  VectorXd at;           // where H was computed (the chord method reuses it)
  bool central = false;  // H by central differences
  bool converged = false;
  bool escaping = false;  // full Newton steps that stop shrinking: the mode runs away
  int newton = 0;         // Newton steps taken
};

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

void curvature(Objective& obj, Point& p, bool central = true) {
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
  Eigen::SelfAdjointEigenSolver<MatrixXd> es(scaled);
  p.values = es.eigenvalues();  // ascending
  p.vectors = es.eigenvectors();
  p.flattest = p.scale.cwiseProduct(p.vectors.col(0));
  p.flattest /= p.flattest.norm();
  p.pd = p.values[0] > 0 && p.values[0] > 1e-11 * p.values[p.values.size() - 1];
  if (p.pd) p.step = newton_step(p);
}

bool tiny(const VectorXd& step, const VectorXd& u, double rel) {
  return inf_norm(step) <= rel * std::max(1.0, inf_norm(u));
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
      p.converged = done = true;
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
      p.converged = tiny(p.step, p.u, 1e-7);
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
    Eigen::LDLT<MatrixXd> ldlt(H);
    if (!H.allFinite() || ldlt.info() != Eigen::Success) break;
    VectorXd da = -ldlt.solve(ga);
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

// Following a direction from a point: does the objective rise again (a
// minimum along it), keep falling (the mode runs off; unboundedly or towards
// a limit), or stay flat?
struct Ray {
  enum class End { Rises, Falls, Flat } end = End::Rises;
  bool unbounded = false;
  VectorXd far;
};

Ray follow(Objective& obj, const Point& p, const VectorXd& d) {
  Ray r;
  r.far = p.u;
  double scale = std::max(1.0, inf_norm(p.u));
  double tol = 1e-12 * std::max(1.0, std::fabs(p.f));
  double previous = p.f, last_drop = 0, drop_before = 0;
  bool fell = false;
  for (int k = 0; k <= 16; ++k) {
    VectorXd un = p.u + std::ldexp(scale, k - 2) * d;
    double fn = obj.value(un);
    if (!std::isfinite(fn)) {  // off the end of the floating-point range
      if (k < 4) return r;     // too soon to tell: not a verdict
      break;
    }
    if (fn > previous + tol) return r;
    drop_before = last_drop;
    last_drop = previous - fn;
    if (last_drop > tol) fell = true;
    previous = fn;
    r.far = un;
  }
  r.end = fell ? Ray::End::Falls : Ray::End::Flat;
  r.unbounded = fell && last_drop > tol && last_drop >= 0.9 * drop_before;
  return r;
}

// The profile of the objective along coordinate k (its minimum over the
// other coordinates with u_k fixed), followed outwards in the direction
// `sign`: a mode can run off along a curve that no straight line follows (the
// variance of one observation: s2 -> 0 only with mu = y).
Ray follow_profile(Objective& obj, const Point& p, Eigen::Index k, double sign,
                   const Options& opt) {
  Ray r;
  r.far = p.u;
  auto n = p.u.size();
  VectorXd cur = p.u;
  double scale = std::max(1.0, std::fabs(p.u[k]));
  double tol = 1e-8 * std::max(1.0, std::fabs(p.f));
  double previous = p.f, last_drop = 0, drop_before = 0;
  bool fell = false;
  // The objective of the other coordinates, u_k held at cur[k].
  struct Reduced {
    Objective& obj;
    VectorXd& full;
    Eigen::Index k;
    VectorXd expand(const VectorXd& v) const {
      VectorXd u = full;
      for (Eigen::Index i = 0, j = 0; i < u.size(); ++i)
        if (i != k) u[i] = v[j++];
      return u;
    }
    double operator()(const VectorXd& v, VectorXd& g) {
      VectorXd gu;
      double f = obj(expand(v), gu);
      g.resize(v.size());
      for (Eigen::Index i = 0, j = 0; i < gu.size(); ++i)
        if (i != k) g[j++] = gu[i];
      return std::isfinite(f) ? f : 1e200;
    }
  };
  for (int j = 0; j <= 12; ++j) {
    cur[k] = p.u[k] + sign * std::ldexp(scale, j - 2);
    if (n > 1) {
      Reduced red{obj, cur, k};
      VectorXd v(n - 1);
      for (Eigen::Index i = 0, jj = 0; i < n; ++i)
        if (i != k) v[jj++] = cur[i];
      LBFGSpp::LBFGSParam<double> param;
      param.epsilon = 1e-10;
      param.epsilon_rel = 1e-10;
      param.max_iterations = static_cast<int>(opt.max_iterations);
      param.max_linesearch = 60;
      param.linesearch = LBFGSpp::LBFGS_LINESEARCH_BACKTRACKING_STRONG_WOLFE;
      try {
        LBFGSpp::LBFGSSolver<double, LBFGSpp::LineSearchNocedalWright> solver(param);
        double fx;
        solver.minimize(red, v, fx);
      } catch (const std::exception&) {
      }
      cur = red.expand(v);
    }
    double fn = obj.value(cur);
    if (!std::isfinite(fn)) {
      if (j < 4) return r;
      break;
    }
    if (fn > previous + tol) return r;
    drop_before = last_drop;
    last_drop = previous - fn;
    previous = fn;
    r.far = cur;
  }
  // Rises are judged against the inner optimisations' noise; a fall is any
  // fall beyond rounding from the start (separable data: 1e-10 of 1.4).
  fell = p.f - previous > 1e-13 * std::max(1.0, std::fabs(p.f));
  r.end = fell ? Ray::End::Falls : Ray::End::Flat;
  r.unbounded = fell && last_drop > tol && last_drop >= 0.9 * drop_before;
  return r;
}

// Whether the points the rounds reached run off along one coordinate: at
// least three rounds, the objective falling each time by no less than a
// quarter of the first fall, and one coordinate moving the same way every
// round, further than any other. Returns that coordinate and its direction.
std::optional<std::pair<Eigen::Index, double>> running_off(
    const std::vector<std::pair<double, VectorXd>>& visits) {
  if (visits.size() < 3) return std::nullopt;
  double first = visits[0].first - visits[1].first;
  if (!(first > 1e-6 * std::max(1.0, std::fabs(visits[0].first)))) return std::nullopt;
  VectorXd total = visits.back().second - visits.front().second;
  Eigen::Index k;
  total.cwiseAbs().maxCoeff(&k);
  double sign = total[k] > 0 ? 1 : -1;
  for (std::size_t r = 1; r < visits.size(); ++r) {
    if (visits[r - 1].first - visits[r].first < 0.25 * first) return std::nullopt;
    VectorXd step = visits[r].second - visits[r - 1].second;
    if (step[k] * sign <= 0 || std::fabs(step[k]) < step.cwiseAbs().maxCoeff()) return std::nullopt;
  }
  return std::make_pair(k, sign);
}

// A coordinate on a log or logit scale beyond e^12 from its edge (or from
// 1 : 1) whose inverse curvature is above 4 (an sd of 2 on that scale, a
// factor of e^2 each way): a parameter that far out and that loosely held is
// where the optimiser stopped because the density no longer changes beyond
// rounding on its way out (the differences that measure the curvature there
// are rounding too). Without positive curvature, any coordinate that far out.
std::optional<Eigen::Index> levelled_off(const Layout& layout, const Point& p) {
  MatrixXd inv;
  if (p.pd && p.values.size())
    inv = p.scale.asDiagonal() * p.vectors * p.values.cwiseInverse().asDiagonal() *
          p.vectors.transpose() * p.scale.asDiagonal();
  for (const auto& t : layout.transforms) {
    if (t.kind == Transform::Kind::Identity) continue;
    for (std::size_t i = 0; i < t.dim; ++i) {
      auto k = static_cast<Eigen::Index>(t.offset + i);
      if (std::fabs(p.u[k]) > 12 && (!p.pd || inv(k, k) > 4)) return k;
    }
  }
  return std::nullopt;
}

// Whether the curvature at p is too small to tell from zero: the smallest
// scaled eigenvalue below 1e-8 of the largest, measured centrally (the
// forward differences are recomputed when they cannot tell).
bool nearly_singular(Objective& obj, Point& p) {
  auto ratio = [&] { return p.values[0] / p.values[p.values.size() - 1]; };
  if (p.values.size() < 2 || ratio() > 1e-4) return false;
  if (!p.central) curvature(obj, p);
  return !p.pd || ratio() < 1e-8;
}

struct Fit {
  std::vector<VectorXd> values;  // the mode, in the original parameterisation
  std::string note;              // why there is none: a whole sentence
  bool interior = false;         // an interior mode with positive curvature: Laplace applies
  double f = INFINITY;           // minus the log density at the mode, with the L1 terms
  Point point;
  Run run;
  std::size_t evaluations = 0;  // of the log density and its gradient
  double bound = -1;  // certified by strong concavity: |u - mode| <= bound (no Hessian taken)
};

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i ? ", " : "") + parts[i];
  return out;
}

// Says where a direction in u leads, coordinate by coordinate (those that
// move), and snaps the mode to the edges it reaches when they belong to the
// support. Returns whether every moving coordinate goes to a finite edge.
bool describe(const Layout& layout, const Model& m, const VectorXd& d, const VectorXd& far,
              std::vector<std::string>& limits, std::vector<std::string>& edges, bool& closed,
              std::vector<VectorXd>& snapped) {
  bool to_edges = true;
  closed = true;
  std::vector<VectorXd> at_far(m.params.size());
  layout.constrain(far, at_far);
  double big = inf_norm(d);
  for (const auto& t : layout.transforms) {
    if (t.kind == Transform::Kind::Simplex) {
      bool moves = false;
      for (std::size_t i = 0; i < t.dim; ++i)
        moves = moves || std::fabs(d[static_cast<Eigen::Index>(t.offset + i)]) >= 0.1 * big;
      if (!moves) continue;
      closed = false;
      const std::string& name = m.params[t.param].name;
      for (std::size_t j = 0; j < t.size; ++j)
        if (at_far[t.param][static_cast<Eigen::Index>(j)] < 1e-8) {
          std::string nj = name + "[" + std::to_string(j + 1) + "]";
          limits.push_back(nj + " -> 0");
          edges.push_back(nj + " = 0");
        }
      continue;
    }
    for (std::size_t i = 0; i < t.dim; ++i) {
      auto k = static_cast<Eigen::Index>(t.offset + i);
      if (std::fabs(d[k]) < 0.1 * big) continue;
      std::string name = layout.name(m, static_cast<std::size_t>(k));
      bool up = d[k] > 0;
      double edge = NAN;
      bool edge_closed = false;
      switch (t.kind) {
        case Transform::Kind::Identity:
          up = up == (t.b(i) > 0);
          break;
        case Transform::Kind::Lower:
          if (!up) edge = t.lo, edge_closed = t.lo_closed;
          break;
        case Transform::Kind::Upper:
          if (up) edge = t.hi, edge_closed = t.hi_closed;
          up = !up;
          break;
        case Transform::Kind::Interval:
          edge = up ? t.hi : t.lo, edge_closed = up ? t.hi_closed : t.lo_closed;
          break;
        case Transform::Kind::Simplex:
          break;
      }
      if (std::isnan(edge)) {
        to_edges = false;
        limits.push_back(name + (up ? " -> +inf" : " -> -inf"));
        continue;
      }
      closed = closed && edge_closed;
      limits.push_back(name + " -> " + conjugate::num(edge));
      edges.push_back(name + " = " + conjugate::num(edge));
      snapped[t.param][static_cast<Eigen::Index>(i)] = edge;
    }
  }
  return to_edges;
}

std::string failed(const char* what, const Fit& f, const std::string& why = "") {
  return std::string("the optimiser did not converge for the ") + what + ": " + f.run.said() +
         ", then " + std::to_string(f.point.newton) + " Newton steps; " +
         std::to_string(f.evaluations) + " gradient evaluations, gradient norm " +
         conjugate::num(f.point.g.size() ? f.point.g.norm() : NAN) +
         (why.empty() ? "" : " (" + why + ")");
}

// Finds the mode of one objective: L-BFGS (or OWL-QN) from a point where the
// density is positive, Newton steps, then the verdict: an interior mode, a
// mode on a closed edge of the support, no mode (in words), or a failure.
Fit fit(Objective& obj, const Model& m, Tape& tape, const Layout& layout, const Options& opt,
        const char* what, std::optional<Failure>& failure, std::size_t l1, double l1_constant,
        double strong, const VectorXd* start) {
  Fit f;
  f.values.resize(m.params.size());
  for (const auto& t : layout.transforms)  // until a point is found
    f.values[t.param] = VectorXd::Constant(static_cast<Eigen::Index>(t.size), NAN);
  const std::string density = std::string(what) == "MLE" ? "likelihood" : "posterior density";
  const std::string the = std::string("the ") + what;
  auto dim = static_cast<Eigen::Index>(layout.dim);
  std::mt19937_64 rng(opt.seed);
  std::normal_distribution<double> z(0, 1);
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
    f.run = l1 ? owlqn_run(obj, u0, l1, opt) : lbfgs_run(obj, u0, opt);
  }
  if (!std::isfinite(obj.best_f)) {
    f.note = the +
             " could not be found: the density is zero everywhere tried (is an argument outside "
             "its family's support for every value of the parameters, such as a negative "
             "scale?)";
    return f;
  }
  // A strongly concave log density (concave.hpp) has one mode, and
  // |u - mode| <= |gradient| / strong: a small enough gradient settles it
  // without a Hessian, unless the Laplace approximation needs one anyway.
  if (strong > 0 && !l1 && !opt.laplace) {
    Point& p = f.point;
    p.u = obj.best_u;
    p.f = obj(p.u, p.g);
    double bound = p.g.norm() / strong;
    if (std::isfinite(p.f) && bound <= 1e-9 * std::max(1.0, inf_norm(p.u))) {
      p.converged = p.pd = f.interior = true;
      f.bound = bound;
      f.f = p.f + l1_constant;
      layout.constrain(p.u, f.values);
      return f;
    }
  }
  std::vector<std::pair<double, VectorXd>> visits;  // each round's point: (f, u)
  for (int round = 0;; ++round) {
    // (The Laplace approximation is the MAP's: only its Hessian needs to be central.)
    bool exact_final = opt.laplace && std::string(what) == "MAP";
    f.point = l1 ? newton_l1(obj, obj.best_u, l1) : newton(obj, obj.best_u, exact_final);
    Point& p = f.point;
    visits.emplace_back(p.f, p.u);
    auto penalty = [&](const VectorXd& u) {
      return u.head(static_cast<Eigen::Index>(l1)).cwiseAbs().sum();
    };
    f.f = p.f + penalty(p.u) + l1_constant;
    layout.constrain(p.u, f.values);
    // Far out on a log or logit scale with almost no curvature: the density
    // has levelled off to rounding on its way to an edge (the dispersion of
    // a NegativeBinomial on underdispersed data, r -> inf and p -> 1).
    auto levelled = [&]() {
      auto k = l1 ? std::nullopt : levelled_off(layout, p);
      if (!k) return false;
      // Outwards along every coordinate that far out on a log or logit scale.
      VectorXd d = VectorXd::Zero(dim);
      for (const auto& t : layout.transforms)
        for (std::size_t i = 0; t.kind != Transform::Kind::Identity && i < t.dim; ++i) {
          auto j = static_cast<Eigen::Index>(t.offset + i);
          if (std::fabs(p.u[j]) > 12) d[j] = p.u[j] > 0 ? 1 : -1;
        }
      std::vector<std::string> limits, edges;
      bool closed = false;
      std::vector<VectorXd> snapped = f.values;
      if (describe(layout, m, d, p.u, limits, edges, closed, snapped)) {
        // Towards edges: the mode is there when they belong to the support.
        if (closed && std::isfinite(tape.forward(snapped))) {
          f.values = snapped;
          return true;
        }
        f.note = the + " is on the boundary " + join(edges);
        return true;
      }
      f.note = the + " does not exist: the " + density + " keeps increasing as " + join(limits) +
               ", without reaching a maximum (the optimiser stopped where it has levelled off "
               "to rounding)";
      return true;
    };
    if (p.converged && p.pd && levelled()) return f;
    // The coordinates the flattest direction moves.
    auto flat_names = [&]() {
      std::vector<std::string> names;
      for (Eigen::Index k = 0; k < p.flattest.size(); ++k)
        if (std::fabs(p.flattest[k]) >= 0.1 * inf_norm(p.flattest))
          names.push_back(layout.name(m, static_cast<std::size_t>(k)));
      return names;
    };
    // Forward differences judge curvature only to about 1e-7: a Hessian that
    // singular is measured again centrally, and if it stays singular, the
    // profile along the flattest coordinate tells a ridge (a curve of equally
    // good points: y ~ Normal(a * b, 1)) from a mode.
    auto ridge = [&]() {
      if (l1 || p.flattest.size() == 0) return false;
      Eigen::Index k;
      p.flattest.cwiseAbs().maxCoeff(&k);
      std::vector<std::string> names = flat_names();
      for (double sign : {1.0, -1.0}) {
        Ray ray = follow_profile(obj, p, k, sign, opt);
        if (ray.end != Ray::End::Flat) continue;
        f.note = the + " is not unique: the " + density + " is flat along a curve through " +
                 "this point, on which " + join(names) + " change together (the data do not " +
                 "identify them separately)";
        return true;
      }
      return false;
    };
    if (p.converged && p.pd && !l1 && nearly_singular(obj, p) && ridge()) return f;
    if (p.converged && (p.pd || l1)) {
      f.interior = p.pd;
      return f;
    }
    // Which way does the mode run? Along the Newton step where the curvature
    // is positive; else along the flattest direction, both ways.
    if (!l1 && !p.central) curvature(obj, p);  // central differences: a cleaner direction
    std::vector<VectorXd> directions;
    if (p.pd && !l1) {
      directions.push_back(p.step / inf_norm(p.step));
    } else if (p.flattest.size() && !l1) {
      VectorXd v = p.flattest / inf_norm(p.flattest);
      if (v.dot(p.g) > 0) v = -v;
      directions = {v, -v};
    }
    // Then, if no straight line escapes, the profiles along the coordinates
    // the gradient pushes hardest.
    // (First the coordinate the Newton step moves most, when the steps run off.)
    std::vector<Eigen::Index> order;
    Eigen::Index lead = -1;
    if (!l1 && p.escaping && p.pd) {
      p.step.cwiseAbs().maxCoeff(&lead);
      order.push_back(lead);
    }
    std::vector<Eigen::Index> pushed;
    if (!l1)
      for (Eigen::Index k = 0; k < dim; ++k)
        if (p.g[k] != 0 && k != lead) pushed.push_back(k);
    std::sort(pushed.begin(), pushed.end(), [&](Eigen::Index a, Eigen::Index b) {
      return std::fabs(p.g[a]) > std::fabs(p.g[b]);
    });
    if (pushed.size() > 3) pushed.resize(3);
    order.insert(order.end(), pushed.begin(), pushed.end());
    std::size_t straight = directions.size();
    for (auto k : order) {
      VectorXd d = VectorXd::Zero(dim);
      double toward = k == lead ? p.step[k] : -p.g[k];
      d[k] = toward > 0 ? 1 : -1;
      directions.push_back(d);
    }
    bool small_gradient = p.g.norm() <= 1e-6 * std::max(1.0, std::fabs(p.f));
    for (std::size_t di = 0; di < directions.size(); ++di) {
      const VectorXd& d = directions[di];
      bool leading = lead >= 0 && di == straight;
      if (di >= straight && !leading && (p.converged || small_gradient)) break;
      Eigen::Index k = 0;
      if (di >= straight) d.cwiseAbs().maxCoeff(&k);
      Ray ray = di < straight ? follow(obj, p, d) : follow_profile(obj, p, k, d[k], opt);
      if (ray.end == Ray::End::Rises) continue;
      std::vector<std::string> limits, edges;
      bool closed = false;
      std::vector<VectorXd> snapped = f.values;
      bool to_edges = describe(layout, m, d, ray.far, limits, edges, closed, snapped);
      if (ray.end == Ray::End::Flat) {
        f.note = the + " does not exist: the " + density + " is flat along " + join(limits) +
                 (density == "likelihood" ? " (the data do not identify it)" : " (improper)");
        return f;
      }
      if (to_edges && !ray.unbounded) {
        // The supremum is on the edge: the mode when the edge belongs to the support.
        if (closed && std::isfinite(tape.forward(snapped))) {
          f.values = snapped;
          return f;
        }
        f.note = the + " is on the boundary " + join(edges);
        return f;
      }
      f.note =
          the + " does not exist: the " + density +
          (ray.unbounded ? " increases without bound as " + join(limits)
                         : " keeps increasing as " + join(limits) + ", without reaching a maximum");
      return f;
    }
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
    VectorXd pg = p.g;  // with L1 coordinates: the pseudo-gradient
    for (std::size_t i = 0; i < l1; ++i) {
      auto k = static_cast<Eigen::Index>(i);
      pg[k] = p.u[k] != 0 ? pg[k] + (p.u[k] > 0 ? 1 : -1) : std::max(0.0, std::fabs(pg[k]) - 1);
    }
    if (pg.norm() <= 1e-6 * std::max(1.0, std::fabs(p.f))) {
      if (levelled()) return f;
      // A small gradient where the curvature is not positive is no mode
      // either: a ridge, or at least a direction the data do not fix.
      if (!l1 && !p.pd && !p.central) curvature(obj, p);
      if (!l1 && (!p.pd || nearly_singular(obj, p))) {
        if (ridge()) return f;
        f.note = the + " is not unique: the " + density +
                 " has no curvature at this point along a direction in which " +
                 join(flat_names()) + " change together (the data do not identify them " +
                 "separately)";
        return f;
      }
      f.interior = p.pd;
      return f;
    }
    // Round after round the density rose by about as much as the round
    // before while one coordinate ran off the same way: a ridge that neither
    // straight lines nor profiles could follow (the funnel of a hierarchical
    // model, tau -> 0 with every theta -> mu, where the inner optimisations
    // reach the rounding floor).
    if (!l1) {
      if (auto k = running_off(visits)) {
        VectorXd d = VectorXd::Zero(dim);
        d[k->first] = k->second;
        std::vector<std::string> limits, edges;
        bool closed = false;
        std::vector<VectorXd> snapped = f.values;
        describe(layout, m, d, p.u, limits, edges, closed, snapped);
        f.note = the + " does not exist: the " + density + " increases without bound as " +
                 join(limits) + " (it rose by " + conjugate::num(visits.front().first - p.f) +
                 " in log density, with no sign of levelling off)";
        return f;
      }
    }
    break;
  }
  f.evaluations = obj.evaluations;
  failure = Failure{failed(what, f)};
  f.note = failure->message;
  return f;
}

Fit fit(const Model& m, Tape& tape, const Layout& layout, const Options& opt, bool jacobian,
        const char* what, std::optional<Failure>& failure, std::size_t l1 = 0,
        double l1_constant = 0, double strong = 0, const Glm* glm = nullptr,
        const VectorXd* start = nullptr) {
  Objective obj(tape, layout, m, jacobian, l1);
  obj.glm = glm;
  Fit f = fit(obj, m, tape, layout, opt, what, failure, l1, l1_constant, strong, start);
  f.evaluations = obj.evaluations;
  return f;
}

}  // namespace

std::optional<solution::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, const Options& opt,
                                        std::string& why, std::optional<Failure>& failure) {
  conjugate::ComponentView v = conjugate::view(g, c);
  // Laplace(loc, scale) priors with data arguments go to OWL-QN as an L1
  // penalty, so the MAP has exact zeros (the lasso); their parameters come
  // first in u, scaled so that the penalty is sum |u_i|.
  solution::Solution sol;
  std::vector<std::size_t> smooth_priors, l1_params;
  double l1_constant = 0;  // sum log(2 scale): the Laplace densities' normalisers
  std::map<std::size_t, std::pair<Value, Value>> l1_args;
  for (auto pi : v.priors) {
    const Prior& pr = m.priors[pi];
    bool l1 = pr.family && pr.family->name == "Laplace" && conjugate::fixed_args(pr);
    if (!l1) {
      smooth_priors.push_back(pi);
      continue;
    }
    for (auto p : pr.params) {
      l1_params.push_back(p);
      l1_args[p] = {conjugate::eval_data(m, *pr.args[0]), conjugate::eval_data(m, *pr.args[1])};
    }
  }
  // Discrete parameters among continuous ones are summed out inside the density.
  std::vector<std::size_t> marginal;
  for (auto p : c.params)
    if (m.params[p].discrete) marginal.push_back(p);
  std::vector<std::size_t> order = l1_params;
  for (auto p : c.params)
    if (std::find(l1_params.begin(), l1_params.end(), p) == l1_params.end() &&
        !m.params[p].discrete)
      order.push_back(p);
  Layout layout;
  std::size_t l1_dim = 0;
  for (auto p : order) {
    auto t = transform_of(m, p, v.observations, why);
    if (!t) return std::nullopt;
    t->offset = layout.dim;
    layout.dim += t->dim;
    if (l1_args.count(p)) {
      const auto& [loc, scale] = l1_args[p];
      for (std::size_t i = 0; i < t->size; ++i) {
        t->shift.push_back(conjugate::at(loc, i));
        t->scale.push_back(conjugate::at(scale, i));
        l1_constant += std::log(2 * conjugate::at(scale, i));
      }
      l1_dim += t->dim;
    }
    layout.transforms.push_back(*t);
  }
  // Newton steps and the Laplace approximation use a dense Hessian.
  if (layout.dim > solution::kMaxDenseUnknowns) {
    why = "the numeric engine uses a dense Hessian, and this component has " +
          std::to_string(layout.dim) + " unknown coordinates (at most " +
          std::to_string(solution::kMaxDenseUnknowns) + ")";
    return std::nullopt;
  }
  auto posterior = Tape::compile(m, smooth_priors, v.observations, why, marginal);
  if (!posterior) return std::nullopt;
  // The likelihood keeps the mixing distribution of summed-out labels.
  std::vector<std::size_t> mixing;
  for (auto p : marginal) mixing.push_back(m.params[p].prior);
  std::optional<Tape> likelihood;  // only for an mle()
  if (opt.mle) {
    likelihood = Tape::compile(m, mixing, v.observations, why, marginal);
    if (!likelihood) return std::nullopt;
  }

  // Strong concavity (Normal priors, concave likelihoods of affine
  // predictors) spares the Hessian when only points are asked for.
  double strong = 0;
  if (!l1_dim && marginal.empty())
    strong = strong_concavity(m, smooth_priors, v.observations).value_or(0);
  // Generalised linear models on the real line have an exact Hessian.
  bool identity = !l1_dim && marginal.empty();
  for (const auto& t : layout.transforms)
    identity = identity && t.kind == Transform::Kind::Identity && t.shift.empty();
  std::optional<Glm> glm_map, glm_mle;
  if (identity) {
    glm_map = Glm::of(m, smooth_priors, v.observations, order, true);
    if (opt.mle) glm_mle = Glm::of(m, smooth_priors, v.observations, order, false);
  }
  Fit map = fit(m, *posterior, layout, opt, opt.jacobian, "MAP", failure, l1_dim, l1_constant,
                strong, glm_map ? &*glm_map : nullptr);
  if (l1_dim)
    sol.explain.push_back(
        "Laplace priors: OWL-QN (L1), so coordinates can be exactly 0, as in the lasso");
  // A MAP that failed fails the component, unless an mle() is asked for: it
  // can still be answered, and map() then reports the failure.
  if (failure && !opt.mle) return std::nullopt;
  if (failure) failure.reset();
  std::optional<Failure> mle_failure;
  Fit mle;
  if (opt.mle) {
    // From the MAP when there is one: near, and off the symmetric saddle a
    // mixture's zero start sits on.
    bool from_map = map.note.empty() && map.point.u.size() == static_cast<Eigen::Index>(layout.dim);
    mle = fit(m, *likelihood, layout, opt, false, "MLE", mle_failure, 0, 0, 0,
              glm_mle ? &*glm_mle : nullptr, from_map ? &map.point.u : nullptr);
    if (mle_failure && mle.note.empty()) mle.note = mle_failure->message;
  } else {
    mle.note = "the MLE was not computed (no mle() query)";
  }

  sol.method = "numeric";
  const std::string optimiser = l1_dim ? "OWL-QN" : "L-BFGS";
  sol.rule = optimiser + (opt.jacobian ? ", mode on the unconstrained scale (Jacobian included)"
                                       : ", mode in the original parameterisation");
  sol.explain.push_back("numeric: " + optimiser + " on " + std::to_string(layout.dim) +
                        " unconstrained coordinates, exact gradients by automatic differentiation");
  std::string polish =
      map.bound >= 0 ? "" : ", then " + std::to_string(map.point.newton) + " Newton steps";
  sol.explain.push_back("MAP: " + map.run.said() + polish + "; " + std::to_string(map.evaluations) +
                        " gradient evaluations, gradient norm " +
                        conjugate::num(map.point.g.norm()) + ", log density " +
                        conjugate::num(-map.f));
  if (map.bound >= 0)
    sol.explain.push_back(
        "MAP: the log density is strongly concave (Normal priors, likelihoods concave in "
        "affine predictors), so this is its only mode; |gradient| / " +
        conjugate::num(strong) + " bounds the distance to it: " + conjugate::num(map.bound));

  // The Laplace approximation: a Normal on the unconstrained scale, centred
  // at the mode of the density of u (the Jacobian included, as Stan's
  // Laplace sampler does), with the Hessian there. Under `jacobian` that is
  // the MAP itself; else it is found from the MAP, which stays the reported
  // mode. (A Normal centred at the MAP in the original parameterisation is
  // off-centre on the u scale: for a Gamma(a, b) posterior, at log((a-1)/b)
  // rather than log(a/b).)
  bool reals = true;
  for (const auto& t : layout.transforms) reals = reals && t.kind == Transform::Kind::Identity;
  Fit centre;
  bool use_centre = false;
  if (map.note.empty() && map.interior && opt.laplace && !opt.jacobian && !reals) {
    std::optional<Failure> centre_failure;
    centre = fit(m, *posterior, layout, opt, true, "MAP", centre_failure, l1_dim, l1_constant, 0,
                 nullptr, &map.point.u);
    use_centre = !centre_failure && centre.note.empty() && centre.interior;
  }
  const Fit& at = use_centre ? centre : map;
  const Eigen::MatrixXd& H = at.point.H;
  Eigen::LLT<Eigen::MatrixXd> llt;
  bool laplace = false;
  std::string laplace_note;
  if (map.note.empty() && map.interior && opt.laplace && (use_centre || reals || opt.jacobian)) {
    llt.compute(H);
    laplace = llt.info() == Eigen::Success;
  }
  if (map.note.empty() && !laplace && !opt.laplace)
    laplace_note = "no Laplace approximation: not asked for";
  else if (map.note.empty() && map.interior && !laplace && !use_centre && !reals && !opt.jacobian)
    laplace_note =
        "no Laplace approximation: the density of the unconstrained coordinates (the Jacobian "
        "included) has no interior mode to centre it on";
  else if (map.note.empty() && !laplace)
    laplace_note =
        "no Laplace approximation: the mode is on the edge of the support or the "
        "curvature there is not positive";
  Eigen::MatrixXd cov_u =
      laplace ? Eigen::MatrixXd(llt.solve(Eigen::MatrixXd::Identity(H.rows(), H.cols())))
              : Eigen::MatrixXd();
  for (const auto& t : layout.transforms) {
    solution::ParamResult r;
    r.param = t.param;
    const bool scalar = m.params[t.param].type.is_scalar();  // w[1] stays a vector
    Value mode_value = scalar
                           ? Value::scalar(map.values[t.param][0])
                           : Value::vector(std::vector<double>(
                                 map.values[t.param].data(), map.values[t.param].data() + t.size));
    if (map.note.empty())
      r.map = mode_value;
    else
      r.map_note = map.note;
    if (mle.note.empty()) {
      const VectorXd& x = mle.values[t.param];
      r.mle = scalar ? Value::scalar(x[0])
                     : Value::vector(std::vector<double>(x.data(), x.data() + t.size));
    } else {
      r.mle_note = mle.note;
    }
    solution::ClosedForm& cf = r.posterior;
    cf.family = "Laplace approximation";
    if (laplace && t.kind != Transform::Kind::Simplex) {
      // Normal on the unconstrained scale, mapped back: mean and sd of the
      // mapped Normal (by quadrature; exact for the identity), interval ends
      // and cdf transformed (so they respect the support).
      std::vector<double> sds(t.size), means(t.size);
      std::vector<double> su(t.size), uu(t.size);
      for (std::size_t i = 0; i < t.size; ++i) {
        auto k = static_cast<Eigen::Index>(t.offset + i);
        su[i] = std::sqrt(cov_u(k, k));
        uu[i] = at.point.u[k];
        if (t.kind == Transform::Kind::Identity) {
          means[i] = t.back(i, uu[i]), sds[i] = std::fabs(t.b(i)) * su[i];
          continue;
        }
        // E g(u) = integral of g(mu + s z) phi(z) over |z| < 9 (Gauss-Legendre).
        auto moment = [&](int power) {
          return boost::math::quadrature::gauss<double, 40>::integrate(
              [&](double z) {
                double x = t.back(i, uu[i] + su[i] * z);
                return std::pow(x, power) * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
              },
              -9.0, 9.0);
        };
        double m1 = moment(1), m2 = moment(2);
        means[i] = m1, sds[i] = std::sqrt(std::max(0.0, m2 - m1 * m1));
      }
      Transform tt = t;
      cf.mean = scalar ? Value::scalar(means[0]) : Value::vector(means);
      cf.sd = scalar ? Value::scalar(sds[0]) : Value::vector(sds);
      cf.mode = mode_value;
      cf.params.push_back({"mode", mode_value});
      cf.params.push_back({"sd", cf.sd});
      // x = hi - exp(u) decreases in u: the p quantile of x is the 1 - p
      // quantile of u mapped back.
      auto q = [uu, su, tt](std::size_t i, double p) {
        boost::math::normal_distribution<double> nd(uu[i], su[i]);
        return tt.back(i, boost::math::quantile(nd, tt.kind == Transform::Kind::Upper ? 1 - p : p));
      };
      // P(x_i <= x): the Normal cdf of the unconstrained value of x.
      auto cdf = [uu, su, tt](std::size_t i, double x) {
        double v = (x - tt.a(i)) / tt.b(i);
        switch (tt.kind) {
          case Transform::Kind::Lower:
            v = x > tt.lo ? std::log(x - tt.lo) : -INFINITY;
            break;
          case Transform::Kind::Upper:
            v = x < tt.hi ? std::log(tt.hi - x) : -INFINITY;
            break;
          case Transform::Kind::Interval: {
            double s = (x - tt.lo) / (tt.hi - tt.lo);
            v = s <= 0 ? -INFINITY : s >= 1 ? INFINITY : std::log(s / (1 - s));
            break;
          }
          default:
            break;
        }
        boost::math::normal_distribution<double> nd(uu[i], su[i]);
        double c = std::isinf(v) ? (v > 0 ? 1.0 : 0.0) : boost::math::cdf(nd, v);
        return tt.kind == Transform::Kind::Upper ? 1 - c : c;
      };
      if (scalar) {
        cf.quantile = [q](double p) { return q(0, p); };
        cf.cdf = [cdf](double x) { return cdf(0, x); };
      } else {
        cf.element_quantile = q;
        cf.element_cdf = cdf;
      }
    } else if (laplace) {
      // A simplex: x = softmax([u, 0]), d x_i / d u_j = x_i (delta_ij - x_j).
      // sd by the delta method; each element's interval from a Normal on its
      // logit (so it stays inside (0, 1)), by the delta method again.
      auto K = static_cast<Eigen::Index>(t.size), D = static_cast<Eigen::Index>(t.dim);
      const VectorXd& x = at.values[t.param];
      MatrixXd J(K, D);
      for (Eigen::Index i = 0; i < K; ++i)
        for (Eigen::Index j = 0; j < D; ++j) J(i, j) = x[i] * ((i == j ? 1.0 : 0.0) - x[j]);
      auto off = static_cast<Eigen::Index>(t.offset);
      MatrixXd cov_x = J * cov_u.block(off, off, D, D) * J.transpose();
      std::vector<double> sds(t.size), mid(t.size), spread(t.size);
      for (Eigen::Index i = 0; i < K; ++i) {
        auto ii = static_cast<std::size_t>(i);
        double var = std::max(0.0, cov_x(i, i)), w = x[i] * (1 - x[i]);
        sds[ii] = std::sqrt(var);
        mid[ii] = std::log(x[i]) - std::log1p(-x[i]);
        spread[ii] = std::sqrt(var) / w;  // d logit(x) / dx = 1 / (x (1 - x))
      }
      // The mean is the centre mapped back (the delta method's); the mode the MAP.
      cf.mean = Value::vector(std::vector<double>(x.data(), x.data() + t.size));
      cf.sd = Value::vector(sds);
      cf.mode = mode_value;
      cf.params.push_back({"mode", mode_value});
      cf.params.push_back({"sd", cf.sd});
      cf.element_quantile = [mid, spread](std::size_t i, double p) {
        boost::math::normal_distribution<double> nd(mid[i], spread[i] > 0 ? spread[i] : 1e-300);
        return logistic(boost::math::quantile(nd, p));
      };
    } else {
      cf.mean = mode_value;
      cf.sd = Value::scalar(NAN);
      cf.mode_note = !map.note.empty() ? map.note : laplace_note;
    }
    sol.params.push_back(std::move(r));
  }
  // Summed-out labels: each element's class probabilities given the other
  // parameters at the MAP (and the MLE), and the most probable class.
  auto labels = [&](Tape& tape, const std::vector<VectorXd>& at) {
    tape.forward(at);
    return tape.responsibilities();
  };
  if (!marginal.empty() && map.note.empty()) {
    auto at_map = labels(*posterior, map.values);
    std::vector<std::pair<std::size_t, Eigen::MatrixXd>> at_mle;
    if (mle.note.empty()) at_mle = labels(*likelihood, mle.values);
    for (std::size_t j = 0; j < at_map.size(); ++j) {
      const auto& [p, R] = at_map[j];
      solution::ParamResult r;
      r.param = p;
      auto rows = static_cast<std::size_t>(R.rows()), K = static_cast<std::size_t>(R.cols());
      std::vector<double> probs(rows * K), best(rows), mean(rows), sd(rows);
      for (std::size_t i = 0; i < rows; ++i) {
        Eigen::Index arg;
        R.row(static_cast<Eigen::Index>(i)).maxCoeff(&arg);
        best[i] = static_cast<double>(arg + 1);
        double mu = 0, sq = 0;
        for (std::size_t k = 0; k < K; ++k) {
          double w = R(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k));
          probs[k * rows + i] = w;
          mu += w * static_cast<double>(k + 1), sq += w * static_cast<double>((k + 1) * (k + 1));
        }
        mean[i] = mu, sd[i] = std::sqrt(std::max(0.0, sq - mu * mu));
      }
      bool scalar = m.params[p].type.is_scalar();
      auto vec = [scalar](const std::vector<double>& x) {
        return scalar ? Value::scalar(x[0]) : Value::vector(x);
      };
      r.posterior.family = "Categorical";
      r.posterior.discrete = true;
      r.posterior.params.push_back(
          {"probs", scalar ? Value::vector(probs) : Value::matrix(rows, K, probs)});
      r.posterior.mean = vec(mean);
      r.posterior.sd = vec(sd);
      r.posterior.mode = vec(best);
      r.map = vec(best);
      if (!at_mle.empty()) {
        std::vector<double> mb(rows);
        for (std::size_t i = 0; i < rows; ++i) {
          Eigen::Index arg;
          at_mle[j].second.row(static_cast<Eigen::Index>(i)).maxCoeff(&arg);
          mb[i] = static_cast<double>(arg + 1);
        }
        r.mle = vec(mb);
      } else {
        r.mle_note = mle.note;
      }
      sol.params.push_back(std::move(r));
      sol.explain.push_back(
          "'" + m.params[p].name +
          "' summed out exactly (log-sum-exp over its classes); its class probabilities are "
          "given the other parameters at the MAP");
    }
  }
  if (laplace) {
    // Draws: u ~ Normal(mode, H^-1), mapped back; then each summed-out label
    // from its class probabilities given that draw.
    Eigen::MatrixXd L = Eigen::LLT<Eigen::MatrixXd>(cov_u).matrixL();
    VectorXd u0 = at.point.u;
    Layout lay = layout;
    std::shared_ptr<Tape> tape;
    if (!marginal.empty()) tape = std::make_shared<Tape>(std::move(*posterior));
    std::vector<bool> scalar(m.params.size());
    for (std::size_t p = 0; p < m.params.size(); ++p) scalar[p] = m.params[p].type.is_scalar();
    sol.draw = [L, u0, lay, tape, scalar](dist::Rng& rng, std::vector<Value>& out) {
      std::normal_distribution<double> z(0, 1);
      VectorXd e(u0.size());
      for (Eigen::Index i = 0; i < e.size(); ++i) e[i] = z(rng);
      std::vector<VectorXd> values(out.size());
      lay.constrain(u0 + L * e, values);
      for (const auto& t : lay.transforms) {
        const VectorXd& x = values[t.param];
        out[t.param] = scalar[t.param]
                           ? Value::scalar(x[0])
                           : Value::vector(std::vector<double>(x.data(), x.data() + t.size));
      }
      if (!tape) return;
      tape->forward(values);
      std::uniform_real_distribution<double> unif(0, 1);
      for (const auto& [p, R] : tape->responsibilities()) {
        std::vector<double> label(static_cast<std::size_t>(R.rows()));
        for (Eigen::Index i = 0; i < R.rows(); ++i) {
          double r = unif(rng), acc = 0;
          Eigen::Index k = 0;
          while (k + 1 < R.cols() && (acc += R(i, k)) <= r) ++k;
          label[static_cast<std::size_t>(i)] = static_cast<double>(k + 1);
        }
        out[p] = scalar[p] ? Value::scalar(label[0]) : Value::vector(label);
      }
    };
  }
  // A flat prior on an unbounded range has no normalising constant, so there
  // is no evidence; a flat prior on (lo, hi) is Uniform(lo, hi): 1 / (hi - lo)
  // per element, which the density left out.
  std::string improper;
  double flat_log_density = 0;
  {
    std::vector<std::size_t> seen;
    for (auto p : c.params) {
      std::size_t pi = m.params[p].prior;
      if (std::find(seen.begin(), seen.end(), pi) != seen.end()) continue;
      seen.push_back(pi);
      const Prior& pr = m.priors[pi];
      if (pr.family) continue;
      if (std::isfinite(pr.lower) && std::isfinite(pr.upper)) {
        for (auto q : pr.params)
          flat_log_density -=
              static_cast<double>(m.params[q].type.rows) * std::log(pr.upper - pr.lower);
      } else if (improper.empty()) {
        improper = "the prior of '" + m.params[p].name + "' is " + pr.text +
                   ", which is improper, so the evidence is not defined (give it a proper prior)";
      }
    }
  }
  if (!laplace) {
    sol.draw = nullptr;
    sol.evidence_note = !map.note.empty() ? map.note : laplace_note;
  } else if (!improper.empty()) {
    sol.evidence_note = improper;
  } else if (!marginal.empty()) {
    sol.evidence_note =
        "the labels summed out make one mode per relabelling of the classes, and a Laplace "
        "approximation at one mode does not count the others";
  } else {
    // Evidence (Laplace). At the mode in theta: log p(D, theta*) + d/2 log(2 pi)
    // - 1/2 log |H_theta|, with log |H_theta| = log |H_u| - 2 log |d theta / d u|
    // (every coordinate's, the scales of L1 coordinates included). Under
    // `jacobian`, and at the centre found with it, the objective already holds
    // log |J|: Laplace on the u scale.
    double logj = opt.jacobian || use_centre ? 0.0 : layout.log_jacobian(at.point.u, at.values);
    double logdet_u = 2 * Eigen::MatrixXd(llt.matrixL()).diagonal().array().log().sum();
    double d = static_cast<double>(layout.dim);
    sol.log_evidence =
        -at.f + flat_log_density + 0.5 * d * std::log(2 * M_PI) - 0.5 * logdet_u + logj;
  }
  return sol;
}

}  // namespace bayes::numeric
