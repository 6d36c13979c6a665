// Convergence diagnostics, as R's posterior package 1.4 computes them (see
// diagnostics.hpp): split chains, rank normalisation, Geyer's initial
// monotone sequence over the chains' mean autocovariance.
#include "sample/diagnostics.hpp"

#include <algorithm>
#include <boost/math/distributions/beta.hpp>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <complex>
#include <numbers>
#include <numeric>

namespace bayes::sample {

namespace {

// Columns of one matrix (chains, or split half-chains).
using Columns = std::vector<std::vector<double>>;

std::size_t count(const Columns& x) {
  std::size_t n = 0;
  for (const auto& c : x) n += c.size();
  return n;
}

std::vector<double> pooled(const Columns& x) {
  std::vector<double> all;
  all.reserve(count(x));
  for (const auto& c : x) all.insert(all.end(), c.begin(), c.end());
  return all;
}

double mean_of(const std::vector<double>& v) {
  double s = 0;
  for (double x : v) s += x;
  return s / static_cast<double>(v.size());
}

// The sample variance (n - 1), as R's var.
double var_of(const std::vector<double>& v) {
  double m = mean_of(v), s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}

// NA in posterior: a missing or infinite value, or a constant column.
bool returns_na(const Columns& x) {
  double lo = INFINITY, hi = -INFINITY;
  for (const auto& c : x)
    for (double v : c) {
      if (!std::isfinite(v)) return true;
      lo = std::min(lo, v), hi = std::max(hi, v);
    }
  return !(std::abs(hi - lo) >= 2.220446049250313e-16);
}

// Each chain's first and last halves as two columns (the middle draw of an
// odd length left out).
Columns split(const Columns& x) {
  if (x.empty() || x[0].size() <= 1) return x;
  std::size_t n = x[0].size(), half = n / 2;
  Columns out;
  for (const auto& c : x) {
    out.emplace_back(c.begin(), c.begin() + static_cast<std::ptrdiff_t>(half));
    out.emplace_back(c.end() - static_cast<std::ptrdiff_t>(half), c.end());
  }
  return out;
}

// Ranks (ties averaged) of all values, back to normal scores (r - 3/8) / (S + 1/4).
Columns z_scale(const Columns& x) {
  std::vector<double> all = pooled(x);
  const std::size_t S = all.size();
  std::vector<std::size_t> order(S);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return all[a] < all[b]; });
  std::vector<double> rank(S);
  for (std::size_t i = 0; i < S;) {
    std::size_t j = i;
    while (j + 1 < S && all[order[j + 1]] == all[order[i]]) ++j;
    double r = (static_cast<double>(i + 1) + static_cast<double>(j + 1)) / 2;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = r;
    i = j + 1;
  }
  const boost::math::normal_distribution<double> standard;
  const double c = 3.0 / 8.0;
  Columns out = x;
  std::size_t k = 0;
  for (auto& col : out)
    for (double& v : col)
      v = boost::math::quantile(standard, (rank[k++] - c) / (static_cast<double>(S) - 2 * c + 1));
  return out;
}

double median_of(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return quantile_sorted(v, 0.5);
}

Columns fold(const Columns& x) {
  double med = median_of(pooled(x));
  Columns out = x;
  for (auto& c : out)
    for (double& v : c) v = std::abs(v - med);
  return out;
}

double rhat_of(const Columns& x) {
  if (returns_na(x)) return NAN;
  const double n = static_cast<double>(x[0].size());
  std::vector<double> means, vars;
  for (const auto& c : x) means.push_back(mean_of(c)), vars.push_back(var_of(c));
  double between = x.size() > 1 ? n * var_of(means) : NAN;
  double within = mean_of(vars);
  return std::sqrt((between / within + n - 1) / n);
}

double ess_of(const Columns& x) {
  const std::size_t chains = x.size();
  if (chains == 0) return NAN;
  const std::size_t n = x[0].size();
  if (n < 3 || returns_na(x)) return NAN;
  std::vector<double> acov_means(n, 0.0);
  for (const auto& c : x) {
    auto a = autocovariance(c);
    for (std::size_t t = 0; t < n; ++t) acov_means[t] += a[t];
  }
  for (double& a : acov_means) a /= static_cast<double>(chains);
  const double N = static_cast<double>(n);
  double mean_var = acov_means[0] * N / (N - 1);
  double var_plus = mean_var * (N - 1) / N;
  if (chains > 1) {
    std::vector<double> means;
    for (const auto& c : x) means.push_back(mean_of(c));
    var_plus += var_of(means);
  }
  // Indices below are 0-based: rho[t] is R's rho_hat_t[t + 1].
  std::vector<double> rho(n, 0.0);
  std::size_t t = 0;
  double even = 1;
  rho[0] = even;
  double odd = 1 - (mean_var - acov_means[1]) / var_plus;
  rho[1] = odd;
  while (t + 5 < n && !std::isnan(even + odd) && even + odd > 0) {
    t += 2;
    even = 1 - (mean_var - acov_means[t]) / var_plus;
    odd = 1 - (mean_var - acov_means[t + 1]) / var_plus;
    if (even + odd >= 0) rho[t] = even, rho[t + 1] = odd;
  }
  const std::size_t max_t = t;
  if (even > 0) rho[max_t] = even;
  // Geyer's initial monotone sequence.
  t = 0;
  while (t + 4 <= max_t) {
    t += 2;
    if (rho[t] + rho[t + 1] > rho[t - 2] + rho[t - 1]) {
      rho[t] = (rho[t - 2] + rho[t - 1]) / 2;
      rho[t + 1] = rho[t];
    }
  }
  double ess = static_cast<double>(chains) * N;
  // R's sum(rho_hat_t[1:max_t]): with max_t = 0 that is rho[0] alone (1:0 is c(1, 0)).
  double sum = 0;
  for (std::size_t k = 0; k < std::max<std::size_t>(max_t, 1); ++k) sum += rho[k];
  double tau = -1 + 2 * sum + rho[max_t];
  tau = std::max(tau, 1 / std::log10(ess));
  return ess / tau;
}

