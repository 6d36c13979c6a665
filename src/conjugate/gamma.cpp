// Rule: a Gamma(shape, rate) prior on one positive scalar theta, observed
// through any mix of
//   Poisson(c * theta)            theta a rate, c a known exposure
//   Exponential(c * theta)        theta a rate
//   Gamma(k, c * theta)           theta the rate, the shape k known
//   Normal(m, c / sqrt(theta))    theta a precision, the mean m known
//   Pareto(xmin, c * theta)       theta the tail index, xmin known
// with c known data. Each likelihood is theta^s exp(-r theta) as a function of
// theta, the kernel of a Gamma density, so Gamma(a, b) -> Gamma(a + sum s,
// b + sum r) (Gelman et al., BDA3, sec. 2.6; Bernardo & Smith, Bayesian Theory,
// 1994, app. A.2; Fink, A Compendium of Conjugate Priors, 1997). The MLE sets
// d/dtheta (S log theta - R theta) = 0: theta = S / R.
#include <algorithm>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <functional>
#include <random>
#include <string_view>

#include "conjugate/rule.hpp"
#include "conjugate/scalar_prior.hpp"

namespace bayes::conjugate {

namespace gamma_rule {
namespace {

enum class Kind { Poisson, Exponential, Gamma, NormalPrecision, Pareto };

// How theta enters each likelihood: the argument it sits in and its power there.
struct KindInfo {
  Kind kind;
  const dist::Family& (*family)();  // of the observation
  std::size_t slot;                 // argument holding c * theta^power
  double power;
  const char* label;  // in the rule name: "Gamma-Poisson"
};

constexpr KindInfo kKinds[] = {
    {Kind::Poisson, dist::poisson_family, 0, 1.0, "Poisson"},
    {Kind::Exponential, dist::exponential_family, 0, 1.0, "Exponential"},
    {Kind::Gamma, dist::gamma_family, 1, 1.0, "Gamma"},
    {Kind::NormalPrecision, dist::normal_family, 1, -0.5, "NormalPrecision"},
    {Kind::Pareto, dist::pareto_family, 1, 1.0, "Pareto"},
};

const KindInfo* kind_of(const dist::Family* family) {
  for (const auto& k : kKinds)
    if (&k.family() == family) return &k;
  return nullptr;
}

// One observation statement's contribution theta^s exp(-r theta).
struct Stats {
  const KindInfo* info = nullptr;
  std::size_t observation = 0;
  double n = 0;    // elements
  double s = 0;    // added to the shape
  double r = 0;    // added to the rate
  double sum = 0;  // for the explanation: of x (Poisson, Exponential, Gamma), of
                   // ((x - m) / c)^2 (Normal), of log(x / xmin) (Pareto)
  Value c;         // the multiplier of theta (per element or scalar)
  Value known;     // Gamma's shape k, Normal's mean m, Pareto's xmin; unused otherwise
};

// Lomax(shape a, scale s): x = s (U^(-1/a) - 1); pdf a s^a / (s + x)^(a + 1) on [0, inf),
// the Exponential(lambda) with lambda ~ Gamma(a, rate s) (Johnson, Kotz & Balakrishnan,
// Continuous Univariate Distributions 1, 2nd ed., ch. 20 "Pareto of the second kind").
// Mean s / (a - 1), variance s^2 a / ((a - 1)^2 (a - 2)).
ClosedForm lomax(double a, double s) {
  auto lpdf = [a, s](double x) {
    if (x < 0 || std::isinf(x)) return -HUGE_VAL;
    return std::log(a / s) - (a + 1) * std::log1p(x / s);
  };
  auto cdf = [a, s](double x) { return x <= 0 ? 0.0 : -std::expm1(-a * std::log1p(x / s)); };
  auto quantile = [a, s](double p) { return s * std::expm1(-std::log1p(-p) / a); };
  auto sample = [quantile](dist::Rng& rng) { return quantile(uniform_open(rng)); };
  double mean = a > 1 ? s / (a - 1) : INFINITY;
  double sd = a > 2 ? s / (a - 1) * std::sqrt(a / (a - 2)) : INFINITY;
  return from_functions("Lomax", {{"shape", a}, {"scale", s}}, lpdf, cdf, quantile, sample, mean,
                        sd, 0);
}

// BetaPrime(a, b, scale s): x / s = G_a / G_b for independent unit Gammas, the
// Gamma(a, rate lambda) with lambda ~ Gamma(b, rate s) (JKB 2, ch. 25 sec. 7;
// scipy.stats.betaprime). pdf (x/s)^(a-1) (1 + x/s)^(-a-b) / (s B(a, b)); cdf
// I_{x/(s+x)}(a, b). Mean s a / (b - 1), variance s^2 a (a + b - 1) / ((b - 2) (b - 1)^2).
ClosedForm beta_prime(double a, double b, double s) {
  const double lb = dist::log_beta(a, b);
  auto lpdf = [a, b, s, lb](double x) {
    if (x <= 0 || std::isinf(x)) return -HUGE_VAL;
    return (a - 1) * std::log(x / s) - (a + b) * std::log1p(x / s) - lb - std::log(s);
  };
  auto cdf = [a, b, s](double x) {
    return x <= 0 ? 0.0 : std::isinf(x) ? 1.0 : boost::math::ibeta(a, b, x / (s + x));
  };
  auto quantile = [a, b, s](double p) {
    if (p <= 0) return 0.0;
    if (p >= 1) return HUGE_VAL;
    double z = boost::math::ibeta_inv(a, b, p);
    return s * z / (1 - z);
  };
  auto sample = [a, b, s](dist::Rng& rng) {
    std::gamma_distribution<double> ga(a, 1), gb(b, 1);
    return s * ga(rng) / gb(rng);
  };
  double mean = b > 1 ? s * a / (b - 1) : INFINITY;
  double sd = b > 2 ? s / (b - 1) * std::sqrt(a * (a + b - 1) / (b - 2)) : INFINITY;
  double mode = a >= 1 ? s * (a - 1) / (b + 1) : 0;
  return from_functions("BetaPrime", {{"a", a}, {"b", b}, {"scale", s}}, lpdf, cdf, quantile,
                        sample, mean, sd, mode);
}

// LogLomax(xmin, shape a, scale s): x = xmin exp(Y), Y ~ Lomax(a, s); the
// Pareto(xmin, alpha) with alpha ~ Gamma(a, rate s). Survival
// (1 + log(x / xmin) / s)^(-a). Its mean and sd are infinite: E[x | alpha] is
// infinite for alpha <= 1, which has positive posterior probability; they are
// reported as undefined (NaN), as the reference fixture does, with a note.
ClosedForm log_lomax(double xmin, double a, double s) {
  auto lpdf = [xmin, a, s](double x) {
    if (x < xmin || std::isinf(x)) return -HUGE_VAL;
    return std::log(a / s) - (a + 1) * std::log1p(std::log(x / xmin) / s) - std::log(x);
  };
  auto cdf = [xmin, a, s](double x) {
    return x <= xmin ? 0.0 : -std::expm1(-a * std::log1p(std::log(x / xmin) / s));
  };
  auto quantile = [xmin, a, s](double p) {
    return xmin * std::exp(s * std::expm1(-std::log1p(-p) / a));
  };
  auto sample = [quantile](dist::Rng& rng) { return quantile(uniform_open(rng)); };
  return from_functions("LogLomax", {{"xmin", xmin}, {"shape", a}, {"scale", s}}, lpdf, cdf,
                        quantile, sample, NAN, NAN, xmin);
}

// The predictive of one more observation like the first element of `st`,
// given the posterior Gamma(a, b) on theta: theta's multiplier c turns it into
// c * theta ~ Gamma(a, b / c).
PredictiveResult predictive(const Stats& st, double a, double b, const std::string& name) {
  const double c = st.c[0], bc = b / c;
  PredictiveResult pr;
  pr.observation = st.observation;
  switch (st.info->kind) {
    // The Poisson-Gamma mixture (BDA3 sec. 2.6; Bernardo & Smith app. A.2).
    case Kind::Poisson:
      pr.dist = from_family(dist::negative_binomial_family(), {a, b / (b + c)});
      break;
    case Kind::Exponential:
      pr.dist = lomax(a, bc);
      break;
    case Kind::Gamma:
      pr.dist = beta_prime(st.known[0], a, bc);
      break;
    // A Normal with Gamma-distributed precision is a Student-t (Bernardo & Smith app. A.2).
    case Kind::NormalPrecision:
      pr.dist = from_family(dist::student_t_family(), {2 * a, st.known[0], c * std::sqrt(b / a)});
      break;
    case Kind::Pareto:
      pr.dist = log_lomax(st.known[0], a, bc);
      pr.note = "median " + significant(pr.dist.quantile(0.5)) +
                "; no mean or sd: they are infinite, because E[x | " + name + "] is infinite for " +
                name + " <= 1, which has positive posterior probability";
      break;
  }
  const bool varies =
      !all_equal(st.c) || (st.info->kind != Kind::Poisson && st.info->kind != Kind::Exponential &&
                           !all_equal(st.known));
  if (varies) {
    std::string what;
    switch (st.info->kind) {
      case Kind::Poisson:
        what = "exposure c = " + significant(c);
        break;
      case Kind::Exponential:
        what = "c = " + significant(c);
        break;
      case Kind::Gamma:
        what = "shape " + significant(st.known[0]) + " and c = " + significant(c);
        break;
      case Kind::NormalPrecision:
        what = "mean " + significant(st.known[0]) + " and c = " + significant(c);
        break;
      case Kind::Pareto:
        what = "xmin = " + significant(st.known[0]) + " and c = " + significant(c);
        break;
    }
    std::string note = "for a new observation with " + what + " (as in the first)";
    pr.note = pr.note.empty() ? note : note + "; " + pr.note;
  }
  return pr;
}

// One observation statement's contribution, or why the rule cannot take it.
std::optional<Stats> observation_stats(const Model& m, std::size_t oi, std::size_t p,
                                       std::string& why) {
  const std::string& name = m.params[p].name;
  const Observation& o = m.observations[oi];
  const std::string fam(o.family->name);
  const KindInfo* info = kind_of(o.family);
  if (!info) {
    why = "'" + o.text + "': the Gamma rule has no update for a " + fam +
          " likelihood; it takes Poisson(c * " + name + "), Exponential(c * " + name +
          "), Gamma(k, c * " + name + ") with known k, Normal(m, c / sqrt(" + name +
          ")) with known m, and Pareto(xmin, c * " + name + ") with known xmin";
    return std::nullopt;
  }
  const std::string slot_name(o.family->params[info->slot].name);
  for (std::size_t i = 0; i < o.args.size(); ++i) {
    if (i == info->slot || ir::is_data_only(*o.args[i])) continue;
    why = "'" + o.text + "': '" + name + "' appears in the " +
          std::string(o.family->params[i].name) + " of the " + fam +
          ", which must be known data (" + name + " may enter only the " + slot_name + ")";
    return std::nullopt;
  }
  auto mono = monomial_in(m, *o.args[info->slot], p);
  if (!mono) {
    why = "'" + o.text + "': the " + slot_name + " of the " + fam + " is not of the form c * " +
          name + "^k with c known data";
    return std::nullopt;
  }
  if (std::fabs(mono->k - info->power) > 1e-12) {
    if (info->kind == Kind::NormalPrecision) {
      why = "'" + o.text + "': '" + name + "' enters the sd as c * " + name + "^" +
            significant(mono->k) +
            "; the Gamma prior is conjugate to a precision, with the sd c * " + name +
            "^(-1/2), as in Normal(m, 1 / sqrt(" + name + "))";
      if (std::fabs(mono->k - 0.5) < 1e-12)
        why += " (here " + name + " is a variance: give it an InverseGamma prior)";
    } else {
      why = "'" + o.text + "': '" + name + "' enters the " + slot_name + " as c * " + name + "^" +
            significant(mono->k) + "; the Gamma prior is conjugate only when the " + slot_name +
            " is c * " + name + " (power 1)";
    }
    return std::nullopt;
  }
  for (double x : mono->c.data)
    if (!(x > 0) || !std::isfinite(x)) {
      why = "'" + o.text + "': the known factor multiplying '" + name + "' in the " + slot_name +
            " is " + significant(x) + "; it must be positive";
      return std::nullopt;
    }

  Stats st;
  st.info = info;
  st.observation = oi;
  st.c = mono->c;
  st.known = info->slot == 1 ? eval_data(m, *o.args[0]) : Value::scalar(0);
  if (o.summary && st.c.size() == 1 && st.known.size() == 1 &&
      (info->kind == Kind::Poisson || info->kind == Kind::Exponential ||
       info->kind == Kind::NormalPrecision)) {
    // A summarised column: the same sums from its statistics.
    const data::Summary& su = *o.summary;
    const double n = static_cast<double>(su.n), c = st.c[0], known = st.known[0];
    if (info->kind == Kind::Poisson) {
      st.s += su.sum, st.r += n * c, st.sum += su.sum;
    } else if (info->kind == Kind::Exponential) {
      st.s += n, st.r += c * su.sum, st.sum += su.sum;
    } else {
      const double sq = su.squares_about(known) / (c * c);
      st.s += 0.5 * n, st.r += sq / 2, st.sum += sq;
    }
    st.n += n;
    return st;
  }
  if (o.summary) {
    why = "'" + o.text + "': the data is summarised and the Gamma rule needs its values";
    return std::nullopt;
  }
  const Value& x = o.value;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const double xi = x[k], ci = at(st.c, k), ki = at(st.known, k);
    switch (info->kind) {
      case Kind::Poisson:  // (c theta)^x e^(-c theta) / x!
        st.s += xi, st.r += ci, st.sum += xi;
        break;
      case Kind::Exponential:  // c theta e^(-c theta x)
        st.s += 1, st.r += ci * xi, st.sum += xi;
        break;
      case Kind::Gamma:  // (c theta)^k x^(k-1) e^(-c theta x) / Gamma(k)
        st.s += ki, st.r += ci * xi, st.sum += xi;
        break;
      case Kind::NormalPrecision: {  // sd = c / sqrt(theta): theta^(1/2) e^(-theta (x-m)^2 / (2
                                     // c^2))
        const double z = (xi - ki) / ci;
        st.s += 0.5, st.r += z * z / 2, st.sum += z * z;
        break;
      }
      case Kind::Pareto: {  // c theta xmin^(c theta) x^(-c theta - 1)
        const double l = std::log(xi / ki);
        st.s += 1, st.r += ci * l, st.sum += l;
        break;
      }
    }
    st.n += 1;
  }
  return st;
}

// --explain: the derivation with the numbers put in; a0, b0 are the prior's
// shape and rate, S, R the data's contributions (s, r in the text).
void explain(Solution& sol, const Model& m, const std::vector<Stats>& stats,
             const ScalarPrior& prior, double S, double R) {
  const double a0 = prior.a0, b0 = prior.b0;
  const double a = a0 + S, b = b0 + R;
  const std::string& name = m.params[sol.params[0].param].name;
  const ParamResult& res = sol.params[0];
  auto& ex = sol.explain;
  ex.push_back("rule " + sol.rule + ": the Gamma(a, b) density is proportional to " + name +
               "^(a - 1) exp(-b " + name + "); every likelihood below, as a function of " + name +
               ", has the same form " + name + "^s exp(-r " + name +
               "), so the posterior is Gamma(a + s, b + r)");
  ex.push_back(prior_line(name, prior, dist::gamma_family()));
  for (const auto& st : stats) {
    const Observation& o = m.observations[st.observation];
    const bool unit = all_one(st.c);
    const std::string c_ = unit ? "" : "c ";
    std::string what;
    switch (st.info->kind) {
      case Kind::Poisson:
        what = significant(st.n) + " counts summing to " + significant(st.sum) +
               (unit ? "" : ", total exposure " + significant(st.r)) + "; a count x contributes " +
               name + "^x exp(-" + c_ + name + "): s = sum of x = " + significant(st.s) +
               ", r = " + (unit ? "number of counts" : "sum of c") + " = " + significant(st.r);
        break;
      case Kind::Exponential:
        what = significant(st.n) + " waiting times summing to " + significant(st.sum) +
               "; a time x contributes " + c_ + name + " exp(-" + c_ + "x " + name +
               "): s = " + significant(st.s) +
               " (one per time), r = " + (unit ? "sum of x" : "sum of c x") + " = " +
               significant(st.r);
        break;
      case Kind::Gamma:
        what = significant(st.n) + " values summing to " + significant(st.sum) + ", known shape k" +
               known_text(st.known) + "; a value x contributes " + name + "^k exp(-" + c_ + "x " +
               name + "): s = sum of k = " + significant(st.s) +
               ", r = " + (unit ? "sum of x" : "sum of c x") + " = " + significant(st.r);
        break;
      case Kind::NormalPrecision:
        what = significant(st.n) + " values, known mean m" + known_text(st.known) + ", sum of " +
               (unit ? "(x - m)^2" : "((x - m) / c)^2") + " = " + significant(st.sum) +
               "; a value x contributes " + name + "^(1/2) exp(-" + name +
               (unit ? " (x - m)^2 / 2" : " (x - m)^2 / (2 c^2)") + "): s = " + significant(st.n) +
               "/2 = " + significant(st.s) + ", r = " + significant(st.sum) +
               "/2 = " + significant(st.r);
        break;
      case Kind::Pareto:
        what =
            significant(st.n) + " values, known xmin" + known_text(st.known) +
            ", sum of log(x / xmin) = " + significant(st.sum) + "; a value x contributes " + c_ +
            name + " exp(-" + c_ + name + " log(x / xmin)): s = " + significant(st.s) +
            " (one per value), r = " + (unit ? "sum of log(x / xmin)" : "sum of c log(x / xmin)") +
            " = " + significant(st.r);
        break;
    }
    ex.push_back("data: " + o.text + ": " + what);
  }
  ex.push_back("posterior: Gamma(a + s, b + r) = Gamma(" + significant(a0) + " + " +
               significant(S) + ", " + significant(b0) + " + " + significant(R) + ") = Gamma(" +
               significant(a) + ", " + significant(b) + ")");
  ex.push_back("mean = (a + s) / (b + r) = " + significant(a) + " / " + significant(b) + " = " +
               significant(a / b) +
               ", sd = sqrt(a + s) / (b + r) = " + significant(std::sqrt(a) / b));
  if (res.map)
    ex.push_back("MAP = (a + s - 1) / (b + r) = " + significant(a - 1) + " / " + significant(b) +
                 " = " + significant((*res.map)[0]));
  else
    ex.push_back("MAP: " + res.map_note);
  if (res.mle)
    ex.push_back("MLE (prior dropped): the likelihood " + name + "^" + significant(S) + " exp(-" +
                 significant(R) + " " + name + ") is largest at s / r = " + significant(S) + " / " +
                 significant(R) + " = " + significant(S / R));
  else
    ex.push_back("MLE: " + res.mle_note);
  for (const auto& pr : sol.predictive) {
    const Stats& st = *std::find_if(stats.begin(), stats.end(), [&](const Stats& s) {
      return s.observation == pr.observation;
    });
    const std::string y = data_name(m.observations[pr.observation]);
    const double cc = st.c[0];
    const std::string scale =
        (cc == 1 ? "b + r" : "(b + r) / c") + std::string(" = ") + significant(b / cc);
    std::string line = "predictive for " + y + ": ";
    switch (st.info->kind) {
      case Kind::Poisson:
        line +=
            "a Poisson whose rate is drawn from the posterior is NegativeBinomial(r = a + s = " +
            significant(a) + ", p = (b + r) / (b + r + " + (cc == 1 ? "1" : "c") +
            ") = " + significant(b / (b + cc)) + "), mean " + significant(pr.dist.mean[0]);
        break;
      case Kind::Exponential:
        line += "an Exponential whose rate is drawn from the posterior is Lomax(shape = a + s = " +
                significant(a) + ", scale = " + scale + "), mean " + significant(pr.dist.mean[0]);
        break;
      case Kind::Gamma:
        line += "a Gamma(k, " + name + ") with " + name +
                " drawn from the posterior is BetaPrime(k = " + significant(st.known[0]) +
                ", a + s = " + significant(a) + ", scale = " + scale + "), mean " +
                significant(pr.dist.mean[0]);
        break;
      case Kind::NormalPrecision:
        line +=
            "a Normal whose precision is drawn from the posterior is StudentT(nu = 2 (a + s) = " +
            significant(2 * a) + ", mean = m = " + significant(st.known[0]) +
            ", scale = " + (cc == 1 ? "" : "c ") +
            "sqrt((b + r) / (a + s)) = " + significant(cc * std::sqrt(b / a)) + ")";
        break;
      case Kind::Pareto:
        line += "given " + name + ", log(x / xmin) is Exponential(" + (cc == 1 ? "" : "c ") + name +
                "), so with " + name + " drawn from the posterior it is Lomax(a + s, " + scale +
                ") and x is LogLomax(xmin = " + significant(st.known[0]) +
                ", shape = " + significant(a) + ", scale = " + significant(b / cc) + "), median " +
                significant(pr.dist.quantile(0.5)) +
                "; its mean is infinite, because Pareto(xmin, " + name + ") has no mean when " +
                name + " <= 1, which the posterior allows";
        break;
    }
    ex.push_back(line);
  }
}

}  // namespace
}  // namespace gamma_rule

