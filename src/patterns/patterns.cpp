// Shape recognition over checked expressions (see patterns.hpp).
#include "patterns/patterns.hpp"

#include <algorithm>
#include <cmath>

#include "dist/family.hpp"
#include "expr/eval.hpp"
#include "format/format.hpp"

namespace bayes::patterns {

using ir::Op;

Value eval_data(const Model& m, const ir::Node& n) { return ir::eval(n, env_of(m)); }

namespace {

bool involves(const ir::Node& n, std::size_t param) {
  auto ps = ir::params_of(n);
  return std::find(ps.begin(), ps.end(), param) != ps.end();
}

Value zip(const Value& a, const Value& b, double (*f)(double, double)) {
  std::size_t n = std::max(a.size(), b.size());
  Value out = a.size() >= b.size() ? a : b;
  out.integer = false;
  for (std::size_t k = 0; k < n; ++k) out.data[k] = f(at(a, k), at(b, k));
  return out;
}

}  // namespace

std::optional<Monomial> monomial_in(const Model& m, const ir::Node& n, std::size_t param) {
  if (ir::is_data_only(n)) return Monomial{eval_data(m, n), 0};
  switch (n.op) {
    case Op::Param:
      if (n.ref != param) return std::nullopt;
      return Monomial{Value::scalar(1), 1};
    case Op::Mul:
    case Op::Div: {
      auto a = monomial_in(m, *n.args[0], param);
      auto b = monomial_in(m, *n.args[1], param);
      if (!a || !b) return std::nullopt;
      if (n.op == Op::Mul)
        return Monomial{zip(a->c, b->c, [](double x, double y) { return x * y; }), a->k + b->k};
      return Monomial{zip(a->c, b->c, [](double x, double y) { return x / y; }), a->k - b->k};
    }
    case Op::Pow: {
      if (!ir::is_data_only(*n.args[1])) return std::nullopt;
      Value e = eval_data(m, *n.args[1]);
      if (e.size() != 1) return std::nullopt;
      auto a = monomial_in(m, *n.args[0], param);
      if (!a) return std::nullopt;
      double k = e[0];
      Value c = a->c;
      for (auto& x : c.data) x = std::pow(x, k);
      c.integer = false;
      return Monomial{c, a->k * k};
    }
    case Op::Call: {
      if (n.fn != Builtin::Sqrt && n.fn != Builtin::Square && n.fn != Builtin::Pow)
        return std::nullopt;
      if (n.fn == Builtin::Pow) {
        if (!ir::is_data_only(*n.args[1])) return std::nullopt;
        Value e = eval_data(m, *n.args[1]);
        if (e.size() != 1) return std::nullopt;
        auto a = monomial_in(m, *n.args[0], param);
        if (!a) return std::nullopt;
        Value c = a->c;
        for (auto& x : c.data) x = std::pow(x, e[0]);
        return Monomial{c, a->k * e[0]};
      }
      auto a = monomial_in(m, *n.args[0], param);
      if (!a) return std::nullopt;
      double k = n.fn == Builtin::Sqrt ? 0.5 : 2.0;
      Value c = a->c;
      for (auto& x : c.data) x = std::pow(x, k);
      c.integer = false;
      return Monomial{c, a->k * k};
    }
    default:
      return std::nullopt;
  }
  (void)involves;
}

std::size_t stacked_size(const Model& m, const std::vector<std::size_t>& params,
                         std::vector<std::size_t>* offsets) {
  std::size_t total = 0;
  for (auto p : params) {
    if (offsets) offsets->push_back(total);
    total += m.params[p].type.is_scalar() ? 1 : m.params[p].type.rows;
  }
  return total;
}

namespace {

struct Lin {
  Eigen::VectorXd c;  // rows 1 (broadcast) or n
  Eigen::MatrixXd d;  // rows like c, cols = stacked dimension
};

Lin broadcast_to(const Lin& x, Eigen::Index rows) {
  if (x.c.size() == rows) return x;
  Lin out;
  out.c = Eigen::VectorXd::Constant(rows, x.c[0]);
  out.d = x.d.row(0).replicate(rows, 1);
  return out;
}

std::optional<Lin> lin(const Model& m, const ir::Node& n, const std::vector<std::size_t>& params,
                       const std::vector<std::size_t>& offsets, Eigen::Index dim) {
  if (n.type.is_matrix()) return std::nullopt;
  if (ir::is_data_only(n)) {
    Value v = eval_data(m, n);
    Lin out;
    out.c = Eigen::Map<const Eigen::VectorXd>(v.data.data(), static_cast<Eigen::Index>(v.size()));
    out.d = Eigen::MatrixXd::Zero(out.c.size(), dim);
    return out;
  }
  auto slot = [&](std::size_t ref) -> std::optional<std::size_t> {
    auto it = std::find(params.begin(), params.end(), ref);
    if (it == params.end()) return std::nullopt;
    return offsets[static_cast<std::size_t>(it - params.begin())];
  };
  switch (n.op) {
    case Op::Param: {
      auto off = slot(n.ref);
      if (!off) return std::nullopt;
      Eigen::Index k = n.type.is_scalar() ? 1 : static_cast<Eigen::Index>(n.type.rows);
      Lin out;
      out.c = Eigen::VectorXd::Zero(k);
      out.d = Eigen::MatrixXd::Zero(k, dim);
      for (Eigen::Index i = 0; i < k; ++i) out.d(i, static_cast<Eigen::Index>(*off) + i) = 1;
      return out;
    }
    case Op::Index: {
      // w[idx] with data idx: a gather, linear in w.
      if (n.args.size() != 2 || !ir::is_data_only(*n.args[1])) return std::nullopt;
      auto base = lin(m, *n.args[0], params, offsets, dim);
      if (!base) return std::nullopt;
      Value idx = eval_data(m, *n.args[1]);
      Lin out;
      out.c.resize(static_cast<Eigen::Index>(idx.size()));
      out.d.resize(static_cast<Eigen::Index>(idx.size()), dim);
      for (std::size_t i = 0; i < idx.size(); ++i) {
        auto r = static_cast<Eigen::Index>(idx[i]) - 1;
        out.c[static_cast<Eigen::Index>(i)] = base->c[r];
        out.d.row(static_cast<Eigen::Index>(i)) = base->d.row(r);
      }
      return out;
    }
    case Op::Neg: {
      auto a = lin(m, *n.args[0], params, offsets, dim);
      if (!a) return std::nullopt;
      return Lin{-a->c, -a->d};
    }
    case Op::Add:
    case Op::Sub: {
      auto a = lin(m, *n.args[0], params, offsets, dim);
      auto b = lin(m, *n.args[1], params, offsets, dim);
      if (!a || !b) return std::nullopt;
      Eigen::Index rows = std::max(a->c.size(), b->c.size());
      double sign = n.op == Op::Add ? 1 : -1;
      if (a->c.size() == rows) {  // in place; a one-row side is added to every row
        Lin x = std::move(*a);
        if (b->c.size() == rows) {
          x.c += sign * b->c, x.d += sign * b->d;
        } else {
          x.c.array() += sign * b->c[0];
          x.d.rowwise() += sign * b->d.row(0);
        }
        return x;
      }
      Lin y = std::move(*b);  // a has one row, b has `rows`
      y.c = (a->c[0] + sign * y.c.array()).matrix();
      y.d = (sign * y.d).rowwise() + a->d.row(0);
      return y;
    }
    case Op::Mul:
    case Op::Div: {
      // One side must be data: scale the other's rows.
      bool left_data = ir::is_data_only(*n.args[0]);
      bool right_data = ir::is_data_only(*n.args[1]);
      if (n.op == Op::Div && !right_data) return std::nullopt;
      if (!left_data && !right_data) return std::nullopt;
      const ir::Node& data_side = right_data ? *n.args[1] : *n.args[0];
      const ir::Node& lin_side = right_data ? *n.args[0] : *n.args[1];
      auto a = lin(m, lin_side, params, offsets, dim);
      if (!a) return std::nullopt;
      Value s = eval_data(m, data_side);
      Eigen::Index rows = std::max(a->c.size(), static_cast<Eigen::Index>(s.size()));
      Lin x = broadcast_to(*a, rows);
      for (Eigen::Index i = 0; i < rows; ++i) {
        double f = at(s, static_cast<std::size_t>(i));
        if (n.op == Op::Div) f = 1 / f;
        x.c[i] *= f;
        x.d.row(i) *= f;
      }
      return x;
    }
    case Op::MatVec: {
      if (!ir::is_data_only(*n.args[0])) return std::nullopt;
      auto a = lin(m, *n.args[1], params, offsets, dim);
      if (!a) return std::nullopt;
      // X's columns, read in place when X is columns(x1, ..., xk) of data.
      const ir::Node& mat = *n.args[0];
      Value xv;
      std::vector<const double*> col;
      Eigen::Index rows = 0;
      if (mat.op == Op::Call && mat.fn == Builtin::Columns &&
          std::all_of(mat.args.begin(), mat.args.end(),
                      [](const ir::NodePtr& c) { return c->op == Op::Data; })) {
        for (const auto& c : mat.args) col.push_back(m.data[c->ref].value.data.data());
        rows = static_cast<Eigen::Index>(m.data[mat.args[0]->ref].value.size());
      } else {
        xv = eval_data(m, mat);
        rows = static_cast<Eigen::Index>(xv.rows);
        for (std::size_t j = 0; j < xv.cols; ++j) col.push_back(xv.data.data() + j * xv.rows);
      }
      auto X = [&](Eigen::Index i) { return Eigen::Map<const Eigen::VectorXd>(col[i], rows); };
      if (a->c.size() != static_cast<Eigen::Index>(col.size())) return std::nullopt;
      // X times a vector of parameters: the design's columns are X's, scaled
      // (sums of them only where a's rows mix several coordinates).
      Lin out{Eigen::VectorXd::Zero(rows), Eigen::MatrixXd::Zero(rows, dim)};
      for (Eigen::Index i = 0; i < a->c.size(); ++i) {
        if (a->c[i] != 0) out.c += a->c[i] * X(i);
        for (Eigen::Index j = 0; j < dim; ++j)
          if (a->d(i, j) != 0) out.d.col(j) += a->d(i, j) * X(i);
      }
      return out;
    }
    case Op::Call: {
      if (n.fn == Builtin::Dot) {
        bool left_data = ir::is_data_only(*n.args[0]);
        const ir::Node& data_side = left_data ? *n.args[0] : *n.args[1];
        const ir::Node& lin_side = left_data ? *n.args[1] : *n.args[0];
        if (!ir::is_data_only(data_side)) return std::nullopt;
        auto a = lin(m, lin_side, params, offsets, dim);
        if (!a) return std::nullopt;
        Value v = eval_data(m, data_side);
        Eigen::Map<const Eigen::VectorXd> x(v.data.data(), static_cast<Eigen::Index>(v.size()));
        Lin out;
        out.c = Eigen::VectorXd::Constant(1, x.dot(a->c));
        out.d = x.transpose() * a->d;
        return out;
      }
      if (n.fn == Builtin::Sum) {
        auto a = lin(m, *n.args[0], params, offsets, dim);
        if (!a) return std::nullopt;
        Lin out;
        out.c = Eigen::VectorXd::Constant(1, a->c.sum());
        out.d = a->d.colwise().sum();
        return out;
      }
      return std::nullopt;
    }
    default:
      return std::nullopt;
  }
}

}  // namespace

std::optional<Linear> linear_in(const Model& m, const ir::Node& n,
                                const std::vector<std::size_t>& params) {
  std::vector<std::size_t> offsets;
  auto dim = static_cast<Eigen::Index>(stacked_size(m, params, &offsets));
  auto l = lin(m, n, params, offsets, dim);
  if (!l) return std::nullopt;
  return Linear{l->c, l->d};
}

std::optional<std::vector<double>> finite_support(const Model& m, const Prior& p, double max_values,
                                                  std::string* why) {
  auto fail = [&](const std::string& reason) -> std::optional<std::vector<double>> {
    if (why) *why = reason;
    return std::nullopt;
  };
  if (!p.family || !p.family->discrete || p.family->outcome_rank != Rank::Scalar || !fixed_args(p))
    return fail("has no finite support fixed by data");
  std::vector<Value> args;
  for (const auto& a : p.args) args.push_back(eval_data(m, *a));
  dist::Bounds b = dist::support_bounds(*p.family, args);
  if (p.truncation.on)
    b.lo = std::max(b.lo, std::ceil(p.lower)), b.hi = std::min(b.hi, std::floor(p.upper));
  // Beyond 2^53 consecutive whole numbers are not all doubles (k + 1 == k).
  constexpr double kExact = 9007199254740992.0;
  if (!(std::isfinite(b.lo) && std::isfinite(b.hi)))
    return fail("has no finite support fixed by data (its values run from " +
                format::shortest(b.lo) + " to " + format::shortest(b.hi) + ")");
  if (!(std::fabs(b.lo) < kExact && std::fabs(b.hi) < kExact) || b.hi - b.lo >= max_values)
    return fail("takes " + format::significant(b.hi - b.lo + 1) + " values, more than the " +
                format::significant(max_values) + " that are enumerated exactly");
  std::vector<double> out;
  for (double k = b.lo; k <= b.hi; ++k) out.push_back(k);
  return out;
}

bool all_discrete(const Model& m, const graph::Component& c) {
  if (c.params.empty()) return false;
  for (auto p : c.params)
    if (!m.params[p].discrete) return false;
  return true;
}

}  // namespace bayes::patterns
