// The Gaussian linear rule (src/conjugate/gaussian_linear.cpp): hand-computed
// posteriors beyond the scipy fixtures, and the reasons it gives for models
// that look Gaussian but are not conjugate.
#include <doctest/doctest.h>

#include <cmath>
#include <numbers>

#include "answer/answer.hpp"
#include "conjugate/rule.hpp"
#include "helpers.hpp"
#include "rule_run.hpp"

using namespace bayes;
using json = nlohmann::ordered_json;

namespace bayes::conjugate {
std::optional<Solution> solve_gaussian_linear(const Model&, const graph::FactorGraph&,
                                              const graph::Component&, std::string&);
}

namespace {

// The rule alone on the component of the first parameter.
test::RuleRun gaussian_rule(const std::string& text) {
  return test::rule(conjugate::solve_gaussian_linear, text);
}

using test::answers;

using test::num;

}  // namespace

TEST_CASE("Normal-Normal by hand: two points, sd 1, prior Normal(0, 2)") {
  // Prior precision 1 / 2^2 = 0.25; data precision N / sd^2 = 2; posterior
  // precision 2.25, so sd = 1 / 1.5 = 2/3; mean = (0.25 * 0 + (1 + 3) / 1) / 2.25
  // = 16/9. MLE = mean(x) = 2. Predictive sd = sqrt(1/2.25 + 1) = sqrt(13/9).
  // Evidence: x ~ MultiNormal(0, I + 4 * 11') = MultiNormal(0, [[5, 4], [4, 5]]),
  // det 9, x' cov^-1 x = (5 * 1 - 2 * 4 * 3 + 5 * 9) / 9 = 26/9, so
  // log p(x) = -log(2 pi) - log(9) / 2 - 13/9.
  auto r = answers(R"(data x = [1, 3]
param mu ~ Normal(0, 2)
x ~ Normal(mu, 1)
print posterior(mu)
print map(mu)
print mle(mu)
print predictive(x)
print evidence()
)");
  CHECK(r[0]["rule"] == "Normal-Normal");
  CHECK(r[0]["family"] == "Normal");
  CHECK(num(r[0]["params"]["mean"]) == doctest::Approx(16.0 / 9).epsilon(1e-12));
  CHECK(num(r[0]["params"]["sd"]) == doctest::Approx(2.0 / 3).epsilon(1e-12));
  CHECK(num(r[1]["value"]) == doctest::Approx(16.0 / 9).epsilon(1e-12));
  CHECK(num(r[2]["value"]) == doctest::Approx(2.0).epsilon(1e-12));
  CHECK(r[3]["family"] == "Normal");
  CHECK(num(r[3]["params"]["sd"]) == doctest::Approx(std::sqrt(13.0 / 9)).epsilon(1e-12));
  CHECK(!r[3].contains("note"));  // every row alike
  double want = -std::log(2 * std::numbers::pi) - std::log(9.0) / 2 - 13.0 / 9;
  CHECK(num(r[4]["value"]) == doctest::Approx(want).epsilon(1e-12));
}

TEST_CASE("regression by hand: two weights, two points") {
  // X = [[1, -1], [1, 1]], so X'X = 2 I and X'y = [2, 2]; prior precision I.
  // Posterior precision 3 I: mean [2/3, 2/3], cov I / 3. MLE = (X'X)^-1 X'y = [1, 1].
  // Predictive of row 1 (x = -1): mean 2/3 - 2/3 = 0, var 1/3 + 1/3 + 1 = 5/3.
  auto r = gaussian_rule(R"(data x = [-1, 1]
data y = [0, 2]
param w0 ~ Normal(0, 1)
param w1 ~ Normal(0, 1)
y ~ Normal(w0 + w1 * x, 1)
)");
  REQUIRE_MESSAGE(r.sol, r.why);
  const auto& s = *r.sol;
  CHECK(s.rule == "BayesianLinearRegression");
  REQUIRE(s.joint);
  CHECK(s.joint->family == "MultiNormal");
  CHECK(s.joint_order == std::vector<std::string>{"w0", "w1"});
  for (const auto& p : s.params) {
    CHECK(p.posterior.family == "Normal");
    CHECK(p.posterior.mean[0] == doctest::Approx(2.0 / 3).epsilon(1e-12));
    CHECK(p.posterior.sd[0] == doctest::Approx(std::sqrt(1.0 / 3)).epsilon(1e-12));
    REQUIRE(p.mle);
    CHECK((*p.mle)[0] == doctest::Approx(1.0).epsilon(1e-12));
  }
  const Value& cov = s.joint->params[1].second;
  CHECK(cov.at(0, 1) == doctest::Approx(0.0).epsilon(1e-12));
  REQUIRE(s.predictive.size() == 1);
  CHECK(s.predictive[0].dist.mean[0] == doctest::Approx(0.0).epsilon(1e-12));
  CHECK(s.predictive[0].dist.sd[0] == doctest::Approx(std::sqrt(5.0 / 3)).epsilon(1e-12));
  CHECK(s.predictive[0].note.find("row 1") != std::string::npos);  // rows differ in x
}

