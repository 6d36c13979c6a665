#include "dist/random.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

namespace bayes::dist::random {

double uniform(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

double uniform_open(Rng& rng) { return (static_cast<double>(rng() >> 11) + 0.5) * 0x1.0p-53; }

// One of the polar method's pair; the other is dropped, so a draw depends on
// the stream alone and not on a value kept from an earlier call.
double normal(Rng& rng) {
  for (;;) {
    const double x = 2.0 * uniform(rng) - 1.0, y = 2.0 * uniform(rng) - 1.0;
    const double s = x * x + y * y;
    if (s > 0.0 && s < 1.0) return x * std::sqrt(-2.0 * std::log(s) / s);
  }
}

double exponential(Rng& rng) { return -std::log(uniform_open(rng)); }

double gamma(Rng& rng, double shape) {
  if (!(shape > 0.0)) return std::numeric_limits<double>::quiet_NaN();
  if (shape < 1.0) return gamma(rng, shape + 1.0) * std::pow(uniform_open(rng), 1.0 / shape);
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    const double x = normal(rng);
    double v = 1.0 + c * x;
    if (v <= 0.0) continue;
    v = v * v * v;
    const double u = uniform_open(rng), x2 = x * x;
    if (u < 1.0 - 0.0331 * x2 * x2) return d * v;
    if (std::log(u) < 0.5 * x2 + d * (1.0 - v + std::log(v))) return d * v;
  }
}

long long poisson(Rng& rng, double mean) {
  if (!(mean >= 0.0) || !std::isfinite(mean)) return -1;
  if (mean < 12.0) {
    const double limit = std::exp(-mean);
    long long k = 0;
    double product = uniform(rng);
    while (product > limit) {
      ++k;
      product *= uniform(rng);
    }
    return k;
  }
  const double root = std::sqrt(mean), log_mean = std::log(mean);
  const double b = 0.931 + 2.53 * root, a = -0.059 + 0.02483 * b;
  const double inv_alpha = 1.1239 + 1.1328 / (b - 3.4), vr = 0.9277 - 3.6224 / (b - 2.0);
  for (;;) {
    const double u = uniform(rng) - 0.5, v = uniform_open(rng), us = 0.5 - std::fabs(u);
    const double k = std::floor((2.0 * a / us + b) * u + mean + 0.43);
    if (us >= 0.07 && v <= vr) return static_cast<long long>(k);
    if (k < 0.0 || (us < 0.013 && v > us)) continue;
    if (std::log(v) + std::log(inv_alpha) - std::log(a / (us * us) + b) <=
        -mean + k * log_mean - std::lgamma(k + 1.0))
      return static_cast<long long>(k);
  }
}

long long binomial(Rng& rng, long long n, double p) {
  if (n <= 0 || !(p > 0.0)) return 0;
  if (p >= 1.0) return n;
  if (p > 0.5) return n - binomial(rng, n, 1.0 - p);
  const double q = 1.0 - p, nd = static_cast<double>(n), np = nd * p;
  if (np < 14.0) {
    // Inversion: the cdf walked from 0, by the ratio of successive terms.
    const double start = std::exp(nd * std::log1p(-p));
    const double bound = std::min(nd, np + 10.0 * std::sqrt(np * q + 1.0));
    for (;;) {
      double u = uniform(rng), px = start;
      long long x = 0;
      while (u > px) {
        ++x;
        if (static_cast<double>(x) > bound) break;
        u -= px;
        px *= (nd - static_cast<double>(x) + 1.0) * p / (static_cast<double>(x) * q);
      }
      if (static_cast<double>(x) <= bound) return x;
    }
  }
  const double spq = std::sqrt(np * q), b = 1.15 + 2.53 * spq;
  const double a = -0.0873 + 0.0248 * b + 0.01 * p, c = np + 0.5, vr = 0.92 - 4.2 / b;
  const double alpha = (2.83 + 5.1 / b) * spq, lpq = std::log(p / q);
  const double m = std::floor((nd + 1.0) * p);
  const double h = std::lgamma(m + 1.0) + std::lgamma(nd - m + 1.0);
  for (;;) {
    const double u = uniform(rng) - 0.5, us = 0.5 - std::fabs(u);
    double v = uniform_open(rng);
    const double k = std::floor((2.0 * a / us + b) * u + c);
    if (k < 0.0 || k > nd) continue;
    if (us >= 0.07 && v <= vr) return static_cast<long long>(k);
    v = std::log(v * alpha / (a / (us * us) + b));
    if (v <= h - std::lgamma(k + 1.0) - std::lgamma(nd - k + 1.0) + (k - m) * lpq)
      return static_cast<long long>(k);
  }
}

long long uniform_int(Rng& rng, long long lo, long long hi) {
  if (hi <= lo) return lo;
  const std::uint64_t span = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  if (span == std::numeric_limits<std::uint64_t>::max())
    return static_cast<long long>(static_cast<std::uint64_t>(lo) + rng());
  const std::uint64_t count = span + 1;
  // The largest multiple of count the generator reaches: draws above it are
  // redrawn so that every remainder is equally likely.
  const std::uint64_t limit =
      std::numeric_limits<std::uint64_t>::max() - std::numeric_limits<std::uint64_t>::max() % count;
  std::uint64_t x = rng();
  while (x >= limit) x = rng();
  return static_cast<long long>(static_cast<std::uint64_t>(lo) + x % count);
}

std::vector<double> cumulative(std::span<const double> weights) {
  std::vector<double> sums(weights.size());
  double sum = 0.0;
  for (std::size_t i = 0; i < weights.size(); ++i) sums[i] = sum += std::max(weights[i], 0.0);
  return sums;
}

std::size_t discrete_cumulative(Rng& rng, std::span<const double> sums) {
  if (sums.empty()) return 0;
  const double u = uniform(rng) * sums.back();
  // The first running sum above u: a zero weight's sum equals the one
  // before it, so it is never chosen.
  auto at = std::upper_bound(sums.begin(), sums.end(), u);
  if (at == sums.end()) {  // u rounded up to the total: the last positive weight
    at = std::lower_bound(sums.begin(), sums.end(), sums.back());
  }
  return static_cast<std::size_t>(at - sums.begin());
}

std::size_t discrete(Rng& rng, std::span<const double> weights) {
  const std::vector<double> sums = cumulative(weights);
  return discrete_cumulative(rng, sums);
}

}  // namespace bayes::dist::random
