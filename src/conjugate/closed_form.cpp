// Closed-form distributions built from the src/dist families.
#include "conjugate/closed_form.hpp"

#include <cmath>
#include <stdexcept>

namespace bayes::conjugate {

ClosedForm from_pmf(const std::string& family, std::vector<std::pair<std::string, Value>> params,
                    std::function<double(double)> lpmf, double mean, double sd, double upper) {
  ClosedForm c;
  c.family = family;
  c.params = std::move(params);
  c.discrete = true;
  c.mean = Value::scalar(mean);
  c.sd = Value::scalar(sd);
  c.lpdf = [lpmf](const Value& x) { return lpmf(x[0]); };
  c.cdf = [lpmf, upper](double x) {
    if (x < 0) return 0.0;
    double total = 0;
    double top = std::min(std::floor(x), upper);
    for (double k = 0; k <= top; ++k) {
      total += std::exp(lpmf(k));
      if (total >= 1 - 1e-15) return 1.0;
    }
    return std::min(total, 1.0);
  };
  // The smallest k with P(X <= k) >= p; summation stops at 10^7 terms.
  auto quantile = [lpmf, upper](double p) {
    double total = 0;
    for (double k = 0; k <= upper && k < 1e7; ++k) {
      total += std::exp(lpmf(k));
      if (total >= p * (1 - 1e-12)) return k;
    }
    return std::isfinite(upper) ? upper : INFINITY;
  };
  c.quantile = quantile;
  c.sample = [quantile](dist::Rng& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    return Value::scalar(quantile(u(rng)));
  };
  // The mode: the first k where the pmf stops increasing.
  double best = 0, best_lp = lpmf(0);
  for (double k = 1; k <= upper && k < 1e6; ++k) {
    double lp = lpmf(k);
    if (lp < best_lp) break;
    if (lp > best_lp) best = k, best_lp = lp;
  }
  c.mode = Value::scalar(best);
  return c;
}

std::vector<std::pair<std::string, Value>> named(const dist::Family& family,
                                                 const std::vector<double>& args) {
  std::vector<std::pair<std::string, Value>> out;
  for (std::size_t i = 0; i < args.size(); ++i)
    out.emplace_back(i < family.params.size() ? std::string(family.params[i].name)
                                              : "arg" + std::to_string(i + 1),
                     Value::scalar(args[i]));
  return out;
}

ClosedForm from_family(const dist::Family& family, std::vector<double> args) {
  const dist::Family* f = &family;
  if (!f->lpdf)
    throw std::logic_error("from_family: no univariate family " + std::string(family.name));
  ClosedForm c;
  c.family = family.name;
  c.dist_family = f;
  c.params = named(family, args);
  c.discrete = f->discrete;
  c.mean = Value::scalar(f->mean(args));
  double var = f->variance(args);
  c.sd = Value::scalar(std::isnan(var) ? NAN : std::sqrt(var));
  c.cdf = [f, args](double x) { return f->cdf(args, x); };
  c.quantile = [f, args](double p) { return f->quantile(args, p); };
  c.sample = [f, args](dist::Rng& rng) { return Value::scalar(f->sample(args, rng)); };
  c.lpdf = [f, args](const Value& x) { return f->lpdf(args, x[0]); };
  std::string note;
  auto m = mode_of(family, args, note);
  if (m) c.mode = Value::scalar(*m);
  c.mode_note = note;
  return c;
}

// Modes of the families posteriors come in (the standard formulas; e.g.
// Gelman et al., Bayesian Data Analysis, 3rd ed., appendix A).
std::optional<double> mode_of(const dist::Family& family, const std::vector<double>& a,
                              std::string& note) {
  const dist::Family* f = &family;
  if (f == &dist::beta_family()) {
    double alpha = a[0], beta = a[1];
    if (alpha > 1 && beta > 1) return (alpha - 1) / (alpha + beta - 2);
    if (alpha == 1 && beta == 1) {
      note = "undefined: Beta(1, 1) is flat on [0, 1]";
      return std::nullopt;
    }
    if (alpha <= 1 && beta > 1) {
      note = "on the boundary p = 0";
      return std::nullopt;
    }
    if (alpha > 1 && beta <= 1) {
      note = "on the boundary p = 1";
      return std::nullopt;
    }
    note = "undefined: Beta(" + significant(alpha) + ", " + significant(beta) +
           ") has two modes, at 0 and 1";
    return std::nullopt;
  }
  if (f == &dist::gamma_family()) {
    if (a[0] >= 1) return (a[0] - 1) / a[1];
    note = "on the boundary 0";
    return std::nullopt;
  }
  if (f == &dist::inverse_gamma_family()) return a[1] / (a[0] + 1);
  if (f == &dist::normal_family() || f == &dist::student_t_family() ||
      f == &dist::cauchy_family() || f == &dist::laplace_family())
    return f == &dist::normal_family() ? a[0] : a[1];
  if (f == &dist::lognormal_family()) return std::exp(a[0] - a[1] * a[1]);
  if (f == &dist::pareto_family()) return a[0];
  if (f == &dist::exponential_family() || f == &dist::half_normal_family() ||
      f == &dist::half_cauchy_family())
    return 0.0;
  if (f == &dist::weibull_family())
    return a[0] > 1 ? a[1] * std::pow((a[0] - 1) / a[0], 1 / a[0]) : 0.0;
  if (f == &dist::uniform_family()) {
    note = "undefined: the Uniform density is flat";
    return std::nullopt;
  }
  if (f == &dist::poisson_family()) return std::floor(a[0]);
  if (f == &dist::bernoulli_family()) {
    if (a[0] == 0.5) {
      note = "undefined: 0 and 1 are equally likely";
      return std::nullopt;
    }
    return a[0] > 0.5 ? 1.0 : 0.0;
  }
  if (f == &dist::binomial_family()) return std::floor((a[0] + 1) * a[1]);
  if (f == &dist::geometric_family()) return 0.0;
  if (f == &dist::negative_binomial_family())
    return a[0] > 1 ? std::floor((a[0] - 1) * (1 - a[1]) / a[1]) : 0.0;
  note = "not available for " + std::string(family.name);
  return std::nullopt;
}

}  // namespace bayes::conjugate
