// The answer stage: receives the compiled model, has each component solved
// and produces one answer::Answer per query (or per parameter by default).
#include "answer/answer.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <variant>

#include "check/checker.hpp"
#include "conjugate/rule.hpp"
#include "density/log_density.hpp"
#include "enumerate/enumerate.hpp"
#include "expr/eval.hpp"
#include "format/format.hpp"
#include "numeric/numeric.hpp"
#include "patterns/patterns.hpp"
#include "quadrature/quadrature.hpp"
#include "sample/diagnostics.hpp"
#include "sample/psis.hpp"
#include "sample/sample.hpp"
#include "sample/target.hpp"
#include "solution/solution.hpp"

namespace bayes::answer {

namespace {

using sample::ChainDraws;
using solution::ClosedForm;
using solution::Solution;

// [lo, hi] as a 2-vector.
Value pair(double lo, double hi) { return Value::vector({lo, hi}); }

// Whether the mean and sd of a quantity's draws can be trusted: the Pareto
// k-hat of its heavier tail about the median (Vehtari et al. 2024, sec. 3:
// the k-hat of the distribution of the quantity itself). Above 0.7 its
// variance, perhaps its mean, does not exist, and averages of draws wander:
// the words to print, or "".
std::string heavy_tail_warning(const std::vector<double>& xs) {
  if (xs.size() < 100) return "";
  std::vector<double> sorted(xs);
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<std::ptrdiff_t>(sorted.size() / 2),
                   sorted.end());
  const double median = sorted[sorted.size() / 2];
  double worst = -INFINITY;
  for (int side : {1, -1}) {
    std::vector<double> log_dev(xs.size());
    for (std::size_t k = 0; k < xs.size(); ++k) {
      const double d = side * (xs[k] - median);
      log_dev[k] = d > 0 ? std::log(d) : -INFINITY;
    }
    const double khat = sample::psis(log_dev).khat;
    if (std::isfinite(khat)) worst = std::max(worst, khat);
  }
  if (!(worst > 0.5)) return "";
  return "the draws have heavy tails (Pareto k-hat " + format::significant(worst, 2) +
         " above 0.5): their variance, perhaps their mean, does not exist, so the sd and mean "
         "from draws are unreliable; the interval is reliable";
}

// One row [lo, hi] per element of a vector distribution: an n x 2 matrix.
Value element_intervals(const ClosedForm& cf, double level) {
  double tail = (1 - level) / 2;
  std::size_t n = cf.mean.size();
  std::vector<double> xs(2 * n);
  for (std::size_t i = 0; i < n; ++i)
    xs[i] = cf.element_quantile(i, tail), xs[n + i] = cf.element_quantile(i, 1 - tail);
  return Value::matrix(n, 2, std::move(xs));
}

// The interval a posterior summary reports: of a scalar (unset without a
// quantile function) or of each element of a vector; none otherwise.
std::optional<Interval> interval_of(const ClosedForm& cf, double level) {
  double tail = (1 - level) / 2;
  if (cf.scalar()) {
    if (!cf.quantile) return Interval{std::nullopt, level};
    return Interval{pair(cf.quantile(tail), cf.quantile(1 - tail)), level};
  }
  if (cf.element_quantile) return Interval{element_intervals(cf, level), level};
  return std::nullopt;
}

Answer make(const Query& q, std::string method, Body body) {
  return Answer{q.text, "", std::move(method), std::move(body), {}};
}

struct Engine {
  Compiled& c;
  const Options& opt;
  Report report;
  // Per component: its solution, or why it has none.
  std::vector<std::optional<Solution>> solutions;
  std::vector<std::string> failures;

  Engine(Compiled& compiled, const Options& o) : c(compiled), opt(o) {}

  const Model& m() const { return c.model; }

  // The numeric engine computes only what the queries ask for: no second
  // fit for the MLE unless an mle() is printed or a plot drawn (it marks the
  // MLE), no Laplace approximation when every query is a map() or mle() (the
  // default report needs it).
  numeric::Options numeric_options() const {
    numeric::Options o = opt.numeric;
    bool any_mle = false, only_points = !m().queries.empty();
    for (const auto& q : m().queries) {
      any_mle = any_mle || q.kind == QueryKind::Mle || q.kind == QueryKind::Plot;
      only_points = only_points && (q.kind == QueryKind::Map || q.kind == QueryKind::Mle ||
                                    q.kind == QueryKind::Value);
    }
    o.mle = o.mle && any_mle;
    o.laplace = o.laplace && !only_points;
    return o;
  }

  // The summarised CSV columns (DataVar::summary) a component observes.
  std::vector<std::size_t> summarised_columns(const graph::Component& comp) const {
    std::vector<std::size_t> cols;
    for (auto fi : comp.factors) {
      const auto& f = c.graph.factors[fi];
      if (f.kind != graph::FactorKind::Observation) continue;
      const Observation& o = m().observations[f.index];
      if (o.summary) cols.push_back(o.lhs->ref);
    }
    return cols;
  }

  // Reads a component's summarised columns into memory, for an engine that
  // needs the values. False, with the reason in failures[i], when a column
  // cannot be read again (the file changed).
  bool read_columns(std::size_t i, const std::vector<std::size_t>& cols) {
    for (auto d : cols) {
      std::string error;
      if (!check::materialise(c.model, d, error)) {
        failures[i] = m().data[d].file + ": " + error + " (column '" + m().data[d].name + "')";
        report.status = std::max(report.status, 1);
        return false;
      }
    }
    return true;
  }

  // The MLE of a component the quadrature engine solved: an optimisation with
  // the priors dropped, which the numeric engine does (with its checks that
  // the maximum exists).
  void borrow_mle(Solution& sol, const graph::Component& comp) {
    numeric::Options o = numeric_options();
    if (!o.mle) {  // no mle() or plot asks for it
      for (auto& r : sol.params) r.mle_note = "the MLE was not computed (no mle() query)";
      return;
    }
    o.laplace = false;  // only its points are borrowed
    std::optional<numeric::Failure> failure;
    std::string why;
    auto fit = numeric::solve(m(), c.graph, comp, o, why, failure);
    for (auto& r : sol.params) {
      const auto* n = fit ? fit->find(r.param) : nullptr;
      r.mle = n ? n->mle : std::nullopt;
      r.mle_note = n ? n->mle_note : failure ? failure->message : why;
    }
  }

  // Closed forms (and exact integrals) are tried unless a numeric method is forced.
  bool closed_forms() const {
    return opt.method == Method::Auto || opt.method == Method::Conjugate ||
           opt.method == Method::Exact || opt.method == Method::Laplace;
  }

  void solve_components() {
    const auto& g = c.graph;
    solutions.resize(g.components.size());
    failures.resize(g.components.size());
    drawn.resize(g.components.size());
    posteriors.resize(g.components.size());
    posterior_failures.resize(g.components.size());
    posterior_tried.resize(g.components.size());
    optimise_pending.resize(g.components.size());
    improper.resize(g.components.size());
    for (std::size_t i = 0; i < g.components.size(); ++i) {
      const auto& comp = g.components[i];
      auto columns = summarised_columns(comp);
      bool streaming = !columns.empty() && closed_forms() && !comp.params.empty() &&
                       !patterns::all_discrete(m(), comp);
      if (!columns.empty() && !streaming && !read_columns(i, columns)) continue;
      if (comp.params.empty()) {
        explain_constant(i);
        continue;
      }
      std::string why;
      if (patterns::all_discrete(m(), comp)) {
        solutions[i] = enumerate::solve(m(), g, comp, why);
        if (!solutions[i])
          failures[i] = why;
        else
          explain_component(i, *solutions[i]);
        continue;
      }
      if (streaming) {
        solutions[i] = conjugate::solve_component(m(), g, comp, why, conjugate::Rules::Streaming);
        if (!solutions[i] && !read_columns(i, columns)) continue;
        if (!solutions[i]) {
          std::string in_memory_why;
          solutions[i] =
              conjugate::solve_component(m(), g, comp, in_memory_why, conjugate::Rules::InMemory);
          if (why.empty()) why = in_memory_why;
        }
      } else if (closed_forms()) {
        solutions[i] = conjugate::solve_component(m(), g, comp, why);
      } else {
        // A forced method answers from its own engine, but an improper
        // posterior (which the rules prove) has no mean to sample or
        // approximate, whatever the method.
        std::string unused;
        auto probe = conjugate::solve_component(m(), g, comp, unused);
        if (probe && probe->improper) solutions[i] = std::move(probe);
      }
      if (solutions[i] && !solutions[i]->refused.empty()) {
        failures[i] = solutions[i]->refused;
        // An improper posterior has no mean, interval or draws, but its
        // density may have a mode: map() and mle() go to the optimiser.
        // (The queries that fail then set the exit status.)
        if (solutions[i]->improper && opt.method != Method::Conjugate) {
          drawn[i] = true, optimise_pending[i] = true;
          posterior_tried[i] = true, posterior_failures[i] = failures[i];
          improper[i] = true;
          solutions[i].reset();
          continue;
        }
        solutions[i].reset();
        report.status = std::max(report.status, 3);
        continue;
      }
      if (!solutions[i] && opt.method == Method::Conjugate) {
        std::string reason =
            why.empty() ? "no conjugate rule matches its priors and likelihoods" : why;
        failures[i] = "not conjugate: " + reason;
        report.status = std::max(report.status, 3);
        continue;
      }
      std::string quadrature_why;
      if (!solutions[i] && (opt.method == Method::Auto || opt.method == Method::Exact ||
                            opt.method == Method::Laplace)) {
        // Conjugate once one scalar is fixed: exact, by quadrature over it.
        solutions[i] = quadrature::solve(m(), g, comp, quadrature_why);
        if (solutions[i]) borrow_mle(*solutions[i], comp);
      }
      if (!solutions[i] && opt.method == Method::Exact) {
        failures[i] = "no exact method applies: " +
                      (why.empty() ? std::string("no conjugate rule matches") : why) +
                      (quadrature_why.empty() ? "" : "; " + quadrature_why);
        report.status = std::max(report.status, 3);
        continue;
      }
      if (!solutions[i]) {
        // The optimiser answers map() and mle() (and, with --method numeric
        // or laplace, everything); the posterior's other queries are answered
        // from draws (posterior_of). Then the optimiser runs only when a
        // query needs it (solution_of).
        drawn[i] = opt.method != Method::Numeric && opt.method != Method::Laplace;
        if (drawn[i]) {
          optimise_pending[i] = true;
          continue;
        }
        optimise(i);
        if (!solutions[i]) report.status = std::max(report.status, 3);
      }
      if (solutions[i]) explain_component(i, *solutions[i]);
    }
  }

