// Non-conjugate models against long Stan runs (tests/fixtures/sampling/,
// make_stan_references.R: rstan, 4 chains of 10 000 to 50 000 draws). The
// default method answers each posterior (importance sampling from the
// Laplace approximation, or NUTS) and must agree with Stan to within the
// two runs' Monte Carlo errors. Checking every element of every model at
// 3 standard errors would fail about one check in 370 by chance alone, so
// means must be within 4 (combined), sds within 5 % or 4 standard errors.
// The three slowest models (seconds each) run in bench/sampling.sh instead.
#include <cmath>
#include <set>

#include "helpers.hpp"

namespace bayes {
namespace {

using json = nlohmann::ordered_json;

const std::set<std::string> kBench = {"student_t_regression", "poisson_groups", "rats"};

using test::num;

// Element k of a JSON number or array.
double at(const json& v, std::size_t k) { return v.is_array() ? num(v[k]) : num(v); }

// The answers of a fixture model's default report, by parameter name.
std::map<std::string, json> default_report(const std::string& name) {
  const std::string dir = std::string(BAYES_TEST_DIR) + "/fixtures/sampling";
  auto answers =
      test::answers(test::read_file(dir + "/" + name + ".model"), answer::Method::Auto, dir);
  std::map<std::string, json> out;
  for (const auto& a : answers) {
    std::string q = a["query"];
    out[q.substr(10, q.size() - 11)] = a;  // posterior(NAME)
  }
  return out;
}

TEST_CASE("non-conjugate posteriors agree with long Stan runs") {
  const json runs = test::fixture_json("sampling/stan_reference.json");
  REQUIRE(runs.size() >= 8);
  std::size_t models = 0;
  for (const auto& run : runs) {
    const std::string name = run["name"];
    if (kBench.count(name)) continue;
    INFO("model " << name);
    CHECK(run["divergent"] == 0);
    auto report = default_report(name);
    ++models;
    for (const auto& item : run["params"].items()) {
      const std::string element = item.key();  // (clang 14 cannot capture a structured binding)
      const json& ref = item.value();
      INFO("parameter " << element);
      // "z[3]" is element 2 of the answer about z.
      std::string param = element.substr(0, element.find('['));
      std::size_t k = element.find('[') == std::string::npos
                          ? 0
                          : std::stoul(element.substr(element.find('[') + 1)) - 1;
      REQUIRE(report.count(param));
      const json& a = report[param];
      REQUIRE_MESSAGE(a.contains("mean"), a.dump());
      CHECK((a["method"] == "sampling" || a["method"] == "importance"));
      CHECK_MESSAGE(!a.contains("warnings"), a.dump());
      double mean = at(a["mean"], k), sd = at(a["sd"], k);
      double se_mean = std::hypot(at(a["mcse"]["mean"], k), num(ref["mcse_mean"]));
      double se_sd = std::hypot(at(a["mcse"]["sd"], k), num(ref["mcse_sd"]));
      CHECK(std::abs(mean - num(ref["mean"])) <= 4 * se_mean);
      CHECK(std::abs(sd - num(ref["sd"])) <= std::max(0.05 * num(ref["sd"]), 4 * se_sd));
      if (a["method"] == "sampling") CHECK(at(a["diagnostics"]["rhat"], k) < 1.01);
      if (a["method"] == "importance") CHECK(num(a["diagnostics"]["khat"]) < 0.5);
    }
  }
  CHECK(models >= 6);
}

// Eight schools (tests/fixtures/quadrature/stan_reference.json): the
// non-centred form samples well (a rare divergence at most) and agrees with
// Stan; the centred form's funnel makes many divergent transitions, and
// every answer says so.
TEST_CASE("the sampler on eight schools: non-centred agrees with Stan, centred warns") {
  const json runs = test::fixture_json("quadrature/stan_reference.json");
  const json fixtures = test::fixture_json("quadrature/quadrature_reference.json");
  auto text_of = [&](const std::string& name) {
    for (const auto& f : fixtures)
      if (f["name"] == name) return f["model"].get<std::string>();
    FAIL("no model " << name);
    return std::string();
  };
  for (const auto& run : runs) {
    const std::string name = run["name"];
    INFO("model " << name);
    auto r = test::answers(text_of(name) + "\nprint posterior(mu)\nprint posterior(tau)\n",
                           answer::Method::Sample);
    REQUIRE(r.size() == 2);
    const bool centred = name == "eight_schools_centred";
    for (std::size_t i = 0; i < 2; ++i) {
      const json& a = r[i];
      CHECK(a["method"] == "sampling");
      if (centred) {
        CHECK(num(a["diagnostics"]["divergences"]) > 20);
        REQUIRE(a.contains("warnings"));
        CHECK(test::contains(a["warnings"][0].get<std::string>(), "divergent transition"));
        continue;
      }
      const json& ref = run["params"][i == 0 ? "mu" : "tau"];
      // At the default target acceptance (0.8) a rare divergence is expected.
      CHECK(num(a["diagnostics"]["divergences"]) < 20);
      CHECK(std::abs(num(a["mean"]) - num(ref["mean"])) <=
            4 * std::hypot(num(a["mcse"]["mean"]), num(ref["mcse_mean"])));
      CHECK(std::abs(num(a["sd"]) - num(ref["sd"])) <=
            std::max(0.05 * num(ref["sd"]),
                     4 * std::hypot(num(a["mcse"]["sd"]), num(ref["mcse_sd"]))));
    }
  }
}

}  // namespace
}  // namespace bayes
