// Rule: a Gamma(shape, rate) prior on one positive scalar theta, observed
// through any mix of
//   Poisson(c * theta)            theta a rate, c a known exposure
//   Exponential(c * theta)        theta a rate
//   Gamma(k, c * theta)           theta the rate, the shape k known
//   Normal(m, c / sqrt(theta))    theta a precision, the mean m known
//   Pareto(xmin, c * theta)       theta the tail index, xmin known
// with c known data, and `factor` terms of the same form (a right-censored
// time's lccdf(Exponential(c * theta), t) = -c theta t; see term_stats). Each
// likelihood is theta^s exp(-r theta) as a function of
// theta, the kernel of a Gamma density, so Gamma(a, b) -> Gamma(a + sum s,
// b + sum r) (Gelman et al., BDA3, sec. 2.6; Bernardo & Smith, Bayesian Theory,
// 1994, app. A.2; Fink, A Compendium of Conjugate Priors, 1997). The MLE sets
// d/dtheta (S log theta - R theta) = 0: theta = S / R.
#include <algorithm>
#include <array>
#include <boost/math/special_functions/beta.hpp>
#include <cmath>
#include <functional>
#include <random>
#include <string_view>

#include "conjugate/rule.hpp"
#include "conjugate/scalar_prior.hpp"
#include "dist/random.hpp"

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
    const double ga = dist::random::gamma(rng, a);
    return s * ga / dist::random::gamma(rng, b);
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

// A `factor` term as s log theta - r theta + a constant (s and r known), or
// why it is not of that form. Read from its expression: sums, differences,
// negations and known multiples of such terms; c * theta; log(c * theta^k);
// and lpdf / lccdf of the families whose log density is of that form in a
// rate c * theta with data outcomes (Exponential, Poisson, Gamma with a known
// shape; the Exponential's lccdf is -c theta x).
struct TermStats {
  std::size_t term = 0;
  double s = 0, r = 0;
};

struct LogLinear {
  Value s, r;  // per element (or one number): s log theta - r theta
};

std::optional<LogLinear> log_linear(const Model& m, const ir::Node& n, std::size_t p,
                                    std::string& why);

// Elementwise a * x + b * y of two LogLinears (broadcasting a one-number side).
LogLinear combine(const LogLinear& x, double a, const LogLinear& y, double b) {
  const std::size_t len = std::max(x.s.size(), y.s.size());
  std::vector<double> s(len), r(len);
  for (std::size_t k = 0; k < len; ++k)
    s[k] = a * at(x.s, k) + b * at(y.s, k), r[k] = a * at(x.r, k) + b * at(y.r, k);
  if (len == 1) return {Value::scalar(s[0]), Value::scalar(r[0])};
  return {Value::vector(std::move(s)), Value::vector(std::move(r))};
}

double total(const Value& v) {
  double t = 0;
  for (double x : v.data) t += x;
  return t;
}

