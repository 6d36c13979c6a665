// Categorical(probs) on 1..K: one draw of a K-way choice; log pmf and sampler in
// multivariate.hpp (the probs are a vector, so no scalar numerics in the table).
#include <cmath>

#include "dist/families.hpp"
#include "dist/multivariate.hpp"

namespace bayes::dist {

namespace detail {

std::string check_probs(std::span<const double> probs) {
  if (probs.empty()) return "probs must not be empty";
  double sum = 0.0;
  for (std::size_t i = 0; i < probs.size(); ++i) {
    if (!in_domain(Domain::Unit, probs[i])) {
      return "probs[" + std::to_string(i + 1) + "] = " + shortest(probs[i]) + " is not in [0, 1]";
    }
    sum += probs[i];
  }
  if (std::abs(sum - 1.0) > 1e-8) return "probs sum to " + shortest(sum) + ", not 1";
  return "";
}

Bounds categories_of_first(std::span<const Value> args) {
  if (!args.empty() && args[0].rank != Rank::Scalar && args[0].rows > 0)
    return {1.0, static_cast<double>(args[0].rows)};
  return {1.0, inf};
}

}  // namespace detail

namespace categorical_impl {
namespace {

using namespace detail;

std::string check_args(std::span<const Value> args) {
  if (is_empty_vector(args, 0)) return "probs must not be empty";
  if (!known(args, 0)) return "";
  return check_probs(args[0].data);
}

// With the probs unknown only "a positive whole number" can be checked, unless
// the unknown Value carries the length K in `rows` (a vector without data).
std::string check_outcome(std::span<const Value> args, double x) {
  if (std::string bad = outcome_in(Domain::Category, x); !bad.empty()) return bad;
  std::size_t ways = 0;
  if (known(args, 0)) {
    ways = args[0].size();
  } else if (!args.empty() && args[0].rank == Rank::Vector) {
    ways = args[0].rows;
  }
  if (ways > 0 && x > static_cast<double>(ways)) {
    const std::string k = std::to_string(ways);
    return shortest(x) + " is not a category of a " + k + "-way Categorical (1.." + k + ")";
  }
  return "";
}

}  // namespace
}  // namespace categorical_impl

double categorical_lpmf(std::span<const double> probs, double k) {
  using namespace categorical_impl;
  if (!check_probs(probs).empty()) return nan;
  return categorical_lpmf_checked(probs, k);
}

double categorical_lpmf_checked(std::span<const double> probs, double k) {
  using namespace categorical_impl;
  if (std::isnan(k)) return nan;
  if (!is_whole(k) || k < 1.0 || k > static_cast<double>(probs.size())) return -inf;
  return std::log(probs[static_cast<std::size_t>(k) - 1]);
}

double categorical_sample(std::span<const double> probs, Rng& rng) {
  using namespace categorical_impl;
  if (!check_probs(probs).empty()) return nan;
  double sum = 0.0;
  for (double p : probs) sum += p;
  const double u = uniform_open(rng) * sum;
  double acc = 0.0;
  for (std::size_t i = 0; i < probs.size(); ++i) {
    acc += probs[i];
    if (u < acc) return static_cast<double>(i + 1);
  }
  // Rounding left u at the very top: the last category with positive mass.
  std::size_t last = probs.size();
  while (last > 1 && probs[last - 1] == 0.0) --last;
  return static_cast<double>(last);
}

double categorical_lpmf_grad(std::span<const double> probs, double k, std::span<double> dprobs) {
  using namespace categorical_impl;
  const double lp = categorical_lpmf(probs, k);
  if (std::isfinite(lp))
    dprobs[static_cast<std::size_t>(k) - 1] += 1 / probs[static_cast<std::size_t>(k) - 1];
  return lp;
}

const Family& categorical_family() {
  using namespace categorical_impl;
  static const Family family{
      .name = "Categorical",
      .params = {{"probs", Domain::Simplex, Rank::Vector}},
      .support = Domain::Category,
      .outcome_rank = Rank::Scalar,
      .discrete = true,
      .check_args = check_args,
      .check_outcome = check_outcome,
      .bounds = categories_of_first,
  };
  return family;
}

}  // namespace bayes::dist
