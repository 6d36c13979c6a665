// Transforms of the numeric engine: receives a component's parameters (their
// priors' families and the data that bound them) and produces the layout of
// the unconstrained coordinates u, with the map u -> theta and its Jacobian.
#pragma once

#include <Eigen/Dense>
#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "check/model.hpp"

namespace bayes::numeric {

// How one parameter maps from the unconstrained space.
struct Transform {
  // Dependent: bounds that are expressions of parameters earlier in the
  // layout (lo_of / hi_of; a side without one is the number lo / hi):
  // theta = lo + (hi - lo) logistic(u), lo + e^u or hi - e^u.
  // Ordered: x1 = u1, x_k = x_{k-1} + e^{u_k}; PositiveOrdered: x1 = e^{u1}, the same after.
  enum class Kind {
    Identity,
    Lower,
    Upper,
    Interval,
    Simplex,
    Dependent,
    Ordered,
    PositiveOrdered
  } kind = Kind::Identity;
  double lo = -INFINITY, hi = INFINITY;
  ir::NodePtr lo_of, hi_of;
  // Whether the support includes its ends: the bounds of Uniform and Pareto
  // priors, and theta >= max x implied by Uniform(0, theta) data, do; the
  // ends of (0, inf) and (0, 1) do not (as the closed forms say).
  bool lo_closed = false, hi_closed = false;
  std::size_t param = 0;
  std::size_t size = 1;    // constrained length
  std::size_t offset = 0;  // into u
  std::size_t dim = 1;     // unconstrained length (size - 1 for a simplex)
  // Identity only: theta_i = shift_i + scale_i * u_i (an L1 coordinate is
  // scaled so that its Laplace(shift, scale) prior becomes |u_i|).
  std::vector<double> shift, scale;
  double a(std::size_t i) const { return shift.empty() ? 0.0 : shift[i]; }
  double b(std::size_t i) const { return scale.empty() ? 1.0 : scale[i]; }
  // The constrained value of coordinate i at v (not for a simplex; NaN for
  // Dependent, whose bounds need the other parameters' values).
  double back(std::size_t i, double v) const;
  // Dependent: the bounds at the parameters' values.
  double lower_at(const Model& m, const std::vector<Eigen::VectorXd>& values) const;
  double upper_at(const Model& m, const std::vector<Eigen::VectorXd>& values) const;
};

// 1 / (1 + e^-x), without overflow for either sign of x.
double logistic(double x);

// The support of a parameter, from its prior's family (and its data
// arguments), narrowed by what the data imply.
std::optional<Transform> transform_of(const Model& m, std::size_t p,
                                      const std::vector<std::size_t>& observations,
                                      std::string& why);

struct Layout {
  const Model* model = nullptr;  // for the bounds of Dependent transforms
  std::vector<Transform> transforms;
  std::size_t dim = 0;
  // The first `l1` coordinates carry Laplace priors, scaled so that each is
  // the L1 penalty |u_i|; l1_constant is their normalisers, sum log(2 scale).
  std::size_t l1 = 0;
  double l1_constant = 0;

  // theta(u), into values (indexed like Model::params).
  void constrain(const Eigen::VectorXd& u, std::vector<Eigen::VectorXd>& values) const;

  // Chain rule: du = J' dtheta; plus, with `jacobian`, the log |J| term and
  // its gradient. Returns log |J| (0 without `jacobian`). The scale of an L1
  // coordinate is left out: it is constant (see log_jacobian).
  double pull_back(const Eigen::VectorXd& u, const std::vector<Eigen::VectorXd>& values,
                   const std::vector<Eigen::VectorXd>& dtheta, bool jacobian,
                   Eigen::VectorXd& du) const;

  // log |d theta / d u| at u, every coordinate included (for the evidence).
  double log_jacobian(const Eigen::VectorXd& u, const std::vector<Eigen::VectorXd>& values) const;

  // The name of unconstrained coordinate k ("w[2]", "p").
  std::string name(const Model& m, std::size_t k, const Transform** which = nullptr,
                   std::size_t* element = nullptr) const;
};

// The Laplace(loc, scale) arguments of the parameters whose priors become
// the L1 penalty, by parameter.
using L1Args = std::map<std::size_t, std::pair<Value, Value>>;

// The layout of u for the parameters in `order` (those in `l1_args` first),
// or nullopt with `why` when a parameter's support is out of reach.
std::optional<Layout> layout_of(const Model& m, const std::vector<std::size_t>& order,
                                const std::vector<std::size_t>& observations, const L1Args& l1_args,
                                std::string& why);

}  // namespace bayes::numeric
