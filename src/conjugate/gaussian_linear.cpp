// Rule: Normal / MultiNormal priors on real parameters, observed through
// Gaussian likelihoods whose mean is linear in them and whose (co)variance is
// known: Normal(offset + design * theta, sd), LogNormal(same, sigma) (the same
// on log x) and MultiNormal(offset + design * theta, cov). Every factor is then
// a Gaussian in the stacked parameter vector theta, so the posterior is
// MultiNormal with
//   precision  Lambda = Lambda0 + sum D' S^-1 D
//   mean       m = Lambda^-1 (Lambda0 m0 + sum D' S^-1 (y - c))
// (Bishop, PRML, eq. 3.50-3.51 and 2.113-2.117; Murphy, MLPP, sec. 4.4.1 and 7.6.1).
// One scalar parameter is the textbook Normal-Normal update, where precisions
// add (Gelman et al., BDA3, sec. 2.5).
// The MLE drops the priors: generalised least squares (Murphy, MLPP, sec. 7.3);
// the predictive of a new row is Normal(c + D m, D Sigma D' + S) (PRML eq. 3.58-3.59).
//
// A Normal prior whose mean is itself linear in other parameters of the
// component (theta_j ~ Normal(mu, 2) with mu ~ Normal(0, 10)) is one more
// Gaussian factor of the same kind, so hierarchical models with known sds are
// solved too.
//
// Rule names (Solution::rule), the first that fits:
//   "Normal prior (no data)"    no observations: the posterior is the prior
//   "Normal-Normal hierarchical (known sds)"  a prior mean involves other parameters
//   "MultiNormal-MultiNormal"   some likelihood is MultiNormal
//   "Normal-LogNormal"          every likelihood is LogNormal
//   "BayesianLinearRegression"  some observation's mean mixes several parameters
//                               (w0 + X * w, dot(x, w)): a design matrix
//   "MultiNormal-Normal"        a MultiNormal prior, each observation one element (times b, plus a)
//   "Normal-Normal"             every observation is one parameter (element) itself
//   "Normal-NormalAffine"       every observation is a + b * one parameter (element)
#include "conjugate/gaussian_linear.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "conjugate/rule.hpp"
#include "dist/multivariate.hpp"
#include "dist/random.hpp"
#include "linalg/dense.hpp"

