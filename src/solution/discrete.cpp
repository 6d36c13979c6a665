#include "solution/discrete.hpp"

#include <algorithm>
#include <cmath>
#include <random>

namespace bayes::solution {

ClosedForm discrete_marginal(const std::vector<double>& vals,
                             const std::vector<std::vector<double>>& probs, bool scalar) {
  ClosedForm cf;
  const std::size_t K = vals.size(), rows = probs.size();
  bool categorical = vals.front() == 1 && vals.back() == static_cast<double>(K);
  cf.family = categorical ? "Categorical" : "Discrete";
  if (!categorical) cf.params.push_back({"values", Value::vector(vals, true)});
  std::vector<double> means(rows), sds(rows), modes(rows), flat(rows * K);
  for (std::size_t e = 0; e < rows; ++e) {
    double mean = 0, sq = 0;
    for (std::size_t k = 0; k < K; ++k) {
      mean += probs[e][k] * vals[k], sq += probs[e][k] * vals[k] * vals[k];
      flat[k * rows + e] = probs[e][k];
    }
    means[e] = mean, sds[e] = std::sqrt(std::max(0.0, sq - mean * mean));
    modes[e] = vals[static_cast<std::size_t>(std::max_element(probs[e].begin(), probs[e].end()) -
                                             probs[e].begin())];
  }
  cf.discrete = true;
  auto cdf = [vals, probs](std::size_t e, double x) {
    double t = 0;
    for (std::size_t k = 0; k < vals.size(); ++k)
      if (vals[k] <= x) t += probs[e][k];
    return std::min(t, 1.0);
  };
  auto quantile = [vals, probs](std::size_t e, double q) {
    double t = 0;
    for (std::size_t k = 0; k < vals.size(); ++k) {
      t += probs[e][k];
      if (t >= q * (1 - 1e-12)) return vals[k];
    }
    return vals.back();
  };
  if (scalar) {
    const std::vector<double>& p0 = probs[0];
    cf.params.push_back({"probs", Value::vector(p0)});
    cf.mean = Value::scalar(means[0]);
    cf.sd = Value::scalar(sds[0]);
    cf.mode = Value::scalar(modes[0], true);
    cf.cdf = [cdf](double x) { return cdf(0, x); };
    cf.quantile = [quantile](double q) { return quantile(0, q); };
    cf.sample = [vals, p0](dist::Rng& rng) {
      std::discrete_distribution<std::size_t> d(p0.begin(), p0.end());
      return Value::scalar(vals[d(rng)], true);
    };
    cf.lpdf = [vals, p0](const Value& x) -> double {
      for (std::size_t k = 0; k < vals.size(); ++k)
        if (vals[k] == x[0]) return std::log(p0[k]);
      return -INFINITY;
    };
  } else {
    // Each element's own probabilities (rows = elements), as the numeric
    // engine reports summed-out labels.
    cf.params.push_back({"probs", Value::matrix(rows, K, flat)});
    cf.mean = Value::vector(means);
    cf.sd = Value::vector(sds);
    cf.mode = Value::vector(modes, true);
    cf.element_cdf = cdf;
    cf.element_quantile = quantile;
  }
  return cf;
}

}  // namespace bayes::solution
