// Exact enumeration (Bayes' rule by summation, in log space).
#include "enumerate/enumerate.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <random>

#include "density/log_density.hpp"
#include "dist/random.hpp"
#include "expr/eval.hpp"
#include "format/format.hpp"
#include "graph/view.hpp"
#include "patterns/patterns.hpp"
#include "solution/discrete.hpp"

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

// One slot per element: a vector parameter z[3] is three discrete values,
// enumerated jointly with the rest (odometer order, the last slot fastest).
struct Slots {
  std::vector<std::size_t> param;  // each slot's parameter (index into params)
  std::vector<bool> scalar;        // per parameter
  std::vector<std::size_t> params;

  // The parameters' values at one joint assignment (indexed like Model::params).
  void set_values(const std::vector<double>& a, std::vector<Value>& values) const {
    std::vector<std::vector<double>> xs(params.size());
    for (std::size_t s = 0; s < param.size(); ++s) xs[param[s]].push_back(a[s]);
    for (std::size_t i = 0; i < params.size(); ++i)
      values[params[i]] = scalar[i] ? Value::scalar(xs[i][0], true) : Value::vector(xs[i], true);
  }
};

// Every joint value of the component's parameters, with its log prior plus
// log likelihood, its log likelihood and its posterior probability.
struct Joint {
  Slots slots;
  std::vector<std::vector<double>> supports;  // per parameter (iid elements)
  double count = 1;
  std::size_t n = 0;
  std::vector<std::vector<double>> assignment;
  std::vector<double> log_joint, log_lik, post;
  double evidence = 0;
};

// The slots and supports, and every assignment in odometer order; nullopt
// with `why` when a support is not finite or there are too many.
std::optional<Joint> joint_values(const Model& m, const graph::Component& c, std::string& why) {
  Joint j;
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    const ParamVar& pv = m.params[c.params[i]];
    std::string reason;
    auto s = patterns::finite_support(m, m.priors[pv.prior], kMaxJoint, &reason);
    if (!s) {
      why = "'" + pv.name + "' " + reason;
      return std::nullopt;
    }
    std::size_t size = pv.type.is_scalar() ? 1 : pv.type.rows;
    j.slots.param.insert(j.slots.param.end(), size, i);
    j.count *= std::pow(static_cast<double>(s->size()), static_cast<double>(size));
    j.supports.push_back(*s);
  }
  if (j.count > kMaxJoint) {
    why = "too many joint values to enumerate (" + format::significant(j.count) + ")";
    return std::nullopt;
  }
  j.slots.scalar.resize(c.params.size());
  for (std::size_t i = 0; i < c.params.size(); ++i)
    j.slots.scalar[i] = m.params[c.params[i]].type.is_scalar();
  j.slots.params = c.params;
  j.n = static_cast<std::size_t>(j.count);
  const std::size_t slots = j.slots.param.size();
  j.assignment.assign(j.n, std::vector<double>(slots));
  for (std::size_t a = 0; a < j.n; ++a) {
    std::size_t rest = a;
    for (std::size_t s = slots; s-- > 0;) {
      const auto& sup = j.supports[j.slots.param[s]];
      j.assignment[a][s] = sup[rest % sup.size()];
      rest /= sup.size();
    }
  }
  return j;
}

