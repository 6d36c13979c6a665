// The prior matching and helpers the Gamma and InverseGamma rules share:
// receives a component of the factor graph, produces its scalar prior.
#include "conjugate/scalar_prior.hpp"

#include <random>

#include "conjugate/closed_form.hpp"
#include "conjugate/rule.hpp"
#include "dist/random.hpp"

namespace bayes::conjugate {

namespace {

// How a prior is written after its parameter's name: "~ Uniform(0, 1)", "flat on (0, 1)".
std::string written(const Prior& p) { return p.family ? "~ " + p.text : p.text; }

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
  if (prior.family != &family) {
    // A member or limit of the family, on one scalar: otherwise another rule's.
    if (!m.params[c.params[0]].type.is_scalar()) return std::nullopt;
    auto as = as_family(m, prior, family);
    if (!as) return std::nullopt;
    out.param = c.params[0];
    out.a0 = as->a0, out.b0 = as->b0, out.improper = as->improper, out.limit = as->limit;
    return out;
  }
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

std::optional<AsFamily> as_family(const Model& m, const Prior& prior, const dist::Family& family) {
  if (prior.family == &family) {
    if (!fixed_args(prior)) return std::nullopt;
    return AsFamily{eval_data(m, *prior.args[0])[0], eval_data(m, *prior.args[1])[0], false, ""};
  }
  const bool flat = prior.family == nullptr;
  auto args = [&](std::size_t i) { return eval_data(m, *prior.args[i]); };
  if (&family == &dist::beta_family()) {
    const bool unit_flat = flat && prior.lower == 0 && prior.upper == 1;
    const bool unit_uniform = prior.family == &dist::uniform_family() && fixed_args(prior) &&
                              args(0).size() == 1 && args(1).size() == 1 && args(0)[0] == 0 &&
                              args(1)[0] == 1;
    if (unit_flat || unit_uniform) return AsFamily{1, 1, false, written(prior)};
    return std::nullopt;
  }
  const bool half_line = flat && prior.lower == 0 && prior.upper == INFINITY;
  if (&family == &dist::gamma_family()) {
    if (prior.family == &dist::exponential_family() && fixed_args(prior) && args(0).size() == 1)
      return AsFamily{1, args(0)[0], false, written(prior)};
    if (half_line) return AsFamily{1, 0, true, written(prior)};
    return std::nullopt;
  }
  if (&family == &dist::inverse_gamma_family() && half_line)
    return AsFamily{-1, 0, true, written(prior)};
  return std::nullopt;
}

std::string prior_line(const std::string& name, const ScalarPrior& prior,
                       const dist::Family& family) {
  const std::string fam(family.name);
  const std::string a = "a = " + significant(prior.a0);
  if (prior.limit.empty())
    return "prior: " + name + " ~ " + fam + "(" + a + ", b = " + significant(prior.b0) + ")";
  if (!prior.improper)
    return "prior: " + name + " " + prior.limit + ", which is " + fam + "(" + a +
           ", b = " + significant(prior.b0) + ")";
  return "prior: " + name + " " + prior.limit + ", the limit of " + fam + "(" + a +
         ", b) as b -> 0 (improper; the posterior is proper once the data make b > 0)";
}

std::string improper_posterior(const std::string& name, const ScalarPrior& prior,
                               const dist::Family& family, double a, double b) {
  return "the posterior is improper: with '" + name + "' " + prior.limit + ", it would be " +
         std::string(family.name) + "(" + significant(a) + ", " + significant(b) +
         "), which is not a distribution (both arguments must be above 0): too few data, or data "
         "that carry no information about '" +
         name + "'";
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

double uniform_open(dist::Rng& rng) { return dist::random::uniform_open(rng); }

}  // namespace bayes::conjugate
