// Grammar and AST building: every construct, precedence, positions.
#include <doctest/doctest.h>

#include "helpers.hpp"

using namespace bayes;
using bayes::test::parse;
using bayes::test::parse_expr;

TEST_CASE("precedence and associativity") {
  CHECK(parse_expr("1 + 2 * 3") == "(+ 1 (* 2 3))");
  CHECK(parse_expr("1 - 2 - 3") == "(- (- 1 2) 3)");
  CHECK(parse_expr("8 / 4 / 2") == "(/ (/ 8 4) 2)");
  CHECK(parse_expr("2 ^ 3 ^ 2") == "(^ 2 (^ 3 2))");  // right-associative
  CHECK(parse_expr("-2 ^ 2") == "(- (^ 2 2))");       // unary minus below ^
  CHECK(parse_expr("2 ^ -1") == "(^ 2 (- 1))");
  CHECK(parse_expr("-a * b") == "(* (- a) b)");
  CHECK(parse_expr("(1 + 2) * 3") == "(* (+ 1 2) 3)");
  CHECK(parse_expr("a < b + 1") == "(< a (+ b 1))");
  CHECK(parse_expr("a > 0 && b > 0 || c == 1") == "(|| (&& (> a 0) (> b 0)) (== c 1))");
  CHECK(parse_expr("!(a > 0)") == "(! (> a 0))");
  CHECK(parse_expr("a != b") == "(!= a b)");
  CHECK(parse_expr("a <= b") == "(<= a b)");
  CHECK(parse_expr("a >= b") == "(>= a b)");
  CHECK(parse_expr("+a") == "a");
}

TEST_CASE("numbers, strings, vectors, calls, indexing") {
  CHECK(parse_expr("3") == "3");
  CHECK(parse_expr("2.5") == "2.5");
  CHECK(parse_expr("1e-3") == "0.001");
  CHECK(parse_expr(".5") == "0.5");
  CHECK(parse_expr("inf") == "inf");
  CHECK(parse_expr("[1, -2, 3]") == "[1 (- 2) 3]");
  CHECK(parse_expr("[]") == "[]");
  CHECK(parse_expr("f()") == "(call f)");
  CHECK(parse_expr("pow(a, b)") == "(call pow a b)");
  CHECK(parse_expr("v[i]") == "(index v i)");
  CHECK(parse_expr("mu[group]") == "(index mu group)");
  CHECK(parse_expr("m[1, 2]") == "(index m 1 2)");
  CHECK(parse_expr("v[1][2]") == "(index (index v 1) 2)");
  CHECK(parse_expr("columns(a, b) * w") == "(* (call columns a b) w)");
  auto p = parse("data f = \"a\\\"b\\\\c\"");
  REQUIRE(p.program);
  auto* s = ast::as<ast::StringLit>(*std::get<ast::DataStmt>(p.program->stmts[0].node).value);
  REQUIRE(s);
  CHECK(s->value == "a\"b\\c");
}

TEST_CASE("integer and real literals") {
  auto num = [](const std::string& text) {
    auto p = parse("let x = " + text);
    return *ast::as<ast::Number>(*std::get<ast::LetStmt>(p.program->stmts[0].node).value);
  };
  CHECK(num("3").integer);
  CHECK_FALSE(num("3.0").integer);
  CHECK_FALSE(num("1e3").integer);
  CHECK_FALSE(num("inf").integer);
}

