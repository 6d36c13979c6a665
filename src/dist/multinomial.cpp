// Multinomial(n, probs): counts of n Categorical(probs) draws; log pmf and sampler
// in multivariate.hpp.
#include <cmath>

#include "dist/families.hpp"
#include "dist/multivariate.hpp"

namespace bayes::dist {
namespace multinomial_impl {
namespace {

using namespace detail;

// n a whole number >= 0 and probs a probability vector.
std::string check_args(std::span<const Value> args) {
  if (auto n = known_scalar(args, 0); n && !in_domain(Domain::Count, *n)) {
    return "n = " + shortest(*n) + " must be a whole number of trials (0, 1, 2, ...)";
  }
  if (known(args, 1) || is_empty_vector(args, 1)) return check_probs(args[1].data);
  return "";
}

// One element of an observed count vector.
std::string check_outcome(std::span<const Value> args, double x) {
  if (std::string bad = outcome_in(Domain::Count, x); !bad.empty()) return bad;
  if (auto n = known_scalar(args, 0); n && x > *n) {
    return shortest(x) + " is more than the " + shortest(*n) + " trials of Multinomial(" +
           shortest(*n) + ", probs)";
  }
  return "";
}

// A whole observed count vector: its counts add up to the n trials.
std::string check_vector_outcome(std::span<const Value> args, std::span<const double> x) {
  auto n = known_scalar(args, 0);
  if (!n) return "";
  double total = 0.0;
  for (double c : x) total += c;
  if (total != *n) return "the counts sum to " + shortest(total) + ", not n = " + shortest(*n);
  return "";
}

// Each count in 0..n.
Bounds bounds(std::span<const Value> args) { return {0.0, known_max(args, 0).value_or(inf)}; }

}  // namespace
}  // namespace multinomial_impl

// log n! - sum log counts_i! + sum counts_i log probs_i (a zero count adds nothing).
double multinomial_lpmf(std::span<const double> probs, std::span<const double> counts) {
  using namespace multinomial_impl;
  if (!check_probs(probs).empty() || counts.size() != probs.size()) return nan;
  double n = 0.0, lp = 0.0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    const double c = counts[i];
    if (std::isnan(c)) return nan;
    if (!in_domain(Domain::Count, c)) return -inf;
    n += c;
    if (c == 0.0) continue;
    if (probs[i] == 0.0) return -inf;
    lp += c * std::log(probs[i]) - std::lgamma(c + 1.0);
  }
  return lp + std::lgamma(n + 1.0);
}

// Category by category: counts_i ~ Binomial(n left, probs_i / mass left).
std::vector<double> multinomial_sample(double n, std::span<const double> probs, Rng& rng) {
  using namespace multinomial_impl;
  std::vector<double> counts(probs.size(), nan);
  if (!check_probs(probs).empty() || !in_domain(Domain::Count, n)) return counts;
  long long left = static_cast<long long>(n);
  double mass = 1.0;
  for (std::size_t i = 0; i < probs.size(); ++i) {
    long long c = 0;
    if (i + 1 == probs.size()) {
      c = left;
    } else if (left > 0 && probs[i] > 0.0) {
      const double q = mass > 0.0 ? std::min(1.0, probs[i] / mass) : 1.0;
      c = random::binomial(rng, left, q);
    }
    counts[i] = static_cast<double>(c);
    left -= c;
    mass -= probs[i];
  }
  return counts;
}

double multinomial_lpmf_grad(std::span<const double> probs, std::span<const double> counts,
                             std::span<double> dprobs) {
  using namespace multinomial_impl;
  const double lp = multinomial_lpmf(probs, counts);
  if (!std::isfinite(lp)) return lp;
  for (std::size_t i = 0; i < probs.size(); ++i)
    if (counts[i] > 0) dprobs[i] += counts[i] / probs[i];
  return lp;
}

const Family& multinomial_family() {
  using namespace multinomial_impl;
  static const Family family{
      .name = "Multinomial",
      .params = {{"n", Domain::Count, Rank::Scalar}, {"probs", Domain::Simplex, Rank::Vector}},
      .support = Domain::CountVector,
      .outcome_rank = Rank::Vector,
      .discrete = true,
      .check_args = check_args,
      .check_outcome = check_outcome,
      .check_vector_outcome = check_vector_outcome,
      .bounds = bounds,
  };
  return family;
}

}  // namespace bayes::dist
