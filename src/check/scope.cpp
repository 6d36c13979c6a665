// The checker's names: the symbol table, definitions, redefinition rules and
// "did you mean". Receives definitions in order; produces symbols and messages.
#include "check/scope.hpp"

#include <algorithm>
#include <functional>
#include <type_traits>
#include <variant>

#include "dist/family.hpp"
#include "expr/builtins.hpp"

namespace bayes::check {

const char* kind_name(SymKind k) {
  switch (k) {
    case SymKind::Data:
      return "data";
    case SymKind::Param:
      return "parameter";
    case SymKind::Let:
      return "let";
    case SymKind::Fn:
      return "function";
  }
  return "name";
}

const Symbol* Scope::find(const std::string& name) const {
  auto it = symbols_.find(name);
  return it == symbols_.end() ? nullptr : &it->second;
}

bool Scope::is_function(const std::string& name) const {
  const Symbol* s = find(name);
  return s && s->kind == SymKind::Fn;
}

bool Scope::declare(const ast::Ident& id, SymKind kind, std::size_t index, Diagnostics& diags) {
  auto it = symbols_.find(id.name);
  if (it != symbols_.end() && !allow_redefinition_ && !it->second.prelude) {
    auto& d = diags.error(id.span, "'" + id.name + "' is already defined");
    d.notes.push_back("the first definition, as " + std::string(kind_name(it->second.kind)) +
                      ", is at line " + std::to_string(it->second.span.line));
    return false;
  }
  if (dist::find(id.name)) {
    diags.error(id.span, "'" + id.name + "' is the name of a distribution; choose another name");
    return false;
  }
  symbols_[id.name] = Symbol{kind, index, id.span};
  return true;
}

void Scope::declare_bad(const ast::Ident& id, SymKind kind) {
  if (!symbols_.count(id.name) || allow_redefinition_)
    symbols_[id.name] = Symbol{kind, 0, id.span, true};
}

const Symbol* Scope::find_in_prelude(const std::string& name) const {
  auto it = prelude_symbols_.find(name);
  return it == prelude_symbols_.end() ? nullptr : &it->second;
}

void Scope::mark_prelude() {
  for (auto& [name, sym] : symbols_) sym.prelude = true;
  prelude_symbols_ = symbols_;
}

void Scope::expect_definitions(const ast::Program& program) {
  auto define = [&](const ast::Ident& id, Span stmt) {
    Span s = stmt;
    s.line = id.span.line;
    definitions_.emplace(id.name, s);
  };
  std::function<void(const std::vector<ast::Stmt>&)> walk = [&](const auto& stmts) {
    for (const auto& stmt : stmts) {
      std::visit(
          [&](const auto& st) {
            using T = std::decay_t<decltype(st)>;
            if constexpr (std::is_same_v<T, ast::DataStmt>) {
              for (const auto& id : st.names) define(id, stmt.span);
            } else if constexpr (std::is_same_v<T, ast::ParamStmt>) {
              for (const auto& d : st.decls) define(d.name, stmt.span);
            } else if constexpr (std::is_same_v<T, ast::LetStmt> ||
                                 std::is_same_v<T, ast::FnStmt>) {
              define(st.name, stmt.span);
            } else if constexpr (std::is_same_v<T, ast::ForStmt>) {
              walk(st.body);
            }
          },
          stmt.node);
    }
  };
  walk(program.stmts);
}

Diagnostic& Scope::report_unknown(const std::string& name, Span span, const std::string& what,
                                  const std::vector<std::string>& candidates,
                                  Diagnostics& diags) const {
  auto later = definitions_.find(name);
  if (later != definitions_.end() && !symbols_.count(name)) {
    if (later->second.begin == current_.begin && current_.line)
      return diags.error(span, "'" + name + "' is used in its own definition");
    return diags.error(span, "'" + name + "' is used before its definition on line " +
                                 std::to_string(later->second.line));
  }
  auto& d = diags.error(span, "unknown " + what + " '" + name + "'");
  suggest(d, closest_name(name, candidates));
  return d;
}

bool Scope::defined_later(const std::string& name) const {
  return definitions_.count(name) && !symbols_.count(name);
}

std::vector<std::string> Scope::names() const {
  std::vector<std::string> out;
  for (const auto& [name, sym] : symbols_) out.push_back(name);
  return out;
}

std::vector<std::string> Scope::function_names() const {
  std::vector<std::string> out;
  for (const auto& x : all_builtins()) out.emplace_back(x.name);
  for (const auto& [n, s] : symbols_)
    if (s.kind == SymKind::Fn) out.push_back(n);
  return out;
}

namespace {

// Checks that every name in a function body is a parameter of the function
// (`bound`) or already defined, and every call names a known function other
// than `defining` itself.
bool names_resolve(const ast::Expr& e, const std::set<std::string>& bound,
                   const std::string& defining, const Scope& scope, Diagnostics& diags) {
  auto sub = [&](const ast::Expr& x) { return names_resolve(x, bound, defining, scope, diags); };
  bool ok = true;
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::Name>) {
          const bool constant = (n.id == "pi" || n.id == "e") && !scope.defined_later(n.id);
          if (!bound.count(n.id) && !scope.has(n.id) && !constant) {
            std::vector<std::string> names = scope.names();
            for (const auto& k : bound) names.push_back(k);
            scope.report_unknown(n.id, e.span, "name", names, diags);
            ok = false;
          }
        } else if constexpr (std::is_same_v<T, ast::Call>) {
          bool user = scope.is_function(n.callee.name);
          if (n.callee.name == defining && !find_builtin(n.callee.name)) {
            diags.error(n.callee.span,
                        "'" + n.callee.name + "' cannot call itself: functions are not recursive");
            ok = false;
          } else if (!user && !find_builtin(n.callee.name) && !is_dist_function(n.callee.name) &&
                     !dist::find(n.callee.name)) {
            scope.report_unknown(n.callee.name, n.callee.span, "function", scope.function_names(),
                                 diags);
            ok = false;
          }
          for (const auto& a : n.args) ok = sub(*a) && ok;
        } else if constexpr (std::is_same_v<T, ast::Unary>) {
          ok = sub(*n.operand);
        } else if constexpr (std::is_same_v<T, ast::Binary>) {
          ok = sub(*n.lhs) && ok;
          ok = sub(*n.rhs) && ok;
        } else if constexpr (std::is_same_v<T, ast::Index>) {
          ok = sub(*n.base);
          for (const auto& a : n.indices) ok = sub(*a) && ok;
        } else if constexpr (std::is_same_v<T, ast::VectorLit>) {
          for (const auto& a : n.elems) ok = sub(*a) && ok;
        }
      },
      e.node);
  return ok;
}

}  // namespace

