// Mixtures of closed-form marginals over quadrature nodes: receives the
// components and their weights, produces one solution::ClosedForm. Moments
// are the weighted sums of the components' (law of total variance); the cdf
// is the weighted sum of theirs, and a quantile is found by bisection
// between the components' own quantiles (the mixture's lies between them).
#include "quadrature/mixture.hpp"

#include <algorithm>
#include <boost/math/tools/minima.hpp>
#include <boost/math/tools/toms748_solve.hpp>
#include <cmath>
#include <memory>
#include <random>

#include "dist/random.hpp"

namespace bayes::quadrature {

namespace {

struct Parts {
  std::vector<solution::ClosedForm> forms;
  std::vector<double> weights;
  std::vector<double> cumulative;  // for drawing a component
};

// Element i's cdf of component k (the scalar cdf when the form is scalar).
double cdf_of(const solution::ClosedForm& f, std::size_t i, double x) {
  return f.scalar() ? f.cdf(x) : f.element_cdf(i, x);
}

double quantile_of(const solution::ClosedForm& f, std::size_t i, double p) {
  return f.scalar() ? f.quantile(p) : f.element_quantile(i, p);
}

double mixture_quantile(const Parts& parts, std::size_t i, double p) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& f : parts.forms) {
    const double x = quantile_of(f, i, p);
    lo = std::min(lo, x), hi = std::max(hi, x);
  }
  if (!(lo < hi)) return lo;
  auto cdf = [&](double x) {
    double c = 0;
    for (std::size_t k = 0; k < parts.forms.size(); ++k)
      c += parts.weights[k] * cdf_of(parts.forms[k], i, x);
    return c;
  };
  const double flo = cdf(lo) - p, fhi = cdf(hi) - p;
  if (!(flo < 0 && fhi > 0)) return flo >= 0 ? lo : hi;
  std::uintmax_t iterations = 100;
  auto r =
      boost::math::tools::toms748_solve([&](double x) { return cdf(x) - p; }, lo, hi, flo, fhi,
                                        boost::math::tools::eps_tolerance<double>(50), iterations);
  return (r.first + r.second) / 2;
}

// The mode of a scalar mixture `out` (its lpdf and quantile set): the best of
// a scan of 41 points over mean +- 8 sd (the 0.5% and 99.5% points when the
// sd is infinite) and of the 16 heaviest components' own means and modes,
// refined by Brent's method; for a discrete mixture, the best integer of that
// range.
double mixture_mode(const solution::ClosedForm& out, const Parts& parts, double mean, double sd) {
  double a = mean - 8 * sd, b = mean + 8 * sd;
  if (!std::isfinite(a) || !std::isfinite(b) || !(a < b))
    a = out.quantile(0.005), b = out.quantile(0.995);
  auto density = [&](double x) { return out.lpdf(Value::scalar(x)); };
  if (out.discrete) {
    a = std::ceil(a), b = std::floor(b);
    // Beyond 2^53 whole numbers are not all doubles (x + 1 == x): no scan.
    if (!(std::fabs(a) < 9007199254740992.0 && std::fabs(b) < 9007199254740992.0))
      return parts.forms.front().mode ? (*parts.forms.front().mode)[0] : mean;
    const double step = std::max(1.0, std::ceil((b - a) / 20000));
    double best = a, top = -INFINITY;
    for (double x = a; x <= b; x += step)
      if (const double l = density(x); l > top) top = l, best = x;
    return best;
  }
  double best = a, top = -INFINITY;
  auto consider = [&](double x) {
    if (const double l = density(x); l > top) top = l, best = x;
  };
  for (int i = 0; i <= 40; ++i) consider(a + (b - a) * i / 40.0);
  // The heaviest components' own means and modes (a peak sits near one).
  std::vector<std::size_t> order(parts.forms.size());
  for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
  const std::size_t heavy = std::min<std::size_t>(order.size(), 16);
  std::partial_sort(
      order.begin(), order.begin() + static_cast<std::ptrdiff_t>(heavy), order.end(),
      [&](std::size_t a, std::size_t b) { return parts.weights[a] > parts.weights[b]; });
  for (std::size_t i = 0; i < heavy; ++i) {
    const auto& f = parts.forms[order[i]];
    consider(f.mean[0]);
    if (f.mode) consider((*f.mode)[0]);
  }
  // Brent's method locates a minimum to sqrt(eps) relative to the point's
  // size: in the offset d from the best point, not in x (1e7 + d).
  const double step = (b - a) / 40;
  return best + boost::math::tools::brent_find_minima([&](double d) { return -density(best + d); },
                                                      -step, step, 40)
                    .first;
}

}  // namespace

