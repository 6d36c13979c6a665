// The checker: AST -> checked Model. Walks the statements in order and builds
// the model, asking the scope (names), the typer (types and shapes), the
// support checks (distributions and observed data), the data binding (CSV)
// and the query checks. Errors are collected, not thrown: a statement with an
// error still defines its names (marked bad) so that later statements are
// checked too without a cascade of follow-on errors.
#include "check/checker.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <utility>

#include "check/common.hpp"
#include "check/data_binding.hpp"
#include "check/queries.hpp"
#include "check/scope.hpp"
#include "check/supports.hpp"
#include "check/typer.hpp"

namespace bayes::check {

namespace {

// The largest vector parameter (each element is a coordinate of the numeric
// engine and of its draws).
constexpr double kMaxParamSize = 1e6;

using ir::NodePtr;
using ir::Op;

class Checker {
 public:
  Checker(const SourceFile& file, Diagnostics& diags, const Options& options)
      : file_(file),
        diags_(diags),
        options_(options),
        scope_(options.allow_redefinition),
        typer_(scope_, model_, diags) {}

  std::optional<Model> run(const ast::Program& program);

 private:
  const SourceFile& file_;
  Diagnostics& diags_;
  Options options_;
  Model model_;
  Scope scope_;
  Typer typer_;
  Streamable streamable_;

  [[noreturn]] void fail(Span span, const std::string& message) {
    check::fail(diags_, span, message);
  }

  void statement(const ast::DataStmt& s, Span span);
  void statement(const ast::ParamStmt& s, Span span);
  void statement(const ast::LetStmt& s, Span span);
  void statement(const ast::FnStmt& s, Span span);
  void statement(const ast::ObserveStmt& s, Span span);
  void statement(const ast::PrintStmt& s, Span span);
  void statement(const ast::PlotStmt& s, Span span);
  void statement(const ast::FactorStmt& s, Span span);
  void statement(const ast::ForStmt& s, Span span);

  // The loops around the statement being checked, outermost first: each
  // variable's values over the iterations of all of them together.
  struct Loop {
    std::string var;
    std::size_t from = 1, count = 0;  // its own range
    Span span;
  };
  std::vector<Loop> loops_;
  // " (for i in 1:N, j in 1:M)" inside loops, "" outside: for labels.
  std::string loop_text() const {
    std::string out;
    for (const auto& l : loops_)
      out += (out.empty() ? " (for " : ", ") + l.var + " in " + std::to_string(l.from) + ":" +
             std::to_string(l.from + l.count - 1);
    return out.empty() ? out : out + ")";
  }
  std::size_t iterations() const {
    std::size_t n = 1;
    for (const auto& l : loops_) n *= l.count;
    return n;
  }
  void in_loop_only_statements(const ast::Stmt& stmt);
  void depends_on_every_loop(const std::vector<const ast::Expr*>& exprs, Span span,
                             const std::string& what);
  void no_reduction_over_loop(const ast::Expr& e, bool top_of_factor);
  bool mentions_loop(const ast::Expr& e, const std::set<std::string>& more = {}) const;
  bool reduces_over(const ast::Expr& e, const std::set<std::string>& dependent) const;
  void loop_param(const ast::ParamStmt& s, Span span);
  void loop_let(const ast::LetStmt& s, Span span);
  void check_recursion_reads(const ir::Node& body, const std::string& name, std::size_t have,
                             std::size_t from, std::size_t count, Span span);
  // Lets defined element by element: the let and how many elements it has so far.
  struct Growing {
    std::size_t let = 0, length = 0;
  };
  std::map<std::string, Growing> growing_;

