// The Gamma and InverseGamma conjugate rules (src/conjugate/gamma.cpp,
// inverse_gamma.cpp) beyond the scipy fixtures: hand-computed updates,
// exposures and multipliers, mixed likelihoods, boundary MLEs, the
// predictives' own consistency (cdf, quantile and density agree), and the
// reasons given for near-miss models that must not match.
#include <doctest/doctest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "answer/answer.hpp"
#include "conjugate/rule.hpp"
#include "helpers.hpp"

using json = nlohmann::ordered_json;

namespace {

// Answers of the model's prints under --method conjugate (or auto).
std::vector<json> conjugate_answers(
    const std::string& text, bayes::answer::Method method = bayes::answer::Method::Conjugate) {
  return bayes::test::answers(text, method);
}

// The closed-form solution of the model's only component with parameters.
std::optional<bayes::conjugate::Solution> solve(const std::string& text, std::string& why) {
  auto r = bayes::test::run(text);
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const auto& g = r.compiled->graph;
  for (const auto& c : g.components)
    if (!c.params.empty()) return bayes::conjugate::solve_component(r.compiled->model, g, c, why);
  FAIL("no component with parameters");
  return std::nullopt;
}

// The reason --method conjugate gives for refusing the model's first print.
std::string why_not(const std::string& text) {
  auto res = conjugate_answers(text);
  REQUIRE(!res.empty());
  CHECK_MESSAGE(res[0].contains("error"), res[0].dump());
  return res[0].value("error", "");
}

using bayes::test::contains;

using bayes::test::num;

// cdf(quantile(p)) = p, and the density is the derivative of the cdf.
void check_consistent(const bayes::conjugate::ClosedForm& d, double lo_p = 0.05,
                      double hi_p = 0.95) {
  INFO(d.family);
  for (double p : {lo_p, 0.25, 0.5, 0.75, hi_p}) {
    double x = d.quantile(p);
    CHECK(d.cdf(x) == doctest::Approx(p).epsilon(1e-10));
    double h = 1e-5 * std::max(1.0, std::fabs(x));
    double slope = (d.cdf(x + h) - d.cdf(x - h)) / (2 * h);
    CHECK(std::exp(d.lpdf(bayes::Value::scalar(x))) == doctest::Approx(slope).epsilon(1e-6));
  }
}

}  // namespace

TEST_CASE("Gamma-Poisson by hand") {
  // Gamma(2, 1) prior, counts 2, 3, 4: shape 2 + 9 = 11, rate 1 + 3 = 4.
  // mean 11/4 = 2.75, sd sqrt(11)/4, MAP (11 - 1)/4 = 2.5, MLE 9/3 = 3.
  // Predictive NegativeBinomial(11, 4/5): mean 11 (1/5)/(4/5) = 2.75.
  // Evidence: prod 1/x! * b0^a0/Gamma(a0) * Gamma(a)/b^a
  //   = log(1/288) + 0 - 0 + lgamma(11) - 11 log 4 = log(3628800/288) - 11 log 4.
  auto r = conjugate_answers(
      "data x = [2, 3, 4]\nparam lam ~ Gamma(2, 1)\nx ~ Poisson(lam)\n"
      "print posterior(lam)\nprint map(lam)\nprint mle(lam)\nprint predictive(x)\nprint "
      "evidence()\n");
  CHECK(r[0]["rule"] == "Gamma-Poisson");
  CHECK(r[0]["family"] == "Gamma");
  CHECK(num(r[0]["params"]["shape"]) == doctest::Approx(11));
  CHECK(num(r[0]["params"]["rate"]) == doctest::Approx(4));
  CHECK(num(r[0]["mean"]) == doctest::Approx(2.75));
  CHECK(num(r[0]["sd"]) == doctest::Approx(std::sqrt(11.0) / 4));
  CHECK(num(r[1]["value"]) == doctest::Approx(2.5));
  CHECK(num(r[2]["value"]) == doctest::Approx(3));
  CHECK(r[3]["family"] == "NegativeBinomial");
  CHECK(num(r[3]["params"]["r"]) == doctest::Approx(11));
  CHECK(num(r[3]["params"]["p"]) == doctest::Approx(0.8));
  CHECK(num(r[3]["mean"]) == doctest::Approx(2.75));
  CHECK(num(r[4]["value"]) ==
        doctest::Approx(std::log(3628800.0 / 288) - 11 * std::log(4.0)).epsilon(1e-12));
}

