// The quadrature engine's one-dimensional integral: receives a log density on
// the real line, produces trapezoid nodes, weights, the cdf and quantiles.
// The trapezoid rule on the whole line converges geometrically for smooth
// densities that decay (Trefethen & Weideman, SIAM Review 56, 2014, sec. 5),
// so halving the step and comparing bounds its error; partial integrals (the
// cdf) use the cubic Hermite interpolant of the density, accurate to O(h^4).
#include "quadrature/grid.hpp"

#include <algorithm>
#include <boost/math/tools/minima.hpp>
#include <cmath>
#include <map>
#include <set>

#include "dist/family.hpp"
#include "format/format.hpp"

namespace bayes::quadrature {

double Scale::theta(double u) const {
  if (std::isinf(lo) && std::isinf(hi)) return u;
  if (std::isinf(hi)) return lo + std::exp(u);
  if (std::isinf(lo)) return hi - std::exp(u);
  return dist::interval_point(lo, hi, 1 / (1 + std::exp(-u)));
}

double Scale::u(double t) const {
  if (std::isinf(lo) && std::isinf(hi)) return t;
  if (std::isinf(hi)) return std::log(t - lo);
  if (std::isinf(lo)) return std::log(hi - t);
  return std::log((t - lo) / (hi - t));
}

double Scale::log_jacobian(double u) const {
  if (std::isinf(lo) && std::isinf(hi)) return 0;
  if (std::isinf(lo) || std::isinf(hi)) return u;
  // d/du of lo + (hi - lo) logistic(u) = (hi - lo) logistic(u) logistic(-u)
  const double w = hi - lo;
  const double log_w =
      std::isfinite(w) ? std::log(w) : std::log(0.5 * hi - 0.5 * lo) + std::numbers::ln2;
  return log_w - std::log1p(std::exp(-u)) - std::log1p(std::exp(u));
}

std::string Scale::text(const std::string& name) const {
  if (std::isinf(lo) && std::isinf(hi)) return name;
  if (std::isinf(hi))
    return lo == 0 ? "log(" + name + ")" : "log(" + name + " - " + format::significant(lo) + ")";
  if (std::isinf(lo)) return "log(" + format::significant(hi) + " - " + name + ")";
  return "logit of " + name + " on (" + format::significant(lo) + ", " + format::significant(hi) +
         ")";
}

namespace {

// Integral over [0, s] (in units of the step) of the cubic Hermite basis.
double H00(double s) { return s - s * s * s + s * s * s * s / 2; }
double H10(double s) { return s * s / 2 - 2 * s * s * s / 3 + s * s * s * s / 4; }
double H01(double s) { return s * s * s - s * s * s * s / 2; }
double H11(double s) { return -s * s * s / 3 + s * s * s * s / 4; }

// The density's nodes, derivatives and cumulative sums, once the nodes are final.
void finish(Grid& g) {
  std::vector<double>& dens = g.dens;
  std::vector<double>& slope = g.slope;
  const std::size_t n = g.u.size();
  double fmax = *std::max_element(g.f.begin(), g.f.end());
  double total = 0;
  for (double f : g.f) total += std::exp(f - fmax);
  // The mass beyond the last nodes (where the density fell below 1e-13 of its
  // peak, or where the model stopped answering: a scale too small for its
  // linear algebra): the density falls off there like exp(slope * u), so the
  // tail beyond holds g_end / |slope|.
  std::size_t a = 0, b = n - 1;
  while (a + 1 < n && !std::isfinite(g.f[a])) ++a;
  while (b > a && !std::isfinite(g.f[b])) --b;
  double tail_lo = 0, tail_hi = 0;
  if (a + 1 <= b) {
    const double slope = (g.f[a + 1] - g.f[a]) / g.h;
    if (slope > 0) tail_lo = std::exp(g.f[a] - fmax) / slope;
  }
  if (b >= a + 1) {
    const double slope = (g.f[b - 1] - g.f[b]) / g.h;
    if (slope > 0) tail_hi = std::exp(g.f[b] - fmax) / slope;
  }
  g.log_z = fmax + std::log(total * g.h + tail_lo + tail_hi);
  g.w.resize(n);
  dens.resize(n);
  slope.assign(n, 0);
  for (std::size_t k = 0; k < n; ++k) {
    dens[k] = std::exp(g.f[k] - g.log_z);
    g.w[k] = dens[k] * g.h;
  }
  for (std::size_t k = 1; k + 1 < n; ++k) {
    const double df = (g.f[k + 1] - g.f[k - 1]) / (2 * g.h);
    slope[k] = std::isfinite(df) ? dens[k] * df : 0;
  }
  g.cum.assign(n, 0);
  const double scale = std::exp(fmax - g.log_z);
  for (std::size_t k = 0; k <= a; ++k) g.cum[k] = tail_lo * scale;
  for (std::size_t k = 0; k + 1 < n; ++k)
    g.cum[k + 1] =
        g.cum[k] + g.h / 2 * (dens[k] + dens[k + 1]) + g.h * g.h / 12 * (slope[k] - slope[k + 1]);
  const double end = g.cum.back() + tail_hi * scale;
  for (auto& c : g.cum) c /= end;
  for (auto& d : dens) d /= end;
  for (auto& s : slope) s /= end;
}

}  // namespace

double Grid::cdf(double x) const {
  if (u.empty() || x <= u.front()) return 0;
  if (x >= u.back()) return 1;
  const auto k = static_cast<std::size_t>((x - u.front()) / h);
  if (k + 1 >= u.size()) return 1;
  const double s = (x - u[k]) / h;
  const double part = h * (H00(s) * dens[k] + H10(s) * h * slope[k] + H01(s) * dens[k + 1] +
                           H11(s) * h * slope[k + 1]);
  return std::clamp(cum[k] + part, 0.0, 1.0);
}

double Grid::quantile(double p) const {
  if (p <= 0) return -INFINITY;
  if (p >= 1) return INFINITY;
  auto it = std::upper_bound(cum.begin(), cum.end(), p);
  if (it == cum.begin()) return u.front();
  if (it == cum.end()) return u.back();
  const auto k = static_cast<std::size_t>(it - cum.begin() - 1);
  double a = u[k], b = u[k + 1];
  for (int i = 0; i < 60; ++i) {
    const double mid = (a + b) / 2;
    (cdf(mid) < p ? a : b) = mid;
  }
  return (a + b) / 2;
}

std::optional<Grid> integrate(const std::function<std::optional<double>(double)>& f, double u0,
                              double tol, std::string& why) {
  // Where the conditional model fails (far out, where a scale overflows, or
  // anywhere for a reason of its own) the density counts as 0; a failure
  // among the nodes that carry mass is an error (checked at the end).
  std::map<double, double> seen;
  std::set<double> failed;
  auto at = [&](double u) {
    auto it = seen.find(u);
    if (it != seen.end()) return it->second;
    auto v = f(u);
    if (!v) failed.insert(u);
    const double value = v && !std::isnan(*v) ? *v : -INFINITY;
    seen.emplace(u, value);
    return value;
  };
  // 1. The mode of f: probes at u0 +- 2^k, then Brent's method around the best.
  double best = u0, fbest = at(u0), gap = 1;
  for (double d = 1; d <= 1024; d *= 2)
    for (double sgn : {-1.0, 1.0}) {
      const double v = at(u0 + sgn * d);
      if (v > fbest) best = u0 + sgn * d, fbest = v, gap = std::max(1.0, d / 2);
    }
  if (!std::isfinite(fbest)) {
    why = "the density is zero everywhere the quadrature looked";
    return std::nullopt;
  }
  auto r = boost::math::tools::brent_find_minima([&](double u) { return -at(u); }, best - gap,
                                                 best + gap, 40);
  const double mode = r.first, fmode = -r.second;
  // 2. Its spread, from the curvature there.
  const double d = 1e-3 * std::max(1.0, std::abs(mode));
  const double f2 = (at(mode + d) - 2 * fmode + at(mode - d)) / (d * d);
  double sd = f2 < 0 && std::isfinite(f2) ? 1 / std::sqrt(-f2) : 1;
  sd = std::clamp(sd, 1e-8, 1e3);
  // 3. Nodes every sd / 16 out to where the density is below e^-30 of its peak
  // (1e-13; the tails beyond are added in finish()), then halving the step
  // until the normaliser settles.
  double h = sd / 16;
  constexpr long kMaxSide = 6000;
  auto node = [&](long k) { return mode + static_cast<double>(k) * h; };
  long lo = 0, hi = 0;
  double fmax = fmode;
  constexpr double kDrop = 30;
  while (hi < kMaxSide && at(node(hi)) > fmax - kDrop) fmax = std::max(fmax, at(node(hi++)));
  while (lo > -kMaxSide && at(node(lo)) > fmax - kDrop) fmax = std::max(fmax, at(node(lo--)));
  if (hi >= kMaxSide || lo <= -kMaxSide) {
    why = "the density does not fall off within " + std::to_string(hi - lo) +
          " nodes: its tail is too heavy to integrate (or the posterior is improper)";
    return std::nullopt;
  }
  auto sum = [&](long step) {
    double total = 0;
    for (long k = lo; k <= hi; ++k)
      if ((k - lo) % step == 0) total += std::exp(at(node(k)) - fmax);
    return total * h * static_cast<double>(step);
  };
  double z = sum(1), z2 = sum(2);
  double error = std::abs(z - z2) / z;
  for (int halvings = 0; error > tol && halvings < 4; ++halvings) {
    h /= 2, lo *= 2, hi *= 2;
    z2 = z;
    z = sum(1);
    error = std::abs(z - z2) / z;
  }
  // A failure at an end is accepted where the density has fallen below 1e-8
  // of its peak (a scale so small or large that the conditional model's
  // linear algebra breaks down); the mass left out there, estimated as the
  // last density times one unit of u, is added to the error.
  double cut = 0;
  for (long k = lo; k <= hi; ++k) {
    if (!failed.count(node(k))) continue;
    const long inner = k == lo ? k + 1 : k - 1;
    const bool end = (k == lo || k == hi) && !failed.count(node(inner));
    if (!end || at(node(inner)) > fmax - 18.4) {
      if (why.empty()) why = "the conditional model failed at a node that carries mass";
      return std::nullopt;
    }
    cut += std::exp(at(node(inner)) - fmax) / z;
  }
  why.clear();
  Grid g;
  g.h = h;
  g.error = error + cut;
  for (long k = lo; k <= hi; ++k) g.u.push_back(node(k)), g.f.push_back(at(node(k)));
  finish(g);
  return g;
}

}  // namespace bayes::quadrature
