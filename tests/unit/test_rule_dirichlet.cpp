// The Dirichlet rule (src/conjugate/dirichlet.cpp) and the Pareto rule
// (src/conjugate/pareto.cpp): hand-computed posteriors beyond the scipy
// fixtures, and the reasons they give for models that must not match.
#include <doctest/doctest.h>

#include <cmath>

#include "answer/answer.hpp"
#include "conjugate/rule.hpp"
#include "helpers.hpp"
#include "rule_run.hpp"

using namespace bayes;
using json = nlohmann::ordered_json;

namespace bayes::conjugate {
std::optional<Solution> solve_dirichlet(const Model&, const graph::FactorGraph&,
                                        const graph::Component&, std::string&);
std::optional<Solution> solve_pareto(const Model&, const graph::FactorGraph&,
                                     const graph::Component&, std::string&);
}  // namespace bayes::conjugate

namespace {

using test::rule;

using test::answers;
using test::report;

// The error of the first print under --method conjugate.
std::string conjugate_error(const std::string& text) {
  auto r = answers(text + "print posterior(theta)\n", answer::Method::Conjugate);
  REQUIRE(r.size() == 1);
  REQUIRE_MESSAGE(r[0].contains("error"), r[0].dump());
  return r[0]["error"].get<std::string>();
}

using test::num;

using test::contains;

bool explained(const answer::Report& r, const std::string& part) {
  for (const auto& line : r.explain)
    if (contains(line, part)) return true;
  return false;
}

}  // namespace

TEST_CASE("Dirichlet-Categorical by hand: three outcomes, one category unseen") {
  // Counts c = [1, 2, 0], so Dirichlet([1, 1, 1]) -> Dirichlet([2, 3, 1]),
  // alpha0 = 6: mean [2, 3, 1] / 6; sd of theta[1] = sqrt(2 * 4 / (6^2 * 7)).
  // alpha[3] = 1 puts the mode on the boundary theta[3] = 0, and category 3
  // never seen puts the MLE there too. Evidence by the Polya urn:
  // P(1) P(2 | 1) P(2 | 1, 2) = 1/3 * 1/4 * 2/5 = 1/30
  // (= B([2, 3, 1]) / B([1, 1, 1]) = (1! 2! 0! / 5!) / (1 / 2!) = 1/30).
  // Predictive: P(k) = [1/3, 1/2, 1/6], mean outcome 1/3 + 1 + 1/2 = 11/6,
  // E k^2 = 1/3 + 2 + 3/2 = 23/6, sd sqrt(23/6 - 121/36) = sqrt(17)/6.
  auto rep = test::report(R"(data x = [1, 2, 2]
param theta[3] ~ Dirichlet([1, 1, 1])
x ~ Categorical(theta)
print posterior(theta)
print map(theta)
print mle(theta)
print predictive(x)
print evidence()
)");
  const auto& r = bayes::report::to_json(rep);
  CHECK(r[0]["rule"] == "Dirichlet-Categorical");
  CHECK(r[0]["family"] == "Dirichlet");
  CHECK(r[0]["params"]["alpha"] == json({2.0, 3.0, 1.0}));
  CHECK(num(r[0]["mean"][1]) == doctest::Approx(0.5).epsilon(1e-12));
  CHECK(num(r[0]["sd"][0]) == doctest::Approx(std::sqrt(8.0 / 252)).epsilon(1e-12));
  CHECK(r[0]["mode"].is_null());
  CHECK(contains(r[0]["mode_note"].get<std::string>(), "on the boundary theta[3] = 0"));
  CHECK(contains(r[1]["error"].get<std::string>(), "theta[3] = 0"));
  // The MLE counts / N exists on the simplex's boundary, and says so.
  CHECK(num(r[2]["value"][2]) == 0);
  CHECK(contains(r[2]["note"].get<std::string>(), "on the boundary theta[3] = 0"));
  CHECK(contains(r[2]["note"].get<std::string>(), "category 3 was never observed"));
  CHECK(r[3]["family"] == "Categorical");
  CHECK(num(r[3]["params"]["probs"][2]) == doctest::Approx(1.0 / 6).epsilon(1e-12));
  CHECK(num(r[3]["mean"]) == doctest::Approx(11.0 / 6).epsilon(1e-12));
  CHECK(num(r[3]["sd"]) == doctest::Approx(std::sqrt(17.0) / 6).epsilon(1e-12));
  CHECK(num(r[4]["value"]) == doctest::Approx(std::log(1.0 / 30)).epsilon(1e-12));
  CHECK(explained(rep, "Dirichlet([1 + 1, 1 + 2, 1 + 0]) = Dirichlet([2, 3, 1])"));
}

