// Flat and uniform priors read as the conjugate limits they are
// (conjugate/scalar_prior.cpp as_family, the Gaussian rule's flat terms):
// exact posteriors where a Laplace approximation was given before. Reference
// numbers: scipy 1.10, each posterior checked against quad of prior x
// likelihood, printed by tests/fixtures/conjugate/flat_limits_reference.py.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include "answer/answer.hpp"
#include "conjugate/rule.hpp"
#include "helpers.hpp"
#include "rule_run.hpp"

using namespace bayes;
using json = nlohmann::ordered_json;

namespace {

using test::answers;
using test::num;

using test::check_summary;
using test::kEvidence;
using test::kInterval;
using test::kMap;
using test::kProb;
using test::kQuantile90;
using test::summary_prints;

// evidence() with an improper prior: no number, and why.
void check_no_evidence(const json& j, const std::string& x, const std::string& prior) {
  REQUIRE(j.contains("error"));
  CHECK(j["error"] == "the evidence is not available: the prior of '" + x + "' is " + prior +
                          ", which is improper, so the evidence is not defined (give it a "
                          "proper prior)");
}

const char* kLimitFlips = "data flips = [1, 0, 1, 1, 0, 1, 1, 1]\n";
const test::Summary kLimitBeta73 = {
    0.7,       0.13816985594155148, 0.39990642628368783, 0.9251453685803082, 0.8705027031423103,
    0.91015625};

}  // namespace

TEST_CASE("flat on (0, 1) and Uniform(0, 1) are Beta(1, 1): exact, with the evidence") {
  for (const std::string prior : {"param p in (0, 1)\n", "param p ~ Uniform(0, 1)\n"}) {
    CAPTURE(prior);
    auto r =
        answers(kLimitFlips + prior + "flips ~ Bernoulli(p)\n" + summary_prints("p", "p > 0.5"));
    CHECK(r[0]["rule"] == "Beta-Bernoulli");
    CHECK(r[0]["family"] == "Beta");
    CHECK(num(r[0]["params"]["a"]) == 7);
    CHECK(num(r[0]["params"]["b"]) == 3);
    check_summary(r, kLimitBeta73);
    CHECK(num(r[kMap]["value"]) == doctest::Approx(0.75).epsilon(1e-14));
    // a proper prior on (0, 1) of density 1: log B(7, 3) - log B(1, 1)
    CHECK(num(r[kEvidence]["value"]) == doctest::Approx(-5.529429087511423).epsilon(1e-12));
  }
  // Uniform on another range is not Beta: no closed form, so an approximate method.
  auto u = answers(kLimitFlips + std::string("param p ~ Uniform(0, 0.9)\nflips ~ Bernoulli(p)\n") +
                   "print posterior(p)\n");
  CHECK(u[0]["method"] != "conjugate");
  CHECK(u[0].value("rule", "") != "Beta-Bernoulli");
}

TEST_CASE("flat on (0, inf) for a rate is the limit Gamma(1, 0): exact posterior, no evidence") {
  auto r = answers("data k = [3, 5, 2, 4]\nparam lam > 0\nk ~ Poisson(lam)\n" +
                   summary_prints("lam", "lam > 3"));
  CHECK(r[0]["rule"] == "Gamma-Poisson");
  CHECK(num(r[0]["params"]["shape"]) == 15);
  CHECK(num(r[0]["params"]["rate"]) == 4);
  check_summary(r, {3.75, 0.9682458365518543, 2.098846533195829, 5.872405280458894,
                    5.032002967338975, 0.7720245323035448});
  CHECK(num(r[kMap]["value"]) == doctest::Approx(3.5).epsilon(1e-14));  // the MLE 14 / 4
  check_no_evidence(r[kEvidence], "lam", "flat on (0, inf)");

  // Every count 0: the posterior Gamma(1, 3) is proper (it was refused as "on
  // the boundary" before); its mode is the boundary 0.
  auto z = answers("data k = [0, 0, 0]\nparam lam > 0\nk ~ Poisson(lam)\n" +
                   summary_prints("lam", "lam > 0.5"));
  check_summary(z, {1.0 / 3, 1.0 / 3, 0.008439269328096625, 1.229626484704645, 0.7675283643313486,
                    0.22313016014842982});
  CHECK(num(z[kMap]["value"]) == 0);
}

