// Evaluating checked expressions on known values: data folding in the
// checker, and posterior draws or point estimates in the engines.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "expr/ir.hpp"

namespace bayes::ir {

// Where the values of data and parameters come from.
struct Env {
  std::span<const Value> data;
  std::span<const Value> params;  // may be empty when evaluating data only
  // Alternatively, data read through an accessor (e.g. from Model::data without copying).
  const void* owner = nullptr;
  const Value& (*data_at)(const void* owner, std::size_t i) = nullptr;

  // Inside a recursion's body (ir::Op::Scan): the loop variable and the
  // vector defined so far.
  double iter = 0;
  const Value* self = nullptr;

  const Value& datum(std::size_t i) const { return data_at ? data_at(owner, i) : data[i]; }
};

// A run-time error with the place it happened (index out of range, lengths
// that differ, ...).
struct EvalError : std::runtime_error {
  Span span;
  EvalError(Span s, const std::string& m) : std::runtime_error(m), span(s) {}
};

Value eval(const Node& n, const Env& env);

// Elementwise application of a builtin or operator to already-evaluated values
// (shared with the checker's constant folding).
Value apply_builtin(Builtin fn, std::span<const Value> args, Span span);

// The sum over the elements of a family's function (ir::Op::Dist), its
// arguments broadcast: a scalar argument applies to every element.
double dist_sum(const dist::Family& f, DistFn fn, std::span<const Value> args, Span span);

// columns(a, b, ...): the vectors side by side, a column-major matrix.
Value stack_columns(const std::vector<const Value*>& cols, Span span);

}  // namespace bayes::ir
