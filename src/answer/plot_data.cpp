// Plot data: prior, normalised likelihood and posterior of one scalar
// parameter on a grid, from its component's solution (any engine).
#include "answer/plot_data.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <functional>

#include "density/log_density.hpp"
#include "dist/family.hpp"
#include "format/format.hpp"
#include "graph/view.hpp"
#include "linalg/dense.hpp"
#include "patterns/patterns.hpp"

namespace bayes::answer {

namespace {

constexpr std::size_t kGrid = 300;       // cells of a continuous plot
constexpr std::size_t kTailCells = 100;  // per segment of the likelihood's tails
constexpr std::size_t kMaxBars = 200;    // values of a discrete plot
constexpr double kVisible = -4.6;        // log of 1e-2: the likelihood has fallen off
constexpr double kTail = 0.0005;         // the range holds the central 99.9%
constexpr double kDrawTail = 0.005;      // from draws: the central 99%
constexpr double kNarrowest = 1e-9;      // the narrowest range drawn, relative to its size

std::string family_text(const solution::ClosedForm& cf) {
  if (cf.params.empty()) return cf.family;  // "exact marginal, by quadrature"
  std::string s = cf.family + "(";
  for (std::size_t i = 0; i < cf.params.size(); ++i) {
    const Value& v = cf.params[i].second;
    std::string text;
    if (v.is_scalar()) {
      text = format::significant(v[0], 4);
    } else if (v.rank == Rank::Vector && v.size() <= 6) {
      for (std::size_t k = 0; k < v.size(); ++k)
        text += (k ? ", " : "[") + format::significant(v[k], 4);
      text += "]";
    } else {
      return cf.family;
    }
    s += (i ? ", " : "") + cf.params[i].first + " = " + text;
  }
  return s + ")";
}

// The support of a scalar parameter, from its prior.
std::pair<double, double> support_of(const Model& m, std::size_t param) {
  const ParamVar& pv = m.params[param];
  const Prior& pr = m.priors[pv.prior];
  if (!pr.family) return {pr.lower, pr.upper};
  dist::Domain d = pr.family->support;
  if (pr.family->joint > 1 && pv.slot < pr.family->joint_supports.size())
    d = pr.family->joint_supports[pv.slot];
  using dist::Domain;
  switch (d) {
    case Domain::Positive:
    case Domain::NonNegative:
    case Domain::Count:
      return {0, INFINITY};
    case Domain::PositiveInt:
      return {1, INFINITY};
    case Domain::Unit:
    case Domain::OpenUnit:
    case Domain::Binary:
      return {0, 1};
    case Domain::Bounded:
      if (patterns::fixed_args(pr) && pr.args.size() >= 2) {
        double a0 = patterns::eval_data(m, *pr.args[0])[0];
        double a1 = patterns::eval_data(m, *pr.args[1])[0];
        if (pr.family == &dist::uniform_family()) return {a0, a1};
        if (pr.family == &dist::pareto_family()) return {a0, INFINITY};
      }
      return {-INFINITY, INFINITY};
    default:
      return {-INFINITY, INFINITY};
  }
}

// Normalises log values on cells of width h (h = 1 for probabilities):
// exp(v - max) / (sum * h). Empty when nothing is finite.
std::vector<double> normalise(const std::vector<double>& logs, double h) {
  double top = -INFINITY;
  for (double v : logs)
    if (std::isfinite(v)) top = std::max(top, v);
  if (!std::isfinite(top)) return {};
  std::vector<double> out(logs.size());
  double sum = 0;
  for (std::size_t i = 0; i < logs.size(); ++i) {
    out[i] = std::isnan(logs[i]) ? 0.0 : std::exp(logs[i] - top);
    sum += out[i];
  }
  for (double& y : out) y /= sum * h;
  return out;
}

// A density on the grid xs from a quantile function: the quantiles at
// p = Phi(z) for z from -6 to 6 give the slopes dp / dx, interpolated onto xs.
std::vector<double> density_from_quantile(const std::function<double(double)>& q,
                                          const std::vector<double>& xs) {
  constexpr int kSteps = 4000;
  std::vector<double> px, py;  // midpoints and densities, increasing x
  double prev_p = 0, prev_x = NAN;
  for (int j = 0; j <= kSteps; ++j) {
    double z = -6 + 12.0 * j / kSteps;
    double p = 0.5 * std::erfc(-z / std::sqrt(2.0));
    double x = q(p);
    if (std::isfinite(prev_x) && std::isfinite(x) && x > prev_x) {
      px.push_back((x + prev_x) / 2);
      py.push_back((p - prev_p) / (x - prev_x));
    }
    if (std::isfinite(x)) prev_p = p, prev_x = x;
  }
  std::vector<double> out(xs.size(), 0.0);
  if (px.size() < 2) return out;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    double x = xs[i];
    if (x < px.front() || x > px.back()) continue;
    auto it = std::upper_bound(px.begin(), px.end(), x);
    if (it == px.end()) {
      out[i] = py.back();
      continue;
    }
    std::size_t j = static_cast<std::size_t>(it - px.begin());
    if (j == 0) {
      out[i] = py.front();
      continue;
    }
    double t = (x - px[j - 1]) / (px[j] - px[j - 1]);
    out[i] = py[j - 1] + t * (py[j] - py[j - 1]);
  }
  return out;
}

struct Builder {
  const Model& m;
  const solution::Solution& s;
  std::size_t param;
  std::optional<std::size_t> element;  // of a vector parameter
  std::vector<std::size_t> observations;
  std::vector<Value> at_map, at_mle;        // the other parameters at the MAP / MLE
  std::string others;                       // the component's other parameters: "s2", "a, b"
  std::optional<Value> base_map, base_mle;  // the vector parameter at the MAP / MLE