  std::vector<std::size_t> param_sizes(const ast::ParamStmt& s, bool& size_error);
  Prior prior_of(const ast::ParamStmt& s, Span span);
  void truncate_prior(const ast::ParamStmt& s, Prior& pr, double lo, double hi);
  void truncate_observation(const ast::Truncation& t, const CheckedDist& dist,
                            const ir::NodePtr& lhs, const Value& v, Observation& o);
  Truncation truncation_of(const dist::Family& f, const std::vector<ir::NodePtr>& args,
                           std::size_t elements, double lo, double hi, Span span,
                           const std::string& what, const ir::NodePtr& lo_of = nullptr,
                           const ir::NodePtr& hi_of = nullptr);
  double bound(const ast::Expr& e, ir::NodePtr& expr);
  void declare_params(const ast::ParamStmt& s, const std::vector<std::size_t>& sizes, Prior pr);
  void check_ordered(const ast::ParamStmt& s, Prior& pr, const std::vector<std::size_t>& indices);
  void poison_all(const ast::ParamStmt& s);
};

// A loop's body is checked once, vectorised: each loop variable stands for
// the vector of its values over the iterations (nested loops: every pair of
// values, the inner one varying fastest), so `y[i] ~ Normal(mu + b * x[i], s)`
// over i in 1:N is the statement `y ~ Normal(mu + b * x, s)`, and the rules
// that solve one solve the other. What would not vectorise is refused with a
// located error: a statement that does not depend on every enclosing loop's
// variable (it would count once per iteration), and a sum, mean, dot, ...
// of an expression of a loop variable (vectorised it would sum over every
// iteration at once).
void Checker::statement(const ast::ForStmt& s, Span span) {
  auto whole = [&](const ast::Expr& e, const char* what) {
    NodePtr n = typer_.data_expr(e, what);
    Value v = typer_.value_of(*n);
    if (!v.is_scalar() || n->type.elem != Elem::Int || !std::isfinite(v[0]))
      fail(e.span, std::string(what) + " must be a whole number");
    return v[0];
  };
  const double from = whole(*s.from, "the first value of a loop's range");
  const double to = whole(*s.to, "the last value of a loop's range");
  if (from < 1) fail(s.from->span, "a loop's range starts at 1 or later (indices are 1-based)");
  if (to < from)
    fail(span, "the range " + message_value(from) + ":" + message_value(to) +
                   " is empty: the loop would do nothing");
  if (to - from + 1 > kMaxParamSize || static_cast<double>(iterations()) * (to - from + 1) > 1e7)
    fail(span, "a loop (with the loops around it) runs at most 10000000 iterations");
  if (scope_.find(s.var.name) ||
      std::any_of(loops_.begin(), loops_.end(), [&](const Loop& l) { return l.var == s.var.name; }))
    fail(s.var.span, "'" + s.var.name +
                         "' is already defined; a loop variable needs a name of "
                         "its own");
  Loop loop{s.var.name, static_cast<std::size_t>(from), static_cast<std::size_t>(to - from + 1),
            s.var.span};
  loops_.push_back(loop);
  // The variables' values over every iteration of the loops so far.
  const std::size_t total = iterations();
  std::map<std::string, NodePtr> vars;
  std::size_t inner = 1;  // iterations of the loops inside each one
  for (auto l = loops_.rbegin(); l != loops_.rend(); ++l) {
    std::vector<double> xs(total);
    for (std::size_t k = 0; k < total; ++k)
      xs[k] = static_cast<double>(l->from + (k / inner) % l->count);
    vars[l->var] = ir::constant(Value::vector(std::move(xs), true), l->span);
    inner *= l->count;
  }
  typer_.push_loop(std::move(vars));
  for (const auto& stmt : s.body) {
    try {
      in_loop_only_statements(stmt);
      std::visit([&](const auto& st) { statement(st, stmt.span); }, stmt.node);
    } catch (const Poisoned&) {
    }
  }
  typer_.pop_loop();
  loops_.pop_back();
}

// Statements that have no place in a loop.
void Checker::in_loop_only_statements(const ast::Stmt& stmt) {
  const char* what = std::visit(
      [](const auto& st) -> const char* {
        using T = std::decay_t<decltype(st)>;
        if constexpr (std::is_same_v<T, ast::DataStmt>) return "data statements";
        if constexpr (std::is_same_v<T, ast::FnStmt>) return "functions";
        if constexpr (std::is_same_v<T, ast::PrintStmt>) return "print statements";
        if constexpr (std::is_same_v<T, ast::PlotStmt>) return "plot statements";
        return nullptr;
      },
      stmt.node);
  if (what) fail(stmt.span, std::string(what) + " go outside loops");
}

bool Checker::mentions_loop(const ast::Expr& e, const std::set<std::string>& more) const {
  std::set<std::string> names;
  names_in(e, names);
  for (const auto& n : names)
    if (more.count(n) ||
        std::any_of(loops_.begin(), loops_.end(), [&](const Loop& l) { return l.var == n; }))
      return true;
  return false;
}

void Checker::depends_on_every_loop(const std::vector<const ast::Expr*>& exprs, Span span,
                                    const std::string& what) {
  std::set<std::string> names;
  for (const auto* e : exprs)
    if (e) names_in(*e, names);
  for (const auto& l : loops_)
    if (!names.count(l.var))
      fail(span, what + " does not depend on '" + l.var + "': inside the loop it would count " +
                     std::to_string(l.count) + " times; move it out of the loop");
}

// Sums, means, dot products and other functions of a whole vector, of an
// expression of a loop variable: refused (vectorised, they would reduce over
// every iteration at once). lpdf, lcdf and lccdf sum over their values, so
// they may stand as the terms of a `factor` (the loop adds them up anyway).
void Checker::no_reduction_over_loop(const ast::Expr& e, bool top_of_factor) {
  if (const auto* b = ast::as<ast::Binary>(e)) {
    const bool sum = b->op == ast::BinaryOp::Add || b->op == ast::BinaryOp::Sub;
    no_reduction_over_loop(*b->lhs, top_of_factor && sum);
    no_reduction_over_loop(*b->rhs, top_of_factor && sum);
    return;
  }
  if (const auto* u = ast::as<ast::Unary>(e)) return no_reduction_over_loop(*u->operand, false);
  if (const auto* ix = ast::as<ast::Index>(e)) {
    no_reduction_over_loop(*ix->base, false);
    for (const auto& i : ix->indices) no_reduction_over_loop(*i, false);
    return;
  }
  if (const auto* v = ast::as<ast::VectorLit>(e)) {
    for (const auto& x : v->elems)
      if (mentions_loop(*x))
        fail(x->span, "a vector written inside a loop cannot depend on the loop's variable");
    return;
  }
  const auto* c = ast::as<ast::Call>(e);
  if (!c) return;
  const std::string& name = c->callee.name;
  bool reduces = false;
  if (is_dist_function(name)) {
    reduces = !top_of_factor;
  } else if (const BuiltinInfo* b = find_builtin(name)) {
    reduces = !(b->shape == BuiltinShape::Elementwise || b->shape == BuiltinShape::Elementwise2 ||
                (b->shape == BuiltinShape::MinMax && c->args.size() == 2));
  } else if (const Symbol* sym = scope_.find(name); sym && sym->kind == SymKind::Fn) {
    // A user function: its body, with the parameters that receive an
    // expression of a loop variable counted as one.
    const ast::FnStmt& f = scope_.function(sym->index);
    std::set<std::string> dependent;
    for (std::size_t i = 0; i < c->args.size() && i < f.params.size(); ++i)
      if (mentions_loop(*c->args[i])) dependent.insert(f.params[i].name);
    if (!dependent.empty() && reduces_over(*f.body, dependent))
      fail(c->callee.span,
           "'" + name +
               "' sums (or reduces) over a vector, and here it is given "
               "an expression of the loop's variable: vectorised, it would reduce "
               "over every iteration at once; write the reduction outside the loop");
  }
  for (const auto& a : c->args) {
    if (reduces && mentions_loop(*a))
      fail(c->callee.span,
           "'" + name +
               "' of an expression of the loop's variable would reduce over every "
               "iteration at once (the loop is vectorised); " +
               (is_dist_function(name)
                    ? std::string("use it as a term of 'factor' ('factor lpdf(...)')")
                    : "write it outside the loop, e.g. 'sum(...)' over the whole vector"));
    no_reduction_over_loop(*a, false);
  }
}

// Whether `e` reduces over a vector that depends on one of `dependent`
// (names of a user function's parameters), directly or through the
// functions it calls.
bool Checker::reduces_over(const ast::Expr& e, const std::set<std::string>& dependent) const {
  auto depends = [&](const ast::Expr& x) {
    std::set<std::string> names;
    names_in(x, names);
    return std::any_of(names.begin(), names.end(),
                       [&](const std::string& n) { return dependent.count(n) > 0; });
  };
  bool found = false;
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::Unary>) {
          found = reduces_over(*n.operand, dependent);
        } else if constexpr (std::is_same_v<T, ast::Binary>) {
          found = reduces_over(*n.lhs, dependent) || reduces_over(*n.rhs, dependent);
        } else if constexpr (std::is_same_v<T, ast::Index>) {
          found = reduces_over(*n.base, dependent);
          for (const auto& i : n.indices) found = found || reduces_over(*i, dependent);
        } else if constexpr (std::is_same_v<T, ast::VectorLit>) {
          for (const auto& x : n.elems) found = found || depends(*x) || reduces_over(*x, dependent);
        } else if constexpr (std::is_same_v<T, ast::Call>) {
          const std::string& name = n.callee.name;
          bool arg_depends = false;
          for (const auto& a : n.args) arg_depends = arg_depends || depends(*a);
          if (is_dist_function(name)) {
            found = arg_depends;
          } else if (const BuiltinInfo* b = find_builtin(name)) {
            found = arg_depends && !(b->shape == BuiltinShape::Elementwise ||
                                     b->shape == BuiltinShape::Elementwise2 ||
                                     (b->shape == BuiltinShape::MinMax && n.args.size() == 2));
          } else if (const Symbol* sym = scope_.find(name); sym && sym->kind == SymKind::Fn) {
            const ast::FnStmt& f = scope_.function(sym->index);
            std::set<std::string> inner;
            for (std::size_t i = 0; i < n.args.size() && i < f.params.size(); ++i)
              if (depends(*n.args[i])) inner.insert(f.params[i].name);
            found = !inner.empty() && reduces_over(*f.body, inner);
          }
          for (const auto& a : n.args) found = found || reduces_over(*a, dependent);
        }
      },
      e.node);
  return found;
}

