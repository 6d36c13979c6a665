// Rule: a Dirichlet prior on a probability vector theta[K] (a point of the
// simplex), observed through Categorical(theta) (outcomes 1..K) or
// Multinomial(n, theta) (count vectors), in any mix. Every such likelihood is
// prod_k theta_k^c_k with c_k the count of category k, so
// Dirichlet(alpha) -> Dirichlet(alpha + c) (Gelman et al., BDA3, sec. 3.4;
// Murphy, Machine Learning: a Probabilistic Perspective, sec. 3.4).
#include <algorithm>
#include <cmath>
#include <numeric>

#include "conjugate/rule.hpp"
#include "dist/multivariate.hpp"

namespace bayes::conjugate {

namespace dirichlet_rule {
namespace {

enum class Kind { Categorical, Multinomial };

struct Stats {
  Kind kind;
  std::size_t observation;
  std::vector<double> counts;  // per category
  double vectors = 0;          // Multinomial: count vectors (rows) seen
  double n = 0;                // Multinomial: trials of the first count vector
  bool n_varies = false;       // Multinomial: the rows have different n
  double log_coef = 0;         // sum of log n! / prod c_k! over the count vectors
  double total() const { return std::accumulate(counts.begin(), counts.end(), 0.0); }
};

// "[1, 2, 3]" with 6 significant digits.
std::string vec(const std::vector<double>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + significant(v[i]);
  return s + "]";
}

// "[1 + 13, 1 + 4]"
std::string vec_sum(const std::vector<double>& a, const std::vector<double>& b) {
  std::string s = "[";
  for (std::size_t i = 0; i < a.size(); ++i)
    s += (i ? ", " : "") + significant(a[i]) + " + " + significant(b[i]);
  return s + "]";
}

std::string element(const std::string& name, std::size_t k) {
  return name + "[" + std::to_string(k + 1) + "]";
}

// log Gamma(sum a) - sum log Gamma(a_k): minus the log of the multivariate Beta function.
double log_inv_beta(const std::vector<double>& a) {
  double sum = 0, out = 0;
  for (double x : a) sum += x, out -= std::lgamma(x);
  return out + std::lgamma(sum);
}

// The mode of Dirichlet(alpha), (alpha_k - 1) / (alpha0 - K) when every
// alpha_k > 1 (Murphy, MLPP, eq. 3.47); otherwise a note saying where the
// density is largest.
std::optional<Value> dirichlet_mode(const std::vector<double>& alpha, const std::string& name,
                                    std::string& note) {
  double alpha0 = std::accumulate(alpha.begin(), alpha.end(), 0.0);
  auto K = static_cast<double>(alpha.size());
  std::vector<std::size_t> low;
  for (std::size_t k = 0; k < alpha.size(); ++k)
    if (alpha[k] <= 1) low.push_back(k);
  if (low.empty()) {
    std::vector<double> mode(alpha.size());
    for (std::size_t k = 0; k < alpha.size(); ++k) mode[k] = (alpha[k] - 1) / (alpha0 - K);
    return Value::vector(mode);
  }
  if (std::all_of(alpha.begin(), alpha.end(), [](double a) { return a == 1; })) {
    note = "undefined: Dirichlet(1, ..., 1) is flat on the simplex";
    return std::nullopt;
  }
  std::string where, which;
  for (std::size_t i = 0; i < low.size(); ++i) {
    std::string sep = i == 0 ? "" : i + 1 == low.size() ? " or " : ", ";
    where += sep + element(name, low[i]) + " = 0";
    which += (i == 0                ? ""
              : i + 1 == low.size() ? " and "
                                    : ", ") +
             element("alpha", low[i]) + " = " + significant(alpha[low[i]]);
  }
  note = "on the boundary " + where + " (posterior " + which + (low.size() == 1 ? " is" : " are") +
         " <= 1, so the density is largest where " +
         (low.size() == 1 ? "that element is" : "one of them is") + " 0)";
  return std::nullopt;
}

// The posterior Dirichlet(alpha) as a ClosedForm: each theta_k alone is
// Beta(alpha_k, alpha0 - alpha_k) (BDA3, appendix A), which gives the sds and
// the intervals.
ClosedForm dirichlet_form(const std::vector<double>& alpha, const std::string& name) {
  ClosedForm c;
  c.dist_family = &dist::dirichlet_family();
  c.family = c.dist_family->name;
  c.params = {{"alpha", Value::vector(alpha)}};
  double alpha0 = std::accumulate(alpha.begin(), alpha.end(), 0.0);
  std::vector<double> mean(alpha.size()), sd(alpha.size());
  for (std::size_t k = 0; k < alpha.size(); ++k) {
    mean[k] = alpha[k] / alpha0;
    sd[k] = std::sqrt(alpha[k] * (alpha0 - alpha[k]) / (alpha0 * alpha0 * (alpha0 + 1)));
  }
  c.mean = Value::vector(mean);
  c.sd = Value::vector(sd);
  c.mode = dirichlet_mode(alpha, name, c.mode_note);
  const dist::Family* beta = &dist::beta_family();
  c.element_quantile = [alpha, alpha0, beta](std::size_t k, double p) {
    if (alpha.size() == 1) return 1.0;
    return beta->quantile(std::vector<double>{alpha[k], alpha0 - alpha[k]}, p);
  };
  c.element_cdf = [alpha, alpha0, beta](std::size_t k, double x) {
    if (alpha.size() == 1) return x < 1 ? 0.0 : 1.0;
    return beta->cdf(std::vector<double>{alpha[k], alpha0 - alpha[k]}, x);
  };
  c.sample = [alpha](dist::Rng& rng) { return Value::vector(dist::dirichlet_sample(alpha, rng)); };
  c.lpdf = [alpha](const Value& x) { return dist::dirichlet_lpdf(alpha, x.data); };
  return c;
}

// The predictive of one more Categorical outcome: P(k) = E[theta_k | data] =
// alpha_k / alpha0 (Murphy, MLPP, eq. 3.51). Its mean and sd are those of the
// outcome k in 1..K.
ClosedForm categorical_predictive(const std::vector<double>& probs) {
  ClosedForm c;
  c.dist_family = &dist::categorical_family();
  c.family = c.dist_family->name;
  c.params = {{"probs", Value::vector(probs)}};
  c.discrete = true;
  double mean = 0, second = 0;
  for (std::size_t k = 0; k < probs.size(); ++k) {
    auto x = static_cast<double>(k + 1);
    mean += x * probs[k], second += x * x * probs[k];
  }
  c.mean = Value::scalar(mean);
  c.sd = Value::scalar(std::sqrt(std::max(second - mean * mean, 0.0)));
  auto best = std::max_element(probs.begin(), probs.end());
  if (std::count(probs.begin(), probs.end(), *best) == 1)
    c.mode = Value::scalar(static_cast<double>(best - probs.begin() + 1));
  else
    c.mode_note = "undefined: several categories are equally likely";
  c.cdf = [probs](double x) {
    double total = 0;
    for (std::size_t k = 0; k < probs.size() && static_cast<double>(k + 1) <= x; ++k)
      total += probs[k];
    return std::min(total, 1.0);
  };
  c.quantile = [probs](double p) {
    double total = 0;
    for (std::size_t k = 0; k < probs.size(); ++k) {
      total += probs[k];
      if (total >= p * (1 - 1e-12)) return static_cast<double>(k + 1);
    }
    return static_cast<double>(probs.size());
  };
  c.sample = [probs](dist::Rng& rng) {
    return Value::scalar(dist::categorical_sample(probs, rng));
  };
  c.lpdf = [probs](const Value& x) { return dist::categorical_lpmf(probs, x[0]); };
  return c;
}

// The predictive of one more count vector of n trials: the Dirichlet-multinomial
// (Polya) distribution, pmf n! / prod x_k! * Gamma(alpha0) / Gamma(n + alpha0) *
// prod Gamma(x_k + alpha_k) / Gamma(alpha_k) (Murphy, MLPP, eq. 5.25; Minka,
// Estimating a Dirichlet distribution, 2000). Each count alone is
// BetaBinomial(n, alpha_k, alpha0 - alpha_k).
ClosedForm dirichlet_multinomial(double n, const std::vector<double>& alpha) {
  ClosedForm c;
  c.family = "DirichletMultinomial";
  c.params = {{"n", Value::scalar(n, true)}, {"alpha", Value::vector(alpha)}};
  c.discrete = true;
  double alpha0 = std::accumulate(alpha.begin(), alpha.end(), 0.0);
  std::vector<double> mean(alpha.size()), sd(alpha.size());
  for (std::size_t k = 0; k < alpha.size(); ++k) {
    double p = alpha[k] / alpha0;
    mean[k] = n * p;
    sd[k] = std::sqrt(n * p * (1 - p) * (n + alpha0) / (1 + alpha0));
  }
  c.mean = Value::vector(mean);
  c.sd = Value::vector(sd);
  c.mode_note = "not computed for the Dirichlet-multinomial";
  c.lpdf = [n, alpha, alpha0](const Value& x) {
    if (x.size() != alpha.size()) return -HUGE_VAL;
    double sum = 0, lp = std::lgamma(n + 1) + std::lgamma(alpha0) - std::lgamma(n + alpha0);
    for (std::size_t k = 0; k < alpha.size(); ++k) {
      if (x[k] < 0 || x[k] != std::floor(x[k])) return -HUGE_VAL;
      sum += x[k];
      lp += std::lgamma(x[k] + alpha[k]) - std::lgamma(alpha[k]) - std::lgamma(x[k] + 1);
    }
    return sum == n ? lp : -HUGE_VAL;
  };
  c.sample = [n, alpha](dist::Rng& rng) {
    std::vector<double> theta = dist::dirichlet_sample(alpha, rng);
    return Value::vector(dist::multinomial_sample(n, theta, rng), true);
  };
  // The smallest x with P(X_k <= x) >= p, by summing the Beta-binomial pmf.
  c.element_quantile = [n, alpha, alpha0](std::size_t k, double p) {
    double a = alpha[k], b = alpha0 - alpha[k];
    if (b <= 0) return n;
    double lbeta_ab = dist::log_beta(a, b), total = 0;
    for (double x = 0; x < n; ++x) {
      total +=
          std::exp(std::lgamma(n + 1) - std::lgamma(x + 1) - std::lgamma(n - x + 1) +
                   std::lgamma(x + a) + std::lgamma(n - x + b) - std::lgamma(n + a + b) - lbeta_ab);
      if (total >= p * (1 - 1e-12)) return x;
    }
    return n;
  };
  return c;
}

// Why a component with a Dirichlet prior on `p` also holds other parameters:
// the first factor that ties another one in.
std::string other_parameter(const Model& m, const ComponentView& v, std::size_t p) {
  for (auto oi : v.observations) {
    const Observation& o = m.observations[oi];
    for (const auto& a : o.args)
      for (auto q : ir::params_of(*a))
        if (q != p)
          return "'" + o.text + "' involves '" + m.params[q].name + "' as well as '" +
                 m.params[p].name +
                 "'; the Dirichlet rule needs the probabilities to be the only unknown";
  }
  for (auto pi : v.priors) {
    const Prior& pr = m.priors[pi];
    bool uses = false;
    for (const auto& a : pr.args)
      for (auto q : ir::params_of(*a)) uses = uses || q == p;
    if (!uses) continue;
    return "the prior " + pr.text + " of '" + m.params[pr.params.front()].name + "' depends on '" +
           m.params[p].name +
           "'; the Dirichlet rule needs the probabilities to be the only unknown";
  }
  return "the Dirichlet prior of '" + m.params[p].name + "' is shared with other parameters";
}

// The data name of an observation's left side ("x"), or its text.
std::string lhs_name(const Model& m, std::size_t oi) {
  const Observation& o = m.observations[oi];
  return o.lhs->op == ir::Op::Data ? m.data[o.lhs->ref].name : o.text;
}

const char* kind_name(Kind k) { return k == Kind::Categorical ? "Categorical" : "Multinomial"; }

// "a " or "an " before a family name.
std::string article(std::string_view word) {
  return std::string_view("AEIOU").find(word.empty() ? 'x' : word[0]) != std::string_view::npos
             ? "an "
             : "a ";
}

// One observation statement's contribution, or why the rule cannot take it.
std::optional<Stats> observation_stats(const Model& m, std::size_t oi, std::size_t p, std::size_t K,
                                       std::string& why) {
  const std::string& name = m.params[p].name;
  const Observation& o = m.observations[oi];
  std::string_view fam = o.family->name;
  Stats s{Kind::Categorical, oi, std::vector<double>(K, 0.0)};
  std::size_t p_arg = 0;
  if (o.family == &dist::categorical_family())
    s.kind = Kind::Categorical;
  else if (o.family == &dist::multinomial_family())
    s.kind = Kind::Multinomial, p_arg = 1;
  else {
    why = "'" + o.text + "': " + article(fam) + std::string(fam) +
          " likelihood is not conjugate to the Dirichlet prior of '" + name +
          "' (Dirichlet goes with Categorical and Multinomial)";
    return std::nullopt;
  }
  const ir::Node& arg = *o.args[p_arg];
  if (!(arg.op == ir::Op::Param && arg.ref == p)) {
    why = "'" + o.text + "': the probabilities of " + std::string(fam) + " are an expression of '" +
          name + "', not '" + name + "' itself";
    return std::nullopt;
  }
  const Value& x = o.value;
  if (s.kind == Kind::Categorical) {
    for (double k : x.data) {
      if (k < 1 || k > static_cast<double>(K) || k != std::floor(k)) {
        why = "'" + o.text + "': " + significant(k) + " is not a category 1.." + std::to_string(K);
        return std::nullopt;
      }
      s.counts[static_cast<std::size_t>(k) - 1] += 1;
    }
  } else {
    if (!ir::is_data_only(*o.args[0])) {
      why = "'" + o.text + "': the number of trials n is unknown";
      return std::nullopt;
    }
    Value n = eval_data(m, *o.args[0]);
    // A vector is one count vector; a matrix is one count vector per row.
    std::size_t rows = x.rank == Rank::Matrix ? x.rows : 1;
    std::size_t cols = x.rank == Rank::Matrix ? x.cols : x.size();
    if (cols != K) {
      why = "'" + o.text + "': a count vector has " + std::to_string(cols) + " entries but '" +
            name + "' has " + std::to_string(K);
      return std::nullopt;
    }
    if (n.size() != 1 && n.size() != rows) {
      why = "'" + o.text + "': n has " + std::to_string(n.size()) + " entries for " +
            std::to_string(rows) + " count vectors";
      return std::nullopt;
    }
    s.n = n[0];
    for (std::size_t r = 0; r < rows; ++r) {
      double sum = 0;
      s.log_coef += std::lgamma(at(n, r) + 1);
      for (std::size_t k = 0; k < K; ++k) {
        double ck = x.rank == Rank::Matrix ? x.at(r, k) : x[k];
        s.counts[k] += ck, sum += ck;
        s.log_coef -= std::lgamma(ck + 1);
      }
      // The count vector must account for every trial (Multinomial(n, p) gives
      // zero probability to any other).
      if (sum != at(n, r)) {
        why = "'" + o.text + "': the counts" +
              (rows > 1 ? " of row " + std::to_string(r + 1) : std::string()) + " sum to " +
              significant(sum) + ", not n = " + significant(at(n, r));
        return std::nullopt;
      }
      s.n_varies = s.n_varies || at(n, r) != s.n;
      s.vectors += 1;
    }
  }
  return s;
}

// --explain: the derivation with the numbers put in; alpha0 the prior's
// pseudo-counts, counts the data's, alpha their sum, freq = counts / N.
void explain(Solution& sol, const Model& m, const std::vector<Stats>& stats,
             const std::vector<double>& alpha0, const std::vector<double>& counts,
             const std::vector<double>& alpha, const std::vector<double>& freq, double log_coef) {
  const ParamResult& r = sol.params[0];
  const std::string& name = m.params[r.param].name;
  const std::size_t K = alpha0.size();
  const double N = std::accumulate(counts.begin(), counts.end(), 0.0);
  const double a_post = std::accumulate(alpha0.begin(), alpha0.end(), 0.0) + N;
  const std::vector<double>& mean = r.posterior.mean.data;
  sol.explain.push_back("rule " + sol.rule + ": a Dirichlet prior on the probability vector " +
                        name + "[" + std::to_string(K) +
                        "] is conjugate to every likelihood of the form " + name +
                        "[1]^c[1] * ... * " + name + "[" + std::to_string(K) + "]^c[" +
                        std::to_string(K) + "], where c[k] counts the outcomes in category k");
  sol.explain.push_back(
      "prior: " + name + " ~ Dirichlet(alpha = " + vec(alpha0) +
      "), as if alpha[k] outcomes of category k had been seen already (pseudo-counts)");
  for (const auto& s : stats) {
    const Observation& o = m.observations[s.observation];
    std::string what;
    if (s.kind == Kind::Categorical)
      what = significant(s.total()) + " outcome" + (s.total() == 1 ? "" : "s") + " in 1.." +
             std::to_string(K);
    else
      what = significant(s.vectors) + " count vector" + (s.vectors == 1 ? "" : "s") + " of " +
             (s.n_varies ? "varying n" : "n = " + significant(s.n)) + " trials";
    sol.explain.push_back("data: " + o.text + ": " + what +
                          ", counts per category c = " + vec(s.counts));
  }
  if (stats.size() > 1)
    sol.explain.push_back("all data: counts c = " + vec(counts) + ", N = " + significant(N));
  sol.explain.push_back("posterior: Dirichlet(alpha' = alpha + c) = Dirichlet(" +
                        vec_sum(alpha0, counts) + ") = Dirichlet(" + vec(alpha) + ")");
  sol.explain.push_back("mean of " + name + "[k] = alpha'[k] / sum alpha' = " + vec(alpha) + " / " +
                        significant(a_post) + " = " + vec(mean));
  if (K > 1)
    sol.explain.push_back("each element alone is Beta(alpha'[k], " + significant(a_post) +
                          " - alpha'[k]), e.g. " + element(name, 0) + " ~ Beta(" +
                          significant(alpha[0]) + ", " + significant(a_post - alpha[0]) +
                          "): its sd and 95% interval come from that Beta");
  if (r.map) {
    std::vector<double> top(K);
    for (std::size_t k = 0; k < K; ++k) top[k] = alpha[k] - 1;
    sol.explain.push_back("MAP = (alpha'[k] - 1) / (sum alpha' - K) = " + vec(top) + " / " +
                          significant(a_post - static_cast<double>(K)) + " = " + vec(r.map->data));
  } else {
    sol.explain.push_back("MAP: " + r.map_note);
  }
  if (r.mle)
    sol.explain.push_back("MLE = c / N = " + vec(counts) + " / " + significant(N) + " = " +
                          vec(freq));
  else
    sol.explain.push_back("MLE: " + r.mle_note);
  for (const auto& s : stats) {
    const std::string data = lhs_name(m, s.observation);
    if (s.kind == Kind::Categorical)
      sol.explain.push_back("predictive (" + data + "): P(next = k) = the posterior mean of " +
                            name + "[k] = " + vec(mean));
    else
      sol.explain.push_back(
          "predictive (" + data + "): DirichletMultinomial(n = " + significant(s.n) +
          ", alpha'): expected counts n * mean = " +
          vec(sol.predictive[static_cast<std::size_t>(&s - stats.data())].dist.mean.data));
  }
  sol.explain.push_back("evidence: log p(data) = log B(alpha') - log B(alpha)" +
                        std::string(log_coef != 0 ? " + log(n! / prod c[k]!)" : "") + " = " +
                        significant(sol.log_evidence) + " (B = the multivariate Beta function)");
}

}  // namespace
}  // namespace dirichlet_rule

std::optional<Solution> solve_dirichlet(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, std::string& why) {
  using namespace dirichlet_rule;
  ComponentView v = view(g, c);
  const Prior* prior = nullptr;
  for (auto pi : v.priors)
    if (m.priors[pi].family == &dist::dirichlet_family()) prior = &m.priors[pi];
  if (!prior) return std::nullopt;
  std::size_t p = prior->params.front();
  const std::string& name = m.params[p].name;
  if (!fixed_args(*prior)) {
    why = "the Dirichlet prior of '" + name + "' has parameters as arguments";
    return std::nullopt;
  }
  if (c.params.size() != 1 || v.priors.size() != 1 || prior->params.size() != 1) {
    why = other_parameter(m, v, p);
    return std::nullopt;
  }
  std::vector<double> alpha0 = eval_data(m, *prior->args[0]).data;
  const std::size_t K = alpha0.size();

  std::vector<Stats> stats;
  for (auto oi : v.observations) {
    auto st = observation_stats(m, oi, p, K, why);
    if (!st) return std::nullopt;
    stats.push_back(std::move(*st));
  }
  if (stats.empty()) return std::nullopt;  // a prior alone: left to the general report

  std::vector<double> counts(K, 0.0), alpha(K);
  for (const auto& s : stats)
    for (std::size_t k = 0; k < K; ++k) counts[k] += s.counts[k];
  for (std::size_t k = 0; k < K; ++k) alpha[k] = alpha0[k] + counts[k];
  const double N = std::accumulate(counts.begin(), counts.end(), 0.0);

  Solution sol;
  bool same = std::all_of(stats.begin(), stats.end(),
                          [&](const Stats& s) { return s.kind == stats[0].kind; });
  sol.rule = same ? std::string("Dirichlet-") + kind_name(stats[0].kind)
                  : "Dirichlet-Multinomial (mixed with Categorical)";

  ParamResult r;
  r.param = p;
  r.posterior = dirichlet_form(alpha, name);
  r.map = r.posterior.mode;
  r.map_note = r.posterior.mode_note;
  // The MLE counts / N (Murphy, MLPP, eq. 3.48); a category never seen puts it
  // on the boundary theta_k = 0.
  std::vector<double> freq(K);
  for (std::size_t k = 0; k < K; ++k) freq[k] = N > 0 ? counts[k] / N : NAN;
  std::vector<std::size_t> unseen;
  for (std::size_t k = 0; k < K; ++k)
    if (counts[k] == 0) unseen.push_back(k);
  if (N == 0) {
    r.mle_note = "the MLE is undefined: no outcomes were observed";
  } else if (!unseen.empty()) {
    std::string where, cats;
    for (std::size_t i = 0; i < unseen.size(); ++i) {
      where += (i ? ", " : "") + element(name, unseen[i]) + " = 0";
      cats += (i ? ", " : "") + std::to_string(unseen[i] + 1);
    }
    r.mle = Value::vector(freq);  // counts / N, a point of the simplex's boundary
    r.mle_note = "on the boundary " + where + ": categor" + (unseen.size() == 1 ? "y " : "ies ") +
                 cats + (unseen.size() == 1 ? " was" : " were") + " never observed";
  } else {
    r.mle = Value::vector(freq);
  }
  sol.params.push_back(r);

  for (const auto& s : stats) {
    if (s.kind == Kind::Categorical) {
      sol.predictive.push_back({s.observation, categorical_predictive(r.posterior.mean.data), ""});
    } else {
      PredictiveResult pr{s.observation, dirichlet_multinomial(s.n, alpha), ""};
      if (s.n_varies)
        pr.note = "for a new count vector of n = " + significant(s.n) + " trials (as in the first)";
      sol.predictive.push_back(pr);
    }
  }

  // The evidence: the prior's normaliser over the posterior's, times the
  // multinomial coefficients, log p(D) = log B(alpha + c) - log B(alpha) +
  // sum log n! / prod c_k! (Murphy, MLPP, eq. 5.24; Minka 2000).
  double log_coef = 0;
  for (const auto& s : stats) log_coef += s.log_coef;
  sol.log_evidence = log_coef + log_inv_beta(alpha0) - log_inv_beta(alpha);

  explain(sol, m, stats, alpha0, counts, alpha, freq, log_coef);

  sol.draw = [p, alpha](dist::Rng& rng, std::vector<Value>& values) {
    values[p] = Value::vector(dist::dirichlet_sample(alpha, rng));
  };
  sol.log_posterior = [p, alpha](const std::vector<Value>& values) {
    return dist::dirichlet_lpdf(alpha, values[p].data);
  };
  sol.point.resize(m.params.size());
  sol.point[p] = r.posterior.mean;
  return sol;
}

}  // namespace bayes::conjugate
