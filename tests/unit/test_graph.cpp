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

TEST_CASE("DOT output names every node and edge") {
  auto g = graph_of("data flips = [1, 0]\nparam p ~ Beta(2, 2)\nflips ~ Bernoulli(p)");
  std::ostringstream dot;
  graph::write_dot(dot, g);
  std::string s = dot.str();
  CHECK(s.rfind("graph factor_graph {", 0) == 0);
  CHECK(s.find("v1 [label=\"p\", shape=ellipse]") != std::string::npos);
  CHECK(s.find("f1 [label=\"flips ~ Bernoulli(p)\", shape=box]") != std::string::npos);
  CHECK(s.find("f1 -- v0;") != std::string::npos);
  CHECK(s.find("f1 -- v1;") != std::string::npos);
  CHECK(s.find("f0 -- v1;") != std::string::npos);
  CHECK(s.find("fillcolor=lightgrey") != std::string::npos);
}