TEST_CASE("Dirichlet: a posterior alpha below 1 puts the MAP on the boundary, both engines") {
  // Dirichlet([0.5, 2, 3]) and counts [0, 3, 2]: posterior alpha [0.5, 5, 5],
  // whose density rises without bound as theta[1] -> 0. The numeric engine's
  // transform saturates there; that is an edge, not a flat (improper) density.
  const std::string model =
      "param th ~ Dirichlet([0.5, 2, 3])\ndata k = [0, 3, 2]\nk ~ Multinomial(5, th)\n"
      "print map(th)\n";
  for (auto method : {answer::Method::Auto, answer::Method::Numeric}) {
    const auto r = test::answers(model, method);
    const std::string error = r[0].value("error", "");
    CHECK(contains(error, "on the boundary th[1] = 0"));
    CHECK_FALSE(contains(error, "flat"));
    CHECK_FALSE(contains(error, "improper"));
  }
}

TEST_CASE("Dirichlet-Multinomial by hand: Bayes' billiard with K = 2") {
  // A uniform prior on theta[1] makes every count of n trials equally likely:
  // p(counts = [2, 1]) = 1 / (n + 1) = 1/4. Posterior Dirichlet([3, 2]), mode
  // [2, 1] / 3, MLE [2, 1] / 3. Predictive DirichletMultinomial(3, [3, 2]):
  // mean 3 * [3, 2] / 5; sd^2 = n p (1 - p) (n + alpha0) / (1 + alpha0)
  // = 3 * 0.24 * 8 / 6 = 0.96. prob(theta[1] > theta[2]) = P(Beta(3, 2) > 1/2)
  // = 1 - (C(4, 3) + C(4, 4)) / 2^4 = 11/16, here by Monte Carlo from the draws.
  auto r = answers(R"(data c = [2, 1]
param theta[2] ~ Dirichlet([1, 1])
c ~ Multinomial(3, theta)
print posterior(theta)
print map(theta)
print mle(theta)
print predictive(c)
print evidence()
print prob(theta[1] > theta[2])
)");
  CHECK(r[0]["rule"] == "Dirichlet-Multinomial");
  CHECK(r[0]["params"]["alpha"] == json({3.0, 2.0}));
  CHECK(num(r[1]["value"][0]) == doctest::Approx(2.0 / 3).epsilon(1e-12));
  CHECK(num(r[2]["value"][1]) == doctest::Approx(1.0 / 3).epsilon(1e-12));
  CHECK(r[3]["family"] == "DirichletMultinomial");
  CHECK(num(r[3]["params"]["n"]) == 3);
  CHECK(num(r[3]["mean"][0]) == doctest::Approx(1.8).epsilon(1e-12));
  CHECK(num(r[3]["sd"][1]) == doctest::Approx(std::sqrt(0.96)).epsilon(1e-12));
  CHECK(num(r[4]["value"]) == doctest::Approx(std::log(0.25)).epsilon(1e-12));
  REQUIRE(r[5].contains("mcse"));
  CHECK(std::fabs(num(r[5]["value"]) - 11.0 / 16) <= 4 * num(r[5]["mcse"]));
}

TEST_CASE("Dirichlet-Multinomial predictive marginals are Beta-binomial") {
  // Count 1 of DirichletMultinomial(3, [3, 2]) is BetaBinomial(3, 3, 2):
  // P(k) = C(3, k) B(k + 3, 5 - k) / B(3, 2) = [4, 9, 12, 10] / 35, so its
  // cdf is [4, 13, 25, 35] / 35: the 10% point is 0, the median 2.
  auto run = rule(conjugate::solve_dirichlet, R"(data c = [2, 1]
param theta[2] ~ Dirichlet([1, 1])
c ~ Multinomial(3, theta)
)",
                  "theta");
  REQUIRE(run.sol);
  const auto& pred = run.sol->predictive.at(0).dist;
  CHECK(pred.element_quantile(0, 0.1) == 0);
  CHECK(pred.element_quantile(0, 0.3) == 1);
  CHECK(pred.element_quantile(0, 0.5) == 2);
  CHECK(pred.element_quantile(0, 0.8) == 3);
  CHECK(pred.lpdf(Value::vector({1, 2})) == doctest::Approx(std::log(9.0 / 35)).epsilon(1e-12));
  CHECK(pred.lpdf(Value::vector({1, 1})) == -HUGE_VAL);  // not 3 trials
}

