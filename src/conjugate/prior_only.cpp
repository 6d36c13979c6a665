// Rule: a component with no observation factor, each of its priors a
// univariate src/dist family with known arguments. No likelihood touches its
// parameters, so Bayes' rule p(theta | D) = p(theta) p(D | theta) / p(D) has
// p(D | theta) = 1 and the posterior is the prior itself, exactly (Gelman et
// al., BDA3, sec. 1.3); the evidence is log 1 = 0. Receives a component of the
// factor graph, produces its Solution: each parameter's prior as its posterior
// (a vector parameter's elements are independent, each with its own element
// of the arguments), the prior's mode as the MAP, and no MLE.
#include <cmath>

#include "conjugate/rule.hpp"

namespace bayes::conjugate {

namespace {

// One parameter of the component and its prior's arguments, per element.
struct PriorOnly {
  std::size_t param = 0;                // Model::params index
  const Prior* prior = nullptr;         // its prior factor
  std::vector<std::vector<double>> at;  // the arguments of element k (one row per element)
};

// Whether `family` has what a closed form needs: a scalar outcome with its
// density, cdf, quantile, moments and sampler.
bool univariate(const dist::Family* family) {
  return family && family->outcome_rank == Rank::Scalar && family->joint == 1 && family->lpdf &&
         family->cdf && family->quantile && family->mean && family->variance && family->sample;
}

// The component's parameters with their priors, or nullopt when it has an
// observation or a prior this rule cannot take (`why` is left empty: the
// other rules and engines say what they make of it).
std::optional<std::vector<PriorOnly>> match(const Model& m, const ComponentView& v) {
  if (!v.observations.empty() || v.priors.empty()) return std::nullopt;
  std::vector<PriorOnly> out;
  for (auto pi : v.priors) {
    const Prior& prior = m.priors[pi];
    if (!univariate(prior.family) || !fixed_args(prior) || prior.params.size() != 1)
      return std::nullopt;
    if (std::isfinite(prior.lower) || std::isfinite(prior.upper)) return std::nullopt;
    const ParamVar& param = m.params[prior.params[0]];
    if (!param.type.is_scalar() && !param.type.is_vector()) return std::nullopt;
    const std::size_t n = param.type.is_scalar() ? 1 : param.type.rows;
    std::vector<Value> args;
    for (const auto& a : prior.args) {
      args.push_back(eval_data(m, *a));
      if (args.back().size() != 1 && args.back().size() != n) return std::nullopt;
    }
    PriorOnly p{prior.params[0], &prior, std::vector<std::vector<double>>(n)};
    for (std::size_t k = 0; k < n; ++k)
      for (const auto& a : args) p.at[k].push_back(at(a, k));
    out.push_back(std::move(p));
  }
  return out;
}

// The posterior, MAP and MLE of one parameter.
ParamResult result(const Model& m, const PriorOnly& p) {
  const dist::Family& family = *p.prior->family;
  ParamResult r;
  r.param = p.param;
  r.posterior = m.params[p.param].type.is_scalar() ? from_family(family, p.at[0])
                                                   : independent_elements(family, p.at);
  r.map = r.posterior.mode;
  if (!r.map) r.map_note = r.posterior.mode_note;
  r.mle_note = "the MLE is undefined: no data inform " + m.params[p.param].name +
               " (no observation depends on it, so the likelihood is flat)";
  return r;
}

// The derivation for --explain, one line each.
void explain(const Model& m, const std::vector<PriorOnly>& ps, Solution& sol) {
  std::string names;
  for (std::size_t i = 0; i < ps.size(); ++i)
    names += (i == 0               ? "'"
              : i + 1 == ps.size() ? " and '"
                                   : ", '") +
             m.params[ps[i].param].name + "'";
  sol.explain.push_back("rule " + sol.rule + ": no observation involves " + names +
                        ", so no data inform " + (ps.size() == 1 ? "it" : "them") +
                        " and the posterior is the prior (the likelihood is 1)");
  for (std::size_t i = 0; i < ps.size(); ++i) {
    const std::string& name = m.params[ps[i].param].name;
    const ParamResult& r = sol.params[i];
    const ClosedForm& post = r.posterior;
    sol.explain.push_back("prior = posterior: " + name + " ~ " + ps[i].prior->text +
                          (post.scalar() ? "" : ", each element independently"));
    if (post.scalar())
      sol.explain.push_back("mean = " + significant(post.mean[0]) +
                            ", sd = " + significant(post.sd[0]) + " (the prior's)");
    sol.explain.push_back(r.map ? "MAP = the prior's mode" +
                                      (post.scalar() ? " = " + significant((*r.map)[0]) : "")
                                : "MAP: " + r.map_note);
    sol.explain.push_back("MLE: " + r.mle_note);
  }
  sol.explain.push_back("evidence: log p(data) = log 1 = 0: there are no observations");
}

}  // namespace

std::optional<Solution> solve_prior_only(const Model& m, const graph::FactorGraph& g,
                                         const graph::Component& c, std::string&) {
  auto ps = match(m, view(g, c));
  if (!ps) return std::nullopt;
  Solution sol;
  const dist::Family* first = ps->front().prior->family;
  bool same = true;
  for (const auto& p : *ps) same = same && p.prior->family == first;
  sol.rule = same ? std::string(first->name) + " prior (no data)" : "priors (no data)";
  for (const auto& p : *ps) sol.params.push_back(result(m, p));
  sol.log_evidence = 0;
  explain(m, *ps, sol);

  std::vector<std::pair<std::size_t, ClosedForm>> posts;
  for (const auto& r : sol.params) posts.emplace_back(r.param, r.posterior);
  sol.draw = [posts](dist::Rng& rng, std::vector<Value>& values) {
    for (const auto& [p, post] : posts) values[p] = post.sample(rng);
  };
  sol.log_posterior = [posts](const std::vector<Value>& values) {
    double total = 0;
    for (const auto& [p, post] : posts) total += post.lpdf(values[p]);
    return total;
  };
  // The medians: inside the support even where the mean is not finite.
  sol.point.resize(m.params.size());
  for (const auto& [p, post] : posts) {
    std::vector<double> xs;
    for (std::size_t k = 0; k < post.mean.size(); ++k)
      xs.push_back(post.scalar() ? post.quantile(0.5) : post.element_quantile(k, 0.5));
    sol.point[p] = post.scalar() ? Value::scalar(xs[0]) : Value::vector(xs);
  }
  return sol;
}

}  // namespace bayes::conjugate
