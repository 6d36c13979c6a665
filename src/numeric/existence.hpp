// Existence and boundary diagnosis: receives the point a round of Newton
// steps reached and produces the verdict on it: a mode, a mode on a closed
// edge of the support, or why there is none (it runs off, levels off, lies on
// the boundary, or is not unique), said in words.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <utility>
#include <vector>

#include "numeric/fit.hpp"
#include "numeric/objective.hpp"

namespace bayes::numeric {

// The verdicts on f.point. Each returns true when it settled the fit: wrote
// the mode into f.values (or kept the one there) or the reason there is none
// into f.note.
struct Verdicts {
  Verdicts(const FitInputs& in, Objective& obj, Fit& f);

  const FitInputs& in;
  Objective& obj;
  Fit& f;
  std::string the;      // "the MAP"
  std::string density;  // "posterior density" or "likelihood"

  // Far out on a log or logit scale with almost no curvature: the density
  // has levelled off to rounding on its way to an edge.
  bool levelled();
  // The density is flat along a curve through the point: no unique mode.
  bool ridge();
  // Along a straight line or a coordinate's profile the density keeps
  // increasing (no mode, or one on a closed edge) or stays flat.
  bool runs_off();
  // A small gradient: a mode, unless levelled off or without curvature along
  // some direction. Always settles the fit.
  void stationary();
  // The points of the rounds so far run off along one coordinate with no
  // sign of levelling off (the funnel of a hierarchical model).
  bool funnel(const std::vector<std::pair<double, Eigen::VectorXd>>& visits);

  // The coordinates the flattest direction moves.
  std::vector<std::string> flat_names() const;
};

// Whether the curvature at p is too small to tell from zero: the smallest
// scaled eigenvalue below 1e-8 of the largest, measured centrally (the
// forward differences are recomputed when they cannot tell).
bool nearly_singular(Objective& obj, Point& p);

}  // namespace bayes::numeric