TEST_CASE("Gamma-Poisson with an exposure") {
  // counts 3, 5 over exposures 2 and 4 hours: shape 1 + 8 = 9, rate 0.5 + 6 = 6.5;
  // MLE 8 / 6 events per hour. The predictive is for the first row's exposure 2:
  // NegativeBinomial(9, 6.5 / (6.5 + 2)).
  auto r = conjugate_answers(
      "data n = [3, 5]\ndata hours = [2, 4]\nparam lam ~ Gamma(1, 0.5)\nn ~ Poisson(hours * lam)\n"
      "print posterior(lam)\nprint mle(lam)\nprint predictive(n)\n");
  CHECK(num(r[0]["params"]["shape"]) == doctest::Approx(9));
  CHECK(num(r[0]["params"]["rate"]) == doctest::Approx(6.5));
  CHECK(num(r[1]["value"]) == doctest::Approx(8.0 / 6));
  CHECK(num(r[2]["params"]["p"]) == doctest::Approx(6.5 / 8.5));
  CHECK(contains(r[2].value("note", ""), "exposure c = 2"));
}

TEST_CASE("Gamma with several likelihood kinds on one rate") {
  // Poisson counts 1, 2 (s = 3, r = 2) and Exponential times 0.5, 1.5 (s = 2, r = 2):
  // Gamma(1 + 5, 1 + 4) = Gamma(6, 5); MLE 5 / 4.
  auto r = conjugate_answers(
      "data k = [1, 2]\ndata t = [0.5, 1.5]\nparam lam ~ Gamma(1, 1)\nk ~ Poisson(lam)\n"
      "t ~ Exponential(lam)\nprint posterior(lam)\nprint mle(lam)\nprint predictive(t)\n");
  CHECK(r[0]["rule"] == "Gamma-Poisson+Exponential");
  CHECK(num(r[0]["params"]["shape"]) == doctest::Approx(6));
  CHECK(num(r[0]["params"]["rate"]) == doctest::Approx(5));
  CHECK(num(r[1]["value"]) == doctest::Approx(1.25));
  CHECK(r[2]["family"] == "Lomax");
  CHECK(num(r[2]["mean"]) == doctest::Approx(5.0 / 5));  // scale / (shape - 1)
}

TEST_CASE("Gamma precision with a known multiplier of the sd") {
  // sd = 2 / sqrt(tau): z = (x - 1) / 2 = 0.5, -1; s = 1, r = (0.25 + 1) / 2 = 0.625.
  // Gamma(3 + 1, 1 + 0.625); MLE N / sum z^2 = 2 / 1.25 = 1.6.
  // Predictive StudentT(8, 1, 2 sqrt(1.625 / 4)).
  auto r = conjugate_answers(
      "data x = [2, -1]\nparam tau ~ Gamma(3, 1)\nx ~ Normal(1, 2 / sqrt(tau))\n"
      "print posterior(tau)\nprint mle(tau)\nprint predictive(x)\n");
  CHECK(r[0]["rule"] == "Gamma-NormalPrecision");
  CHECK(num(r[0]["params"]["shape"]) == doctest::Approx(4));
  CHECK(num(r[0]["params"]["rate"]) == doctest::Approx(1.625));
  CHECK(num(r[1]["value"]) == doctest::Approx(1.6));
  CHECK(num(r[2]["params"]["nu"]) == doctest::Approx(8));
  CHECK(num(r[2]["params"]["scale"]) == doctest::Approx(2 * std::sqrt(1.625 / 4)));
}

TEST_CASE("Gamma boundaries: all counts zero, small shape") {
  // Gamma(0.5, 1) with counts 0, 0: Gamma(0.5, 3) has its mode at the boundary,
  // and the likelihood exp(-2 lam) is largest at lam = 0.
  auto r = conjugate_answers(
      "data x = [0, 0]\nparam lam ~ Gamma(0.5, 1)\nx ~ Poisson(lam)\n"
      "print posterior(lam)\nprint map(lam)\nprint mle(lam)\n");
  CHECK(r[0]["mode"].is_null());
  CHECK(contains(r[0]["mode_note"], "lam = 0"));
  CHECK(contains(r[1]["error"], "boundary lam = 0"));
  CHECK(num(r[2]["value"]) == 0);  // the likelihood's largest value, at the end itself
  CHECK(r[2]["note"] == "on the boundary lam = 0 (every count is 0)");
}

