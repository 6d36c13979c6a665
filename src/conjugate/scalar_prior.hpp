// Shared by the rules whose prior is a two-argument family on one positive
// scalar (Gamma, InverseGamma): recognising that prior in a component, and the
// small helpers their updates and explanations both use.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "check/model.hpp"
#include "conjugate/rule.hpp"
#include "dist/family.hpp"
#include "graph/factor_graph.hpp"

namespace bayes::conjugate {

// A prior read as a member of a two-argument conjugate family with known
// arguments: the family itself, or a prior that is one of its members or its
// limit (Jeffreys 1961; Gelman et al., BDA3, sec. 2.8):
//   Beta:          Uniform(0, 1), flat on (0, 1)  = Beta(1, 1)
//   Gamma:         Exponential(r)                  = Gamma(1, r)
//                  flat on (0, inf)                = the limit Gamma(1, 0)
//   InverseGamma:  flat on (0, inf)                = the limit InverseGamma(-1, 0)
// (the density of Gamma(a, b) is proportional to x^(a - 1) exp(-b x), of
// InverseGamma(a, b) to x^(-a - 1) exp(-b / x): both constant at those limits).
// A limit is improper; its posterior is proper once the data make a > 0, b > 0.
struct AsFamily {
  double a0 = 0, b0 = 0;
  bool improper = false;
  std::string
      limit;  // "" for the family itself, else as written: "~ Uniform(0, 1)", "flat on (0, 1)"
};
std::optional<AsFamily> as_family(const Model& m, const Prior& prior, const dist::Family& family);

// The one parameter of a component, a scalar under a prior of the rule's family
// (or one as_family reads as it) with known arguments.
struct ScalarPrior {
  ComponentView view;
  std::size_t param = 0;  // Model::params index
  double a0 = 0, b0 = 0;  // the prior's two arguments
  bool improper = false;  // a flat prior, the family's limit
  std::string limit;      // as AsFamily::limit
};

// For --explain: "prior: lam ~ Gamma(a = 2, b = 1)", "prior: p ~ Uniform(0, 1),
// which is Beta(a = 1, b = 1)", "prior: lam flat on (0, inf), the limit of
// Gamma(a = 1, b) as b -> 0 (improper; ...)".
std::string prior_line(const std::string& name, const ScalarPrior& prior,
                       const dist::Family& family);

// The component's parameter when it fits ScalarPrior with a prior of `family`;
// otherwise nullopt, with `why` set when the prior is of `family` but the rule
// cannot take it (a vector, parameters as arguments, a hierarchical prior in a
// component of several parameters) and left empty when another rule's.
std::optional<ScalarPrior> match_scalar_prior(const Model& m, const graph::FactorGraph& g,
                                              const graph::Component& c, const dist::Family& family,
                                              std::string& why);

// Why a posterior family(a, b) with a <= 0 or b <= 0 (from an improper prior)
// is not a distribution.
std::string improper_posterior(const std::string& name, const ScalarPrior& prior,
                               const dist::Family& family, double a, double b);

// The opening the Gamma and InverseGamma rules share: the component's scalar
// prior read as `family`, each observation's contribution read by `read`
// (a Stats with members s and r: theta's power and the rate or scale term it
// adds, or nullopt with `why`), and the posterior's arguments a = a0 + sum s,
// b = b0 + sum r. nullopt when the prior is another rule's, an observation
// does not fit (`why`) or there is none; `improper` says why a posterior
// with a <= 0 or b <= 0 (from a flat prior) is no distribution. `flat_shape`
// replaces the limit's shape a0 where the flat prior is on another scale than
// the family's (flat on sigma is InverseGamma(-1/2, 0) in v = sigma^2).
template <class Stats>
struct ScalarUpdate {
  ScalarPrior prior;
  std::vector<Stats> stats;
  double S = 0, R = 0, a = 0, b = 0;
  std::string improper;
};

template <class Stats, class Read>
std::optional<ScalarUpdate<Stats>> scalar_update(const Model& m, const graph::FactorGraph& g,
                                                 const graph::Component& c,
                                                 const dist::Family& family, Read read,
                                                 std::string& why,
                                                 std::optional<double> flat_shape = std::nullopt) {
  auto prior = match_scalar_prior(m, g, c, family, why);
  if (!prior) return std::nullopt;
  if (prior->improper && flat_shape) prior->a0 = *flat_shape;
  ScalarUpdate<Stats> u{*prior, {}, 0, 0, 0, 0, ""};
  for (auto oi : prior->view.observations) {
    std::optional<Stats> st = read(m, oi, prior->param, why);
    if (!st && prior->improper) why.clear();  // a flat prior is not this rule's to explain
    if (!st) return std::nullopt;
    u.stats.push_back(std::move(*st));
  }
  if (u.stats.empty()) return std::nullopt;  // a prior alone: the prior-only rule's
  for (const auto& st : u.stats) u.S += st.s, u.R += st.r;
  u.a = prior->a0 + u.S, u.b = prior->b0 + u.R;
  if (!(u.a > 0 && u.b > 0))  // only under a flat prior
    u.improper = improper_posterior(m.params[prior->param].name, *prior, family, u.a, u.b);
  return u;
}

// True when every element of v is the same / is 1.
bool all_equal(const Value& v);
bool all_one(const Value& v);

// " = 4" or " (per element, first 4)".
std::string known_text(const Value& v);

// The observation's left side as written: "x" of "x ~ Poisson(lam)".
std::string data_name(const Observation& o);

// u in (0, 1), never 0 or 1, for inverse-cdf draws.
double uniform_open(dist::Rng& rng);

}  // namespace bayes::conjugate
