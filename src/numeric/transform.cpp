// Transforms of the numeric engine: receives a component's parameters and
// produces their supports and the layout of the unconstrained coordinates u
// (theta(u), the chain rule through it, log |d theta / d u|).
#include "numeric/transform.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "dist/family.hpp"
#include "format/format.hpp"
#include "graph/view.hpp"
#include "patterns/patterns.hpp"

namespace bayes::numeric {

using Eigen::VectorXd;

double logistic(double x) {
  return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}

namespace {

// x (hi - lo), also where hi - lo overflows (dist::interval_point's bounds).
double times_width(double x, double lo, double hi) {
  const double w = hi - lo;
  return std::isfinite(w) ? x * w : x * hi - x * lo;
}

}  // namespace

double Transform::back(std::size_t i, double v) const {
  switch (kind) {
    case Kind::Identity:
      return a(i) + b(i) * v;
    case Kind::Lower:
      return lo + std::exp(v);
    case Kind::Upper:
      return hi - std::exp(v);
    case Kind::Interval:
      return dist::interval_point(lo, hi, logistic(v));
    case Kind::Simplex:
      break;
    case Kind::Dependent:
    case Kind::Ordered:
    case Kind::PositiveOrdered:
      return NAN;
  }
  return v;
}

namespace {

// A bound (one number of data and parameters) at the parameters' values, and
// its gradient: seed times d bound / d parameter, added into grad. Written
// out for the expressions bounds are made of (arithmetic, the elementwise
// functions, elements of vectors); pure, so chains may share the layout.
double bound_value(const Model& m, const ir::Node& n, const std::vector<VectorXd>& values) {
  using ir::Op;
  if (ir::is_data_only(n)) return ir::eval(n, env_of(m))[0];
  auto v = [&](std::size_t i) { return bound_value(m, *n.args[i], values); };
  switch (n.op) {
    case Op::Param:
      return values[n.ref][0];
    case Op::Index: {
      const double k = ir::eval(*n.args[1], env_of(m))[0];
      return values[n.args[0]->ref][static_cast<Eigen::Index>(k) - 1];
    }
    case Op::Neg:
      return -v(0);
    case Op::Add:
      return v(0) + v(1);
    case Op::Sub:
      return v(0) - v(1);
    case Op::Mul:
      return v(0) * v(1);
    case Op::Div:
      return v(0) / v(1);
    case Op::Pow:
    case Op::Call: {
      const Builtin fn = n.op == Op::Pow ? Builtin::Pow : n.fn;
      const double a = v(0), b = n.args.size() > 1 ? v(1) : 0;
      double out = 0;
      info(fn)
          .math(n.args.size())
          .value({&a, 1}, n.args.size() > 1 ? BuiltinMath::In(&b, 1) : BuiltinMath::In(),
                 {&out, 1});
      return out;
    }
    default:
      return NAN;
  }
}

void bound_grad(const Model& m, const ir::Node& n, const std::vector<VectorXd>& values, double seed,
                std::vector<VectorXd>& grad) {
  using ir::Op;
  if (seed == 0 || ir::is_data_only(n)) return;
  auto v = [&](std::size_t i) { return bound_value(m, *n.args[i], values); };
  auto down = [&](std::size_t i, double s) { bound_grad(m, *n.args[i], values, s, grad); };
  switch (n.op) {
    case Op::Param:
      grad[n.ref][0] += seed;
      return;
    case Op::Index: {
      const double k = ir::eval(*n.args[1], env_of(m))[0];
      grad[n.args[0]->ref][static_cast<Eigen::Index>(k) - 1] += seed;
      return;
    }
    case Op::Neg:
      return down(0, -seed);
    case Op::Add:
      return down(0, seed), down(1, seed);
    case Op::Sub:
      return down(0, seed), down(1, -seed);
    case Op::Mul:
      return down(0, seed * v(1)), down(1, seed * v(0));
    case Op::Div: {
      const double b = v(1);
      return down(0, seed / b), down(1, -seed * v(0) / (b * b));
    }
    case Op::Pow:
    case Op::Call: {
      const Builtin fn = n.op == Op::Pow ? Builtin::Pow : n.fn;
      const BuiltinMath& math = info(fn).math(n.args.size());
      if (!math.vjp) return;
      const bool two = n.args.size() > 1;
      const double a = v(0), b = two ? v(1) : 0;
      double out = 0, da = 0, db = 0;
      math.value({&a, 1}, two ? BuiltinMath::In(&b, 1) : BuiltinMath::In(), {&out, 1});
      math.vjp({&a, 1}, two ? BuiltinMath::In(&b, 1) : BuiltinMath::In(), {&out, 1}, {&seed, 1},
               {&da, 1}, two ? BuiltinMath::Out(&db, 1) : BuiltinMath::Out());
      down(0, da);
      if (two) down(1, db);
      return;
    }
    default:
      return;
  }
}

// Whether bound_value and bound_grad cover the expression.
bool bound_supported(const ir::Node& n) {
  using ir::Op;
  if (ir::is_data_only(n)) return true;
  switch (n.op) {
    case Op::Param:
      return n.type.is_scalar();
    case Op::Index:
      return n.args.size() == 2 && n.args[0]->op == Op::Param && ir::is_data_only(*n.args[1]) &&
             n.args[1]->type.is_scalar();
    case Op::Neg:
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Pow:
      break;
    case Op::Call: {
      const BuiltinShape shape = info(n.fn).shape;
      if (shape != BuiltinShape::Elementwise && shape != BuiltinShape::Elementwise2) return false;
      break;
    }
    default:
      return false;
  }
  return std::all_of(n.args.begin(), n.args.end(),
                     [](const ir::NodePtr& a) { return bound_supported(*a); });
}

}  // namespace

double Transform::lower_at(const Model& m, const std::vector<VectorXd>& values) const {
  return lo_of ? bound_value(m, *lo_of, values) : lo;
}

double Transform::upper_at(const Model& m, const std::vector<VectorXd>& values) const {
  return hi_of ? bound_value(m, *hi_of, values) : hi;
}

namespace {

// Bounds on a scalar parameter implied by the data: x ~ Uniform(lo, c theta)
// needs theta >= max(x / c), x ~ Uniform(c theta, hi) needs theta <= min(x / c)
// (c > 0 data). Without them the optimiser would start where the likelihood is
// zero (the German tank problem: theta ~ Pareto, x ~ Uniform(0, theta)).
void data_bounds(const Model& m, const std::vector<std::size_t>& observations, std::size_t p,
                 double& lo, double& hi) {
  if (!m.params[p].type.is_scalar()) return;
  for (auto oi : observations) {
    const Observation& o = m.observations[oi];
    if (o.family != &dist::uniform_family() || o.args.size() != 2) continue;
    for (std::size_t side = 0; side < 2; ++side) {
      auto mono = patterns::monomial_in(m, *o.args[side], p);
      if (!mono || mono->k != 1) continue;
      for (std::size_t i = 0; i < o.value.size(); ++i) {
        double c = patterns::at(mono->c, i);
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

}  // namespace

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
  if (pv.order != ParamVar::Order::None) {
    t.kind = pv.order == ParamVar::Order::Ordered ? Transform::Kind::Ordered
                                                  : Transform::Kind::PositiveOrdered;
    return t;
  }
  double lo = -INFINITY, hi = INFINITY;
  if (pr.dependent_bounds()) {
    // Bounds of other parameters: the family's support (or the flat
    // prior's number) on the other side.
    if (pr.family) {
      std::vector<Value> args;
      for (const auto& a : pr.args)
        args.push_back(ir::is_data_only(*a) ? patterns::eval_data(m, *a) : Value{});
      const dist::Bounds b = dist::support_bounds(*pr.family, args);
      lo = b.lo, hi = b.hi;
    }
    if (!pr.lower_of && !std::isnan(pr.lower)) lo = std::max(lo, pr.lower);
    if (!pr.upper_of && !std::isnan(pr.upper)) hi = std::min(hi, pr.upper);
    for (const auto* e : {pr.lower_of.get(), pr.upper_of.get()})
      if (e && !bound_supported(*e)) {
        why = "a bound of '" + pv.name +
              "' uses an operation the numeric engine cannot "
              "differentiate there (arithmetic, the elementwise functions and elements of "
              "vectors are)";
        return std::nullopt;
      }
    t.kind = Transform::Kind::Dependent;
    t.lo = pr.lower_of ? -INFINITY : lo, t.hi = pr.upper_of ? INFINITY : hi;
    t.lo_of = pr.lower_of, t.hi_of = pr.upper_of;
    return t;
  }
  if (!pr.family) {
    lo = pr.lower, hi = pr.upper;
  } else {
    dist::Domain d =
        pr.family->joint == 2 ? pr.family->joint_supports[pv.slot] : pr.family->support;
    switch (d) {
      case dist::Domain::Simplex:
        t.kind = Transform::Kind::Simplex;
        t.dim = t.size - 1;
        return t;
      case dist::Domain::Real:
      case dist::Domain::RealVector:
      case dist::Domain::Positive:
      case dist::Domain::NonNegative:
      case dist::Domain::Unit:
      case dist::Domain::OpenUnit:
      case dist::Domain::Bounded:
        break;
      default:
        why = "'" + pv.name + "' has a support the numeric engine does not handle";
        return std::nullopt;
    }
    // The family says where its support ends; the ends its arguments set
    // (Uniform, Pareto) are values the parameter may take.
    std::vector<Value> args;
    if (d == dist::Domain::Bounded) {
      if (!patterns::fixed_args(pr)) {
        why = "the bounds of '" + pv.name + "' depend on other parameters";
        return std::nullopt;
      }
      for (const auto& a : pr.args) args.push_back(patterns::eval_data(m, *a));
    }
    dist::Bounds b = dist::support_bounds(*pr.family, args, pv.slot);
    lo = b.lo, hi = b.hi;
    if (d == dist::Domain::Bounded)
      t.lo_closed = std::isfinite(lo), t.hi_closed = std::isfinite(hi);
    if (pr.truncation.on) {  // the family cut to the declared bounds
      if (pr.lower > lo) lo = pr.lower, t.lo_closed = false;
      if (pr.upper < hi) hi = pr.upper, t.hi_closed = false;
    }
  }
  double dlo = lo, dhi = hi;
  data_bounds(m, observations, p, dlo, dhi);
  if (dlo > lo) lo = dlo, t.lo_closed = true;
  if (dhi < hi) hi = dhi, t.hi_closed = true;
  if (!(lo < hi)) {
    why = "the data leave '" + pv.name + "' no room: they need " + format::significant(lo) +
          " <= " + pv.name + " <= " + format::significant(hi);
    return std::nullopt;
  }
  t.lo = lo, t.hi = hi;
  // A bound beyond 1e150 in size (Uniform(-1e308, 1e308), Uniform(0, 1e308))
  // shapes no transform: a logistic or a log anchored there resolves the
  // parameter only to steps of 1e-16 times its distance from the bound (1.5
  // cannot be told from 0) and its gradients overflow. The transform takes
  // such a bound as infinite; the prior's density, zero beyond it, keeps it.
  constexpr double kFar = 1e150;
  const bool has_lo = std::fabs(lo) < kFar, has_hi = std::fabs(hi) < kFar;
  if (has_lo && has_hi)
    t.kind = Transform::Kind::Interval;
  else if (has_lo)
    t.kind = Transform::Kind::Lower;
  else if (has_hi)
    t.kind = Transform::Kind::Upper;
  return t;
}

void Layout::constrain(const VectorXd& u, std::vector<VectorXd>& values) const {
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
    if (t.kind == Transform::Kind::Ordered || t.kind == Transform::Kind::PositiveOrdered) {
      for (std::size_t i = 0; i < t.dim; ++i) {
        const double v = u[static_cast<Eigen::Index>(t.offset + i)];
        const auto ii = static_cast<Eigen::Index>(i);
        x[ii] = i == 0 ? (t.kind == Transform::Kind::Ordered ? v : std::exp(v))
                       : x[ii - 1] + std::exp(v);
      }
      continue;
    }
    if (t.kind == Transform::Kind::Dependent) {  // the bounds at the values so far
      const double lo = t.lower_at(*model, values), hi = t.upper_at(*model, values);
      for (std::size_t i = 0; i < t.dim; ++i) {
        const double v = u[static_cast<Eigen::Index>(t.offset + i)];
        x[static_cast<Eigen::Index>(i)] = std::isinf(hi) ? lo + std::exp(v)
                                          : std::isinf(lo)
                                              ? hi - std::exp(v)
                                              : dist::interval_point(lo, hi, logistic(v));
      }
      continue;
    }
    for (std::size_t i = 0; i < t.dim; ++i)
      x[static_cast<Eigen::Index>(i)] = t.back(i, u[static_cast<Eigen::Index>(t.offset + i)]);
  }
}

double Layout::pull_back(const VectorXd& u, const std::vector<VectorXd>& values,
                         const std::vector<VectorXd>& dtheta, bool jacobian, VectorXd& du) const {
  double logj = 0;
  du = VectorXd::Zero(static_cast<Eigen::Index>(dim));
  // With bounds that depend on earlier parameters, the transforms run
  // backwards: each adds what its bounds owe to those parameters' gradients.
  const bool dependent = std::any_of(transforms.begin(), transforms.end(), [](const Transform& t) {
    return t.kind == Transform::Kind::Dependent;
  });
  std::vector<VectorXd> owed;
  if (dependent) owed = dtheta;
  for (std::size_t ti = transforms.size(); ti-- > 0;) {
    const Transform& t = transforms[ti];
    const VectorXd& x = values[t.param];
    const VectorXd& g = dependent ? owed[t.param] : dtheta[t.param];
    if (t.kind == Transform::Kind::Ordered || t.kind == Transform::Kind::PositiveOrdered) {
      // d x_j / d u_k = e^{u_k} for j >= k (k > 1; and k = 1 when positive),
      // 1 for k = 1 when ordered; log |J| = sum of those u_k.
      double tail = 0;  // sum of g_j over j >= k
      for (std::size_t i = t.dim; i-- > 0;) {
        const auto k = static_cast<Eigen::Index>(t.offset + i);
        tail += g[static_cast<Eigen::Index>(i)];
        const bool identity = i == 0 && t.kind == Transform::Kind::Ordered;
        du[k] += identity ? tail : tail * std::exp(u[k]);
        if (jacobian && !identity) logj += u[k], du[k] += 1;
      }
      continue;
    }
    if (t.kind == Transform::Kind::Dependent) {
      const double lo = t.lower_at(*model, values), hi = t.upper_at(*model, values);
      double seed_lo = 0, seed_hi = 0;
      for (std::size_t i = 0; i < t.dim; ++i) {
        const auto k = static_cast<Eigen::Index>(t.offset + i);
        const auto ii = static_cast<Eigen::Index>(i);
        const double v = u[k];
        if (std::isinf(hi)) {  // lo + e^v
          du[k] += g[ii] * std::exp(v);
          seed_lo += g[ii];
          if (jacobian) logj += v, du[k] += 1;
        } else if (std::isinf(lo)) {  // hi - e^v
          du[k] -= g[ii] * std::exp(v);
          seed_hi += g[ii];
          if (jacobian) logj += v, du[k] += 1;
        } else {
          const double s = logistic(v), w = hi - lo;
          du[k] += times_width(g[ii] * s * (1 - s), lo, hi);
          seed_lo += g[ii] * (1 - s), seed_hi += g[ii] * s;
          if (jacobian) {
            logj += dist::log_width(lo, hi) + std::log(s) + std::log1p(-s), du[k] += 1 - 2 * s;
            seed_lo -= 1 / w, seed_hi += 1 / w;  // d log(hi - lo)
          }
        }
      }
      if (t.lo_of) bound_grad(*model, *t.lo_of, values, seed_lo, owed);
      if (t.hi_of) bound_grad(*model, *t.hi_of, values, seed_hi, owed);
      continue;
    }
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
          double s = logistic(v);
          du[k] += times_width(g[ii] * s * (1 - s), t.lo, t.hi);
          if (jacobian)
            logj += dist::log_width(t.lo, t.hi) + std::log(s) + std::log1p(-s), du[k] += 1 - 2 * s;
          break;
        }
        case Transform::Kind::Simplex:
        case Transform::Kind::Dependent:
        case Transform::Kind::Ordered:
        case Transform::Kind::PositiveOrdered:
          break;
      }
    }
  }
  return logj;
}

double Layout::log_jacobian(const VectorXd& u, const std::vector<VectorXd>& values) const {
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

std::string Layout::name(const Model& m, std::size_t k, const Transform** which,
                         std::size_t* element) const {
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

std::optional<Layout> layout_of(const Model& m, const std::vector<std::size_t>& order,
                                const std::vector<std::size_t>& observations, const L1Args& l1_args,
                                std::string& why) {
  Layout layout;
  layout.model = &m;
  for (auto p : order) {
    auto t = transform_of(m, p, observations, why);
    if (!t) return std::nullopt;
    t->offset = layout.dim;
    layout.dim += t->dim;
    if (auto it = l1_args.find(p); it != l1_args.end()) {
      const auto& [loc, scale] = it->second;
      for (std::size_t i = 0; i < t->size; ++i) {
        t->shift.push_back(patterns::at(loc, i));
        t->scale.push_back(patterns::at(scale, i));
        layout.l1_constant += std::log(2 * patterns::at(scale, i));
      }
      layout.l1 += t->dim;
    }
    layout.transforms.push_back(*t);
  }
  return layout;
}

}  // namespace bayes::numeric