Columns indicator(const Columns& x, double p) {
  double q = quantile(x, p);
  Columns out = x;
  for (auto& c : out)
    for (double& v : c) v = v <= q ? 1.0 : 0.0;
  return out;
}

// An in-place complex FFT of a power-of-two length (iterative radix 2;
// sign -1 forward, +1 inverse, unnormalised).
void fft(std::vector<std::complex<double>>& a, int sign) {
  const std::size_t n = a.size();
  for (std::size_t i = 1, j = 0; i < n; ++i) {
    std::size_t bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) std::swap(a[i], a[j]);
  }
  for (std::size_t len = 2; len <= n; len <<= 1) {
    const double angle = sign * 2 * std::numbers::pi / static_cast<double>(len);
    const std::size_t half = len / 2;
    std::vector<std::complex<double>> twiddle(half);
    for (std::size_t k = 0; k < half; ++k)
      twiddle[k] = std::polar(1.0, angle * static_cast<double>(k));
    for (std::size_t i = 0; i < n; i += len)
      for (std::size_t k = 0; k < half; ++k) {
        std::complex<double> u = a[i + k], v = a[i + k + half] * twiddle[k];
        a[i + k] = u + v;
        a[i + k + half] = u - v;
      }
  }
}

}  // namespace

std::vector<double> autocovariance(const std::vector<double>& x) {
  const std::size_t n = x.size();
  std::vector<double> out(n, 0.0);
  if (n < 2) return out;
  double m = mean_of(x);
  // Zero-padded to at least 2n - 1 (posterior pads to twice R's nextn(n);
  // any length from 2n - 1 gives the same autocovariances).
  std::size_t size = 1;
  while (size < 2 * n) size <<= 1;
  std::vector<std::complex<double>> a(size, 0.0);
  for (std::size_t i = 0; i < n; ++i) a[i] = x[i] - m;
  fft(a, -1);
  for (auto& v : a) v = std::norm(v);
  fft(a, 1);
  // Scaled so that lag 0 is the variance with divisor n (as posterior does).
  double var0 = 0;
  for (double v : x) var0 += (v - m) * (v - m);
  var0 /= static_cast<double>(n);
  if (a[0].real() == 0) return out;
  for (std::size_t t = 0; t < n; ++t) out[t] = a[t].real() / a[0].real() * var0;
  return out;
}

double quantile_sorted(const std::vector<double>& s, double p) {
  if (s.empty()) return NAN;
  double index = p * static_cast<double>(s.size() - 1);
  auto lo = static_cast<std::size_t>(std::floor(index));
  auto hi = static_cast<std::size_t>(std::ceil(index));
  double q = s[lo];
  if (index > static_cast<double>(lo) && s[hi] != q) {
    double h = index - static_cast<double>(lo);
    q = (1 - h) * q + h * s[hi];
  }
  return q;
}

double quantile(const ChainDraws& x, double p) {
  std::vector<double> all = pooled(x);
  std::sort(all.begin(), all.end());
  return quantile_sorted(all, p);
}

double rhat(const ChainDraws& x) {
  double bulk = rhat_of(z_scale(split(x)));
  double tail = rhat_of(z_scale(split(fold(x))));
  if (std::isnan(bulk) || std::isnan(tail)) return NAN;
  return std::max(bulk, tail);
}

double rhat_basic(const ChainDraws& x, bool s) { return rhat_of(s ? split(x) : x); }
double ess_basic(const ChainDraws& x, bool s) { return ess_of(s ? split(x) : x); }
double ess_bulk(const ChainDraws& x) { return ess_of(z_scale(split(x))); }
double ess_mean(const ChainDraws& x) { return ess_of(split(x)); }

double ess_sd(const ChainDraws& x) {
  double m = mean_of(pooled(x));
  Columns d = x;
  for (auto& c : d)
    for (double& v : c) v = std::abs(v - m);
  return ess_of(split(d));
}

