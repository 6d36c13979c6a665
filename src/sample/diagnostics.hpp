// Convergence diagnostics of Markov chains: receives the draws of one scalar
// (chains x iterations) and produces rank-normalised split R-hat, bulk and
// tail effective sample sizes, and the Monte Carlo standard errors of the
// mean, the sd and quantiles (Vehtari, Gelman, Simpson, Carpenter & Bürkner
// 2021), defined exactly as R's `posterior` package 1.4 computes them, so
// that the numbers can be compared with it. Where `posterior` answers NA
// (a constant column, a non-finite draw, fewer than 3 iterations) these
// answer NaN.
#pragma once

#include <vector>

namespace bayes::sample {

// draws[c][i]: iteration i of chain c; every chain has the same length.
using ChainDraws = std::vector<std::vector<double>>;

// The autocovariances of one series at lags 0..n-1, divided by n (by FFT).
std::vector<double> autocovariance(const std::vector<double>& x);

// The quantile of the pooled draws at p, as R's quantile(type = 7).
double quantile(const ChainDraws& x, double p);
// ... of sorted values.
double quantile_sorted(const std::vector<double>& sorted, double p);

double rhat(const ChainDraws& x);  // max of bulk and tail (folded) rank-normalised split R-hat
double rhat_basic(const ChainDraws& x, bool split = true);
double ess_basic(const ChainDraws& x, bool split = true);
double ess_bulk(const ChainDraws& x);
double ess_tail(const ChainDraws& x);  // min of the 5 % and 95 % quantiles' ESS
double ess_mean(const ChainDraws& x);
double ess_sd(const ChainDraws& x);
double ess_quantile(const ChainDraws& x, double p);
double mcse_mean(const ChainDraws& x);
double mcse_sd(const ChainDraws& x);
double mcse_quantile(const ChainDraws& x, double p);

// Self-normalised importance sampling: draws x with weights w summing to 1.
// The Monte Carlo errors are the delta method's; the ESS is 1 / sum w^2.
double weighted_mean(const std::vector<double>& x, const std::vector<double>& w);
double weighted_sd(const std::vector<double>& x, const std::vector<double>& w);
// The inverse of the weighted empirical cdf, interpolated between the
// draws' midpoints (R's type 5 when the weights are equal).
double weighted_quantile(const std::vector<double>& x, const std::vector<double>& w, double p);
double weighted_mcse_mean(const std::vector<double>& x, const std::vector<double>& w);
double weighted_mcse_sd(const std::vector<double>& x, const std::vector<double>& w);
double weighted_mcse_quantile(const std::vector<double>& x, const std::vector<double>& w, double p);
double importance_ess(const std::vector<double>& w);

// What is reported beside a sampled number.
struct Diagnostics {
  double mean = 0, sd = 0;
  double rhat = 0, ess_bulk = 0, ess_tail = 0;
  double mcse_mean = 0, mcse_sd = 0;
};
Diagnostics diagnose(const ChainDraws& x);

}  // namespace bayes::sample
