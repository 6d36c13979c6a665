// Queries of one element of a vector parameter (posterior(w[2]), mean(w[2]),
// prob(w[2] > 1), map(w[2]), plot w[2], `print w[2]`): the marginal of the
// joint posterior, checked against the Gaussian linear model's posterior
// written out here by hand (Bishop, PRML, eq. 3.53-3.54), and against the
// whole vector's answer through the sampler.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <string>

#include "helpers.hpp"

namespace bayes {

namespace {

const char* kRegression = R"(data X = columns([1, 1, 1, 1, 1], [1, 2, 3, 4, 5])
data y = [1.1, 2.3, 2.9, 4.2, 5.1]
param w[2] ~ Normal(0, 10)
y ~ Normal(X * w, 0.5)
)";

}  // namespace

TEST_CASE("element queries: the exact marginal of one coefficient") {
  // S = (I / 100 + X'X / 0.25)^-1, m = S X'y / 0.25.
  Eigen::MatrixXd X(5, 2);
  X << 1, 1, 1, 2, 1, 3, 1, 4, 1, 5;
  Eigen::VectorXd y(5);
  y << 1.1, 2.3, 2.9, 4.2, 5.1;
  Eigen::MatrixXd S = (Eigen::MatrixXd::Identity(2, 2) / 100 + X.transpose() * X / 0.25).inverse();
  Eigen::VectorXd mean = S * X.transpose() * y / 0.25;
  const double sd = std::sqrt(S(1, 1));
  const boost::math::normal_distribution<double> marginal(mean[1], sd);

  auto out = test::answers(std::string(kRegression) + R"(print posterior(w[2])
print mean(w[2])
print sd(w[2])
print interval(w[2], 0.9)
print quantile(w[2], 0.25)
print map(w[2])
print prob(w[2] > 1)
print w[1]
)");
  CHECK(out[0]["method"] == "conjugate");
  CHECK(test::num(out[0]["mean"]) == doctest::Approx(mean[1]).epsilon(1e-10));
  CHECK(test::num(out[0]["sd"]) == doctest::Approx(sd).epsilon(1e-10));
  CHECK(test::num(out[0]["mode"]) == doctest::Approx(mean[1]).epsilon(1e-10));
  CHECK(test::num(out[1]["value"]) == doctest::Approx(mean[1]).epsilon(1e-10));
  CHECK(test::num(out[2]["value"]) == doctest::Approx(sd).epsilon(1e-10));
  CHECK(test::num(out[3]["value"][0]) == doctest::Approx(quantile(marginal, 0.05)).epsilon(1e-9));
  CHECK(test::num(out[3]["value"][1]) == doctest::Approx(quantile(marginal, 0.95)).epsilon(1e-9));
  CHECK(test::num(out[4]["value"]) == doctest::Approx(quantile(marginal, 0.25)).epsilon(1e-9));
  CHECK(test::num(out[5]["value"]) == doctest::Approx(mean[1]).epsilon(1e-9));
  CHECK(test::num(out[6]["value"]) ==
        doctest::Approx(cdf(complement(marginal, 1.0))).epsilon(1e-9));
  CHECK(test::num(out[7]["mean"]) == doctest::Approx(mean[0]).epsilon(1e-10));
}

TEST_CASE("element queries: the sampler's column of one element is the vector's") {
  auto out = test::answers(std::string(kRegression) + "print posterior(w)\nprint posterior(w[2])\n",
                           answer::Method::Sample);
  CHECK(out[1]["method"] == "sampling");
  CHECK(test::num(out[1]["mean"]) == test::num(out[0]["mean"][1]));
  CHECK(test::num(out[1]["sd"]) == test::num(out[0]["sd"][1]));
  CHECK(test::num(out[1]["mcse"]["mean"]) == test::num(out[0]["mcse"]["mean"][1]));
}

TEST_CASE("element queries: located errors") {
  auto range = test::run(std::string(kRegression) + "print mean(w[3])\n");
  CHECK(test::contains(range.first_error(), "the index must be a whole number in 1..2"));
  auto scalar = test::run("param a ~ Normal(0, 1)\nprint posterior(a[1])\n");
  CHECK(test::contains(scalar.first_error(), "'a' is a scalar"));
  auto two = test::run(std::string(kRegression) + "print posterior(w[1, 2])\n");
  CHECK(test::contains(two.first_error(), "index 2 of 'w' is out of range 1..1"));
}

}  // namespace bayes
