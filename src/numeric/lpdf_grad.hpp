// Log densities with exact gradients, for the numeric engine's tape: each
// family's own (Family::lpdf_grad, and the vector families' *_grad functions
// in dist/multivariate.hpp), under the names the tape calls them by.
#pragma once

#include <span>
#include <stdexcept>
#include <string>

#include "dist/family.hpp"
#include "dist/multivariate.hpp"

namespace bayes::numeric {

// log p(x | args) of a univariate family, and its partial derivatives:
// dargs[i] = d/d args[i], dx = d/dx (see Family::lpdf_grad). Returns -inf
// outside the support (then the derivatives are 0). Discrete outcomes get
// dx = 0. Throws std::logic_error for a family without a univariate density.
// `need[i]` false skips d/d args[i] where it costs a digamma (an argument
// that is data); empty means every derivative.
inline double scalar_lpdf_grad(const dist::Family& f, std::span<const double> args, double x,
                               std::span<double> dargs, double& dx,
                               std::span<const bool> need = {}) {
  if (!f.lpdf_grad) throw std::logic_error("no univariate density for " + std::string(f.name));
  return f.lpdf_grad(args, x, dargs, dx, need);
}

// The vector families (+= into the derivative spans; see dist/multivariate.hpp).
using dist::categorical_lpmf_grad;
using dist::dirichlet_lpdf_grad;
using dist::multi_normal_lpdf_grad;
using dist::multinomial_lpmf_grad;
using dist::normal_inverse_gamma_lpdf_grad;

}  // namespace bayes::numeric
