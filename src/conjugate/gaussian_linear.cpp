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
#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>

#include "conjugate/component.hpp"
#include "conjugate/patterns.hpp"
#include "conjugate/solution.hpp"
#include "dist/multivariate.hpp"

namespace bayes::conjugate {

namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

enum class Kind { Prior, Normal, LogNormal, MultiNormal };

// One factor of the component, as y_r ~ MultiNormal(c_r + D_r theta, S) over its
// rows r, summarised by what the posterior needs: sum D' S^-1 D and
// sum D' S^-1 (y - c); plus the first row, for the predictive and --explain.
struct Term {
  Kind kind = Kind::Normal;
  std::size_t index = 0;  // Model::priors or Model::observations
  std::size_t param = 0;  // Prior terms: the parameter it is a prior on
  bool fixed = false;     // Prior terms: arguments are data (not hierarchical)
  std::size_t rows = 0;   // observations (elements, or vectors for MultiNormal)
  MatrixXd precision;     // sum D' S^-1 D
  VectorXd shift;         // sum D' S^-1 (y - c)
  VectorXd offset0;       // c, D and S of the first row
  MatrixXd design0;
  MatrixXd cov0;
  bool rows_differ = false;  // some row has another c, D or S than the first
  bool identity = true;      // every row is one element of theta itself
  bool single = true;        // every row involves at most one element of theta
  VectorXd sum_y;            // sum of the (log) data rows, for --explain
  bool common_sd = true;     // scalar rows: the same sd throughout
  Index slot = 0, size = 1;  // Prior terms: where its parameter sits in theta
};

// The pieces of the update, for --explain.
struct Posterior {
  MatrixXd prec;   // Lambda = Lambda0 + data precision
  VectorXd shift;  // Lambda0 m0 + sum D' S^-1 (y - c)
  VectorXd mean;
  MatrixXd cov;
  MatrixXd prior_prec;  // from the priors with data arguments
  VectorXd prior_shift;
  MatrixXd data_prec;
  VectorXd data_shift;
};

bool gaussian(const Prior& p) {
  return p.family == &dist::normal_family() || p.family == &dist::multi_normal_family();
}

std::string quoted_names(const Model& m, const std::vector<std::size_t>& ps) {
  std::string out;
  for (std::size_t i = 0; i < ps.size(); ++i)
    out += (i == 0 ? "" : i + 1 == ps.size() ? " and " : ", ") + ("'" + m.params[ps[i]].name + "'");
  return out;
}

std::string prior_text(const Model& m, const Prior& p) {
  std::string names;
  for (auto q : p.params) names += (names.empty() ? "" : ", ") + m.params[q].name;
  return names + " ~ " + p.text;
}

std::string vec_str(const VectorXd& v) {
  std::string out = "[";
  for (Index i = 0; i < v.size(); ++i) out += (i ? ", " : "") + num(v[i]);
  return out + "]";
}

// A small matrix in full; a large one by its diagonal.
std::string mat_str(const MatrixXd& a) {
  if (a.rows() > 6)
    return "(a " + std::to_string(a.rows()) + " x " + std::to_string(a.cols()) +
           " matrix; diagonal " + vec_str(a.diagonal()) + ")";
  std::string out = "[";
  for (Index r = 0; r < a.rows(); ++r) out += (r ? ", " : "") + vec_str(a.row(r).transpose());
  return out + "]";
}

bool diagonal(const MatrixXd& a) {
  return (a - MatrixXd(a.diagonal().asDiagonal())).cwiseAbs().maxCoeff() == 0;
}

std::string precision_str(const MatrixXd& a) {
  if (a.rows() == 1 || !diagonal(a)) return mat_str(a);
  std::string out = "diag(";
  for (Index i = 0; i < a.rows(); ++i) out += (i ? ", " : "") + num(a(i, i));
  return out + ")";
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
  MatrixXd chol = Eigen::LLT<MatrixXd>(cov).matrixL();
  c.sample = [mean, chol](dist::Rng& rng) {
    std::normal_distribution<double> normal(0.0, 1.0);
    VectorXd z(mean.size());
    for (Index i = 0; i < z.size(); ++i) z[i] = normal(rng);
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
    Eigen::LLT<MatrixXd> llt(S);
    MatrixXd sinv_d = llt.solve(ds[r]);
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
    if (gaussian(q)) continue;
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

std::string data_name(const Observation& o) { return o.text.substr(0, o.text.find(" ~ ")); }

// The text of the first argument of the observation's distribution: "a + b * mu".
std::string mean_text(const Observation& o) {
  std::size_t open = o.text.find('(', o.text.find(" ~ "));
  int depth = 0;
  for (std::size_t i = open + 1; i < o.text.size(); ++i) {
    char ch = o.text[i];
    if (ch == '(' || ch == '[') ++depth;
    if (ch == ')' || ch == ']') --depth;
    if (ch == ',' && depth == 0) return o.text.substr(open + 1, i - open - 1);
  }
  return "the mean";
}

// The derivation with the numbers put in, for a student meeting the
// Normal-Normal update (one scalar) or Bayesian linear regression (several).
void explain(Solution& sol, const Model& m, const std::vector<Term>& terms,
             const std::vector<std::string>& labels, const std::vector<std::size_t>& params,
             const Posterior& post, const std::optional<VectorXd>& mle, const std::string& mle_note,
             bool no_data) {
  auto& ex = sol.explain;
  const bool one = labels.size() == 1;
  std::string theta = labels[0];
  if (!one) {
    theta = "(";
    if (labels.size() <= 8)
      for (std::size_t i = 0; i < labels.size(); ++i) theta += (i ? ", " : "") + labels[i];
    else
      theta += std::to_string(labels.size()) + " numbers: " + quoted_names(m, params);
    theta += ")";
  }
  const std::string& rule = sol.rule;
  const std::string bda =
      "; precisions (1 / variance) add, and the posterior mean is the "
      "precision-weighted average of the prior mean and the data (BDA3 sec. 2.5)";
  if (no_data)
    ex.push_back("rule " + rule + ": no observation involves " + theta +
                 ", so the posterior is the prior");
  else if (one && rule == "Normal-LogNormal")
    ex.push_back("rule Normal-LogNormal: a Normal prior on " + theta +
                 " and LogNormal likelihoods with known sigma: log x ~ Normal(" + theta +
                 ", sigma), so this is the Normal-Normal update on log x" + bda);
  else if (one)
    ex.push_back(
        "rule " + rule + ": a Normal prior on " + theta + " and Normal likelihoods" +
        (rule == "Normal-Normal" ? "" : " whose mean is c + d * " + theta + " (c, d known)") +
        " with known sd" + bda);
  else
    ex.push_back(
        "rule " + rule + ": Gaussian priors on " + theta +
        " and Gaussian likelihoods whose means are linear in them, c + D theta, with a "
        "known noise covariance S: the posterior is MultiNormal with precision "
        "Lambda = Lambda0 + sum D' S^-1 D and mean Lambda^-1 (Lambda0 m0 + sum D' S^-1 (y - c)) "
        "(Bishop, PRML eq. 3.50-3.51)");

  bool hierarchical = false;
  for (const auto& t : terms) {
    if (t.kind != Kind::Prior) continue;
    const Prior& prior = m.priors[t.index];
    const std::string text = m.params[t.param].name + " ~ " + prior.text;
    if (!t.fixed) {
      hierarchical = true;
      ex.push_back("prior: " + text +
                   ": its mean depends on another parameter, so it is a Gaussian factor in " +
                   theta + " too, adding D' S^-1 D = " + mat_str(t.precision) +
                   " to the prior precision");
      continue;
    }
    MatrixXd p0 = t.precision.block(t.slot, t.slot, t.size, t.size);
    VectorXd m0 = p0.ldlt().solve(t.shift.segment(t.slot, t.size));
    if (t.size == 1) {
      ex.push_back("prior: " + text + ": " + (one ? "" : "mean " + num(m0[0]) + ", ") +
                   "precision 1 / " + num(1 / std::sqrt(p0(0, 0))) + "^2 = " + num(p0(0, 0)));
    } else {
      bool multi = prior.family == &dist::multi_normal_family();
      ex.push_back("prior: " + text + (multi ? "" : ", iid") + ": mean " + vec_str(m0) +
                   ", precision " + (multi ? "cov^-1 = " : "") + precision_str(p0));
    }
  }
  if (!one) {
    VectorXd m0 = post.prior_prec.ldlt().solve(post.prior_shift);
    ex.push_back(
        std::string(hierarchical ? "so the priors together are MultiNormal with " : "so ") +
        "m0 = " + vec_str(m0) + " and Lambda0 = " + precision_str(post.prior_prec));
  }

  for (const auto& t : terms) {
    if (t.kind == Kind::Prior) continue;
    const Observation& o = m.observations[t.index];
    const std::string x = t.kind == Kind::LogNormal ? "log " + data_name(o) : data_name(o);
    const std::string sd = t.kind == Kind::LogNormal ? "sigma" : "sd";
    const std::string n = std::to_string(t.rows);
    std::string line = "data: '" + o.text + "': ";
    if (t.kind == Kind::MultiNormal && t.identity && t.rows == 1) {
      line += "one observation " + vec_str(t.sum_y) + " of " + theta +
              " with covariance S = " + mat_str(t.cov0) + "; adds S^-1 = " + mat_str(t.precision) +
              " to the precision and S^-1 x = " + vec_str(t.shift) + " to the sums";
    } else if (t.kind == Kind::MultiNormal && t.identity) {
      line += n + " observations of " + theta + " with covariance S = " + mat_str(t.cov0) +
              ", sum " + vec_str(t.sum_y) + "; adds N S^-1 = " + mat_str(t.precision) +
              " to the precision and S^-1 sum = " + vec_str(t.shift) + " to the sums";
    } else if (t.kind == Kind::MultiNormal) {
      line += n + " observation" + (t.rows == 1 ? "" : "s") + " of mean c + D " + theta +
              " with covariance S = " + mat_str(t.cov0) +
              "; sum D' S^-1 D = " + mat_str(t.precision) +
              ", sum D' S^-1 (y - c) = " + vec_str(t.shift);
    } else if (one && t.identity && t.common_sd) {
      const double s2 = t.cov0(0, 0);
      line += "N = " + n + ", sum " + x + " = " + num(t.sum_y[0]) + " (mean " +
              num(t.sum_y[0] / static_cast<double>(t.rows)) + "); precision N / " + sd +
              "^2 = " + n + " / " + num(s2) + " = " + num(t.precision(0, 0)) + ", and sum " + x +
              " / " + sd + "^2 = " + num(t.shift[0]);
    } else if (one) {
      line += "N = " + n + ", each " + x + "_i ~ Normal(c_i + d_i * " + theta + ", " + sd +
              "_i) with c_i and d_i read off '" + mean_text(o) + "'; precision sum d_i^2 / " + sd +
              "_i^2 = " + num(t.precision(0, 0)) + ", and sum d_i (" + x + "_i - c_i) / " + sd +
              "_i^2 = " + num(t.shift[0]);
    } else {
      const std::string xtx = t.common_sd ? "X'X / " + sd + "^2" : "X' W X";
      const std::string xty =
          t.common_sd ? "X'(" + x + " - c) / " + sd + "^2" : "X' W (" + x + " - c)";
      line +=
          "N = " + n + ", " + x + " = c + X " + theta + " + noise, with X the " + n + " x " +
          std::to_string(labels.size()) + " design and " +
          (t.common_sd ? sd + " " + num(std::sqrt(t.cov0(0, 0))) : "W = diag(1 / " + sd + "_i^2)") +
          "; " + xtx + " = " + mat_str(t.precision) + ", " + xty + " = " + vec_str(t.shift);
    }
    ex.push_back(line);
  }

  if (one) {
    const double p0 = post.prior_prec(0, 0), pn = post.prec(0, 0);
    const double m0 = post.prior_shift[0] / p0;
    ex.push_back("posterior precision = " + num(p0) + " + " + num(pn - p0) + " = " + num(pn) +
                 ", so sd = 1 / sqrt(" + num(pn) + ") = " + num(std::sqrt(post.cov(0, 0))));
    ex.push_back(
        "posterior mean = (prior precision * prior mean + the data's sums) / posterior precision = "
        "(" +
        num(p0) + " * " + num(m0) + " + " + num(post.shift[0] - post.prior_shift[0]) + ") / " +
        num(pn) + " = " + num(post.mean[0]));
    ex.push_back("posterior: " + theta + " ~ Normal(" + num(post.mean[0]) + ", " +
                 num(std::sqrt(post.cov(0, 0))) + ")");
    ex.push_back("MAP = posterior mean = " + num(post.mean[0]) + " (a Normal's mode is its mean)");
    if (mle)
      ex.push_back("MLE = the data's sums / the data's precision = " + num(post.data_shift[0]) +
                   " / " + num(post.data_prec(0, 0)) + " = " + num((*mle)[0]));
  } else {
    ex.push_back("posterior precision Lambda = Lambda0 + the data's = " + mat_str(post.prec));
    ex.push_back("posterior mean m = Lambda^-1 (Lambda0 m0 + the data's sums) = Lambda^-1 " +
                 vec_str(post.shift) + " = " + vec_str(post.mean));
    ex.push_back("posterior covariance Sigma = Lambda^-1 = " + mat_str(post.cov) + "; sds " +
                 vec_str(post.cov.diagonal().cwiseSqrt()));
    ex.push_back("MAP = posterior mean (a Gaussian's mode is its mean) = " + vec_str(post.mean));
    if (mle)
      ex.push_back(
          "MLE (least squares, each row weighted by S^-1; priors dropped) = "
          "(sum D' S^-1 D)^-1 sum D' S^-1 (y - c) = " +
          vec_str(*mle));
  }
  if (!mle) {
    ex.push_back(no_data ? "MLE: no data, so the likelihood is flat" : "MLE: " + mle_note);
    for (const auto& r : sol.params)
      if (r.mle)
        ex.push_back("  but the data alone determine " + m.params[r.param].name + ": its MLE is " +
                     (r.mle->is_scalar()
                          ? num((*r.mle)[0])
                          : vec_str(Eigen::Map<const VectorXd>(
                                r.mle->data.data(), static_cast<Index>(r.mle->size())))));
  }

  // y* = c + D theta + noise: mean c + D m, variance D Sigma D' + S (PRML eq. 3.58-3.59).
  for (const auto& t : terms) {
    if (t.kind == Kind::Prior) continue;
    const Observation& o = m.observations[t.index];
    VectorXd pm = t.offset0 + t.design0 * post.mean;
    MatrixXd spread = t.design0 * post.cov * t.design0.transpose();
    std::string line =
        "predictive of one more " + data_name(o) + (t.rows_differ ? " like row 1" : "") + ": ";
    if (t.kind == Kind::MultiNormal) {
      line += "MultiNormal(" + vec_str(pm) +
              (t.identity ? ", Sigma + S = " : ", D Sigma D' + S = ") + mat_str(spread + t.cov0) +
              "): the uncertainty about the mean plus the noise's covariance";
    } else {
      const std::string sd = t.kind == Kind::LogNormal ? "sigma" : "sd";
      line += std::string(t.kind == Kind::LogNormal ? "LogNormal" : "Normal") + "(" + num(pm[0]) +
              ", sqrt(" + num(spread(0, 0)) + " + " + num(std::sqrt(t.cov0(0, 0))) +
              "^2) = " + num(std::sqrt(spread(0, 0) + t.cov0(0, 0))) +
              "): the uncertainty about the mean plus the noise's " + sd;
    }
    ex.push_back(line);
  }
}

}  // namespace

std::optional<Solution> solve_gaussian_linear(const Model& m, const graph::FactorGraph& g,
                                              const graph::Component& c, std::string& why) {
  ComponentView v = view(g, c);
  std::size_t n_gaussian = 0;
  for (auto pi : v.priors) n_gaussian += gaussian(m.priors[pi]) ? 1 : 0;
  if (n_gaussian == 0) return std::nullopt;  // another prior family: not this rule
  if (n_gaussian < v.priors.size()) {
    why = mixed_priors_reason(m, v);
    return std::nullopt;
  }

  // theta stacks the component's parameters in declaration order.
  std::vector<std::size_t> params = c.params;
  std::sort(params.begin(), params.end());
  std::vector<std::size_t> offsets;
  const auto dim = static_cast<Index>(stacked_size(m, params, &offsets));
  // The joint precision is a dense dim x dim matrix.
  if (dim > static_cast<Index>(kMaxDenseUnknowns)) {
    why =
        "the Gaussian rule holds the joint covariance as a dense matrix, and this component "
        "has " +
        std::to_string(dim) + " unknowns (at most " + std::to_string(kMaxDenseUnknowns) + ")";
    return std::nullopt;
  }
  std::vector<std::string> labels;
  for (auto p : params) {
    const ParamVar& pv = m.params[p];
    if (pv.type.is_scalar())
      labels.push_back(pv.name);
    else
      for (std::size_t i = 0; i < pv.type.rows; ++i)
        labels.push_back(pv.name + "[" + std::to_string(i + 1) + "]");
  }
  auto slot_of = [&](std::size_t p) {
    return static_cast<Index>(offsets[static_cast<std::size_t>(
        std::find(params.begin(), params.end(), p) - params.begin())]);
  };
  auto size_of = [&](std::size_t p) {
    return static_cast<Index>(m.params[p].type.is_scalar() ? 1 : m.params[p].type.rows);
  };

  // --- priors: theta_p ~ N(c + D theta, S), i.e. 0 ~ N(c + (D - E_p) theta, S) ---
  std::vector<Term> terms;
  for (auto pi : v.priors) {
    const Prior& prior = m.priors[pi];
    const bool multi = prior.family == &dist::multi_normal_family();
    const std::string scale_name = multi ? "covariance" : "sd";
    for (auto p : prior.params) {
      if (!ir::is_data_only(*prior.args[1])) {
        why = "the prior '" + prior_text(m, prior) + "' has " +
              quoted_names(m, ir::params_of(*prior.args[1])) + " in its " + scale_name +
              ": a Gaussian prior needs a known " + scale_name;
        return std::nullopt;
      }
      auto lin = linear_in(m, *prior.args[0], params);
      if (!lin) {
        why = "the prior '" + prior_text(m, prior) + "' has a mean that is not linear in " +
              quoted_names(m, ir::params_of(*prior.args[0]));
        return std::nullopt;
      }
      Term t = empty_term(Kind::Prior, pi, dim);
      t.param = p;
      t.fixed = ir::is_data_only(*prior.args[0]);
      const Index k = size_of(p), at_p = slot_of(p);
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

  // --- observations ---
  for (auto oi : v.observations) {
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
            quoted_names(m, params) +
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
    auto lin = linear_in(m, *o.args[0], params);
    if (!lin) {
      why = "'" + o.text + "': the mean is not linear in " +
            quoted_names(m, ir::params_of(*o.args[0])) +
            " (the Gaussian rule needs offset + design * parameters, e.g. a + b * mu, "
            "w0 + columns(x1, x2) * w, mu[group] or dot(x, w))";
      return std::nullopt;
    }
    Term t = empty_term(kind, oi, dim);
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
      const Index k = static_cast<Index>(scale.rows);
      MatrixXd S = Eigen::Map<const MatrixXd>(scale.data.data(), k, k);
      MatrixXd design =
          lin->design.rows() == 1 ? MatrixXd(lin->design.replicate(k, 1)) : lin->design;
      VectorXd offset =
          lin->offset.size() == 1 ? VectorXd(VectorXd::Constant(k, lin->offset[0])) : lin->offset;
      // A vector is one observation; each row of a matrix is one.
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
    terms.push_back(std::move(t));
  }

  // --- the posterior (Bishop, PRML, eq. 3.50-3.51) ---
  MatrixXd prec = MatrixXd::Zero(dim, dim), data_prec = MatrixXd::Zero(dim, dim), prior_prec = prec;
  VectorXd shift = VectorXd::Zero(dim), data_shift = VectorXd::Zero(dim), prior_shift = shift;
  bool hierarchical = false, multi_prior = false, multi_likelihood = false, all_lognormal = true,
       identity = true, single = true;
  for (const auto& t : terms) {
    prec += t.precision, shift += t.shift;
    if (t.kind == Kind::Prior) {
      prior_prec += t.precision, prior_shift += t.shift;
      hierarchical = hierarchical || !t.fixed;
      multi_prior = multi_prior || m.priors[t.index].family == &dist::multi_normal_family();
      continue;
    }
    data_prec += t.precision, data_shift += t.shift;
    multi_likelihood = multi_likelihood || t.kind == Kind::MultiNormal;
    all_lognormal = all_lognormal && t.kind == Kind::LogNormal;
    identity = identity && t.identity;
    single = single && t.single;
  }
  Eigen::LLT<MatrixXd> llt(prec);
  if (llt.info() != Eigen::Success) {
    why = "the posterior precision of " + quoted_names(m, params) + " is not positive definite";
    return std::nullopt;
  }
  const VectorXd mean = llt.solve(shift);
  MatrixXd cov = llt.solve(MatrixXd::Identity(dim, dim));
  cov = (cov + cov.transpose()) / 2;
  const double log_det_prec = 2 * MatrixXd(llt.matrixL()).diagonal().array().log().sum();

  auto block = [&](const VectorXd& x, std::size_t p) -> Value {
    if (m.params[p].type.is_scalar()) return Value::scalar(x[slot_of(p)]);
    return as_value(VectorXd(x.segment(slot_of(p), size_of(p))));
  };

  // MLE: the same with the priors dropped, by generalised least squares. When
  // the data leave some directions of theta free (a rank-deficient design, a
  // parameter no observation reaches), the MLE of theta is not unique, but a
  // parameter that those directions do not move still has one.
  std::optional<VectorXd> mle;
  std::vector<std::optional<Value>> mle_of(params.size());
  std::vector<std::string> mle_note_of(params.size());
  std::string mle_note;
  Eigen::SelfAdjointEigenSolver<MatrixXd> eig(data_prec);
  const VectorXd& lambda = eig.eigenvalues();  // ascending
  const double top = dim > 0 ? std::max(lambda[dim - 1], 0.0) : 0.0;
  Index free = 0;
  while (free < dim && lambda[free] <= 1e-10 * top) ++free;
  if (free == 0) {
    mle = Eigen::LLT<MatrixXd>(data_prec).solve(data_shift);
    for (std::size_t j = 0; j < params.size(); ++j) mle_of[j] = block(*mle, params[j]);
  } else {
    // The least-squares solution with no component along the free directions.
    const MatrixXd& vecs = eig.eigenvectors();
    VectorXd coef = vecs.transpose() * data_shift;
    for (Index i = 0; i < dim; ++i) coef[i] = i < free ? 0 : coef[i] / lambda[i];
    const VectorXd ls = vecs * coef;
    const MatrixXd null = vecs.leftCols(free);
    auto list_unseen = [&](Index from, Index count) {
      std::string list;
      for (Index i = from; i < from + count; ++i)
        if (data_prec.row(i).cwiseAbs().maxCoeff() == 0)
          list += (list.empty() ? "" : ", ") + labels[static_cast<std::size_t>(i)];
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
        ", so many values of " + quoted_names(m, params) + " fit the data equally well";
    const std::string unseen = list_unseen(0, dim);
    mle_note = unseen.empty() ? rank_note
                              : "the MLE is not unique: no observation depends on " + unseen +
                                    ", so the likelihood is flat in that direction";
    for (std::size_t j = 0; j < params.size(); ++j) {
      const Index at_p = slot_of(params[j]), k = size_of(params[j]);
      if (null.middleRows(at_p, k).cwiseAbs().maxCoeff() < 1e-8) {
        mle_of[j] = block(ls, params[j]);
        continue;
      }
      const std::string mine = list_unseen(at_p, k);
      mle_note_of[j] = mine.empty() ? rank_note
                                    : "the MLE is not unique: no observation depends on " + mine +
                                          ", so the likelihood is flat in that direction";
    }
  }

  Solution sol;
  if (v.observations.empty())
    sol.rule = "Normal prior (no data)";
  else if (hierarchical)
    sol.rule = "Normal-Normal hierarchical (known sds)";
  else if (multi_likelihood)
    sol.rule = "MultiNormal-MultiNormal";
  else if (all_lognormal)
    sol.rule = "Normal-LogNormal";
  else if (!single)
    sol.rule = "BayesianLinearRegression";
  else if (multi_prior)
    sol.rule = "MultiNormal-Normal";
  else if (identity)
    sol.rule = "Normal-Normal";
  else
    sol.rule = "Normal-NormalAffine";

  for (std::size_t j = 0; j < params.size(); ++j) {
    const std::size_t p = params[j];
    ParamResult r;
    r.param = p;
    const Index at_p = slot_of(p), k = size_of(p);
    if (m.params[p].type.is_scalar())
      r.posterior = from_family(dist::normal_family(), {mean[at_p], std::sqrt(cov(at_p, at_p))});
    else
      r.posterior = multi_normal_form(mean.segment(at_p, k), cov.block(at_p, at_p, k, k));
    r.map = block(mean, p);  // the joint mode of a Gaussian is its mean
    r.mle = mle_of[j];
    r.mle_note = mle_note_of[j];
    sol.params.push_back(std::move(r));
  }
  if (params.size() > 1) {
    sol.joint = multi_normal_form(mean, cov);
    sol.joint_order = labels;
  }

  // Predictive: one more observation like the first row of each statement,
  // y* = c + D theta + noise, so N(c + D m, D Sigma D' + S) (PRML eq. 3.58-3.59).
  for (const auto& t : terms) {
    if (t.kind == Kind::Prior) continue;
    VectorXd pm = t.offset0 + t.design0 * mean;
    MatrixXd pc = t.design0 * cov * t.design0.transpose() + t.cov0;
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

  explain(sol, m, terms, labels, params,
          Posterior{prec, shift, mean, cov, prior_prec, prior_shift, data_prec, data_shift}, mle,
          mle_note, v.observations.empty());

  // --- draws and the density for the evidence ---
  const MatrixXd chol = Eigen::LLT<MatrixXd>(cov).matrixL();
  std::vector<Index> sizes;
  std::vector<bool> scalars;
  for (auto p : params)
    sizes.push_back(size_of(p)), scalars.push_back(m.params[p].type.is_scalar());
  sol.draw = [params, offsets, sizes, scalars, dim, mean, chol](dist::Rng& rng,
                                                                std::vector<Value>& values) {
    std::normal_distribution<double> normal(0.0, 1.0);
    VectorXd z(dim);
    for (Index i = 0; i < dim; ++i) z[i] = normal(rng);
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
  for (auto p : params) sol.point[p] = block(mean, p);
  return sol;
}

}  // namespace bayes::conjugate
