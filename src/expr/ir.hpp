// Checked expressions: the typed, name-resolved form the checker produces
// from ast::Expr and every later stage reads. User functions and `let`
// references used inside factors are already inlined; data and parameters are
// referenced by index into the checked program's tables.
#pragma once

#include <memory>
#include <vector>

#include "data/value.hpp"
#include "diag/diagnostic.hpp"
#include "dist/family.hpp"
#include "expr/builtins.hpp"
#include "expr/type.hpp"

namespace bayes::ir {

enum class Op {
  Const,  // value
  Data,   // ref: index into data
  Param,  // ref: index into params
  Neg,
  Not,
  Add,
  Sub,
  Mul,
  Div,
  Pow,     // elementwise with scalar broadcasting
  MatVec,  // matrix * vector
  Lt,
  Le,
  Gt,
  Ge,
  Eq,
  Ne,
  And,
  Or,
  Call,    // fn
  Index,   // args[0][args[1]] (gather when args[1] is a vector); args[0][args[1], args[2]] for a
           // matrix
  Vector,  // [args...]
  Dist,    // dist_fn of `family` at args = [the family's arguments..., x] (lo, hi for LogMass)
  Concat,  // the vectors (or numbers) args, one after the other
  // A recursion, `let e[t] = f(t, e[t - 1], ...)` for t in from..: the vector
  // args[0] (the elements defined before), then `ref` more elements, element
  // t being args[1] (the body, a scalar) evaluated with Iter = t and Self =
  // the vector so far. value holds `from`, the first t.
  Scan,
  Iter,  // inside a Scan's body: the loop variable t (a scalar)
  Self,  // inside a Scan's body: the vector being defined (read only before t)
};

// An Op::Dist node computes dist_fn summed over the elements (arguments
// broadcast as in `x ~ D(...)`): a scalar.
using dist::DistFn;

struct Node;
using NodePtr = std::shared_ptr<const Node>;

struct Node {
  Op op = Op::Const;
  Type type;
  Span span;
  Value value;                           // Const
  std::size_t ref = 0;                   // Data, Param
  Builtin fn = Builtin::Exp;             // Call
  const dist::Family* family = nullptr;  // Dist
  DistFn dist_fn = DistFn::Lpdf;         // Dist
  std::vector<NodePtr> args;
  std::size_t depth = 1;  // 1 + the deepest argument's: the checker bounds it (see checker.cpp)
  // Nodes once shared arguments are counted each time they are used (the tree
  // lets and functions expand to, which walks over the expression visit),
  // saturating: the checker bounds it too.
  std::size_t size = 1;
};

inline NodePtr constant(Value v, Span span = {}) {
  auto n = std::make_shared<Node>();
  n->op = Op::Const;
  n->type = Type::of(v);
  n->value = std::move(v);
  n->span = span;
  return n;
}

// True when no parameter appears in the expression (and it is not inside a
// recursion's body, where Iter and Self stand for values not yet known).
bool is_data_only(const Node& n);
// True when a recursion's Iter or Self appears in the expression.
bool in_recursion(const Node& n);
// Indices of the parameters the expression reads, sorted, without repeats.
std::vector<std::size_t> params_of(const Node& n);
void collect_params(const Node& n, std::vector<std::size_t>& out);
// Indices of the data it reads.
void collect_data(const Node& n, std::vector<std::size_t>& out);

}  // namespace bayes::ir