// Bayes' rule by summation: each assignment's log prior and log likelihood,
// the evidence and the posterior probabilities. False with `why` when the
// density is zero everywhere.
bool weigh(Joint& j, const Model& m, const graph::Component& c, const graph::ComponentView& v,
           std::string& why) {
  j.log_joint.resize(j.n);
  j.log_lik.resize(j.n);
  std::vector<Value> values(m.params.size());
  // Arguments that hold no unknown are evaluated (and checked) once, not once
  // per value: a Categorical over 10^5 categories is weighed in linear time.
  std::vector<std::optional<density::FixedArgs>> prior_args, obs_args;
  for (auto pi : v.priors)
    prior_args.push_back(density::fixed_args(m, m.priors[pi].args, m.priors[pi].family));
  for (auto oi : v.observations)
    obs_args.push_back(density::fixed_args(m, m.observations[oi].args, m.observations[oi].family));
  const auto at = [](const std::optional<density::FixedArgs>& f) { return f ? &*f : nullptr; };
  for (std::size_t a = 0; a < j.n; ++a) {
    j.slots.set_values(j.assignment[a], values);
    double prior = 0, lik = 0;
    for (std::size_t k = 0; k < v.priors.size(); ++k)
      prior += density::log_prior(m, m.priors[v.priors[k]], values, at(prior_args[k]));
    for (std::size_t k = 0; k < v.observations.size(); ++k)
      lik += density::log_likelihood(m, m.observations[v.observations[k]], values, at(obs_args[k]));
    for (auto ti : v.terms) lik += density::log_term(m, m.terms[ti], values);
    j.log_joint[a] = prior + lik;
    j.log_lik[a] = lik;
  }
  j.evidence = log_sum_exp(j.log_joint);
  if (!(j.evidence > -INFINITY)) {
    std::string names;
    for (auto p : c.params) names += (names.empty() ? "'" : ", '") + m.params[p].name + "'";
    why = "the density is zero for every value of " + names +
          " (is an argument outside its family's support for every value?)";
    return false;
  }
  j.post.resize(j.n);
  for (std::size_t a = 0; a < j.n; ++a) j.post[a] = std::exp(j.log_joint[a] - j.evidence);
  return true;
}

// Each element's marginal of parameter i: probs[e][k] = P(element e = vals[k]).
// Assignment a holds value (a / stride) % size of each slot (odometer order,
// the last slot fastest), so no value is looked up.
std::vector<std::vector<double>> marginals(const Joint& j, std::size_t i) {
  const std::size_t K = j.supports[i].size();
  std::vector<std::vector<double>> probs;
  std::size_t stride = 1;
  std::vector<std::size_t> strides(j.slots.param.size());
  for (std::size_t s = j.slots.param.size(); s-- > 0;) {
    strides[s] = stride;
    stride *= j.supports[j.slots.param[s]].size();
  }
  for (std::size_t s = 0; s < j.slots.param.size(); ++s) {
    if (j.slots.param[s] != i) continue;
    std::vector<double> pk(K, 0.0);
    for (std::size_t a = 0; a < j.n; ++a) pk[(a / strides[s]) % K] += j.post[a];
    probs.push_back(std::move(pk));
  }
  return probs;
}

// "posterior of z[1]: P(z[1] = 1) = 0.2, ..." for the first five elements.
void explain_marginals(std::vector<std::string>& explain, const std::string& param, bool scalar,
                       const std::vector<double>& vals,
                       const std::vector<std::vector<double>>& probs) {
  const std::size_t K = vals.size(), rows = probs.size();
  for (std::size_t e = 0; e < std::min<std::size_t>(rows, 5); ++e) {
    std::string name = param + (scalar ? "" : "[" + std::to_string(e + 1) + "]");
    std::string line = "posterior of " + name + ":";
    for (std::size_t k = 0; k < K; ++k)
      line += " P(" + name + " = " + format::significant(vals[k]) +
              ") = " + format::significant(probs[e][k]) + (k + 1 < K ? "," : "");
    explain.push_back(line);
  }
  if (rows > 5) explain.push_back("(and " + std::to_string(rows - 5) + " more elements)");
}

// "species = 1", "n = 7, p = [0, 1]": one joint value, as --explain names it.
std::string name_of(const Model& m, const Joint& j, std::size_t a) {
  std::vector<Value> values(m.params.size());
  j.slots.set_values(j.assignment[a], values);
  std::string s;
  for (auto p : j.slots.params) {
    const Value& v = values[p];
    std::string text;
    if (v.is_scalar()) {
      text = format::significant(v[0]);
    } else {
      for (std::size_t e = 0; e < v.size(); ++e)
        text += (e ? ", " : "[") + format::significant(v[e]);
      text += "]";
    }
    s += (s.empty() ? "" : ", ") + m.params[p].name + " = " + text;
  }
  return s;
}

