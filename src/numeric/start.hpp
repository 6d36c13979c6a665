// The numeric engine's first start from the data: receives a component's
// layout and observations, produces a point u on the unconstrained scale where
// the Normal observations' means sit at their least-squares fit and their sd
// at the residuals' spread, so that data with a huge offset (readings near
// 1e7) or a tiny spread (1e-6) start where the mode is, not at u = 0.
#pragma once

#include <Eigen/Dense>
#include <optional>
#include <vector>

#include "check/model.hpp"
#include "numeric/transform.hpp"

namespace bayes::numeric {

// The start, and for each coordinate of u fitted as a mean's parameter its
// least-squares value and standard error (NaN for the others).
struct DataStart {
  Eigen::VectorXd u;
  std::vector<double> centre, spread;
};

// nullopt when no observation is Normal with a mean linear in the layout's
// unbounded parameters, or when the fit would be exact (too few values).
std::optional<DataStart> data_start(const Model& m, const Layout& layout,
                                    const std::vector<std::size_t>& observations);

// When some fitted coordinate is far from the unit scale (its value above
// 1e4 standard errors, or a standard error outside [1e-4, 1e4]), rewrites
// every fitted identity coordinate as theta = centre + spread * u, so that
// the optimiser works near u = 0 in units of the data's precision, and moves
// the start there. False (nothing changed) otherwise: a well-scaled problem
// keeps theta = u.
bool centre_layout(Layout& layout, DataStart& start);
}  // namespace bayes::numeric
