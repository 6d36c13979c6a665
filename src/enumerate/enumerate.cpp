// Exact enumeration (Bayes' rule by summation, in log space).
#include "enumerate/enumerate.hpp"

#include <algorithm>
#include <cmath>

#include "conjugate/component.hpp"
#include "conjugate/patterns.hpp"
#include "density/log_density.hpp"
#include "expr/eval.hpp"
#include "format/format.hpp"

namespace bayes::enumerate {

namespace {

constexpr double kMaxJoint = 1e6;

double log_sum_exp(const std::vector<double>& xs) {
  double m = *std::max_element(xs.begin(), xs.end());
  if (!std::isfinite(m)) return m;
  double s = 0;
  for (double x : xs) s += std::exp(x - m);
  return m + std::log(s);
}

// The values a discrete prior can take, when its arguments are data: every
// whole number between the ends of its family's support, when both are finite.
std::optional<std::vector<double>> support(const Model& m, const Prior& p) {
  if (!p.family || !p.family->discrete || p.family->outcome_rank != Rank::Scalar ||
      !conjugate::fixed_args(p))
    return std::nullopt;
  std::vector<Value> args;
  for (const auto& a : p.args) args.push_back(conjugate::eval_data(m, *a));
  const dist::Bounds b = dist::support_bounds(*p.family, args);
  if (!std::isfinite(b.lo) || !std::isfinite(b.hi) || b.hi - b.lo > kMaxJoint) return std::nullopt;
  std::vector<double> out;
  for (double k = b.lo; k <= b.hi; ++k) out.push_back(k);
  return out;
}

}  // namespace

bool all_discrete(const Model& m, const graph::Component& c) {
  if (c.params.empty()) return false;
  for (auto p : c.params)
    if (!m.params[p].discrete) return false;
  return true;
}

std::optional<solution::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, std::string& why) {
  if (!all_discrete(m, c)) return std::nullopt;
  conjugate::ComponentView v = conjugate::view(g, c);
  // One slot per element: a vector parameter z[3] is three discrete values,
  // enumerated jointly with the rest (odometer order, the last slot fastest).
  std::vector<std::size_t> slots;             // each slot's parameter (index into c.params)
  std::vector<std::vector<double>> supports;  // per parameter (iid elements)
  double joint = 1;
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    const ParamVar& pv = m.params[c.params[i]];
    auto s = support(m, m.priors[pv.prior]);
    if (!s) {
      why = "'" + pv.name + "' has no finite support fixed by data";
      return std::nullopt;
    }
    std::size_t size = pv.type.is_scalar() ? 1 : pv.type.rows;
    slots.insert(slots.end(), size, i);
    joint *= std::pow(static_cast<double>(s->size()), static_cast<double>(size));
    supports.push_back(*s);
  }
  if (joint > kMaxJoint) {
    why = "too many joint values to enumerate (" + format::significant(joint) + ")";
    return std::nullopt;
  }
  // The parameters' values at one joint assignment (indexed like Model::params).
  std::vector<bool> scalar(c.params.size());
  for (std::size_t i = 0; i < c.params.size(); ++i)
    scalar[i] = m.params[c.params[i]].type.is_scalar();
  std::vector<std::size_t> params = c.params;
  auto set_values = [slots, scalar, params](const std::vector<double>& a,
                                            std::vector<Value>& values) {
    std::vector<std::vector<double>> xs(params.size());
    for (std::size_t s = 0; s < slots.size(); ++s) xs[slots[s]].push_back(a[s]);
    for (std::size_t i = 0; i < params.size(); ++i)
      values[params[i]] = scalar[i] ? Value::scalar(xs[i][0], true) : Value::vector(xs[i], true);
  };
  std::size_t n = static_cast<std::size_t>(joint);
  std::vector<double> log_joint(n), log_lik(n);
  std::vector<Value> values(m.params.size());
  std::vector<std::vector<double>> assignment(n, std::vector<double>(slots.size()));
  for (std::size_t j = 0; j < n; ++j) {
    std::size_t rest = j;
    for (std::size_t s = slots.size(); s-- > 0;) {
      const auto& sup = supports[slots[s]];
      assignment[j][s] = sup[rest % sup.size()];
      rest /= sup.size();
    }
    set_values(assignment[j], values);
    double prior = 0, lik = 0;
    for (auto pi : v.priors) prior += density::log_prior(m, m.priors[pi], values);
    for (auto oi : v.observations) lik += density::log_likelihood(m, m.observations[oi], values);
    log_joint[j] = prior + lik;
    log_lik[j] = lik;
  }
  double evidence = log_sum_exp(log_joint);
  if (!(evidence > -INFINITY)) {
    std::string names;
    for (auto p : c.params) names += (names.empty() ? "'" : ", '") + m.params[p].name + "'";
    why = "the density is zero for every value of " + names +
          " (is an argument outside its family's support for every value?)";
    return std::nullopt;
  }
  std::vector<double> post(n);
  for (std::size_t j = 0; j < n; ++j) post[j] = std::exp(log_joint[j] - evidence);
  std::size_t best = static_cast<std::size_t>(std::max_element(log_joint.begin(), log_joint.end()) -
                                              log_joint.begin());
  std::size_t best_lik =
      static_cast<std::size_t>(std::max_element(log_lik.begin(), log_lik.end()) - log_lik.begin());

  solution::Solution sol;
  sol.rule = "Bayes' rule by summation";
  sol.method = "enumeration";
  sol.log_evidence = evidence;
  sol.explain.push_back("exact enumeration over " + format::significant(joint) +
                        " joint values (Bayes' rule by summation)");
  std::vector<Value> at_best(m.params.size()), at_best_lik(m.params.size());
  set_values(assignment[best], at_best);
  set_values(assignment[best_lik], at_best_lik);
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    const ParamVar& pv = m.params[c.params[i]];
    const std::vector<double>& vals = supports[i];
    const std::size_t K = vals.size();
    // Each element's marginal: probs[e][k] = P(element e = vals[k]).
    std::vector<std::vector<double>> probs;
    for (std::size_t s = 0; s < slots.size(); ++s) {
      if (slots[s] != i) continue;
      std::vector<double> pk(K, 0.0);
      for (std::size_t j = 0; j < n; ++j)
        pk[static_cast<std::size_t>(std::find(vals.begin(), vals.end(), assignment[j][s]) -
                                    vals.begin())] += post[j];
      probs.push_back(std::move(pk));
    }
    const std::size_t rows = probs.size();
    solution::ParamResult r;
    r.param = c.params[i];
    solution::ClosedForm& cf = r.posterior;
    bool categorical = vals.front() == 1 && vals.back() == static_cast<double>(K);
    cf.family = categorical ? "Categorical" : "Discrete";
    if (!categorical) cf.params.push_back({"values", Value::vector(vals, true)});
    std::vector<double> means(rows), sds(rows), modes(rows), flat(rows * K);
    for (std::size_t e = 0; e < rows; ++e) {
      double mean = 0, sq = 0;
      for (std::size_t k = 0; k < K; ++k) {
        mean += probs[e][k] * vals[k], sq += probs[e][k] * vals[k] * vals[k];
        flat[k * rows + e] = probs[e][k];
      }
      means[e] = mean, sds[e] = std::sqrt(std::max(0.0, sq - mean * mean));
      modes[e] = vals[static_cast<std::size_t>(std::max_element(probs[e].begin(), probs[e].end()) -
                                               probs[e].begin())];
    }
    cf.discrete = true;
    auto cdf = [vals, probs](std::size_t e, double x) {
      double t = 0;
      for (std::size_t k = 0; k < vals.size(); ++k)
        if (vals[k] <= x) t += probs[e][k];
      return std::min(t, 1.0);
    };
    auto quantile = [vals, probs](std::size_t e, double q) {
      double t = 0;
      for (std::size_t k = 0; k < vals.size(); ++k) {
        t += probs[e][k];
        if (t >= q * (1 - 1e-12)) return vals[k];
      }
      return vals.back();
    };
    if (scalar[i]) {
      const std::vector<double>& p0 = probs[0];
      cf.params.push_back({"probs", Value::vector(p0)});
      cf.mean = Value::scalar(means[0]);
      cf.sd = Value::scalar(sds[0]);
      cf.mode = Value::scalar(modes[0], true);
      cf.cdf = [cdf](double x) { return cdf(0, x); };
      cf.quantile = [quantile](double q) { return quantile(0, q); };
      cf.sample = [vals, p0](dist::Rng& rng) {
        std::discrete_distribution<std::size_t> d(p0.begin(), p0.end());
        return Value::scalar(vals[d(rng)], true);
      };
      cf.lpdf = [vals, p0](const Value& x) -> double {
        for (std::size_t k = 0; k < vals.size(); ++k)
          if (vals[k] == x[0]) return std::log(p0[k]);
        return -INFINITY;
      };
    } else {
      // Each element's own probabilities (rows = elements), as the numeric
      // engine reports summed-out labels.
      cf.params.push_back({"probs", Value::matrix(rows, K, flat)});
      cf.mean = Value::vector(means);
      cf.sd = Value::vector(sds);
      cf.mode = Value::vector(modes, true);
      cf.element_cdf = cdf;
      cf.element_quantile = quantile;
    }
    r.map = at_best[c.params[i]];
    r.mle = at_best_lik[c.params[i]];
    for (std::size_t e = 0; e < std::min<std::size_t>(rows, 5); ++e) {
      std::string name = pv.name + (scalar[i] ? "" : "[" + std::to_string(e + 1) + "]");
      std::string line = "posterior of " + name + ":";
      for (std::size_t k = 0; k < K; ++k)
        line += " P(" + name + " = " + format::significant(vals[k]) +
                ") = " + format::significant(probs[e][k]) + (k + 1 < K ? "," : "");
      sol.explain.push_back(line);
    }
    if (rows > 5) sol.explain.push_back("(and " + std::to_string(rows - 5) + " more elements)");
    sol.params.push_back(std::move(r));
  }
  // Predictive of one more observation: a mixture over the joint values,
  // weighted by their posterior probabilities.
  for (auto oi : v.observations) {
    const Observation& o = m.observations[oi];
    const dist::Family& f = *o.family;
    if (!f.lpdf || f.outcome_rank != Rank::Scalar) continue;
    std::vector<std::vector<double>> comp_args(f.params.size(), std::vector<double>(n));
    double mean = 0, second = 0;
    for (std::size_t j = 0; j < n; ++j) {
      set_values(assignment[j], values);
      std::vector<double> args;
      for (const auto& a : o.args) args.push_back(ir::eval(*a, env_of(m, values))[0]);
      for (std::size_t k = 0; k < args.size(); ++k) comp_args[k][j] = args[k];
      double mu = f.mean(args), var = f.variance(args);
      mean += post[j] * mu;
      second += post[j] * (var + mu * mu);
    }
    solution::PredictiveResult pr;
    pr.observation = oi;
    bool normal = &f == &dist::normal_family();
    pr.dist.family = normal ? "NormalMixture" : std::string(f.name) + "Mixture";
    pr.dist.params.push_back({"weights", Value::vector(post)});
    for (std::size_t k = 0; k < f.params.size(); ++k) {
      std::string name = normal ? (k == 0 ? "means" : "sds") : std::string(f.params[k].name);
      pr.dist.params.push_back({name, Value::vector(comp_args[k])});
    }
    pr.dist.mean = Value::scalar(mean);
    pr.dist.sd = Value::scalar(std::sqrt(std::max(0.0, second - mean * mean)));
    sol.predictive.push_back(std::move(pr));
  }
  sol.explain.push_back("evidence: log p(data) = log sum exp(log prior + log likelihood) = " +
                        format::significant(evidence));
  sol.draw = [assignment, post, set_values](dist::Rng& rng, std::vector<Value>& out) {
    std::discrete_distribution<std::size_t> d(post.begin(), post.end());
    set_values(assignment[d(rng)], out);
  };
  return sol;
}

}  // namespace bayes::enumerate
