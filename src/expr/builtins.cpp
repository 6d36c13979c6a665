// The built-in function table.
#include "expr/builtins.hpp"

#include <cstdint>

namespace bayes {

namespace {
constexpr std::size_t kAny = SIZE_MAX;
using S = BuiltinShape;
}  // namespace

const std::vector<BuiltinInfo>& all_builtins() {
  static const std::vector<BuiltinInfo> table = {
      {Builtin::Exp, "exp", 1, 1, S::Elementwise, "e to the power x"},
      {Builtin::Log, "log", 1, 1, S::Elementwise, "natural logarithm"},
      {Builtin::Log1p, "log1p", 1, 1, S::Elementwise, "log(1 + x), accurate near 0"},
      {Builtin::Expm1, "expm1", 1, 1, S::Elementwise, "exp(x) - 1, accurate near 0"},
      {Builtin::Sqrt, "sqrt", 1, 1, S::Elementwise, "square root"},
      {Builtin::Square, "square", 1, 1, S::Elementwise, "x * x"},
      {Builtin::Abs, "abs", 1, 1, S::Elementwise, "absolute value"},
      {Builtin::Lgamma, "lgamma", 1, 1, S::Elementwise, "log of the gamma function"},
      {Builtin::Logistic, "logistic", 1, 1, S::Elementwise, "1 / (1 + exp(-x))"},
      {Builtin::Logit, "logit", 1, 1, S::Elementwise, "log(x / (1 - x))"},
      {Builtin::Floor, "floor", 1, 1, S::Elementwise, "largest integer <= x"},
      {Builtin::Ceil, "ceil", 1, 1, S::Elementwise, "smallest integer >= x"},
      {Builtin::Round, "round", 1, 1, S::Elementwise, "nearest integer"},
      {Builtin::Pow, "pow", 2, 2, S::Elementwise2, "pow(x, y) = x ^ y"},
      {Builtin::Softmax, "softmax", 1, 1, S::VectorMap, "exp(x) / sum(exp(x))"},
      {Builtin::LogSoftmax, "log_softmax", 1, 1, S::VectorMap, "x - log_sum_exp(x)"},
      {Builtin::Cumsum, "cumsum", 1, 1, S::VectorMap, "running sums"},
      {Builtin::Sum, "sum", 1, 1, S::Reduce, "sum of the elements"},
      {Builtin::Prod, "prod", 1, 1, S::Reduce, "product of the elements"},
      {Builtin::Mean, "mean", 1, 1, S::Reduce,
       "mean of the elements (of a parameter: posterior mean)"},
      {Builtin::Sd, "sd", 1, 1, S::Reduce, "sample standard deviation (N - 1)"},
      {Builtin::Variance, "variance", 1, 1, S::Reduce, "sample variance (N - 1)"},
      {Builtin::Length, "length", 1, 1, S::Reduce, "number of elements"},
      {Builtin::LogSumExp, "log_sum_exp", 1, 1, S::Reduce, "log(sum(exp(x))), computed stably"},
      {Builtin::Min, "min", 1, 2, S::MinMax, "smallest element, or elementwise min(x, y)"},
      {Builtin::Max, "max", 1, 2, S::MinMax, "largest element, or elementwise max(x, y)"},
      {Builtin::Dot, "dot", 2, 2, S::Dot, "dot product of two vectors"},
      {Builtin::Columns, "columns", 1, kAny, S::Columns, "matrix whose columns are the vectors"},
      {Builtin::Rep, "rep", 2, 2, S::Rep, "rep(x, n): a vector of n copies of x"},
      {Builtin::Seq, "seq", 2, 2, S::Seq, "seq(a, b): the integers a, a + 1, ..., b"},
  };
  return table;
}

const BuiltinInfo* find_builtin(std::string_view name) {
  for (const auto& b : all_builtins())
    if (b.name == name) return &b;
  return nullptr;
}

const BuiltinInfo& info(Builtin id) {
  for (const auto& b : all_builtins())
    if (b.id == id) return b;
  return all_builtins().front();
}

}  // namespace bayes
