// Evaluation of checked expressions over Values, with scalar broadcasting.
#include "expr/eval.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "format/format.hpp"

namespace bayes::ir {

namespace {

Value like(const Value& shape, std::vector<double> xs, bool integer) {
  Value v = shape;
  v.data = std::move(xs);
  v.integer = integer;
  return v;
}

Value map1(const Value& a, const std::function<double(double)>& f, bool integer = false) {
  std::vector<double> out(a.size());
  std::transform(a.data.begin(), a.data.end(), out.begin(), f);
  return like(a, std::move(out), integer);
}

// Two operands of an elementwise operation: a scalar broadcasts; otherwise
// the shapes must agree.
void check_broadcast(const Value& a, const Value& b, Span span) {
  if (!a.is_scalar() && !b.is_scalar() &&
      (a.rank != b.rank || a.rows != b.rows || a.cols != b.cols))
    throw EvalError(span, "operands have different lengths (" + std::to_string(a.size()) + " and " +
                              std::to_string(b.size()) + ")");
}

// Elementwise binary operation with scalar broadcasting.
Value map2(const Value& a, const Value& b, const std::function<double(double, double)>& f,
           bool integer, Span span) {
  if (a.is_scalar() && b.is_scalar()) return Value::scalar(f(a[0], b[0]), integer);
  if (a.is_scalar())
    return map1(
        b, [&](double y) { return f(a[0], y); }, integer);
  if (b.is_scalar())
    return map1(
        a, [&](double x) { return f(x, b[0]); }, integer);
  check_broadcast(a, b, span);
  std::vector<double> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = f(a[i], b[i]);
  return like(a, std::move(out), integer);
}

// A built-in function's mathematics (expr/builtins.cpp) on values whose
// result has `size` elements.
std::vector<double> run(const BuiltinMath& m, const Value& x, const Value* y, std::size_t size) {
  std::vector<double> out(size);
  m.value(x.data, y ? std::span<const double>(y->data) : std::span<const double>(), out);
  return out;
}

// A function of two arguments applied elementwise, with map2's broadcasting.
Value pairwise(const BuiltinMath& m, const Value& a, const Value& b, bool integer, Span span) {
  if (a.is_scalar() && b.is_scalar()) return Value::scalar(run(m, a, &b, 1)[0], integer);
  check_broadcast(a, b, span);
  const Value& shape = a.is_scalar() ? b : a;
  return like(shape, run(m, a, &b, shape.size()), integer);
}

std::size_t to_index(double x, std::size_t n, Span span) {
  if (std::isnan(x)) throw EvalError(span, "index is NaN (not a number)");
  if (x != std::floor(x) || x < 1 || x > static_cast<double>(n))
    throw EvalError(span,
                    "index " + format::shortest(x) + " is out of range 1.." + std::to_string(n));
  return static_cast<std::size_t>(x) - 1;
}

}  // namespace

double dist_sum(const dist::Family& f, DistFn fn, std::span<const Value> args, Span span) {
  std::size_t len = 1;
  for (const Value& a : args)
    if (a.size() != 1) {
      if (len != 1 && a.size() != len)
        throw EvalError(span, "arguments of " + std::string(f.name) + " have different lengths (" +
                                  std::to_string(len) + " and " + std::to_string(a.size()) + ")");
      len = a.size();
    }
  std::vector<double> in(args.size());
  double total = 0;
  for (std::size_t k = 0; k < len; ++k) {
    for (std::size_t i = 0; i < args.size(); ++i)
      in[i] = args[i].size() == 1 ? args[i][0] : args[i][k];
    total += dist::dist_fn(f, fn, in);
  }
  return total;
}

// cov_exp_quad, diag and cholesky.
Value matrix_builtin(Builtin fn, std::span<const Value> args, Span span) {
  const Value& a = args[0];
  if (fn == Builtin::Diag) {
    const std::size_t n = a.size();
    std::vector<double> out(n * n, 0.0);
    for (std::size_t i = 0; i < n; ++i) out[i * n + i] = a[i];
    return Value::matrix(n, n, std::move(out));
  }
  if (fn == Builtin::CovExpQuad) {
    const std::size_t n = a.size();
    const double alpha = args[1][0], rho = args[2][0];
    std::vector<double> out(n * n);
    for (std::size_t j = 0; j < n; ++j)
      for (std::size_t i = 0; i < n; ++i) {
        const double d = a[i] - a[j];
        out[j * n + i] = alpha * alpha * std::exp(-d * d / (2 * rho * rho));
      }
    return Value::matrix(n, n, std::move(out));
  }
  // Cholesky: L with L L' = M, lower triangular; M must be positive definite.
  const std::size_t n = a.rows;
  std::vector<double> L(n * n, 0.0);
  for (std::size_t j = 0; j < n; ++j) {
    double d = a.at(j, j);
    for (std::size_t k = 0; k < j; ++k) d -= L[k * n + j] * L[k * n + j];
    if (!(d > 0))
      throw EvalError(span, "cholesky: the matrix is not positive definite (pivot " +
                                std::to_string(j + 1) + ")");
    L[j * n + j] = std::sqrt(d);
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a.at(i, j);
      for (std::size_t k = 0; k < j; ++k) s -= L[k * n + i] * L[k * n + j];
      L[j * n + i] = s / L[j * n + j];
    }
  }
  return Value::matrix(n, n, std::move(L));
}

