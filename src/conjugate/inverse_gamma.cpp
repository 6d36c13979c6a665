// Rule: an InverseGamma(shape, scale) prior on one positive scalar v, observed
// through any mix of
//   Normal(m, c * sqrt(v))          v a variance, the mean m known
//   Weibull(k, c * v^(1/k))         v = (scale / c)^k, the shape k known
// with c known data. Each likelihood is v^(-s) exp(-r / v) as a function of v,
// the kernel of an InverseGamma density, so InverseGamma(a, b) ->
// InverseGamma(a + sum s, b + sum r) (Gelman et al., BDA3, sec. 2.6, "Normal
// distribution with known mean but unknown variance"; Fink, A Compendium of
// Conjugate Priors, 1997, for the Weibull). The MLE sets
// d/dv (-S log v - R / v) = 0: v = R / S.
#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <random>
#include <string_view>

#include "conjugate/rule.hpp"
#include "conjugate/scalar_prior.hpp"
#include "dist/random.hpp"

namespace bayes::conjugate {

namespace inverse_gamma_rule {
namespace {

enum class Kind { NormalVariance, Weibull };

// One observation statement's contribution v^(-s) exp(-r / v).
struct Stats {
  Kind kind = Kind::NormalVariance;
  std::size_t observation = 0;
  double n = 0;  // elements
  double s = 0;  // added to the shape
  double r = 0;  // added to the scale
  Value c;       // the multiplier of v^power (per element or scalar)
  Value known;   // Normal's mean m, Weibull's shape k
};

// Burr12(c, d, scale l) (Burr type XII; scipy.stats.burr12): cdf
// 1 - (1 + (x/l)^c)^(-d), so (x/l)^c ~ Lomax(d, 1). It is the Weibull(c, sigma)
// with sigma^c ~ InverseGamma(d, l^c). Moments E[x^r] = l^r d B(d - r/c, 1 + r/c)
// for r < c d (Tadikamalla, "A look at the Burr and related distributions",
// Int. Stat. Review 48, 1980, eq. 2.5).
ClosedForm burr12(double c, double d, double l) {
  ClosedForm out;
  out.family = "Burr12";
  out.params = {{"c", Value::scalar(c)}, {"d", Value::scalar(d)}, {"scale", Value::scalar(l)}};
  auto moment = [c, d, l](double r) {
    return std::pow(l, r) * d * boost::math::beta(d - r / c, 1 + r / c);
  };
  const double m1 = c * d > 1 ? moment(1) : INFINITY;
  const double var = c * d > 2 ? moment(2) - m1 * m1 : INFINITY;
  out.mean = Value::scalar(m1);
  out.sd = Value::scalar(std::sqrt(var));
  out.mode = Value::scalar(c > 1 ? l * std::pow((c - 1) / (c * d + 1), 1 / c) : 0.0);
  out.lpdf = [c, d, l](const Value& xv) {
    const double x = xv[0];
    if (x < 0 || std::isinf(x)) return -HUGE_VAL;
    if (x == 0) return c < 1 ? HUGE_VAL : c == 1 ? std::log(d / l) : -HUGE_VAL;
    const double lz = std::log(x / l);
    return std::log(c * d / l) + (c - 1) * lz - (d + 1) * std::log1p(std::exp(c * lz));
  };
  out.cdf = [c, d, l](double x) {
    return x <= 0 ? 0.0 : -std::expm1(-d * std::log1p(std::pow(x / l, c)));
  };
  auto quantile = [c, d, l](double p) {
    return l * std::pow(std::expm1(-std::log1p(-p) / d), 1 / c);
  };
  out.quantile = quantile;
  out.sample = [quantile](dist::Rng& rng) { return Value::scalar(quantile(uniform_open(rng))); };
  return out;
}

// The predictive of one more observation like the first element of `st`,
// given the posterior InverseGamma(a, b) on v.
PredictiveResult predictive(const Stats& st, double a, double b) {
  PredictiveResult pr;
  pr.observation = st.observation;
  const double c = st.c[0], k = st.known[0];
  if (st.kind == Kind::NormalVariance)
    // A Normal with InverseGamma-distributed variance is a Student-t (Bernardo & Smith app. A.2).
    pr.dist = from_family(dist::student_t_family(), {2 * a, k, c * std::sqrt(b / a)});
  else
    // (x / c)^k given v is Exponential with mean v, so (x / c)^k ~ Lomax(a, b).
    pr.dist = burr12(k, a, c * std::pow(b, 1 / k));
  if (!all_equal(st.c) || !all_equal(st.known))
    pr.note = std::string("for a new observation with ") +
              (st.kind == Kind::NormalVariance ? "mean " : "shape ") + significant(k) +
              " and c = " + significant(c) + " (as in the first)";
  return pr;
}

// One observation statement's contribution, or why the rule cannot take it.
// `power` is 1/2 when the parameter is the variance (the sd c * sqrt(v)),
// 1 when it is the sd itself (c * sigma, with v = sigma^2).
std::optional<Stats> observation_stats(const Model& m, std::size_t oi, std::size_t p, double power,
                                       std::string& why) {
  const std::string& name = m.params[p].name;
  const Observation& o = m.observations[oi];
  const std::string fam(o.family->name);
  Stats st;
  if (o.family == &dist::normal_family())
    st.kind = Kind::NormalVariance;
  else if (o.family == &dist::weibull_family())
    st.kind = Kind::Weibull;
  else {
    why = "'" + o.text +
          "': the InverseGamma rule takes Normal likelihoods with known mean and "
          "unknown variance, and Weibull likelihoods with known shape; not a " +
          fam;
    return std::nullopt;
  }
  const std::string what = st.kind == Kind::NormalVariance ? "mean" : "shape";
  if (!ir::is_data_only(*o.args[0])) {
    why = "'" + o.text + "': the " + what + " of the " + fam +
          " is unknown; the InverseGamma rule needs it known (data)" +
          (st.kind == Kind::NormalVariance
               ? " (for an unknown mean too, use a NormalInverseGamma prior)"
               : "");
    return std::nullopt;
  }
  st.known = eval_data(m, *o.args[0]);
  auto mono = monomial_in(m, *o.args[1], p);
  if (!mono) {
    why = "'" + o.text + "': the " + std::string(st.kind == Kind::NormalVariance ? "sd" : "scale") +
          " of the " + fam + " is not of the form c * " + name + "^power with c known data";
    return std::nullopt;
  }
  if (st.kind == Kind::NormalVariance && std::fabs(mono->k - power) > 1e-12) {
    why = "'" + o.text + "': '" + name + "' enters the sd as c * " + name + "^" +
          significant(mono->k) +
          "; the InverseGamma prior is conjugate to a variance, with the sd c * sqrt(" + name +
          "), as in Normal(m, sqrt(" + name + "))";
    if (std::fabs(mono->k + 0.5) < 1e-12)
      why += " (here " + name + " is a precision: give it a Gamma prior)";
    return std::nullopt;
  }
  if (st.kind == Kind::Weibull)
    for (double k : st.known.data)
      if (std::fabs(mono->k * k - 1) > 1e-9) {
        why = "'" + o.text + "': '" + name + "' enters the scale as c * " + name + "^" +
              significant(mono->k) + " but the shape is " + significant(k) +
              "; the InverseGamma prior is conjugate to " + name +
              " = scale^shape, written Weibull(k, " + name + " ^ (1 / k))";
        return std::nullopt;
      }
  for (double x : mono->c.data)
    if (!(x > 0) || !std::isfinite(x)) {
      why = "'" + o.text + "': the known factor multiplying '" + name + "' is " + significant(x) +
            "; it must be positive";
      return std::nullopt;
    }
  st.observation = oi;
  st.c = mono->c;
  if (o.summary) {  // a summarised column (scalar arguments): sum (x - m)^2
    if (st.kind != Kind::NormalVariance || st.c.size() != 1 || st.known.size() != 1) {
      why = "'" + o.text + "': the data is summarised and this form needs its values";
      return std::nullopt;
    }
    const double n = static_cast<double>(o.summary->n), c = st.c[0];
    st.s += 0.5 * n, st.r += o.summary->squares_about(st.known[0]) / (c * c) / 2, st.n += n;
    return st;
  }
  const Value& x = o.value;
  for (std::size_t i = 0; i < x.size(); ++i) {
    const double xi = x[i], ci = at(st.c, i), ki = at(st.known, i);
    if (st.kind == Kind::NormalVariance) {
      // sd = c sqrt(v): v^(-1/2) exp(-(x - m)^2 / (2 c^2 v))
      const double z = (xi - ki) / ci;
      st.s += 0.5, st.r += z * z / 2;
    } else {
      // sigma = c v^(1/k), sigma^k = c^k v: v^(-1) exp(-(x / c)^k / v) times terms free of v
      st.s += 1, st.r += std::pow(xi / ci, ki);
    }
    st.n += 1;
  }
  return st;
}

// True when the component's one parameter has a flat prior on (0, inf) and is
// the sd of its first Normal observation (c * sigma): the rule then works in
// v = sigma^2 and reports sigma.
bool sd_parameter(const Model& m, const graph::FactorGraph& g, const graph::Component& c) {
  if (c.params.size() != 1) return false;
  const std::size_t p = c.params[0];
  const Prior& prior = m.priors[m.params[p].prior];
  if (prior.family || prior.lower != 0 || prior.upper != INFINITY) return false;
  for (auto oi : view(g, c).observations) {
    const Observation& o = m.observations[oi];
    if (o.family != &dist::normal_family()) continue;
    auto mono = monomial_in(m, *o.args[1], p);
    return mono && mono->k == 1;
  }
  return false;
}

}  // namespace
}  // namespace inverse_gamma_rule

std::optional<Solution> solve_inverse_gamma(const Model& m, const graph::FactorGraph& g,
                                            const graph::Component& c, std::string& why) {
  using namespace inverse_gamma_rule;
  const bool sd = sd_parameter(m, g, c);
  auto read = [sd](const Model& mm, std::size_t oi, std::size_t p, std::string& w) {
    return observation_stats(mm, oi, p, sd ? 1.0 : 0.5, w);
  };
  // Flat on sigma is p(v) ~ v^(-1/2) for v = sigma^2: InverseGamma(-1/2, 0).
  auto u = scalar_update<Stats>(m, g, c, dist::inverse_gamma_family(), read, why,
                                sd ? std::optional<double>(-0.5) : std::nullopt);
  if (!u) return std::nullopt;
  if (!u->improper.empty()) return improper_solution(u->improper);
  const ScalarPrior* prior = &u->prior;
  const std::size_t p = prior->param;
  const std::string& name = m.params[p].name;
  // The formulas are in the variance: `v` is its name ("sigma^2" for an sd).
  const std::string v = sd ? "(" + name + "^2)" : name;
  const double a0 = prior->a0, b0 = prior->b0, S = u->S, R = u->R, a = u->a, b = u->b;
  const std::vector<Stats>& stats = u->stats;

  Solution sol;
  bool normal = false, weibull = false;
  for (const auto& st : stats) (st.kind == Kind::NormalVariance ? normal : weibull) = true;
  sol.rule = std::string("InverseGamma-") + (normal && weibull ? "NormalVariance+Weibull"
                                             : normal          ? "NormalVariance"
                                                               : "Weibull");

  ParamResult res;
  res.param = p;
  // For an sd, its own marginal: the square root of v's (one parameter, so
  // its mode is the MAP).
  res.posterior = sd ? sqrt_inverse_gamma(a, b) : from_family(dist::inverse_gamma_family(), {a, b});
  res.map = res.posterior.mode;  // b / (a + 1), always inside (0, inf)
  res.map_note = res.posterior.mode_note;
  // The likelihood v^(-S) e^(-R / v) peaks at R / S.
  if (R > 0)
    res.mle = Value::scalar(sd ? std::sqrt(R / S) : R / S);
  else
    res.mle_note = "the MLE is on the boundary " + name + " = 0 (" +
                   (weibull ? "every x is 0" : "every x equals its known mean") + ")";
  sol.params.push_back(res);
  for (const auto& st : stats) sol.predictive.push_back(predictive(st, a, b));

  // --explain: the derivation with the numbers put in; a, b are the prior's
  // shape and scale, s, r the data's contributions.
  auto& ex = sol.explain;
  ex.push_back("rule " + sol.rule + ": the InverseGamma(a, b) density is proportional to " + v +
               "^-(a + 1) exp(-b / " + v + "); every likelihood below, as a function of " + v +
               ", has the same form " + v + "^-s exp(-r / " + v +
               "), so the posterior is InverseGamma(a + s, b + r)");
  ex.push_back(prior_line(name, *prior, dist::inverse_gamma_family()));
  for (const auto& st : stats) {
    const Observation& o = m.observations[st.observation];
    const bool unit = all_one(st.c);
    std::string line;
    if (st.kind == Kind::NormalVariance) {
      const std::string dev = unit ? "(x - m)^2" : "((x - m) / c)^2";
      line = significant(st.n) + " values, known mean m" + known_text(st.known) + ", sum of " +
             dev + " = " + significant(2 * st.r) + "; a value x contributes " + v +
             "^(-1/2) exp(-" + dev + " / (2 " + v + ")): s = " + significant(st.n) +
             "/2 = " + significant(st.s) + ", r = " + significant(2 * st.r) +
             "/2 = " + significant(st.r);
    } else {
      const std::string pw = unit ? "x^k" : "(x / c)^k";
      line = significant(st.n) + " values, known shape k" + known_text(st.known) + "; given " + v +
             ", each " + pw + " is Exponential with mean " + v + ", so a value x contributes " + v +
             "^-1 exp(-" + pw + " / " + v + "): s = " + significant(st.s) +
             " (one per value), r = sum of " + pw + " = " + significant(st.r);
    }
    ex.push_back("data: " + o.text + ": " + line);
  }
  ex.push_back("posterior: InverseGamma(a + s, b + r) = InverseGamma(" + significant(a0) + " + " +
               significant(S) + ", " + significant(b0) + " + " + significant(R) +
               ") = InverseGamma(" + significant(a) + ", " + significant(b) + ")");
  if (a > 1)
    ex.push_back(std::string(sd ? "mean of " + v : "mean") + " = (b + r) / (a + s - 1) = " +
                 significant(b) + " / " + significant(a - 1) + " = " + significant(b / (a - 1)));
  else
    ex.push_back(std::string(sd ? "mean of " + v : "mean") +
                 ": infinite (a + s = " + significant(a) + " is not above 1)");
  if (sd)
    ex.push_back(
        name + " = sqrt(" + name + "^2) ~ SqrtInverseGamma(a + s, b + r): mean " +
        significant(res.posterior.mean[0]) +
        ", MAP (its mode) sqrt(2 (b + r) / (2 (a + s) + 1)) = " + significant((*res.map)[0]));
  else
    ex.push_back("MAP = (b + r) / (a + s + 1) = " + significant(b) + " / " + significant(a + 1) +
                 " = " + significant(b / (a + 1)));
  if (res.mle)
    ex.push_back("MLE (prior dropped): the likelihood " + v + "^-" + significant(S) + " exp(-" +
                 significant(R) + " / " + v + ") is largest at r / s = " + significant(R) + " / " +
                 significant(S) + " = " + significant(R / S) +
                 (sd ? ", so " + name + " = " + significant(std::sqrt(R / S)) : ""));
  else
    ex.push_back("MLE: " + res.mle_note);
  for (const auto& st : stats) {
    if (st.kind != Kind::Weibull || !all_equal(st.known) || !all_equal(st.c)) continue;
    const double k = st.known[0], c0 = st.c[0];
    std::string at_mle =
        res.mle ? ", and " + significant(c0 * std::pow(R / S, 1 / k)) + " at the MLE" : "";
    ex.push_back("the Weibull scale of " + data_name(m.observations[st.observation]) + ", " +
                 (c0 == 1 ? "" : significant(c0) + " * ") + v + "^(1/" + significant(k) + "), is " +
                 significant(c0 * std::pow(b / (a + 1), 1 / k)) + " at the MAP" + at_mle);
  }
  for (const auto& pr : sol.predictive) {
    const Stats& st = *std::find_if(stats.begin(), stats.end(), [&](const Stats& s) {
      return s.observation == pr.observation;
    });
    const std::string y = data_name(m.observations[pr.observation]);
    const double cc = st.c[0], k = st.known[0];
    const std::string c_ = cc == 1 ? "" : "c ";
    if (st.kind == Kind::NormalVariance)
      ex.push_back("predictive for " + y +
                   ": a Normal whose variance is drawn from the posterior is StudentT(nu = 2 (a + "
                   "s) = " +
                   significant(2 * a) + ", mean = m = " + significant(k) + ", scale = " + c_ +
                   "sqrt((b + r) / (a + s)) = " + significant(cc * std::sqrt(b / a)) + ")");
    else
      ex.push_back("predictive for " + y + ": with " + v + " drawn from the posterior, " +
                   (cc == 1 ? "x^k" : "(x / c)^k") + " is Lomax(a + s, b + r) = Lomax(" +
                   significant(a) + ", " + significant(b) + "), so x is Burr12(c = k = " +
                   significant(k) + ", d = a + s = " + significant(a) + ", scale = " + c_ +
                   "(b + r)^(1/k) = " + significant(cc * std::pow(b, 1 / k)) + "), mean " +
                   significant(pr.dist.mean[0]));
  }

  sol.draw = [p, a, b, sd](dist::Rng& rng, std::vector<Value>& values) {
    const double var = b / dist::random::gamma(rng, a);
    values[p] = Value::scalar(sd ? std::sqrt(var) : var);
  };
  ClosedForm post = res.posterior;
  sol.log_posterior = [p, post](const std::vector<Value>& values) { return post.lpdf(values[p]); };
  sol.point.resize(m.params.size());
  sol.point[p] = Value::scalar(sd ? std::sqrt(b / (a + 1)) : b / (a + 1));
  return sol;
}

}  // namespace bayes::conjugate
