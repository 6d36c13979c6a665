// Rule: a Beta prior on a probability p, observed through Bernoulli(p),
// Binomial(n, p), Geometric(p) (failures before the first success) or
// NegativeBinomial(r, p) (failures before the r-th success), in any mix.
// Each likelihood is p^s (1 - p)^f, so Beta(a, b) -> Beta(a + s, b + f)
// (Gelman et al., BDA3, sec. 2.4; Murphy, Conjugate Bayesian analysis of the
// Bernoulli, 2007).
#include <boost/math/special_functions/beta.hpp>
#include <cmath>

#include "conjugate/rule.hpp"
#include "conjugate/scalar_prior.hpp"
#include "dist/random.hpp"

namespace bayes::conjugate {

namespace beta_rule {
namespace {

enum class Kind { Bernoulli, Binomial, Geometric, NegativeBinomial };

// The likelihoods the rule takes, and the argument holding the probability.
struct KindInfo {
  Kind kind;
  const dist::Family& (*family)();
  std::size_t p_arg;
};

constexpr KindInfo kKinds[] = {
    {Kind::Bernoulli, dist::bernoulli_family, 0},
    {Kind::Binomial, dist::binomial_family, 1},
    {Kind::Geometric, dist::geometric_family, 0},
    {Kind::NegativeBinomial, dist::negative_binomial_family, 1},
};

const KindInfo* kind_of(const dist::Family* family) {
  for (const auto& k : kKinds)
    if (&k.family() == family) return &k;
  return nullptr;
}

struct Stats {
  Kind kind;
  std::size_t observation;
  double successes = 0, failures = 0, n = 0;
  Value count;  // Binomial n / NegativeBinomial r (per element or scalar)
};

using dist::log_beta;

// The predictive of one more observation like those of `s`, given Beta(a, b).
ClosedForm predictive(const Stats& s, double a, double b) {
  switch (s.kind) {
    case Kind::Bernoulli: {
      ClosedForm c = from_family(dist::bernoulli_family(), {a / (a + b)});
      return c;
    }
    case Kind::Binomial: {
      double n = s.count[0];
      auto lpmf = [n, a, b](double k) {
        if (k < 0 || k > n || k != std::floor(k)) return -HUGE_VAL;
        return std::lgamma(n + 1) - std::lgamma(k + 1) - std::lgamma(n - k + 1) +
               log_beta(k + a, n - k + b) - log_beta(a, b);
      };
      // P(k) / P(k - 1) = (n - k + 1) / k * (k - 1 + a) / (n - k + b).
      auto ratio = [n, a, b](double k) { return (n - k + 1) / k * ((k - 1 + a) / (n - k + b)); };
      double mean = n * a / (a + b);
      double var = n * a * b * (a + b + n) / ((a + b) * (a + b) * (a + b + 1));
      return from_pmf("BetaBinomial",
                      {{"n", Value::scalar(n)}, {"a", Value::scalar(a)}, {"b", Value::scalar(b)}},
                      lpmf, ratio, mean, std::sqrt(var), n);
    }
    case Kind::Geometric:
    case Kind::NegativeBinomial: {
      double r = s.kind == Kind::Geometric ? 1 : s.count[0];
      // P(k) = Gamma(r + k) / (k! Gamma(r)) B(a + r, b + k) / B(a, b)
      auto lpmf = [r, a, b](double k) {
        if (k < 0 || k != std::floor(k)) return -HUGE_VAL;
        return std::lgamma(r + k) - std::lgamma(k + 1) - std::lgamma(r) + log_beta(a + r, b + k) -
               log_beta(a, b);
      };
      // P(k) / P(k - 1) = (r + k - 1) / k * (b + k - 1) / (a + r + b + k - 1).
      auto ratio = [r, a, b](double k) {
        return (r + k - 1) / k * ((b + k - 1) / (a + r + b + k - 1));
      };
      double mean = a > 1 ? r * b / (a - 1) : INFINITY;
      double var =
          a > 2 ? r * b * (r + a - 1) * (b + a - 1) / ((a - 2) * (a - 1) * (a - 1)) : INFINITY;
      std::vector<std::pair<std::string, Value>> params;
      if (s.kind == Kind::NegativeBinomial) params.push_back({"r", Value::scalar(r)});
      params.push_back({"a", Value::scalar(a)});
      params.push_back({"b", Value::scalar(b)});
      return from_pmf(s.kind == Kind::Geometric ? "BetaGeometric" : "BetaNegativeBinomial", params,
                      lpmf, ratio, mean, std::sqrt(var));
    }
  }
  return {};
}

// "Bernoulli", ... for the rule's name.
std::string kind_name(Kind k) {
  for (const auto& info : kKinds)
    if (info.kind == k) return std::string(info.family().name);
  return "";
}

// One observation statement's contribution, or why the rule cannot take it.
std::optional<Stats> observation_stats(const Model& m, std::size_t oi, std::size_t p,
                                       std::string& why) {
  const std::string& name = m.params[p].name;
  const Observation& o = m.observations[oi];
  std::string_view fam = o.family->name;
  const KindInfo* info = kind_of(o.family);
  if (!info) {
    why = "'" + o.text + "': a " + std::string(fam) +
          " likelihood is not conjugate to the Beta prior of '" + name +
          "' (Beta goes with Bernoulli, Binomial, Geometric and NegativeBinomial)";
    return std::nullopt;
  }
  Stats s{info->kind, oi, 0, 0, 0, Value::scalar(1)};
  const std::size_t p_arg = info->p_arg;
  const ir::Node& arg = *o.args[p_arg];
  if (!(arg.op == ir::Op::Param && arg.ref == p)) {
    why = "'" + o.text + "': the probability of " + std::string(fam) + " is '" + "" +
          "an expression of " + name + "', not '" + name + "' itself";
    return std::nullopt;
  }
  if (p_arg == 1) {
    if (!ir::is_data_only(*o.args[0])) {
      why = "'" + o.text + "': the " +
            std::string(s.kind == Kind::Binomial ? "number of trials" : "r") + " is unknown";
      return std::nullopt;
    }
    s.count = eval_data(m, *o.args[0]);
  }
  if (o.summary) {  // a summarised column: scalar arguments (see the checker)
    const double n = static_cast<double>(o.summary->n), sum = o.summary->sum;
    const double c = s.count.size() > 0 ? s.count[0] : 0;
    switch (s.kind) {
      case Kind::Bernoulli:
        s.successes += sum, s.failures += n - sum;
        break;
      case Kind::Binomial:
        s.successes += sum, s.failures += n * c - sum;
        break;
      case Kind::Geometric:
        s.successes += n, s.failures += sum;
        break;
      case Kind::NegativeBinomial:
        s.successes += n * c, s.failures += sum;
        break;
    }
    s.n += n;
    return s;
  }
  const Value& x = o.value;
  for (std::size_t k = 0; k < x.size(); ++k) {
    double xi = x[k];
    switch (s.kind) {
      case Kind::Bernoulli:
        s.successes += xi, s.failures += 1 - xi;
        break;
      case Kind::Binomial:
        s.successes += xi, s.failures += at(s.count, k) - xi;
        break;
      case Kind::Geometric:
        s.successes += 1, s.failures += xi;
        break;
      case Kind::NegativeBinomial:
        s.successes += at(s.count, k), s.failures += xi;
        break;
    }
    s.n += 1;
  }
  return s;
}

}  // namespace
}  // namespace beta_rule

std::optional<Solution> solve_beta(const Model& m, const graph::FactorGraph& g,
                                   const graph::Component& c, std::string& why) {
  using namespace beta_rule;
  ComponentView v = view(g, c);
  if (c.params.size() != 1 || v.priors.size() != 1) return std::nullopt;
  const Prior& prior = m.priors[v.priors[0]];
  std::size_t p = c.params[0];
  const std::string& name = m.params[p].name;
  if (prior.family != &dist::beta_family()) {
    // Uniform(0, 1) or flat on (0, 1) on one scalar is Beta(1, 1); else another rule's.
    if (!m.params[p].type.is_scalar()) return std::nullopt;
  } else if (!m.params[p].type.is_scalar()) {
    why = "'" + name + "' is a vector; the Beta rule handles a scalar probability";
    return std::nullopt;
  } else if (!fixed_args(prior)) {
    why = "the Beta prior of '" + name + "' has parameters as arguments";
    return std::nullopt;
  }
  const auto as = as_family(m, prior, dist::beta_family());
  if (!as) return std::nullopt;
  const ScalarPrior written{{}, p, as->a0, as->b0, as->improper, as->limit};
  const double a0 = as->a0, b0 = as->b0;

  std::vector<Stats> stats;
  for (auto oi : v.observations) {
    auto st = observation_stats(m, oi, p, why);
    if (!st) return std::nullopt;
    stats.push_back(std::move(*st));
  }
  if (stats.empty()) return std::nullopt;  // a prior alone: left to the general report

  double succ = 0, fail = 0;
  for (const auto& s : stats) succ += s.successes, fail += s.failures;
  double a = a0 + succ, b = b0 + fail;

  Solution sol;
  bool same = true;
  for (const auto& s : stats) same = same && s.kind == stats[0].kind;
  sol.rule = same ? "Beta-" + kind_name(stats[0].kind) : "Beta-Binomial family (mixed)";
  ParamResult r;
  r.param = p;
  r.posterior = from_family(dist::beta_family(), {a, b});
  // The family's note names its outcome p; say the parameter's own name.
  const std::string generic = "on the boundary p = ";
  if (!r.posterior.mode && r.posterior.mode_note.rfind(generic, 0) == 0)
    r.posterior.mode_note =
        "on the boundary " + name + " = " + r.posterior.mode_note.substr(generic.size());
  if (r.posterior.mode) r.map = r.posterior.mode;
  r.map_note = r.posterior.mode_note;
  if (succ > 0 && fail > 0) {
    r.mle = Value::scalar(succ / (succ + fail));
  } else if (succ + fail > 0) {
    // Every trial a success (or a failure): the likelihood p^s is largest at
    // the end of the support itself, a value that exists.
    r.mle = Value::scalar(fail == 0 ? 1.0 : 0.0);
    r.mle_note = "on the boundary " + name + " = " + (fail == 0 ? "1" : "0") + " (every trial a " +
                 (fail == 0 ? "success" : "failure") + ")";
  } else {
    r.mle_note = "the MLE is undefined: no trial informs " + name;
  }
  sol.params.push_back(r);
  for (const auto& s : stats) {
    PredictiveResult pr{s.observation, predictive(s, a, b), ""};
    if ((s.kind == Kind::Binomial || s.kind == Kind::NegativeBinomial) && s.count.size() > 1)
      pr.note = "for a new observation with " + std::string(s.kind == Kind::Binomial ? "n" : "r") +
                " = " + significant(s.count[0]) + " (as in the first)";
    sol.predictive.push_back(pr);
  }

  sol.explain.push_back("rule " + sol.rule + ": a Beta prior on the probability " + name +
                        " is conjugate to each likelihood p^s (1 - p)^f");
  sol.explain.push_back(prior_line(name, written, dist::beta_family()));
  for (const auto& s : stats) {
    const Observation& o = m.observations[s.observation];
    std::string what;
    switch (s.kind) {
      case Kind::Bernoulli:
        what = significant(s.successes) + " successes in " + significant(s.n) + " trials";
        break;
      case Kind::Binomial:
        what = significant(s.successes) + " successes in " + significant(s.successes + s.failures) +
               " trials";
        break;
      case Kind::Geometric:
        what = significant(s.n) + " runs, " + significant(s.failures) +
               " failures before their first success";
        break;
      case Kind::NegativeBinomial:
        what = significant(s.failures) + " failures before " + significant(s.successes) +
               " successes in all";
        break;
    }
    sol.explain.push_back("data: " + o.text + ": " + what + " (s = " + significant(s.successes) +
                          ", f = " + significant(s.failures) + ")");
  }
  sol.explain.push_back("posterior: Beta(a + s, b + f) = Beta(" + significant(a0) + " + " +
                        significant(succ) + ", " + significant(b0) + " + " + significant(fail) +
                        ") = Beta(" + significant(a) + ", " + significant(b) + ")");
  sol.explain.push_back("mean = (a + s) / (a + b + s + f) = " + significant(a) + " / " +
                        significant(a + b) + " = " + significant(a / (a + b)));
  if (r.map)
    sol.explain.push_back("MAP = (a + s - 1) / (a + b + s + f - 2) = " + significant(a - 1) +
                          " / " + significant(a + b - 2) + " = " + significant((*r.map)[0]));
  else
    sol.explain.push_back("MAP: " + r.map_note);
  if (r.mle)
    sol.explain.push_back("MLE = s / (s + f) = " + significant(succ) + " / " +
                          significant(succ + fail) + " = " + significant((*r.mle)[0]));
  else
    sol.explain.push_back("MLE: " + r.mle_note);
  for (const auto& s : stats)
    if (s.kind == Kind::Bernoulli)
      sol.explain.push_back(
          "predictive: P(next = 1) = (a + s) / (a + b + s + f) = " + significant(a) + " / " +
          significant(a + b) + " = " + significant(a / (a + b)));

  sol.draw = [p, a, b](dist::Rng& rng, std::vector<Value>& values) {
    const double x = dist::random::gamma(rng, a), y = dist::random::gamma(rng, b);
    values[p] = Value::scalar(x / (x + y));
  };
  ClosedForm post = r.posterior;
  sol.log_posterior = [p, post](const std::vector<Value>& values) { return post.lpdf(values[p]); };
  sol.point.resize(m.params.size());
  sol.point[p] = Value::scalar(a / (a + b));
  return sol;
}

}  // namespace bayes::conjugate
