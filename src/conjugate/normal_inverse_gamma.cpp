// Rule: Normal observations with an unknown mean (or regression weights) and an
// unknown variance s2, under the conjugate NormalInverseGamma prior, written
//   jointly:        param mu, s2 ~ NormalInverseGamma(m0, lambda, alpha, beta)
//   hierarchically: param s2 ~ InverseGamma(alpha, beta)
//                   param mu ~ Normal(m0, sqrt(s2 / lambda))
//   as a regression: param w[K] ~ Normal(m0, c * sqrt(s2)), with
//                    y ~ Normal(a + X * w, c_y * sqrt(s2)) (a, X, c known).
// Every observation statement is y = a + X w + c sqrt(s2) eps; the weights of
// all mean parameters are stacked into one vector w of length p, and
//   (w, s2) ~ MNIG(m0, Lambda0, alpha, beta)  ->  MNIG(m', Lambda', alpha', beta')
// (Murphy, Conjugate Bayesian analysis of the Gaussian distribution, 2007,
// sec. 6; Murphy, Machine Learning: a Probabilistic Perspective, 2012,
// sec. 7.6.3; Bishop, PRML, sec. 3.3 and exercises 3.12-3.13; Prince, Computer
// Vision: Models, Learning and Inference, 2012, ch. 4 for the MAP).
// With one scalar mean parameter the posterior is reported as the
// NormalInverseGamma family, otherwise as "MultiNormalInverseGamma".
#include "conjugate/normal_inverse_gamma.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include "conjugate/rule.hpp"
#include "dist/random.hpp"
#include "linalg/dense.hpp"