// `param z[i] ~ D(...)` in a loop over i in 1:K: z is a vector of K, each
// element with its prior (the arguments evaluated at that i).
void Checker::loop_param(const ast::ParamStmt& s, Span span) {
  const Loop& l = loops_.back();
  for (const auto& d : s.decls) {
    const auto* index = d.size ? ast::as<ast::Name>(*d.size) : nullptr;
    if (!index || index->id != l.var) {
      poison_all(s);
      fail(d.size ? d.size->span : d.name.span,
           "inside a loop, 'param " + d.name.name + "[" + l.var +
               "] ~ ...' declares one element "
               "of '" +
               d.name.name + "' for each " + l.var + "; declare whole vectors outside loops");
    }
  }
  if (loops_.size() > 1) {
    poison_all(s);
    fail(span, "a parameter's elements are declared in one loop, not in nested loops");
  }
  if (l.from != 1) {
    poison_all(s);
    fail(span, "the loop declaring '" + s.decls[0].name.name + "' must run from 1 (it runs from " +
                   std::to_string(l.from) + "): every element is declared once");
  }
  if (s.prior)
    for (const auto& a : s.prior->args) no_reduction_over_loop(*a, false);
  ast::ParamStmt whole = s;  // param z[K] ~ D(args over the iterations)
  for (auto& d : whole.decls)
    d.size = std::make_shared<const ast::Expr>(
        ast::Expr{ast::Number{static_cast<double>(l.count), true}, d.size->span});
  const std::vector<Loop> saved = std::exchange(loops_, {});
  struct Restore {
    std::vector<Loop>& loops;
    const std::vector<Loop>& saved;
    ~Restore() { loops = saved; }
  } restore{loops_, saved};
  statement(whole, span);
}