Value stack_columns(const std::vector<const Value*>& cols, Span span) {
  std::size_t rows = cols.empty() ? 0 : cols[0]->size();
  std::vector<double> out;
  out.reserve(rows * cols.size());
  for (const Value* c : cols) {
    if (c->size() != rows)
      throw EvalError(span, "columns of different lengths (" + std::to_string(rows) + " and " +
                                std::to_string(c->size()) + ")");
    out.insert(out.end(), c->data.begin(), c->data.end());
  }
  return Value::matrix(rows, cols.size(), std::move(out));
}

Value apply_builtin(Builtin fn, std::span<const Value> args, Span span) {
  const BuiltinInfo& b = info(fn);
  const Value& a = args[0];
  bool integer = b.integer == IntegerResult::Always ||
                 (b.integer == IntegerResult::IfArguments &&
                  std::all_of(args.begin(), args.end(), [](const Value& v) { return v.integer; }));
  switch (b.shape) {
    case BuiltinShape::Elementwise:
    case BuiltinShape::VectorMap:
      return like(a, run(b.forms.one, a, nullptr, a.size()), integer);
    case BuiltinShape::Reduce:
      return Value::scalar(run(b.forms.one, a, nullptr, 1)[0], integer);
    case BuiltinShape::MinMax:
      if (args.size() == 2) return pairwise(b.forms.two, a, args[1], integer, span);
      if (a.size() == 0) throw EvalError(span, "min/max of an empty vector");
      return Value::scalar(run(b.forms.one, a, nullptr, 1)[0], integer);
    case BuiltinShape::Elementwise2:
      return pairwise(b.forms.two, a, args[1], integer, span);
    case BuiltinShape::Dot:
      if (a.size() != args[1].size())
        throw EvalError(span, "dot of vectors of different lengths (" + std::to_string(a.size()) +
                                  " and " + std::to_string(args[1].size()) + ")");
      return Value::scalar(run(b.forms.two, a, &args[1], 1)[0], integer);
    case BuiltinShape::Columns: {
      std::vector<const Value*> cols;
      for (const Value& c : args) cols.push_back(&c);
      Value m = stack_columns(cols, span);
      if (fn != Builtin::Rows) return m;
      std::vector<double> t(m.size());  // the transpose: one row per vector
      for (std::size_t r = 0; r < m.rows; ++r)
        for (std::size_t c = 0; c < m.cols; ++c) t[r * m.cols + c] = m.at(r, c);
      return Value::matrix(m.cols, m.rows, std::move(t));
    }
    case BuiltinShape::Rep: {
      double n = args[1][0];
      if (n < 0 || n != std::floor(n)) throw EvalError(span, "rep needs a whole number of copies");
      return Value::vector(std::vector<double>(static_cast<std::size_t>(n), a[0]), integer);
    }
    case BuiltinShape::Matrix:
      return matrix_builtin(fn, args, span);
    case BuiltinShape::Seq: {
      double lo = a[0], hi = args[1][0];
      std::vector<double> out;
      for (double x = lo; x <= hi; x += 1) out.push_back(x);
      return Value::vector(std::move(out), integer);
    }
  }
  throw EvalError(span, "unknown builtin");
}