  // The numeric engine on component i: solutions[i], or why not in failures[i].
  void optimise(std::size_t i) {
    optimise_pending[i] = false;
    std::optional<numeric::Failure> failure;
    std::string why;
    solutions[i] =
        numeric::solve(m(), c.graph, c.graph.components[i], numeric_options(), why, failure);
    if (failure)
      failures[i] = failure->message;
    else if (!solutions[i])
      failures[i] = "cannot be solved: " + why;
  }

  // A component without unknowns: its observations' likelihood is a number,
  // a factor of the evidence.
  void explain_constant(std::size_t i) {
    std::vector<Value> none(m().params.size());
    for (auto fi : c.graph.components[i].factors) {
      const auto& f = c.graph.factors[fi];
      if (f.kind != graph::FactorKind::Observation) continue;
      const Observation& o = m().observations[f.index];
      report.explain.push_back(
          "component " + std::to_string(i + 1) + " (no unknowns): '" + o.text +
          "' involves no parameter, so its log likelihood, " +
          format::significant(density::log_likelihood(m(), o, none)) +
          ", is a term of the evidence log p(data) as it is (nothing to integrate)");
    }
  }

  void explain_component(std::size_t i, const Solution& s) {
    report.explain.push_back("component " + std::to_string(i + 1) + " (" + s.method + ", " +
                             s.rule + "):");
    for (const auto& line : s.explain) report.explain.push_back("  " + line);
  }

  const Solution* solution_of(std::size_t param, std::string& why) {
    std::size_t comp = c.graph.param_component[param];
    if (optimise_pending[comp]) {
      optimise(comp);
      if (solutions[comp]) explain_component(comp, *solutions[comp]);
    }
    if (!solutions[comp]) {
      why = failures[comp];
      return nullptr;
    }
    return &*solutions[comp];
  }

  // Per component answered from draws: the solution that answers posterior
  // queries (importance sampling or NUTS), made when first asked for.
  std::vector<bool> drawn, posterior_tried, optimise_pending;
  // Components whose posterior is improper: only map() and mle() answer.
  std::vector<bool> improper;
  std::vector<std::optional<Solution>> posteriors;
  std::vector<std::string> posterior_failures;

  // The method policy for a component no closed form answers: with --method
  // auto, the Laplace approximation corrected by importance sampling when
  // its Pareto k-hat is below 0.5, else NUTS; or the one forced.
  void solve_posterior(std::size_t i) {
    posterior_tried[i] = true;
    const auto& comp = c.graph.components[i];
    std::string why, importance_why;
    std::optional<Solution> s;
    if (opt.method == Method::Auto || opt.method == Method::Importance) {
      s = sample::importance(m(), c.graph, comp, opt.sample, importance_why);
      bool trusted = s && s->sampled->khat < 0.5;
      if (s && !trusted && opt.method == Method::Auto) {
        report.explain.push_back("component " + std::to_string(i + 1) +
                                 ": importance sampling from the Laplace approximation has "
                                 "Pareto k-hat " +
                                 format::significant(s->sampled->khat, 2) +
                                 " (not below 0.5), so the posterior is sampled with NUTS");
        s.reset();
      }
      if (!s && opt.method == Method::Importance) why = importance_why;
    }
    if (!s && opt.method != Method::Importance)
      s = sample::solve(m(), c.graph, comp, opt.sample, why);
    if (!s) {
      posterior_failures[i] =
          (opt.method == Method::Importance ? "importance sampling is not possible: "
                                            : "cannot be sampled: ") +
          why;
      return;
    }
    explain_component(i, *s);
    posteriors[i] = std::move(s);
  }

  // The solution that answers posterior queries about `param`.
  const Solution* posterior_of(std::size_t param, std::string& why) {
    std::size_t comp = c.graph.param_component[param];
    if (!drawn[comp]) return solution_of(param, why);
    if (!posterior_tried[comp]) solve_posterior(comp);
    if (!posteriors[comp]) {
      why = posterior_failures[comp];
      return nullptr;
    }
    return &*posteriors[comp];
  }

  Answer error(const Query& q, const std::string& why, int status = 3) {
    report.status = std::max(report.status, status);
    return make(q, "", Failure{why});
  }

  // Draws of every parameter the expression needs, from the exact posteriors
  // (or, for a numerically solved component, its Laplace approximation: then
  // draws_from names it).
  std::string draws_from;
  // Set by draws() when they come from the sampler's chains: the draws are
  // then chain after chain, and their Monte Carlo errors need the chains.
  const solution::Sampled* draws_run = nullptr;
  bool draws(const std::vector<std::size_t>& params, std::size_t n,
             std::vector<std::vector<Value>>& out, std::string& why) {
    std::vector<const Solution*> sols;
    for (auto p : params) {
      std::string w;
      const Solution* s = posterior_of(p, w);
      if (!s) {
        why = w;
        return false;
      }
      if (std::find(sols.begin(), sols.end(), s) == sols.end()) sols.push_back(s);
    }
    // In component order, so that the random stream is used the same way.
    std::sort(sols.begin(), sols.end(), [&](const Solution* a, const Solution* b) {
      return c.graph.param_component[a->params.front().param] <
             c.graph.param_component[b->params.front().param];
    });
    dist::Rng rng(opt.seed);
    draws_from = "the posterior";
    draws_run = nullptr;
    for (const auto* s : sols) {
      if (!s->draw) {
        why = "no posterior draws: " + failures[c.graph.param_component[s->params.front().param]];
        return false;
      }
      if (s->method == "numeric") draws_from = "the Laplace approximation";
      if (s->sampled && !s->sampled->weights.empty())
        draws_from = "the Laplace approximation, importance-weighted (resampled)";
      if (s->sampled && s->sampled->weights.empty()) draws_run = s->sampled.get();
    }
    // Without chains, one importance-weighted set is used as it is, with its weights.
    for (const auto* s : sols)
      if (!draws_run && s->sampled && !s->sampled->weights.empty()) draws_run = s->sampled.get();
    // The sampler's draws are used each once, in order (chain by chain);
    // the other components' independent draws are paired with them.
    if (draws_run) n = draws_run->total();
    out.assign(n, std::vector<Value>(m().params.size()));
    for (std::size_t k = 0; k < n; ++k)
      for (const auto* s : sols) {
        if (s->sampled && s->sampled.get() == draws_run)
          s->sampled->fill(k, out[k]);
        else
          s->draw(rng, out[k]);
      }
    return true;
  }

  // The chains of one quantity computed from draws() (chain after chain).
  ChainDraws chains_of(const std::vector<double>& xs) const {
    ChainDraws x(draws_run->chains);
    for (std::size_t k = 0; k < x.size(); ++k)
      x[k].assign(xs.begin() + static_cast<std::ptrdiff_t>(k * draws_run->draws),
                  xs.begin() + static_cast<std::ptrdiff_t>((k + 1) * draws_run->draws));
    return x;
  }

