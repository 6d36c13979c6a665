// The NormalInverseGamma rule's own types, shared by its update
// (normal_inverse_gamma.cpp) and its explanation (nig_explain.cpp): the model
// recognised as stacked weights and linearised observation statements, the
// conjugate update and the least-squares fit.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <vector>

#include "check/model.hpp"
#include "conjugate/rule.hpp"

namespace bayes::conjugate::nig {

using Eigen::MatrixXd;
using Eigen::VectorXd;
using Idx = Eigen::Index;

// A mean parameter: w | s2 ~ Normal(m0, sqrt(s2 / lambda)), elementwise.
struct Weight {
  std::size_t param = 0;
  std::size_t prior = 0;     // Model::priors index (the joint prior for NIG's mu)
  Value m0, lambda;          // size 1 (broadcast) or the parameter's length
  double c = 1;              // the sd's multiplier when it is one number (for the explanation)
  bool joint_prior = false;  // mu of `mu, s2 ~ NormalInverseGamma(...)`
  bool flat = false;         // flat on the whole line: lambda = 0, m0 unused
};

// One observation statement, as y = offset + X w + c sqrt(s2) eps.
struct Block {
  std::size_t observation = 0;
  VectorXd y;       // the observations
  VectorXd offset;  // the known part of the mean, per row
  MatrixXd X;       // N x p
  VectorXd c;       // the sd multiplier, per row
  // How many observations each row stands for: 1, or n for the one row at
  // the mean of a summarised column of n values that share a design row.
  VectorXd w;
  // That column's scatter about its mean, sum (y_i - mean)^2 (0 for values
  // in memory): sum (y_i - f)^2 = scatter + n (mean - f)^2 for any fitted f,
  // and every formula here is a weighted sum of such quadratics, so the
  // answers are those of the values themselves, without rebuilding points
  // at the column's offset (which loses digits when the spread is small
  // beside it).
  double scatter = 0;
};

// The model, recognised: the variance, its prior, the stacked weights and the
// linearised observation statements.
struct Setup {
  std::size_t s2 = 0;         // the variance parameter
  std::size_t var_prior = 0;  // its prior: InverseGamma, or the joint NormalInverseGamma
  bool joint = false;
  double alpha0 = 0, beta0 = 0;
  std::vector<Weight> weights;       // by parameter index
  std::vector<std::size_t> wparams;  // their parameter indices
  std::vector<std::size_t> offsets;  // each one's first entry in the stacked w
  Idx p = 0;                         // the stacked length
  VectorXd m0, lambda0;              // the stacked prior means and precision multipliers
  std::vector<Block> blocks;
  std::string s2n, wnames;  // "s2", "w0, w"
  // The scale parameter is the variance s2 (sd c * sqrt(s2)) or the sd sigma
  // itself (sd c * sigma); every formula is in the variance, named `var`
  // ("s2", or "sigma^2"), and the sd is written `sd` ("sqrt(s2)", "sigma").
  bool is_sd = false;
  std::string var, sd;
  // A flat prior on (0, inf) on the scale parameter: the InverseGamma limit
  // alpha0 = -1 (flat on s2) or -1/2 (flat on sigma: p(s2) ~ s2^(-1/2)), beta0 = 0.
  bool flat_scale = false;
  Idx p_flat = 0;  // stacked weights with a flat prior

  double power() const { return is_sd ? 1.0 : 0.5; }

  Idx length(std::size_t i, const Model& m) const {
    const Type& t = m.params[weights[i].param].type;
    return static_cast<Idx>(t.is_scalar() ? 1 : t.rows);
  }
};

// The conjugate update (Murphy, MLAPP eq. 7.69-7.70, with W = diag(1 / c_i^2)):
//   Lambda' = Lambda0 + X^T W X,  m' = inverse(Lambda') (Lambda0 m0 + X^T W (y - a)),
//   alpha' = alpha + N / 2,
//   beta' = beta + (RSS + (m' - m0)^T Lambda0 (m' - m0)) / 2,  RSS = (y - a - X m')^T W (y - a - X
//   m'),
// the last being y^T W y + m0^T Lambda0 m0 - m'^T Lambda' m' without its cancellation.
// With one scalar mean and x ~ Normal(mu, sqrt(s2)) these are Murphy (2007),
// sec. 6: lambda' = lambda + N, m' = (lambda m0 + N x-bar) / (lambda + N), ...
// A weight with a flat prior (lambda = 0) leaves no s2^(-1/2) of its prior to
// cancel the one its integral brings, so alpha' = alpha + (N - p_flat) / 2
// (Gelman et al., BDA3, sec. 14.2: flat weights and p(s2) ~ 1 / s2 give
// s2 | y ~ Inv-chi^2(N - p, s^2)).
struct Update {
  MatrixXd Lambda, V;  // posterior precision multiplier and its inverse
  VectorXd mean;       // m'
  double N = 0, alpha = 0, beta = 0;
  double rss = 0, shrink = 0;  // the two parts of 2 (beta' - beta)
  bool proper = true;          // Lambda' positive definite, alpha' > 0, beta' > 0
};

// Maximum likelihood with the priors dropped: weighted least squares for the
// weights, s2 = RSS / N; or why they do not exist.
struct Fit {
  VectorXd w;
  double rss = 0;
  std::string w_note, s2_note;
};

// "[1, 2, 3]" and "[[1, 0], [0, 1]]", 6 significant digits.
std::string vec(const VectorXd& x);
std::string mat(const MatrixXd& a);
// "mu ~ Normal(4, sqrt(s2 / 1))"
std::string prior_text(const Model& m, const Prior& p);

// The derivation for a student, with the numbers put in.
void explain(const Model& m, const Setup& s, const Update& u, const Fit& f, double s2_map,
             bool single, Solution& sol);

}  // namespace bayes::conjugate::nig