// `let v[k] = EXPR` outside a loop (one element) or `let v[i] = EXPR` in a
// loop over i in a:b (elements a..b): v grows piece by piece, each element
// defined once and in order. A piece that reads v's earlier elements
// (`let e[t] = y[t] - theta * e[t - 1]`) is a recursion: one ir::Op::Scan,
// its body typed once with t a scalar (Iter) and e the vector so far (Self).
void Checker::loop_let(const ast::LetStmt& s, Span span) {
  const std::string& name = s.name.name;
  auto bad = [&](Span at, const std::string& message) {
    if (!growing_.count(name)) scope_.declare_bad(s.name, SymKind::Let);
    fail(at, message);
  };
  std::size_t from = 0, count = 0;
  std::string var;
  if (loops_.empty()) {  // one element, at a data index
    if (!s.index)
      bad(s.name.span, "'" + name + "' is already defined");  // not reached: a plain let
    NodePtr k = typer_.data_expr(*s.index, "the index of a let's element");
    Value kv = typer_.value_of(*k);
    if (!kv.is_scalar() || kv[0] != std::floor(kv[0]) || !(kv[0] >= 1))
      bad(s.index->span, "the index of a let's element must be a whole number >= 1");
    from = static_cast<std::size_t>(kv[0]), count = 1;
  } else {
    const Loop& l = loops_.back();
    if (!s.index)
      bad(s.name.span, "inside a loop, a let defines one element for each " + l.var + ": 'let " +
                           name + "[" + l.var + "] = ...'");
    const auto* index = ast::as<ast::Name>(*s.index);
    if (!index || index->id != l.var)
      bad(s.index->span, "inside a loop, 'let " + name + "[" + l.var + "] = ...' defines element " +
                             l.var + "; other indices are not supported");
    if (loops_.size() > 1)
      bad(span, "a let's elements are defined in one loop, not in nested loops");
    from = l.from, count = l.count, var = l.var;
  }
  // The elements defined so far, and whether this piece continues them.
  auto grown = growing_.find(name);
  const std::size_t have = grown == growing_.end() ? 0 : grown->second.length;
  if (grown == growing_.end() && scope_.find(name))
    bad(s.name.span, "'" + name +
                         "' is already defined (as a whole); its elements cannot be "
                         "defined again");
  if (from != have + 1) {
    const std::string first = name + "[" + std::to_string(from) + "]";
    if (from <= have) bad(s.index->span, first + " is already defined");
    bad(s.index->span,
        "the elements of '" + name + "' are defined in order, each once: " +
            (have ? first + " comes after " + name + "[" + std::to_string(have) + "]"
                  : "the first is " + name + "[1], not " + first) +
            (loops_.empty() ? "" : " (the loop must run from " + std::to_string(have + 1) + ")"));
  }
  std::set<std::string> names;
  names_in(*s.value, names);
  const bool recursive = names.count(name) > 0;
  if (!loops_.empty()) no_reduction_over_loop(*s.value, false);
  NodePtr n;
  if (recursive && loops_.empty())
    bad(s.value->span, "'" + name + "[" + std::to_string(from) + "]' reads '" + name +
                           "' itself; a recursion is written in a loop: 'for t in " +
                           std::to_string(from) + ":N { let " + name + "[t] = ... " + name +
                           "[t - 1] ... }'");
  if (recursive && !have)
    bad(s.value->span, "'" + name + "[" + var + "]' reads earlier elements of '" + name +
                           "', but none is defined before the loop; define the first ones "
                           "first: 'let " +
                           name + "[1] = ...'");
  try {
    if (recursive) {
      // t is one number and the let the vector so far, full length.
      std::map<std::string, NodePtr> inner;
      auto iter = std::make_shared<ir::Node>();
      iter->op = Op::Iter, iter->type = Type::scalar(Elem::Int), iter->span = loops_.back().span;
      auto self = std::make_shared<ir::Node>();
      self->op = Op::Self, self->type = Type::vector(have + count), self->span = s.name.span;
      inner[var] = iter, inner[name] = self;
      typer_.push_loop(std::move(inner));
      struct Pop {
        Typer& t;
        ~Pop() { t.pop_loop(); }
      } pop{typer_};
      n = typer_.expr(*s.value);
    } else {
      n = typer_.expr(*s.value);
    }
    typer_.require_numeric(n, "a let");
  } catch (const Poisoned&) {
    if (!growing_.count(name)) scope_.declare_bad(s.name, SymKind::Let);
    throw;
  }
  if (n->type.is_matrix()) bad(s.value->span, "each element of a let is one number, not a matrix");
  if (recursive) {
    if (!n->type.is_scalar())
      bad(s.value->span,
          "each element of '" + name + "' is one number, not " + describe_shape(n->type));
    check_recursion_reads(*n, name, have, from, count, s.value->span);
    auto scan = std::make_shared<ir::Node>();
    scan->op = Op::Scan;
    scan->type = Type::vector(have + count);
    scan->span = span;
    scan->ref = count;
    scan->value = Value::scalar(static_cast<double>(from), true);
    scan->args = {model_.lets[grown->second.let].expr, n};
    model_.lets[grown->second.let].expr = scan;
    grown->second.length += count;
    return;
  }
  if (n->type.is_scalar() && count > 1) {  // the same value for every i
    auto spread = std::make_shared<ir::Node>();
    spread->op = Op::Add;
    spread->type = Type::vector(count);
    spread->span = n->span;
    spread->args = {n, ir::constant(Value::vector(std::vector<double>(count, 0.0)), n->span)};
    n = spread;
  }
  if (grown == growing_.end()) {
    if (n->type.is_scalar()) {  // a vector of one
      auto one = std::make_shared<ir::Node>();
      one->op = Op::Concat, one->type = Type::vector(1), one->span = n->span, one->args = {n};
      n = one;
    }
    if (!scope_.declare(s.name, SymKind::Let, model_.lets.size(), diags_)) return;
    growing_[name] = Growing{model_.lets.size(), count};
    model_.lets.push_back(LetVar{name, n, s.name.span});
    return;
  }
  LetVar& let = model_.lets[grown->second.let];
  auto joined = std::make_shared<ir::Node>();
  joined->op = Op::Concat;
  joined->type = Type::vector(have + count);
  joined->span = span;
  joined->args = {let.expr, n};
  let.expr = joined;
  grown->second.length += count;
}

// A recursion reads only the elements before the one it defines, at indices
// given by t and data (checked for every t now, since they are known).
void Checker::check_recursion_reads(const ir::Node& body, const std::string& name, std::size_t have,
                                    std::size_t from, std::size_t count, Span span) {
  std::function<void(const ir::Node&)> walk = [&](const ir::Node& n) {
    if (n.op == Op::Index && n.args.size() == 2 && n.args[0]->op == Op::Self) {
      const ir::Node& idx = *n.args[1];
      if (!ir::params_of(idx).empty() || !idx.type.is_scalar())
        fail(n.span, "an element of '" + name +
                         "' is read at an index that is one whole number "
                         "of the loop's variable and data");
      ir::Env env = env_of(model_);
      for (std::size_t k = 0; k < count; ++k) {
        env.iter = static_cast<double>(from + k);
        const double at = ir::eval(idx, env)[0];
        if (!(at >= 1 && at <= static_cast<double>(have + k)) || at != std::floor(at))
          fail(n.span, "'" + name + "[" + std::to_string(from + k) + "]' reads '" + name + "[" +
                           message_value(at) +
                           "]', which is not defined before it (an element "
                           "reads only the ones before it)");
      }
      return;
    }
    if (n.op == Op::Self)
      fail(span, "'" + name +
                     "' is read whole inside its own definition; read its earlier "
                     "elements, e.g. '" +
                     name + "[t - 1]'");
    // Data read at an index of the loop's variable (y[t - 2]): the typer
    // could not check its range, it is checked here for every t.
    if (n.op == Op::Index && ir::is_data_only(*n.args[0]) && !n.args[0]->type.is_scalar()) {
      const ir::Node& base = *n.args[0];
      for (std::size_t a = 1; a < n.args.size(); ++a) {
        const ir::Node& idx = *n.args[a];
        if (!ir::in_recursion(idx) || !ir::params_of(idx).empty() || !idx.type.is_scalar())
          continue;
        const std::size_t limit = a == 1 ? base.type.rows : base.type.cols;
        ir::Env env = env_of(model_);
        for (std::size_t k = 0; k < count; ++k) {
          env.iter = static_cast<double>(from + k);
          const double at = ir::eval(idx, env)[0];
          if (!(at >= 1 && at <= static_cast<double>(limit)) || at != std::floor(at))
            fail(idx.span, "'" + name + "[" + std::to_string(from + k) + "]' reads data at index " +
                               message_value(at) + ", out of range 1.." + std::to_string(limit));
        }
      }
    }
    for (const auto& a : n.args) walk(*a);
  };
  walk(body);
}

std::optional<Model> Checker::run(const ast::Program& program) {
  auto check = [&](const ast::Stmt& stmt) {
    typer_.new_statement();
    try {
      std::visit([&](const auto& s) { statement(s, stmt.span); }, stmt.node);
    } catch (const Poisoned&) {
    }
  };
  if (options_.prelude) {
    for (const auto& stmt : options_.prelude->stmts) check(stmt);
    scope_.mark_prelude();
  }
  scope_.expect_definitions(program);
  streamable_ = streamable_columns(program);
  for (const auto& stmt : program.stmts) {
    scope_.enter_statement(stmt.span);
    check(stmt);
  }
  if (diags_.has_errors()) return std::nullopt;
  return std::move(model_);
}

