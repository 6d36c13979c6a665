// What a `plot p` statement draws, computed from a component's solution: the
// prior, the normalised likelihood and the posterior of one scalar parameter
// on a grid (or at each value of a discrete parameter), with the MAP and MLE.
// The terminal and SVG renderers (src/report/plot_*.cpp) only draw this.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "check/model.hpp"
#include "graph/factor_graph.hpp"
#include "solution/solution.hpp"

namespace bayes::answer {

struct PlotData {
  std::string query;                // "plot p"
  std::string param;                // "p"
  std::string method;               // conjugate, enumeration, laplace
  Span span;                        // of the plot statement, for errors writing the file
  std::optional<std::string> file;  // plot p to "file.svg"
  bool discrete = false;            // bars at each value instead of curves
  // Continuous: midpoints of `x.size()` equal cells covering [lo, hi].
  // Discrete: the values shown.
  std::vector<double> x;
  double lo = 0, hi = 1;
  // Densities at x (probabilities when discrete); empty when not drawn.
  std::vector<double> prior, likelihood, posterior;
  std::string prior_label;       // "prior Beta(2, 2)"
  std::string likelihood_label;  // "likelihood (normalised)"
  std::string posterior_label;   // "posterior Beta(a = 9, b = 5)"
  std::optional<double> map, mle;
  std::vector<std::string> notes;  // what is approximate or improper
  double posterior_mass = 1;       // of the posterior inside [lo, hi]
  double likelihood_mass = 1;      // of the normalised likelihood inside [lo, hi]
};

// The plot of scalar parameter `param`, or of element `element` (0-based) of
// a vector parameter, from its component's solution. Returns nullopt with
// `why` when there is nothing to draw.
std::optional<PlotData> plot_data(const Model& m, const graph::FactorGraph& g,
                                  const solution::Solution& s, std::size_t param, std::string& why,
                                  std::optional<std::size_t> element = std::nullopt);

// The posterior of a derived quantity from posterior draws: a kernel density
// estimate (Silverman's bandwidth) on the draws' central 99.9%. No prior or
// likelihood is drawn.
PlotData plot_from_draws(const std::string& name, std::vector<double> draws);

}  // namespace bayes::answer
