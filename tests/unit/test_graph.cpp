// The factor graph: which variables and factors, which edges, which components.
#include <doctest/doctest.h>

#include <algorithm>
#include <set>
#include <sstream>

#include "helpers.hpp"

using namespace bayes;

namespace {

graph::FactorGraph graph_of(const std::string& text) {
  auto r = test::run(text);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  return r.compiled->graph;
}

// The names of the variables a factor touches, sorted.
std::set<std::string> touches(const graph::FactorGraph& g, const std::string& label) {
  auto it = std::find_if(g.factors.begin(), g.factors.end(),
                         [&](const graph::Factor& f) { return f.label == label; });
  REQUIRE_MESSAGE(it != g.factors.end(), "no factor " << label);
  std::set<std::string> out;
  for (auto v : it->vars) out.insert(g.vars[v].name);
  return out;
}

}  // namespace

TEST_CASE("coin: one parameter, one prior, one observation") {
  auto g = graph_of("data flips = [1, 0, 1]\nparam p ~ Beta(2, 2)\nflips ~ Bernoulli(p)");
  CHECK(g.vars.size() == 2);
  CHECK(g.factors.size() == 2);
  CHECK(touches(g, "Beta(2, 2)") == std::set<std::string>{"p"});
  CHECK(touches(g, "flips ~ Bernoulli(p)") == std::set<std::string>{"flips", "p"});
  CHECK(g.components.size() == 1);
  CHECK(g.components[0].factors.size() == 2);
}

TEST_CASE("A/B test: two independent components") {
  auto g = graph_of(R"(data a = [1, 0, 1]
data b = [1, 1, 1, 0]
param pa ~ Beta(1, 1)
param pb ~ Beta(1, 1)
a ~ Bernoulli(pa)
b ~ Bernoulli(pb)
let lift = pb - pa
)");
  CHECK(g.components.size() == 2);
  CHECK(g.param_component[0] != g.param_component[1]);
  CHECK(g.derived.size() == 2);  // pa -> lift, pb -> lift
  CHECK(touches(g, "a ~ Bernoulli(pa)") == std::set<std::string>{"a", "pa"});
}

TEST_CASE("hierarchical NIG: the prior of mu touches s2, one component") {
  auto g = graph_of(R"(data x = [1.2, 0.8, 1.1]
param s2 ~ InverseGamma(2, 1)
param mu ~ Normal(0, sqrt(s2 / 1))
x ~ Normal(mu, sqrt(s2))
)");
  CHECK(touches(g, "Normal(0, sqrt(s2 / 1))") == std::set<std::string>{"mu", "s2"});
  CHECK(touches(g, "x ~ Normal(mu, sqrt(s2))") == std::set<std::string>{"mu", "s2", "x"});
  CHECK(g.components.size() == 1);
  CHECK(g.components[0].params.size() == 2);
}

TEST_CASE("joint prior: one factor on two parameters") {
  auto g = graph_of(
      "data x = [1, 2]\nparam mu, s2 ~ NormalInverseGamma(0, 1, 2, 2)\nx ~ Normal(mu, sqrt(s2))");
  CHECK(g.factors.size() == 2);
  CHECK(touches(g, "NormalInverseGamma(0, 1, 2, 2)") == std::set<std::string>{"mu", "s2"});
}

TEST_CASE("regression: data matrix and weights in one factor; a factor with no parameter") {
  auto g = graph_of(R"(data x1 = [1, 2, 3]
data x2 = [0, 1, 0]
data y = [1.5, 2.5, 3.1]
param w0 ~ Normal(0, 10)
param w[2] ~ Normal(0, 1)
y ~ Normal(w0 + columns(x1, x2) * w, 0.5)
x2 ~ Bernoulli(0.5)
)");
  CHECK(touches(g, "y ~ Normal(w0 + columns(x1, x2) * w, 0.5)") ==
        std::set<std::string>{"w", "w0", "x1", "x2", "y"});
  CHECK(g.components.size() == 2);  // {w0, w} and the constant factor x2 ~ Bernoulli(0.5)
  CHECK(g.components[1].params.empty());
}