  Builder(const Model& model, const graph::FactorGraph& g, const solution::Solution& sol,
          std::size_t p, std::optional<std::size_t> e)
      : m(model), s(sol), param(p), element(e) {
    const auto& comp = g.components[g.param_component[p]];
    observations = graph::view(g, comp).observations;
    at_map.resize(m.params.size());
    at_mle.resize(m.params.size());
    for (auto q : comp.params) {
      const auto* r = s.find(q);
      if (!r) continue;
      if (q != p) others += (others.empty() ? "" : ", ") + m.params[q].name;
      if (q == p && e && r->posterior.mean.size() > 1)
        others += (others.empty() ? "" : ", ") + std::string("its other elements");
      const Value& fallback = r->posterior.mean;
      at_map[q] = r->map ? *r->map : fallback;
      at_mle[q] = r->mle ? *r->mle : at_map[q];
    }
  }

  // The parameter's value with x put in (into its element, the others kept).
  Value point(double x, const Value& base) const {
    if (!element) return Value::scalar(x, m.params[param].discrete);
    Value v = base;
    v.data.at(*element) = x;
    return v;
  }

  double log_likelihood(double x) {
    if (!base_mle) base_mle = at_mle[param];
    if (!ridge.empty()) return log_likelihood_at(along_ridge(x));
    at_mle[param] = point(x, *base_mle);
    double total = 0;
    for (auto oi : observations) total += density::log_likelihood(m, m.observations[oi], at_mle);
    return total;
  }

  // The approximate profile likelihood: the other continuous coordinates move
  // along the likelihood's ridge through the MLE, theta_j = mle_j + (S_jp / S_pp)
  // (x - mle_p) with S the inverse of minus the Hessian at the MLE (the
  // conditional maximiser of the quadratic approximation; exact for a
  // linear-Gaussian likelihood). Coordinates that would leave their support
  // stay at the MLE.
  std::vector<std::pair<std::size_t, std::size_t>> coords;  // (param, element)
  std::vector<double> theta_hat, ridge, lower, upper;
  std::size_t self = 0;