void Checker::statement(const ast::DataStmt& s, Span) {
  if (s.value)
    bind_inline(s, typer_, scope_, model_, diags_);
  else
    bind_csv(s, file_.directory, streamable_, scope_, model_, diags_);
}

void Checker::poison_all(const ast::ParamStmt& s) {
  for (const auto& d : s.decls) scope_.declare_bad(d.name, SymKind::Param);
}

// The size of each declared name (0 for a scalar); size_error when one was wrong.
std::vector<std::size_t> Checker::param_sizes(const ast::ParamStmt& s, bool& size_error) {
  std::vector<std::size_t> sizes;
  for (const auto& d : s.decls) {
    std::size_t k = 0;
    if (d.size) {
      try {
        NodePtr n = typer_.data_expr(*d.size, "the size of a vector parameter");
        if (!n->type.numeric())
          fail(d.size->span, "the size of a vector parameter must be a number, not a condition");
        Value v = typer_.value_of(*n);
        if (!v.is_scalar() || n->type.elem != Elem::Int || !(v[0] >= 1))  // NaN too
          fail(d.size->span, "the size of a vector parameter must be a whole number >= 1");
        if (v[0] > kMaxParamSize)
          fail(d.size->span, "a vector parameter has at most " +
                                 std::to_string(static_cast<long long>(kMaxParamSize)) +
                                 " elements, not " +
                                 std::to_string(static_cast<long long>(std::min(v[0], 9e18))));
        k = static_cast<std::size_t>(v[0]);
      } catch (const Poisoned&) {
        size_error = true;
      }
    }
    sizes.push_back(k);
  }
  return sizes;
}

// The prior factor of `param ... ~ D(args)` or of a flat prior with bounds,
// not yet given its parameters. Throws Poisoned on an error.
Prior Checker::prior_of(const ast::ParamStmt& s, Span span) {
  Prior pr;
  pr.span = span;
  double lo = -INFINITY, hi = INFINITY;
  if (s.lower) lo = bound(*s.lower, pr.lower_of);
  if (s.upper) hi = bound(*s.upper, pr.upper_of);
  if (!pr.dependent_bounds() && !(lo < hi))
    fail(span, "the lower bound " + message_value(lo) + " is not below the upper bound " +
                   message_value(hi));
  auto text_of = [](const ast::Expr* e, double v) {
    return e ? ast::to_source(*e) : message_value(v);
  };
  const std::string range = "(" + text_of(pr.lower_of ? s.lower.get() : nullptr, lo) + ", " +
                            text_of(pr.upper_of ? s.upper.get() : nullptr, hi) + ")";
  if (s.prior) {
    CheckedDist prior = check_distribution(*s.prior, typer_, scope_, diags_);
    if (!prior.ok) throw Poisoned{};
    pr.family = prior.family;
    pr.args = prior.args;
    pr.text = ast::to_source(*s.prior);
    if (pr.dependent_bounds()) {
      const dist::Family& f = *pr.family;
      if (f.outcome_rank != Rank::Scalar || f.joint > 1 || !f.cdf || f.discrete)
        fail(s.lower ? s.lower->span : s.upper->span,
             "bounds that depend on parameters apply to a continuous family of one number; " +
                 std::string(f.name) + " is not one");
      pr.lower = lo, pr.upper = hi;
      pr.text += " on " + range;
      pr.truncation.on = true;  // its normaliser once the sizes are known (declare_params)
      return pr;
    }
    if (s.lower || s.upper) truncate_prior(s, pr, lo, hi);
    return pr;
  }
  pr.lower = lo;
  pr.upper = hi;
  pr.text = "flat on " + range;
  return pr;
}

// `param s > 0 ~ D(...)`: D cut to the bounds and renormalised. Bounds that
// hold D's whole support change nothing; Normal(0, s) and Cauchy(0, s) cut
// at 0 are HalfNormal(s) and HalfCauchy(s) (the same density), so that the
// rules for those apply. For a discrete family the bounds are strict as
// written: `n > 0` is n >= 1.
void Checker::truncate_prior(const ast::ParamStmt& s, Prior& pr, double lo, double hi) {
  const dist::Family& f = *pr.family;
  const Span at = s.lower ? s.lower->span : s.upper->span;
  if (f.outcome_rank != Rank::Scalar || f.joint > 1 || !f.cdf)
    fail(at, "bounds apply to a family of one number with a cdf; " + std::string(f.name) +
                 " is not one");
  if (f.discrete) {
    lo = std::isfinite(lo) ? std::floor(lo) + 1 : lo;
    hi = std::isfinite(hi) ? std::ceil(hi) - 1 : hi;
    if (!(lo <= hi)) fail(at, "no whole number lies inside these bounds");
  }
  std::vector<Value> known;
  for (const auto& a : pr.args)
    known.push_back(ir::is_data_only(*a) ? typer_.value_of(*a) : Value{});
  const dist::Bounds support = dist::support_bounds(f, known);
  if (lo <= support.lo && hi >= support.hi) return;  // nothing cut
  const std::string range = "(" + message_value(lo) + ", " + message_value(hi) + ")";
  pr.text += " on " + range;
  const auto is_zero = [&](const ir::NodePtr& a) {
    return ir::is_data_only(*a) && a->type.is_scalar() && typer_.value_of(*a)[0] == 0;
  };
  if (lo == 0 && hi == INFINITY && (&f == &dist::normal_family() || &f == &dist::cauchy_family()) &&
      is_zero(pr.args[0])) {
    pr.family =
        &f == &dist::normal_family() ? &dist::half_normal_family() : &dist::half_cauchy_family();
    pr.args = {pr.args[1]};
    return;
  }
  pr.lower = lo, pr.upper = hi;
  pr.truncation.on = true;  // its normaliser once the sizes are known (declare_params)
}