TEST_CASE("every statement form") {
  auto p = parse(R"(# a comment line
data flips = [1, 0, 1]   # trailing comment
data a, b from "file.csv"
param p ~ Beta(2, 2)
param w[3] ~ Normal(0, 1)
param mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)
param s > 0
param t < 1
param q in (0, 1)
param b0
let odds = p / (1 - p)
flips ~ Bernoulli(p)
fn sq(x) = x * x
print posterior(p); print map()
plot p
plot p to "p.svg"
)");
  REQUIRE_MESSAGE(p.program, p.first_error());
  const auto& st = p.program->stmts;
  REQUIRE(st.size() == 16);
  auto& d0 = std::get<ast::DataStmt>(st[0].node);
  CHECK(d0.names[0].name == "flips");
  auto& d1 = std::get<ast::DataStmt>(st[1].node);
  CHECK(d1.names.size() == 2);
  CHECK(d1.names[1].name == "b");
  CHECK(*d1.file == "file.csv");
  auto& p0 = std::get<ast::ParamStmt>(st[2].node);
  CHECK(p0.prior->name.name == "Beta");
  CHECK(p0.prior->args.size() == 2);
  auto& p1 = std::get<ast::ParamStmt>(st[3].node);
  CHECK(test::sexpr(*p1.decls[0].size) == "3");
  auto& p2 = std::get<ast::ParamStmt>(st[4].node);
  CHECK(p2.decls.size() == 2);
  CHECK(p2.decls[1].name.name == "s2");
  auto& p3 = std::get<ast::ParamStmt>(st[5].node);
  CHECK(test::sexpr(*p3.lower) == "0");
  CHECK_FALSE(p3.upper);
  auto& p4 = std::get<ast::ParamStmt>(st[6].node);
  CHECK(test::sexpr(*p4.upper) == "1");
  auto& p5 = std::get<ast::ParamStmt>(st[7].node);
  CHECK(test::sexpr(*p5.lower) == "0");
  CHECK(test::sexpr(*p5.upper) == "1");
  auto& p6 = std::get<ast::ParamStmt>(st[8].node);
  CHECK_FALSE(p6.prior);
  CHECK_FALSE(p6.lower);
  CHECK(std::holds_alternative<ast::LetStmt>(st[9].node));
  auto& o = std::get<ast::ObserveStmt>(st[10].node);
  CHECK(test::sexpr(*o.lhs) == "flips");
  CHECK(o.dist.name.name == "Bernoulli");
  auto& f = std::get<ast::FnStmt>(st[11].node);
  CHECK(f.params.size() == 1);
  CHECK(test::sexpr(*f.body) == "(* x x)");
  CHECK(test::sexpr(*std::get<ast::PrintStmt>(st[12].node).query) == "(call posterior p)");
  CHECK(test::sexpr(*std::get<ast::PrintStmt>(st[13].node).query) == "(call map)");
  CHECK_FALSE(std::get<ast::PlotStmt>(st[14].node).file);
  CHECK(*std::get<ast::PlotStmt>(st[15].node).file == "p.svg");
}

TEST_CASE("line continuation inside brackets and after a binary operator") {
  auto p = parse(
      "data x = [1,\n  2,\n  3\n]\nlet y = 1 +\n  2\nparam m ~ Normal(\n  0,\n  1\n)\nlet z = (1\n "
      "+ 2)\n");
  REQUIRE_MESSAGE(p.program, p.first_error());
  CHECK(p.program->stmts.size() == 4);
  CHECK(test::sexpr(*std::get<ast::LetStmt>(p.program->stmts[1].node).value) == "(+ 1 2)");
  CHECK(test::sexpr(*std::get<ast::LetStmt>(p.program->stmts[3].node).value) == "(+ 1 2)");
  // Outside brackets a newline ends the statement: "1" then "- 2" is no statement.
  auto q = parse("let y = 1\n- 2\n");
  CHECK_FALSE(q.program);
  CHECK(q.first_error().rfind("2:", 0) == 0);
}

TEST_CASE("statement separators, CRLF, empty statements, no final newline") {
  auto p = parse("data x = 1; data y = 2;;\r\ndata z = 3");
  REQUIRE_MESSAGE(p.program, p.first_error());
  CHECK(p.program->stmts.size() == 3);
  CHECK(parse("").program->stmts.empty());
  CHECK(parse("# only a comment").program->stmts.empty());
}

TEST_CASE("keywords are not names") {
  CHECK_FALSE(parse("data in = 3").program);
  CHECK(parse("data inside = 3").program);  // a keyword prefix is fine
  CHECK(parse("data datum = 3").program);
  CHECK_FALSE(parse("data inf = 3").program);
}

