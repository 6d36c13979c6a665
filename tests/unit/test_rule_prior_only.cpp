// The prior-only rule (src/conjugate/prior_only.cpp): a parameter no
// likelihood touches has its prior as its posterior, exactly. Reference
// numbers: scipy 1.10 (stats.beta, stats.gamma, stats.norm, stats.halfcauchy,
// stats.uniform), printed by tests/fixtures/conjugate/prior_only_reference.py.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "answer/answer.hpp"
#include "helpers.hpp"
#include "rule_run.hpp"

using namespace bayes;
using json = nlohmann::ordered_json;

namespace {

using test::answers;

using test::num;

using test::check_summary;
using test::kEvidence;
using test::summary_prints;

// check_summary, and the evidence against log 1 = 0.
void check_summaries(const std::vector<json>& r, const test::Summary& ref) {
  check_summary(r, ref);
  CHECK(r[kEvidence]["method"] == "conjugate");
  CHECK(num(r[kEvidence]["value"]) == 0);
}

// mle(x) has no number: no data inform x.
void check_no_mle(const json& j, const std::string& x) {
  REQUIRE(j.contains("error"));
  CHECK(j["error"] == "the MLE is undefined: no data inform " + x +
                          " (no observation depends on it, so the likelihood is flat)");
}

}  // namespace

TEST_CASE("prior only: Beta(2, 2) is exact, not a Laplace approximation") {
  auto r = answers("param p ~ Beta(2, 2)\n" + summary_prints("p", "p > 0.9"));
  CHECK(r[0]["rule"] == "Beta prior (no data)");
  CHECK(r[0]["family"] == "Beta");
  CHECK(num(r[0]["params"]["a"]) == 2);
  CHECK(num(r[0]["params"]["b"]) == 2);
  // scipy: beta(2, 2).sf(0.9) = 0.028 (the Laplace approximation gave 0.014)
  check_summaries(r, {0.5, 0.22360679774997896, 0.09429932405024609, 0.9057006759497539,
                      0.8041998943409083, 0.02799999999999999});
  CHECK(num(r[0]["mode"]) == doctest::Approx(0.5).epsilon(1e-14));
  CHECK(num(r[6]["value"]) == doctest::Approx(0.5).epsilon(1e-14));
  check_no_mle(r[7], "p");
}

TEST_CASE("prior only: Beta(1, 1) is proper and flat: a posterior, no MAP") {
  auto r = answers("param p ~ Beta(1, 1)\n" + summary_prints("p", "p > 0.9"));
  REQUIRE_FALSE(r[0].contains("error"));
  CHECK(r[0]["family"] == "Beta");
  CHECK(num(r[0]["params"]["a"]) == 1);
  CHECK(num(r[0]["params"]["b"]) == 1);
  check_summaries(r, {0.5, 0.28867513459481287, 0.025, 0.975, 0.9, 0.09999999999999998});
  CHECK(r[0]["mode"].is_null());
  CHECK(r[0]["mode_note"] == "undefined: Beta(1, 1) is flat on [0, 1]");
  REQUIRE(r[6].contains("error"));
  CHECK(r[6]["error"].get<std::string>().find("flat") != std::string::npos);
  check_no_mle(r[7], "p");
}

TEST_CASE("prior only: Gamma, Normal, HalfCauchy and Uniform priors") {
  // scipy: gamma(a=3, scale=1/2) (Gamma(shape, rate)); mode (3 - 1) / 2 = 1
  auto g = answers("param g ~ Gamma(3, 2)\n" + summary_prints("g", "g > 2"));
  CHECK(g[0]["rule"] == "Gamma prior (no data)");
  check_summaries(g, {1.5, 0.8660254037844386, 0.3093360614478007, 3.61234383386198,
                      2.6611601689171054, 0.23810330555354436});
  CHECK(num(g[6]["value"]) == doctest::Approx(1).epsilon(1e-14));
  check_no_mle(g[7], "g");

  // scipy: norm(loc=1, scale=2). A Normal prior alone stays the Gaussian
  // rule's (same numbers, its own wording of the missing MLE).
  auto n = answers("param x ~ Normal(1, 2)\n" + summary_prints("x", "x > 0.9"));
  CHECK(n[0]["rule"] == "Normal prior (no data)");
  check_summaries(
      n, {1, 2, -2.919927969080109, 4.919927969080108, 3.5631031310892007, 0.5199388058383725});
  CHECK(num(n[6]["value"]) == doctest::Approx(1).epsilon(1e-14));
  CHECK(n[7].contains("error"));

  // scipy: halfcauchy(scale=2): no mean or sd; the mode 0
  auto h = answers("param s ~ HalfCauchy(2)\n" + summary_prints("s", "s < 2"));
  CHECK(h[0]["rule"] == "HalfCauchy prior (no data)");
  check_summaries(
      h, {INFINITY, INFINITY, 0.07858021401533928, 50.90339915871408, 12.627503029350082, 0.5});
  CHECK(num(h[6]["value"]) == 0);
  check_no_mle(h[7], "s");

  // scipy: uniform(loc=-1, scale=4); flat, so no mode
  auto u = answers("param u ~ Uniform(-1, 3)\n" + summary_prints("u", "u > 2"));
  CHECK(u[0]["rule"] == "Uniform prior (no data)");
  check_summaries(u, {1, 1.1547005383792515, -0.9, 2.9, 2.6, 0.25});
  CHECK(u[0]["mode"].is_null());
  REQUIRE(u[6].contains("error"));
  CHECK(u[6]["error"] == "the MAP is undefined: the Uniform density is flat");
  check_no_mle(u[7], "u");
}