TEST_CASE("Gamma-Pareto predictive quantiles match the fixture") {
  // gamma_pareto in conjugate_reference.json: median 1.9269540302735821,
  // quartiles 1.6622690153041144, 2.5013729145946946 (scipy).
  std::string why;
  auto s = solve(
      "data x = [2.025, 5.183, 1.57, 1.889, 2.983, 1.544, 1.824, 1.534, 1.713, 2.232, 2.457, "
      "2.352, 3.103, 1.521, 1.583]\nparam alpha ~ Gamma(2, 1)\nx ~ Pareto(1.5, alpha)\n",
      why);
  REQUIRE(s);
  const auto& d = s->predictive.at(0).dist;
  CHECK(d.family == "LogLomax");
  CHECK(d.quantile(0.5) == doctest::Approx(1.9269540302735821).epsilon(1e-12));
  CHECK(d.quantile(0.25) == doctest::Approx(1.6622690153041144).epsilon(1e-12));
  CHECK(d.quantile(0.75) == doctest::Approx(2.5013729145946946).epsilon(1e-12));
  CHECK(std::isnan(d.mean[0]));
  CHECK(contains(s->predictive[0].note, "infinite"));
  check_consistent(d);
}

TEST_CASE("the custom predictives are consistent") {
  std::string why;
  auto s = solve(
      "data t = [0.5, 1.2, 0.3]\ndata y = [2.0, 3.5]\nparam lam ~ Gamma(3, 2)\n"
      "t ~ Exponential(lam)\ny ~ Gamma(2.5, lam)\n",
      why);
  REQUIRE(s);
  REQUIRE(s->predictive.size() == 2);
  CHECK(s->predictive[0].dist.family == "Lomax");
  CHECK(s->predictive[1].dist.family == "BetaPrime");
  for (const auto& p : s->predictive) check_consistent(p.dist);
  auto w = solve(
      "data x = [1.2, 0.7, 2.2]\nparam theta ~ InverseGamma(2, 3)\nx ~ Weibull(1.5, theta ^ (1 / "
      "1.5))\n",
      why);
  REQUIRE(w);
  CHECK(w->predictive.at(0).dist.family == "Burr12");
  check_consistent(w->predictive[0].dist);
}

TEST_CASE("InverseGamma-NormalVariance by hand") {
  // InverseGamma(3, 2), x = 1, 3 with known mean 2: sum of squares 2,
  // shape 3 + 1 = 4, scale 2 + 1 = 3. Mean 3/3 = 1, MAP 3/5, MLE 2/2 = 1.
  // Predictive StudentT(8, 2, sqrt(3/4)).
  // Evidence: prod Normal(x; 2, sqrt(s2)) integrated against the prior:
  //   b0^a0 / Gamma(a0) * Gamma(a) / b^a * (2 pi)^(-N/2)
  //   = 3 log 2 - log 2 + log 6 - 4 log 3 - log(2 pi).
  auto r = conjugate_answers(
      "data x = [1, 3]\nparam s2 ~ InverseGamma(3, 2)\nx ~ Normal(2, sqrt(s2))\n"
      "print posterior(s2)\nprint map(s2)\nprint mle(s2)\nprint predictive(x)\nprint evidence()\n");
  CHECK(r[0]["rule"] == "InverseGamma-NormalVariance");
  CHECK(num(r[0]["params"]["shape"]) == doctest::Approx(4));
  CHECK(num(r[0]["params"]["scale"]) == doctest::Approx(3));
  CHECK(num(r[0]["mean"]) == doctest::Approx(1));
  CHECK(num(r[1]["value"]) == doctest::Approx(0.6));
  CHECK(num(r[2]["value"]) == doctest::Approx(1));
  CHECK(r[3]["family"] == "StudentT");
  CHECK(num(r[3]["params"]["scale"]) == doctest::Approx(std::sqrt(0.75)));
  double ev =
      3 * std::log(2.0) - std::log(2.0) + std::log(6.0) - 4 * std::log(3.0) - std::log(2 * M_PI);
  CHECK(num(r[4]["value"]) == doctest::Approx(ev).epsilon(1e-12));
}