TEST_CASE("Exponential(r) on a rate is Gamma(1, r)") {
  auto r = answers("data k = [3, 5, 2, 4]\nparam lam ~ Exponential(2)\nk ~ Poisson(lam)\n" +
                   summary_prints("lam", "lam > 3"));
  CHECK(r[0]["rule"] == "Gamma-Poisson");
  CHECK(num(r[0]["params"]["shape"]) == 15);
  CHECK(num(r[0]["params"]["rate"]) == 6);
  check_summary(r, {2.5, 0.6454972243679028, 1.3992310221305524, 3.9149368536392624,
                    3.3546686448926497, 0.20807736254049417});
  CHECK(num(r[kEvidence]["value"]) == doctest::Approx(-11.44247589804019).epsilon(1e-10));  // quad
}

TEST_CASE("flat on (0, inf) for a variance is the limit InverseGamma(-1, 0)") {
  auto r = answers("data x = [1, -2, 0.5, 1.5]\nparam v > 0\nx ~ Normal(0, sqrt(v))\n" +
                   summary_prints("v", "v > 3"));
  CHECK(r[0]["rule"] == "InverseGamma-NormalVariance");
  CHECK(num(r[0]["params"]["shape"]) == 1);
  CHECK(num(r[0]["params"]["scale"]) == 3.75);
  CHECK(r[0]["mean"] == "inf");
  CHECK(num(r[kInterval]["value"][0]) == doctest::Approx(1.016568865056813).epsilon(1e-9));
  CHECK(num(r[kInterval]["value"][1]) == doctest::Approx(148.1170882695269).epsilon(1e-9));
  CHECK(num(r[kQuantile90]["value"]) == doctest::Approx(35.592080928862146).epsilon(1e-9));
  CHECK(num(r[kProb]["value"]) == doctest::Approx(0.7134952031398099).epsilon(1e-9));
  CHECK(num(r[kMap]["value"]) == doctest::Approx(1.875).epsilon(1e-14));
  check_no_evidence(r[kEvidence], "v", "flat on (0, inf)");

  // Two values leave InverseGamma(0, b): no distribution, so the rule says why
  // and does not answer.
  std::string why;
  auto run = test::run("data x = [1, -2]\nparam v > 0\nx ~ Normal(0, sqrt(v))\n");
  REQUIRE(run.compiled);
  const auto& g = run.compiled->graph;
  auto s = conjugate::solve_component(run.compiled->model, g, g.components[0], why);
  REQUIRE(s);
  CHECK(s->refused.find("InverseGamma(0, 2.5), which is not a distribution") != std::string::npos);
  CHECK(s->params.empty());
}

TEST_CASE("a flat sd with a known mean: sigma = sqrt(InverseGamma(n/2 - 1/2, SS/2))") {
  auto r = answers("data x = [1, -2, 0.5, 1.5]\nparam sigma > 0\nx ~ Normal(0, sigma)\n" +
                   summary_prints("sigma", "sigma > 2"));
  CHECK(r[0]["rule"] == "InverseGamma-NormalVariance");
  CHECK(r[0]["family"] == "SqrtInverseGamma");
  CHECK(num(r[0]["params"]["shape"]) == 1.5);
  CHECK(num(r[0]["params"]["scale"]) == 3.75);
  CHECK(num(r[0]["mean"]) == doctest::Approx(2.1850968611841584).epsilon(1e-12));
  CHECK(num(r[kInterval]["value"][0]) == doctest::Approx(0.8956986189695985).epsilon(1e-9));
  CHECK(num(r[kInterval]["value"][1]) == doctest::Approx(5.89535087761587).epsilon(1e-9));
  CHECK(num(r[kProb]["value"]) == doctest::Approx(0.4012483669324382).epsilon(1e-9));
  // One parameter: the MAP is its mode, sqrt(SS / n), the MLE.
  CHECK(num(r[kMap]["value"]) == doctest::Approx(1.3693063937629153).epsilon(1e-12));
  check_no_evidence(r[kEvidence], "sigma", "flat on (0, inf)");
  auto numeric = answers(
      "data x = [1, -2, 0.5, 1.5]\nparam sigma > 0\nx ~ Normal(0, sigma)\n"
      "print map(sigma)\n",
      answer::Method::Numeric);
  CHECK(num(numeric[0]["value"]) == doctest::Approx(1.3693063937629153).epsilon(1e-6));
}