double ess_quantile(const ChainDraws& x, double p) {
  if (returns_na(x)) return NAN;
  if (p == 1) {
    double len = static_cast<double>(count(x));
    p = (len - 0.5) / len;
  }
  return ess_of(split(indicator(x, p)));
}

double ess_tail(const ChainDraws& x) {
  double lo = ess_quantile(x, 0.05), hi = ess_quantile(x, 0.95);
  if (std::isnan(lo) || std::isnan(hi)) return NAN;
  return std::min(lo, hi);
}

double mcse_mean(const ChainDraws& x) {
  return std::sqrt(var_of(pooled(x))) / std::sqrt(ess_mean(x));
}

double mcse_sd(const ChainDraws& x) {
  double m = mean_of(pooled(x));
  Columns sq = x;
  for (auto& c : sq)
    for (double& v : c) v = (v - m) * (v - m);
  double ess = ess_mean(sq);
  std::vector<double> all = pooled(sq);
  double e_var = mean_of(all), fourth = 0;
  for (double v : all) fourth += v * v;
  fourth /= static_cast<double>(all.size());
  double varvar = (fourth - e_var * e_var) / ess;
  return std::sqrt(varvar / e_var / 4);
}

double mcse_quantile(const ChainDraws& x, double p) {
  double ess = ess_quantile(x, p);
  if (std::isnan(ess)) return NAN;
  boost::math::beta_distribution<double> b(ess * p + 1, ess * (1 - p) + 1);
  double a1 = boost::math::quantile(b, 0.1586553), a2 = boost::math::quantile(b, 0.8413447);
  std::vector<double> s = pooled(x);
  std::sort(s.begin(), s.end());
  const double S = static_cast<double>(s.size());
  auto i1 = static_cast<std::size_t>(std::max(std::floor(a1 * S), 1.0));
  auto i2 = static_cast<std::size_t>(std::min(std::ceil(a2 * S), S));
  return (s[i2 - 1] - s[i1 - 1]) / 2;
}

double weighted_mean(const std::vector<double>& x, const std::vector<double>& w) {
  double m = 0;
  for (std::size_t i = 0; i < x.size(); ++i) m += w[i] * x[i];
  return m;
}

double weighted_sd(const std::vector<double>& x, const std::vector<double>& w) {
  double m = weighted_mean(x, w), v = 0;
  for (std::size_t i = 0; i < x.size(); ++i) v += w[i] * (x[i] - m) * (x[i] - m);
  return std::sqrt(v);
}

double weighted_quantile(const std::vector<double>& x, const std::vector<double>& w, double p) {
  std::vector<std::size_t> order(x.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return x[a] < x[b]; });
  double below = 0, last_mid = 0, last_x = x.empty() ? NAN : x[order[0]];
  for (std::size_t k = 0; k < order.size(); ++k) {
    std::size_t i = order[k];
    double mid = below + w[i] / 2;
    if (p <= mid) {
      if (k == 0 || mid == last_mid) return x[i];
      return last_x + (x[i] - last_x) * (p - last_mid) / (mid - last_mid);
    }
    below += w[i], last_mid = mid, last_x = x[i];
  }
  return last_x;
}

double weighted_mcse_mean(const std::vector<double>& x, const std::vector<double>& w) {
  double m = weighted_mean(x, w), v = 0;
  for (std::size_t i = 0; i < x.size(); ++i) v += w[i] * w[i] * (x[i] - m) * (x[i] - m);
  return std::sqrt(v);
}

double weighted_mcse_sd(const std::vector<double>& x, const std::vector<double>& w) {
  double m = weighted_mean(x, w), s2 = 0;
  for (std::size_t i = 0; i < x.size(); ++i) s2 += w[i] * (x[i] - m) * (x[i] - m);
  double v = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    double d = (x[i] - m) * (x[i] - m) - s2;
    v += w[i] * w[i] * d * d;
  }
  return std::sqrt(v) / (2 * std::sqrt(s2));
}

double weighted_mcse_quantile(const std::vector<double>& x, const std::vector<double>& w,
                              double p) {
  double ess = importance_ess(w);
  boost::math::beta_distribution<double> b(ess * p + 1, ess * (1 - p) + 1);
  double a1 = boost::math::quantile(b, 0.1586553), a2 = boost::math::quantile(b, 0.8413447);
  return (weighted_quantile(x, w, a2) - weighted_quantile(x, w, a1)) / 2;
}

double importance_ess(const std::vector<double>& w) {
  double s = 0;
  for (double x : w) s += x * x;
  return 1 / s;
}

Diagnostics diagnose(const ChainDraws& x) {
  Diagnostics d;
  std::vector<double> all = pooled(x);
  d.mean = mean_of(all);
  d.sd = all.size() > 1 ? std::sqrt(var_of(all)) : NAN;
  d.rhat = rhat(x);
  d.ess_bulk = ess_bulk(x);
  d.ess_tail = ess_tail(x);
  d.mcse_mean = mcse_mean(x);
  d.mcse_sd = mcse_sd(x);
  return d;
}

}  // namespace bayes::sample
