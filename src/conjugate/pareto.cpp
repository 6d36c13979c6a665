// Rule: a Pareto(xmin, alpha) prior on the upper end theta of Uniform(0, theta)
// observations (also Uniform(0, c * theta) with known c > 0). Each observation
// x contributes 1/theta for theta >= x, so the likelihood is theta^-N on
// theta >= max x and Pareto(xmin, alpha) -> Pareto(max(xmin, max x), alpha + N)
// (DeGroot, Optimal Statistical Decisions, sec. 9.7; the "German tank" problem).
#include <algorithm>
#include <cmath>

#include "conjugate/rule.hpp"
#include "dist/random.hpp"

namespace bayes::conjugate {

namespace pareto_rule {
namespace {

struct Stats {
  std::size_t observation;
  double n = 0;               // observations in this statement
  double top = 0;             // max x / c: the smallest theta this statement allows
  double log_scale = 0;       // sum log c, for the evidence
  double scale = 1;           // c of the first element
  bool scale_varies = false;  // c differs between elements
};

// The predictive of x ~ Uniform(0, theta) with theta ~ Pareto(xmin, alpha):
// with probability alpha / (alpha + 1) x ~ Uniform(0, xmin), otherwise
// x ~ Pareto(xmin, alpha). Density alpha / ((alpha + 1) xmin) on [0, xmin] and
// alpha xmin^alpha x^-(alpha + 1) / (alpha + 1) above (integrate the Uniform
// density over the Pareto; DeGroot, sec. 9.7). Moments: E x = alpha xmin / (2 (alpha - 1)),
// E x^2 = alpha xmin^2 / (3 (alpha - 2)).
ClosedForm pareto_uniform_predictive(double xmin, double alpha) {
  ClosedForm c;
  c.family = "ParetoUniformPredictive";
  c.params = {{"xmin", Value::scalar(xmin)}, {"alpha", Value::scalar(alpha)}};
  double mean = alpha > 1 ? alpha * xmin / (2 * (alpha - 1)) : HUGE_VAL;
  double sd = HUGE_VAL;
  if (alpha > 2) {
    double second = alpha * xmin * xmin / (3 * (alpha - 2));
    sd = std::sqrt(second - mean * mean);
  }
  c.mean = Value::scalar(mean);
  c.sd = Value::scalar(sd);
  c.mode_note = "undefined: the density is flat on [0, " + significant(xmin) + "]";
  const double w = alpha / (alpha + 1);  // the Uniform part's weight
  c.cdf = [xmin, alpha, w](double x) {
    if (x <= 0) return 0.0;
    if (x <= xmin) return w * x / xmin;
    return 1 - std::exp(alpha * std::log(xmin / x)) / (alpha + 1);
  };
  auto quantile = [xmin, alpha, w](double p) {
    if (p <= w) return p * xmin / w;
    if (p >= 1) return HUGE_VAL;
    return xmin * std::exp(-std::log((1 - p) * (alpha + 1)) / alpha);
  };
  c.quantile = quantile;
  c.sample = [quantile](dist::Rng& rng) {
    return Value::scalar(quantile(dist::random::uniform(rng)));
  };
  c.lpdf = [xmin, alpha](const Value& v) {
    double x = v[0];
    if (x < 0) return -HUGE_VAL;
    double lp = std::log(alpha) - std::log(alpha + 1);
    if (x <= xmin) return lp - std::log(xmin);
    return lp + alpha * std::log(xmin) - (alpha + 1) * std::log(x);
  };
  return c;
}

// The data name of an observation's left side ("x"), or its text.
std::string lhs_name(const Model& m, std::size_t oi) {
  const Observation& o = m.observations[oi];
  return o.lhs->op == ir::Op::Data ? m.data[o.lhs->ref].name : o.text;
}

// Why a component with a Pareto prior on `p` also holds other parameters: the
// first factor that ties another one in.
std::string other_parameter(const Model& m, const ComponentView& v, std::size_t p) {
  for (auto oi : v.observations)
    for (const auto& a : m.observations[oi].args)
      for (auto q : ir::params_of(*a))
        if (q != p)
          return "'" + m.observations[oi].text + "' involves '" + m.params[q].name +
                 "' as well as '" + m.params[p].name +
                 "'; the Pareto rule needs the upper end to be the only unknown";
  for (auto pi : v.priors) {
    const Prior& pr = m.priors[pi];
    bool uses = false;
    for (const auto& a : pr.args)
      for (auto q : ir::params_of(*a)) uses = uses || q == p;
    if (!uses) continue;
    return "the prior " + pr.text + " of '" + m.params[pr.params.front()].name + "' depends on '" +
           m.params[p].name + "'; the Pareto rule needs the upper end to be the only unknown";
  }
  return "the Pareto prior of '" + m.params[p].name + "' is shared with other parameters";
}

// "a " or "an " before a family name.
std::string article(std::string_view word) {
  return std::string_view("AEIOU").find(word.empty() ? 'x' : word[0]) != std::string_view::npos
             ? "an "
             : "a ";
}

// One observation statement's contribution, or why the rule cannot take it.
std::optional<Stats> observation_stats(const Model& m, std::size_t oi, std::size_t p,
                                       std::string& why) {
  const std::string& name = m.params[p].name;
  const Observation& o = m.observations[oi];
  std::string_view fam = o.family->name;
  if (o.family != &dist::uniform_family()) {
    why = "'" + o.text + "': " + article(fam) + std::string(fam) +
          " likelihood is not conjugate to the Pareto prior of '" + name +
          "' (Pareto goes with Uniform(0, " + name + "))";
    return std::nullopt;
  }
  if (!ir::is_data_only(*o.args[0])) {
    why = "'" + o.text + "': '" + name +
          "' is in the lower end of the Uniform; the Pareto rule needs Uniform(0, " + name +
          "), with " + name + " the upper end";
    return std::nullopt;
  }
  Value lo = eval_data(m, *o.args[0]);
  for (double l : lo.data)
    if (l != 0) {
      why = "'" + o.text + "': the lower end is " + significant(l) +
            ", not 0; the Pareto rule needs Uniform(0, " + name + ")";
      return std::nullopt;
    }
  // The upper end: theta, or c * theta (theta / c) with known c > 0.
  auto mono = monomial_in(m, *o.args[1], p);
  bool ok = mono && mono->k == 1;
  if (ok)
    for (double ci : mono->c.data) ok = ok && ci > 0;
  if (!ok) {
    why = "'" + o.text + "': the upper end is an expression of '" + name + "' other than " + name +
          " or c * " + name + " with a known c > 0";
    return std::nullopt;
  }
  Stats s{oi};
  s.scale = mono->c[0];
  const Value& x = o.value;
  for (std::size_t k = 0; k < x.size(); ++k) {
    double ck = at(mono->c, k);
    s.top = std::max(s.top, x[k] / ck);
    s.log_scale += std::log(ck);
    s.scale_varies = s.scale_varies || ck != s.scale;
    s.n += 1;
  }
  return s;
}

}  // namespace
}  // namespace pareto_rule

std::optional<Solution> solve_pareto(const Model& m, const graph::FactorGraph& g,
                                     const graph::Component& c, std::string& why) {
  using namespace pareto_rule;
  ComponentView v = view(g, c);
  const Prior* prior = nullptr;
  for (auto pi : v.priors)
    if (m.priors[pi].family == &dist::pareto_family()) prior = &m.priors[pi];
  if (!prior) return std::nullopt;
  std::size_t p = prior->params.front();
  const std::string& name = m.params[p].name;
  if (!m.params[p].type.is_scalar()) {
    why = "'" + name + "' is a vector; the Pareto rule handles a scalar upper bound";
    return std::nullopt;
  }
  if (!fixed_args(*prior)) {
    why = "the Pareto prior of '" + name + "' has parameters as arguments";
    return std::nullopt;
  }
  if (c.params.size() != 1 || v.priors.size() != 1) {
    why = other_parameter(m, v, p);
    return std::nullopt;
  }
  const double xmin0 = eval_data(m, *prior->args[0])[0], alpha0 = eval_data(m, *prior->args[1])[0];

  std::vector<Stats> stats;
  for (auto oi : v.observations) {
    auto st = observation_stats(m, oi, p, why);
    if (!st) return std::nullopt;
    stats.push_back(std::move(*st));
  }
  if (stats.empty()) return std::nullopt;  // a prior alone: left to the general report

  double N = 0, top = 0, log_scale = 0;
  for (const auto& s : stats) N += s.n, top = std::max(top, s.top), log_scale += s.log_scale;
  const double xmin = std::max(xmin0, top), alpha = alpha0 + N;
  bool scaled = std::any_of(stats.begin(), stats.end(),
                            [](const Stats& s) { return s.scale_varies || s.scale != 1; });

  Solution sol;
  sol.rule = "Pareto-Uniform";
  ParamResult r;
  r.param = p;
  // The posterior Pareto(xmin', alpha') is largest at its lower end xmin',
  // where the density jumps from 0: the mode is attained there.
  r.posterior = from_family(dist::pareto_family(), {xmin, alpha});
  r.posterior.mode = Value::scalar(xmin);
  r.map = r.posterior.mode;
  // The likelihood theta^-N on theta >= max x is largest at theta = max x.
  if (top > 0)
    r.mle = Value::scalar(top);
  else
    r.mle_note = "the MLE is on the boundary " + name +
                 " = 0: every observation is 0, and the likelihood " + name +
                 "^-N grows without bound as " + name + " -> 0";
  sol.params.push_back(r);
  for (const auto& s : stats) {
    // x = c U theta with U ~ Uniform(0, 1): the predictive of theta scaled by c.
    PredictiveResult pr{s.observation, pareto_uniform_predictive(s.scale * xmin, alpha), ""};
    if (s.scale_varies)
      pr.note = "for a new observation with c = " + significant(s.scale) + " (as in the first)";
    sol.predictive.push_back(pr);
  }
  // p(D) = int alpha xmin^alpha theta^-(alpha + 1) prod (c_i theta)^-1 dtheta over
  // theta >= xmin' = alpha xmin^alpha / ((alpha + N) xmin'^(alpha + N) prod c_i).
  sol.log_evidence = std::log(alpha0) + alpha0 * std::log(xmin0) - std::log(alpha) -
                     alpha * std::log(xmin) - log_scale;

  std::string bound = scaled ? "x / c" : "x";
  sol.explain.push_back(
      "rule Pareto-Uniform: each observation x ~ Uniform(0, " + std::string(scaled ? "c * " : "") +
      name + ") has density 1/" + (scaled ? "(c * " + name + ")" : name) + " when " + name +
      " >= " + bound + " and 0 otherwise, so the likelihood is " + name + "^-N on " + name +
      " >= max " + bound + ": the same shape as the Pareto density (proportional to " + name +
      "^-(alpha + 1) on " + name + " >= xmin), so the posterior is again Pareto");
  sol.explain.push_back("prior: " + name + " ~ Pareto(xmin = " + significant(xmin0) +
                        ", alpha = " + significant(alpha0) + ")");
  for (const auto& s : stats) {
    const Observation& o = m.observations[s.observation];
    sol.explain.push_back("data: " + o.text + ": N = " + significant(s.n) + " value" +
                          (s.n == 1 ? "" : "s") + ", largest " + bound + " = " +
                          significant(s.top));
  }
  if (stats.size() > 1)
    sol.explain.push_back("all data: N = " + significant(N) + ", largest " + bound + " = " +
                          significant(top));
  sol.explain.push_back("posterior: Pareto(xmin' = max(xmin, max " + bound +
                        "), alpha' = alpha + N) = Pareto(max(" + significant(xmin0) + ", " +
                        significant(top) + "), " + significant(alpha0) + " + " + significant(N) +
                        ") = Pareto(" + significant(xmin) + ", " + significant(alpha) + ")");
  sol.explain.push_back("mean = alpha' xmin' / (alpha' - 1) = " + significant(alpha) + " * " +
                        significant(xmin) + " / " + significant(alpha - 1) + " = " +
                        significant(r.posterior.mean[0]));
  sol.explain.push_back("MAP = xmin' = " + significant(xmin) +
                        ": the posterior density is largest at the lower end of its " +
                        "support (" + name + " cannot be below the largest " + bound +
                        "; the density jumps from 0 there)");
  if (r.mle)
    sol.explain.push_back("MLE = max " + bound + " = " + significant(top) + ": the likelihood " +
                          name + "^-N is largest at the smallest " + name + " the data allow");
  else
    sol.explain.push_back("MLE: " + r.mle_note);
  for (const auto& s : stats) {
    double xm = s.scale * xmin;
    sol.explain.push_back(
        "predictive (" + lhs_name(m, s.observation) + "): with probability alpha'/(alpha' + 1) = " +
        significant(alpha / (alpha + 1)) + " a new value is Uniform(0, " + significant(xm) +
        "), otherwise Pareto(" + significant(xm) + ", " + significant(alpha) + "); mean = " +
        significant(sol.predictive[static_cast<std::size_t>(&s - stats.data())].dist.mean[0]));
  }
  sol.explain.push_back(
      "evidence: log p(data) = log(alpha xmin^alpha / ((alpha + N) xmin'^(alpha + N)" +
      std::string(scaled ? " prod c" : "") + ")) = " + significant(sol.log_evidence));

  ClosedForm post = r.posterior;
  sol.draw = [p, post](dist::Rng& rng, std::vector<Value>& values) {
    values[p] = post.sample(rng);
  };
  sol.log_posterior = [p, post](const std::vector<Value>& values) { return post.lpdf(values[p]); };
  sol.point.resize(m.params.size());
  sol.point[p] = Value::scalar(xmin * 1.5);
  return sol;
}

}  // namespace bayes::conjugate
