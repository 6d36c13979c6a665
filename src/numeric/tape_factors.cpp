// The tape's factor nodes: each likelihood or prior factor's log density
// forward and its adjoints backward (the fused logistic-Bernoulli loop, the
// scalar families through their lpdf_grad, the vector families, summed-out
// mixtures). The rest of the tape is tape.cpp.
#include <algorithm>
#include <cmath>
#include <span>

#include "numeric/lpdf_grad.hpp"
#include "numeric/parallel.hpp"
#include "numeric/tape.hpp"
#include "numeric/tape_helpers.hpp"

namespace bayes::numeric {

using namespace tape_helpers;

// The hidden Markov model's forward algorithm in log space over the
// per-element, per-state log densities (the copies of the observations with
// z = k): alpha(t, k) = e(t, k) + log sum_j exp(alpha(t - 1, j)) T(j, k).
double Tape::hmm_forward(Node& n) {
  const Eigen::VectorXd& init = nodes_[static_cast<std::size_t>(n.in[0])].val;
  const std::size_t K = n.classes, S = n.statements;
  const Eigen::Index N = nodes_[static_cast<std::size_t>(n.in[1])].val.size();
  n.emit.setZero(N, static_cast<Eigen::Index>(K));
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t s = 0; s < S; ++s)
      n.emit.col(static_cast<Eigen::Index>(k)) +=
          nodes_[static_cast<std::size_t>(n.in[1 + k * S + s])].val;
  Eigen::MatrixXd logT(K, K);
  for (std::size_t j = 0; j < K; ++j)
    for (std::size_t k = 0; k < K; ++k)
      logT(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k)) = std::log(
          n.trans_first >= 0 && n.trans_const.size() == 0
              ? nodes_[static_cast<std::size_t>(n.in[static_cast<std::size_t>(n.trans_first) + j])]
                    .val[static_cast<Eigen::Index>(k)]
              : n.trans_const(static_cast<Eigen::Index>(j), static_cast<Eigen::Index>(k)));
  const auto Ki = static_cast<Eigen::Index>(K);
  n.alpha.resize(N, Ki);
  Eigen::VectorXd scratch(Ki);
  auto lse = [](const Eigen::VectorXd& v) {
    const double mx = v.maxCoeff();
    return std::isfinite(mx) ? mx + std::log((v.array() - mx).exp().sum()) : mx;
  };
  for (Eigen::Index k = 0; k < Ki; ++k) n.alpha(0, k) = std::log(init[k]) + n.emit(0, k);
  for (Eigen::Index t = 1; t < N; ++t)
    for (Eigen::Index k = 0; k < Ki; ++k) {
      scratch = n.alpha.row(t - 1).transpose() + logT.col(k);
      n.alpha(t, k) = lse(scratch) + n.emit(t, k);
    }
  n.log_z = lse(n.alpha.row(N - 1).transpose());
  // Backward now too: the responsibilities (each state's marginal) are read
  // after forward() (labels), not only by backward().
  n.beta.resize(N, Ki);
  n.beta.row(N - 1).setZero();
  for (Eigen::Index t = N - 1; t-- > 0;)
    for (Eigen::Index j = 0; j < Ki; ++j) {
      scratch =
          logT.row(j).transpose() + n.emit.row(t + 1).transpose() + n.beta.row(t + 1).transpose();
      n.beta(t, j) = lse(scratch);
    }
  n.resp = (n.alpha + n.beta).array() - n.log_z;
  n.resp = n.resp.array().exp();
  return std::isfinite(n.log_z) ? n.log_z : -INFINITY;
}

