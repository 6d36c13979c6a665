// Recognising how a checked expression depends on the parameters: the shapes
// the conjugate rules, the numeric engine's concavity certificate and the
// plots need (data only, affine, monomial, linear in several parameters).
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <vector>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"

namespace bayes::patterns {

// Evaluates a data-only expression.
Value eval_data(const Model& m, const ir::Node& n);

// expr = c * theta^k for the scalar parameter `param`, with c data (scalar or
// vector) and k a known number; k = 0 when expr does not involve theta. Other
// parameters make it fail.
struct Monomial {
  Value c;
  double k = 0;
};
std::optional<Monomial> monomial_in(const Model& m, const ir::Node& n, std::size_t param);

// expr = offset + design * theta, where theta stacks the listed parameters
// (each scalar or vector, in order). rows is 1 for a scalar expression.
struct Linear {
  Eigen::VectorXd offset;
  Eigen::MatrixXd design;
};
std::optional<Linear> linear_in(const Model& m, const ir::Node& n,
                                const std::vector<std::size_t>& params);

// The stacked dimension of the listed parameters, and each one's first column.
std::size_t stacked_size(const Model& m, const std::vector<std::size_t>& params,
                         std::vector<std::size_t>* offsets = nullptr);

// True when every argument of the prior is data (a fixed hyperparameter).
inline bool fixed_args(const Prior& p) {
  for (const auto& a : p.args)
    if (!ir::is_data_only(*a)) return false;
  return true;
}

// The values a discrete prior can take when its arguments are data: every
// whole number between the finite ends of its family's support; nullopt
// otherwise or when there are more than `max_values`, with `why` (when given)
// saying which.
std::optional<std::vector<double>> finite_support(const Model& m, const Prior& p, double max_values,
                                                  std::string* why = nullptr);

// True when every parameter of the component has a discrete prior.
bool all_discrete(const Model& m, const graph::Component& c);

// Broadcast a Value of size 1 or n to element k.
inline double at(const Value& v, std::size_t k) { return v.size() == 1 ? v[0] : v[k]; }

}  // namespace bayes::patterns