  std::vector<Value> with(const std::vector<double>& theta) const {
    std::vector<Value> v = at_mle;
    for (std::size_t j = 0; j < coords.size(); ++j) {
      Value& x = v[coords[j].first];
      if (x.is_scalar())
        x = Value::scalar(theta[j]);
      else
        x.data.at(coords[j].second) = theta[j];
    }
    return v;
  }

  double log_likelihood_at(const std::vector<Value>& v) const {
    double total = 0;
    for (auto oi : observations) total += density::log_likelihood(m, m.observations[oi], v);
    return total;
  }

  std::vector<Value> along_ridge(double x) const {
    std::vector<double> theta = theta_hat;
    for (std::size_t j = 0; j < coords.size(); ++j) {
      double t = j == self ? x : theta_hat[j] + ridge[j] * (x - theta_hat[self]);
      if (t > lower[j] && t < upper[j]) theta[j] = t;
    }
    return with(theta);
  }

  // Sets up the ridge; false (the conditional likelihood stays) when the MLE
  // is missing, the dimension is large or the curvature is not negative.
  bool build_ridge(const graph::FactorGraph& g) {
    const auto& comp = g.components[g.param_component[param]];
    for (auto q : comp.params) {
      const auto* r = s.find(q);
      if (m.params[q].discrete) continue;
      if (!r || !r->mle) return false;
      auto [lo, hi] = support_of(m, q);
      for (std::size_t i = 0; i < r->mle->size(); ++i) {
        if (q == param && i == element.value_or(0)) self = coords.size();
        coords.push_back({q, i});
        theta_hat.push_back((*r->mle)[i]);
        lower.push_back(lo), upper.push_back(hi);
      }
    }
    const std::size_t d = coords.size();
    if (d < 2 || d > 20) return false;
    std::vector<double> h(d);
    for (std::size_t j = 0; j < d; ++j) h[j] = 1e-3 * std::max(std::fabs(theta_hat[j]), 0.1);
    auto f = [&](std::size_t i, double di, std::size_t j, double dj) {
      std::vector<double> t = theta_hat;
      t[i] += di, t[j] += dj;
      return log_likelihood_at(with(t));
    };
    Eigen::MatrixXd H(d, d);
    double f0 = log_likelihood_at(with(theta_hat));
    for (std::size_t i = 0; i < d; ++i) {
      auto ii = static_cast<Eigen::Index>(i);
      H(ii, ii) = (f(i, h[i], i, 0) - 2 * f0 + f(i, -h[i], i, 0)) / (h[i] * h[i]);
      for (std::size_t j = 0; j < i; ++j) {
        auto jj = static_cast<Eigen::Index>(j);
        H(ii, jj) = H(jj, ii) = (f(i, h[i], j, h[j]) - f(i, h[i], j, -h[j]) - f(i, -h[i], j, h[j]) +
                                 f(i, -h[i], j, -h[j])) /
                                (4 * h[i] * h[j]);
      }
    }
    if (!H.allFinite()) return false;
    const linalg::Cholesky llt(-H);
    if (!llt.ok()) return false;
    Eigen::MatrixXd S = llt.inverse();
    auto sp = static_cast<Eigen::Index>(self);
    if (!(S(sp, sp) > 0)) return false;
    ridge.resize(d);
    for (std::size_t j = 0; j < d; ++j) ridge[j] = S(static_cast<Eigen::Index>(j), sp) / S(sp, sp);
    return true;
  }

  // A joint NormalInverseGamma(m0, lambda, alpha, beta) prior with fixed
  // arguments: the marginal of this parameter, mu ~ StudentT(2 alpha, m0,
  // sqrt(beta / (alpha lambda))) or s2 ~ InverseGamma(alpha, beta) (Murphy,
  // "Conjugate Bayesian analysis of the Gaussian distribution", 2007, sec. 6).
  bool nig_marginal(const dist::Family*& family, std::vector<double>& args) const {
    const ParamVar& pv = m.params[param];
    const Prior& pr = m.priors[pv.prior];
    if (pr.family != &dist::normal_inverse_gamma_family() || !patterns::fixed_args(pr))
      return false;
    double a[4];
    for (int i = 0; i < 4; ++i) a[i] = patterns::eval_data(m, *pr.args[i])[0];
    if (pv.slot == 0)
      family = &dist::student_t_family(), args = {2 * a[2], a[0], std::sqrt(a[3] / (a[2] * a[1]))};
    else
      family = &dist::inverse_gamma_family(), args = {a[2], a[3]};
    return true;
  }