// d log Z / d e(t, k) = gamma(t, k), the marginal; d / d init_k = gamma(0,
// k) / init_k; d / d T(j, k) = sum_t xi_t(j, k) / T(j, k).
void Tape::hmm_backward(Node& n) {
  const double g = n.adj[0];
  const std::size_t K = n.classes, S = n.statements;
  const auto Ki = static_cast<Eigen::Index>(K);
  const Eigen::Index N = n.alpha.rows();
  Node& init = nodes_[static_cast<std::size_t>(n.in[0])];
  for (Eigen::Index k = 0; k < Ki; ++k) init.adj[k] += g * n.resp(0, k) / init.val[k];
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t s = 0; s < S; ++s)
      nodes_[static_cast<std::size_t>(n.in[1 + k * S + s])].adj =
          g * n.resp.col(static_cast<Eigen::Index>(k));
  if (n.trans_first < 0 || n.trans_const.size() != 0) return;  // T is data
  for (Eigen::Index j = 0; j < Ki; ++j) {
    Node& row = nodes_[static_cast<std::size_t>(
        n.in[static_cast<std::size_t>(n.trans_first) + static_cast<std::size_t>(j)])];
    for (Eigen::Index k = 0; k < Ki; ++k) {
      const double tjk = row.val[k];
      double xi = 0;
      for (Eigen::Index t = 1; t < N; ++t)
        xi += std::exp(n.alpha(t - 1, j) + std::log(tjk) + n.emit(t, k) + n.beta(t, k) - n.log_z);
      row.adj[k] += g * xi / tjk;
    }
  }
}

double Tape::mixture_forward(Node& n) {
  if (n.markov) return hmm_forward(n);
  const Eigen::VectorXd& probs = nodes_[static_cast<std::size_t>(n.in[0])].val;
  std::size_t K = n.classes, S = n.statements;
  // a(i, k) = log pi_k + sum over statements of element i's log density given z_i = k.
  Eigen::Index N = 1;
  if (!n.scalar_label) N = nodes_[static_cast<std::size_t>(n.in[1])].val.size();
  Eigen::MatrixXd a(N, static_cast<Eigen::Index>(K));
  for (std::size_t k = 0; k < K; ++k) {
    Eigen::VectorXd col =
        Eigen::VectorXd::Constant(N, std::log(probs[static_cast<Eigen::Index>(k)]));
    for (std::size_t s = 0; s < S; ++s) {
      const Eigen::VectorXd& lp = nodes_[static_cast<std::size_t>(n.in[1 + k * S + s])].val;
      if (n.scalar_label)
        col[0] += lp.sum();
      else
        col += lp;
    }
    a.col(static_cast<Eigen::Index>(k)) = col;
  }
  double total = 0;
  n.resp.resize(N, static_cast<Eigen::Index>(K));
  for (Eigen::Index i = 0; i < N; ++i) {
    double mx = a.row(i).maxCoeff();
    if (!std::isfinite(mx)) return -INFINITY;
    double lse = mx + std::log((a.row(i).array() - mx).exp().sum());
    n.resp.row(i) = (a.row(i).array() - lse).exp();
    total += lse;
  }
  return total;
}

void Tape::mixture_backward(Node& n) {
  if (n.markov) return hmm_backward(n);
  Node& probs = nodes_[static_cast<std::size_t>(n.in[0])];
  std::size_t K = n.classes, S = n.statements;
  double g = n.adj[0];
  for (std::size_t k = 0; k < K; ++k) {
    auto kk = static_cast<Eigen::Index>(k);
    probs.adj[kk] += g * n.resp.col(kk).sum() / probs.val[kk];
    for (std::size_t s = 0; s < S; ++s) {
      Node& copy = nodes_[static_cast<std::size_t>(n.in[1 + k * S + s])];
      if (n.scalar_label)
        copy.adj = Eigen::VectorXd::Constant(copy.val.size(), g * n.resp(0, kk));
      else
        copy.adj = g * n.resp.col(kk);
    }
  }
}

std::vector<Tape::Labels> Tape::responsibilities() const {
  std::vector<Labels> out;
  for (const auto& n : nodes_)
    if (n.kind == Kind::Mixture) out.push_back({n.param, n.resp, n.label_values});
  return out;
}

// One factor's log density; with `with_grad`, its derivatives added into its
// inputs' adjoints instead (backward() calls it in reverse order). The paths
// by family: Bernoulli(logistic(eta)) of data fused, scalar families element
// by element, the vector families one call each.
double Tape::factor_forward(Node& n, bool with_grad) {
  const dist::Family& f = *n.family;
  Node& out = nodes_[static_cast<std::size_t>(n.outcome)];
  if (&f == &dist::bernoulli_family() && !n.elementwise && n.top && out.kind == Kind::Const) {
    Node& p = nodes_[static_cast<std::size_t>(n.in[0])];
    if (p.kind == Kind::Call && p.fn == Builtin::Logistic && p.in.size() == 1)
      if (auto lp = logistic_bernoulli(n, p, out, with_grad)) return *lp;
  }
  if (f.lpdf && f.outcome_rank == Rank::Scalar && &f != &dist::categorical_family())
    return with_grad ? scalar_factor_backward(n, out) : scalar_factor_forward(n, out);
  if (&f == &dist::multi_normal_family()) return multi_normal_factor(n, out, with_grad);
  if (&f == &dist::normal_inverse_gamma_family())
    return normal_inverse_gamma_factor(n, out, with_grad);
  return vector_factor(n, out, with_grad);
}