TEST_CASE("a gather mu[g]: one Normal-Normal update per group") {
  // mu[1]: precision 0.01 + 2, mean (1 + 3) / 2.01; mu[2]: precision 0.01 + 1, mean 5 / 1.01.
  auto r = gaussian_rule(R"(data g = [1, 1, 2]
data y = [1, 3, 5]
param mu[2] ~ Normal(0, 10)
y ~ Normal(mu[g], 1)
)");
  REQUIRE_MESSAGE(r.sol, r.why);
  CHECK(r.sol->rule == "Normal-Normal");
  const auto& post = r.sol->params[0].posterior;
  CHECK(post.family == "MultiNormal");
  CHECK(post.mean[0] == doctest::Approx(4 / 2.01).epsilon(1e-12));
  CHECK(post.mean[1] == doctest::Approx(5 / 1.01).epsilon(1e-12));
  CHECK(post.sd[1] == doctest::Approx(1 / std::sqrt(1.01)).epsilon(1e-12));
  REQUIRE(post.element_quantile);
  CHECK(post.element_quantile(1, 0.5) == doctest::Approx(5 / 1.01).epsilon(1e-12));
  CHECK(!r.sol->joint);  // one parameter: its posterior is the joint
}

TEST_CASE("the rule's name follows the likelihood's shape") {
  const std::string data =
      "data g = [1, 2]\ndata x = [0.5, 1]\ndata y = [1, 3]\ndata S = columns([1, 0], [0, 1])\n";
  CHECK(gaussian_rule(data + "param mu ~ Normal(0, 1)\ny ~ Normal(mu, 1)").sol->rule ==
        "Normal-Normal");
  CHECK(gaussian_rule(data + "param mu ~ Normal(0, 1)\ny ~ Normal(2 * mu - 1, 1)").sol->rule ==
        "Normal-NormalAffine");
  CHECK(gaussian_rule(data +
                      "param a ~ Normal(0, 1)\nparam b ~ Normal(0, 1)\ny ~ Normal(a + b * x, 1)")
            .sol->rule == "BayesianLinearRegression");
  CHECK(gaussian_rule(data + "param mu[2] ~ MultiNormal([0, 0], S)\ny ~ Normal(mu[g], 1)")
            .sol->rule == "MultiNormal-Normal");
  CHECK(gaussian_rule(data + "param mu[2] ~ Normal(0, 1)\ny ~ MultiNormal(mu, S)").sol->rule ==
        "MultiNormal-MultiNormal");
  CHECK(gaussian_rule(data + "param mu ~ Normal(0, 1)\ny ~ LogNormal(mu, 1)").sol->rule ==
        "Normal-LogNormal");
}