  // The prior's log density at x; `exact` says whether it is normalised as is
  // (fixed hyperparameters) or conditional on the others at the MAP.
  double log_prior(double x, bool& exact) {
    const ParamVar& pv = m.params[param];
    const Prior& pr = m.priors[pv.prior];
    exact = patterns::fixed_args(pr);
    const dist::Family* family = nullptr;
    std::vector<double> args;
    if (nig_marginal(family, args)) return family->lpdf(args, x);
    if (element) {
      // An iid prior with fixed arguments: the element's own density.
      if (exact && pr.family && pr.family->lpdf && pr.family->outcome_rank == Rank::Scalar) {
        std::vector<double> a;
        for (const auto& arg : pr.args) {
          Value v = patterns::eval_data(m, *arg);
          a.push_back(v.is_scalar() ? v[0] : v.data.at(*element));
        }
        return pr.family->lpdf(a, x);
      }
      exact = false;  // a vector prior: conditional on the other elements
    }
    if (!base_map) base_map = at_map[param];
    at_map[param] = point(x, *base_map);
    return density::log_prior(m, pr, at_map);
  }
};

// The plot's name, method, marks and the prior's and posterior's labels.
PlotData labelled(Builder& b, const solution::ParamResult& r, const std::string& method) {
  const solution::ClosedForm& cf = r.posterior;
  const ParamVar& pv = b.m.params[b.param];
  const Prior& pr = b.m.priors[pv.prior];
  const std::size_t k = b.element.value_or(0);
  const bool laplace = cf.laplace;
  PlotData d;
  d.param = b.element ? pv.name + "[" + std::to_string(k + 1) + "]" : pv.name;
  d.method = laplace ? "laplace" : method;
  d.discrete = cf.discrete || pv.discrete;
  if (r.map && k < r.map->size()) d.map = (*r.map)[k];
  if (r.mle && k < r.mle->size()) d.mle = (*r.mle)[k];
  d.posterior_label = laplace     ? "posterior (Laplace approximation)"
                      : b.element ? "posterior " + cf.family + " (marginal of " + d.param + ")"
                                  : "posterior " + family_text(cf);
  d.prior_label = "prior " + pr.text;
  const dist::Family* family = nullptr;
  std::vector<double> args;
  if (b.nig_marginal(family, args)) {
    std::string text = std::string(family->name) + "(";
    for (std::size_t i = 0; i < args.size(); ++i)
      text += (i ? ", " : "") + format::significant(args[i], 4);
    d.prior_label += ", marginally " + text + ")";
  }
  return d;
}

// Which likelihood is drawn when the component has other parameters: the
// approximate profile where the ridge can be set up, else the conditional
// one with the others at the MLE.
void choose_likelihood(Builder& b, const graph::FactorGraph& g, PlotData& d) {
  d.likelihood_label = "likelihood (normalised)";
  if (!b.others.empty() && !d.discrete && b.build_ridge(g)) {
    d.likelihood_label = "likelihood (normalised, approximate profile)";
    d.notes.push_back("the likelihood of " + d.param + " is an approximate profile (" + b.others +
                      " moving along the likelihood's ridge through the MLE)");
  } else if (!b.others.empty()) {
    d.likelihood_label = "likelihood (normalised, " + b.others + " at the MLE)";
    d.notes.push_back("the likelihood of " + d.param + " is drawn with " + b.others +
                      " held at the MLE");
  }
}

// A discrete parameter: bars at the enumerated values, else at whole numbers
// covering the mass. False with `why` when there are none.
bool discrete_plot(Builder& b, const solution::ClosedForm& cf, PlotData& d, std::string& why) {
  std::vector<double> values;
  std::vector<double> probs;
  for (const auto& [name, v] : cf.params) {
    if (name == "values") values = v.data;
    if (name == "probs" && v.rank == Rank::Vector) probs = v.data;
  }
  if (values.empty() && !probs.empty())
    for (std::size_t k = 1; k <= probs.size(); ++k) values.push_back(static_cast<double>(k));
  if (values.empty() && cf.quantile) {
    double lo = cf.quantile(kTail), hi = cf.quantile(1 - kTail);
    if (d.mle) lo = std::min(lo, *d.mle), hi = std::max(hi, *d.mle);
    for (double v = std::ceil(lo); v <= hi && values.size() < kMaxBars; ++v) values.push_back(v);
  }
  if (values.empty()) {
    why = "no values to show for '" + b.m.params[b.param].name + "'";
    return false;
  }
  d.x = values;
  d.lo = values.front(), d.hi = values.back();
  std::vector<double> lprior(values.size()), llik(values.size());
  bool exact = true;
  for (std::size_t i = 0; i < values.size(); ++i) {
    double v = values[i];
    double p = NAN;
    if (probs.size() == values.size())
      p = probs[i];
    else if (cf.lpdf)
      p = std::exp(cf.lpdf(Value::scalar(v, true)));
    else if (cf.cdf)
      p = cf.cdf(v) - cf.cdf(v - 1);
    d.posterior.push_back(p);
    lprior[i] = b.log_prior(v, exact);
    llik[i] = b.log_likelihood(v);
  }
  d.prior = normalise(lprior, 1);
  if (!b.observations.empty()) d.likelihood = normalise(llik, 1);
  if (!exact) d.prior_label += " (given the others at the MAP)";
  d.posterior_mass = 0;
  for (double p : d.posterior) d.posterior_mass += p;
  return true;
}

// The range: the posterior's central 99.9%, widened to hold the MAP and the
// MLE, padded, clipped to the support; all of a bounded support when the
// posterior spreads over half of it. False with `why` when it is not finite.
bool posterior_range(const solution::ClosedForm& cf, const std::function<double(double)>& quantile,
                     std::size_t k, std::pair<double, double> support, PlotData& d,
                     std::string& why) {
  const auto [lo_support, hi_support] = support;
  double mean = k < cf.mean.size() ? cf.mean[k] : NAN, sd = k < cf.sd.size() ? cf.sd[k] : NAN;
  double lo = NAN, hi = NAN;
  if (quantile) lo = quantile(kTail), hi = quantile(1 - kTail);
  if (!std::isfinite(lo) || !std::isfinite(hi) || !(lo < hi))
    lo = mean - 4 * sd, hi = mean + 4 * sd;
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    why = "the posterior of '" + d.param + "' has no finite range to draw";
    return false;
  }
  for (auto v : {d.map, d.mle})
    if (v && std::isfinite(*v)) lo = std::min(lo, *v), hi = std::max(hi, *v);
  double width = hi - lo;
  if (!(width > 0)) width = std::max(std::fabs(lo), 1.0) * 0.1;
  lo -= 0.05 * width, hi += 0.05 * width;
  lo = std::max(lo, lo_support), hi = std::min(hi, hi_support);
  if (std::isfinite(lo_support) && std::isfinite(hi_support) &&
      hi - lo > 0.5 * (hi_support - lo_support))
    lo = lo_support, hi = hi_support;
  // An axis labels its ticks to 12 significant digits: a range narrower than
  // that (a spread of 3e-7 around 1e10) cannot be drawn on it.
  if (!(hi - lo > kNarrowest * std::max(std::fabs(lo), std::fabs(hi)))) {
    why = "the posterior of '" + d.param + "' is too narrow for its size to draw (its range " +
          format::shortest(lo) + " to " + format::shortest(hi) +
          " differs below the ninth significant digit)";
    return false;
  }
  d.lo = lo, d.hi = hi;
  return true;
}