// Bayes' rule with the numbers put in, for --explain: each joint value's
// prior times likelihood, the normaliser, and the posterior. Up to 12 joint
// values all of them, else the 6 most probable; on the log scale when a
// product would underflow a double.
void explain_bayes_rule(std::vector<std::string>& explain, const Model& m, const Joint& j) {
  using format::significant;
  std::vector<std::size_t> shown(j.n);
  for (std::size_t a = 0; a < j.n; ++a) shown[a] = a;
  if (j.n > 12) {
    std::partial_sort(shown.begin(), shown.begin() + 6, shown.end(),
                      [&](auto x, auto y) { return j.post[x] > j.post[y]; });
    shown.resize(6);
  }
  bool plain = true;
  for (auto a : shown) {
    const double prior = std::exp(j.log_joint[a] - j.log_lik[a]), lik = std::exp(j.log_lik[a]);
    plain = plain && std::isfinite(j.evidence) && std::exp(j.evidence) > 1e-300 &&
            std::exp(j.evidence) < 1e300 && lik > 1e-300 && lik < 1e300 && prior > 0;
  }
  auto name = [&](std::size_t a) { return name_of(m, j, a); };
  explain.push_back(
      "Bayes' rule: P(value | data) = P(value) p(data | value) / p(data), summed over " +
      std::string(j.n > 12 ? "every joint value (the 6 most probable shown)"
                           : "the " + std::to_string(j.n) + " joint values") +
      ":");
  std::string normaliser;
  for (auto a : shown) {
    const double log_prior = j.log_joint[a] - j.log_lik[a];
    if (plain)
      explain.push_back("  " + name(a) + ": prior " + significant(std::exp(log_prior)) +
                        " x likelihood " + significant(std::exp(j.log_lik[a])) + " = " +
                        significant(std::exp(j.log_joint[a])) + ", posterior " +
                        significant(std::exp(j.log_joint[a])) +
                        " / p(data) = " + significant(j.post[a]));
    else
      explain.push_back(
          "  " + name(a) + ": log prior " + significant(log_prior) + " + log likelihood " +
          significant(j.log_lik[a]) + " = " + significant(j.log_joint[a]) + ", posterior exp(" +
          significant(j.log_joint[a]) + " - log p(data)) = " + significant(j.post[a]));
    if (plain && j.n <= 12)
      normaliser += (normaliser.empty() ? "" : " + ") + significant(std::exp(j.log_joint[a]));
  }
  if (plain)
    explain.push_back("p(data) = the sum of prior x likelihood" +
                      (normaliser.empty() ? std::string() : " = " + normaliser) + " = " +
                      significant(std::exp(j.evidence)) + " (log " + significant(j.evidence) + ")");
  else
    explain.push_back("log p(data) = log sum exp(log prior + log likelihood) = " +
                      significant(j.evidence));
}

// Predictive of one more observation: a mixture over the joint values,
// weighted by their posterior probabilities. nullopt for a family without
// a scalar density.
std::optional<solution::PredictiveResult> predictive(const Model& m, std::size_t oi,
                                                     const Joint& j) {
  const Observation& o = m.observations[oi];
  const dist::Family& f = *o.family;
  if (!f.lpdf || f.outcome_rank != Rank::Scalar) return std::nullopt;
  std::vector<std::vector<double>> comp_args(f.params.size(), std::vector<double>(j.n));
  std::vector<Value> values(m.params.size());
  double mean = 0, second = 0;
  for (std::size_t a = 0; a < j.n; ++a) {
    j.slots.set_values(j.assignment[a], values);
    std::vector<double> args;
    for (const auto& arg : o.args) args.push_back(ir::eval(*arg, env_of(m, values))[0]);
    for (std::size_t k = 0; k < args.size(); ++k) comp_args[k][a] = args[k];
    double mu = f.mean(args), var = f.variance(args);
    mean += j.post[a] * mu;
    second += j.post[a] * (var + mu * mu);
  }
  solution::PredictiveResult pr;
  pr.observation = oi;
  bool normal = &f == &dist::normal_family();
  pr.dist.family = normal ? "NormalMixture" : std::string(f.name) + "Mixture";
  pr.dist.params.push_back({"weights", Value::vector(j.post)});
  for (std::size_t k = 0; k < f.params.size(); ++k) {
    std::string name = normal ? (k == 0 ? "means" : "sds") : std::string(f.params[k].name);
    pr.dist.params.push_back({name, Value::vector(comp_args[k])});
  }
  pr.dist.mean = Value::scalar(mean);
  pr.dist.sd = Value::scalar(std::sqrt(std::max(0.0, second - mean * mean)));
  return pr;
}