namespace bayes::conjugate {
namespace gaussian {

std::string quoted_names(const Model& m, const std::vector<std::size_t>& ps) {
  std::string out;
  for (std::size_t i = 0; i < ps.size(); ++i)
    out += (i == 0 ? "" : i + 1 == ps.size() ? " and " : ", ") + ("'" + m.params[ps[i]].name + "'");
  return out;
}

std::string data_name(const Observation& o) { return o.text.substr(0, o.text.find(" ~ ")); }

namespace {

// A flat prior on the whole line is the limit of Normal(m0, sd) as sd -> inf:
// precision 0 (Gelman et al., BDA3, sec. 2.8 and 14.2).
bool flat_line(const Prior& p) { return !p.family && p.lower == -INFINITY && p.upper == INFINITY; }

bool gaussian_prior(const Prior& p) {
  return p.family == &dist::normal_family() || p.family == &dist::multi_normal_family() ||
         flat_line(p);
}

std::string prior_text(const Model& m, const Prior& p) {
  std::string names;
  for (auto q : p.params) names += (names.empty() ? "" : ", ") + m.params[q].name;
  return names + " ~ " + p.text;
}

Value as_value(const VectorXd& v) {
  return Value::vector(std::vector<double>(v.data(), v.data() + v.size()));
}

Value as_value(const MatrixXd& a) {
  return Value::matrix(static_cast<std::size_t>(a.rows()), static_cast<std::size_t>(a.cols()),
                       std::vector<double>(a.data(), a.data() + a.size()));
}

// MultiNormal(mean, cov) as a ClosedForm: element quantiles from the Normal
// marginals, draws through the Cholesky factor (computed once).
ClosedForm multi_normal_form(const VectorXd& mean, const MatrixXd& cov) {
  ClosedForm c;
  c.dist_family = &dist::multi_normal_family();
  c.family = c.dist_family->name;
  c.params = {{"mean", as_value(mean)}, {"cov", as_value(cov)}};
  c.mean = as_value(mean);
  VectorXd sd = cov.diagonal().cwiseSqrt();
  c.sd = as_value(sd);
  c.mode = c.mean;
  MatrixXd chol = linalg::Cholesky(cov).lower();
  c.sample = [mean, chol](dist::Rng& rng) {
    VectorXd z(mean.size());
    for (Index i = 0; i < z.size(); ++i) z[i] = dist::random::normal(rng);
    return as_value(VectorXd(mean + chol * z));
  };
  c.lpdf = [mean, cov](const Value& x) {
    return dist::multi_normal_lpdf(
        mean, cov, Eigen::Map<const VectorXd>(x.data.data(), static_cast<Index>(x.size())));
  };
  const dist::Family* normal = &dist::normal_family();
  c.element_quantile = [mean, sd, normal](std::size_t i, double p) {
    std::array<double, 2> args{mean[static_cast<Index>(i)], sd[static_cast<Index>(i)]};
    return normal->quantile(args, p);
  };
  c.element_cdf = [mean, sd, normal](std::size_t i, double x) {
    std::array<double, 2> args{mean[static_cast<Index>(i)], sd[static_cast<Index>(i)]};
    return normal->cdf(args, x);
  };
  return c;
}

// Adds the rows y_r ~ MultiNormal(c_r + D_r theta, S_r), each of S_r.rows()
// values, to a term.
void add_rows(Term& t, const std::vector<VectorXd>& ys, const std::vector<VectorXd>& cs,
              const std::vector<MatrixXd>& ds, const std::vector<MatrixXd>& covs) {
  for (std::size_t r = 0; r < ys.size(); ++r) {
    const MatrixXd& S = covs[r];
    MatrixXd sinv_d = linalg::Cholesky(S).solve(ds[r]);
    t.precision.noalias() += ds[r].transpose() * sinv_d;
    t.shift.noalias() += sinv_d.transpose() * (ys[r] - cs[r]);
    if (t.rows == 0) {
      t.offset0 = cs[r], t.design0 = ds[r], t.cov0 = S;
    } else if (cs[r] != t.offset0 || ds[r] != t.design0 || S != t.cov0) {
      t.rows_differ = true;
    }
    if (S.size() == 1 && t.rows > 0 && S(0, 0) != t.cov0(0, 0)) t.common_sd = false;
    for (Index i = 0; i < ds[r].rows(); ++i) {
      Index nonzero = (ds[r].row(i).array() != 0).count();
      if (nonzero > 1) t.single = false;
      if (nonzero != 1 || ds[r].row(i).sum() != 1 || cs[r][i] != 0) t.identity = false;
    }
    t.sum_y = t.rows == 0 ? ys[r] : VectorXd(t.sum_y + ys[r]);
    ++t.rows;
  }
}

// Scalar rows: y_k ~ Normal(c_k + D_k theta, sd_k), k < n, with the linear
// map's rows and sd broadcast. The same sums as add_rows, accumulated in place
// (one pass, no storage per row: n may be 10^7).
void add_scalar_rows(Term& t, const std::vector<double>& y, const Linear& lin, const Value& sd) {
  const Index dim = lin.design.cols();
  const bool one_row = lin.offset.size() == 1;
  VectorXd d(dim);
  for (std::size_t k = 0; k < y.size(); ++k) {
    Index r = one_row ? 0 : static_cast<Index>(k);
    double c = lin.offset[r], s = at(sd, k), var = s * s;
    d = lin.design.row(r).transpose();
    if (dim == 1) {  // the common scalar case, without Eigen's dynamic-size products
      t.precision(0, 0) += d[0] * d[0] / var;
      t.shift[0] += d[0] * (y[k] - c) / var;
    } else {
      t.precision.noalias() += (d / var) * d.transpose();
      t.shift.noalias() += d * ((y[k] - c) / var);
    }
    if (t.rows == 0) {
      t.offset0 = VectorXd::Constant(1, c);
      t.design0 = d.transpose();
      t.cov0 = MatrixXd::Constant(1, 1, var);
      t.sum_y = VectorXd::Constant(1, y[k]);
    } else {
      if (c != t.offset0[0] || d.transpose() != t.design0 || var != t.cov0(0, 0))
        t.rows_differ = true;
      if (var != t.cov0(0, 0)) t.common_sd = false;
      t.sum_y[0] += y[k];
    }
    if (k == 0 || !one_row) {
      Index nonzero = (d.array() != 0).count();
      if (nonzero > 1) t.single = false;
      if (nonzero != 1 || d.sum() != 1 || c != 0) t.identity = false;
    }
    ++t.rows;
  }
}

// The same sums for a summarised column: n values y with one mean row
// c + d theta and one sd, from n, sum y (data::Summary).
void add_summary_rows(Term& t, const data::Summary& su, const Linear& lin, double sd) {
  const double n = static_cast<double>(su.n), c = lin.offset[0], var = sd * sd;
  const VectorXd d = lin.design.row(0).transpose();
  t.precision.noalias() += (d * (n / var)) * d.transpose();
  t.shift.noalias() += d * ((su.sum - n * c) / var);
  t.offset0 = VectorXd::Constant(1, c);
  t.design0 = d.transpose();
  t.cov0 = MatrixXd::Constant(1, 1, var);
  t.sum_y = VectorXd::Constant(1, su.sum);
  Index nonzero = (d.array() != 0).count();
  t.single = nonzero <= 1;
  t.identity = nonzero == 1 && d.sum() == 1 && c == 0;
  t.rows = su.n;
}

Term empty_term(Kind kind, std::size_t index, Index dim) {
  Term t;
  t.kind = kind;
  t.index = index;
  t.precision = MatrixXd::Zero(dim, dim);
  t.shift = VectorXd::Zero(dim);
  return t;
}

// Why a component with some Normal priors and some others is not Gaussian.
std::string mixed_priors_reason(const Model& m, const ComponentView& v) {
  for (auto pi : v.priors) {
    const Prior& q = m.priors[pi];
    if (gaussian_prior(q)) continue;
    std::string qdesc = q.family ? std::string(q.family->name) : std::string("flat");
    for (auto oi : v.observations) {
      const Observation& o = m.observations[oi];
      const std::string fam(o.family->name);
      if ((o.family == &dist::normal_family() || o.family == &dist::lognormal_family()) &&
          o.args.size() == 2) {
        auto in_scale = ir::params_of(*o.args[1]);
        auto in_mean = ir::params_of(*o.args[0]);
        for (auto qp : q.params)
          if (std::find(in_scale.begin(), in_scale.end(), qp) != in_scale.end() && !in_mean.empty())
            return "'" + o.text + "': " + m.params[qp].name + " appears in the scale of a " + fam +
                   " whose mean is also unknown, and its prior is " + qdesc +
                   " (a Normal prior on the mean needs a known sd; for an unknown variance use a "
                   "NormalInverseGamma prior, or s2 ~ InverseGamma with mu ~ Normal(m0, sqrt(s2 / "
                   "lambda)))";
      }
    }
    for (auto qp : q.params)
      return "'" + m.params[qp].name + "' has a " + qdesc +
             " prior, but it shares factors with parameters that have Normal priors: the "
             "Gaussian rule needs a Normal or MultiNormal prior on every parameter it touches";
  }
  return "";
}

// theta: the component's parameters stacked in declaration order.
struct Stack {
  std::vector<std::size_t> params;   // Model::params indices, sorted
  std::vector<std::size_t> offsets;  // each one's first entry in theta
  Index dim = 0;
  std::vector<std::string> labels;  // each entry's name: "mu", "w[1]", ...

