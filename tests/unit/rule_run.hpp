// Shared helpers for the conjugate rule tests: one rule run alone on the
// component of one parameter, with the reason it gives when it does not
// match; the summaries every exact posterior is checked on.
#pragma once

#include <cmath>
#include <optional>
#include <string>
#include <vector>

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

// The prints the exact-posterior tests ask of one parameter `x`, in this
// order (the answers' indices).
enum SummaryPrint : std::size_t {
  kPosterior,
  kMean,
  kSd,
  kInterval,
  kQuantile90,
  kProb,
  kMap,
  kMle,
  kEvidence
};
inline std::string summary_prints(const std::string& x, const std::string& cond) {
  return "print posterior(" + x + ")\nprint mean(" + x + ")\nprint sd(" + x + ")\nprint interval(" +
         x + ")\nprint quantile(" + x + ", 0.9)\nprint prob(" + cond + ")\nprint map(" + x +
         ")\nprint mle(" + x + ")\nprint evidence()\n";
}

// The reference numbers of those prints (an infinite mean and sd read "inf").
struct Summary {
  double mean, sd, lo, hi, q90, prob;
};

// posterior, mean, sd, interval, quantile and prob: in closed form, and equal
// to the reference (moments to 1e-12, quantiles and probabilities to 1e-9).
inline void check_summary(const std::vector<nlohmann::ordered_json>& r, const Summary& ref) {
  for (std::size_t i = kPosterior; i <= kProb; ++i) CHECK(r[i]["method"] == "conjugate");
  if (std::isfinite(ref.mean)) {
    CHECK(num(r[kPosterior]["mean"]) == doctest::Approx(ref.mean).epsilon(1e-12));
    CHECK(num(r[kMean]["value"]) == doctest::Approx(ref.mean).epsilon(1e-12));
    CHECK(num(r[kPosterior]["sd"]) == doctest::Approx(ref.sd).epsilon(1e-12));
    CHECK(num(r[kSd]["value"]) == doctest::Approx(ref.sd).epsilon(1e-12));
  } else {
    CHECK(r[kPosterior]["mean"] == "inf");
    CHECK(r[kPosterior]["sd"] == "inf");
  }
  for (const auto* interval : {&r[kPosterior]["interval"], &r[kInterval]["value"]}) {
    CHECK(num((*interval)[0]) == doctest::Approx(ref.lo).epsilon(1e-9));
    CHECK(num((*interval)[1]) == doctest::Approx(ref.hi).epsilon(1e-9));
  }
  CHECK(num(r[kQuantile90]["value"]) == doctest::Approx(ref.q90).epsilon(1e-9));
  CHECK(num(r[kProb]["value"]) == doctest::Approx(ref.prob).epsilon(1e-9));
}

}  // namespace bayes::test
