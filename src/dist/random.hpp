// Draws from the standard distributions, by algorithms of our own on the
// 64-bit Mersenne Twister (whose stream the C++ standard fixes): the same seed
// gives the same draws with every compiler and C++ library. The library's own
// distributions (std::normal_distribution, std::gamma_distribution, ...) are
// each library's choice of algorithm, so libstdc++ (the native build) and
// libc++ (the browser build) would print different Monte Carlo answers.
// The algorithms use only +, *, /, sqrt, exp, log, log1p, pow and lgamma.
#pragma once

#include <cstddef>
#include <random>
#include <span>
#include <vector>

namespace bayes::dist {

using Rng = std::mt19937_64;

namespace random {

double uniform(Rng& rng);       // in [0, 1), 53 random bits
double uniform_open(Rng& rng);  // in (0, 1), never 0 or 1
double normal(Rng& rng);        // standard normal (Marsaglia's polar method)
double exponential(Rng& rng);   // Exponential(1)
// Gamma(shape, 1) (Marsaglia & Tsang 2000; shape < 1 as G_{a+1} U^{1/a}).
double gamma(Rng& rng, double shape);
// Poisson(mean): multiplication of uniforms below mean 12, else Hörmann's
// transformed rejection PTRS (1993).
long long poisson(Rng& rng, double mean);
// Binomial(n, p): inversion where n min(p, 1 - p) < 14, else Hörmann's BTRS (1993).
long long binomial(Rng& rng, long long n, double p);
// A whole number in [lo, hi], each equally likely (rejection, no modulo bias).
long long uniform_int(Rng& rng, long long lo, long long hi);
// An index i with probability weights[i] / sum(weights) (weights >= 0, sum > 0).
std::size_t discrete(Rng& rng, std::span<const double> weights);
// The same from the weights' running sums, made once for many draws
// (cumulative(weights)): a binary search per draw.
std::vector<double> cumulative(std::span<const double> weights);
std::size_t discrete_cumulative(Rng& rng, std::span<const double> sums);

}  // namespace random
}  // namespace bayes::dist