TEST_CASE("DOT output: a loop's statement in its plate, the loop in the tooltip only") {
  auto g = graph_of(
      "data y = [1.2, 0.7, 2.5]\nparam mu ~ Normal(0, 10)\n"
      "for i in 1:3 {\n  y[i] ~ Normal(mu, 1)\n}\n");
  std::ostringstream dot;
  graph::write_dot(dot, g);
  const std::string s = dot.str();
  INFO(s);
  CHECK(s.find("label=\"i = 1..3\"") != std::string::npos);
  CHECK(s.find("[label=\"Normal(mu, 1)\", tooltip=\"y[i] ~ Normal(mu, 1) (for i in 1:3)\"") !=
        std::string::npos);
}

TEST_CASE("DOT output names every node and edge") {
  auto g = graph_of("data flips = [1, 0]\nparam p ~ Beta(2, 2)\nflips ~ Bernoulli(p)");
  std::ostringstream dot;
  graph::write_dot(dot, g);
  std::string s = dot.str();
  CHECK(s.rfind("graph factor_graph {", 0) == 0);
  CHECK(s.find("rankdir=LR") != std::string::npos);
  CHECK(s.find("v1 [label=\"p\", shape=ellipse];") != std::string::npos);
  // An observation's box shows its distribution, the statement is its tooltip.
  CHECK(s.find("f1 [label=\"Bernoulli(p)\", tooltip=\"flips ~ Bernoulli(p)\"") !=
        std::string::npos);
  // Priors to the left of parameters, data to the right of observations.
  CHECK(s.find("f0 -- v1;") != std::string::npos);
  CHECK(s.find("v1 -- f1;") != std::string::npos);
  CHECK(s.find("f1 -- v0;") != std::string::npos);
  // flips has two values: a plate of 2 holds it and its observation.
  CHECK(s.find("label=\"i = 1..2\"") != std::string::npos);
  CHECK(s.find("v0 [label=\"flips[i]\", shape=ellipse, style=filled, fillcolor=lightgrey];") !=
        std::string::npos);
}

TEST_CASE("DOT output: plates for vectors, constants as text, unused inputs left out") {
  auto g = graph_of(R"(data ops = [47, 148, 119, 810]
data deaths = [0, 18, 8, 46]
data unused = [1, 2, 3]
param mu ~ Normal(0, 5)
param sigma ~ HalfNormal(1)
param z[4] ~ Normal(0, 1)
param theta ~ Dirichlet([1, 1, 1])
deaths ~ Binomial(ops, logistic(mu + sigma * z))
)");
  std::ostringstream dot;
  graph::write_dot(dot, g);
  const std::string s = dot.str();
  INFO(s);
  // One plate of 4 holds z, the data and the observation; the Dirichlet is
  // one density over theta, outside theta's plate of 3.
  const auto plate = s.substr(s.find("label=\"i = 1..4\""));
  const auto plate_end = plate.find("  }");
  for (const char* node :
       {"z[i]", "ops[i]", "deaths[i]", "Normal(0, 1)", "Binomial(ops, logistic(mu + sigma * z))"})
    CHECK(plate.substr(0, plate_end).find(node) != std::string::npos);
  CHECK(s.find("label=\"j = 1..3\"") != std::string::npos);
  CHECK(s.find("[label=\"ops[i]\", shape=plaintext]") != std::string::npos);  // a constant
  CHECK(s.find("theta[j]") != std::string::npos);
  CHECK(s.find("[label=\"Dirichlet([1, 1, 1])\"") != std::string::npos);
  CHECK(s.find("unused") == std::string::npos);
  // mu is one node, outside every plate.
  CHECK(s.find("  v3 [label=\"mu\", shape=ellipse];") != std::string::npos);
}