// Bernoulli(logistic(eta)) with data outcomes (logistic regression), in one
// pass: lp = sum y eta - log(1 + e^eta), d lp / d eta = y - logistic(eta);
// stable for any eta (no log of a rounded p), and the gradient is kept
// from forward() for backward(). nullopt when the general path must run (an
// outcome that is not 0 or 1, or no fused gradient kept).
std::optional<double> Tape::logistic_bernoulli(Node& n, Node& p, const Node& out, bool with_grad) {
  Node& eta = nodes_[static_cast<std::size_t>(p.in[0])];
  if (with_grad) {
    if (!n.fused.size()) return std::nullopt;
    if (eta.adj.size() == n.fused.size())
      eta.adj += n.fused;
    else
      for (Eigen::Index k = 0; k < n.fused.size(); ++k) add_elem(eta.adj, k, n.fused[k]);
    return n.fused_lp;
  }
  Eigen::Index len = std::max(out.val.size(), eta.val.size());
  if (p.folded >= 0) p.val.resize(0);  // not computed: see below
  n.fused.resize(len);
  bool ok = eta.val.size() == len && out.val.size() == len ? fused_in_blocks(n, eta, out, len)
                                                           : fused_by_element(n, eta, out, len);
  if (ok) return n.fused_lp;
  n.fused.resize(0);  // an outcome that is not 0 or 1: the general path says so
  if (p.folded >= 0) forward_node(p);
  return std::nullopt;
}

// The fused Bernoulli-logistic density when eta and the outcomes have the same
// length, vectorised (Eigen's packet exp and log) and split between threads:
// a = e^-|eta| in (0, 1], so log(1 + a) loses nothing that matters against
// the sum.
bool Tape::fused_in_blocks(Node& n, const Node& eta, const Node& out, Eigen::Index len) {
  int blocks = row_blocks(len);
  Eigen::ArrayXd part_lp(blocks);
  Eigen::Array<bool, Eigen::Dynamic, 1> part_ok(blocks);
  rows_parallel(len, [&](int b, Eigen::Index lo, Eigen::Index rows) {
    const auto e = eta.val.segment(lo, rows).array();
    const auto y = out.val.segment(lo, rows).array();
    part_ok[b] = ((y == 0) || (y == 1)).all() && !e.isNaN().any();
    if (!part_ok[b]) return;
    Eigen::ArrayXd a = (-e.abs()).exp();
    Eigen::ArrayXd one_a = 1 + a;
    part_lp[b] = (y * e - e.max(0.0) - one_a.log()).sum();
    n.fused.segment(lo, rows).array() = y - (e >= 0).select(Eigen::ArrayXd::Ones(rows), a) / one_a;
  });
  if (!part_ok.all()) return false;
  n.fused_lp = part_lp.sum();
  return true;
}

// The same when one side is a single value broadcast: element by element.
bool Tape::fused_by_element(Node& n, const Node& eta, const Node& out, Eigen::Index len) {
  double lp = 0;
  bool ok = true;
  for (Eigen::Index k = 0; k < len && ok; ++k) {
    double e = elem(eta.val, k), y = elem(out.val, k);
    ok = (y == 0 || y == 1) && !std::isnan(e);
    double a = std::exp(-std::fabs(e));
    lp += y * e - (std::max(e, 0.0) + std::log1p(a));
    n.fused[k] = y - (e >= 0 ? 1 / (1 + a) : a / (1 + a));
  }
  if (ok) n.fused_lp = lp;
  return ok;
}