TEST_CASE("hierarchical with known sds: theta ~ Normal(mu, 1), mu ~ Normal(0, 1)") {
  // Marginally theta ~ Normal(0, sqrt 2), and y = 2 with sd 1: precision 1/2 + 1 = 1.5,
  // mean 2 / 1.5 = 4/3. For mu, y ~ Normal(mu, sqrt 2): precision 1 + 1/2, mean (2 / 2) / 1.5 =
  // 2/3.
  auto r = gaussian_rule(R"(data y = 2
param mu ~ Normal(0, 1)
param theta ~ Normal(mu, 1)
y ~ Normal(theta, 1)
)");
  REQUIRE_MESSAGE(r.sol, r.why);
  CHECK(r.sol->rule == "Normal-Normal hierarchical (known sds)");
  CHECK(r.sol->params[0].posterior.mean[0] == doctest::Approx(2.0 / 3).epsilon(1e-12));
  CHECK(r.sol->params[1].posterior.mean[0] == doctest::Approx(4.0 / 3).epsilon(1e-12));
  CHECK(r.sol->params[1].posterior.sd[0] == doctest::Approx(std::sqrt(1 / 1.5)).epsilon(1e-12));
  CHECK(!r.sol->params[0].mle);  // no observation depends on mu
  CHECK(r.sol->params[0].mle_note ==
        "the MLE is not unique: no observation depends on mu, so the likelihood is flat in that "
        "direction");
  REQUIRE(r.sol->params[1].mle);  // but the data alone determine theta: y itself
  CHECK((*r.sol->params[1].mle)[0] == doctest::Approx(2.0).epsilon(1e-12));
  REQUIRE(r.sol->joint);
  CHECK(r.sol->joint_order == std::vector<std::string>{"mu", "theta"});
}

TEST_CASE("the MLE of a rank-deficient design is not unique") {
  auto r = gaussian_rule(R"(data x = [2, 2, 2]
data y = [1, 2, 3]
param w0 ~ Normal(0, 1)
param w1 ~ Normal(0, 1)
y ~ Normal(w0 + w1 * x, 1)
)");
  REQUIRE_MESSAGE(r.sol, r.why);
  CHECK(!r.sol->params[0].mle);
  CHECK(r.sol->params[0].mle_note.rfind("the MLE is not unique: ", 0) == 0);
  CHECK(r.sol->params[0].mle_note.find("its columns are linearly dependent") != std::string::npos);
  CHECK(r.sol->params[0].map);  // the prior makes the posterior proper

  auto few = gaussian_rule(
      "data x = [1, 2]\ndata y = 3.5\nparam w[2] ~ Normal(0, 1)\ny ~ Normal(dot(x, w), 0.5)");
  REQUIRE_MESSAGE(few.sol, few.why);
  CHECK(few.sol->params[0].mle_note.find("(1 observed value for 2 unknowns)") != std::string::npos);
}

TEST_CASE("LogNormal and MultiNormal likelihoods") {
  // log x = [0, 2]: the same numbers as the Normal-Normal case above with x = [0, 2], sd 1,
  // prior Normal(0, 2): mean (0 + 2) / 2.25, predictive LogNormal(mean, sqrt(1/2.25 + 1)).
  auto ln = gaussian_rule(R"(data x = [1, 7.38905609893065]
param mu ~ Normal(0, 2)
x ~ LogNormal(mu, 1)
)");
  REQUIRE_MESSAGE(ln.sol, ln.why);
  CHECK(ln.sol->rule == "Normal-LogNormal");
  CHECK(ln.sol->params[0].posterior.mean[0] == doctest::Approx(2 / 2.25).epsilon(1e-12));
  CHECK(ln.sol->predictive[0].dist.family == "LogNormal");
  CHECK(ln.sol->predictive[0].dist.params[1].second[0] ==
        doctest::Approx(std::sqrt(13.0 / 9)).epsilon(1e-12));

  // One 2-d observation, identity covariances: each coordinate is a
  // Normal-Normal update with precision 1 + 1, mean x_i / 2.
  auto mn = gaussian_rule(R"(data I = columns([1, 0], [0, 1])
data x = [2, -4]
param mu[2] ~ MultiNormal([0, 0], I)
x ~ MultiNormal(mu, I)
)");
  REQUIRE_MESSAGE(mn.sol, mn.why);
  CHECK(mn.sol->rule == "MultiNormal-MultiNormal");
  CHECK(mn.sol->params[0].posterior.mean[1] == doctest::Approx(-2.0).epsilon(1e-12));
  CHECK(mn.sol->predictive[0].dist.family == "MultiNormal");
  CHECK(mn.sol->predictive[0].dist.sd[0] == doctest::Approx(std::sqrt(1.5)).epsilon(1e-12));
}

