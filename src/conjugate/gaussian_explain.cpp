// --explain for the Gaussian rule: receives the terms and the posterior that
// gaussian_linear.cpp computed, produces the derivation with the numbers put in.
#include <cmath>

#include "conjugate/gaussian_linear.hpp"
#include "linalg/dense.hpp"

namespace bayes::conjugate::gaussian {

namespace {

std::string vec_str(const VectorXd& v) {
  std::string out = "[";
  for (Index i = 0; i < v.size(); ++i) out += (i ? ", " : "") + significant(v[i]);
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
  for (Index i = 0; i < a.rows(); ++i) out += (i ? ", " : "") + significant(a(i, i));
  return out + ")";
}

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

// The parameter vector as the explanation names it: "mu", "(w0, w[1], w[2])".
std::string theta_text(const Model& m, const std::vector<std::string>& labels,
                       const std::vector<std::size_t>& params) {
  std::string theta = labels[0];
  if (labels.size() != 1) {
    theta = "(";
    if (labels.size() <= 8)
      for (std::size_t i = 0; i < labels.size(); ++i) theta += (i ? ", " : "") + labels[i];
    else
      theta += std::to_string(labels.size()) + " numbers: " + quoted_names(m, params);
    theta += ")";
  }
  return theta;
}

// The rule and why it applies.
void explain_rule(std::vector<std::string>& ex, const std::string& rule, const std::string& theta,
                  bool one, bool no_data, bool flat) {
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
        "rule " + rule + ": a Normal prior" + (flat ? " (flat here: precision 0)" : "") + " on " +
        theta + " and Normal likelihoods" +
        (rule == "Normal-Normal" ? "" : " whose mean is c + d * " + theta + " (c, d known)") +
        " with known sd" + bda);
  else
    ex.push_back(
        "rule " + rule + ": Gaussian priors" + (flat ? " (a flat one has precision 0)" : "") +
        " on " + theta +
        " and Gaussian likelihoods whose means are linear in them, c + D theta, with a "
        "known noise covariance S: the posterior is MultiNormal with precision "
        "Lambda = Lambda0 + sum D' S^-1 D and mean Lambda^-1 (Lambda0 m0 + sum D' S^-1 (y - c)) "
        "(Bishop, PRML eq. 3.50-3.51)");
}

// Each prior's precision and mean, then the priors together.
void explain_priors(std::vector<std::string>& ex, const Model& m, const std::vector<Term>& terms,
                    const Posterior& post, const std::string& theta, bool one) {
  bool hierarchical = false, flat = false;
  for (const auto& t : terms) {
    if (t.kind != Kind::Prior) continue;
    const Prior& prior = m.priors[t.index];
    if (t.flat) {
      flat = true;
      ex.push_back("prior: " + m.params[t.param].name + " " + prior.text +
                   ": the limit of a Normal prior as its sd grows without bound, precision 0, so "
                   "the data alone set it");
      continue;
    }
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
    VectorXd m0 = linalg::ldlt_solve(p0, t.shift.segment(t.slot, t.size));
    if (t.size == 1) {
      ex.push_back("prior: " + text + ": " + (one ? "" : "mean " + significant(m0[0]) + ", ") +
                   "precision 1 / " + significant(1 / std::sqrt(p0(0, 0))) +
                   "^2 = " + significant(p0(0, 0)));
    } else {
      bool multi = prior.family == &dist::multi_normal_family();
      ex.push_back("prior: " + text + (multi ? "" : ", iid") + ": mean " + vec_str(m0) +
                   ", precision " + (multi ? "cov^-1 = " : "") + precision_str(p0));
    }
  }
  if (!one && flat) {
    ex.push_back("so Lambda0 = " + precision_str(post.prior_prec) +
                 " (0 in the flat directions) and Lambda0 m0 = " + vec_str(post.prior_shift));
  } else if (!one) {
    VectorXd m0 = linalg::ldlt_solve(post.prior_prec, post.prior_shift);
    ex.push_back(
        std::string(hierarchical ? "so the priors together are MultiNormal with " : "so ") +
        "m0 = " + vec_str(m0) + " and Lambda0 = " + precision_str(post.prior_prec));
  }
}

// Each observation statement's contribution to the precision and the sums.
void explain_data(std::vector<std::string>& ex, const Model& m, const std::vector<Term>& terms,
                  const std::string& theta, bool one, std::size_t unknowns) {
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
      line += "N = " + n + ", sum " + x + " = " + significant(t.sum_y[0]) + " (mean " +
              significant(t.sum_y[0] / static_cast<double>(t.rows)) + "); precision N / " + sd +
              "^2 = " + n + " / " + significant(s2) + " = " + significant(t.precision(0, 0)) +
              ", and sum " + x + " / " + sd + "^2 = " + significant(t.shift[0]);
    } else if (one) {
      line += "N = " + n + ", each " + x + "_i ~ Normal(c_i + d_i * " + theta + ", " + sd +
              "_i) with c_i and d_i read off '" + mean_text(o) + "'; precision sum d_i^2 / " + sd +
              "_i^2 = " + significant(t.precision(0, 0)) + ", and sum d_i (" + x + "_i - c_i) / " +
              sd + "_i^2 = " + significant(t.shift[0]);
    } else {
      const std::string xtx = t.common_sd ? "X'X / " + sd + "^2" : "X' W X";
      const std::string xty =
          t.common_sd ? "X'(" + x + " - c) / " + sd + "^2" : "X' W (" + x + " - c)";
      line += "N = " + n + ", " + x + " = c + X " + theta + " + noise, with X the " + n + " x " +
              std::to_string(unknowns) + " design and " +
              (t.common_sd ? sd + " " + significant(std::sqrt(t.cov0(0, 0)))
                           : "W = diag(1 / " + sd + "_i^2)") +
              "; " + xtx + " = " + mat_str(t.precision) + ", " + xty + " = " + vec_str(t.shift);
    }
    ex.push_back(line);
  }
}