TEST_CASE("InverseGamma-Weibull with k = 1 is the Exponential mean") {
  // Weibull(1, theta) is Exponential with mean theta: InverseGamma(2 + 3, 1 + 6).
  auto r = conjugate_answers(
      "data x = [1, 2, 3]\nparam theta ~ InverseGamma(2, 1)\nx ~ Weibull(1, theta)\n"
      "print posterior(theta)\nprint mle(theta)\nprint predictive(x)\n");
  CHECK(r[0]["rule"] == "InverseGamma-Weibull");
  CHECK(num(r[0]["params"]["shape"]) == doctest::Approx(5));
  CHECK(num(r[0]["params"]["scale"]) == doctest::Approx(7));
  CHECK(num(r[1]["value"]) == doctest::Approx(2));
  // Burr12(1, 5, 7) is Lomax(5, 7): mean 7 / 4.
  CHECK(num(r[2]["mean"]) == doctest::Approx(1.75));
}

TEST_CASE("InverseGamma variance MLE on the boundary") {
  auto r = conjugate_answers(
      "data x = [2, 2]\nparam s2 ~ InverseGamma(1, 1)\nx ~ Normal(2, sqrt(s2))\nprint mle(s2)\n");
  CHECK(contains(r[0]["error"], "boundary s2 = 0"));
}

TEST_CASE("near misses of the Gamma rule say why") {
  const std::string head = "data x = [1, 2, 3]\n";
  // A hyperparameter that is itself unknown.
  CHECK(contains(why_not(head + "param a ~ Exponential(1)\nparam lam ~ Gamma(a, 1)\nx ~ "
                                "Poisson(lam)\nprint posterior(lam)\n"),
                 "hierarchical"));
  // A likelihood the rule has no update for.
  CHECK(contains(
      why_not(head + "param lam ~ Gamma(2, 1)\nx ~ Cauchy(0, lam)\nprint posterior(lam)\n"),
      "no update for a Cauchy likelihood"));
  // The rate in the wrong argument.
  CHECK(contains(
      why_not(head + "param lam ~ Gamma(2, 1)\nx ~ Normal(lam, 1)\nprint posterior(lam)\n"),
      "'lam' appears in the mean of the Normal"));
  CHECK(
      contains(why_not(head + "param lam ~ Gamma(2, 1)\nx ~ Gamma(lam, 2)\nprint posterior(lam)\n"),
               "'lam' appears in the shape of the Gamma"));
  // Not a monomial, or the wrong power.
  CHECK(contains(
      why_not(head + "param lam ~ Gamma(2, 1)\nx ~ Poisson(lam + 1)\nprint posterior(lam)\n"),
      "not of the form c * lam^k"));
  CHECK(contains(
      why_not(head + "param lam ~ Gamma(2, 1)\nx ~ Poisson(lam ^ 2)\nprint posterior(lam)\n"),
      "enters the rate as c * lam^2"));
  CHECK(contains(
      why_not(head + "param lam ~ Gamma(2, 1)\nx ~ Exponential(1 / lam)\nprint posterior(lam)\n"),
      "enters the rate as c * lam^-1"));
  CHECK(contains(
      why_not(head + "param tau ~ Gamma(2, 1)\nx ~ Normal(0, 1 / tau)\nprint posterior(tau)\n"),
      "conjugate to a precision"));
  CHECK(contains(
      why_not(head + "param tau ~ Gamma(2, 1)\nx ~ Normal(0, sqrt(tau))\nprint posterior(tau)\n"),
      "give it an InverseGamma prior"));
  // Several rates in one element's rate.
  CHECK(contains(why_not(head + "param lam[2] ~ Gamma(2, 1)\nx ~ Poisson(lam[1] + lam[2])\n"
                                "print posterior(lam)\n"),
                 "element 1's rate is not c * one rate"));
  CHECK(contains(why_not(head + "param lam[2] ~ Gamma(2, 1)\nx ~ Poisson(lam[1] + 1)\n"
                                "print posterior(lam)\n"),
                 "element 1's rate is not c * one rate"));
  CHECK(contains(
      why_not(head +
              "param lam[2] ~ Gamma(2, 1)\nx ~ Normal(lam[1], lam[2])\nprint posterior(lam)\n"),
      "takes Poisson, Exponential and Gamma(k, .) likelihoods"));
}