// How many elements a factor of a scalar family has: its longest argument or outcome.
Eigen::Index Tape::factor_length(const Node& n, const Node& out) const {
  Eigen::Index len = out.val.size();
  for (auto i : n.in) len = std::max(len, nodes_[static_cast<std::size_t>(i)].val.size());
  return len;
}

// A scalar family's factor: forward computes each element's derivatives with
// its log density (scalar_lpdf_grad gives both) and keeps them, one column
// per argument and one for the outcome; backward only applies them.
double Tape::scalar_factor_forward(Node& n, const Node& out) {
  const dist::Family& f = *n.family;
  std::size_t na = n.in.size();
  Eigen::Index len = factor_length(n, out);
  if (&f == &dist::normal_family() && !n.elementwise)
    if (auto lp = normal_one_sd(n, out, len)) return *lp;
  double lp = 0;
  double args[4], dargs[4];
  bool need[4];  // no digamma for a derivative nobody reads (data arguments)
  for (std::size_t i = 0; i < na; ++i)
    need[i] = nodes_[static_cast<std::size_t>(n.in[i])].kind != Kind::Const;
  if (n.elementwise) n.val.resize(len);
  n.derivs.resize(len, static_cast<Eigen::Index>(na + 1));
  for (Eigen::Index k = 0; k < len; ++k) {
    for (std::size_t i = 0; i < na; ++i)
      args[i] = elem(nodes_[static_cast<std::size_t>(n.in[i])].val, k);
    double dx = 0;
    double x = elem(out.val, k);
    double lpk =
        scalar_lpdf_grad(f, std::span<const double>(args, na), x, std::span<double>(dargs, na), dx,
                         std::span<const bool>(need, na));
    lp += lpk;
    if (n.elementwise) n.val[k] = lpk;
    for (std::size_t i = 0; i < na; ++i) n.derivs(k, static_cast<Eigen::Index>(i)) = dargs[i];
    n.derivs(k, static_cast<Eigen::Index>(na)) = dx;
  }
  return lp;
}

// Normal(mean, sd) with one sd for every element (a regression's, an
// ARMA's): the log density and its derivative columns in whole-vector
// arithmetic, log sd once. nullopt when sd is not one positive number.
std::optional<double> Tape::normal_one_sd(Node& n, const Node& out, Eigen::Index len) {
  const Eigen::VectorXd &mean = nodes_[static_cast<std::size_t>(n.in[0])].val,
                        &sd = nodes_[static_cast<std::size_t>(n.in[1])].val;
  if (sd.size() != 1 || !(sd[0] > 0) || !std::isfinite(sd[0])) return std::nullopt;
  if ((mean.size() != len && mean.size() != 1) || (out.val.size() != len && out.val.size() != 1))
    return std::nullopt;
  const double s = sd[0];
  Eigen::ArrayXd z(len);
  if (mean.size() == len && out.val.size() == len)
    z = (out.val - mean).array() / s;
  else
    for (Eigen::Index k = 0; k < len; ++k) z[k] = (elem(out.val, k) - elem(mean, k)) / s;
  if (!z.isFinite().all()) return std::nullopt;
  n.derivs.resize(len, 3);
  n.derivs.col(0) = (z / s).matrix();            // d / d mean
  n.derivs.col(1) = ((z * z - 1) / s).matrix();  // d / d sd
  n.derivs.col(2) = (-z / s).matrix();           // d / d x
  return -0.5 * z.square().sum() -
         static_cast<double>(len) * (std::log(s) + 0.5 * std::log(2 * M_PI));
}

double Tape::scalar_factor_backward(Node& n, Node& out) {
  std::size_t na = n.in.size();
  Eigen::Index len = factor_length(n, out);
  // Column by column; a broadcast argument's adjoint summed at once.
  for (std::size_t i = 0; i <= na; ++i) {
    Eigen::VectorXd& adj = i < na ? nodes_[static_cast<std::size_t>(n.in[i])].adj : out.adj;
    const auto col = n.derivs.col(static_cast<Eigen::Index>(i));
    // The seed: 1 for a factor of the total; a responsibility inside a mixture.
    if (adj.size() == 1)
      adj[0] += n.elementwise ? n.adj.head(len).dot(col.head(len)) : col.head(len).sum();
    else if (n.elementwise)
      adj.head(len).array() += n.adj.head(len).array() * col.head(len).array();
    else
      adj.head(len) += col.head(len);
  }
  return 0;
}