  // R-hat and ESS of the given columns (one per element, their statistics
  // computed), with what failed in words: the run's own warnings, then the
  // columns'. Importance-sampled columns have no R-hat; their ESS is the
  // weights', and the run says k-hat.
  static Convergence convergence(const solution::Sampled& run,
                                 const std::vector<const solution::SampledColumn*>& cols,
                                 const std::vector<std::string>& names, bool scalar) {
    Convergence c;
    c.chains = run.chains;
    c.divergences = run.divergences;
    c.warnings = run.warnings;
    if (!run.weights.empty()) c.khat = run.khat;
    std::vector<double> rhat, bulk, tail;
    std::string high, low;
    const bool chains = run.weights.empty();
    const double floor = chains ? 100.0 * static_cast<double>(run.chains) : 100.0;
    for (std::size_t i = 0; i < cols.size(); ++i) {
      rhat.push_back(cols[i]->rhat);
      bulk.push_back(cols[i]->ess_bulk);
      tail.push_back(cols[i]->ess_tail);
      if (chains && !(rhat.back() <= 1.01)) high += (high.empty() ? "" : ", ") + names[i];
      // An ESS that is not defined (the tail of a 0/1 quantity, whose
      // quantiles are its two values) is no sign of too few draws.
      if (bulk.back() < floor || tail.back() < floor) low += (low.empty() ? "" : ", ") + names[i];
    }
    auto pack = [&](std::vector<double> v) {
      return scalar && !v.empty() ? Value::scalar(v[0]) : Value::vector(std::move(v));
    };
    c.rhat = pack(rhat), c.ess_bulk = pack(bulk), c.ess_tail = pack(tail);
    if (!high.empty())
      c.warnings.push_back("R-hat above 1.01 (" + high +
                           "): the chains disagree, so this answer is not reliable");
    if (!low.empty())
      c.warnings.push_back("effective sample size below " + format::significant(floor) + " (" +
                           low + "): the Monte Carlo error is large; draw more (--draws)");
    return c;
  }

  static std::string chains_from(const solution::Sampled& run) {
    if (!run.weights.empty()) return "the Laplace approximation, importance-weighted";
    return "the posterior (" + std::to_string(run.chains) + " NUTS chains)";
  }

  // A quantile of a column and its Monte Carlo error (weighted or from chains).
  static std::pair<double, double> column_quantile(const solution::Sampled& run,
                                                   const solution::SampledColumn& col, double p) {
    if (!run.weights.empty())
      return {sample::weighted_quantile(col.chains[0], run.weights, p),
              sample::weighted_mcse_quantile(col.chains[0], run.weights, p)};
    return {sample::quantile(col.chains, p), sample::mcse_quantile(col.chains, p)};
  }

  std::string method_of(std::size_t param) {
    std::string w;
    const Solution* s = solution_of(param, w);
    return s ? s->method : "conjugate";
  }

  Answer posterior_param(const Query& q, std::size_t p, std::optional<std::size_t> element = {}) {
    std::string why;
    const Solution* s = posterior_of(p, why);
    if (!s) return error(q, why);
    const auto* r = s->find(p);
    const ClosedForm& cf = r->posterior;
    if (s->sampled && !m().params[p].discrete) return posterior_sampled(q, *s, p, element);
    if (element) return posterior_element(q, *s, *r, *element);
    if (cf.laplace) return posterior_laplace(q, *s, *r);
    Posterior out{s->rule,
                  {cf.family, cf.params, cf.dist_family},
                  s->relative_error,
                  cf.mean,
                  cf.sd,
                  cf.mode,
                  cf.mode ? "" : cf.mode_note,
                  interval_of(cf, q.level),
                  "",
                  false,
                  std::nullopt};
    const Prior& prior = m().priors[m().params[p].prior];
    out.nominal = cf.discrete && prior.family == &dist::categorical_family();
    // A label summed out inside the numeric engine's density: its
    // probabilities are given the other parameters at their mode.
    if (s->method == "numeric")
      out.approximate = "the probabilities of " + m().params[p].name +
                        " given the other parameters at their MAP, not averaged over their "
                        "posterior";
    if (s->joint)
      out.joint = Posterior::Joint{{s->joint->family, s->joint->params, s->joint->dist_family},
                                   s->joint_order};
    return make(q, s->method, std::move(out));
  }

  // One element of a vector parameter: the marginal of the joint posterior
  // (exact for a closed form; the Laplace approximation's own marginal).
  Answer posterior_element(const Query& q, const Solution& s, const solution::ParamResult& r,
                           std::size_t k) {
    const ClosedForm& cf = r.posterior;
    auto at = [k](const Value& v) { return Value::scalar(v.size() > k ? v[k] : NAN); };
    std::optional<Interval> interval;
    if (cf.element_quantile) {
      const double tail = (1 - q.level) / 2;
      interval =
          Interval{pair(cf.element_quantile(k, tail), cf.element_quantile(k, 1 - tail)), q.level};
    }
    if (cf.laplace) {
      if (!r.map) return error(q, r.map_note);
      return make(q, "laplace",
                  Approximation{s.rule, at(cf.mean), at(cf.sd), at(*r.map), interval,
                                "Laplace approximation: the marginal of the Normal on the "
                                "unconstrained scale, centred at the mode there (Jacobian "
                                "included); mode = the MAP in the original parameterisation"});
    }
    // The marginal's mode is the joint mode's element for a Gaussian or a
    // multivariate Student-t (symmetric and unimodal); not for a Dirichlet.
    // (A discrete element's mode is its most probable value, kept per element.)
    const bool symmetric =
        cf.family == "MultiNormal" || cf.family == "MultiStudentT" || cf.discrete;
    std::optional<Value> mode;
    if (symmetric && cf.mode) mode = at(*cf.mode);
    const bool drawn = s.method == "sampling" || s.method == "importance";
    Posterior out{
        s.rule,
        {(drawn ? "marginal, averaged over the draws, of the " : "exact marginal of the joint ") +
             cf.family,
         {},
         nullptr},
        s.relative_error,
        at(cf.mean),
        at(cf.sd),
        mode,
        mode ? "" : "of one element: not computed (map(...) gives the joint mode)",
        interval,
        "",
        false,
        std::nullopt};
    return make(q, s.method, std::move(out));
  }

  // The Laplace approximation at the numeric mode.
  Answer posterior_laplace(const Query& q, const Solution& s, const solution::ParamResult& r) {
    const ClosedForm& cf = r.posterior;
    if (!r.map) return error(q, r.map_note);
    Approximation out{s.rule,
                      cf.mean,
                      cf.sd,
                      *r.map,
                      std::nullopt,
                      "Laplace approximation: Normal on the unconstrained scale, centred at the "
                      "mode of the density there (Jacobian included); mode = the MAP in the "
                      "original parameterisation"};
    if (cf.scalar() && cf.quantile)
      out.interval = interval_of(cf, q.level);
    else if (cf.element_quantile)
      out.interval = Interval{element_intervals(cf, q.level), q.level};
    return make(q, "laplace", std::move(out));
  }

  // The columns of parameter p in a sampled run, with their names.
  std::vector<const solution::SampledColumn*> columns_of(const solution::Sampled& run,
                                                         std::size_t p,
                                                         std::vector<std::string>& names) const {
    std::vector<const solution::SampledColumn*> cols;
    for (const auto& col : run.columns)
      if (col.param == p) {
        cols.push_back(&col);
        names.push_back(m().params[p].type.is_scalar()
                            ? m().params[p].name
                            : m().params[p].name + "[" + std::to_string(col.element + 1) + "]");
      }
    return cols;
  }

  // The sampler's draws of a parameter: mean, sd and interval (of each
  // element), each with its Monte Carlo standard error, and the diagnostics.
  Answer posterior_sampled(const Query& q, const Solution& s, std::size_t p,
                           std::optional<std::size_t> element = {}) {
    const solution::Sampled& run = *s.sampled;
    std::vector<std::string> names;
    auto cols = columns_of(run, p, names);
    if (element) {  // one column
      if (*element >= cols.size()) return error(q, "no draws of that element");
      cols = {cols[*element]};
      names = {names[*element]};
    }
    const bool scalar = m().params[p].type.is_scalar() || element.has_value();
    const double tail = (1 - q.level) / 2;
    std::vector<double> mean, sd, mcse_mean, mcse_sd, lo, hi, mcse_lo, mcse_hi;
    for (const auto* col : cols) {
      mean.push_back(col->mean), sd.push_back(col->sd);
      mcse_mean.push_back(col->mcse_mean), mcse_sd.push_back(col->mcse_sd);
      auto [l, l_err] = column_quantile(run, *col, tail);
      auto [h, h_err] = column_quantile(run, *col, 1 - tail);
      lo.push_back(l), hi.push_back(h), mcse_lo.push_back(l_err), mcse_hi.push_back(h_err);
    }
    auto pack = [&](const std::vector<double>& v) {
      return scalar ? Value::scalar(v[0]) : Value::vector(v);
    };
    auto bounds = [&](const std::vector<double>& a, const std::vector<double>& b) {
      if (scalar) return pair(a[0], b[0]);
      std::vector<double> xs(a);
      xs.insert(xs.end(), b.begin(), b.end());
      return Value::matrix(a.size(), 2, std::move(xs));
    };
    SampledPosterior out{s.rule,
                         pack(mean),
                         pack(sd),
                         pack(mcse_mean),
                         pack(mcse_sd),
                         Interval{bounds(lo, hi), q.level},
                         bounds(mcse_lo, mcse_hi),
                         Draws{run.total(), chains_from(run), std::nullopt, run.seed,
                               convergence(run, cols, names, scalar)},
                         ""};
    return make(q, s.method, std::move(out));
  }

