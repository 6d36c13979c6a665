// A distribution known in closed form: what posterior(p) and predictive(y)
// report. Univariate ones are built from src/dist's families, so quantiles,
// cdfs and draws come from Boost.Math and <random>.
#pragma once

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data/value.hpp"
#include "dist/family.hpp"

namespace bayes::conjugate {

struct ClosedForm {
  std::string family;  // for printing: "Beta", "StudentT", "BetaBinomial", ...
  // The src/dist family when the distribution is one of them with `params` as
  // its arguments; nullptr for the others (BetaBinomial, Lomax, ...).
  const dist::Family* dist_family = nullptr;
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

// A univariate family with scalar arguments, e.g.
// from_family(dist::beta_family(), {9, 5}). Fills mean, sd, cdf, quantile,
// sample, lpdf and the mode (see mode_of).
ClosedForm from_family(const dist::Family& family, std::vector<double> args);

// The mode of a univariate family, or nullopt with a note.
std::optional<double> mode_of(const dist::Family& family, const std::vector<double>& args,
                              std::string& note);

// Parameter name/value pairs for a univariate family: {"a", 9}, {"b", 5}.
std::vector<std::pair<std::string, Value>> named(const dist::Family& family,
                                                 const std::vector<double>& args);

}  // namespace bayes::conjugate

namespace bayes::conjugate {

// A distribution on 0, 1, 2, ... given by its log pmf (for predictives with
// no Boost.Math family: Beta-Binomial, Beta-Negative-Binomial, ...). The cdf,
// quantile and draws are by summation. `upper` bounds the support when finite.
ClosedForm from_pmf(const std::string& family, std::vector<std::pair<std::string, Value>> params,
                    std::function<double(double)> lpmf, double mean, double sd,
                    double upper = INFINITY);

// Formatting numbers for explanations: 6 significant digits.
std::string num(double x);

}  // namespace bayes::conjugate
