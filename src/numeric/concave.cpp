// Strong concavity from the model's structure: see concave.hpp.
#include "numeric/concave.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <cmath>

#include "dist/family.hpp"
#include "graph/view.hpp"
#include "linalg/dense.hpp"
#include "numeric/parallel.hpp"
#include "patterns/patterns.hpp"

namespace bayes::numeric {

bool is_affine(const ir::Node& n, const Model& m) {
  if (ir::is_data_only(n)) return true;
  auto data = [&](std::size_t i) { return ir::is_data_only(*n.args[i]); };
  auto affine = [&](std::size_t i) { return is_affine(*n.args[i], m); };
  switch (n.op) {
    case ir::Op::Param:
      return !m.params[n.ref].discrete;
    case ir::Op::Neg:
      return affine(0);
    case ir::Op::Add:
    case ir::Op::Sub:
      return affine(0) && affine(1);
    case ir::Op::Mul:
      return (data(0) && affine(1)) || (affine(0) && data(1));
    case ir::Op::Div:
      return affine(0) && data(1);
    case ir::Op::MatVec:
      return data(0) && affine(1);
    case ir::Op::Index:
      for (std::size_t i = 1; i < n.args.size(); ++i)
        if (!data(i)) return false;
      return affine(0);
    case ir::Op::Vector:
      for (std::size_t i = 0; i < n.args.size(); ++i)
        if (!affine(i)) return false;
      return true;
    case ir::Op::Call:
      if (n.fn == Builtin::Sum) return n.args.size() == 1 && affine(0);
      if (n.fn == Builtin::Dot) return (data(0) && affine(1)) || (affine(0) && data(1));
      return false;
    default:
      return false;
  }
}

namespace {

// The smallest precision a fixed Normal or MultiNormal prior gives its
// parameter, or 0 when the prior is of another kind.
double prior_precision(const Model& m, const Prior& pr) {
  if (!pr.family || !patterns::fixed_args(pr) || pr.params.size() != 1) return 0;
  const dist::Family* family = pr.family;
  if (family == &dist::normal_family()) {
    Value sd = patterns::eval_data(m, *pr.args[1]);
    double top = 0;
    for (double s : sd.data) top = std::max(top, s);
    return top > 0 && std::isfinite(top) ? 1 / (top * top) : 0;
  }
  if (family == &dist::multi_normal_family()) {
    Value cov = patterns::eval_data(m, *pr.args[1]);
    auto k = static_cast<Eigen::Index>(cov.rows);
    if (cov.rank != Rank::Matrix || k == 0) return 0;
    Eigen::Map<const Eigen::MatrixXd> S(cov.data.data(), k, k);
    double top = linalg::symmetric_eigenvalues(S)[k - 1];
    return top > 0 && std::isfinite(top) ? 1 / top : 0;
  }
  return 0;
}

// logistic(affine) or exp(affine), by the link's builtin.
bool link_of_affine(const ir::Node& n, Builtin link, const Model& m) {
  return n.op == ir::Op::Call && n.fn == link && n.args.size() == 1 && is_affine(*n.args[0], m);
}

bool concave_likelihood(const Model& m, const Observation& o) {
  if (!o.family) return false;
  const dist::Family* family = o.family;
  const auto& a = o.args;
  if (family == &dist::normal_family())
    return a.size() == 2 && is_affine(*a[0], m) && ir::is_data_only(*a[1]);
  if (family == &dist::bernoulli_family())
    return a.size() == 1 && link_of_affine(*a[0], Builtin::Logistic, m);
  if (family == &dist::binomial_family())
    return a.size() == 2 && ir::is_data_only(*a[0]) && link_of_affine(*a[1], Builtin::Logistic, m);
  if (family == &dist::poisson_family())
    return a.size() == 1 && link_of_affine(*a[0], Builtin::Exp, m);
  return false;
}

}  // namespace

std::optional<double> strong_concavity(const Model& m, const std::vector<std::size_t>& priors,
                                       const std::vector<std::size_t>& observations) {
  double modulus = INFINITY;
  for (auto pi : priors) {
    const Prior& pr = m.priors[pi];
    for (auto p : pr.params)
      if (m.params[p].discrete) return std::nullopt;
    double precision = prior_precision(m, pr);
    if (!(precision > 0)) return std::nullopt;
    modulus = std::min(modulus, precision);
  }
  for (auto oi : observations)
    if (!concave_likelihood(m, m.observations[oi])) return std::nullopt;
  if (!std::isfinite(modulus)) return std::nullopt;
  return modulus;
}

std::optional<Glm> Glm::of(const Model& m, const std::vector<std::size_t>& priors,
                           const std::vector<std::size_t>& observations,
                           const std::vector<std::size_t>& params, bool with_priors) {
  std::vector<std::size_t> offsets;
  auto dim = static_cast<Eigen::Index>(patterns::stacked_size(m, params, &offsets));
  Glm g;
  g.prior_ = Eigen::MatrixXd::Zero(dim, dim);
  if (with_priors)
    for (auto pi : priors) {
      const Prior& pr = m.priors[pi];
      if (!pr.family || !patterns::fixed_args(pr) || pr.params.size() != 1) return std::nullopt;
      auto it = std::find(params.begin(), params.end(), pr.params[0]);
      if (it == params.end()) return std::nullopt;
      auto at = static_cast<Eigen::Index>(offsets[static_cast<std::size_t>(it - params.begin())]);
      const ParamVar& pv = m.params[pr.params[0]];
      auto k = static_cast<Eigen::Index>(pv.type.is_scalar() ? 1 : pv.type.rows);
      const dist::Family* family = pr.family;
      Value spread = patterns::eval_data(m, *pr.args[1]);
      if (family == &dist::normal_family()) {
        for (Eigen::Index i = 0; i < k; ++i) {
          double sd = patterns::at(spread, static_cast<std::size_t>(i));
          g.prior_(at + i, at + i) = 1 / (sd * sd);
        }
      } else if (family == &dist::multi_normal_family() && spread.rank == Rank::Matrix &&
                 static_cast<Eigen::Index>(spread.rows) == k) {
        Eigen::Map<const Eigen::MatrixXd> S(spread.data.data(), k, k);
        g.prior_.block(at, at, k, k) = S.inverse();
      } else {
        return std::nullopt;
      }
    }
  for (auto oi : observations) {
    const Observation& o = m.observations[oi];
    if (!concave_likelihood(m, o) || o.value.rank == Rank::Matrix) return std::nullopt;
    const dist::Family* family = o.family;
    Term t;
    const ir::Node* eta = nullptr;
    Value per_row = Value::scalar(1);
    if (family == &dist::normal_family()) {
      eta = o.args[0].get();
      Value sd = patterns::eval_data(m, *o.args[1]);
      per_row = sd;
      for (auto& x : per_row.data) x = 1 / (x * x);
    } else if (family == &dist::bernoulli_family()) {
      t.link = Link::Logit;
      eta = o.args[0]->args[0].get();
    } else if (family == &dist::binomial_family()) {
      t.link = Link::Logit;
      eta = o.args[1]->args[0].get();
      per_row = patterns::eval_data(m, *o.args[0]);
    } else {  // Poisson
      t.link = Link::Log;
      eta = o.args[0]->args[0].get();
    }
    auto lin = patterns::linear_in(m, *eta, params);
    if (!lin) return std::nullopt;
    auto outcomes = static_cast<Eigen::Index>(o.value.rows * o.value.cols);
    Eigen::Index rows = lin->offset.size();
    if (rows != 1 && rows != outcomes) return std::nullopt;
    if (per_row.size() != 1 && static_cast<Eigen::Index>(per_row.size()) != outcomes)
      return std::nullopt;
    t.weight.resize(rows);
    if (rows == 1) {  // one predictor for every outcome: their weights add
      double total = 0;
      for (Eigen::Index i = 0; i < outcomes; ++i)
        total += patterns::at(per_row, static_cast<std::size_t>(i));
      t.weight[0] = total;
    } else {
      for (Eigen::Index i = 0; i < rows; ++i)
        t.weight[i] = patterns::at(per_row, static_cast<std::size_t>(i));
    }
    t.offset = std::move(lin->offset);
    t.design = std::move(lin->design);
    g.terms_.push_back(std::move(t));
  }
  return g;
}

Eigen::MatrixXd Glm::hessian(const Eigen::VectorXd& theta) const {
  Eigen::MatrixXd H = prior_;
  for (const Term& t : terms_) {
    Eigen::ArrayXd c = t.weight.array();
    if (t.link != Link::Identity) {
      Eigen::ArrayXd eta = (t.offset + t.design * theta).array();
      if (t.link == Link::Logit) {
        Eigen::ArrayXd a = (-eta.abs()).exp();  // p (1 - p) = a / (1 + a)^2, stably
        c *= a / (1 + a).square();
      } else {
        c *= eta.exp();
      }
    }
    // design' diag(c) design, in row blocks that stay in cache, split
    // between cores; each block adds its lower triangle.
    Eigen::Index rows = t.design.rows(), dim = t.design.cols();
    int blocks = std::max(row_blocks(rows), 1);
    std::vector<Eigen::MatrixXd> part(static_cast<std::size_t>(blocks),
                                      Eigen::MatrixXd::Zero(dim, dim));
    rows_parallel(rows, [&](int b, Eigen::Index lo, Eigen::Index len) {
      Eigen::MatrixXd scaled;
      for (Eigen::Index at = lo; at < lo + len; at += 2048) {
        Eigen::Index n = std::min<Eigen::Index>(2048, lo + len - at);
        scaled = c.segment(at, n).sqrt().matrix().asDiagonal() * t.design.middleRows(at, n);
        part[static_cast<std::size_t>(b)].selfadjointView<Eigen::Lower>().rankUpdate(
            scaled.transpose());
      }
    });
    for (const auto& p : part) H += Eigen::MatrixXd(p.selfadjointView<Eigen::Lower>());
  }
  return H;
}

}  // namespace bayes::numeric