  // Summary of a let quantity from exact posterior draws; `quantile` gets the
  // draws' quantile at the query's level.
  Answer posterior_let(const Query& q, std::size_t li, double* quantile = nullptr) {
    const LetVar& let = m().lets[li];
    std::vector<std::vector<Value>> ds;
    std::string why;
    auto params = ir::params_of(*let.expr);
    std::size_t n = std::min<std::size_t>(opt.draws, 20000);
    if (!draws(params, n, ds, why)) return error(q, why);
    if (!let.expr->type.is_scalar()) {
      if (q.kind == QueryKind::Quantile)
        return error(q, "quantiles of a vector let are not defined; name one element");
      return let_vector(q, let, ds);
    }
    n = ds.size();
    std::vector<double> xs(n);
    for (std::size_t s = 0; s < n; ++s) xs[s] = ir::eval(*let.expr, env_of(m(), ds[s]))[0];
    if (draws_run) return let_from_chains(q, let, xs, quantile);
    return make(q, "monte-carlo", summary_of_draws(q, xs, "", quantile));
  }

  // Mean, sd, interval (and, when asked, the quantile at the query's level)
  // of independent draws, with the mean's Monte Carlo error and a warning
  // when their tails are too heavy for the mean and sd to mean anything.
  DrawSummary summary_of_draws(const Query& q, std::vector<double> xs, const std::string& note,
                               double* quantile = nullptr) const {
    const std::size_t n = xs.size();
    double mean = 0;
    for (double x : xs) mean += x;
    mean /= static_cast<double>(n);
    double ss = 0;
    for (double x : xs) ss += (x - mean) * (x - mean);
    const double sd = std::sqrt(ss / static_cast<double>(n - 1));
    std::sort(xs.begin(), xs.end());
    auto quant = [&](double pr) {
      return xs[static_cast<std::size_t>(pr * static_cast<double>(n - 1))];
    };
    const double tail = (1 - q.level) / 2;
    if (quantile) *quantile = quant(q.level);
    const std::string heavy = heavy_tail_warning(xs);
    std::string said = note;
    if (!heavy.empty()) said += (said.empty() ? "" : "\n    ") + ("warning: " + heavy);
    Draws how{n, draws_from, sd / std::sqrt(static_cast<double>(n)), opt.seed, std::nullopt};
    return DrawSummary{how, mean, sd, Interval{pair(quant(tail), quant(1 - tail)), q.level}, said};
  }

  // A vector let, element by element: each element's mean, sd and interval
  // with their Monte Carlo errors, over the sampler's chains or over
  // independent exact posterior draws.
  Answer let_vector(const Query& q, const LetVar& let, const std::vector<std::vector<Value>>& ds) {
    const std::size_t n = ds.size(), K = let.expr->type.rows;
    std::vector<std::vector<double>> xs(K, std::vector<double>(n));
    for (std::size_t s = 0; s < n; ++s) {
      Value v = ir::eval(*let.expr, env_of(m(), ds[s]));
      for (std::size_t k = 0; k < K && k < v.size(); ++k) xs[k][s] = v[k];
    }
    solution::Sampled one;
    if (draws_run) {
      one.chains = draws_run->chains, one.draws = draws_run->draws;
      one.weights = draws_run->weights;
    } else {  // independent draws: one "chain"
      one.chains = 1, one.draws = n;
    }
    for (std::size_t k = 0; k < K; ++k) {
      solution::SampledColumn col;
      col.element = k;
      if (draws_run)
        col.chains = chains_of(xs[k]);
      else
        col.chains = {xs[k]};
      one.columns.push_back(std::move(col));
    }
    sample::summarise(one);
    const double tail = (1 - q.level) / 2;
    std::vector<double> mean, sd, mcse_mean, mcse_sd, lo, hi, mcse_lo, mcse_hi;
    std::vector<const solution::SampledColumn*> cols;
    std::vector<std::string> names;
    for (const auto& c : one.columns) {
      mean.push_back(c.mean), sd.push_back(c.sd);
      mcse_mean.push_back(c.mcse_mean), mcse_sd.push_back(c.mcse_sd);
      auto [l, l_err] = column_quantile(one, c, tail);
      auto [h, h_err] = column_quantile(one, c, 1 - tail);
      lo.push_back(l), hi.push_back(h), mcse_lo.push_back(l_err), mcse_hi.push_back(h_err);
      cols.push_back(&c);
      names.push_back(let.name + "[" + std::to_string(c.element + 1) + "]");
    }
    auto both = [&](const std::vector<double>& a, const std::vector<double>& b) {
      std::vector<double> out(a);
      out.insert(out.end(), b.begin(), b.end());
      return Value::matrix(a.size(), 2, std::move(out));
    };
    SampledPosterior out{
        "",
        Value::vector(mean),
        Value::vector(sd),
        Value::vector(mcse_mean),
        Value::vector(mcse_sd),
        Interval{both(lo, hi), q.level},
        both(mcse_lo, mcse_hi),
        Draws{
            draws_run ? draws_run->total() : n, draws_run ? chains_from(*draws_run) : draws_from,
            std::nullopt, draws_run ? draws_run->seed : opt.seed,
            draws_run ? std::optional(convergence(*draws_run, cols, names, false)) : std::nullopt},
        ""};
    const std::string method = !draws_run                   ? "monte-carlo"
                               : draws_run->weights.empty() ? "sampling"
                                                            : "importance";
    return make(q, method, std::move(out));
  }

  // A let over the sampler's draws: as a sampled parameter is reported.
  Answer let_from_chains(const Query& q, const LetVar& let, const std::vector<double>& xs,
                         double* quantile) {
    const solution::Sampled& run = *draws_run;
    solution::SampledColumn col;
    col.chains = chains_of(xs);
    solution::Sampled one;  // the let's draws as a run of one column
    one.chains = run.chains, one.draws = run.draws, one.weights = run.weights;
    one.columns = {col};
    sample::summarise(one);
    const solution::SampledColumn& c = one.columns[0];
    double tail = (1 - q.level) / 2;
    if (quantile) *quantile = column_quantile(run, c, q.level).first;
    auto [lo, lo_err] = column_quantile(run, c, tail);
    auto [hi, hi_err] = column_quantile(run, c, 1 - tail);
    SampledPosterior out{"",
                         Value::scalar(c.mean),
                         Value::scalar(c.sd),
                         Value::scalar(c.mcse_mean),
                         Value::scalar(c.mcse_sd),
                         Interval{pair(lo, hi), q.level},
                         pair(lo_err, hi_err),
                         Draws{run.total(), chains_from(run), std::nullopt, run.seed,
                               convergence(run, {&c}, {let.name}, true)},
                         ""};
    if (const std::string heavy = heavy_tail_warning(xs); !heavy.empty())
      out.draws.convergence->warnings.push_back(heavy);
    return make(q, run.weights.empty() ? "sampling" : "importance", std::move(out));
  }

  Answer posterior(const Query& q, double* quantile = nullptr) {
    const Target& t = q.targets[0];
    if (t.kind == Target::Kind::Let) return posterior_let(q, t.index, quantile);
    return posterior_param(q, t.index, t.element);
  }

  // map(let) / mle(let): the let evaluated at the MAP (MLE) of the parameters
  // it reads, as Stan's optimize reports its generated quantities. (The mode
  // of the let's own distribution would differ: modes move under nonlinear
  // maps.)
  Answer point_let(const Query& q, std::size_t li, bool mle) {
    const LetVar& let = m().lets[li];
    std::vector<Value> at(m().params.size());
    std::string names, method;
    for (auto p : ir::params_of(*let.expr)) {
      std::string why;
      const Solution* s = solution_of(p, why);
      if (!s) return error(q, why);
      const auto* r = s->find(p);
      const auto& v = mle ? r->mle : r->map;
      if (!v) {
        why = mle ? r->mle_note : r->map_note;
        return error(q, m().params[p].name + ": " +
                            (why.empty() ? std::string(mle ? "the MLE does not exist"
                                                           : "the posterior mode is undefined")
                                         : why));
      }
      at[p] = *v;
      names += (names.empty() ? "" : ", ") + m().params[p].name;
      if (method.empty()) method = s->method;
    }
    Value value = ir::eval(*let.expr, env_of(m(), at));
    std::string where = std::string("at the ") + (mle ? "MLE" : "MAP");
    return make(q, method.empty() ? "conjugate" : method,
                Point{value, names.empty() ? "a constant" : where + " of " + names, ""});
  }