// The normaliser of f cut to [lo, hi] over `elements` values (each argument
// a scalar or a vector of that length), a number when the arguments are data.
Truncation Checker::truncation_of(const dist::Family& f, const std::vector<ir::NodePtr>& args,
                                  std::size_t elements, double lo, double hi, Span span,
                                  const std::string& what, const NodePtr& lo_of,
                                  const NodePtr& hi_of) {
  Truncation t;
  t.on = true;
  std::vector<NodePtr> in = args;
  in.push_back(lo_of ? lo_of : ir::constant(Value::scalar(lo), span));
  in.push_back(hi_of ? hi_of : ir::constant(Value::scalar(hi), span));
  auto n = std::make_shared<ir::Node>();
  n->op = Op::Dist;
  n->type = Type::scalar();
  n->span = span;
  n->family = &f;
  n->dist_fn = ir::DistFn::LogMass;
  n->args = std::move(in);
  NodePtr mass = n;
  std::size_t longest = 1;
  for (const auto& a : args)
    if (a->type.is_vector()) longest = std::max(longest, a->type.rows);
  if (elements > longest) {
    auto times = std::make_shared<ir::Node>();
    times->op = Op::Mul;
    times->type = Type::scalar();
    times->span = span;
    times->args = {ir::constant(Value::scalar(static_cast<double>(elements / longest)), span),
                   mass};
    mass = times;
  }
  if (ir::is_data_only(*mass)) {
    t.log_mass = typer_.value_of(*mass)[0];
    if (!(t.log_mass > -INFINITY)) fail(span, what + " keeps no probability inside its bounds");
  } else {
    t.log_mass_of = mass;
  }
  return t;
}

// A bound: a number of data, or (setting `expr`) one number computed from
// data and parameters declared before, continuous ones.
double Checker::bound(const ast::Expr& e, NodePtr& expr) {
  NodePtr n = typer_.expr(e);
  // `param s > 0 < 5` reads as the bound `0 < 5`: a condition, not a number.
  if (!n->type.numeric()) fail(e.span, "a bound must be a number, not a condition");
  if (!n->type.is_scalar())
    fail(e.span, "a bound must be one number, not " + describe_shape(n->type));
  if (!ir::is_data_only(*n)) {
    for (auto p : ir::params_of(*n))
      if (model_.params[p].discrete)
        fail(e.span, "a bound may depend on continuous parameters, but '" + model_.params[p].name +
                         "' is discrete");
    expr = n;
    return NAN;
  }
  Value v = typer_.value_of(*n);
  if (std::isnan(v[0])) fail(e.span, "a bound must be a number, but it is NaN");
  return v[0];
}

void Checker::statement(const ast::ParamStmt& s, Span span) {
  if (!loops_.empty()) return loop_param(s, span);
  // Sizes first, then the prior; on an error every name is still declared (bad).
  bool size_error = false;
  std::vector<std::size_t> sizes = param_sizes(s, size_error);
  Prior pr;
  try {
    pr = prior_of(s, span);
  } catch (const Poisoned&) {
    poison_all(s);
    return;
  }
  if (size_error) {
    poison_all(s);
    return;
  }
  const dist::Family* f = pr.family;
  if (f && f->joint > 1 && s.decls.size() != f->joint) {
    poison_all(s);
    diags_.error(s.prior->name.span,
                 std::string(f->name) + " is a joint prior on " + std::to_string(f->joint) +
                     " parameters; write 'param mu, s2 ~ " + std::string(f->name) + "(...)'");
    return;
  }
  // Otherwise `param a, b ~ D(...)` is the same prior on each, independently.
  declare_params(s, sizes, pr);
}

// `param mu[K] ordered ~ D(...)`: an increasing vector (positive too for
// positive_ordered), each element with the prior D, as Stan's `ordered[K]`.
// D must be the same for every element (its arguments numbers, not vectors)
// and live where the vector does: the real line for `ordered`, the positive
// half-line for `positive_ordered`. Restricted to increasing vectors an iid
// prior keeps 1 / K! of its mass, a normaliser counted in the evidence.
void Checker::check_ordered(const ast::ParamStmt& s, Prior& pr,
                            const std::vector<std::size_t>& indices) {
  const bool positive = s.order == ast::Order::PositiveOrdered;
  const std::string word = positive ? "positive_ordered" : "ordered";
  for (std::size_t i = 0; i < s.decls.size(); ++i)
    if (!s.decls[i].size && !(pr.family && pr.family->outcome_rank == Rank::Vector))
      fail(s.order_span,
           "'" + word + "' is a vector: declare '" + s.decls[i].name.name + "[K] " + word + "'");
  if (s.lower || s.upper) fail(s.order_span, "an " + word + " vector takes no bounds of its own");
  const dist::Family* f = pr.family;
  if (!f) {
    if (positive) pr.lower = 0;  // flat on increasing positive vectors
    return;
  }
  if (f->outcome_rank != Rank::Scalar || f->discrete || f->joint > 1)
    fail(s.prior->name.span, "an " + word +
                                 " vector takes a prior on each element, a "
                                 "continuous family of one number; " +
                                 std::string(f->name) + " is not one");
  for (const auto& a : pr.args)
    if (!a->type.is_scalar())
      fail(a->span, "the elements of an " + word +
                        " vector share one prior: its arguments are "
                        "numbers, not vectors");
  std::vector<Value> known;
  for (const auto& a : pr.args)
    known.push_back(ir::is_data_only(*a) ? typer_.value_of(*a) : Value{});
  const dist::Bounds b = dist::support_bounds(*f, known);
  if (positive ? !(b.lo >= 0 && b.hi == INFINITY) : !(b.lo == -INFINITY && b.hi == INFINITY))
    fail(s.prior->name.span, std::string(f->name) + " lives on (" + message_value(b.lo) + ", " +
                                 message_value(b.hi) + "), but an " + word + " vector on " +
                                 (positive ? "(0, inf)" : "the real line"));
  // log K!: the mass outside the increasing vectors, given back.
  std::size_t k = 0;
  for (auto i : indices) k = model_.params[i].type.rows;
  pr.truncation.on = true;
  pr.truncation.log_mass = -std::lgamma(static_cast<double>(k) + 1);
}