// Widens a side of the range (by at most half its width) where the
// likelihood has not fallen to 1e-2 of its peak, so its shape near the MLE
// shows.
void widen_for_likelihood(Builder& b, std::pair<double, double> support, PlotData& d) {
  const auto [lo_support, hi_support] = support;
  double lo = d.lo, hi = d.hi;
  double w = hi - lo, peak = -INFINITY;
  for (int i = 0; i <= 40; ++i) peak = std::max(peak, b.log_likelihood(lo + w * i / 40.0));
  if (d.mle) peak = std::max(peak, b.log_likelihood(*d.mle));
  for (int round = 0; round < 4 && std::isfinite(peak); ++round) {
    if (lo > lo_support && b.log_likelihood(lo) - peak > kVisible)
      lo = std::max(lo_support, lo - w / 8);
    if (hi < hi_support && b.log_likelihood(hi) - peak > kVisible)
      hi = std::min(hi_support, hi + w / 8);
  }
  d.lo = lo, d.hi = hi;
}

// The width of a cell of the continuous grid.
double cell_width(const PlotData& d) { return (d.hi - d.lo) / static_cast<double>(kGrid); }

// The likelihood's mass outside the range, relative to e^top: its tails are
// integrated on widening segments until it has fallen to e^-14 of its peak.
double tail_mass(Builder& b, std::pair<double, double> support, const PlotData& d, double top) {
  const auto [lo_support, hi_support] = support;
  double outside = 0;
  for (int dir : {-1, 1}) {
    double from = dir < 0 ? d.lo : d.hi, bound = dir < 0 ? lo_support : hi_support;
    double w = d.hi - d.lo;
    for (int k = 0; k < 16 && from != bound; ++k, w *= 2) {
      double to = dir < 0 ? std::max(bound, from - w) : std::min(bound, from + w);
      double step = (to - from) / static_cast<double>(kTailCells), seg = 0, seg_top = -INFINITY;
      for (std::size_t i = 0; i < kTailCells; ++i) {
        double v = b.log_likelihood(from + (static_cast<double>(i) + 0.5) * step);
        if (!std::isfinite(v)) continue;
        seg += std::exp(v - top) * std::fabs(step);
        seg_top = std::max(seg_top, v);
      }
      outside += seg;
      from = to;
      if (seg_top < top - 14) break;
    }
  }
  return outside;
}