// lpdf / lccdf of one family at data x, theta entering its rate as c * theta.
std::optional<LogLinear> dist_term(const Model& m, const ir::Node& n, std::size_t p,
                                   std::string& why) {
  const dist::Family* f = n.family;
  const KindInfo* info = kind_of(f);
  const bool lccdf_ok = f == &dist::exponential_family();
  if (!info || info->kind == Kind::NormalPrecision || info->kind == Kind::Pareto ||
      (n.dist_fn != ir::DistFn::Lpdf && !(n.dist_fn == ir::DistFn::Lccdf && lccdf_ok))) {
    why = std::string(dist::to_string(n.dist_fn)) + " of a " + std::string(f->name) +
          " is not of the form s log theta - r theta";
    return std::nullopt;
  }
  const std::size_t na = f->params.size();
  for (std::size_t i = 0; i <= na; ++i)
    if (i != info->slot && !ir::is_data_only(*n.args[i])) {
      why = "only the " + std::string(f->params[info->slot].name) + " of the " +
            std::string(f->name) + " may hold the parameter";
      return std::nullopt;
    }
  auto mono = monomial_in(m, *n.args[info->slot], p);
  if (!mono || std::fabs(mono->k - 1) > 1e-12) {
    why = "the " + std::string(f->params[info->slot].name) + " of the " + std::string(f->name) +
          " is not c * theta with c known";
    return std::nullopt;
  }
  const Value x = eval_data(m, *n.args[na]);
  const Value known = info->slot == 1 ? eval_data(m, *n.args[0]) : Value::scalar(0);
  std::size_t len = std::max({x.size(), mono->c.size(), known.size()});
  double s = 0, r = 0;
  for (std::size_t k = 0; k < len; ++k) {
    const double c = at(mono->c, k), xi = at(x, k);
    if (!(c > 0) || !std::isfinite(c) || !(xi >= 0) || !std::isfinite(xi)) {
      why = "its known factor c must be positive and its values finite and not negative";
      return std::nullopt;
    }
    if (info->kind == Kind::Poisson && n.dist_fn == ir::DistFn::Lpdf && xi != std::floor(xi)) {
      why = "a Poisson count must be a whole number, not " + significant(xi);
      return std::nullopt;
    }
    if (n.dist_fn == ir::DistFn::Lccdf) {
      r += c * xi;  // log P(X > x) = -c theta x
    } else if (info->kind == Kind::Poisson) {
      s += xi, r += c;
    } else if (info->kind == Kind::Exponential) {
      s += 1, r += c * xi;
    } else {  // Gamma(k, c theta)
      s += at(known, k), r += c * xi;
    }
  }
  return LogLinear{Value::scalar(s), Value::scalar(r)};
}

std::optional<LogLinear> log_linear(const Model& m, const ir::Node& n, std::size_t p,
                                    std::string& why) {
  using ir::Op;
  if (ir::is_data_only(n)) return LogLinear{Value::scalar(0), Value::scalar(0)};
  switch (n.op) {
    case Op::Neg: {
      auto x = log_linear(m, *n.args[0], p, why);
      return x ? std::optional(combine(*x, -1, *x, 0)) : std::nullopt;
    }
    case Op::Add:
    case Op::Sub: {
      auto x = log_linear(m, *n.args[0], p, why);
      auto y = x ? log_linear(m, *n.args[1], p, why) : std::nullopt;
      if (!y) return std::nullopt;
      return combine(*x, 1, *y, n.op == Op::Add ? 1 : -1);
    }
    case Op::Mul:
    case Op::Div: {
      // A known number times (or over) such a term.
      const bool left = n.op == Op::Mul && ir::is_data_only(*n.args[0]);
      const ir::Node& known = *n.args[left ? 0 : 1];
      const ir::Node& term = *n.args[left ? 1 : 0];
      if (ir::is_data_only(known) && known.type.is_scalar()) {
        const double d = eval_data(m, known)[0];
        if (n.op == Op::Mul || d != 0) {
          auto x = log_linear(m, term, p, why);
          return x ? std::optional(combine(*x, n.op == Op::Mul ? d : 1 / d, *x, 0)) : std::nullopt;
        }
      }
      break;
    }
    case Op::Dist:
      return dist_term(m, n, p, why);
    case Op::Call:
      if (n.fn == Builtin::Sum) {
        auto x = log_linear(m, *n.args[0], p, why);
        if (!x) return std::nullopt;
        return LogLinear{Value::scalar(total(x->s)), Value::scalar(total(x->r))};
      }
      if (n.fn == Builtin::Log) {  // log(c theta^k) = k log theta + log c
        auto mono = monomial_in(m, *n.args[0], p);
        if (mono && std::all_of(mono->c.data.begin(), mono->c.data.end(),
                                [](double c) { return c > 0 && std::isfinite(c); })) {
          std::vector<double> k(mono->c.size(), mono->k), zero(mono->c.size(), 0.0);
          if (k.size() == 1) return LogLinear{Value::scalar(k[0]), Value::scalar(0)};
          return LogLinear{Value::vector(std::move(k)), Value::vector(std::move(zero))};
        }
      }
      break;
    default:
      break;
  }
  // c * theta itself.
  auto mono = monomial_in(m, n, p);
  if (mono && std::fabs(mono->k - 1) < 1e-12) {
    std::vector<double> zero(mono->c.size(), 0.0), r(mono->c.size());
    for (std::size_t k = 0; k < r.size(); ++k) r[k] = -mono->c[k];
    if (r.size() == 1) return LogLinear{Value::scalar(0), Value::scalar(r[0])};
    return LogLinear{Value::vector(std::move(zero)), Value::vector(std::move(r))};
  }
  if (why.empty()) why = "it is not of the form s log theta - r theta with s, r known";
  return std::nullopt;
}

