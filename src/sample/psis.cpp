// Pareto-smoothed importance sampling, as loo 2.5's psis(): the largest
// M = ceil(min(S / 5, 3 sqrt(S))) ratios are replaced by the quantiles of a
// generalised Pareto distribution fitted to them (Zhang & Stephens 2009,
// with a weakly informative prior on k), and no weight exceeds the largest
// raw one.
#include "sample/psis.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace bayes::sample {

namespace {

struct Gpd {
  double k = INFINITY, sigma = NAN;
};

// The generalised Pareto fit of sorted exceedances x (Zhang & Stephens 2009).
Gpd gpd_fit(const std::vector<double>& x) {
  const std::size_t N = x.size();
  const double prior = 3;
  const std::size_t M = 30 + static_cast<std::size_t>(std::floor(std::sqrt(double(N))));
  const double xstar = x[static_cast<std::size_t>(std::floor(double(N) / 4 + 0.5)) - 1];
  std::vector<double> theta(M), l_theta(M);
  for (std::size_t j = 0; j < M; ++j) {
    theta[j] = 1 / x[N - 1] + (1 - std::sqrt(double(M) / (double(j + 1) - 0.5))) / prior / xstar;
    // The profile log likelihood, N * lx(theta, x).
    double a = -theta[j], k = 0;
    for (double xi : x) k += std::log1p(a * xi);
    k /= double(N);
    l_theta[j] = double(N) * (std::log(a / k) - k - 1);
  }
  double top = *std::max_element(l_theta.begin(), l_theta.end());
  double sum = 0;
  for (double l : l_theta) sum += std::exp(l - top);
  double lse = top + std::log(sum);
  double theta_hat = 0;
  for (std::size_t j = 0; j < M; ++j) theta_hat += theta[j] * std::exp(l_theta[j] - lse);
  double k = 0;
  for (double xi : x) k += std::log1p(-theta_hat * xi);
  k /= double(N);
  Gpd g;
  g.sigma = -k / theta_hat;
  const double a = 10;  // k shrunk towards 0.5 (loo's adjust_k_wip)
  k = k * double(N) / (double(N) + a) + a * 0.5 / (double(N) + a);
  g.k = std::isnan(k) ? INFINITY : k;
  return g;
}

double gpd_quantile(double p, double k, double sigma) {
  if (std::isnan(sigma) || sigma <= 0) return NAN;
  return sigma * std::expm1(-k * std::log1p(-p)) / k;
}

}  // namespace

Psis psis(const std::vector<double>& log_ratios) {
  const std::size_t S = log_ratios.size();
  Psis out;
  out.khat = INFINITY;
  if (S == 0) return out;
  const double top = *std::max_element(log_ratios.begin(), log_ratios.end());
  std::vector<double> lw(S);
  for (std::size_t i = 0; i < S; ++i) lw[i] = log_ratios[i] - top;
  const auto tail_len =
      static_cast<std::size_t>(std::ceil(std::min(0.2 * double(S), 3 * std::sqrt(double(S)))));
  if (tail_len >= 5 && tail_len < S) {
    std::vector<std::size_t> order(S);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::size_t a, std::size_t b) { return lw[a] < lw[b]; });
    const std::size_t first = S - tail_len;
    std::vector<double> tail(tail_len);
    for (std::size_t i = 0; i < tail_len; ++i) tail[i] = lw[order[first + i]];
    if (std::abs(tail.back() - tail.front()) >= 2.220446049250313e-16 / 100) {
      const double cutoff = lw[order[first - 1]];
      const double exp_cutoff = std::exp(cutoff);
      std::vector<double> x(tail_len);
      for (std::size_t i = 0; i < tail_len; ++i) x[i] = std::exp(tail[i]) - exp_cutoff;
      Gpd g = gpd_fit(x);
      out.khat = g.k;
      if (std::isfinite(g.k))
        for (std::size_t i = 0; i < tail_len; ++i) {
          double p = (double(i + 1) - 0.5) / double(tail_len);
          lw[order[first + i]] = std::log(gpd_quantile(p, g.k, g.sigma) + exp_cutoff);
        }
    }
  }
  for (double& w : lw) w = std::min(w, 0.0) + top;
  out.log_weights = std::move(lw);
  return out;
}

std::vector<double> normalised(const std::vector<double>& log_weights) {
  double top = -INFINITY;
  for (double l : log_weights) top = std::max(top, l);
  std::vector<double> w(log_weights.size());
  double sum = 0;
  for (std::size_t i = 0; i < w.size(); ++i) sum += w[i] = std::exp(log_weights[i] - top);
  for (double& x : w) x /= sum;
  return w;
}

}  // namespace bayes::sample
