// --explain for the course's lessons: Bayes' rule with the numbers for an
// enumeration, the penalty and its lambda for Gaussian and Laplace priors on
// regression weights (and that the MAP is that ridge or lasso solution), the
// numeric engine's objective, transforms and Jacobian question.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>

#include "format/format.hpp"
#include "helpers.hpp"

using bayes::test::contains;

namespace {

std::string explanation(const std::string& model,
                        bayes::answer::Method method = bayes::answer::Method::Auto) {
  auto rep = bayes::test::report(model, method);
  std::string all;
  for (const auto& line : rep.explain) all += line + "\n";
  return all;
}

double normal_pdf(double x, double mu, double sd) {
  return std::exp(-0.5 * (x - mu) * (x - mu) / (sd * sd)) / (sd * std::sqrt(2 * M_PI));
}

const char* kFish = R"(data x = 0.5
param species ~ Categorical([0.7, 0.3])
x ~ Normal([0.65, 0.42][species], 0.1)
print posterior(species)
)";

}  // namespace

TEST_CASE("--explain of an enumeration: Bayes' rule with the numbers") {
  const std::string s = explanation(kFish);
  INFO(s);
  // By hand: prior x likelihood per class, their sum, the ratio.
  const double l1 = normal_pdf(0.5, 0.65, 0.1), l2 = normal_pdf(0.5, 0.42, 0.1);
  const double j1 = 0.7 * l1, j2 = 0.3 * l2, z = j1 + j2;
  auto six = [](double v) { return bayes::format::significant(v); };
  CHECK(contains(s, "species = 1: prior 0.7 x likelihood " + six(l1) + " = " + six(j1) +
                        ", posterior " + six(j1) + " / p(data) = " + six(j1 / z)));
  CHECK(contains(s, "species = 2: prior 0.3 x likelihood " + six(l2)));
  CHECK(contains(s, "p(data) = the sum of prior x likelihood = " + six(j1) + " + " + six(j2) +
                        " = " + six(z) + " (log " + six(std::log(z)) + ")"));
  CHECK(contains(s,
                 "MAP: the joint value with the largest prior x likelihood: species = 1; "
                 "MLE: the largest likelihood alone: species = 2"));
}

TEST_CASE("--explain of a Gaussian prior on regression weights: ridge, its lambda, its solution") {
  // Two standardised features, an unpenalised intercept, sd 2, tau 0.5:
  // lambda = 4 / 0.25 = 16.
  const std::string model = R"(data x1 = [-1.5, -0.5, 0.5, 1.5]
data x2 = [1, -1, -1, 1]
data y = [1.2, 2.9, 4.1, 6.3]
param w0
param w[2] ~ Normal(0, 0.5)
y ~ Normal(w0 + columns(x1, x2) * w, 2)
print map(w)
)";
  const std::string s = explanation(model);
  INFO(s);
  CHECK(contains(s, "with lambda = sd^2 / tau^2 = 16 (w0: flat, not penalised)"));
  // The ridge solution by hand: the intercept is the mean (features centred),
  // the weights (X'X + 16 I)^-1 X'y.
  Eigen::MatrixXd X(4, 2);
  X << -1.5, 1, -0.5, -1, 0.5, -1, 1.5, 1;
  Eigen::VectorXd y(4);
  y << 1.2, 2.9, 4.1, 6.3;
  Eigen::VectorXd w = (X.transpose() * X + 16 * Eigen::MatrixXd::Identity(2, 2))
                          .ldlt()
                          .solve(X.transpose() * (y.array() - y.mean()).matrix());
  CHECK(contains(s, "= [" + bayes::format::significant(y.mean()) + ", " +
                        bayes::format::significant(w[0]) + ", " + bayes::format::significant(w[1]) +
                        "] is the MAP"));
  auto map = bayes::test::answers(model);
  CHECK(map[0]["value"][0].get<double>() == doctest::Approx(w[0]).epsilon(1e-10));
}

TEST_CASE("--explain of Laplace priors: the lasso and its lambda; logistic with an L2 prior") {
  const std::string lasso = explanation(R"(data x1 = [-1.5, -0.5, 0.5, 1.5]
data y = [1.2, 2.9, 4.1, 6.3]
param w0
param w[1] ~ Laplace(0, 2)
y ~ Normal(w0 + columns(x1) * w, 3)
print map(w)
)");
  INFO(lasso);
  // lambda = 2 sd^2 / b = 18 / 2 = 9; scikit-learn's alpha = sd^2 / (N b) = 9 / 8.
  CHECK(contains(lasso, "lambda = 2 sd^2 / b = 9 (w0: flat, not penalised)"));
  CHECK(contains(lasso, "Lasso(alpha = lambda / (2N) = 1.125), N = 4"));
  const std::string logistic = explanation(R"(data h = [1, 2, 3, 4, 5, 6]
data pass = [0, 0, 1, 0, 1, 1]
param a
param b ~ Normal(0, 2)
pass ~ Bernoulli(logistic(a + b * h))
print map(b)
)");
  INFO(logistic);
  CHECK(contains(logistic, "lambda = 1 / tau^2 = 0.25 (a: flat, not penalised)"));
  CHECK(contains(logistic, "LogisticRegression(penalty = 'l2', C = tau^2 = 4)"));
}

TEST_CASE("--explain of the numeric engine: objective, transforms, the Jacobian question") {
  const std::string model = R"(data y = [2.1, 3.4, 1.9, 2.8]
param mu ~ Normal(0, 10)
param s ~ HalfCauchy(1)
y ~ Normal(mu, s)
print map(s)
)";
  const std::string plain = explanation(model, bayes::answer::Method::Numeric);
  INFO(plain);
  CHECK(contains(plain,
                 "objective: the MAP maximises the log posterior = log prior of mu "
                 "[Normal(0, 10)] + log prior of s [HalfCauchy(1)] + log likelihood of "
                 "'y ~ Normal(mu, s)'"));
  CHECK(contains(plain, "mu as it is, log s"));
  CHECK(contains(plain, "Jacobian: none added (as Stan's optimize does by default)"));
}
