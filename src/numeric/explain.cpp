// --explain for the numeric engine: see explain.hpp.
#include "numeric/explain.hpp"

#include <cmath>

#include "format/format.hpp"
#include "patterns/patterns.hpp"

namespace bayes::numeric {

namespace {

using format::significant;

// "log s", "logit p": how a parameter reaches the whole real line.
std::string transform_text(const Model& m, const Transform& t) {
  const std::string x = m.params[t.param].name;
  switch (t.kind) {
    case Transform::Kind::Identity:
      return t.scale.empty() ? x + " as it is" : x + " divided by its Laplace scale";
    case Transform::Kind::Lower:
      return (t.lo == 0 ? "log " + x : "log(" + x + " - " + significant(t.lo) + ")");
    case Transform::Kind::Upper:
      return "log(" + significant(t.hi) + " - " + x + ")";
    case Transform::Kind::Interval:
      return t.lo == 0 && t.hi == 1 ? "logit " + x
                                    : "logit((" + x + " - " + significant(t.lo) + ") / " +
                                          significant(t.hi - t.lo) + ")";
    case Transform::Kind::Simplex:
      return x + " by stick-breaking (K - 1 free coordinates)";
    case Transform::Kind::Dependent:
      return x + " relative to bounds that move with other parameters";
    case Transform::Kind::Ordered:
      return x + " as its first element and the logs of its gaps";
    case Transform::Kind::PositiveOrdered:
      return x + " as the log of its first element and the logs of its gaps";
  }
  return x;
}

// The penalised regression a model with iid Normal(0, tau) or Laplace(0, b)
// priors on its weights (flat priors on the rest) is: with one Normal
// observation of known sd and a linear mean, ridge or the lasso; with one
// Bernoulli observation of logistic(linear), penalised logistic regression.
void explain_penalty(const Model& m, const graph::ComponentView& v,
                     const std::vector<std::size_t>& params, std::vector<std::string>& ex) {
  if (v.observations.size() != 1 || !v.terms.empty()) return;
  const Observation& o = m.observations[v.observations[0]];
  if (o.truncation.on) return;
  const bool gaussian = o.family == &dist::normal_family() && ir::is_data_only(*o.args[1]) &&
                        patterns::eval_data(m, *o.args[1]).is_scalar() &&
                        patterns::linear_in(m, *o.args[0], params);
  const bool logistic = o.family == &dist::bernoulli_family() && o.args[0]->op == ir::Op::Call &&
                        o.args[0]->fn == Builtin::Logistic &&
                        patterns::linear_in(m, *o.args[0]->args[0], params);
  if (!gaussian && !logistic) return;
  const dist::Family* kind = nullptr;  // Normal (L2) or Laplace (L1)
  double scale = NAN;
  std::string penalised, free;
  for (auto pi : v.priors) {
    const Prior& p = m.priors[pi];
    if (p.params.size() != 1 || p.truncation.on) return;
    const std::string name = m.params[p.params[0]].name;
    if (!p.family && std::isinf(p.lower) && std::isinf(p.upper)) {
      free += (free.empty() ? "" : ", ") + name;
      continue;
    }
    if ((p.family != &dist::laplace_family() && p.family != &dist::normal_family()) ||
        !patterns::fixed_args(p) || (kind && p.family != kind))
      return;
    const Value loc = patterns::eval_data(m, *p.args[0]), sc = patterns::eval_data(m, *p.args[1]);
    if (!loc.is_scalar() || loc[0] != 0 || !sc.is_scalar()) return;
    if (!std::isnan(scale) && sc[0] != scale) return;
    kind = p.family, scale = sc[0];
    penalised += (penalised.empty() ? "" : ", ") + name;
  }
  if (!kind) return;
  const bool l1 = kind == &dist::laplace_family();
  const std::string s = significant(scale);
  const std::string norm = l1 ? "||" + penalised + "||_1" : "||" + penalised + "||^2";
  const std::string prior_term = l1 ? norm + " / b" : norm + " / (2 tau^2)";
  const std::string scale_is = (l1 ? "b = " : "tau = ") + s;
  const std::string unpenalised = free.empty() ? "" : " (" + free + ": flat, not penalised)";
  const double n = static_cast<double>(o.lhs->type.rows * o.lhs->type.cols);
  if (gaussian) {
    const double sd = patterns::eval_data(m, *o.args[1])[0], s2 = sd * sd;
    const std::string y = o.text.substr(0, o.text.find(" ~ "));
    const double lambda = l1 ? 2 * s2 / scale : s2 / (scale * scale);
    ex.push_back(std::string(l1 ? "as the lasso (L1)" : "as ridge regression (L2)") +
                 ": -log posterior = sum (" + y + " - mean)^2 / (2 sd^2) + " + prior_term +
                 " + const with sd = " + significant(sd) + ", " + scale_is +
                 "; times 2 sd^2, the MAP minimises the squared error + lambda " + norm +
                 " with lambda = " + (l1 ? "2 sd^2 / b = " : "sd^2 / tau^2 = ") +
                 significant(lambda) + unpenalised + ": the " + (l1 ? "lasso" : "ridge") +
                 " solution with that lambda (scikit-learn's " +
                 (l1 ? "Lasso(alpha = lambda / (2N) = " + significant(s2 / (n * scale)) + ")"
                     : "Ridge(alpha = lambda = " + significant(lambda) + ")") +
                 ", N = " + significant(n) + ")");
  } else {
    ex.push_back(
        std::string("as ") + (l1 ? "L1" : "L2") +
        "-penalised logistic regression: -log posterior = the log loss (the Bernoulli -log "
        "likelihood, summed over the N = " +
        significant(n) + " rows) + " + prior_term + " + const with " + scale_is +
        ", so the MAP minimises log loss + " + (l1 ? "lambda " + norm : "lambda " + norm + " / 2") +
        " with lambda = " + (l1 ? "1 / b = " : "1 / tau^2 = ") +
        significant(l1 ? 1 / scale : 1 / (scale * scale)) + unpenalised +
        " (scikit-learn's LogisticRegression(penalty = '" + (l1 ? "l1" : "l2") +
        "', C = " + (l1 ? "b" : "tau^2") + " = " + significant(l1 ? scale : scale * scale) + "))");
  }
}

}  // namespace

void explain_objective(const Model& m, const graph::ComponentView& v,
                       const std::vector<std::size_t>& params, const Layout& layout,
                       const Options& opt, std::vector<std::string>& ex) {
  std::string terms;
  for (auto pi : v.priors) {
    const Prior& p = m.priors[pi];
    std::string names;
    for (auto q : p.params) names += (names.empty() ? "" : ", ") + m.params[q].name;
    terms +=
        (terms.empty() ? "" : " + ") + std::string("log prior of ") + names + " [" + p.text + "]";
  }
  for (auto oi : v.observations)
    terms += (terms.empty() ? "" : " + ") + std::string("log likelihood of '") +
             m.observations[oi].text + "'";
  for (auto ti : v.terms) terms += (terms.empty() ? "" : " + ") + ("'" + m.terms[ti].text + "'");
  bool all_flat = true;
  for (auto pi : v.priors) all_flat = all_flat && !m.priors[pi].family;
  ex.push_back("objective: the MAP maximises the log posterior = " + terms +
               " + const (minus log p(data), which does not depend on the parameters)" +
               (all_flat ? "; every prior is flat, so this is the log likelihood and the MAP "
                           "is the MLE (for a Bernoulli, minus the log loss)"
                         : ""));
  std::string moved;
  bool identity = true;
  for (const auto& t : layout.transforms) {
    identity = identity && t.kind == Transform::Kind::Identity;
    moved += (moved.empty() ? "" : ", ") + transform_text(m, t);
  }
  ex.push_back("coordinates: the optimiser moves on the whole real line: " + moved);
  if (identity)
    ex.push_back(
        "Jacobian: every coordinate is its parameter (up to a fixed scale), so the mode is the "
        "same on either scale");
  else if (opt.jacobian)
    ex.push_back(
        "Jacobian: with --jacobian, log |d theta / d u| is added, so this is the mode of the "
        "density of the unconstrained coordinates u (the centre of the Laplace approximation), "
        "not of theta's own density");
  else
    ex.push_back(
        "Jacobian: none added (as Stan's optimize does by default), so this is the mode of "
        "theta's own density; the transforms only let the optimiser move freely (--jacobian "
        "gives the mode of the density of the unconstrained coordinates instead)");
  explain_penalty(m, v, params, ex);
}

}  // namespace bayes::numeric