  Index slot(std::size_t p) const {
    return static_cast<Index>(offsets[static_cast<std::size_t>(
        std::find(params.begin(), params.end(), p) - params.begin())]);
  }
  static Index size(const Model& m, std::size_t p) {
    return static_cast<Index>(m.params[p].type.is_scalar() ? 1 : m.params[p].type.rows);
  }
  // Parameter p's entries of a stacked vector x.
  Value block(const Model& m, const VectorXd& x, std::size_t p) const {
    if (m.params[p].type.is_scalar()) return Value::scalar(x[slot(p)]);
    return as_value(VectorXd(x.segment(slot(p), size(m, p))));
  }
};

Stack stack_of(const Model& m, const graph::Component& c) {
  Stack s;
  s.params = c.params;
  std::sort(s.params.begin(), s.params.end());
  s.dim = static_cast<Index>(stacked_size(m, s.params, &s.offsets));
  for (auto p : s.params) {
    const ParamVar& pv = m.params[p];
    if (pv.type.is_scalar())
      s.labels.push_back(pv.name);
    else
      for (std::size_t i = 0; i < pv.type.rows; ++i)
        s.labels.push_back(pv.name + "[" + std::to_string(i + 1) + "]");
  }
  return s;
}

// The priors: theta_p ~ N(c + D theta, S), i.e. 0 ~ N(c + (D - E_p) theta, S).
bool add_prior_terms(const Model& m, const ComponentView& v, const Stack& st,
                     std::vector<Term>& terms, std::string& why) {
  for (auto pi : v.priors) {
    const Prior& prior = m.priors[pi];
    if (flat_line(prior)) {
      for (auto p : prior.params) {
        Term t = empty_term(Kind::Prior, pi, st.dim);
        t.param = p, t.fixed = true, t.flat = true;
        t.slot = st.slot(p), t.size = Stack::size(m, p);
        terms.push_back(std::move(t));
      }
      continue;
    }
    const bool multi = prior.family == &dist::multi_normal_family();
    const std::string scale_name = multi ? "covariance" : "sd";
    for (auto p : prior.params) {
      if (!ir::is_data_only(*prior.args[1])) {
        why = "the prior '" + prior_text(m, prior) + "' has " +
              quoted_names(m, ir::params_of(*prior.args[1])) + " in its " + scale_name +
              ": a Gaussian prior needs a known " + scale_name;
        return false;
      }
      auto lin = linear_in(m, *prior.args[0], st.params);
      if (!lin) {
        why = "the prior '" + prior_text(m, prior) + "' has a mean that is not linear in " +
              quoted_names(m, ir::params_of(*prior.args[0]));
        return false;
      }
      Term t = empty_term(Kind::Prior, pi, st.dim);
      t.param = p;
      t.fixed = ir::is_data_only(*prior.args[0]);
      const Index k = Stack::size(m, p), at_p = st.slot(p);
      t.slot = at_p, t.size = k;
      Value scale = eval_data(m, *prior.args[1]);
      std::vector<VectorXd> ys, cs;
      std::vector<MatrixXd> ds, covs;
      if (multi) {
        MatrixXd design =
            lin->design.rows() == 1 ? MatrixXd(lin->design.replicate(k, 1)) : lin->design;
        VectorXd offset =
            lin->offset.size() == 1 ? VectorXd(VectorXd::Constant(k, lin->offset[0])) : lin->offset;
        design.middleCols(at_p, k) -= MatrixXd::Identity(k, k);
        ys.push_back(VectorXd::Zero(k));
        cs.push_back(offset);
        ds.push_back(design);
        covs.push_back(Eigen::Map<const MatrixXd>(scale.data.data(), k, k));
      } else {
        for (Index i = 0; i < k; ++i) {
          Index r = lin->offset.size() == 1 ? 0 : i;
          MatrixXd row = lin->design.row(r);
          row(0, at_p + i) -= 1;
          double s = at(scale, static_cast<std::size_t>(i));
          ys.push_back(VectorXd::Zero(1));
          cs.push_back(VectorXd::Constant(1, lin->offset[r]));
          ds.push_back(row);
          covs.push_back(MatrixXd::Constant(1, 1, s * s));
        }
      }
      add_rows(t, ys, cs, ds, covs);
      terms.push_back(std::move(t));
    }
  }
  return true;
}

// The rows of a MultiNormal observation: a vector is one observation, each row
// of a matrix is one.
void add_multi_normal_rows(Term& t, const Value& x, const Linear& lin, const Value& scale) {
  const Index k = static_cast<Index>(scale.rows);
  MatrixXd S = Eigen::Map<const MatrixXd>(scale.data.data(), k, k);
  MatrixXd design = lin.design.rows() == 1 ? MatrixXd(lin.design.replicate(k, 1)) : lin.design;
  VectorXd offset =
      lin.offset.size() == 1 ? VectorXd(VectorXd::Constant(k, lin.offset[0])) : lin.offset;
  std::size_t n = x.rank == Rank::Matrix ? x.rows : 1;
  std::vector<VectorXd> ys, cs;
  std::vector<MatrixXd> ds, covs;
  for (std::size_t r = 0; r < n; ++r) {
    VectorXd y(k);
    for (Index j = 0; j < k; ++j)
      y[j] = x.rank == Rank::Matrix ? x.at(r, static_cast<std::size_t>(j))
                                    : x[static_cast<std::size_t>(j)];
    ys.push_back(y), cs.push_back(offset), ds.push_back(design), covs.push_back(S);
  }
  add_rows(t, ys, cs, ds, covs);
}

// One observation statement as a term, or why it is not Gaussian-linear.
std::optional<Term> observation_term(const Model& m, std::size_t oi, const Stack& st,
                                     std::string& why) {
  const Observation& o = m.observations[oi];
  const std::string fam(o.family->name);
  Kind kind;
  if (o.family == &dist::normal_family())
    kind = Kind::Normal;
  else if (o.family == &dist::lognormal_family())
    kind = Kind::LogNormal;
  else if (o.family == &dist::multi_normal_family())
    kind = Kind::MultiNormal;
  else {
    why = "'" + o.text + "': a " + fam + " likelihood is not conjugate to the Normal prior of " +
          quoted_names(m, st.params) +
          " (a Normal prior goes with Normal, LogNormal and MultiNormal likelihoods whose "
          "mean is linear in the parameters and whose sd is known)";
    return std::nullopt;
  }
  const std::string scale_name = kind == Kind::MultiNormal ? "covariance"
                                 : kind == Kind::Normal    ? "sd"
                                                           : "sigma";
  if (!ir::is_data_only(*o.args[1])) {
    why = "'" + o.text + "': the " + scale_name + " involves " +
          quoted_names(m, ir::params_of(*o.args[1])) +
          "; a Normal prior is conjugate only when the " + scale_name + " is known (data)";
    return std::nullopt;
  }
  auto lin = linear_in(m, *o.args[0], st.params);
  if (!lin) {
    why = "'" + o.text + "': the mean is not linear in " +
          quoted_names(m, ir::params_of(*o.args[0])) +
          " (the Gaussian rule needs offset + design * parameters, e.g. a + b * mu, "
          "w0 + columns(x1, x2) * w, mu[group] or dot(x, w))";
    return std::nullopt;
  }
  Term t = empty_term(kind, oi, st.dim);
  Value scale = eval_data(m, *o.args[1]);
  const Value& x = o.value;
  // The checker fixes the shapes; this only guards the indexing below.
  const Index want =
      kind == Kind::MultiNormal ? static_cast<Index>(scale.rows) : static_cast<Index>(x.size());
  if (lin->offset.size() != 1 && lin->offset.size() < want) {
    why = "'" + o.text + "': the mean has " + std::to_string(lin->offset.size()) +
          " elements but the data " + std::to_string(want);
    return std::nullopt;
  }
  if (kind == Kind::MultiNormal) {
    add_multi_normal_rows(t, x, *lin, scale);
  } else if (o.summary) {
    if (kind != Kind::Normal || lin->offset.size() != 1 || scale.size() != 1) {
      why = "'" + o.text + "': the data is summarised and this form needs its values";
      return std::nullopt;
    }
    add_summary_rows(t, *o.summary, *lin, scale[0]);
  } else {
    std::vector<double> y(x.data);
    if (kind == Kind::LogNormal)
      for (double& e : y) e = std::log(e);
    add_scalar_rows(t, y, *lin, scale);
  }
  return t;
}

// The posterior (Bishop, PRML, eq. 3.50-3.51): the terms' precisions and sums
// added up; nullopt when the precision is not positive definite.
std::optional<Posterior> combine(const std::vector<Term>& terms, Index dim, double& log_det_prec) {
  Posterior post;
  MatrixXd prec = MatrixXd::Zero(dim, dim), data_prec = MatrixXd::Zero(dim, dim), prior_prec = prec;
  VectorXd shift = VectorXd::Zero(dim), data_shift = VectorXd::Zero(dim), prior_shift = shift;
  for (const auto& t : terms) {
    prec += t.precision, shift += t.shift;
    if (t.kind == Kind::Prior)
      prior_prec += t.precision, prior_shift += t.shift;
    else
      data_prec += t.precision, data_shift += t.shift;
  }
  const linalg::Cholesky llt(prec);
  if (!llt.ok()) return std::nullopt;
  const VectorXd mean = llt.solve(shift);
  MatrixXd cov = llt.inverse();
  cov = (cov + cov.transpose()) / 2;
  log_det_prec = llt.log_det();
  return Posterior{prec, shift, mean, cov, prior_prec, prior_shift, data_prec, data_shift};
}

// Solution::rule: the first name of the file's header comment that fits.
std::string rule_name(const Model& m, const std::vector<Term>& terms, bool no_data) {
  bool hierarchical = false, multi_prior = false, multi_likelihood = false, all_lognormal = true,
       identity = true, single = true;
  for (const auto& t : terms) {
    if (t.kind == Kind::Prior) {
      hierarchical = hierarchical || !t.fixed;
      multi_prior = multi_prior || m.priors[t.index].family == &dist::multi_normal_family();
      continue;
    }
    multi_likelihood = multi_likelihood || t.kind == Kind::MultiNormal;
    all_lognormal = all_lognormal && t.kind == Kind::LogNormal;
    identity = identity && t.identity;
    single = single && t.single;
  }
  if (no_data) return "Normal prior (no data)";
  if (hierarchical) return "Normal-Normal hierarchical (known sds)";
  if (multi_likelihood) return "MultiNormal-MultiNormal";
  if (all_lognormal) return "Normal-LogNormal";
  if (!single) return "BayesianLinearRegression";
  if (multi_prior) return "MultiNormal-Normal";
  if (identity) return "Normal-Normal";
  return "Normal-NormalAffine";
}

// MLE: the posterior's update with the priors dropped, by generalised least
// squares. When the data leave some directions of theta free (a rank-deficient
// design, a parameter no observation reaches), the MLE of theta is not unique,
// but a parameter that those directions do not move still has one.
Mle least_squares(const Model& m, const Stack& st, const std::vector<Term>& terms,
                  const Posterior& post) {
  const Index dim = st.dim;
  const MatrixXd& data_prec = post.data_prec;
  Mle out;
  out.of.resize(st.params.size());
  out.note_of.resize(st.params.size());
  const linalg::SymmetricEigen eig = linalg::symmetric_eigen(data_prec);
  const VectorXd& lambda = eig.values;  // ascending
  const double top = dim > 0 ? std::max(lambda[dim - 1], 0.0) : 0.0;
  Index free = 0;
  while (free < dim && lambda[free] <= 1e-10 * top) ++free;
  if (free == 0) {
    out.theta = linalg::Cholesky(data_prec).solve(post.data_shift);
    for (std::size_t j = 0; j < st.params.size(); ++j)
      out.of[j] = st.block(m, *out.theta, st.params[j]);
    return out;
  }
  // The least-squares solution with no component along the free directions.
  const MatrixXd& vecs = eig.vectors;
  VectorXd coef = vecs.transpose() * post.data_shift;
  for (Index i = 0; i < dim; ++i) coef[i] = i < free ? 0 : coef[i] / lambda[i];
  const VectorXd ls = vecs * coef;
  const MatrixXd null = vecs.leftCols(free);
  auto list_unseen = [&](Index from, Index count) {
    std::string list;
    for (Index i = from; i < from + count; ++i)
      if (data_prec.row(i).cwiseAbs().maxCoeff() == 0)
        list += (list.empty() ? "" : ", ") + st.labels[static_cast<std::size_t>(i)];
    return list;
  };
  std::size_t values = 0;  // observed numbers in all
  for (const auto& t : terms)
    if (t.kind != Kind::Prior) values += t.rows * static_cast<std::size_t>(t.cov0.rows());
  const std::string rank_note =
      "the MLE is not unique: the design has rank " + std::to_string(dim - free) + " < " +
      std::to_string(dim) +
      (values < static_cast<std::size_t>(dim)
           ? " (" + std::to_string(values) + " observed value" + (values == 1 ? "" : "s") +
                 " for " + std::to_string(dim) + " unknowns)"
           : " (its columns are linearly dependent)") +
      ", so many values of " + quoted_names(m, st.params) + " fit the data equally well";
  const std::string unseen = list_unseen(0, dim);
  out.note = unseen.empty() ? rank_note
                            : "the MLE is not unique: no observation depends on " + unseen +
                                  ", so the likelihood is flat in that direction";
  for (std::size_t j = 0; j < st.params.size(); ++j) {
    const Index at_p = st.slot(st.params[j]), k = Stack::size(m, st.params[j]);
    if (null.middleRows(at_p, k).cwiseAbs().maxCoeff() < 1e-8) {
      out.of[j] = st.block(m, ls, st.params[j]);
      continue;
    }
    const std::string mine = list_unseen(at_p, k);
    out.note_of[j] = mine.empty() ? rank_note
                                  : "the MLE is not unique: no observation depends on " + mine +
                                        ", so the likelihood is flat in that direction";
  }
  return out;
}

// Each parameter's marginal posterior (Normal, or MultiNormal for a vector),
// and the joint one when there are several.
void add_marginals(Solution& sol, const Model& m, const Stack& st, const Posterior& post,
                   const Mle& mle) {
  for (std::size_t j = 0; j < st.params.size(); ++j) {
    const std::size_t p = st.params[j];
    ParamResult r;
    r.param = p;
    const Index at_p = st.slot(p), k = Stack::size(m, p);
    if (m.params[p].type.is_scalar())
      r.posterior =
          from_family(dist::normal_family(), {post.mean[at_p], std::sqrt(post.cov(at_p, at_p))});
    else
      r.posterior = multi_normal_form(post.mean.segment(at_p, k), post.cov.block(at_p, at_p, k, k));
    r.map = st.block(m, post.mean, p);  // the joint mode of a Gaussian is its mean
    r.mle = mle.of[j];
    r.mle_note = mle.note_of[j];
    sol.params.push_back(std::move(r));
  }
  if (st.params.size() > 1) {
    sol.joint = multi_normal_form(post.mean, post.cov);
    sol.joint_order = st.labels;
  }
}

// Predictive: one more observation like the first row of each statement,
// y* = c + D theta + noise, so N(c + D m, D Sigma D' + S) (PRML eq. 3.58-3.59).
void add_predictives(Solution& sol, const Model& m, const std::vector<Term>& terms,
                     const Posterior& post) {
  for (const auto& t : terms) {
    if (t.kind == Kind::Prior) continue;
    VectorXd pm = t.offset0 + t.design0 * post.mean;
    MatrixXd pc = t.design0 * post.cov * t.design0.transpose() + t.cov0;
    PredictiveResult pr;
    pr.observation = t.index;
    if (t.kind == Kind::MultiNormal)
      pr.dist = multi_normal_form(pm, (pc + pc.transpose()) / 2);
    else
      pr.dist =
          from_family(t.kind == Kind::Normal ? dist::normal_family() : dist::lognormal_family(),
                      {pm[0], std::sqrt(pc(0, 0))});
    if (t.rows_differ)
      pr.note = "for a new observation like row 1 of '" + data_name(m.observations[t.index]) +
                "' (its covariates and sd)";
    sol.predictive.push_back(std::move(pr));
  }
}

// Draws from the joint posterior, its density for the evidence, and the point
// the evidence is computed at.
void add_draws(Solution& sol, const Model& m, const Stack& st, const Posterior& post,
               double log_det_prec) {
  const MatrixXd chol = linalg::Cholesky(post.cov).lower();
  std::vector<Index> sizes;
  std::vector<bool> scalars;
  for (auto p : st.params)
    sizes.push_back(Stack::size(m, p)), scalars.push_back(m.params[p].type.is_scalar());
  const std::vector<std::size_t>& params = st.params;
  const std::vector<std::size_t>& offsets = st.offsets;
  const Index dim = st.dim;
  const VectorXd& mean = post.mean;
  const MatrixXd& prec = post.prec;
  sol.draw = [params, offsets, sizes, scalars, dim, mean, chol](dist::Rng& rng,
                                                                std::vector<Value>& values) {
    VectorXd z(dim);
    for (Index i = 0; i < dim; ++i) z[i] = dist::random::normal(rng);
    VectorXd x = mean + chol * z;
    for (std::size_t j = 0; j < params.size(); ++j) {
      auto at_p = static_cast<Index>(offsets[j]);
      values[params[j]] =
          scalars[j] ? Value::scalar(x[at_p]) : as_value(VectorXd(x.segment(at_p, sizes[j])));
    }
  };
  // log N(x; m, L^-1) = -(D log 2 pi - log det L + (x - m)' L (x - m)) / 2.
  sol.log_posterior = [params, offsets, dim, mean, prec,
                       log_det_prec](const std::vector<Value>& values) {
    VectorXd x(dim);
    for (std::size_t j = 0; j < params.size(); ++j) {
      const Value& val = values[params[j]];
      for (std::size_t i = 0; i < val.size(); ++i) x[static_cast<Index>(offsets[j] + i)] = val[i];
    }
    VectorXd d = x - mean;
    return -0.5 * (static_cast<double>(dim) * std::log(2 * std::numbers::pi) - log_det_prec +
                   d.dot(prec * d));
  };
  sol.point.resize(m.params.size());
  for (auto p : params) sol.point[p] = st.block(m, mean, p);
}

}  // namespace
}  // namespace gaussian

std::optional<Solution> solve_gaussian_linear(const Model& m, const graph::FactorGraph& g,
                                              const graph::Component& c, std::string& why) {
  using namespace gaussian;
  ComponentView v = view(g, c);
  std::size_t n_gaussian = 0;
  for (auto pi : v.priors) n_gaussian += gaussian_prior(m.priors[pi]) ? 1 : 0;
  if (n_gaussian == 0) return std::nullopt;  // another prior family: not this rule
  if (n_gaussian < v.priors.size()) {
    why = mixed_priors_reason(m, v);
    return std::nullopt;
  }
  const Stack st = stack_of(m, c);
  // Independent Normal priors and no data: the posterior is the prior, element
  // by element. Past a few hundred elements the rule after this one
  // (PriorOnly) gives it, since a dense joint covariance costs dim^3 time and
  // dim^2 memory (param w[10000] ~ Normal(0, 1) alone: 800 MB); below, the
  // joint form keeps `let`s of several elements exact.
  constexpr Index kJointPriorAlone = 256;
  const bool independent = std::all_of(v.priors.begin(), v.priors.end(), [&](std::size_t pi) {
    return m.priors[pi].family == &dist::normal_family();
  });
  if (v.observations.empty() && independent && st.dim > kJointPriorAlone) return std::nullopt;
  // The joint precision is a dense dim x dim matrix.
  if (st.dim > static_cast<Index>(kMaxDenseUnknowns)) {
    why =
        "the Gaussian rule holds the joint covariance as a dense matrix, and this component "
        "has " +
        std::to_string(st.dim) + " unknowns (at most " + std::to_string(kMaxDenseUnknowns) + ")";
    return std::nullopt;
  }

  std::vector<Term> terms;
  if (!add_prior_terms(m, v, st, terms, why)) return std::nullopt;
  for (auto oi : v.observations) {
    auto t = observation_term(m, oi, st, why);
    if (!t) return std::nullopt;
    terms.push_back(std::move(*t));
  }

  double log_det_prec = 0;
  const auto post = combine(terms, st.dim, log_det_prec);
  if (!post) {
    std::vector<std::size_t> flat;
    for (const auto& t : terms)
      if (t.flat) flat.push_back(t.param);
    why = "the posterior precision of " + quoted_names(m, st.params) + " is not positive definite";
    if (!flat.empty())
      return improper_solution("the posterior is improper: " + quoted_names(m, flat) +
                               (flat.size() == 1 ? " has" : " have") +
                               " a flat prior, and the data do not determine every direction of " +
                               quoted_names(m, st.params) +
                               " (too few observations, or a design that is not of full rank)");
    return std::nullopt;
  }
  const Mle mle = least_squares(m, st, terms, *post);

  Solution sol;
  sol.rule = rule_name(m, terms, v.observations.empty());
  add_marginals(sol, m, st, *post, mle);
  add_predictives(sol, m, terms, *post);
  if (explaining())
    explain(sol, m, terms, st.labels, st.params, *post, mle, v.observations.empty());
  add_draws(sol, m, st, *post, log_det_prec);
  return sol;
}

}  // namespace bayes::conjugate
