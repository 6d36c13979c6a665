#include "solution/discrete.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <numeric>
#include <random>

#include "dist/random.hpp"

namespace bayes::solution {

ClosedForm discrete_marginal(const std::vector<double>& values,
                             const std::vector<std::vector<double>>& element_probs, bool scalar) {
  // In increasing order of value (the searches below need it).
  std::vector<double> vals = values;
  std::vector<std::vector<double>> probs = element_probs;
  if (!std::is_sorted(vals.begin(), vals.end())) {
    std::vector<std::size_t> order(vals.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::sort(order.begin(), order.end(), [&](auto a, auto b) { return values[a] < values[b]; });
    for (std::size_t k = 0; k < order.size(); ++k) {
      vals[k] = values[order[k]];
      for (std::size_t e = 0; e < probs.size(); ++e) probs[e][k] = element_probs[e][order[k]];
    }
  }
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
  // Per element, the cumulative probabilities: a cdf or quantile is one
  // binary search (the values are in increasing order), not a sum over them.
  auto cumulative = std::make_shared<std::vector<std::vector<double>>>(rows);
  for (std::size_t e = 0; e < rows; ++e) {
    (*cumulative)[e].resize(K);
    std::partial_sum(probs[e].begin(), probs[e].end(), (*cumulative)[e].begin());
  }
  auto cdf = [vals, cumulative](std::size_t e, double x) {
    const auto k = std::upper_bound(vals.begin(), vals.end(), x) - vals.begin();
    return k == 0 ? 0.0 : std::min((*cumulative)[e][static_cast<std::size_t>(k - 1)], 1.0);
  };
  auto quantile = [vals, cumulative](std::size_t e, double q) {
    const auto& c = (*cumulative)[e];
    const auto k = std::lower_bound(c.begin(), c.end(), q * (1 - 1e-12)) - c.begin();
    return vals[std::min(static_cast<std::size_t>(k), vals.size() - 1)];
  };
  if (scalar) {
    const std::vector<double>& p0 = probs[0];
    cf.params.push_back({"probs", Value::vector(p0)});
    cf.mean = Value::scalar(means[0]);
    cf.sd = Value::scalar(sds[0]);
    const double top = *std::max_element(p0.begin(), p0.end());
    const auto ties = std::count(p0.begin(), p0.end(), top);
    if (ties > 1)
      cf.mode_note = "not unique: " + std::to_string(ties) + " values are equally probable";
    else
      cf.mode = Value::scalar(modes[0], true);
    cf.cdf = [cdf](double x) { return cdf(0, x); };
    cf.quantile = [quantile](double q) { return quantile(0, q); };
    cf.sample = [vals, p0](dist::Rng& rng) {
      return Value::scalar(vals[dist::random::discrete(rng, p0)], true);
    };
    cf.lpdf = [vals, p0](const Value& x) -> double {
      const auto at = std::lower_bound(vals.begin(), vals.end(), x[0]);
      if (at == vals.end() || *at != x[0]) return -INFINITY;
      return std::log(p0[static_cast<std::size_t>(at - vals.begin())]);
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
