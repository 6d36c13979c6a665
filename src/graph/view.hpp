// A component's factors split into priors and observations, for the engines.
#pragma once

#include <vector>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"

namespace bayes::graph {

struct ComponentView {
  std::vector<std::size_t> priors;        // Model::priors indices
  std::vector<std::size_t> observations;  // Model::observations indices
  std::vector<std::size_t> terms;         // Model::terms indices
};

inline ComponentView view(const graph::FactorGraph& g, const graph::Component& c) {
  ComponentView v;
  for (auto fi : c.factors) {
    const auto& f = g.factors[fi];
    (f.kind == graph::FactorKind::Prior         ? v.priors
     : f.kind == graph::FactorKind::Observation ? v.observations
                                                : v.terms)
        .push_back(f.index);
  }
  return v;
}

}  // namespace bayes::graph
