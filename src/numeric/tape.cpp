// The AD tape: compile, forward, backward (the factor nodes are in tape_factors.cpp).
#include "numeric/tape.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <span>

#include "expr/eval.hpp"
#include "linalg/dense.hpp"
#include "numeric/lpdf_grad.hpp"
#include "numeric/parallel.hpp"
#include "numeric/tape_helpers.hpp"
#include "patterns/patterns.hpp"

namespace bayes::numeric {

using namespace tape_helpers;

namespace {

// The most values a summed-out label may take: the mixture holds a copy of
// its observations' factors for each.
constexpr double kMaxLabelValues = 1000;

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
      case ir::Op::Concat:
        t.kind = Kind::Concat;
        break;
      case ir::Op::Scan:
        id = add_scan(n, why);
        if (id < 0) return -1;
        memo_[&n] = id;
        return id;
      case ir::Op::Dist:
        if (n.dist_fn == dist::DistFn::Lpdf ? !n.family->lpdf_grad : !n.family->cdf) {
          why = "the " + std::string(to_string(n.dist_fn)) + " of " + std::string(n.family->name);
          return -1;
        }
        t.kind = Kind::Dist;
        t.family = n.family;
        t.dist_fn = n.dist_fn;
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
  if (multi_normal && !ir::is_data_only(*args[1])) {  // a Gaussian process
    t.gp = true;
    const auto n = static_cast<Eigen::Index>(args[1]->type.rows);
    t.const_cov = Eigen::MatrixXd::Zero(n, n);
    if (!gp_terms(t, *args[1], why)) return false;
  } else if (multi_normal) {
    Value cov = ir::eval(*args[1], env_of(*model_));
    Eigen::Map<const Eigen::MatrixXd> c(cov.data.data(), static_cast<Eigen::Index>(cov.rows),
                                        static_cast<Eigen::Index>(cov.cols));
    const linalg::Cholesky llt(c);
    if (c.rows() != c.cols() || !llt.ok()) {
      why = "a MultiNormal covariance that is not positive definite";
      return false;
    }
    t.cov_inv = llt.inverse();
    t.log_det = llt.log_det();
  }
  nodes_.push_back(std::move(t));
  factors_.push_back(static_cast<int>(nodes_.size()) - 1);
  return true;
}

// A covariance of parameters as a sum of data matrices, cov_exp_quad(x,
// alpha, rho) kernels and diag(v) (v a vector, or rep(s, N) of one value).
bool Tape::gp_terms(Node& t, const ir::Node& cov, std::string& why) {
  if (ir::is_data_only(cov)) {
    Value c = ir::eval(cov, env_of(*model_));
    t.const_cov +=
        Eigen::Map<const Eigen::MatrixXd>(c.data.data(), t.const_cov.rows(), t.const_cov.cols());
    return true;
  }
  if (cov.op == ir::Op::Add)
    return gp_terms(t, *cov.args[0], why) && gp_terms(t, *cov.args[1], why);
  if (cov.op == ir::Op::Call && cov.fn == Builtin::CovExpQuad) {
    Node::Kernel k;
    k.x = ir::eval(*cov.args[0], env_of(*model_)).data;
    if ((k.alpha = add(*cov.args[1], why)) < 0 || (k.rho = add(*cov.args[2], why)) < 0)
      return false;
    t.kernels.push_back(std::move(k));
    return true;
  }
  if (cov.op == ir::Op::Call && cov.fn == Builtin::Diag && t.diag < 0) {
    const ir::Node& v = *cov.args[0];
    const ir::Node& each = v.op == ir::Op::Call && v.fn == Builtin::Rep ? *v.args[0] : v;
    return (t.diag = add(each, why)) >= 0;
  }
  why =
      "a MultiNormal covariance of parameters is a sum of cov_exp_quad(x, alpha, rho), one "
      "diag(v) and data matrices";
  return false;
}

bool Tape::add_term(const ir::Node& e, double sign, std::string& why) {
  int x = add(e, why);
  if (x < 0) return false;
  Node t;
  t.kind = Kind::Term;
  t.sign = sign;
  t.in = {x};
  nodes_.push_back(std::move(t));
  factors_.push_back(static_cast<int>(nodes_.size()) - 1);
  return true;
}

std::optional<Tape> Tape::compile(const Model& m, const std::vector<std::size_t>& priors,
                                  const std::vector<std::size_t>& observations, std::string& why,
                                  const std::vector<std::size_t>& marginal,
                                  const std::vector<std::size_t>& terms) {
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
    // A truncated prior's normaliser (its bounds are the transform's).
    if (p.truncation.log_mass_of && !t.add_term(*p.truncation.log_mass_of, -1, why))
      return std::nullopt;
    t.constant_ -= p.truncation.on && !p.truncation.log_mass_of ? p.truncation.log_mass : 0;
  }
  for (auto ti : terms)
    if (!t.add_term(*m.terms[ti].expr, 1, why)) {
      why = "'" + m.terms[ti].text + "': " + why;
      return std::nullopt;
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
    if (!t.add_factor(o.family, o.args, x, -1, why) ||
        (o.truncation.log_mass_of && !t.add_term(*o.truncation.log_mass_of, -1, why))) {
      why = "'" + o.text + "': " + why;
      return std::nullopt;
    }
    t.constant_ -= o.truncation.on && !o.truncation.log_mass_of ? o.truncation.log_mass : 0;
  }
  for (std::size_t j = 0; j < marginal.size(); ++j) {
    std::size_t z = marginal[j];
    const ParamVar& zp = m.params[z];
    const Prior& zprior = m.priors[zp.prior];
    // The label's values and their prior probabilities: a Categorical's
    // (which may depend on parameters), or any discrete prior whose support
    // and arguments are fixed by data (DiscreteUniform, Bernoulli(0.3), ...).
    std::vector<double> values;
    int probs = -1;
    // A MarkovChain: init as the first state's probabilities, T's rows as
    // nodes (rows(v1, ..., vK) of parameter vectors) or one data matrix.
    std::vector<int> trans_rows;
    Eigen::MatrixXd trans_const;
    const bool markov = zprior.family == &dist::markov_chain_family();
    if (markov) {
      probs = t.add(*zprior.args[0], why);
      if (probs < 0) return std::nullopt;
      const std::size_t K = zprior.args[0]->type.rows;
      for (std::size_t k = 0; k < K; ++k) values.push_back(static_cast<double>(k + 1));
      const ir::Node& T = *zprior.args[1];
      if (ir::is_data_only(T)) {
        Value tv = ir::eval(T, env_of(m));
        trans_const = Eigen::Map<const Eigen::MatrixXd>(
            tv.data.data(), static_cast<Eigen::Index>(tv.rows), static_cast<Eigen::Index>(tv.cols));
      } else if (T.op == ir::Op::Call && T.fn == Builtin::Rows) {
        for (const auto& row : T.args) {
          const int r = t.add(*row, why);
          if (r < 0) return std::nullopt;
          trans_rows.push_back(r);
        }
      } else {
        why = "the transition matrix of '" + zp.name +
              "' is data or rows(v1, ..., vK) of vectors (each row the next state's "
              "probabilities)";
        return std::nullopt;
      }
    } else if (zprior.family == &dist::categorical_family()) {
      probs = t.add(*zprior.args[0], why);
      if (probs < 0) return std::nullopt;
      for (std::size_t k = 0; k < zprior.args[0]->type.rows; ++k)
        values.push_back(static_cast<double>(k + 1));
    } else if (auto support = patterns::finite_support(m, zprior, kMaxLabelValues)) {
      values = *support;
      std::vector<double> args;
      for (const auto& a : zprior.args) args.push_back(patterns::eval_data(m, *a)[0]);
      Eigen::VectorXd pmf(static_cast<Eigen::Index>(values.size()));
      for (std::size_t k = 0; k < values.size(); ++k)
        pmf[static_cast<Eigen::Index>(k)] = std::exp(zprior.family->lpdf(args, values[k]));
      probs = t.constant(pmf);
    } else {
      why = "'" + zp.name +
            "' is discrete, and its prior is neither a Categorical nor one with a finite "
            "support and arguments fixed by data; it cannot be summed out";
      return std::nullopt;
    }
    for (auto ti : terms)
      for (auto p : ir::params_of(*m.terms[ti].expr))
        if (p == z) {
          why = "'" + zp.name + "' is read by '" + m.terms[ti].text +
                "': a discrete parameter summed out of the density may be read by "
                "observations only";
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
    const std::size_t K = values.size();
    if (static_cast<double>(n_labels) * static_cast<double>(K) > 2e7) {
      why = "'" + zp.name + "' has " + std::to_string(n_labels) + " labels of " +
            std::to_string(K) + " values: more than the 2 x 10^7 the sum keeps";
      return std::nullopt;
    }
    Node mix;
    mix.kind = Kind::Mixture;
    mix.classes = K;
    mix.statements = mixed[j].size();
    mix.scalar_label = zp.type.is_scalar();
    mix.param = z;
    mix.label_values = values;
    mix.in.push_back(probs);
    for (std::size_t k = 0; k < K; ++k) {
      t.subst_[z] = Eigen::VectorXd::Constant(static_cast<Eigen::Index>(n_labels), values[k]);
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
    if (markov) {
      mix.markov = true;
      mix.trans_first = static_cast<int>(mix.in.size());
      for (int r : trans_rows) mix.in.push_back(r);
      mix.trans_const = std::move(trans_const);
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

void Tape::forward_node(Node& n) {
  auto in = [&](std::size_t i) -> const Eigen::VectorXd& {
    return nodes_[static_cast<std::size_t>(n.in[i])].val;
  };
  auto binary = [&](auto op) {  // one loop per shape, so that each vectorises
    const Eigen::VectorXd &a = in(0), &b = in(1);
    const Eigen::Index len = std::max(a.size(), b.size());
    n.val.resize(len);
    double* v = n.val.data();
    const double *pa = a.data(), *pb = b.data();
    if (a.size() == len && b.size() == len)
      for (Eigen::Index k = 0; k < len; ++k) v[k] = op(pa[k], pb[k]);
    else if (b.size() == 1)
      for (Eigen::Index k = 0; k < len; ++k) v[k] = op(pa[k], pb[0]);
    else if (a.size() == 1)
      for (Eigen::Index k = 0; k < len; ++k) v[k] = op(pa[0], pb[k]);
    else
      for (Eigen::Index k = 0; k < len; ++k) v[k] = op(elem(a, k), elem(b, k));
  };
  switch (n.kind) {
    case Kind::Const:
    case Kind::Param:
    case Kind::Factor:
    case Kind::Mixture:
      return;
    case Kind::Dist:
      dist_forward(n);
      return;
    case Kind::Term:
      n.val = n.sign * in(0);
      return;
    case Kind::Concat: {
      Eigen::Index len = 0;
      for (std::size_t i = 0; i < n.in.size(); ++i) len += in(i).size();
      n.val.resize(len);
      Eigen::Index at = 0;
      for (std::size_t i = 0; i < n.in.size(); ++i) {
        n.val.segment(at, in(i).size()) = in(i);
        at += in(i).size();
      }
      return;
    }
    case Kind::Scan:
      scan_forward(n);
      return;
    case Kind::Linear: {
      const Eigen::VectorXd &init = in(0), &a = in(1), &b = in(2);
      const Eigen::Index before = init.size(), count = std::max(a.size(), b.size());
      n.val.resize(before + count);
      n.val.head(before) = init;
      double e = init[before - 1];
      for (Eigen::Index k = 0; k < count; ++k) n.val[before + k] = e = elem(a, k) + elem(b, k) * e;
      return;
    }
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
    // A broadcast operand's adjoint is summed in a register, not in memory
    // element by element (a chain of dependent stores).
    const bool a1 = A.adj.size() == 1, b1 = B.adj.size() == 1;
    const Eigen::Index len = g.size();
    const double *x = A.val.data(), *y = B.val.data(), *z = n.val.data(), *gg = g.data();
    double *ax = A.adj.data(), *by = B.adj.data();
    double sa = 0, sb = 0;
    if (!a1 && !b1) {
      for (Eigen::Index k = 0; k < len; ++k) {
        ax[k] += gg[k] * da(x[k], y[k], z[k]);
        by[k] += gg[k] * db(x[k], y[k], z[k]);
      }
    } else if (!a1) {  // B broadcast
      for (Eigen::Index k = 0; k < len; ++k) {
        ax[k] += gg[k] * da(x[k], y[0], z[k]);
        sb += gg[k] * db(x[k], y[0], z[k]);
      }
    } else if (!b1) {  // A broadcast
      for (Eigen::Index k = 0; k < len; ++k) {
        sa += gg[k] * da(x[0], y[k], z[k]);
        by[k] += gg[k] * db(x[0], y[k], z[k]);
      }
    } else {
      for (Eigen::Index k = 0; k < len; ++k) {
        sa += gg[k] * da(x[0], y[0], z[k]);
        sb += gg[k] * db(x[0], y[0], z[k]);
      }
    }
    if (a1) ax[0] += sa;
    if (b1) by[0] += sb;
  };
  switch (n.kind) {
    case Kind::Dist:
      dist_backward(n);
      return;
    case Kind::Term:
      node(0).adj += n.sign * g;
      return;
    case Kind::Concat: {
      Eigen::Index at = 0;
      for (std::size_t i = 0; i < n.in.size(); ++i) {
        Node& x = node(i);
        x.adj += g.segment(at, x.val.size());
        at += x.val.size();
      }
      return;
    }
    case Kind::Scan:
      scan_backward(n);
      return;
    case Kind::Linear: {
      Node &init = node(0), &a = node(1), &b = node(2);
      const Eigen::Index before = init.val.size(), count = n.val.size() - before;
      Eigen::VectorXd out = g;
      const bool a1 = a.adj.size() == 1, b1 = b.adj.size() == 1;
      double sa = 0, sb = 0, carry = 0;  // carry: what e[t] owes e[t - 1]
      for (Eigen::Index k = count; k-- > 0;) {
        const double ge = out[before + k] + carry;
        const double gb = ge * n.val[before + k - 1];
        if (a1)
          sa += ge;
        else
          a.adj[k] += ge;
        if (b1)
          sb += gb;
        else
          b.adj[k] += gb;
        carry = ge * elem(b.val, k);
      }
      out[before - 1] += carry;
      if (a1) a.adj[0] += sa;
      if (b1) b.adj[0] += sb;
      init.adj += out.head(before);
      return;
    }
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

// A copy of n with the recursion's t replaced by `ts` (the vector of its
// values): the expression over every element at once.
ir::NodePtr Tape::over_elements(const ir::Node& n, const ir::NodePtr& ts) {
  if (n.op == ir::Op::Iter) return ts;
  if (!ir::in_recursion(n))
    return std::shared_ptr<const ir::Node>(std::shared_ptr<const ir::Node>{}, &n);
  auto copy = std::make_shared<ir::Node>(n);
  for (auto& a : copy->args) a = over_elements(*a, ts);
  if (copy->type.is_scalar()) copy->type = Type::vector(ts->type.rows, copy->type.elem);
  return copy;
}

namespace {

// A body that is affine in the recursion's previous element, a + b e[t - 1]
// with a and b free of the recursion's values: its a and b (null for 0).
struct Affine {
  ir::NodePtr a, b;
};

ir::NodePtr make_node(ir::Op op, std::vector<ir::NodePtr> args, Span span) {
  auto n = std::make_shared<ir::Node>();
  n->op = op, n->type = Type::scalar(), n->span = span, n->args = std::move(args);
  return n;
}

bool reads_self(const ir::Node& n) {
  if (n.op == ir::Op::Self) return true;
  return std::any_of(n.args.begin(), n.args.end(),
                     [](const ir::NodePtr& a) { return reads_self(*a); });
}

// e[t - 1]: the index is t minus one (checked on every t of the recursion).
bool previous_element(const Model& m, const ir::Node& n, double from, std::size_t count) {
  if (n.op != ir::Op::Index || n.args.size() != 2 || n.args[0]->op != ir::Op::Self) return false;
  const ir::Node& idx = *n.args[1];
  if (reads_self(idx) || !ir::params_of(idx).empty()) return false;
  ir::Env env = env_of(m);
  for (std::size_t k = 0; k < count; ++k) {
    env.iter = from + static_cast<double>(k);
    if (ir::eval(idx, env)[0] != env.iter - 1) return false;
  }
  return true;
}

std::optional<Affine> affine_in_previous(const Model& m, const ir::NodePtr& n, double from,
                                         std::size_t count) {
  using ir::Op;
  if (!reads_self(*n)) return Affine{n, nullptr};
  if (previous_element(m, *n, from, count))
    return Affine{nullptr, ir::constant(Value::scalar(1.0), n->span)};
  auto side = [&](std::size_t i) { return affine_in_previous(m, n->args[i], from, count); };
  auto join = [&](Op op, const ir::NodePtr& x, const ir::NodePtr& y) -> ir::NodePtr {
    if (!y) return x;
    if (!x) return op == Op::Sub ? make_node(Op::Neg, {y}, n->span) : y;
    return make_node(op, {x, y}, n->span);
  };
  switch (n->op) {
    case Op::Add:
    case Op::Sub: {
      auto x = side(0), y = side(1);
      if (!x || !y) return std::nullopt;
      return Affine{join(n->op, x->a, y->a), join(n->op, x->b, y->b)};
    }
    case Op::Neg: {
      auto x = side(0);
      if (!x) return std::nullopt;
      return Affine{x->a ? make_node(Op::Neg, {x->a}, n->span) : nullptr,
                    x->b ? make_node(Op::Neg, {x->b}, n->span) : nullptr};
    }
    case Op::Mul:
    case Op::Div: {
      const bool left_free = !reads_self(*n->args[0]), right_free = !reads_self(*n->args[1]);
      if (n->op == Op::Div && !right_free) return std::nullopt;
      if (!left_free && !right_free) return std::nullopt;
      const std::size_t other = right_free ? 0 : 1;
      const ir::NodePtr& scale = n->args[right_free ? 1 : 0];
      auto x = side(other);
      if (!x) return std::nullopt;
      auto times = [&](const ir::NodePtr& v) -> ir::NodePtr {
        if (!v) return nullptr;
        return n->op == Op::Div ? make_node(Op::Div, {v, scale}, n->span)
                                : make_node(Op::Mul, {scale, v}, n->span);
      };
      return Affine{times(x->a), times(x->b)};
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

// e[t] = a[t] + b[t] e[t - 1] (ARMA's errors, AR filters): a and b are
// computed for every t at once by the vectorised tape, the recursion itself
// is one tight loop each way.
int Tape::add_linear(const ir::Node& n, std::string& why) {
  const double from = n.value[0];
  const std::size_t count = n.ref;
  auto affine = affine_in_previous(*model_, n.args[1], from, count);
  if (!affine || !affine->b || n.args[0]->type.is_scalar() || n.args[0]->type.rows == 0) return -2;
  std::vector<double> ts(count);
  for (std::size_t k = 0; k < count; ++k) ts[k] = from + static_cast<double>(k);
  const ir::NodePtr tv = ir::constant(Value::vector(ts, true), n.span);
  ir::NodePtr a =
      affine->a ? over_elements(*affine->a, tv) : ir::constant(Value::scalar(0.0), n.span);
  ir::NodePtr b = over_elements(*affine->b, tv);
  owned_nodes_.push_back(affine->a), owned_nodes_.push_back(affine->b);
  owned_nodes_.push_back(a), owned_nodes_.push_back(b);
  const int init = add(*n.args[0], why);
  if (init < 0) return -1;
  const int ia = add(*a, why);
  if (ia < 0) return -1;
  const int ib = add(*b, why);
  if (ib < 0) return -1;
  Node t;
  t.kind = Kind::Linear;
  t.in = {init, ia, ib};
  nodes_.push_back(std::move(t));
  return static_cast<int>(nodes_.size()) - 1;
}

// The recursion ir::Op::Scan: its initial elements a tape node, its body
// compiled to scalar instructions (scan_instr).
int Tape::add_scan(const ir::Node& n, std::string& why) {
  if (const int linear = add_linear(n, why); linear != -2) return linear;
  auto prog = std::make_unique<ScanProgram>();
  prog->count = n.ref;
  prog->from = n.value[0];
  int init = add(*n.args[0], why);
  if (init < 0) return -1;
  prog->before = static_cast<std::size_t>(n.args[0]->type.is_scalar() ? 1 : n.args[0]->type.rows);
  Node t;
  t.kind = Kind::Scan;
  t.in = {init};
  t.scan = std::move(prog);
  // Instructions first (they add the input nodes they read), then the node.
  std::vector<int> inputs;
  std::swap(inputs, scan_inputs_);
  if (scan_instr(*t.scan, *n.args[1], why) < 0) return -1;
  std::swap(inputs, scan_inputs_);
  for (int x : inputs) t.in.push_back(x);
  nodes_.push_back(std::move(t));
  return static_cast<int>(nodes_.size()) - 1;
}

int Tape::scan_instr(ScanProgram& prog, const ir::Node& n, std::string& why) {
  using Op = ScanProgram::Op;
  ScanProgram::Instr in;
  const bool params = !ir::params_of(n).empty() || n.op == ir::Op::Param;
  auto self_in = [](const ir::Node& x) {
    std::function<bool(const ir::Node&)> walk = [&](const ir::Node& y) {
      if (y.op == ir::Op::Self) return true;
      return std::any_of(y.args.begin(), y.args.end(),
                         [&](const ir::NodePtr& a) { return walk(*a); });
    };
    return walk(x);
  };
  const bool self = self_in(n);
  auto per_t = [&](const ir::Node& x, std::vector<double>& out) {
    ir::Env env = env_of(*model_);
    out.resize(prog.count);
    for (std::size_t k = 0; k < prog.count; ++k) {
      env.iter = prog.from + static_cast<double>(k);
      out[k] = ir::eval(x, env)[0];
    }
  };
  auto input = [&](const ir::Node& x) {
    int id = add(x, why);
    if (id < 0) return -1;
    scan_inputs_.push_back(id);
    return static_cast<int>(scan_inputs_.size()) - 1;
  };
  if (!params && !self) {  // data and t only
    in.op = Op::PerT;
    per_t(n, in.per_t);
  } else if (!self && ir::in_recursion(n) && n.op != ir::Op::Index) {
    // Parameters and t but none of the recursion's own values: one vector
    // over the elements, computed before the recursion by the vectorised
    // tape (t replaced by the vector of its values).
    std::vector<double> ts(prog.count);
    for (std::size_t k = 0; k < prog.count; ++k) ts[k] = prog.from + static_cast<double>(k);
    ir::NodePtr whole = over_elements(n, ir::constant(Value::vector(ts, true), n.span));
    owned_nodes_.push_back(whole);
    in.op = Op::InputAt;
    if ((in.input = input(*whole)) < 0) return -1;
    for (std::size_t k = 0; k < prog.count; ++k) in.at.push_back(static_cast<Eigen::Index>(k));
  } else if (!ir::in_recursion(n)) {  // computed before the recursion: one number
    if (!n.type.is_scalar()) {
      why = "a vector where the recursion needs one number";
      return -1;
    }
    in.op = Op::Input;
    if ((in.input = input(n)) < 0) return -1;
  } else if (n.op == ir::Op::Index && n.args.size() == 2 && !ir::in_recursion(*n.args[0]) &&
             n.args[0]->type.is_vector() && ir::params_of(*n.args[1]).empty() &&
             !self_in(*n.args[1])) {  // v[t - 1] of a vector computed before
    in.op = Op::InputAt;
    if ((in.input = input(*n.args[0])) < 0) return -1;
    std::vector<double> idx;
    per_t(*n.args[1], idx);
    for (double x : idx) in.at.push_back(static_cast<Eigen::Index>(x) - 1);
  } else if (n.op == ir::Op::Index && n.args.size() == 2 && n.args[0]->op == ir::Op::Self &&
             ir::params_of(*n.args[1]).empty() && !self_in(*n.args[1])) {  // e[t - 1]
    in.op = Op::SelfAt;
    std::vector<double> idx;
    per_t(*n.args[1], idx);
    for (double x : idx) in.at.push_back(static_cast<Eigen::Index>(x) - 1);
  } else {
    switch (n.op) {
      case ir::Op::Neg:
        in.op = Op::Neg;
        break;
      case ir::Op::Add:
        in.op = Op::Add;
        break;
      case ir::Op::Sub:
        in.op = Op::Sub;
        break;
      case ir::Op::Mul:
        in.op = Op::Mul;
        break;
      case ir::Op::Div:
        in.op = Op::Div;
        break;
      case ir::Op::Pow:
        in.op = Op::Call, in.fn = Builtin::Pow;
        break;
      case ir::Op::Call: {
        const BuiltinShape shape = info(n.fn).shape;
        if (shape != BuiltinShape::Elementwise && shape != BuiltinShape::Elementwise2 &&
            !(shape == BuiltinShape::MinMax && n.args.size() == 2)) {
          why = "'" + std::string(info(n.fn).name) + "' inside a recursion";
          return -1;
        }
        in.op = Op::Call, in.fn = n.fn;
        break;
      }
      default:
        why =
            "an expression the recursion's derivative does not cover (arithmetic and the "
            "elementwise functions are)";
        return -1;
    }
    in.a = scan_instr(prog, *n.args[0], why);
    if (in.a < 0) return -1;
    if (n.args.size() > 1) {
      in.b = scan_instr(prog, *n.args[1], why);
      if (in.b < 0) return -1;
    }
  }
  prog.code.push_back(std::move(in));
  return static_cast<int>(prog.code.size()) - 1;
}

void Tape::scan_forward(Node& n) {
  using Op = ScanProgram::Op;
  ScanProgram& p = *n.scan;
  const Eigen::VectorXd& init = nodes_[static_cast<std::size_t>(n.in[0])].val;
  n.val.resize(static_cast<Eigen::Index>(p.before + p.count));
  n.val.head(static_cast<Eigen::Index>(p.before)) = init;
  const std::size_t width = p.code.size();
  p.values.resize(p.count * width);
  // The inputs' values, looked up once.
  std::vector<const double*> inputs(n.in.size() - 1);
  for (std::size_t i = 1; i < n.in.size(); ++i)
    inputs[i - 1] = nodes_[static_cast<std::size_t>(n.in[i])].val.data();
  double* out = n.val.data();
  for (std::size_t k = 0; k < p.count; ++k) {
    double* v = p.values.data() + k * width;
    for (std::size_t j = 0; j < width; ++j) {
      const auto& c = p.code[j];
      double x = 0;
      switch (c.op) {
        case Op::PerT:
          x = c.per_t[k];
          break;
        case Op::Input:
          x = inputs[static_cast<std::size_t>(c.input)][0];
          break;
        case Op::InputAt:
          x = inputs[static_cast<std::size_t>(c.input)][c.at[k]];
          break;
        case Op::SelfAt:
          x = out[c.at[k]];
          break;
        case Op::Neg:
          x = -v[c.a];
          break;
        case Op::Add:
          x = v[c.a] + v[c.b];
          break;
        case Op::Sub:
          x = v[c.a] - v[c.b];
          break;
        case Op::Mul:
          x = v[c.a] * v[c.b];
          break;
        case Op::Div:
          x = v[c.a] / v[c.b];
          break;
        case Op::Call: {
          const double a = v[c.a], b = c.b >= 0 ? v[c.b] : 0;
          info(c.fn)
              .math(c.b >= 0 ? 2 : 1)
              .value({&a, 1}, c.b >= 0 ? BuiltinMath::In(&b, 1) : BuiltinMath::In(), {&x, 1});
          break;
        }
      }
      v[j] = x;
    }
    out[p.before + k] = v[width - 1];
  }
}

void Tape::scan_backward(Node& n) {
  using Op = ScanProgram::Op;
  ScanProgram& p = *n.scan;
  Eigen::VectorXd out = n.adj;  // d total / d element, grown by the later elements' reads
  const std::size_t width = p.code.size();
  std::vector<double> a(width);
  std::vector<double*> inputs(n.in.size() - 1);
  for (std::size_t i = 1; i < n.in.size(); ++i)
    inputs[i - 1] = nodes_[static_cast<std::size_t>(n.in[i])].adj.data();
  for (std::size_t k = p.count; k-- > 0;) {
    const double* v = p.values.data() + k * width;
    std::fill(a.begin(), a.end(), 0.0);
    a[width - 1] = out[static_cast<Eigen::Index>(p.before + k)];
    for (std::size_t j = width; j-- > 0;) {
      const auto& c = p.code[j];
      const double g = a[j];
      if (g == 0) continue;
      const auto ia = static_cast<std::size_t>(c.a), ib = static_cast<std::size_t>(c.b);
      switch (c.op) {
        case Op::PerT:
          break;
        case Op::Input:
          inputs[static_cast<std::size_t>(c.input)][0] += g;
          break;
        case Op::InputAt:
          inputs[static_cast<std::size_t>(c.input)][c.at[k]] += g;
          break;
        case Op::SelfAt:
          out[c.at[k]] += g;
          break;
        case Op::Neg:
          a[ia] -= g;
          break;
        case Op::Add:
          a[ia] += g, a[ib] += g;
          break;
        case Op::Sub:
          a[ia] += g, a[ib] -= g;
          break;
        case Op::Mul:
          a[ia] += g * v[ib], a[ib] += g * v[ia];
          break;
        case Op::Div:
          a[ia] += g / v[ib];
          a[ib] -= g * v[j] / v[ib];
          break;
        case Op::Call: {
          const BuiltinMath& m = info(c.fn).math(c.b >= 0 ? 2 : 1);
          if (!m.vjp) break;
          const double x = v[ia], y = c.b >= 0 ? v[ib] : 0, z = v[j];
          double dx = 0, dy = 0;
          m.vjp({&x, 1}, c.b >= 0 ? BuiltinMath::In(&y, 1) : BuiltinMath::In(), {&z, 1}, {&g, 1},
                {&dx, 1}, c.b >= 0 ? BuiltinMath::Out(&dy, 1) : BuiltinMath::Out());
          a[ia] += dx;
          if (c.b >= 0) a[ib] += dy;
          break;
        }
      }
    }
  }
  nodes_[static_cast<std::size_t>(n.in[0])].adj += out.head(static_cast<Eigen::Index>(p.before));
}

// The sum over the elements of a family's function; each element's
// derivatives kept for backward (one column per input).
void Tape::dist_forward(Node& n) {
  const std::size_t na = n.in.size();
  Eigen::Index len = 1;
  for (auto i : n.in) len = std::max(len, nodes_[static_cast<std::size_t>(i)].val.size());
  n.derivs.resize(len, static_cast<Eigen::Index>(na));
  std::vector<double> in(na), d(na);
  double total = 0;
  for (Eigen::Index k = 0; k < len; ++k) {
    for (std::size_t i = 0; i < na; ++i)
      in[i] = elem(nodes_[static_cast<std::size_t>(n.in[i])].val, k);
    total += dist::dist_fn_grad(*n.family, n.dist_fn, in, d);
    for (std::size_t i = 0; i < na; ++i) n.derivs(k, static_cast<Eigen::Index>(i)) = d[i];
  }
  n.val = Eigen::VectorXd::Constant(1, total);
}

void Tape::dist_backward(Node& n) {
  const double g = n.adj[0];
  for (Eigen::Index k = 0; k < n.derivs.rows(); ++k)
    for (std::size_t i = 0; i < n.in.size(); ++i)
      add_elem(nodes_[static_cast<std::size_t>(n.in[i])].adj, k,
               g * n.derivs(k, static_cast<Eigen::Index>(i)));
}

double Tape::forward(const std::vector<Eigen::VectorXd>& values) {
  double total = constant_;
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
      if (n.kind == Kind::Term) total += n.val[0];
    }
  }
  return total;
}

void Tape::backward(std::vector<Eigen::VectorXd>& grad) {
  for (auto& n : nodes_) n.adj.setZero(n.val.size());
  for (auto& n : nodes_)
    if (((n.kind == Kind::Factor || n.kind == Kind::Mixture) && n.top) || n.kind == Kind::Term)
      n.adj.setOnes();
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
