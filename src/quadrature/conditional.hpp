// The quadrature engine's conditional model: receives a component and one of
// its scalar parameters q, produces the model with q read from a data slot, so
// that for each value of q the rest of the component goes to the conjugate
// rules, which give its exact conditional posterior and evidence p(y | q).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"
#include "solution/solution.hpp"

namespace bayes::quadrature {

class Conditional {
 public:
  // The model with every reference to q outside its own prior replaced by a
  // data slot; nullopt when q cannot be fixed alone (its prior is on several
  // parameters or has unknown arguments) or nothing else is left.
  static std::optional<Conditional> make(const Model& m, const graph::Component& c, std::size_t q);

  // The rest of the component given q = x: the conjugate rules' solutions (one
  // per connected piece, with evidences p(y | q) in which flat priors count as
  // density 1), or nullopt with why.
  std::optional<std::vector<solution::Solution>> solve(double x, std::string& why);

  // False when some observation of the rest lies outside its family's
  // support given q = x (Binomial counts above n, ...): the likelihood is 0.
  bool supports(double x);

  std::size_t param() const { return q_; }
  const Model& model() const { return model_; }

 private:
  Model model_;
  graph::FactorGraph graph_;
  std::size_t q_ = 0, slot_ = 0;
  std::vector<std::size_t> pieces_;  // components of graph_ holding the others
};

}  // namespace bayes::quadrature
