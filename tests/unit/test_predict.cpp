// Predictions at new inputs: predictive(Family(args)) is one new
// observation from that family, exact where the posterior allows it, else
// from posterior draws; and predictive(y) of a model without a closed form.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>

#include "helpers.hpp"

using bayes::test::contains;

namespace {

const char* kLine = R"(data x = [1, 2, 3, 4, 5]
data y = [1.1, 2.3, 2.9, 4.2, 5.1]
param w0
param w1 ~ Normal(0, 10)
y ~ Normal(w0 + w1 * x, 0.5)
)";

}  // namespace

TEST_CASE("predictive at a new input: exact for a Gaussian line with a known sd") {
  auto a =
      bayes::test::answers(std::string(kLine) + "print predictive(Normal(w0 + w1 * 7.5, 0.5))\n");
  REQUIRE(a.size() == 1);
  // Posterior precision X'X / 0.25 + diag(0, 1 / 100), mean its inverse times X'y / 0.25.
  Eigen::MatrixXd X(5, 2);
  X << 1, 1, 1, 2, 1, 3, 1, 4, 1, 5;
  Eigen::VectorXd y(5);
  y << 1.1, 2.3, 2.9, 4.2, 5.1;
  Eigen::MatrixXd prec = X.transpose() * X / 0.25;
  prec(1, 1) += 0.01;
  const Eigen::MatrixXd cov = prec.inverse();
  const Eigen::VectorXd mean = cov * (X.transpose() * y / 0.25);
  const Eigen::Vector2d at(1, 7.5);
  CHECK(a[0]["method"] == "conjugate");
  CHECK(a[0]["family"] == "Normal");
  CHECK(a[0]["mean"].get<double>() == doctest::Approx(at.dot(mean)).epsilon(1e-12));
  CHECK(a[0]["sd"].get<double>() ==
        doctest::Approx(std::sqrt(at.dot(cov * at) + 0.25)).epsilon(1e-12));
}

TEST_CASE("predictive at a new input: a Bernoulli's probability is its posterior mean") {
  auto a = bayes::test::answers(
      "data flips = [1, 0, 1, 1]\nparam p ~ Beta(2, 2)\nflips ~ Bernoulli(p)\n"
      "print predictive(Bernoulli(p))\nprint predictive(Bernoulli(0.5 * p))\n");
  CHECK(a[0]["mean"].get<double>() == doctest::Approx(5.0 / 8).epsilon(1e-14));  // (2 + 3) / 8
  CHECK(a[1]["mean"].get<double>() == doctest::Approx(5.0 / 16).epsilon(1e-14));
}

TEST_CASE("predictive at a new input: from posterior draws where no closed form is known") {
  // sigma unknown, flat priors: the exact predictive is Student-t with N - 3
  // degrees of freedom (BDA3 sec. 14.2); its sd by the formula.
  auto a = bayes::test::answers(R"(data x = [1, 2, 3, 4, 5, 6, 7, 8]
data y = [1.1, 2.3, 2.9, 4.2, 5.1, 5.8, 7.4, 7.9]
param w0
param w1
param s > 0
y ~ Normal(w0 + w1 * x, s)
print predictive(Normal(w0 + w1 * 10, s))
)");
  Eigen::MatrixXd X(8, 2);
  Eigen::VectorXd y(8);
  for (int i = 0; i < 8; ++i) X(i, 0) = 1, X(i, 1) = i + 1;
  y << 1.1, 2.3, 2.9, 4.2, 5.1, 5.8, 7.4, 7.9;
  const Eigen::MatrixXd inv = (X.transpose() * X).inverse();
  const Eigen::VectorXd b = inv * X.transpose() * y;
  const double rss = (y - X * b).squaredNorm(), df = 8 - 3;
  const Eigen::Vector2d at(1, 10);
  const double scale = std::sqrt(rss / df * (1 + at.dot(inv * at)));
  const double sd = scale * std::sqrt(df / (df - 2));
  CHECK(a[0]["method"] == "monte-carlo");
  const double mcse = a[0]["mcse"].get<double>();
  CHECK(std::fabs(a[0]["mean"].get<double>() - at.dot(b)) < 5 * mcse);
  CHECK(a[0]["sd"].get<double>() == doctest::Approx(sd).epsilon(0.05));
}

