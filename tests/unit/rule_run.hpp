// Shared helper for the conjugate rule tests: one rule run alone on the
// component of one parameter, with the reason it gives when it does not match.
#pragma once

#include <optional>
#include <string>

#include "conjugate/rule.hpp"
#include "helpers.hpp"

namespace bayes::test {

using RuleFn = std::optional<conjugate::Solution> (*)(const Model&, const graph::FactorGraph&,
                                                      const graph::Component&, std::string&);

struct RuleRun {
  std::optional<conjugate::Solution> sol;
  std::string why;
};

// The rule alone on the component of the parameter called `param` (the first
// parameter when `param` is empty).
inline RuleRun rule(RuleFn fn, const std::string& text, const std::string& param = "") {
  auto r = run(text);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const Model& m = r.compiled->model;
  std::size_t p = 0;
  while (!param.empty() && p < m.params.size() && m.params[p].name != param) ++p;
  REQUIRE(p < m.params.size());
  const auto& g = r.compiled->graph;
  RuleRun out;
  out.sol = fn(m, g, g.components[g.param_component[p]], out.why);
  return out;
}

}  // namespace bayes::test