TEST_CASE("Dirichlet-Multinomial: a matrix of counts is one count vector per row") {
  // The checker does not accept a matrix left side yet; the rule is ready for
  // it. Rows [2, 1] and [0, 3] of n = 3: counts [2, 4], Dirichlet([3, 5]).
  auto r = test::run(R"(data c = [2, 1]
param theta[2] ~ Dirichlet([1, 1])
c ~ Multinomial(3, theta)
)");
  REQUIRE(r.compiled);
  Compiled compiled = *r.compiled;
  compiled.model.observations[0].value = Value::matrix(2, 2, {2, 0, 1, 3});  // column-major
  const auto& g = compiled.graph;
  std::string why;
  auto sol = conjugate::solve_dirichlet(compiled.model, g, g.components[0], why);
  REQUIRE(sol);
  CHECK(sol->params[0].posterior.params[0].second.data == std::vector<double>{3, 5});
  // Two rows, each of probability 1/4 and then (Polya) ... checked as
  // B([3, 5]) / B([1, 1]) * C(3, 2) * C(3, 0) = (2! 4! / 7!) * 3 = 1/35.
  CHECK(sol->log_evidence == doctest::Approx(std::log(1.0 / 35)).epsilon(1e-12));
}

TEST_CASE("Dirichlet: statements of both kinds combine") {
  auto r = answers(R"(data x = [1, 1, 3]
data c = [0, 2, 1]
param theta[3] ~ Dirichlet([1, 1, 1])
x ~ Categorical(theta)
c ~ Multinomial(3, theta)
print posterior(theta)
print predictive(x)
print predictive(c)
)");
  CHECK(r[0]["params"]["alpha"] == json({3.0, 3.0, 3.0}));
  CHECK(r[1]["family"] == "Categorical");
  CHECK(r[2]["family"] == "DirichletMultinomial");
}

TEST_CASE("Dirichlet: near misses say why they are not conjugate") {
  CHECK(conjugate_error(R"(data y = [1, 0, 1]
param theta[3] ~ Dirichlet([1, 1, 1])
y ~ Bernoulli(theta[1])
)") == "not conjugate: 'y ~ Bernoulli(theta[1])': a Bernoulli likelihood is not conjugate to the "
       "Dirichlet "
       "prior of 'theta' (Dirichlet goes with Categorical and Multinomial)");
  CHECK(contains(
      conjugate_error(R"(data x = [1, 2, 3]
param theta[3] ~ Dirichlet([1, 1, 1])
x ~ Categorical(softmax(theta))
)"),
      "the probabilities of Categorical are an expression of 'theta', not 'theta' itself"));

  auto hyper = rule(conjugate::solve_dirichlet, R"(data x = [1, 2]
param a ~ Gamma(2, 1)
param theta[2] ~ Dirichlet([a, 1])
x ~ Categorical(theta)
)",
                    "theta");
  CHECK(!hyper.sol);
  CHECK(hyper.why == "the Dirichlet prior of 'theta' has parameters as arguments");

  auto other = rule(conjugate::solve_dirichlet, R"(data y = [0.5, 1.5]
param theta[2] ~ Dirichlet([1, 1])
param s ~ Gamma(2, 1)
y ~ Normal(theta[1], s)
)",
                    "theta");
  CHECK(!other.sol);
  CHECK(contains(other.why, "'y ~ Normal(theta[1], s)' involves 's' as well as 'theta'"));

  // Another prior family: the rule stays silent.
  auto beta = rule(conjugate::solve_dirichlet, R"(data x = [1, 0]
param p ~ Beta(1, 1)
x ~ Bernoulli(p)
)",
                   "p");
  CHECK(!beta.sol);
  CHECK(beta.why.empty());
}

