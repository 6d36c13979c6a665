// Existence and boundary diagnosis: receives the point the optimiser reached
// and produces the verdict on it. A mode that does not exist (the density
// keeps increasing along a direction to infinity or to the edge of the
// support, or is flat there) is found by following that direction, along a
// straight line or a coordinate's profile, and said in words.
#include "numeric/existence.hpp"

#include <LBFGS.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "format/format.hpp"
#include "graph/view.hpp"
#include "numeric/optimiser.hpp"

namespace bayes::numeric {

using Eigen::MatrixXd;
using Eigen::VectorXd;

namespace {

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
      // The edge itself: those components 0, the others rescaled to sum to 1
      // (the density's limit there is what decides whether a mode is on it).
      VectorXd edge = at_far[t.param];
      for (std::size_t j = 0; j < t.size; ++j)
        if (at_far[t.param][static_cast<Eigen::Index>(j)] < 1e-8) {
          std::string nj = name + "[" + std::to_string(j + 1) + "]";
          limits.push_back(nj + " -> 0");
          edges.push_back(nj + " = 0");
          edge[static_cast<Eigen::Index>(j)] = 0;
        }
      if (edge.sum() > 0) snapped[t.param] = edge / edge.sum();
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
        case Transform::Kind::Dependent:  // an edge that moves with the others: no number
        case Transform::Kind::Ordered:
        case Transform::Kind::PositiveOrdered:
          break;
      }
      if (std::isnan(edge)) {
        to_edges = false;
        limits.push_back(name + (up ? " -> +inf" : " -> -inf"));
        continue;
      }
      closed = closed && edge_closed;
      limits.push_back(name + " -> " + format::significant(edge));
      edges.push_back(name + " = " + format::significant(edge));
      snapped[t.param][static_cast<Eigen::Index>(i)] = edge;
    }
  }
  return to_edges;
}

}  // namespace

// Whether the curvature at p is too small to tell from zero: the smallest
// scaled eigenvalue below 1e-8 of the largest, measured centrally (the
// forward differences are recomputed when they cannot tell).
bool nearly_singular(Objective& obj, Point& p) {
  auto ratio = [&] { return p.values[0] / p.values[p.values.size() - 1]; };
  if (p.values.size() < 2 || ratio() > 1e-4) return false;
  if (!p.central) curvature(obj, p);
  return !p.pd || ratio() < 1e-8;
}

Verdicts::Verdicts(const FitInputs& in_, Objective& obj_, Fit& f_)
    : in(in_),
      obj(obj_),
      f(f_),
      the(std::string("the ") + in_.what),
      density(std::string(in_.what) == "MLE" ? "likelihood" : "posterior density") {}

bool Verdicts::levelled() {
  Point& p = f.point;
  const std::size_t l1 = in.l1;
  const Layout& layout = in.layout;
  const Model& m = in.m;
  Tape& tape = in.tape;
  auto dim = static_cast<Eigen::Index>(layout.dim);
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
    // Towards edges: the mode is there when the density's limit there is
    // finite (at an open end, a value said to be on the boundary).
    if (std::isfinite(tape.forward(snapped))) {
      f.values = snapped;
      if (!closed) f.boundary = "on the boundary " + join(edges);
      return true;
    }
    f.note = the + " is on the boundary " + join(edges);
    return true;
  }
  f.note = the + " does not exist: the " + density + " keeps increasing as " + join(limits) +
           ", without reaching a maximum (the optimiser stopped where it has levelled off "
           "to rounding)";
  return true;
}

std::vector<std::string> Verdicts::flat_names() const {
  const Point& p = f.point;
  std::vector<std::string> names;
  for (Eigen::Index k = 0; k < p.flattest.size(); ++k)
    if (std::fabs(p.flattest[k]) >= 0.1 * inf_norm(p.flattest))
      names.push_back(in.layout.name(in.m, static_cast<std::size_t>(k)));
  return names;
}

// Forward differences judge curvature only to about 1e-7: a Hessian that
// singular is measured again centrally, and if it stays singular, the
// profile along the flattest coordinate tells a ridge (a curve of equally
// good points: y ~ Normal(a * b, 1)) from a mode.
bool Verdicts::ridge() {
  Point& p = f.point;
  const std::size_t l1 = in.l1;
  const Options& opt = in.opt;
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
}

bool Verdicts::runs_off() {
  Point& p = f.point;
  const std::size_t l1 = in.l1;
  const Layout& layout = in.layout;
  const Model& m = in.m;
  const Options& opt = in.opt;
  Tape& tape = in.tape;
  auto dim = static_cast<Eigen::Index>(layout.dim);
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
  std::sort(pushed.begin(), pushed.end(),
            [&](Eigen::Index a, Eigen::Index b) { return std::fabs(p.g[a]) > std::fabs(p.g[b]); });
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
    // Flat toward an edge of the constrained space is the transform there
    // saturating (th[1] = exp(u) once it has underflowed), where the
    // optimiser ran because the density rose: the edge's verdict below.
    if (ray.end == Ray::End::Flat && !to_edges) {
      f.note = the + " does not exist: the " + density + " is flat along " + join(limits) +
               (density == "likelihood" ? " (the data do not identify it)" : " (improper)");
      return true;
    }
    if (to_edges && !ray.unbounded) {
      // The supremum is on the edge: the mode, when the density's limit there
      // is finite (said to be on the boundary when the edge is an open end).
      if (std::isfinite(tape.forward(snapped))) {
        f.values = snapped;
        if (!closed) f.boundary = "on the boundary " + join(edges);
        return true;
      }
      f.note = the + " is on the boundary " + join(edges);
      return true;
    }
    f.note =
        the + " does not exist: the " + density +
        (ray.unbounded ? " increases without bound as " + join(limits)
                       : " keeps increasing as " + join(limits) + ", without reaching a maximum");
    return true;
  }
  return false;
}

void Verdicts::stationary() {
  Point& p = f.point;
  const std::size_t l1 = in.l1;
  if (levelled()) return;
  // A small gradient where the curvature is not positive is no mode
  // either: a ridge, or at least a direction the data do not fix.
  if (!l1 && !p.pd && !p.central) curvature(obj, p);
  if (!l1 && (!p.pd || nearly_singular(obj, p))) {
    if (ridge()) return;
    f.note = the + " is not unique: the " + density +
             " has no curvature at this point along a direction in which " + join(flat_names()) +
             " change together (the data do not identify them separately)";
    return;
  }
  f.interior = p.pd;
}

// Round after round the density rose by about as much as the round before
// while one coordinate ran off the same way: a ridge that neither straight
// lines nor profiles could follow (the funnel of a hierarchical model, tau
// -> 0 with every theta -> mu, where the inner optimisations reach the
// rounding floor).
bool Verdicts::funnel(const std::vector<std::pair<double, VectorXd>>& visits) {
  const Point& p = f.point;
  const Layout& layout = in.layout;
  const Model& m = in.m;
  auto dim = static_cast<Eigen::Index>(layout.dim);
  if (auto k = running_off(visits)) {
    VectorXd d = VectorXd::Zero(dim);
    d[k->first] = k->second;
    std::vector<std::string> limits, edges;
    bool closed = false;
    std::vector<VectorXd> snapped = f.values;
    describe(layout, m, d, p.u, limits, edges, closed, snapped);
    f.note = the + " does not exist: the " + density + " increases without bound as " +
             join(limits) + " (it rose by " + format::significant(visits.front().first - p.f) +
             " in log density, with no sign of levelling off)";
    return true;
  }
  return false;
}

}  // namespace bayes::numeric