void define_function(const ast::FnStmt& s, Scope& scope, Diagnostics& diags) {
  bool ok = true;
  std::set<std::string> bound;
  for (const auto& p : s.params) {
    if (bound.count(p.name)) {
      diags.error(p.span, "parameter '" + p.name + "' appears twice");
      ok = false;
    }
    bound.insert(p.name);
  }
  ok = names_resolve(*s.body, bound, s.name.name, scope, diags) && ok;
  if (!ok) {
    scope.declare_bad(s.name, SymKind::Fn);
    return;
  }
  if (!scope.declare(s.name, SymKind::Fn, scope.function_count(), diags)) return;
  scope.add_function(s);
}

void names_in(const ast::Expr& e, std::set<std::string>& out) {
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::Name>) {
          out.insert(n.id);
        } else if constexpr (std::is_same_v<T, ast::Unary>) {
          names_in(*n.operand, out);
        } else if constexpr (std::is_same_v<T, ast::Binary>) {
          names_in(*n.lhs, out), names_in(*n.rhs, out);
        } else if constexpr (std::is_same_v<T, ast::Call>) {
          for (const auto& a : n.args) names_in(*a, out);
        } else if constexpr (std::is_same_v<T, ast::Index>) {
          names_in(*n.base, out);
          for (const auto& i : n.indices) names_in(*i, out);
        } else if constexpr (std::is_same_v<T, ast::VectorLit>) {
          for (const auto& x : n.elems) names_in(*x, out);
        }
      },
      e.node);
}

const std::vector<std::string>& query_list() {
  static const std::vector<std::string> q = {"posterior",  "map",      "mle",      "mean",
                                             "sd",         "interval", "quantile", "prob",
                                             "predictive", "evidence"};
  return q;
}

bool is_dist_function(const std::string& name) {
  return name == "lpdf" || name == "lcdf" || name == "lccdf";
}

bool is_query_name(const std::string& name) {
  return std::find(query_list().begin(), query_list().end(), name) != query_list().end();
}

}  // namespace bayes::check