TEST_CASE("Pareto-Uniform by hand") {
  // x = [1, 3, 2], prior Pareto(2, 1): posterior Pareto(max(2, 3), 1 + 3) =
  // Pareto(3, 4); mean 4 * 3 / 3 = 4, variance 3^2 * 4 / (3^2 * 2) = 2. MAP and
  // MLE 3. Evidence: int_3^inf 1 * 2 / theta^2 * theta^-3 dtheta = 2 / (4 * 3^4)
  // = 1/162. prob(theta > 6) = (3/6)^4 = 1/16. Predictive: mean
  // alpha xmin / (2 (alpha - 1)) = 2, E x^2 = alpha xmin^2 / (3 (alpha - 2)) = 6,
  // so sd sqrt(2).
  auto rep = test::report(R"(data x = [1, 3, 2]
param theta ~ Pareto(2, 1)
x ~ Uniform(0, theta)
print posterior(theta)
print map(theta)
print mle(theta)
print predictive(x)
print evidence()
print prob(theta > 6)
)");
  const auto& r = bayes::report::to_json(rep);
  CHECK(r[0]["rule"] == "Pareto-Uniform");
  CHECK(r[0]["family"] == "Pareto");
  CHECK(num(r[0]["params"]["xmin"]) == 3);
  CHECK(num(r[0]["params"]["alpha"]) == 4);
  CHECK(num(r[0]["mean"]) == doctest::Approx(4).epsilon(1e-12));
  CHECK(num(r[0]["sd"]) == doctest::Approx(std::sqrt(2.0)).epsilon(1e-12));
  CHECK(num(r[0]["mode"]) == 3);
  CHECK(num(r[1]["value"]) == 3);
  CHECK(num(r[2]["value"]) == 3);
  CHECK(r[3]["family"] == "ParetoUniformPredictive");
  CHECK(num(r[3]["mean"]) == doctest::Approx(2).epsilon(1e-12));
  CHECK(num(r[3]["sd"]) == doctest::Approx(std::sqrt(2.0)).epsilon(1e-12));
  CHECK(num(r[4]["value"]) == doctest::Approx(std::log(1.0 / 162)).epsilon(1e-12));
  CHECK(num(r[5]["value"]) == doctest::Approx(1.0 / 16).epsilon(1e-12));
  CHECK(explained(rep, "Pareto(max(2, 3), 1 + 3) = Pareto(3, 4)"));
}

TEST_CASE("Pareto-Uniform predictive: cdf, quantile and density of the mixture") {
  // ParetoUniformPredictive(3, 4): weight 4/5 on Uniform(0, 3), 1/5 on
  // Pareto(3, 4). cdf(1.5) = 4/5 * 1/2 = 0.4; cdf(6) = 1 - (3/6)^4 / 5 = 1 - 1/80.
  // Density 4 / (5 * 3) below 3 and 4 * 3^4 * 6^-5 / 5 at 6.
  auto run = rule(conjugate::solve_pareto, R"(data x = [1, 3, 2]
param theta ~ Pareto(2, 1)
x ~ Uniform(0, theta)
)",
                  "theta");
  REQUIRE(run.sol);
  const auto& pred = run.sol->predictive.at(0).dist;
  CHECK(pred.cdf(1.5) == doctest::Approx(0.4).epsilon(1e-12));
  CHECK(pred.cdf(6) == doctest::Approx(1 - 1.0 / 80).epsilon(1e-12));
  CHECK(pred.quantile(0.4) == doctest::Approx(1.5).epsilon(1e-12));
  CHECK(pred.quantile(1 - 1.0 / 80) == doctest::Approx(6).epsilon(1e-12));
  CHECK(pred.lpdf(Value::scalar(2)) == doctest::Approx(std::log(4.0 / 15)).epsilon(1e-12));
  CHECK(pred.lpdf(Value::scalar(6)) ==
        doctest::Approx(std::log(4 * 81 / (5 * 7776.0))).epsilon(1e-12));
  CHECK(pred.lpdf(Value::scalar(-1)) == -HUGE_VAL);
}

TEST_CASE("Pareto-Uniform with a known scale: Uniform(0, 2 * theta)") {
  // x / 2 = [0.5, 3]: the data allow theta >= 3, so Pareto(1, 2) -> Pareto(3, 4).
  // Evidence: int_3^inf 2 theta^-3 (2 theta)^-2 dtheta = (2 / 4) * 3^-4 / 4 = 1/648.
  // The predictive of x is that of 2 * theta * U: xmin 2 * 3 = 6.
  auto r = answers(R"(data x = [1, 6]
param theta ~ Pareto(1, 2)
x ~ Uniform(0, 2 * theta)
print posterior(theta)
print mle(theta)
print predictive(x)
print evidence()
)");
  CHECK(num(r[0]["params"]["xmin"]) == 3);
  CHECK(num(r[0]["params"]["alpha"]) == 4);
  CHECK(num(r[1]["value"]) == 3);
  CHECK(num(r[2]["params"]["xmin"]) == 6);
  CHECK(num(r[3]["value"]) == doctest::Approx(std::log(1.0 / 648)).epsilon(1e-12));
}