// Categorical, Dirichlet and Multinomial: one call for the whole factor.
double Tape::vector_factor(Node& n, Node& out, bool with_grad) {
  const dist::Family& f = *n.family;
  double lp = 0;
  Eigen::VectorXd scratch;
  if (&f == &dist::categorical_family()) {
    Node& probs = nodes_[static_cast<std::size_t>(n.in[0])];
    scratch = Eigen::VectorXd::Zero(probs.val.size());
    for (Eigen::Index k = 0; k < out.val.size(); ++k)
      lp += categorical_lpmf_grad(span_of(probs.val), out.val[k], mspan(scratch));
    if (with_grad) probs.adj += scratch;
    return lp;
  }
  if (&f == &dist::dirichlet_family()) {
    Node& alpha = nodes_[static_cast<std::size_t>(n.in[0])];
    Eigen::VectorXd da = Eigen::VectorXd::Zero(alpha.val.size()),
                    dx = Eigen::VectorXd::Zero(out.val.size());
    lp = dirichlet_lpdf_grad(span_of(alpha.val), span_of(out.val), mspan(da), mspan(dx));
    if (with_grad) alpha.adj += da, out.adj += dx;
    return lp;
  }
  if (&f == &dist::multinomial_family()) {
    Node& probs = nodes_[static_cast<std::size_t>(n.in[1])];
    scratch = Eigen::VectorXd::Zero(probs.val.size());
    lp = multinomial_lpmf_grad(span_of(probs.val), span_of(out.val), mspan(scratch));
    if (with_grad) probs.adj += scratch;
    return lp;
  }
  return NAN;
}

// A Gaussian process: y ~ MultiNormal(mean, K) with K = C + sum_k alpha_k^2
// exp(-(x_i - x_j)^2 / (2 rho_k^2)) + diag(d), by its Cholesky factor:
// lp = -r' K^-1 r / 2 - sum log L_ii - n log(2 pi) / 2 with r = y - mean;
// d lp / d K = (a a' - K^-1) / 2 with a = K^-1 r (Rasmussen & Williams,
// "Gaussian Processes for Machine Learning", 2006, eq. 5.9). No jitter is
// added: a K that is not positive definite has density 0 (write one in,
// e.g. + diag(rep(1e-9, N)), where it is needed).
double Tape::gp_factor(Node& n, Node& out, bool with_grad) {
  Node& mean = nodes_[static_cast<std::size_t>(n.in[0])];
  const Eigen::Index N = n.const_cov.rows();
  if (out.val.size() != N || (mean.val.size() != N && mean.val.size() != 1)) return NAN;
  Eigen::MatrixXd K = n.const_cov;
  std::vector<Eigen::MatrixXd> base(n.kernels.size());  // exp(-d^2 / (2 rho^2))
  for (std::size_t k = 0; k < n.kernels.size(); ++k) {
    const auto& kern = n.kernels[k];
    const double alpha = nodes_[static_cast<std::size_t>(kern.alpha)].val[0];
    const double rho = nodes_[static_cast<std::size_t>(kern.rho)].val[0];
    base[k].resize(N, N);
    for (Eigen::Index j = 0; j < N; ++j)
      for (Eigen::Index i = 0; i < N; ++i) {
        const double d = kern.x[static_cast<std::size_t>(i)] - kern.x[static_cast<std::size_t>(j)];
        base[k](i, j) = std::exp(-d * d / (2 * rho * rho));
      }
    K += alpha * alpha * base[k];
  }
  if (n.diag >= 0) {
    const Eigen::VectorXd& d = nodes_[static_cast<std::size_t>(n.diag)].val;
    for (Eigen::Index i = 0; i < N; ++i) K(i, i) += elem(d, i);
  }
  const Eigen::LLT<Eigen::MatrixXd> llt(K);
  if (llt.info() != Eigen::Success || !K.allFinite()) return -INFINITY;
  Eigen::VectorXd r(N);
  for (Eigen::Index i = 0; i < N; ++i) r[i] = out.val[i] - elem(mean.val, i);
  const Eigen::VectorXd a = llt.solve(r);
  const Eigen::MatrixXd L = llt.matrixL();
  const double lp = -0.5 * r.dot(a) - L.diagonal().array().log().sum() -
                    0.5 * static_cast<double>(N) * std::log(2 * M_PI);
  if (!with_grad) return lp;
  const Eigen::MatrixXd G = 0.5 * (a * a.transpose() - llt.solve(Eigen::MatrixXd::Identity(N, N)));
  if (mean.val.size() == N)
    mean.adj += a;
  else
    mean.adj[0] += a.sum();
  out.adj -= a;
  for (std::size_t k = 0; k < n.kernels.size(); ++k) {
    const auto& kern = n.kernels[k];
    Node& alpha = nodes_[static_cast<std::size_t>(kern.alpha)];
    Node& rho = nodes_[static_cast<std::size_t>(kern.rho)];
    const double al = alpha.val[0], rh = rho.val[0];
    double g_alpha = 0, g_rho = 0;
    for (Eigen::Index j = 0; j < N; ++j)
      for (Eigen::Index i = 0; i < N; ++i) {
        const double d = kern.x[static_cast<std::size_t>(i)] - kern.x[static_cast<std::size_t>(j)];
        const double kij = al * al * base[k](i, j);
        g_alpha += G(i, j) * 2 * kij / al;
        g_rho += G(i, j) * kij * d * d / (rh * rh * rh);
      }
    alpha.adj[0] += g_alpha;
    rho.adj[0] += g_rho;
  }
  if (n.diag >= 0) {
    Node& d = nodes_[static_cast<std::size_t>(n.diag)];
    if (d.val.size() == 1)
      d.adj[0] += G.diagonal().sum();
    else
      d.adj += G.diagonal();
  }
  return lp;
}

