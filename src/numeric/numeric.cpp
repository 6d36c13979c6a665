// The numeric engine: transforms to an unconstrained space, L-BFGS (LBFGS++)
// on minus the log density with exact gradients from the tape, the MAP in the
// original parameterisation (no Jacobian term, as Stan's optimize), the MLE
// with the priors dropped, and the Laplace approximation at the mode.
#include "numeric/numeric.hpp"

#include <LBFGS.h>
#include <lbfgs.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <map>
#include <random>

#include "conjugate/component.hpp"
#include "conjugate/patterns.hpp"
#include "numeric/tape.hpp"

namespace bayes::numeric {

namespace {

using Eigen::VectorXd;

// How one parameter maps from the unconstrained space.
struct Transform {
  enum class Kind { Identity, Lower, Upper, Interval, Simplex } kind = Kind::Identity;
  double lo = -INFINITY, hi = INFINITY;
  std::size_t param = 0;
  std::size_t size = 1;    // constrained length
  std::size_t offset = 0;  // into u
  std::size_t dim = 1;     // unconstrained length (size - 1 for a simplex)
  // Identity only: theta_i = shift_i + scale_i * u_i (an L1 coordinate is
  // scaled so that its Laplace(shift, scale) prior becomes |u_i|).
  std::vector<double> shift, scale;
  double a(std::size_t i) const { return shift.empty() ? 0.0 : shift[i]; }
  double b(std::size_t i) const { return scale.empty() ? 1.0 : scale[i]; }
};

double logistic(double x) {
  return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}

// The support of a parameter, from its prior's family (and its data arguments).
std::optional<Transform> transform_of(const Model& m, std::size_t p, std::string& why) {
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
          lo = a, hi = conjugate::eval_data(m, *pr.args[1])[0];
        else
          lo = a;  // Pareto(xmin, alpha)
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

  // theta(u), the derivative d theta / d u (diagonal, or the simplex's
  // Jacobian applied later), and the log |Jacobian|.
  void constrain(const VectorXd& u, std::vector<VectorXd>& values) const {
    for (const auto& t : transforms) {
      VectorXd& x = values[t.param];
      x.resize(static_cast<Eigen::Index>(t.size));
      for (std::size_t i = 0; i < t.dim; ++i) {
        double v = u[static_cast<Eigen::Index>(t.offset + i)];
        switch (t.kind) {
          case Transform::Kind::Identity:
            x[static_cast<Eigen::Index>(i)] = t.a(i) + t.b(i) * v;
            break;
          case Transform::Kind::Lower:
            x[static_cast<Eigen::Index>(i)] = t.lo + std::exp(v);
            break;
          case Transform::Kind::Upper:
            x[static_cast<Eigen::Index>(i)] = t.hi - std::exp(v);
            break;
          case Transform::Kind::Interval:
            x[static_cast<Eigen::Index>(i)] = t.lo + (t.hi - t.lo) * logistic(v);
            break;
          case Transform::Kind::Simplex:
            break;
        }
      }
      if (t.kind == Transform::Kind::Simplex) {  // additive log-ratio: softmax([u, 0])
        VectorXd z(static_cast<Eigen::Index>(t.size));
        for (std::size_t i = 0; i < t.dim; ++i)
          z[static_cast<Eigen::Index>(i)] = u[static_cast<Eigen::Index>(t.offset + i)];
        z[static_cast<Eigen::Index>(t.dim)] = 0;
        double mx = z.maxCoeff();
        z = (z.array() - mx).exp();
        x = z / z.sum();
      }
    }
  }

  // Chain rule: du = J' dtheta; plus, with `jacobian`, the log |J| term and
  // its gradient. Returns log |J|.
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
};

// Minus the log density on the unconstrained space, for LBFGS++.
struct Objective {
  Tape& tape;
  const Layout& layout;
  const Model& m;
  bool jacobian;
  std::size_t evaluations = 0;

