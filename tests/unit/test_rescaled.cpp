// Data with a tiny spread or a huge offset (10 +- 0.001, 1e7 +- 1, GPS
// latitudes 2e-6 apart, CSV columns near 1e9 and 1e13) against references
// computed from the decimals as written in 50-digit arithmetic
// (tests/fixtures/rescaled/make_rescaled_fixtures.py, mpmath). A location is
// compared by its deviation from the data's centre, to a few ulps of the
// centre (a double near 1e13 holds nothing finer than 0.002) plus 1e-7 of its
// posterior sd; a scale to 1e-6 relative, widened by the change that rounding
// the decimals to doubles makes in the data's sum of squares (1e-5 at 1e13).
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "helpers.hpp"

using json = nlohmann::ordered_json;

namespace {

using bayes::test::num;

const std::string kRescaledDir = std::string(BAYES_TEST_DIR) + "/fixtures/rescaled";

struct Tolerance {
  double location = 0, scale = 0;
};

Tolerance tolerance(const json& c) {
  const double sd = num(c["mu"]["sd"]);
  const json& rounding = c["as_doubles"];
  return {32 * num(c["ulp_at_centre"]) + 1e-7 * sd +
              4 * std::fabs(num(rounding["rel_change_ybar_minus_centre"]) *
                            num(c["ybar_minus_centre"])),
          1e-6 + 4 * std::fabs(num(rounding["rel_change_S"]))};
}

// The answers of the case's model file (which prints mle(), map(),
// posterior(mu) and the posterior of its scale).
std::vector<json> answers_of(const json& c, bayes::answer::Method method) {
  return bayes::test::answers(
      bayes::test::read_file(kRescaledDir + "/" + c["model"].get<std::string>()), method,
      kRescaledDir);
}

}  // namespace

TEST_CASE("rescaled data: exact posteriors at any offset and spread") {
  const json cases = bayes::test::fixture_json("rescaled/rescaled_reference.json");
  REQUIRE(cases.size() >= 10);
  for (const auto& c : cases) {
    const std::string name = c["name"];
    CAPTURE(name);
    const std::string scale = c["variant"] == "flat" ? "s2" : "s";
    const double centre = std::stod(c["centre"].get<std::string>());
    const Tolerance tol = tolerance(c);
    auto r = answers_of(c, bayes::answer::Method::Auto);
    REQUIRE(r.size() == 4);
    auto location = [&](const json& got, const json& want_minus_centre) {
      CHECK(std::fabs((num(got) - centre) - num(want_minus_centre)) <= tol.location);
    };
    auto relative = [&](const json& got, const json& want) {
      CHECK(num(got) == doctest::Approx(num(want)).epsilon(tol.scale));
    };
    // The posterior of mu, and of the scale.
    // Known limit: given s, the Gaussian rule's conditional posterior of mu
    // near 1e13 is good to about 1e-3 of its sd (its sums are not centred),
    // so the quadrature over s there meets 1e-7, not 1e-9 (it says so), and
    // the mixture's sd and the joint mode's s are off by 1e-3 and 1e-4.
    const bool offset_limit = c["data"] == "csv13" && c["variant"] == "halfnormal";
    const json& mu = r[2];
    REQUIRE_FALSE(mu.contains("error"));
    location(mu["mean"], c["mu"]["mean_minus_centre"]);
    if (!offset_limit) relative(mu["sd"], c["mu"]["sd"]);
    location(mu["mode"], c["mu"]["mode_minus_centre"]);
    location(mu["interval"][0], c["mu"]["q025_minus_centre"]);
    location(mu["interval"][1], c["mu"]["q975_minus_centre"]);
    const json& sc = r[3];
    REQUIRE_FALSE(sc.contains("error"));
    for (const char* key : {"mean", "sd"}) relative(sc[key], c[scale][key]);
    relative(sc["interval"][0], c[scale]["q025"]);
    relative(sc["interval"][1], c[scale]["q975"]);
    // The joint mode.
    REQUIRE_FALSE(r[1].contains("error"));
    location(r[1]["value"]["mu"], c["map"]["mu_minus_centre"]);
    if (!offset_limit) relative(r[1]["value"][scale], c["map"][scale]);
    // The MLE: from the closed form, or (beside a quadrature) from the numeric
    // engine, which at 1e13 still fails (see below).
    if (offset_limit) continue;
    REQUIRE_FALSE(r[0].contains("error"));
    location(r[0]["value"]["mu"], c["mle"]["mu_minus_centre"]);
    relative(r[0]["value"][scale], c["mle"][scale]);
  }
}

// --method numeric: the same modes. Near 1e13 the objective is quantised
// (a double there moves in steps of 0.002, the data's own resolution), and
// the engine still says it cannot find the mode there: that case is left out.
TEST_CASE("rescaled data: the numeric engine finds the same modes") {
  const json cases = bayes::test::fixture_json("rescaled/rescaled_reference.json");
  for (const auto& c : cases) {
    const std::string name = c["name"];
    CAPTURE(name);
    if (c["data"] == "csv13") continue;
    const std::string scale = c["variant"] == "flat" ? "s2" : "s";
    const double centre = std::stod(c["centre"].get<std::string>());
    const Tolerance tol = tolerance(c);
    auto r = answers_of(c, bayes::answer::Method::Numeric);
    for (std::size_t k : {0, 1}) {
      const json& want = k == 0 ? c["mle"] : c["map"];
      REQUIRE_FALSE(r[k].contains("error"));
      CHECK(std::fabs((num(r[k]["value"]["mu"]) - centre) - num(want["mu_minus_centre"])) <=
            tol.location);
      CHECK(num(r[k]["value"][scale]) == doctest::Approx(num(want[scale])).epsilon(tol.scale));
    }
  }
}
