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

// A vector of independent elements, element k from `family` with arguments
// at[k]: its marginals exact, its draws element by element; an argument that
// all elements share is reported as one number.
ClosedForm independent_elements(const dist::Family& family,
                                const std::vector<std::vector<double>>& at);

// Parameter name/value pairs for a univariate family: {"a", 9}, {"b", 5}.
std::vector<std::pair<std::string, Value>> named(const dist::Family& family,
                                                 const std::vector<double>& args);

}  // namespace bayes::conjugate

namespace bayes::conjugate {

// A unimodal distribution on 0, 1, 2, ... given by its log pmf and the ratio
// pmf(k) / pmf(k - 1) (for predictives with no Boost.Math family:
// Beta-Binomial, Beta-Negative-Binomial, ...). The mode is by bisection on the
// ratio; the cdf, quantile and draws by summation from 0, NaN past 10^7
// terms. `upper` bounds the support when finite.
ClosedForm from_pmf(const std::string& family, std::vector<std::pair<std::string, Value>> params,
                    std::function<double(double)> lpmf, std::function<double(double)> ratio,
                    double mean, double sd, double upper = INFINITY);

// A continuous distribution with no src/dist family, from its functions.
ClosedForm from_functions(std::string family, std::vector<std::pair<std::string, double>> params,
                          std::function<double(double)> lpdf, std::function<double(double)> cdf,
                          std::function<double(double)> quantile,
                          std::function<double(dist::Rng&)> sample, double mean, double sd,
                          double mode);

// sigma = sqrt(v) for v ~ InverseGamma(a, b): the marginal of a Normal's sd
// whose variance has an InverseGamma posterior. Density 2 b^a / Gamma(a)
// sigma^(-2a - 1) exp(-b / sigma^2); mean sqrt(b) Gamma(a - 1/2) / Gamma(a)
// (a > 1/2), E sigma^2 = b / (a - 1) (a > 1), mode sqrt(2 b / (2 a + 1))
// (Gelman et al., BDA3, sec. 3.2 and 14.2, with sigma^2 ~ Inv-chi^2(nu, s^2),
// nu = 2a, s^2 = b / a).
ClosedForm sqrt_inverse_gamma(double a, double b);

// Numbers in explanations: six significant digits, as printf's %g.
using format::significant;

}  // namespace bayes::conjugate
