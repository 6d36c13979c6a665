// Built-in functions of the language: the one table that gives each
// function's name, arity, shape and mathematics (its value with its
// derivative). The checker reads the names and shapes; the evaluator
// (expr/eval.cpp) and both sweeps of the AD tape (numeric/tape.cpp) apply
// the mathematics.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bayes {

// In the order of the table in builtins.cpp (info() indexes it by this enum).
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
  Hypot,  // elementwise, two arguments
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
  Max,         // vector -> scalar, or two arguments elementwise
  Dot,         // two vectors -> scalar
  Columns,     // vectors -> matrix
  Rep,         // rep(x, n): vector of n copies
  Seq,         // seq(a, b): integer vector a..b
  CovExpQuad,  // cov_exp_quad(x, alpha, rho): the squared-exponential kernel matrix
  Diag,        // diag(v): the diagonal matrix of v
  Cholesky,    // cholesky(M): the lower Cholesky factor of M
  Rows,        // rows(a, b, ...): vectors -> matrix, one row each
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
  Seq,
  Matrix  // cov_exp_quad, diag, cholesky: the evaluator builds them; the tape only in MultiNormal
};

// Whether a result holds integers: never, when every argument does, or always.
enum class IntegerResult { Never, IfArguments, Always };

// The mathematics of a function of one or two arguments on flat arrays of
// doubles (a scalar is an array of one element; a matrix, its column-major
// elements). x is the first argument, y the second (empty for a function of
// one argument). An elementwise function of two arguments broadcasts an
// argument of one element.
struct BuiltinMath {
  using In = std::span<const double>;
  using Out = std::span<double>;
  // out = f(x, y). The caller sizes out: one element when scalar_result,
  // otherwise the longer argument's size.
  void (*value)(In x, In y, Out out) = nullptr;
  // The vector-Jacobian product: given out = f(x, y) and g = d total / d out,
  // adds g' (d out / d x) into dx and g' (d out / d y) into dy (sized like x
  // and y). nullptr: the function is piecewise constant (zero derivative).
  void (*vjp)(In x, In y, In out, In g, Out dx, Out dy) = nullptr;
  bool scalar_result = false;
};

// A function's mathematics by number of arguments: `one` for a function of
// one argument, `two` for two (pow, dot, and min and max elementwise). Both
// are empty (value == nullptr) for the functions that build shapes (columns,
// rep, seq): the evaluator builds those itself and the tape refuses them.
struct BuiltinForms {
  BuiltinMath one, two;
};

struct BuiltinInfo {
  Builtin id;
  std::string_view name;
  std::size_t min_args;
  std::size_t max_args;  // SIZE_MAX: any number
  BuiltinShape shape;
  std::string_view help;
  IntegerResult integer;
  BuiltinForms forms;

  const BuiltinMath& math(std::size_t n_args) const { return n_args == 2 ? forms.two : forms.one; }
};

const BuiltinInfo* find_builtin(std::string_view name);
const BuiltinInfo& info(Builtin b);
const std::vector<BuiltinInfo>& all_builtins();

}  // namespace bayes
