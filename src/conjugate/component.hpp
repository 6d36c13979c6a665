// A component's factors split into priors and observations, for the rules.
#pragma once

#include <vector>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"

namespace bayes::conjugate {

struct ComponentView {
  std::vector<std::size_t> priors;        // Model::priors indices
  std::vector<std::size_t> observations;  // Model::observations indices
};

inline ComponentView view(const graph::FactorGraph& g, const graph::Component& c) {
  ComponentView v;
  for (auto fi : c.factors) {
    const auto& f = g.factors[fi];
    (f.kind == graph::FactorKind::Prior ? v.priors : v.observations).push_back(f.index);
  }
  return v;
}

// True when every argument of the prior is data (a fixed hyperparameter).
inline bool fixed_args(const Prior& p) {
  for (const auto& a : p.args)
    if (!ir::is_data_only(*a)) return false;
  return true;
}

}  // namespace bayes::conjugate
