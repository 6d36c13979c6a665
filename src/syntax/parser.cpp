// The parser: runs the grammar into a PEGTL parse tree, then turns the tree
// into the AST. Which rules make nodes (the selector) and the messages of
// `must<>` failures live here; the rules themselves in grammar/grammar.hpp.
#include "syntax/parser.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <tao/pegtl/contrib/parse_tree.hpp>
#include <utility>

#include "grammar/grammar.hpp"

namespace bayes::syntax {

namespace g = bayes::grammar;
namespace pegtl = tao::pegtl;
namespace pt = tao::pegtl::parse_tree;

namespace {

// ------------------------------------------------------------ limits

// Expressions nest at most this deep in the grammar (parentheses, unary
// operators, calls, indexing, vectors, '^'), so the recursive-descent parser
// cannot overflow the stack.
constexpr std::size_t kMaxNesting = 256;
// The AST may be at most this deep: a long chain `a + b + c + ...` is shallow
// in the grammar but as deep as it is long in the AST, which every later stage
// walks recursively.
constexpr std::size_t kMaxDepth = 1000;

// A syntax error with a message made at run time (the unclosed bracket, a
// keyword used as a name, chained comparisons, ...). PEGTL's own parse_error
// carries the constant messages of `must<>`.
struct SyntaxError {
  Span span;
  std::string message;
  std::vector<std::string> notes;
};

struct Mark {
  std::size_t byte = 0, line = 0, column = 0;
};

Span span_at(const Mark& m, std::size_t width = 1) {
  return Span{m.byte, m.byte + width, m.line, m.column};
}

template <typename ParseInput>
Mark mark(const ParseInput& in) {
  const auto& it = in.iterator();
  return Mark{it.byte, it.line, it.column};
}

// What the control hooks keep during one parse.
struct ParseState {
  std::vector<Mark> open;  // brackets opened and not yet closed, innermost last
  Mark pending;            // where the last attempt at an opening bracket started
  std::size_t depth = 0;   // nesting of unary<>, the rule every operand goes through
  Mark outer;              // where the outermost operand being parsed started
};
thread_local ParseState* parse_state = nullptr;

// ------------------------------------------------------------ error messages

template <typename Rule>
inline constexpr const char* message = nullptr;

template <bool NL>
inline constexpr const char* message<g::expr<NL>> = "expected an expression";
template <bool NL>
inline constexpr const char* message<g::unary<NL>> = "expected an expression";
template <bool NL>
inline constexpr const char* message<g::product<NL>> = "expected an expression after the operator";
template <bool NL>
inline constexpr const char* message<g::sum<NL>> = "expected an expression after the operator";
template <bool NL>
inline constexpr const char* message<g::comparison<NL>> =
    "expected an expression after the operator";
template <bool NL>
inline constexpr const char* message<g::conjunction<NL>> =
    "expected an expression after the operator";
template <>
inline constexpr const char* message<g::next_argument> = "expected an argument after ','";
template <>
inline constexpr const char* message<g::next_element> = "expected a vector element after ','";
template <>
inline constexpr const char* message<g::index_list> = "expected an index";
template <>
inline constexpr const char* message<g::next_index> = "expected an index after ','";
template <>
inline constexpr const char* message<g::open_paren> = "expected '('";
template <>
inline constexpr const char* message<g::close_paren> = "expected ')'";
template <>
inline constexpr const char* message<g::close_bracket> = "expected ']'";
template <>
inline constexpr const char* message<g::kw_in> =
    "expected 'in' (a loop is written 'for i in 1:N { ... }')";
template <>
inline constexpr const char* message<g::range_from> =
    "expected the first value of the loop's range (for i in 1:N)";
template <>
inline constexpr const char* message<g::range_colon> = "expected ':' in the loop's range (1:N)";
template <>
inline constexpr const char* message<g::range_to> =
    "expected the last value of the loop's range (for i in 1:N)";
template <>
inline constexpr const char* message<g::block_open> = "expected '{' to open the loop's body";
template <>
inline constexpr const char* message<g::block_close> =
    "expected '}' to close the loop's body (or a statement)";
template <>
inline constexpr const char* message<g::block_statement_end> =
    "expected the end of the statement (a new line, ';' or '}')";
template <>
inline constexpr const char* message<g::open_bracket> =
    "expected '[' (a truncation is written 'T[lower, upper]')";
template <>
inline constexpr const char* message<g::string_close> = "unterminated string: expected '\"'";
template <>
inline constexpr const char* message<g::string_lit> = "expected a string in double quotes";
template <>
inline constexpr const char* message<g::digits> = "expected digits in the exponent";
template <>
inline constexpr const char* message<pegtl::one<'"', '\\', 'n', 't'>> =
    "unknown escape in string (use \\\", \\\\, \\n or \\t)";
template <>
inline constexpr const char* message<g::comma> = "expected ','";
template <>
inline constexpr const char* message<pegtl::one<'='>> = "expected '='";
template <>
inline constexpr const char* message<g::new_name> = "expected a name";
template <>
inline constexpr const char* message<g::param_decl> = "expected a name";
template <>
inline constexpr const char* message<g::data_names> = "expected a name after 'data'";
template <>
inline constexpr const char* message<pegtl::sor<g::data_value, g::data_file>> =
    "expected '= value' or 'from \"file.csv\"'";
template <>
inline constexpr const char* message<g::param_decls> = "expected a name after 'param'";
template <>
inline constexpr const char* message<g::tilde> =
    "expected '~' (an observation is written 'y ~ Distribution(...)')";
template <>
inline constexpr const char* message<g::dist_call> =
    "expected a distribution such as 'Normal(0, 1)' after '~'";
template <>
inline constexpr const char* message<g::statement_end> =
    "expected the end of the statement (a new line or ';')";
template <>
inline constexpr const char* message<g::statement_expected> =
    "expected a statement (data, param, let, fn, print, plot, factor, or 'y ~ D(...)')";

// Messages are used only where the grammar says must<>; elsewhere a failing
// rule just backtracks. Every must<> has a message (checked when compiling:
// RequireMessage), so no PEGTL rule name ever reaches the user.
struct errors {
  template <typename Rule>
  static constexpr const char* message = syntax::message<Rule>;
  template <typename Rule>
  static constexpr bool raise_on_failure = false;
};

template <typename Rule, typename... Rules>
inline constexpr bool is_one_of = (std::is_same_v<Rule, Rules> || ...);

// The control: PEGTL's must_if with the messages above, plus hooks that keep
// the stack of open brackets, limit the nesting depth, and word the errors
// whose message depends on the text.
template <typename Rule>
struct control : pegtl::must_if<errors, pegtl::normal, true>::control<Rule> {
  using base = typename pegtl::must_if<errors, pegtl::normal, true>::template control<Rule>;
  static constexpr bool opens = is_one_of<Rule, g::open_paren, g::open_bracket>;
  static constexpr bool closes = is_one_of<Rule, g::close_paren, g::close_bracket>;
  static constexpr bool nests = is_one_of<Rule, g::unary<true>, g::unary<false>>;

