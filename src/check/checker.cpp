// The checker: walks the statements in order, keeping a table of names, and
// builds the checked Model. Errors are collected, not thrown: a statement with
// an error still defines its names (marked bad) so that later statements are
// checked too without a cascade of follow-on errors.
#include "check/checker.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <map>
#include <set>
#include <sstream>

#include "data/csv.hpp"
#include "dist/multivariate.hpp"
#include "expr/eval.hpp"

namespace bayes::check {

namespace {

// The largest vector parameter (each element is a coordinate of the numeric
// engine and of its draws).
constexpr double kMaxParamSize = 1e6;

using ir::Node;
using ir::NodePtr;
using ir::Op;

enum class SymKind { Data, Param, Let, Fn };

struct Symbol {
  SymKind kind;
  std::size_t index = 0;  // into data / params / lets / fns
  Span span;              // where it was defined
  bool bad = false;       // its definition had an error
  bool prelude = false;   // defined by the prelude: a program may redefine it
};

struct UserFn {
  ast::FnStmt stmt;
};

// Checked expressions are at most this deep, and expression checking recurses
// at most this deep: every later stage walks them recursively.
constexpr std::size_t kMaxDepth = 2000;

// Thrown inside expression checking when a bad symbol is used: the statement
// is skipped without a further message (its cause was already reported).
struct Poisoned {};

const std::vector<std::string>& query_list() {
  static const std::vector<std::string> q = {"posterior",  "map",      "mle",      "mean",
                                             "sd",         "interval", "quantile", "prob",
                                             "predictive", "evidence"};
  return q;
}

std::string fmt_num(double x) {
  if (std::isnan(x)) return "NaN";  // not the platform's "nan" or "-nan"
  std::ostringstream s;
  s.precision(6);
  s << x;
  return s.str();
}

std::string plural(std::size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

class Checker {
 public:
  Checker(const SourceFile& file, Diagnostics& diags, const Options& options)
      : file_(file), diags_(diags), options_(options) {}

  std::optional<Model> run(const ast::Program& program) {
    if (options_.prelude) {
      for (const auto& stmt : options_.prelude->stmts) {
        try {
          std::visit([&](const auto& s) { statement(s, stmt.span); }, stmt.node);
        } catch (const Poisoned&) {
        }
      }
      for (auto& [name, sym] : symbols_) sym.prelude = true;
    }
    collect_definitions(program);
    collect_streamable(program);
    for (const auto& stmt : program.stmts) {
      current_ = stmt.span;
      try {
        std::visit([&](const auto& s) { statement(s, stmt.span); }, stmt.node);
      } catch (const Poisoned&) {
      }
    }
    if (diags_.has_errors()) return std::nullopt;
    return std::move(model_);
  }

 private:
  const SourceFile& file_;
  Diagnostics& diags_;
  Options options_;
  Model model_;
  std::map<std::string, Symbol> symbols_;
  std::map<std::string, std::vector<std::string>> streamable_;  // name -> observing families
  std::vector<UserFn> fns_;
  // Fn parameters bound to checked arguments while a user function is inlined.
  std::vector<std::map<std::string, NodePtr>> bindings_;
  // While a user function's body is inlined: the span of the outermost call,
  // in the user's file. Nodes made meanwhile carry it (their own spans would
  // be in the function's definition, perhaps in the prelude).
  std::optional<Span> call_span_;
  // Recursion depth of expr(): bounded so that checking cannot overflow the stack.
  std::size_t depth_ = 0;
  // Every name the program defines, with the statement that defines it first
  // (for "used before its definition").
  std::map<std::string, Span> definitions_;
  Span current_;             // the statement being checked
  std::string defining_fn_;  // the function whose body names_resolve is checking

  // ------------------------------------------------------------ names

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

  // Declares `id`; reports a second definition (a replacement in the REPL).
  // Returns false when the name is taken.
  bool declare(const ast::Ident& id, SymKind kind, std::size_t index, bool bad = false) {
    auto it = symbols_.find(id.name);
    if (it != symbols_.end() && !options_.allow_redefinition && !it->second.prelude) {
      auto& d = diags_.error(id.span, "'" + id.name + "' is already defined");
      d.notes.push_back("the first definition, as " + std::string(kind_name(it->second.kind)) +
                        ", is at line " + std::to_string(it->second.span.line));
      return false;
    }
    if (dist::find(id.name)) {
      diags_.error(id.span, "'" + id.name + "' is the name of a distribution; choose another name");
      return false;
    }
    symbols_[id.name] = Symbol{kind, index, id.span, bad};
    return true;
  }

  // ---------------------------------------------------------- streaming
  // A CSV column used only as the whole left side of observations whose
  // likelihood a data::Summary describes (and in predictive(...)) is read in
  // one pass into its sufficient statistics instead of into memory.
  static bool streams(std::string_view family) {
    static const std::set<std::string_view> families = {"Normal",  "Bernoulli",   "Binomial",
                                                        "Poisson", "Exponential", "Geometric"};
    return families.count(family) > 0;
  }
  // Families whose log likelihood needs the distinct values (log C(n, x), log x!).
  static bool needs_counts(std::string_view family) {
    return family == "Binomial" || family == "Poisson";
  }

  static void names_in(const ast::Expr& e, std::set<std::string>& out) {
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

  void collect_streamable(const ast::Program& program) {
    std::set<std::string> other;
    std::map<std::string, std::vector<std::string>> observed;
    auto all = [&](const auto& exprs) {
      for (const auto& x : exprs)
        if (x) names_in(*x, other);
    };
    for (const auto& stmt : program.stmts) {
      std::visit(
          [&](const auto& st) {
            using T = std::decay_t<decltype(st)>;
            if constexpr (std::is_same_v<T, ast::DataStmt>) {
              if (st.value) names_in(*st.value, other);
            } else if constexpr (std::is_same_v<T, ast::ParamStmt>) {
              for (const auto& d : st.decls)
                if (d.size) names_in(*d.size, other);
              if (st.prior) all(st.prior->args);
              if (st.lower) names_in(*st.lower, other);
              if (st.upper) names_in(*st.upper, other);
            } else if constexpr (std::is_same_v<T, ast::LetStmt>) {
              names_in(*st.value, other);
            } else if constexpr (std::is_same_v<T, ast::ObserveStmt>) {
              const auto* name = ast::as<ast::Name>(*st.lhs);
              if (name && streams(st.dist.name.name))
                observed[name->id].push_back(st.dist.name.name);
              else
                names_in(*st.lhs, other);
              all(st.dist.args);
            } else if constexpr (std::is_same_v<T, ast::FnStmt>) {
              names_in(*st.body, other);
            } else if constexpr (std::is_same_v<T, ast::PrintStmt>) {
              const auto* call = ast::as<ast::Call>(*st.query);
              bool predictive = call && call->callee.name == "predictive" &&
                                call->args.size() == 1 && ast::as<ast::Name>(*call->args[0]);
              if (!predictive) names_in(*st.query, other);
            } else if constexpr (std::is_same_v<T, ast::PlotStmt>) {
              names_in(*st.target, other);
            }
          },
          stmt.node);
    }
    for (auto& [name, families] : observed)
      if (!other.count(name)) streamable_[name] = std::move(families);
  }

  void collect_definitions(const ast::Program& program) {
    auto define = [&](const ast::Ident& id, Span stmt) {
      Span s = stmt;
      s.line = id.span.line;
      definitions_.emplace(id.name, s);
    };
    for (const auto& stmt : program.stmts) {
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
            }
          },
          stmt.node);
    }
  }

  // Reports a name that is not defined here: defined later in the file, in
  // its own definition, or unknown (with a did-you-mean).
  Diagnostic& report_unknown(const std::string& name, Span span, const std::string& what,
                             const std::vector<std::string>& candidates) {
    auto later = definitions_.find(name);
    if (later != definitions_.end() && !symbols_.count(name)) {
      if (later->second.begin == current_.begin && current_.line)
        return diags_.error(span, "'" + name + "' is used in its own definition");
      return diags_.error(span, "'" + name + "' is used before its definition on line " +
                                    std::to_string(later->second.line));
    }
    auto& d = diags_.error(span, "unknown " + what + " '" + name + "'");
    suggest(d, closest_name(name, candidates));
    return d;
  }

