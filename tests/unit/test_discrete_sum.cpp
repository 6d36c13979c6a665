// A discrete unknown of finite support summed over beside continuous ones (a
// change point, an unknown number of trials) against brute-force references:
// tests/fixtures/discrete/make_discrete_fixtures.py integrates the continuous
// unknowns with scipy's quad for every value of the discrete one, without the
// conjugate closed forms bayes uses.
#include <doctest/doctest.h>

#include <string>

#include "helpers.hpp"

using json = nlohmann::ordered_json;

namespace {

using bayes::test::num;

}  // namespace

TEST_CASE("discrete sums: change points and unknown trial counts against brute force") {
  const json cases = bayes::test::fixture_json("discrete/discrete_reference.json");
  REQUIRE(cases.size() >= 7);
  for (const auto& c : cases) {
    const std::string name = c["name"], d = c["discrete"];
    CAPTURE(name);
    std::vector<std::string> continuous;
    for (auto it = c["map"].begin(); it != c["map"].end(); ++it)
      if (it.key() != d) continuous.push_back(it.key());
    const int mode = c["mode"];
    std::string text = c["model"].get<std::string>() + "print posterior(" + d + ")\nprint prob(" +
                       d + " == " + std::to_string(mode) + ")\nprint map()\nprint evidence()\n";
    for (const auto& p : continuous) text += "print posterior(" + p + ")\n";
    auto r = bayes::test::answers(text);
    REQUIRE(r.size() == 4 + continuous.size());

    // The discrete marginal, value by value.
    CHECK(r[0]["method"] == "enumeration");
    const json& probs = r[0]["params"]["probs"];
    REQUIRE(probs.size() == c["probs"].size());
    for (std::size_t k = 0; k < probs.size(); ++k) {
      const double want = num(c["probs"][k]);
      CHECK(num(probs[k]) == doctest::Approx(want).epsilon(1e-9).scale(1e-12));
    }
    CHECK(num(r[0]["mean"]) == doctest::Approx(num(c["mean"])).epsilon(1e-10));
    CHECK(num(r[0]["sd"]) == doctest::Approx(num(c["sd"])).epsilon(1e-9));
    CHECK(num(r[0]["mode"]) == mode);
    CHECK(num(r[0]["interval"][0]) == num(c["q025"]));
    CHECK(num(r[0]["interval"][1]) == num(c["q975"]));
    CHECK(num(r[1]["value"]) == doctest::Approx(num(c["prob_at_mode"])).epsilon(1e-10));

    // The joint mode over both kinds of unknown, and the evidence.
    for (auto it = c["map"].begin(); it != c["map"].end(); ++it) {
      CAPTURE(it.key());
      CHECK(num(r[2]["value"][it.key()]) == doctest::Approx(num(it.value())).epsilon(1e-9));
    }
    CHECK(num(r[3]["value"]) == doctest::Approx(num(c["log_evidence"])).epsilon(1e-10));

    // The continuous marginals: mixtures over the discrete values.
    for (std::size_t i = 0; i < continuous.size(); ++i) {
      CAPTURE(continuous[i]);
      const json& got = r[4 + i];
      const json& want = c[continuous[i]];
      CHECK(got["method"] == "enumeration");
      CHECK(num(got["mean"]) == doctest::Approx(num(want["mean"])).epsilon(1e-9));
      CHECK(num(got["sd"]) == doctest::Approx(num(want["sd"])).epsilon(1e-8));
      CHECK(num(got["interval"][0]) == doctest::Approx(num(want["q025"])).epsilon(1e-8));
      CHECK(num(got["interval"][1]) == doctest::Approx(num(want["q975"])).epsilon(1e-8));
      CHECK(num(got["mode"]) == doctest::Approx(num(want["mode"])).epsilon(1e-7));
    }
  }
}

TEST_CASE("discrete sums: a support beyond 2^53 is refused, not looped over") {
  // Whole numbers above 2^53 are not all doubles (k + 1 == k): enumerating
  // them never ended.
  auto r = bayes::test::answers(
      "data y = [1, 2]\nparam n ~ DiscreteUniform(9007199254740990, 9007199254740999)\n"
      "y ~ Poisson(n)\nprint mean(n)\n");
  REQUIRE(r.size() == 1);
  CHECK(r[0].contains("error"));
}