  double operator()(const VectorXd& u, VectorXd& grad) {
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
    return -(lp + logj);
  }
};

struct Mode {
  VectorXd u;
  double f = INFINITY;
  int iterations = 0;
  double grad_norm = NAN;
  std::string error;  // the optimiser's failure, if any
};

Mode optimise(Objective& obj, std::size_t dim, const Options& opt) {
  LBFGSpp::LBFGSParam<double> param;
  param.epsilon = 1e-10;
  param.epsilon_rel = 1e-10;
  param.past = 3;
  param.delta = 1e-15;
  param.max_iterations = static_cast<int>(opt.max_iterations);
  param.max_linesearch = 60;
  Mode best;
  std::mt19937_64 rng(opt.seed);
  std::normal_distribution<double> z(0, 2);
  for (std::size_t r = 0; r < std::max<std::size_t>(1, opt.restarts); ++r) {
    VectorXd u = VectorXd::Zero(static_cast<Eigen::Index>(dim));
    if (r > 0)
      for (Eigen::Index i = 0; i < u.size(); ++i) u[i] = z(rng);
    Mode m;
    try {
      LBFGSpp::LBFGSSolver<double> solver(param);
      double fx;
      m.iterations = solver.minimize(obj, u, fx);
      m.u = u;
      VectorXd g;
      m.f = obj(u, g);
      m.grad_norm = g.norm();
    } catch (const std::exception& e) {
      // The line search gave up: often already at the optimum to machine
      // precision; judged by the gradient below.
      VectorXd g;
      m.u = u;
      m.f = obj(u, g);
      m.grad_norm = g.norm();
      m.error = e.what();
    }
    if (m.f < best.f || r == 0) best = m;
  }
  return best;
}

// OWL-QN (liblbfgs): minimises obj(u) + sum_{i < l1} |u_i|, reaching exact
// zeros (Andrew & Gao 2007, "Scalable training of L1-regularized log-linear models").
Mode optimise_l1(Objective& obj, std::size_t dim, std::size_t l1, const Options& opt) {
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
  for (std::size_t i = 0; i < dim; ++i) x[i] = 0;
  struct Ctx {
    Objective* obj;
    std::size_t dim;
    int iterations = 0;
  } ctx{&obj, dim};
  auto evaluate = [](void* instance, const lbfgsfloatval_t* xs, lbfgsfloatval_t* g, const int n,
                     const lbfgsfloatval_t) -> lbfgsfloatval_t {
    auto* c = static_cast<Ctx*>(instance);
    VectorXd u = Eigen::Map<const VectorXd>(xs, n), grad;
    double f = (*c->obj)(u, grad);
    for (int i = 0; i < n; ++i) g[i] = grad[i];
    return f;
  };
  auto progress = [](void* instance, const lbfgsfloatval_t*, const lbfgsfloatval_t*,
                     const lbfgsfloatval_t, const lbfgsfloatval_t, const lbfgsfloatval_t,
                     const lbfgsfloatval_t, int, int k, int) -> int {
    static_cast<Ctx*>(instance)->iterations = k;
    return 0;
  };
  lbfgsfloatval_t fx = 0;
  int status = lbfgs(static_cast<int>(dim), x, &fx, evaluate, progress, &ctx, &param);
  Mode m;
  m.u = Eigen::Map<const VectorXd>(x, static_cast<Eigen::Index>(dim));
  lbfgs_free(x);
  m.iterations = ctx.iterations;
  VectorXd g;
  m.f = obj(m.u, g) + m.u.head(static_cast<Eigen::Index>(l1)).cwiseAbs().sum();
  // The norm of the pseudo-gradient: zero coordinates count only when the
  // smooth gradient exceeds the L1 weight.
  for (std::size_t i = 0; i < l1; ++i) {
    auto k = static_cast<Eigen::Index>(i);
    if (m.u[k] > 0)
      g[k] += 1;
    else if (m.u[k] < 0)
      g[k] -= 1;
    else
      g[k] = std::fabs(g[k]) <= 1 ? 0 : g[k] - (g[k] > 0 ? 1 : -1);
  }
  m.grad_norm = g.norm();
  bool ok = status == LBFGS_SUCCESS || status == LBFGS_CONVERGENCE || status == LBFGS_STOP ||
            status == LBFGS_ALREADY_MINIMIZED || status == LBFGSERR_ROUNDING_ERROR ||
            status == LBFGSERR_MINIMUMSTEP || status == LBFGSERR_MAXIMUMLINESEARCH;
  if (!ok) m.error = "liblbfgs status " + std::to_string(status);
  return m;
}

// Hessian of the objective at u by central differences of the exact gradient.
Eigen::MatrixXd hessian(Objective& obj, const VectorXd& u) {
  auto n = u.size();
  Eigen::MatrixXd H(n, n);
  VectorXd gp, gm;
  for (Eigen::Index j = 0; j < n; ++j) {
    double h = 1e-5 * std::max(1.0, std::fabs(u[j]));
    VectorXd up = u, um = u;
    up[j] += h;
    um[j] -= h;
    obj(up, gp);
    obj(um, gm);
    H.col(j) = (gp - gm) / (2 * h);
  }
  return (H + H.transpose()) / 2;
}

// Where the optimum ran off to a boundary or to infinity, in words.
std::string diverged(const Layout& layout, const Model& m, const VectorXd& u,
                     const std::vector<VectorXd>& values, const char* what) {
  for (const auto& t : layout.transforms) {
    for (std::size_t i = 0; i < t.dim; ++i) {
      double v = u[static_cast<Eigen::Index>(t.offset + i)];
      std::string name =
          m.params[t.param].name + (t.size > 1 ? "[" + std::to_string(i + 1) + "]" : "");
      double x = values[t.param][static_cast<Eigen::Index>(i)];
      bool bounded = t.kind != Transform::Kind::Identity;
      if (bounded && std::fabs(v) > 25) {
        double edge = t.kind == Transform::Kind::Lower   ? t.lo
                      : t.kind == Transform::Kind::Upper ? t.hi
                                                         : (v > 0 ? t.hi : t.lo);
        if (t.kind == Transform::Kind::Simplex)
          return std::string("the ") + what + " is on the boundary of the simplex";
        if (t.kind == Transform::Kind::Lower && v > 25)
          return std::string("the ") + what + " does not exist: " + name + " grows without bound";
        return std::string("the ") + what + " is on the boundary " + name + " = " +
               conjugate::num(edge);
      }
      if (!bounded && std::fabs(x) > 1e6)
        return std::string("the ") + what + " does not exist: " + name +
               " grows without bound (for a logistic regression: the data are separable)";
    }
  }
  return "";
}

struct Fit {
  std::vector<VectorXd> values;
  std::string note;  // why there is no answer
  Mode mode;
};

Fit fit(const Model& m, Tape& tape, const Layout& layout, const Options& opt, bool jacobian,
        const char* what, std::optional<Failure>& failure, std::size_t l1 = 0,
        double l1_constant = 0) {
  Objective obj{tape, layout, m, jacobian};
  Fit f;
  f.mode = l1 ? optimise_l1(obj, layout.dim, l1, opt) : optimise(obj, layout.dim, opt);
  f.mode.f += l1_constant;
  f.values.resize(m.params.size());
  layout.constrain(f.mode.u, f.values);
  std::string div = diverged(layout, m, f.mode.u, f.values, what);
  if (!div.empty()) {
    f.note = div;
    return f;
  }
  if (!std::isfinite(f.mode.f)) {
    f.note =
        std::string("the ") + what + " could not be found: the density is zero everywhere tried";
    return f;
  }
  double tol = 1e-4 * std::max(1.0, std::fabs(f.mode.f));
  if (!(f.mode.grad_norm <= tol)) {
    failure = Failure{std::string("the optimiser did not converge for the ") + what + ": " +
                      (f.mode.error.empty() ? "stopped" : f.mode.error) + " after " +
                      std::to_string(f.mode.iterations) + " iterations, gradient norm " +
                      conjugate::num(f.mode.grad_norm)};
  }
  return f;
}

}  // namespace

std::optional<conjugate::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                         const graph::Component& c, const Options& opt,
                                         std::string& why, std::optional<Failure>& failure) {
  conjugate::ComponentView v = conjugate::view(g, c);
  // Laplace(loc, scale) priors with data arguments go to OWL-QN as an L1
  // penalty, so the MAP has exact zeros (the lasso); their parameters come
  // first in u, scaled so that the penalty is sum |u_i|.
  conjugate::Solution sol;
  std::vector<std::size_t> smooth_priors, l1_params;
  double l1_constant = 0;  // sum log(2 scale): the Laplace densities' normalisers
  std::map<std::size_t, std::pair<Value, Value>> l1_args;
  for (auto pi : v.priors) {
    const Prior& pr = m.priors[pi];
    bool l1 =
        pr.family && pr.family->name == "Laplace" && conjugate::fixed_args(pr) && !opt.jacobian;
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
    auto t = transform_of(m, p, why);
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
  auto posterior = Tape::compile(m, smooth_priors, v.observations, why, marginal);
  if (!posterior) return std::nullopt;
  // The likelihood keeps the mixing distribution of summed-out labels.
  std::vector<std::size_t> mixing;
  for (auto p : marginal) mixing.push_back(m.params[p].prior);
  auto likelihood = Tape::compile(m, mixing, v.observations, why, marginal);
  if (!likelihood) return std::nullopt;

  Fit map = fit(m, *posterior, layout, opt, opt.jacobian, "MAP", failure, l1_dim, l1_constant);
  if (l1_dim)
    sol.explain.push_back(
        "Laplace priors: OWL-QN (L1), so coordinates can be exactly 0, as in the lasso");
  if (failure) return std::nullopt;
  std::optional<Failure> mle_failure;
  Fit mle = fit(m, *likelihood, layout, opt, false, "MLE", mle_failure);
  if (mle_failure && mle.note.empty()) mle.note = mle_failure->message;

  sol.method = "numeric";
  sol.rule = opt.jacobian ? "L-BFGS, mode on the unconstrained scale (Jacobian included)"
                          : "L-BFGS, mode in the original parameterisation";
  sol.explain.push_back("numeric: L-BFGS on " + std::to_string(layout.dim) +
                        " unconstrained coordinates, exact gradients by automatic differentiation");
  sol.explain.push_back("MAP: " + std::to_string(map.mode.iterations) +
                        " iterations, gradient norm " + conjugate::num(map.mode.grad_norm) +
                        ", log density " + conjugate::num(-map.mode.f));

  // The Laplace approximation on the unconstrained scale at the mode.
  Objective obj{*posterior, layout, m, false};
  Eigen::MatrixXd H = map.note.empty() ? hessian(obj, map.mode.u) : Eigen::MatrixXd();
  Eigen::LLT<Eigen::MatrixXd> llt;
  bool laplace = false;
  if (map.note.empty()) {
    llt.compute(H);
    laplace = llt.info() == Eigen::Success;
    if (!laplace)
      map.note = "the posterior is improper or flat at the mode (its curvature is not positive)";
  }
  Eigen::MatrixXd cov_u =
      laplace ? Eigen::MatrixXd(llt.solve(Eigen::MatrixXd::Identity(H.rows(), H.cols())))
              : Eigen::MatrixXd();
  for (const auto& t : layout.transforms) {
    conjugate::ParamResult r;
    r.param = t.param;
    Value mode_value = t.size == 1
                           ? Value::scalar(map.values[t.param][0])
                           : Value::vector(std::vector<double>(
                                 map.values[t.param].data(), map.values[t.param].data() + t.size));
    if (map.note.empty())
      r.map = mode_value;
    else
      r.map_note = map.note;
    if (mle.note.empty()) {
      const VectorXd& x = mle.values[t.param];
      r.mle = t.size == 1 ? Value::scalar(x[0])
                          : Value::vector(std::vector<double>(x.data(), x.data() + t.size));
    } else {
      r.mle_note = mle.note;
    }
    conjugate::ClosedForm& cf = r.posterior;
    cf.family = "Laplace approximation";
    if (laplace && t.kind != Transform::Kind::Simplex) {
      // Normal on the unconstrained scale, mapped back: sd by the delta method,
      // interval ends transformed (so they respect the support).
      std::vector<double> sds(t.size), means(t.size);
      std::vector<double> su(t.size), uu(t.size);
      for (std::size_t i = 0; i < t.size; ++i) {
        auto k = static_cast<Eigen::Index>(t.offset + i);
        su[i] = std::sqrt(cov_u(k, k));
        uu[i] = map.mode.u[k];
        double x = map.values[t.param][static_cast<Eigen::Index>(i)];
        double d = t.kind == Transform::Kind::Identity ? t.b(i)
                   : t.kind == Transform::Kind::Lower  ? x - t.lo
                   : t.kind == Transform::Kind::Upper  ? t.hi - x
                                                       : (x - t.lo) * (t.hi - x) / (t.hi - t.lo);
        sds[i] = std::fabs(d) * su[i];
        means[i] = x;
      }
      Transform tt = t;
      auto back = [tt](std::size_t i, double v) {
        switch (tt.kind) {
          case Transform::Kind::Identity:
            return tt.a(i) + tt.b(i) * v;
          case Transform::Kind::Lower:
            return tt.lo + std::exp(v);
          case Transform::Kind::Upper:
            return tt.hi - std::exp(v);
          case Transform::Kind::Interval:
            return tt.lo + (tt.hi - tt.lo) * logistic(v);
          default:
            return v;
        }
      };
      (void)back;
      cf.mean = t.size == 1 ? Value::scalar(means[0]) : Value::vector(means);
      cf.sd = t.size == 1 ? Value::scalar(sds[0]) : Value::vector(sds);
      cf.mode = cf.mean;
      cf.params.push_back({"mode", cf.mean});
      cf.params.push_back({"sd", cf.sd});
      auto q = [uu, su, back](std::size_t i, double p) {
        boost::math::normal_distribution<double> nd(uu[i], su[i]);
        return back(i, boost::math::quantile(nd, p));
      };
      if (t.size == 1) {
        cf.quantile = [q](double p) { return q(0, p); };
        cf.cdf = [uu, su, tt](double x) {
          double v = (x - tt.a(0)) / tt.b(0);
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
          boost::math::normal_distribution<double> nd(uu[0], su[0]);
          double c = std::isinf(v) ? (v > 0 ? 1.0 : 0.0) : boost::math::cdf(nd, v);
          return tt.kind == Transform::Kind::Upper ? 1 - c : c;
        };
      } else {
        cf.element_quantile = q;
      }
    } else {
      cf.mean = mode_value;
      cf.sd = Value::scalar(NAN);
      cf.mode_note = map.note.empty() ? "no Laplace approximation for a simplex yet" : map.note;
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
      conjugate::ParamResult r;
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
  if (laplace && marginal.empty()) {
    // Draws: u ~ Normal(mode, H^-1), mapped back.
    Eigen::MatrixXd L = Eigen::LLT<Eigen::MatrixXd>(cov_u).matrixL();
    VectorXd u0 = map.mode.u;
    Layout lay = layout;
    sol.draw = [L, u0, lay](dist::Rng& rng, std::vector<Value>& out) {
      std::normal_distribution<double> z(0, 1);
      VectorXd e(u0.size());
      for (Eigen::Index i = 0; i < e.size(); ++i) e[i] = z(rng);
      std::vector<VectorXd> values(out.size());
      lay.constrain(u0 + L * e, values);
      for (const auto& t : lay.transforms) {
        const VectorXd& x = values[t.param];
        out[t.param] = t.size == 1
                           ? Value::scalar(x[0])
                           : Value::vector(std::vector<double>(x.data(), x.data() + t.size));
      }
    };
    // Evidence (Laplace): log p(D, theta*) + d/2 log(2 pi) - 1/2 log |H_theta|,
    // with log |H_theta| = log |H_u| - 2 log |d theta / d u| at the mode.
    std::vector<VectorXd> dummy(m.params.size());
    for (const auto& t : layout.transforms)
      dummy[t.param] = VectorXd::Zero(static_cast<Eigen::Index>(t.size));
    VectorXd du;
    Layout lj = layout;
    double logj = lj.pull_back(map.mode.u, map.values, dummy, true, du);
    double logdet_u = 2 * Eigen::MatrixXd(llt.matrixL()).diagonal().array().log().sum();
    double d = static_cast<double>(layout.dim);
    sol.log_evidence = -map.mode.f + 0.5 * d * std::log(2 * M_PI) - 0.5 * (logdet_u - 2 * logj);
  } else {
    sol.draw = nullptr;
  }
  return sol;
}

}  // namespace bayes::numeric