  template <typename ParseInput, typename... States>
  static void start(const ParseInput& in, States&&... st) {
    if constexpr (opens) parse_state->pending = mark(in);
    base::start(in, st...);
  }

  template <typename ParseInput, typename... States>
  static void success(const ParseInput& in, States&&... st) {
    if constexpr (opens) parse_state->open.push_back(parse_state->pending);
    if constexpr (closes) {
      if (!parse_state->open.empty()) parse_state->open.pop_back();
    }
    base::success(in, st...);
  }

  template <typename ParseInput, typename... States>
  [[noreturn]] static void raise(const ParseInput& in, States&&... st) {
    if constexpr (std::is_same_v<Rule, g::reserved_word>) {
      std::string word;
      for (const char* p = in.current();
           p < in.end() && (std::isalnum(static_cast<unsigned char>(*p)) || *p == '_'); ++p)
        word += *p;
      throw SyntaxError{
          span_at(mark(in), word.size()), "'" + word + "' is a keyword, not a name", {}};
    } else {
      if constexpr (closes) unclosed(in, std::is_same_v<Rule, g::close_paren> ? '(' : '[');
      base::raise(in, st...);
    }
  }

  // An open bracket whose statement has run past its line, or past the end of
  // the file, is reported where it opens: that is where the mistake is.
  template <typename ParseInput>
  static void unclosed(const ParseInput& in, char bracket) {
    if (parse_state->open.empty()) return;
    Mark open = parse_state->open.back();
    Mark here = mark(in);
    if (here.line == open.line) return;
    std::string b(1, bracket);
    SyntaxError e{span_at(open), "'" + b + "' is never closed", {}};
    char close = bracket == '(' ? ')' : ']';
    if (in.empty())
      e.notes.push_back("the file ends before the '" + std::string(1, close) + "' that closes it");
    else
      e.notes.push_back("inside '" + b + "' a line break does not end the statement, so line " +
                        std::to_string(here.line) + " was read as part of it");
    throw e;
  }