double Tape::multi_normal_factor(Node& n, Node& out, bool with_grad) {
  if (n.gp) return gp_factor(n, out, with_grad);
  Node& mean = nodes_[static_cast<std::size_t>(n.in[0])];
  // The dimension is the covariance's; a scalar mean broadcasts.
  // A matrix outcome (stored by columns) is one observation per row.
  Eigen::Index k = n.cov_inv.rows();
  if (k == 0 || out.val.size() % k != 0 || (mean.val.size() != k && mean.val.size() != 1))
    return NAN;
  double lp = 0;
  Eigen::Index rows = out.val.size() / k;
  Eigen::VectorXd m = mean.val.size() == k ? mean.val : Eigen::VectorXd::Constant(k, mean.val[0]);
  Eigen::VectorXd dm = Eigen::VectorXd::Zero(k), dm_r(k), dx(k), x(k);
  for (Eigen::Index r = 0; r < rows; ++r) {
    for (Eigen::Index c = 0; c < k; ++c) x[c] = out.val[c * rows + r];
    dm_r.setZero();
    dx.setZero();
    lp += multi_normal_lpdf_grad(span_of(m), span_of(x), n.cov_inv.data(), n.log_det,
                                 static_cast<std::size_t>(k), mspan(dm_r), mspan(dx));
    dm += dm_r;
    if (with_grad)
      for (Eigen::Index c = 0; c < k; ++c) out.adj[c * rows + r] += dx[c];
  }
  if (with_grad) {
    if (mean.val.size() == k)
      mean.adj += dm;
    else
      mean.adj[0] += dm.sum();
  }
  return lp;
}

double Tape::normal_inverse_gamma_factor(Node& n, Node& out, bool with_grad) {
  Node& s2 = nodes_[static_cast<std::size_t>(n.outcome2)];
  double args[4], dargs[4] = {0, 0, 0, 0}, dmu = 0, ds2 = 0;
  for (int i = 0; i < 4; ++i)
    args[i] = nodes_[static_cast<std::size_t>(n.in[static_cast<std::size_t>(i)])].val[0];
  double lp = normal_inverse_gamma_lpdf_grad(std::span<const double>(args, 4), out.val[0],
                                             s2.val[0], std::span<double>(dargs, 4), dmu, ds2);
  if (with_grad) {
    for (int i = 0; i < 4; ++i)
      nodes_[static_cast<std::size_t>(n.in[static_cast<std::size_t>(i)])].adj[0] += dargs[i];
    out.adj[0] += dmu;
    s2.adj[0] += ds2;
  }
  return lp;
}

}  // namespace bayes::numeric