std::optional<Solution> solve_gamma(const Model& m, const graph::FactorGraph& g,
                                    const graph::Component& c, std::string& why) {
  using namespace gamma_rule;
  auto u = scalar_update<Stats>(m, g, c, dist::gamma_family(), observation_stats, why);
  if (!u) return std::nullopt;
  if (!u->improper.empty()) return improper_solution(u->improper);
  const ScalarPrior* prior = &u->prior;
  const std::size_t p = prior->param;
  const std::string& name = m.params[p].name;
  const double S = u->S, R = u->R, a = u->a, b = u->b;
  const std::vector<Stats>& stats = u->stats;

  Solution sol;
  std::string kinds;
  for (const auto& k : kKinds)
    for (const auto& st : stats)
      if (st.info == &k) {
        kinds += (kinds.empty() ? "" : "+") + std::string(k.label);
        break;
      }
  sol.rule = "Gamma-" + kinds;

  ParamResult res;
  res.param = p;
  res.posterior = from_family(dist::gamma_family(), {a, b});
  if (!res.posterior.mode)
    res.posterior.mode_note = "on the boundary " + name + " = 0 (the posterior shape " +
                              significant(a) +
                              " is below 1, so the density rises without bound towards 0)";
  res.map = res.posterior.mode;
  res.map_note = res.posterior.mode_note;
  // The likelihood theta^S e^(-R theta) peaks at S / R.
  if (S > 0 && R > 0) {
    res.mle = Value::scalar(S / R);
  } else if (S == 0) {
    res.mle_note = "the MLE is on the boundary " + name + " = 0 (every count is 0)";
  } else {
    std::string what = "every observation sits exactly where the likelihood is flattest";
    for (const auto& st : stats) {
      if (st.info->kind == Kind::Exponential || st.info->kind == Kind::Gamma) what = "every x is 0";
      if (st.info->kind == Kind::NormalPrecision) what = "every x equals its known mean";
      if (st.info->kind == Kind::Pareto) what = "every x equals xmin";
    }
    res.mle_note = "the MLE is infinite: the likelihood grows without bound as " + name +
                   " -> inf (" + what + ")";
  }
  sol.params.push_back(res);
  for (const auto& st : stats) sol.predictive.push_back(predictive(st, a, b, name));

  explain(sol, m, stats, *prior, S, R);

  sol.draw = [p, a, b](dist::Rng& rng, std::vector<Value>& values) {
    values[p] = Value::scalar(std::gamma_distribution<double>(a, 1 / b)(rng));
  };
  ClosedForm post = res.posterior;
  sol.log_posterior = [p, post](const std::vector<Value>& values) { return post.lpdf(values[p]); };
  sol.point.resize(m.params.size());
  sol.point[p] = Value::scalar(a / b);
  return sol;
}

}  // namespace bayes::conjugate
