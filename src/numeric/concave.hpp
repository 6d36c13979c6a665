// A certificate that a component's log density is strongly concave in its
// parameters, read off the model's structure (no numbers are evaluated but
// the priors' scales): then the stationary point the optimiser reaches is
// the one mode, and its distance from the mode is bounded by the gradient.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <vector>

#include "check/model.hpp"

namespace bayes::numeric {

// The modulus m > 0 such that minus the log density minus m/2 |theta|^2 is
// convex, when
//   - every parameter is real (no transform) with a Normal or MultiNormal
//     prior whose arguments are data (m = the smallest prior precision), and
//   - every likelihood is concave in an affine function of the parameters:
//     Normal(affine, data), Bernoulli(logistic(affine)),
//     Binomial(data, logistic(affine)), Poisson(exp(affine)).
// Then |theta - mode| <= |gradient at theta| / m. nullopt otherwise.
std::optional<double> strong_concavity(const Model& m, const std::vector<std::size_t>& priors,
                                       const std::vector<std::size_t>& observations);

// A generalised linear model: every likelihood is one of the four above,
// with its predictor eta = offset + design * theta (theta stacks the listed
// parameters). Its Hessian is exact and cheap: minus the log likelihood's is
// sum design' diag(c(eta)) design, with c = 1 / sd^2 (Normal), p (1 - p)
// (Bernoulli, logit link), n p (1 - p) (Binomial) or e^eta (Poisson), which
// does not depend on the outcomes.
class Glm {
 public:
  // nullopt unless every observation is of that form and every prior (when
  // with_priors) is a fixed Normal or MultiNormal on real parameters.
  static std::optional<Glm> of(const Model& m, const std::vector<std::size_t>& priors,
                               const std::vector<std::size_t>& observations,
                               const std::vector<std::size_t>& params, bool with_priors);
  // The Hessian of minus the log density at theta.
  Eigen::MatrixXd hessian(const Eigen::VectorXd& theta) const;

 private:
  enum class Link { Identity, Logit, Log };
  struct Term {
    Link link = Link::Identity;
    Eigen::VectorXd offset;  // 1 row (one value for every outcome) or one per outcome
    Eigen::MatrixXd design;
    Eigen::VectorXd
        weight;  // per row: 1 / sd^2, trials n, or 1; times the outcomes a row stands for
  };
  std::vector<Term> terms_;
  Eigen::MatrixXd prior_;  // the priors' precision (zero without priors)
};

// Whether the expression is an affine function of (continuous) parameters:
// sums, differences, negation, products and quotients by data, data matrix
// times an affine vector, indexing with data indices, vectors of affine
// elements and sum().
bool is_affine(const ir::Node& n, const Model& m);

}  // namespace bayes::numeric