TEST_CASE("Gamma rates, one per group, by hand") {
  // lam[g] with Gamma(1, 0.5) priors; group 1 sees counts 3 and 1, group 2 sees 5 and 4:
  // lam[1] ~ Gamma(1 + 4, 0.5 + 2) = Gamma(5, 2.5), lam[2] ~ Gamma(1 + 9, 2.5) = Gamma(10, 2.5).
  // MAP (a - 1) / b = 1.6 and 3.6; MLE s / r = 2 and 4.5.
  // Evidence: each group's Poisson-Gamma marginal, b0^a0 / Gamma(a0) * Gamma(a) / b^a
  // / prod x!, summed: log(0.5 * 24 / 2.5^5 / 6) + log(0.5 * 362880 / 2.5^10 / 2880).
  auto r = conjugate_answers(
      "data g = [1, 2, 1, 2]\ndata y = [3, 5, 1, 4]\nparam lam[2] ~ Gamma(1, 0.5)\n"
      "y ~ Poisson(lam[g])\nprint posterior(lam)\nprint map(lam)\nprint mle(lam)\n"
      "print evidence()\nprint predictive(y)\n");
  REQUIRE(r.size() == 5);
  CHECK(r[0]["rule"] == "Gamma-Poisson, one rate per group");
  CHECK(r[0]["family"] == "Gamma");
  CHECK(num(r[0]["params"]["shape"][0]) == doctest::Approx(5));
  CHECK(num(r[0]["params"]["shape"][1]) == doctest::Approx(10));
  CHECK(num(r[0]["params"]["rate"]) == doctest::Approx(2.5));
  CHECK(num(r[0]["mean"][0]) == doctest::Approx(2));
  CHECK(num(r[0]["sd"][1]) == doctest::Approx(std::sqrt(10.0) / 2.5));
  CHECK(num(r[1]["value"][0]) == doctest::Approx(1.6));
  CHECK(num(r[1]["value"][1]) == doctest::Approx(3.6));
  CHECK(num(r[2]["value"][0]) == doctest::Approx(2));
  CHECK(num(r[2]["value"][1]) == doctest::Approx(4.5));
  const double e1 = std::log(0.5 * 24 / std::pow(2.5, 5) / 6);
  const double e2 = std::log(0.5 * 362880 / std::pow(2.5, 10) / 2880);
  CHECK(num(r[3]["value"]) == doctest::Approx(e1 + e2).epsilon(1e-12));
  // The predictive of a new count in the first element's group: NegativeBinomial(5, 2.5 / 3.5).
  CHECK(r[4]["family"] == "NegativeBinomial");
  CHECK(num(r[4]["params"]["p"]) == doctest::Approx(2.5 / 3.5));
  CHECK(contains(r[4].value("note", ""), "whose rate is lam[1]"));
  // The numeric engine finds the same joint mode.
  auto n = conjugate_answers(
      "data g = [1, 2, 1, 2]\ndata y = [3, 5, 1, 4]\nparam lam[2] ~ Gamma(1, 0.5)\n"
      "y ~ Poisson(lam[g])\nprint map(lam)\n",
      bayes::answer::Method::Numeric);
  CHECK(num(n[0]["value"][0]) == doctest::Approx(1.6).epsilon(1e-6));
  CHECK(num(n[0]["value"][1]) == doctest::Approx(3.6).epsilon(1e-6));
}

