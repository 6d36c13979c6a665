// Log densities with exact gradients, for the numeric engine: one function per
// family, d/d(arguments) and d/d(outcome). Scalar families take scalar
// arguments (the caller broadcasts); vector families take spans.
#pragma once

#include <span>

#include "dist/family.hpp"

namespace bayes::numeric {

// log p(x | args) of a univariate family, and its partial derivatives:
// dargs[i] = d/d args[i], dx = d/dx. Returns -inf outside the support (then
// the derivatives are 0). Discrete outcomes get dx = 0.
// Throws std::logic_error for a family without a univariate density.
// `need[i]` false skips d/d args[i] where it costs a digamma (an argument
// that is data); empty means every derivative.
double scalar_lpdf_grad(const dist::Family& f, std::span<const double> args, double x,
                        std::span<double> dargs, double& dx, std::span<const bool> need = {});

// Categorical: log probs[k - 1]; dprobs gets += d/dprobs (only entry k - 1).
double categorical_lpmf_grad(std::span<const double> probs, double k, std::span<double> dprobs);

// Dirichlet(alpha) at x on the simplex: dalpha and dx (+=).
double dirichlet_lpdf_grad(std::span<const double> alpha, std::span<const double> x,
                           std::span<double> dalpha, std::span<double> dx);

// Multinomial(n, probs) at counts: dprobs (+=).
double multinomial_lpmf_grad(std::span<const double> probs, std::span<const double> counts,
                             std::span<double> dprobs);

// MultiNormal(mean, cov) at x with cov fixed (data): dmean and dx (+=).
// `cov_inv` and `log_det` are precomputed by the caller.
double multi_normal_lpdf_grad(std::span<const double> mean, std::span<const double> x,
                              const double* cov_inv, double log_det, std::size_t k,
                              std::span<double> dmean, std::span<double> dx);

// NormalInverseGamma(m0, lambda, alpha, beta) at (mu, s2): d/d of all six (+=):
// dargs[0..3] for the hyperparameters, dmu, ds2.
double normal_inverse_gamma_lpdf_grad(std::span<const double> args, double mu, double s2,
                                      std::span<double> dargs, double& dmu, double& ds2);

}  // namespace bayes::numeric
