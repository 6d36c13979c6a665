// Unit tests of src/expr/builtins.cpp: every entry of the built-in table, its
// value through the evaluator at a point known by hand, and its derivative
// (the vector-Jacobian product the tape applies) against finite differences
// of its own value. A new entry fails the first test until it has its line.
#include <doctest/doctest.h>

#include <cmath>
#include <map>
#include <numeric>
#include <set>
#include <string>
#include <vector>

#include "expr/builtins.hpp"
#include "expr/eval.hpp"

namespace {

using namespace bayes;

Value vec(std::vector<double> xs, bool integer = false) {
  return Value::vector(std::move(xs), integer);
}

struct BuiltinCase {
  std::vector<Value> args;
  std::vector<double> want;
  bool integer = false;
};

// One call of each built-in function, with its result worked out by hand.
const std::map<std::string, std::vector<BuiltinCase>>& builtin_cases() {
  static const std::map<std::string, std::vector<BuiltinCase>> table = {
      {"exp", {{{Value::scalar(0)}, {1}}, {{vec({0, 1})}, {1, std::exp(1.0)}}}},
      {"log", {{{Value::scalar(std::exp(2.0))}, {2}}}},
      {"log1p", {{{Value::scalar(0)}, {0}}}},
      {"expm1", {{{Value::scalar(0)}, {0}}}},
      {"sqrt", {{{vec({4, 9})}, {2, 3}}}},
      {"square", {{{Value::scalar(-3, true)}, {9}, true}, {{Value::scalar(0.5)}, {0.25}}}},
      {"abs", {{{vec({-2, 3}, true)}, {2, 3}, true}}},
      {"lgamma", {{{Value::scalar(5)}, {std::log(24.0)}}}},
      {"logistic", {{{vec({0, -800, 800})}, {0.5, 0, 1}}}},
      {"logit", {{{Value::scalar(0.75)}, {std::log(3.0)}}}},
      {"floor", {{{vec({-1.5, 2.5})}, {-2, 2}, true}}},
      {"ceil", {{{vec({-1.5, 2.5})}, {-1, 3}, true}}},
      {"round", {{{vec({-1.5, 2.5, 0.4})}, {-2, 3, 0}, true}}},
      {"pow", {{{Value::scalar(2), vec({10, 0.5})}, {1024, std::sqrt(2.0)}}}},
      {"hypot", {{{vec({3, 1e308}), vec({4, 1e308})}, {5, 1e308 * std::sqrt(2.0)}}}},
      {"softmax", {{{vec({0, std::log(3.0)})}, {0.25, 0.75}}}},
      {"log_softmax", {{{vec({0, std::log(3.0)})}, {std::log(0.25), std::log(0.75)}}}},
      {"cumsum", {{{vec({1, 2, 3}, true)}, {1, 3, 6}, true}}},
      {"sum", {{{vec({1, 2, 3}, true)}, {6}, true}}},
      {"prod", {{{vec({1, 2, 3, 4}, true)}, {24}, true}}},
      {"mean", {{{vec({1, 2, 3, 6}, true)}, {3}}}},
      {"sd", {{{vec({1, 2, 3, 6})}, {std::sqrt(14.0 / 3)}}}},
      {"variance", {{{vec({1, 2, 3, 6})}, {14.0 / 3}}, {{vec({1})}, {NAN}}}},
      {"length", {{{vec({1, 2, 3})}, {3}, true}}},
      {"log_sum_exp", {{{vec({0, std::log(3.0)})}, {std::log(4.0)}}, {{vec({})}, {-INFINITY}}}},
      {"min", {{{vec({3, 1, 2}, true)}, {1}, true}, {{vec({3, 1}), Value::scalar(2)}, {2, 1}}}},
      {"max", {{{vec({3, 1, 2})}, {3}}, {{vec({3, 1}, true), vec({2, 4}, true)}, {3, 4}, true}}},
      {"dot", {{{vec({1, 2, 3}), vec({4, 5, 6})}, {32}}}},
      {"columns", {{{vec({1, 2}), vec({3, 4})}, {1, 2, 3, 4}}}},
      {"rep", {{{Value::scalar(7, true), Value::scalar(3, true)}, {7, 7, 7}, true}}},
      {"seq", {{{Value::scalar(2, true), Value::scalar(4, true)}, {2, 3, 4}, true}}},
      // Column-major: 4 exp(-1 / 2) off the diagonal for points 0 and 1, alpha 2, rho 1.
      {"cov_exp_quad",
       {{{vec({0, 1}), Value::scalar(2), Value::scalar(1)},
         {4, 4 * std::exp(-0.5), 4 * std::exp(-0.5), 4}}}},
      {"diag", {{{vec({1, 2})}, {1, 0, 0, 2}}}},
      // Rows [1, 2] and [3, 4], column-major: 1, 3, 2, 4.
      {"rows", {{{vec({1, 2}), vec({3, 4})}, {1, 3, 2, 4}}}},
      // [[4, 2], [2, 3]] = L L' with L = [[2, 0], [1, sqrt(2)]].
      {"cholesky", {{{Value::matrix(2, 2, {4, 2, 2, 3})}, {2, 1, 0, std::sqrt(2.0)}}}},
  };
  return table;
}

bool same(double a, double b) {
  return (std::isnan(a) && std::isnan(b)) || a == b || std::fabs(a - b) <= 1e-14 * std::fabs(b);
}

}  // namespace