  Answer point(const Query& q, bool mle) {
    // A value may come with a note that qualifies it (on the boundary of the
    // support, where the value still exists): collected in `notes`.
    std::string notes;
    auto one = [&](std::size_t p, Value& value, std::string& why) -> bool {
      const Solution* s = solution_of(p, why);
      if (!s) return false;
      const auto* r = s->find(p);
      const auto& v = mle ? r->mle : r->map;
      const std::string& qualifier = mle ? r->mle_note : r->map_note;
      if (v && !qualifier.empty())
        notes += (notes.empty() ? "" : "; ") +
                 (q.targets.empty() ? m().params[p].name + ": " : std::string()) + qualifier;
      if (!v) {
        // A closed form's note completes "the MAP is ..." ("on the boundary
        // p = 1"); the numeric engine's is a whole sentence.
        const std::string& note = r->map_note;
        bool sentence = note.rfind("the MAP", 0) == 0 || s->method == "numeric";
        why = mle            ? r->mle_note
              : note.empty() ? "the posterior mode is undefined"
              : sentence     ? note
                             : "the MAP is " + note;
        if (mle && why.empty()) why = "the MLE does not exist";
        return false;
      }
      // The mode of an improper posterior exists; the posterior does not.
      const std::string unnormalised =
          "the posterior is improper: this is the highest point of its unnormalised density";
      if (!mle && improper[c.graph.param_component[p]] &&
          notes.find(unnormalised) == std::string::npos)
        notes += (notes.empty() ? "" : "; ") + unnormalised;
      value = *v;
      return true;
    };
    std::string why;
    if (!q.targets.empty()) {
      if (q.targets[0].kind == Target::Kind::Let) return point_let(q, q.targets[0].index, mle);
      std::size_t p = q.targets[0].index;
      Value v;
      if (!one(p, v, why)) return error(q, why, 3);
      if (const auto k = q.targets[0].element) v = Value::scalar(v.size() > *k ? v[*k] : NAN);
      return make(q, method_of(p), Point{v, "", notes});
    }
    Named all;
    std::string method;
    for (std::size_t p = 0; p < m().params.size(); ++p) {
      Value v;
      if (!one(p, v, why)) {
        // The numeric engine's notes are about the whole component and name
        // the parameters that run off; the first parameter's name would mislead.
        std::string unused;
        bool whole =
            method_of(p) == "numeric" || method_of(p) == "quadrature" || !solution_of(p, unused);
        return error(q, whole ? why : m().params[p].name + ": " + why, 3);
      }
      all.emplace_back(m().params[p].name, v);
      method = method.empty() ? method_of(p) : method;
    }
    return make(q, method, Point{all, "", notes});
  }

  Answer summary(const Query& q) {
    double quantile = NAN;
    Answer post = posterior(q, &quantile);
    if (std::holds_alternative<Failure>(post.body)) return post;
    const auto* closed = std::get_if<Posterior>(&post.body);
    const auto* laplace = std::get_if<Approximation>(&post.body);
    const auto* drawn = std::get_if<DrawSummary>(&post.body);
    if (std::holds_alternative<SampledPosterior>(post.body))
      return estimate_sampled(q, post, quantile);
    Estimate out;
    switch (q.kind) {
      case QueryKind::Mean:
        out.value = closed ? closed->mean : laplace ? laplace->mean : Value::scalar(drawn->mean);
        break;
      case QueryKind::Sd:
        out.value = closed ? closed->sd : laplace ? laplace->sd : Value::scalar(drawn->sd);
        break;
      case QueryKind::Interval: {
        const auto& iv = closed ? closed->interval : laplace ? laplace->interval : drawn->interval;
        if (iv) out.value = iv->bounds;
        out.level = q.level;
        break;
      }
      case QueryKind::Quantile: {
        if (drawn) {
          out.value = Value::scalar(quantile);
          break;
        }
        std::string why;
        const Target& t = q.targets[0];
        const Solution* s = posterior_of(t.index, why);
        const ClosedForm& cf = s->find(t.index)->posterior;
        if (t.element && cf.element_quantile) {
          out.value = Value::scalar(cf.element_quantile(*t.element, q.level));
          break;
        }
        if (!cf.quantile || t.element)
          return error(q, "quantiles of a vector parameter are not defined");
        out.value = Value::scalar(cf.quantile(q.level));
        break;
      }
      default:
        break;
    }
    // The standard error of the mean belongs to mean() only; an sd, interval
    // or quantile from draws says how many.
    if (drawn) {
      out.draws =
          Draws{drawn->draws.n, drawn->draws.from, std::nullopt, std::nullopt, std::nullopt};
      if (q.kind == QueryKind::Mean) out.draws->mcse = drawn->draws.mcse;
    }
    return make(q, post.method, std::move(out));
  }

  // mean, sd, interval or quantile of a sampled quantity, with its Monte
  // Carlo standard error (of the mean, the sd, the quantile).
  Answer estimate_sampled(const Query& q, const Answer& post, double let_quantile) {
    const auto& p = std::get<SampledPosterior>(post.body);
    Estimate out;
    out.draws = p.draws;
    switch (q.kind) {
      case QueryKind::Mean:
        out.value = p.mean;
        if (p.mcse_mean.is_scalar())
          out.draws->mcse = p.mcse_mean[0];
        else
          out.mcse_each = p.mcse_mean;
        break;
      case QueryKind::Sd:
        out.value = p.sd;
        if (p.mcse_sd.is_scalar())
          out.draws->mcse = p.mcse_sd[0];
        else
          out.mcse_each = p.mcse_sd;
        break;
      case QueryKind::Interval:
        if (p.interval) out.value = p.interval->bounds;
        out.level = q.level;
        break;
      case QueryKind::Quantile: {
        const Target& t = q.targets[0];
        if (t.kind == Target::Kind::Let) {
          out.value = Value::scalar(let_quantile);
          break;
        }
        std::string why;
        const Solution* s = posterior_of(t.index, why);
        std::vector<std::string> names;
        auto cols = columns_of(*s->sampled, t.index, names);
        if (t.element && *t.element < cols.size()) cols = {cols[*t.element]};
        if (cols.size() != 1 || (!m().params[t.index].type.is_scalar() && !t.element))
          return error(q, "quantiles of a vector parameter are not defined");
        auto [value, mcse] = column_quantile(*s->sampled, *cols[0], q.level);
        out.value = Value::scalar(value);
        out.draws->mcse = mcse;
        break;
      }
      default:
        break;
    }
    return make(q, post.method, std::move(out));
  }

  // A condition on one scalar parameter, as an interval [lo, hi] (with its
  // ends' strictness), when it is a conjunction of comparisons with data.
  struct Bounds {
    double lo = -INFINITY, hi = INFINITY;
    bool lo_strict = false, hi_strict = false;
  };

  // A scalar parameter, or one element of a vector parameter at a known index
  // (`w[2]`): its index among the parameters and the element (SIZE_MAX: scalar).
  static bool as_element(const Model& model, const ir::Node& x, std::size_t& param,
                         std::size_t& elem) {
    using ir::Op;
    if (x.op == Op::Param && x.type.is_scalar()) {
      param = x.ref, elem = SIZE_MAX;
      return true;
    }
    if (x.op != Op::Index || x.args.size() != 2 || x.args[0]->op != Op::Param ||
        !x.args[0]->type.is_vector() || !x.type.is_scalar() || !ir::is_data_only(*x.args[1]))
      return false;
    double k = ir::eval(*x.args[1], env_of(model))[0];
    if (k != std::floor(k) || k < 1 || k > static_cast<double>(x.args[0]->type.rows)) return false;
    param = x.args[0]->ref, elem = static_cast<std::size_t>(k) - 1;
    return true;
  }

  bool as_bounds(const ir::Node& n, std::size_t& param, std::size_t& elem, Bounds& b) {
    using ir::Op;
    if (n.op == Op::And)
      return as_bounds(*n.args[0], param, elem, b) && as_bounds(*n.args[1], param, elem, b);
    if (n.op != Op::Lt && n.op != Op::Le && n.op != Op::Gt && n.op != Op::Ge && n.op != Op::Eq)
      return false;
    const ir::Node* x = n.args[0].get();
    const ir::Node* k = n.args[1].get();
    Op op = n.op;
    std::size_t p = SIZE_MAX, e = SIZE_MAX;
    if (!as_element(m(), *x, p, e)) {  // c < p: flip
      std::swap(x, k);
      op = op == Op::Lt ? Op::Gt : op == Op::Le ? Op::Ge : op == Op::Gt ? Op::Lt : Op::Le;
      if (!as_element(m(), *x, p, e)) return false;
    }
    if (!ir::is_data_only(*k) || !k->type.is_scalar()) return false;
    if (param != SIZE_MAX && (param != p || elem != e)) return false;
    param = p, elem = e;
    double v = ir::eval(*k, env_of(m()))[0];
    if (op == Op::Eq) {  // p == c: the interval [c, c]
      if (v < b.hi || (v == b.hi && b.hi_strict)) b.hi = v, b.hi_strict = false;
      if (v > b.lo || (v == b.lo && b.lo_strict)) b.lo = v, b.lo_strict = false;
      if (v > b.hi || v < b.lo) b.lo = INFINITY;  // empty
    } else if (op == Op::Lt || op == Op::Le) {
      if (v < b.hi || (v == b.hi && op == Op::Lt)) b.hi = v, b.hi_strict = op == Op::Lt;
    } else {
      if (v > b.lo || (v == b.lo && op == Op::Gt)) b.lo = v, b.lo_strict = op == Op::Gt;
    }
    return true;
  }

