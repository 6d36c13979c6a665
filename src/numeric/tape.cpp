// The AD tape: compile, forward, backward.
#include "numeric/tape.hpp"

#include <algorithm>
#include <cmath>
#include <span>

#include "expr/eval.hpp"
#include "numeric/lpdf_grad.hpp"
#include "numeric/parallel.hpp"

namespace bayes::numeric {

namespace {

Eigen::VectorXd to_vec(const Value& v) {
  return Eigen::Map<const Eigen::VectorXd>(v.data.data(), static_cast<Eigen::Index>(v.size()));
}

double elem(const Eigen::VectorXd& v, Eigen::Index k) { return v.size() == 1 ? v[0] : v[k]; }
void add_elem(Eigen::VectorXd& adj, Eigen::Index k, double x) {
  if (adj.size() == 1)
    adj[0] += x;
  else
    adj[k] += x;
}

BuiltinMath::In as_in(const Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}
BuiltinMath::Out as_out(Eigen::VectorXd& v) {
  return {v.data(), static_cast<std::size_t>(v.size())};
}

std::span<const double> span_of(const Eigen::VectorXd& v) {
  return std::span<const double>(v.data(), static_cast<std::size_t>(v.size()));
}
std::span<double> mspan(Eigen::VectorXd& v) {
  return std::span<double>(v.data(), static_cast<std::size_t>(v.size()));
}

}  // namespace

int Tape::constant(Eigen::VectorXd v) {
  Node n;
  n.kind = Kind::Const;
  n.val = std::move(v);
  nodes_.push_back(std::move(n));
  return static_cast<int>(nodes_.size()) - 1;
}

int Tape::param_node(std::size_t p) {
  for (std::size_t i = 0; i < nodes_.size(); ++i)
    if (nodes_[i].kind == Kind::Param && nodes_[i].param == p) return static_cast<int>(i);
  Node n;
  n.kind = Kind::Param;
  n.param = p;
  nodes_.push_back(std::move(n));
  return static_cast<int>(nodes_.size()) - 1;
}

int Tape::add(const ir::Node& n, std::string& why) {
  auto it = memo_.find(&n);
  if (it != memo_.end()) return it->second;
  int id = -1;
  if (ir::is_data_only(n)) {
    if (n.type.is_matrix()) {
      why = "a matrix outside 'X * w'";
      return -1;
    }
    id = constant(to_vec(ir::eval(n, env_of(*model_))));
  } else if (n.op == ir::Op::Param && subst_.count(n.ref)) {
    id = constant(subst_[n.ref]);
  } else if (n.op == ir::Op::Param) {
    id = param_node(n.ref);
  } else {
    Node t;
    switch (n.op) {
      case ir::Op::Neg:
        t.kind = Kind::Neg;
        break;
      case ir::Op::Not:
        t.kind = Kind::Not;
        break;
      case ir::Op::Add:
        t.kind = Kind::Add;
        break;
      case ir::Op::Sub:
        t.kind = Kind::Sub;
        break;
      case ir::Op::Mul:
        t.kind = Kind::Mul;
        break;
      case ir::Op::Div:
        t.kind = Kind::Div;
        break;
      case ir::Op::Pow:  // x ^ y is pow(x, y)
        t.kind = Kind::Call;
        t.fn = Builtin::Pow;
        break;
      case ir::Op::Lt:
        t.kind = Kind::Lt;
        break;
      case ir::Op::Le:
        t.kind = Kind::Le;
        break;
      case ir::Op::Gt:
        t.kind = Kind::Gt;
        break;
      case ir::Op::Ge:
        t.kind = Kind::Ge;
        break;
      case ir::Op::Eq:
        t.kind = Kind::Eq;
        break;
      case ir::Op::Ne:
        t.kind = Kind::Ne;
        break;
      case ir::Op::And:
        t.kind = Kind::And;
        break;
      case ir::Op::Or:
        t.kind = Kind::Or;
        break;
      case ir::Op::Vector:
        t.kind = Kind::Vector;
        break;
      case ir::Op::Call:
        t.kind = Kind::Call;
        t.fn = n.fn;
        if (!info(n.fn).math(n.args.size()).value) {  // columns, rep, seq: shapes, not values
          why = "'" + std::string(info(n.fn).name) + "' of parameters";
          return -1;
        }
        break;
      case ir::Op::MatVec: {
        if (!ir::is_data_only(*n.args[0])) {
          why = "a matrix built from parameters";
          return -1;
        }
        t.kind = Kind::MatVec;
        // Keep the data matrix by reference when it is a data variable.
        if (n.args[0]->op == ir::Op::Data) {
          t.matrix = &model_->data[n.args[0]->ref].value;
        } else {
          auto owned = std::make_shared<Value>(ir::eval(*n.args[0], env_of(*model_)));
          owned_.push_back(owned);
          t.matrix = owned.get();
        }
        int v = add(*n.args[1], why);
        if (v < 0) return -1;
        t.in = {v};
        nodes_.push_back(std::move(t));
        id = static_cast<int>(nodes_.size()) - 1;
        memo_[&n] = id;
        return id;
      }
      case ir::Op::Index: {
        const ir::Node& ix = *n.args[1];
        if (n.args.size() == 2 && ix.op == ir::Op::Param &&
            subst_.count(ix.ref)) {  // mu[z] with z summed out
          t.kind = Kind::Index;
          for (double x : subst_[ix.ref]) t.index.push_back(static_cast<Eigen::Index>(x) - 1);
          int b = add(*n.args[0], why);
          if (b < 0) return -1;
          t.in = {b};
          nodes_.push_back(std::move(t));
          id = static_cast<int>(nodes_.size()) - 1;
          memo_[&n] = id;
          return id;
        }
        if (n.args.size() != 2 || !ir::is_data_only(*n.args[1])) {
          why = "an index that is a parameter (discrete parameters are enumerated, not optimised)";
          return -1;
        }
        t.kind = Kind::Index;
        Value idx = ir::eval(*n.args[1], env_of(*model_));
        for (double x : idx.data) t.index.push_back(static_cast<Eigen::Index>(x) - 1);
        int b = add(*n.args[0], why);
        if (b < 0) return -1;
        t.in = {b};
        nodes_.push_back(std::move(t));
        id = static_cast<int>(nodes_.size()) - 1;
        memo_[&n] = id;
        return id;
      }
      default:
        why = "an expression the numeric engine cannot differentiate";
        return -1;
    }
    for (const auto& a : n.args) {
      int x = add(*a, why);
      if (x < 0) return -1;
      t.in.push_back(x);
    }
    nodes_.push_back(std::move(t));
    id = static_cast<int>(nodes_.size()) - 1;
  }
  memo_[&n] = id;
  return id;
}

bool Tape::add_factor(const dist::Family* f, const std::vector<ir::NodePtr>& args, int outcome,
                      int outcome2, std::string& why) {
  Node t;
  t.kind = Kind::Factor;
  t.family = f;
  t.outcome = outcome;
  t.outcome2 = outcome2;
  // MultiNormal's covariance is a data matrix: it is not a tape node (a matrix
  // is one only inside X * w); its inverse and log determinant are kept below.
  bool multi_normal = f == &dist::multi_normal_family();
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (multi_normal && i == 1) break;
    int x = add(*args[i], why);
    if (x < 0) return false;
    t.in.push_back(x);
  }
  if (multi_normal) {
    if (!ir::is_data_only(*args[1])) {
      why = "a MultiNormal whose covariance is unknown";
      return false;
    }
    Value cov = ir::eval(*args[1], env_of(*model_));
    Eigen::Map<const Eigen::MatrixXd> c(cov.data.data(), static_cast<Eigen::Index>(cov.rows),
                                        static_cast<Eigen::Index>(cov.cols));
    Eigen::LLT<Eigen::MatrixXd> llt(c);
    if (c.rows() != c.cols() || llt.info() != Eigen::Success) {
      why = "a MultiNormal covariance that is not positive definite";
      return false;
    }
    t.cov_inv = llt.solve(Eigen::MatrixXd::Identity(c.rows(), c.cols()));
    t.log_det = 2 * llt.matrixL().toDenseMatrix().diagonal().array().log().sum();
  }
  nodes_.push_back(std::move(t));
  factors_.push_back(static_cast<int>(nodes_.size()) - 1);
  return true;
}

