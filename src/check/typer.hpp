// The checker's types and shapes (internal to src/check/): receives an AST
// expression, the names in scope and the model built so far; produces the
// typed, constant-folded IR expression, with sizes and data indices checked,
// and user functions inlined.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ast/ast.hpp"
#include "check/model.hpp"
#include "check/scope.hpp"
#include "diag/diagnostic.hpp"
#include "expr/builtins.hpp"
#include "expr/ir.hpp"

namespace bayes::check {

// "a scalar", "a vector of length 3", "a 2x3 matrix".
std::string describe_shape(const Type& t);

class Typer {
 public:
  Typer(const Scope& scope, const Model& model, Diagnostics& diags)
      : scope_(scope), model_(model), diags_(diags) {}

  // A new top-level statement: its own budget of nodes made (kMaxMade).
  void new_statement() { made_ = 0; }

  // The typed expression; on an error, reports it and throws Poisoned.
  ir::NodePtr expr(const ast::Expr& e);
  // Like expr(), but the whole expression must be data (`context` says what it is).
  ir::NodePtr data_expr(const ast::Expr& e, const std::string& context);
  // The value of a data-only expression, reading the model's data.
  Value value_of(const ir::Node& n);
  // The first data-only part of n (not a plain data name, which is finite
  // when read) whose value has a NaN or an infinity.
  const ir::Node* nonfinite_data_part(const ir::Node& n);
  // Reports `name` as unknown, or defined too late, and throws Poisoned.
  [[noreturn]] void unknown_name(const std::string& name, Span span);
  // While a loop's body is checked: its variables, each bound to the vector of
  // its values over the iterations (the expressions are vectorised).
  void push_loop(std::map<std::string, ir::NodePtr> vars) { loops_.push_back(std::move(vars)); }
  void pop_loop() { loops_.pop_back(); }

  // Reports unless n is a number. A condition on data alone is one (0 or 1):
  // n becomes its numeric copy.
  void require_numeric(ir::NodePtr& n, const char* what);

 private:
  const Scope& scope_;
  const Model& model_;
  Diagnostics& diags_;
  // Function parameters bound to checked arguments while a user function is inlined.
  std::vector<std::map<std::string, ir::NodePtr>> bindings_;
  // The enclosing loops' variables (innermost last); not seen inside a user
  // function's body, which sees only its own parameters.
  std::vector<std::map<std::string, ir::NodePtr>> loops_;
  // While a user function's body is inlined: the span of the outermost call,
  // in the user's file. Nodes made meanwhile carry it (their own spans would
  // be in the function's definition, perhaps in the prelude).
  std::optional<Span> call_span_;
  // Inside a prelude function's body (how many deep): names mean what they
  // meant in the prelude.
  int prelude_depth_ = 0;
  const Symbol* lookup(const std::string& name) const {
    return prelude_depth_ > 0 ? scope_.find_in_prelude(name) : scope_.find(name);
  }
  // Recursion depth of expr(): bounded so that checking cannot overflow the stack.
  std::size_t depth_ = 0;
  std::size_t made_ = 0;  // nodes made, folded ones too: bounded by kMaxMade

  [[noreturn]] void fail(Span span, const std::string& message, const std::string& note = "");
  // Where a node made now is said to be: inside an inlined function body, the call.
  Span at(Span span) const { return call_span_ ? *call_span_ : span; }
  ir::NodePtr node(ir::Op op, Type type, Span span, std::vector<ir::NodePtr> args = {});
  ir::NodePtr fold(ir::NodePtr n);
  Type broadcast(const Type& a, const Type& b, Span span, const char* what);

  ir::NodePtr expr_node(const ast::Number& n, Span span);
  ir::NodePtr expr_node(const ast::StringLit& s, Span span);
  ir::NodePtr expr_node(const ast::Name& n, Span span);
  ir::NodePtr expr_node(const ast::Unary& u, Span span);
  ir::NodePtr expr_node(const ast::Binary& b, Span span);
  ir::NodePtr expr_node(const ast::VectorLit& v, Span span);
  ir::NodePtr expr_node(const ast::Index& ix, Span span);
  ir::NodePtr expr_node(const ast::Call& c, Span span);

  void index_support_fits(const ir::Node& idx, std::size_t limit);
  ir::NodePtr user_call(const ast::Call& c, const Symbol& sym, Span span);
  ir::NodePtr dist_call(const ast::Call& c, Span span);
  ir::NodePtr inline_call(const ast::FnStmt& f, bool from_prelude,
                          std::map<std::string, ir::NodePtr> bound, Span call);
  ir::NodePtr builtin_call(const ast::Call& c, const BuiltinInfo& b, Span span);
  Type builtin_type(const BuiltinInfo& b, const std::string& name,
                    const std::vector<ir::NodePtr>& args, Span span);
  Type sequence_type(const BuiltinInfo& b, const std::string& name,
                     const std::vector<ir::NodePtr>& args, Span span);
};

}  // namespace bayes::check
