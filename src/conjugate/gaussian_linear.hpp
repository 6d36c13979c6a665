// The Gaussian rule's own types, shared by its update (gaussian_linear.cpp)
// and its explanation (gaussian_explain.cpp): each factor of a component as a
// Gaussian in the stacked parameter vector, and the posterior they make.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <string>
#include <vector>

#include "check/model.hpp"
#include "conjugate/rule.hpp"

namespace bayes::conjugate::gaussian {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

enum class Kind { Prior, Normal, LogNormal, MultiNormal };

// One factor of the component, as y_r ~ MultiNormal(c_r + D_r theta, S) over its
// rows r, summarised by what the posterior needs: sum D' S^-1 D and
// sum D' S^-1 (y - c); plus the first row, for the predictive and --explain.
struct Term {
  Kind kind = Kind::Normal;
  std::size_t index = 0;  // Model::priors or Model::observations
  std::size_t param = 0;  // Prior terms: the parameter it is a prior on
  bool fixed = false;     // Prior terms: arguments are data (not hierarchical)
  bool flat = false;      // Prior terms: flat on the whole line, a Normal of precision 0
  std::size_t rows = 0;   // observations (elements, or vectors for MultiNormal)
  MatrixXd precision;     // sum D' S^-1 D
  VectorXd shift;         // sum D' S^-1 (y - c)
  VectorXd offset0;       // c, D and S of the first row
  MatrixXd design0;
  MatrixXd cov0;
  bool rows_differ = false;  // some row has another c, D or S than the first
  bool identity = true;      // every row is one element of theta itself
  bool single = true;        // every row involves at most one element of theta
  VectorXd sum_y;            // sum of the (log) data rows, for --explain
  bool common_sd = true;     // scalar rows: the same sd throughout
  Index slot = 0, size = 1;  // Prior terms: where its parameter sits in theta
};

// The pieces of the update, for --explain.
struct Posterior {
  MatrixXd prec;   // Lambda = Lambda0 + data precision
  VectorXd shift;  // Lambda0 m0 + sum D' S^-1 (y - c)
  VectorXd mean;
  MatrixXd cov;
  MatrixXd prior_prec;  // from the priors with data arguments
  VectorXd prior_shift;
  MatrixXd data_prec;
  VectorXd data_shift;
};

// The maximum-likelihood estimate (priors dropped), whole or per parameter.
struct Mle {
  std::optional<VectorXd> theta;         // of the whole stacked vector, when unique
  std::string note;                      // why not
  std::vector<std::optional<Value>> of;  // per parameter, in stacking order
  std::vector<std::string> note_of;
};

// "'a', 'b' and 'c'".
std::string quoted_names(const Model& m, const std::vector<std::size_t>& ps);
// The left side of an observation: "y" of "y ~ Normal(mu, 1)".
std::string data_name(const Observation& o);

// The derivation with the numbers put in, for a student meeting the
// Normal-Normal update (one scalar) or Bayesian linear regression (several).
void explain(Solution& sol, const Model& m, const std::vector<Term>& terms,
             const std::vector<std::string>& labels, const std::vector<std::size_t>& params,
             const Posterior& post, const Mle& mle, bool no_data);

}  // namespace bayes::conjugate::gaussian
