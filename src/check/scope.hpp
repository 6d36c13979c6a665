// The checker's names (internal to src/check/): receives the definitions of
// the prelude and the program in order, produces what each name means where
// it is used, and the messages for names that are taken, unknown or used too
// early ("did you mean ...").
#pragma once

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "ast/ast.hpp"
#include "diag/diagnostic.hpp"

namespace bayes::check {

enum class SymKind { Data, Param, Let, Fn };

// "data", "parameter", "let", "function".
const char* kind_name(SymKind k);

struct Symbol {
  SymKind kind;
  std::size_t index = 0;  // into the model's data / params / lets, or Scope's functions
  Span span;              // where it was defined
  bool bad = false;       // its definition had an error
  bool prelude = false;   // defined by the prelude: a program may redefine it
};

// The table of names defined so far, and every name the program will define
// (for "used before its definition").
class Scope {
 public:
  explicit Scope(bool allow_redefinition) : allow_redefinition_(allow_redefinition) {}

  // The symbol called `name`, or nullptr.
  const Symbol* find(const std::string& name) const;
  // The same among the prelude's own definitions: a prelude function's body
  // means what it meant in the prelude, whatever the program defines later
  // (a program's `fn mean(x) = 100` does not change `center`).
  const Symbol* find_in_prelude(const std::string& name) const;
  bool has(const std::string& name) const { return symbols_.count(name) > 0; }
  bool is_function(const std::string& name) const;

  // Declares `id`; reports a second definition (a replacement in the REPL) and
  // a distribution's name. Returns false when the name is taken.
  bool declare(const ast::Ident& id, SymKind kind, std::size_t index, Diagnostics& diags);
  // Declares `id` as defined with an error, so that its uses are skipped quietly.
  void declare_bad(const ast::Ident& id, SymKind kind);
  // Every name defined so far came from the prelude: the program may redefine it.
  void mark_prelude();

  // Remembers every name the program defines and the statement that defines it first.
  void expect_definitions(const ast::Program& program);
  // The statement now being checked (for "used in its own definition").
  void enter_statement(Span statement) { current_ = statement; }

  // Reports a name that is not defined here: defined later in the file, in
  // its own definition, or unknown (with a did-you-mean among `candidates`).
  Diagnostic& report_unknown(const std::string& name, Span span, const std::string& what,
                             const std::vector<std::string>& candidates, Diagnostics& diags) const;
  // Defined later in the program (not yet in the table).
  bool defined_later(const std::string& name) const;

  // Every defined name, sorted.
  std::vector<std::string> names() const;
  // The built-in functions, then the user's.
  std::vector<std::string> function_names() const;

  std::size_t function_count() const { return fns_.size(); }
  void add_function(const ast::FnStmt& f) { fns_.push_back(f); }
  const ast::FnStmt& function(std::size_t index) const { return fns_.at(index); }

 private:
  bool allow_redefinition_;
  std::map<std::string, Symbol> symbols_;
  std::map<std::string, Symbol> prelude_symbols_;  // as mark_prelude found them
  std::vector<ast::FnStmt> fns_;
  std::map<std::string, Span> definitions_;
  Span current_;
};

// `fn name(params) = body`: the parameters must be distinct, and the body may
// use them and names defined before; types are checked at each call. Declares
// the function (bad when something is wrong).
void define_function(const ast::FnStmt& s, Scope& scope, Diagnostics& diags);

// Every name an expression reads (names of calls excluded).
void names_in(const ast::Expr& e, std::set<std::string>& out);

// The queries of `print`: posterior, map, mle, ...
const std::vector<std::string>& query_list();
bool is_query_name(const std::string& name);
// lpdf, lcdf, lccdf: functions of a distribution, `lpdf(Normal(0, 1), x)`.
bool is_dist_function(const std::string& name);

}  // namespace bayes::check
