// The rule registry: tries each conjugate rule on a component; computes the
// evidence the same way for all of them.
#include <algorithm>
#include <cmath>

#include "conjugate/rule.hpp"
#include "density/log_density.hpp"
#include "format/format.hpp"

namespace bayes::conjugate {

// One declaration per rule file.
#define BAYES_RULE(fn)                                                                         \
  std::optional<Solution> fn(const Model&, const graph::FactorGraph&, const graph::Component&, \
                             std::string&)
BAYES_RULE(solve_beta);                  // beta.cpp
BAYES_RULE(solve_gamma);                 // gamma.cpp
BAYES_RULE(solve_gamma_rates);           // gamma.cpp
BAYES_RULE(solve_inverse_gamma);         // inverse_gamma.cpp
BAYES_RULE(solve_gaussian_linear);       // gaussian_linear.cpp
BAYES_RULE(solve_normal_inverse_gamma);  // normal_inverse_gamma.cpp
BAYES_RULE(solve_dirichlet);             // dirichlet.cpp
BAYES_RULE(solve_pareto);                // pareto.cpp
BAYES_RULE(solve_prior_only);            // prior_only.cpp
#undef BAYES_RULE

namespace {
thread_local bool quiet = false;
}  // namespace

bool explaining() { return !quiet; }
Quiet::Quiet() : was_(quiet) { quiet = true; }
Quiet::~Quiet() { quiet = was_; }

Solution improper_solution(std::string why) {
  Solution s;
  s.refused = std::move(why);
  s.improper = true;
  return s;
}

const std::vector<Rule>& rules() {
  static const std::vector<Rule> list = {
      {"Beta", solve_beta, true},
      // Before the one-rate rule: for a vector of rates its reasons are the apt ones.
      {"GammaRates", solve_gamma_rates},
      {"Gamma", solve_gamma, true, true},
      {"InverseGamma", solve_inverse_gamma, true},
      {"NormalInverseGamma", solve_normal_inverse_gamma, true},
      {"GaussianLinear", solve_gaussian_linear, true},
      {"Dirichlet", solve_dirichlet},
      {"Pareto", solve_pareto},
      // Last: a Normal prior alone is the Gaussian rule's (its joint MultiNormal).
      {"PriorOnly", solve_prior_only, true},
  };
  return list;
}

namespace {

// log p(D) = log p(theta) + log p(D | theta) - log p(theta | D) at any theta
// with positive posterior density ("the candidate's formula", Besag 1989):
// exact, and the same for every rule.
double evidence(const Model& m, const graph::FactorGraph& g, const graph::Component& c,
                const Solution& s) {
  double total = 0;
  for (auto fi : c.factors) {
    const graph::Factor& f = g.factors[fi];
    if (f.kind == graph::FactorKind::Prior)
      total += density::log_prior(m, m.priors[f.index], s.point);
    else if (f.kind == graph::FactorKind::Observation)
      total += density::log_likelihood(m, m.observations[f.index], s.point);
    else
      total += density::log_term(m, m.terms[f.index], s.point);
  }
  return total - s.log_posterior(s.point);
}

// Why the closed form cannot be reported: a posterior parameter that is not
// finite or not a valid argument of its family (sufficient statistics or
// precisions beyond a double: data near 1e308, a prior sd of 1e308 with an
// observation's sd of 1e-308). Empty when every one is.
std::string overflow(const Solution& s) {
  auto bad = [](const ClosedForm& cf) -> std::string {
    for (const auto& [name, v] : cf.params)
      for (double x : v.data)
        if (!std::isfinite(x)) return "its " + name + " is " + format::shortest(x);
    if (cf.dist_family && cf.dist_family->check_args) {
      std::vector<Value> args;
      for (const auto& [name, v] : cf.params) args.push_back(v);
      std::string why = cf.dist_family->check_args(args);
      if (!why.empty()) return why;
    }
    return "";
  };
  for (const auto& pr : s.params) {
    std::string why = bad(pr.posterior);
    if (!why.empty())
      return "the " + pr.posterior.family + " posterior cannot be computed in double precision (" +
             why + "): the data or the prior's numbers are too large or too small";
  }
  return "";
}

}  // namespace

std::optional<Solution> solve_component(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, std::string& why, Rules which,
                                        FlatEvidence flat) {
  // Truncated families are outside every rule's table, and `factor` terms
  // outside all but those that read them.
  std::string term_why;
  for (auto fi : c.factors) {
    const graph::Factor& f = g.factors[fi];
    const bool truncated =
        f.kind == graph::FactorKind::Prior
            ? m.priors[f.index].truncation.on || m.priors[f.index].dependent_bounds()
            : f.kind == graph::FactorKind::Observation && m.observations[f.index].truncation.on;
    if (truncated) {
      why = "'" + f.label + "' is truncated: no conjugate rule applies";
      return std::nullopt;
    }
    if (f.kind == graph::FactorKind::Term && term_why.empty())
      term_why = "'" + f.label + "' is a term of its own: no conjugate rule applies";
  }
  const bool has_terms = !term_why.empty();
  // No data and a flat prior on an unbounded range: nothing makes it proper
  // (an ordered vector, which no rule below would see, included).
  const bool observed = std::any_of(c.factors.begin(), c.factors.end(), [&](std::size_t fi) {
    return g.factors[fi].kind != graph::FactorKind::Prior;
  });
  if (!observed)
    for (auto p : c.params) {
      const Prior& pr = m.priors[m.params[p].prior];
      if (!pr.family && !pr.dependent_bounds() &&
          !(std::isfinite(pr.lower) && std::isfinite(pr.upper)))
        return improper_solution("the posterior is improper: '" + m.params[p].name + "' has " +
                                 pr.text + " and no data");
    }
  for (auto p : c.params)
    if (m.params[p].order != ParamVar::Order::None) {
      why = "'" + m.params[p].name + "' is an ordered vector: no conjugate rule applies";
      return std::nullopt;
    }
  std::string reason;
  for (const auto& rule : rules()) {
    if ((which == Rules::Streaming && !rule.streams) ||
        (which == Rules::InMemory && rule.streams) || (has_terms && !rule.reads_terms))
      continue;
    std::string r;
    auto s = rule.solve(m, g, c, r);
    if (s && !s->refused.empty()) return s;
    if (s) {
      if (std::string why_not = overflow(*s); !why_not.empty()) {
        Solution refused;
        refused.refused = why_not;
        return refused;
      }
      const std::string improper =
          flat == FlatEvidence::Undefined ? density::improper_prior(m, c.params) : "";
      if (!improper.empty())
        s->log_evidence = NAN, s->evidence_note = improper;
      else if (std::isnan(s->log_evidence)) {
        s->log_evidence = evidence(m, g, c, *s);
        // Bayes' rule turned round: p(data) = p(theta) p(data | theta) /
        // p(theta | data) at any theta, here the point the rule gave.
        s->explain.push_back(
            "evidence: log p(data) = log p(theta) + log p(data | theta) - log p(theta | data), "
            "the same at every theta since the posterior is exact = " +
            format::significant(s->log_evidence));
      }
      // Indexed like every parameter of the model: kept for each of many
      // components it would make memory quadratic in their number.
      std::vector<Value>().swap(s->point);
      return s;
    }
    if (reason.empty()) reason = r;
  }
  why = reason.empty() ? term_why : reason;
  return std::nullopt;
}

}  // namespace bayes::conjugate
