// Exact enumeration of discrete parameters, vectors included.
#include <doctest/doctest.h>

#include <cmath>

#include "helpers.hpp"

using namespace bayes;

TEST_CASE("enumeration: a vector of discrete parameters is enumerated element by element") {
  // Which of three coins is biased (p = 0.8 instead of 0.5), each with prior
  // probability 0.3. Reference: the 8 joint values summed in Python/scipy,
  //   for z in itertools.product([0, 1], repeat=3):
  //     w = prod((0.3 if zi else 0.7) * binom.pmf(h, 10, 0.5 + 0.3 * zi))
  // P(z1 = 1) = 0.7465223134876721, P(z1 + z2 + z3 >= 2) = 0.7009596080841543,
  // log evidence -6.260374852522957; the joint mode (1, 0, 1).
  auto r = test::answers(R"(data heads = [8, 5, 9]
param z[3] ~ Bernoulli(0.3)
heads ~ Binomial(10, 0.5 + 0.3 * z)
print map(z)
print prob(z[1] == 1)
print evidence()
print posterior(z)
print prob(z[1] + z[2] + z[3] >= 2)
)");
  REQUIRE_MESSAGE(r[0].contains("value"), r[0].dump());
  CHECK(r[0]["value"] == nlohmann::ordered_json::array({1, 0, 1}));
  CHECK(std::fabs(r[1]["value"].get<double>() - 0.7465223134876721) < 1e-12);
  CHECK(std::fabs(r[2]["value"].get<double>() - -6.260374852522957) < 1e-12);
  CHECK(r[3]["method"] == "enumeration");
  CHECK(std::fabs(r[3]["mean"][0].get<double>() - 0.7465223134876721) < 1e-12);
  // Monte Carlo from the exact joint: within 4 standard errors.
  double p = r[4]["value"].get<double>(), se = r[4]["mcse"].get<double>();
  CHECK_MESSAGE(std::fabs(p - 0.7009596080841543) < 4 * se, r[4].dump());
}

TEST_CASE("enumeration: a discrete vector beside an unrelated continuous parameter") {
  auto r = test::answers(R"(data y = [1.0, 2.0]
param mu ~ Normal(0, 1)
y ~ Normal(mu, 1)
param z[2] ~ Categorical([0.25, 0.75])
print map()
print prob(z[2] == 2)
)");
  REQUIRE_MESSAGE(r[0].contains("value"), r[0].dump());
  CHECK(r[0]["value"]["z"] == nlohmann::ordered_json::array({2, 2}));
  CHECK(std::fabs(r[0]["value"]["mu"].get<double>() - 1.0) < 1e-9);
  CHECK(std::fabs(r[1]["value"].get<double>() - 0.75) < 1e-12);
}

TEST_CASE("enumeration: a likelihood that is zero for every value is said so") {
  auto r = test::answers("param z ~ Bernoulli(0.3)\n1 ~ Bernoulli(z * 0)\nprint map(z)\n");
  REQUIRE_MESSAGE(r[0].contains("error"), r[0].dump());
  CHECK_MESSAGE(r[0]["error"].get<std::string>().find("the density is zero for every value") !=
                    std::string::npos,
                r[0].dump());
}
