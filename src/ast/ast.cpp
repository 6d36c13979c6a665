// AST helpers: operator names and printing expressions back as source.
#include "ast/ast.hpp"

#include <sstream>

#include "format/format.hpp"

namespace bayes::ast {

const char* to_string(UnaryOp op) { return op == UnaryOp::Neg ? "-" : "!"; }

const char* to_string(BinaryOp op) {
  switch (op) {
    case BinaryOp::Add:
      return "+";
    case BinaryOp::Sub:
      return "-";
    case BinaryOp::Mul:
      return "*";
    case BinaryOp::EMul:
      return ".*";
    case BinaryOp::Div:
      return "/";
    case BinaryOp::Pow:
      return "^";
    case BinaryOp::Lt:
      return "<";
    case BinaryOp::Le:
      return "<=";
    case BinaryOp::Gt:
      return ">";
    case BinaryOp::Ge:
      return ">=";
    case BinaryOp::Eq:
      return "==";
    case BinaryOp::Ne:
      return "!=";
    case BinaryOp::And:
      return "&&";
    case BinaryOp::Or:
      return "||";
  }
  return "?";
}

int precedence(BinaryOp op) {
  switch (op) {
    case BinaryOp::Or:
      return 1;
    case BinaryOp::And:
      return 2;
    case BinaryOp::Lt:
    case BinaryOp::Le:
    case BinaryOp::Gt:
    case BinaryOp::Ge:
    case BinaryOp::Eq:
    case BinaryOp::Ne:
      return 3;
    case BinaryOp::Add:
    case BinaryOp::Sub:
      return 4;
    case BinaryOp::Mul:
    case BinaryOp::EMul:
    case BinaryOp::Div:
      return 5;
    case BinaryOp::Pow:
      return 7;  // unary operators are 6
  }
  return 0;
}

namespace {

int expr_precedence(const Expr& e) {
  if (auto b = as<Binary>(e)) return precedence(b->op);
  if (as<Unary>(e)) return 6;
  return 8;
}

void write(std::ostream& out, const Expr& e);

void write_child(std::ostream& out, const Expr& child, int min_prec) {
  bool parens = expr_precedence(child) < min_prec;
  if (parens) out << '(';
  write(out, child);
  if (parens) out << ')';
}

void write_list(std::ostream& out, const std::vector<ExprPtr>& xs) {
  for (std::size_t i = 0; i < xs.size(); ++i) {
    if (i) out << ", ";
    write(out, *xs[i]);
  }
}

void write(std::ostream& out, const Expr& e) {
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, Number>) {
          out << format::significant(n.value, 15);
        } else if constexpr (std::is_same_v<T, StringLit>) {
          out << '"' << n.value << '"';
        } else if constexpr (std::is_same_v<T, Name>) {
          out << n.id;
        } else if constexpr (std::is_same_v<T, Unary>) {
          out << to_string(n.op);
          write_child(out, *n.operand, 6);
        } else if constexpr (std::is_same_v<T, Binary>) {
          int p = precedence(n.op);
          bool right_assoc = n.op == BinaryOp::Pow;
          write_child(out, *n.lhs, right_assoc ? p + 1 : p);
          bool tight = n.op == BinaryOp::Pow;
          out << (tight ? "" : " ") << to_string(n.op) << (tight ? "" : " ");
          write_child(out, *n.rhs, right_assoc ? p : p + 1);
        } else if constexpr (std::is_same_v<T, Call>) {
          out << n.callee.name << '(';
          write_list(out, n.args);
          out << ')';
        } else if constexpr (std::is_same_v<T, Index>) {
          write_child(out, *n.base, 8);
          out << '[';
          write_list(out, n.indices);
          out << ']';
        } else if constexpr (std::is_same_v<T, VectorLit>) {
          out << '[';
          write_list(out, n.elems);
          out << ']';
        }
      },
      e.node);
}

}  // namespace

std::string to_source(const Expr& e) {
  std::ostringstream out;
  write(out, e);
  return out.str();
}

std::string to_source(const DistCall& d) {
  std::ostringstream out;
  out << d.name.name << '(';
  write_list(out, d.args);
  out << ')';
  return out.str();
}

}  // namespace bayes::ast
