// Built-in functions of the language: names, arities and how they map shapes.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bayes {

enum class Builtin {
  Exp,
  Log,
  Log1p,
  Expm1,
  Sqrt,
  Square,
  Abs,
  Lgamma,
  Logistic,
  Logit,
  Floor,
  Ceil,
  Round,  // elementwise
  Pow,    // elementwise, two arguments
  Softmax,
  LogSoftmax,
  Cumsum,  // vector -> vector
  Sum,
  Prod,
  Mean,
  Sd,
  Variance,
  Length,
  LogSumExp,  // vector -> scalar
  Min,
  Max,      // vector -> scalar, or two arguments elementwise
  Dot,      // two vectors -> scalar
  Columns,  // vectors -> matrix
  Rep,      // rep(x, n): vector of n copies
  Seq,      // seq(a, b): integer vector a..b
};

enum class BuiltinShape {
  Elementwise,
  Elementwise2,
  VectorMap,
  Reduce,
  MinMax,
  Dot,
  Columns,
  Rep,
  Seq
};

struct BuiltinInfo {
  Builtin id;
  std::string_view name;
  std::size_t min_args;
  std::size_t max_args;  // SIZE_MAX: any number
  BuiltinShape shape;
  std::string_view help;
};

const BuiltinInfo* find_builtin(std::string_view name);
const BuiltinInfo& info(Builtin b);
const std::vector<BuiltinInfo>& all_builtins();

}  // namespace bayes