// The likelihood on the grid, normalised over the whole support, not just
// the range.
void likelihood_curve(Builder& b, std::pair<double, double> support, PlotData& d) {
  const double h = cell_width(d);
  std::vector<double> llik(kGrid);
  for (std::size_t i = 0; i < kGrid; ++i) llik[i] = b.log_likelihood(d.x[i]);
  double top = -INFINITY;
  for (double v : llik)
    if (std::isfinite(v)) top = std::max(top, v);
  if (b.observations.empty()) {
    d.notes.push_back("nothing observed depends on " + d.param +
                      ": the likelihood is flat and not drawn");
    return;
  }
  if (!std::isfinite(top)) {
    d.notes.push_back("the likelihood is zero over the whole range");
    return;
  }
  double inside = 0;
  for (double v : llik) inside += std::isfinite(v) ? std::exp(v - top) * h : 0;
  double total = inside + tail_mass(b, support, d, top);
  d.likelihood.resize(kGrid);
  for (std::size_t i = 0; i < kGrid; ++i)
    d.likelihood[i] = std::isfinite(llik[i]) ? std::exp(llik[i] - top) / total : 0.0;
  d.likelihood_mass = inside / total;
  if (d.likelihood_mass < 0.99) {
    d.notes.push_back(format::percent(1 - d.likelihood_mass) +
                      " of the normalised likelihood lies outside the range");
  }
}

