// The quadrature engine's one-dimensional integral: receives the log density
// f(u) of the outer parameter on its unconstrained scale u, produces the nodes
// of a trapezoid rule that covers its mass (refined until halving the step no
// longer changes the normaliser), and the cdf and quantiles between the nodes
// by cubic Hermite interpolation of the density.
#pragma once

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace bayes::quadrature {

// The map between the parameter theta on (lo, hi) and u on the real line.
struct Scale {
  double lo = -INFINITY, hi = INFINITY;
  double theta(double u) const;
  double u(double theta) const;
  double log_jacobian(double u) const;              // log |d theta / d u|
  std::string text(const std::string& name) const;  // "log(sigma)"
};

struct Grid {
  std::vector<double> u, f;  // nodes (equally spaced, ascending) and log density there
  double h = 0;
  double log_z = 0;                 // log of the trapezoid sum of exp(f)
  double error = 0;                 // relative change of the normaliser when the step was halved
  std::vector<double> w;            // normalised weights h exp(f - log_z), summing to 1
  std::vector<double> cum;          // cdf at each node (Hermite intervals)
  std::vector<double> dens, slope;  // normalised density of u and its slope at each node

  // The cdf and quantile of u (the density exp(f - log_z)).
  double cdf(double x) const;
  double quantile(double p) const;
};

// Integrates exp(f): f(u) may return -inf (outside the support) or nullopt (the
// conditional model failed: why). Starts at u0. Nodes at least `per_sd` per
// posterior sd, refined until the normaliser changes by less than `tol`.
std::optional<Grid> integrate(const std::function<std::optional<double>(double)>& f, double u0,
                              double tol, std::string& why);

}  // namespace bayes::quadrature
