// Engine results: a distribution known in closed form, what posterior(p) and
// predictive(y) report. Every engine fills it (the conjugate rules from
// src/dist's families, so quantiles, cdfs and draws come from Boost.Math and
// <random>; enumeration and the numeric engine from their own sums and
// approximations); the answer stage reads it.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data/value.hpp"
#include "dist/family.hpp"

namespace bayes::solution {

struct ClosedForm {
  std::string family;  // for printing: "Beta", "StudentT", "BetaBinomial", ...
  // The src/dist family when the distribution is one of them with `params` as
  // its arguments; nullptr for the others (BetaBinomial, Lomax, ...).
  const dist::Family* dist_family = nullptr;
  // The numeric engine's Laplace approximation (a Normal on the unconstrained
  // scale mapped back), not an exact posterior.
  bool laplace = false;
  std::vector<std::pair<std::string, Value>> params;  // hyperparameters, in signature order
  Value mean;                                         // NaN where undefined, inf where infinite
  Value sd;
  std::optional<Value> mode;  // unset: see mode_note
  std::string mode_note;      // "on the boundary p = 1", "undefined (Beta(0.5, 0.5) is U-shaped)"
  bool discrete = false;
  std::function<double(double)> cdf;       // scalar ones
  std::function<double(double)> quantile;  // scalar ones
  std::function<Value(dist::Rng&)> sample;
  std::function<double(const Value&)> lpdf;
  // Vector ones: the quantile of element i's marginal (for intervals).
  std::function<double(std::size_t i, double p)> element_quantile;
  // ... and the cdf of element i's marginal (for exact prob(w[1] > 0)).
  std::function<double(std::size_t i, double x)> element_cdf;

  bool scalar() const { return mean.is_scalar(); }
};

}  // namespace bayes::solution