namespace bayes::conjugate {
namespace nig {

std::string vec(const VectorXd& x) {
  std::string s = "[";
  for (Idx i = 0; i < x.size(); ++i) s += (i ? ", " : "") + significant(x[i]);
  return s + "]";
}

std::string mat(const MatrixXd& a) {
  std::string s = "[";
  for (Idx r = 0; r < a.rows(); ++r) s += (r ? ", " : "") + vec(a.row(r).transpose());
  return s + "]";
}

// "mu ~ Normal(4, sqrt(s2 / 1))"
std::string prior_text(const Model& m, const Prior& p) {
  std::string names;
  for (auto i : p.params) names += (names.empty() ? "" : ", ") + m.params[i].name;
  return names + " ~ " + p.text;
}

namespace {

Value to_value(const VectorXd& x) {
  return Value::vector(std::vector<double>(x.data(), x.data() + x.size()));
}

Value to_value(const MatrixXd& a) {
  return Value::matrix(static_cast<std::size_t>(a.rows()), static_cast<std::size_t>(a.cols()),
                       std::vector<double>(a.data(), a.data() + a.size()));
}

// The parameters an expression reads other than `skip`, quoted: "'tau'".
std::string others(const Model& m, const ir::Node& n, std::size_t skip) {
  std::string out;
  for (auto q : ir::params_of(n))
    if (q != skip) out += (out.empty() ? "'" : ", '") + m.params[q].name + "'";
  return out;
}

bool mentions(const ir::Node& n, std::size_t param) {
  auto ps = ir::params_of(n);
  return std::find(ps.begin(), ps.end(), param) != ps.end();
}

// True when `s2` is in the sd of some Normal factor of the component: the
// sign that the model is meant as Normal data with an unknown variance.
bool in_a_normal_sd(const Model& m, const ComponentView& v, std::size_t s2) {
  for (auto pi : v.priors) {
    const Prior& p = m.priors[pi];
    if (p.family == &dist::normal_family() && mentions(*p.args[1], s2)) return true;
  }
  for (auto oi : v.observations) {
    const Observation& o = m.observations[oi];
    if (o.family == &dist::normal_family() && mentions(*o.args[1], s2)) return true;
  }
  return false;
}

// Checks that a sd expression is c * sqrt(s2) (c * sigma when the scale
// parameter is an sd) with c known and positive; sets `why` (starting with
// `what`) otherwise.
std::optional<Value> sd_multiplier(const Model& m, const ir::Node& sd, const Setup& s,
                                   const std::string& what, std::string& why) {
  const std::string& name = s.s2n;
  auto mono = monomial_in(m, sd, s.s2);
  if (!mono) {
    std::string other = others(m, sd, s.s2);
    if (!other.empty())
      why = what + " involves " + other + "; it must be c * " + s.sd + " with c known";
    else
      why = what + " is not of the form c * " + s.sd + " with c known";
    return std::nullopt;
  }
  if (mono->k == 0) {
    why = what + " does not scale with " + s.sd;
    return std::nullopt;
  }
  if (mono->k != s.power()) {
    why = what + " is c * " + name + "^" + significant(mono->k) + ", but " + name + " is " +
          (s.is_sd ? "an sd" : "a variance") + ": the sd must be c * " + s.sd;
    return std::nullopt;
  }
  for (double x : mono->c.data)
    if (!(x > 0) || !std::isfinite(x)) {
      why = what + " has the multiplier c = " + significant(x) + " in c * " + s.sd +
            "; it must be positive";
      return std::nullopt;
    }
  return mono->c;
}

bool half_line(const Prior& p) { return !p.family && p.lower == 0 && p.upper == INFINITY; }

// The power k of the scale parameter in the first Normal sd c * q^k that
// involves it: 0.5 (a variance) or 1 (an sd); 0 when none has that form.
double scale_power(const Model& m, const ComponentView& v, std::size_t q) {
  auto power_in = [&](const ir::Node& sd) {
    auto mono = monomial_in(m, sd, q);
    return mono && (mono->k == 0.5 || mono->k == 1) ? mono->k : 0.0;
  };
  for (auto oi : v.observations) {
    const Observation& o = m.observations[oi];
    if (o.family == &dist::normal_family() && mentions(*o.args[1], q)) return power_in(*o.args[1]);
  }
  for (auto pi : v.priors) {
    const Prior& p = m.priors[pi];
    if (p.family == &dist::normal_family() && mentions(*p.args[1], q)) return power_in(*p.args[1]);
  }
  return 0;
}

// The marginal of a stacked block of weights: a Student-t per element, with
// nu = 2 alpha', mean m'_j and scale sqrt(beta' / alpha' V'_jj); jointly a
// multivariate t (Murphy 2007, sec. 6, and MLAPP eq. 7.71-7.72).
ClosedForm weight_marginal(bool scalar, const VectorXd& mean, const MatrixXd& V, double alpha,
                           double beta) {
  double nu = 2 * alpha;
  VectorXd scale = (V.diagonal() * (beta / alpha)).cwiseSqrt();
  if (scalar) return from_family(dist::student_t_family(), {nu, mean[0], scale[0]});
  const dist::Family* t = &dist::student_t_family();
  ClosedForm cf;
  cf.family = t->name;
  cf.params = {{"nu", Value::scalar(nu)}, {"mean", to_value(mean)}, {"scale", to_value(scale)}};
  VectorXd mu = mean, sd(mean.size());
  for (Idx j = 0; j < mean.size(); ++j) {
    std::vector<double> a{nu, mean[j], scale[j]};
    mu[j] = t->mean(a);
    sd[j] = std::sqrt(t->variance(a));
  }
  cf.mean = to_value(mu);
  cf.sd = to_value(sd);
  cf.mode = to_value(mean);
  cf.element_quantile = [t, nu, mean, scale](std::size_t i, double p) {
    auto j = static_cast<Idx>(i);
    std::vector<double> a{nu, mean[j], scale[j]};
    return t->quantile(a, p);
  };
  cf.element_cdf = [t, nu, mean, scale](std::size_t i, double x) {
    auto j = static_cast<Idx>(i);
    std::vector<double> a{nu, mean[j], scale[j]};
    return t->cdf(a, x);
  };
  // Multivariate t with nu degrees of freedom and shape (beta / alpha) V.
  MatrixXd shape = V * (beta / alpha);
  const linalg::Cholesky llt(shape);
  MatrixXd L = llt.lower();
  double logdet = 2 * L.diagonal().array().log().sum();
  double d = static_cast<double>(mean.size());
  cf.lpdf = [llt, logdet, mean, nu, d](const Value& x) {
    VectorXd r = Eigen::Map<const VectorXd>(x.data.data(), static_cast<Idx>(x.size())) - mean;
    double q = r.dot(llt.solve(r));
    return std::lgamma((nu + d) / 2) - std::lgamma(nu / 2) -
           d / 2 * std::log(nu * std::numbers::pi) - logdet / 2 - (nu + d) / 2 * std::log1p(q / nu);
  };
  cf.sample = [L, mean, nu](dist::Rng& rng) {
    VectorXd e(mean.size());
    for (Idx j = 0; j < e.size(); ++j) e[j] = dist::random::normal(rng);
    const double chi = 2.0 * dist::random::gamma(rng, 0.5 * nu);  // chi-square, nu dof
    return to_value(VectorXd(mean + L * e * std::sqrt(nu / chi)));
  };
  return cf;
}

// 1. The variance s2 and its prior: the joint prior's second unknown, or the
//    one InverseGamma parameter that appears in a Normal sd. False when there
//    is none (another rule's model: `why` stays empty) or it does not fit.
bool find_variance(const Model& m, const graph::Component& c, const ComponentView& v, Setup& s,
                   std::string& why) {
  std::optional<std::size_t> var_prior;
  for (auto pi : v.priors)
    if (m.priors[pi].family == &dist::normal_inverse_gamma_family()) {
      if (var_prior) {
        why = "two NormalInverseGamma priors ('" + prior_text(m, m.priors[*var_prior]) + "' and '" +
              prior_text(m, m.priors[pi]) + "') share observations; the rule handles one variance";
        return false;
      }
      var_prior = pi;
    }
  s.joint = var_prior.has_value();
  if (!s.joint) {
    if (c.params.size() < 2) return false;  // the InverseGamma rule's case (known mean)
    std::vector<std::size_t> found;
    for (auto pi : v.priors) {
      const Prior& p = m.priors[pi];
      if ((p.family != &dist::inverse_gamma_family() && !half_line(p)) || p.params.size() != 1)
        continue;
      if (m.params[p.params[0]].type.is_scalar() && in_a_normal_sd(m, v, p.params[0]))
        found.push_back(pi);
    }
    if (found.empty()) return false;
    if (found.size() > 1) {
      why = "several unknown scales ('" + prior_text(m, m.priors[found[0]]) + "', '" +
            prior_text(m, m.priors[found[1]]) +
            "') appear in the same observations; the NormalInverseGamma rule handles one variance";
      return false;
    }
    var_prior = found[0];
  }
  s.var_prior = *var_prior;
  const Prior& vp = m.priors[s.var_prior];
  s.s2 = vp.params[s.joint ? 1 : 0];
  s.s2n = m.params[s.s2].name;
  const std::string& s2n = s.s2n;
  s.flat_scale = half_line(vp);
  if (s.flat_scale) {
    const double k = scale_power(m, v, s.s2);
    if (k == 0) return false;  // the sd is no c * sqrt(s2) nor c * s2: not this rule's
    s.is_sd = k == 1;
    s.alpha0 = s.is_sd ? -0.5 : -1, s.beta0 = 0;
  }
  s.var = s.is_sd ? s2n + "^2" : s2n;
  s.sd = s.is_sd ? s2n : "sqrt(" + s2n + ")";
  if (s.flat_scale) return true;
  if (!fixed_args(vp)) {
    why = "'" + prior_text(m, vp) + "': the prior of '" + s2n + "' has parameters as arguments";
    return false;
  }
  if (s.joint) {
    std::vector<double> a;
    for (const auto& arg : vp.args) a.push_back(eval_data(m, *arg)[0]);
    s.alpha0 = a[2], s.beta0 = a[3];
    Weight w;
    w.param = vp.params[0], w.prior = s.var_prior, w.joint_prior = true;
    w.m0 = Value::scalar(a[0]), w.lambda = Value::scalar(a[1]), w.c = 1 / std::sqrt(a[1]);
    s.weights.push_back(w);
  } else {
    s.alpha0 = eval_data(m, *vp.args[0])[0], s.beta0 = eval_data(m, *vp.args[1])[0];
  }

  return true;
}

// 2. Every other prior is on a weight, w | s2 ~ Normal(m0, c * sqrt(s2)): a
//    prior precision lambda / s2 with lambda = 1 / c^2. First the priors with
//    other parameters as arguments (hyperpriors): the problem is there, not in
//    the hyperparameter's own prior.
bool check_hyperpriors(const Model& m, const ComponentView& v, const Setup& s, std::string& why) {
  const std::string& s2n = s.s2n;
  for (auto pi : v.priors) {
    if (pi == s.var_prior) continue;
    const Prior& p = m.priors[pi];
    std::string other;
    for (const auto& a : p.args) {
      std::string o = others(m, *a, s.s2);
      if (!o.empty()) other += (other.empty() ? "" : ", ") + o;
    }
    if (!other.empty()) {
      why = "'" + prior_text(m, p) + "': the prior of '" + m.params[p.params[0]].name + "' has " +
            other +
            " as an argument; the NormalInverseGamma rule needs its mean and its c in c * sqrt(" +
            s2n + ") known";
      return false;
    }
  }
  return true;
}

bool add_weights(const Model& m, const ComponentView& v, Setup& s, std::string& why) {
  const std::string& s2n = s.s2n;
  for (auto pi : v.priors) {
    if (pi == s.var_prior) continue;
    const Prior& p = m.priors[pi];
    const std::string text = prior_text(m, p);
    const std::string name = m.params[p.params[0]].name;
    const std::string wanted = name + " ~ Normal(m0, c * " + s.sd + ")";
    if (!p.family && p.lower == -INFINITY && p.upper == INFINITY) {
      // Flat on the whole line: the limit lambda -> 0 of the conjugate prior.
      Weight w;
      w.param = p.params[0], w.prior = pi, w.flat = true;
      w.m0 = Value::scalar(0), w.lambda = Value::scalar(0), w.c = INFINITY;
      s.weights.push_back(w);
      continue;
    }
    if (!p.family) {
      why = "'" + name + "' has a flat prior on " + p.text.substr(p.text.find('(')) +
            "; with the unknown variance '" + s2n + "' the conjugate prior is " + wanted;
      return false;
    }
    if (p.family != &dist::normal_family() || p.params.size() != 1) {
      why = "'" + text + "': with the unknown variance '" + s2n + "' the conjugate prior is " +
            wanted + ", not " + std::string(p.family->name);
      return false;
    }
    std::string r;
    auto cm = sd_multiplier(m, *p.args[1], s, "'" + text + "': the prior sd of '" + name + "'", r);
    if (!cm) {
      why = r;
      if (r.find("does not scale") != std::string::npos)
        why +=
            ": a Normal prior that ignores the variance is only semi-conjugate (the posterior is "
            "not "
            "NormalInverseGamma); write it as " +
            wanted;
      return false;
    }
    Weight w;
    w.param = p.params[0], w.prior = pi;
    w.m0 = eval_data(m, *p.args[0]);
    w.lambda = *cm;
    for (auto& x : w.lambda.data) x = 1 / (x * x);
    w.c = (*cm)[0];
    std::size_t k = m.params[w.param].type.is_scalar() ? 1 : m.params[w.param].type.rows;
    if ((w.m0.size() != 1 && w.m0.size() != k) || (w.lambda.size() != 1 && w.lambda.size() != k)) {
      why = "'" + text + "': the prior's arguments have a length other than 1 or " +
            std::to_string(k);
      return false;
    }
    s.weights.push_back(w);
  }
  return true;
}

// The weights stacked into one vector w, with their prior means and precisions.
void stack_weights(const Model& m, Setup& s) {
  std::sort(s.weights.begin(), s.weights.end(),
            [](const Weight& a, const Weight& b) { return a.param < b.param; });
  for (const auto& w : s.weights) s.wparams.push_back(w.param);
  s.p = static_cast<Idx>(stacked_size(m, s.wparams, &s.offsets));
  for (auto q : s.wparams) s.wnames += (s.wnames.empty() ? "" : ", ") + m.params[q].name;
  s.m0.resize(s.p), s.lambda0.resize(s.p);
  for (std::size_t i = 0; i < s.weights.size(); ++i) {
    for (Idx j = 0; j < s.length(i, m); ++j) {
      auto at_j = static_cast<Idx>(s.offsets[i]) + j;
      s.m0[at_j] = at(s.weights[i].m0, static_cast<std::size_t>(j));
      s.lambda0[at_j] = at(s.weights[i].lambda, static_cast<std::size_t>(j));
    }
    if (s.weights[i].flat) s.p_flat += s.length(i, m);
  }
}

// 3. Every observation: Normal, its mean linear in the weights, its sd c * sqrt(s2).
bool add_blocks(const Model& m, const ComponentView& v, Setup& s, std::string& why) {
  const std::string& s2n = s.s2n;
  for (auto oi : v.observations) {
    const Observation& o = m.observations[oi];
    if (o.family != &dist::normal_family()) {
      why = "'" + o.text + "': a " + std::string(o.family->name) +
            " likelihood is not conjugate to the NormalInverseGamma prior on (" + s.wnames + ", " +
            s2n + "); it needs Normal observations";
      return false;
    }
    std::string r;
    auto cm = sd_multiplier(m, *o.args[1], s, "'" + o.text + "': the sd", r);
    if (!cm) {
      why = r;
      if (r.find("does not scale") != std::string::npos)
        why += ": a known sd next to the unknown variance '" + s2n +
               "' breaks the NormalInverseGamma form";
      return false;
    }
    auto lin = linear_in(m, *o.args[0], s.wparams);
    if (!lin) {
      if (mentions(*o.args[0], s.s2))
        why = "'" + o.text + "': the mean involves the variance '" + s2n + "'";
      else
        why = "'" + o.text + "': the mean is not linear in (" + s.wnames +
              "); the NormalInverseGamma rule needs mean = a + X * w with a and X known";
      return false;
    }
    if (o.summary) {
      if (lin->offset.size() != 1 || cm->size() != 1) {
        why = "'" + o.text + "': the data is summarised and this form needs its values";
        return false;
      }
      const data::Summary& su = *o.summary;
      Block b;
      b.observation = oi;
      b.y = VectorXd::Constant(1, su.mean());
      b.offset = VectorXd::Constant(1, lin->offset[0]);
      b.X = lin->design.row(0);
      b.c = VectorXd::Constant(1, (*cm)[0]);
      b.w = VectorXd::Constant(1, static_cast<double>(su.n));
      b.scatter = su.m2;
      s.blocks.push_back(std::move(b));
      continue;
    }
    const auto n = static_cast<Idx>(o.value.size());
    if ((lin->offset.size() != 1 && lin->offset.size() != n) ||
        (cm->size() != 1 && cm->size() != o.value.size())) {
      why = "'" + o.text + "': the mean or sd has a length other than 1 or " + std::to_string(n);
      return false;
    }
    Block b;
    b.observation = oi;
    b.y = Eigen::Map<const VectorXd>(o.value.data.data(), n);
    b.offset = lin->offset.size() == n ? lin->offset : VectorXd::Constant(n, lin->offset[0]);
    b.X = lin->design.rows() == n ? lin->design : lin->design.row(0).replicate(n, 1);
    b.c.resize(n);
    for (Idx i = 0; i < n; ++i) b.c[i] = at(*cm, static_cast<std::size_t>(i));
    b.w = VectorXd::Ones(n);
    s.blocks.push_back(std::move(b));
  }
  return true;
}

std::optional<Setup> match(const Model& m, const graph::Component& c, const ComponentView& v,
                           std::string& why) {
  Setup s;
  if (!find_variance(m, c, v, s, why) || !check_hyperpriors(m, v, s, why) ||
      !add_weights(m, v, s, why))
    return std::nullopt;
  stack_weights(m, s);
  if (!add_blocks(m, v, s, why)) return std::nullopt;
  return s;
}

// The observations as least-squares rows: sqrt(weight) / c times each row of
// X and of y - a, below `first` rows left for the caller.
void weighted_rows(const Setup& s, Idx first, MatrixXd& A, VectorXd& z) {
  Idx rows = first;
  for (const auto& b : s.blocks) rows += b.y.size();
  A.setZero(rows, s.p);
  z.setZero(rows);
  Idx row = first;
  for (const auto& b : s.blocks)
    for (Idx i = 0; i < b.y.size(); ++i, ++row) {
      const double sw = std::sqrt(b.w[i]);
      A.row(row) = b.X.row(i) * (sw / b.c[i]);
      z[row] = (b.y[i] - b.offset[i]) * (sw / b.c[i]);
    }
}

// The summarised columns' scatter about their means, in the units of the
// weighted rows (divided by c^2).
double scatter(const Setup& s) {
  double total = 0;
  for (const auto& b : s.blocks) total += b.scatter / (b.c[0] * b.c[0]);
  return total;
}

// Lambda' and m' as a least-squares problem: the prior's rows sqrt(lambda0)
// (w - m0) stacked on the data's, solved by a column-pivoted QR of the stacked
// matrix with its columns scaled to unit length. Its condition number is the
// square root of Lambda''s, so covariates of very different sizes or nearly
// collinear ones lose no more digits than they must (Golub & Van Loan,
// Matrix Computations, sec. 5.3), and the rank decides whether flat weights
// are determined.
Update update(const Setup& s) {
  Update u;
  MatrixXd A;
  VectorXd z;
  weighted_rows(s, s.p, A, z);
  const VectorXd root = s.lambda0.cwiseSqrt();
  A.topRows(s.p) = root.asDiagonal();
  z.head(s.p) = root.cwiseProduct(s.m0);
  for (const auto& b : s.blocks) u.N += b.w.sum();
  u.Lambda = A.transpose() * A;
  VectorXd norm = A.colwise().norm().transpose();
  u.proper = (norm.array() > 0).all();
  for (Idx j = 0; j < s.p; ++j)
    if (!(norm[j] > 0)) norm[j] = 1;
  const VectorXd inv = norm.cwiseInverse();
  Eigen::ColPivHouseholderQR<MatrixXd> qr(A * inv.asDiagonal());
  qr.setThreshold(1e-13);
  u.proper = u.proper && qr.rank() == s.p;
  u.mean = inv.asDiagonal() * qr.solve(z);
  // V = inverse(Lambda') = S P inverse(R) inverse(R)^T P^T S, S = diag(inv).
  const MatrixXd R = qr.matrixR().topLeftCorner(s.p, s.p).triangularView<Eigen::Upper>();
  const MatrixXd Rinv = R.triangularView<Eigen::Upper>().solve(MatrixXd::Identity(s.p, s.p));
  const MatrixXd PR = qr.colsPermutation() * Rinv;
  u.V = inv.asDiagonal() * (PR * PR.transpose()) * inv.asDiagonal();
  u.V = (u.V + u.V.transpose()) / 2;
  u.rss =
      (z.tail(z.size() - s.p) - A.bottomRows(A.rows() - s.p) * u.mean).squaredNorm() + scatter(s);
  u.shrink = (u.mean - s.m0).dot(s.lambda0.cwiseProduct(u.mean - s.m0));
  u.alpha = s.alpha0 + (u.N - static_cast<double>(s.p_flat)) / 2;
  u.beta = s.beta0 + (u.rss + u.shrink) / 2;
  u.proper = u.proper && u.alpha > 0 && u.beta > 0;
  return u;
}

// Why Lambda', alpha' or beta' leave no distribution (flat priors only).
std::string improper_why(const Model& m, const Setup& s, const Update& u) {
  std::string flat;
  for (const auto& w : s.weights)
    if (w.flat) flat += (flat.empty() ? "'" : ", '") + m.params[w.param].name + "'";
  std::string out = "the posterior is improper: ";
  if (u.alpha > 0 && u.beta > 0)
    return out + flat + " with a flat prior " +
           "are not determined by the data (the design's columns are linearly dependent, or "
           "there are fewer observations than weights)";
  const std::string n = significant(u.N), pf = std::to_string(s.p_flat);
  if (!(u.alpha > 0))
    return out + "with " + n + " observations, " + pf + " flat weights" +
           (s.flat_scale ? " and " + s.s2n + " flat on (0, inf)" : "") + ", " + s.var +
           " would be InverseGamma(" + significant(u.alpha) + ", " + significant(u.beta) +
           "), which needs a shape above 0: " +
           (s.flat_scale ? "it takes more than " + std::to_string(s.p_flat + (s.is_sd ? 1 : 2)) +
                               " observations"
                         : "too few observations");
  return out + "every observation is fitted exactly, so " + s.var +
         " would be InverseGamma with scale 0, which is no distribution";
}

Fit least_squares(const Model& m, const Setup& s, double N) {
  MatrixXd A;
  VectorXd z;
  weighted_rows(s, 0, A, z);
  Eigen::CompleteOrthogonalDecomposition<MatrixXd> cod(A);
  const Idx rank = cod.rank();
  Fit f;
  f.w = cod.solve(z);
  f.rss = (z - A * f.w).squaredNorm() + scatter(s);
  const bool single = s.weights.size() == 1 && m.params[s.wparams[0]].type.is_scalar();
  if (rank < s.p)
    f.w_note = "the MLE of " + (single ? s.wnames : "(" + s.wnames + ")") + " is not unique: " +
               (N < static_cast<double>(s.p)
                    ? "there are " + significant(N) + " observations for " + std::to_string(s.p) +
                          " weights"
                    : "the columns of the design are linearly dependent (rank " +
                          std::to_string(rank) + " < " + std::to_string(s.p) + ")");
  if (N == 1)
    f.s2_note = "the MLE of " + s.s2n + " is 0 with one observation: the likelihood is unbounded";
  else if (N <= static_cast<double>(rank))
    f.s2_note = "the MLE of " + s.s2n + " is 0: " + significant(N) +
                " observations are fitted exactly by " + std::to_string(rank) +
                " free weights, so the likelihood is unbounded as " + s.s2n + " -> 0";
  // Exactly fitted: the residuals are at the level of the observations' own
  // rounding (a relative 64 eps each), whatever their offset and spread.
  else if (!(f.rss > std::pow(64 * std::numeric_limits<double>::epsilon(), 2) * z.squaredNorm()))
    f.s2_note =
        "the MLE of " + s.s2n +
        " is 0: every observation equals its fitted mean, so the likelihood is unbounded as " +
        s.s2n + " -> 0";
  return f;
}

}  // namespace
}  // namespace nig

std::optional<Solution> solve_normal_inverse_gamma(const Model& m, const graph::FactorGraph& g,
                                                   const graph::Component& c, std::string& why) {
  using namespace nig;
  ComponentView v = view(g, c);
  auto setup = match(m, c, v, why);
  if (!setup) return std::nullopt;
  const Setup& s = *setup;
  if (s.blocks.empty()) return std::nullopt;  // a prior alone: left to the general report
  const Update u = update(s);
  if (!u.proper) return improper_solution(improper_why(m, s, u));
  const Fit fit = least_squares(m, s, u.N);
  const bool single = s.weights.size() == 1 && m.params[s.wparams[0]].type.is_scalar();

  Solution sol;
  sol.rule = single ? "NormalInverseGamma-Normal" : "NormalInverseGamma-LinearRegression";

  // The joint mode (no Jacobian): w = m', and d/ds2 of
  // -(alpha' + 1 + p/2) log s2 - beta' / s2 vanishes at s2 = beta' / (alpha' + 1 + p/2).
  // With p = 1 this is Prince's (sec. 4.3)
  // s2 = (sum (x - mu)^2 + 2 beta + lambda (m0 - mu)^2) / (N + 3 + 2 alpha).
  // In (w, sigma) the density gains the factor 2 sigma, and
  // -(2 alpha' + 1 + p) log sigma - beta' / sigma^2 peaks at
  // sigma^2 = 2 beta' / (2 alpha' + 1 + p).
  const double pd = static_cast<double>(s.p);
  const double s2_map = u.beta / (u.alpha + 1 + pd / 2);
  const double sigma_map = std::sqrt(2 * u.beta / (2 * u.alpha + 1 + pd));

  for (std::size_t i = 0; i < s.weights.size(); ++i) {
    const std::size_t q = s.weights[i].param;
    const bool scalar = m.params[q].type.is_scalar();
    const Idx k = s.length(i, m), o = static_cast<Idx>(s.offsets[i]);
    ParamResult r;
    r.param = q;
    r.posterior =
        weight_marginal(scalar, u.mean.segment(o, k), u.V.block(o, o, k, k), u.alpha, u.beta);
    r.map = scalar ? Value::scalar(u.mean[o]) : to_value(VectorXd(u.mean.segment(o, k)));
    if (fit.w_note.empty())
      r.mle = scalar ? Value::scalar(fit.w[o]) : to_value(VectorXd(fit.w.segment(o, k)));
    else
      r.mle_note = fit.w_note;
    sol.params.push_back(r);
  }
  ParamResult var;
  var.param = s.s2;
  var.posterior = s.is_sd ? sqrt_inverse_gamma(u.alpha, u.beta)
                          : from_family(dist::inverse_gamma_family(),
                                        {u.alpha, u.beta});  // Murphy (2007), sec. 6
  var.map = Value::scalar(s.is_sd ? sigma_map : s2_map);
  if (fit.s2_note.empty())
    var.mle = Value::scalar(s.is_sd ? std::sqrt(fit.rss / u.N) : fit.rss / u.N);
  else
    var.mle_note = fit.s2_note;
  sol.params.push_back(var);

  // The joint posterior, laid out as the stacked weights, then s2.
  for (auto q : s.wparams) {
    const std::string& nm = m.params[q].name;
    if (m.params[q].type.is_scalar())
      sol.joint_order.push_back(nm);
    else
      for (std::size_t j = 1; j <= m.params[q].type.rows; ++j)
        sol.joint_order.push_back(nm + "[" + std::to_string(j) + "]");
  }
  sol.joint_order.push_back(s.var);
  ClosedForm joint;
  if (single) {
    joint.dist_family = &dist::normal_inverse_gamma_family();
    joint.family = joint.dist_family->name;
    joint.params = {{"m0", Value::scalar(u.mean[0])},
                    {"lambda", Value::scalar(u.Lambda(0, 0))},
                    {"alpha", Value::scalar(u.alpha)},
                    {"beta", Value::scalar(u.beta)}};
  } else {
    joint.family = "MultiNormalInverseGamma";
    joint.params = {{"m0", to_value(u.mean)},
                    {"Lambda", to_value(u.Lambda)},
                    {"alpha", Value::scalar(u.alpha)},
                    {"beta", Value::scalar(u.beta)}};
  }
  VectorXd mean(s.p + 1), sd(s.p + 1), mode(s.p + 1);
  for (Idx j = 0; j < s.p; ++j) {  // the weights' marginals are Student-t with nu = 2 alpha'
    mean[j] = u.alpha > 0.5 ? u.mean[j] : NAN;
    sd[j] = u.alpha > 1     ? std::sqrt(u.beta / (u.alpha - 1) * u.V(j, j))
            : u.alpha > 0.5 ? INFINITY
                            : NAN;
  }
  const ClosedForm of_var = from_family(dist::inverse_gamma_family(), {u.alpha, u.beta});
  mean[s.p] = of_var.mean[0], sd[s.p] = of_var.sd[0];
  mode << u.mean, s2_map;
  joint.mean = to_value(mean), joint.sd = to_value(sd), joint.mode = to_value(mode);
  sol.joint = joint;

  // The predictive of one more observation of each statement (MLAPP eq. 7.76):
  // StudentT(2 alpha', a + x^T m', sqrt(beta' / alpha' (c^2 + x^T V' x))), at the first row.
  for (const auto& b : s.blocks) {
    VectorXd x = b.X.row(0).transpose();
    double loc = b.offset[0] + x.dot(u.mean);
    double scale = std::sqrt(u.beta / u.alpha * (b.c[0] * b.c[0] + x.dot(u.V * x)));
    PredictiveResult pr{b.observation,
                        from_family(dist::student_t_family(), {2 * u.alpha, loc, scale}), ""};
    bool same = (b.offset.array() == b.offset[0]).all() && (b.c.array() == b.c[0]).all();
    for (Idx i = 1; i < b.X.rows() && same; ++i) same = b.X.row(i) == b.X.row(0);
    if (!same) pr.note = "for a new observation with the covariates of row 1";
    sol.predictive.push_back(pr);
  }

  if (explaining()) explain(m, s, u, fit, s2_map, single, sol);

  // A joint draw: s2 ~ InverseGamma(alpha', beta'), then w | s2 ~ MultiNormal(m', s2 V').
  std::vector<std::pair<std::size_t, std::pair<Idx, Idx>>> layout;  // parameter, (offset, length)
  for (std::size_t i = 0; i < s.weights.size(); ++i)
    layout.push_back({s.weights[i].param, {static_cast<Idx>(s.offsets[i]), s.length(i, m)}});
  auto put = [layout, &m](const VectorXd& w, std::vector<Value>& values) {
    for (const auto& [q, span] : layout)
      values[q] = m.params[q].type.is_scalar()
                      ? Value::scalar(w[span.first])
                      : to_value(VectorXd(w.segment(span.first, span.second)));
  };
  MatrixXd L = linalg::Cholesky(u.V).lower();
  const std::size_t s2 = s.s2;
  const bool is_sd = s.is_sd;
  const VectorXd mn = u.mean;
  const double alpha = u.alpha, beta = u.beta;
  sol.draw = [put, s2, is_sd, L, mn, alpha, beta](dist::Rng& rng, std::vector<Value>& values) {
    const double var = beta / dist::random::gamma(rng, alpha);
    VectorXd e(mn.size());
    for (Idx j = 0; j < e.size(); ++j) e[j] = dist::random::normal(rng);
    values[s2] = Value::scalar(is_sd ? std::sqrt(var) : var);
    put(VectorXd(mn + std::sqrt(var) * (L * e)), values);
  };
  // log MNIG(w, s2) = log InverseGamma(s2 | alpha', beta') + log MultiNormal(w | m', s2
  // inverse(Lambda')); in (w, sigma), plus log 2 sigma.
  MatrixXd Lambda = u.Lambda;
  MatrixXd LL = linalg::Cholesky(Lambda).lower();
  const double logdet = 2 * LL.diagonal().array().log().sum();
  const dist::Family* igf = &dist::inverse_gamma_family();
  sol.log_posterior = [layout, s2, is_sd, mn, Lambda, logdet, alpha, beta, igf,
                       pd](const std::vector<Value>& values) {
    const double x = values[s2][0], var = is_sd ? x * x : x;
    const double jacobian = is_sd ? std::log(2 * x) : 0.0;
    VectorXd w(mn.size());
    for (const auto& [q, span] : layout)
      for (Idx j = 0; j < span.second; ++j)
        w[span.first + j] = values[q][static_cast<std::size_t>(j)];
    VectorXd r = w - mn;
    std::vector<double> a{alpha, beta};
    return igf->lpdf(a, var) - pd / 2 * std::log(2 * std::numbers::pi * var) + logdet / 2 -
           r.dot(Lambda * r) / (2 * var) + jacobian;
  };
  sol.point.resize(m.params.size());
  put(mn, sol.point);
  sol.point[s2] = Value::scalar(s.is_sd ? sigma_map : s2_map);
  return sol;
}

}  // namespace bayes::conjugate