Value eval(const Node& n, const Env& env) {
  auto arg = [&](std::size_t i) { return eval(*n.args[i], env); };
  switch (n.op) {
    case Op::Const:
      return n.value;
    case Op::Data:
      return env.datum(n.ref);
    case Op::Param:
      if (n.ref >= env.params.size()) throw EvalError(n.span, "parameter value not available");
      return env.params[n.ref];
    case Op::Neg: {
      Value a = arg(0);
      return map1(
          a, [](double x) { return -x; }, a.integer);
    }
    case Op::Not:
      return map1(arg(0), [](double x) { return x == 0 ? 1.0 : 0.0; });
    case Op::Add:
    case Op::Sub:
    case Op::Mul:
    case Op::Div:
    case Op::Pow:
    case Op::Lt:
    case Op::Le:
    case Op::Gt:
    case Op::Ge:
    case Op::Eq:
    case Op::Ne:
    case Op::And:
    case Op::Or: {
      Value a = arg(0), b = arg(1);
      bool both_int = a.integer && b.integer;
      switch (n.op) {
        case Op::Add:
          return map2(a, b, std::plus<double>(), both_int, n.span);
        case Op::Sub:
          return map2(a, b, std::minus<double>(), both_int, n.span);
        case Op::Mul:
          return map2(a, b, std::multiplies<double>(), both_int, n.span);
        case Op::Div:
          return map2(a, b, std::divides<double>(), false, n.span);
        case Op::Pow:
          return pairwise(
              info(Builtin::Pow).forms.two, a, b,
              both_int && b.size() &&
                  std::all_of(b.data.begin(), b.data.end(), [](double y) { return y >= 0; }),
              n.span);
        case Op::Lt:
          return map2(
              a, b, [](double x, double y) -> double { return x < y; }, true, n.span);
        case Op::Le:
          return map2(
              a, b, [](double x, double y) -> double { return x <= y; }, true, n.span);
        case Op::Gt:
          return map2(
              a, b, [](double x, double y) -> double { return x > y; }, true, n.span);
        case Op::Ge:
          return map2(
              a, b, [](double x, double y) -> double { return x >= y; }, true, n.span);
        case Op::Eq:
          return map2(
              a, b, [](double x, double y) -> double { return x == y; }, true, n.span);
        case Op::Ne:
          return map2(
              a, b, [](double x, double y) -> double { return x != y; }, true, n.span);
        case Op::And:
          return map2(
              a, b, [](double x, double y) -> double { return x != 0 && y != 0; }, true, n.span);
        default:
          return map2(
              a, b, [](double x, double y) -> double { return x != 0 || y != 0; }, true, n.span);
      }
    }
    case Op::MatVec: {
      Value m = arg(0), v = arg(1);
      if (m.cols != v.size())
        throw EvalError(n.span, "matrix with " + std::to_string(m.cols) +
                                    " columns times a vector of length " +
                                    std::to_string(v.size()));
      std::vector<double> out(m.rows, 0.0);
      for (std::size_t c = 0; c < m.cols; ++c)
        for (std::size_t r = 0; r < m.rows; ++r) out[r] += m.at(r, c) * v[c];
      return Value::vector(std::move(out));
    }
    case Op::Call: {
      if (n.fn == Builtin::Columns) {  // data columns are read in place, not copied first
        std::vector<Value> computed;
        computed.reserve(n.args.size());
        std::vector<const Value*> cols;
        for (std::size_t i = 0; i < n.args.size(); ++i) {
          if (n.args[i]->op == Op::Data) {
            cols.push_back(&env.datum(n.args[i]->ref));
          } else {
            computed.push_back(arg(i));
            cols.push_back(&computed.back());
          }
        }
        return stack_columns(cols, n.span);
      }
      std::vector<Value> args;
      for (std::size_t i = 0; i < n.args.size(); ++i) args.push_back(arg(i));
      return apply_builtin(n.fn, args, n.span);
    }
    case Op::Index: {
      Value base = arg(0), idx = arg(1);
      if (base.rank == Rank::Matrix) {
        if (n.args.size() == 3) {
          Value col = arg(2);
          if (idx.is_scalar() && col.is_scalar()) {
            std::size_t r = to_index(idx[0], base.rows, n.args[1]->span);
            std::size_t c = to_index(col[0], base.cols, n.args[2]->span);
            return Value::scalar(base.at(r, c), base.integer);
          }
          // Pairs (row, column), a scalar index broadcast.
          const std::size_t len = std::max(idx.size(), col.size());
          std::vector<double> out(len);
          for (std::size_t k = 0; k < len; ++k) {
            std::size_t r = to_index(idx[idx.size() == 1 ? 0 : k], base.rows, n.args[1]->span);
            std::size_t c = to_index(col[col.size() == 1 ? 0 : k], base.cols, n.args[2]->span);
            out[k] = base.at(r, c);
          }
          return Value::vector(std::move(out), base.integer);
        }
        std::size_t r = to_index(idx[0], base.rows, n.args[1]->span);  // a row
        std::vector<double> out(base.cols);
        for (std::size_t c = 0; c < base.cols; ++c) out[c] = base.at(r, c);
        return Value::vector(std::move(out), base.integer);
      }
      if (idx.is_scalar())
        return Value::scalar(base[to_index(idx[0], base.size(), n.args[1]->span)], base.integer);
      std::vector<double> out(idx.size());
      for (std::size_t i = 0; i < idx.size(); ++i)
        out[i] = base[to_index(idx[i], base.size(), n.args[1]->span)];
      return Value::vector(std::move(out), base.integer);
    }
    case Op::Iter:
      return Value::scalar(env.iter, true);
    case Op::Self:
      if (!env.self) throw EvalError(n.span, "a recursion's values read outside it");
      return *env.self;
    case Op::Scan: {
      Value out = arg(0);
      out.rank = Rank::Vector;
      out.integer = false;
      const std::size_t before = out.size();
      out.data.resize(before + n.ref, 0.0);
      out.rows = out.data.size();
      Env inner = env;
      inner.self = &out;
      for (std::size_t k = 0; k < n.ref; ++k) {
        inner.iter = n.value[0] + static_cast<double>(k);
        out.data[before + k] = eval(*n.args[1], inner)[0];
      }
      return out;
    }
    case Op::Dist: {
      std::vector<Value> args;
      for (std::size_t i = 0; i < n.args.size(); ++i) args.push_back(arg(i));
      return Value::scalar(dist_sum(*n.family, n.dist_fn, args, n.span));
    }
    case Op::Concat:  // numbers or vectors, one after the other: as a vector literal
    case Op::Vector: {
      std::vector<double> out;
      bool integer = true;
      for (std::size_t i = 0; i < n.args.size(); ++i) {
        Value a = arg(i);
        integer = integer && a.integer;
        out.insert(out.end(), a.data.begin(), a.data.end());
      }
      return Value::vector(std::move(out), integer);
    }
  }
  throw EvalError(n.span, "cannot evaluate");
}

}  // namespace bayes::ir
