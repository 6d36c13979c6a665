// Closed-form distributions built from the src/dist families.
#include "conjugate/closed_form.hpp"

#include <boost/math/distributions/inverse_gamma.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <memory>
#include <random>
#include <span>
#include <stdexcept>

#include "dist/random.hpp"

namespace bayes::conjugate {

ClosedForm from_functions(std::string family, std::vector<std::pair<std::string, double>> params,
                          std::function<double(double)> lpdf, std::function<double(double)> cdf,
                          std::function<double(double)> quantile,
                          std::function<double(dist::Rng&)> sample, double mean, double sd,
                          double mode) {
  ClosedForm out;
  out.family = std::move(family);
  for (auto& [name, v] : params) out.params.emplace_back(name, Value::scalar(v));
  out.mean = Value::scalar(mean);
  out.sd = Value::scalar(sd);
  out.mode = Value::scalar(mode);
  out.lpdf = [lpdf](const Value& x) { return lpdf(x[0]); };
  out.cdf = std::move(cdf);
  out.quantile = std::move(quantile);
  out.sample = [sample](dist::Rng& rng) { return Value::scalar(sample(rng)); };
  return out;
}

ClosedForm sqrt_inverse_gamma(double a, double b) {
  const boost::math::inverse_gamma_distribution<double> v(a, b);
  auto lpdf = [a, b](double x) {
    if (!(x > 0) || std::isinf(x)) return -HUGE_VAL;
    return std::log(2.0) + a * std::log(b) - std::lgamma(a) - (2 * a + 1) * std::log(x) -
           b / (x * x);
  };
  auto cdf = [v](double x) { return x <= 0 ? 0.0 : boost::math::cdf(v, x * x); };
  auto quantile = [v](double p) {
    if (p <= 0) return 0.0;
    if (p >= 1) return static_cast<double>(INFINITY);
    return std::sqrt(boost::math::quantile(v, p));
  };
  auto sample = [a, b](dist::Rng& rng) { return std::sqrt(b / dist::random::gamma(rng, a)); };
  const double mean =
      a > 0.5 ? std::sqrt(b) * boost::math::tgamma_delta_ratio(a - 0.5, 0.5) : INFINITY;
  const double sd = a > 1 ? std::sqrt(std::max(b / (a - 1) - mean * mean, 0.0)) : INFINITY;
  return from_functions("SqrtInverseGamma", {{"shape", a}, {"scale", b}}, lpdf, cdf, quantile,
                        sample, mean, sd, std::sqrt(2 * b / (2 * a + 1)));
}

ClosedForm from_pmf(const std::string& family, std::vector<std::pair<std::string, Value>> params,
                    std::function<double(double)> lpmf, std::function<double(double)> ratio,
                    double mean, double sd, double upper) {
  ClosedForm c;
  c.family = family;
  c.params = std::move(params);
  c.discrete = true;
  c.mean = Value::scalar(mean);
  c.sd = Value::scalar(sd);
  c.lpdf = [lpmf](const Value& x) { return lpmf(x[0]); };
  // Sums run from 0, one term per value: at most kTerms of them. Past that
  // (a predictive of 10^15 trials) the cdf and quantiles are NaN, reported as
  // not available, never a partial sum passed off as the answer.
  constexpr double kTerms = 1e7;
  c.cdf = [lpmf, upper](double x) {
    if (x < 0) return 0.0;
    double total = 0;
    const double top = std::min(std::floor(x), upper);
    for (double k = 0; k <= top; ++k) {
      if (k >= kTerms) return static_cast<double>(NAN);
      total += std::exp(lpmf(k));
      if (total >= 1 - 1e-15) return 1.0;
    }
    return std::min(total, 1.0);
  };
  // The smallest k with P(X <= k) >= p.
  auto quantile = [lpmf, upper](double p) {
    double total = 0;
    for (double k = 0; k <= upper; ++k) {
      if (k >= kTerms) return static_cast<double>(NAN);
      total += std::exp(lpmf(k));
      if (total >= p * (1 - 1e-12)) return k;
    }
    return upper;
  };
  c.quantile = quantile;
  c.sample = [quantile](dist::Rng& rng) {
    return Value::scalar(quantile(dist::random::uniform(rng)));
  };
  // The mode of these unimodal pmfs: the last k whose pmf is above k - 1's,
  // by bisection on `ratio` (pmf(k) / pmf(k - 1), exact where differences of
  // log pmfs of 10^16 would be rounding), over [0, upper], or out to where the
  // pmf falls, doubling, where the support is unbounded.
  const auto rising = [&ratio](double k) { return ratio(k) > 1; };
  double lo = 0, hi = std::isfinite(upper) ? upper : 1;
  while (!std::isfinite(upper) && hi < 1e300 && rising(hi)) lo = hi, hi *= 2;
  if (std::isfinite(upper) && hi > 0 && rising(hi)) lo = hi;
  while (hi - lo > 1) {  // lo = 0 or rising(lo); pmf(hi) <= pmf(hi - 1)
    const double mid = std::floor(lo + (hi - lo) / 2);
    if (mid <= lo || mid >= hi) break;  // past 2^53, neighbouring doubles
    (rising(mid) ? lo : hi) = mid;
  }
  c.mode = Value::scalar(hi < 1e300 ? lo : NAN);
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
  c.sd = Value::scalar(dist::standard_deviation(*f, args));
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

// The family's own mode (src/dist), or why there is none.
std::optional<double> mode_of(const dist::Family& family, const std::vector<double>& a,
                              std::string& note) {
  if (family.mode) return family.mode(a, note);
  note = "not available for " + std::string(family.name);
  return std::nullopt;
}

namespace {

// Argument i of every element: a number when they all agree, else a vector.
Value argument(const std::vector<std::vector<double>>& at, std::size_t i) {
  std::vector<double> xs;
  for (const auto& row : at) xs.push_back(row[i]);
  for (double x : xs)
    if (x != xs[0]) return Value::vector(xs);
  return Value::scalar(xs[0]);
}

}  // namespace

ClosedForm independent_elements(const dist::Family& family,
                                const std::vector<std::vector<double>>& at) {
  const dist::Family* f = &family;
  ClosedForm c;
  c.family = family.name;
  c.dist_family = f;
  for (std::size_t i = 0; i < family.params.size(); ++i)
    c.params.emplace_back(std::string(family.params[i].name), argument(at, i));
  c.discrete = family.discrete;
  std::vector<double> mean, sd, mode;
  for (const auto& row : at) {
    mean.push_back(f->mean(row));
    sd.push_back(dist::standard_deviation(*f, row));
    std::string note;
    auto mk = mode_of(family, row, note);
    if (mk)
      mode.push_back(*mk);
    else if (c.mode_note.empty())
      c.mode_note = note;
  }
  c.mean = Value::vector(mean);
  c.sd = Value::vector(sd);
  if (c.mode_note.empty()) c.mode = Value::vector(mode);
  // The elements' arguments in one block, row k at k * width, shared by the
  // functions below (a million elements: one copy, not one per function).
  const std::size_t width = at.empty() ? 0 : at.front().size();
  auto flat = std::make_shared<std::vector<double>>();
  flat->reserve(at.size() * width);
  for (const auto& row : at) flat->insert(flat->end(), row.begin(), row.end());
  const std::size_t n = at.size();
  const auto row = [flat, width](std::size_t k) {
    return std::span<const double>(flat->data() + k * width, width);
  };
  c.element_quantile = [f, row](std::size_t i, double p) { return f->quantile(row(i), p); };
  c.element_cdf = [f, row](std::size_t i, double x) { return f->cdf(row(i), x); };
  c.sample = [f, row, n](dist::Rng& rng) {
    std::vector<double> xs(n);
    for (std::size_t k = 0; k < n; ++k) xs[k] = f->sample(row(k), rng);
    return Value::vector(std::move(xs));
  };
  c.lpdf = [f, row, n](const Value& x) {
    double total = 0;
    for (std::size_t k = 0; k < n; ++k) total += f->lpdf(row(k), x[k]);
    return total;
  };
  return c;
}

}  // namespace bayes::conjugate
