// Sufficient statistics of a data column, gathered in one streaming pass so
// that a conjugate model over a large CSV column never holds the column in
// memory (the conjugate rules and the log likelihood read these instead).
#pragma once

#include <cmath>
#include <cstddef>
#include <map>

namespace bayes::data {

struct Summary {
  std::size_t n = 0;
  bool integer = true;
  double min = INFINITY, max = -INFINITY;
  double sum = 0;  // exact for whole numbers below 2^53 in total
  // The mean and the sum of squared deviations m2 = sum (x - mean)^2, by
  // Welford's running update on x - shift (shift: the first value), so that
  // neither a large offset nor cancellation costs digits.
  double shift = 0, mean_shifted = 0, m2 = 0;
  // The distinct values and their counts while there are at most kDistinct
  // of them (whole-number data: Bernoulli, counts); `counts_complete` false
  // after that. Exact sums of any function of the data come from these.
  static constexpr std::size_t kDistinct = 256;
  std::map<double, std::size_t> counts;
  bool counts_complete = true;

  void add(double x) {
    ++n;
    if (integer && !(std::fabs(x) < 0x1p52 && std::floor(x) == x)) integer = false;
    if (x < min) min = x;
    if (x > max) max = x;
    sum += x;
    if (n == 1) shift = x;
    double y = x - shift, d = y - mean_shifted;
    mean_shifted += d / static_cast<double>(n);
    m2 += d * (y - mean_shifted);
    if (counts_complete) {
      ++counts[x];
      if (counts.size() > kDistinct) counts_complete = false, counts.clear();
    }
  }

  // sum over the data of f(x), from the counts (counts_complete must hold).
  template <class F>
  double sum_of(F&& f) const {
    double total = 0;
    for (const auto& [x, k] : counts) total += static_cast<double>(k) * f(x);
    return total;
  }

  double mean() const { return shift + mean_shifted; }

  // sum (x - m)^2
  double squares_about(double m) const {
    double d = mean_shifted - (m - shift);
    return m2 + static_cast<double>(n) * d * d;
  }
};

}  // namespace bayes::data
