// Densities and samplers of the families whose arguments or outcomes are vectors
// (Categorical, Multinomial, Dirichlet, MultiNormal) or pairs (NormalInverseGamma):
// their Family entries leave the scalar numerics empty, and these take their place.
// Invalid arguments give NaN; an outcome outside the support gives -inf.
// Each *_grad returns the log density and adds its partial derivatives into
// the spans it is given (+=), for the numeric engine's tape.
#pragma once

#include <Eigen/Dense>
#include <span>
#include <utility>
#include <vector>

#include "dist/family.hpp"

namespace bayes::dist {

// log probs[k - 1] for a category k in 1..K.
double categorical_lpmf(std::span<const double> probs, double k);
// The same for probs already checked (enumeration checks them once).
double categorical_lpmf_checked(std::span<const double> probs, double k);
// log p(z) of a MarkovChain(init, T): log init[z1] + sum log T[z(t-1), z(t)].
double markov_chain_lpmf(std::span<const double> init, const Value& t, std::span<const double> z);
// A category 1..K, as a double like every other outcome.
double categorical_sample(std::span<const double> probs, Rng& rng);
// dprobs: only entry k - 1.
double categorical_lpmf_grad(std::span<const double> probs, double k, std::span<double> dprobs);

// log of n! / prod(counts_i!) prod(probs_i^counts_i), with n = sum(counts).
double multinomial_lpmf(std::span<const double> probs, std::span<const double> counts);
// Counts of n draws (n a whole number) over the categories.
std::vector<double> multinomial_sample(double n, std::span<const double> probs, Rng& rng);
double multinomial_lpmf_grad(std::span<const double> probs, std::span<const double> counts,
                             std::span<double> dprobs);

// log of Gamma(sum alpha) / prod Gamma(alpha_i) prod x_i^(alpha_i - 1) on the simplex
// (x must sum to 1 within 1e-8).
double dirichlet_lpdf(std::span<const double> alpha, std::span<const double> x);
std::vector<double> dirichlet_sample(std::span<const double> alpha, Rng& rng);
double dirichlet_lpdf_grad(std::span<const double> alpha, std::span<const double> x,
                           std::span<double> dalpha, std::span<double> dx);

// The multivariate normal log density (NaN when cov is not positive definite).
double multi_normal_lpdf(const Eigen::VectorXd& mean, const Eigen::MatrixXd& cov,
                         const Eigen::VectorXd& x);
Eigen::VectorXd multi_normal_sample(const Eigen::VectorXd& mean, const Eigen::MatrixXd& cov,
                                    Rng& rng);
// With cov fixed (data): dmean and dx; cov_inv (k x k, column-major) and
// log_det = log |cov| are precomputed by the caller.
double multi_normal_lpdf_grad(std::span<const double> mean, std::span<const double> x,
                              const double* cov_inv, double log_det, std::size_t k,
                              std::span<double> dmean, std::span<double> dx);

// Joint log density of (mu, s2): s2 ~ InverseGamma(alpha, beta) and
// mu | s2 ~ Normal(m0, sqrt(s2 / lambda)).
double normal_inverse_gamma_lpdf(double m0, double lambda, double alpha, double beta, double mu,
                                 double s2);
// A draw (mu, s2).
std::pair<double, double> normal_inverse_gamma_sample(double m0, double lambda, double alpha,
                                                      double beta, Rng& rng);
// d/d of all six: dargs[0..3] for (m0, lambda, alpha, beta), then dmu and ds2.
double normal_inverse_gamma_lpdf_grad(std::span<const double> args, double mu, double s2,
                                      std::span<double> dargs, double& dmu, double& ds2);

}  // namespace bayes::dist