std::size_t arg_max(const std::vector<double>& xs) {
  return static_cast<std::size_t>(std::max_element(xs.begin(), xs.end()) - xs.begin());
}

// How many values share the largest of xs (log densities): 1 when the
// maximum is unique.
std::size_t ties_at_max(const std::vector<double>& xs) {
  const double top = *std::max_element(xs.begin(), xs.end());
  return static_cast<std::size_t>(std::count_if(xs.begin(), xs.end(), [&](double x) {
    return std::abs(x - top) <= 1e-12 * std::max(1.0, std::abs(top));
  }));
}

}  // namespace

// The values a discrete prior can take, when its arguments are data: every
// whole number between the ends of its family's support, when both are finite.

std::optional<solution::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, std::string& why) {
  if (!patterns::all_discrete(m, c)) return std::nullopt;
  for (auto p : c.params)  // a chain of states: forward-backward, not every path
    if (m.priors[m.params[p].prior].family == &dist::markov_chain_family())
      return solve_hmm(m, g, c, why);
  graph::ComponentView v = graph::view(g, c);
  std::optional<Joint> joint = joint_values(m, c, why);
  if (!joint || !weigh(*joint, m, c, v, why)) return std::nullopt;
  const Joint& j = *joint;

  solution::Solution sol;
  sol.rule = "Bayes' rule by summation";
  sol.method = "enumeration";
  sol.log_evidence = j.evidence;
  sol.explain.push_back("exact enumeration over " + format::significant(j.count) +
                        " joint values (Bayes' rule by summation)");
  explain_bayes_rule(sol.explain, m, j);
  std::vector<Value> at_best(m.params.size()), at_best_lik(m.params.size());
  j.slots.set_values(j.assignment[arg_max(j.log_joint)], at_best);
  j.slots.set_values(j.assignment[arg_max(j.log_lik)], at_best_lik);
  // Several equally probable joint values: no single one is the MAP (MLE).
  auto not_unique = [&](const std::vector<double>& xs, const char* what) -> std::string {
    const std::size_t ties = ties_at_max(xs);
    if (ties < 2) return "";
    return std::string("not unique: ") + std::to_string(ties) + " joint values share the largest " +
           what;
  };
  const std::string map_ties = not_unique(j.log_joint, "posterior probability");
  const std::string mle_ties = not_unique(j.log_lik, "likelihood");
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    const bool scalar = j.slots.scalar[i];
    std::vector<std::vector<double>> probs = marginals(j, i);
    solution::ParamResult r;
    r.param = c.params[i];
    r.posterior = solution::discrete_marginal(j.supports[i], probs, scalar);
    if (map_ties.empty())
      r.map = at_best[c.params[i]];
    else
      r.map_note = map_ties;
    if (mle_ties.empty())
      r.mle = at_best_lik[c.params[i]];
    else
      r.mle_note = mle_ties;
    explain_marginals(sol.explain, m.params[c.params[i]].name, scalar, j.supports[i], probs);
    sol.params.push_back(std::move(r));
  }
  for (auto oi : v.observations)
    if (auto pr = predictive(m, oi, j)) sol.predictive.push_back(std::move(*pr));
  sol.explain.push_back(
      "MAP: the joint value with the largest prior x likelihood" +
      (map_ties.empty() ? ": " + name_of(m, j, arg_max(j.log_joint)) : " (" + map_ties + ")") +
      "; MLE: the largest likelihood alone" +
      (mle_ties.empty() ? ": " + name_of(m, j, arg_max(j.log_lik)) : " (" + mle_ties + ")"));
  // The weights' cumulative sums are made once, not per draw.
  sol.draw = [assignment = j.assignment, sums = dist::random::cumulative(j.post), slots = j.slots](
                 dist::Rng& rng, std::vector<Value>& out) {
    slots.set_values(assignment[dist::random::discrete_cumulative(rng, sums)], out);
  };
  return sol;
}

}  // namespace bayes::enumerate
