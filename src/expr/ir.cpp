// Walks over checked expressions.
#include "expr/ir.hpp"

#include <algorithm>

namespace bayes {

std::string to_string(const Type& t) {
  std::string e = t.elem == Elem::Int ? "int" : t.elem == Elem::Bool ? "bool" : "real";
  auto n = [](std::size_t k) { return k ? std::to_string(k) : std::string("?"); };
  switch (t.rank) {
    case Rank::Scalar:
      return e;
    case Rank::Vector:
      return (t.elem == Elem::Real ? "" : e + " ") + "vector[" + n(t.rows) + "]";
    case Rank::Matrix:
      return "matrix[" + n(t.rows) + ", " + n(t.cols) + "]";
  }
  return e;
}

namespace ir {

bool in_recursion(const Node& n) {
  if (n.op == Op::Iter || n.op == Op::Self) return true;
  if (n.op == Op::Scan) return in_recursion(*n.args[0]);  // its own body's are its own
  return std::any_of(n.args.begin(), n.args.end(),
                     [](const NodePtr& a) { return in_recursion(*a); });
}

bool is_data_only(const Node& n) {
  if (n.op == Op::Param || n.op == Op::Iter || n.op == Op::Self) return false;
  // A recursion's t and own values are its own: it is data when no parameter enters.
  if (n.op == Op::Scan) return is_data_only(*n.args[0]) && params_of(*n.args[1]).empty();
  return std::all_of(n.args.begin(), n.args.end(),
                     [](const NodePtr& a) { return is_data_only(*a); });
}

void collect_params(const Node& n, std::vector<std::size_t>& out) {
  if (n.op == Op::Param) out.push_back(n.ref);
  for (const auto& a : n.args) collect_params(*a, out);
}

void collect_data(const Node& n, std::vector<std::size_t>& out) {
  if (n.op == Op::Data) out.push_back(n.ref);
  for (const auto& a : n.args) collect_data(*a, out);
}

std::vector<std::size_t> params_of(const Node& n) {
  std::vector<std::size_t> out;
  collect_params(n, out);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

}  // namespace ir
}  // namespace bayes
