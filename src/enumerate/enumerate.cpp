// Exact enumeration (Bayes' rule by summation, in log space).
#include "enumerate/enumerate.hpp"

#include <algorithm>
#include <cmath>

#include "conjugate/component.hpp"
#include "conjugate/patterns.hpp"
#include "density/log_density.hpp"
#include "expr/eval.hpp"

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

// The values a discrete prior can take, when its arguments are data.
std::optional<std::vector<double>> support(const Model& m, const Prior& p) {
  if (!p.family || !p.family->discrete || !conjugate::fixed_args(p)) return std::nullopt;
  std::string_view f = p.family->name;
  std::vector<double> out;
  if (f == "Bernoulli") return std::vector<double>{0, 1};
  if (f == "Categorical") {
    Value probs = conjugate::eval_data(m, *p.args[0]);
    for (std::size_t k = 1; k <= probs.size(); ++k) out.push_back(static_cast<double>(k));
    return out;
  }
  if (f == "DiscreteUniform") {
    double lo = conjugate::eval_data(m, *p.args[0])[0], hi = conjugate::eval_data(m, *p.args[1])[0];
    if (hi - lo > kMaxJoint) return std::nullopt;
    for (double k = lo; k <= hi; ++k) out.push_back(k);
    return out;
  }
  if (f == "Binomial") {
    double n = conjugate::eval_data(m, *p.args[0])[0];
    if (n > kMaxJoint) return std::nullopt;
    for (double k = 0; k <= n; ++k) out.push_back(k);
    return out;
  }
  return std::nullopt;
}

}  // namespace

bool all_discrete(const Model& m, const graph::Component& c) {
  if (c.params.empty()) return false;
  for (auto p : c.params)
    if (!m.params[p].discrete) return false;
  return true;
}

