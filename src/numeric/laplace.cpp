// The Laplace approximation of the numeric engine: receives the MAP and the
// posterior's tape, and produces the Normal on the unconstrained scale at the
// mode of the density of u, and from it each parameter's marginal (mapped
// back through its transform), joint draws and the evidence.
#include "numeric/laplace.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/quadrature/gauss.hpp>
#include <cmath>
#include <random>

#include "density/log_density.hpp"
#include "dist/random.hpp"
#include "graph/view.hpp"

namespace bayes::numeric {

using Eigen::MatrixXd;
using Eigen::VectorXd;

Laplace laplace_at(const Model& m, Tape& posterior, const Layout& layout, const Options& opt,
                   const Fit& map) {
  // Under `jacobian` the centre is the MAP itself; else it is found from the
  // MAP, which stays the reported mode. (A Normal centred at the MAP in the
  // original parameterisation is off-centre on the u scale: for a Gamma(a, b)
  // posterior, at log((a-1)/b) rather than log(a/b).)
  Laplace lap;
  bool reals = true;
  for (const auto& t : layout.transforms) reals = reals && t.kind == Transform::Kind::Identity;
  if (map.note.empty() && map.interior && opt.laplace && !opt.jacobian && !reals) {
    std::optional<Failure> centre_failure;
    FitInputs in{.m = m,
                 .tape = posterior,
                 .layout = layout,
                 .opt = opt,
                 .what = "MAP",
                 .jacobian = true,
                 .l1 = layout.l1,
                 .l1_constant = layout.l1_constant,
                 .start = &map.point.u};
    lap.centre = fit(in, centre_failure);
    lap.use_centre = !centre_failure && lap.centre.note.empty() && lap.centre.interior;
  }
  const Eigen::MatrixXd& H = lap.at(map).point.H;
  if (map.note.empty() && map.interior && opt.laplace &&
      (lap.use_centre || reals || opt.jacobian)) {
    lap.llt.compute(H);
    lap.ok = lap.llt.ok();
  }
  if (map.note.empty() && !lap.ok && !opt.laplace)
    lap.note = "no Laplace approximation: not asked for";
  else if (map.note.empty() && map.interior && !lap.ok && !lap.use_centre && !reals &&
           !opt.jacobian)
    lap.note =
        "no Laplace approximation: the density of the unconstrained coordinates (the Jacobian "
        "included) has no interior mode to centre it on";
  else if (map.note.empty() && !lap.ok)
    lap.note =
        "no Laplace approximation: the mode is on the edge of the support or the "
        "curvature there is not positive";
  if (lap.ok) lap.cov_u = lap.llt.inverse();
  return lap;
}

namespace {

// Normal on the unconstrained scale, mapped back: mean and sd of the mapped
// Normal (by quadrature; exact for the identity), interval ends and cdf
// transformed (so they respect the support).
void mapped_normal(const Laplace& lap, const Fit& at, const Transform& t, bool scalar,
                   const Value& mode_value, solution::ClosedForm& cf) {
  const MatrixXd& cov_u = lap.cov_u;
  std::vector<double> sds(t.size), means(t.size);
  std::vector<double> su(t.size), uu(t.size);
  for (std::size_t i = 0; i < t.size; ++i) {
    auto k = static_cast<Eigen::Index>(t.offset + i);
    su[i] = std::sqrt(cov_u(k, k));
    uu[i] = at.point.u[k];
    if (t.kind == Transform::Kind::Identity) {
      means[i] = t.back(i, uu[i]), sds[i] = std::fabs(t.b(i)) * su[i];
      continue;
    }
    // E g(u) = integral of g(mu + s z) phi(z) over |z| < 9 (Gauss-Legendre).
    auto moment = [&](int power) {
      return boost::math::quadrature::gauss<double, 40>::integrate(
          [&](double z) {
            double x = t.back(i, uu[i] + su[i] * z);
            return std::pow(x, power) * std::exp(-0.5 * z * z) / std::sqrt(2 * M_PI);
          },
          -9.0, 9.0);
    };
    double m1 = moment(1), m2 = moment(2);
    means[i] = m1, sds[i] = std::sqrt(std::max(0.0, m2 - m1 * m1));
  }
  Transform tt = t;
  cf.mean = scalar ? Value::scalar(means[0]) : Value::vector(means);
  cf.sd = scalar ? Value::scalar(sds[0]) : Value::vector(sds);
  cf.mode = mode_value;
  cf.params.push_back({"mode", mode_value});
  cf.params.push_back({"sd", cf.sd});
  // x = hi - exp(u) decreases in u: the p quantile of x is the 1 - p
  // quantile of u mapped back.
  auto q = [uu, su, tt](std::size_t i, double p) {
    boost::math::normal_distribution<double> nd(uu[i], su[i]);
    return tt.back(i, boost::math::quantile(nd, tt.kind == Transform::Kind::Upper ? 1 - p : p));
  };
  // P(x_i <= x): the Normal cdf of the unconstrained value of x.
  auto cdf = [uu, su, tt](std::size_t i, double x) {
    double v = (x - tt.a(i)) / tt.b(i);
    switch (tt.kind) {
      case Transform::Kind::Lower:
        v = x > tt.lo ? std::log(x - tt.lo) : -INFINITY;
        break;
      case Transform::Kind::Upper:
        v = x < tt.hi ? std::log(tt.hi - x) : -INFINITY;
        break;
      case Transform::Kind::Interval: {
        double s = (x - tt.lo) / (tt.hi - tt.lo);
        v = s <= 0 ? -INFINITY : s >= 1 ? INFINITY : std::log(s / (1 - s));
        break;
      }
      default:
        break;
    }
    boost::math::normal_distribution<double> nd(uu[i], su[i]);
    double c = std::isinf(v) ? (v > 0 ? 1.0 : 0.0) : boost::math::cdf(nd, v);
    return tt.kind == Transform::Kind::Upper ? 1 - c : c;
  };
  if (scalar) {
    cf.quantile = [q](double p) { return q(0, p); };
    cf.cdf = [cdf](double x) { return cdf(0, x); };
  } else {
    cf.element_quantile = q;
    cf.element_cdf = cdf;
  }
}

// A simplex: x = softmax([u, 0]), d x_i / d u_j = x_i (delta_ij - x_j). sd by
// the delta method; each element's interval from a Normal on its logit (so
// it stays inside (0, 1)), by the delta method again.
void simplex_marginal(const Laplace& lap, const Fit& at, const Transform& t,
                      const Value& mode_value, solution::ClosedForm& cf) {
  const MatrixXd& cov_u = lap.cov_u;
  auto K = static_cast<Eigen::Index>(t.size), D = static_cast<Eigen::Index>(t.dim);
  const VectorXd& x = at.values[t.param];
  MatrixXd J(K, D);
  for (Eigen::Index i = 0; i < K; ++i)
    for (Eigen::Index j = 0; j < D; ++j) J(i, j) = x[i] * ((i == j ? 1.0 : 0.0) - x[j]);
  auto off = static_cast<Eigen::Index>(t.offset);
  MatrixXd cov_x = J * cov_u.block(off, off, D, D) * J.transpose();
  std::vector<double> sds(t.size), mid(t.size), spread(t.size);
  for (Eigen::Index i = 0; i < K; ++i) {
    auto ii = static_cast<std::size_t>(i);
    double var = std::max(0.0, cov_x(i, i)), w = x[i] * (1 - x[i]);
    sds[ii] = std::sqrt(var);
    mid[ii] = std::log(x[i]) - std::log1p(-x[i]);
    spread[ii] = std::sqrt(var) / w;  // d logit(x) / dx = 1 / (x (1 - x))
  }
  // The mean is the centre mapped back (the delta method's); the mode the MAP.
  cf.mean = Value::vector(std::vector<double>(x.data(), x.data() + t.size));
  cf.sd = Value::vector(sds);
  cf.mode = mode_value;
  cf.params.push_back({"mode", mode_value});
  cf.params.push_back({"sd", cf.sd});
  cf.element_quantile = [mid, spread](std::size_t i, double p) {
    boost::math::normal_distribution<double> nd(mid[i], spread[i] > 0 ? spread[i] : 1e-300);
    return logistic(boost::math::quantile(nd, p));
  };
}

}  // namespace

solution::ClosedForm laplace_marginal(const Laplace& lap, const Fit& map, const Transform& t,
                                      bool scalar, const Value& mode_value) {
  solution::ClosedForm cf;
  cf.family = "Laplace approximation";
  cf.laplace = true;
  if (lap.ok && t.kind != Transform::Kind::Simplex) {
    mapped_normal(lap, lap.at(map), t, scalar, mode_value, cf);
  } else if (lap.ok) {
    simplex_marginal(lap, lap.at(map), t, mode_value, cf);
  } else {
    cf.mean = mode_value;
    cf.sd = Value::scalar(NAN);
    cf.mode_note = !map.note.empty() ? map.note : lap.note;
  }
  return cf;
}

std::function<void(dist::Rng&, std::vector<Value>&)> draws(const Laplace& lap, const Fit& map,
                                                           const Layout& layout, const Model& m,
                                                           std::shared_ptr<Tape> labels) {
  // u ~ Normal(mode, H^-1), mapped back; then each summed-out label from its
  // class probabilities given that draw.
  Eigen::MatrixXd L = linalg::Cholesky(lap.cov_u).lower();
  VectorXd u0 = lap.at(map).point.u;
  Layout lay = layout;
  std::shared_ptr<Tape> tape = std::move(labels);
  std::vector<bool> scalar(m.params.size());
  for (std::size_t p = 0; p < m.params.size(); ++p) scalar[p] = m.params[p].type.is_scalar();
  return [L, u0, lay, tape, scalar](dist::Rng& rng, std::vector<Value>& out) {
    VectorXd e(u0.size());
    for (Eigen::Index i = 0; i < e.size(); ++i) e[i] = dist::random::normal(rng);
    std::vector<VectorXd> values(out.size());
    lay.constrain(u0 + L * e, values);
    for (const auto& t : lay.transforms) {
      const VectorXd& x = values[t.param];
      out[t.param] = scalar[t.param]
                         ? Value::scalar(x[0])
                         : Value::vector(std::vector<double>(x.data(), x.data() + t.size));
    }
    if (!tape) return;
    tape->forward(values);
    for (const auto& [p, R, label_values] : tape->responsibilities()) {
      std::vector<double> label(static_cast<std::size_t>(R.rows()));
      for (Eigen::Index i = 0; i < R.rows(); ++i) {
        double r = dist::random::uniform(rng), acc = 0;
        Eigen::Index k = 0;
        while (k + 1 < R.cols() && (acc += R(i, k)) <= r) ++k;
        label[static_cast<std::size_t>(i)] = label_values[static_cast<std::size_t>(k)];
      }
      out[p] = scalar[p] ? Value::scalar(label[0]) : Value::vector(label);
    }
  };
}

void evidence(const Laplace& lap, const Fit& map, const Model& m, const graph::Component& c,
              const Layout& layout, const Options& opt, bool summed_out, solution::Solution& sol) {
  const Fit& at = lap.at(map);
  // A flat prior on an unbounded range has no normalising constant, so there
  // is no evidence; a flat prior on (lo, hi) is Uniform(lo, hi): 1 / (hi - lo)
  // per element, which the density left out.
  double flat_log_density = 0;
  {
    std::vector<std::size_t> seen;
    for (auto p : c.params) {
      std::size_t pi = m.params[p].prior;
      if (std::find(seen.begin(), seen.end(), pi) != seen.end()) continue;
      seen.push_back(pi);
      const Prior& pr = m.priors[pi];
      if (pr.family) continue;
      if (std::isfinite(pr.lower) && std::isfinite(pr.upper))
        for (auto q : pr.params)
          flat_log_density -=
              static_cast<double>(m.params[q].type.rows) * std::log(pr.upper - pr.lower);
    }
  }
  const std::string improper = density::improper_prior(m, c.params);
  if (!lap.ok) {
    sol.evidence_note = !map.note.empty() ? map.note : lap.note;
  } else if (!improper.empty()) {
    sol.evidence_note = improper;
  } else if (summed_out) {
    sol.evidence_note =
        "the labels summed out make one mode per relabelling of the classes, and a Laplace "
        "approximation at one mode does not count the others";
  } else {
    // Evidence (Laplace). At the mode in theta: log p(D, theta*) + d/2 log(2 pi)
    // - 1/2 log |H_theta|, with log |H_theta| = log |H_u| - 2 log |d theta / d u|
    // (every coordinate's, the scales of L1 coordinates included). Under
    // `jacobian`, and at the centre found with it, the objective already holds
    // log |J|: Laplace on the u scale.
    double logj = opt.jacobian || lap.use_centre ? 0.0 : layout.log_jacobian(at.point.u, at.values);
    double logdet_u = lap.llt.log_det();
    double d = static_cast<double>(layout.dim);
    sol.log_evidence =
        -at.f + flat_log_density + 0.5 * d * std::log(2 * M_PI) - 0.5 * logdet_u + logj;
  }
}

}  // namespace bayes::numeric
