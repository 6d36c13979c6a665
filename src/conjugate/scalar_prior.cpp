// The prior matching and helpers the Gamma and InverseGamma rules share:
// receives a component of the factor graph, produces its scalar prior.
#include "conjugate/scalar_prior.hpp"

#include <random>

#include "conjugate/closed_form.hpp"
#include "conjugate/rule.hpp"

namespace bayes::conjugate {

namespace {

// "the Gamma prior of 'lam' has 'a' among its arguments": said for a component
// with several parameters when one of them has a `family` prior on unknowns.
void hierarchical_why(const Model& m, const ComponentView& v, const dist::Family& family,
                      std::string& why) {
  const std::string fam(family.name);
  for (auto pi : v.priors) {
    const Prior& prior = m.priors[pi];
    if (prior.family != &family || fixed_args(prior)) continue;
    std::string unknowns;
    for (const auto& a : prior.args)
      for (auto q : ir::params_of(*a))
        unknowns += (unknowns.empty() ? "'" : ", '") + m.params[q].name + "'";
    why = "the " + fam + " prior of '" + m.params[prior.params[0]].name + "' has " + unknowns +
          " among its arguments: a prior with unknown hyperparameters (a hierarchical model) has "
          "no closed form here; the " +
          fam + " rule needs known numbers there";
    return;
  }
}

}  // namespace

std::optional<ScalarPrior> match_scalar_prior(const Model& m, const graph::FactorGraph& g,
                                              const graph::Component& c, const dist::Family& family,
                                              std::string& why) {
  ScalarPrior out;
  out.view = view(g, c);
  const ComponentView& v = out.view;
  const std::string fam(family.name);
  if (c.params.size() != 1 || v.priors.size() != 1) {
    hierarchical_why(m, v, family, why);
    return std::nullopt;
  }
  const Prior& prior = m.priors[v.priors[0]];
  if (prior.family != &family) return std::nullopt;
  out.param = c.params[0];
  const std::string& name = m.params[out.param].name;
  if (!m.params[out.param].type.is_scalar()) {
    why = "'" + name + "' is a vector; the " + fam + " rule handles one scalar parameter";
    return std::nullopt;
  }
  if (!fixed_args(prior)) {
    why = "the " + fam + " prior of '" + name + "' has parameters as arguments";
    return std::nullopt;
  }
  out.a0 = eval_data(m, *prior.args[0])[0];
  out.b0 = eval_data(m, *prior.args[1])[0];
  return out;
}

bool all_equal(const Value& v) {
  for (double x : v.data)
    if (x != v[0]) return false;
  return true;
}

bool all_one(const Value& v) {
  for (double x : v.data)
    if (x != 1) return false;
  return true;
}

std::string known_text(const Value& v) {
  return all_equal(v) ? " = " + significant(v[0])
                      : " (per element, first " + significant(v[0]) + ")";
}

std::string data_name(const Observation& o) { return o.text.substr(0, o.text.find(" ~")); }

double uniform_open(dist::Rng& rng) {
  std::uniform_real_distribution<double> u(0, 1);
  double x = u(rng);
  while (x == 0) x = u(rng);
  return x;
}

}  // namespace bayes::conjugate
