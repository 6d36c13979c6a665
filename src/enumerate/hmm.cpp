// Hidden Markov models with everything but the states known: z ~
// MarkovChain(init, T) (init and T data) and observations whose arguments
// read z[t] elementwise. Exact, in log space: the forward algorithm for the
// evidence, forward-backward for each state's marginal (posterior(z)), the
// Viterbi algorithm for the most probable path (map(z)), and each element's
// most likely state alone for mle(z) (Rabiner, "A tutorial on hidden Markov
// models", Proc. IEEE 77, 1989, sections III.A-B).
#include <algorithm>
#include <cmath>
#include <random>

#include "density/log_density.hpp"
#include "dist/random.hpp"
#include "enumerate/enumerate.hpp"
#include "expr/eval.hpp"
#include "format/format.hpp"
#include "graph/view.hpp"
#include "patterns/patterns.hpp"
#include "solution/discrete.hpp"

namespace bayes::enumerate {

namespace {

double hmm_log_sum_exp(const std::vector<double>& v) {
  const double mx = *std::max_element(v.begin(), v.end());
  if (!std::isfinite(mx)) return mx;
  double s = 0;
  for (double x : v) s += std::exp(x - mx);
  return mx + std::log(s);
}

}  // namespace

std::optional<solution::Solution> solve_hmm(const Model& m, const graph::FactorGraph& g,
                                            const graph::Component& c, std::string& why) {
  if (c.params.size() != 1) return std::nullopt;
  const std::size_t zp = c.params[0];
  const ParamVar& z = m.params[zp];
  const Prior& prior = m.priors[z.prior];
  if (prior.family != &dist::markov_chain_family()) return std::nullopt;
  if (!patterns::fixed_args(prior)) {
    why = "the MarkovChain of '" + z.name + "' has parameters in init or T";
    return std::nullopt;
  }
  const Value init = patterns::eval_data(m, *prior.args[0]);
  const Value trans = patterns::eval_data(m, *prior.args[1]);
  const std::size_t K = init.size(), N = z.type.rows;
  // Three N x K tables (forward, backward, Viterbi) and the K^2 transitions.
  if (static_cast<double>(N) * static_cast<double>(K) > 2e7 || K > 5000) {
    why = "the chain of '" + z.name + "' has " + std::to_string(N) + " states of " +
          std::to_string(K) + " values: more than the 2 x 10^7 the forward algorithm keeps";
    return std::nullopt;
  }
  graph::ComponentView v = graph::view(g, c);
  if (!v.terms.empty()) {
    why = "a 'factor' term on '" + z.name + "'";
    return std::nullopt;
  }
  // e[t][k]: log p(the observations of element t | z[t] = k), each
  // observation evaluated with every element of z set to k.
  std::vector<std::vector<double>> e(N, std::vector<double>(K, 0.0));
  for (auto oi : v.observations) {
    const Observation& o = m.observations[oi];
    if (o.family->outcome_rank != Rank::Scalar || !o.family->lpdf || o.value.size() != N) {
      why = "'" + o.text + "' does not observe one value for each element of '" + z.name + "'";
      return std::nullopt;
    }
    std::vector<Value> values(m.params.size());
    for (std::size_t k = 0; k < K; ++k) {
      values[zp] = Value::vector(std::vector<double>(N, static_cast<double>(k + 1)), true);
      std::vector<Value> args;
      for (const auto& a : o.args) args.push_back(ir::eval(*a, env_of(m, values)));
      std::vector<double> one(args.size());
      for (std::size_t t = 0; t < N; ++t) {
        for (std::size_t i = 0; i < args.size(); ++i)
          one[i] = args[i].size() == 1 ? args[i][0] : args[i][t];
        e[t][k] += o.family->lpdf(one, o.value[t]);
      }
    }
  }
  auto logT = [&](std::size_t j, std::size_t k) { return std::log(trans.at(j, k)); };
  // Forward and backward, in log space.
  std::vector<std::vector<double>> fwd(N, std::vector<double>(K)), bwd(N, std::vector<double>(K));
  std::vector<double> scratch(K);
  for (std::size_t k = 0; k < K; ++k) fwd[0][k] = std::log(init[k]) + e[0][k];
  for (std::size_t t = 1; t < N; ++t)
    for (std::size_t k = 0; k < K; ++k) {
      for (std::size_t j = 0; j < K; ++j) scratch[j] = fwd[t - 1][j] + logT(j, k);
      fwd[t][k] = hmm_log_sum_exp(scratch) + e[t][k];
    }
  const double evidence = hmm_log_sum_exp(fwd[N - 1]);
  if (!(evidence > -INFINITY)) {
    why = "every path of '" + z.name + "' has probability 0 given the data";
    return std::nullopt;
  }
  for (std::size_t k = 0; k < K; ++k) bwd[N - 1][k] = 0;
  for (std::size_t t = N - 1; t-- > 0;)
    for (std::size_t j = 0; j < K; ++j) {
      for (std::size_t k = 0; k < K; ++k) scratch[k] = logT(j, k) + e[t + 1][k] + bwd[t + 1][k];
      bwd[t][j] = hmm_log_sum_exp(scratch);
    }
  std::vector<std::vector<double>> probs(N, std::vector<double>(K));
  for (std::size_t t = 0; t < N; ++t)
    for (std::size_t k = 0; k < K; ++k) probs[t][k] = std::exp(fwd[t][k] + bwd[t][k] - evidence);
  // Viterbi: the most probable path.
  std::vector<std::vector<double>> best(N, std::vector<double>(K));
  std::vector<std::vector<std::size_t>> from(N, std::vector<std::size_t>(K, 0));
  for (std::size_t k = 0; k < K; ++k) best[0][k] = std::log(init[k]) + e[0][k];
  for (std::size_t t = 1; t < N; ++t)
    for (std::size_t k = 0; k < K; ++k) {
      double top = -INFINITY;
      for (std::size_t j = 0; j < K; ++j)
        if (best[t - 1][j] + logT(j, k) > top) top = best[t - 1][j] + logT(j, k), from[t][k] = j;
      best[t][k] = top + e[t][k];
    }
  std::vector<double> path(N), alone(N);
  std::size_t s = static_cast<std::size_t>(
      std::max_element(best[N - 1].begin(), best[N - 1].end()) - best[N - 1].begin());
  const double path_lp = best[N - 1][s];
  for (std::size_t t = N; t-- > 0;) {
    path[t] = static_cast<double>(s + 1);
    if (t) s = from[t][s];
  }
  for (std::size_t t = 0; t < N; ++t)
    alone[t] = static_cast<double>(std::max_element(e[t].begin(), e[t].end()) - e[t].begin() + 1);

  solution::Solution sol;
  sol.rule = "hidden Markov model: forward-backward";
  sol.method = "enumeration";
  sol.log_evidence = evidence;
  std::vector<double> states(K);
  for (std::size_t k = 0; k < K; ++k) states[k] = static_cast<double>(k + 1);
  solution::ParamResult r;
  r.param = zp;
  r.posterior = solution::discrete_marginal(states, probs, false);
  r.map = Value::vector(path, true);
  r.mle = Value::vector(alone, true);
  r.mle_note = "each element's most likely state alone (the chain's prior dropped)";
  sol.params.push_back(std::move(r));
  sol.explain.push_back(
      "hidden Markov model over " + std::to_string(N) + " states of " + std::to_string(K) +
      " values: the forward algorithm sums the " +
      format::significant(std::pow(static_cast<double>(K), static_cast<double>(N))) +
      " paths exactly");
  sol.explain.push_back(
      "evidence: log p(data) = " + format::significant(evidence) +
      "; the most probable path (Viterbi) has log p(path, data) = " + format::significant(path_lp));
  // A draw of the whole path: forward filtering, backward sampling.
  sol.draw = [fwd, trans, zp, K, N](dist::Rng& rng, std::vector<Value>& out) {
    std::vector<double> zs(N), w(K);
    for (std::size_t t = N; t-- > 0;) {
      for (std::size_t k = 0; k < K; ++k)
        w[k] = fwd[t][k] +
               (t + 1 < N ? std::log(trans.at(k, static_cast<std::size_t>(zs[t + 1]) - 1)) : 0);
      const double mx = *std::max_element(w.begin(), w.end());
      for (double& x : w) x = std::exp(x - mx);
      zs[t] = static_cast<double>(dist::random::discrete(rng, w) + 1);
    }
    out[zp] = Value::vector(zs, true);
  };
  return sol;
}

}  // namespace bayes::enumerate