TEST_CASE("Pareto: near misses say why they are not conjugate") {
  CHECK(conjugate_error(R"(data x = [1.5, 2]
param theta ~ Pareto(1, 2)
x ~ Uniform(1, theta)
)") == "not conjugate: 'x ~ Uniform(1, theta)': the lower end is 1, not 0; the Pareto rule needs "
       "Uniform(0, theta)");
  CHECK(contains(conjugate_error(R"(data x = [1.5, 2]
param theta ~ Pareto(1, 2)
x ~ Uniform(0, theta + 1)
)"),
                 "the upper end is an expression of 'theta' other than theta or c * theta with a "
                 "known c > 0"));
  CHECK(contains(conjugate_error(R"(data x = [1.5, 2]
param theta ~ Pareto(1, 2)
x ~ Exponential(theta)
)"),
                 "an Exponential likelihood is not conjugate to the Pareto prior of 'theta'"));
  CHECK(contains(conjugate_error(R"(data x = [1.5, 2]
param theta ~ Pareto(0.5, 2)
x ~ Uniform(theta, 10)
)"),
                 "'theta' is in the lower end of the Uniform"));

  auto hyper = rule(conjugate::solve_pareto, R"(data x = [1.5, 2]
param a ~ Gamma(2, 1)
param theta ~ Pareto(1, a)
x ~ Uniform(0, theta)
)",
                    "theta");
  CHECK(!hyper.sol);
  CHECK(hyper.why == "the Pareto prior of 'theta' has parameters as arguments");

  auto other = rule(conjugate::solve_pareto, R"(data x = [1.5, 2]
param theta ~ Pareto(1, 2)
param s ~ Gamma(2, 1)
x ~ Uniform(0, theta * s)
)",
                    "theta");
  CHECK(!other.sol);
  CHECK(contains(other.why, "involves 's' as well as 'theta'"));
}

TEST_CASE("Dirichlet: prob() of one element is exact, from its Beta marginal") {
  // 30 rolls, 15 sixes, a flat Dirichlet prior: theta ~ Dirichlet(4, 4, 4, 4, 4, 16),
  // so theta[6] ~ Beta(16, 20) and P(theta[6] > 1/6) = I_{5/6}(20, 16) (scipy:
  // beta(16, 20).sf(1/6) = 0.9999424438254128).
  auto r = test::run(
      "data rolls = [6, 3, 6, 1, 6, 2, 6, 5, 4, 6, 6, 3, 1, 6, 2, 6, 5, 6, 4, 6,\n"
      "              3, 6, 6, 1, 2, 6, 5, 6, 4, 6]\n"
      "param theta[6] ~ Dirichlet([1, 1, 1, 1, 1, 1])\nrolls ~ Categorical(theta)\n"
      "print prob(theta[6] > 1 / 6)\nprint prob(1 / 6 < theta[6])\n"
      "print prob(theta[1] < 0.1 && theta[1] > 0.05)\nprint prob(theta[7 - 1] > theta[1])\n");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  auto res = bayes::report::to_json(answer::answer_all(*r.compiled, {}));
  CHECK(res[0]["method"] == "conjugate");
  CHECK(res[0]["value"].get<double>() == doctest::Approx(0.9999424438254128).epsilon(1e-12));
  CHECK(res[1]["value"].get<double>() == doctest::Approx(0.9999424438254128).epsilon(1e-12));
  // theta[1] ~ Beta(4, 32): P(0.05 < theta[1] < 0.1), scipy beta(4, 32).cdf(0.1) - .cdf(0.05)
  CHECK(res[2]["method"] == "conjugate");
  CHECK(res[2]["value"].get<double>() ==
        doctest::Approx(0.46901513402996614 - 0.09575479054771646).epsilon(1e-9));
  CHECK(res[3]["method"] == "monte-carlo");  // two elements: from joint draws
}