// The prior on the grid: flat for a bounded or improper flat prior, else its
// density (normalised on the range when it is conditional on the others).
void prior_curve(Builder& b, PlotData& d) {
  const ParamVar& pv = b.m.params[b.param];
  const Prior& pr = b.m.priors[pv.prior];
  if (!pr.family) {
    bool improper = !std::isfinite(pr.lower) || !std::isfinite(pr.upper);
    double level = improper ? 1 / (d.hi - d.lo) : 1 / (pr.upper - pr.lower);
    d.prior.assign(kGrid, level);
    if (improper) {
      d.prior_label += " (improper)";
      d.notes.push_back("the prior is flat and improper: drawn flat, scaled to the range");
    }
    return;
  }
  std::vector<double> lprior(kGrid);
  bool exact = true;
  for (std::size_t i = 0; i < kGrid; ++i) lprior[i] = b.log_prior(d.x[i], exact);
  if (exact) {
    for (double v : lprior) d.prior.push_back(std::exp(v));
  } else {
    d.prior = normalise(lprior, cell_width(d));
    d.prior_label += " (given the others at the MAP)";
    d.notes.push_back("the prior of '" + pv.name +
                      "' depends on other parameters: drawn with them at the MAP");
  }
}

// The posterior: its density where the engine has one, else the cell
// averages of its cdf (the Laplace approximation); an element's from its
// quantile function.
void posterior_curve(const solution::ClosedForm& cf, const std::function<double(double)>& quantile,
                     bool element, PlotData& d) {
  const double h = cell_width(d);
  d.posterior.resize(kGrid);
  if (element) d.posterior = density_from_quantile(quantile, d.x);
  for (std::size_t i = 0; i < kGrid && !element; ++i) {
    double x = d.x[i];
    if (cf.lpdf)
      d.posterior[i] = std::exp(cf.lpdf(Value::scalar(x)));
    else if (cf.cdf)
      d.posterior[i] = (cf.cdf(x + h / 2) - cf.cdf(x - h / 2)) / h;
    else
      d.posterior[i] = NAN;
  }
  double mass = 0;
  for (double y : d.posterior) mass += std::isfinite(y) ? y * h : 0;
  d.posterior_mass = mass;
  if (!cf.lpdf && !cf.cdf && !element) {
    d.posterior.clear();
    d.notes.push_back("the posterior has no density to draw");
  }
}

}  // namespace

std::optional<PlotData> plot_data(const Model& m, const graph::FactorGraph& g,
                                  const solution::Solution& s, std::size_t param, std::string& why,
                                  std::optional<std::size_t> element) {
  const auto* r = s.find(param);
  if (!r) {
    why = "no posterior for '" + m.params[param].name + "'";
    return std::nullopt;
  }
  const solution::ClosedForm& cf = r->posterior;
  const ParamVar& pv = m.params[param];
  Builder b(m, g, s, param, element);
  const std::size_t k = element.value_or(0);
  // A vector of one element may come with a scalar quantile instead.
  bool one = element && !cf.element_quantile && cf.quantile && cf.mean.size() == 1;
  if (element && (pv.discrete || (!cf.element_quantile && !one) || k >= cf.mean.size())) {
    why = pv.discrete ? "plots of elements of a discrete vector are not supported"
                      : "the posterior of '" + pv.name + "' has no marginals to draw";
    return std::nullopt;
  }

  PlotData d = labelled(b, *r, s.method);
  choose_likelihood(b, g, d);
  if (cf.laplace)
    d.notes.push_back(
        "the posterior drawn is the Laplace approximation (Normal on the unconstrained scale at "
        "the mode, mapped back)");
  const std::pair<double, double> support = support_of(m, param);
  if (d.discrete) {
    if (!discrete_plot(b, cf, d, why)) return std::nullopt;
    return d;
  }

  std::function<double(double)> quantile = cf.quantile;
  if (element && !one) quantile = [&cf, k](double p) { return cf.element_quantile(k, p); };
  if (!posterior_range(cf, quantile, k, support, d, why)) return std::nullopt;
  if (!b.observations.empty()) widen_for_likelihood(b, support, d);
  const double h = cell_width(d);
  d.x.resize(kGrid);
  for (std::size_t i = 0; i < kGrid; ++i) d.x[i] = d.lo + (static_cast<double>(i) + 0.5) * h;
  likelihood_curve(b, support, d);
  prior_curve(b, d);
  posterior_curve(cf, quantile, element.has_value(), d);
  return d;
}

}  // namespace bayes::answer

