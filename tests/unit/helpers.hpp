// Shared helpers for the unit tests: parse or compile a program from a string.
#pragma once

#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <fstream>
#include <limits>
#include <numeric>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "answer/answer.hpp"
#include "ast/ast.hpp"
#include "data/value.hpp"
#include "density/log_density.hpp"
#include "dist/family.hpp"
#include "numeric/tape.hpp"
#include "pipeline/pipeline.hpp"
#include "report/json.hpp"
#include "syntax/parser.hpp"

// The test files compile together in unity sources (tests/CMakeLists.txt), so
// a helper two of them need lives here, and file-local names (anonymous
// namespaces) differ from file to file.
namespace bayes::test {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

inline double num(const nlohmann::ordered_json& j) { return j.get<double>(); }

inline bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The family called `name` (the test fails without one).
inline const dist::Family& family(std::string_view name) {
  const dist::Family* f = dist::find(name);
  REQUIRE_MESSAGE(f != nullptr, "no family " << name);
  return *f;
}

// Argument values for a family's check time tests.
inline const Value unknown{};  // an argument not known at check time
inline Value s(double x) { return Value::scalar(x); }
inline Value v(std::vector<double> xs) { return Value::vector(std::move(xs)); }

inline SourceFile source(const std::string& text, const std::string& dir = "") {
  return SourceFile{"t.model", text, dir};
}

struct Parsed {
  std::optional<ast::Program> program;
  Diagnostics diags;
  std::string first_error() const {
    if (diags.list().empty()) return "";
    const auto& d = diags.list().front();
    return std::to_string(d.span.line) + ":" + std::to_string(d.span.column) + ": " + d.message;
  }
};

inline Parsed parse(const std::string& text) {
  Parsed p;
  p.program = syntax::parse_program(source(text), p.diags);
  return p;
}

struct Result {
  std::optional<Compiled> compiled;
  Diagnostics diags;
  std::string errors() const {  // "line:col: message" per error, one a line
    std::string out;
    for (const auto& d : diags.list())
      out += std::to_string(d.span.line) + ":" + std::to_string(d.span.column) + ": " + d.message +
             "\n";
    return out;
  }
  std::string first_error() const {
    std::string e = errors();
    return e.substr(0, e.find('\n'));
  }
};

inline Result run(const std::string& text, const std::string& dir = "") {
  Result r;
  r.compiled = compile(source(text, dir), r.diags);
  return r;
}

// Every print of the program through the whole engine (the program must
// compile); data files are read relative to `dir`.
inline answer::Report report(const std::string& text, answer::Method method = answer::Method::Auto,
                             const std::string& dir = "") {
  auto r = run(text, dir);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  answer::Options opt;
  opt.method = method;
  return answer::answer_all(*r.compiled, opt);
}

// The same, each print's answer as JSON.
inline std::vector<nlohmann::ordered_json> answers(const std::string& text,
                                                   answer::Method method = answer::Method::Auto,
                                                   const std::string& dir = "") {
  return report::to_json(report(text, method, dir));
}

// A whole file's text ("" when it cannot be read).
inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A JSON fixture under tests/fixtures/ ("quadrature/stan_reference.json").
inline nlohmann::ordered_json fixture_json(const std::string& relative) {
  return nlohmann::ordered_json::parse(
      read_file(std::string(BAYES_TEST_DIR) + "/fixtures/" + relative));
}

// The tape of the whole model: every prior (but those of the parameters
// summed out, `marginal`), observation and `factor` term.
inline std::optional<numeric::Tape> whole_tape(const Model& m, std::string& why,
                                               const std::vector<std::size_t>& marginal = {}) {
  std::vector<std::size_t> priors, obs(m.observations.size()), terms(m.terms.size());
  for (std::size_t i = 0; i < m.priors.size(); ++i)
    if (m.priors[i].params.size() != 1 ||
        std::find(marginal.begin(), marginal.end(), m.priors[i].params[0]) == marginal.end())
      priors.push_back(i);
  std::iota(obs.begin(), obs.end(), 0);
  std::iota(terms.begin(), terms.end(), 0);
  return numeric::Tape::compile(m, priors, obs, why, marginal, terms);
}

// The same log density through src/density (no tape).
inline double density_sum(const Model& m, const std::vector<Value>& values) {
  double total = 0;
  for (const auto& pr : m.priors) total += density::log_prior(m, pr, values);
  for (const auto& o : m.observations) total += density::log_likelihood(m, o, values);
  for (const auto& t : m.terms) total += density::log_term(m, t, values);
  return total;
}

// backward() against central differences of forward() at `v`, in every
// coordinate of every parameter with values (along e_k - e_last for a
// Dirichlet's simplex, to stay on it), to `tol` relative.
inline void check_gradient(numeric::Tape& tape, const Model& m, std::vector<Eigen::VectorXd> v,
                           double tol = 1e-6) {
  std::vector<Eigen::VectorXd> g(v.size());
  for (std::size_t i = 0; i < v.size(); ++i) g[i] = Eigen::VectorXd::Zero(v[i].size());
  tape.forward(v);
  tape.backward(g);
  for (std::size_t i = 0; i < v.size(); ++i) {
    const Eigen::Index n = v[i].size();
    const bool simplex = m.priors[m.params[i].prior].family == &dist::dirichlet_family();
    for (Eigen::Index k = 0; k < (simplex ? n - 1 : n); ++k) {
      Eigen::VectorXd dir = Eigen::VectorXd::Zero(n);
      dir[k] = 1;
      if (simplex) dir[n - 1] = -1;
      const Eigen::VectorXd x = v[i];
      const double h = 1e-6;
      v[i] = x + h * dir;
      const double up = tape.forward(v);
      v[i] = x - h * dir;
      const double down = tape.forward(v);
      v[i] = x;
      INFO("d/d" << m.params[i].name << "[" << k + 1 << "]" << (simplex ? " - d/d last" : ""));
      CHECK(g[i].dot(dir) == doctest::Approx((up - down) / (2 * h)).epsilon(tol));
    }
  }
}

// Fully parenthesised form of an expression: (+ a (* b c)).
inline std::string sexpr(const ast::Expr& e) {
  std::ostringstream out;
  std::visit(
      [&](const auto& n) {
        using T = std::decay_t<decltype(n)>;
        if constexpr (std::is_same_v<T, ast::Number>) {
          out << n.value;
        } else if constexpr (std::is_same_v<T, ast::StringLit>) {
          out << '"' << n.value << '"';
        } else if constexpr (std::is_same_v<T, ast::Name>) {
          out << n.id;
        } else if constexpr (std::is_same_v<T, ast::Unary>) {
          out << '(' << ast::to_string(n.op) << ' ' << sexpr(*n.operand) << ')';
        } else if constexpr (std::is_same_v<T, ast::Binary>) {
          out << '(' << ast::to_string(n.op) << ' ' << sexpr(*n.lhs) << ' ' << sexpr(*n.rhs) << ')';
        } else if constexpr (std::is_same_v<T, ast::Call>) {
          out << "(call " << n.callee.name;
          for (const auto& a : n.args) out << ' ' << sexpr(*a);
          out << ')';
        } else if constexpr (std::is_same_v<T, ast::Index>) {
          out << "(index " << sexpr(*n.base);
          for (const auto& a : n.indices) out << ' ' << sexpr(*a);
          out << ')';
        } else if constexpr (std::is_same_v<T, ast::VectorLit>) {
          out << "[";
          for (std::size_t i = 0; i < n.elems.size(); ++i)
            out << (i ? " " : "") << sexpr(*n.elems[i]);
          out << "]";
        }
      },
      e.node);
  return out.str();
}

// The expression of `let x = EXPR` as an s-expression.
inline std::string parse_expr(const std::string& expr) {
  Parsed p = parse("let x = " + expr);
  if (!p.program) return "error: " + p.first_error();
  return sexpr(*std::get<ast::LetStmt>(p.program->stmts.at(0).node).value);
}

}  // namespace bayes::test
