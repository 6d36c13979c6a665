// The sampling engine (see sample.hpp): the numeric engine's tape and
// transforms give the log density of u with its gradient; NUTS chains run
// on it, in parallel, each from its own random start and random stream; the
// draws are mapped back to the parameters and summarised with their
// diagnostics.
#include "sample/sample.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <thread>

#include "diag/interrupt.hpp"
#include "format/format.hpp"
#include "graph/view.hpp"
#include "linalg/dense.hpp"
#include "numeric/fit.hpp"
#include "numeric/objective.hpp"
#include "numeric/parallel.hpp"
#include "numeric/start.hpp"
#include "numeric/tape.hpp"
#include "numeric/transform.hpp"
#include "sample/diagnostics.hpp"
#include "sample/nuts.hpp"
#include "sample/target.hpp"
#include "solution/discrete.hpp"
#include "solution/sampled.hpp"

namespace bayes::sample {

namespace {

using Eigen::VectorXd;

// Where the chains start: about the mode of the density of u (the Jacobian
// included) when the optimiser finds one, a chain's start drawn from a Normal
// there with half the Laplace approximation's sds; otherwise Stan's
// uniform(-2, 2) on each coordinate about the data's least-squares start.
// Starting in the mode's basin keeps chains out of a far local mode they
// could not leave (a mixture's label-switched mode): chains that still
// disagree say so through R-hat.
struct Starts {
  VectorXd centre;  // the mode, else the data's start
  VectorXd spread;  // per coordinate (empty: uniform(-2, 2))
};

Starts starts_of(const Model& m, Target& target, const Options& opt) {
  Starts out{target.centre, {}};
  auto mode = mode_of(m, target, opt.seed);
  if (!mode) return out;
  out.centre = mode->point.u;
  linalg::Cholesky h(mode->point.H);
  out.spread = VectorXd::Constant(out.centre.size(), 0.1);
  if (h.ok()) out.spread = 0.5 * h.inverse().diagonal().cwiseSqrt();
  return out;
}

// A start for one chain where the density and its gradient are finite: the
// first of 100 tries.
std::optional<VectorXd> start_of(numeric::Objective& f, const Starts& s, Random& rng) {
  VectorXd u(s.centre.size()), g;
  for (int attempt = 0; attempt < 100; ++attempt) {
    for (Eigen::Index i = 0; i < u.size(); ++i)
      u[i] = s.spread.size() ? s.centre[i] + s.spread[i] * rng.normal()
                             : s.centre[i] + 4 * rng.uniform() - 2;
    if (std::isfinite(f.evaluate(u, g)) && g.allFinite()) return u;
  }
  return std::nullopt;
}

// Shows the progress of the chains (Options::progress) from its own
// thread, which sleeps between looks: after a second, four times a second.
class Monitor {
 public:
  Monitor(const std::function<void(double)>& show, const std::atomic<std::size_t>& done,
          std::size_t total)
      : show_(show), done_(done), total_(total) {
    if (show_) thread_ = std::thread([this] { watch(); });
  }
  ~Monitor() {
    if (!show_) return;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      finished_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

 private:
  void watch() {
    using namespace std::chrono_literals;
    std::unique_lock<std::mutex> lock(mutex_);
    if (wake_.wait_for(lock, 1s, [this] { return finished_; })) return;
    while (!wake_.wait_for(lock, 250ms, [this] { return finished_; }))
      show_(static_cast<double>(done_.load()) / static_cast<double>(total_));
    show_(-1);
  }

  const std::function<void(double)>& show_;
  const std::atomic<std::size_t>& done_;
  std::size_t total_;
  std::thread thread_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool finished_ = false;
};

// E-BFMI of one chain: mean squared energy change over the energy's variance.
double ebfmi(const std::vector<double>& e) {
  if (e.size() < 2) return NAN;
  double mean = 0;
  for (double x : e) mean += x;
  mean /= static_cast<double>(e.size());
  double num = 0, den = 0;
  for (std::size_t i = 1; i < e.size(); ++i) num += (e[i] - e[i - 1]) * (e[i] - e[i - 1]);
  for (double x : e) den += (x - mean) * (x - mean);
  return num / den;
}

}  // namespace

// The posterior of one scalar (or each element) from its pooled draws, or
// from weighted ones: mean and sd, the empirical cdf, the quantiles (R's
// type 7 for equal weights), a draw picked at random (by weight).
solution::ClosedForm from_draws(const std::vector<const solution::SampledColumn*>& cols,
                                bool scalar, const std::vector<double>& weights) {
  solution::ClosedForm cf;
  cf.family = "draws";
  std::vector<double> means, sds;
  for (const auto* c : cols) means.push_back(c->mean), sds.push_back(c->sd);
  cf.mean = scalar ? Value::scalar(means[0]) : Value::vector(means);
  cf.sd = scalar ? Value::scalar(sds[0]) : Value::vector(sds);
  cf.mode_note = "the sampler gives no mode (map() is found by the optimiser)";
  if (!weights.empty()) {
    auto w = std::make_shared<std::vector<double>>(weights);
    std::vector<std::shared_ptr<std::vector<double>>> xs;
    for (const auto* c : cols) xs.push_back(std::make_shared<std::vector<double>>(c->chains[0]));
    auto cdf = [w](const std::vector<double>& x, double at) {
      double p = 0;
      for (std::size_t i = 0; i < x.size(); ++i) p += x[i] <= at ? (*w)[i] : 0;
      return p;
    };
    if (scalar) {
      auto x = xs[0];
      cf.cdf = [x, cdf](double at) { return cdf(*x, at); };
      cf.quantile = [x, w](double p) { return weighted_quantile(*x, *w, p); };
    } else {
      cf.element_cdf = [xs, cdf](std::size_t i, double at) { return cdf(*xs[i], at); };
      cf.element_quantile = [xs, w](std::size_t i, double p) {
        return weighted_quantile(*xs[i], *w, p);
      };
    }
    return cf;
  }
  std::vector<std::shared_ptr<std::vector<double>>> sorted;
  for (const auto* c : cols) {
    auto s = std::make_shared<std::vector<double>>();
    for (const auto& chain : c->chains) s->insert(s->end(), chain.begin(), chain.end());
    std::sort(s->begin(), s->end());
    sorted.push_back(s);
  }
  auto cdf = [](const std::vector<double>& s, double x) {
    return static_cast<double>(std::upper_bound(s.begin(), s.end(), x) - s.begin()) /
           static_cast<double>(s.size());
  };
  if (scalar) {
    auto s = sorted[0];
    cf.cdf = [s, cdf](double x) { return cdf(*s, x); };
    cf.quantile = [s](double p) { return quantile_sorted(*s, p); };
  } else {
    cf.element_cdf = [sorted, cdf](std::size_t i, double x) { return cdf(*sorted[i], x); };
    cf.element_quantile = [sorted](std::size_t i, double p) {
      return quantile_sorted(*sorted[i], p);
    };
  }
  return cf;
}

namespace {

// Why every answer of the run may be wrong, in words: divergences, tree
// depth, E-BFMI (each parameter's R-hat and ESS are judged with its answer).
std::vector<std::string> run_warnings(const solution::Sampled& s) {
  std::vector<std::string> out;
  if (s.divergences)
    out.push_back(format::plural(s.divergences, "divergent transition") + " after warm-up (of " +
                  std::to_string(s.total()) +
                  "): the sampler cannot follow the posterior's curvature somewhere, so the draws "
                  "may miss part of it (reparameterise, e.g. non-centred, or raise --adapt-delta)");
  if (s.depth_hits)
    out.push_back(format::plural(s.depth_hits, "transition") + " of " + std::to_string(s.total()) +
                  " hit the tree depth limit " + std::to_string(s.max_depth) +
                  ": sampling is inefficient");
  std::string low;
  for (std::size_t c = 0; c < s.ebfmi.size(); ++c)
    if (s.ebfmi[c] < 0.3)
      low += (low.empty() ? "" : ", ") + std::to_string(c + 1) + " (" +
             format::significant(s.ebfmi[c], 2) + ")";
  if (!low.empty())
    out.push_back("E-BFMI below 0.3 in chain " + low +
                  ": the momenta explore the energy poorly, so the tails may be missed");
  return out;
}

// The parameters whose R-hat or ESS fail, for --explain.
std::vector<std::string> column_warnings(const Model& m, const solution::Sampled& s) {
  std::string high_rhat, low_ess;
  for (const auto& col : s.columns) {
    const auto& p = m.params[col.param];
    std::string name =
        p.type.is_scalar() ? p.name : p.name + "[" + std::to_string(col.element + 1) + "]";
    if (!(col.rhat <= 1.01)) high_rhat += (high_rhat.empty() ? "" : ", ") + name;
    double floor = 100.0 * static_cast<double>(s.chains);
    if (!(col.ess_bulk >= floor) || !(col.ess_tail >= floor))
      low_ess += (low_ess.empty() ? "" : ", ") + name;
  }
  std::vector<std::string> out;
  if (!high_rhat.empty()) out.push_back("R-hat above 1.01 (or undefined): " + high_rhat);
  if (!low_ess.empty())
    out.push_back("bulk or tail ESS below " + std::to_string(100 * s.chains) + ": " + low_ess);
  return out;
}

}  // namespace

std::optional<Target> target_of(const Model& m, const graph::FactorGraph& g,
                                const graph::Component& c, std::string& why) {
  graph::ComponentView v = graph::view(g, c);
  Target t;
  std::vector<std::size_t> order;
  for (auto p : c.params) (m.params[p].discrete ? t.marginal : order).push_back(p);
  std::optional<numeric::Layout> coordinates =
      numeric::layout_of(m, order, v.observations, {}, why);
  if (!coordinates) return std::nullopt;
  std::optional<numeric::DataStart> start = numeric::data_start(m, *coordinates, v.observations);
  if (start) numeric::centre_layout(*coordinates, *start);
  t.layout = std::move(*coordinates);
  t.tape = numeric::Tape::compile(m, v.priors, v.observations, why, t.marginal, v.terms);
  if (!t.tape) return std::nullopt;
  t.centre = start ? start->u : VectorXd::Zero(static_cast<Eigen::Index>(t.layout.dim));
  return t;
}

void summarise(solution::Sampled& run) {
  for (auto& col : run.columns) {
    if (run.weights.empty()) {
      auto d = diagnose(col.chains);
      col.mean = d.mean, col.sd = d.sd, col.rhat = d.rhat;
      col.ess_bulk = d.ess_bulk, col.ess_tail = d.ess_tail;
      col.mcse_mean = d.mcse_mean, col.mcse_sd = d.mcse_sd;
      continue;
    }
    const auto& x = col.chains[0];
    col.mean = weighted_mean(x, run.weights), col.sd = weighted_sd(x, run.weights);
    col.rhat = NAN;
    col.ess_bulk = col.ess_tail = importance_ess(run.weights);
    col.mcse_mean = weighted_mcse_mean(x, run.weights);
    col.mcse_sd = weighted_mcse_sd(x, run.weights);
  }
}

std::optional<numeric::Fit> mode_of(const Model& m, Target& target, std::uint64_t seed) {
  numeric::Options fit_options;
  fit_options.seed = seed;
  fit_options.mle = false;
  fit_options.max_iterations = 100;
  std::optional<numeric::Failure> failure;
  numeric::Fit mode = numeric::fit({.m = m,
                                    .tape = *target.tape,
                                    .layout = target.layout,
                                    .opt = fit_options,
                                    .what = "MAP",
                                    .jacobian = true,
                                    .start = &target.centre},
                                   failure);
  if (failure || !mode.note.empty() || !mode.interior) return std::nullopt;
  return mode;
}

void add_columns(solution::Sampled& run, const Model& m, const numeric::Layout& layout,
                 std::size_t chains) {
  for (const auto& t : layout.transforms) {
    run.params.push_back({t.param, t.size, m.params[t.param].type.is_scalar()});
    for (std::size_t i = 0; i < t.size; ++i)
      run.columns.push_back({t.param, i, std::vector<std::vector<double>>(chains)});
  }
}

void append_draw(solution::Sampled& run, const numeric::Layout& layout, const VectorXd& u,
                 std::size_t chain, std::vector<VectorXd>& values) {
  layout.constrain(u, values);
  std::size_t col = 0;
  for (const auto& t : layout.transforms)
    for (std::size_t e = 0; e < t.size; ++e)
      run.columns[col++].chains[chain].push_back(values[t.param][static_cast<Eigen::Index>(e)]);
}

std::optional<solution::Solution> solve(const Model& m, const graph::FactorGraph& g,
                                        const graph::Component& c, const Options& opt,
                                        std::string& why) {
  auto target = target_of(m, g, c, why);
  if (!target) return std::nullopt;
  const numeric::Layout& layout = target->layout;
  const std::vector<std::size_t>& marginal = target->marginal;
  auto& tape = target->tape;
  const Starts starts = starts_of(m, *target, opt);

  Settings settings;
  settings.warmup = opt.warmup, settings.draws = opt.draws;
  settings.delta = opt.delta, settings.max_depth = opt.max_depth;
  const std::size_t chains = std::max<std::size_t>(opt.chains, 1);
  std::vector<Chain> runs(chains);
  std::vector<numeric::Tape> tapes(chains, *tape);  // one per chain: a tape keeps its values
  std::atomic<std::size_t> next{0}, done{0};
  settings.done = &done;
  auto worker = [&](bool serial) {
    numeric::rows_serial = serial;
    for (std::size_t k; (k = next++) < chains;) {
      Random rng(opt.seed, k);
      numeric::Objective objective(tapes[k], layout, m, true, 0);
      auto u0 = start_of(objective, starts, rng);
      if (!u0) {
        runs[k].failure = "no start with a finite log density and gradient in 100 random tries";
        continue;
      }
      LogDensity f = [&objective](const VectorXd& u, VectorXd& grad) {
        double minus = objective.evaluate(u, grad);
        grad = -grad;
        return -minus;
      };
      try {
        runs[k] = run_chain(f, *u0, settings, rng);
      } catch (const std::exception& e) {
        runs[k].failure = e.what();
      }
      if (interrupt_requested) return;
    }
  };
  std::size_t threads = opt.threads ? opt.threads : numeric::worker_threads();
  threads = std::clamp<std::size_t>(threads, 1, chains);
  {
    Monitor monitor(opt.progress, done, chains * (opt.warmup + opt.draws));
    if (threads == 1) {
      worker(false);
    } else {
      std::vector<std::thread> pool;
      for (std::size_t t = 0; t < threads; ++t) pool.emplace_back(worker, true);
      for (auto& t : pool) t.join();
    }
  }
  check_interrupt();
  for (std::size_t k = 0; k < chains; ++k)
    if (!runs[k].failure.empty()) {
      why = "the sampler could not run chain " + std::to_string(k + 1) + ": " + runs[k].failure;
      return std::nullopt;
    }

  // The draws mapped back to the parameters, column by column.
  auto run = std::make_shared<solution::Sampled>();
  run->chains = chains, run->draws = opt.draws, run->warmup = opt.warmup;
  run->seed = opt.seed, run->max_depth = opt.max_depth;
  add_columns(*run, m, layout, chains);
  // Summed-out labels: each draw's class probabilities (their average is the
  // label's posterior), and a label drawn from them (for lets that read it).
  std::vector<numeric::Tape::Labels> label_sums;
  std::vector<std::size_t> label_first;
  for (std::size_t k = 0; k < chains; ++k) {
    const Chain& ch = runs[k];
    run->divergences += static_cast<std::size_t>(
        std::count(ch.divergent.begin(), ch.divergent.end(), static_cast<unsigned char>(1)));
    run->depth_hits += static_cast<std::size_t>(
        std::count(ch.depth_hit.begin(), ch.depth_hit.end(), static_cast<unsigned char>(1)));
    run->ebfmi.push_back(ebfmi(ch.energy));
    Random pick(opt.seed ^ 0x6c6162656c73ULL, k);
    std::vector<VectorXd> values(m.params.size());
    for (std::size_t i = 0; i < opt.draws; ++i) {
      append_draw(*run, layout, ch.draws.row(static_cast<Eigen::Index>(i)).transpose(), k, values);
      if (marginal.empty()) continue;
      tapes[k].forward(values);
      auto labels = tapes[k].responsibilities();
      if (label_sums.empty()) {
        label_sums = labels;
        for (auto& l : label_sums) l.resp.setZero();
        for (const auto& l : labels) {
          label_first.push_back(run->columns.size());
          auto rows = static_cast<std::size_t>(l.resp.rows());
          run->params.push_back({l.param, rows, m.params[l.param].type.is_scalar(), true});
          for (std::size_t e = 0; e < rows; ++e)
            run->columns.push_back({l.param, e, std::vector<std::vector<double>>(chains)});
        }
      }
      for (std::size_t j = 0; j < labels.size(); ++j) {
        const auto& R = labels[j].resp;
        label_sums[j].resp += R;
        for (Eigen::Index r = 0; r < R.rows(); ++r) {
          double u = pick.uniform(), acc = 0;
          Eigen::Index cls = 0;
          while (cls + 1 < R.cols() && (acc += R(r, cls)) <= u) ++cls;
          run->columns[label_first[j] + static_cast<std::size_t>(r)].chains[k].push_back(
              labels[j].values[static_cast<std::size_t>(cls)]);
        }
      }
    }
  }
  summarise(*run);
  run->warnings = run_warnings(*run);

  solution::Solution sol;
  sol.method = "sampling";
  sol.rule = "NUTS, " + std::to_string(chains) + " chains x " + std::to_string(opt.draws) +
             " draws after " + std::to_string(opt.warmup) + " warm-up";
  std::size_t col = 0;
  for (const auto& p : run->params) {
    solution::ParamResult r;
    r.param = p.param;
    std::vector<const solution::SampledColumn*> cols;
    for (std::size_t i = 0; i < p.size; ++i) cols.push_back(&run->columns[col + i]);
    bool label = m.params[p.param].discrete;
    if (label) {
      std::size_t j = 0;
      while (label_sums[j].param != p.param) ++j;
      const auto& R = label_sums[j].resp;
      std::vector<std::vector<double>> probs(static_cast<std::size_t>(R.rows()));
      for (Eigen::Index i = 0; i < R.rows(); ++i)
        for (Eigen::Index k = 0; k < R.cols(); ++k)
          probs[static_cast<std::size_t>(i)].push_back(R(i, k) / static_cast<double>(run->total()));
      r.posterior = solution::discrete_marginal(label_sums[j].values, probs, p.scalar);
    } else {
      r.posterior = from_draws(cols, p.scalar, {});
    }
    r.map_note = "the MAP was not computed (no map() query)";
    r.mle_note = "the MLE was not computed (no mle() query)";
    sol.params.push_back(std::move(r));
    col += p.size;
  }
  std::size_t leapfrogs = 0;
  double step = 0, warmup_seconds = 0, sampling_seconds = 0;
  for (const auto& ch : runs) {
    leapfrogs += ch.leapfrogs, step += ch.step_size;
    warmup_seconds += ch.warmup_seconds, sampling_seconds += ch.sampling_seconds;
  }
  sol.explain.push_back(
      "sampling: NUTS (multinomial, diagonal metric adapted in windowed "
      "warm-up) on " +
      std::to_string(layout.dim) +
      " unconstrained coordinates, the Jacobian of each transform included");
  sol.explain.push_back(std::to_string(chains) + " chains x (" + std::to_string(opt.warmup) +
                        " warm-up + " + std::to_string(opt.draws) + " draws), seed " +
                        std::to_string(opt.seed) + "; " + std::to_string(leapfrogs) +
                        " gradient evaluations; mean step size " +
                        format::significant(step / static_cast<double>(chains)));
  sol.explain.push_back("time, summed over the chains: warm-up " +
                        format::significant(warmup_seconds, 3) + " s, sampling " +
                        format::significant(sampling_seconds, 3) + " s");
  for (const auto& w : run->warnings) sol.explain.push_back("warning: " + w);
  for (const auto& w : column_warnings(m, *run)) sol.explain.push_back("warning: " + w);
  if (!marginal.empty())
    sol.explain.push_back(
        "discrete unknowns summed out in the density; their probabilities are the average over "
        "the draws of each draw's exact class probabilities");
  sol.evidence_note = "the sampler does not estimate the evidence";
  auto shared = std::shared_ptr<const solution::Sampled>(run);
  sol.sampled = shared;
  sol.draw = [shared](dist::Rng& rng, std::vector<Value>& values) {
    shared->fill(static_cast<std::size_t>(rng() % shared->total()), values);
  };
  return sol;
}

}  // namespace bayes::sample