TEST_CASE("spans of nodes") {
  auto p = parse("data x = [1, 2]\nparam p ~ Beta(2, 2)\n  x ~ Normal(p, 1)\n");
  REQUIRE(p.program);
  const auto& prior = *std::get<ast::ParamStmt>(p.program->stmts[1].node).prior;
  CHECK(prior.name.span.line == 2);
  CHECK(prior.name.span.column == 11);
  CHECK(prior.args[1]->span.column == 19);
  const auto& obs = std::get<ast::ObserveStmt>(p.program->stmts[2].node);
  CHECK(obs.lhs->span.line == 3);
  CHECK(obs.lhs->span.column == 3);
  CHECK(obs.dist.span.column == 7);
  CHECK(obs.dist.span.end - obs.dist.span.begin == std::string("Normal(p, 1)").size());
}

TEST_CASE("syntax errors carry PEGTL's positions and readable messages") {
  CHECK(parse("param p ~ Beta(2, 2").first_error() == "1:20: expected ')'");
  CHECK(parse("data x = [1, 2").first_error() == "1:15: expected ']'");
  CHECK(parse("data x = 1 +").first_error() == "1:13: expected an expression after the operator");
  CHECK(parse("data f = \"abc").first_error() == "1:14: unterminated string: expected '\"'");
  CHECK(parse("data = 3").first_error() == "1:6: expected a name after 'data'");
  CHECK(parse("param ~ Beta(1, 1)").first_error() == "1:7: expected a name after 'param'");
  CHECK(parse("x ~ 3").first_error() ==
        "1:5: expected a distribution such as 'Normal(0, 1)' after '~'");
  CHECK(parse("data x = 1 2").first_error() ==
        "1:12: expected the end of the statement (a new line or ';')");
  CHECK(parse("x = 3").first_error() ==
        "1:3: expected '~' (an observation is written 'y ~ Distribution(...)')");
  CHECK(parse("data x = 1e").first_error() == "1:12: expected digits in the exponent");
  CHECK(parse("data x = 1 < 2 < 3").first_error() ==
        "1:16: comparisons do not chain: write '1 < 2 && 2 < 3'");
  CHECK(parse("data s = \"a\\qb\"").first_error().rfind("1:13: unknown escape", 0) == 0);
  CHECK(parse("\n\n  ) oops").first_error().rfind("3:3: expected a statement", 0) == 0);
}

