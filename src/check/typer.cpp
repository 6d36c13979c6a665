// The checker's types and shapes: AST expression -> typed IR expression.
// Resolves names through the scope, checks operand types, broadcasting,
// matrix products, indexing and built-in calls, inlines user functions and
// folds what is constant.
#include "check/typer.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "check/common.hpp"
#include "check/supports.hpp"
#include "dist/family.hpp"
#include "expr/eval.hpp"

namespace bayes::check {

using ir::Node;
using ir::NodePtr;
using ir::Op;

std::string describe_shape(const Type& t) {
  if (t.is_scalar()) return "a scalar";
  if (t.is_vector()) return "a vector of length " + std::to_string(t.rows);
  return "a " + std::to_string(t.rows) + "x" + std::to_string(t.cols) + " matrix";
}

void Typer::fail(Span span, const std::string& message, const std::string& note) {
  check::fail(diags_, span, message, note);
}

NodePtr Typer::node(Op op, Type type, Span span, std::vector<NodePtr> args) {
  auto n = std::make_shared<Node>();
  n->op = op;
  n->type = type;
  n->span = at(span);
  n->args = std::move(args);
  for (const auto& a : n->args) {
    n->depth = std::max(n->depth, a->depth + 1);
    n->size = std::min(n->size + a->size, kMaxExpanded + 1);
  }
  if (n->depth > kMaxDepth)
    fail(n->span,
         "expression nested too deeply once lets and functions are expanded (more than " +
             std::to_string(kMaxDepth) + " levels)",
         "compute parts of it as data, or simplify it");
  // Each call of a function is expanded anew, and an expansion of constants
  // folds as it goes: f(x) = g(x) + g(x) nested 29 deep on a number would
  // make 2^29 nodes, one at a time.
  if (++made_ > kMaxMade)
    fail(n->span,
         "expression too large once lets and functions are expanded (more than " +
             std::to_string(kMaxMade) + " operations made, each call of a function expanded again)",
         "compute parts of it as data, or simplify it");
  if (n->size > kMaxExpanded)
    fail(n->span,
         "expression too large once lets and functions are expanded (more than " +
             std::to_string(kMaxExpanded) +
             " operations: each use of a let or of a "
             "function's argument counts again)",
         "compute parts of it as data, or simplify it");
  return n;
}

// Folds a node whose arguments are all constants.
NodePtr Typer::fold(NodePtr n) {
  if (n->op == Op::Const || n->op == Op::Data || n->op == Op::Param) return n;
  for (const auto& a : n->args)
    if (a->op != Op::Const) return n;
  try {
    Value v = ir::eval(*n, ir::Env{});
    auto c = ir::constant(std::move(v), n->span);
    std::const_pointer_cast<Node>(c)->type.elem =
        n->type.elem == Elem::Bool ? Elem::Bool : c->type.elem;
    return c;
  } catch (const ir::EvalError& e) {
    fail(e.span, e.what());
  }
}

const Node* Typer::nonfinite_data_part(const Node& n) {
  if (n.op == Op::Param) return nullptr;
  if (ir::is_data_only(n)) {
    if (n.op == Op::Data) return nullptr;
    Value v = n.op == Op::Const ? n.value : value_of(n);
    for (double x : v.data)
      if (!std::isfinite(x)) return &n;
    return nullptr;
  }
  for (const auto& a : n.args)
    if (const Node* bad = nonfinite_data_part(*a)) return bad;
  return nullptr;
}

Value Typer::value_of(const Node& n) {
  try {
    return ir::eval(n, env_of(model_));
  } catch (const ir::EvalError& e) {
    fail(e.span, e.what());
  }
}

// Result shape of an elementwise operation on a and b, or an error.
Type Typer::broadcast(const Type& a, const Type& b, Span span, const char* what) {
  if (a.is_scalar()) return b;
  if (b.is_scalar()) return a;
  if (a.rank == b.rank && a.rows == b.rows && a.cols == b.cols) return a;
  if (a.rank == b.rank && a.rank == Rank::Vector)
    fail(span, "vectors of different lengths (" + std::to_string(a.rows) + " and " +
                   std::to_string(b.rows) + ") in " + what);
  fail(span, std::string("cannot combine ") + describe_shape(a) + " and " + describe_shape(b) +
                 " in " + what);
}

void Typer::unknown_name(const std::string& name, Span span) {
  std::vector<std::string> visible = scope_.names();
  for (const auto& b : bindings_)
    for (const auto& [n, node] : b) visible.push_back(n);
  scope_.report_unknown(name, span, "name", visible, diags_);
  throw Poisoned{};
}

void Typer::require_numeric(NodePtr& n, const char* what) {
  if (n->type.numeric()) return;
  // A condition on data alone counts as 0 or 1: sum(x > 3), (y == 2) * w.
  if (ir::is_data_only(*n)) {
    auto copy = std::make_shared<Node>(*n);
    copy->type.elem = Elem::Int;
    if (copy->op == Op::Const) copy->value.integer = true;
    n = copy;
    return;
  }
  fail(n->span, std::string("expected a number in ") + what + ", not a condition",
       "a condition on parameters is not a number; to ask how probable it is, write "
       "'print prob(...)'");
}

NodePtr Typer::expr(const ast::Expr& e) {
  if (depth_ >= kMaxDepth)
    fail(at(e.span), "expression nested too deeply once functions are expanded (more than " +
                         std::to_string(kMaxDepth) + " levels)");
  ++depth_;
  struct Leave {
    std::size_t& depth;
    ~Leave() { --depth; }
  } leave{depth_};
  return std::visit([&](const auto& n) { return expr_node(n, e.span); }, e.node);
}

NodePtr Typer::data_expr(const ast::Expr& e, const std::string& context) {
  NodePtr n = expr(e);
  if (!ir::is_data_only(*n)) {
    std::vector<std::size_t> ps = ir::params_of(*n);
    fail(e.span,
         context + " must be data, but '" + model_.params[ps.front()].name + "' is a parameter");
  }
  return n;
}

NodePtr Typer::expr_node(const ast::Number& n, Span span) {
  return ir::constant(Value::scalar(n.value, n.integer), at(span));
}

NodePtr Typer::expr_node(const ast::StringLit&, Span span) {
  fail(span, "a string is not allowed here");
}

NodePtr Typer::expr_node(const ast::Name& n, Span span) {
  for (auto b = bindings_.rbegin(); b != bindings_.rend(); ++b) {
    auto it = b->find(n.id);
    if (it != b->end()) return it->second;
  }
  if (bindings_.empty())
    for (auto b = loops_.rbegin(); b != loops_.rend(); ++b) {
      auto it = b->find(n.id);
      if (it != b->end()) return it->second;
    }
  const Symbol* sym = lookup(n.id);
  // Constants, unless the model defines its own.
  if (!sym && (n.id == "pi" || n.id == "e") && !scope_.defined_later(n.id))
    return ir::constant(Value::scalar(n.id == "pi" ? std::numbers::pi : std::numbers::e), at(span));
  if (!sym) {
    if (dist::find(n.id)) fail(span, "'" + n.id + "' is a distribution: use it after '~'");
    if (find_builtin(n.id))
      fail(span, "'" + n.id + "' is a function: call it as " + n.id + "(...)");
    unknown_name(n.id, span);
  }
  if (sym->bad) throw Poisoned{};
  switch (sym->kind) {
    case SymKind::Data: {
      auto d = node(Op::Data, Type::of(model_.data[sym->index].value), span);
      std::const_pointer_cast<Node>(d)->ref = sym->index;
      return d;
    }
    case SymKind::Param: {
      auto p = node(Op::Param, model_.params[sym->index].type, span);
      std::const_pointer_cast<Node>(p)->ref = sym->index;
      return p;
    }
    case SymKind::Let:
      return model_.lets[sym->index].expr;
    case SymKind::Fn:
      fail(span, "'" + n.id + "' is a function: call it as " + n.id + "(...)");
  }
  throw Poisoned{};
}

NodePtr Typer::expr_node(const ast::Unary& u, Span span) {
  NodePtr a = expr(*u.operand);
  if (u.op == ast::UnaryOp::Neg) {
    require_numeric(a, "'-'");
    Type t = a->type;
    return fold(node(Op::Neg, t, span, {a}));
  }
  if (a->type.elem != Elem::Bool) fail(a->span, "'!' needs a condition such as 'p > 0.5'");
  return fold(node(Op::Not, a->type, span, {a}));
}

NodePtr Typer::expr_node(const ast::Binary& b, Span span) {
  NodePtr l = expr(*b.lhs);
  NodePtr r = expr(*b.rhs);
  using B = ast::BinaryOp;
  std::string what = std::string("'") + ast::to_string(b.op) + "'";
  switch (b.op) {
    case B::And:
    case B::Or: {
      for (const auto& x : {l, r})
        if (x->type.elem != Elem::Bool)
          fail(x->span, what + " needs conditions on both sides, such as 'p > 0.5'");
      Type t = broadcast(l->type, r->type, span, what.c_str());
      t.elem = Elem::Bool;
      return fold(node(b.op == B::And ? Op::And : Op::Or, t, span, {l, r}));
    }
    case B::Lt:
    case B::Le:
    case B::Gt:
    case B::Ge:
    case B::Eq:
    case B::Ne: {
      require_numeric(l, what.c_str());
      require_numeric(r, what.c_str());
      Type t = broadcast(l->type, r->type, span, what.c_str());
      t.elem = Elem::Bool;
      Op op = b.op == B::Lt   ? Op::Lt
              : b.op == B::Le ? Op::Le
              : b.op == B::Gt ? Op::Gt
              : b.op == B::Ge ? Op::Ge
              : b.op == B::Eq ? Op::Eq
                              : Op::Ne;
      return fold(node(op, t, span, {l, r}));
    }
    default:
      break;
  }
  require_numeric(l, what.c_str());
  require_numeric(r, what.c_str());
  if (b.op == B::EMul) {  // elementwise whatever the shapes: same shape, or a scalar
    Type t = broadcast(l->type, r->type, span, what.c_str());
    t.elem = l->type.elem == Elem::Int && r->type.elem == Elem::Int ? Elem::Int : Elem::Real;
    return fold(node(Op::Mul, t, span, {l, r}));
  }
  if (b.op == B::Mul && l->type.is_matrix() && r->type.is_vector()) {
    if (l->type.cols != r->type.rows)
      fail(span, "matrix with " + plural(l->type.cols, "column") + " times a vector of length " +
                     std::to_string(r->type.rows));
    return fold(node(Op::MatVec, Type::vector(l->type.rows), span, {l, r}));
  }
  if (l->type.is_matrix() && r->type.is_matrix() && b.op == B::Mul)
    fail(span, "matrix times matrix is not supported; write X * w with a vector w");
  if (l->type.is_vector() && r->type.is_matrix())
    fail(span, "vector times matrix is not supported; write the matrix first: X * w");
  Type t = broadcast(l->type, r->type, span, what.c_str());
  bool ints = l->type.elem == Elem::Int && r->type.elem == Elem::Int;
  t.elem = ints && (b.op == B::Add || b.op == B::Sub || b.op == B::Mul) ? Elem::Int : Elem::Real;
  Op op = b.op == B::Add   ? Op::Add
          : b.op == B::Sub ? Op::Sub
          : b.op == B::Mul ? Op::Mul
          : b.op == B::Div ? Op::Div
                           : Op::Pow;
  return fold(node(op, t, span, {l, r}));
}

NodePtr Typer::expr_node(const ast::VectorLit& v, Span span) {
  std::vector<NodePtr> elems;
  bool ints = true;
  for (const auto& e : v.elems) {
    NodePtr x = expr(*e);
    require_numeric(x, "a vector");
    if (!x->type.is_scalar())
      fail(x->span, "vector elements must be numbers, not " + describe_shape(x->type));
    ints = ints && x->type.elem == Elem::Int;
    elems.push_back(x);
  }
  Type t = Type::vector(elems.size(), ints ? Elem::Int : Elem::Real);
  return fold(node(Op::Vector, t, span, std::move(elems)));
}

NodePtr Typer::expr_node(const ast::Index& ix, Span span) {
  NodePtr base = expr(*ix.base);
  if (base->type.is_scalar()) fail(base->span, "cannot index a scalar");
  std::vector<NodePtr> args = {base};
  for (const auto& i : ix.indices) {
    NodePtr idx = expr(*i);
    if (idx->type.elem != Elem::Int)
      fail(idx->span, "an index must be a whole number or a vector of whole numbers, not " +
                          to_string(idx->type));
    if (idx->type.is_matrix()) fail(idx->span, "an index cannot be a matrix");
    std::size_t limit = args.size() == 1 ? base->type.rows : base->type.cols;
    if (ir::in_recursion(*idx)) {
      // A recursion's t (and its own elements, refused later): checked for
      // every t once the recursion is built.
    } else if (ir::is_data_only(*idx)) {
      // Check the range now: data is known.
      Value iv = value_of(*idx);
      // At the index as written (a loop variable's node has the loop's span).
      for (double x : iv.data) {
        if (std::isnan(x))
          fail(at(i->span), "an index of '" + ast::to_source(*ix.base) +
                                "' is NaN (not a number): it must be a whole number in 1.." +
                                std::to_string(limit));
        if (x < 1 || x > static_cast<double>(limit))
          fail(at(i->span), "index " + message_value(x) + " of '" + ast::to_source(*ix.base) +
                                "' is out of range 1.." + std::to_string(limit));
      }
    } else {
      // A discrete parameter as an index (the classifier / mixture idiom,
      // m[species]): its support must fit.
      index_support_fits(*idx, limit);
    }
    args.push_back(idx);
  }
  std::size_t want = base->type.is_matrix() ? 2 : 1;
  if (args.size() - 1 > want || (base->type.is_vector() && args.size() - 1 != 1))
    fail(span, "a " + std::string(base->type.is_matrix() ? "matrix" : "vector") + " takes " +
                   plural(want, "index") + " here");
  Type t;
  t.elem = base->type.elem;
  if (base->type.is_vector()) {
    const Type& it = args[1]->type;
    t.rank = it.rank;
    t.rows = it.is_scalar() ? 1 : it.rows;
    // v[[1, 2, ..., n]] of a vector of n is the vector itself (a loop's
    // `y[i]` over 1:n): the same node, so that the rules see `y`.
    if (args[1]->op == Op::Const && it.is_vector() && it.rows == base->type.rows) {
      const Value& iv = args[1]->value;
      bool identity = true;
      for (std::size_t k = 0; k < iv.size() && identity; ++k)
        identity = iv[k] == static_cast<double>(k + 1);
      if (identity) return base;
    }
  } else if (args.size() == 3) {
    // m[i, j]: one element; with vectors of (row, column) pairs, a vector.
    const Type &ri = args[1]->type, &ci = args[2]->type;
    if (ri.is_vector() && ci.is_vector() && ri.rows != ci.rows)
      fail(span, "the row and column indices of m[i, j] are vectors of different lengths (" +
                     std::to_string(ri.rows) + " and " + std::to_string(ci.rows) + ")");
    t.rank = ri.is_vector() || ci.is_vector() ? Rank::Vector : Rank::Scalar;
    t.rows = ri.is_vector() ? ri.rows : ci.is_vector() ? ci.rows : 1;
  } else {
    if (!args[1]->type.is_scalar()) fail(args[1]->span, "a matrix row index must be a number");
    t = Type::vector(base->type.cols, base->type.elem);
  }
  return fold(node(Op::Index, t, span, std::move(args)));
}

void Typer::index_support_fits(const Node& idx, std::size_t limit) {
  if (idx.op != Op::Param) fail(idx.span, "an index must be data or a discrete parameter");
  const ParamVar& p = model_.params[idx.ref];
  const Prior& prior = model_.priors[p.prior];
  if (!prior.family || !p.discrete)
    fail(idx.span,
         "an index must be data or a discrete parameter, but '" + p.name + "' is continuous");
  // The values it takes, from the support of its prior.
  const dist::Family* f = prior.family;
  double lo =
      f->support == dist::Domain::PositiveInt || f->support == dist::Domain::Category ? 1 : 0;
  double hi = INFINITY;
  if ((f == &dist::categorical_family() || f == &dist::markov_chain_family()) &&
      prior.args[0]->type.rows)
    hi = static_cast<double>(prior.args[0]->type.rows);
  if (f == &dist::discrete_uniform_family() && ir::is_data_only(*prior.args[0]) &&
      ir::is_data_only(*prior.args[1]))
    lo = value_of(*prior.args[0])[0], hi = value_of(*prior.args[1])[0];
  if (f == &dist::bernoulli_family()) lo = 0, hi = 1;
  if (f == &dist::binomial_family() && ir::is_data_only(*prior.args[0]) &&
      prior.args[0]->type.is_scalar())
    hi = value_of(*prior.args[0])[0];
  if (lo < 1 || hi > static_cast<double>(limit))
    fail(idx.span, "'" + p.name + "' takes values " + message_value(lo) + ".." + message_value(hi) +
                       ", which do not all index 1.." + std::to_string(limit));
}

NodePtr Typer::expr_node(const ast::Call& c, Span span) {
  const std::string& name = c.callee.name;
  // User functions first: they may shadow built-ins (the prelude does not).
  const Symbol* sym = lookup(name);
  if (sym && sym->kind == SymKind::Fn) return user_call(c, *sym, span);
  if (is_dist_function(name)) return dist_call(c, span);
  const BuiltinInfo* b = find_builtin(name);
  if (!b) {
    if (dist::find(name))
      fail(c.callee.span,
           "'" + name + "' is a distribution: use it after '~', as in 'y ~ " + name + "(...)'");
    if (is_query_name(name))
      fail(c.callee.span, "'" + name + "(...)' is a query: use it after 'print'");
    scope_.report_unknown(name, c.callee.span, "function", scope_.function_names(), diags_);
    throw Poisoned{};
  }
  return builtin_call(c, *b, span);
}

// lpdf(D(args), x), lcdf(D(args), x), lccdf(D(args), x): the family's own
// function summed over the elements of x (arguments broadcast as after '~').
NodePtr Typer::dist_call(const ast::Call& c, Span span) {
  const std::string& name = c.callee.name;
  const std::string usage =
      "write '" + name + "(Normal(mu, sigma), x)': a distribution, then the values";
  if (c.args.size() != 2)
    fail(span, "'" + name + "' takes 2 arguments, got " + std::to_string(c.args.size()), usage);
  const auto* d = ast::as<ast::Call>(*c.args[0]);
  if (d && !dist::find(d->callee.name) && !find_builtin(d->callee.name) &&
      !scope_.is_function(d->callee.name)) {
    std::vector<std::string> names;
    for (const auto* x : dist::all()) names.emplace_back(x->name);
    auto& diag = diags_.error(d->callee.span, "unknown distribution '" + d->callee.name + "'");
    suggest(diag, closest_name(d->callee.name, names));
    throw Poisoned{};
  }
  if (!d || !dist::find(d->callee.name))
    fail(c.args[0]->span,
         "the first argument of '" + name + "' must be a distribution such as 'Normal(0, 1)'",
         usage);
  ast::DistCall call{d->callee, d->args, c.args[0]->span};
  CheckedDist checked = check_distribution(call, *this, scope_, diags_);
  if (!checked.ok) throw Poisoned{};
  const dist::Family& f = *checked.family;
  using ir::DistFn;
  const DistFn fn = name == "lpdf" ? DistFn::Lpdf : name == "lcdf" ? DistFn::Lcdf : DistFn::Lccdf;
  if (f.outcome_rank != Rank::Scalar || !f.lpdf || (fn != DistFn::Lpdf && !f.cdf) || f.joint > 1)
    fail(c.args[0]->span,
         "'" + name + "' takes a family of one number; " + std::string(f.name) + " is not one");
  NodePtr x = expr(*c.args[1]);
  require_numeric(x, ("'" + name + "'").c_str());
  if (x->type.is_matrix())
    fail(x->span, "'" + name + "' takes a number or a vector of values, not a matrix");
  std::vector<NodePtr> args = checked.args;
  args.push_back(x);
  std::size_t len = 0;
  for (const auto& a : args)
    if (a->type.is_vector()) {
      if (len && a->type.rows && a->type.rows != len)
        fail(a->span, "vectors of different lengths in '" + name + "' (" + std::to_string(len) +
                          " and " + std::to_string(a->type.rows) + ")");
      len = a->type.rows ? a->type.rows : len;
    }
  auto n = node(Op::Dist, Type::scalar(), span, std::move(args));
  auto* m = std::const_pointer_cast<Node>(n).get();
  m->family = &f;
  m->dist_fn = fn;
  return fold(n);
}

NodePtr Typer::user_call(const ast::Call& c, const Symbol& sym, Span span) {
  const std::string& name = c.callee.name;
  if (sym.bad) throw Poisoned{};
  const ast::FnStmt& f = scope_.function(sym.index);
  if (c.args.size() != f.params.size())
    fail(span, "'" + name + "' takes " + plural(f.params.size(), "argument") + ", got " +
                   std::to_string(c.args.size()));
  std::map<std::string, NodePtr> bound;
  for (std::size_t i = 0; i < c.args.size(); ++i) bound[f.params[i].name] = expr(*c.args[i]);
  if (bindings_.size() > 64) fail(span, "functions nested too deeply");
  return inline_call(f, sym.prelude, std::move(bound), span);
}

// The body of a user function with its parameters bound. An error inside it
// is reported at the call, in the user's file, with a note naming the
// function: the same function may be called from many places, and a prelude
// function's own lines are not in the user's file at all.
NodePtr Typer::inline_call(const ast::FnStmt& f, bool from_prelude,
                           std::map<std::string, NodePtr> bound, Span call) {
  bool outermost = !call_span_;
  if (outermost) call_span_ = call;
  bindings_.push_back(std::move(bound));
  if (from_prelude) ++prelude_depth_;
  std::size_t first_new = diags_.list().size();
  auto restore = [&] {
    bindings_.pop_back();
    if (from_prelude) --prelude_depth_;
    if (outermost) call_span_.reset();
  };
  try {
    NodePtr body = expr(*f.body);
    restore();
    return body;
  } catch (const Poisoned&) {
    restore();
    std::string where =
        from_prelude ? "in the prelude" : "on line " + std::to_string(f.name.span.line);
    std::string params;
    for (std::size_t i = 0; i < f.params.size(); ++i) params += (i ? ", " : "") + f.params[i].name;
    std::string definition = f.name.name + "(" + params + ") = " + ast::to_source(*f.body);
    std::string note = "in '" + f.name.name + "', defined " + where;
    if (definition.size() <= 80) note += " as " + definition;
    for (std::size_t i = first_new; i < diags_.list().size(); ++i) {
      Diagnostic& d = diags_.at(i);
      d.notes.push_back(note);
      if (outermost) d.span = call;
    }
    throw;
  }
}

NodePtr Typer::builtin_call(const ast::Call& c, const BuiltinInfo& b, Span span) {
  const std::string& name = c.callee.name;
  if (c.args.size() < b.min_args || c.args.size() > b.max_args) {
    std::string want = b.min_args == b.max_args ? std::to_string(b.min_args)
                       : b.max_args == SIZE_MAX
                           ? "at least " + std::to_string(b.min_args)
                           : std::to_string(b.min_args) + " or " + std::to_string(b.max_args);
    fail(span, "'" + name + "' takes " + want + " argument" + (want == "1" ? "" : "s") + ", got " +
                   std::to_string(c.args.size()));
  }
  std::vector<NodePtr> args;
  for (const auto& a : c.args) {
    NodePtr x = expr(*a);
    require_numeric(x, ("'" + name + "'").c_str());
    args.push_back(x);
  }
  Type t = builtin_type(b, name, args, span);
  auto n = node(Op::Call, t, span, std::move(args));
  std::const_pointer_cast<Node>(n)->fn = b.id;
  return fold(n);
}

// The largest square matrix cov_exp_quad and diag build (5000^2 doubles are
// 200 MB, and its Cholesky factor takes 4e10 steps).
constexpr std::size_t kMaxSquare = 5000;

// The result type of a built-in call from its arguments' types.
Type Typer::builtin_type(const BuiltinInfo& b, const std::string& name,
                         const std::vector<NodePtr>& args, Span span) {
  Type t = args[0]->type;
  bool int_arg = t.elem == Elem::Int;
  // Whether the result holds integers, as the function's table row says.
  bool int_result =
      b.integer == IntegerResult::Always || (b.integer == IntegerResult::IfArguments && int_arg);
  switch (b.shape) {
    case BuiltinShape::Elementwise:
      t.elem = int_result ? Elem::Int : Elem::Real;
      if (t.is_matrix()) t.elem = Elem::Real;
      break;
    case BuiltinShape::Elementwise2:
      t = broadcast(args[0]->type, args[1]->type, span, ("'" + name + "'").c_str());
      t.elem = Elem::Real;
      break;
    case BuiltinShape::VectorMap:
      if (!t.is_vector()) fail(args[0]->span, "'" + name + "' needs a vector");
      t.elem = int_result ? Elem::Int : Elem::Real;
      break;
    case BuiltinShape::Reduce:
      t = Type::scalar(int_result ? Elem::Int : Elem::Real);
      break;
    case BuiltinShape::MinMax:
      if (args.size() == 2) {
        t = broadcast(args[0]->type, args[1]->type, span, ("'" + name + "'").c_str());
        t.elem = int_arg && args[1]->type.elem == Elem::Int ? Elem::Int : Elem::Real;
      } else {
        t = Type::scalar(t.elem);
      }
      break;
    case BuiltinShape::Dot:
      for (const auto& a : args)
        if (!a->type.is_vector()) fail(a->span, "'dot' needs two vectors");
      if (args[0]->type.rows != args[1]->type.rows)
        fail(span, "vectors of different lengths (" + std::to_string(args[0]->type.rows) + " and " +
                       std::to_string(args[1]->type.rows) + ") in 'dot'");
      t = Type::scalar();
      break;
    case BuiltinShape::Columns: {
      std::size_t rows = 0;
      for (const auto& a : args) {
        if (!a->type.is_vector())
          fail(a->span, "'" + name + "' needs vectors, each one " +
                            (b.id == Builtin::Rows ? "row" : "column"));
        if (rows && a->type.rows != rows)
          fail(a->span, "vectors of different lengths (" + std::to_string(rows) + " and " +
                            std::to_string(a->type.rows) + ") in '" + name + "'");
        rows = a->type.rows;
      }
      t = b.id == Builtin::Rows ? Type::matrix(args.size(), rows) : Type::matrix(rows, args.size());
      break;
    }
    case BuiltinShape::Rep:
    case BuiltinShape::Seq:
      t = sequence_type(b, name, args, span);
      break;
    case BuiltinShape::Matrix:
      // An N x N matrix: N^2 doubles, and a Cholesky factor in N^3 steps.
      if (args[0]->type.is_vector() && args[0]->type.rows > kMaxSquare)
        fail(args[0]->span, "'" + name + "' would make a " + std::to_string(args[0]->type.rows) +
                                " x " + std::to_string(args[0]->type.rows) + " matrix; at most " +
                                std::to_string(kMaxSquare) + " x " + std::to_string(kMaxSquare) +
                                " are allowed");
      if (b.id == Builtin::CovExpQuad) {
        if (!args[0]->type.is_vector() || !ir::is_data_only(*args[0]))
          fail(args[0]->span, "the points of 'cov_exp_quad' are a vector of data");
        for (std::size_t i = 1; i < 3; ++i)
          if (!args[i]->type.is_scalar())
            fail(args[i]->span,
                 std::string(i == 1 ? "alpha" : "rho") + " of 'cov_exp_quad' is one number");
        t = Type::matrix(args[0]->type.rows, args[0]->type.rows);
      } else if (b.id == Builtin::Diag) {
        if (!args[0]->type.is_vector()) fail(args[0]->span, "'diag' needs a vector");
        t = Type::matrix(args[0]->type.rows, args[0]->type.rows);
      } else {
        if (!t.is_matrix() || t.rows != t.cols)
          fail(args[0]->span, "'cholesky' needs a square matrix");
        if (!ir::is_data_only(*args[0]))
          fail(args[0]->span,
               "'cholesky' of parameters is not supported: give MultiNormal the "
               "covariance itself (its factor is taken inside)");
      }
      break;
  }
  return t;
}

// rep(x, n) and seq(a, b): their length is data, known now.
Type Typer::sequence_type(const BuiltinInfo& b, const std::string& name,
                          const std::vector<NodePtr>& args, Span span) {
  // rep(x, n) repeats a parameter too (a GP's noise on the diagonal); the
  // count, and both ends of seq, are data.
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    if (!a->type.is_scalar()) fail(a->span, "'" + name + "' needs numbers");
    if (!ir::is_data_only(*a) && (b.id != Builtin::Rep || i == 1))
      fail(a->span, "'" + name + "' needs data, not parameters");
  }
  Value n = value_of(*args[1]);
  Value a0 = ir::is_data_only(*args[0]) ? value_of(*args[0]) : Value::scalar(0);
  // A vector written in the model (not read from a CSV file) beyond this
  // (80 MB of doubles) is surely a typo; converting a larger double to a size
  // would be undefined.
  constexpr double kMaxLength = 1e7;
  if (b.id == Builtin::Rep) {
    if (args[1]->type.elem != Elem::Int || !(n[0] >= 0))  // NaN too
      fail(args[1]->span, "the number of copies must be a whole number >= 0");
    if (n[0] > kMaxLength)
      fail(args[1]->span, "'" + name + "' would make " + message_value(n[0]) +
                              " elements; at most 10000000 are allowed");
    return Type::vector(static_cast<std::size_t>(n[0]), args[0]->type.elem);
  }
  if (args[0]->type.elem != Elem::Int || args[1]->type.elem != Elem::Int)
    fail(span, "'seq' needs whole numbers");
  // Beyond 2^53 consecutive whole numbers are not all doubles (x + 1 == x).
  constexpr double kExact = 9007199254740992.0;
  if (!(std::fabs(a0[0]) < kExact) || !(std::fabs(n[0]) < kExact))
    fail(span, "'seq' needs whole numbers of size below 2^53 = 9007199254740992, not " +
                   format::shortest(std::fabs(a0[0]) < kExact ? n[0] : a0[0]));
  if (n[0] - a0[0] + 1 > kMaxLength)
    fail(span, "'seq' would make " + message_value(n[0] - a0[0] + 1) +
                   " elements; at most 10000000 are allowed");
  return Type::vector(n[0] >= a0[0] ? static_cast<std::size_t>(n[0] - a0[0] + 1) : 0, Elem::Int);
}

}  // namespace bayes::check