TEST_CASE("Gamma rates: masks, exposures, waiting times and scalar rates") {
  // Two scalar rates selected by a 0/1 mask, with exposures c: rows 1-2 read e (c = 2, 1),
  // rows 3-4 read l (c = 1, 3). Exponential(1) priors = Gamma(1, 1).
  // e ~ Gamma(1 + 2 + 0, 1 + 3) = Gamma(3, 4); l ~ Gamma(1 + 4 + 6, 1 + 4) = Gamma(11, 5).
  auto r = conjugate_answers(
      "data y = [2, 0, 4, 6]\ndata c = [2, 1, 1, 3]\ndata w = [0, 0, 1, 1]\n"
      "param e ~ Exponential(1)\nparam l ~ Exponential(1)\n"
      "y ~ Poisson(c * (e * (1 - w) + l * w))\nprint posterior(e)\nprint posterior(l)\n");
  REQUIRE(r.size() == 2);
  CHECK(num(r[0]["params"]["shape"]) == doctest::Approx(3));
  CHECK(num(r[0]["params"]["rate"]) == doctest::Approx(4));
  CHECK(num(r[1]["params"]["shape"]) == doctest::Approx(11));
  CHECK(num(r[1]["params"]["rate"]) == doctest::Approx(5));
  // Waiting times by group: lam[k] ~ Gamma(2, 1); times 1, 3 in group 1, 0.5 in group 2:
  // lam[1] ~ Gamma(2 + 2, 1 + 4), lam[2] ~ Gamma(2 + 1, 1 + 0.5).
  auto w = conjugate_answers(
      "data g = [1, 1, 2]\ndata t = [1, 3, 0.5]\nparam lam[2] ~ Gamma(2, 1)\n"
      "t ~ Exponential(lam[g])\nprint posterior(lam)\n");
  CHECK(w[0]["rule"] == "Gamma-Exponential, one rate per group");
  CHECK(num(w[0]["params"]["shape"][0]) == doctest::Approx(4));
  CHECK(num(w[0]["params"]["rate"][0]) == doctest::Approx(5));
  CHECK(num(w[0]["params"]["shape"][1]) == doctest::Approx(3));
  CHECK(num(w[0]["params"]["rate"][1]) == doctest::Approx(1.5));
}

TEST_CASE("Gamma rates: a flat rate nothing observes is improper") {
  auto r = conjugate_answers(
      "data g = [1, 1]\ndata y = [3, 5]\nparam lam[2] > 0\ny ~ Poisson(lam[g])\n"
      "print posterior(lam)\n");
  REQUIRE(r.size() == 1);
  CHECK(contains(r[0].value("error", ""), "improper"));
  CHECK(
      contains(r[0].value("error", ""), "with 'lam[2]' flat on (0, inf), it would be Gamma(1, 0)"));
}

TEST_CASE("near misses of the InverseGamma rule say why") {
  const std::string head = "data x = [1, 2, 3]\n";
  CHECK(contains(
      why_not(head + "param s2 ~ InverseGamma(2, 1)\nx ~ Normal(0, s2)\nprint posterior(s2)\n"),
      "conjugate to a variance"));
  CHECK(contains(
      why_not(head +
              "param s2 ~ InverseGamma(2, 1)\nx ~ Normal(0, 1 / sqrt(s2))\nprint posterior(s2)\n"),
      "give it a Gamma prior"));
  CHECK(contains(
      why_not(head + "param s2 ~ InverseGamma(2, 1)\nx ~ Normal(s2, 1)\nprint posterior(s2)\n"),
      "the mean of the Normal is unknown"));
  CHECK(contains(
      why_not(head +
              "param theta ~ InverseGamma(2, 1)\nx ~ Weibull(2, theta)\nprint posterior(theta)\n"),
      "but the shape is 2"));
  CHECK(contains(
      why_not(head +
              "param theta ~ InverseGamma(2, 1)\nx ~ Poisson(theta)\nprint posterior(theta)\n"),
      "not a Poisson"));
  CHECK(contains(
      why_not(head +
              "param b ~ Gamma(2, 1)\nparam s2 ~ InverseGamma(2, b)\nx ~ Normal(0, sqrt(s2))\n"
              "print posterior(s2)\n"),
      "hierarchical"));
}

TEST_CASE("a prior of another family is not the Gamma rules' business") {
  std::string why;
  auto r = bayes::test::run("data x = [1, 2]\nparam lam ~ LogNormal(0, 1)\nx ~ Poisson(lam)\n");
  REQUIRE(r.compiled);
  const auto& g = r.compiled->graph;
  for (const auto& rule : bayes::conjugate::rules()) {
    std::string name = rule.name;
    if (name != "Gamma" && name != "InverseGamma") continue;
    for (const auto& c : g.components) {
      if (c.params.empty()) continue;
      std::string w;
      CHECK(!rule.solve(r.compiled->model, g, c, w));
      CHECK(w.empty());
    }
  }
}
