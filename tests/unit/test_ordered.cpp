// Ordered vectors (`param mu[K] ordered ~ D`, `positive_ordered`): the
// sampler reproduces the order statistics of iid priors (known in closed
// form), a two-component mixture with ordered means has the log density
// written out here by hand (with the log 2! its restricted prior gives back),
// and misuse is a located error.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "density/log_density.hpp"
#include "helpers.hpp"
#include "numeric/tape.hpp"

namespace bayes {

TEST_CASE("ordered: the order statistics of three iid priors") {
  // E of the order statistics of 3 standard Normals: -+3 / (2 sqrt(pi)), 0;
  // of 3 Exponential(1): 1/3, 1/3 + 1/2, 1/3 + 1/2 + 1.
  const double normal = 3 / (2 * std::sqrt(M_PI));
  struct Case {
    const char* model;
    std::vector<double> want;
  };
  for (const Case& c : {Case{"param mu[3] ordered ~ Normal(0, 1)\nfactor 0 * mu[1]\n"
                             "print posterior(mu)\n",
                             {-normal, 0, normal}},
                        Case{"param mu[3] positive_ordered ~ Exponential(1)\nfactor 0 * mu[1]\n"
                             "print posterior(mu)\n",
                             {1.0 / 3, 1.0 / 3 + 0.5, 1.0 / 3 + 1.5}}}) {
    INFO(c.model);
    auto out = test::answers(c.model, answer::Method::Sample);
    REQUIRE(out[0]["method"] == "sampling");
    for (std::size_t k = 0; k < 3; ++k)
      CHECK(std::fabs(test::num(out[0]["mean"][k]) - c.want[k]) <
            4 * test::num(out[0]["mcse"]["mean"][k]));
  }
}

TEST_CASE("ordered: mean and sd of a sampled vector give each element's mcse") {
  // Order statistics of 3 Exponential(1): means 1/3, 5/6, 11/6.
  auto out =
      test::answers("param w[3] positive_ordered ~ Exponential(1)\nprint mean(w)\nprint sd(w)\n",
                    answer::Method::Sample);
  REQUIRE(out[0]["mcse"].is_array());
  REQUIRE(out[0]["mcse"].size() == 3);
  REQUIRE(out[1]["mcse"].is_array());
  const double want[3] = {1.0 / 3, 5.0 / 6, 11.0 / 6};
  for (std::size_t k = 0; k < 3; ++k) {
    const double mcse = test::num(out[0]["mcse"][k]);
    CHECK(mcse > 0);
    CHECK(std::fabs(test::num(out[0]["value"][k]) - want[k]) < 4 * mcse);
    CHECK(test::num(out[1]["mcse"][k]) > 0);
  }
}

TEST_CASE("ordered: a mixture with ordered means, its log density by hand") {
  auto r = test::run(R"(data y = [-1.2, -0.7, 1.9, 2.4, -0.9]
param mu[2] ordered ~ Normal(0, 5)
param s ~ HalfNormal(2)
param w ~ Beta(2, 2)
param z[5] ~ Categorical([1 - w, w])
y ~ Normal(mu[z], s)
)");
  REQUIRE_MESSAGE(r.compiled, r.errors());
  const Model& m = r.compiled->model;
  const double mu1 = -0.8, mu2 = 2.1, s = 0.7, w = 0.4;
  const double ys[] = {-1.2, -0.7, 1.9, 2.4, -0.9};
  auto lnorm = [](double x, double m_, double sd) {
    return -0.5 * std::pow((x - m_) / sd, 2) - std::log(sd) - 0.5 * std::log(2 * M_PI);
  };
  double want = lnorm(mu1, 0, 5) + lnorm(mu2, 0, 5) + std::log(2.0)  // 2! given back
                + std::log(2.0) + lnorm(s, 0, 2)                     // HalfNormal(2)
                + std::log(6 * w * (1 - w));                         // Beta(2, 2)
  for (double y : ys)
    want += std::log((1 - w) * std::exp(lnorm(y, mu1, s)) + w * std::exp(lnorm(y, mu2, s)));
  std::size_t z = 0;
  for (std::size_t i = 0; i < m.params.size(); ++i)
    if (m.params[i].name == "z") z = i;
  std::string why;
  auto tape = test::whole_tape(m, why, {z});
  REQUIRE_MESSAGE(tape, why);
  std::vector<Eigen::VectorXd> v(m.params.size());
  v[0] = Eigen::Vector2d(mu1, mu2);
  v[1] = Eigen::VectorXd::Constant(1, s);
  v[2] = Eigen::VectorXd::Constant(1, w);
  CHECK(tape->forward(v) == doctest::Approx(want).epsilon(1e-12));
  // The wrong order has no density.
  v[0] = Eigen::Vector2d(mu2, mu1);
  std::vector<Value> pv = {Value::vector({mu2, mu1}), Value::scalar(s), Value::scalar(w), {}};
  CHECK(density::log_prior(m, m.priors[0], pv) == -INFINITY);
}

TEST_CASE("ordered: located errors") {
  auto first = [](const std::string& text) { return test::run(text).first_error(); };
  CHECK(test::contains(first("param mu ordered ~ Normal(0, 1)\n"), "'ordered' is a vector"));
  CHECK(test::contains(first("param mu[2] ordered ~ Gamma(2, 1)\n"),
                       "Gamma lives on (0, inf), but an ordered vector on the real line"));
  CHECK(test::contains(first("param mu[2] ordered ~ Normal([0, 1], 1)\n"),
                       "share one prior: its arguments are numbers, not vectors"));
  CHECK(test::contains(first("param mu[2] ordered > 0 ~ Normal(0, 1)\n"),
                       "takes no bounds of its own"));
  CHECK(test::contains(first("param k[2] ordered ~ Poisson(3)\n"), "a continuous family"));
}

}  // namespace bayes

namespace bayes {

TEST_CASE("ordered: a flat ordered vector with no data is improper, not sampled (regression)") {
  auto out = test::answers("param c[3] ordered\nprint mean(c)\n");
  REQUIRE(out[0].contains("error"));
  CHECK(test::contains(out[0]["error"].get<std::string>(), "the posterior is improper"));
}

}  // namespace bayes
