// The closed-form engine's constructors of solution::ClosedForm: univariate
// ones built from src/dist's families, so quantiles, cdfs and draws come from
// Boost.Math and <random>, and discrete ones from their log pmf.
#pragma once

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "data/value.hpp"
#include "dist/family.hpp"
#include "format/format.hpp"
#include "solution/closed_form.hpp"

namespace bayes::conjugate {

// The type lives with every engine's results (src/solution); the rules name
// it unqualified.
using solution::ClosedForm;

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

// Numbers in explanations: six significant digits, as printf's %g.
using format::significant;

}  // namespace bayes::conjugate