std::optional<Tape> Tape::compile(const Model& m, const std::vector<std::size_t>& priors,
                                  const std::vector<std::size_t>& observations, std::string& why,
                                  const std::vector<std::size_t>& marginal) {
  Tape t;
  t.model_ = &m;
  auto is_marginal = [&](std::size_t p) {
    return std::find(marginal.begin(), marginal.end(), p) != marginal.end();
  };
  for (auto pi : priors) {
    const Prior& p = m.priors[pi];
    if (!p.family) continue;  // flat: the transform keeps the parameter inside its bounds
    if (p.params.size() == 1 && is_marginal(p.params[0])) continue;  // summed out below
    if (p.family->joint == 2) {
      if (!t.add_factor(p.family, p.args, t.param_node(p.params[0]), t.param_node(p.params[1]),
                        why))
        return std::nullopt;
      continue;
    }
    for (auto q : p.params)
      if (!t.add_factor(p.family, p.args, t.param_node(q), -1, why)) return std::nullopt;
  }
  // Observations that touch a summed-out parameter, grouped by it.
  std::vector<std::vector<std::size_t>> mixed(marginal.size());
  for (auto oi : observations) {
    const Observation& o = m.observations[oi];
    std::vector<std::size_t> ps;
    for (const auto& a : o.args) ir::collect_params(*a, ps);
    std::size_t which = SIZE_MAX;
    for (std::size_t j = 0; j < marginal.size(); ++j)
      if (std::find(ps.begin(), ps.end(), marginal[j]) != ps.end()) {
        if (which != SIZE_MAX) {
          why = "'" + o.text + "' depends on two summed-out discrete parameters";
          return std::nullopt;
        }
        which = j;
      }
    if (which != SIZE_MAX) {
      mixed[which].push_back(oi);
      continue;
    }
    int x = t.constant(to_vec(o.value));
    if (o.value.rank == Rank::Matrix && o.family != &dist::multi_normal_family()) {
      why = "'" + o.text + "': a matrix of observations";
      return std::nullopt;
    }
    if (!t.add_factor(o.family, o.args, x, -1, why)) {
      why = "'" + o.text + "': " + why;
      return std::nullopt;
    }
  }
  for (std::size_t j = 0; j < marginal.size(); ++j) {
    std::size_t z = marginal[j];
    const ParamVar& zp = m.params[z];
    const Prior& zprior = m.priors[zp.prior];
    if (zprior.family != &dist::categorical_family()) {
      why = "'" + zp.name + "' is discrete without a Categorical prior; it cannot be summed out";
      return std::nullopt;
    }
    if (mixed[j].empty()) {
      why = "'" + zp.name + "' is not used by any observation";
      return std::nullopt;
    }
    std::size_t n_labels = zp.type.is_scalar() ? 1 : zp.type.rows;
    for (auto oi : mixed[j])
      if (!zp.type.is_scalar() && m.observations[oi].value.size() != n_labels) {
        why = "'" + m.observations[oi].text + "': each element must have its own label in '" +
              zp.name + "'";
        return std::nullopt;
      }
    int probs = t.add(*zprior.args[0], why);
    if (probs < 0) return std::nullopt;
    std::size_t K = zprior.args[0]->type.rows;
    Node mix;
    mix.kind = Kind::Mixture;
    mix.classes = K;
    mix.statements = mixed[j].size();
    mix.scalar_label = zp.type.is_scalar();
    mix.param = z;
    mix.in.push_back(probs);
    for (std::size_t k = 0; k < K; ++k) {
      t.subst_[z] = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(n_labels),
                                              static_cast<double>(k + 1));
      for (auto oi : mixed[j]) {
        t.memo_.clear();
        const Observation& o = m.observations[oi];
        int x = t.constant(to_vec(o.value));
        if (!t.add_factor(o.family, o.args, x, -1, why)) {
          why = "'" + o.text + "': " + why;
          return std::nullopt;
        }
        Node& copy = t.nodes_.back();
        copy.elementwise = true;
        copy.top = false;
        t.factors_.pop_back();
        mix.in.push_back(static_cast<int>(t.nodes_.size()) - 1);
      }
    }
    t.subst_.erase(z);
    t.memo_.clear();
    t.nodes_.push_back(std::move(mix));
    t.factors_.push_back(static_cast<int>(t.nodes_.size()) - 1);
  }
  // logistic(eta) read only by a Bernoulli factor of data is folded into
  // that factor (factor_forward): its own forward and backward are skipped.
  std::vector<int> readers(t.nodes_.size(), 0);
  for (const auto& n : t.nodes_)
    for (int i : n.in) ++readers[static_cast<std::size_t>(i)];
  for (std::size_t f = 0; f < t.nodes_.size(); ++f) {
    const Node& n = t.nodes_[f];
    if (n.kind != Kind::Factor || n.family != &dist::bernoulli_family() || n.elementwise ||
        !n.top || n.in.empty() || t.nodes_[static_cast<std::size_t>(n.outcome)].kind != Kind::Const)
      continue;
    Node& p = t.nodes_[static_cast<std::size_t>(n.in[0])];
    if (p.kind == Kind::Call && p.fn == Builtin::Logistic && p.in.size() == 1 &&
        readers[static_cast<std::size_t>(n.in[0])] == 1)
      p.folded = static_cast<int>(f);
  }
  return t;
}