std::optional<TermStats> term_stats(const Model& m, std::size_t ti, std::size_t p,
                                    std::string& why) {
  const Term& t = m.terms[ti];
  std::string reason;
  auto ll = log_linear(m, *t.expr, p, reason);
  if (!ll || !ll->s.is_scalar()) {
    const std::string& name = m.params[p].name;
    why = "'" + t.text + "': the Gamma rule takes a factor of the form s log(" + name + ") - r " +
          name + " with s and r known" + (reason.empty() ? "" : " (" + reason + ")");
    return std::nullopt;
  }
  return TermStats{ti, ll->s[0], ll->r[0]};
}

// --explain: the derivation with the numbers put in; a0, b0 are the prior's
// shape and rate, S, R the data's contributions (s, r in the text).
void explain(Solution& sol, const Model& m, const std::vector<Stats>& stats,
             const std::vector<TermStats>& terms, const ScalarPrior& prior, double S, double R) {
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
  for (const auto& t : terms)
    ex.push_back("factor: '" + m.terms[t.term].text + "' is s log(" + name + ") - r " + name +
                 " + a constant: s = " + significant(t.s) + ", r = " + significant(t.r));
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

// Several rates, one per group of observed elements: rates theta_1..theta_K
// (scalar parameters or the elements of vectors), each under a Gamma prior or
// a member or limit of it, observed through Poisson, Exponential or
// Gamma(k, .) likelihoods in which every element's rate is c * theta_j for
// exactly one j, with c > 0 known: y ~ Poisson(lam[group]), or a change
// point's two rates once the point is known (e * (1 - w) + l * w, w 0 or 1).
// The likelihood is then a product over the rates of the single-rate kernels
// theta_j^s_j exp(-r_j theta_j), so each rate takes the update above on its
// own elements, and the posteriors are independent.
struct Rates {
  std::vector<std::size_t> params;   // Model::params, in component order
  std::vector<std::size_t> offsets;  // each one's first stacked element
  std::vector<std::string> names;    // of each stacked element: "lam[2]", "e"
  std::vector<double> a0, b0, S, R, n;
  std::vector<bool> flat;
  std::vector<Stats> stats;  // per observation, for the predictive (c of its first element)
  std::vector<std::size_t> first_rate;  // per observation: the rate of its first element
  std::vector<const KindInfo*> kinds;
};

// The prior of one rate parameter as Gamma(a0, b0) per element, appended to
// r; false when it is no member or limit of the Gamma family with known
// arguments.
bool rate_prior(const Model& m, std::size_t p, std::size_t size, Rates& r) {
  const Prior& prior = m.priors[m.params[p].prior];
  if (prior.params.size() != 1 || m.params[p].discrete) return false;
  if (prior.family == &dist::gamma_family() && fixed_args(prior)) {
    const Value a = eval_data(m, *prior.args[0]), b = eval_data(m, *prior.args[1]);
    if ((a.size() != 1 && a.size() != size) || (b.size() != 1 && b.size() != size)) return false;
    for (std::size_t k = 0; k < size; ++k)
      r.a0.push_back(at(a, k)), r.b0.push_back(at(b, k)), r.flat.push_back(false);
    return true;
  }
  auto as = as_family(m, prior, dist::gamma_family());
  if (!as) return false;
  for (std::size_t k = 0; k < size; ++k)
    r.a0.push_back(as->a0), r.b0.push_back(as->b0), r.flat.push_back(as->improper);
  return true;
}

// Which rate each element of observation `oi` reads, and with which factor c;
// adds the elements' contributions. False with `why` when the observation
// does not fit.
bool add_rate_rows(const Model& m, std::size_t oi, Rates& r, std::string& why) {
  const Observation& o = m.observations[oi];
  const KindInfo* info = kind_of(o.family);
  const std::string fam(o.family->name);
  if (!info || info->kind == Kind::NormalPrecision || info->kind == Kind::Pareto) {
    why = "'" + o.text + "': the Gamma rule for several rates takes Poisson, Exponential and " +
          "Gamma(k, .) likelihoods, not " + fam;
    return false;
  }
  for (std::size_t i = 0; i < o.args.size(); ++i)
    if (i != info->slot && !ir::is_data_only(*o.args[i])) {
      why = "'" + o.text + "': the " + std::string(o.family->params[i].name) + " of the " + fam +
            " involves a parameter; it must be known data";
      return false;
    }
  if (o.summary) {
    why = "'" + o.text + "': the data is summarised and the Gamma rule needs its values";
    return false;
  }
  const std::string slot(o.family->params[info->slot].name);
  auto lin = linear_in(m, *o.args[info->slot], r.params);
  if (!lin) {
    why = "'" + o.text + "': the " + slot + " of the " + fam +
          " is not linear in the rates with known coefficients";
    return false;
  }
  const Value& x = o.value;
  const auto rows = static_cast<std::size_t>(lin->design.rows());
  if (rows != 1 && rows != x.size()) return false;  // shapes the checker already refuses
  const Value known = info->slot == 1 ? eval_data(m, *o.args[0]) : Value::scalar(0);
  Stats st;
  st.info = info, st.observation = oi;
  std::vector<double> cs;
  for (std::size_t k = 0; k < x.size(); ++k) {
    const auto row = static_cast<Eigen::Index>(rows == 1 ? 0 : k);
    std::optional<std::size_t> j;
    bool one = lin->offset[row] == 0;
    for (Eigen::Index col = 0; col < lin->design.cols() && one; ++col) {
      const double c = lin->design(row, col);
      if (c == 0) continue;
      one = !j && c > 0 && std::isfinite(c);
      j = static_cast<std::size_t>(col);
    }
    if (!one || !j) {
      why = "'" + o.text + "': element " + std::to_string(k + 1) + "'s " + slot +
            " is not c * one rate with a known c > 0";
      return false;
    }
    const double c = lin->design(row, static_cast<Eigen::Index>(*j)), xi = x[k];
    if (k == 0) r.first_rate.push_back(*j);
    cs.push_back(c);
    switch (info->kind) {
      case Kind::Poisson:
        r.S[*j] += xi, r.R[*j] += c;
        break;
      case Kind::Exponential:
        r.S[*j] += 1, r.R[*j] += c * xi;
        break;
      default:  // Gamma(k, c theta)
        r.S[*j] += at(known, k), r.R[*j] += c * xi;
        break;
    }
    r.n[*j] += 1;
  }
  if (x.size() == 0) return false;
  st.c = Value::vector(cs);
  st.known = known;
  r.stats.push_back(std::move(st));
  r.kinds.push_back(info);
  return true;
}

// --explain for several rates: each rate's prior, data and posterior.
void explain_rates(Solution& sol, const Model& m, const Rates& r) {
  auto& ex = sol.explain;
  ex.push_back("rule " + sol.rule +
               ": every observed element's rate is c times one of the rates, so the likelihood "
               "is a product of one kernel theta^s exp(-r theta) per rate and each rate "
               "takes the Gamma update Gamma(a + s, b + r) on its own elements, independently "
               "of the others");
  for (const auto& st : r.stats) ex.push_back("data: " + m.observations[st.observation].text);
  for (std::size_t j = 0; j < r.names.size(); ++j) {
    const double a = r.a0[j] + r.S[j], b = r.b0[j] + r.R[j];
    ex.push_back(r.names[j] + ": prior " +
                 (r.flat[j] ? "flat on (0, inf), the limit Gamma(1, 0)"
                            : "Gamma(" + significant(r.a0[j]) + ", " + significant(r.b0[j]) + ")") +
                 "; " + significant(r.n[j]) + " elements: s = " + significant(r.S[j]) +
                 ", r = " + significant(r.R[j]) + "; posterior Gamma(" + significant(a) + ", " +
                 significant(b) + "), mean " + significant(a / b));
  }
}

}  // namespace
}  // namespace gamma_rule