namespace bayes::answer {

PlotData plot_from_draws(const std::string& name, std::vector<double> xs) {
  PlotData d;
  d.param = name;
  d.method = "monte-carlo";
  std::sort(xs.begin(), xs.end());
  const std::size_t n = xs.size();
  d.posterior_label = "posterior (kernel density estimate, " + std::to_string(n) + " draws)";
  d.notes.push_back("'" + name +
                    "' is derived from the parameters: its prior and likelihood are not drawn");
  if (n < 2) return d;
  // A quantity that takes a few whole values (a condition, a count) or one
  // value only (`p - p`): bars at its values, not a density.
  std::vector<double> values;
  std::vector<double> freq;
  bool whole = true;
  for (double x : xs) {
    whole = whole && x == std::round(x);
    if (values.empty() || x != values.back()) {
      if (values.size() == kMaxBars) break;
      values.push_back(x), freq.push_back(0);
    }
    freq.back() += 1 / static_cast<double>(n);
  }
  if (values.size() == 1 || (whole && values.size() <= kMaxBars && xs.back() == values.back())) {
    d.discrete = true;
    d.x = std::move(values);
    d.posterior = std::move(freq);
    d.lo = d.x.front(), d.hi = d.x.back();
    d.posterior_label = "posterior (frequencies of " + std::to_string(n) + " draws)";
    if (d.x.size() == 1)
      d.notes.push_back("'" + name + "' is " + format::shortest(d.x[0]) + " in every draw");
    return d;
  }
  auto q = [&](double p) { return xs[static_cast<std::size_t>(p * static_cast<double>(n - 1))]; };
  double mean = 0, ss = 0;
  for (double x : xs) mean += x;
  mean /= static_cast<double>(n);
  for (double x : xs) ss += (x - mean) * (x - mean);
  double sd = std::sqrt(ss / static_cast<double>(n - 1));
  // Silverman's rule of thumb (Density Estimation, 1986, eq. 3.31).
  double spread = std::min(sd, (q(0.75) - q(0.25)) / 1.34);
  if (!(spread > 0)) spread = sd > 0 ? sd : 1;
  double bw = 0.9 * spread * std::pow(static_cast<double>(n), -0.2);
  double lo = q(kDrawTail), hi = q(1 - kDrawTail);
  if (!(hi > lo)) lo -= 0.5, hi += 0.5;
  double w = hi - lo;
  lo -= 0.05 * w, hi += 0.05 * w;
  d.lo = lo, d.hi = hi;
  const double h = (hi - lo) / static_cast<double>(kGrid);
  d.x.resize(kGrid);
  d.posterior.assign(kGrid, 0.0);
  const double norm = 1 / (static_cast<double>(n) * bw * std::sqrt(2 * M_PI));
  for (std::size_t i = 0; i < kGrid; ++i) {
    double x = lo + (static_cast<double>(i) + 0.5) * h;
    d.x[i] = x;
    auto a = std::lower_bound(xs.begin(), xs.end(), x - 6 * bw);
    auto b = std::upper_bound(xs.begin(), xs.end(), x + 6 * bw);
    double sum = 0;
    for (auto it = a; it != b; ++it) {
      double z = (x - *it) / bw;
      sum += std::exp(-0.5 * z * z);
    }
    d.posterior[i] = sum * norm;
  }
  auto inside =
      std::upper_bound(xs.begin(), xs.end(), hi) - std::lower_bound(xs.begin(), xs.end(), lo);
  d.posterior_mass = static_cast<double>(inside) / static_cast<double>(n);
  return d;
}

}  // namespace bayes::answer