TEST_CASE("prior only: a vector's elements are independent, each its own prior") {
  auto r = answers(
      "data a = [1, 2, 3]\nparam w[3] ~ Gamma(a, 1)\nprint posterior(w)\nprint prob(w[2] > 1)\n"
      "print map(w)\nprint mle(w)\nprint evidence()\n");
  CHECK(r[0]["rule"] == "Gamma prior (no data)");
  CHECK(num(r[0]["params"]["shape"][2]) == 3);
  CHECK(num(r[0]["params"]["rate"]) == 1);
  // scipy: gamma(a=k, scale=1) for k = 1, 2, 3
  const double sd[] = {1.0, 1.4142135623730951, 1.7320508075688772};
  const double lo[] = {0.025317807984289876, 0.24220927854396496, 0.6186721228956014};
  const double hi[] = {3.6888794541139354, 5.571643390938898, 7.22468766772396};
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(num(r[0]["mean"][k]) == doctest::Approx(k + 1.0).epsilon(1e-12));
    CHECK(num(r[0]["sd"][k]) == doctest::Approx(sd[k]).epsilon(1e-12));
    CHECK(num(r[0]["interval"][k][0]) == doctest::Approx(lo[k]).epsilon(1e-9));
    CHECK(num(r[0]["interval"][k][1]) == doctest::Approx(hi[k]).epsilon(1e-9));
    CHECK(num(r[2]["value"][k]) == doctest::Approx(static_cast<double>(k)).epsilon(1e-14));
  }
  CHECK(num(r[1]["value"]) == doctest::Approx(0.7357588823428847).epsilon(1e-9));
  check_no_mle(r[3], "w");
  CHECK(num(r[4]["value"]) == 0);
}

TEST_CASE("prior only: the numeric engine reproduces the prior's mode") {
  const std::string text =
      "param p ~ Beta(2, 5)\nparam g ~ Gamma(3, 2)\nprint map(p)\nprint map(g)\n";
  auto exact = answers(text);
  auto numeric = answers(text, answer::Method::Numeric);
  CHECK(exact[0]["method"] == "conjugate");
  CHECK(numeric[0]["method"] != "conjugate");
  CHECK(num(exact[0]["value"]) == doctest::Approx(0.2).epsilon(1e-14));  // (a - 1) / (a + b - 2)
  CHECK(num(exact[1]["value"]) == doctest::Approx(1).epsilon(1e-14));    // (shape - 1) / rate
  CHECK(num(numeric[0]["value"]) == doctest::Approx(0.2).epsilon(1e-6));
  CHECK(num(numeric[1]["value"]) == doctest::Approx(1).epsilon(1e-6));
}

TEST_CASE("prior only: not for a hierarchical prior or a component with data") {
  // The prior of x has 'mu' among its arguments: another engine's.
  auto r = answers("param mu ~ Gamma(2, 1)\nparam x ~ Gamma(mu, 1)\nprint posterior(x)\n");
  CHECK(r[0].value("rule", "") != "Gamma prior (no data)");
  auto d = answers("param p ~ Beta(2, 2)\n[1, 0, 1] ~ Bernoulli(p)\nprint posterior(p)\n");
  CHECK(d[0]["rule"] == "Beta-Bernoulli");
}

TEST_CASE("prior only: a long vector of Normal priors, element by element") {
  // Past 256 elements the Gaussian rule leaves a Normal prior alone to this
  // rule (a dense joint covariance would cost dim^3: w[10000] took 800 MB).
  // scipy: norm(loc=1, scale=2).interval(0.95) and .cdf(0.9).
  auto r = answers(
      "param w[100000] ~ Normal(1, 2)\nprint posterior(w[7])\nprint prob(w[7] < 0.9)\n"
      "print map(w[99999])\n");
  CHECK(r[0]["rule"] == "Normal prior (no data)");
  CHECK(num(r[0]["mean"]) == 1);
  CHECK(num(r[0]["sd"]) == 2);
  CHECK(num(r[0]["interval"][0]) == doctest::Approx(-2.919927969080109).epsilon(1e-12));
  CHECK(num(r[0]["interval"][1]) == doctest::Approx(4.919927969080108).epsilon(1e-12));
  CHECK(num(r[1]["value"]) == doctest::Approx(1 - 0.5199388058383725).epsilon(1e-12));
  CHECK(num(r[2]["value"]) == 1);
}
