// Recursions written with loops (`let e[t] = ... e[t - 1] ...`): ARMA(1,1)
// and GARCH(1,1) against a hand-written numpy forward pass and scipy's MAP
// (tests/fixtures/recursion/, made by make_recursion_reference.py); the
// tape's gradient through the recursion against finite differences; and the
// located errors of elements defined out of order or read too early.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "density/log_density.hpp"
#include "helpers.hpp"
#include "numeric/tape.hpp"

namespace bayes {

namespace {

using json = nlohmann::ordered_json;
using Eigen::VectorXd;

}  // namespace

TEST_CASE("recursion: ARMA(1,1) and GARCH(1,1) log densities, gradients and MAPs") {
  const json ref = test::fixture_json("recursion/recursion_reference.json");
  for (const auto& c : ref["models"]) {
    const std::string name = c["name"];
    INFO(name);
    const std::string text = c["model"];
    auto r = test::run(text);
    REQUIRE_MESSAGE(r.compiled, r.errors());
    const Model& m = r.compiled->model;
    std::vector<std::size_t> index;
    for (const auto& p : c["params"])
      for (std::size_t i = 0; i < m.params.size(); ++i)
        if (m.params[i].name == p.get<std::string>()) index.push_back(i);
    REQUIRE(index.size() == c["params"].size());
    std::string why;
    auto tape = test::whole_tape(m, why);
    REQUIRE_MESSAGE(tape, why);
    for (const auto& point : c["points"]) {
      std::vector<Value> pv(m.params.size());
      std::vector<VectorXd> tv(m.params.size());
      for (std::size_t k = 0; k < index.size(); ++k) {
        const double x = point["values"][k];
        pv[index[k]] = Value::scalar(x);
        tv[index[k]] = VectorXd::Constant(1, x);
      }
      const double want = point["log_density"];
      CHECK(test::density_sum(m, pv) == doctest::Approx(want).epsilon(1e-10));
      CHECK(tape->forward(tv) == doctest::Approx(want).epsilon(1e-10));
      test::check_gradient(*tape, m, tv);
    }
    auto out = test::answers(text + "print map()\n");
    REQUIRE(out.size() == 1);
    for (std::size_t k = 0; k < index.size(); ++k) {
      const std::string p = c["params"][k];
      INFO(p);
      CHECK(test::num(out[0]["value"][p]) == doctest::Approx(test::num(c["map"][k])).epsilon(1e-6));
    }
  }
}

TEST_CASE("recursion: a recursion over data alone is evaluated, element pieces join in order") {
  auto out = test::answers(R"(data y = [1, 2, 3, 4]
let c[1] = y[1]
for t in 2:4 { let c[t] = c[t - 1] + y[t] }
let d[1] = 10
let d[2] = 20
for k in 3:4 { let d[k] = k }
param mu ~ Normal(0, 1)
let z = mu + c
print c
print d
)");
  CHECK(out[0]["value"] == json::parse("[1, 3, 6, 10]"));
  CHECK(out[1]["value"] == json::parse("[10, 20, 3, 4]"));
}

TEST_CASE("recursion: located errors") {
  auto first = [](const std::string& text) { return test::run(text).first_error(); };
  CHECK(test::contains(first("param m ~ Normal(0, 1)\nlet e[1] = m\nlet e[3] = m\n"),
                       "e[3] comes after e[1]"));
  CHECK(test::contains(first("param m ~ Normal(0, 1)\nlet e[1] = m\nlet e[1] = m\n"),
                       "e[1] is already defined"));
  CHECK(test::contains(first("param m ~ Normal(0, 1)\nlet e[1] = m\n"
                             "for t in 2:3 { let e[t] = m * e[t] }\n"),
                       "'e[2]' reads 'e[2]', which is not defined before it"));
  CHECK(test::contains(first("param m ~ Normal(0, 1)\nfor t in 1:3 { let e[t] = m * e[t - 1] }\n"),
                       "none is defined before the loop"));
  CHECK(test::contains(first("param m ~ Normal(0, 1)\nlet e[2] = m\n"),
                       "the first is e[1], not e[2]"));
  CHECK(test::contains(first("param m ~ Normal(0, 1)\nlet e = [m, m]\nlet e[3] = m\n"),
                       "'e' is already defined (as a whole)"));
}

}  // namespace bayes
