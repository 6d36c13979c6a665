// The parser: runs the grammar into a PEGTL parse tree, then turns the tree
// into the AST. Which rules make nodes (the selector) and the messages of
// `must<>` failures live here; the rules themselves in grammar/grammar.hpp.
#include "syntax/parser.hpp"

#include <cmath>
#include <cstdlib>
#include <string_view>
#include <tao/pegtl/contrib/parse_tree.hpp>

#include "grammar/grammar.hpp"

namespace bayes::syntax {

namespace g = bayes::grammar;
namespace pegtl = tao::pegtl;
namespace pt = tao::pegtl::parse_tree;

namespace {

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
inline constexpr const char* message<g::close_paren> = "expected ')'";
template <>
inline constexpr const char* message<g::close_bracket> = "expected ']'";
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
inline constexpr const char* message<pegtl::one<'('>> = "expected '('";
template <>
inline constexpr const char* message<pegtl::one<'='>> = "expected '='";
template <>
inline constexpr const char* message<g::identifier> = "expected a name";
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
    "expected a statement (data, param, let, fn, print, plot, or 'y ~ D(...)')";
template <>
inline constexpr const char* message<pegtl::eof> = "unexpected text at the end";

// Messages are used only where the grammar says must<>; elsewhere a failing
// rule just backtracks.
struct errors {
  template <typename Rule>
  static constexpr const char* message = syntax::message<Rule>;
  template <typename Rule>
  static constexpr bool raise_on_failure = false;
};

template <typename Rule>
using control = pegtl::must_if<errors, pegtl::normal, false>::control<Rule>;

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
              g::index_suffix, g::op_neg, g::op_not, g::op_pos, g::op_pow, g::op_mul, g::op_div,
              g::op_add, g::op_sub, g::op_le, g::op_ge, g::op_eq, g::op_ne, g::op_lt, g::op_gt,
              g::op_and, g::op_or, g::data_stmt, g::data_value, g::data_file, g::param_stmt,
              g::param_decl, g::param_size, g::prior, g::lower_bound, g::upper_bound,
              g::interval_bounds, g::let_stmt, g::fn_stmt, g::print_stmt, g::plot_stmt,
              g::plot_file, g::observe_stmt, g::dist_call>,
          fold::on<g::paren, g::postfix, g::power<true>, g::power<false>, g::unary<true>,
                   g::unary<false>, g::product<true>, g::product<false>, g::sum<true>,
                   g::sum<false>, g::comparison<true>, g::comparison<false>,
                   g::conjunction<true>, g::conjunction<false>, g::disjunction<true>,
                   g::disjunction<false>>> {};

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

ast::ExprPtr expr_of(const Node& n);

std::vector<ast::ExprPtr> exprs_from(const Node& n, std::size_t first) {
  std::vector<ast::ExprPtr> out;
  for (std::size_t i = first; i < n.children.size(); ++i) out.push_back(expr_of(*n.children[i]));
  return out;
}

ast::ExprPtr expr_of(const Node& n) {
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
    return make({num, span});
  }
  if (n.is_type<g::string_lit>()) return make({ast::StringLit{unescape(n.string_view())}, span});
  if (n.is_type<g::name>()) return make({ast::Name{n.string()}, span});
  if (n.is_type<g::call>())
    return make({ast::Call{ident_of(*n.children[0]), exprs_from(n, 1)}, span});
  if (n.is_type<g::vector_lit>()) return make({ast::VectorLit{exprs_from(n, 0)}, span});
  if (n.is_type<g::postfix>()) {
    ast::ExprPtr e = expr_of(*n.children[0]);
    for (std::size_t i = 1; i < n.children.size(); ++i) {
      const Node& suffix = *n.children[i];
      Span s = join(e->span, span_of(suffix));
      e = make({ast::Index{e, exprs_from(suffix, 0)}, s});
    }
    return e;
  }
  if (is<g::unary>(n)) {
    const Node& op = *n.children[0];
    ast::ExprPtr operand = expr_of(*n.children[1]);
    if (op.is_type<g::op_pos>()) return operand;
    auto uop = op.is_type<g::op_neg>() ? ast::UnaryOp::Neg : ast::UnaryOp::Not;
    return make({ast::Unary{uop, operand}, span});
  }
  if (is<g::power>(n) || is<g::product>(n) || is<g::sum>(n) || is<g::comparison>(n) ||
      is<g::conjunction>(n) || is<g::disjunction>(n)) {
    if (is<g::power>(n)) {  // right-associative; the grammar already nests it
      return make({ast::Binary{ast::BinaryOp::Pow, expr_of(*n.children[0]),
                               expr_of(*n.children[2])},
                   span});
    }
    ast::ExprPtr e = expr_of(*n.children[0]);
    for (std::size_t i = 1; i + 1 < n.children.size(); i += 2) {
      ast::ExprPtr rhs = expr_of(*n.children[i + 1]);
      Span s = join(e->span, rhs->span);
      e = make({ast::Binary{*binary_op(*n.children[i]), e, rhs}, s});
    }
    return e;
  }
  // A folded rule with one child cannot reach here; anything else is a bug.
  throw std::logic_error("parser: unexpected node " + std::string(n.type));
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
      }
    }
    return {p, span};
  }
  if (n.is_type<g::let_stmt>())
    return {ast::LetStmt{ident_of(*n.children[0]), expr_of(*n.children[1])}, span};
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
  if (n.is_type<g::observe_stmt>())
    return {ast::ObserveStmt{expr_of(*n.children[0]), dist_of(*n.children[1])}, span};
  throw std::logic_error("parser: unexpected statement node " + std::string(n.type));
}

}  // namespace

std::optional<ast::Program> parse_program(const SourceFile& file, Diagnostics& diags) {
  pegtl::memory_input in(file.text, file.name);
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
    diags.error(s, std::string(e.message()));
    return std::nullopt;
  }
}

}  // namespace bayes::syntax