  std::vector<std::string> function_names() {
    std::vector<std::string> out;
    for (const auto& x : all_builtins()) out.emplace_back(x.name);
    for (const auto& [n, s] : symbols_)
      if (s.kind == SymKind::Fn) out.push_back(n);
    return out;
  }

  std::vector<std::string> visible_names() {
    std::vector<std::string> out;
    for (const auto& [name, sym] : symbols_) out.push_back(name);
    for (const auto& b : bindings_)
      for (const auto& [name, node] : b) out.push_back(name);
    return out;
  }

  [[noreturn]] void unknown_name(const std::string& name, Span span) {
    report_unknown(name, span, "name", visible_names());
    throw Poisoned{};
  }

  // ------------------------------------------------------------ errors in expressions

  [[noreturn]] void fail(Span span, const std::string& message, const std::string& note = "") {
    auto& d = diags_.error(span, message);
    if (!note.empty()) d.notes.push_back(note);
    throw Poisoned{};
  }

  // ------------------------------------------------------------ expressions

  // Where a node made now is said to be: inside an inlined function body, the call.
  Span at(Span span) const { return call_span_ ? *call_span_ : span; }

  NodePtr node(Op op, Type type, Span span, std::vector<NodePtr> args = {}) {
    auto n = std::make_shared<Node>();
    n->op = op;
    n->type = type;
    n->span = at(span);
    n->args = std::move(args);
    for (const auto& a : n->args) n->depth = std::max(n->depth, a->depth + 1);
    if (n->depth > kMaxDepth)
      fail(n->span,
           "expression nested too deeply once lets and functions are expanded (more than " +
               std::to_string(kMaxDepth) + " levels)",
           "compute parts of it as data, or simplify it");
    return n;
  }