std::optional<Solution> solve_gamma(const Model& m, const graph::FactorGraph& g,
                                    const graph::Component& c, std::string& why) {
  using namespace gamma_rule;
  auto u = scalar_update<Stats>(m, g, c, dist::gamma_family(), observation_stats, why);
  if (!u) return std::nullopt;
  // The factor terms, of the same form, add to the same sums.
  std::vector<TermStats> terms;
  for (auto ti : u->prior.view.terms) {
    auto t = term_stats(m, ti, u->prior.param, why);
    if (!t) return std::nullopt;
    u->S += t->s, u->R += t->r;
    terms.push_back(*t);
  }
  if (!terms.empty()) {
    u->a = u->prior.a0 + u->S, u->b = u->prior.b0 + u->R;
    u->improper = u->a > 0 && u->b > 0 ? ""
                                       : improper_posterior(m.params[u->prior.param].name, u->prior,
                                                            dist::gamma_family(), u->a, u->b);
    if (!u->prior.improper && !(u->a > 0 && u->b > 0)) {
      why = "the factor terms leave Gamma(" + significant(u->a) + ", " + significant(u->b) +
            "), which is not a distribution";
      return std::nullopt;
    }
  }
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
  sol.rule = "Gamma-" + kinds + (terms.empty() ? "" : "+factor");

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
  } else if (S == 0 && R > 0) {  // e^(-R theta): largest at theta = 0 itself
    res.mle = Value::scalar(0);
    res.mle_note = "on the boundary " + name + " = 0 (every count is 0)";
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

  explain(sol, m, stats, terms, *prior, S, R);

  sol.draw = [p, a, b](dist::Rng& rng, std::vector<Value>& values) {
    values[p] = Value::scalar(dist::random::gamma(rng, a) / b);
  };
  ClosedForm post = res.posterior;
  sol.log_posterior = [p, post](const std::vector<Value>& values) { return post.lpdf(values[p]); };
  sol.point.resize(m.params.size());
  sol.point[p] = Value::scalar(a / b);
  return sol;
}

}  // namespace bayes::conjugate