std::optional<conjugate::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                         const graph::Component& c, std::string& why) {
  if (!all_discrete(m, c)) return std::nullopt;
  conjugate::ComponentView v = conjugate::view(g, c);
  std::vector<std::vector<double>> supports;
  double joint = 1;
  for (auto p : c.params) {
    const ParamVar& pv = m.params[p];
    if (!pv.type.is_scalar()) {
      why = "'" + pv.name + "' is a vector of discrete values; enumeration handles scalars";
      return std::nullopt;
    }
    auto s = support(m, m.priors[pv.prior]);
    if (!s) {
      why = "'" + pv.name + "' has no finite support fixed by data";
      return std::nullopt;
    }
    joint *= static_cast<double>(s->size());
    supports.push_back(*s);
  }
  if (joint > kMaxJoint) {
    why = "too many joint values to enumerate (" + conjugate::num(joint) + ")";
    return std::nullopt;
  }
  // Every joint value, in odometer order.
  std::size_t n = static_cast<std::size_t>(joint);
  std::vector<double> log_joint(n), log_lik(n);
  std::vector<Value> values(m.params.size());
  std::vector<std::vector<double>> assignment(n, std::vector<double>(c.params.size()));
  for (std::size_t j = 0; j < n; ++j) {
    std::size_t rest = j;
    for (std::size_t i = c.params.size(); i-- > 0;) {
      std::size_t k = rest % supports[i].size();
      rest /= supports[i].size();
      assignment[j][i] = supports[i][k];
      values[c.params[i]] = Value::scalar(supports[i][k], true);
    }
    double prior = 0, lik = 0;
    for (auto pi : v.priors) prior += density::log_prior(m, m.priors[pi], values);
    for (auto oi : v.observations) lik += density::log_likelihood(m, m.observations[oi], values);
    log_joint[j] = prior + lik;
    log_lik[j] = lik;
  }
  double evidence = log_sum_exp(log_joint);
  std::vector<double> post(n);
  for (std::size_t j = 0; j < n; ++j) post[j] = std::exp(log_joint[j] - evidence);
  std::size_t best = static_cast<std::size_t>(std::max_element(log_joint.begin(), log_joint.end()) -
                                              log_joint.begin());
  std::size_t best_lik =
      static_cast<std::size_t>(std::max_element(log_lik.begin(), log_lik.end()) - log_lik.begin());

  conjugate::Solution sol;
  sol.rule = "Bayes' rule by summation";
  sol.method = "enumeration";
  sol.log_evidence = evidence;
  sol.explain.push_back("exact enumeration over " + conjugate::num(joint) +
                        " joint values (Bayes' rule by summation)");
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    const ParamVar& pv = m.params[c.params[i]];
    std::vector<double> probs(supports[i].size(), 0.0);
    for (std::size_t j = 0; j < n; ++j) {
      auto k =
          std::find(supports[i].begin(), supports[i].end(), assignment[j][i]) - supports[i].begin();
      probs[static_cast<std::size_t>(k)] += post[j];
    }
    conjugate::ParamResult r;
    r.param = c.params[i];
    conjugate::ClosedForm& cf = r.posterior;
    std::vector<double> vals = supports[i];
    bool categorical = vals.front() == 1 && vals.back() == static_cast<double>(vals.size());
    cf.family = categorical ? "Categorical" : "Discrete";
    if (!categorical) cf.params.push_back({"values", Value::vector(vals, true)});
    cf.params.push_back({"probs", Value::vector(probs)});
    cf.discrete = true;
    double mean = 0, sq = 0;
    for (std::size_t k = 0; k < vals.size(); ++k)
      mean += probs[k] * vals[k], sq += probs[k] * vals[k] * vals[k];
    cf.mean = Value::scalar(mean);
    cf.sd = Value::scalar(std::sqrt(std::max(0.0, sq - mean * mean)));
    std::size_t mk =
        static_cast<std::size_t>(std::max_element(probs.begin(), probs.end()) - probs.begin());
    cf.mode = Value::scalar(vals[mk], true);
    cf.cdf = [vals, probs](double x) {
      double t = 0;
      for (std::size_t k = 0; k < vals.size(); ++k)
        if (vals[k] <= x) t += probs[k];
      return std::min(t, 1.0);
    };
    cf.quantile = [vals, probs](double q) {
      double t = 0;
      for (std::size_t k = 0; k < vals.size(); ++k) {
        t += probs[k];
        if (t >= q * (1 - 1e-12)) return vals[k];
      }
      return vals.back();
    };
    cf.sample = [vals, probs](dist::Rng& rng) {
      std::discrete_distribution<std::size_t> d(probs.begin(), probs.end());
      return Value::scalar(vals[d(rng)], true);
    };
    cf.lpdf = [vals, probs](const Value& x) -> double {
      for (std::size_t k = 0; k < vals.size(); ++k)
        if (vals[k] == x[0]) return std::log(probs[k]);
      return -INFINITY;
    };
    r.map = Value::scalar(assignment[best][i], true);
    r.mle = Value::scalar(assignment[best_lik][i], true);
    std::string line = "posterior of " + pv.name + ":";
    for (std::size_t k = 0; k < vals.size(); ++k)
      line += " P(" + pv.name + " = " + conjugate::num(vals[k]) +
              ") = " + conjugate::num(probs[k]) + (k + 1 < vals.size() ? "," : "");
    sol.explain.push_back(line);
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
      for (std::size_t i = 0; i < c.params.size(); ++i)
        values[c.params[i]] = Value::scalar(assignment[j][i], true);
      std::vector<double> args;
      for (const auto& a : o.args) args.push_back(ir::eval(*a, env_of(m, values))[0]);
      for (std::size_t k = 0; k < args.size(); ++k) comp_args[k][j] = args[k];
      double mu = f.mean(args), var = f.variance(args);
      mean += post[j] * mu;
      second += post[j] * (var + mu * mu);
    }
    conjugate::PredictiveResult pr;
    pr.observation = oi;
    bool normal = f.name == "Normal";
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
                        conjugate::num(evidence));
  std::vector<std::size_t> params = c.params;
  sol.draw = [assignment, post, params](dist::Rng& rng, std::vector<Value>& out) {
    std::discrete_distribution<std::size_t> d(post.begin(), post.end());
    std::size_t j = d(rng);
    for (std::size_t i = 0; i < params.size(); ++i)
      out[params[i]] = Value::scalar(assignment[j][i], true);
  };
  return sol;
}

}  // namespace bayes::enumerate