  Answer prob(const Query& q) {
    std::size_t param = SIZE_MAX, elem = SIZE_MAX;
    Bounds b;
    if (as_bounds(*q.expr, param, elem, b)) {
      std::string why;
      const Solution* s = posterior_of(param, why);
      if (!s) return error(q, why);
      const ClosedForm& post = s->find(param)->posterior;
      ClosedForm cf;  // the scalar marginal (none for draws: counted below, with their error)
      if (s->sampled && s->sampled->weights.empty() && !m().params[param].discrete) {
      } else if (elem == SIZE_MAX) {
        cf = post;
      } else if (post.element_cdf) {
        cf.discrete = post.discrete;
        cf.cdf = [&post, elem](double x) { return post.element_cdf(elem, x); };
      }
      if (cf.cdf) {
        double value;
        if (b.lo >= b.hi && !(b.lo == b.hi && !b.lo_strict && !b.hi_strict && cf.discrete)) {
          value = 0;
        } else if (cf.discrete) {
          // P(L <= X <= U) over whole numbers.
          double U = b.hi_strict ? std::ceil(b.hi) - 1 : std::floor(b.hi);
          double L = b.lo_strict ? std::floor(b.lo) + 1 : std::ceil(b.lo);
          value = std::isinf(L) ? cf.cdf(U) : cf.cdf(U) - cf.cdf(L - 1);
        } else {
          double hi = std::isinf(b.hi) ? 1.0 : cf.cdf(b.hi);
          double lo = std::isinf(b.lo) ? 0.0 : cf.cdf(b.lo);
          value = hi - lo;
        }
        return make(q, s->method == "numeric" ? "laplace" : s->method,
                    Probability{std::clamp(value, 0.0, 1.0), std::nullopt});
      }
    }
    // Monte Carlo from exact posterior draws.
    std::vector<std::vector<Value>> ds;
    std::string why;
    if (!draws(ir::params_of(*q.expr), opt.draws, ds, why)) return error(q, why);
    double hits = 0;
    std::vector<double> hit(ds.size());
    for (std::size_t s = 0; s < ds.size(); ++s)
      hits += hit[s] = ir::eval(*q.expr, env_of(m(), ds[s]))[0] != 0 ? 1 : 0;
    double n = static_cast<double>(ds.size());
    double p = hits / n;
    if (draws_run) {
      // The indicator's Monte Carlo error from its autocorrelation; when every
      // draw agrees (no error estimate), the bound of independent draws.
      const auto& run = *draws_run;
      ChainDraws x = chains_of(hit);
      double mcse;
      if (run.weights.empty()) {
        mcse = sample::mcse_mean(x);
      } else {
        p = sample::weighted_mean(x[0], run.weights);
        mcse = sample::weighted_mcse_mean(x[0], run.weights);
      }
      if (!std::isfinite(mcse) || mcse == 0) mcse = std::sqrt(std::max(p * (1 - p), 1.0 / n) / n);
      Convergence conv = convergence(run, {}, {}, false);
      return make(q, run.weights.empty() ? "sampling" : "importance",
                  Probability{p, Draws{ds.size(), chains_from(run), mcse, run.seed, conv}});
    }
    return make(
        q, "monte-carlo",
        Probability{p, Draws{ds.size(), draws_from, std::sqrt(std::max(p * (1 - p), 1.0 / n) / n),
                             opt.seed, std::nullopt}});
  }

  // The posterior mean and covariance of the stacked parameters `params`
  // (each scalar or vector, in order), when one exact Gaussian posterior
  // gives them: a joint MultiNormal, or one scalar's Normal. False otherwise.
  bool gaussian_moments(const std::vector<std::size_t>& params, Eigen::VectorXd& mean,
                        Eigen::MatrixXd& cov) {
    std::string why;
    const Solution* s = nullptr;
    for (auto p : params) {
      const Solution* sp = posterior_of(p, why);
      if (!sp || (s && sp != s)) return false;
      s = sp;
    }
    if (!s || s->sampled || s->method == "numeric" || s->method == "importance") return false;
    if (params.size() == 1 && m().params[params[0]].type.is_scalar()) {
      const auto* r = s->find(params[0]);
      if (!r || r->posterior.family != "Normal") return false;
      mean = Eigen::VectorXd::Constant(1, r->posterior.mean[0]);
      cov = Eigen::MatrixXd::Constant(1, 1, r->posterior.sd[0] * r->posterior.sd[0]);
      return true;
    }
    if (!s->joint || s->joint->family != "MultiNormal") return false;
    const Value* jm = nullptr;
    const Value* jc = nullptr;
    for (const auto& [name, v] : s->joint->params) {
      if (name == "mean") jm = &v;
      if (name == "cov") jc = &v;
    }
    if (!jm || !jc) return false;
    std::vector<std::size_t> at;  // stacked element -> index in the joint vector
    for (auto p : params) {
      const ParamVar& pv = m().params[p];
      const std::size_t n = pv.type.is_scalar() ? 1 : pv.type.rows;
      for (std::size_t e = 0; e < n; ++e) {
        const std::string name =
            pv.type.is_scalar() ? pv.name : pv.name + "[" + std::to_string(e + 1) + "]";
        auto it = std::find(s->joint_order.begin(), s->joint_order.end(), name);
        if (it == s->joint_order.end()) return false;
        at.push_back(static_cast<std::size_t>(it - s->joint_order.begin()));
      }
    }
    const auto d = static_cast<Eigen::Index>(at.size());
    mean.resize(d), cov.resize(d, d);
    for (Eigen::Index i = 0; i < d; ++i) {
      mean[i] = (*jm)[at[static_cast<std::size_t>(i)]];
      for (Eigen::Index k = 0; k < d; ++k)
        cov(i, k) = jc->at(at[static_cast<std::size_t>(i)], at[static_cast<std::size_t>(k)]);
    }
    return true;
  }

  // One new observation from family f with these arguments (scalars: new
  // inputs, or the first row of an observation). Exact for a Normal whose
  // mean is linear in parameters with a Gaussian posterior and whose sd is
  // known: Normal(x m, sqrt(x S x' + sd^2)); exact for a Bernoulli whose
  // probability is linear in the parameters: Bernoulli(its posterior mean).
  // Otherwise from posterior draws of the parameters, one new observation
  // drawn for each.
  Answer predictive_new(const Query& q, const dist::Family& f, const std::vector<ir::NodePtr>& args,
                        const std::string& note) {
    auto first = [](const Value& v) { return v.size() ? v[0] : NAN; };
    const auto mean_params = ir::params_of(*args[0]);
    const auto linear = patterns::linear_in(m(), *args[0], mean_params);
    if (linear && linear->design.rows() >= 1) {
      Eigen::VectorXd mu;
      Eigen::MatrixXd cov;
      const Eigen::RowVectorXd x = linear->design.row(0);
      const double offset = linear->offset.size() ? linear->offset[0] : 0;
      if (&f == &dist::normal_family() && ir::is_data_only(*args[1]) &&
          gaussian_moments(mean_params, mu, cov)) {
        const double sd = first(ir::eval(*args[1], env_of(m())));
        const double centre = offset + x.dot(mu);
        const double spread = std::sqrt((x * cov * x.transpose())(0, 0) + sd * sd);
        std::string xs;
        for (Eigen::Index i = 0; i < x.size(); ++i)
          xs += (i ? ", " : "") + format::significant(x[i]);
        report.explain.push_back(
            q.text + ": the mean is c + x theta with c = " + format::significant(offset) +
            ", x = [" + xs + "]; over the Gaussian posterior of theta it is Normal with mean c + " +
            "x m = " + format::significant(centre) +
            " and variance x S x' = " + format::significant((x * cov * x.transpose())(0, 0)) +
            "; one new observation adds " + "the noise, sd^2 = " + format::significant(sd * sd) +
            ": Normal(" + format::significant(centre) + ", " + format::significant(spread) + ")");
        Predictive out{{"Normal",
                        {{"mean", Value::scalar(centre)}, {"sd", Value::scalar(spread)}},
                        &dist::normal_family()},
                       Value::scalar(centre),
                       Value::scalar(spread),
                       note.empty()
                           ? "the uncertainty about the mean plus the noise's sd"
                           : note + "; the uncertainty about the mean plus the noise's sd"};
        return make(q, "conjugate", std::move(out));
      }
      if (&f == &dist::bernoulli_family()) {
        // E[y] = E[p] = offset + x E[theta], from each parameter's exact mean.
        double pr = offset;
        std::size_t col = 0;
        bool exact = true;
        for (auto p : mean_params) {
          std::string why;
          const Solution* s = posterior_of(p, why);
          const auto* r = s ? s->find(p) : nullptr;
          if (!r || s->sampled || s->method == "numeric" || s->method == "importance") {
            exact = false;
            break;
          }
          const Value& pm = r->posterior.mean;
          for (std::size_t e = 0; e < pm.size(); ++e)
            pr += x[static_cast<Eigen::Index>(col++)] * pm[e];
        }
        if (exact && pr >= 0 && pr <= 1) {
          Predictive out{{"Bernoulli", {{"p", Value::scalar(pr)}}, &dist::bernoulli_family()},
                         Value::scalar(pr),
                         Value::scalar(std::sqrt(pr * (1 - pr))),
                         note.empty() ? "P(1) = the posterior mean of the probability"
                                      : note + "; P(1) = the posterior mean of the probability"};
          return make(q, "conjugate", std::move(out));
        }
      }
    }
    // Binomial(n, p) with p a parameter whose posterior is Beta(a, b):
    // BetaBinomial(n, a, b) (BDA3 sec. 2.4).
    if (&f == &dist::binomial_family() && ir::is_data_only(*args[0]) &&
        args[1]->op == ir::Op::Param && m().params[args[1]->ref].type.is_scalar()) {
      std::string why;
      const Solution* s = posterior_of(args[1]->ref, why);
      const auto* r = s ? s->find(args[1]->ref) : nullptr;
      if (r && r->posterior.family == "Beta" && !s->sampled && s->method != "numeric") {
        double a = NAN, b = NAN;
        for (const auto& [name, v] : r->posterior.params) {
          if (name == "a") a = v[0];
          if (name == "b") b = v[0];
        }
        const double n = first(ir::eval(*args[0], env_of(m())));
        if (std::isfinite(a) && std::isfinite(b)) {
          const double mean = n * a / (a + b);
          const double var = n * a * b * (a + b + n) / ((a + b) * (a + b) * (a + b + 1));
          Predictive out{
              {"BetaBinomial",
               {{"n", Value::scalar(n, true)}, {"a", Value::scalar(a)}, {"b", Value::scalar(b)}},
               dist::find("BetaBinomial")},
              Value::scalar(mean),
              Value::scalar(std::sqrt(var)),
              note};
          return make(q, "conjugate", std::move(out));
        }
      }
    }
    // From draws: the parameters from the posterior, then y from f.
    std::vector<std::size_t> params;
    for (const auto& a : args)
      for (auto p : ir::params_of(*a))
        if (std::find(params.begin(), params.end(), p) == params.end()) params.push_back(p);
    std::vector<std::vector<Value>> ds;
    std::string why;
    if (!draws(params, std::min<std::size_t>(opt.draws, 20000), ds, why)) return error(q, why);
    dist::Rng rng(opt.seed + 1);
    std::vector<double> ys(ds.size()), a(args.size());
    for (std::size_t k = 0; k < ds.size(); ++k) {
      const auto env = env_of(m(), ds[k]);
      for (std::size_t i = 0; i < args.size(); ++i) {
        a[i] = first(ir::eval(*args[i], env));
        // A draw that puts an argument outside its domain (a Poisson rate
        // below 0) has no new observation: the question is wrong, say so.
        if (!dist::in_domain(f.params[i].domain, a[i]))
          return error(q, "at a posterior draw the " + std::string(f.params[i].name) + " of " +
                              std::string(f.name) + " is " + format::significant(a[i]) +
                              ", outside its domain: a new observation is not defined there");
      }
      std::vector<Value> checked;
      if (f.check_args) {
        for (double x : a) checked.push_back(Value::scalar(x));
        const std::string bad = f.check_args(checked);
        if (!bad.empty())
          return error(q, "at a posterior draw the arguments of " + std::string(f.name) +
                              " are invalid (" + bad + ")");
      }
      ys[k] = f.sample(dist::Args(a.data(), a.size()), rng);
    }
    LetVar named{q.text, nullptr, q.span, true};
    // A Bernoulli's new outcome is 1 with probability E[p]: averaging p over
    // the draws is exact in expectation and has less noise than 0/1 draws.
    if (&f == &dist::bernoulli_family()) {
      std::vector<double> ps(ds.size());
      for (std::size_t k = 0; k < ds.size(); ++k)
        ps[k] = first(ir::eval(*args[0], env_of(m(), ds[k])));
      double pr = 0, mcse = 0;
      std::string method = "monte-carlo";
      if (draws_run) {
        Answer a = let_from_chains(q, named, ps, nullptr);
        const auto* sp = std::get_if<SampledPosterior>(&a.body);
        if (!sp) return a;
        pr = sp->mean[0], mcse = sp->mcse_mean[0], method = a.method;
      } else {
        double sum = 0, sum2 = 0;
        for (double x : ps) sum += x, sum2 += x * x;
        const double n = static_cast<double>(ps.size());
        pr = sum / n;
        mcse = std::sqrt(std::max(0.0, sum2 / n - pr * pr) / n);
      }
      Predictive out{{"Bernoulli", {{"p", Value::scalar(pr)}}, &dist::bernoulli_family()},
                     Value::scalar(pr),
                     Value::scalar(std::sqrt(pr * (1 - pr))),
                     "P(1) = the posterior mean of the probability, from " +
                         std::to_string(ps.size()) + " draws (mcse " +
                         format::significant(mcse, 2) + ")" + (note.empty() ? "" : "; " + note)};
      return make(q, method, std::move(out));
    }
    const std::string what =
        "one new observation drawn at each posterior draw" + (note.empty() ? "" : ", " + note);
    if (draws_run) {
      Answer a = let_from_chains(q, named, ys, nullptr);
      if (auto* sp = std::get_if<SampledPosterior>(&a.body)) sp->note = what;
      return a;
    }
    return make(q, "monte-carlo", summary_of_draws(q, std::move(ys), what));
  }