namespace bayes::conjugate {

std::optional<Solution> solve_gamma_rates(const Model& m, const graph::FactorGraph& g,
                                          const graph::Component& c, std::string& why) {
  using namespace gamma_rule;
  if (c.params.size() == 1 && m.params[c.params[0]].type.is_scalar()) return std::nullopt;
  Rates r;
  r.params = c.params;
  const std::size_t dim = stacked_size(m, r.params, &r.offsets);
  for (std::size_t i = 0; i < r.params.size(); ++i) {
    const std::size_t p = r.params[i];
    const ParamVar& pv = m.params[p];
    if (!pv.type.is_scalar() && !pv.type.is_vector()) return std::nullopt;
    const std::size_t size = pv.type.is_scalar() ? 1 : pv.type.rows;
    if (!rate_prior(m, p, size, r)) return std::nullopt;  // another rule's
    for (std::size_t k = 0; k < size; ++k)
      r.names.push_back(pv.type.is_scalar() ? pv.name
                                            : pv.name + "[" + std::to_string(k + 1) + "]");
  }
  if (r.a0.size() != dim) return std::nullopt;
  r.S.assign(dim, 0), r.R.assign(dim, 0), r.n.assign(dim, 0);
  const ComponentView v = view(g, c);
  if (v.observations.empty()) return std::nullopt;  // the prior-only rule's
  for (auto oi : v.observations)
    if (!add_rate_rows(m, oi, r, why)) return std::nullopt;

  std::vector<double> a(dim), b(dim);
  for (std::size_t j = 0; j < dim; ++j) {
    a[j] = r.a0[j] + r.S[j], b[j] = r.b0[j] + r.R[j];
    if (!(a[j] > 0 && b[j] > 0))
      return improper_solution(
          "the posterior is improper: with '" + r.names[j] +
          "' flat on (0, inf), it would be Gamma(" + significant(a[j]) + ", " + significant(b[j]) +
          "), which is not a distribution (both arguments must be above 0): " +
          (r.n[j] == 0 ? "no observation reads it" : "its data carry no information about it"));
  }

  Solution sol;
  std::string kinds;
  for (const auto& k : kKinds)
    if (std::find(r.kinds.begin(), r.kinds.end(), &k) != r.kinds.end())
      kinds += (kinds.empty() ? "" : "+") + std::string(k.label);
  sol.rule = "Gamma-" + kinds + ", one rate per group";
  sol.point.resize(m.params.size());
  for (std::size_t i = 0; i < r.params.size(); ++i) {
    const std::size_t p = r.params[i], at0 = r.offsets[i];
    const bool scalar = m.params[p].type.is_scalar();
    const std::size_t size = scalar ? 1 : m.params[p].type.rows;
    ParamResult res;
    res.param = p;
    std::vector<std::vector<double>> args;
    std::vector<double> mean, mle;
    std::string mle_note, boundary;
    for (std::size_t k = at0; k < at0 + size; ++k) {
      args.push_back({a[k], b[k]});
      mean.push_back(a[k] / b[k]);
      if (r.S[k] > 0 && r.R[k] > 0) {
        mle.push_back(r.S[k] / r.R[k]);
      } else if (r.S[k] == 0 && r.R[k] > 0) {  // e^(-r theta): largest at 0 itself
        mle.push_back(0);
        boundary += (boundary.empty() ? "on the boundary " : ", ") + r.names[k] + " = 0";
      } else if (mle_note.empty()) {
        mle_note = r.n[k] == 0
                       ? "the MLE of " + r.names[k] + " is undefined: no observation reads it"
                       : "the MLE of " + r.names[k] + " is infinite (every x of it is 0)";
      }
    }
    res.posterior = scalar ? from_family(dist::gamma_family(), args[0])
                           : independent_elements(dist::gamma_family(), args);
    res.map = res.posterior.mode;
    res.map_note = res.posterior.mode_note;
    if (mle_note.empty()) {
      res.mle = scalar ? Value::scalar(mle[0]) : Value::vector(mle);
      if (!boundary.empty()) res.mle_note = boundary + " (every count of it is 0)";
    } else {
      res.mle_note = mle_note;
    }
    sol.params.push_back(std::move(res));
    sol.point[p] = scalar ? Value::scalar(mean[0]) : Value::vector(mean);
  }
  for (std::size_t s = 0; s < r.stats.size(); ++s) {
    const std::size_t j = r.first_rate[s];
    PredictiveResult pr = predictive(r.stats[s], a[j], b[j], r.names[j]);
    const std::string note = "for a new observation like its first element, whose rate is " +
                             (r.stats[s].c[0] == 1 ? "" : significant(r.stats[s].c[0]) + " * ") +
                             r.names[j];
    pr.note = pr.note.rfind("for a new observation", 0) == 0
                  ? note
                  : note + (pr.note.empty() ? "" : "; " + pr.note);
    sol.predictive.push_back(std::move(pr));
  }
  if (explaining()) explain_rates(sol, m, r);

  const std::vector<std::size_t> params = r.params, offsets = r.offsets;
  std::vector<bool> scalars;
  for (auto p : params) scalars.push_back(m.params[p].type.is_scalar());
  sol.draw = [params, offsets, scalars, a, b](dist::Rng& rng, std::vector<Value>& values) {
    for (std::size_t i = 0; i < params.size(); ++i) {
      const std::size_t end = i + 1 < params.size() ? offsets[i + 1] : a.size();
      std::vector<double> xs;
      for (std::size_t k = offsets[i]; k < end; ++k)
        xs.push_back(dist::random::gamma(rng, a[k]) / b[k]);
      values[params[i]] = scalars[i] ? Value::scalar(xs[0]) : Value::vector(xs);
    }
  };
  sol.log_posterior = [params, offsets, a, b](const std::vector<Value>& values) {
    double total = 0;
    for (std::size_t i = 0; i < params.size(); ++i)
      for (std::size_t k = 0; k < values[params[i]].size(); ++k) {
        const std::array<double, 2> args{a[offsets[i] + k], b[offsets[i] + k]};
        total += dist::gamma_family().lpdf(args, values[params[i]][k]);
      }
    return total;
  };
  return sol;
}

}  // namespace bayes::conjugate
