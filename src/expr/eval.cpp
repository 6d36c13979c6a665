// Evaluation of checked expressions over Values, with scalar broadcasting.
#include "expr/eval.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

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
  if (a.rank != b.rank || a.rows != b.rows || a.cols != b.cols)
    throw EvalError(span, "operands have different lengths (" + std::to_string(a.size()) + " and " +
                              std::to_string(b.size()) + ")");
  std::vector<double> out(a.size());
  for (std::size_t i = 0; i < a.size(); ++i) out[i] = f(a[i], b[i]);
  return like(a, std::move(out), integer);
}

double logistic(double x) {
  return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}

double log_sum_exp(const std::vector<double>& xs) {
  if (xs.empty()) return -INFINITY;
  double m = *std::max_element(xs.begin(), xs.end());
  if (!std::isfinite(m)) return m;
  double s = 0;
  for (double x : xs) s += std::exp(x - m);
  return m + std::log(s);
}

std::size_t to_index(double x, std::size_t n, Span span) {
  if (x != std::floor(x) || x < 1 || x > static_cast<double>(n))
    throw EvalError(span, "index " + std::to_string(static_cast<long long>(x)) +
                              " is out of range 1.." + std::to_string(n));
  return static_cast<std::size_t>(x) - 1;
}

}  // namespace

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
  const Value& a = args[0];
  switch (fn) {
    case Builtin::Exp:
      return map1(a, [](double x) { return std::exp(x); });
    case Builtin::Log:
      return map1(a, [](double x) { return std::log(x); });
    case Builtin::Log1p:
      return map1(a, [](double x) { return std::log1p(x); });
    case Builtin::Expm1:
      return map1(a, [](double x) { return std::expm1(x); });
    case Builtin::Sqrt:
      return map1(a, [](double x) { return std::sqrt(x); });
    case Builtin::Square:
      return map1(
          a, [](double x) { return x * x; }, a.integer);
    case Builtin::Abs:
      return map1(
          a, [](double x) { return std::fabs(x); }, a.integer);
    case Builtin::Lgamma:
      return map1(a, [](double x) { return std::lgamma(x); });
    case Builtin::Logistic:
      return map1(a, logistic);
    case Builtin::Logit:
      return map1(a, [](double x) { return std::log(x / (1 - x)); });
    case Builtin::Floor:
      return map1(
          a, [](double x) { return std::floor(x); }, true);
    case Builtin::Ceil:
      return map1(
          a, [](double x) { return std::ceil(x); }, true);
    case Builtin::Round:
      return map1(
          a, [](double x) { return std::round(x); }, true);
    case Builtin::Pow:
      return map2(
          a, args[1], [](double x, double y) { return std::pow(x, y); }, false, span);
    case Builtin::Softmax:
    case Builtin::LogSoftmax: {
      double lse = log_sum_exp(a.data);
      if (fn == Builtin::LogSoftmax) return map1(a, [&](double x) { return x - lse; });
      return map1(a, [&](double x) { return std::exp(x - lse); });
    }
    case Builtin::Cumsum: {
      std::vector<double> out(a.size());
      std::partial_sum(a.data.begin(), a.data.end(), out.begin());
      return like(a, std::move(out), a.integer);
    }
    case Builtin::Sum:
      return Value::scalar(std::accumulate(a.data.begin(), a.data.end(), 0.0), a.integer);
    case Builtin::Prod:
      return Value::scalar(
          std::accumulate(a.data.begin(), a.data.end(), 1.0, std::multiplies<double>()), a.integer);
    case Builtin::Mean:
      return Value::scalar(std::accumulate(a.data.begin(), a.data.end(), 0.0) /
                           static_cast<double>(a.size()));
    case Builtin::Sd:
    case Builtin::Variance: {
      double n = static_cast<double>(a.size());
      double m = std::accumulate(a.data.begin(), a.data.end(), 0.0) / n;
      double ss = 0;
      for (double x : a.data) ss += (x - m) * (x - m);
      double var = n > 1 ? ss / (n - 1) : NAN;
      return Value::scalar(fn == Builtin::Sd ? std::sqrt(var) : var);
    }
    case Builtin::Length:
      return Value::scalar(static_cast<double>(a.size()), true);
    case Builtin::LogSumExp:
      return Value::scalar(log_sum_exp(a.data));
    case Builtin::Min:
    case Builtin::Max: {
      bool is_min = fn == Builtin::Min;
      if (args.size() == 2) {
        bool integer = a.integer && args[1].integer;
        return map2(
            a, args[1],
            [is_min](double x, double y) { return is_min ? std::min(x, y) : std::max(x, y); },
            integer, span);
      }
      if (a.size() == 0) throw EvalError(span, "min/max of an empty vector");
      double r = is_min ? *std::min_element(a.data.begin(), a.data.end())
                        : *std::max_element(a.data.begin(), a.data.end());
      return Value::scalar(r, a.integer);
    }
    case Builtin::Dot: {
      const Value& b = args[1];
      if (a.size() != b.size())
        throw EvalError(span, "dot of vectors of different lengths (" + std::to_string(a.size()) +
                                  " and " + std::to_string(b.size()) + ")");
      return Value::scalar(std::inner_product(a.data.begin(), a.data.end(), b.data.begin(), 0.0));
    }
    case Builtin::Columns: {
      std::vector<const Value*> cols;
      for (const Value& c : args) cols.push_back(&c);
      return stack_columns(cols, span);
    }
    case Builtin::Rep: {
      double n = args[1][0];
      if (n < 0 || n != std::floor(n)) throw EvalError(span, "rep needs a whole number of copies");
      return Value::vector(std::vector<double>(static_cast<std::size_t>(n), a[0]), a.integer);
    }
    case Builtin::Seq: {
      double lo = a[0], hi = args[1][0];
      std::vector<double> out;
      for (double x = lo; x <= hi; x += 1) out.push_back(x);
      return Value::vector(std::move(out), true);
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
          return map2(
              a, b, [](double x, double y) { return std::pow(x, y); },
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
          std::size_t r = to_index(idx[0], base.rows, n.args[1]->span);
          std::size_t c = to_index(col[0], base.cols, n.args[2]->span);
          return Value::scalar(base.at(r, c), base.integer);
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