// The posterior, the MAP and the MLE.
void explain_posterior(std::vector<std::string>& ex, const Solution& sol, const Model& m,
                       const Posterior& post, const Mle& mle, const std::string& theta, bool one,
                       bool no_data) {
  if (one) {
    const double p0 = post.prior_prec(0, 0), pn = post.prec(0, 0);
    const double m0 = post.prior_shift[0] / p0;
    ex.push_back("posterior precision = " + significant(p0) + " + " + significant(pn - p0) + " = " +
                 significant(pn) + ", so sd = 1 / sqrt(" + significant(pn) +
                 ") = " + significant(std::sqrt(post.cov(0, 0))));
    if (p0 == 0)
      ex.push_back("posterior mean = the data's sums / posterior precision = " +
                   significant(post.shift[0]) + " / " + significant(pn) + " = " +
                   significant(post.mean[0]) + " (the MLE: a flat prior adds nothing)");
    else
      ex.push_back(
          "posterior mean = (prior precision * prior mean + the data's sums) / posterior "
          "precision = (" +
          significant(p0) + " * " + significant(m0) + " + " +
          significant(post.shift[0] - post.prior_shift[0]) + ") / " + significant(pn) + " = " +
          significant(post.mean[0]));
    ex.push_back("posterior: " + theta + " ~ Normal(" + significant(post.mean[0]) + ", " +
                 significant(std::sqrt(post.cov(0, 0))) + ")");
    ex.push_back("MAP = posterior mean = " + significant(post.mean[0]) +
                 " (a Normal's mode is its mean)");
    if (mle.theta)
      ex.push_back(
          "MLE = the data's sums / the data's precision = " + significant(post.data_shift[0]) +
          " / " + significant(post.data_prec(0, 0)) + " = " + significant((*mle.theta)[0]));
  } else {
    ex.push_back("posterior precision Lambda = Lambda0 + the data's = " + mat_str(post.prec));
    ex.push_back("posterior mean m = Lambda^-1 (Lambda0 m0 + the data's sums) = Lambda^-1 " +
                 vec_str(post.shift) + " = " + vec_str(post.mean));
    ex.push_back("posterior covariance Sigma = Lambda^-1 = " + mat_str(post.cov) + "; sds " +
                 vec_str(post.cov.diagonal().cwiseSqrt()));
    ex.push_back("MAP = posterior mean (a Gaussian's mode is its mean) = " + vec_str(post.mean));
    if (mle.theta)
      ex.push_back(
          "MLE (least squares, each row weighted by S^-1; priors dropped) = "
          "(sum D' S^-1 D)^-1 sum D' S^-1 (y - c) = " +
          vec_str(*mle.theta));
  }
  if (!mle.theta) {
    ex.push_back(no_data ? "MLE: no data, so the likelihood is flat" : "MLE: " + mle.note);
    for (const auto& r : sol.params)
      if (r.mle)
        ex.push_back("  but the data alone determine " + m.params[r.param].name + ": its MLE is " +
                     (r.mle->is_scalar()
                          ? significant((*r.mle)[0])
                          : vec_str(Eigen::Map<const VectorXd>(
                                r.mle->data.data(), static_cast<Index>(r.mle->size())))));
  }
}