  Answer predictive(const Query& q) {
    if (q.new_family) return predictive_new(q, *q.new_family, q.new_args, "");
    std::size_t oi = q.observations.front();
    // The component of the observation: through any parameter it touches.
    const auto& g = c.graph;
    std::size_t comp = SIZE_MAX;
    for (const auto& f : g.factors)
      if (f.kind == graph::FactorKind::Observation && f.index == oi) comp = f.component;
    if (comp != SIZE_MAX && optimise_pending[comp]) optimise(comp);
    if (comp == SIZE_MAX || !solutions[comp]) {
      if (comp != SIZE_MAX && c.graph.components[comp].params.empty())
        return error(q, "'" + q.data_name + "' depends on no parameter: its distribution is known");
      return error(q, comp == SIZE_MAX ? "no component" : failures[comp]);
    }
    for (const auto& pr : solutions[comp]->predictive) {
      if (pr.observation != oi) continue;
      return make(q, solutions[comp]->method,
                  Predictive{{pr.dist.family, pr.dist.params, pr.dist.dist_family},
                             pr.dist.mean,
                             pr.dist.sd,
                             pr.note});
    }
    // No closed form: one more observation like the first, from draws.
    const Observation& o = m().observations[oi];
    if (o.family->outcome_rank == Rank::Scalar && o.family->sample && !o.truncation.on) {
      bool rows = false;
      for (const auto& a : o.args) rows = rows || !a->type.is_scalar();
      std::string note = rows ? "for a new row like row 1" : "";
      if (q.observations.size() > 1)  // say which statement it is like
        note += (note.empty() ? "like '" : " of '") + o.text + "', the first statement observing " +
                q.data_name;
      return predictive_new(q, *o.family, o.args, note);
    }
    return error(q, "the predictive of '" + q.data_name + "' is not available for this model");
  }

  Answer evidence(const Query& q) {
    double total = 0, error2 = 0;
    std::string warning;
    std::string method = "conjugate";
    std::vector<Value> none(m().params.size());
    for (std::size_t i = 0; i < c.graph.components.size(); ++i) {
      const auto& comp = c.graph.components[i];
      if (comp.params.empty()) {
        for (auto fi : comp.factors) {
          const auto& f = c.graph.factors[fi];
          if (f.kind == graph::FactorKind::Observation)
            total += density::log_likelihood(m(), m().observations[f.index], none);
        }
        continue;
      }
      if (optimise_pending[i]) optimise(i);
      if (!solutions[i]) return error(q, failures[i]);
      // A Laplace evidence is checked by importance sampling from the same
      // Gaussian: where the weights are trusted their mean is the evidence;
      // where not, the Laplace value is kept with a warning.
      if (solutions[i]->method == "numeric" && !std::isnan(solutions[i]->log_evidence) &&
          opt.method == Method::Auto) {
        std::string why;
        auto checked = sample::importance(m(), c.graph, comp, opt.sample, why);
        if (checked && !std::isnan(checked->log_evidence)) {
          total += checked->log_evidence;
          error2 += checked->evidence_error * checked->evidence_error;
          if (method != "laplace") method = "importance";
          report.explain.push_back("component " + std::to_string(i + 1) +
                                   ": evidence by importance sampling from the Laplace "
                                   "approximation, log p(data) = " +
                                   format::significant(checked->log_evidence) + " +- " +
                                   format::significant(checked->evidence_error, 2) +
                                   " (the Laplace value was " +
                                   format::significant(solutions[i]->log_evidence) + ")");
          continue;
        }
        warning += (warning.empty() ? "" : "; ") +
                   (checked ? checked->evidence_note
                            : "the Laplace approximation could not be checked (" + why + ")") +
                   ", so this Laplace value may be far off";
      }
      if (std::isnan(solutions[i]->log_evidence))
        return error(q, "the evidence is not available: " + (solutions[i]->evidence_note.empty()
                                                                 ? "the posterior is improper"
                                                                 : solutions[i]->evidence_note));
      total += solutions[i]->log_evidence;
      // The sum is as exact as its least exact term.
      const std::string& own = solutions[i]->method == "numeric" ? "laplace" : solutions[i]->method;
      auto rank = [](const std::string& s) {
        return s == "laplace"       ? 4
               : s == "importance"  ? 3
               : s == "quadrature"  ? 2
               : s == "enumeration" ? 1
                                    : 0;
      };
      if (rank(own) > rank(method)) method = own;
    }
    return make(q, method, Evidence{total, std::sqrt(error2), warning});
  }

  Answer value(const Query& q) { return make(q, "", Constant{ir::eval(*q.expr, env_of(m()))}); }