  // Folds a node whose arguments are all constants.
  NodePtr fold(NodePtr n) {
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

  // The first data-only part of n (not a plain data name, which is finite
  // when read) whose value has a NaN or an infinity.
  const Node* nonfinite_data_part(const Node& n) {
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

  Value value_of(const Node& n) {
    try {
      return ir::eval(n, env_of(model_));
    } catch (const ir::EvalError& e) {
      fail(e.span, e.what());
    }
  }

  static std::string describe_shape(const Type& t) {
    if (t.is_scalar()) return "a scalar";
    if (t.is_vector()) return "a vector of length " + std::to_string(t.rows);
    return "a " + std::to_string(t.rows) + "x" + std::to_string(t.cols) + " matrix";
  }

  // Result shape of an elementwise operation on a and b, or an error.
  Type broadcast(const Type& a, const Type& b, Span span, const char* what) {
    if (a.is_scalar()) return b;
    if (b.is_scalar()) return a;
    if (a.rank == b.rank && a.rows == b.rows && a.cols == b.cols) return a;
    if (a.rank == b.rank && a.rank == Rank::Vector)
      fail(span, "vectors of different lengths (" + std::to_string(a.rows) + " and " +
                     std::to_string(b.rows) + ") in " + what);
    fail(span, std::string("cannot combine ") + describe_shape(a) + " and " + describe_shape(b) +
                   " in " + what);
  }

  NodePtr expr(const ast::Expr& e) {
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

  NodePtr expr_node(const ast::Number& n, Span span) {
    return ir::constant(Value::scalar(n.value, n.integer), at(span));
  }

  NodePtr expr_node(const ast::StringLit&, Span span) {
    fail(span, "a string is not allowed here");
  }

  NodePtr expr_node(const ast::Name& n, Span span) {
    for (auto b = bindings_.rbegin(); b != bindings_.rend(); ++b) {
      auto it = b->find(n.id);
      if (it != b->end()) return it->second;
    }
    auto it = symbols_.find(n.id);
    if (it == symbols_.end()) {
      if (dist::find(n.id)) fail(span, "'" + n.id + "' is a distribution: use it after '~'");
      if (find_builtin(n.id))
        fail(span, "'" + n.id + "' is a function: call it as " + n.id + "(...)");
      unknown_name(n.id, span);
    }
    const Symbol& sym = it->second;
    if (sym.bad) throw Poisoned{};
    switch (sym.kind) {
      case SymKind::Data: {
        auto d = node(Op::Data, Type::of(model_.data[sym.index].value), span);
        std::const_pointer_cast<Node>(d)->ref = sym.index;
        return d;
      }
      case SymKind::Param: {
        auto p = node(Op::Param, model_.params[sym.index].type, span);
        std::const_pointer_cast<Node>(p)->ref = sym.index;
        return p;
      }
      case SymKind::Let:
        return model_.lets[sym.index].expr;
      case SymKind::Fn:
        fail(span, "'" + n.id + "' is a function: call it as " + n.id + "(...)");
    }
    throw Poisoned{};
  }

  void require_numeric(const NodePtr& n, const char* what) {
    if (!n->type.numeric())
      fail(n->span, std::string("expected a number in ") + what + ", not a condition");
  }

  NodePtr expr_node(const ast::Unary& u, Span span) {
    NodePtr a = expr(*u.operand);
    if (u.op == ast::UnaryOp::Neg) {
      require_numeric(a, "'-'");
      Type t = a->type;
      return fold(node(Op::Neg, t, span, {a}));
    }
    if (a->type.elem != Elem::Bool) fail(a->span, "'!' needs a condition such as 'p > 0.5'");
    return fold(node(Op::Not, a->type, span, {a}));
  }

  NodePtr expr_node(const ast::Binary& b, Span span) {
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

  NodePtr expr_node(const ast::VectorLit& v, Span span) {
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

  NodePtr expr_node(const ast::Index& ix, Span span) {
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
      if (ir::is_data_only(*idx)) {
        // Check the range now: data is known.
        Value iv = value_of(*idx);
        for (double x : iv.data)
          if (x < 1 || x > static_cast<double>(limit))
            fail(idx->span, "index " + fmt_num(x) + " is out of range 1.." + std::to_string(limit));
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
    } else if (args.size() == 3) {
      t.rank = Rank::Scalar;
      if (!args[1]->type.is_scalar() || !args[2]->type.is_scalar())
        fail(span, "matrix elements are indexed by two whole numbers, m[i, j]");
    } else {
      if (!args[1]->type.is_scalar()) fail(args[1]->span, "a matrix row index must be a number");
      t = Type::vector(base->type.cols, base->type.elem);
    }
    return fold(node(Op::Index, t, span, std::move(args)));
  }

  void index_support_fits(const Node& idx, std::size_t limit) {
    if (idx.op != Op::Param) fail(idx.span, "an index must be data or a discrete parameter");
    const ParamVar& p = model_.params[idx.ref];
    const Prior& prior = model_.priors[p.prior];
    if (!prior.family || !p.discrete)
      fail(idx.span,
           "an index must be data or a discrete parameter, but '" + p.name + "' is continuous");
    // The values it takes, from the support of its prior.
    double lo = prior.family->support == dist::Domain::PositiveInt ||
                        prior.family->support == dist::Domain::Category
                    ? 1
                    : 0;
    double hi = INFINITY;
    std::string_view f = prior.family->name;
    if (f == "Categorical" && prior.args[0]->type.rows)
      hi = static_cast<double>(prior.args[0]->type.rows);
    if (f == "DiscreteUniform" && ir::is_data_only(*prior.args[0]) &&
        ir::is_data_only(*prior.args[1]))
      lo = value_of(*prior.args[0])[0], hi = value_of(*prior.args[1])[0];
    if (f == "Bernoulli") lo = 0, hi = 1;
    if (f == "Binomial" && ir::is_data_only(*prior.args[0]) && prior.args[0]->type.is_scalar())
      hi = value_of(*prior.args[0])[0];
    if (lo < 1 || hi > static_cast<double>(limit))
      fail(idx.span, "'" + p.name + "' takes values " + fmt_num(lo) + ".." + fmt_num(hi) +
                         ", which do not all index 1.." + std::to_string(limit));
  }

  // The body of a user function with its parameters bound. An error inside it
  // is reported at the call, in the user's file, with a note naming the
  // function: the same function may be called from many places, and a prelude
  // function's own lines are not in the user's file at all.
  NodePtr inline_call(const ast::FnStmt& f, bool from_prelude, std::map<std::string, NodePtr> bound,
                      Span call) {
    bool outermost = !call_span_;
    if (outermost) call_span_ = call;
    bindings_.push_back(std::move(bound));
    std::size_t first_new = diags_.list().size();
    auto restore = [&] {
      bindings_.pop_back();
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
      for (std::size_t i = 0; i < f.params.size(); ++i)
        params += (i ? ", " : "") + f.params[i].name;
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

  NodePtr expr_node(const ast::Call& c, Span span) {
    const std::string& name = c.callee.name;
    // User functions first: they may shadow built-ins (the prelude does not).
    auto it = symbols_.find(name);
    if (it != symbols_.end() && it->second.kind == SymKind::Fn) {
      if (it->second.bad) throw Poisoned{};
      const ast::FnStmt& f = fns_[it->second.index].stmt;
      if (c.args.size() != f.params.size())
        fail(span, "'" + name + "' takes " + plural(f.params.size(), "argument") + ", got " +
                       std::to_string(c.args.size()));
      std::map<std::string, NodePtr> bound;
      for (std::size_t i = 0; i < c.args.size(); ++i) bound[f.params[i].name] = expr(*c.args[i]);
      if (bindings_.size() > 64) fail(span, "functions nested too deeply");
      return inline_call(f, it->second.prelude, std::move(bound), span);
    }
    const BuiltinInfo* b = find_builtin(name);
    if (!b) {
      if (dist::find(name))
        fail(c.callee.span,
             "'" + name + "' is a distribution: use it after '~', as in 'y ~ " + name + "(...)'");
      if (std::find(query_list().begin(), query_list().end(), name) != query_list().end())
        fail(c.callee.span, "'" + name + "(...)' is a query: use it after 'print'");
      report_unknown(name, c.callee.span, "function", function_names());
      throw Poisoned{};
    }
    if (c.args.size() < b->min_args || c.args.size() > b->max_args) {
      std::string want = b->min_args == b->max_args ? std::to_string(b->min_args)
                         : b->max_args == SIZE_MAX
                             ? "at least " + std::to_string(b->min_args)
                             : std::to_string(b->min_args) + " or " + std::to_string(b->max_args);
      fail(span, "'" + name + "' takes " + want + " argument" + (want == "1" ? "" : "s") +
                     ", got " + std::to_string(c.args.size()));
    }
    std::vector<NodePtr> args;
    for (const auto& a : c.args) {
      NodePtr x = expr(*a);
      require_numeric(x, ("'" + name + "'").c_str());
      args.push_back(x);
    }
    Type t = args[0]->type;
    bool int_arg = t.elem == Elem::Int;
    switch (b->shape) {
      case BuiltinShape::Elementwise:
        t.elem = (b->id == Builtin::Abs || b->id == Builtin::Square) && int_arg ? Elem::Int
                 : (b->id == Builtin::Floor || b->id == Builtin::Ceil || b->id == Builtin::Round)
                     ? Elem::Int
                     : Elem::Real;
        if (t.is_matrix()) t.elem = Elem::Real;
        break;
      case BuiltinShape::Elementwise2:
        t = broadcast(args[0]->type, args[1]->type, span, ("'" + name + "'").c_str());
        t.elem = Elem::Real;
        break;
      case BuiltinShape::VectorMap:
        if (!t.is_vector()) fail(args[0]->span, "'" + name + "' needs a vector");
        t.elem = b->id == Builtin::Cumsum && int_arg ? Elem::Int : Elem::Real;
        break;
      case BuiltinShape::Reduce: {
        bool keeps_int = b->id == Builtin::Sum || b->id == Builtin::Prod;
        t = Type::scalar(b->id == Builtin::Length || (keeps_int && int_arg) ? Elem::Int
                                                                            : Elem::Real);
        break;
      }
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
          fail(span, "vectors of different lengths (" + std::to_string(args[0]->type.rows) +
                         " and " + std::to_string(args[1]->type.rows) + ") in 'dot'");
        t = Type::scalar();
        break;
      case BuiltinShape::Columns: {
        std::size_t rows = 0;
        for (const auto& a : args) {
          if (!a->type.is_vector()) fail(a->span, "'columns' needs vectors, each one column");
          if (rows && a->type.rows != rows)
            fail(a->span, "vectors of different lengths (" + std::to_string(rows) + " and " +
                              std::to_string(a->type.rows) + ") in 'columns'");
          rows = a->type.rows;
        }
        t = Type::matrix(rows, args.size());
        break;
      }
      case BuiltinShape::Rep:
      case BuiltinShape::Seq: {
        for (const auto& a : args) {
          if (!a->type.is_scalar()) fail(a->span, "'" + name + "' needs numbers");
          if (!ir::is_data_only(*a)) fail(a->span, "'" + name + "' needs data, not parameters");
        }
        Value n = value_of(*args[1]);
        Value a0 = value_of(*args[0]);
        // A length beyond this (800 MB of doubles) is surely a typo, and
        // converting a larger double to a size would be undefined.
        constexpr double kMaxLength = 1e8;
        if (b->id == Builtin::Rep) {
          if (args[1]->type.elem != Elem::Int || n[0] < 0)
            fail(args[1]->span, "the number of copies must be a whole number >= 0");
          if (n[0] > kMaxLength)
            fail(args[1]->span, "'" + name + "' would make " + fmt_num(n[0]) +
                                    " elements; at most 100000000 are allowed");
          t = Type::vector(static_cast<std::size_t>(n[0]), t.elem);
        } else {
          if (args[0]->type.elem != Elem::Int || args[1]->type.elem != Elem::Int)
            fail(span, "'seq' needs whole numbers");
          if (n[0] - a0[0] + 1 > kMaxLength)
            fail(span, "'seq' would make " + fmt_num(n[0] - a0[0] + 1) +
                           " elements; at most 100000000 are allowed");
          t = Type::vector(n[0] >= a0[0] ? static_cast<std::size_t>(n[0] - a0[0] + 1) : 0,
                           Elem::Int);
        }
        break;
      }
    }
    auto n = node(Op::Call, t, span, std::move(args));
    std::const_pointer_cast<Node>(n)->fn = b->id;
    return fold(n);
  }

  // Like expr(), but the whole expression must be data.
  NodePtr data_expr(const ast::Expr& e, const std::string& context) {
    NodePtr n = expr(e);
    if (!ir::is_data_only(*n)) {
      std::vector<std::size_t> ps = ir::params_of(*n);
      fail(e.span,
           context + " must be data, but '" + model_.params[ps.front()].name + "' is a parameter");
    }
    return n;
  }

  // ------------------------------------------------------------ distributions

  struct CheckedDist {
    const dist::Family* family;
    std::vector<NodePtr> args;  // nullptr where an argument had an error
    std::vector<Value> known;   // evaluated args, empty Value where a parameter is involved
    bool ok = true;             // false: an argument had an error (already reported)
    const ast::DistCall* call = nullptr;
  };

  CheckedDist distribution(const ast::DistCall& d) {
    const dist::Family* f = dist::find(d.name.name);
    if (!f) {
      std::vector<std::string> names;
      for (const auto* x : dist::all()) names.emplace_back(x->name);
      auto sym = symbols_.find(d.name.name);
      if (find_builtin(d.name.name) || (sym != symbols_.end() && sym->second.kind == SymKind::Fn))
        fail(d.name.span, "'" + d.name.name + "' is a function, not a distribution");
      auto& diag = diags_.error(d.name.span, "unknown distribution '" + d.name.name + "'");
      suggest(diag, closest_name(d.name.name, names));
      throw Poisoned{};
    }
    std::string signature = std::string(f->name) + "(";
    for (std::size_t i = 0; i < f->params.size(); ++i)
      signature += (i ? ", " : "") + std::string(f->params[i].name);
    signature += ")";
    if (d.args.size() != f->params.size())
      fail(d.span,
           std::string(f->name) + " takes " + plural(f->params.size(), "argument") + ", got " +
               std::to_string(d.args.size()),
           "the signature is " + signature);
    CheckedDist out{f, {}, {}, true, &d};
    bool arg_error = false;
    for (std::size_t i = 0; i < d.args.size(); ++i) {
      const dist::Param& p = f->params[i];
      NodePtr a;
      try {
        a = expr(*d.args[i]);
        require_numeric(a, "a distribution argument");
        if (p.rank == Rank::Scalar && a->type.is_matrix())
          fail(a->span, std::string(p.name) + " of " + std::string(f->name) +
                            " must be a number or a vector, not a matrix");
        if (p.rank == Rank::Vector && !a->type.is_vector())
          fail(a->span, std::string(p.name) + " of " + std::string(f->name) +
                            " must be a vector, not " + describe_shape(a->type));
        if (p.rank == Rank::Matrix && !a->type.is_matrix())
          fail(a->span, std::string(p.name) + " of " + std::string(f->name) +
                            " must be a matrix, not " + describe_shape(a->type));
      } catch (const Poisoned&) {
        arg_error = true;
        out.args.push_back(nullptr);
        out.known.emplace_back();
        continue;
      }
      Value known;
      known.data.clear();
      known.rows = 0;
      if (!ir::is_data_only(*a)) {
        // The data parts of an argument that also reads parameters (0/0 in
        // `Normal(0/0 + mu, 1)`) must be numbers too.
        if (const Node* bad = nonfinite_data_part(*a)) {
          diags_.error(bad->span, "'" + std::string(p.name) + "' of " + std::string(f->name) +
                                      ": this part of the argument is not a finite number (it "
                                      "is computed from the data alone)");
          arg_error = true;
        }
      } else {
        known = value_of(*a);
        // Simplex and CountVector are checked as a whole by check_args.
        bool elementwise =
            p.domain != dist::Domain::Simplex && p.domain != dist::Domain::Covariance;
        if (elementwise) {
          for (std::size_t k = 0; k < known.size(); ++k) {
            double x = known[k];
            if (!dist::in_domain(p.domain, x) || std::isnan(x)) {
              std::string where =
                  known.is_scalar() ? "" : " (element " + std::to_string(k + 1) + ")";
              // inf is positive, but not a value any hyperparameter may take.
              std::string must(dist::describe(p.domain));
              if (std::isinf(x) && p.domain == dist::Domain::Real) must = "finite";
              if (x == INFINITY &&
                  (p.domain == dist::Domain::Positive || p.domain == dist::Domain::NonNegative))
                must = "finite and " + must;
              diags_.error(a->span, std::string(p.name) + " of " + std::string(f->name) +
                                        " must be " + must + ", got " + fmt_num(x) + where);
              arg_error = true;
              break;
            }
          }
        }
      }
      out.args.push_back(a);
      out.known.push_back(std::move(known));
    }
    out.ok = !arg_error;
    if (arg_error) return out;
    if (f->check_args) {
      std::string why = f->check_args(out.known);
      if (!why.empty()) fail(d.span, "invalid arguments to " + std::string(f->name) + ": " + why);
    }
    return out;
  }

  // ------------------------------------------------------------ statements

  void statement(const ast::DataStmt& s, Span) {
    if (s.value) {
      const ast::Ident& id = s.names.front();
      NodePtr n;
      try {
        n = data_expr(*s.value, "a data value");
      } catch (const Poisoned&) {
        declare_bad(id, SymKind::Data);
        throw;
      }
      // A condition is not data: `data b = 1 < 2` would be an indicator 1 or 0
      // that arithmetic then refuses (conditions are only for prob(...)).
      if (!n->type.numeric()) {
        declare_bad(id, SymKind::Data);
        fail(s.value->span, "a data value must be a number, not a condition");
      }
      Value v = value_of(*n);
      for (std::size_t i = 0; i < v.size(); ++i)
        if (!std::isfinite(v[i])) {
          declare_bad(id, SymKind::Data);
          fail(s.value->span, "data must be finite, but " + not_finite(*s.value, v, i));
        }
      add_data(id, std::move(v), "");
      return;
    }
    // data a, b from "file.csv": path relative to the model file. Columns
    // that may stream (see collect_streamable) are summarised, not kept.
    std::filesystem::path path(*s.file);
    if (path.is_relative() && !file_.directory.empty())
      path = std::filesystem::path(file_.directory) / path;
    std::vector<std::string> kept, summarised;
    for (const auto& id : s.names)
      (streamable_.count(id.name) ? summarised : kept).push_back(id.name);
    // When some columns of the file are kept, all are: the file is read
    // anyway, and an engine that is not a streaming rule (the numeric one,
    // for a regression's outcome) would read it again for the summarised ones.
    if (!kept.empty() && !summarised.empty()) {
      kept.insert(kept.end(), summarised.begin(), summarised.end());
      summarised.clear();
    }
    auto report = [&](const data::CsvError& err) {
      for (const auto& id : s.names) declare_bad(id, SymKind::Data);
      std::string where = *s.file;
      if (err.row) where += ":" + std::to_string(err.row);
      if (err.column) where += ":" + std::to_string(err.column);
      std::string col = err.column_name.empty() ||
                                err.message.find('\'' + err.column_name + '\'') != std::string::npos
                            ? ""
                            : " (column '" + err.column_name + "')";
      Span span = s.file_span;
      if (err.row == 0 && err.column == 0 && !err.column_name.empty()) {
        for (const auto& id : s.names)
          if (id.name == err.column_name) span = id.span;
      }
      diags_.error(span, where + ": " + err.message + col);
    };
    auto no_rows = [&] {
      for (const auto& id : s.names) declare_bad(id, SymKind::Data);
      diags_.error(s.file_span, *s.file + ": the file has a header but no rows");
    };
    std::optional<data::Columns> cols;
    if (!kept.empty()) {
      auto result = data::read_columns(path.string(), kept);
      if (auto* err = std::get_if<data::CsvError>(&result)) return report(*err);
      cols = std::move(std::get<data::Columns>(result));
      if (cols->rows == 0) return no_rows();
    }
    std::optional<data::Summaries> sums;
    if (!summarised.empty()) {
      auto result = data::read_summaries(path.string(), summarised);
      if (auto* err = std::get_if<data::CsvError>(&result)) return report(*err);
      sums = std::move(std::get<data::Summaries>(result));
      if (sums->rows == 0) return no_rows();
    }
    for (const auto& id : s.names) {
      auto k = std::find(kept.begin(), kept.end(), id.name);
      if (k != kept.end()) {
        auto i = static_cast<std::size_t>(k - kept.begin());
        add_data(id, Value::vector(std::move(cols->values[i]), cols->integer[i]), *s.file, &*cols,
                 i);
        if (!model_.data.empty() && model_.data.back().name == id.name)
          model_.data.back().path = path.string();
        continue;
      }
      auto i = static_cast<std::size_t>(std::find(summarised.begin(), summarised.end(), id.name) -
                                        summarised.begin());
      const data::Summary& su = sums->columns[i];
      if (!declare(id, SymKind::Data, model_.data.size())) continue;
      DataVar d;
      d.name = id.name;
      d.value = Value{Rank::Vector, su.integer, su.n, 1, {}};
      d.span = id.span;
      d.file = *s.file;
      d.path = path.string();
      d.csv_lines = sums->lines;
      d.csv_field = sums->fields[i];
      d.summary = std::make_shared<data::Summary>(su);
      bool counts = false;
      for (const auto& fam : streamable_[id.name]) counts = counts || needs_counts(fam);
      model_.data.push_back(std::move(d));
      if (counts && !su.counts_complete) keep_in_memory(model_.data.size() - 1, id.span);
    }
  }

  // Reads a summarised column into memory after all (see materialise).
  void keep_in_memory(std::size_t index, Span span) {
    std::string error;
    if (!materialise(model_, index, error)) fail(span, model_.data[index].file + ": " + error);
  }

  // Whether the statistics of a summarised column pass the checks that
  // check_support and check_possible make value by value: when they do not,
  // the column is read into memory and checked value by value, for a message
  // naming the row.
  bool summary_ok(const data::Summary& su, const CheckedDist& dist) {
    const dist::Family* f = dist.family;
    if (f->outcome_rank != Rank::Scalar || su.n == 0) return false;
    for (std::size_t i = 0; i < dist.args.size(); ++i)
      if (!dist.args[i]->type.is_scalar()) return false;
    if (f->discrete && !su.integer) return false;
    if (f->support == dist::Domain::NonNegative && su.min < 0) return false;
    std::vector<Value> args = args_at(dist, 0);
    if (f->check_outcome &&
        (!f->check_outcome(args, su.min).empty() || !f->check_outcome(args, su.max).empty()))
      return false;
    bool known = true;
    for (const Value& a : dist.known) known = known && a.size() > 0;
    if (f->discrete && known && f->lpdf) {
      if (!su.counts_complete) return false;
      std::vector<double> a;
      for (const Value& x : args) a.push_back(x[0]);
      for (const auto& [x, k] : su.counts)
        if (f->lpdf(a, x) == -INFINITY) return false;
    }
    return true;
  }

  // "log(-1) is not a number (NaN)", "element 2 of [1, 1 / 0] is infinite".
  static std::string not_finite(const ast::Expr& e, const Value& v, std::size_t i) {
    std::string text = ast::to_source(e);
    if (text.size() > 40) text = "its value";
    std::string what = v.is_scalar() ? text : "element " + std::to_string(i + 1) + " of " + text;
    return what + (std::isnan(v[i]) ? " is not a number (NaN)" : " is infinite");
  }

  void add_data(const ast::Ident& id, Value v, const std::string& file,
                const data::Columns* csv = nullptr, std::size_t column = 0) {
    if (!declare(id, SymKind::Data, model_.data.size())) return;
    DataVar d;
    d.name = id.name;
    d.value = std::move(v);
    d.span = id.span;
    d.file = file;
    if (csv) {
      d.csv_lines = csv->lines;
      d.csv_field = csv->fields.at(column);
    }
    model_.data.push_back(std::move(d));
  }

  void declare_bad(const ast::Ident& id, SymKind kind) {
    if (!symbols_.count(id.name) || options_.allow_redefinition)
      symbols_[id.name] = Symbol{kind, 0, id.span, true};
  }

  void statement(const ast::ParamStmt& s, Span span) {
    // Sizes first, then the prior; on an error every name is still declared (bad).
    auto poison_all = [&] {
      for (const auto& d : s.decls) declare_bad(d.name, SymKind::Param);
    };
    std::vector<std::size_t> sizes;
    bool size_error = false;
    for (const auto& d : s.decls) {
      std::size_t k = 0;
      if (d.size) {
        try {
          NodePtr n = data_expr(*d.size, "the size of a vector parameter");
          if (!n->type.numeric())
            fail(d.size->span, "the size of a vector parameter must be a number, not a condition");
          Value v = value_of(*n);
          if (!v.is_scalar() || n->type.elem != Elem::Int || v[0] < 1)
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
    std::optional<CheckedDist> prior;
    Prior pr;
    pr.span = span;
    try {
      if (s.prior) {
        prior = distribution(*s.prior);
        if (!prior->ok) throw Poisoned{};
        pr.family = prior->family;
        pr.args = prior->args;
        pr.text = ast::to_source(*s.prior);
      } else {
        double lo = -INFINITY, hi = INFINITY;
        if (s.lower) lo = bound(*s.lower);
        if (s.upper) hi = bound(*s.upper);
        if (!(lo < hi))
          fail(span,
               "the lower bound " + fmt_num(lo) + " is not below the upper bound " + fmt_num(hi));
        pr.lower = lo;
        pr.upper = hi;
        pr.text = "flat on (" + fmt_num(lo) + ", " + fmt_num(hi) + ")";
      }
    } catch (const Poisoned&) {
      poison_all();
      return;
    }
    if (size_error) {
      poison_all();
      return;
    }
    const dist::Family* f = pr.family;
    if (f && f->joint > 1) {
      if (s.decls.size() != f->joint) {
        poison_all();
        diags_.error(s.prior->name.span,
                     std::string(f->name) + " is a joint prior on " + std::to_string(f->joint) +
                         " parameters; write 'param mu, s2 ~ " + std::string(f->name) + "(...)'");
        return;
      }
    } else if (f && s.decls.size() > 1) {
      // `param a, b ~ D(...)`: the same prior on each, independently.
    }
    // Vector-valued families fix the size of the parameter.
    std::size_t family_size = 0;
    if (f && f->outcome_rank == Rank::Vector) {
      for (std::size_t i = 0; i < f->params.size(); ++i)
        if (f->params[i].rank == Rank::Vector && prior->args[i])
          family_size = prior->args[i]->type.rows;
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
        diags_.error(s.prior->span, "vectors of different lengths: '" + d.name.name +
                                        "' has size " + std::to_string(k) +
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
      Elem e = p.discrete ? Elem::Int : Elem::Real;
      p.type = k ? Type::vector(k, e) : Type::scalar(e);
      p.slot = i;
      if (!ok) {
        poison_all();
        return;
      }
      if (!declare(d.name, SymKind::Param, model_.params.size())) continue;
      indices.push_back(model_.params.size());
      model_.params.push_back(p);
    }
    // One prior factor for a joint prior; one per name otherwise.
    if (f && f->joint > 1) {
      pr.params = indices;
      for (auto i : indices) model_.params[i].prior = model_.priors.size();
      model_.priors.push_back(pr);
    } else {
      for (auto i : indices) {
        Prior one = pr;
        one.params = {i};
        model_.params[i].prior = model_.priors.size();
        model_.params[i].slot = 0;
        model_.priors.push_back(one);
      }
    }
  }

  double bound(const ast::Expr& e) {
    NodePtr n = data_expr(e, "a bound");
    if (!n->type.numeric()) fail(e.span, "a bound must be a number, not a condition");
    Value v = value_of(*n);
    if (!v.is_scalar()) fail(e.span, "a bound must be a number");
    if (std::isnan(v[0])) fail(e.span, "a bound must be a number, but it is NaN");
    return v[0];
  }

  void statement(const ast::LetStmt& s, Span) {
    NodePtr n;
    try {
      n = expr(*s.value);
    } catch (const Poisoned&) {
      declare_bad(s.name, SymKind::Let);
      throw;
    }
    if (!declare(s.name, SymKind::Let, model_.lets.size())) return;
    model_.lets.push_back(LetVar{s.name.name, n, s.name.span});
  }

  void statement(const ast::FnStmt& s, Span) {
    // Parameters must be distinct; the body may use them and earlier names.
    bool ok = true;
    std::map<std::string, NodePtr> bound;
    for (std::size_t i = 0; i < s.params.size(); ++i) {
      if (bound.count(s.params[i].name)) {
        diags_.error(s.params[i].span, "parameter '" + s.params[i].name + "' appears twice");
        ok = false;
      }
      bound[s.params[i].name] = nullptr;
    }
    defining_fn_ = s.name.name;
    ok = names_resolve(*s.body, bound) && ok;
    defining_fn_.clear();
    if (!ok) {
      declare_bad(s.name, SymKind::Fn);
      return;
    }
    if (!declare(s.name, SymKind::Fn, fns_.size())) return;
    fns_.push_back(UserFn{s});
  }

  // Checks that every name in a function body is a parameter of the function
  // or already defined, and every call names a known function. Types are
  // checked where the function is called, with the arguments' types.
  bool names_resolve(const ast::Expr& e, const std::map<std::string, NodePtr>& bound) {
    bool ok = true;
    std::visit(
        [&](const auto& n) {
          using T = std::decay_t<decltype(n)>;
          if constexpr (std::is_same_v<T, ast::Name>) {
            if (!bound.count(n.id) && !symbols_.count(n.id)) {
              std::vector<std::string> names = visible_names();
              for (const auto& [k, v] : bound) names.push_back(k);
              report_unknown(n.id, e.span, "name", names);
              ok = false;
            }
          } else if constexpr (std::is_same_v<T, ast::Call>) {
            auto it = symbols_.find(n.callee.name);
            bool user = it != symbols_.end() && it->second.kind == SymKind::Fn;
            if (n.callee.name == defining_fn_ && !find_builtin(n.callee.name)) {
              diags_.error(n.callee.span, "'" + n.callee.name +
                                              "' cannot call itself: functions are not recursive");
              ok = false;
            } else if (!user && !find_builtin(n.callee.name)) {
              report_unknown(n.callee.name, n.callee.span, "function", function_names());
              ok = false;
            }
            for (const auto& a : n.args) ok = names_resolve(*a, bound) && ok;
          } else if constexpr (std::is_same_v<T, ast::Unary>) {
            ok = names_resolve(*n.operand, bound);
          } else if constexpr (std::is_same_v<T, ast::Binary>) {
            ok = names_resolve(*n.lhs, bound) && ok;
            ok = names_resolve(*n.rhs, bound) && ok;
          } else if constexpr (std::is_same_v<T, ast::Index>) {
            ok = names_resolve(*n.base, bound);
            for (const auto& a : n.indices) ok = names_resolve(*a, bound) && ok;
          } else if constexpr (std::is_same_v<T, ast::VectorLit>) {
            for (const auto& a : n.elems) ok = names_resolve(*a, bound) && ok;
          }
        },
        e.node);
    return ok;
  }

  // Which data variable and element an observed element came from, for messages.
  std::string element_name(const Node& lhs, std::size_t k, const Value& v) {
    if (lhs.op == Op::Data) {
      const DataVar& d = model_.data[lhs.ref];
      if (!d.file.empty()) return "";
      return v.is_scalar() ? d.name : d.name + "[" + std::to_string(k + 1) + "]";
    }
    std::string text = "element " + std::to_string(k + 1);
    return v.is_scalar() ? "the value" : text;
  }

  void statement(const ast::ObserveStmt& s, Span span) {
    NodePtr lhs;
    bool lhs_error = false;
    try {
      lhs = expr(*s.lhs);
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
    CheckedDist dist = distribution(s.dist);  // reported even when the left side is bad
    if (lhs_error) return;
    // A summarised column stays summarised only where its statistics suffice.
    std::shared_ptr<const data::Summary> summary;
    if (lhs->op == Op::Data && model_.data[lhs->ref].summary) {
      if (dist.ok && summary_ok(*model_.data[lhs->ref].summary, dist))
        summary = model_.data[lhs->ref].summary;
      else
        keep_in_memory(lhs->ref, s.lhs->span);
    }
    const dist::Family* f = dist.family;
    if (f->joint > 1)
      fail(s.dist.name.span, std::string(f->name) + " is a prior on " +
                                 (f->joint == 2 ? std::string("two") : std::to_string(f->joint)) +
                                 " parameters, not a likelihood for data");
    if (!dist.ok) {
      // Still check the data against what is known of the support.
      check_support(*lhs, value_of(*lhs), s.lhs->span, dist);
      return;
    }
    if (!lhs->type.is_scalar() && lhs->type.rows == 0) {
      fail(s.lhs->span,
           "the left side of '~' is an empty vector: there is nothing to observe (remove the "
           "line, or give it data)");
      return;
    }
    Value v = value_of(*lhs);
    // Shapes: the outcome and the scalar-family arguments broadcast elementwise.
    if (f->outcome_rank == Rank::Scalar) {
      if (lhs->type.is_matrix())
        fail(s.lhs->span, "the left side of '~' must be a number or a vector");
      for (std::size_t i = 0; i < dist.args.size(); ++i) {
        const auto& a = dist.args[i];
        if (f->params[i].rank != Rank::Scalar || !a->type.is_vector()) continue;
        if (lhs->type.is_scalar())
          fail(a->span, "the argument is a vector of length " + std::to_string(a->type.rows) +
                            " but the left side of '~' is a single value");
        if (a->type.rows != lhs->type.rows)
          fail(a->span, "vectors of different lengths: the left side of '~' has " +
                            std::to_string(lhs->type.rows) + " elements but " +
                            std::string(f->params[i].name) + " has " +
                            std::to_string(a->type.rows));
      }
    } else if (f->outcome_rank == Rank::Vector) {
      // MultiNormal also takes a matrix: each row is one observation (Stan's
      // array of vectors), so `columns(y1, y2) ~ MultiNormal(mu, S)`.
      bool rows_of_matrix = lhs->type.is_matrix() && std::string_view(f->name) == "MultiNormal";
      if (!lhs->type.is_vector() && !rows_of_matrix)
        fail(s.lhs->span,
             std::string(f->name) +
                 " is a distribution over vectors; the left side of '~' must be a vector" +
                 (std::string_view(f->name) == "MultiNormal"
                      ? " or a matrix whose rows are observations"
                      : ""));
      std::size_t dim = rows_of_matrix ? lhs->type.cols : lhs->type.rows;
      const char* what = rows_of_matrix ? " columns but " : " elements but ";
      for (std::size_t i = 0; i < dist.args.size(); ++i) {
        const Type& t = dist.args[i]->type;
        if (f->params[i].rank == Rank::Vector && t.is_vector() && t.rows != dim)
          fail(dist.args[i]->span, "vectors of different lengths: the left side of '~' has " +
                                       std::to_string(dim) + what + std::string(f->params[i].name) +
                                       " has " + std::to_string(t.rows));
        if (f->params[i].rank == Rank::Matrix && t.is_matrix() && (t.rows != dim || t.cols != dim))
          fail(dist.args[i]->span, "the covariance must be " + std::to_string(dim) + "x" +
                                       std::to_string(dim) +
                                       " to match the left side of '~', not " +
                                       std::to_string(t.rows) + "x" + std::to_string(t.cols));
      }
    } else {
      fail(s.dist.name.span,
           std::string(f->name) + " is a prior on parameters, not a likelihood for data");
    }
    check_support(*lhs, v, s.lhs->span, dist);
    check_possible(*lhs, v, s.lhs->span, dist);
    Observation o;
    o.lhs = lhs;
    o.value = std::move(v);
    o.summary = summary;
    o.family = f;
    o.args = dist.args;
    o.span = span;
    o.text = ast::to_source(*s.lhs) + " ~ " + ast::to_source(s.dist);
    model_.observations.push_back(std::move(o));
  }

  // Where observed data came from, for messages: a CSV file names its row and
  // column ("data/y.csv:4:2: ... (column 'y')", the form of the CSV reader's
  // own errors); inline data names the element ("(y[3])"). `k` is the element,
  // or nullopt for the whole vector.
  std::string data_error(const Node& lhs, const Value& v, std::optional<std::size_t> k,
                         const std::string& what) {
    if (lhs.op == Op::Data && !model_.data[lhs.ref].file.empty()) {
      const DataVar& d = model_.data[lhs.ref];
      std::string where = d.file;
      if (k)
        where += ":" + std::to_string(data::record_line(d.csv_lines, *k)) + ":" +
                 std::to_string(d.csv_field);
      return where + ": " + what + " (column '" + d.name + "')";
    }
    if (!k) {
      if (lhs.op == Op::Data) return what + " (" + model_.data[lhs.ref].name + ")";
      return what;
    }
    return what + " (" + element_name(lhs, *k, v) + ")";
  }

  // The arguments of element k of an observation: scalar-family arguments
  // that are vectors are taken elementwise.
  // Whether some argument differs from element to element (args_at depends on k).
  bool args_vary(const CheckedDist& dist) {
    const dist::Family* f = dist.family;
    for (std::size_t i = 0; i < dist.known.size(); ++i)
      if (f->outcome_rank == Rank::Scalar && f->params[i].rank == Rank::Scalar &&
          dist.known[i].size() > 1)
        return true;
    return false;
  }

  std::vector<Value> args_at(const CheckedDist& dist, std::size_t k) {
    const dist::Family* f = dist.family;
    std::vector<Value> args_k;
    for (std::size_t i = 0; i < dist.known.size(); ++i) {
      const Value& a = dist.known[i];
      if (f->outcome_rank == Rank::Scalar && f->params[i].rank == Rank::Scalar && a.size() > 1)
        args_k.push_back(Value::scalar(a[k], a.integer));
      else
        args_k.push_back(a);
    }
    return args_k;
  }

  // Data inside the support, with elementwise arguments where they vary.
  void check_support(const Node& lhs, const Value& v, Span lhs_span, const CheckedDist& dist) {
    const dist::Family* f = dist.family;
    const std::string outside = "data outside the support of " + std::string(f->name) + ": ";
    // Arguments that are the same for every element are built once (v may
    // hold 10^7 values).
    const bool vary = args_vary(dist);
    std::vector<Value> args_k = args_at(dist, 0);
    for (std::size_t k = 0; k < v.size(); ++k) {
      if (vary && k > 0) args_k = args_at(dist, k);
      std::string why;
      if (f->support == dist::Domain::NonNegative && v[k] < 0) why = fmt_num(v[k]) + " is negative";
      if (why.empty() && f->check_outcome) why = f->check_outcome(args_k, v[k]);
      // With unknown probabilities (a Dirichlet parameter) K is still known from the type.
      if (why.empty() && f->support == dist::Domain::Category && dist.args[0] &&
          dist.known[0].size() == 0) {
        double kmax = static_cast<double>(dist.args[0]->type.rows);
        if (v[k] != std::floor(v[k]) || v[k] < 1 || v[k] > kmax)
          why = fmt_num(v[k]) + " is not a category of a " + fmt_num(kmax) +
                "-way Categorical (1.." + fmt_num(kmax) + ")";
      }
      if (why.empty() && !std::isfinite(v[k])) why = fmt_num(v[k]) + " is not a finite number";
      if (!why.empty()) fail(lhs_span, data_error(lhs, v, k, outside + why));
    }
    // A vector outcome as a whole: Multinomial counts summing to n, a Dirichlet
    // value on the simplex.
    if (f->outcome_rank == Rank::Vector && f->check_vector_outcome && dist.ok) {
      if (v.rank == Rank::Matrix) {  // MultiNormal: each row one observation
        std::vector<double> row(v.cols);
        for (std::size_t r = 0; r < v.rows; ++r) {
          for (std::size_t c = 0; c < v.cols; ++c) row[c] = v.at(r, c);
          std::string why = f->check_vector_outcome(dist.known, row);
          if (!why.empty())
            fail(lhs_span, data_error(lhs, v, std::nullopt,
                                      outside + why + " (row " + std::to_string(r + 1) + ")"));
        }
      } else {
        std::string why = f->check_vector_outcome(dist.known, v.data);
        if (!why.empty()) fail(lhs_span, data_error(lhs, v, std::nullopt, outside + why));
      }
    }
  }

  // Data in the support can still be impossible when every argument is known:
  // a 1 from Bernoulli(0), a count above 0 from Poisson(0), a category whose
  // probability is 0. Only for discrete families: there the log mass is -inf
  // exactly when the probability is 0 (a continuous density can underflow).
  void check_possible(const Node& lhs, const Value& v, Span lhs_span, const CheckedDist& dist) {
    const dist::Family* f = dist.family;
    if (!f->discrete) return;
    for (const Value& a : dist.known)
      if (a.size() == 0) return;  // a parameter is involved
    std::string text = ast::to_source(*dist.call);
    const std::string what = "the data has probability 0 under " + text;
    std::string_view name = f->name;
    if (f->outcome_rank == Rank::Vector) {
      if (name == "Multinomial" && dist::multinomial_lpmf(dist.known[1].data, v.data) == -INFINITY)
        fail(lhs_span, data_error(lhs, v, std::nullopt, what));
      return;
    }
    const bool vary = args_vary(dist);
    std::vector<Value> args_k = args_at(dist, 0);
    std::vector<double> a;
    for (std::size_t k = 0; k < v.size(); ++k) {
      if (vary && k > 0) args_k = args_at(dist, k);
      double lp = 0;
      if (name == "Categorical") {
        lp = dist::categorical_lpmf(args_k[0].data, v[k]);
      } else if (f->lpdf) {
        a.clear();
        for (const Value& x : args_k) {
          if (!x.is_scalar()) return;
          a.push_back(x[0]);
        }
        lp = f->lpdf(a, v[k]);
      }
      if (lp == -INFINITY)
        fail(lhs_span,
             data_error(lhs, v, k, what + ": the value " + fmt_num(v[k]) + " cannot occur"));
    }
  }

  // ------------------------------------------------------------ queries

  Target target_of(const ast::Expr& e, const std::string& query) {
    const auto* name = ast::as<ast::Name>(e);
    if (name) {
      auto it = symbols_.find(name->id);
      if (it == symbols_.end()) unknown_name(name->id, e.span);
      if (it->second.bad) throw Poisoned{};
      if (it->second.kind == SymKind::Param) return Target{Target::Kind::Param, it->second.index};
      if (it->second.kind == SymKind::Let) return Target{Target::Kind::Let, it->second.index};
      fail(e.span, query + " needs a parameter or a let quantity, but '" + name->id + "' is " +
                       (it->second.kind == SymKind::Data ? "data" : "a function"));
    }
    const auto* index = ast::as<ast::Index>(e);
    const auto* base = index ? ast::as<ast::Name>(*index->base) : nullptr;
    if (base)
      fail(e.span, query +
                       " needs the name of a parameter or a let quantity; for one element, "
                       "name it first: let " +
                       base->id + "1 = " + ast::to_source(e));
    fail(e.span, query + " needs the name of a parameter or a let quantity");
  }

  // "prob(...) needs a single condition, but 'w > 0' is a vector of 3
  // conditions (index one, e.g. 'w[1] > 0')".
  std::string vector_condition(const ast::Expr& cond, const Type& t) {
    std::string msg = "prob(...) needs a single condition, but '" + ast::to_source(cond) +
                      "' is a vector of " + std::to_string(t.rows * t.cols) + " conditions";
    // The example indexes the first vector-valued name of a comparison.
    const auto* b = ast::as<ast::Binary>(cond);
    if (!b) return msg;
    for (const ast::ExprPtr* side : {&b->lhs, &b->rhs}) {
      const auto* n = ast::as<ast::Name>(**side);
      auto it = n ? symbols_.find(n->id) : symbols_.end();
      if (it == symbols_.end() || it->second.bad) continue;
      bool vector =
          (it->second.kind == SymKind::Param && model_.params[it->second.index].type.is_vector()) ||
          (it->second.kind == SymKind::Let &&
           model_.lets[it->second.index].expr->type.is_vector()) ||
          (it->second.kind == SymKind::Data &&
           model_.data[it->second.index].value.rank == Rank::Vector);
      if (!vector) continue;
      ast::Binary one = *b;
      auto index = std::make_shared<const ast::Expr>(ast::Expr{
          ast::Index{*side,
                     {std::make_shared<const ast::Expr>(ast::Expr{ast::Number{1, true}, {}})}},
          {}});
      (side == &b->lhs ? one.lhs : one.rhs) = index;
      return msg + " (index one, e.g. '" + ast::to_source(ast::Expr{one, {}}) + "')";
    }
    return msg;
  }

  double level_arg(const ast::Expr& e, const char* what) {
    NodePtr n = data_expr(e, what);
    Value v = value_of(*n);
    if (!v.is_scalar() || !(v[0] > 0 && v[0] < 1))
      fail(e.span, std::string(what) + " must be between 0 and 1");
    return v[0];
  }

  Query query(const ast::Expr& e) {
    Query q;
    q.text = ast::to_source(e);
    q.span = e.span;
    const auto* call = ast::as<ast::Call>(e);
    auto is_data_arg = [&](const ast::Expr& a) {
      const auto* n = ast::as<ast::Name>(a);
      if (!n) return false;
      auto it = symbols_.find(n->id);
      return it != symbols_.end() && it->second.kind == SymKind::Data;
    };
    if (call) {
      const std::string& name = call->callee.name;
      auto nargs = call->args.size();
      auto arity = [&](std::size_t lo, std::size_t hi, const char* usage) {
        if (nargs < lo || nargs > hi) fail(e.span, "'" + name + "' takes " + usage);
      };
      bool user_fn = symbols_.count(name) && symbols_[name].kind == SymKind::Fn;
      // mean(...) / sd(...) of data (a data name, or an expression that names
      // no parameter or let, such as mean([1, 3])) is the built-in, not the
      // posterior summary.
      auto reads_no_unknown = [&](const ast::Expr& a) {
        if (ast::as<ast::Name>(a)) return false;
        std::set<std::string> names;
        names_in(a, names);
        for (const auto& n : names) {
          auto it = symbols_.find(n);
          if (it != symbols_.end() &&
              (it->second.kind == SymKind::Param || it->second.kind == SymKind::Let))
            return false;
        }
        return true;
      };
      bool data_call = (name == "mean" || name == "sd") && nargs == 1 &&
                       (is_data_arg(*call->args[0]) || reads_no_unknown(*call->args[0]));
      if (!user_fn && !data_call) {
        if (name == "posterior" || name == "mean" || name == "sd") {
          arity(1, 1, "one argument, a parameter or let name");
          q.kind = name == "posterior" ? QueryKind::Posterior
                   : name == "mean"    ? QueryKind::Mean
                                       : QueryKind::Sd;
          q.targets.push_back(target_of(*call->args[0], name + "(...)"));
          return q;
        }
        if (name == "map" || name == "mle") {
          arity(0, 1, "no argument (every parameter) or one parameter or let name");
          q.kind = name == "map" ? QueryKind::Map : QueryKind::Mle;
          if (nargs) q.targets.push_back(target_of(*call->args[0], name + "(...)"));
          return q;
        }
        if (name == "interval" || name == "quantile") {
          q.kind = name == "interval" ? QueryKind::Interval : QueryKind::Quantile;
          if (name == "interval")
            arity(1, 2, "a parameter name and an optional level, e.g. interval(p, 0.9)");
          else
            arity(2, 2, "a parameter name and a probability, e.g. quantile(p, 0.5)");
          q.targets.push_back(target_of(*call->args[0], name + "(...)"));
          if (nargs == 2)
            q.level =
                level_arg(*call->args[1], name == "interval" ? "the level" : "the probability");
          return q;
        }
        if (name == "prob") {
          arity(1, 1, "one condition, e.g. prob(p > 0.5)");
          q.kind = QueryKind::Prob;
          q.expr = expr(*call->args[0]);
          if (q.expr->type.elem != Elem::Bool)
            fail(call->args[0]->span, "prob(...) needs a condition such as 'p > 0.5'");
          if (!q.expr->type.is_scalar())
            fail(call->args[0]->span, vector_condition(*call->args[0], q.expr->type));
          if (ir::is_data_only(*q.expr))
            fail(call->args[0]->span, "the condition involves no parameter");
          return q;
        }
        if (name == "predictive") {
          arity(1, 1, "one argument, the name of observed data");
          q.kind = QueryKind::Predictive;
          const auto* n = ast::as<ast::Name>(*call->args[0]);
          if (!n || !is_data_arg(*call->args[0])) {
            if (n && !symbols_.count(n->id)) unknown_name(n->id, call->args[0]->span);
            fail(call->args[0]->span, "predictive(...) needs the name of observed data");
          }
          std::size_t di = symbols_[n->id].index;
          for (std::size_t i = 0; i < model_.observations.size(); ++i) {
            const auto& lhs = *model_.observations[i].lhs;
            if (lhs.op == Op::Data && lhs.ref == di) q.observations.push_back(i);
          }
          if (q.observations.empty())
            fail(call->args[0]->span, "'" + n->id + "' is not observed: no statement '" + n->id +
                                          " ~ ...' comes before this query");
          q.data_name = n->id;
          return q;
        }
        if (name == "evidence") {
          arity(0, 0, "no arguments");
          q.kind = QueryKind::Evidence;
          return q;
        }
      }
    }
    if (const auto* n = ast::as<ast::Name>(e)) {
      auto it = symbols_.find(n->id);
      if (it != symbols_.end() && !it->second.bad &&
          (it->second.kind == SymKind::Param || it->second.kind == SymKind::Let)) {
        q.kind = QueryKind::Posterior;
        q.targets.push_back(target_of(e, "print"));
        return q;
      }
    }
    NodePtr value = expr(e);
    if (!ir::is_data_only(*value)) {
      std::vector<std::string> qs = query_list();
      fail(e.span,
           "print needs a query such as posterior(p), map(p), mle(p), prob(p > 0.5), "
           "predictive(y) or evidence()");
    }
    q.kind = QueryKind::Value;
    q.expr = value;
    return q;
  }

  void statement(const ast::PrintStmt& s, Span) {
    if (const auto* c = ast::as<ast::Call>(*s.query)) {
      bool known = std::find(query_list().begin(), query_list().end(), c->callee.name) !=
                       query_list().end() ||
                   find_builtin(c->callee.name) || symbols_.count(c->callee.name);
      if (!known) {
        std::vector<std::string> candidates = query_list();
        for (const auto& x : all_builtins()) candidates.emplace_back(x.name);
        auto later = definitions_.find(c->callee.name);
        if (later != definitions_.end()) {
          report_unknown(c->callee.name, c->callee.span, "function", {});
          return;
        }
        auto& d = diags_.error(c->callee.span, "unknown query '" + c->callee.name + "'");
        suggest(d, closest_name(c->callee.name, candidates));
        return;
      }
    }
    model_.queries.push_back(query(*s.query));
  }

  void statement(const ast::PlotStmt& s, Span span) {
    Query q;
    q.kind = QueryKind::Plot;
    q.text = "plot " + ast::to_source(*s.target);
    q.span = span;
    q.targets.push_back(target_of(*s.target, "plot"));
    if (q.targets[0].kind == Target::Kind::Param &&
        !model_.params[q.targets[0].index].type.is_scalar())
      fail(s.target->span,
           "plot needs a scalar parameter; plot one element with a let, e.g. 'let w1 = w[1]'");
    q.file = s.file;
    model_.queries.push_back(q);
  }
};

}  // namespace

std::vector<std::string> query_names() { return query_list(); }

bool materialise(Model& model, std::size_t data_index, std::string& error) {
  DataVar& d = model.data.at(data_index);
  if (!d.summary) return true;
  std::vector<std::string> names{d.name};
  auto read = data::read_columns(d.path, names);
  if (auto* err = std::get_if<data::CsvError>(&read)) {
    error = err->message;
    return false;
  }
  auto& cols = std::get<data::Columns>(read);
  if (cols.rows != d.value.rows) {
    error = "the file changed while bayes was reading it";
    return false;
  }
  d.value = Value::vector(std::move(cols.values[0]), cols.integer[0]);
  d.summary.reset();
  for (auto& o : model.observations)
    if (o.summary && o.lhs->op == ir::Op::Data && o.lhs->ref == data_index) {
      o.value = d.value;
      o.summary.reset();
    }
  return true;
}

std::optional<Model> check_program(const ast::Program& program, const SourceFile& file,
                                   Diagnostics& diags, const Options& options) {
  Checker c(file, diags, options);
  return c.run(program);
}

}  // namespace bayes::check