TEST_CASE("predictive(y) of a model without a closed form: one more like row 1, from draws") {
  auto a = bayes::test::answers(R"(data h = [1, 2, 3, 4, 5, 6]
data pass = [0, 0, 1, 0, 1, 1]
param a ~ Normal(0, 5)
param b ~ Normal(0, 5)
pass ~ Bernoulli(logistic(a + b * h))
print predictive(pass)
print predictive(Bernoulli(logistic(a + b * 1)))
)");
  REQUIRE(a.size() == 2);
  CHECK(a[0]["method"] != "conjugate");  // from the posterior's draws (NUTS here)
  CHECK(a[1]["method"] == a[0]["method"]);
  // Row 1 has h = 1: the same question, the same draws and seed.
  CHECK(a[0]["mean"] == a[1]["mean"]);
  CHECK(a[0]["mean"].get<double>() < 0.5);
}

TEST_CASE("predictive at a new input: located errors") {
  auto vec = bayes::test::run(std::string(kLine) + "print predictive(Normal(w0 + w1 * x, 0.5))\n");
  CHECK(contains(vec.first_error(), "6:18: predictive(Normal(...)) is one new observation"));
  auto known = bayes::test::run(std::string(kLine) + "print predictive(Normal(1, 2))\n");
  CHECK(contains(known.first_error(), "the distribution involves no parameter"));
  auto prior = bayes::test::run(std::string(kLine) + "print predictive(Dirichlet([1, 1]))\n");
  CHECK(contains(prior.first_error(), "Dirichlet is not one"));
  auto domain = bayes::test::answers("param mu ~ Normal(0, 1)\nprint predictive(Poisson(mu))\n");
  CHECK(contains(domain[0]["error"].get<std::string>(), "the rate of Poisson is"));
}

TEST_CASE("draws of a quantity without a mean: the heavy tail is said beside the number") {
  // 1 / (1 - phi) with phi ~ Normal(0.5, 0.2): the denominator's density at 0
  // is positive, so the ratio has Cauchy-like tails (no mean, k = 1).
  auto a = bayes::test::answers(
      "param phi ~ Normal(0.5, 0.2)\nlet r = 1 / (1 - phi)\nlet twice = 2 * phi\n"
      "print posterior(r)\nprint posterior(twice)\n");
  CHECK(contains(a[0]["note"].get<std::string>(), "the draws have heavy tails (Pareto k-hat"));
  CHECK_FALSE(a[1].contains("note"));
}

TEST_CASE("predictive at a new input: Binomial(n, p) of a Beta posterior is BetaBinomial") {
  // 7 of 10 under Beta(2, 2): Beta(9, 5); 20 new trials: mean 20 * 9 / 14,
  // variance 20 * 9 * 5 * (14 + 20) / (14^2 * 15) (BDA3 sec. 2.4).
  auto a = bayes::test::answers(
      "data k = 7\nparam p ~ Beta(2, 2)\nk ~ Binomial(10, p)\nprint predictive(Binomial(20, p))\n");
  CHECK(a[0]["family"] == "BetaBinomial");
  CHECK(a[0]["params"]["a"].get<double>() == 9);
  CHECK(a[0]["mean"].get<double>() == doctest::Approx(20.0 * 9 / 14).epsilon(1e-14));
  CHECK(a[0]["sd"].get<double>() ==
        doctest::Approx(std::sqrt(20.0 * 9 * 5 * 34 / (196.0 * 15))).epsilon(1e-14));
}
