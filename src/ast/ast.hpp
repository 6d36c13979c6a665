// The AST: plain structs and variants, every node with its source span.
// Built by src/syntax from the PEGTL parse tree; read by src/check.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "diag/diagnostic.hpp"

namespace bayes::ast {

struct Expr;
using ExprPtr = std::shared_ptr<const Expr>;

enum class UnaryOp { Neg, Not };
enum class BinaryOp { Add, Sub, Mul, EMul, Div, Pow, Lt, Le, Gt, Ge, Eq, Ne, And, Or };

const char* to_string(UnaryOp op);
const char* to_string(BinaryOp op);
// Binding strength, higher binds tighter (for printing with the fewest parentheses).
int precedence(BinaryOp op);

struct Ident {
  std::string name;
  Span span;
};

struct Number {
  double value = 0;
  bool integer = false;  // written without '.', exponent or "inf"
};
struct StringLit {
  std::string value;
};
struct Name {
  std::string id;
};
struct Unary {
  UnaryOp op;
  ExprPtr operand;
};
struct Binary {
  BinaryOp op;
  ExprPtr lhs, rhs;
};
struct Call {
  Ident callee;
  std::vector<ExprPtr> args;
};
struct Index {
  ExprPtr base;
  std::vector<ExprPtr> indices;  // v[i] has one; m[i, j] two
};
struct VectorLit {
  std::vector<ExprPtr> elems;
};

struct Expr {
  std::variant<Number, StringLit, Name, Unary, Binary, Call, Index, VectorLit> node;
  Span span;
};

template <typename T>
const T* as(const Expr& e) {
  return std::get_if<T>(&e.node);
}

// `D(args)` on the right of `~`.
struct DistCall {
  Ident name;
  std::vector<ExprPtr> args;
  Span span;
};

// data x = EXPR  |  data a, b from "file.csv"
struct DataStmt {
  std::vector<Ident> names;
  ExprPtr value;                    // set for `= EXPR`
  std::optional<std::string> file;  // set for `from "..."`
  Span file_span;
};

struct ParamDecl {
  Ident name;
  ExprPtr size;  // param w[K]: K; null for a scalar
};

// param p ~ D(...) | param w[K] ~ D(...) | param mu, s2 ~ D(...) |
// param s > 0 | param s < 0 | param q in (lo, hi) | param b
enum class Order { None, Ordered, PositiveOrdered };

struct ParamStmt {
  std::vector<ParamDecl> decls;
  Order order = Order::None;  // `ordered` / `positive_ordered` after the names
  Span order_span;
  std::optional<DistCall> prior;
  ExprPtr lower;  // flat prior bounds; null = unbounded
  ExprPtr upper;
};

// let v = EXPR | let v[i] = EXPR (one element)
struct LetStmt {
  Ident name;
  ExprPtr index;  // null unless `let v[i] = ...`
  ExprPtr value;
};

// `T[lower, upper]` after a likelihood; a bound left out is null.
struct Truncation {
  ExprPtr lower, upper;
  Span span;
};

// EXPR ~ D(...) | EXPR ~ D(...) T[lower, upper]
struct ObserveStmt {
  ExprPtr lhs;
  DistCall dist;
  std::optional<Truncation> truncation;
};

// factor EXPR
struct FactorStmt {
  ExprPtr value;
};

struct FnStmt {
  Ident name;
  std::vector<Ident> params;
  ExprPtr body;
};

struct PrintStmt {
  ExprPtr query;
};

struct PlotStmt {
  ExprPtr target;
  std::optional<std::string> file;
  Span file_span;
};

struct Stmt;

// for var in from:to { body }
struct ForStmt {
  Ident var;
  ExprPtr from, to;
  std::vector<Stmt> body;
};

struct Stmt {
  std::variant<DataStmt, ParamStmt, LetStmt, ObserveStmt, FnStmt, PrintStmt, PlotStmt, FactorStmt,
               ForStmt>
      node;
  Span span;
};

struct Program {
  std::vector<Stmt> stmts;
};

// Source-like text of an expression (for messages, query labels and JSON keys).
std::string to_source(const Expr& e);
std::string to_source(const DistCall& d);

}  // namespace bayes::ast