double Tape::mixture_forward(Node& n) {
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

std::vector<std::pair<std::size_t, Eigen::MatrixXd>> Tape::responsibilities() const {
  std::vector<std::pair<std::size_t, Eigen::MatrixXd>> out;
  for (const auto& n : nodes_)
    if (n.kind == Kind::Mixture) out.emplace_back(n.param, n.resp);
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

double Tape::scalar_factor_backward(Node& n, Node& out) {
  std::size_t na = n.in.size();
  Eigen::Index len = factor_length(n, out);
  for (Eigen::Index k = 0; k < len; ++k) {
    // The seed: 1 for a factor of the total; a responsibility inside a mixture.
    double seed = n.elementwise ? n.adj[k] : 1.0;
    for (std::size_t i = 0; i < na; ++i)
      add_elem(nodes_[static_cast<std::size_t>(n.in[i])].adj, k,
               seed * n.derivs(k, static_cast<Eigen::Index>(i)));
    add_elem(out.adj, k, seed * n.derivs(k, static_cast<Eigen::Index>(na)));
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

double Tape::multi_normal_factor(Node& n, Node& out, bool with_grad) {
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

void Tape::forward_node(Node& n) {
  auto in = [&](std::size_t i) -> const Eigen::VectorXd& {
    return nodes_[static_cast<std::size_t>(n.in[i])].val;
  };
  auto binary = [&](auto op) {
    const Eigen::VectorXd &a = in(0), &b = in(1);
    Eigen::Index len = std::max(a.size(), b.size());
    n.val.resize(len);
    for (Eigen::Index k = 0; k < len; ++k) n.val[k] = op(elem(a, k), elem(b, k));
  };
  switch (n.kind) {
    case Kind::Const:
    case Kind::Param:
    case Kind::Factor:
    case Kind::Mixture:
      return;
    case Kind::Neg:
      n.val = -in(0);
      return;
    case Kind::Not:
      n.val = (in(0).array() == 0).cast<double>();
      return;
    case Kind::Add:
      binary([](double x, double y) { return x + y; });
      return;
    case Kind::Sub:
      binary([](double x, double y) { return x - y; });
      return;
    case Kind::Mul:
      binary([](double x, double y) { return x * y; });
      return;
    case Kind::Div:
      binary([](double x, double y) { return x / y; });
      return;
    case Kind::Lt:
      binary([](double x, double y) -> double { return x < y; });
      return;
    case Kind::Le:
      binary([](double x, double y) -> double { return x <= y; });
      return;
    case Kind::Gt:
      binary([](double x, double y) -> double { return x > y; });
      return;
    case Kind::Ge:
      binary([](double x, double y) -> double { return x >= y; });
      return;
    case Kind::Eq:
      binary([](double x, double y) -> double { return x == y; });
      return;
    case Kind::Ne:
      binary([](double x, double y) -> double { return x != y; });
      return;
    case Kind::And:
      binary([](double x, double y) -> double { return x != 0 && y != 0; });
      return;
    case Kind::Or:
      binary([](double x, double y) -> double { return x != 0 || y != 0; });
      return;
    case Kind::MatVec: {
      Eigen::Map<const Eigen::MatrixXd> X(n.matrix->data.data(),
                                          static_cast<Eigen::Index>(n.matrix->rows),
                                          static_cast<Eigen::Index>(n.matrix->cols));
      n.val.resize(X.rows());
      const Eigen::VectorXd& w = in(0);
      rows_parallel(X.rows(), [&](int, Eigen::Index lo, Eigen::Index len) {
        n.val.segment(lo, len).noalias() = X.middleRows(lo, len) * w;
      });
      return;
    }
    case Kind::Index: {
      const Eigen::VectorXd& b = in(0);
      n.val.resize(static_cast<Eigen::Index>(n.index.size()));
      for (std::size_t i = 0; i < n.index.size(); ++i)
        n.val[static_cast<Eigen::Index>(i)] = b[n.index[i]];
      return;
    }
    case Kind::Vector: {
      n.val.resize(static_cast<Eigen::Index>(n.in.size()));
      for (std::size_t i = 0; i < n.in.size(); ++i) n.val[static_cast<Eigen::Index>(i)] = in(i)[0];
      return;
    }
    case Kind::Call: {  // the function's value, from its entry in expr/builtins.cpp
      const BuiltinMath& m = info(n.fn).math(n.in.size());
      const Eigen::VectorXd& x = in(0);
      const Eigen::VectorXd* y = n.in.size() == 2 ? &in(1) : nullptr;
      n.val.resize(m.scalar_result ? 1 : std::max(x.size(), y ? y->size() : 0));
      m.value(as_in(x), y ? as_in(*y) : BuiltinMath::In(), as_out(n.val));
      return;
    }
  }
}

void Tape::backward_node(Node& n) {
  if (n.kind == Kind::Const || n.kind == Kind::Param || n.kind == Kind::Factor ||
      n.kind == Kind::Mixture)
    return;
  auto node = [&](std::size_t i) -> Node& { return nodes_[static_cast<std::size_t>(n.in[i])]; };
  const Eigen::VectorXd& g = n.adj;
  auto binary = [&](auto da, auto db) {  // da(x, y, out) = d out / dx
    Node &A = node(0), &B = node(1);
    for (Eigen::Index k = 0; k < g.size(); ++k) {
      double x = elem(A.val, k), y = elem(B.val, k), z = n.val[k];
      add_elem(A.adj, k, g[k] * da(x, y, z));
      add_elem(B.adj, k, g[k] * db(x, y, z));
    }
  };
  switch (n.kind) {
    case Kind::Neg:
      node(0).adj -= g;
      return;
    case Kind::Add:
      binary([](double, double, double) { return 1.0; },
             [](double, double, double) { return 1.0; });
      return;
    case Kind::Sub:
      binary([](double, double, double) { return 1.0; },
             [](double, double, double) { return -1.0; });
      return;
    case Kind::Mul:
      binary([](double, double y, double) { return y; },
             [](double x, double, double) { return x; });
      return;
    case Kind::Div:
      binary([](double, double y, double) { return 1 / y; },
             [](double, double y, double z) { return -z / y; });
      return;
    case Kind::MatVec: {
      Eigen::Map<const Eigen::MatrixXd> X(n.matrix->data.data(),
                                          static_cast<Eigen::Index>(n.matrix->rows),
                                          static_cast<Eigen::Index>(n.matrix->cols));
      int blocks = row_blocks(X.rows());
      if (blocks == 1) {
        node(0).adj.noalias() += X.transpose() * g;
        return;
      }
      Eigen::MatrixXd part(X.cols(), blocks);  // each block's X' g, summed after
      rows_parallel(X.rows(), [&](int b, Eigen::Index lo, Eigen::Index len) {
        part.col(b).noalias() = X.middleRows(lo, len).transpose() * g.segment(lo, len);
      });
      node(0).adj += part.rowwise().sum();
      return;
    }
    case Kind::Index: {
      Node& b = node(0);
      for (std::size_t i = 0; i < n.index.size(); ++i)
        b.adj[n.index[i]] += g[static_cast<Eigen::Index>(i)];
      return;
    }
    case Kind::Vector:
      for (std::size_t i = 0; i < n.in.size(); ++i)
        node(i).adj[0] += g[static_cast<Eigen::Index>(i)];
      return;
    case Kind::Call: {  // the function's vector-Jacobian product, from expr/builtins.cpp
      const BuiltinMath& m = info(n.fn).math(n.in.size());
      if (!m.vjp) return;  // piecewise constant
      Node& x = node(0);
      Node* y = n.in.size() == 2 ? &node(1) : nullptr;
      m.vjp(as_in(x.val), y ? as_in(y->val) : BuiltinMath::In(), as_in(n.val), as_in(g),
            as_out(x.adj), y ? as_out(y->adj) : BuiltinMath::Out());
      return;
    }
    default:
      return;  // comparisons and logic: zero derivative
  }
}

double Tape::forward(const std::vector<Eigen::VectorXd>& values) {
  double total = 0;
  for (auto& n : nodes_) {
    if (n.kind == Kind::Param)
      n.val = values[n.param];
    else if (n.kind == Kind::Factor) {
      double lp = factor_forward(n, false);
      if (!n.elementwise) n.val = Eigen::VectorXd::Constant(1, lp);
      if (n.top) total += lp;
    } else if (n.kind == Kind::Mixture) {
      n.val = Eigen::VectorXd::Constant(1, mixture_forward(n));
      total += n.val[0];
    } else if (n.folded < 0) {
      forward_node(n);
    }
  }
  return total;
}

void Tape::backward(std::vector<Eigen::VectorXd>& grad) {
  for (auto& n : nodes_) n.adj.setZero(n.val.size());
  for (auto& n : nodes_)
    if ((n.kind == Kind::Factor || n.kind == Kind::Mixture) && n.top) n.adj.setOnes();
  for (auto it = nodes_.rbegin(); it != nodes_.rend(); ++it) {
    Node& n = *it;
    if (n.kind == Kind::Factor)
      factor_forward(n, true);
    else if (n.kind == Kind::Mixture)
      mixture_backward(n);
    else if (n.folded < 0 || nodes_[static_cast<std::size_t>(n.folded)].fused.size() == 0)
      backward_node(n);
  }
  for (const auto& n : nodes_)
    if (n.kind == Kind::Param) grad[n.param] += n.adj;
}

}  // namespace bayes::numeric
