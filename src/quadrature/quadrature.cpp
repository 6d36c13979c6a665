// The quadrature engine: receives a component of the factor graph, produces
// its exact posterior when fixing one scalar parameter q leaves a block the
// conjugate rules solve (Gelman et al., BDA3, sec. 5.4 for the hierarchical
// Normal model: p(tau | y) on a grid, then the rest given tau in closed form).
//   p(q | y) ~ p(q) p(y | q), p(y | q) the block's evidence given q,
// integrated over u = the unconstrained q by the trapezoid rule (grid.cpp);
// each block parameter's marginal is the mixture of its conditional marginals
// with the nodes' weights.
#include "quadrature/quadrature.hpp"

#include <algorithm>
#include <boost/math/tools/minima.hpp>
#include <cmath>
#include <map>
#include <memory>
#include <random>

#include "density/log_density.hpp"
#include "dist/family.hpp"
#include "format/format.hpp"
#include "patterns/patterns.hpp"
#include "quadrature/conditional.hpp"
#include "quadrature/grid.hpp"
#include "quadrature/mixture.hpp"
#include "solution/discrete.hpp"

namespace bayes::quadrature {

namespace {

// The most values a discrete outer parameter is summed over: each is one
// conjugate solve of the rest.
constexpr double kMaxValues = 1e5;

using format::significant;
using solution::Solution;

// The support of q from its prior.
Scale scale_of(const Model& m, std::size_t q) {
  const Prior& p = m.priors[m.params[q].prior];
  Scale s;
  if (!p.family) {
    s.lo = p.lower, s.hi = p.upper;
    return s;
  }
  std::vector<Value> args;
  for (const auto& a : p.args) args.push_back(patterns::eval_data(m, *a));
  const dist::Bounds b = dist::support_bounds(*p.family, args);
  s.lo = b.lo, s.hi = b.hi;
  if (p.truncation.on) s.lo = std::max(s.lo, p.lower), s.hi = std::min(s.hi, p.upper);
  return s;
}

// "on the boundary sigma = 0" for a density that rises towards an end of the support.
std::string boundary_at(const std::string& name, double end) {
  return "on the boundary " + name + " = " + significant(end);
}

// Everything the engine knows at one node.
struct Node {
  double theta = 0, log_density = -INFINITY;  // log p(q) + log p(y | q) + log J
  std::vector<Solution> pieces;
};

class Engine {
 public:
  Engine(const Model& m, const graph::Component& c, Conditional cond)
      : m_(m),
        c_(c),
        cond_(std::make_shared<Conditional>(std::move(cond))),
        q_(cond_->param()),
        scale_(m.params[q_].discrete ? Scale{} : scale_of(m, q_)) {}

  std::optional<double> log_density(double u, std::string& why) {
    if (auto it = nodes_.find(u); it != nodes_.end()) return it->second.log_density;
    Node n;
    n.theta = scale_.theta(u);
    auto zero = [&]() {  // outside the support, or no likelihood: density 0, remembered
      nodes_[u] = n;
      return -INFINITY;
    };
    if (!(n.theta > scale_.lo && n.theta < scale_.hi)) return zero();
    std::vector<Value> values(m_.params.size());
    values[q_] = Value::scalar(n.theta);
    const double prior = density::log_prior(m_, m_.priors[m_.params[q_].prior], values);
    if (!std::isfinite(prior) || !cond_->supports(n.theta)) return zero();
    auto pieces = cond_->solve(n.theta, why);
    if (!pieces) return std::nullopt;
    double ev = 0;
    for (const auto& piece : *pieces) ev += piece.log_evidence;
    n.pieces = std::move(*pieces);
    n.log_density = prior + ev + scale_.log_jacobian(u);
    const double out = n.log_density;
    nodes_[u] = std::move(n);
    return out;
  }

  std::optional<Solution> run(std::string& why);
  // What the mixtures are over: the quadrature nodes, or a discrete q's values.
  std::string over() const {
    return m_.params[q_].discrete ? "the values of " + m_.params[q_].name : "the quadrature nodes";
  }
  // A discrete q with finite support: the sum over its values.
  std::optional<Solution> run_discrete(const std::vector<double>& values, std::string& why);

