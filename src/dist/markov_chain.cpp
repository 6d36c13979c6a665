// MarkovChain(init, T): a vector of states in 1..K, the first drawn from the
// probabilities init, each next one from row T[previous state]; an extension
// for hidden Markov models (the states are summed out by the forward
// algorithm: numeric/tape_factors.cpp, enumerate/hmm.cpp).
#include <cmath>

#include "dist/families.hpp"
#include "dist/multivariate.hpp"

namespace bayes::dist {

namespace markov_chain_impl {
namespace {

using namespace detail;

std::string check_args(std::span<const Value> args) {
  if (is_empty_vector(args, 0)) return "init must not be empty";
  const bool init_known = known(args, 0), t_known = known(args, 1);
  if (init_known) {
    if (std::string bad = check_probs(args[0].data); !bad.empty()) return "init: " + bad;
  }
  if (t_known) {
    const Value& t = args[1];
    if (t.rank != Rank::Matrix || t.rows != t.cols)
      return "T must be a square matrix, row i the probabilities of the next state after i";
    for (std::size_t r = 0; r < t.rows; ++r) {
      std::vector<double> row(t.cols);
      for (std::size_t c = 0; c < t.cols; ++c) row[c] = t.at(r, c);
      if (std::string bad = check_probs(row); !bad.empty())
        return "row " + std::to_string(r + 1) + " of T: " + bad;
    }
  }
  const std::size_t k = args[0].rows, kt = args[1].rank == Rank::Matrix ? args[1].rows : 0;
  if (k && kt && k != kt)
    return "init has " + std::to_string(k) + " states but T is " + std::to_string(kt) + "x" +
           std::to_string(kt);
  return "";
}

std::string check_outcome(std::span<const Value> args, double x) {
  if (std::string bad = outcome_in(Domain::Category, x); !bad.empty()) return bad;
  const std::size_t k = args.empty() ? 0 : args[0].rows;
  if (k && x > static_cast<double>(k))
    return shortest(x) + " is not a state of a " + std::to_string(k) + "-state MarkovChain (1.." +
           std::to_string(k) + ")";
  return "";
}

}  // namespace
}  // namespace markov_chain_impl

double markov_chain_lpmf(std::span<const double> init, const Value& t, std::span<const double> z) {
  const std::size_t k = init.size();
  double lp = 0;
  for (std::size_t i = 0; i < z.size(); ++i) {
    if (!detail::is_whole(z[i]) || z[i] < 1 || z[i] > static_cast<double>(k)) return -detail::inf;
    const auto s = static_cast<std::size_t>(z[i]) - 1;
    lp += std::log(i == 0 ? init[s] : t.at(static_cast<std::size_t>(z[i - 1]) - 1, s));
  }
  return lp;
}

const Family& markov_chain_family() {
  using namespace markov_chain_impl;
  static const Family family{
      .name = "MarkovChain",
      .params = {{"init", Domain::Simplex, Rank::Vector}, {"T", Domain::Unit, Rank::Matrix}},
      .support = Domain::Category,
      .outcome_rank = Rank::Vector,
      .discrete = true,
      .check_args = check_args,
      .check_outcome = check_outcome,
      .bounds = categories_of_first,
  };
  return family;
}

}  // namespace bayes::dist