TEST_CASE("--explain puts the numbers in") {
  auto r = gaussian_rule(R"(data x = [1, 3]
param mu ~ Normal(0, 2)
x ~ Normal(mu, 1)
)");
  REQUIRE(r.sol);
  std::string all;
  for (const auto& line : r.sol->explain) all += line + "\n";
  CHECK(all.find("precision 1 / 2^2 = 0.25") != std::string::npos);
  CHECK(all.find("N = 2, sum x = 4 (mean 2)") != std::string::npos);
  CHECK(all.find("posterior precision = 0.25 + 2 = 2.25") != std::string::npos);
  CHECK(all.find("= 1.77778") != std::string::npos);
}

TEST_CASE("near misses: the reasons the Gaussian rule gives") {
  SUBCASE("another prior family: not this rule, no reason") {
    auto r = gaussian_rule("data x = [1, 0]\nparam p ~ Beta(1, 1)\nx ~ Bernoulli(p)");
    CHECK(!r.sol);
    CHECK(r.why.empty());
  }
  SUBCASE("a likelihood of another family") {
    auto r = gaussian_rule("data k = [1, 4]\nparam mu ~ Normal(0, 1)\nk ~ Poisson(exp(mu))");
    CHECK(!r.sol);
    CHECK(r.why.find("'k ~ Poisson(exp(mu))': a Poisson likelihood is not conjugate") == 0);
  }
  SUBCASE("the parameter inside a nonlinear function") {
    auto r = gaussian_rule("data x = [1, 2]\nparam mu ~ Normal(0, 1)\nx ~ Normal(exp(mu), 1)");
    CHECK(!r.sol);
    CHECK(r.why.find("'x ~ Normal(exp(mu), 1)': the mean is not linear in 'mu'") == 0);
  }
  SUBCASE("a product of two parameters") {
    auto r = gaussian_rule(
        "data x = [1, 2]\nparam a ~ Normal(0, 1)\nparam b ~ Normal(0, 1)\nx ~ Normal(a * b, 1)");
    CHECK(!r.sol);
    CHECK(r.why.find("the mean is not linear in 'a' and 'b'") != std::string::npos);
  }
  SUBCASE("an unknown sd with a non-Normal prior") {
    auto r = gaussian_rule(
        "data x = [1, 2]\nparam mu ~ Normal(0, 1)\nparam sigma ~ HalfCauchy(1)\nx ~ Normal(mu, "
        "sigma)");
    CHECK(!r.sol);
    CHECK(r.why.find(
              "'x ~ Normal(mu, sigma)': sigma appears in the scale of a Normal whose mean is also "
              "unknown, and its prior is HalfCauchy") == 0);
  }
  SUBCASE("a prior argument that is a parameter with a non-Normal prior") {
    auto r = gaussian_rule(
        "data x = [1, 2]\nparam tau ~ Gamma(2, 1)\nparam mu ~ Normal(0, tau)\nx ~ Normal(mu, 1)");
    CHECK(!r.sol);
    CHECK(r.why.find("'tau' has a Gamma prior") == 0);
  }
  SUBCASE("a prior sd that is a parameter with a Normal prior") {
    auto r = gaussian_rule(
        "data x = [1, 2]\nparam s ~ Normal(5, 1)\nparam mu ~ Normal(0, s)\nx ~ Normal(mu, 1)");
    CHECK(!r.sol);
    CHECK(r.why ==
          "the prior 'mu ~ Normal(0, s)' has 's' in its sd: a Gaussian prior needs a known sd");
  }
  SUBCASE("--method conjugate reports the reason") {
    auto r = answers(
        "data x = [1, 2]\nparam mu ~ Normal(0, 1)\nx ~ Normal(exp(mu), 1)\nprint posterior(mu)",
        answer::Method::Conjugate);
    REQUIRE(r[0].contains("error"));
    CHECK(r[0]["error"].get<std::string>().find("not conjugate: 'x ~ Normal(exp(mu), 1)'") == 0);
  }
}