TEST_CASE("built-ins: the table is indexed by its enum, and every entry has its value test") {
  std::set<std::string_view> names;
  for (std::size_t i = 0; i < all_builtins().size(); ++i) {
    const BuiltinInfo& b = all_builtins()[i];
    CHECK(static_cast<std::size_t>(b.id) == i);
    CHECK(&info(b.id) == &b);
    CHECK(find_builtin(b.name) == &b);
    CHECK(names.insert(b.name).second);
    CHECK_MESSAGE(builtin_cases().count(std::string(b.name)),
                  "no value test for '" << b.name << "'");
  }
  CHECK(builtin_cases().size() == all_builtins().size());
}

TEST_CASE("built-ins: values through the evaluator") {
  // Not a structured binding: clang 14 cannot name one inside doctest's
  // message lambdas.
  for (const auto& entry : builtin_cases()) {
    const std::string& name = entry.first;
    const auto& calls = entry.second;
    const BuiltinInfo* b = find_builtin(name);
    REQUIRE_MESSAGE(b, name);
    for (const BuiltinCase& c : calls) {
      Value got = ir::apply_builtin(b->id, c.args, {});
      CHECK_MESSAGE(got.integer == c.integer, name);
      REQUIRE_MESSAGE(got.size() == c.want.size(), name);
      for (std::size_t k = 0; k < got.size(); ++k)
        CHECK_MESSAGE(same(got[k], c.want[k]), name << "[" << k << "] = " << got[k]);
    }
  }
}

TEST_CASE("built-ins: each derivative against finite differences of its value") {
  // Points inside every function's domain (logit needs (0, 1)); the second
  // argument differs from the first everywhere, so min and max have no ties.
  const std::vector<double> x0 = {0.3, 0.55, 0.8}, y0 = {1.7, 0.4, 2.2};
  for (const BuiltinInfo& b : all_builtins()) {
    for (std::size_t n_args : {1, 2}) {
      if (n_args < b.min_args || n_args > b.max_args) continue;
      const BuiltinMath& m = b.math(n_args);
      if (!m.value) continue;  // columns, rep, seq build shapes
      // The second argument both as a vector and as one broadcast element.
      for (std::size_t y_len : {std::size_t{3}, std::size_t{1}}) {
        if (n_args == 1 && y_len == 1) continue;
        if (b.shape == BuiltinShape::Dot && y_len == 1) continue;
        std::vector<double> x = x0, y(y0.begin(), y0.begin() + static_cast<long>(y_len));
        if (n_args == 1) y.clear();
        std::size_t len = m.scalar_result ? 1 : 3;
        std::vector<double> g = {0.7, -1.3, 0.4};
        g.resize(len);
        auto total = [&](const std::vector<double>& xs, const std::vector<double>& ys) {
          std::vector<double> out(len);
          m.value(xs, ys, out);
          return std::inner_product(out.begin(), out.end(), g.begin(), 0.0);
        };
        std::vector<double> out(len), dx(x.size(), 0.0), dy(y.size(), 0.0);
        m.value(x, y, out);
        if (!m.vjp) {  // piecewise constant: flat at these points
          CHECK_MESSAGE(total(x, y) == total({0.31, 0.56, 0.81}, y), b.name);
          continue;
        }
        m.vjp(x, y, out, g, dx, dy);
        auto check = [&](std::vector<double>& v, const std::vector<double>& d,
                         const std::string& which) {
          for (std::size_t i = 0; i < v.size(); ++i) {
            double keep = v[i], h = 1e-6;
            v[i] = keep + h;
            double up = total(x, y);
            v[i] = keep - h;
            double down = total(x, y);
            v[i] = keep;
            double num = (up - down) / (2 * h);
            CHECK_MESSAGE(std::fabs(d[i] - num) <= 1e-6 * (1 + std::fabs(num)),
                          b.name << " d/d" << which << "[" << i << "] = " << d[i]
                                 << ", finite differences " << num);
          }
        };
        check(x, dx, "x");
        check(y, dy, "y");
      }
    }
  }
}