// The parameters of `param ...` with their types, and their prior factors:
// one for a joint prior, one per name otherwise.
void Checker::declare_params(const ast::ParamStmt& s, const std::vector<std::size_t>& sizes,
                             Prior pr) {
  const dist::Family* f = pr.family;
  // Vector-valued families fix the size of the parameter.
  std::size_t family_size = 0;
  // (A MarkovChain's length is the chain's, declared: its init has K states.)
  if (f && f->outcome_rank == Rank::Vector && f != &dist::markov_chain_family()) {
    for (std::size_t i = 0; i < f->params.size(); ++i)
      if (f->params[i].rank == Rank::Vector && pr.args[i]) family_size = pr.args[i]->type.rows;
  }
  // The arguments of a scalar family broadcast to a vector parameter.
  std::size_t arg_len = 0;
  if (f && f->outcome_rank == Rank::Scalar)
    for (std::size_t i = 0; i < pr.args.size(); ++i)
      if (f->params[i].rank == Rank::Scalar && pr.args[i]->type.is_vector())
        arg_len = pr.args[i]->type.rows;
  bool ok = true;
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < s.decls.size(); ++i) {
    const auto& d = s.decls[i];
    std::size_t k = sizes[i];
    if (family_size) {
      if (k && k != family_size) {
        diags_.error(d.size->span, "'" + d.name.name + "' has size " + std::to_string(k) +
                                       " but its " + std::string(f->name) +
                                       " prior has dimension " + std::to_string(family_size));
        ok = false;
      }
      k = family_size;
    }
    if (arg_len && k && k != arg_len) {
      diags_.error(s.prior->span, "vectors of different lengths: '" + d.name.name + "' has size " +
                                      std::to_string(k) +
                                      " but the prior's arguments have length " +
                                      std::to_string(arg_len));
      ok = false;
    } else if (arg_len && !k) {
      diags_.error(s.prior->span, "the prior's arguments are vectors of length " +
                                      std::to_string(arg_len) + " but '" + d.name.name +
                                      "' is a scalar; declare it as '" + d.name.name + "[" +
                                      std::to_string(arg_len) + "]'");
      ok = false;
    }
    ParamVar p;
    p.name = d.name.name;
    p.span = d.name.span;
    p.discrete = f && f->discrete;
    p.order = s.order == ast::Order::Ordered           ? ParamVar::Order::Ordered
              : s.order == ast::Order::PositiveOrdered ? ParamVar::Order::PositiveOrdered
                                                       : ParamVar::Order::None;
    Elem e = p.discrete ? Elem::Int : Elem::Real;
    p.type = k ? Type::vector(k, e) : Type::scalar(e);
    p.slot = i;
    if (!ok) {
      poison_all(s);
      return;
    }
    if (!scope_.declare(d.name, SymKind::Param, model_.params.size(), diags_)) continue;
    indices.push_back(model_.params.size());
    model_.params.push_back(p);
  }
  if (s.order != ast::Order::None) check_ordered(s, pr, indices);
  if (f && f->joint > 1) {
    Prior joint = pr;
    joint.params = indices;
    for (auto i : indices) model_.params[i].prior = model_.priors.size();
    model_.priors.push_back(joint);
  } else {
    for (auto i : indices) {
      Prior one = pr;
      one.params = {i};
      if (pr.truncation.on && s.order == ast::Order::None) {
        const std::size_t k = model_.params[i].type.is_scalar() ? 1 : model_.params[i].type.rows;
        try {
          one.truncation = truncation_of(*f, pr.args, k, pr.lower, pr.upper, pr.span,
                                         "the prior " + pr.text, pr.lower_of, pr.upper_of);
        } catch (const Poisoned&) {
          continue;
        }
      }
      model_.params[i].prior = model_.priors.size();
      model_.params[i].slot = 0;
      model_.priors.push_back(one);
    }
  }
}

void Checker::statement(const ast::LetStmt& s, Span span) {
  if (s.index || !loops_.empty()) return loop_let(s, span);
  NodePtr n;
  try {
    n = typer_.expr(*s.value);
  } catch (const Poisoned&) {
    scope_.declare_bad(s.name, SymKind::Let);
    throw;
  }
  if (!scope_.declare(s.name, SymKind::Let, model_.lets.size(), diags_)) return;
  model_.lets.push_back(LetVar{s.name.name, n, s.name.span});
}

void Checker::statement(const ast::FnStmt& s, Span) { define_function(s, scope_, diags_); }

void Checker::statement(const ast::ObserveStmt& s, Span span) {
  if (!loops_.empty()) {
    std::vector<const ast::Expr*> parts = {s.lhs.get()};
    for (const auto& a : s.dist.args) parts.push_back(a.get());
    depends_on_every_loop(parts, span, "this observation");
    no_reduction_over_loop(*s.lhs, false);
    for (const auto& a : s.dist.args) no_reduction_over_loop(*a, false);
  }
  NodePtr lhs;
  bool lhs_error = false;
  try {
    lhs = typer_.expr(*s.lhs);
    // As for `data z = ...`: what is observed is numbers, not true or false.
    if (lhs->type.elem == Elem::Bool && ir::is_data_only(*lhs))
      fail(s.lhs->span, "the left side of '~' must be data (numbers), not a condition");
    if (!ir::is_data_only(*lhs)) {
      std::vector<std::size_t> ps = ir::params_of(*lhs);
      const ParamVar& p = model_.params[ps.front()];
      auto& d = diags_.error(
          s.lhs->span, "the left side of '~' must be data, but '" + p.name + "' is a parameter");
      // Only `p ~ D(...)` itself reads as a prior wrongly written.
      if (const auto* name = ast::as<ast::Name>(*s.lhs); name && name->id == p.name)
        d.notes.push_back("to give '" + p.name + "' a prior, write 'param " + p.name + " ~ " +
                          ast::to_source(s.dist) + "'");
      lhs_error = true;
    }
  } catch (const Poisoned&) {
    lhs_error = true;
  }
  // Reported even when the left side is bad.
  CheckedDist dist = check_distribution(s.dist, typer_, scope_, diags_);
  if (lhs_error) return;
  // A summarised column stays summarised only where its statistics suffice.
  std::shared_ptr<const data::Summary> summary;
  if (lhs->op == Op::Data && model_.data[lhs->ref].summary) {
    if (dist.ok && !s.truncation && summary_fits(*model_.data[lhs->ref].summary, dist))
      summary = model_.data[lhs->ref].summary;
    else
      keep_in_memory(model_, lhs->ref, s.lhs->span, diags_);
  }
  const dist::Family* f = dist.family;
  if (f->joint > 1)
    fail(s.dist.name.span, std::string(f->name) + " is a prior on " +
                               (f->joint == 2 ? std::string("two") : std::to_string(f->joint)) +
                               " parameters, not a likelihood for data");
  if (!dist.ok) {
    // Still check the data against what is known of the support.
    if (auto why = support_error(model_, *lhs, typer_.value_of(*lhs), dist))
      fail(s.lhs->span, *why);
    return;
  }
  if (!lhs->type.is_scalar() && lhs->type.rows == 0)
    fail(s.lhs->span,
         "the left side of '~' is an empty vector: there is nothing to observe (remove the "
         "line, or give it data)");
  Value v = typer_.value_of(*lhs);
  check_observed_shape(*lhs, s.lhs->span, s.dist.name.span, dist, diags_);
  if (auto why = support_error(model_, *lhs, v, dist)) fail(s.lhs->span, *why);
  if (auto why = impossible_data_error(model_, *lhs, v, dist)) fail(s.lhs->span, *why);
  Observation o;
  if (s.truncation) truncate_observation(*s.truncation, dist, lhs, v, o);
  o.lhs = lhs;
  o.value = std::move(v);
  o.summary = summary;
  o.family = f;
  o.args = dist.args;
  o.span = span;
  o.text = ast::to_source(*s.lhs) + " ~ " + ast::to_source(s.dist);
  if (s.truncation) {
    // A bound of parameters as written, a bound of data as its number.
    const auto end = [&](const auto& e, double value) {
      return std::isnan(value) && e ? ast::to_source(*e) : message_value(value);
    };
    o.text +=
        " T[" + end(s.truncation->lower, o.lower) + ", " + end(s.truncation->upper, o.upper) + "]";
  }
  o.text += loop_text();
  // The same statement twice counts its data twice: almost always a slip
  // (a line typed again), so it is said.
  for (const auto& earlier : model_.observations)
    if (earlier.text == o.text) {
      auto& w = diags_.warning(span, "'" + o.text + "' is observed twice: its data count twice");
      w.notes.push_back("first on line " + std::to_string(earlier.span.line) +
                        "; remove one unless the data really are two sets of measurements");
      break;
    }
  model_.observations.push_back(std::move(o));
}

