// Engine results: what an engine (closed form, enumeration, numeric) produces
// for one connected component of the factor graph. The answer stage reads it
// and never asks which engine made it beyond `method`.
#pragma once

#include <cmath>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "data/value.hpp"
#include "dist/family.hpp"
#include "solution/closed_form.hpp"
#include "solution/sampled.hpp"

namespace bayes::solution {

struct ParamResult {
  std::size_t param = 0;     // Model::params index
  ClosedForm posterior;      // its marginal posterior
  std::optional<Value> map;  // the joint posterior mode (MAP), as Stan's optimize reports it
  std::string map_note;      // why there is none ("on the boundary p = 1")
  std::optional<Value> mle;  // the maximum-likelihood estimate, priors dropped
  std::string mle_note;
};

struct PredictiveResult {
  std::size_t observation = 0;  // Model::observations index
  ClosedForm dist;              // of one more observation
  std::string note;             // e.g. "for a new row with the covariates of row 1"
};

// The most unknowns a component may have where the joint posterior or the
// Hessian is a dense matrix (the Gaussian rule, the numeric engine): 10^4
// coordinates are 800 MB of doubles.
inline constexpr std::size_t kMaxDenseUnknowns = 10000;

struct Solution {
  std::string rule;                  // "Beta-Bernoulli"
  std::string method = "conjugate";  // or "enumeration", "quadrature", "numeric"
  // A quadrature answer's bound on its relative error (the integral's).
  std::optional<double> relative_error;
  std::vector<ParamResult> params;
  // A joint posterior over several parameters (NormalInverseGamma over
  // (mu, s2), MultiNormal over (w0, w), ...), reported beside each marginal.
  std::optional<ClosedForm> joint;
  std::vector<std::string> joint_order;  // how the joint vector is laid out: "w0", "w[1]", ...

  std::vector<PredictiveResult> predictive;
  double log_evidence = NAN;         // log p(observations of this component)
  std::string evidence_note;         // why log_evidence is NaN, when it is known
  double evidence_error = 0;         // a Monte Carlo estimate's standard error (of the log)
  std::vector<std::string> explain;  // the derivation, one line each, numbers put in
  // A draw from the joint posterior: sets values[p] for each p of this component.
  std::function<void(dist::Rng&, std::vector<Value>& values)> draw;
  // The joint posterior log density and a point inside its support, for the
  // evidence by Bayes' rule at one point: log p(D) = log p(theta) + log p(D | theta) - log p(theta
  // | D).
  std::function<double(const std::vector<Value>& values)> log_posterior;
  // Indexed like Model::params (only this component's entries set); released
  // once the evidence is computed.
  std::vector<Value> point;
  // The sampler's draws and diagnostics, when the posterior is known by them.
  std::shared_ptr<const Sampled> sampled;
  // Set, and nothing else, when the engine proved that no method can answer:
  // the posterior is not a distribution (an improper prior the data do not
  // overcome), or its numbers are beyond a double (sufficient statistics
  // that overflow): why. No other engine is then asked; every query about
  // the component says this.
  std::string refused;
  // With `refused`: the posterior is improper (not a number beyond a double).
  // Its density may still have a highest point: map() and mle() ask the
  // optimiser, which says whether it exists.
  bool improper = false;

  const ParamResult* find(std::size_t param) const {
    for (const auto& p : params)
      if (p.param == param) return &p;
    return nullptr;
  }
};

}  // namespace bayes::solution