TEST_CASE("no error message names a PEGTL rule") {
  const std::vector<std::string> bad = {"data y = x[]",
                                        "data y = x[1,]",
                                        "data y = f(1,,2)",
                                        "data x = [1,,2]",
                                        "param p ~ Beta(2,,2)",
                                        "param p ~ Beta(2,)",
                                        "param w[] ~ Normal(0, 1)",
                                        "param q in (0 1)",
                                        "param q in (0,",
                                        "param q in 0, 1",
                                        "fn f(a,) = a",
                                        "fn f(a",
                                        "fn (a) = a",
                                        "fn f a = 1",
                                        "fn f(a) a",
                                        "let = 3",
                                        "let x",
                                        "let x =",
                                        "data a, = 3",
                                        "data a from",
                                        "data a from x",
                                        "data a,",
                                        "param a, ~ Normal(0, 1)",
                                        "plot p to",
                                        "plot p to 3",
                                        "print",
                                        "x ~",
                                        "x ~ Normal",
                                        "x ~ Normal(0, 1",
                                        "x ~ Normal 0",
                                        "data x = \"abc",
                                        "data x = \"a\\qb\"",
                                        "data x = 1e+",
                                        "data x = (",
                                        "data x = -",
                                        "data x = !",
                                        "data x = 2 ^",
                                        "data x = 1 &&",
                                        "data x = 1 ||",
                                        "data x = 1 <",
                                        "data x = [",
                                        "data x = (1, 2)",
                                        "~",
                                        ")",
                                        "]",
                                        "data x = 1 ]",
                                        "param",
                                        "data",
                                        "let",
                                        "fn",
                                        "print posterior(p",
                                        "param p ~ 3",
                                        "param p ~ Beta(2, 2) q",
                                        "@",
                                        "data x = @",
                                        "data x = 1 < 2 < 3",
                                        "data in = 1",
                                        "fn f(in) = 1",
                                        "let from = 1",
                                        "param to ~ Normal(0, 1)",
                                        "param p = 1",
                                        "data x = [[[[",
                                        "data x = ((((",
                                        "data x = 1 +\n",
                                        "param p ~ Beta(2, 2\n\nprint map()\n",
                                        "data x = [1, 2,\n",
                                        "data x = 1 +\n# comment\n",
                                        "data x = y[1][",
                                        "data x = y[1, 2",
                                        "print prob(",
                                        "data x = 1 2",
                                        "data data = 1",
                                        "param p ~ Beta(2, 2) ~ Beta(1, 1)",
                                        "x ~ ~",
                                        "data x = \"\\",
                                        "fn f(a, a",
                                        "param w[3 ~ Normal(0, 1)",
                                        "param mu, ~ Normal(0, 1)"};
  for (const auto& text : bad) {
    auto p = parse(text);
    INFO(text);
    CHECK_FALSE(p.program);
    CHECK(p.first_error().find("tao::") == std::string::npos);
    CHECK(p.first_error().find("pegtl") == std::string::npos);
    CHECK(p.first_error().find("parse error matching") == std::string::npos);
  }
  // Random programs from the language's tokens: none crashes, none leaks a rule name.
  const std::vector<std::string> tokens = {
      "data", "param", "let", "fn",   "print", "plot", "from", "to", "in", "inf", "x",
      "y",    "Beta",  "(",   ")",    "[",     "]",    ",",    "=",  "~",  "+",   "-",
      "*",    "/",     "^",   "<",    "<=",    "==",   "&&",   "||", "!",  ";",   "\n",
      " ",    "1",     "2.5", "1e-3", "\"s\"", "#c\n", ">",    "."};
  std::uint64_t state = 12345;
  for (int n = 0; n < 3000; ++n) {
    std::string text;
    int len = 1 + static_cast<int>(n % 12);
    for (int i = 0; i < len; ++i) {
      state = state * 6364136223846793005ULL + 1442695040888963407ULL;
      text += tokens[(state >> 33) % tokens.size()] + " ";
    }
    auto p = parse(text);
    INFO(text);
    CHECK(p.first_error().find("tao::") == std::string::npos);
  }
}

TEST_CASE("list elements after a comma, indices, keywords as names") {
  CHECK(parse("param p ~ Beta(2,,2)").first_error() == "1:18: expected an argument after ','");
  CHECK(parse("param p ~ Beta(2, )").first_error() == "1:19: expected an argument after ','");
  CHECK(parse("data x = [1, 2,]").first_error() == "1:16: expected a vector element after ','");
  CHECK(parse("data y = x[]").first_error() == "1:12: expected an index");
  CHECK(parse("data y = x[1,]").first_error() == "1:14: expected an index after ','");
  CHECK(parse("fn f(a,) = a").first_error() == "1:8: expected a name");
  CHECK(parse("data in = 3").first_error() == "1:6: 'in' is a keyword, not a name");
  CHECK(parse("let to = 3").first_error() == "1:5: 'to' is a keyword, not a name");
  CHECK(parse("fn f(a, from) = a").first_error() == "1:9: 'from' is a keyword, not a name");
  CHECK(parse("param w, data ~ Normal(0, 1)").first_error() ==
        "1:10: 'data' is a keyword, not a name");
  CHECK(parse("print posterior(in)").first_error() == "1:17: 'in' is a keyword, not a name");
  CHECK(parse("data inside = 3\ndata fnord = inside").program);  // keyword prefixes are names
}

TEST_CASE("comparisons do not chain") {
  CHECK(parse("print prob(0 < p < q)").first_error() ==
        "1:18: comparisons do not chain: write '0 < p && p < q'");
  CHECK(parse("let c = a == b != c").first_error() ==
        "1:16: comparisons do not chain: write 'a == b && b != c'");
  CHECK(parse("let c = (a < b) == (c < d)").program);  // parenthesised: a comparison of conditions
  CHECK(parse("let c = a < b && b < c").program);
}