// The ridge regression a Gaussian linear model with iid Normal(0, tau)
// priors on some weights (flat priors on the rest) and one observation
// statement of one known sd is: the MAP minimises the squared error plus
// lambda ||w||^2 with lambda = sd^2 / tau^2, computed here as the ridge
// solution (X'X + lambda D)^-1 X'(y - c), D marking the penalised weights.
void explain_ridge(std::vector<std::string>& ex, const Model& m, const std::vector<Term>& terms,
                   const Posterior& post) {
  const Term* data = nullptr;
  std::string penalised, free;
  double prec = NAN;
  VectorXd marked = VectorXd::Zero(post.prec.rows());
  for (const auto& t : terms) {
    if (t.kind != Kind::Prior) {
      if (data || t.kind != Kind::Normal || !t.common_sd) return;
      data = &t;
      continue;
    }
    const std::string name = m.params[t.param].name;
    if (t.flat) {
      free += (free.empty() ? "" : ", ") + name;
      continue;
    }
    const Prior& prior = m.priors[t.index];
    if (!t.fixed || prior.family != &dist::normal_family()) return;
    MatrixXd p0 = t.precision.block(t.slot, t.slot, t.size, t.size);
    if (t.shift.segment(t.slot, t.size).cwiseAbs().maxCoeff() != 0 || !diagonal(p0)) return;
    for (Index i = 0; i < t.size; ++i) {
      if (!std::isnan(prec) && p0(i, i) != prec) return;
      prec = p0(i, i);
      marked[t.slot + i] = 1;
    }
    penalised += (penalised.empty() ? "" : ", ") + name;
  }
  if (!data || std::isnan(prec) || !(prec > 0)) return;
  const double s2 = data->cov0(0, 0), lambda = s2 * prec;
  // X'X and X'(y - c): the data's precision and sums times sd^2.
  const MatrixXd xtx = post.data_prec * s2;
  const VectorXd xty = post.data_shift * s2;
  const MatrixXd system = xtx + MatrixXd(lambda * marked.asDiagonal());
  const VectorXd ridge = linalg::ldlt_solve(system, xty);
  const std::string y = data_name(m.observations[data->index]);
  ex.push_back("as ridge regression (L2): -log posterior = sum (" + y +
               " - mean)^2 / (2 sd^2) + ||" + penalised + "||^2 / (2 tau^2) + const with sd = " +
               significant(std::sqrt(s2)) + ", tau = " + significant(1 / std::sqrt(prec)) +
               "; times 2 sd^2, the MAP minimises the squared error + lambda ||" + penalised +
               "||^2 with lambda = sd^2 / tau^2 = " + significant(lambda) +
               (free.empty() ? "" : " (" + free + ": flat, not penalised)") +
               "; the ridge solution (X'X + lambda D)^-1 X'(" + y + " - c) = " + vec_str(ridge) +
               " is the MAP (scikit-learn's Ridge(alpha = " + significant(lambda) + "))");
}

// The predictive of one more observation of each statement.
void explain_predictive(std::vector<std::string>& ex, const Model& m,
                        const std::vector<Term>& terms, const Posterior& post) {
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
      line += std::string(t.kind == Kind::LogNormal ? "LogNormal" : "Normal") + "(" +
              significant(pm[0]) + ", sqrt(" + significant(spread(0, 0)) + " + " +
              significant(std::sqrt(t.cov0(0, 0))) +
              "^2) = " + significant(std::sqrt(spread(0, 0) + t.cov0(0, 0))) +
              "): the uncertainty about the mean plus the noise's " + sd;
    }
    ex.push_back(line);
  }
}

}  // namespace

void explain(Solution& sol, const Model& m, const std::vector<Term>& terms,
             const std::vector<std::string>& labels, const std::vector<std::size_t>& params,
             const Posterior& post, const Mle& mle, bool no_data) {
  auto& ex = sol.explain;
  const bool one = labels.size() == 1;
  const std::string theta = theta_text(m, labels, params);
  bool flat = false;
  for (const auto& t : terms) flat = flat || t.flat;
  explain_rule(ex, sol.rule, theta, one, no_data, flat);
  explain_priors(ex, m, terms, post, theta, one);
  explain_data(ex, m, terms, theta, one, labels.size());
  explain_posterior(ex, sol, m, post, mle, theta, one, no_data);
  if (!one && !no_data) explain_ridge(ex, m, terms, post);
  explain_predictive(ex, m, terms, post);
}

}  // namespace bayes::conjugate::gaussian