  template <pegtl::apply_mode A, pegtl::rewind_mode M, template <typename...> class Action,
            template <typename...> class Control, typename ParseInput, typename... States>
  [[nodiscard]] static bool match(ParseInput& in, States&&... st) {
    if constexpr (nests) {
      ParseState& ps = *parse_state;
      if (ps.depth == 0) ps.outer = mark(in);
      if (ps.depth >= kMaxNesting)
        throw SyntaxError{
            span_at(ps.outer),
            "expression nested too deeply (more than " + std::to_string(kMaxNesting) + " levels)",
            {}};
      struct Guard {
        std::size_t& depth;
        explicit Guard(std::size_t& d) : depth(d) { ++depth; }
        ~Guard() { --depth; }
      } guard(ps.depth);
      return base::template match<A, M, Action, Control>(in, st...);
    } else {
      return base::template match<A, M, Action, Control>(in, st...);
    }
  }
};

// ------------------------------------------------------------ the tree

// Replaces a node by its only child, keeping positions (PEGTL's fold_one drops
// the content, which we need for spans).
struct fold : pt::apply<fold> {
  template <typename Node, typename... States>
  static void transform(std::unique_ptr<Node>& n, States&&...) {
    if (n->children.size() == 1) n = std::move(n->children.front());
  }
};

template <typename Rule>
struct selector
    : pt::selector<
          Rule,
          pt::store_content::on<
              g::number, g::string_lit, g::name, g::identifier, g::call, g::vector_lit,
              g::index_suffix, g::op_neg, g::op_not, g::op_pos, g::op_pow, g::op_mul, g::op_emul,
              g::op_div, g::op_add, g::op_sub, g::op_le, g::op_ge, g::op_eq, g::op_ne, g::op_lt,
              g::op_gt, g::op_and, g::op_or, g::data_stmt, g::data_value, g::data_file,
              g::param_stmt, g::param_decl, g::param_size, g::prior, g::lower_bound, g::upper_bound,
              g::interval_bounds, g::param_value, g::let_stmt, g::fn_stmt, g::print_stmt,
              g::plot_stmt, g::plot_file, g::observe_stmt, g::dist_call, g::truncation,
              g::truncation_lower, g::truncation_upper, g::factor_stmt, g::for_stmt, g::range_from,
              g::range_to, g::let_index, g::ordering>,
          fold::on<g::paren, g::postfix, g::power<true>, g::power<false>, g::unary<true>,
                   g::unary<false>, g::product<true>, g::product<false>, g::sum<true>,
                   g::sum<false>, g::comparison<true>, g::comparison<false>, g::conjunction<true>,
                   g::conjunction<false>, g::disjunction<true>, g::disjunction<false>>> {};

using Node = pt::node;

template <template <bool> class R>
bool is(const Node& n) {
  return n.is_type<R<true>>() || n.is_type<R<false>>();
}

Span span_of(const Node& n) {
  auto b = n.begin();
  Span s;
  s.begin = b.byte;
  s.end = n.has_content() ? n.end().byte : b.byte + 1;
  s.line = b.line;
  s.column = b.column;
  return s;
}

ast::Ident ident_of(const Node& n) { return ast::Ident{n.string(), span_of(n)}; }

std::string unescape(std::string_view quoted) {
  std::string out;
  std::string_view body = quoted.substr(1, quoted.size() - 2);
  for (std::size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c == '\\' && i + 1 < body.size()) {
      char e = body[++i];
      out += e == 'n' ? '\n' : e == 't' ? '\t' : e;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<ast::BinaryOp> binary_op(const Node& n) {
  using B = ast::BinaryOp;
  if (n.is_type<g::op_add>()) return B::Add;
  if (n.is_type<g::op_sub>()) return B::Sub;
  if (n.is_type<g::op_mul>()) return B::Mul;
  if (n.is_type<g::op_emul>()) return B::EMul;
  if (n.is_type<g::op_div>()) return B::Div;
  if (n.is_type<g::op_pow>()) return B::Pow;
  if (n.is_type<g::op_lt>()) return B::Lt;
  if (n.is_type<g::op_le>()) return B::Le;
  if (n.is_type<g::op_gt>()) return B::Gt;
  if (n.is_type<g::op_ge>()) return B::Ge;
  if (n.is_type<g::op_eq>()) return B::Eq;
  if (n.is_type<g::op_ne>()) return B::Ne;
  if (n.is_type<g::op_and>()) return B::And;
  if (n.is_type<g::op_or>()) return B::Or;
  return std::nullopt;
}

ast::ExprPtr make(ast::Expr e) { return std::make_shared<const ast::Expr>(std::move(e)); }

// An expression with its depth (1 for a leaf), so that no AST is deeper than
// kMaxDepth.
struct Built {
  ast::ExprPtr expr;
  std::size_t depth = 1;
};

Built build(const Node& n);

Built deeper(ast::Expr e, std::size_t child_depth) {
  std::size_t depth = child_depth + 1;
  if (depth > kMaxDepth)
    throw SyntaxError{e.span,
                      "expression too long or nested too deeply (more than " +
                          std::to_string(kMaxDepth) + " levels)",
                      {"split it into parts with 'let' or 'data'"}};
  return Built{make(std::move(e)), depth};
}

std::vector<ast::ExprPtr> exprs_from(const Node& n, std::size_t first, std::size_t& depth) {
  std::vector<ast::ExprPtr> out;
  for (std::size_t i = first; i < n.children.size(); ++i) {
    Built b = build(*n.children[i]);
    depth = std::max(depth, b.depth);
    out.push_back(std::move(b.expr));
  }
  return out;
}

ast::ExprPtr expr_of(const Node& n) { return build(n).expr; }

std::vector<ast::ExprPtr> exprs_from(const Node& n, std::size_t first) {
  std::size_t depth = 0;
  return exprs_from(n, first, depth);
}

// `a < b < c` parses (as a chain) only to be reported here with its fix.
[[noreturn]] void chained_comparison(const Node& n) {
  auto text = [&](std::size_t i) { return n.children[i]->string(); };
  std::string fix =
      text(0) + " " + text(1) + " " + text(2) + " && " + text(2) + " " + text(3) + " " + text(4);
  throw SyntaxError{span_of(*n.children[3]), "comparisons do not chain: write '" + fix + "'", {}};
}

Built build(const Node& n) {
  Span span = span_of(n);
  if (n.is_type<g::number>()) {
    std::string text = n.string();
    ast::Number num;
    if (text == "inf") {
      num.value = INFINITY;
    } else {
      num.value = std::strtod(text.c_str(), nullptr);
      num.integer = text.find_first_of(".eE") == std::string::npos;
    }
    return Built{make({num, span})};
  }
  if (n.is_type<g::string_lit>())
    return Built{make({ast::StringLit{unescape(n.string_view())}, span})};
  if (n.is_type<g::name>()) return Built{make({ast::Name{n.string()}, span})};
  if (n.is_type<g::call>()) {
    std::size_t depth = 0;
    auto args = exprs_from(n, 1, depth);
    return deeper({ast::Call{ident_of(*n.children[0]), std::move(args)}, span}, depth);
  }
  if (n.is_type<g::vector_lit>()) {
    std::size_t depth = 0;
    auto elems = exprs_from(n, 0, depth);
    return deeper({ast::VectorLit{std::move(elems)}, span}, depth);
  }
  if (n.is_type<g::postfix>()) {
    Built e = build(*n.children[0]);
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const Node& suffix = *n.children[i];
      Span s = join(e.expr->span, span_of(suffix));
      std::size_t depth = e.depth;
      auto indices = exprs_from(suffix, 0, depth);
      e = deeper({ast::Index{e.expr, std::move(indices)}, s}, depth);
    }
    return e;
  }
  if (is<g::unary>(n)) {
    const Node& op = *n.children[0];
    Built operand = build(*n.children[1]);
    if (op.is_type<g::op_pos>()) return operand;
    auto uop = op.is_type<g::op_neg>() ? ast::UnaryOp::Neg : ast::UnaryOp::Not;
    return deeper({ast::Unary{uop, operand.expr}, span}, operand.depth);
  }
  if (is<g::power>(n) || is<g::product>(n) || is<g::sum>(n) || is<g::comparison>(n) ||
      is<g::conjunction>(n) || is<g::disjunction>(n)) {
    if (is<g::power>(n)) {  // right-associative; the grammar already nests it
      Built l = build(*n.children[0]), r = build(*n.children[2]);
      return deeper({ast::Binary{ast::BinaryOp::Pow, l.expr, r.expr}, span},
                    std::max(l.depth, r.depth));
    }
    if (is<g::comparison>(n) && n.children.size() > 3) chained_comparison(n);
    Built e = build(*n.children[0]);
    for (std::size_t i = 1; i + 1 < n.children.size(); i += 2) {
      Built rhs = build(*n.children[i + 1]);
      Span s = join(e.expr->span, rhs.expr->span);
      e = deeper({ast::Binary{*binary_op(*n.children[i]), e.expr, rhs.expr}, s},
                 std::max(e.depth, rhs.depth));
    }
    return e;
  }
  // A folded rule with one child cannot reach here; anything else is a bug.
  throw std::logic_error("parser: unexpected node " + std::string(n.type));
}

// `param p = 0.5`: a parameter gets a prior, a known value is data.
[[noreturn]] void param_with_value(const Node& stmt, const Node& value) {
  std::string name = stmt.children[0]->children[0]->string();
  std::string text = value.children[0]->string();
  ast::ExprPtr v = expr_of(*value.children[0]);
  const auto* num = ast::as<ast::Number>(*v);
  std::string prior = num && num->value >= 0 && num->value <= 1 ? "Beta(1, 1)" : "Normal(0, 1)";
  throw SyntaxError{span_of(value),
                    "a parameter takes a prior with '~' (param " + name + " ~ " + prior +
                        "), or use 'data " + name + " = " + text + "' for a known value",
                    {}};
}

ast::DistCall dist_of(const Node& n) {
  return ast::DistCall{ident_of(*n.children[0]), exprs_from(n, 1), span_of(n)};
}

ast::Stmt stmt_of(const Node& n) {
  Span span = span_of(n);
  if (n.is_type<g::data_stmt>()) {
    ast::DataStmt d;
    for (const auto& c : n.children) {
      if (c->is_type<g::identifier>()) {
        d.names.push_back(ident_of(*c));
      } else if (c->is_type<g::data_value>()) {
        d.value = expr_of(*c->children[0]);
      } else if (c->is_type<g::data_file>()) {
        d.file = unescape(c->children[0]->string_view());
        d.file_span = span_of(*c->children[0]);
      }
    }
    return {d, span};
  }
  if (n.is_type<g::param_stmt>()) {
    ast::ParamStmt p;
    for (const auto& c : n.children) {
      if (c->is_type<g::param_decl>()) {
        ast::ParamDecl decl{ident_of(*c->children[0]), nullptr};
        if (c->children.size() > 1) decl.size = expr_of(*c->children[1]->children[0]);
        p.decls.push_back(decl);
      } else if (c->is_type<g::prior>()) {
        p.prior = dist_of(*c->children[0]);
      } else if (c->is_type<g::lower_bound>()) {
        p.lower = expr_of(*c->children.back());
      } else if (c->is_type<g::upper_bound>()) {
        p.upper = expr_of(*c->children.back());
      } else if (c->is_type<g::interval_bounds>()) {
        p.lower = expr_of(*c->children[0]);
        p.upper = expr_of(*c->children[1]);
      } else if (c->is_type<g::param_value>()) {
        param_with_value(n, *c);
      } else if (c->is_type<g::ordering>()) {
        p.order = c->string() == "ordered" ? ast::Order::Ordered : ast::Order::PositiveOrdered;
        p.order_span = span_of(*c);
      }
    }
    return {p, span};
  }
  if (n.is_type<g::let_stmt>()) {
    ast::LetStmt l{ident_of(*n.children[0]), nullptr, expr_of(*n.children.back())};
    if (n.children.size() == 3) l.index = expr_of(*n.children[1]->children[0]);
    return {l, span};
  }
  if (n.is_type<g::for_stmt>()) {
    ast::ForStmt f;
    f.var = ident_of(*n.children[0]);
    f.from = expr_of(*n.children[1]->children[0]);
    f.to = expr_of(*n.children[2]->children[0]);
    for (std::size_t i = 3; i < n.children.size(); ++i) f.body.push_back(stmt_of(*n.children[i]));
    return {f, span};
  }
  if (n.is_type<g::fn_stmt>()) {
    ast::FnStmt f;
    f.name = ident_of(*n.children[0]);
    for (std::size_t i = 1; i + 1 < n.children.size(); ++i)
      f.params.push_back(ident_of(*n.children[i]));
    f.body = expr_of(*n.children.back());
    return {f, span};
  }
  if (n.is_type<g::print_stmt>()) return {ast::PrintStmt{expr_of(*n.children[0])}, span};
  if (n.is_type<g::plot_stmt>()) {
    ast::PlotStmt p;
    p.target = expr_of(*n.children[0]);
    if (n.children.size() > 1) {
      const Node& s = *n.children[1]->children[0];
      p.file = unescape(s.string_view());
      p.file_span = span_of(s);
    }
    return {p, span};
  }
  if (n.is_type<g::observe_stmt>()) {
    ast::ObserveStmt o{expr_of(*n.children[0]), dist_of(*n.children[1]), {}};
    if (n.children.size() > 2) {
      const Node& t = *n.children[2];
      ast::Truncation tr;
      tr.span = span_of(t);
      for (const auto& c : t.children) {
        if (c->is_type<g::truncation_lower>()) tr.lower = expr_of(*c->children[0]);
        if (c->is_type<g::truncation_upper>()) tr.upper = expr_of(*c->children[0]);
      }
      o.truncation = tr;
    }
    return {o, span};
  }
  if (n.is_type<g::factor_stmt>()) return {ast::FactorStmt{expr_of(*n.children[0])}, span};
  throw std::logic_error("parser: unexpected statement node " + std::string(n.type));
}

// Where the text of the file ends: just after the last character that is not
// white space or a comment. An error found at the end of the file on a line
// after that (past a trailing newline or comment) belongs there instead.
std::optional<Span> end_of_content(const std::string& text) {
  std::optional<Span> last;
  std::size_t line = 1, start = 0;
  for (;;) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    // The content of the line: up to a '#' outside a string, without trailing blanks.
    std::size_t content = start;
    bool quoted = false;
    for (std::size_t i = start; i < end; ++i) {
      char c = text[i];
      if (c == '#' && !quoted) break;
      if (c == '"') quoted = !quoted;
      if (quoted && c == '\\') ++i;
      if (c != ' ' && c != '\t' && c != '\r') content = std::min(i + 1, end);
    }
    if (content > start) last = Span{content, content + 1, line, content - start + 1};
    if (end == text.size()) return last;
    start = end + 1;
    ++line;
  }
}

Span error_span(const SourceFile& file, Span s) {
  if (s.begin < file.text.size()) return s;
  auto end = end_of_content(file.text);
  if (end && end->line < s.line) return *end;
  return s;
}

}  // namespace

std::optional<ast::Program> parse_program(const SourceFile& file, Diagnostics& diags) {
  pegtl::memory_input in(file.text, file.name);
  ParseState state;
  ParseState* outer = std::exchange(parse_state, &state);
  struct Restore {
    ParseState* previous;
    ~Restore() { parse_state = previous; }
  } restore{outer};
  try {
    auto root = pt::parse<g::program, selector, pegtl::nothing, control>(in);
    if (!root) {
      diags.error(Span{0, 1, 1, 1}, "could not parse the program");
      return std::nullopt;
    }
    ast::Program program;
    for (const auto& c : root->children) program.stmts.push_back(stmt_of(*c));
    return program;
  } catch (const pegtl::parse_error& e) {
    const auto& pos = e.positions().front();
    Span s{pos.byte, pos.byte + 1, pos.line, pos.column};
    diags.error(error_span(file, s), std::string(e.message()));
    return std::nullopt;
  } catch (const SyntaxError& e) {
    auto& d = diags.error(error_span(file, e.span), e.message);
    d.notes = e.notes;
    return std::nullopt;
  }
}

}  // namespace bayes::syntax