TEST_CASE("a parameter given a value") {
  CHECK(parse("param p = 0.5").first_error() ==
        "1:9: a parameter takes a prior with '~' (param p ~ Beta(1, 1)), or use 'data p = 0.5' "
        "for a known value");
  CHECK(parse("param s = 3 + 1").first_error() ==
        "1:9: a parameter takes a prior with '~' (param s ~ Normal(0, 1)), or use 'data s = 3 + "
        "1' for a known value");
}

TEST_CASE("an unclosed bracket is reported where it opens") {
  auto p = parse("param p ~ Beta(2, 2\nprint posterior(p)\n");
  CHECK(p.first_error() == "1:15: '(' is never closed");
  REQUIRE(p.diags.list().at(0).notes.size() == 1);
  CHECK(p.diags.list()[0].notes[0].find("line 2 was read as part of it") != std::string::npos);
  auto q = parse("data flips = [1, 0, 1\n");
  CHECK(q.first_error() == "1:14: '[' is never closed");
  CHECK(q.diags.list()[0].notes.at(0).find("the file ends") != std::string::npos);
  CHECK(parse("data x = [f(1, [2, 3)\n]\n").first_error() == "1:21: expected ']'");
  CHECK(parse("data x = ((1 + 2)\n\n").first_error() == "1:10: '(' is never closed");
  CHECK(parse("data v = [1]\ndata y = v[1\n").first_error() == "2:11: '[' is never closed");
  // On the bracket's own line the error stays where the text went wrong.
  CHECK(parse("data x = (1 + 2; param p ~ Beta(2, 2)").first_error() == "1:16: expected ')'");
}

TEST_CASE("an error at the end of the file is placed after the last text") {
  CHECK(parse("data x = 1 +\n").first_error() == "1:13: expected an expression after the operator");
  CHECK(parse("data x = 1 +   # more to come\n\n# the end\n").first_error() ==
        "1:13: expected an expression after the operator");
  CHECK(parse("data x = 1\ndata y =\n\n").first_error() == "2:9: expected an expression");
  CHECK(parse("param p ~\n").first_error() ==
        "1:10: expected a distribution such as 'Normal(0, 1)' after '~'");
  // Not at the end of the file: the next line is where the operand is missing.
  CHECK(parse("data x = 1 +\nparam p ~ Beta(2, 2)\n").first_error() ==
        "2:1: expected an expression after the operator");
}

TEST_CASE("deep nesting is an error, not a stack overflow") {
  const std::string deep = "1:10: expression nested too deeply (more than 256 levels)";
  auto nest = [](const std::string& open, const std::string& mid, const std::string& close, int n) {
    std::string s = "data x = ";
    for (int i = 0; i < n; ++i) s += open;
    s += mid;
    for (int i = 0; i < n; ++i) s += close;
    return s;
  };
  CHECK(parse(nest("(", "1", ")", 20000)).first_error() == deep);
  CHECK(parse(nest("-", "1", "", 20000)).first_error() == deep);
  CHECK(parse(nest("!", "1", "", 20000)).first_error() == deep);
  CHECK(parse(nest("[", "1", "]", 20000)).first_error() == deep);
  CHECK(parse(nest("f(", "1", ")", 20000)).first_error() == deep);
  CHECK(parse(nest("x[", "1", "]", 20000)).first_error() == deep);
  CHECK(parse(nest("2^", "1", "", 20000)).first_error() == deep);
  CHECK(parse(nest("(", "1", "", 20000)).first_error() == deep);  // unclosed as well
  // Long but flat in the grammar, deep as a tree: bounded too.
  std::string chain = "data x = 1";
  for (int i = 0; i < 20000; ++i) chain += " + 1";
  CHECK(parse(chain).first_error() ==
        "1:10: expression too long or nested too deeply (more than 1000 levels)");
  std::string indexed = "data x = v";
  for (int i = 0; i < 20000; ++i) indexed += "[1]";
  CHECK(parse(indexed).first_error().find("more than 1000 levels") != std::string::npos);
  // Within the limits everything parses.
  CHECK(parse(nest("(", "1", ")", 250)).program);
  CHECK(parse(nest("-", "1", "", 250)).program);
  std::string ok = "data x = 1";
  for (int i = 0; i < 900; ++i) ok += " + 1";
  CHECK(parse(ok).program);
}