solution::ClosedForm mixture(const std::vector<const solution::ClosedForm*>& forms,
                             std::vector<double> weights, const std::string& over) {
  auto parts = std::make_shared<Parts>();
  double total = 0;
  for (double w : weights) total += w;
  for (std::size_t k = 0; k < forms.size(); ++k) {
    parts->forms.push_back(*forms[k]);
    parts->weights.push_back(weights[k] / total);
    parts->cumulative.push_back((parts->cumulative.empty() ? 0 : parts->cumulative.back()) +
                                weights[k] / total);
  }
  const solution::ClosedForm& first = *forms.front();
  solution::ClosedForm out;
  out.family = "mixture over " + over;
  const std::size_t n = first.mean.size();
  // The law of total variance about the mixture's mean (two passes: the
  // means may sit at an offset far larger than their spread).
  std::vector<double> mean(n, 0), var(n, 0);
  for (std::size_t k = 0; k < forms.size(); ++k)
    for (std::size_t i = 0; i < n; ++i) mean[i] += parts->weights[k] * forms[k]->mean[i];
  for (std::size_t k = 0; k < forms.size(); ++k)
    for (std::size_t i = 0; i < n; ++i) {
      const double d = forms[k]->mean[i] - mean[i], s = forms[k]->sd[i];
      var[i] += parts->weights[k] * (s * s + d * d);
    }
  std::vector<double> sd(n);
  for (std::size_t i = 0; i < n; ++i) sd[i] = std::sqrt(var[i]);
  out.mean = first.scalar() ? Value::scalar(mean[0]) : Value::vector(mean);
  out.sd = first.scalar() ? Value::scalar(sd[0]) : Value::vector(sd);
  if (first.scalar()) {
    out.cdf = [parts](double x) {
      double c = 0;
      for (std::size_t k = 0; k < parts->forms.size(); ++k)
        c += parts->weights[k] * parts->forms[k].cdf(x);
      return c;
    };
    out.quantile = [parts](double p) { return mixture_quantile(*parts, 0, p); };
  } else {
    out.element_cdf = [parts](std::size_t i, double x) {
      double c = 0;
      for (std::size_t k = 0; k < parts->forms.size(); ++k)
        c += parts->weights[k] * parts->forms[k].element_cdf(i, x);
      return c;
    };
    out.element_quantile = [parts](std::size_t i, double p) {
      return mixture_quantile(*parts, i, p);
    };
  }
  out.lpdf = [parts](const Value& x) {
    double top = -INFINITY;
    std::vector<double> l(parts->forms.size());
    for (std::size_t k = 0; k < l.size(); ++k)
      top = std::max(top, l[k] = std::log(parts->weights[k]) + parts->forms[k].lpdf(x));
    if (!std::isfinite(top)) return top;
    double s = 0;
    for (double v : l) s += std::exp(v - top);
    return top + std::log(s);
  };
  out.discrete = first.discrete;
  if (first.scalar()) {
    out.mode = Value::scalar(mixture_mode(out, *parts, mean[0], sd[0]));
    out.mode_note.clear();
  } else {
    out.mode_note = "not computed for a vector's mixture (see map())";
  }
  out.sample = [parts](dist::Rng& rng) {
    const double u = dist::random::uniform(rng);
    auto it = std::lower_bound(parts->cumulative.begin(), parts->cumulative.end(), u);
    const auto k = std::min<std::size_t>(static_cast<std::size_t>(it - parts->cumulative.begin()),
                                         parts->forms.size() - 1);
    return parts->forms[k].sample(rng);
  };
  return out;
}

}  // namespace bayes::quadrature
