// The numeric engine: receives a component the closed forms do not solve
// and produces its answers as a solution::Solution (method "numeric"): the
// MAP in the original parameterisation (no Jacobian term, as Stan's
// optimize), the MLE with the priors dropped, each found by the optimiser on
// the unconstrained space with exact gradients from the tape (fit.hpp), and
// the Laplace approximation at the mode (laplace.hpp).
#include "numeric/numeric.hpp"

#include <algorithm>
#include <cmath>
#include <memory>

#include "dist/family.hpp"
#include "format/format.hpp"
#include "graph/view.hpp"
#include "numeric/concave.hpp"
#include "numeric/explain.hpp"
#include "numeric/fit.hpp"
#include "numeric/laplace.hpp"
#include "numeric/start.hpp"
#include "numeric/tape.hpp"
#include "numeric/transform.hpp"
#include "patterns/patterns.hpp"
#include "solution/discrete.hpp"

namespace bayes::numeric {

namespace {

using Eigen::VectorXd;

// The component's priors. Laplace(loc, scale) priors with data arguments go
// to OWL-QN as an L1 penalty, so the MAP has exact zeros (the lasso); their
// parameters come first in u, scaled so that the penalty is sum |u_i|.
struct Priors {
  std::vector<std::size_t> smooth;     // on the tape
  std::vector<std::size_t> l1_params;  // the parameters of the L1 priors
  L1Args l1_args;
};

Priors split_priors(const Model& m, const std::vector<std::size_t>& priors) {
  Priors out;
  for (auto pi : priors) {
    const Prior& pr = m.priors[pi];
    bool l1 = pr.family == &dist::laplace_family() && patterns::fixed_args(pr) && !pr.truncation.on;
    if (!l1) {
      out.smooth.push_back(pi);
      continue;
    }
    for (auto p : pr.params) {
      out.l1_params.push_back(p);
      out.l1_args[p] = {patterns::eval_data(m, *pr.args[0]), patterns::eval_data(m, *pr.args[1])};
    }
  }
  return out;
}

// How the MAP was found, for --explain.
void explain_map(const Fit& map, const Layout& layout, const Options& opt, double strong,
                 solution::Solution& sol) {
  sol.method = "numeric";
  const std::string optimiser = layout.l1 ? "OWL-QN" : "L-BFGS";
  sol.rule = optimiser + (opt.jacobian ? ", mode on the unconstrained scale (Jacobian included)"
                                       : ", mode in the original parameterisation");
  sol.explain.push_back("numeric: " + optimiser + " on " + std::to_string(layout.dim) +
                        " unconstrained coordinates, exact gradients by automatic differentiation");
  std::string polish =
      map.bound >= 0 ? "" : ", then " + format::plural(map.point.newton, "Newton step");
  sol.explain.push_back("MAP: " + map.run.said() + polish + "; " + std::to_string(map.evaluations) +
                        " gradient evaluations, gradient norm " +
                        format::significant(map.point.g.norm()) + ", log density " +
                        format::significant(-map.f));
  if (map.bound >= 0)
    sol.explain.push_back(
        "MAP: the log density is strongly concave (Normal priors, likelihoods concave in "
        "affine predictors), so this is its only mode; |gradient| / " +
        format::significant(strong) +
        " bounds the distance to it: " + format::significant(map.bound));
}

// One parameter's MAP, MLE and posterior (the Laplace approximation's marginal).
solution::ParamResult param_result(const Model& m, const Transform& t, const Fit& map,
                                   const Fit& mle, const Laplace& lap) {
  solution::ParamResult r;
  r.param = t.param;
  const bool scalar = m.params[t.param].type.is_scalar();  // w[1] stays a vector
  Value mode_value = scalar ? Value::scalar(map.values[t.param][0])
                            : Value::vector(std::vector<double>(
                                  map.values[t.param].data(), map.values[t.param].data() + t.size));
  if (map.note.empty())
    r.map = mode_value, r.map_note = map.boundary;
  else
    r.map_note = map.note;
  if (mle.note.empty()) {
    const VectorXd& x = mle.values[t.param];
    r.mle = scalar ? Value::scalar(x[0])
                   : Value::vector(std::vector<double>(x.data(), x.data() + t.size));
    r.mle_note = mle.boundary;
  } else {
    r.mle_note = mle.note;
  }
  r.posterior = laplace_marginal(lap, map, t, scalar, mode_value);
  return r;
}

// Summed-out labels: each element's class probabilities given the other
// parameters at the MAP (and the MLE), and the most probable class.
void label_results(const Model& m, Tape& posterior, Tape* likelihood, const Fit& map,
                   const Fit& mle, solution::Solution& sol) {
  auto labels = [&](Tape& tape, const std::vector<VectorXd>& at) {
    tape.forward(at);
    return tape.responsibilities();
  };
  auto at_map = labels(posterior, map.values);
  std::vector<Tape::Labels> at_mle;
  if (mle.note.empty()) at_mle = labels(*likelihood, mle.values);
  for (std::size_t j = 0; j < at_map.size(); ++j) {
    const auto& [p, R, values] = at_map[j];
    solution::ParamResult r;
    r.param = p;
    auto rows = static_cast<std::size_t>(R.rows()), K = static_cast<std::size_t>(R.cols());
    std::vector<std::vector<double>> probs(rows, std::vector<double>(K));
    for (std::size_t i = 0; i < rows; ++i)
      for (std::size_t k = 0; k < K; ++k)
        probs[i][k] = R(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(k));
    const bool scalar = m.params[p].type.is_scalar();
    r.posterior = solution::discrete_marginal(values, probs, scalar);
    r.map = r.posterior.mode;
    if (!at_mle.empty()) {
      std::vector<double> mb(rows);
      for (std::size_t i = 0; i < rows; ++i) {
        Eigen::Index arg;
        at_mle[j].resp.row(static_cast<Eigen::Index>(i)).maxCoeff(&arg);
        mb[i] = values[static_cast<std::size_t>(arg)];
      }
      r.mle = scalar ? Value::scalar(mb[0], true) : Value::vector(mb, true);
    } else {
      r.mle_note = mle.note;
    }
    sol.params.push_back(std::move(r));
    sol.explain.push_back(
        "'" + m.params[p].name +
        "' summed out exactly (log-sum-exp over its classes); its class probabilities are "
        "given the other parameters at the MAP");
  }
}

}  // namespace

std::optional<solution::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, const Options& opt,
                                        std::string& why, std::optional<Failure>& failure) {
  graph::ComponentView v = graph::view(g, c);
  Priors priors = split_priors(m, v.priors);
  const std::vector<std::size_t>& smooth_priors = priors.smooth;
  // Discrete parameters among continuous ones are summed out inside the density.
  std::vector<std::size_t> marginal;
  for (auto p : c.params)
    if (m.params[p].discrete) marginal.push_back(p);
  std::vector<std::size_t> order = priors.l1_params;
  for (auto p : c.params)
    if (std::find(priors.l1_params.begin(), priors.l1_params.end(), p) == priors.l1_params.end() &&
        !m.params[p].discrete)
      order.push_back(p);
  std::optional<Layout> coordinates = layout_of(m, order, v.observations, priors.l1_args, why);
  if (!coordinates) return std::nullopt;
  // The first start from the data's location and spread (not u = 0); the
  // means' coordinates centred and scaled by it when far from the unit scale.
  std::optional<DataStart> start =
      coordinates->l1 ? std::nullopt : data_start(m, *coordinates, v.observations);
  if (start) centre_layout(*coordinates, *start);
  const Layout& layout = *coordinates;
  // Newton steps and the Laplace approximation use a dense Hessian.
  if (layout.dim > solution::kMaxDenseUnknowns) {
    why = "the numeric engine uses a dense Hessian, and this component has " +
          std::to_string(layout.dim) + " unknown coordinates (at most " +
          std::to_string(solution::kMaxDenseUnknowns) + ")";
    return std::nullopt;
  }
  auto posterior = Tape::compile(m, smooth_priors, v.observations, why, marginal, v.terms);
  if (!posterior) return std::nullopt;
  // The likelihood keeps the mixing distribution of summed-out labels.
  std::vector<std::size_t> mixing;
  for (auto p : marginal) mixing.push_back(m.params[p].prior);
  std::optional<Tape> likelihood;  // only for an mle()
  if (opt.mle) {
    likelihood = Tape::compile(m, mixing, v.observations, why, marginal, v.terms);
    if (!likelihood) return std::nullopt;
  }

  // Strong concavity (Normal priors, concave likelihoods of affine
  // predictors) spares the Hessian when only points are asked for.
  // `factor` terms and truncations are outside both shortcuts.
  bool plain = v.terms.empty();
  for (auto pi : smooth_priors) plain = plain && !m.priors[pi].truncation.on;
  for (auto oi : v.observations) plain = plain && !m.observations[oi].truncation.on;
  double strong = 0;
  if (!layout.l1 && marginal.empty() && plain)
    strong = strong_concavity(m, smooth_priors, v.observations).value_or(0);
  // Generalised linear models on the real line have an exact Hessian.
  bool identity = !layout.l1 && marginal.empty() && plain;
  for (const auto& t : layout.transforms)
    identity = identity && t.kind == Transform::Kind::Identity && t.shift.empty();
  std::optional<Glm> glm_map, glm_mle;
  if (identity) {
    glm_map = Glm::of(m, smooth_priors, v.observations, order, true);
    if (opt.mle) glm_mle = Glm::of(m, smooth_priors, v.observations, order, false);
  }
  Fit map = fit({.m = m,
                 .tape = *posterior,
                 .layout = layout,
                 .opt = opt,
                 .what = "MAP",
                 .jacobian = opt.jacobian,
                 .l1 = layout.l1,
                 .l1_constant = layout.l1_constant,
                 .strong = strong,
                 .glm = glm_map ? &*glm_map : nullptr,
                 .start = start ? &start->u : nullptr},
                failure);
  solution::Solution sol;
  explain_objective(m, v, order, layout, opt, sol.explain);
  if (layout.l1)
    sol.explain.push_back(
        "Laplace priors: OWL-QN (L1), so coordinates can be exactly 0, as in the lasso");
  // A MAP that failed fails the component, unless an mle() is asked for: it
  // can still be answered, and map() then reports the failure.
  if (failure && !opt.mle) return std::nullopt;
  if (failure) failure.reset();
  std::optional<Failure> mle_failure;
  Fit mle;
  if (opt.mle) {
    // From the data's least-squares fit, else from the MAP when there is
    // one: near, and off the symmetric saddle a mixture's zero start sits on.
    bool from_map = map.note.empty() && map.boundary.empty() &&
                    map.point.u.size() == static_cast<Eigen::Index>(layout.dim);
    mle = fit({.m = m,
               .tape = *likelihood,
               .layout = layout,
               .opt = opt,
               .what = "MLE",
               .glm = glm_mle ? &*glm_mle : nullptr,
               .start = start      ? &start->u
                        : from_map ? &map.point.u
                                   : nullptr},
              mle_failure);
    if (mle_failure && mle.note.empty()) mle.note = mle_failure->message;
  } else {
    mle.note = "the MLE was not computed (no mle() query)";
  }
  explain_map(map, layout, opt, strong, sol);

  Laplace lap = laplace_at(m, *posterior, layout, opt, map);
  for (const auto& t : layout.transforms) sol.params.push_back(param_result(m, t, map, mle, lap));
  if (!marginal.empty() && map.note.empty())
    label_results(m, *posterior, likelihood ? &*likelihood : nullptr, map, mle, sol);
  if (lap.ok)
    sol.draw = draws(lap, map, layout, m,
                     marginal.empty() ? nullptr : std::make_shared<Tape>(std::move(*posterior)));
  evidence(lap, map, m, c, layout, opt, !marginal.empty(), sol);
  return sol;
}

}  // namespace bayes::numeric