TEST_CASE("a flat mean is a Normal prior of precision 0: the data alone") {
  auto r = answers("data y = [1.2, 0.8, 1.9, 1.4]\nparam mu\ny ~ Normal(mu, 0.5)\n" +
                   summary_prints("mu", "mu > 1"));
  CHECK(r[0]["rule"] == "Normal-Normal");
  check_summary(r, {1.325, 0.25, 0.8350090038649863, 1.8149909961350135, 1.6453878913861502,
                    0.9031995154143896});
  check_no_evidence(r[kEvidence], "mu", "flat on (-inf, inf)");

  // A regression with known sd and flat weights: Normal(OLS, sd^2 (X'X)^-1).
  auto w = answers(
      "data x = [1, 2, 3, 4, 5]\ndata y = [2.1, 3.9, 6.2, 7.8, 10.1]\nparam w0\nparam w1\n"
      "y ~ Normal(w0 + w1 * x, 2)\nprint posterior(w0)\nprint posterior(w1)\n");
  CHECK(w[0]["method"] == "conjugate");
  CHECK(num(w[0]["mean"]) == doctest::Approx(0.04999999999999811).epsilon(1e-10));
  CHECK(num(w[0]["sd"]) == doctest::Approx(2.0976176963403037).epsilon(1e-12));
  CHECK(num(w[1]["mean"]) == doctest::Approx(1.9900000000000007).epsilon(1e-12));
  CHECK(num(w[1]["sd"]) == doctest::Approx(0.632455532033676).epsilon(1e-12));

  // One observation for two flat weights: improper, and said so.
  std::string why;
  auto run =
      test::run("data x = [1]\ndata y = [2]\nparam w0\nparam w1\ny ~ Normal(w0 + w1 * x, 2)\n");
  REQUIRE(run.compiled);
  const auto& g = run.compiled->graph;
  auto s = conjugate::solve_component(run.compiled->model, g, g.components[0], why);
  REQUIRE(s);
  CHECK(s->refused.find("the posterior is improper: 'w0' and 'w1' have a flat prior") == 0);
  // ... and every posterior query says so, with no other engine's number;
  // map() asks the optimiser, which finds the density flat along a line.
  auto q = answers(
      "data x = [1]\ndata y = [2]\nparam w0\nparam w1\ny ~ Normal(w0 + w1 * x, 2)\n"
      "print posterior(w1)\nprint map()\n");
  REQUIRE(q[0].contains("error"));
  CHECK(q[0]["error"].get<std::string>().find("the posterior is improper") == 0);
  REQUIRE(q[1].contains("error"));
  CHECK(test::contains(q[1]["error"].get<std::string>(), "flat along"));

  // Two observations, flat mean and scale: sigma^2 would be InverseGamma(0, .),
  // improper, but the density has a highest point, the MLE: mean 0.95 and
  // s = sqrt(((1.2 - 0.95)^2 + (0.7 - 0.95)^2) / 2) = 0.25 (by hand).
  auto two = answers(
      "param mu\nparam s > 0\ndata y = [1.2, 0.7]\ny ~ Normal(mu, s)\n"
      "print map()\nprint mean(mu)\n");
  REQUIRE_FALSE(two[0].contains("error"));
  CHECK(num(two[0]["value"]["mu"]) == doctest::Approx(0.95).epsilon(1e-8));
  CHECK(num(two[0]["value"]["s"]) == doctest::Approx(0.25).epsilon(1e-8));
  CHECK(test::contains(two[0]["note"].get<std::string>(),
                       "the posterior is improper: this is the highest point"));
  REQUIRE(two[1].contains("error"));
  CHECK(two[1]["error"].get<std::string>().find("the posterior is improper") == 0);
  // Whatever the method: a sampler or an approximation has nothing to find.
  for (auto method :
       {answer::Method::Sample, answer::Method::Importance, answer::Method::Numeric}) {
    auto forced = answers(
        "param mu\nparam s > 0\ndata y = [1.2, 0.7]\ny ~ Normal(mu, s)\nprint mean(mu)\n", method);
    REQUIRE(forced[0].contains("error"));
    CHECK(forced[0]["error"].get<std::string>().find("the posterior is improper") == 0);
  }
}

TEST_CASE("the numeric engine finds the same modes under the flat limits") {
  const std::string models[] = {
      kLimitFlips + std::string("param p in (0, 1)\nflips ~ Bernoulli(p)\nprint map(p)\n"),
      "data k = [3, 5, 2, 4]\nparam lam > 0\nk ~ Poisson(lam)\nprint map(lam)\n",
      "data x = [1, -2, 0.5, 1.5]\nparam v > 0\nx ~ Normal(0, sqrt(v))\nprint map(v)\n",
      "data y = [1.2, 0.8, 1.9, 1.4]\nparam mu\ny ~ Normal(mu, 0.5)\nprint map(mu)\n",
  };
  for (const auto& text : models) {
    CAPTURE(text);
    auto exact = answers(text);
    auto numeric = answers(text, answer::Method::Numeric);
    CHECK(exact[0]["method"] == "conjugate");
    CHECK(numeric[0]["method"] != "conjugate");
    CHECK(num(numeric[0]["value"]) == doctest::Approx(num(exact[0]["value"])).epsilon(1e-6));
  }
}