  // The plot's data is the answer; its JSON is a summary of the grid.
  Answer plot(const Query& q) {
    std::size_t p = q.targets[0].index;
    std::optional<std::size_t> element = q.targets[0].element;
    std::optional<PlotData> d;
    std::string why;
    if (q.targets[0].kind == Target::Kind::Let) {
      // `let w1 = w[1]`: the marginal of an element; any other let: a
      // density estimate from posterior draws.
      const LetVar& let = m().lets[p];
      const ir::Node& e = *let.expr;
      if (e.op == ir::Op::Index && e.args.size() == 2 && e.args[0]->op == ir::Op::Param &&
          ir::is_data_only(*e.args[1]) && e.args[1]->type.is_scalar()) {
        p = e.args[0]->ref;
        element = static_cast<std::size_t>(ir::eval(*e.args[1], env_of(m()))[0] - 1);
      } else {
        std::vector<std::vector<Value>> ds;
        if (!draws(ir::params_of(e), std::min<std::size_t>(opt.draws, 20000), ds, why))
          return error(q, why);
        if (!e.type.is_scalar()) return error(q, "plot needs a scalar quantity");
        std::vector<double> xs;
        for (const auto& v : ds) xs.push_back(ir::eval(e, env_of(m(), v))[0]);
        d = plot_from_draws(let.name, std::move(xs));
      }
    }
    if (!d) {
      const Solution* s = posterior_of(p, why);
      if (!s) return error(q, why);
      if (s->sampled && !m().params[p].discrete) {
        // A density estimate from the sampler's draws.
        std::vector<std::string> names;
        auto cols = columns_of(*s->sampled, p, names);
        std::size_t k = element.value_or(0);
        if (k >= cols.size() || (!element && cols.size() != 1))
          return error(q, "plot needs a scalar quantity");
        std::vector<double> xs;
        for (const auto& chain : cols[k]->chains) xs.insert(xs.end(), chain.begin(), chain.end());
        d = plot_from_draws(names[k], std::move(xs));
        d->method = s->method;
        d->posterior_label = "posterior (kernel density estimate of the draws)";
        d->notes = {"the posterior drawn is a kernel density estimate from " +
                    chains_from(*s->sampled)};
        // The prior where its arguments are data, and the optimiser's marks.
        const Prior& pr = m().priors[m().params[p].prior];
        if (pr.family && pr.family->lpdf && pr.family->outcome_rank == Rank::Scalar &&
            patterns::fixed_args(pr)) {
          std::vector<double> args;
          for (const auto& arg : pr.args) {
            Value v = patterns::eval_data(m(), *arg);
            args.push_back(v.is_scalar() ? v[0] : v.data.at(k));
          }
          for (double x : d->x) d->prior.push_back(std::exp(pr.family->lpdf(args, x)));
          d->prior_label = "prior " + pr.text;
        }
        std::string unused;
        if (const Solution* fit = solution_of(p, unused))
          if (const auto* r = fit->find(p)) {
            if (r->map && k < r->map->size()) d->map = (*r->map)[k];
            if (r->mle && k < r->mle->size()) d->mle = (*r->mle)[k];
          }
      }
    }
    if (!d) {
      const Solution* s = solution_of(p, why);
      if (!s) return error(q, why);
      d = plot_data(m(), c.graph, *s, p, why, element);
      if (!d) return error(q, why);
      if (const auto labels = param_labels(p); element && *element < labels.size())
        d->param += " (" + labels[*element] + ")";  // mu[2] (B): the category it is
      if (element && q.targets[0].kind == Target::Kind::Let) {
        const std::string& name = m().lets[q.targets[0].index].name;
        d->notes.push_back(name + " is " + d->param);
        d->param = name;
      }
    }
    d->query = q.text, d->span = q.span, d->file = q.file;
    std::string method = d->method;
    return make(q, method, Plot{std::move(*d)});
  }

  // The labels of the elements a query answers, when they are categories
  // of a text column: `print group`, or a whole vector parameter indexed by
  // such a column (as many elements as labels).
  std::vector<std::string> labels_of(const Query& q) const {
    if (q.kind == QueryKind::Value && q.expr && q.expr->op == ir::Op::Data)
      return m().data[q.expr->ref].labels;
    if (q.targets.size() != 1 || q.targets[0].kind != Target::Kind::Param || q.targets[0].element)
      return {};
    return param_labels(q.targets[0].index);
  }

  // The categories naming the elements of vector parameter p: those of a
  // text column that indexes it and has as many labels as p has elements.
  std::vector<std::string> param_labels(std::size_t p) const {
    if (m().params[p].type.is_scalar()) return {};
    std::vector<std::string> found;
    std::function<void(const ir::Node&)> walk = [&](const ir::Node& n) {
      if (n.op == ir::Op::Index && n.args.size() == 2 && n.args[0]->op == ir::Op::Param &&
          n.args[0]->ref == p && n.args[1]->op == ir::Op::Data) {
        const auto& labels = m().data[n.args[1]->ref].labels;
        if (!labels.empty() && labels.size() == m().params[p].type.rows) found = labels;
      }
      for (const auto& a : n.args) walk(*a);
    };
    for (const auto& o : m().observations)
      for (const auto& a : o.args) walk(*a);
    for (const auto& pr : m().priors)
      for (const auto& a : pr.args) walk(*a);
    return found;
  }

  Answer answer(const Query& q) {
    Answer a = answer_body(q);
    if (!std::holds_alternative<Failure>(a.body)) a.labels = labels_of(q);
    return a;
  }

  Answer answer_body(const Query& q) {
    switch (q.kind) {
      case QueryKind::Posterior:
        return posterior(q);
      case QueryKind::Map:
        return point(q, false);
      case QueryKind::Mle:
        return point(q, true);
      case QueryKind::Mean:
      case QueryKind::Sd:
      case QueryKind::Interval:
      case QueryKind::Quantile:
        return summary(q);
      case QueryKind::Prob:
        return prob(q);
      case QueryKind::Predictive:
        return predictive(q);
      case QueryKind::Evidence:
        return evidence(q);
      case QueryKind::Value:
        return value(q);
      case QueryKind::Plot:
        return plot(q);
    }
    return error(q, "unknown query");
  }

  // Every parameter's draws, for --draws-out.
  DrawsTable draws_table() {
    DrawsTable t;
    std::vector<std::size_t> all;
    for (std::size_t p = 0; p < m().params.size(); ++p) all.push_back(p);
    std::vector<std::vector<Value>> ds;
    if (all.empty()) {
      t.error = "the model has no parameters";
      return t;
    }
    if (!draws(all, opt.sample.chains * opt.sample.draws, ds, t.error)) return t;
    t.columns = {"chain", "draw"};
    for (std::size_t p = 0; p < m().params.size(); ++p) {
      const Value& v = ds[0][p];
      if (v.is_scalar()) {
        t.columns.push_back(m().params[p].name);
      } else if (v.rank == Rank::Vector) {
        for (std::size_t i = 0; i < v.size(); ++i)
          t.columns.push_back(m().params[p].name + "." + std::to_string(i + 1));
      } else {
        // CmdStan's order: column-major.
        for (std::size_t col = 0; col < v.cols; ++col)
          for (std::size_t r = 0; r < v.rows; ++r)
            t.columns.push_back(m().params[p].name + "." + std::to_string(r + 1) + "." +
                                std::to_string(col + 1));
      }
    }
    const bool weighted = draws_run && !draws_run->weights.empty();
    if (weighted) t.columns.push_back("weight");
    const std::size_t per_chain = draws_run ? draws_run->draws : ds.size();
    for (std::size_t k = 0; k < ds.size(); ++k) {
      std::vector<double> row{static_cast<double>(k / per_chain + 1),
                              static_cast<double>(k % per_chain + 1)};
      for (std::size_t p = 0; p < m().params.size(); ++p) {
        const Value& v = ds[k][p];
        if (v.rank == Rank::Matrix) {
          for (std::size_t col = 0; col < v.cols; ++col)
            for (std::size_t r = 0; r < v.rows; ++r) row.push_back(v.at(r, col));
        } else {
          row.insert(row.end(), v.data.begin(), v.data.end());
        }
      }
      if (weighted) row.push_back(draws_run->weights[k]);
      t.rows.push_back(std::move(row));
    }
    return t;
  }

  void run() {
    solve_components();
    if (opt.draws_table) report.draws = draws_table();
    if (m().queries.empty()) {
      // The default report: every parameter's posterior summary.
      report.default_report = true;
      for (std::size_t p = 0; p < m().params.size(); ++p) {
        Query q;
        q.kind = QueryKind::Posterior;
        q.text = "posterior(" + m().params[p].name + ")";
        q.targets.push_back(Target{Target::Kind::Param, p, std::nullopt});
        report.answers.push_back(answer(q));
        report.answers.back().subject = m().params[p].name;
      }
      return;
    }
    for (const auto& q : m().queries) report.answers.push_back(answer(q));
  }
};

}  // namespace

const std::vector<std::string>& method_names() {
  static const std::vector<std::string> names = {"auto",    "exact",      "conjugate", "laplace",
                                                 "numeric", "importance", "sample"};
  return names;
}

std::optional<Method> method_named(const std::string& name) {
  static const Method methods[] = {Method::Auto,    Method::Exact,   Method::Conjugate,
                                   Method::Laplace, Method::Numeric, Method::Importance,
                                   Method::Sample};
  const auto& names = method_names();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == name) return methods[i];
  return std::nullopt;
}

bool exact(const Answer& a) {
  return a.method.empty() || a.method == "conjugate" || a.method == "enumeration";
}

Report answer_all(Compiled& c, const Options& options) {
  Engine e(c, options);
  e.run();
  return std::move(e.report);
}

}  // namespace bayes::answer