// `y ~ D(...) T[lo, hi]`: D cut to the bounds, every observed value inside
// them; both ends included, as Stan's. A bound may be an expression of
// continuous parameters (`T[L, ]`): its normaliser is then on the tape, and
// the density is 0 (as Stan rejects) wherever the bound leaves an observed
// value outside.
void Checker::truncate_observation(const ast::Truncation& t, const CheckedDist& dist,
                                   const NodePtr& lhs, const Value& v, Observation& o) {
  const dist::Family& f = *dist.family;
  if (f.outcome_rank != Rank::Scalar || !f.cdf)
    fail(t.span, "T[...] applies to a family of one number with a cdf; " + std::string(f.name) +
                     " is not one");
  NodePtr lo_of, hi_of;
  const double lo = t.lower ? bound(*t.lower, lo_of) : -INFINITY;
  const double hi = t.upper ? bound(*t.upper, hi_of) : INFINITY;
  if (!(lo <= hi) && !lo_of && !hi_of)
    fail(t.span,
         "the lower bound " + message_value(lo) + " is above the upper bound " + message_value(hi));
  for (std::size_t k = 0; k < v.size(); ++k)
    if ((!lo_of && v[k] < lo) || (!hi_of && v[k] > hi))
      fail(lhs->span, data_error(model_, *lhs, v, k,
                                 message_value(v[k]) + " is outside the truncation T[" +
                                     message_value(lo) + ", " + message_value(hi) + "]"));
  o.lower = lo, o.upper = hi;
  o.truncation = truncation_of(f, dist.args, v.size(), lo, hi, t.span,
                               "'" + ast::to_source(*dist.call) + " T[...]'", lo_of, hi_of);
  if (!lo_of && !hi_of) return;
  // The guard: log 1 = 0 while every value is inside the bounds, log 0 =
  // -inf (a normaliser of +inf, subtracted) once one is not; its derivative
  // is 0.
  const auto node = [&](Op op, std::vector<NodePtr> args, Builtin fn = Builtin::Exp) {
    auto n = std::make_shared<ir::Node>();
    n->op = op;
    n->fn = fn;
    n->type = Type::scalar();
    n->span = t.span;
    n->args = std::move(args);
    return NodePtr(n);
  };
  double smallest = INFINITY, largest = -INFINITY;
  for (std::size_t k = 0; k < v.size(); ++k)
    smallest = std::min(smallest, v[k]), largest = std::max(largest, v[k]);
  NodePtr inside;
  if (lo_of) inside = node(Op::Ge, {ir::constant(Value::scalar(smallest), t.span), lo_of});
  if (hi_of) {
    NodePtr below = node(Op::Le, {ir::constant(Value::scalar(largest), t.span), hi_of});
    inside = inside ? node(Op::Mul, {inside, below}) : below;
  }
  o.truncation.log_mass_of =
      node(Op::Sub, {o.truncation.log_mass_of, node(Op::Call, {inside}, Builtin::Log)});
}

void Checker::statement(const ast::FactorStmt& s, Span span) {
  if (!loops_.empty()) {
    depends_on_every_loop({s.value.get()}, span, "this factor");
    no_reduction_over_loop(*s.value, true);
  }
  NodePtr n = typer_.expr(*s.value);
  typer_.require_numeric(n, "'factor'");
  if (!loops_.empty() && n->type.is_vector()) {  // one value per iteration: their sum
    auto sum = std::make_shared<ir::Node>();
    sum->op = Op::Call;
    sum->fn = Builtin::Sum;
    sum->type = Type::scalar();
    sum->span = n->span;
    sum->args = {n};
    n = sum;
  }
  if (!n->type.is_scalar())
    fail(s.value->span, "'factor' adds one number to the log density, not " +
                            describe_shape(n->type) + "; sum it: 'factor sum(...)'");
  if (ir::is_data_only(*n))
    fail(s.value->span,
         "'factor' of data alone is a constant: it changes no answer but the "
         "evidence (write it with the parameters it is about)");
  model_.terms.push_back(Term{n, span, "factor " + ast::to_source(*s.value) + loop_text()});
}

void Checker::statement(const ast::PrintStmt& s, Span) {
  check_print(s, typer_, scope_, model_, diags_);
}

void Checker::statement(const ast::PlotStmt& s, Span span) {
  check_plot(s, span, typer_, scope_, model_, diags_);
}

}  // namespace

std::vector<std::string> query_names() { return query_list(); }

std::optional<Model> check_program(const ast::Program& program, const SourceFile& file,
                                   Diagnostics& diags, const Options& options) {
  Checker c(file, diags, options);
  return c.run(program);
}

}  // namespace bayes::check