 private:
  const Model& m_;
  const graph::Component& c_;
  std::shared_ptr<Conditional> cond_;
  std::size_t q_;
  Scale scale_;
  std::map<double, Node> nodes_;

  solution::ParamResult outer(const Grid& grid);
  bool add_block(const std::vector<double>& keys, const std::vector<double>& weights, Solution& sol,
                 std::string& why) const;
  void joint_mode(const Grid& grid, Solution& sol);
};

solution::ParamResult Engine::outer(const Grid& grid) {
  solution::ParamResult r;
  r.param = q_;
  solution::ClosedForm& cf = r.posterior;
  cf.family = "exact marginal, by quadrature";
  double mean = 0, var = 0;
  for (std::size_t k = 0; k < grid.u.size(); ++k) mean += grid.w[k] * scale_.theta(grid.u[k]);
  for (std::size_t k = 0; k < grid.u.size(); ++k) {
    const double d = scale_.theta(grid.u[k]) - mean;  // about the mean: no cancellation
    var += grid.w[k] * d * d;
  }
  cf.mean = Value::scalar(mean);
  cf.sd = Value::scalar(std::sqrt(var));
  const Scale s = scale_;
  const auto g = std::make_shared<Grid>(grid);
  const bool decreasing = std::isinf(s.lo) && !std::isinf(s.hi);  // theta = hi - e^u
  cf.cdf = [g, s, decreasing](double x) {
    if (x <= s.lo) return 0.0;
    if (x >= s.hi) return 1.0;
    const double c = g->cdf(s.u(x));
    return decreasing ? 1 - c : c;
  };
  cf.quantile = [g, s, decreasing](double p) {
    return s.theta(g->quantile(decreasing ? 1 - p : p));
  };
  cf.sample = [g, s](dist::Rng& rng) {
    return Value::scalar(s.theta(g->quantile(dist::random::uniform(rng))));
  };
  // The density of theta: that of u over the Jacobian, f(u) between nodes by
  // the cubic Hermite interpolant with slopes from central differences.
  cf.lpdf = [g, s](const Value& x) {
    if (!(x[0] > s.lo && x[0] < s.hi)) return -HUGE_VAL;
    const double u = s.u(x[0]);
    const std::size_t n = g->u.size();
    if (n < 4 || u <= g->u[1] || u >= g->u[n - 2]) return -HUGE_VAL;
    const auto k = static_cast<std::size_t>((u - g->u.front()) / g->h);
    if (k < 1 || k + 2 >= n) return -HUGE_VAL;
    const double t = (u - g->u[k]) / g->h;
    const double f0 = g->f[k], f1 = g->f[k + 1];
    const double d0 = (g->f[k + 1] - g->f[k - 1]) / 2, d1 = (g->f[k + 2] - g->f[k]) / 2;
    if (!std::isfinite(f0 + f1 + d0 + d1)) return -HUGE_VAL;
    const double t2 = t * t, t3 = t2 * t;
    const double f = (2 * t3 - 3 * t2 + 1) * f0 + (t3 - 2 * t2 + t) * d0 + (-2 * t3 + 3 * t2) * f1 +
                     (t3 - t2) * d1;
    return f - g->log_z - s.log_jacobian(u);
  };
  // The marginal mode of theta: the peak of f(u) - log J(u) near the best
  // node. A density of theta that is highest at an end of the grid, or as
  // high at the lowest node as at the best (within 1e-6), peaks on the boundary.
  auto dens = [&](std::size_t k) { return grid.f[k] - s.log_jacobian(grid.u[k]); };
  std::size_t best = 0;
  for (std::size_t k = 0; k < grid.u.size(); ++k)
    if (dens(k) > dens(best)) best = k;
  std::size_t first = 0, last = grid.u.size() - 1;  // the ends where the model answered
  while (first < best && !std::isfinite(grid.f[first])) ++first;
  while (last > best && !std::isfinite(grid.f[last])) --last;
  if (best == first || dens(first) > dens(best) - 1e-6) {
    cf.mode_note = boundary_at(m_.params[q_].name, s.lo);
  } else if (best == last || dens(last) > dens(best) - 1e-6) {
    cf.mode_note = boundary_at(m_.params[q_].name, s.hi);
  } else {
    // The exact density there (one conditional solve per step), not the interpolant.
    std::string why;
    auto exact = [&](double u) {
      auto f = log_density(u, why);
      return f && std::isfinite(*f) ? -(*f - s.log_jacobian(u)) : HUGE_VAL;
    };
    // In the offset d from the best node: Brent's method locates a minimum
    // to sqrt(eps) relative to the size of its argument.
    const double base = grid.u[best];
    auto peak =
        boost::math::tools::brent_find_minima([&](double d) { return exact(base + d); },
                                              grid.u[best - 1] - base, grid.u[best + 1] - base, 40);
    // Within a thousandth of a posterior sd of an end: the boundary itself
    // (the density is flat there, and the last digits are rounding).
    const double t = s.theta(base + peak.first), tol = 1e-3 * cf.sd[0];
    if (t - s.lo < tol)
      cf.mode_note = boundary_at(m_.params[q_].name, s.lo);
    else if (s.hi - t < tol)
      cf.mode_note = boundary_at(m_.params[q_].name, s.hi);
    else
      cf.mode = Value::scalar(t);
  }
  return r;
}

// The joint mode of (q, block): for each q the block's conditional joint mode
// p(block* | q, y) times p(q) p(y | q); maximised over q near the best node.
void Engine::joint_mode(const Grid& grid, Solution& sol) {
  std::string why;
  auto at = [&](double u) -> double {
    auto f = log_density(u, why);
    if (!f || !std::isfinite(*f)) return -INFINITY;
    const Node& n = nodes_[u];
    std::vector<Value> values(m_.params.size());
    values[q_] = Value::scalar(n.theta);
    double conditional = 0;
    for (const auto& piece : n.pieces) {
      for (const auto& r : piece.params) {
        if (!r.map) return NAN;
        values[r.param] = *r.map;
      }
    }
    for (const auto& piece : n.pieces) conditional += piece.log_posterior(values);
    return *f - scale_.log_jacobian(u) + conditional;
  };
  std::size_t best = 0;
  std::vector<double> v(grid.u.size());
  for (std::size_t k = 0; k < grid.u.size(); ++k) {
    v[k] = at(grid.u[k]);
    if (std::isnan(v[k])) {
      for (auto& r : sol.params) r.map_note = "a block parameter has no conditional mode";
      return;
    }
    if (v[k] > v[best]) best = k;
  }
  std::size_t first = 0, last = grid.u.size() - 1;
  while (first < best && !std::isfinite(v[first])) ++first;
  while (last > best && !std::isfinite(v[last])) --last;
  const bool low = best == first || v[first] > v[best] - 1e-6;
  const bool high = best == last || v[last] > v[best] - 1e-6;
  // At an end: still rising steeply there (by e^2.5 over the last 5 units of
  // u, a power of at least 1/2) means no mode at all, as in the funnel of a
  // centred hierarchical model as tau -> 0; else the mode is the end itself.
  auto edge = [&](bool low) {
    const std::size_t end = low ? first : last;
    const auto span = static_cast<std::size_t>(5 / grid.h);
    const std::size_t inner = low ? std::min(first + span, last) : (last > span ? last - span : 0);
    const std::string& qn = m_.params[q_].name;
    const double at_end = low ? scale_.lo : scale_.hi;
    const std::string note =
        v[end] - v[inner] > 2.5
            ? "the MAP does not exist: the posterior density increases without bound as " + qn +
                  " -> " + significant(at_end)
            : boundary_at(qn, at_end);
    for (auto& r : sol.params) r.map_note = note;
  };
  if (low || high) return edge(low);
  const double base = grid.u[best];  // Brent in the offset from it, as in outer()
  auto peak =
      boost::math::tools::brent_find_minima([&](double d) { return -at(base + d); },
                                            grid.u[best - 1] - base, grid.u[best + 1] - base, 40);
  const auto found = nodes_.find(base + peak.first);
  if (found == nodes_.end() || found->second.pieces.empty()) {
    for (auto& r : sol.params) r.map_note = "the conditional model failed at the joint mode";
    return;
  }
  const Node& n = found->second;
  const double tol = 1e-3 * sol.params[0].posterior.sd[0];
  if (n.theta - scale_.lo < tol || scale_.hi - n.theta < tol)
    return edge(n.theta - scale_.lo < tol);
  for (auto& r : sol.params) {
    if (r.param == q_) {
      r.map = Value::scalar(n.theta);
      continue;
    }
    for (const auto& piece : n.pieces)
      if (const auto* pr = piece.find(r.param)) r.map = pr->map;
  }
}

bool Engine::add_block(const std::vector<double>& keys, const std::vector<double>& weights,
                       Solution& sol, std::string& why) const {
  for (auto p : c_.params) {
    if (p == q_) continue;
    std::vector<const solution::ClosedForm*> parts;
    for (double key : keys) {
      const solution::ParamResult* r = nullptr;
      for (const auto& piece : nodes_.at(key).pieces)
        if (!r) r = piece.find(p);
      if (!r) {
        why = "the conditional solution has no marginal for '" + m_.params[p].name + "'";
        return false;
      }
      parts.push_back(&r->posterior);
    }
    solution::ParamResult r;
    r.param = p;
    r.posterior = mixture(parts, weights, over());
    sol.params.push_back(std::move(r));
  }
  // The predictive of each observation statement: the mixture of its
  // conditional predictives (every node's rule gives the same statements).
  for (const auto& piece : nodes_.at(keys[keys.size() / 2]).pieces)
    for (const auto& pr : piece.predictive) {
      std::vector<const solution::ClosedForm*> parts;
      for (double key : keys) {
        const solution::PredictiveResult* found = nullptr;
        for (const auto& p : nodes_.at(key).pieces)
          for (const auto& other : p.predictive)
            if (other.observation == pr.observation) found = &other;
        if (!found) break;
        parts.push_back(&found->dist);
      }
      if (parts.size() == weights.size())
        sol.predictive.push_back({pr.observation, mixture(parts, weights, over()), pr.note});
    }
  return true;
}

std::optional<Solution> Engine::run(std::string& why) {
  // u = 0 is theta = 0, lo + 1, hi - 1 or the middle of (lo, hi): inside the support.
  auto grid = integrate([&](double u) { return log_density(u, why); }, 0, kTolerance, why);
  if (!grid) return std::nullopt;
  const std::string& qn = m_.params[q_].name;

  Solution sol;
  sol.method = "quadrature";
  sol.relative_error = std::max(grid->error, 1e-16);
  const Node& first = nodes_.at(grid->u[grid->u.size() / 2]);
  std::string inner;
  for (const auto& p : first.pieces) inner += (inner.empty() ? "" : " + ") + p.rule;
  sol.rule = inner + " given " + qn + ", quadrature over " + qn + " (" +
             std::to_string(grid->u.size()) + " nodes, relative error " +
             significant(std::max(grid->error, 1e-16)) + ")";
  sol.params.push_back(outer(*grid));

  // The block's marginals and predictives: mixtures over the nodes (those
  // below 1e-15 of the total weight change nothing at double precision).
  std::vector<double> keys, weights;
  for (std::size_t k = 0; k < grid->u.size(); ++k)
    if (grid->w[k] >= 1e-15) keys.push_back(grid->u[k]), weights.push_back(grid->w[k]);
  if (!add_block(keys, weights, sol, why)) return std::nullopt;
  joint_mode(*grid, sol);

  // Draws: q from its exact cdf, then the block from the nearest node.
  auto g = std::make_shared<Grid>(*grid);
  auto table = std::make_shared<std::vector<std::vector<Solution>>>();
  for (double u : grid->u) {
    auto it = nodes_.find(u);  // absent where the conditional model failed (no mass there)
    table->push_back(it == nodes_.end() ? std::vector<Solution>{} : it->second.pieces);
  }
  const Scale s = scale_;
  const std::size_t q = q_;
  sol.draw = [g, table, s, q](dist::Rng& rng, std::vector<Value>& values) {
    const double u = g->quantile(dist::random::uniform(rng));
    auto k = static_cast<std::size_t>(std::lround((u - g->u.front()) / g->h));
    k = std::min(k, g->u.size() - 1);
    values[q] = Value::scalar(s.theta(u));
    for (const auto& piece : (*table)[k]) piece.draw(rng, values);
  };

  const std::string improper = density::improper_prior(m_, c_.params);
  if (improper.empty())
    sol.log_evidence = grid->log_z;
  else
    sol.evidence_note = improper;

  sol.explain.push_back("quadrature: given " + qn + ", the rest is conjugate (" + inner +
                        "), with evidence p(y | " + qn + "); p(" + qn + " | y) ~ p(" + qn +
                        ") p(y | " + qn + ") is integrated over u = " + scale_.text(qn) +
                        " by the trapezoid rule");
  sol.explain.push_back("nodes: " + std::to_string(grid->u.size()) + ", step " +
                        significant(grid->h) + ", u from " + significant(grid->u.front()) + " to " +
                        significant(grid->u.back()) +
                        " (beyond, the density is below 1e-13 of its peak, and the tails are "
                        "added as exponential ones); halving the step "
                        "changed the normaliser by " +
                        significant(grid->error) + " (relative)");
  sol.explain.push_back(
      "the others' marginals are mixtures of their conditional posteriors over "
      "the nodes; quantiles by root-finding on the mixture's cdf");
  if (sol.params[0].posterior.mode)
    sol.explain.push_back("posterior of " + qn + ": mean " +
                          significant(sol.params[0].posterior.mean[0]) + ", sd " +
                          significant(sol.params[0].posterior.sd[0]) + ", mode " +
                          significant((*sol.params[0].posterior.mode)[0]));
  return sol;
}

std::optional<Solution> Engine::run_discrete(const std::vector<double>& values, std::string& why) {
  const std::string& qn = m_.params[q_].name;
  std::vector<double> f(values.size(), -INFINITY);
  double top = -INFINITY;
  for (std::size_t k = 0; k < values.size(); ++k) {
    auto v = log_density(values[k], why);
    if (!v) return std::nullopt;
    f[k] = *v, top = std::max(top, *v);
  }
  if (!std::isfinite(top)) {
    why = "no value of " + qn + " has positive probability";
    return std::nullopt;
  }
  double total = 0;
  for (double x : f) total += std::exp(x - top);
  std::vector<double> probs(values.size());
  for (std::size_t k = 0; k < values.size(); ++k) probs[k] = std::exp(f[k] - top) / total;

  Solution sol;
  sol.method = "enumeration";
  const auto best = static_cast<std::size_t>(std::max_element(f.begin(), f.end()) - f.begin());
  std::string inner;
  for (const auto& p : nodes_.at(values[best]).pieces)
    inner += (inner.empty() ? "" : " + ") + p.rule;
  sol.rule =
      inner + " given " + qn + ", summed over its " + std::to_string(values.size()) + " values";
  solution::ParamResult outer;
  outer.param = q_;
  outer.posterior = solution::discrete_marginal(values, {probs}, true);
  sol.params.push_back(std::move(outer));
  std::vector<double> keys, weights;
  for (std::size_t k = 0; k < values.size(); ++k)
    if (probs[k] >= 1e-15) keys.push_back(values[k]), weights.push_back(probs[k]);
  if (!add_block(keys, weights, sol, why)) return std::nullopt;

  // The joint mode: over the values, p(q) p(y | q) times the block's
  // conditional density at its conditional mode.
  double best_joint = -INFINITY;
  std::optional<std::size_t> at;
  bool modes = true;
  for (std::size_t k = 0; k < keys.size() && modes; ++k) {
    const Node& n = nodes_.at(keys[k]);
    std::vector<Value> point(m_.params.size());
    point[q_] = Value::scalar(keys[k], true);
    for (const auto& piece : n.pieces)
      for (const auto& r : piece.params) {
        if (r.map)
          point[r.param] = *r.map;
        else
          modes = false;
      }
    if (!modes) break;
    double joint = n.log_density;
    for (const auto& piece : n.pieces) joint += piece.log_posterior(point);
    if (joint > best_joint) best_joint = joint, at = k;
  }
  for (auto& r : sol.params) {
    if (!modes || !at) {
      r.map_note = "a parameter has no conditional mode";
      continue;
    }
    if (r.param == q_) {
      r.map = Value::scalar(keys[*at], true);
      continue;
    }
    for (const auto& piece : nodes_.at(keys[*at]).pieces)
      if (const auto* pr = piece.find(r.param)) r.map = pr->map, r.map_note = pr->map_note;
  }

  auto table = std::make_shared<std::vector<std::vector<Solution>>>();
  for (double key : keys) table->push_back(nodes_.at(key).pieces);
  const std::size_t q = q_;
  sol.draw = [table, keys, sums = dist::random::cumulative(weights), q](dist::Rng& rng,
                                                                        std::vector<Value>& out) {
    const std::size_t k = dist::random::discrete_cumulative(rng, sums);
    out[q] = Value::scalar(keys[k], true);
    for (const auto& piece : (*table)[k]) piece.draw(rng, out);
  };
  const std::string improper = density::improper_prior(m_, c_.params);
  if (improper.empty())
    sol.log_evidence = top + std::log(total);
  else
    sol.evidence_note = improper;
  sol.explain.push_back("enumeration: given " + qn + ", the rest is conjugate (" + inner +
                        "), with evidence p(y | " + qn + "); p(" + qn + " | y) ~ p(" + qn +
                        ") p(y | " + qn + ") is summed over " + qn + "'s " +
                        std::to_string(values.size()) +
                        " values, and the others' marginals are mixtures of their conditional "
                        "posteriors: exact");
  return sol;
}

// The parameters worth trying as q: scalar, continuous, in a Normal factor,
// and without a Normal prior of their own (those are the block the Normal
// rules take); a quick filter before any model is copied.
std::vector<std::size_t> candidates(const Model& m, const graph::FactorGraph& g,
                                    const graph::Component& c) {
  std::vector<std::size_t> in_normal;
  for (auto fi : c.factors) {
    const graph::Factor& f = g.factors[fi];
    if (f.kind == graph::FactorKind::Term) continue;  // a `factor` names no family
    const bool prior = f.kind == graph::FactorKind::Prior;
    const dist::Family* family = prior ? m.priors[f.index].family : m.observations[f.index].family;
    if (family != &dist::normal_family()) continue;
    const auto& args = prior ? m.priors[f.index].args : m.observations[f.index].args;
    for (const auto& a : args)
      for (auto p : ir::params_of(*a)) in_normal.push_back(p);
  }
  std::vector<std::size_t> out;
  for (auto p : c.params) {
    const dist::Family* own = m.priors[m.params[p].prior].family;
    if (m.params[p].type.is_scalar() && !m.params[p].discrete && own != &dist::normal_family() &&
        std::find(in_normal.begin(), in_normal.end(), p) != in_normal.end())
      out.push_back(p);
  }
  // A discrete scalar with finite support (an unknown count n, a change
  // point): summed over exactly, whatever family it meets.
  for (auto p : c.params)
    if (m.params[p].type.is_scalar() && m.params[p].discrete &&
        patterns::finite_support(m, m.priors[m.params[p].prior], kMaxValues))
      out.push_back(p);
  return out;
}

}  // namespace

std::optional<Solution> solve(const Model& m, const graph::FactorGraph& g,
                              const graph::Component& c, std::string& why) {
  if (patterns::all_discrete(m, c)) return std::nullopt;
  for (auto p : c.params)  // the exact engines take bounds that are numbers
    if (m.priors[m.params[p].prior].dependent_bounds()) return std::nullopt;
  for (auto q : candidates(m, g, c)) {
    auto cond = Conditional::make(m, c, q);
    if (!cond) continue;
    // Conjugate given q at one value inside its support?
    const auto values = m.params[q].discrete
                            ? patterns::finite_support(m, m.priors[m.params[q].prior], kMaxValues)
                            : std::nullopt;
    std::string w;
    if (!values && !cond->solve(scale_of(m, q).theta(0), w)) continue;
    if (values) {  // conjugate given the first value in the support?
      bool any = false;
      for (double x : *values)
        if (cond->supports(x)) {
          any = cond->solve(x, w).has_value();
          break;
        }
      if (!any) continue;
    }
    Engine engine(m, c, std::move(*cond));
    std::string reason;
    auto sol = values ? engine.run_discrete(*values, reason) : engine.run(reason);
    if (sol) return sol;
    why = "quadrature over '" + m.params[q].name + "': " + reason;
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace bayes::quadrature
